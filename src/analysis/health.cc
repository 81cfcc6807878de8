#include "awoooi/analysis/health.h"

#include "absl/strings/str_split.h"
#include "awoooi/privacy/shield.h"

namespace awoooi::analysis {

bool ShareableServiceName(std::string_view name, const privacy::Shield& shield) {
  if (name.empty() || name.size() > 253) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(name.front())) return false;
  for (char c : name) {
    if (!alnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return shield.Scan(name).empty();
}

LabelSet ShareableEdgeLabels(const LabelSet& labels, const std::vector<std::string>& names,
                             const privacy::Shield& shield) {
  LabelSet out;
  for (const auto& name : names) {
    auto it = labels.find(name);
    if (it == labels.end()) continue;
    std::string kept;
    for (auto part : absl::StrSplit(it->second, ',', absl::SkipWhitespace())) {
      std::string_view p(part.data(), part.size());
      while (!p.empty() && p.front() == ' ') p.remove_prefix(1);
      while (!p.empty() && p.back() == ' ') p.remove_suffix(1);
      if (ShareableServiceName(p, shield)) kept += (kept.empty() ? "" : ",") + std::string(p);
    }
    if (!kept.empty()) out[name] = kept;
  }
  return out;
}

void HealthTracker::Update(const std::string& service, const std::string& fingerprint, Severity severity,
                           bool firing) {
  if (service.empty()) return;
  absl::MutexLock lock(&mu_);
  auto& sa = firing_[service];
  auto it = sa.by_fingerprint.find(fingerprint);
  if (it != sa.by_fingerprint.end()) {
    --sa.counts[static_cast<int>(it->second)];
    if (firing)
      it->second = severity;
    else
      sa.by_fingerprint.erase(it);
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
  if (worst == Severity::kNone)
    topology_.ClearHealth(service);
  else
    (void)topology_.SetHealth(service, worst);
}

std::size_t HealthTracker::unhealthy_services() const {
  absl::MutexLock lock(&mu_);
  return firing_.size();
}

}  // namespace awoooi::analysis
