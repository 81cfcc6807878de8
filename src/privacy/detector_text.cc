#include "privacy/detector_text.h"

#include <algorithm>

namespace awoooi::privacy::internal {
namespace {

constexpr std::array<bool, 256> kValueTerminators = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : std::string_view(" \t\n\r\f\v,;&\"'}])<>\\")) t[c] = true;
  t[0] = true;
  return t;
}();

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

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
    // when the output is redacted again.
    while (e < w.size() && e - p < 4096 && !IsValueTerminator(w[e]) &&
           !(w[e] == '[' && LabelShapeLength(w.substr(e, 128)) > 0) &&
           !(encoded && EncodedSeparatorAt(w, e))) {
      ++e;
    }
    value->quoted = false;
    // Code, not a literal: a call ("self.match_kid(", "super(") or a dotted name ("url.password").
    std::string_view text = w.substr(p, e - p);
    if (At(w, e) == '(' || text.find('(') != std::string_view::npos) return false;
    if (text.find('.') != std::string_view::npos && IsAlpha(text.front()) &&
        std::all_of(text.begin(), text.end(), [](char c) { return IsAlpha(c) || c == '_' || c == '.'; }) &&
        text.back() != '.')
      return false;
  }
  value->begin = p;
  value->end = e;
  return e > p;
}

bool IsPlaceholderOrReference(std::string_view v) {
  if (v.empty()) return true;
  if (std::all_of(v.begin(), v.end(), [](char c) {
        return c == '*' || c == 'x' || c == 'X' || c == '#' || c == '.' || c == '~';
      }))
    return true;
  // A masked value shows a few characters around a mask: "sk_live_****abcd", "ab...yz".
  if (v.find("***") != std::string_view::npos || v.find("...") != std::string_view::npos ||
      v.find("\xE2\x80\xA6") != std::string_view::npos)
    return true;
  // Templates and references, not values: ${DB_PASSWORD}, $DB_PASSWORD, {{ .pw }}, %s, %(pw)s, <secret>.
  std::string_view head = v.substr(0, 2);
  if (head == "${" || head == "$(" || head == "{{" || head == "%(" || head == "#{") return true;
  if (v.front() == '$' && v.size() > 1 &&
      std::all_of(v.begin() + 1, v.end(), [](char c) { return IsUpper(c) || IsDigit(c) || c == '_'; }))
    return true;
  if (v.size() == 2 && v.front() == '%' && IsAlpha(v[1])) return true;
  if (v.front() == '<' && v.back() == '>') return true;
  // YAML tags (!vault, !Ref, !secret) hand the value to another system.
  if (v.front() == '!') {
    static constexpr std::string_view kTags[] = {"vault",     "ref",    "sub",       "getatt", "importvalue",
                                                 "secret",    "env",    "include",   "join",   "select",
                                                 "findinmap", "base64", "encrypted", "unsafe", "sops"};
    for (std::string_view tag : kTags) {
      if (EqualsIgnoreCase(v.substr(1), tag)) return true;
    }
  }
  // A run of mask characters: "sk_live_xxxxxxxxxxxxxxxx", "AIzaXXXXXXXX...".
  std::size_t run = 1;
  for (std::size_t i = 1; i < v.size(); ++i) {
    run = v[i] == v[i - 1] ? run + 1 : 1;
    if (run >= 6 && (v[i] == 'x' || v[i] == 'X' || v[i] == '*' || v[i] == '#')) return true;
  }
  static constexpr std::string_view kWords[] = {
      "true", "false", "null", "none", "nil", "empty", "redacted", "masked", "hidden", "undefined",
      "required", "optional", "[redacted]", "[masked]", "yes", "no", "n/a", "unset", "notset", "not-set",
      "placeholder", "replace_me", "replaceme", "replace-me", "todo", "tbd", "fixme", "sensitive", "[hidden]",
      "[filtered]", "filtered", "omitted",
      // Types in schemas and annotations: "password: string", "token: Optional[str]".
      "str", "string", "bool", "boolean", "int", "integer", "bytes", "number", "object", "any"};
  for (std::string_view k : kWords) {
    if (EqualsIgnoreCase(v, k)) return true;
  }
  // Placeholders that ask for a value: "your-api-key", "YOUR_API_KEY_HERE", "<insert token>".
  if (StartsWithIgnoreCase(v, "your") &&
      (v.size() == 4 || !IsLower(v[4]) || ContainsIgnoreCase(v, "key") || ContainsIgnoreCase(v, "token") ||
       ContainsIgnoreCase(v, "secret") || ContainsIgnoreCase(v, "password")))
    return true;
  if (v.size() > 5) {
    std::string_view tail = v.substr(v.size() - 5);
    if (EqualsIgnoreCase(tail, "_here") || EqualsIgnoreCase(tail, "-here")) return true;
  }
  // References to a secret store or file, and encrypted values.
  static constexpr std::string_view kReferencePrefixes[] = {"secret/",
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
  for (std::string_view k : kReferencePrefixes) {
    if (StartsWithIgnoreCase(v, k)) return true;
  }
  if (StartsWithIgnoreCase(v, "projects/") && v.find("/secrets/") != std::string_view::npos) return true;
  // A label or an escaped label is already safe: keeping it makes redaction idempotent.
  if (v.front() == '[' && LabelShapeLength(v) == v.size()) return true;
  return false;
}

bool KeyNamesASecretObject(std::string_view w, std::size_t key_end) {
  std::size_t b = key_end;
  while (b > 0 && key_end - b < 64 &&
         (IsAlnum(w[b - 1]) || w[b - 1] == '_' || w[b - 1] == '-' || w[b - 1] == '.'))
    --b;
  std::string name;
  for (std::size_t i = b; i < key_end; ++i) {
    if (IsAlnum(w[i])) name.push_back(Lower(w[i]));
  }
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
  for (std::size_t i = 1; i < body.size(); ++i) {
    run = body[i] == body[i - 1] ? run + 1 : 1;
    if (run >= 7) return false;
  }
  static constexpr std::string_view kPlaceholderWords[] = {"your_", "your-", "YOUR_", "YOUR-", "Your_",
                                                           "_here", "-here", "_HERE", "-HERE"};
  for (std::string_view word : kPlaceholderWords) {
    if (body.find(word) != std::string_view::npos) return false;
  }
  return true;
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
