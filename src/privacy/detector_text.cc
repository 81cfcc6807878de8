#include "privacy/detector_text.h"

#include <algorithm>
#include <array>
#include <vector>

namespace awoooi::privacy::internal {
namespace {

constexpr std::array<bool, 256> kValueTerminators = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : std::string_view(" \t\n\r\f\v,;&\"'}])<>\\")) t[c] = true;
  t[0] = true;
  return t;
}();

}  // namespace

bool ContainsIgnoreCase(std::string_view text, std::string_view needle) {
  if (needle.empty()) return true;
  for (std::size_t i = 0; i + needle.size() <= text.size(); ++i) {
    if (Lower(text[i]) == Lower(needle[0]) && EqualsIgnoreCase(text.substr(i, needle.size()), needle))
      return true;
  }
  return false;
}

bool IsValueTerminator(char c) { return kValueTerminators[static_cast<unsigned char>(c)]; }

Span MakeSpan(std::size_t begin, std::size_t end, std::uint16_t kind) {
  return Span{begin, end, kind, BuiltinKindInfo(kind).priority};
}

namespace {

// Per-byte classes for the unquoted-value loop of ReadAssignedValue.
enum : unsigned { kTerminator = 1, kStop = 2, kParen = 4, kDot = 8, kNameChar = 16 };
constexpr std::array<unsigned, 256> kValueClass = [] {
  std::array<unsigned, 256> t{};
  for (unsigned char c : std::string_view(" \t\n\r\f\v,;&\"'}])<>\\")) t[c] = kTerminator | kStop;
  t[0] = kTerminator | kStop;
  t[static_cast<unsigned char>('[')] = kStop;
  t[static_cast<unsigned char>('%')] = kStop;
  t[static_cast<unsigned char>('(')] = kParen;
  t[static_cast<unsigned char>('.')] = kDot | kNameChar;
  t[static_cast<unsigned char>('_')] = kNameChar;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = kNameChar;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = kNameChar;
  return t;
}();

// After an URL-encoded assignment ("api_key%3Dsecret%26x%3D1") a value ends at an encoded
// separator as well as at a plain one.
bool EncodedSeparatorAt(std::string_view w, std::size_t p) {
  if (At(w, p) != '%' || p + 2 >= w.size()) return false;
  static constexpr std::string_view kSeparators[] = {"26", "20", "22", "27", "2C", "2c", "3B", "3b",
                                                     "7D", "7d", "5D", "5d", "3C", "3c", "3E", "3e",
                                                     "0A", "0a", "0D", "0d", "5C", "5c", "09"};
  std::string_view code = w.substr(p + 1, 2);
  for (std::string_view s : kSeparators) {
    if (code == s) return true;
  }
  return false;
}

// Reads a quoted value whose opening quote is `depth` backslashes and `quote` (depth 0 is a plain
// quote). JSON nesting doubles the backslashes at each level, so the closing delimiter is a run of
// r backslashes and the quote with r >= depth and (r - depth) divisible by 2 * (depth + 1); any
// other run before a quote is an escaped quote inside the value.
std::size_t ReadQuoted(std::string_view w, std::size_t p, char quote, std::size_t depth) {
  std::size_t e = p;
  while (e < w.size() && e - p < 4096 && w[e] != '\n' && w[e] != '\r') {
    if (w[e] == '\\') {
      std::size_t r = 0;
      while (e + r < w.size() && w[e + r] == '\\' && r < 64) ++r;
      if (At(w, e + r) == quote && r >= depth && (r - depth) % (2 * (depth + 1)) == 0) {
        return e + r - depth;
      }
      e += r + (At(w, e + r) == quote || depth == 0 ? 1 : 0);
      continue;
    }
    if (w[e] == quote && depth == 0) return e;
    ++e;
  }
  return std::min(e, w.size());
}

}  // namespace

