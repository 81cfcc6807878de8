// HealthTracker: which services are unhealthy, from their firing alerts (PRODUCT F3: "health
// comes from active alerts"). Each service's health is the worst severity among its firing
// alerts; the tracker pushes changes into the topology. O(log n) per update: per-severity counts,
// not a scan of the service's alerts.
//
// Thread-safety: Update may be called from any thread; callers that need updates applied in
// delivery order (a fire then its resolution) must call it in that order.
#pragma once

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "awoooi/core/alert.h"
#include "awoooi/topology/topology.h"

namespace awoooi::privacy {
class Shield;
}

namespace awoooi::analysis {

// Whether a name taken from an alert label may name a service in the topology (health, learned
// edges) — which the API, the dashboard and every prompt show: a plain identifier
// ([A-Za-z0-9][A-Za-z0-9._-]*, at most 253) in which the shield finds nothing (an IP address or an
// e-mail as a "service" stays out of the topology).
bool ShareableServiceName(std::string_view name, const privacy::Shield& shield);

// The labels of `labels` an EdgeLabelRule reads (`names`), keeping only the shareable service
// names in them (a comma-separated list keeps its shareable parts); empty when none is left.
LabelSet ShareableEdgeLabels(const LabelSet& labels, const std::vector<std::string>& names,
                             const privacy::Shield& shield);

class HealthTracker {
 public:
  explicit HealthTracker(topology::Topology& topology) : topology_(topology) {}
  // The alert `fingerprint` of `service` fires with `severity`, or stopped firing.
  void Update(const std::string& service, const std::string& fingerprint, Severity severity, bool firing);
  // How many services have firing alerts.
  std::size_t unhealthy_services() const;

 private:
  struct ServiceAlerts {
    absl::flat_hash_map<std::string, Severity> by_fingerprint;
    int64_t counts[5] = {0, 0, 0, 0, 0};
    Severity reported = Severity::kNone;
  };
  topology::Topology& topology_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, ServiceAlerts> firing_ ABSL_GUARDED_BY(mu_);
};

}  // namespace awoooi::analysis
