// ScanShapes: bit-parallel candidate search for the class-only shapes (see detectors.h).
//
// Each 64-byte block becomes 64-bit masks of digits, hex digits, '.', ':', '-', ' ', '@' and '['
// (AVX-512BW or AVX2 when the CPU has them, SSE2 (the x86-64 baseline) otherwise, a scalar loop
// elsewhere). With the next block's masks beside them (every shape
// looks at most 40 positions ahead), "k starts four hex digits", "k starts a '.'-separated digit
// pair", ... are shifts and ands of 128-bit values, so a shape test costs a few word operations
// per 64 bytes. Only the rare positions whose masks
// match reach scalar code, and the extractors validate those exactly as they validate Vectorscan
// hits. Everything is linear in the window size.
#include <cstring>

#include "privacy/detectors.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

namespace awoooi::privacy::internal {
namespace {

using Word = std::uint64_t;
using Wide = unsigned __int128;  // a block's mask bits (low half) and the next block's (high half)

struct BlockMasks {
  Word digit = 0, hex = 0, dot = 0, colon = 0, dash = 0, space_or_dash = 0, at = 0, bracket = 0;
};

inline bool IsDigitChar(char c) { return c >= '0' && c <= '9'; }
inline bool IsAlnumChar(char c) { return IsDigitChar(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

BlockMasks BuildBlock(const unsigned char* p) {
  BlockMasks m;
#if defined(__SSE2__)
  const __m128i zero_char = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9), a_char = _mm_set1_epi8('a'),
                five = _mm_set1_epi8(5), lower = _mm_set1_epi8(0x20), dot = _mm_set1_epi8('.'),
                colon = _mm_set1_epi8(':'), dash = _mm_set1_epi8('-'), space = _mm_set1_epi8(' '),
                at = _mm_set1_epi8('@'), bracket = _mm_set1_epi8('[');
  Word space_bits = 0;
  for (int q = 0; q < 4; ++q) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * q));
    __m128i dv = _mm_sub_epi8(v, zero_char);
    __m128i is_digit = _mm_cmpeq_epi8(_mm_min_epu8(dv, nine), dv);
    __m128i av = _mm_sub_epi8(_mm_or_si128(v, lower), a_char);
    __m128i is_af = _mm_cmpeq_epi8(_mm_min_epu8(av, five), av);
    int shift = 16 * q;
    auto bits = [&](__m128i x) {
      return static_cast<Word>(static_cast<unsigned>(_mm_movemask_epi8(x))) << shift;
    };
    m.digit |= bits(is_digit);
    m.hex |= bits(_mm_or_si128(is_digit, is_af));
    m.dot |= bits(_mm_cmpeq_epi8(v, dot));
    m.colon |= bits(_mm_cmpeq_epi8(v, colon));
    m.dash |= bits(_mm_cmpeq_epi8(v, dash));
    space_bits |= bits(_mm_cmpeq_epi8(v, space));
    m.at |= bits(_mm_cmpeq_epi8(v, at));
    m.bracket |= bits(_mm_cmpeq_epi8(v, bracket));
  }
  m.space_or_dash = space_bits | m.dash;
#else
  for (int i = 0; i < 64; ++i) {
    unsigned char c = p[i];
    Word bit = Word{1} << i;
    bool digit = c >= '0' && c <= '9';
    bool af = (c | 0x20) >= 'a' && (c | 0x20) <= 'f';
    if (digit) m.digit |= bit;
    if (digit || af) m.hex |= bit;
    if (c == '.') m.dot |= bit;
    if (c == ':') m.colon |= bit;
    if (c == '-') m.dash |= bit;
    if (c == ' ' || c == '-') m.space_or_dash |= bit;
    if (c == '@') m.at |= bit;
    if (c == '[') m.bracket |= bit;
  }
#endif
  return m;
}

