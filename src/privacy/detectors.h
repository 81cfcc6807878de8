// Detectors: the Vectorscan patterns the shield compiles and the code that turns a pattern's end
// offset into a validated span.
//
// The patterns are triggers, not definitions: they are compiled without start-of-match tracking
// (5-10x faster on this hardware, see NOTES.md), are bounded so that one real value reports one
// or a few end offsets, and are anchored on rare features. Each trigger's extractor walks from the
// reported end offset to the value's true extent inside the scanned window, checks boundaries and
// validates the value (octet ranges, Luhn plus an issuer table, JWT header JSON, ...). Every walk
// is bounded, so a pathological input costs linear time.
//
// Thread-safety: pure functions over immutable tables.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace awoooi::privacy::internal {

// What a span is. The first kCustomKindBase values are the built-in kinds; custom patterns use
// kCustomKindBase + index; kLabelKind marks label-shaped text ([IP_1], [~IP_1]) for escaping.
enum BuiltinKind : std::uint16_t {
  kIpv4,
  kIpv6,
  kEmail,
  kUuid,
  kJwt,
  kAwsAccessKey,
  kAwsSecretKey,
  kGithubToken,
  kSlackToken,
  kSlackWebhook,
  kBearerToken,
  kAuthorization,
  kSecret,
  kPrivateKey,
  kCard,
  kUrlPassword,
  kConnectionStringPassword,
  // Cloud.
  kGcpApiKey,
  kGcpOauthClientSecret,
  kGoogleOauthToken,
  kAzureStorageKey,
  kAzureSharedAccessKey,
  kAzureSasSignature,
  kAzureClientSecret,
  kAzureIdentifiableKey,
  kDigitalOceanToken,
  kAlibabaAccessKey,
  kHerokuApiKey,
  // AI.
  kOpenAiApiKey,
  kAnthropicApiKey,
  kHuggingFaceToken,
  kGroqApiKey,
  kReplicateToken,
  kPerplexityApiKey,
  kXaiApiKey,
  kOpenRouterApiKey,
  kLangSmithApiKey,
  // Payment.
  kStripeKey,
  kStripeWebhookSecret,
  kSquareToken,
  kPlaidAccessToken,
  // Messaging.
  kTwilioAccountSid,
  kTwilioApiKey,
  kTwilioAuthToken,
  kSendGridApiKey,
  kMailgunApiKey,
  kMailchimpApiKey,
  kBrevoApiKey,
  kDiscordWebhook,
  kDiscordBotToken,
  kTelegramBotToken,
  kTeamsWebhook,
  // Monitoring.
  kDatadogApiKey,
  kDatadogAppKey,
  kNewRelicKey,
  kGrafanaToken,
  kSentryDsn,
  kSentryToken,
  kPagerDutyKey,
  kDynatraceToken,
  // Package registries.
  kNpmToken,
  kPypiToken,
  kRubyGemsToken,
  kDockerHubToken,
  kJfrogToken,
  // Developer platforms and infrastructure.
  kGitlabToken,
  kShopifyToken,
  kVaultToken,
  kTerraformCloudToken,
  kDopplerToken,
  kDatabricksToken,
  kPulumiToken,
  kAtlassianToken,
  kLinearApiKey,
  kPostmanApiKey,
  kTailscaleKey,
  kSupabaseKey,
  kOpenShiftToken,
  kSonarToken,
  kBuildkiteToken,
  kFlyIoToken,
  kAgeSecretKey,
  kOnePasswordToken,
  kNuGetApiKey,
  // Credentials in HTTP headers and on command lines.
  kCookie,
  kBuiltinKindCount,
};
inline constexpr std::uint16_t kLabelKind = 0xFFFF;
inline constexpr std::uint16_t kCustomKindBase = 256;
static_assert(kBuiltinKindCount <= kCustomKindBase);

struct KindInfo {
  std::string_view name;          // stable identifier, e.g. "ipv4"
  std::string_view label_prefix;  // e.g. "IP"
  int priority;                   // breaks ties between equally long overlapping spans
};
const KindInfo& BuiltinKindInfo(std::uint16_t kind);

