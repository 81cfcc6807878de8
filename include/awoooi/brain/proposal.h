// Proposal: what a reasoner recommends for an incident. Every field that carries text from the
// outside world is `Redacted`, and every action is a typed, validated `action::Action` (the only
// way a reasoner can say "do this"): a proposal is stored, shown and handed to the approval engine
// (risk policy, dry-run, signatures). A reasoner can never approve or execute.
#pragma once

#include <string>
#include <vector>

#include "awoooi/action/action.h"
#include "awoooi/privacy/redacted.h"

namespace awoooi::brain {

// One proposed action. `note` is program text (never a value): why a playbook's action was
// replaced by `investigate` ("restart_pod was not proposed: target: must be a Kubernetes name").
struct ProposedAction {
  action::Action action;
  std::string note;
};

struct RootCause {
  privacy::Redacted service;
  std::string kind;  // topology kind: database, cache, ...
  privacy::Redacted evidence;
};

struct Proposal {
  privacy::Redacted summary;
  RootCause root_cause;
  std::vector<privacy::Redacted> blast_radius;  // affected services
  std::vector<ProposedAction> actions;
  double confidence = 0;  // 0..1
  privacy::Redacted reasoning;
  std::string reasoner;         // "playbook", "openai", "anthropic", "ollama"
  std::string fallback_reason;  // non-empty when the playbook answered instead of the chosen brain
};

}  // namespace awoooi::brain
