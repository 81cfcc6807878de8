#include "privacy/detectors.h"

#include <arpa/inet.h>
#include <hs/hs.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>
#include <tuple>
#include <utility>

#include "privacy/detector_text.h"
#include "privacy/tokens.h"

namespace awoooi::privacy::internal {
namespace {

// Kind names are stable identifiers (findings, events, `awoooi redact --json`). Every credential
// has the label prefix KEY, whichever detector found it: the vault mints one label per (prefix,
// value), so a Stripe key seen once by its "sk_live_" shape and once only as "api_key=..." keeps
// one label. Vendor kinds outrank the generic ones on equal spans.
constexpr std::array<KindInfo, kBuiltinKindCount> kKinds = {{
    {"ipv4", "IP", 55},
    {"ipv6", "IP", 60},
    {"email", "EMAIL", 70},
    {"uuid", "UUID", 65},
    {"jwt", "JWT", 90},
    {"aws_access_key", "KEY", 85},
    {"aws_secret_key", "KEY", 85},
    {"github_token", "KEY", 85},
    {"slack_token", "KEY", 85},
    {"slack_webhook", "KEY", 85},
    {"bearer_token", "KEY", 35},
    {"authorization", "KEY", 34},
    {"secret", "KEY", 30},
    {"private_key", "KEY", 100},
    {"card", "CARD", 50},
    {"url_password", "KEY", 40},
    {"connection_string_password", "KEY", 45},
    {"gcp_api_key", "KEY", 85},
    {"gcp_oauth_client_secret", "KEY", 85},
    {"google_oauth_token", "KEY", 85},
    {"azure_storage_key", "KEY", 85},
    {"azure_shared_access_key", "KEY", 85},
    {"azure_sas_signature", "KEY", 85},
    {"azure_client_secret", "KEY", 85},
    {"azure_identifiable_key", "KEY", 85},
    {"digitalocean_token", "KEY", 85},
    {"alibaba_access_key", "KEY", 85},
    {"heroku_api_key", "KEY", 85},
    {"openai_api_key", "KEY", 85},
    {"anthropic_api_key", "KEY", 85},
    {"huggingface_token", "KEY", 85},
    {"groq_api_key", "KEY", 85},
    {"replicate_token", "KEY", 85},
    {"perplexity_api_key", "KEY", 85},
    {"xai_api_key", "KEY", 85},
    {"openrouter_api_key", "KEY", 85},
    {"langsmith_api_key", "KEY", 85},
    {"stripe_key", "KEY", 85},
    {"stripe_webhook_secret", "KEY", 85},
    {"square_token", "KEY", 85},
    {"plaid_access_token", "KEY", 85},
    {"twilio_account_sid", "KEY", 85},
    {"twilio_api_key", "KEY", 85},
    {"twilio_auth_token", "KEY", 85},
    {"sendgrid_api_key", "KEY", 85},
    {"mailgun_api_key", "KEY", 85},
    {"mailchimp_api_key", "KEY", 85},
    {"brevo_api_key", "KEY", 85},
    {"discord_webhook", "KEY", 85},
    {"discord_bot_token", "KEY", 85},
    {"telegram_bot_token", "KEY", 85},
    {"teams_webhook", "KEY", 85},
    {"datadog_api_key", "KEY", 85},
    {"datadog_app_key", "KEY", 85},
    {"new_relic_key", "KEY", 85},
    {"grafana_token", "KEY", 85},
    {"sentry_dsn", "KEY", 85},
    {"sentry_token", "KEY", 85},
    {"pagerduty_key", "KEY", 85},
    {"dynatrace_token", "KEY", 85},
    {"npm_token", "KEY", 85},
    {"pypi_token", "KEY", 85},
    {"rubygems_token", "KEY", 85},
    {"docker_hub_token", "KEY", 85},
    {"jfrog_token", "KEY", 85},
    {"gitlab_token", "KEY", 85},
    {"shopify_token", "KEY", 85},
    {"vault_token", "KEY", 85},
    {"terraform_cloud_token", "KEY", 85},
    {"doppler_token", "KEY", 85},
    {"databricks_token", "KEY", 85},
    {"pulumi_token", "KEY", 85},
    {"atlassian_token", "KEY", 85},
    {"linear_api_key", "KEY", 85},
    {"postman_api_key", "KEY", 85},
    {"tailscale_key", "KEY", 85},
    {"supabase_key", "KEY", 85},
    {"openshift_token", "KEY", 85},
    {"sonar_token", "KEY", 85},
    {"buildkite_token", "KEY", 85},
    {"flyio_token", "KEY", 85},
    {"age_secret_key", "KEY", 85},
    {"onepassword_token", "KEY", 85},
    {"nuget_api_key", "KEY", 85},
    {"cookie", "KEY", 36},
}};

// "version 1.2.3.4", "ver=1.2.3.4", "release: 1.2.3.4": a dotted quad after a version word is a
// version string, not an address.
// Returns the start of the version word, or npos.
std::size_t VersionWordBefore(std::string_view w, std::size_t begin) {
  std::size_t p = begin;
  int skipped = 0;
  while (p > 0 && skipped < 4) {
    char c = w[p - 1];
    if (c == ' ' || c == '\t' || c == ':' || c == '=' || c == '"' || c == '\'') {
      --p;
      ++skipped;
    } else {
      break;
    }
  }
  std::size_t word_end = p;
  while (p > 0 && word_end - p < 12 && IsAlpha(w[p - 1])) --p;
  if (p > 0 && IsAlpha(w[p - 1])) return std::string_view::npos;
  std::string_view word = w.substr(p, word_end - p);
  static constexpr std::string_view kWords[] = {"version", "ver", "v", "rev", "release", "build", "firmware"};
  for (std::string_view k : kWords) {
    if (EqualsIgnoreCase(word, k)) return p;
  }
  return std::string_view::npos;
}

// Reads "/NN" after an address; returns -1 when there is no prefix length.
int PrefixLengthAfter(std::string_view w, std::size_t end, int max_bits) {
  if (At(w, end) != '/') return -1;
  std::size_t p = end + 1;
  int value = 0, digits = 0;
  while (p < w.size() && IsDigit(w[p]) && digits < 4) {
    value = value * 10 + (w[p] - '0');
    ++p;
    ++digits;
  }
  if (digits == 0 || digits > 3 || IsAlnum(At(w, p)) || value > max_bits) return -1;
  return value;
}

// True when `bytes` with prefix `bits` names a network (all host bits zero, not a single host).
bool IsNetworkAddress(const unsigned char* bytes, int total_bits, int bits) {
  if (bits < 0 || bits >= total_bits) return false;
  for (int i = bits; i < total_bits; ++i) {
    if (bytes[i / 8] & (0x80 >> (i % 8))) return false;
  }
  return true;
}

bool ExtractIpv6Around(std::string_view w, std::size_t pivot, Span* span) {
  auto is_v6 = [](char c) { return IsHex(c) || c == ':' || c == '.'; };
  constexpr std::size_t kMaxWalk = 64;
  std::size_t b = pivot;
  while (b > 0 && pivot - b < kMaxWalk && is_v6(w[b - 1])) --b;
  if (b > 0 && is_v6(w[b - 1])) return false;
  std::size_t e = pivot;
  while (e < w.size() && e - pivot < kMaxWalk && is_v6(w[e])) ++e;
  if (e < w.size() && is_v6(w[e])) return false;
  // Punctuation glued to the address: "ip=fe80::1: refused", "from 2001:db8::1."
  while (e > b && w[e - 1] == '.') --e;
  if (e - b >= 2 && w[e - 1] == ':' && w[e - 2] != ':') --e;
  if (e - b >= 2 && w[b] == ':' && w[b + 1] != ':') ++b;
  if (e - b < 3 || e - b > 45) return false;
  if (IsWord(Before(w, b)) || IsWord(At(w, e))) return false;
  std::string_view text = w.substr(b, e - b);
  if (std::none_of(text.begin(), text.end(), IsDigit)) return false;  // "cafe::bad" is code
  char buf[64];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  unsigned char addr[16];
  if (inet_pton(AF_INET6, buf, addr) != 1) return false;
  static constexpr unsigned char kZero[16] = {};
  static constexpr unsigned char kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  if (std::memcmp(addr, kZero, 16) == 0 || std::memcmp(addr, kLoopback, 16) == 0) return false;
  if (IsNetworkAddress(addr, 128, PrefixLengthAfter(w, e, 128))) return false;
  *span = MakeSpan(b, e, kIpv6);
  return true;
}

bool ExtractIpv4(std::string_view w, std::size_t end, Span* span) {
  std::size_t e = end;
  if (e > 0 && !IsDigit(w[e - 1])) --e;  // the trigger consumed the terminator
  std::size_t b = e;
  while (b > 0 && e - b < 16 && (IsDigit(w[b - 1]) || w[b - 1] == '.')) --b;
  if (b > 0 && (IsDigit(w[b - 1]) || w[b - 1] == '.')) return false;  // a longer dotted run
  // URL-encoded text: "%2210.1.2.3%22", "ip%3D10.1.2.3%26". The walk took an escape's two hex
  // digits ("%22"), or stopped at its second one ("%3D"); either way the escape is a delimiter.
  if (b > 0 && w[b - 1] == '%' && e - b > 2 && IsHex(w[b]) && IsHex(w[b + 1])) b += 2;
  const bool after_escape = b >= 3 && w[b - 3] == '%' && IsHex(w[b - 2]) && IsHex(w[b - 1]);
  if (w[b] == '.') return false;  // ".1.2.3.4": part of a name
  // Parse exactly four octets, decimal, no leading zeros, unless every octet is padded to three
  // digits ("192.168.001.010", as some network gear and Windows tools print them).
  unsigned char octets[4];
  int part = 0;
  bool leading_zero = false, all_three = true;
  std::size_t p = b;
  while (p < e) {
    if (part == 4) return false;
    std::size_t q = p;
    int value = 0;
    while (q < e && IsDigit(w[q])) {
      value = value * 10 + (w[q] - '0');
      ++q;
    }
    std::size_t len = q - p;
    if (len == 0 || len > 3 || value > 255) return false;
    leading_zero = leading_zero || (len > 1 && w[p] == '0');
    all_three = all_three && len == 3;
    octets[part++] = static_cast<unsigned char>(value);
    if (q < e) {
      if (w[q] != '.') return false;
      ++q;
      if (q == e) return false;
    }
    p = q;
  }
  if (part != 4 || (leading_zero && !all_three)) return false;
  if (At(w, e) == '.' && IsDigit(At(w, e + 1))) return false;
  if (IsWord(At(w, e))) return false;
  char prev = Before(w, b);
  if (prev == ':') {
    // "::ffff:10.0.0.1" and "64:ff9b::1.2.3.4" are IPv6 addresses.
    Span v6;
    if (ExtractIpv6Around(w, b, &v6)) {
      *span = v6;
      return true;
    }
  }
  if (IsWord(prev) && !after_escape) return false;  // "v1.2.3.4", "node10.0.0.1"
  // Not personal: unspecified, loopback, netmasks and broadcast.
  if (octets[0] == 0 || octets[0] == 127 || octets[0] == 255) return false;
  if (IsNetworkAddress(octets, 32, PrefixLengthAfter(w, e, 32))) return false;
  *span = MakeSpan(b, e, kIpv4);
  span->exempt_by = VersionWordBefore(w, b);
  return true;
}

bool ExtractUrlCredential(std::string_view w, std::size_t scheme_end, std::size_t at, Span* span);

bool IsLocalChar(char c) { return IsAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'; }
bool IsDomainChar(char c) { return IsAlnum(c) || c == '.' || c == '-'; }

// An e-mail address around the '@' at w[at, at + at_len): a plain '@', or encoded as "%40" or
// "%2540" (URL, once or twice), "\u0040" (JSON), "&#64;", "&#x40;" or "&commat;" (HTML). In a
// URL-encoded address the local part may hold "%2B" ('+'); any other encoded character before it
// is a delimiter ("mailto%3Aops%40example.com").
bool ExtractEmailAt(std::string_view w, std::size_t at, std::size_t at_len, Span* span) {
  const bool url_encoded = at_len > 1 && w[at] == '%';
  // URL userinfo ("https://user:pw@host", "ssh://git@host") is a credential or nothing.
  if (at_len == 1) {
    std::size_t userinfo = UrlUserinfoStart(w, at);
    if (userinfo != std::string_view::npos) return ExtractUrlCredential(w, userinfo, at, span);
  }
  std::size_t lb = at;
  if (url_encoded) {
    auto plain = [](char c) { return IsAlnum(c) || c == '.' || c == '_' || c == '+' || c == '-'; };
    while (lb > 0 && at - lb < 64) {
      while (lb > 0 && at - lb < 64 && plain(w[lb - 1])) --lb;
      if (lb == 0 || w[lb - 1] != '%' || at - lb < 2 || !IsHex(w[lb]) || !IsHex(w[lb + 1])) break;
      if (w[lb] == '2' && (w[lb + 1] == 'B' || w[lb + 1] == 'b')) {
        --lb;  // "%2B" is part of the local part
        continue;
      }
      lb += 2;  // the hex digits of an encoded delimiter
      break;
    }
    if (at - lb >= 64) return false;
  } else {
    while (lb > 0 && at - lb < 64 && IsLocalChar(w[lb - 1])) --lb;
    if (lb > 0 && IsLocalChar(w[lb - 1])) return false;  // local part longer than RFC 5321 allows
  }
  // A JSON escape glued to the front ("\u003cuser@example.com") is not part of the address.
  if (lb > 0 && w[lb - 1] == '\\' && at - lb > 5 && w[lb] == 'u' && IsHex(w[lb + 1]) && IsHex(w[lb + 2]) &&
      IsHex(w[lb + 3]) && IsHex(w[lb + 4])) {
    lb += 5;
  }
  while (lb < at && w[lb] == '.') ++lb;
  if (lb == at || w[at - 1] == '.') return false;
  if (at_len != 1 && InUrlUserinfo(w, lb)) return false;  // a plain '@' was checked above
  at += at_len - 1;                                       // the domain follows the encoded '@'
  std::size_t de = at + 1;
  while (de < w.size() && de - at <= 253 && IsDomainChar(w[de])) ++de;
  if (de < w.size() && IsDomainChar(w[de])) return false;
  while (de > at + 1 && (w[de - 1] == '.' || w[de - 1] == '-')) --de;
  std::string_view domain = w.substr(at + 1, de - at - 1);
  int labels = 0;
  std::size_t start = 0;
  std::string_view last;
  while (start <= domain.size()) {
    std::size_t dot = domain.find('.', start);
    if (dot == std::string_view::npos) dot = domain.size();
    std::string_view label = domain.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    ++labels;
    last = label;
    start = dot + 1;
  }
  if (labels < 2 || last.size() < 2 || !std::all_of(last.begin(), last.end(), IsAlpha)) return false;
  *span = MakeSpan(lb, de, kEmail);
  return true;
}

bool ExtractEmail(std::string_view w, std::size_t end, Span* span) {
  return end >= 3 && ExtractEmailAt(w, end - 2, 1, span);
}

bool ExtractUuid(std::string_view w, std::size_t end, Span* span) {
  if (end < 36) return false;
  std::size_t b = end - 36;
  if (IsAlnum(Before(w, b)) || IsAlnum(At(w, end))) return false;
  *span = MakeSpan(b, end, kUuid);
  return true;
}

bool StartsWithJsonObject(std::string_view decoded) {
  for (char c : decoded) {
    if (c == '{') return true;
    if (!IsSpace(c)) return false;
  }
  return false;
}

// From the literal "eyJ" (base64 of '{"'): header.payload.signature, each part base64url. The
// header must decode to a JSON object with "alg", the payload to an object (or, with "enc", the
// five parts of a JWE).
bool ExtractJwt(std::string_view w, std::size_t end, Span* span) {
  const std::size_t b = end - 3;
  if (IsB64Url(Before(w, b))) return false;
  std::size_t dot1 = end;
  while (dot1 < w.size() && dot1 - b < 4096 && IsB64Url(w[dot1])) ++dot1;
  if (At(w, dot1) != '.' || dot1 - b < 7) return false;
  std::size_t dot2 = dot1 + 1;
  while (dot2 < w.size() && dot2 - dot1 < 16384 && IsB64Url(w[dot2])) ++dot2;
  if (At(w, dot2) != '.' || dot2 - dot1 - 1 < 4) return false;
  std::string header = DecodeBase64Prefix(w.substr(b, dot1 - b), 1024);
  if (!StartsWithJsonObject(header) || header.find("\"alg\"") == std::string::npos) return false;
  std::size_t e = dot2 + 1;
  while (e < w.size() && e - dot2 <= 4096 && IsB64Url(w[e])) ++e;
  if (header.find("\"enc\"") != std::string::npos) {
    // JWE compact form: header.key.iv.ciphertext.tag
    for (int extra = 0; extra < 2 && At(w, e) == '.'; ++extra) {
      std::size_t q = e + 1;
      while (q < w.size() && q - e < 8192 && IsB64Url(w[q])) ++q;
      e = q;
    }
  } else if (!StartsWithJsonObject(DecodeBase64Prefix(w.substr(dot1 + 1, dot2 - dot1 - 1), 8))) {
    return false;
  }
  *span = MakeSpan(b, e, kJwt);
  return true;
}

// The whole webhook URL, also with JSON-escaped slashes ("https:\/\/hooks.slack.com\/services\/...").
// The trigger is the host; the path must be /services/, /workflows/ or /triggers/.
bool ExtractSlackWebhook(std::string_view w, std::size_t end, Span* span) {
  std::size_t b = end - 15;  // "hooks.slack.com"
  std::size_t p = end;
  if (At(w, p) == '\\') ++p;
  if (At(w, p) != '/') return false;
  ++p;
  std::size_t word = p;
  while (p < w.size() && p - word < 10 && IsLower(w[p])) ++p;
  std::string_view path = w.substr(word, p - word);
  if (path != "services" && path != "workflows" && path != "triggers") return false;
  if (At(w, p) == '\\') ++p;
  if (At(w, p) != '/' || !IsAlnum(At(w, p + 1))) return false;
  if (IsAlnum(Before(w, b)) || Before(w, b) == '-') return false;
  for (std::string_view scheme : {std::string_view("https://"), std::string_view("http://"),
                                  std::string_view("https:\\/\\/"), std::string_view("http:\\/\\/")}) {
    if (b >= scheme.size() && w.substr(b - scheme.size(), scheme.size()) == scheme) {
      b -= scheme.size();
      break;
    }
  }
  std::size_t e = p;
  auto allowed = [](char c) { return IsAlnum(c) || c == '/' || c == '_' || c == '-' || c == '\\'; };
  while (e < w.size() && e - b < 512 && allowed(w[e])) ++e;
  while (e > p && w[e - 1] == '\\') --e;
  *span = MakeSpan(b, e, kSlackWebhook);
  return true;
}

// The setting name that ends at `name_end` (the trigger's end): "DB_PASSWORD" in
// "DB_PASSWORD=x", "X-Api-Key" in "X-Api-Key: x". Returns its start.
std::size_t NameStart(std::string_view w, std::size_t name_end) {
  std::size_t p = name_end;
  while (p > 0 && name_end - p < 64 &&
         (IsAlnum(w[p - 1]) || w[p - 1] == '_' || w[p - 1] == '-' || w[p - 1] == '.'))
    --p;
  return p;
}

// After a setting name: an optional closing quote (plain, JSON-escaped to depth 7, or %22), up to
// three blanks, and an assignment ('=', ':', "%3D", "%3A"). Returns the position after the
// assignment, or npos.
std::size_t AssignmentAfter(std::string_view w, std::size_t name_end) {
  std::size_t p = name_end;
  std::size_t slashes = 0;
  while (At(w, p) == '\\' && slashes < 7) {
    ++p;
    ++slashes;
  }
  if (At(w, p) == '"' || At(w, p) == '\'') {
    ++p;
  } else if (slashes > 0) {
    return std::string_view::npos;
  } else if (HasAt(w, p, "%22")) {
    p += 3;
  }
  for (int spaces = 0; spaces < 3 && (At(w, p) == ' ' || At(w, p) == '\t'); ++spaces) ++p;
  char c = At(w, p);
  if (c == ':' || c == '=') return p + 1;
  if (c == '%' && At(w, p + 1) == '3') {
    char d = At(w, p + 2);
    if (d == 'A' || d == 'a' || d == 'D' || d == 'd') return p + 3;
  }
  return std::string_view::npos;
}

// Connection strings of the "key=value;key=value" kind (ADO.NET, ODBC, JDBC for SQL Server,
// Npgsql): the key is at the start of the string or after ';', and the string names a server,
// data source, host, database or user.
bool InConnectionString(std::string_view w, std::size_t kb, std::size_t ve) {
  std::size_t p = kb;
  while (p > 0 && kb - p < 4 && (w[p - 1] == ' ' || w[p - 1] == '\t')) --p;
  char before = Before(w, p);
  bool starts_field =
      p == 0 || before == ';' || before == '"' || before == '\'' || before == '\n' || before == '=';
  if (!starts_field) return false;
  std::size_t lo = kb > 256 ? kb - 256 : 0;
  std::size_t hi = std::min(w.size(), ve + 256);
  bool semicolon = false, marker = false;
  static constexpr std::string_view kMarkers[] = {
      "server=",  "data source=", "host=",        "database=", "initial catalog=", "uid=",
      "user id=", "user=",        "driver=",      "provider=", "databasename=",    "dsn=",
      "address=", "addr=",        "accountname=", "endpoint="};
  for (std::size_t i = lo; i < hi && !(semicolon && marker); ++i) {
    char c = w[i];
    if (c == '\n' || c == '\r') {
      if (i < kb) {
        semicolon = marker = false;
        continue;
      }
      break;
    }
    if (c == ';') semicolon = true;
    if (!marker && (i == lo || w[i - 1] == ';' || w[i - 1] == '"' || w[i - 1] == '\'' || w[i - 1] == ' ' ||
                    w[i - 1] == '{')) {
      for (std::string_view m : kMarkers) {
        if (Lower(c) == m[0] && StartsWithIgnoreCase(w.substr(i, m.size()), m)) {
          marker = true;
          break;
        }
      }
    }
  }
  return semicolon && marker;
}

enum class KeyKind { kSecret, kPassword, kPasswordSuffix, kPwd, kPwdSuffix };

// Words that follow an option's name in prose and error messages ("--password is required"),
// not a value.
bool IsProseWord(std::string_view text) {
  static constexpr std::string_view kWords[] = {
      "is",       "are",      "was",     "were",     "must",       "should",  "required", "not",
      "flag",     "option",   "and",     "or",       "the",        "to",      "with",     "without",
      "missing",  "needs",    "cannot",  "can",      "will",       "may",     "for",      "of",
      "in",       "on",       "from",    "argument", "parameter",  "value",   "given",    "set",
      "provided", "expects",  "takes",   "requires", "instead",    "has",     "have",     "if",
      "when",     "only",     "unset",   "ignored",  "deprecated", "changed", "accepts",  "specified",
      "supplied", "expected", "omitted", "allowed",  "option.",    "flag.",   "prompt",   "interactively"};
  for (std::string_view word : kWords) {
    if (EqualsIgnoreCase(text, word)) return true;
  }
  return false;
}

// "--password hunter2", "--api-key 'k3y'", ["--token", "abc"]: a command-line option whose name
// marks a secret ([kb, name_end) starts with '-'), then its value as the next argument. An option
// followed by another option, prose or a variable is not a value.
bool ExtractOptionValue(std::string_view w, std::size_t name_end, std::size_t min_len, Span* span) {
  std::size_t p = name_end;
  char c = At(w, p);
  if (c == '"' || c == '\'') {  // the next item of a JSON or YAML list
    ++p;
    if (At(w, p) != ',') return false;
    ++p;
    while (p < w.size() && p - name_end < 8 && (w[p] == ' ' || w[p] == '\t')) ++p;
    if (At(w, p) != c) return false;
  } else if (c != ' ' && c != '\t') {
    return false;
  }
  AssignedValue v;
  if (!ReadAssignedValue(w, p, &v)) return false;
  std::string_view text = w.substr(v.begin, v.end - v.begin);
  if (text.size() < min_len || text.front() == '-' || IsPlaceholderOrReference(text) || IsProseWord(text))
    return false;
  *span = MakeSpan(v.begin, v.end, kSecret);
  return true;
}

// A secret whose only marker is the name of the variable that holds it, in Kubernetes' env list
// form: "- name: DB_PASSWORD\n  value: hunter2" or {"name":"DB_PASSWORD","value":"hunter2"}.
// (valueFrom: secretKeyRef is a reference and has no value here.) [kb, name_end) is the name.
bool ExtractEnvNameThenValue(std::string_view w, std::size_t kb, std::size_t name_end, std::size_t min_len,
                             Span* span) {
  // Before the name: "name", an optional quote, ':' or '=', blanks, an optional quote.
  std::size_t p = kb;
  while (p > 0 && kb - p < 12 && (w[p - 1] == '"' || w[p - 1] == '\'' || w[p - 1] == '\\' || w[p - 1] == ' '))
    --p;
  if (p == 0 || (w[p - 1] != ':' && w[p - 1] != '=')) return false;
  --p;
  std::size_t q = p;
  while (q > 0 && p - q < 10 && (w[q - 1] == '"' || w[q - 1] == '\'' || w[q - 1] == '\\' || w[q - 1] == ' '))
    --q;
  if (q < 4 || !EqualsIgnoreCase(w.substr(q - 4, 4), "name") || IsWord(Before(w, q - 4))) return false;
  // After it: quotes, blanks, ',', '-', then "value", an optional quote, ':' or '='.
  p = name_end;
  while (p < w.size() && p - name_end < 48 &&
         (IsSpace(w[p]) || w[p] == '"' || w[p] == '\'' || w[p] == '\\' || w[p] == ',' || w[p] == '-' ||
          w[p] == '{'))
    ++p;
  if (!StartsWithIgnoreCase(w.substr(p, 5), "value")) return false;
  p += 5;
  q = p;
  while (q < w.size() && q - p < 8 && (w[q] == '"' || w[q] == '\'' || w[q] == '\\' || w[q] == ' ')) ++q;
  if (At(w, q) != ':' && At(w, q) != '=') return false;
  AssignedValue v;
  if (!ReadAssignedValue(w, q + 1, &v)) return false;
  std::string_view text = w.substr(v.begin, v.end - v.begin);
  if (text.size() < min_len || IsPlaceholderOrReference(text)) return false;
  *span = MakeSpan(v.begin, v.end, kSecret);
  return true;
}

// The AWS secret access key after its own names: 40 base64 characters (or more).
bool IsAwsSecretSetting(std::string_view name, std::string_view value) {
  if (value.size() < 40) return false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (!(IsB64(c) || (i >= 40 && c == '='))) return false;
  }
  char buffer[64];
  std::size_t n = 0;
  for (std::size_t i = name.size(); i-- > 0 && n < 15;) {
    if (IsAlnum(name[i])) buffer[n++] = Lower(name[i]);
  }
  std::string_view reversed(buffer, n);  // the name's last letters and digits, back to front
  return reversed.substr(0, 15) == "yeksseccaterces" || reversed.substr(0, 12) == "yektercesswa";
}

// "key=value", "key: value", "\"key\": \"value\"", "key%3Dvalue": the value after a setting whose
// name marks a secret; `name_end` is where the trigger's name word ends. Passwords take any
// non-empty value, other names a value of 8 or more characters. A password inside a connection
// string is read up to ';' (values may hold blanks) and reported as connection_string_password;
// "Pwd=" counts only there (PWD= is the shell's working directory). Services whose keys have no
// prefix (NamedSettings) and AWS secret access keys get their own kinds.
bool ExtractKeyValueSecret(std::string_view w, std::size_t name_end, KeyKind key, Span* span) {
  if (IsWord(At(w, name_end))) return false;  // "tokens", "token_count", the "password" of "passwordSecret"
  std::size_t kb = NameStart(w, name_end);
  std::size_t end = AssignmentAfter(w, name_end);
  if (end == std::string_view::npos) {
    if (key == KeyKind::kPwd) return false;
    std::size_t min_len = key == KeyKind::kSecret ? 8 : key == KeyKind::kPassword ? 1 : 4;
    // "aws configure set aws_secret_access_key wJalr…": the AWS secret after its name and a blank.
    if (key == KeyKind::kSecret && (At(w, name_end) == ' ' || At(w, name_end) == '\t')) {
      AssignedValue v;
      if (ReadAssignedValue(w, name_end, &v) &&
          IsAwsSecretSetting(w.substr(kb, name_end - kb), w.substr(v.begin, v.end - v.begin))) {
        *span = MakeSpan(v.begin, v.end, kAwsSecretKey);
        return true;
      }
    }
    if (w[kb] == '-' && IsAlpha(At(w, kb + (At(w, kb + 1) == '-' ? 2 : 1))))
      return ExtractOptionValue(w, name_end, min_len, span);
    return ExtractEnvNameThenValue(w, kb, name_end, key == KeyKind::kSecret ? 8 : 1, span);
  }
  if (w[end - 1] == ':' && InUrlAuthority(w, end))
    return false;  // "https://x-access-token:ghp_...@github.com"
  if (name_end - kb > 6 && Lower(w[name_end - 1]) == 't' && KeyNamesASecretObject(w, name_end))
    return false;                          // "passwordSecret: db-credentials"
  if (Before(w, kb) == ':') return false;  // a field of an ARN or URN: "...:secret:db-AbCdEf"
  std::string_view name = w.substr(kb, name_end - kb);
  if (name.size() >= 8 && EqualsIgnoreCase(name.substr(name.size() - 8), "nopasswd"))
    return false;  // sudoers
  AssignedValue v;
  if (!ReadAssignedValue(w, end, &v)) return false;
  std::string_view text = w.substr(v.begin, v.end - v.begin);
  // "password=password", "token = token": a variable passed on in code, not a literal.
  if (!v.quoted && text.size() <= name.size() &&
      EqualsIgnoreCase(name.substr(name.size() - text.size()), text) &&
      (text.size() == name.size() || !IsAlnum(name[name.size() - text.size() - 1])))
    return false;
  if (key != KeyKind::kSecret && w[end - 1] == '=' && InConnectionString(w, kb, v.end)) {
    if (!v.quoted) {
      std::size_t e = v.begin;
      while (e < w.size() && e - v.begin < 1024 && w[e] != ';' && w[e] != '\n' && w[e] != '\r' &&
             w[e] != '"' && w[e] != '\'')
        ++e;
      while (e > v.begin && (w[e - 1] == ' ' || w[e - 1] == '\t')) --e;
      v.end = e;
      text = w.substr(v.begin, v.end - v.begin);
    }
    if (text.empty() || IsPlaceholderOrReference(text)) return false;
    *span = MakeSpan(v.begin, v.end, kConnectionStringPassword);
    return true;
  }
  if (key == KeyKind::kPwd) return false;
  if (key == KeyKind::kSecret) {
    if (const NamedSetting* setting = FindNamedSetting(name)) {
      if (SettingValueMatches(*setting, text)) {
        *span = MakeSpan(v.begin, v.end, setting->kind);
        return true;
      }
      if (setting->shape_only) return false;  // "routing_key=orders.created"
    }
    if (IsAwsSecretSetting(name, text)) {
      *span = MakeSpan(v.begin, v.end, kAwsSecretKey);
      return true;
    }
  }
  // "_PASS" names are passwords less surely than "PASSWORD" ones ("FIRST_PASS=1"): 4+ characters,
  // not a count.
  const bool suffix = key == KeyKind::kPasswordSuffix || key == KeyKind::kPwdSuffix;
  std::size_t min_len = key == KeyKind::kSecret ? 8 : suffix ? 4 : 1;
  if (text.size() < min_len || IsPlaceholderOrReference(text)) return false;
  if (suffix && std::all_of(text.begin(), text.end(), IsDigit)) return false;
  // "MYSQL_PWD=s3cret" is a password, "SAVED_PWD=/srv/app" a working directory.
  if (key == KeyKind::kPwdSuffix && (text.front() == '/' || text.front() == '~' || text.front() == '.'))
    return false;
  *span = MakeSpan(v.begin, v.end, kSecret);
  return true;
}

bool IsAuthScheme(std::string_view word) {
  static constexpr std::string_view kSchemes[] = {"basic",
                                                  "bearer",
                                                  "digest",
                                                  "negotiate",
                                                  "ntlm",
                                                  "token",
                                                  "apikey",
                                                  "api-key",
                                                  "hoba",
                                                  "mutual",
                                                  "aws4-hmac-sha256",
                                                  "dpop",
                                                  "gnap",
                                                  "privatetoken",
                                                  "scram-sha-256",
                                                  "sso",
                                                  "ssws",
                                                  "splunk",
                                                  "sharedkey",
                                                  "sharedkeylite",
                                                  "sharedaccesssignature",
                                                  "geniekey"};
  for (std::string_view s : kSchemes) {
    if (EqualsIgnoreCase(word, s)) return true;
  }
  return false;
}

bool ExtractAuthorization(std::string_view w, std::size_t end, Span* span) {
  std::size_t p = end;
  int skipped = 0;
  while (p < w.size() && skipped < 6 &&
         (w[p] == ' ' || w[p] == '\t' || w[p] == '"' || w[p] == '\'' || w[p] == '\\')) {
    ++p;
    ++skipped;
  }
  if (At(w, p) == '[' && LabelShapeLength(w.substr(p, 128)) == 0) ++p;  // Go's map printing: [Bearer x]
  std::size_t we = p;
  while (we < w.size() && we - p < 64 && (IsAlnum(w[we]) || w[we] == '-')) ++we;
  std::string_view word = w.substr(p, we - p);
  bool scheme = IsAuthScheme(word) && At(w, we) == ' ';
  std::size_t cb = scheme ? we + 1 : p;
  std::size_t ce = cb;
  bool digest = scheme && EqualsIgnoreCase(word, "digest");
  while (ce < w.size() && ce - cb < 4096) {
    char c = w[ce];
    if (digest ? (c == '\n' || c == '\r') : IsValueTerminator(c)) break;
    if (c == '[' && LabelShapeLength(w.substr(ce, 128)) > 0) break;  // a glued label stays a label
    ++ce;
  }
  if (digest) {
    while (ce > cb && IsSpace(w[ce - 1])) --ce;
  }
  std::string_view cred = w.substr(cb, ce - cb);
  if (IsPlaceholderOrReference(cred)) return false;
  if (scheme) {
    if (cred.size() < 4) return false;
  } else {
    // Without a scheme only a token-looking value counts ("authorization: denied" is prose).
    if (cred.size() < 12 || std::none_of(cred.begin(), cred.end(), IsDigit)) return false;
  }
  *span = MakeSpan(cb, ce, kAuthorization);
  return true;
}

bool ExtractBearer(std::string_view w, std::size_t end, Span* span) {
  std::size_t vb = end - 1;
  std::size_t p = vb;
  while (p > 0 && (w[p - 1] == ' ' || w[p - 1] == '\t')) --p;
  if (p < 6 || IsAlnum(Before(w, p - 6))) return false;  // "xbearer"
  auto allowed = [](char c) {
    return IsAlnum(c) || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '-' || c == '=';
  };
  std::size_t ve = vb;
  while (ve < w.size() && ve - vb < 4096 && allowed(w[ve])) ++ve;
  while (ve > vb && w[ve - 1] == '.') --ve;
  std::string_view v = w.substr(vb, ve - vb);
  if (v.size() < 8 || IsPlaceholderOrReference(v)) return false;
  if (v.size() < 20 && std::none_of(v.begin(), v.end(), IsDigit)) return false;  // "Bearer authentication"
  *span = MakeSpan(vb, ve, kBearerToken);
  return true;
}

// "Cookie: sid=…; theme=dark", "Set-Cookie: JSESSIONID=…; Path=/", {"cookie": "…"}: a cookie
// is a bearer credential. A Cookie header's value is one span from its first cookie's value to
// its end (the first name stays readable); a Set-Cookie header's is its one cookie's value, before
// the attributes. Unquoted, the value ends at the line's end or at a blank not after ';'.
bool ExtractCookie(std::string_view w, std::size_t end, Span* span) {
  const std::size_t nb = end - 6;
  if (IsWord(At(w, end)) || IsAlnum(Before(w, nb))) return false;  // "cookies", "cookie_jar"
  const bool set_cookie = nb >= 4 && (EqualsIgnoreCase(w.substr(nb - 4, 4), "set-") ||
                                      EqualsIgnoreCase(w.substr(nb - 4, 4), "set_"));
  std::size_t p = AssignmentAfter(w, end);
  if (p == std::string_view::npos) return false;
  while (p < w.size() && p - end < 16 && (w[p] == ' ' || w[p] == '\t')) ++p;
  char quote = 0;
  while (At(w, p) == '\\' && p - end < 24) ++p;  // JSON inside JSON: \"cookie\": \"sid=…\"
  if (At(w, p) == '"' || At(w, p) == '\'') quote = w[p++];
  const std::size_t vb = p;
  std::size_t ve = vb;
  while (ve < w.size() && ve - vb < 8192) {
    char c = w[ve];
    if (c == '\n' || c == '\r' || c == quote || c == '\\') break;
    if (quote == 0 && (c == '"' || ((c == ' ' || c == '\t') && Before(w, ve) != ';'))) break;
    if (c == '[' && LabelShapeLength(w.substr(ve, 128)) > 0) break;  // a label stays a label
    ++ve;
  }
  // The first cookie's name: a token, then '='.
  std::size_t eq = vb;
  while (eq < ve && eq - vb < 256 && (IsWord(w[eq]) || w[eq] == '-' || w[eq] == '.' || w[eq] == '$')) ++eq;
  if (eq == vb || At(w, eq) != '=') return false;
  std::size_t cb = eq + 1;
  std::size_t ce = ve;
  if (set_cookie) {
    ce = cb;
    while (ce < ve && w[ce] != ';') ++ce;
  }
  while (ce > cb && (w[ce - 1] == ' ' || w[ce - 1] == '\t' || w[ce - 1] == ';')) --ce;
  std::string_view value = w.substr(cb, ce - cb);
  if (value.size() < 8 || IsPlaceholderOrReference(value)) return false;
  *span = MakeSpan(cb, ce, kCookie);
  return true;
}

// The argument that starts at w[b] (quoted or up to a blank), on the same line; its text span.
std::pair<std::size_t, std::size_t> ArgumentAt(std::string_view w, std::size_t b) {
  char quote = At(w, b);
  if (quote == '"' || quote == '\'') {
    std::size_t e = b + 1;
    while (e < w.size() && e - b < 1024 && w[e] != quote && w[e] != '\n' && w[e] != '\r') ++e;
    return {b + 1, e};
  }
  std::size_t e = b;
  while (e < w.size() && e - b < 1024 && !IsSpace(w[e]) && w[e] != '"' && w[e] != '\'' && w[e] != ';' &&
         w[e] != '|' && w[e] != '&' && w[e] != '`' && w[e] != ')')
    ++e;
  return {b, e};
}

// True when the command line that holds w[p] names one of `commands` in the 256 bytes before it
// ("docker run -u app:app" sets a user and group, not a password).
bool LineNamesCommand(std::string_view w, std::size_t p, std::initializer_list<std::string_view> commands) {
  std::size_t lo = p;
  while (lo > 0 && p - lo < 256 && w[lo - 1] != '\n' && w[lo - 1] != '\r') --lo;
  std::string_view line = w.substr(lo, p - lo);
  for (std::string_view c : commands) {
    for (std::size_t at = line.find(c); at != std::string_view::npos; at = line.find(c, at + 1)) {
      if (!IsWord(Before(line, at)) && !IsWord(At(line, at + c.size()))) return true;
    }
  }
  return false;
}

// "curl -u user:password", "--user 'deploy:pw'", "--proxy-user u:p": the password after the
// first ':'. Not "-u 1000:1000" or "-u app:app" (a user and group), nor under docker or podman.
bool ExtractUserPassOption(std::string_view w, std::size_t end, Span* span) {
  std::size_t p = end;
  while (p < w.size() && p - end < 8 && (w[p] == ' ' || w[p] == '\t')) ++p;
  auto [ab, ae] = ArgumentAt(w, p);
  std::string_view arg = w.substr(ab, ae - ab);
  std::size_t colon = arg.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == arg.size()) return false;
  std::string_view user = arg.substr(0, colon), pass = arg.substr(colon + 1);
  if (user.front() == '+' || user.front() == '-') return false;  // "date -u +%H:%M"
  for (char c : user) {
    if (!(IsAlnum(c) || c == '.' || c == '_' || c == '@' || c == '-' || c == '\\' || c == '+')) return false;
  }
  auto digits = [](std::string_view t) { return std::all_of(t.begin(), t.end(), IsDigit); };
  if (pass == user || (digits(user) && digits(pass)) || IsPlaceholderOrReference(pass)) return false;
  if (LineNamesCommand(w, ab, {"docker", "podman", "nerdctl", "chown", "runuser", "crictl", "buildah"}))
    return false;
  *span = MakeSpan(ab + colon + 1, ae, kSecret);
  return true;
}

// "sshpass -p 'pw' ssh …", "mysql -h db -u root -ps3cret app", "docker login -u bot -p pw",
// "redis-cli -a pw", "ldapsearch -D cn=admin -w pw": the password option of commands that take
// one on their command line. For the MySQL clients only the glued form carries a value ("-p"
// alone asks for it; "-P" is the port).
bool ExtractPasswordCommand(std::string_view w, std::size_t end, Span* span) {
  std::size_t p = end - 1;  // the first option's '-'
  auto word_before = [&w](std::size_t at, std::size_t* begin) {
    std::size_t we = at;
    while (we > 0 && at - we < 8 && (w[we - 1] == ' ' || w[we - 1] == '\t')) --we;
    std::size_t wb = we;
    while (wb > 0 && we - wb < 16 && (IsLower(w[wb - 1]) || w[wb - 1] == '-')) --wb;
    *begin = wb;
    return w.substr(wb, we - wb);
  };
  std::size_t wb;
  std::string_view command = word_before(p, &wb);
  if (command == "login") command = word_before(wb, &wb);           // docker login, podman login
  if (IsWord(Before(w, wb)) || Before(w, wb) == '-') return false;  // "xmysql", "my-mysql"
  // The option's letter, and whether its value may be the next argument (else only glued).
  char flag = 'p';
  bool separate = true;
  if (command.substr(0, 5) == "mysql" || command == "mariadb") {
    separate = false;
  } else if (command == "redis-cli") {
    flag = 'a';
  } else if (command.substr(0, 4) == "ldap") {
    flag = 'w';
  }
  const std::size_t first = p;
  // Within kMaxLookBehind of the command: the span must be found the same way whichever window of
  // a stream holds it.
  while (p < w.size() && p - first < 384) {
    char c = w[p];
    if (c == '\n' || c == '\r' || c == '|' || c == ';' || c == '&' || c == '`') return false;
    if (c == ' ' || c == '\t') {
      ++p;
      continue;
    }
    auto [ab, ae] = ArgumentAt(w, p);
    std::string_view arg = w.substr(ab, ae - ab);
    std::size_t next = ae + (At(w, ae) == '"' || At(w, ae) == '\'' ? 1 : 0);
    if (arg.size() >= 2 && arg[0] == '-' && arg[1] == flag) {
      std::size_t vb = ab + 2, ve = ae;
      if (arg.size() == 2 && (At(w, ae) == '\'' || At(w, ae) == '"')) {
        std::tie(vb, ve) = ArgumentAt(w, ae);  // -p'pw'
      } else if (arg.size() == 2) {
        if (!separate) return false;  // mysql -p: prompts
        std::size_t q = next;
        while (q < w.size() && q - next < 8 && (w[q] == ' ' || w[q] == '\t')) ++q;
        std::tie(vb, ve) = ArgumentAt(w, q);
      }
      std::string_view value = w.substr(vb, ve - vb);
      if (value.empty() || IsPlaceholderOrReference(value)) return false;
      *span = MakeSpan(vb, ve, kSecret);
      return true;
    }
    if (arg.empty() || arg[0] != '-') return false;  // the options end where the arguments begin
    p = next;
    // An option's own value ("-h db", "-u root"): skip it.
    if (arg.size() == 2 && arg[1] != flag) {
      while (p < w.size() && (w[p] == ' ' || w[p] == '\t')) ++p;
      if (At(w, p) != '-') p = ArgumentAt(w, p).second;
      if (At(w, p) == '"' || At(w, p) == '\'') ++p;
    }
  }
  return false;
}

// Credentials that configuration stores base64-encoded, so that no detector sees their text:
// a kubeconfig's "client-key-data" (a PEM private key), a Kubernetes pull secret's
// ".dockerconfigjson" / ".dockercfg" (registry passwords) and a Docker config's "auth" (base64 of
// "user:password"; only a value that decodes to that shape counts).
bool ExtractEncodedCredential(std::string_view w, std::size_t end, Span* span) {
  std::size_t name_end = end;
  const bool auth = w[end - 1] == '"';
  if (auth) {
    name_end = end - 1 - (Before(w, end - 1) == '\\' ? 1 : 0);
    std::size_t nb = name_end - 4;  // "auth"
    std::size_t q = nb;
    while (q > 0 && nb - q < 8 && w[q - 1] == '\\') --q;
    if (Before(w, q) != '"') return false;  // "oauth", "basic_auth"
  } else if (IsWord(At(w, end)) || (w[end - 1] == 'a' && end >= 15 && IsAlnum(Before(w, end - 15)))) {
    return false;  // "client-key-database", "xclient-key-data"
  }
  std::size_t p = AssignmentAfter(w, name_end);
  if (p == std::string_view::npos) return false;
  AssignedValue v;
  if (!ReadAssignedValue(w, p, &v)) return false;
  std::string_view text = w.substr(v.begin, v.end - v.begin);
  std::size_t pad = 0;
  while (pad < text.size() && pad < 2 && text[text.size() - 1 - pad] == '=') ++pad;
  if (text.size() < 8 || !std::all_of(text.begin(), text.end() - pad, IsB64)) return false;
  std::uint16_t kind = w[end - 1] == 'a' ? kPrivateKey : kSecret;
  if (auth) {
    std::string decoded = DecodeBase64Prefix(text, 512);
    std::size_t colon = decoded.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == decoded.size()) return false;
    for (char c : decoded) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return false;
    }
  }
  *span = MakeSpan(v.begin, v.end, kind);
  return true;
}

