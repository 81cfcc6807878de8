// Proposal: what a reasoner recommends for an incident. Every field that carries text from the
// outside world is `Redacted`; the proposal is stored, shown and later handed to the approval
// engine (risk policy, dry-run, signatures). A reasoner can never approve or execute.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "awoooi/privacy/redacted.h"

namespace awoooi::brain {

// The action vocabulary executors will understand. Unknown types are rejected at validation.
enum class ActionType {
  kRestartPod,
  kRolloutRestart,
  kScale,
  kCordonNode,
  kDeletePvc,
  kRunCommand,
  kMcpTool,
  kInvestigate,  // gather more evidence; no change to the system
};
std::string_view ToString(ActionType t);
bool ParseActionType(std::string_view s, ActionType* out);

struct Action {
  ActionType type = ActionType::kInvestigate;
  privacy::Redacted target;  // a service in the topology (or node/pvc name), labels kept
  std::map<std::string, privacy::Redacted> parameters;  // e.g. namespace, replicas, command
  privacy::Redacted expected_effect;
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
  std::vector<Action> actions;
  double confidence = 0;  // 0..1
  privacy::Redacted reasoning;
  std::string reasoner;         // "playbook", "openai", "anthropic", "ollama"
  std::string fallback_reason;  // non-empty when the playbook answered instead of the chosen brain
};

}  // namespace awoooi::brain
