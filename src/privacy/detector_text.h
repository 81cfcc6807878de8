// Character classes and bounded reads shared by the extractors (detectors.cc, tokens.cc).
//
// Every function here looks at most a fixed distance around the position it is given, so an
// extractor built from them stays linear on any input (see detectors.h).
//
// Thread-safety: pure functions over immutable tables.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "privacy/detectors.h"

namespace awoooi::privacy::internal {

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
inline bool IsAlpha(char c) { return IsUpper(c) || IsLower(c); }
inline bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
inline bool IsWord(char c) { return IsAlnum(c) || c == '_'; }
inline bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
inline bool IsLowerHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }
inline bool IsB64Url(char c) { return IsAlnum(c) || c == '-' || c == '_'; }
inline bool IsB64(char c) { return IsAlnum(c) || c == '+' || c == '/'; }
inline bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
inline char Lower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

inline char At(std::string_view w, std::size_t i) { return i < w.size() ? w[i] : '\0'; }
inline char Before(std::string_view w, std::size_t i) { return i > 0 ? w[i - 1] : '\0'; }

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}
inline bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoreCase(text.substr(0, prefix.size()), prefix);
}
bool ContainsIgnoreCase(std::string_view text, std::string_view needle);
// True when w[pos, pos + literal.size()) equals `literal` (bounds-checked).
inline bool HasAt(std::string_view w, std::size_t pos, std::string_view literal) {
  return pos <= w.size() && w.size() - pos >= literal.size() && w.substr(pos, literal.size()) == literal;
}

// Whitespace and the punctuation that ends an unquoted value: , ; & " ' } ] ) < > \ and NUL.
bool IsValueTerminator(char c);

Span MakeSpan(std::size_t begin, std::size_t end, std::uint16_t kind);

// The value assigned after a key: `p` is just past the assignment ('=', ':', "%3D", "%3A").
// Skips up to three blanks and a '>' of "=>"; a value in quotes runs to its closing quote, where
// quotes may be JSON-escaped to any depth (\" , \\\" , ...) or URL-encoded (%22); an unquoted
// value runs to whitespace or punctuation (and, after an encoded assignment, to an encoded
// separator such as %26). An unquoted value that opens an object, list or group ('{', '(', a '['
// that is not a label) is no value. Returns false when there is none.
struct AssignedValue {
  std::size_t begin = 0, end = 0;
  bool quoted = false;
};
bool ReadAssignedValue(std::string_view w, std::size_t p, AssignedValue* value);

// True for a value that stands for a secret without being one: empty, masks ("********",
// "sk_live_****abcd", "[REDACTED]"), templates and variables ("${DB_PASSWORD}", "{{ .pw }}",
// "%s", "$(cat /run/secrets/db)"), placeholders ("<your-api-key>", "YOUR_API_KEY_HERE"),
// null-like words, references to a secret store ("secret/data/app", "vault:...", "op://...",
// "arn:aws:secretsmanager:...", "/run/secrets/db", "!vault"), SOPS ciphertext ("ENC[...]") and
// labels. Default credentials such as "changeme" are values (docs/privacy.md).
bool IsPlaceholderOrReference(std::string_view v);

// True when the setting name that ends just before `key_end` (e.g. "passwordSecret",
// "existingSecret") names a Kubernetes Secret object rather than holding a secret.
bool KeyNamesASecretObject(std::string_view w, std::size_t key_end);

// Decodes up to `max_out` bytes of base64 / base64url (either alphabet), stopping at the first
// character outside it.
std::string DecodeBase64Prefix(std::string_view in, std::size_t max_out);

// A random-looking token body: no run of seven identical characters ("xxxxxxx", "0000000") and
// not a placeholder word ("your", "here").
bool LooksRandom(std::string_view body);

// True when `pos` lies between a "://" (or JSON-escaped ":\/\/") and the end of the URL's
// authority: where "user:secret@" is userinfo rather than an address or a key=value pair. Stops at
// what cannot precede a userinfo '@' in the same authority (';', '?', '&', '@'), so
// "jdbc:sqlserver://h:1433;password=x" is a key=value pair.
bool InUrlAuthority(std::string_view w, std::size_t pos);
// True when `pos` (an '@' or the start of what precedes it) is in a URL's userinfo: a "://" before
// it with nothing between that ends an authority (blanks, quotes, '?', '/'). An '@' or '#' inside a
// password ("app:p@ss@db") stays in the userinfo.
// Returns the start of that userinfo (just after "://"), or npos.
std::size_t UrlUserinfoStart(std::string_view w, std::size_t pos);
inline bool InUrlUserinfo(std::string_view w, std::size_t pos) {
  return UrlUserinfoStart(w, pos) != std::string_view::npos;
}

}  // namespace awoooi::privacy::internal
