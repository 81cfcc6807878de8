#include "privacy/tokens.h"

#include <algorithm>
#include <array>
#include <string>

#include "privacy/detector_text.h"

namespace awoooi::privacy::internal {
namespace {

using B = TokenBody;
using C = TokenCheck;

// Formats as the services publish them (documentation, token announcements); prefixes are
// case-sensitive, lengths are those of the body after the prefix.
const std::vector<TokenFormat>& Formats() {
  static const std::vector<TokenFormat> formats = {
      // AWS access key ids, GitHub and Slack tokens (kinds older than the rest).
      {kAwsAccessKey, "AKIA", B::kUpperAlnum, 16, 16},
      {kAwsAccessKey, "ASIA", B::kUpperAlnum, 16, 16},
      {kAwsAccessKey, "AGPA", B::kUpperAlnum, 16, 16},
      {kAwsAccessKey, "AIDA", B::kUpperAlnum, 16, 16},
      {kAwsAccessKey, "AROA", B::kUpperAlnum, 16, 16},
      {kAwsAccessKey, "AIPA", B::kUpperAlnum, 16, 16},
      {kAwsAccessKey, "ANPA", B::kUpperAlnum, 16, 16},
      {kAwsAccessKey, "ANVA", B::kUpperAlnum, 16, 16},
      {kAwsAccessKey, "ABIA", B::kUpperAlnum, 16, 16},
      {kAwsAccessKey, "ACCA", B::kUpperAlnum, 16, 16},
      {kAwsAccessKey, "A3T", B::kUpperAlnum, 17, 17},
      {kGithubToken, "ghp_", B::kAlnum, 36, 251},
      {kGithubToken, "gho_", B::kAlnum, 36, 251},
      {kGithubToken, "ghu_", B::kAlnum, 36, 251},
      {kGithubToken, "ghs_", B::kAlnum, 36, 251},
      {kGithubToken, "ghr_", B::kAlnum, 36, 251},
      {kGithubToken, "github_pat_", B::kAlnumUnder, 29, 245},
      {kSlackToken, "xoxa-", B::kAlnumDash, 10, 251},
      {kSlackToken, "xoxb-", B::kAlnumDash, 10, 251},
      {kSlackToken, "xoxp-", B::kAlnumDash, 10, 251},
      {kSlackToken, "xoxo-", B::kAlnumDash, 10, 251},
      {kSlackToken, "xoxs-", B::kAlnumDash, 10, 251},
      {kSlackToken, "xoxr-", B::kAlnumDash, 10, 251},
      {kSlackToken, "xoxe-", B::kAlnumDash, 10, 251},
      {kSlackToken, "xapp-", B::kAlnumDash, 10, 251},
      // Cloud.
      {kGcpApiKey, "AIza", B::kB64Url, 35, 35},
      {kGcpOauthClientSecret, "GOCSPX-", B::kB64Url, 28, 28},
      {kGoogleOauthToken, "ya29.", B::kB64UrlDot, 30, 2048},
      {kDigitalOceanToken, "dop_v1_", B::kLowerHex, 64, 64},
      {kDigitalOceanToken, "doo_v1_", B::kLowerHex, 64, 64},
      {kDigitalOceanToken, "dor_v1_", B::kLowerHex, 64, 64},
      {kAlibabaAccessKey, "LTAI", B::kAlnum, 12, 20, C::kNone, 0, 0, true},
      {kHerokuApiKey, "HRKU-", B::kB64Url, 60, 60},
      // AI.
      {kOpenAiApiKey, "sk-proj-", B::kB64Url, 40, 300},
      {kOpenAiApiKey, "sk-svcacct-", B::kB64Url, 40, 300},
      {kOpenAiApiKey, "sk-admin-", B::kB64Url, 40, 300},
      {kOpenAiApiKey, "sk-None-", B::kB64Url, 40, 300},
      {kOpenAiApiKey, "sk-", B::kAlnum, 48, 48, C::kOpenAiLegacy},
      {kAnthropicApiKey, "sk-ant-api03-", B::kB64Url, 80, 120},
      {kAnthropicApiKey, "sk-ant-admin01-", B::kB64Url, 80, 120},
      {kAnthropicApiKey, "sk-ant-oat01-", B::kB64Url, 80, 120},
      {kHuggingFaceToken, "hf_", B::kLetters, 34, 34, C::kMixedCase},
      {kHuggingFaceToken, "api_org_", B::kLetters, 34, 34, C::kMixedCase},
      {kGroqApiKey, "gsk_", B::kAlnum, 52, 52},
      {kReplicateToken, "r8_", B::kAlnum, 37, 37, C::kNone, 0, 0, true},
      {kPerplexityApiKey, "pplx-", B::kAlnum, 48, 48},
      {kXaiApiKey, "xai-", B::kAlnum, 80, 80},
      {kOpenRouterApiKey, "sk-or-v1-", B::kLowerHex, 64, 64},
      {kLangSmithApiKey, "lsv2_pt_", B::kAlnumUnder, 43, 43, C::kSeparatorAt, 32, '_'},
      {kLangSmithApiKey, "lsv2_sk_", B::kAlnumUnder, 43, 43, C::kSeparatorAt, 32, '_'},
      // Payment.
      {kStripeKey, "sk_live_", B::kAlnum, 24, 247},
      {kStripeKey, "sk_test_", B::kAlnum, 24, 247},
      {kStripeKey, "rk_live_", B::kAlnum, 24, 247},
      {kStripeKey, "rk_test_", B::kAlnum, 24, 247},
      {kStripeWebhookSecret, "whsec_", B::kB64, 32, 100},
      {kSquareToken, "sq0atp-", B::kB64Url, 22, 22},
      {kSquareToken, "sq0csp-", B::kB64Url, 43, 43},
      {kSquareToken, "EAAA", B::kB64Url, 60, 60, C::kNone, 0, 0, true},
      {kPlaidAccessToken, "access-production-", B::kHexDash, 36, 36, C::kUuid},
      {kPlaidAccessToken, "access-development-", B::kHexDash, 36, 36, C::kUuid},
      {kPlaidAccessToken, "access-sandbox-", B::kHexDash, 36, 36, C::kUuid},
      // Messaging.
      {kTwilioAccountSid, "AC", B::kLowerHex, 32, 32, C::kNone, 0, 0, true},
      {kTwilioApiKey, "SK", B::kLowerHex, 32, 32, C::kNone, 0, 0, true},
      {kSendGridApiKey, "SG.", B::kB64UrlDot, 66, 66, C::kSeparatorAt, 22, '.'},
      {kMailgunApiKey, "key-", B::kLowerHex, 32, 32, C::kNone, 0, 0, true},
      {kBrevoApiKey, "xkeysib-", B::kAlnumDash, 81, 81, C::kSeparatorAt, 64, '-'},
      // Monitoring.
      {kNewRelicKey, "NRAK-", B::kUpperAlnum, 27, 27},
      {kNewRelicKey, "NRII-", B::kB64Url, 32, 32},
      {kNewRelicKey, "NRIQ-", B::kB64Url, 32, 32},
      {kNewRelicKey, "NRJS-", B::kLowerHex, 19, 19},
      {kGrafanaToken, "glc_", B::kB64, 32, 400},
      {kGrafanaToken, "glsa_", B::kAlnumUnder, 41, 41, C::kSeparatorAt, 32, '_'},
      {kGrafanaToken, "eyJrIjoi", B::kB64, 70, 400},
      {kSentryToken, "sntrys_", B::kB64Under, 80, 600},
      {kSentryToken, "sntryu_", B::kLowerHex, 64, 64},
      {kDynatraceToken, "dt0c01.", B::kUpperAlnumDot, 89, 89, C::kSeparatorAt, 24, '.'},
      // Package registries.
      {kNpmToken, "npm_", B::kAlnum, 36, 36},
      {kPypiToken, "pypi-AgEIcHlwaS5vcmc", B::kB64Url, 50, 1000},
      {kPypiToken, "pypi-AgENdGVzdC5weXBpLm9yZw", B::kB64Url, 50, 1000},
      {kRubyGemsToken, "rubygems_", B::kLowerHex, 48, 48},
      {kDockerHubToken, "dckr_pat_", B::kB64Url, 27, 27},
      {kDockerHubToken, "dckr_oat_", B::kB64Url, 27, 32},
      {kJfrogToken, "AKCp", B::kAlnum, 69, 69, C::kNone, 0, 0, true},
      {kJfrogToken, "cmVmd", B::kAlnum, 59, 59, C::kNone, 0, 0, true},
      // Developer platforms and infrastructure.
      {kGitlabToken, "glpat-", B::kB64UrlDot, 20, 300},
      {kGitlabToken, "gldt-", B::kB64UrlDot, 20, 300},
      {kGitlabToken, "glrt-", B::kB64UrlDot, 20, 300},
      {kGitlabToken, "glptt-", B::kB64UrlDot, 20, 300},
      {kGitlabToken, "glsoat-", B::kB64UrlDot, 20, 300},
      {kGitlabToken, "glcbt-", B::kB64UrlDot, 20, 300},
      {kGitlabToken, "glffct-", B::kB64UrlDot, 20, 300},
      {kGitlabToken, "glft-", B::kB64UrlDot, 20, 300},
      {kGitlabToken, "glimt-", B::kB64UrlDot, 25, 300},
      {kGitlabToken, "glagent-", B::kB64UrlDot, 50, 300},
      {kGitlabToken, "gloas-", B::kB64UrlDot, 64, 300},
      {kGitlabToken, "GR1348941", B::kB64Url, 20, 20},
      {kShopifyToken, "shpat_", B::kHex, 32, 32},
      {kShopifyToken, "shpca_", B::kHex, 32, 32},
      {kShopifyToken, "shppa_", B::kHex, 32, 32},
      {kShopifyToken, "shpss_", B::kHex, 32, 32},
      {kVaultToken, "hvs.", B::kB64Url, 24, 300},
      {kVaultToken, "hvb.", B::kB64Url, 100, 400},
      {kVaultToken, "hvr.", B::kB64Url, 24, 300},
      {kDopplerToken, "dp.pt.", B::kAlnum, 43, 43},
      {kDopplerToken, "dp.st.", B::kB64UrlDot, 43, 120},
      {kDopplerToken, "dp.sa.", B::kAlnum, 43, 43},
      {kDopplerToken, "dp.ct.", B::kAlnum, 43, 43},
      {kDopplerToken, "dp.scim.", B::kAlnum, 43, 43},
      {kDopplerToken, "dp.audit.", B::kAlnum, 43, 43},
      {kDatabricksToken, "dapi", B::kLowerHex, 32, 32, C::kNone, 0, 0, true},
      {kPulumiToken, "pul-", B::kLowerHex, 40, 40},
      {kAtlassianToken, "ATATT3", B::kB64UrlEq, 150, 250},
      {kLinearApiKey, "lin_api_", B::kAlnum, 40, 40},
      {kPostmanApiKey, "PMAK-", B::kHexDash, 59, 59, C::kSeparatorAt, 24, '-'},
      {kTailscaleKey, "tskey-", B::kAlnumDash, 30, 120},
      {kSupabaseKey, "sbp_", B::kLowerHex, 40, 40},
      {kSupabaseKey, "sb_secret_", B::kB64Url, 30, 60},
      {kOpenShiftToken, "sha256~", B::kB64Url, 43, 43},
      {kSonarToken, "squ_", B::kLowerHex, 40, 40},
      {kSonarToken, "sqp_", B::kLowerHex, 40, 40},
      {kSonarToken, "sqa_", B::kLowerHex, 40, 40},
      {kBuildkiteToken, "bkua_", B::kLowerHex, 40, 40},
      {kFlyIoToken, "fo1_", B::kB64Url, 43, 43},
      {kFlyIoToken, "fm2_", B::kB64, 100, 4000},
      {kAgeSecretKey, "AGE-SECRET-KEY-1", B::kBech32Upper, 58, 58},
      {kOnePasswordToken, "ops_eyJ", B::kB64, 250, 4000},
      {kNuGetApiKey, "oy2", B::kLowerAlnum, 43, 43},
  };
  return formats;
}

bool InBodySlow(TokenBody body, char c) {
  switch (body) {
    case B::kAlnum:
      return IsAlnum(c);
    case B::kLowerAlnum:
      return IsLower(c) || IsDigit(c);
    case B::kUpperAlnum:
      return IsUpper(c) || IsDigit(c);
    case B::kLetters:
      return IsAlpha(c);
    case B::kLowerHex:
      return IsLowerHex(c);
    case B::kHex:
      return IsHex(c);
    case B::kB64Url:
      return IsB64Url(c);
    case B::kB64UrlDot:
      return IsB64Url(c) || c == '.';
    case B::kB64UrlEq:
      return IsB64Url(c) || c == '=';
    case B::kB64:
      return IsB64(c);
    case B::kB64Under:
      return IsB64(c) || c == '_';
    case B::kAlnumDash:
      return IsAlnum(c) || c == '-';
    case B::kAlnumUnder:
      return IsWord(c);
    case B::kHexDash:
      return IsLowerHex(c) || c == '-';
    case B::kBech32Upper:
      return (IsUpper(c) || IsDigit(c)) && c != '1' && c != 'B' && c != 'I' && c != 'O';
    case B::kUpperAlnumDot:
      return IsUpper(c) || IsDigit(c) || c == '.';
  }
  return false;
}

constexpr std::size_t kBodyKinds = static_cast<std::size_t>(B::kUpperAlnumDot) + 1;

// One 256-entry table per body alphabet: a body character costs one load, not a switch.
const std::array<std::array<bool, 256>, kBodyKinds>& BodyTables() {
  static const auto tables = [] {
    std::array<std::array<bool, 256>, kBodyKinds> t{};
    for (std::size_t b = 0; b < kBodyKinds; ++b) {
      for (int c = 0; c < 256; ++c) t[b][c] = InBodySlow(static_cast<TokenBody>(b), static_cast<char>(c));
    }
    return t;
  }();
  return tables;
}

inline bool InBody(const std::array<bool, 256>& table, char c) {
  return table[static_cast<unsigned char>(c)];
}

std::string_view BodyClass(TokenBody body) {
  switch (body) {
    case B::kAlnum:
      return "[A-Za-z0-9]";
    case B::kLowerAlnum:
      return "[a-z0-9]";
    case B::kUpperAlnum:
      return "[A-Z0-9]";
    case B::kLetters:
      return "[A-Za-z]";
    case B::kLowerHex:
      return "[0-9a-f]";
    case B::kHex:
      return "[0-9A-Fa-f]";
    case B::kB64Url:
      return "[A-Za-z0-9_-]";
    case B::kB64UrlDot:
      return "[A-Za-z0-9_.-]";
    case B::kB64UrlEq:
      return "[A-Za-z0-9_=-]";
    case B::kB64:
      return "[A-Za-z0-9+/]";
    case B::kB64Under:
      return "[A-Za-z0-9+/_]";
    case B::kAlnumDash:
      return "[A-Za-z0-9-]";
    case B::kAlnumUnder:
      return "[A-Za-z0-9_]";
    case B::kHexDash:
      return "[0-9a-f-]";
    case B::kBech32Upper:
      return "[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]";
    case B::kUpperAlnumDot:
      return "[A-Z0-9.]";
  }
  return "";
}

bool IsUuidText(std::string_view v) {
  if (v.size() != 36) return false;
  for (std::size_t i = 0; i < 36; ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? v[i] != '-' : !IsHex(v[i])) return false;
  }
  return true;
}

bool CheckBody(const TokenFormat& f, std::string_view body) {
  switch (f.check) {
    case C::kNone:
      return true;
    case C::kMixedCase:
      return std::any_of(body.begin(), body.end(), IsUpper) && std::any_of(body.begin(), body.end(), IsLower);
    case C::kOpenAiLegacy:
      return body.size() == 48 && body.substr(20, 8) == "T3BlbkFJ";
    case C::kSeparatorAt:
      return body.size() > f.separator_at && body[f.separator_at] == f.separator &&
             std::count(body.begin(), body.end(), f.separator) == 1;
    case C::kUuid:
      return IsUuidText(body);
  }
  return false;
}

// Shape checks for NamedSettings.
bool AllHex(std::string_view v) { return !v.empty() && std::all_of(v.begin(), v.end(), IsHex); }

bool ShapeMatches(SettingShape shape, std::string_view v) {
  switch (shape) {
    case SettingShape::kHex32:
      return v.size() == 32 && AllHex(v);
    case SettingShape::kHex40:
      return v.size() == 40 && AllHex(v);
    case SettingShape::kPagerDuty:
      if (v.size() == 32 && AllHex(v)) return true;
      return v.size() == 20 &&
             std::all_of(v.begin(), v.end(), [](char c) { return IsB64Url(c) || c == '+'; }) &&
             std::any_of(v.begin(), v.end(), IsDigit) && std::any_of(v.begin(), v.end(), IsAlpha);
    case SettingShape::kHeroku:
      return IsUuidText(v) ||
             (v.size() == 65 && v.substr(0, 5) == "HRKU-" && std::all_of(v.begin() + 5, v.end(), IsB64Url));
    case SettingShape::kBase64Key: {
      std::size_t n = v.size();
      std::size_t pad = 0;
      while (pad < 2 && n > pad && v[n - 1 - pad] == '=') ++pad;
      std::string_view body = v.substr(0, n - pad);
      return body.size() >= 40 && std::all_of(body.begin(), body.end(), IsB64) && LooksRandom(body);
    }
  }
  return false;
}

// The start of a URL around `pos`: walks back over host characters to "scheme://" (or the
// JSON-escaped ":\/\/"), at most `limit` bytes. npos when there is none.
std::size_t UrlStartBefore(std::string_view w, std::size_t pos, std::size_t limit) {
  std::size_t floor = pos > limit ? pos - limit : 0;
  for (std::size_t p = pos; p > floor + 2; --p) {
    if (w[p - 1] == '/' && w[p - 2] == '/' && w[p - 3] == ':') {
      std::size_t s = p - 3;
      while (s > 0 && pos - s < limit && IsAlpha(w[s - 1])) --s;
      return s;
    }
    if (p >= floor + 5 && w[p - 1] == '/' && w[p - 2] == '\\' && w[p - 3] == '/' && w[p - 4] == '\\' &&
        w[p - 5] == ':') {
      std::size_t s = p - 5;
      while (s > 0 && pos - s < limit && IsAlpha(w[s - 1])) --s;
      return s;
    }
    char c = w[p - 1];
    if (!(IsAlnum(c) || c == '.' || c == '-' || c == '/' || c == '\\')) break;
  }
  return std::string_view::npos;
}

// From the host ("discord.com", "discordapp.com", also "ptb."/"canary." subdomains): the path must be
// /api/(vN/)webhooks/<17-20 digit id>/<token>, slashes plain or JSON-escaped.
bool ExtractDiscordWebhook(std::string_view w, std::size_t end, Span* span) {
  std::size_t host = HasAt(w, end - std::min<std::size_t>(end, 14), "discordapp.com") ? end - 14 : end - 11;
  std::size_t p = end;
  auto slash = [&]() {
    if (At(w, p) == '\\') ++p;
    if (At(w, p) != '/') return false;
    ++p;
    return true;
  };
  if (!slash() || !HasAt(w, p, "api")) return false;
  p += 3;
  if (!slash()) return false;
  if (At(w, p) == 'v' && IsDigit(At(w, p + 1))) {
    p += 2;
    if (IsDigit(At(w, p))) ++p;
    if (!slash()) return false;
  }
  if (!HasAt(w, p, "webhooks")) return false;
  p += 8;
  if (!slash()) return false;
  std::size_t id = p;
  while (p < w.size() && p - id < 21 && IsDigit(w[p])) ++p;
  if (p - id < 17 || p - id > 20 || !slash()) return false;
  std::size_t token = p;
  while (p < w.size() && p - token < 128 && IsB64Url(w[p])) ++p;
  if (p - token < 16) return false;
  std::size_t b = UrlStartBefore(w, host, 40);
  if (b == std::string_view::npos) {
    b = host;
    while (b > 0 && host - b < 8 && (IsLower(w[b - 1]) || w[b - 1] == '.')) --b;  // "ptb."
    if (IsAlnum(Before(w, b))) return false;
  }
  *span = MakeSpan(b, p, kDiscordWebhook);
  return true;
}

// From ".webhook.office.com": "/webhookb2/" must follow, and "IncomingWebhook" in the URL.
bool ExtractTeamsWebhook(std::string_view w, std::size_t end, Span* span) {
  std::size_t p = end;
  if (At(w, p) == '\\') ++p;
  if (At(w, p) != '/' || !HasAt(w, p + 1, "webhookb2")) return false;
  std::size_t b = UrlStartBefore(w, end - 19, 120);
  if (b == std::string_view::npos) return false;
  std::size_t e = end;
  auto allowed = [](char c) {
    return IsAlnum(c) || c == '/' || c == '\\' || c == '@' || c == '-' || c == '_';
  };
  while (e < w.size() && e - b < 512 && allowed(w[e])) ++e;
  while (e > end && (w[e - 1] == '\\' || w[e - 1] == '/')) --e;
  if (w.substr(b, e - b).find("IncomingWebhook") == std::string_view::npos) return false;
  *span = MakeSpan(b, e, kTeamsWebhook);
  return true;
}

// "123456789:AAH...": 8-10 digits (the bot id), ':', 35 base64url characters starting "AA".
bool ExtractTelegramBotToken(std::string_view w, std::size_t trigger_end, Span* span) {
  // The trigger is "<digit>:AA"; the token's secret part is "AA" and 33 more characters.
  std::size_t colon = trigger_end - 3;
  std::size_t end = trigger_end + 33;
  if (colon < 8 || end > w.size()) return false;
  for (std::size_t i = trigger_end; i < end; ++i) {
    if (!IsB64Url(w[i])) return false;
  }
  std::size_t b = colon;
  while (b > 0 && colon - b < 10 && IsDigit(w[b - 1])) --b;
  if (colon - b < 8 || IsDigit(Before(w, b))) return false;
  // In the Bot API URL the token follows "/bot": https://api.telegram.org/bot<token>/sendMessage.
  bool after_bot = b >= 4 && w.substr(b - 3, 3) == "bot" && (w[b - 4] == '/' || w[b - 4] == '\\');
  if (!after_bot && (IsAlnum(Before(w, b)) || Before(w, b) == '_')) return false;
  if (IsB64Url(At(w, end))) return false;
  if (!LooksRandom(w.substr(colon + 3, 33))) return false;
  *span = MakeSpan(b, end, kTelegramBotToken);
  return true;
}

// Microsoft Entra (Azure AD) client secrets: three characters, a digit, "Q~", 31-34 more.
bool ExtractAzureClientSecret(std::string_view w, std::size_t trigger_end, Span* span) {
  auto secret_char = [](char c) { return IsAlnum(c) || c == '_' || c == '~' || c == '.' || c == '-'; };
  // The trigger is "<digit>Q~"; 31 to 34 secret characters follow.
  std::size_t digit = trigger_end - 3;
  std::size_t end = trigger_end + 31;
  if (digit < 3 || end > w.size()) return false;
  for (std::size_t i = trigger_end; i < end; ++i) {
    if (!secret_char(w[i])) return false;
  }
  std::size_t b = digit - 3;
  for (std::size_t i = b; i < digit; ++i) {
    if (!secret_char(w[i]) || w[i] == '-') return false;
  }
  char before = Before(w, b);
  if (secret_char(before) || before == '+' || before == '/') return false;
  std::size_t e = end;
  while (e < w.size() && e - (digit + 3) < 34 && secret_char(w[e])) ++e;
  if (secret_char(At(w, e)) || At(w, e) == '+' || At(w, e) == '/') return false;
  if (!LooksRandom(w.substr(digit + 3, e - digit - 3))) return false;
  *span = MakeSpan(b, e, kAzureClientSecret);
  return true;
}

// Azure storage account keys of the identifiable format: 76 base64 characters, "+ASt", five
// more, one of [AQgw], "==" (88 in all).
bool ExtractAzureStorageSignature(std::string_view w, std::size_t trigger_end, Span* span) {
  // The trigger is "+ASt"; five base64 characters, one of [AQgw] and "==" follow.
  std::size_t end = trigger_end + 8;
  if (trigger_end < 80 || end > w.size()) return false;
  for (std::size_t i = trigger_end; i < trigger_end + 5; ++i) {
    if (!IsB64(w[i])) return false;
  }
  char q = w[trigger_end + 5];
  if ((q != 'A' && q != 'Q' && q != 'g' && q != 'w') || !HasAt(w, trigger_end + 6, "==")) return false;
  std::size_t b = end - 88;
  for (std::size_t i = b; i < end - 12; ++i) {
    if (!IsB64(w[i])) return false;
  }
  if (IsB64(Before(w, b)) || IsB64(At(w, end)) || At(w, end) == '=') return false;
  *span = MakeSpan(b, end, kAzureStorageKey);
  return true;
}

// Microsoft's common annotated security keys (Azure DevOps PATs, API Management, ...): 52
// alphanumerics, "JQQJ9", one of [9DH], then a fixed shape of 26 more (84), optionally 2 + "==".
bool ExtractAzureIdentifiable(std::string_view w, std::size_t trigger_end, Span* span) {
  // The trigger is "JQQJ9"; one of [9DH] follows.
  char v = At(w, trigger_end);
  if (v != '9' && v != 'D' && v != 'H') return false;
  std::size_t end = trigger_end + 1;
  if (end < 58) return false;
  std::size_t b = end - 58;
  for (std::size_t i = b; i < end - 6; ++i) {
    if (!IsAlnum(w[i])) return false;
  }
  if (IsAlnum(Before(w, b))) return false;
  std::size_t e = end;
  if (!IsAlnum(At(w, e))) return false;
  ++e;
  if (!(At(w, e) >= 'A' && At(w, e) <= 'L')) return false;
  ++e;
  for (int i = 0; i < 16; ++i, ++e) {
    if (!IsAlnum(At(w, e))) return false;
  }
  if (!IsAlpha(At(w, e))) return false;
  ++e;
  for (int i = 0; i < 7; ++i, ++e) {
    if (!IsAlnum(At(w, e))) return false;
  }
  if (IsAlnum(At(w, e)) && IsAlnum(At(w, e + 1)) && HasAt(w, e + 2, "==")) e += 4;
  if (IsAlnum(At(w, e))) return false;
  *span = MakeSpan(b, e, kAzureIdentifiableKey);
  return true;
}

// The signature of an Azure shared access signature ("...?sv=2022-11-02&se=...&sig=<base64>"):
// only in a query that also carries SAS fields, so a lone "sig=" is left alone.
bool ExtractAzureSas(std::string_view w, std::size_t end, Span* span) {
  std::size_t vb = end;  // the trigger ends with "sig="
  std::size_t ve = vb;
  while (ve < w.size() && ve - vb < 256 && (IsB64(w[ve]) || w[ve] == '%' || w[ve] == '=')) ++ve;
  if (ve - vb < 40) return false;
  // SAS fields in the same URL-like run (no blanks or quotes), before or after the signature.
  auto field_near = [&](std::size_t from, std::size_t to) {
    for (std::size_t p = from; p + 3 <= to; ++p) {
      if ((w[p] == 's' && (HasAt(w, p, "sv=") || HasAt(w, p, "se=") || HasAt(w, p, "sp=") ||
                           HasAt(w, p, "sr=") || HasAt(w, p, "skn="))) &&
          (p == 0 || w[p - 1] == '?' || w[p - 1] == '&' || w[p - 1] == ';' || w[p - 1] == ' ' ||
           w[p - 1] == '6'))  // "\u0026sv="
        return true;
    }
    return false;
  };
  std::size_t lo = vb;
  while (lo > 0 && vb - lo < 400 && !IsSpace(w[lo - 1]) && w[lo - 1] != '"' && w[lo - 1] != '\'') --lo;
  std::size_t hi = ve;
  while (hi < w.size() && hi - ve < 200 && !IsSpace(w[hi]) && w[hi] != '"' && w[hi] != '\'') ++hi;
  if (!field_near(lo, vb) && !field_near(ve, hi)) return false;
  *span = MakeSpan(vb, ve, kAzureSasSignature);
  return true;
}

// Mailchimp API keys: 32 hex digits, "-us", the datacenter number.
bool ExtractMailchimp(std::string_view w, std::size_t end, Span* span) {
  std::size_t dash = end - 4;
  if (end < 36 || w[dash] != '-') return false;
  std::size_t b = dash - 32;
  if (IsAlnum(Before(w, b)) || Before(w, b) == '-' || Before(w, b) == '_') return false;
  std::size_t e = end;
  if (IsDigit(At(w, e))) ++e;
  if (IsAlnum(At(w, e))) return false;
  *span = MakeSpan(b, e, kMailchimpApiKey);
  return true;
}

// New Relic license (ingest) keys: 36 hex digits then "NRAL".
bool ExtractNewRelicLicense(std::string_view w, std::size_t end, Span* span) {
  if (end < 40) return false;
  std::size_t b = end - 40;
  if (IsAlnum(Before(w, b)) || IsAlnum(At(w, end))) return false;
  *span = MakeSpan(b, end, kNewRelicKey);
  return true;
}

// Terraform Cloud / Enterprise API tokens: 14 alphanumerics, ".atlasv1.", 60-70 more.
bool ExtractTerraformCloud(std::string_view w, std::size_t end, Span* span) {
  std::size_t dot = end - 9;  // the trigger is ".atlasv1."
  if (dot < 14) return false;
  std::size_t b = dot - 14;
  for (std::size_t i = b; i < dot; ++i) {
    if (!IsAlnum(w[i])) return false;
  }
  if (IsAlnum(Before(w, b))) return false;
  auto body = [](char c) { return IsB64Url(c) || c == '='; };
  std::size_t e = end;
  while (e < w.size() && e - (dot + 9) < 70 && body(w[e])) ++e;
  if (e - (dot + 9) < 60 || body(At(w, e))) return false;
  *span = MakeSpan(b, e, kTerraformCloudToken);
  return true;
}

}  // namespace

