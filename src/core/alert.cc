#include "awoooi/core/alert.h"

#include <cstdio>

#include "absl/strings/ascii.h"

namespace awoooi {

std::string_view ToString(AlertStatus s) { return s == AlertStatus::kFiring ? "firing" : "resolved"; }

std::optional<AlertStatus> ParseAlertStatus(std::string_view s) {
  if (s == "firing") return AlertStatus::kFiring;
  if (s == "resolved") return AlertStatus::kResolved;
  return std::nullopt;
}

std::string_view ToString(IncidentStatus s) { return s == IncidentStatus::kFiring ? "firing" : "resolved"; }

std::optional<IncidentStatus> ParseIncidentStatus(std::string_view s) {
  if (s == "firing") return IncidentStatus::kFiring;
  if (s == "resolved") return IncidentStatus::kResolved;
  return std::nullopt;
}

Severity ParseSeverity(std::string_view s) {
  std::string v = absl::AsciiStrToLower(std::string(s));
  if (v == "critical" || v == "page" || v == "fatal" || v == "emergency" || v == "p1")
    return Severity::kCritical;
  if (v == "error" || v == "high" || v == "major" || v == "p2") return Severity::kError;
  if (v == "warning" || v == "warn" || v == "medium" || v == "minor" || v == "p3") return Severity::kWarning;
  if (v == "info" || v == "low" || v == "none" || v == "p4" || v == "p5") return Severity::kInfo;
  return Severity::kWarning;
}

std::string_view ToString(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "critical";
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "info";
    case Severity::kNone:
      return "none";
  }
  return "warning";
}

std::string_view Alert::Label(std::string_view name) const {
  auto it = labels.find(name);
  return it == labels.end() ? std::string_view() : std::string_view(it->second);
}

std::string LabelFingerprint(const LabelSet& labels) {
  constexpr uint64_t kOffset = 14695981039346656037ULL;
  constexpr uint64_t kPrime = 1099511628211ULL;
  uint64_t h = kOffset;
  auto add = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= kPrime;
    }
    h ^= 0xffu;
    h *= kPrime;
  };
  if (labels.empty()) h = kOffset;
  for (const auto& [name, value] : labels) {
    add(name);
    add(value);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

namespace {

// Digits at text[pos, pos + n), or -1.
int Digits(std::string_view text, std::size_t pos, std::size_t n) {
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

void PutDigits(char* out, int64_t v, int n) {
  for (int i = n - 1; i >= 0; --i, v /= 10) out[i] = static_cast<char>('0' + v % 10);
}

// The shape the store and Alertmanager write, "2024-05-01T10:00:00Z" with an optional fraction,
// read without the general parser (which costs a few microseconds per value on every stored row).
// Anything else, or a field out of range, is left to absl::ParseTime.
std::optional<absl::Time> ParseUtcFast(std::string_view s) {
  if (s.size() < 20 || s.back() != 'Z' || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':')
    return std::nullopt;
  const int year = Digits(s, 0, 4), month = Digits(s, 5, 2), day = Digits(s, 8, 2);
  const int hour = Digits(s, 11, 2), minute = Digits(s, 14, 2), second = Digits(s, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
      second < 0 || second > 59)
    return std::nullopt;
  int64_t nanos = 0;
  if (s.size() > 20) {
    const std::size_t digits = s.size() - 21;  // between '.' and 'Z'
    if (s[19] != '.' || digits < 1 || digits > 9) return std::nullopt;
    const int fraction = Digits(s, 20, digits);
    if (fraction < 0) return std::nullopt;
    nanos = fraction;
    for (std::size_t i = digits; i < 9; ++i) nanos *= 10;
  } else if (s[19] != 'Z') {
    return std::nullopt;
  }
  const absl::CivilSecond civil(year, month, day, hour, minute, second);
  if (civil.day() != day) return std::nullopt;  // 2024-02-30 would normalise: not a date
  return absl::FromCivil(civil, absl::UTCTimeZone()) + absl::Nanoseconds(nanos);
}

}  // namespace

std::string FormatRfc3339(absl::Time t) {
  if (t == absl::InfinitePast()) return "";
  const absl::CivilSecond c = absl::ToCivilSecond(t, absl::UTCTimeZone());
  if (c.year() < 1000 || c.year() > 9999)
    return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
  // Milliseconds, truncated toward the past as %E3S does.
  const int64_t millis = absl::ToInt64Milliseconds(t - absl::FromCivil(c, absl::UTCTimeZone()));
  std::string out = "0000-00-00T00:00:00.000Z";
  PutDigits(&out[0], c.year(), 4);
  PutDigits(&out[5], c.month(), 2);
  PutDigits(&out[8], c.day(), 2);
  PutDigits(&out[11], c.hour(), 2);
  PutDigits(&out[14], c.minute(), 2);
  PutDigits(&out[17], c.second(), 2);
  PutDigits(&out[20], millis, 3);
  return out;
}

std::optional<absl::Time> ParseRfc3339(std::string_view s) {
  if (s.empty()) return absl::InfinitePast();
  absl::Time t;
  if (auto fast = ParseUtcFast(s)) {
    t = *fast;
  } else {
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, std::string(s), &t, &err)) return std::nullopt;
  }
  // Go's zero time.Time means "not set".
  if (t <= absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0), absl::UTCTimeZone())) {
    return absl::InfinitePast();
  }
  return t;
}

std::string ServiceOf(const Alert& alert) {
  for (std::string_view name : kServiceLabels) {
    std::string_view v = alert.Label(name);
    if (!v.empty()) return std::string(v);
  }
  return "";
}

}  // namespace awoooi
