#include "awoooi/analysis/health.h"

namespace awoooi::analysis {

void HealthTracker::Update(const std::string& service, const std::string& fingerprint, Severity severity,
                           bool firing) {
  if (service.empty()) return;
  absl::MutexLock lock(&mu_);
  auto& sa = firing_[service];
  auto it = sa.by_fingerprint.find(fingerprint);
  if (it != sa.by_fingerprint.end()) {
    --sa.counts[static_cast<int>(it->second)];
    if (firing) it->second = severity;
    else sa.by_fingerprint.erase(it);
  } else if (firing) {
    sa.by_fingerprint.emplace(fingerprint, severity);
  }
  if (firing) ++sa.counts[static_cast<int>(severity)];
  Severity worst = Severity::kNone;
  for (int i = 4; i > 0; --i) {
    if (sa.counts[i] > 0) {
      worst = static_cast<Severity>(i);
      break;
    }
  }
  const bool changed = worst != sa.reported;
  sa.reported = worst;
  if (sa.by_fingerprint.empty()) firing_.erase(service);
  if (!changed) return;
  // Under the lock, so two updates of one service reach the topology in the order they were made.
  if (worst == Severity::kNone) topology_.ClearHealth(service);
  else (void)topology_.SetHealth(service, worst);
}

std::size_t HealthTracker::unhealthy_services() const {
  absl::MutexLock lock(&mu_);
  return firing_.size();
}

}  // namespace awoooi::analysis