const std::vector<TokenFormat>& TokenFormats() { return Formats(); }

// Prefixes of three characters or fewer ("AC", "SK", "sk-", "hf_") take one body character too, so
// the literal matcher does not stop at every "SK" of "TASK".
std::size_t TriggerBodyChars(const TokenFormat& f) { return f.prefix.size() <= 3 ? 1 : 0; }

std::string TokenTriggerRegex(const TokenFormat& f) {
  std::string re;
  for (char c : f.prefix) {
    if (!IsAlnum(c) && c != '_' && c != '-' && c != '~') re.push_back('\\');
    re.push_back(c);
  }
  if (TriggerBodyChars(f) > 0) re += BodyClass(f.body);
  return re;
}

bool ExtractToken(const TokenFormat& f, std::string_view w, std::size_t end, Span* span) {
  std::size_t body_begin = end - TriggerBodyChars(f);
  std::size_t b = body_begin - f.prefix.size();
  char before = Before(w, b);
  if (IsAlnum(before)) return false;
  if (f.strict_left && (before == '_' || before == '-' || before == '.')) return false;
  const std::array<bool, 256>& in_body = BodyTables()[static_cast<std::size_t>(f.body)];
  std::size_t e = body_begin;
  const std::size_t limit = std::min(w.size(), body_begin + f.max_body);
  while (e < limit && InBody(in_body, w[e])) ++e;
  if (InBody(in_body, At(w, e))) return false;  // longer than the format allows: something else
  if (f.body == B::kB64UrlDot || f.body == B::kUpperAlnumDot) {
    while (e > body_begin && w[e - 1] == '.') --e;
  }
  if (f.body == B::kB64 || f.body == B::kB64Under) {
    for (int pad = 0; pad < 2 && At(w, e) == '='; ++pad) ++e;
  }
  if (f.kind == kDatabricksToken && At(w, e) == '-' && IsDigit(At(w, e + 1))) e += 2;  // "dapi...-2"
  if (IsAlnum(At(w, e))) return false;
  std::string_view body = w.substr(body_begin, e - body_begin);
  while (!body.empty() && body.back() == '=') body.remove_suffix(1);
  if (f.kind == kDatabricksToken && body.size() > f.max_body) body = body.substr(0, f.max_body);
  if (body.size() < f.min_body || !CheckBody(f, body) || !LooksRandom(body)) return false;
  *span = MakeSpan(b, e, f.kind);
  return true;
}

