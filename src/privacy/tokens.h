// Vendor credentials: the API keys and tokens of cloud, AI, payment, messaging, monitoring and
// package-registry services, recognised by their public formats.
//
// Three families:
// - TokenFormats(): a literal prefix and a body from one alphabet with a length range
//   ("npm_" + 36 alphanumerics, "dop_v1_" + 64 lower-case hex digits, ...), plus an optional
//   structural check. One Vectorscan trigger each: the literal prefix, so a token reports exactly
//   one end offset and the database stays cheap to compile.
// - NamedSettings(): services whose keys have no prefix (a Datadog API key is 32 hex digits); they
//   are recognised by the setting that holds them ("DD_API_KEY=", "AccountKey=") and by the shape
//   the service gives them, so "routing_key=orders.created" (RabbitMQ) is not a PagerDuty key. The
//   key=value extractor consults them.
// - the formats with more structure than a prefix (webhook URLs, Telegram and Discord bot
//   tokens, Azure secrets, Sentry DSNs, ...), each with its own trigger in detectors.h and its own
//   extractor here (ExtractVendorSpecial).
// Every extractor checks both boundaries and rejects bodies that are not random-looking
// (placeholders such as "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx").
//
// Thread-safety: pure functions over immutable tables.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "privacy/detectors.h"

namespace awoooi::privacy::internal {

enum class TokenBody : std::uint8_t {
  kAlnum,        // [A-Za-z0-9]
  kLowerAlnum,   // [a-z0-9]
  kUpperAlnum,   // [A-Z0-9]
  kLetters,      // [A-Za-z]
  kLowerHex,     // [0-9a-f]
  kHex,          // [0-9A-Fa-f]
  kB64Url,       // [A-Za-z0-9_-]
  kB64UrlDot,    // [A-Za-z0-9_.-]
  kB64UrlEq,     // [A-Za-z0-9_=-]
  kB64,          // [A-Za-z0-9+/], then up to two '='
  kB64Under,     // [A-Za-z0-9+/_], then up to two '='
  kAlnumDash,    // [A-Za-z0-9-]
  kAlnumUnder,   // [A-Za-z0-9_]
  kHexDash,      // [0-9a-f-]
  kBech32Upper,  // the bech32 alphabet, upper case
  kUpperAlnumDot,
};

enum class TokenCheck : std::uint8_t {
  kNone,
  kMixedCase,     // upper- and lower-case letters (Hugging Face)
  kOpenAiLegacy,  // "T3BlbkFJ" (base64 of "OpenAI") in the middle
  kSeparatorAt,   // body[separator_at] == separator, and no other separator
  kUuid,          // 8-4-4-4-12 hex
};

struct TokenFormat {
  std::uint16_t kind;
  std::string_view prefix;  // literal, case-sensitive
  TokenBody body;
  std::uint16_t min_body;
  std::uint16_t max_body;
  TokenCheck check = TokenCheck::kNone;
  std::uint8_t separator_at = 0;
  char separator = 0;
  // Short or word-like prefixes ("AC", "SK", "key-") also refuse '-', '_' and '.' before them, so
  // "cache-key-<md5>" is not a Mailgun key.
  bool strict_left = false;
};
const std::vector<TokenFormat>& TokenFormats();
// The Vectorscan trigger of a format: the escaped prefix (and, for prefixes of three characters or
// fewer, one body character): a literal, cheap to compile and to match.
std::string TokenTriggerRegex(const TokenFormat& format);
// `end` is the trigger's end offset.
bool ExtractToken(const TokenFormat& format, std::string_view w, std::size_t end, Span* span);

enum class SettingShape : std::uint8_t {
  kHex32,      // Datadog API key, Twilio auth token, PagerDuty integration keys
  kHex40,      // Datadog application key
  kPagerDuty,  // a 20-character REST API token or a 32-hex integration key
  kHeroku,     // a UUID or an HRKU- key
  kBase64Key,  // Azure account and shared access keys: 40+ base64 characters
};
struct NamedSetting {
  std::uint16_t kind;
  std::vector<std::string_view> names;  // letters and digits only, lower case ("ddapikey")
  SettingShape shape;
  // A value of another shape is no secret at all ("routing_key=orders.created"); otherwise it is
  // still an ordinary key=value secret.
  bool shape_only = false;
  bool whole = false;  // the name must be the setting's entire name
};
const std::vector<NamedSetting>& NamedSettings();
// The service whose keys a setting named `name` holds, or nullptr. Called by the key=value
// extractor, whose trigger fires on these names too.
const NamedSetting* FindNamedSetting(std::string_view name);
bool SettingValueMatches(const NamedSetting& setting, std::string_view value);

// The structured vendor formats, for trigger ids kTrigDiscordWebhook .. kTrigTerraformCloud; `end`
// is the end of the literal trigger.
bool ExtractVendorSpecial(std::uint32_t trigger_id, std::string_view w, std::size_t end, Span* span);
// A Discord bot token around the two dots at `first_dot` and `first_dot + 7` (from ScanShapes):
// base64 of a 17-20 digit user id, a 6-character timestamp, a 27-38 character signature.
bool ExtractDiscordBotToken(std::string_view w, std::size_t first_dot, Span* span);

}  // namespace awoooi::privacy::internal