// "AKIA…:wJalr…", "AKIA…,wJalr…" (a credentials CSV), "AKIA… wJalr…": an access key id followed,
// after at most four separators, by exactly 40 base64 characters is the pair's secret key.
bool ExtractAwsSecretAfterKeyId(std::string_view w, std::size_t end, Span* span) {
  std::size_t id_begin = end - 4;
  if (IsAlnum(Before(w, id_begin)) || end + 16 > w.size()) return false;
  for (std::size_t i = end; i < end + 16; ++i) {
    if (!(IsUpper(w[i]) || IsDigit(w[i]))) return false;
  }
  std::size_t p = end + 16;
  if (IsAlnum(At(w, p))) return false;
  std::size_t separators = 0;
  while (p < w.size() && separators < 4 &&
         (w[p] == ':' || w[p] == ',' || w[p] == ';' || w[p] == '|' || w[p] == '=' || w[p] == ' ' ||
          w[p] == '\t' || w[p] == '"' || w[p] == '\'')) {
    ++p;
    ++separators;
  }
  if (separators == 0) return false;
  std::size_t e = p;
  while (e < w.size() && e - p <= 40 && IsB64(w[e])) ++e;
  if (e - p != 40 || IsB64(At(w, e)) || At(w, e) == '=') return false;
  std::string_view secret = w.substr(p, 40);
  if (std::none_of(secret.begin(), secret.end(), IsLower) ||
      std::none_of(secret.begin(), secret.end(), IsUpper))
    return false;
  *span = MakeSpan(p, e, kAwsSecretKey);
  return true;
}