const std::vector<NamedSetting>& NamedSettings() {
  // Names are matched on their letters and digits only, as the end of the setting's name after a
  // separator ("MY_DD_API_KEY" is a Datadog key, "ADD_API_KEY" is not); `whole` names must be the
  // entire setting name ("service_account_key" is no Azure account key).
  static const std::vector<NamedSetting> settings = {
      {kDatadogApiKey, {"ddapikey", "datadogapikey"}, SettingShape::kHex32},
      {kDatadogAppKey,
       {"ddappkey", "ddapplicationkey", "datadogappkey", "datadogapplicationkey"},
       SettingShape::kHex40},
      {kPagerDutyKey,
       {"pagerdutytoken", "pagerdutykey", "pagerdutyapikey", "pagerdutyapitoken", "pagerdutyrestkey",
        "pagerdutyintegrationkey", "pdtoken", "pdkey", "pdapikey", "pdapitoken"},
       SettingShape::kPagerDuty},
      {kPagerDutyKey, {"routingkey", "integrationkey", "servicekey"}, SettingShape::kHex32, true},
      {kHerokuApiKey, {"herokuapikey", "herokukey", "herokutoken", "herokuapitoken"}, SettingShape::kHeroku},
      {kTwilioAuthToken, {"twilioauthtoken"}, SettingShape::kHex32},
      {kAzureStorageKey,
       {"accountkey", "azurestoragekey", "azurestorageaccountkey", "azurestorageaccesskey",
        "azurestorageaccountaccesskey"},
       SettingShape::kBase64Key,
       false,
       true},
      {kAzureSharedAccessKey,
       {"sharedaccesskey", "sharedsecretvalue"},
       SettingShape::kBase64Key,
       false,
       true},
  };
  return settings;
}

