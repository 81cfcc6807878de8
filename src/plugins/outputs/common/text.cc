#include "plugins/outputs/common/text.h"

#include <vector>

namespace awoooi::plugins::outputs {
namespace {

constexpr char32_t kReplacement = 0xFFFD;
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026, one UTF-16 unit

// Decodes the code point at text[*i] and advances *i; invalid sequences give U+FFFD for one byte.
char32_t Next(std::string_view text, std::size_t* i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = b(*i);
  if (c < 0x80) {
    ++*i;
    return c;
  }
  int len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((c & 0xE0) == 0xC0) {
    len = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    ++*i;
    return kReplacement;
  }
  if (*i + len > text.size()) {
    ++*i;
    return kReplacement;
  }
  for (int k = 1; k < len; ++k) {
    unsigned char cc = b(*i + k);
    if ((cc & 0xC0) != 0x80) {
      ++*i;
      return kReplacement;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++*i;
    return kReplacement;
  }
  *i += len;
  return cp;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

std::size_t Utf16Units(std::string_view text) {
  std::size_t units = 0;
  for (std::size_t i = 0; i < text.size();) units += Next(text, &i) >= 0x10000 ? 2 : 1;
  return units;
}

std::string FitText(std::string_view text, std::size_t max_units, const Escaper& escape) {
  if (max_units == 0) return "";
  // Each character's output piece and its length; pieces are never split.
  struct Piece {
    std::size_t end;  // offset in `all` just after this piece
    std::size_t units;
  };
  std::string all;
  std::vector<Piece> pieces;
  std::size_t total = 0;
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = Next(text, &i);
    std::string utf8;
    AppendUtf8(cp, &utf8);
    std::size_t before = all.size();
    if (escape) {
      escape(cp, utf8, &all);
    } else {
      all += utf8;
    }
    std::size_t units = Utf16Units(std::string_view(all).substr(before));
    total += units;
    pieces.push_back({all.size(), units});
  }
  if (total <= max_units) return all;
  // Keep whole pieces while they and the ellipsis fit.
  std::size_t used = 0;
  std::size_t end = 0;
  for (const Piece& p : pieces) {
    if (used + p.units + 1 > max_units) break;
    used += p.units;
    end = p.end;
  }
  return all.substr(0, end) + std::string(kEllipsis);
}

std::string OneLine(std::string_view text) {
  std::string out;
  bool space = false;
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = Next(text, &i);
    // C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
    bool blank =
        cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x2028 || cp == 0x2029 || cp == ' ';
    if (blank) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    AppendUtf8(cp, &out);
  }
  return out;
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

bool IsSafeLink(std::string_view url) {
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) return false;
  if (url.size() <= 8) return false;
  for (unsigned char c : url) {
    if (c <= 0x20 || c >= 0x7F || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' || c == '`') {
      return false;
    }
  }
  return true;
}

}  // namespace awoooi::plugins::outputs
