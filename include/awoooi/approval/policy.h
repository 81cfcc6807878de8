// The approval rules (PRODUCT F5, F6): risk policy, required signature factors, progressive trust
// and the approval state machine, as values and pure functions. The ApprovalService
// (approval/service.h) applies them with the store and the executors.
//
// Risk. A configurable list of rules gives an action its base risk from its kind, target kind,
// namespace and parameters (first matching rule wins); a protected namespace raises it one level,
// and so does a stateful target (a database service, a statefulset) when configured. A rule may
// pin CRITICAL, which nothing lowers.
//
// Requirements are AND-ed factors {roles, count}: all must be met. One person counts once, in one
// factor (the first unmet factor their role fits). LOW needs none (automatic).
//
// Progressive trust per action pattern (action::Action::Pattern()): approve +1, reject -> 0; a
// MEDIUM pattern at trust >= medium_to_low runs as LOW, a HIGH pattern at trust >= high_to_medium
// needs one signature (MEDIUM's factors); CRITICAL never downgrades; a failed automatic execution
// resets the pattern.
//
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "awoooi/action/action.h"
#include "awoooi/core/role.h"

namespace awoooi::approval {

enum class Risk { kLow = 0, kMedium = 1, kHigh = 2, kCritical = 3 };
std::string_view ToString(Risk risk);                  // "LOW", "MEDIUM", "HIGH", "CRITICAL"
std::optional<Risk> ParseRisk(std::string_view text);  // case-insensitive

// One rule of the risk policy. Empty fields match anything; `namespaces` and `tools` are globs.
struct RiskRule {
  std::string kind;         // action kind ("restart_pod"); "" = any
  std::string target_kind;  // "" = any
  std::vector<std::string> namespaces;
  std::vector<std::string> tools;      // mcp_tool: the tool name
  std::vector<std::string> templates;  // run_template: the template name
  int64_t replicas_below = -1;         // scale: matches when replicas < this (-1: not a condition)
  Risk risk = Risk::kMedium;
  bool pinned = false;  // the level is final: no namespace/stateful raise, no trust downgrade
  std::string reason;   // for people: "scaling below 1 replica stops the service"
};

struct RiskPolicy {
  std::vector<RiskRule> rules;  // first match wins
  Risk fallback = Risk::kHigh;  // no rule matched
  std::vector<std::string> protected_namespaces = {"kube-system"};
  bool stateful_raises = true;  // a database service or statefulset target: one level higher
  // The default policy (docs/approvals.md).
  static RiskPolicy Default();
  // A digest of the policy: a request created under another policy is voided.
  std::string Version() const;
};

// What the planner knows about the target beyond the action itself.
struct RiskContext {
  bool stateful = false;  // a database service, a statefulset, a PVC of a database
};

struct RiskAssessment {
  Risk base = Risk::kMedium;
  Risk effective = Risk::kMedium;
  bool pinned = false;
  std::string reason;  // program text, e.g. "restart_pod: MEDIUM; +1: stateful target (database)"
};

RiskAssessment Assess(const action::Action& action, const RiskContext& context, const RiskPolicy& policy);

struct TrustThresholds {
  int64_t medium_to_low = 5;    // a MEDIUM pattern runs automatically from this trust
  int64_t high_to_medium = 10;  // a HIGH pattern needs one signature from this trust
};

// Lowers `assessment.effective` by trust and says why in the reason. CRITICAL and pinned never move.
RiskAssessment ApplyTrust(RiskAssessment assessment, int64_t trust, const TrustThresholds& thresholds);

struct Factor {
  std::vector<Role> roles;
  int count = 1;
};

// MEDIUM {admin|devops|sre: 1}; HIGH {admin|devops|sre: 2}; CRITICAL {cto: 1} and {ciso: 1}.
std::vector<Factor> RequiredFactors(Risk effective);

// A signature as the factors see it.
struct Signer {
  std::string user;
  Role role = Role::kViewer;
};

struct FactorState {
  Factor factor;
  std::vector<Signer> signed_by;
  bool met() const { return static_cast<int>(signed_by.size()) >= factor.count; }
};

// Assigns each signer (in signing order) to the first unmet factor their role fits; a signer
// who fits none is not counted.
std::vector<FactorState> AssignSigners(const std::vector<Factor>& factors,
                                       const std::vector<Signer>& signers);
bool AllMet(const std::vector<FactorState>& factors);
// Whether `role` fits an unmet factor (a signature would count).
bool CanCount(const std::vector<FactorState>& factors, Role role);

enum class State { kPending, kApproved, kExecuting, kSucceeded, kFailed, kRejected, kVoided, kExpired };
std::string_view ToString(State state);  // "pending", ...
std::optional<State> ParseState(std::string_view text);
bool Terminal(State state);
// The allowed transitions, in one table: pending -> approved | rejected | voided | expired;
// approved -> executing | voided; executing -> succeeded | failed.
bool CanTransition(State from, State to);

}  // namespace awoooi::approval