const NamedSetting* FindNamedSetting(std::string_view name) {
  // Letters and digits of the name, lower-cased, with where each came from.
  char normalized[64];
  std::size_t origin[64];
  std::size_t n = 0;
  for (std::size_t i = 0; i < name.size() && n < 64; ++i) {
    if (IsAlnum(name[i])) {
      normalized[n] = Lower(name[i]);
      origin[n++] = i;
    }
  }
  if (n < 5) return nullptr;  // the shortest name is "pdkey"
  std::string_view norm(normalized, n);
  const char last = norm.back();
  if (last != 'y' && last != 'n' && last != 'e') return nullptr;  // ...key, ...token, ...value
  // Every (name, setting), shortest first, so a short name stops after a few comparisons.
  struct Candidate {
    std::string_view name;
    const NamedSetting* setting;
  };
  static const std::vector<Candidate> candidates = [] {
    std::vector<Candidate> all;
    for (const NamedSetting& s : NamedSettings()) {
      for (std::string_view c : s.names) all.push_back({c, &s});
    }
    std::stable_sort(all.begin(), all.end(),
                     [](const Candidate& a, const Candidate& b) { return a.name.size() < b.name.size(); });
    return all;
  }();
  for (const Candidate& c : candidates) {
    if (c.name.size() > n) break;
    std::size_t start = n - c.name.size();
    if (c.name.back() != last || norm[start] != c.name[0] || norm.substr(start) != c.name) continue;
    if (c.setting->whole ? start == 0 : (start == 0 || !IsAlnum(name[origin[start] - 1]))) return c.setting;
  }
  return nullptr;
}

