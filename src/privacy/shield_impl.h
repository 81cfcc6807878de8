// ShieldImpl: the Vectorscan-backed Shield.
//
// Scanning works on windows of at most kChunk + kMargin bytes. A window's spans are committed only
// up to a safe point kMargin (> kMaxSpan) before the window's end, moved back to the start of any
// span that straddles it, so no value is ever split and a stream gives the same output as one
// call over the whole text. Each window is scanned with one hs_scan call (batches, not lines)
// using a scratch space taken from a pool.
//
// Thread-safety: immutable after Create(); the scratch pool is guarded by a mutex.
#pragma once

#include <hs/hs.h>

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "awoooi/privacy/shield.h"
#include "privacy/detectors.h"
#include "privacy/vault_impl.h"

namespace awoooi::privacy::internal {

inline constexpr std::size_t kChunk = 1 << 20;
inline constexpr std::size_t kMargin = kMaxSpan + 12 * 1024;
inline constexpr std::size_t kLookBehind = 1024;

enum class LabelMode {
  kEscapeAll,       // Redact: every label-shaped run in the input gets one more '~'
  kPreserveMinted,  // RedactPreservingLabels: keep minted and escaped labels, escape the rest
};

class ShieldImpl final : public Shield {
 public:
  static absl::StatusOr<std::unique_ptr<ShieldImpl>> Build(const ShieldConfig& config);
  ~ShieldImpl() override;

  Redacted Redact(std::string_view text, Vault& vault) const override;
  Redacted RedactEphemeral(std::string_view text) const override;
  Redacted RedactPreservingLabels(std::string_view text, Vault& vault) const override;
  std::vector<Finding> Scan(std::string_view text) const override;
  std::unique_ptr<StreamRedactor> NewStreamRedactor(Vault& vault) const override;
  std::string Rehydrate(const Redacted& text, const Vault& vault) const override;
  absl::StatusOr<std::vector<std::string>> SealNew(Vault& vault, std::string_view scope) const override;
  absl::StatusOr<Vault> OpenVault(const std::vector<std::string>& records, std::string_view scope,
                                  VaultUse use) const override;
  absl::StatusOr<std::vector<std::string>> UpgradeLegacyVault(std::string_view sealed_v1,
                                                              std::string_view scope) const override;

  // Finds the spans of `window` that can be committed: those starting at or after `from` and
  // ending before the returned safe point (the window's end when `eof`).
  std::size_t CommitSpans(std::string_view window, std::size_t from, bool eof,
                          std::vector<Span>* spans) const;
  // The same for spans FindSpans already found in a window of `window_size` bytes.
  std::size_t CommitFound(std::size_t window_size, std::size_t from, bool eof,
                          std::vector<Span>* spans) const;
  // Appends window[from, safe) to `out` with `spans` replaced by labels and label-shaped text
  // escaped per `mode`. `stream_offset` is the stream position of window[0], for events.
  // Values already labelled during one call (or one stream), so a repeated value skips the HMAC.
  // The key is the kind, the length and the bytes inline (values up to kMintCacheValue bytes; longer
  // ones skip the cache), so a probe compares against hot table memory, not a far-away copy.
  static constexpr std::size_t kMintCacheValue = 45;
  struct MintCacheKey {
    // kind (2 bytes), length (1), value, zero padding; compared as six words, not with memcmp.
    std::array<std::uint64_t, (kMintCacheValue + 3) / 8> words{};
    // Only the words the value fills are hashed (the rest are zero, and the length is in the
    // first word, so equal keys still hash equally).
    template <typename H>
    friend H AbslHashValue(H h, const MintCacheKey& k) {
      const std::size_t used =
          std::min<std::size_t>((3 + ((k.words[0] >> 16) & 0xFF) + 7) / 8, k.words.size());
      return H::combine_contiguous(std::move(h), k.words.data(), used);
    }
    friend bool operator==(const MintCacheKey& a, const MintCacheKey& b) {
      bool equal = true;
      for (std::size_t i = 0; i < a.words.size(); ++i) equal &= a.words[i] == b.words[i];
      return equal;
    }
  };
  using MintCache = absl::flat_hash_map<MintCacheKey, std::uint32_t>;
  // What a stream records of its replacements: each one, and counts per kind id.
  struct FindingLog {
    bool keep_events = true;
    std::vector<RedactionEvent> events;
    std::vector<std::uint64_t> per_kind;  // indexed by kind id
  };
  void Emit(std::string_view window, std::size_t from, std::size_t safe, const std::vector<Span>& spans,
            LabelMode mode, Vault& vault, MintCache* cache, std::string* out, FindingLog* log,
            std::uint64_t stream_offset) const;

  std::string_view KindName(std::uint16_t kind) const;
  std::string_view KindPrefix(std::uint16_t kind) const;

 private:
  struct CustomKind {
    std::string name;
    std::string prefix;
  };
  struct Scratch;
  friend class StreamRedactorImpl;

  ShieldImpl() = default;
  static Redacted Wrap(std::string text) { return MakeRedacted(std::move(text)); }
  Redacted RedactWithMode(std::string_view text, Vault& vault, LabelMode mode) const;
  void FindSpans(std::string_view window, std::vector<Span>* spans) const;
  Scratch* AcquireScratch() const;
  void ReleaseScratch(Scratch* scratch) const;

  hs_database_t* db_ = nullptr;
  hs_scratch_t* prototype_ = nullptr;
  std::uint32_t builtin_triggers_ = 0;
  int stream_threads_ = 1;
  std::vector<CustomKind> custom_;
  VaultKeys keys_;

  mutable absl::Mutex pool_mu_;
  mutable std::vector<Scratch*> pool_ ABSL_GUARDED_BY(pool_mu_);
  mutable std::vector<std::unique_ptr<Scratch>> all_scratch_ ABSL_GUARDED_BY(pool_mu_);
};

}  // namespace awoooi::privacy::internal