// From the trigger "PRIVATE KEY-----" (or "PRIVATE KEY BLOCK-----"): "-----BEGIN" and at most 40
// characters of [A-Z0-9 ] must come before it ("-----BEGIN RSA PRIVATE KEY-----"); an END line
// has "-----END" there and is not a start.
bool ExtractPrivateKey(std::string_view w, std::size_t end, Span* span) {
  constexpr std::string_view kBegin = "-----BEGIN";
  std::size_t lit =
      HasAt(w, end - std::min<std::size_t>(end, 22), "PRIVATE KEY BLOCK-----") ? end - 22 : end - 16;
  std::size_t b = std::string_view::npos;
  for (std::size_t q = lit; q + 41 > lit && q >= kBegin.size(); --q) {
    if (HasAt(w, q - kBegin.size(), kBegin)) {
      b = q - kBegin.size();
      break;
    }
    char c = w[q - 1];
    if (!(IsUpper(c) || IsDigit(c) || c == ' ')) break;
  }
  if (b == std::string_view::npos) return false;
  std::string_view ahead = w.substr(end, std::min<std::size_t>(w.size() - end, 16384));
  std::size_t end_marker = ahead.find("-----END");
  std::size_t e;
  if (end_marker != std::string_view::npos) {
    std::size_t close = ahead.find("-----", end_marker + 8);
    e = end + (close != std::string_view::npos && close - end_marker < 96 ? close + 5 : end_marker + 8);
  } else {
    // Truncated block: redact the body that follows.
    e = end;
    auto body = [](char c) {
      return IsAlnum(c) || c == '+' || c == '/' || c == '=' || IsSpace(c) || c == '\\';
    };
    while (e < w.size() && e - end < 16384 && body(w[e])) ++e;
    while (e > end && IsSpace(w[e - 1])) --e;
  }
  *span = MakeSpan(b, e, kPrivateKey);
  return true;
}

