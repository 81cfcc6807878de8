// The incident lifecycle (docs/architecture.md, "Incidents"), as functions over values: which
// incident an alert joins, and what storing it does to the alert and the incident. Every store
// (SQLite today, PostgreSQL later) reads the current rows, calls these, and writes the result;
// only the SQL differs.
//
// Rules:
// - An alert joins the newest incident with its group key while that incident fires. A resolved
//   incident is reopened when the alert fires within `reopen_window` of its resolution; later, a
//   new incident opens. A resolved alert never opens or reopens anything.
// - The same fingerprint in the same incident is updated in place, never duplicated.
// - A delivery older than what is stored does not flip the status back (Alertmanager retries can
//   cross): a firing delivery whose starts_at is not after the stored ends_at is stale, and so is a
//   resolved delivery whose ends_at is before the stored starts_at.
// - The incident fires while any of its alerts fires and resolves when the last one resolves; its
//   severity is the worst severity seen among firing alerts (it only escalates while open); its
//   version increases on material changes (a new alert, a status change, a new or reopened
//   incident), which drives re-analysis.
//
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "awoooi/core/alert.h"

namespace awoooi::incident {

struct Rules {
  absl::Duration reopen_window = absl::Hours(1);
};

// The part of a stored incident the rules read and write.
struct IncidentState {
  bool firing = false;
  absl::Time resolved_at = absl::InfinitePast();  // InfinitePast while firing
  int64_t firing_count = 0;
  std::string severity;  // "" for a new incident
  int64_t version = 0;
};

// The part of a stored alert the rules read.
struct StoredAlertState {
  bool firing = false;
  absl::Time starts_at = absl::InfinitePast();
  absl::Time ends_at = absl::InfinitePast();
};

enum class Placement {
  kAttach,   // the newest incident with the key (firing, or resolved and the alert is resolved too)
  kReopen,   // the newest incident, resolved, fires again within the reopen window
  kOpenNew,  // no incident with the key, or the newest resolved longer ago than the window
};

// Where `alert` goes, given the newest incident with its group key (nullopt: none yet).
Placement Place(const std::optional<IncidentState>& newest, const Alert& alert, absl::Time now,
                const Rules& rules);

// What storing the alert does.
struct Transition {
  IncidentState incident;     // the incident after the alert
  bool alert_firing = false;  // the alert's stored status after this delivery
  // True for a stale delivery whose times must not replace the stored ones (see the rules).
  bool keep_stored_times = false;
  bool alert_created = false;      // first time this fingerprint is stored in the incident
  bool status_changed = false;     // the alert is new or changed firing <-> resolved
  bool incident_resolved = false;  // this alert resolved the incident's last firing alert
  bool material = false;           // the incident's version increased
};

// Applies `alert` to `incident` (after Place: for kOpenNew pass a default IncidentState) given
// the same fingerprint's stored state in that incident (nullopt: not stored yet).
Transition Apply(const IncidentState& incident, Placement placement,
                 const std::optional<StoredAlertState>& stored, const Alert& alert, absl::Time now);

}  // namespace awoooi::incident