#if defined(__x86_64__) && defined(__GNUC__)
#define AWOOOI_SHAPES_AVX2 1
// The same masks from two 32-byte loads; chosen at run time when the CPU has AVX2.
__attribute__((target("avx2"))) inline Word Bits256(__m256i x, int shift) {
  return static_cast<Word>(static_cast<std::uint32_t>(_mm256_movemask_epi8(x))) << shift;
}

__attribute__((target("avx2"))) BlockMasks BuildBlockAvx2(const unsigned char* p) {
  BlockMasks m;
  const __m256i zero_char = _mm256_set1_epi8('0'), nine = _mm256_set1_epi8(9), a_char = _mm256_set1_epi8('a'),
                five = _mm256_set1_epi8(5), lower = _mm256_set1_epi8(0x20), dot = _mm256_set1_epi8('.'),
                colon = _mm256_set1_epi8(':'), dash = _mm256_set1_epi8('-'), space = _mm256_set1_epi8(' '),
                at = _mm256_set1_epi8('@'), bracket = _mm256_set1_epi8('[');
  Word space_bits = 0;
  for (int q = 0; q < 2; ++q) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * q));
    __m256i dv = _mm256_sub_epi8(v, zero_char);
    __m256i is_digit = _mm256_cmpeq_epi8(_mm256_min_epu8(dv, nine), dv);
    __m256i av = _mm256_sub_epi8(_mm256_or_si256(v, lower), a_char);
    __m256i is_af = _mm256_cmpeq_epi8(_mm256_min_epu8(av, five), av);
    int shift = 32 * q;
    m.digit |= Bits256(is_digit, shift);
    m.hex |= Bits256(_mm256_or_si256(is_digit, is_af), shift);
    m.dot |= Bits256(_mm256_cmpeq_epi8(v, dot), shift);
    m.colon |= Bits256(_mm256_cmpeq_epi8(v, colon), shift);
    m.dash |= Bits256(_mm256_cmpeq_epi8(v, dash), shift);
    space_bits |= Bits256(_mm256_cmpeq_epi8(v, space), shift);
    m.at |= Bits256(_mm256_cmpeq_epi8(v, at), shift);
    m.bracket |= Bits256(_mm256_cmpeq_epi8(v, bracket), shift);
  }
  m.space_or_dash = space_bits | m.dash;
  return m;
}

#define AWOOOI_SHAPES_AVX512 1
// AVX-512BW compares straight into 64-bit masks: one load and one compare per class for the whole
// block, instead of two of each plus movemasks, shifts and ors. Chosen at run time.
__attribute__((target("avx512f,avx512bw"))) BlockMasks BuildBlockAvx512(const unsigned char* p) {
  BlockMasks m;
  const __m512i v = _mm512_loadu_si512(p);
  const __m512i dv = _mm512_sub_epi8(v, _mm512_set1_epi8('0'));
  m.digit = _mm512_cmplt_epu8_mask(dv, _mm512_set1_epi8(10));
  const __m512i av = _mm512_sub_epi8(_mm512_or_si512(v, _mm512_set1_epi8(0x20)), _mm512_set1_epi8('a'));
  m.hex = m.digit | _mm512_cmplt_epu8_mask(av, _mm512_set1_epi8(6));
  m.dot = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('.'));
  m.colon = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(':'));
  m.dash = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('-'));
  m.space_or_dash = m.dash | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(' '));
  m.at = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('@'));
  m.bracket = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('['));
  return m;
}
#endif

inline Wide Join(Word lo, Word hi) { return static_cast<Wide>(lo) | (static_cast<Wide>(hi) << 64); }

template <typename F>
void ForEachBit(Word bits, std::size_t base, F f) {
  for (; bits != 0; bits &= bits - 1) f(base + static_cast<std::size_t>(__builtin_ctzll(bits)));
}

}  // namespace

