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

// Words that make a command or tool destructive. Commands are split into words on anything that is
// not a letter or digit, so "kubectl delete ns", "delete_namespace" and "DROP TABLE" all match.
constexpr std::string_view kDestructiveWords[] = {
    "delete", "del", "drop",  "truncate", "destroy", "purge",     "wipe",      "mkfs",
    "shred",  "rm",  "rmdir", "erase",    "prune",   "uninstall", "terminate", "dd"};

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      cur += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

std::string DestructiveWord(std::string_view text) {
  for (const std::string& w : Words(text)) {
    for (std::string_view bad : kDestructiveWords) {
      if (w == bad) return w;
    }
  }
  return "";
}

bool IsInteger(std::string_view s, long long* out) {
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
    const Action& a = p.actions[i];
    std::string where = "actions[" + std::to_string(i) + "] (" + std::string(ToString(a.type)) + ")";
    auto param = [&](const char* key) -> const privacy::Redacted* {
      auto it = a.parameters.find(key);
      return it == a.parameters.end() ? nullptr : &it->second;
    };
    if (a.target.empty()) {
      errors.push_back(where + ": target is empty");
      continue;
    }
    switch (a.type) {
      case ActionType::kCordonNode:
        if (names.nodes.count(a.target.str()) == 0) {
          errors.push_back(where + ": node " + Quote(a.target) + " is not named by any alert label");
        }
        break;
      case ActionType::kDeletePvc:
        if (names.pvcs.count(a.target.str()) == 0) {
          errors.push_back(where + ": PVC " + Quote(a.target) + " is not named by any alert label");
        }
        break;
      default:
        if (names.services.count(a.target.str()) == 0) {
          errors.push_back(where + ": target " + Quote(a.target) + " is not in the topology");
        }
        break;
    }
    if (const auto* ns = param("namespace");
        ns != nullptr && !names.namespaces.empty() && names.namespaces.count(ns->str()) == 0) {
      errors.push_back(where + ": namespace " + Quote(*ns) + " is not one the incident involves");
    }
    if (a.type == ActionType::kScale) {
      const auto* replicas = param("replicas");
      long long n = 0;
      if (replicas == nullptr || !IsInteger(replicas->view(), &n)) {
        errors.push_back(where + ": replicas must be an integer");
      } else if (n < 1 || n > kMaxReplicas) {
        errors.push_back(where + ": replicas " + std::to_string(n) + " is outside [1, " +
                         std::to_string(kMaxReplicas) + "]");
      }
    }
    if (a.type == ActionType::kRunCommand || a.type == ActionType::kMcpTool) {
      const char* required = a.type == ActionType::kRunCommand ? "command" : "tool";
      if (param(required) == nullptr || param(required)->empty()) {
        errors.push_back(where + ": parameter \"" + required + "\" is required");
      }
      for (const auto& [key, value] : a.parameters) {
        std::string bad = DestructiveWord(value.view());
        if (bad.empty()) bad = DestructiveWord(key);
        if (!bad.empty()) {
          errors.push_back(where + ": parameter \"" + key + "\" asks for a destructive operation (\"" + bad +
                           "\"); the only deletion a reasoner may propose is delete_pvc");
          break;
        }
      }
    }
  }
  if (errors.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(errors, "; "));
}

}  // namespace awoooi::brain
