// Domain types for what AWOOOI ingests: alerts and the incidents they group into.
//
// These are plain values with no I/O; every input plugin produces `Alert`s and every store keeps
// them. Thread-safety: values, copy freely.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"

namespace awoooi {

// Label and annotation sets are ordered maps so that fingerprints and rendered output are
// deterministic.
using LabelSet = std::map<std::string, std::string, std::less<>>;

enum class AlertStatus { kFiring, kResolved };
std::string_view ToString(AlertStatus s);
std::optional<AlertStatus> ParseAlertStatus(std::string_view s);

// One alert as an input delivered it. Identity is `fingerprint`, a function of `labels` only.
struct Alert {
  std::string fingerprint;  // 16 hex digits; see LabelFingerprint()
  AlertStatus status = AlertStatus::kFiring;
  LabelSet labels;
  LabelSet annotations;
  absl::Time starts_at = absl::InfinitePast();  // InfinitePast: not given
  absl::Time ends_at = absl::InfinitePast();    // InfinitePast: not given / still firing
  std::string generator_url;
  std::string source;  // the input that delivered it: "alertmanager", "generic", ...

  std::string_view Label(std::string_view name) const;
};

// The labels that name the service an alert is about, in order of preference. Grouping (the
// default group_by), topology health and analysis all use this one rule.
inline constexpr std::string_view kServiceLabels[] = {"service", "job", "app", "app_kubernetes_io_name"};
// The first non-empty of kServiceLabels, or "".
std::string ServiceOf(const Alert& alert);

// The fingerprint Prometheus and Alertmanager compute for a label set (FNV-1a 64 over the sorted
// names and values, each followed by the byte 0xff), as 16 lower-case hex digits. Using the same
// function means an alert's AWOOOI id equals the `fingerprint` Alertmanager shows for it.
std::string LabelFingerprint(const LabelSet& labels);

enum class IncidentStatus { kFiring, kResolved };
std::string_view ToString(IncidentStatus s);
std::optional<IncidentStatus> ParseIncidentStatus(std::string_view s);

// Severity ordering used across the product (topology health, ranking, risk).
enum class Severity { kNone = 0, kInfo = 1, kWarning = 2, kError = 3, kCritical = 4 };
Severity ParseSeverity(std::string_view s);  // unknown text -> kWarning, empty -> kWarning
std::string_view ToString(Severity s);

// A group of alerts that share a group key (by default the same service/job and alertname).
struct Incident {
  int64_t id = 0;
  std::string group_key;
  IncidentStatus status = IncidentStatus::kFiring;
  std::string service;  // value of the service (or job) label, may be empty
  std::string alertname;
  std::string severity;  // worst severity label among its firing alerts
  std::string title;     // redacted summary of the first alert, for lists
  absl::Time opened_at = absl::InfinitePast();
  absl::Time updated_at = absl::InfinitePast();
  absl::Time resolved_at = absl::InfinitePast();  // InfinitePast while firing
  int64_t alert_count = 0;
  int64_t firing_count = 0;
  int64_t version = 0;  // bumped by every change; lets the pipeline coalesce analyses
};

// RFC 3339 with milliseconds in UTC, or "" for InfinitePast.
std::string FormatRfc3339(absl::Time t);
// Parses RFC 3339 (any precision, any offset). "0001-01-01T00:00:00Z" (Go's zero time, which
// Alertmanager sends for "not set") parses to InfinitePast.
std::optional<absl::Time> ParseRfc3339(std::string_view s);

}  // namespace awoooi
