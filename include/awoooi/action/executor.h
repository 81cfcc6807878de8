// Executor: the ACTION plugin interface (PRODUCT F7; ARCHITECTURE "Actions and approvals").
//
// An executor carries out typed actions (action.h) against one kind of system: the simulated
// cluster (the embedded default), a Kubernetes API server, an MCP server, command templates.
// The approval engine calls DryRun() before a request is offered and again right before
// execution (TOCTOU), then Execute() exactly once.
//
// Real values: actions arrive with labels ([IP_1]); the executor calls action::Rehydrate() with
// the context's shield and vault at the last moment, uses the RealAction for the call itself,
// and never logs, stores or returns a real value. Every text it returns (check details, output)
// is Redacted: it redacts in the incident's vault (so a real value gets its label back) and
// withholds an output that still carries one of the action's real values.
//
// Deadlines: every call honours `context.deadline` and `context.cancel`; a call that runs out of
// time returns DeadlineExceeded (DryRun) or a kFailed result saying so (Execute), never hangs.
//
// Thread-safety: DryRun and Execute may be called from several threads at once, for different
// actions; implementations synchronise their own state.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "awoooi/action/action.h"
#include "awoooi/privacy/redacted.h"

namespace awoooi::privacy {
class Shield;
class Vault;
}  // namespace awoooi::privacy

namespace awoooi::cluster {
class Control;
}

namespace awoooi::action {

struct ExecutionContext {
  const privacy::Shield* shield = nullptr;  // required
  // The incident's vault: rehydration reads it; redacting outputs may add labels to it (the
  // caller persists a dirty vault). Not thread-safe: one call per vault at a time.
  privacy::Vault* vault = nullptr;  // required
  absl::Time deadline = absl::InfiniteFuture();
  const std::atomic<bool>* cancel = nullptr;  // null: never cancelled
  bool expired() const;                       // deadline passed or cancel set
};

// One check of a dry-run. `name` is a stable identifier ("rbac", "parameters", "exists", "pdb",
// "blast_radius", "server_dry_run"...); `detail` says what was seen, for people.
struct Check {
  std::string name;
  bool passed = false;
  privacy::Redacted detail;
};

struct DryRunReport {
  std::vector<Check> checks;
  // SHA-256 (hex) over the identity and resource version of every object the dry-run looked at.
  // Equal fingerprints mean nothing the action depends on changed between two dry-runs.
  std::string state_fingerprint;
  privacy::Redacted summary;  // "restarts 1 pod (postgres-db-0), no data loss"
  int64_t pods_affected = 0;
  bool data_loss = false;  // the action destroys data (a PVC deletion)
  bool supported = true;   // false: the system cannot dry-run this (e.g. an admission webhook)
  bool passed() const;     // supported and every check passed
};

enum class ExecutionOutcome { kSucceeded, kFailed };
std::string_view ToString(ExecutionOutcome outcome);  // "succeeded" | "failed"

struct ExecutionResult {
  ExecutionOutcome outcome = ExecutionOutcome::kFailed;
  privacy::Redacted output;  // what the system answered, redacted, capped
  privacy::Redacted
      detail;  // one line for people: "pod postgres-db-0 replaced by postgres-db-0 (restarts 3)"
  absl::Time started_at = absl::InfinitePast();
  absl::Time finished_at = absl::InfinitePast();
  std::string state_fingerprint;  // the state after the action, as DryRunReport computes it ("" unknown)
};

class Executor {
 public:
  virtual ~Executor() = default;
  // The configured instance name ("cluster", "k8s-prod", "mcp-kubernetes").
  virtual std::string name() const = 0;
  // Whether this executor can carry out `action` at all (its kind and, for MCP and templates,
  // its server or template). The registry routes each action to the first executor that does.
  virtual bool Supports(const Action& action) const = 0;
  // Every check with pass/fail and detail, and the state fingerprint. A check that fails is a
  // successful DryRun with passed() false. Errors are for the dry-run itself not running:
  // DeadlineExceeded, Cancelled, Unavailable (the system is unreachable), FailedPrecondition
  // (rehydration failed).
  virtual absl::StatusOr<DryRunReport> DryRun(const Action& action, const ExecutionContext& context) = 0;
  // Carries out the action once. The result says whether it succeeded; an error status means it
  // could not even be attempted (rehydration failed, Unavailable before anything was sent).
  virtual absl::StatusOr<ExecutionResult> Execute(const Action& action, const ExecutionContext& context) = 0;
  // The cluster model this executor owns (the simulated cluster), or null.
  virtual cluster::Control* control() { return nullptr; }
};

}  // namespace awoooi::action