// The credential in a URL's userinfo, from the '@' at `at` (a shape candidate): for
// "scheme://user:password@host" the password only, so the scheme, user and host stay readable
// (postgres, mysql, mongodb(+srv), redis(s) with an empty user, amqp(s), ldap(s), smtp, ftp, sftp,
// http(s) basic auth...), also with JSON-escaped slashes (":\/\/"); an unencoded '@' inside the
// password ("app:p@ss@db") runs it to the last '@' of the authority; `scheme_end` is where the
// userinfo starts (UrlUserinfoStart). A userinfo that is a Sentry
// key (32 hex, legacy "key:secret") is a sentry_dsn. Other userinfo without a password
// ("ssh://git@host") is no credential.
bool ExtractUrlCredential(std::string_view w, std::size_t scheme_end, std::size_t at, Span* span) {
  if (scheme_end == at) return false;
  std::string_view userinfo = w.substr(scheme_end, at - scheme_end);
  auto sentry_key = [](std::string_view u) {
    return (u.size() == 32 || (u.size() == 65 && u[32] == ':')) &&
           std::all_of(u.begin(), u.end(), [](char c) { return IsLowerHex(c) || c == ':'; });
  };
  if (sentry_key(userinfo)) {
    *span = MakeSpan(scheme_end, at, kSentryDsn);
    return true;
  }
  std::size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos) return false;
  colon += scheme_end;
  std::size_t last = at;
  for (std::size_t p = at + 1; p < w.size() && p - at < 128; ++p) {
    char c = w[p];
    if (c == '@') {
      last = p;
      continue;
    }
    if (c == '/' || c == '\\' || c == '?' || c == '#' || IsSpace(c) || c == '"' || c == '\'' || c == '<' ||
        c == '>')
      break;
  }
  if (last == colon + 1) return false;  // "redis://user:@host": no password
  std::string_view pw = w.substr(colon + 1, last - colon - 1);
  if (IsPlaceholderOrReference(pw)) return false;
  *span = MakeSpan(colon + 1, last, kUrlPassword);
  return true;
}