bool ReadAssignedValue(std::string_view w, std::size_t p, AssignedValue* value) {
  const bool encoded = p >= 3 && w[p - 3] == '%';
  int spaces = 0;
  while (p < w.size() && (w[p] == ' ' || w[p] == '\t') && spaces < 3) {
    ++p;
    ++spaces;
  }
  if (At(w, p) == '>' && Before(w, p - spaces) == '=') {  // "=>"
    ++p;
    while (p < w.size() && (w[p] == ' ' || w[p] == '\t') && spaces < 6) {
      ++p;
      ++spaces;
    }
  }
  std::size_t depth = 0;
  while (At(w, p + depth) == '\\' && depth < 7) ++depth;
  char quote = At(w, p + depth);
  std::size_t e;
  if (quote == '"' || quote == '\'') {
    p += depth + 1;
    e = ReadQuoted(w, p, quote, depth);
    value->quoted = true;
  } else if (HasAt(w, p, "%22") || HasAt(w, p, "%27")) {
    std::string_view close = w.substr(p, 3);
    p += 3;
    e = p;
    while (e < w.size() && e - p < 4096 && !HasAt(w, e, close) && !IsSpace(w[e])) ++e;
    value->quoted = true;
  } else {
    if (depth > 0) return false;
    char first = At(w, p);
    if (first == '{' || first == '(' || (first == '[' && LabelShapeLength(w.substr(p, 128)) == 0))
      return false;
    if (first == ':' && Before(w, p) == ':') return false;  // "multi_pass::clear_queue": a C++ scope
    e = p;
    // A label glued to a value stays a label of its own, so the value's neighbours stay the same
    // when the output is redacted again. Code is not a literal: a call ("self.match_kid(",
    // "super(") or a dotted name ("url.password") is rejected.
    unsigned seen = 0, all = kNameChar;
    const std::size_t limit = std::min(w.size(), p + 4096);
    while (e < limit) {
      const unsigned cls = kValueClass[static_cast<unsigned char>(w[e])];
      if (cls & kStop) {
        if (cls & kTerminator) break;
        if (w[e] == '[' && LabelShapeLength(w.substr(e, 128)) > 0) break;
        if (w[e] == '%' && encoded && EncodedSeparatorAt(w, e)) break;
      }
      seen |= cls;
      all &= cls;
      ++e;
    }
    value->quoted = false;
    if (seen & kParen) return false;
    if (e > p && (seen & kDot) && (all & kNameChar) && IsAlpha(first) && w[e - 1] != '.') return false;
  }
  value->begin = p;
  value->end = e;
  return e > p;
}

namespace {

// The words and prefixes IsPlaceholderOrReference compares against, bucketed by their first
// (lower-case) character so a value is compared only with the few that could match: it runs for
// every key=value candidate, so it must cost tens of instructions, not thousands.
struct Lexicon {
  std::array<std::vector<std::string_view>, 256> words, prefixes;
  Lexicon() {
    static constexpr std::string_view kWords[] = {
        "true", "false", "null", "none", "nil", "empty", "redacted", "masked", "hidden", "undefined",
        "required", "optional", "[redacted]", "[masked]", "yes", "no", "n/a", "unset", "notset", "not-set",
        "placeholder", "replace_me", "replaceme", "replace-me", "todo", "tbd", "fixme", "sensitive",
        "[hidden]", "[filtered]", "filtered", "omitted",
        // Types in schemas and annotations: "password: string", "token: Optional[str]".
        "str", "string", "bool", "boolean", "int", "integer", "bytes", "number", "object", "any"};
    // References to a secret store or file, and encrypted values.
    static constexpr std::string_view kPrefixes[] = {"secret/",
                                                     "kv/data/",
                                                     "vault:",
                                                     "vault://",
                                                     "ref+",
                                                     "op://",
                                                     "arn:aws:secretsmanager:",
                                                     "arn:aws:ssm:",
                                                     "@microsoft.keyvault(",
                                                     "akv://",
                                                     "sm://",
                                                     "gcpsm://",
                                                     "awssm://",
                                                     "file:",
                                                     "env:",
                                                     "/run/secrets/",
                                                     "/var/run/secrets/",
                                                     "/etc/secrets/",
                                                     "/vault/secrets/",
                                                     "process.env.",
                                                     "os.environ",
                                                     "system.getenv(",
                                                     "env(",
                                                     "enc[",
                                                     "secretref:"};
    for (std::string_view w : kWords) words[static_cast<unsigned char>(w[0])].push_back(w);
    for (std::string_view p : kPrefixes) prefixes[static_cast<unsigned char>(p[0])].push_back(p);
  }
};

const Lexicon& TheLexicon() {
  static const Lexicon lexicon;
  return lexicon;
}

// Mask characters, and the first byte of U+2026 ("…"), in one table.
constexpr std::array<bool, 256> kMaskOrEllipsis = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : std::string_view("*xX#.~\xE2")) t[c] = true;
  return t;
}();

