#include "awoooi/incident/lifecycle.h"

#include <algorithm>

namespace awoooi::incident {

Placement Place(const std::optional<IncidentState>& newest, const Alert& alert, absl::Time now,
                const Rules& rules) {
  if (!newest) return Placement::kOpenNew;
  if (newest->firing || alert.status != AlertStatus::kFiring) return Placement::kAttach;
  return now - newest->resolved_at <= rules.reopen_window ? Placement::kReopen : Placement::kOpenNew;
}

Transition Apply(const IncidentState& incident, Placement placement,
                 const std::optional<StoredAlertState>& stored, const Alert& alert, absl::Time now) {
  Transition t;
  t.incident = incident;
  const bool delivered_firing = alert.status == AlertStatus::kFiring;
  const bool was_firing = stored && stored->firing;
  bool now_firing = delivered_firing;
  if (stored) {
    // A delivery older than what is stored must not flip the status back.
    if (delivered_firing && !was_firing && alert.starts_at != absl::InfinitePast() &&
        stored->ends_at != absl::InfinitePast() && alert.starts_at <= stored->ends_at) {
      now_firing = false;
    }
    if (!delivered_firing && was_firing && alert.ends_at != absl::InfinitePast() &&
        stored->starts_at != absl::InfinitePast() && alert.ends_at < stored->starts_at) {
      now_firing = true;
    }
  } else {
    t.alert_created = true;
  }
  t.alert_firing = now_firing;
  t.keep_stored_times = now_firing != delivered_firing;

  IncidentState& inc = t.incident;
  const bool was_incident_firing = placement == Placement::kOpenNew ? false : incident.firing;
  if (placement == Placement::kOpenNew) inc = IncidentState{};
  inc.firing_count = std::max<int64_t>(0, inc.firing_count + (now_firing ? 1 : 0) - (was_firing ? 1 : 0));
  inc.firing = inc.firing_count > 0;
  t.status_changed = now_firing != was_firing || t.alert_created;
  t.incident_resolved = was_incident_firing && !inc.firing;
  if (now_firing) {
    std::string_view sev = alert.Label("severity");
    if (inc.severity.empty() || ParseSeverity(sev) > ParseSeverity(inc.severity)) {
      inc.severity = sev.empty() ? "warning" : std::string(sev);
    }
  }
  if (inc.severity.empty()) inc.severity = "warning";
  t.material = t.alert_created || now_firing != was_firing || placement != Placement::kAttach;
  if (t.material) ++inc.version;
  if (inc.firing) {
    inc.resolved_at = absl::InfinitePast();
  } else if (was_incident_firing || placement == Placement::kOpenNew) {
    inc.resolved_at = now;  // it resolves (or opens already resolved) now
  }                         // else: it was resolved and stays so, keeping its resolution time
  return t;
}

}  // namespace awoooi::incident