bool CardBoundaryOk(std::string_view w, std::size_t b, std::size_t e) {
  char prev = Before(w, b);
  if (IsWord(prev) || prev == '.' || prev == '+' || prev == '/') return false;
  char next = At(w, e);
  if (IsWord(next)) return false;
  if ((next == '.' || next == ',') && IsDigit(At(w, e + 1))) return false;  // a decimal number
  return true;
}

bool ExtractCardPlain(std::string_view w, std::size_t end, Span* span) {
  std::size_t e = end;
  if (e > 0 && !IsDigit(w[e - 1])) --e;
  std::size_t b = e;
  while (b > 0 && e - b < 20 && IsDigit(w[b - 1])) --b;
  if (b > 0 && IsDigit(w[b - 1])) return false;
  std::size_t len = e - b;
  if (len < 13 || len > 19 || !CardBoundaryOk(w, b, e)) return false;
  std::string_view digits = w.substr(b, len);
  if (!CardIssuerAndLengthValid(digits) || !LuhnValid(digits)) return false;
  *span = MakeSpan(b, e, kCard);
  return true;
}

bool ExtractCardGrouped(std::string_view w, std::size_t end, Span* span) {
  std::size_t e = end;
  if (e > 0 && !IsDigit(w[e - 1])) --e;
  // The digit group that ends at e, then earlier groups split by one consistent separator.
  struct Group {
    std::size_t b, e;
  };
  Group groups[8];
  int n = 0;
  char sep = 0;
  std::size_t p = e;
  while (n < 8) {
    std::size_t ge = p;
    while (p > 0 && ge - p < 7 && IsDigit(w[p - 1])) --p;
    if (p == ge || (p > 0 && IsDigit(w[p - 1]))) {
      // An empty or over-long group right after a separator: glued to a longer number.
      if (n == 0 || sep == '-') return false;
      break;
    }
    groups[n++] = Group{p, ge};
    char c = Before(w, p);
    if ((c == ' ' || c == '-') && (sep == 0 || c == sep) && IsDigit(Before(w, p - 1))) {
      sep = c;
      --p;
    } else {
      break;
    }
  }
  // Also take groups that follow e (the trigger may have fired on an early part of the number).
  std::reverse(groups, groups + n);
  std::size_t q = e;
  if (sep == 0 && (At(w, q) == ' ' || At(w, q) == '-') && IsDigit(At(w, q + 1))) sep = w[q];
  while (n < 8 && (At(w, q) == sep) && IsDigit(At(w, q + 1))) {
    std::size_t gb = q + 1, ge = gb;
    while (ge < w.size() && ge - gb < 7 && IsDigit(w[ge])) ++ge;
    char after = At(w, ge);
    if (IsDigit(after)) return false;
    if (IsWord(after) || ((after == '.' || after == ',') && IsDigit(At(w, ge + 1)))) break;  // "10.0.0.1"
    groups[n++] = Group{gb, ge};
    q = ge;
  }
  if (sep == 0) return false;
  static constexpr std::array<std::array<int, 5>, 6> kFormats = {{
      {4, 4, 4, 4, 0},
      {4, 4, 4, 4, 3},
      {4, 4, 4, 4, 2},
      {4, 4, 4, 4, 1},
      {4, 6, 5, 0, 0},
      {4, 6, 4, 0, 0},
  }};
  // Find the longest run of groups that forms a card; neighbouring groups are allowed only when
  // split off by a space ("qty 2 4111 1111 1111 1111").
  for (int count = n; count >= 3; --count) {
    for (int first = 0; first + count <= n; ++first) {
      int last = first + count - 1;
      bool format_ok = false;
      for (const auto& f : kFormats) {
        int flen = 0;
        while (flen < 5 && f[flen] != 0) ++flen;
        if (flen != count) continue;
        bool ok = true;
        for (int i = 0; i < count && ok; ++i)
          ok = static_cast<int>(groups[first + i].e - groups[first + i].b) == f[i];
        if (ok) {
          format_ok = true;
          break;
        }
      }
      if (!format_ok) continue;
      if ((first > 0 || last < n - 1) && sep == '-') continue;  // part of a longer hyphenated identifier
      std::size_t b = groups[first].b, ee = groups[last].e;
      if (first == 0 && !CardBoundaryOk(w, b, ee)) continue;
      if (IsWord(At(w, ee))) continue;
      std::string digits;
      for (int i = first; i <= last; ++i) digits.append(w.substr(groups[i].b, groups[i].e - groups[i].b));
      if (!CardIssuerAndLengthValid(digits) || !LuhnValid(digits)) continue;
      *span = MakeSpan(b, ee, kCard);
      return true;
    }
  }
  return false;
}