bool IsMaskChar(char c) { return c == '*' || c == 'x' || c == 'X' || c == '#' || c == '.' || c == '~'; }

}  // namespace

bool IsPlaceholderOrReference(std::string_view v) {
  if (v.empty()) return true;
  // One pass: all mask characters ("********", "xxxxx"), a masked middle ("sk_live_****abcd",
  // "ab...yz", "ab…yz"), or a run of six mask characters ("sk_live_xxxxxxxxxxxxxxxx").
  bool any_mask = false;
  for (char c : v) any_mask |= kMaskOrEllipsis[static_cast<unsigned char>(c)];
  if (any_mask) {
    bool all_mask = true;
    std::size_t run = 0;
    char prev = 0;
    for (char c : v) {
      all_mask &= IsMaskChar(c);
      run = c == prev ? run + 1 : 1;
      prev = c;
      if (run >= 3 && (c == '*' || c == '.')) return true;
      if (run >= 6 && (c == 'x' || c == 'X' || c == '#')) return true;
      if (c == '\xE2' && v.find("\xE2\x80\xA6") != std::string_view::npos) return true;
    }
    if (all_mask) return true;
  }
  const char first = v.front();
  // Templates and references, not values: ${DB_PASSWORD}, $DB_PASSWORD, {{ .pw }}, %s, %(pw)s, <secret>.
  switch (first) {
    case '$':
      if (v.size() > 1 && (v[1] == '{' || v[1] == '(')) return true;
      return v.size() > 1 &&
             std::all_of(v.begin() + 1, v.end(), [](char c) { return IsUpper(c) || IsDigit(c) || c == '_'; });
    case '{':
    case '#':
      if (v.size() > 1 && v[1] == '{') return true;
      break;
    case '%':
      if (v.size() > 1 && v[1] == '(') return true;
      if (v.size() == 2 && IsAlpha(v[1])) return true;
      break;
    case '<':
      if (v.back() == '>') return true;
      break;
    case '!': {
      // YAML tags (!vault, !Ref, !secret) hand the value to another system.
      static constexpr std::string_view kTags[] = {
          "vault", "ref",    "sub",       "getatt", "importvalue", "secret", "env", "include",
          "join",  "select", "findinmap", "base64", "encrypted",   "unsafe", "sops"};
      for (std::string_view tag : kTags) {
        if (EqualsIgnoreCase(v.substr(1), tag)) return true;
      }
      break;
    }
    case '[':
      // A label or an escaped label is already safe: keeping it makes redaction idempotent.
      if (LabelShapeLength(v) == v.size()) return true;
      break;
    default:
      break;
  }
  const Lexicon& lexicon = TheLexicon();
  const auto bucket = static_cast<unsigned char>(Lower(first));
  if (v.size() <= 12) {
    for (std::string_view k : lexicon.words[bucket]) {
      if (EqualsIgnoreCase(v, k)) return true;
    }
  }
  if (v.size() > 1) {
    const char second = Lower(v[1]);
    for (std::string_view k : lexicon.prefixes[bucket]) {
      if (k[1] == second && StartsWithIgnoreCase(v, k)) return true;
    }
  }
  if (bucket == 'p' && StartsWithIgnoreCase(v, "projects/") && v.find("/secrets/") != std::string_view::npos)
    return true;
  // Placeholders that ask for a value: "your-api-key", "YOUR_API_KEY_HERE", "<insert token>".
  if (bucket == 'y' && StartsWithIgnoreCase(v, "your") &&
      (v.size() == 4 || !IsLower(v[4]) || ContainsIgnoreCase(v, "key") || ContainsIgnoreCase(v, "token") ||
       ContainsIgnoreCase(v, "secret") || ContainsIgnoreCase(v, "password")))
    return true;
  if (v.size() > 5 && (v[v.size() - 5] == '_' || v[v.size() - 5] == '-') &&
      EqualsIgnoreCase(v.substr(v.size() - 4), "here"))
    return true;
  return false;
}

