#include "awoooi/brain/validation.h"

#include <cctype>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"

namespace awoooi::brain {
namespace {

// Alert labels whose values name a node or a volume claim (Prometheus / kube-state-metrics names).
constexpr std::string_view kNodeLabels[] = {"node", "kubernetes_node", "nodename", "instance", "hostname"};
constexpr std::string_view kPvcLabels[] = {"persistentvolumeclaim", "pvc", "claim", "claim_name"};
// Labels whose values name a workload object (kube-state-metrics, cAdvisor).
constexpr std::string_view kWorkloadLabels[] = {"pod", "pod_name", "deployment", "statefulset", "container"};

[[maybe_unused]] bool IsInteger(std::string_view s, long long* out) {
  if (s.empty() || s.size() > 12) return false;
  long long v = 0;
  std::size_t i = 0;
  bool negative = s[0] == '-';
  if (negative) i = 1;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = negative ? -v : v;
  return true;
}

struct ContextNames {
  std::set<std::string> services;
  std::set<std::string> nodes;
  std::set<std::string> pvcs;
  std::set<std::string> workloads;
  std::set<std::string> namespaces;
};

ContextNames Collect(const ReasoningContext& c) {
  ContextNames n;
  for (const auto& s : c.known_services) n.services.insert(s.str());
  if (n.services.empty()) {
    // No topology: the services the analysis itself named are the only known ones.
    if (!c.service.empty()) n.services.insert(c.service.str());
    for (const auto& f : c.root_causes) n.services.insert(f.service.str());
    for (const auto& f : c.blast_radius) n.services.insert(f.service.str());
  }
  auto add_findings = [&](const std::vector<ServiceFinding>& findings) {
    for (const auto& f : findings) {
      if (!f.namespace_.empty()) n.namespaces.insert(f.namespace_.str());
    }
  };
  add_findings(c.root_causes);
  add_findings(c.blast_radius);
  for (const ContextAlert& a : c.alerts) {
    for (const auto& [name, value] : a.labels) {
      if (value.empty()) continue;
      if (name == "namespace") n.namespaces.insert(value.str());
      for (std::string_view l : kNodeLabels) {
        if (name == l) {
          n.nodes.insert(value.str());
          // "instance" is often host:port; the node is the host part.
          auto colon = value.str().rfind(':');
          if (colon != std::string::npos && colon > 0) n.nodes.insert(value.str().substr(0, colon));
        }
      }
      for (std::string_view l : kPvcLabels) {
        if (name == l) n.pvcs.insert(value.str());
      }
      for (std::string_view l : kWorkloadLabels) {
        if (name == l) n.workloads.insert(value.str());
      }
    }
  }
  return n;
}

std::string Quote(const privacy::Redacted& r) { return "\"" + r.str().substr(0, 80) + "\""; }

}  // namespace

absl::Status ValidateProposal(const Proposal& p, const ReasoningContext& context) {
  std::vector<std::string> errors;
  ContextNames names = Collect(context);

  if (p.summary.empty()) errors.push_back("summary is empty");
  if (!(p.confidence >= 0.0 && p.confidence <= 1.0)) {
    errors.push_back("confidence " + std::to_string(p.confidence) + " is outside [0, 1]");
  }
  if (p.root_cause.service.empty()) {
    errors.push_back("root_cause.service is empty");
  } else if (names.services.count(p.root_cause.service.str()) == 0) {
    errors.push_back("root_cause.service " + Quote(p.root_cause.service) + " is not in the topology");
  }
  if (p.actions.empty()) errors.push_back("no actions");
  if (p.actions.size() > kMaxActions) {
    errors.push_back(std::to_string(p.actions.size()) + " actions, more than " + std::to_string(kMaxActions));
  }

  for (std::size_t i = 0; i < p.actions.size(); ++i) {
    const action::Action& a = p.actions[i].action;
    std::string where =
        "actions[" + std::to_string(i) + "] (" + std::string(action::ToString(a.kind())) + ")";
    const std::string& target = a.target().name.str();
    switch (a.target().kind) {
      case action::TargetKind::kNone:
        break;
      case action::TargetKind::kNode:
        if (names.nodes.count(target) == 0) {
          errors.push_back(where + ": node " + Quote(a.target().name) + " is not named by any alert label");
        }
        break;
      case action::TargetKind::kPvc:
        if (names.pvcs.count(target) == 0) {
          errors.push_back(where + ": PVC " + Quote(a.target().name) + " is not named by any alert label");
        }
        break;
      case action::TargetKind::kService:
        if (names.services.count(target) == 0) {
          errors.push_back(where + ": target " + Quote(a.target().name) + " is not in the topology");
        }
        break;
      default:  // a pod, deployment or statefulset: a service of the topology or named by an alert label
        if (names.services.count(target) == 0 && names.workloads.count(target) == 0) {
          errors.push_back(where + ": " + std::string(action::ToString(a.target().kind)) + " " +
                           Quote(a.target().name) + " is neither a service nor named by any alert label");
        }
        break;
    }
    if (const auto* ns = a.param("namespace"); ns != nullptr && !names.namespaces.empty() &&
                                               names.namespaces.count(ns->text.str()) == 0 &&
                                               ns->text.str() != "default") {
      errors.push_back(where + ": namespace " + Quote(ns->text) + " is not one the incident involves");
    }
    if (a.kind() == action::Kind::kScale) {
      int64_t n = a.param("replicas")->integer;  // Build requires it
      if (n < 1 || n > kMaxReplicas) {
        errors.push_back(where + ": replicas " + std::to_string(n) + " is outside [1, " +
                         std::to_string(kMaxReplicas) + "] (scaling to zero is for people to request)");
      }
    }
  }
  if (errors.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(errors, "; "));
}

}  // namespace awoooi::brain