// From a shape candidate: the '[' at `begin`.
bool ExtractLabel(std::string_view w, std::size_t begin, Span* span) {
  std::size_t len = LabelShapeLength(w.substr(begin, kMaxSpan / 2));
  if (len == 0) return false;
  *span = Span{begin, begin + len, kLabelKind, 20};
  return true;
}

}  // namespace

const KindInfo& BuiltinKindInfo(std::uint16_t kind) { return kKinds[kind]; }

static void ResolveUnconditional(std::vector<Span>* spans);

bool SpanOrder(const Span& a, const Span& b) {
  if (a.begin != b.begin) return a.begin < b.begin;
  if (a.end != b.end) return a.end > b.end;
  return a.priority > b.priority;
}

void SortSpans(std::vector<Span>::iterator first, std::vector<Span>::iterator last) {
  // Insertion sort, handing over to std::sort if the input turns out to be far from sorted.
  const auto n = static_cast<std::size_t>(last - first);
  std::size_t moves = 0;
  const std::size_t budget = 8 * n + 64;
  for (auto i = first + (n > 0 ? 1 : 0); i < last; ++i) {
    Span x = *i;
    auto j = i;
    while (j > first && SpanOrder(x, *(j - 1))) {
      *j = *(j - 1);
      --j;
      if (++moves > budget) break;
    }
    *j = x;
    if (moves > budget) {
      std::sort(first, last, SpanOrder);
      return;
    }
  }
}