namespace {

// The block loop, with the mask builder chosen once per call (not per block) so it inlines.
template <typename Build>
void ScanShapesWith(std::string_view w, std::vector<ShapeHit>* hits, Build build) {
  const std::size_t blocks = (w.size() + 63) / 64;
  if (blocks == 0) return;
  const auto* data = reinterpret_cast<const unsigned char*>(w.data());
  auto load = [&](std::size_t b) {
    if (b >= blocks) return BlockMasks{};
    if (64 * (b + 1) <= w.size()) return build(data + 64 * b);
    unsigned char tail[64] = {};
    std::memcpy(tail, data + 64 * b, w.size() - 64 * b);
    return build(tail);
  };
  std::size_t ipv4_skip = 0, ipv6_skip = 0;
  Word previous_digits = 0, previous_hex = 0;
  BlockMasks cur = load(0);
  for (std::size_t b = 0; b < blocks; ++b) {
    BlockMasks next = load(b + 1);
    const std::size_t base = 64 * b;
    const Wide D = Join(cur.digit, next.digit), H = Join(cur.hex, next.hex), P = Join(cur.dot, next.dot),
               C = Join(cur.colon, next.colon), M = Join(cur.dash, next.dash),
               S = Join(cur.space_or_dash, next.space_or_dash);

    // IPv4: a digit followed by '.' and a digit, and two more such pairs close behind.
    const Wide pair = D & (P >> 1) & (D >> 2);
    const Wide pair2 = pair & ((pair >> 2) | (pair >> 3) | (pair >> 4));
    if (static_cast<Word>(pair2) != 0) {
      const Wide quad = pair2 & ((pair >> 4) | (pair >> 5) | (pair >> 6) | (pair >> 7) | (pair >> 8));
      ForEachBit(static_cast<Word>(quad), base, [&](std::size_t k) {
        if (k < ipv4_skip) return;
        std::size_t s = k;
        while (s > 0 && k - s < 3 && IsDigitChar(w[s - 1])) --s;
        // From the earliest start that reads four parts: "%2210.1.2.3" (an escape's digits glued
        // to an address) reads from "10"; the extractor decides what the digits before belong to.
        std::size_t p = s;
        int parts = 0;
        for (; s <= k && parts < 4; ++s) {
          p = s;
          parts = 0;
          while (parts < 4) {
            std::size_t q = p;
            while (q < w.size() && q - p < 3 && IsDigitChar(w[q])) ++q;
            if (q == p) break;
            ++parts;
            p = q;
            if (parts == 4) break;
            if (p + 1 < w.size() && w[p] == '.' && IsDigitChar(w[p + 1])) {
              ++p;
            } else {
              break;
            }
          }
        }
        if (parts == 4) {
          hits->push_back(ShapeHit{kTrigIpv4, p});
          ipv4_skip = p;
        }
      });
    }

    // Card numbers: digit runs of 13 or more, and "dddd" + ' ' or '-' + more digit groups.
    const Wide run4 = D & (D >> 1) & (D >> 2) & (D >> 3);
    const Wide run4_then_more = run4 & (((run4 >> 4) & (run4 >> 8)) | ((S >> 4) & (run4 >> 5)));
    if (static_cast<Word>(run4_then_more) != 0) {
      const Word run_start = cur.digit & ~((cur.digit << 1) | (previous_digits >> 63));
      const Word long_run = run_start & static_cast<Word>(run4 & (run4 >> 4) & (run4 >> 8) & (D >> 12));
      ForEachBit(long_run, base, [&](std::size_t k) {
        std::size_t e = k;
        while (e < w.size() && e - k < 20 && IsDigitChar(w[e])) ++e;
        if (e - k <= 19 && w[k] >= '2' && w[k] <= '6') hits->push_back(ShapeHit{kTrigCardPlain, e});
      });
      const Word grouped = run_start & static_cast<Word>(run4 & ~(D >> 4) & (S >> 4) & (run4 >> 5));
      ForEachBit(grouped, base, [&](std::size_t k) {
        if (w[k] >= '2' && w[k] <= '6') hits->push_back(ShapeHit{kTrigCardGrouped, k + 4});
      });
    }

    // UUID: 8-4-4-4-12 hex digits.
    const Word dashes = static_cast<Word>((M >> 8) & (M >> 13) & (M >> 18) & (M >> 23));
    if (dashes != 0) {
      const Wide hex4 = H & (H >> 1) & (H >> 2) & (H >> 3);
      const Word uuid = static_cast<Word>(hex4 & (hex4 >> 4) & (M >> 8) & (hex4 >> 9) & (M >> 13) &
                                          (hex4 >> 14) & (M >> 18) & (hex4 >> 19) & (M >> 23) & (hex4 >> 24) &
                                          (hex4 >> 28) & (hex4 >> 32));
      ForEachBit(uuid, base, [&](std::size_t k) { hits->push_back(ShapeHit{kTrigUuid, k + 36}); });
    }

    // Label-shaped text: '[' then an upper-case letter or '~' ("[IP_1]", "[~IP_1]").
    ForEachBit(cur.bracket, base, [&](std::size_t k) {
      char c = k + 1 < w.size() ? w[k + 1] : '\0';
      if ((c >= 'A' && c <= 'Z') || c == '~') hits->push_back(ShapeHit{kTrigLabel, k});
    });

    // E-mail: every '@' with a character after it; the extractor does the rest.
    ForEachBit(cur.at, base, [&](std::size_t k) {
      if (k + 1 < w.size()) hits->push_back(ShapeHit{kTrigAt, k + 2});
    });

    // Compressed IPv6: "::" next to a hex digit.
    const Word double_colon = static_cast<Word>(C & (C >> 1));
    if (double_colon != 0) {
      const Word near_hex = static_cast<Word>((H << 1) | (H >> 2)) | (previous_hex >> 63);
      ForEachBit(double_colon & near_hex, base, [&](std::size_t k) {
        hits->push_back(ShapeHit{kTrigIpv6Compressed, k + 1});
      });
    }

    // Full-form IPv6: seven colons in a row, each followed by a hex digit, 2-5 positions apart.
    const Wide colon_hex = C & (H >> 1);
    if (static_cast<Word>(colon_hex) != 0) {
      Wide chain = colon_hex;
      for (int links = 1; links < 7 && chain != 0; ++links) {
        chain = colon_hex & ((chain >> 2) | (chain >> 3) | (chain >> 4) | (chain >> 5));
      }
      ForEachBit(static_cast<Word>(chain), base, [&](std::size_t k) {
        if (k < ipv6_skip) return;
        hits->push_back(ShapeHit{kTrigIpv6Full, k + 1});
        ipv6_skip = k + 40;
      });
    }

    // Discord bot tokens: two dots seven apart ("<id>.<6>.<signature>"); the extractor checks the
    // rest (and rejects "com.google.common" at its first look back).
    const Word dot_pair = static_cast<Word>(P & (P >> 7));
    if (dot_pair != 0) {
      ForEachBit(dot_pair, base, [&](std::size_t k) {
        // The extractor needs 23 letters and digits before the first dot: Java and DNS names
        // ("com.example.orders.Service") stop here, without a hit to dispatch.
        if (k < 23) return;
        for (std::size_t i = k - 23; i < k; ++i) {
          if (!IsAlnumChar(w[i])) return;
        }
        hits->push_back(ShapeHit{kTrigDiscordBot, k});
      });
    }

    previous_digits = cur.digit;
    previous_hex = cur.hex;
    cur = next;
  }
}

}  // namespace

void ScanShapes(std::string_view w, std::vector<ShapeHit>* hits) {
#if defined(AWOOOI_SHAPES_AVX2)
  static const int level = __builtin_cpu_supports("avx512bw") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
  if (level == 2) return ScanShapesWith(w, hits, [](const unsigned char* p) { return BuildBlockAvx512(p); });
  if (level == 1) return ScanShapesWith(w, hits, [](const unsigned char* p) { return BuildBlockAvx2(p); });
#endif
  ScanShapesWith(w, hits, [](const unsigned char* p) { return BuildBlock(p); });
}

}  // namespace awoooi::privacy::internal