bool KeyNamesASecretObject(std::string_view w, std::size_t key_end) {
  std::size_t b = key_end;
  while (b > 0 && key_end - b < 64 &&
         (IsAlnum(w[b - 1]) || w[b - 1] == '_' || w[b - 1] == '-' || w[b - 1] == '.'))
    --b;
  if (key_end - b < 7 || !EqualsIgnoreCase(w.substr(key_end - 6, 6), "secret")) return false;
  char buffer[64];
  std::size_t n = 0;
  for (std::size_t i = b; i < key_end; ++i) {
    if (IsAlnum(w[i])) buffer[n++] = Lower(w[i]);
  }
  std::string_view name(buffer, n);
  constexpr std::string_view kSecret = "secret";
  if (name.size() <= kSecret.size() ||
      name.compare(name.size() - kSecret.size(), kSecret.size(), kSecret) != 0)
    return false;
  // The word before "Secret": a Secret object that holds a password, a TLS certificate, registry
  // credentials... ("passwordSecret", "existingSecret", "tlsSecret", "imagePullSecret").
  std::string_view before(name.data(), name.size() - kSecret.size());
  static constexpr std::string_view kObjectWords[] = {
      "password",    "passwd",     "existing",   "tls",      "cert",      "certificate",
      "credentials", "credential", "creds",      "pull",     "registry",  "dockerconfig",
      "basicauth",   "ssh",        "kubeconfig", "keystore", "truststore"};
  for (std::string_view word : kObjectWords) {
    if (before.size() >= word.size() && before.compare(before.size() - word.size(), word.size(), word) == 0)
      return true;
  }
  return false;
}

std::string DecodeBase64Prefix(std::string_view in, std::size_t max_out) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (IsUpper(c)) {
      v = c - 'A';
    } else if (IsLower(c)) {
      v = c - 'a' + 26;
    } else if (IsDigit(c)) {
      v = c - '0' + 52;
    } else if (c == '-' || c == '+') {
      v = 62;
    } else if (c == '_' || c == '/') {
      v = 63;
    } else {
      break;
    }
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
      if (out.size() >= max_out) break;
    }
  }
  return out;
}

bool LooksRandom(std::string_view body) {
  std::size_t run = 1;
  bool separator = false;
  for (std::size_t i = 1; i < body.size(); ++i) {
    run = body[i] == body[i - 1] ? run + 1 : 1;
    if (run >= 7) return false;
    separator |= body[i] == '_' || body[i] == '-';
  }
  if (!separator) return true;  // the placeholder words below all carry a separator
  static constexpr std::string_view kPlaceholderWords[] = {"your_", "your-", "YOUR_", "YOUR-", "Your_",
                                                           "_here", "-here", "_HERE", "-HERE"};
  for (std::string_view word : kPlaceholderWords) {
    if (body.find(word) != std::string_view::npos) return false;
  }
  return true;
}

std::size_t UrlUserinfoStart(std::string_view w, std::size_t pos) {
  std::size_t limit = pos > 256 ? pos - 256 : 0;
  for (std::size_t p = pos; p > limit; --p) {
    char c = w[p - 1];
    if (IsSpace(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == '?')
      return std::string_view::npos;
    if (c == '/') {
      if (p >= 3 && w[p - 2] == '/' && w[p - 3] == ':') return p;
      if (p >= 5 && w[p - 2] == '\\' && w[p - 3] == '/' && w[p - 4] == '\\' && w[p - 5] == ':') return p;
      return std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

bool InUrlAuthority(std::string_view w, std::size_t pos) {
  std::size_t limit = pos > 256 ? pos - 256 : 0;
  for (std::size_t p = pos; p > limit; --p) {
    char c = w[p - 1];
    // Blanks, quotes, and what ends an authority or a userinfo: "jdbc:sqlserver://h:1433;user=x;..."
    if (IsSpace(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == ';' || c == '?' || c == '&' ||
        c == '@')
      return false;
    if (c == '/') {
      if (p >= 3 && w[p - 2] == '/' && w[p - 3] == ':') return true;  // "://"
      // JSON-escaped "://": ":\/\/"
      return p >= 5 && w[p - 2] == '\\' && w[p - 3] == '/' && w[p - 4] == '\\' && w[p - 5] == ':';
    }
  }
  return false;
}

}  // namespace awoooi::privacy::internal