// Vectorscan triggers are literals wherever possible (a prefix, a host, a setting name), or a
// literal with one character class: they compile in microseconds and scan at the speed of the
// literal matcher, and the extractors check the rest. Class repeats after alternations are what
// make a database slow to compile and to run (see docs/benchmarks.md).
const std::vector<Trigger>& BuiltinTriggers() {
  static const std::vector<Trigger> triggers = [] {
    std::vector<Trigger> t = {
        {R"([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?:[^0-9]|\z))", 0, false},
        {R"([0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){7}(?:[^0-9A-Fa-f:]|\z))", 0, false},
        {R"([0-9A-Fa-f]::|::[0-9A-Fa-f])", 0, false},
        {R"([A-Za-z0-9._%+-]@[A-Za-z0-9])", 0, false},
        {R"([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})", 0, false},
        {R"(eyJ)", 0},
        {R"(hooks\.slack\.com)", 0},
        {R"(bearer[ \t]{1,3}[A-Za-z0-9._~+/-])", HS_FLAG_CASELESS},
        {R"(authorization\\?["']?[ \t]{0,3}[:=])", HS_FLAG_CASELESS},
        {R"(api_?key|api-key|api_?secret|api-secret|api_?token|api-token|access_?token|access-token|auth_?token|auth-token|auth_?key|auth-key|refresh_?token|refresh-token|id_token|id-token|client_?secret|client-secret|consumer_?secret|consumer-secret|app_?secret|app-secret|app_?key|app-key|application_?key|application-key|secret_?key|secret-key|secret_?access_?key|secret-access-key|private_?key|private-key|signing_?key|signing-key|signing_?secret|signing-secret|encryption_?key|encryption-key|master_?key|master-key|webhook_?secret|webhook-secret|session_?secret|session-secret|jwt_?secret|jwt-secret|shared_?secret|shared-secret|license_?key|license-key|subscription_?key|subscription-key|honeycomb_?team|honeycomb-team|routing_?key|routing-key|integration_?key|integration-key|service_?key|service-key|accountkey|sharedaccesskey|sharedsecretvalue|signature|session_?id|session-id|sessid|secret|token)",
         HS_FLAG_CASELESS},
        {R"(passw(?:or)?d|passphrase)", HS_FLAG_CASELESS},
        {R"(PRIVATE KEY(?: BLOCK)?-----)", 0},
        {R"([2-6][0-9]{12,18}(?:[^0-9]|\z))", 0, false},
        {R"([2-6][0-9]{3}[ -][0-9]{4}[ -][0-9]{4}[ -][0-9]{1,4}(?:[^0-9]|\z))", 0, false},
        {R"(3[0-9]{3}[ -][0-9]{6}[ -][0-9]{4,5}(?:[^0-9]|\z))", 0, false},
        {R"(\[~*[A-Z][A-Z0-9_]{0,30}_[0-9]{1,9}\])", 0, false},
        // Encodings.
        {R"(%40[A-Za-z0-9])", 0},
        {R"(\\u0040[A-Za-z0-9])", 0},
        // Settings whose only marker is their name.
        {R"(_PASS|db[_.-]pass|database[_.-]pass|smtp[_.-]pass|mail[_.-]pass|email[_.-]pass|redis[_.-]pass|mysql[_.-]pass|pg[_.-]pass|postgres[_.-]pass|mongo[_.-]pass|ldap[_.-]pass|admin[_.-]pass|root[_.-]pass|ftp[_.-]pass|ssh[_.-]pass|bind[_.-]pass|auth[_.-]pass|user[_.-]pass|login[_.-]pass|api[_.-]pass|rabbitmq[_.-]pass|amqp[_.-]pass|mq[_.-]pass|sasl[_.-]pass|wifi[_.-]pass|vnc[_.-]pass|keystore[_.-]pass|truststore[_.-]pass)",
         0},
        {R"(pwd)", HS_FLAG_CASELESS},
        // Structured vendor formats (tokens.cc).
        {R"(discord\.com|discordapp\.com)", 0},
        {R"([A-Za-z0-9]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38})", 0, false},
        {R"(\.webhook\.office\.com)", 0},
        {R"([0-9]:AA)", 0},
        {R"([0-9]Q~)", 0},
        {R"(\+ASt)", 0},
        {R"(JQQJ9)", 0},
        {R"((?:[?&;]|\\u0026)sig=)", 0},
        {R"(-us[0-9])", 0},
        {R"(NRAL)", 0},
        {R"(\.atlasv1\.)", 0},
        // Encodings and places added later.
        {R"((?:&#64;|&#x40;|&commat;|%2540)[A-Za-z0-9])", 0},
        {R"(cookie)", HS_FLAG_CASELESS},
        {R"( -u |--user |--proxy-user )", 0},
        {R"((?:sshpass|mysql|mysqldump|mysqladmin|mariadb|docker login|podman login|redis-cli|ldapsearch|ldapmodify|ldapadd|ldapdelete|ldapwhoami|ldappasswd)[ \t]+-)",
         0},
        {R"(client-key-data|\.dockerconfigjson|\.dockercfg|auth\\?")", 0},
        {R"(AKIA|ASIA)", 0},
    };
    if (t.size() != kTrigFixedCount) std::abort();  // the table and TriggerId must agree
    for (const TokenFormat& f : TokenFormats()) t.push_back({TokenTriggerRegex(f), 0});
    return t;
  }();
  return triggers;
}

// A value glued to a label ("2001:db8::[EMAIL_1]") is rejected: in the original text the label
// was a value whose first character decided the boundary ("2001:db8::ops@example.com" is no
// address), and redacting the output again must not see a new boundary there.
static bool GluedToLabel(std::string_view w, const Span& s) {
  if (At(w, s.end) == '[' && LabelShapeLength(w.substr(s.end, 128)) > 0) return true;
  if (Before(w, s.begin) != ']') return false;
  std::size_t limit = s.begin > 128 ? s.begin - 128 : 0;
  for (std::size_t p = s.begin - 1; p-- > limit;) {
    if (w[p] == '[') return LabelShapeLength(w.substr(p, s.begin - p)) == s.begin - p;
  }
  return false;
}

static bool ExtractBuiltin(std::uint32_t trigger_id, std::string_view w, std::size_t end, Span* span);

bool ExtractSpan(std::uint32_t trigger_id, std::string_view w, std::size_t end, Span* span) {
  if (!ExtractBuiltin(trigger_id, w, end, span)) return false;
  return span->kind == kLabelKind || !GluedToLabel(w, *span);
}

static bool ExtractBuiltin(std::uint32_t trigger_id, std::string_view w, std::size_t end, Span* span) {
  switch (trigger_id) {
    case kTrigIpv4:
      return ExtractIpv4(w, end, span);
    case kTrigIpv6Full:
      return ExtractIpv6Around(w, (end > 0 && !IsHex(w[end - 1]) && w[end - 1] != ':') ? end - 2 : end - 1,
                               span);
    case kTrigIpv6Compressed:
      return ExtractIpv6Around(w, end - 1, span);
    case kTrigAt:
      return ExtractEmail(w, end, span);
    case kTrigUuid:
      return ExtractUuid(w, end, span);
    case kTrigJwt:
      return ExtractJwt(w, end, span);
    case kTrigSlackWebhook:
      return ExtractSlackWebhook(w, end, span);
    case kTrigBearer:
      return ExtractBearer(w, end, span);
    case kTrigAuthorization:
      return ExtractAuthorization(w, end, span);
    case kTrigSecretKeyValue:
      return ExtractKeyValueSecret(w, end, KeyKind::kSecret, span);
    case kTrigPasswordKeyValue:
      return ExtractKeyValueSecret(w, end, KeyKind::kPassword, span);
    case kTrigPrivateKey:
      return ExtractPrivateKey(w, end, span);
    case kTrigCardPlain:
      return ExtractCardPlain(w, end, span);
    case kTrigCardGrouped:
    case kTrigCardAmexDiners:
      return ExtractCardGrouped(w, end, span);
    case kTrigLabel:
      return ExtractLabel(w, end, span);
    case kTrigEmailUrlEncoded:
      return end >= 5 && ExtractEmailAt(w, end - 4, 3, span);
    case kTrigEmailJsonEscaped:
      return end >= 8 && ExtractEmailAt(w, end - 7, 6, span);
    case kTrigPassSuffixKeyValue: {
      // "_PASS" anywhere in a name; "db_pass" and the like only as a whole word before the separator.
      if (!HasAt(w, end - 5, "_PASS")) {
        std::size_t p = end - 5;
        while (p > 0 && end - p < 16 && IsLower(w[p - 1])) --p;
        if (IsAlnum(Before(w, p))) return false;
      }
      return ExtractKeyValueSecret(w, end, KeyKind::kPasswordSuffix, span);
    }
    case kTrigPwdKeyValue: {
      // "Pwd=" in a connection string; "MYSQL_PWD=", "db-pwd:" as a name of its own.
      char sep = Before(w, end - 3);
      if ((sep == '_' || sep == '-' || sep == '.') && end >= 4 && IsAlnum(Before(w, end - 4)))
        return ExtractKeyValueSecret(w, end, KeyKind::kPwdSuffix, span);
      return !IsAlnum(sep) && ExtractKeyValueSecret(w, end, KeyKind::kPwd, span);
    }
    case kTrigEmailEncodedMore: {
      static constexpr std::string_view kAts[] = {"&#64;", "&#x40;", "&commat;", "%2540"};
      for (std::string_view at : kAts) {
        if (end >= at.size() + 2 && HasAt(w, end - 1 - at.size(), at))
          return ExtractEmailAt(w, end - 1 - at.size(), at.size(), span);
      }
      return false;
    }
    case kTrigCookie:
      return ExtractCookie(w, end, span);
    case kTrigUserPassOption:
      return ExtractUserPassOption(w, end, span);
    case kTrigPasswordCommand:
      return ExtractPasswordCommand(w, end, span);
    case kTrigEncodedCredential:
      return ExtractEncodedCredential(w, end, span);
    case kTrigAwsKeyPair:
      return ExtractAwsSecretAfterKeyId(w, end, span);
    case kTrigDiscordBot:
      return ExtractDiscordBotToken(w, end, span);
    default:
      break;
  }
  if (trigger_id < kTrigFixedCount) return ExtractVendorSpecial(trigger_id, w, end, span);
  std::uint32_t i = trigger_id - kTrigFixedCount;
  const std::vector<TokenFormat>& formats = TokenFormats();
  return i < formats.size() && ExtractToken(formats[i], w, end, span);
}

void ResolveOverlaps(std::vector<Span>* spans) {
  std::vector<Span> conditional;
  auto is_conditional = [](const Span& x) { return x.exempt_by != static_cast<std::size_t>(-1); };
  for (const Span& x : *spans) {
    if (is_conditional(x)) conditional.push_back(x);
  }
  if (!conditional.empty()) {
    spans->erase(std::remove_if(spans->begin(), spans->end(), is_conditional), spans->end());
  }
  ResolveUnconditional(spans);
  if (conditional.empty()) return;
  // A conditional span becomes a finding when a finding covers the text that exempted it and it
  // overlaps no finding itself.
  std::vector<Span> promoted;
  for (const Span& c : conditional) {
    auto it = std::lower_bound(spans->begin(), spans->end(), c.exempt_by,
                               [](const Span& x, std::size_t pos) { return x.end <= pos; });
    bool context_replaced = false, overlaps = false;
    for (; it != spans->end() && it->begin < c.end; ++it) {
      if (it->begin < c.begin) context_replaced = true;
      if (it->end > c.begin) overlaps = true;
    }
    if (context_replaced && !overlaps) {
      Span p = c;
      p.exempt_by = static_cast<std::size_t>(-1);
      promoted.push_back(p);
    }
  }
  if (promoted.empty()) return;
  spans->insert(spans->end(), promoted.begin(), promoted.end());
  ResolveUnconditional(spans);
}

void ResolveUnconditional(std::vector<Span>* spans) {
  std::vector<Span>& s = *spans;
  if (s.size() <= 1) return;
  SortSpans(s.begin(), s.end());
  auto better = [](const Span& a, const Span& b) {
    std::size_t la = a.end - a.begin, lb = b.end - b.begin;
    if (la != lb) return la > lb;
    if (a.priority != b.priority) return a.priority > b.priority;
    return a.begin < b.begin;
  };
  std::vector<Span> out;
  out.reserve(s.size());
  std::vector<Span> cluster;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = i + 1;
    std::size_t cluster_end = s[i].end;
    while (j < s.size() && s[j].begin < cluster_end) {
      cluster_end = std::max(cluster_end, s[j].end);
      ++j;
    }
    if (j == i + 1) {
      out.push_back(s[i]);
    } else {
      cluster.assign(s.begin() + i, s.begin() + j);
      std::sort(cluster.begin(), cluster.end(), better);
      std::size_t first_kept = out.size();
      for (const Span& c : cluster) {
        bool overlaps = false;
        for (std::size_t k = first_kept; k < out.size() && !overlaps; ++k) {
          overlaps = c.begin < out[k].end && out[k].begin < c.end;
        }
        if (!overlaps) out.push_back(c);
      }
      std::sort(out.begin() + first_kept, out.end(),
                [](const Span& a, const Span& b) { return a.begin < b.begin; });
    }
    i = j;
  }
  s.swap(out);
}

