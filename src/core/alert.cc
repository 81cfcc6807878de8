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

std::string FormatRfc3339(absl::Time t) {
  if (t == absl::InfinitePast()) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

std::optional<absl::Time> ParseRfc3339(std::string_view s) {
  if (s.empty()) return absl::InfinitePast();
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, std::string(s), &t, &err)) return std::nullopt;
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
