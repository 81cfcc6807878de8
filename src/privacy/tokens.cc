#include "privacy/tokens.h"

#include <algorithm>
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
  };
  return formats;
}

bool InBody(TokenBody body, char c) {
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
    case SettingShape::kHex32Only:
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

bool ExtractDiscordWebhook(std::string_view w, std::size_t end, Span* span) {
  // Back to "discord" (the trigger holds at most ~110 bytes), then to the scheme.
  std::size_t limit = end > 160 ? end - 160 : 0;
  std::size_t host = std::string_view::npos;
  for (std::size_t p = end; p-- > limit;) {
    if (HasAt(w, p, "discord")) {
      host = p;
      break;
    }
  }
  if (host == std::string_view::npos) return false;
  std::size_t b = UrlStartBefore(w, host, 40);
  if (b == std::string_view::npos) {
    b = host;
    if (IsAlnum(Before(w, b)) || Before(w, b) == '.') return false;
  }
  std::size_t e = end;
  while (e < w.size() && e - end < 128 && IsB64Url(w[e])) ++e;
  *span = MakeSpan(b, e, kDiscordWebhook);
  return true;
}

bool ExtractTeamsWebhook(std::string_view w, std::size_t end, Span* span) {
  std::size_t b = UrlStartBefore(w, end - 9, 120);
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
bool ExtractTelegramBotToken(std::string_view w, std::size_t end, Span* span) {
  if (end < 36 + 8 || w[end - 36] != ':') return false;
  std::size_t colon = end - 36;
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
bool ExtractAzureClientSecret(std::string_view w, std::size_t end, Span* span) {
  auto secret_char = [](char c) { return IsAlnum(c) || c == '_' || c == '~' || c == '.' || c == '-'; };
  std::size_t digit = end - 34;
  if (end < 37) return false;
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
bool ExtractAzureStorageSignature(std::string_view w, std::size_t end, Span* span) {
  if (end < 88) return false;
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
bool ExtractAzureIdentifiable(std::string_view w, std::size_t end, Span* span) {
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
  std::size_t limit = end > 24 ? end - 24 : 0;
  std::size_t vb = std::string_view::npos;
  for (std::size_t p = end; p-- > limit;) {
    if (HasAt(w, p, "sig=")) {
      vb = p + 4;
      break;
    }
  }
  if (vb == std::string_view::npos) return false;
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

// A Sentry DSN, "https://<32 hex>@o123.ingest.sentry.io/456" (legacy: "<key>:<secret>@"): the key
// (and secret) are redacted, the host and project stay readable.
bool ExtractSentryDsn(std::string_view w, std::size_t end, Span* span) {
  std::size_t at = end - 1;
  std::size_t b = at >= 65 && w[at - 33] == ':' ? at - 65 : at - 32;
  if (!std::all_of(w.begin() + static_cast<std::ptrdiff_t>(b), w.begin() + static_cast<std::ptrdiff_t>(at),
                   [](char c) { return IsLowerHex(c) || c == ':'; }))
    return false;
  if (Before(w, b) != '/') return false;
  *span = MakeSpan(b, at, kSentryDsn);
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
  std::size_t dot = end - 16 - 9;
  if (end < 16 + 9 + 14 || !HasAt(w, dot, ".atlasv1.")) return false;
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

std::string TokenTriggerRegex(const TokenFormat& f) {
  std::string re;
  for (char c : f.prefix) {
    if (!IsAlnum(c) && c != '_' && c != '-' && c != '~') re.push_back('\\');
    re.push_back(c);
  }
  // Enough body characters to make the trigger rare; short prefixes take the whole body.
  std::size_t n = f.prefix.size() <= 3 ? f.min_body : std::min<std::size_t>(f.min_body, 16);
  re += BodyClass(f.body);
  re += "{" + std::to_string(n) + "}";
  return re;
}

bool ExtractToken(const TokenFormat& f, std::string_view w, std::size_t end, Span* span) {
  std::size_t n = f.prefix.size() <= 3 ? f.min_body : std::min<std::size_t>(f.min_body, 16);
  std::size_t b = end - n - f.prefix.size();
  char before = Before(w, b);
  if (IsAlnum(before)) return false;
  if (f.strict_left && (before == '_' || before == '-' || before == '.')) return false;
  std::size_t body_begin = b + f.prefix.size();
  std::size_t e = end;
  while (e < w.size() && e - body_begin < f.max_body && InBody(f.body, w[e])) ++e;
  if (InBody(f.body, At(w, e))) return false;  // longer than the format allows: something else
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
  static const std::vector<NamedSetting> settings = {
      {kDatadogApiKey, R"((?:dd|datadog)[_-]?api[_-]?key)", SettingShape::kHex32},
      {kDatadogAppKey, R"((?:dd|datadog)[_-]?(?:app|application)[_-]?key)", SettingShape::kHex40},
      {kPagerDutyKey, R"((?:pagerduty|pd)[_-]?(?:api[_-]?|rest[_-]?|integration[_-]?)?(?:key|token))",
       SettingShape::kPagerDuty},
      {kPagerDutyKey, R"((?:routing|integration|service)[_-]?key)", SettingShape::kHex32Only},
      {kHerokuApiKey, R"(heroku[_-]?(?:api[_-]?)?(?:key|token))", SettingShape::kHeroku},
      {kTwilioAuthToken, R"(twilio[_-]?auth[_-]?token)", SettingShape::kHex32},
      {kAzureStorageKey, R"(accountkey|azure[_-]?storage[_-]?(?:account[_-]?)?(?:access[_-]?)?key)",
       SettingShape::kBase64Key},
      {kAzureSharedAccessKey, R"(sharedaccesskey|sharedsecretvalue)", SettingShape::kBase64Key},
  };
  return settings;
}

std::string NamedSettingTriggerRegex(const NamedSetting& s) {
  return std::string("(?:^|[^A-Za-z0-9])(?:") + std::string(s.names) + ")" + std::string(kAssignmentTail);
}

bool ExtractNamedSetting(const NamedSetting& s, std::string_view w, std::size_t end, Span* span) {
  AssignedValue v;
  if (!ReadAssignedValue(w, end, &v)) return false;
  std::string_view text = w.substr(v.begin, v.end - v.begin);
  if (IsPlaceholderOrReference(text) || !ShapeMatches(s.shape, text)) return false;
  *span = MakeSpan(v.begin, v.end, s.kind);
  return true;
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
    case kTrigSentryDsn:
      return ExtractSentryDsn(w, end, span);
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