bool SettingValueMatches(const NamedSetting& s, std::string_view value) {
  return !IsPlaceholderOrReference(value) && ShapeMatches(s.shape, value);
}

bool ExtractVendorSpecial(std::uint32_t trigger_id, std::string_view w, std::size_t end, Span* span) {
  switch (trigger_id) {
    case kTrigDiscordWebhook:
      return ExtractDiscordWebhook(w, end, span);
    case kTrigTeamsWebhook:
      return ExtractTeamsWebhook(w, end, span);
    case kTrigTelegramBot:
      return ExtractTelegramBotToken(w, end, span);
    case kTrigAzureClientSecret:
      return ExtractAzureClientSecret(w, end, span);
    case kTrigAzureStorageSignature:
      return ExtractAzureStorageSignature(w, end, span);
    case kTrigAzureIdentifiable:
      return ExtractAzureIdentifiable(w, end, span);
    case kTrigAzureSas:
      return ExtractAzureSas(w, end, span);
    case kTrigMailchimp:
      return ExtractMailchimp(w, end, span);
    case kTrigNewRelicLicense:
      return ExtractNewRelicLicense(w, end, span);
    case kTrigTerraformCloud:
      return ExtractTerraformCloud(w, end, span);
    default:
      return false;
  }
}

bool ExtractDiscordBotToken(std::string_view w, std::size_t dot1, Span* span) {
  std::size_t dot2 = dot1 + 7;
  if (dot2 >= w.size() || w[dot2] != '.') return false;
  for (std::size_t i = dot1 + 1; i < dot2; ++i) {
    if (!IsB64Url(w[i])) return false;
  }
  std::size_t b = dot1;
  while (b > 0 && dot1 - b < 28 && IsAlnum(w[b - 1])) --b;
  if (dot1 - b < 23 || dot1 - b > 27 || IsB64Url(Before(w, b)) || Before(w, b) == '.') return false;
  std::size_t e = dot2 + 1;
  while (e < w.size() && e - dot2 <= 39 && IsB64Url(w[e])) ++e;
  std::size_t sig = e - dot2 - 1;
  if (sig < 27 || sig > 38 || IsB64Url(At(w, e)) || At(w, e) == '.') return false;
  // The first part is the bot's user id, a 17-20 digit snowflake, in base64.
  std::string id = DecodeBase64Prefix(w.substr(b, dot1 - b), 32);
  if (id.size() < 17 || id.size() > 20 || id[0] == '0' || !std::all_of(id.begin(), id.end(), IsDigit))
    return false;
  if (!LooksRandom(w.substr(dot2 + 1, sig))) return false;
  *span = MakeSpan(b, e, kDiscordBotToken);
  return true;
}

}  // namespace awoooi::privacy::internal