std::size_t LabelShapeLength(std::string_view t) {
  if (t.empty() || t[0] != '[') return 0;
  std::size_t p = 1;
  while (p < t.size() && t[p] == '~') ++p;
  if (p >= t.size() || !IsUpper(t[p])) return 0;
  std::size_t body = p;
  while (p < t.size() && (IsUpper(t[p]) || IsDigit(t[p]) || t[p] == '_') && p - body < 48) ++p;
  if (p >= t.size() || t[p] != ']') return 0;
  // The body must end in '_' + digits.
  // The body is PREFIX '_' DIGITS with a 1-31 character prefix and 1-9 digits, as in the trigger.
  std::size_t q = p;
  while (q > body && IsDigit(t[q - 1])) --q;
  if (q == p || p - q > 9 || q - body < 2 || t[q - 1] != '_') return 0;
  std::size_t prefix_len = q - 1 - body;
  if (prefix_len < 1 || prefix_len > 31) return 0;
  return p + 1;
}

bool ParseLabelShape(std::string_view text, int* tildes) {
  if (LabelShapeLength(text) != text.size() || text.empty()) return false;
  int n = 0;
  while (static_cast<std::size_t>(n + 1) < text.size() && text[n + 1] == '~') ++n;
  *tildes = n;
  return true;
}

bool LuhnValid(std::string_view digits) {
  int sum = 0;
  bool twice = false;
  for (std::size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (d < 0 || d > 9) return false;
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return !digits.empty() && sum % 10 == 0;
}

bool CardIssuerAndLengthValid(std::string_view d) {
  std::size_t n = d.size();
  auto prefix = [&](std::size_t len) {
    int v = 0;
    for (std::size_t i = 0; i < len && i < n; ++i) v = v * 10 + (d[i] - '0');
    return v;
  };
  int p1 = prefix(1), p2 = prefix(2), p3 = prefix(3), p4 = prefix(4), p6 = prefix(6);
  if (p1 == 4) return n == 13 || n == 16 || n == 19;                         // Visa
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n == 16;  // Mastercard
  if (p2 == 34 || p2 == 37) return n == 15;                                  // American Express
  if (p4 >= 2200 && p4 <= 2204) return n >= 16 && n <= 19;                   // Mir
  if (p4 == 6011 || (p3 >= 644 && p3 <= 649) || p2 == 65 || (p6 >= 622126 && p6 <= 622925))
    return n >= 16 && n <= 19;                                                                  // Discover
  if (p2 == 62) return n >= 16 && n <= 19;                                                      // UnionPay
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19;                                      // JCB
  if ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39) return n == 14 || n == 16;  // Diners
  if (p4 == 5018 || p4 == 5020 || p4 == 5038 || p4 == 5893 || p4 == 6304 || p4 == 6759 ||
      (p4 >= 6761 && p4 <= 6763))
    return n >= 13 && n <= 19;  // Maestro
  return false;
}

}  // namespace awoooi::privacy::internal