// Trigger ids; the order matches BuiltinTriggers().
enum TriggerId : std::uint32_t {
  kTrigIpv4,
  kTrigIpv6Full,
  kTrigIpv6Compressed,
  kTrigAt,  // every '@': an e-mail address, or the userinfo of a URL (url_password, sentry_dsn)
  kTrigUuid,
  kTrigJwt,
  kTrigSlackWebhook,
  kTrigBearer,
  kTrigAuthorization,
  kTrigSecretKeyValue,
  kTrigPasswordKeyValue,
  kTrigPrivateKey,
  kTrigCardPlain,
  kTrigCardGrouped,
  kTrigCardAmexDiners,
  kTrigLabel,
  // Encodings of the shapes above.
  kTrigEmailUrlEncoded,
  kTrigEmailJsonEscaped,
  // Settings whose only marker is their name.
  kTrigPassSuffixKeyValue,
  kTrigPwdKeyValue,
  // Vendor formats with more structure than a prefix (tokens.cc).
  kTrigDiscordWebhook,
  kTrigDiscordBot,
  kTrigTeamsWebhook,
  kTrigTelegramBot,
  kTrigAzureClientSecret,
  kTrigAzureStorageSignature,
  kTrigAzureIdentifiable,
  kTrigAzureSas,
  kTrigMailchimp,
  kTrigNewRelicLicense,
  kTrigTerraformCloud,
  // Encodings and places added later: HTML entities and double URL encoding of '@', cookies,
  // "user:password" options (curl -u) and the password options of sshpass and the MySQL clients.
  kTrigEmailEncodedMore,
  kTrigCookie,
  kTrigUserPassOption,
  kTrigPasswordCommand,
  // Credentials stored base64-encoded: kubeconfig keys, Docker registry auth.
  kTrigEncodedCredential,
  // An AWS access key id with its secret key after it ("AKIA…:wJalr…").
  kTrigAwsKeyPair,
  // Then one trigger per prefixed token format (TokenFormats()).
  kTrigFixedCount,
};

// One trigger. Most run in the Vectorscan database; the few whose shapes are made only of
// character classes (digits, hex) and have no rare literal to anchor on would dominate its cost,
// so ScanShapes finds them with bit-parallel masks instead (`vectorscan` false). The regex still
// documents the shape and drives the std::regex baseline benchmark.
struct Trigger {
  std::string regex;
  unsigned flags;  // HS_FLAG_* besides the defaults
  bool vectorscan = true;
};
// Trigger ids are indexes into this list.
const std::vector<Trigger>& BuiltinTriggers();

struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::uint16_t kind = 0;
  int priority = 0;
  // A conditional span: the value was exempted only because of the text in [exempt_by, begin)
  // (a "version" word before a dotted quad). It becomes a finding if that text is itself part of
  // a finding, because redaction replaces it and redacting the output again would then see a
  // bare address. SIZE_MAX for ordinary spans.
  std::size_t exempt_by = static_cast<std::size_t>(-1);
};

// A candidate end offset for trigger `id`, from ScanShapes.
struct ShapeHit {
  std::uint32_t id;
  std::size_t end;
};
// Finds candidates for the non-Vectorscan triggers (IPv4, IPv6, e-mail, UUID, card numbers, Discord
// bot tokens, whose "end" is the position of their first dot) in
// one pass of SIMD character-class masks; the extractors validate them like any other hit.
void ScanShapes(std::string_view window, std::vector<ShapeHit>* hits);

// Longest value any extractor can produce; the streaming window keeps at least this much
// look-ahead so a value is never split.
inline constexpr std::size_t kMaxSpan = 20 * 1024;
// How far before a span the extractors may look (boundaries, "version" words, "://").
inline constexpr std::size_t kMaxLookBehind = 512;

// Turns the trigger `trigger_id` reported at end offset `end` of `window` into a validated span.
// Returns false for a false candidate.
bool ExtractSpan(std::uint32_t trigger_id, std::string_view window, std::size_t end, Span* span);

// Text order: by start, then longer first, then higher priority first.
bool SpanOrder(const Span& a, const Span& b);
// Sorts [first, last) in text order; nearly linear when the input is nearly sorted.
void SortSpans(std::vector<Span>::iterator first, std::vector<Span>::iterator last);

// Resolves overlaps in place: the longest span wins, then the higher priority, then the earlier.
// Input in any order; output sorted and non-overlapping.
void ResolveOverlaps(std::vector<Span>* spans);

// Label-shaped text: '[' '~'* [A-Z][A-Z0-9_]* '_' [0-9]+ ']'. Returns the number of '~'.
bool ParseLabelShape(std::string_view text, int* tildes);
// Length of the label-shaped run starting at text[0] (which must be '['), or 0.
std::size_t LabelShapeLength(std::string_view text);

// Exposed for tests.
bool LuhnValid(std::string_view digits);
bool CardIssuerAndLengthValid(std::string_view digits);

}  // namespace awoooi::privacy::internal
