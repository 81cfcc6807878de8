// ApprovalService: from a proposed action to a signed, re-checked, executed and audited change
// (PRODUCT F5, F6; ARCHITECTURE "Actions and approvals").
//
//   proposal -> for each action that changes something: risk (policy, then trust) -> dry-run ->
//     LOW: executed at once;  otherwise: an approval request naming the factors it needs
//   signatures (identity and role from the caller's token) -> all factors met -> APPROVED ->
//     dry-run again (TOCTOU): a different state fingerprint or a failed check VOIDS it ->
//     APPROVED -> EXECUTING (the one place an execution starts; concurrent callers race on it in
//     the store and only one wins) -> the executor -> SUCCEEDED | FAILED -> trust, audit, events
//
// Refusals are answered with the reason: PermissionDenied (a viewer; a role no open factor needs;
// the person who requested the action by hand), FailedPrecondition (not pending; already signed;
// the state the signer was shown is stale; the dry-run failed; expired), NotFound.
// Requests are never deleted: rejected, voided and expired ones stay in the history.
//
// Thread-safety: every method may be called from any thread. Work that may take long (dry-runs,
// executions) runs on the service's own threads; callers get the result through a callback.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "awoooi/action/executor.h"
#include "awoooi/approval/policy.h"
#include "awoooi/privacy/shield.h"
#include "awoooi/store/store.h"
#include "awoooi/topology/topology.h"

namespace awoooi::approval {

struct Settings {
  RiskPolicy policy = RiskPolicy::Default();
  TrustThresholds trust;
  absl::Duration expiry = absl::Hours(1);
  absl::Duration execution_timeout = absl::Seconds(60);
  int threads = 2;
  action::Catalog catalog;  // command templates and MCP servers actions may name
};

struct Dependencies {
  store::Store* store = nullptr;
  const privacy::Shield* shield = nullptr;
  std::vector<action::Executor*> executors;      // the first that Supports() an action carries it out
  const topology::Topology* topology = nullptr;  // blast radius and stateful targets (may be null)
  // Live events for the dashboard: name ("approval.requested", ...) and JSON data.
  std::function<void(const std::string& event, const std::string& data)> publish;
};

// Whether `user` may sign `record` now, and if not, why (for the dashboard's button).
struct Eligibility {
  bool can_sign = false;
  std::string why_not;
};

using ApprovalCallback = std::function<void(absl::StatusOr<store::ApprovalRecord>)>;

class ApprovalService {
 public:
  ApprovalService(Settings settings, Dependencies deps);
  ~ApprovalService();  // finishes queued work, then stops the threads

  // A proposal was stored: plan its actions (asynchronously).
  void OnProposal(int64_t incident_id, int64_t proposal_id);
  // A person requests an action by hand (same rules; they cannot sign it themselves).
  void Request(const store::User& user, action::Draft draft, int64_t incident_id, ApprovalCallback done);
  // A signature. `shown_fingerprint` is the dry-run state fingerprint the signer was shown;
  // `shown_action_hash` (optional, "" = not given) the action hash.
  void Approve(int64_t id, const store::User& user, std::string shown_fingerprint,
               std::string shown_action_hash, std::string comment, ApprovalCallback done);
  void Reject(int64_t id, const store::User& user, std::string comment, ApprovalCallback done);
  // Moves every pending request past its expiry to EXPIRED. Returns how many.
  int ExpireDue();
  // At start-up: a request the previous process left EXECUTING is FAILED (it may or may not have
  // run: the result says to check the target), one left APPROVED is VOIDED (its re-check and
  // execution never happened; request it again). Nothing stays in between forever. Returns how many.
  int RecoverInterrupted();
  // Blocks until every queued job has finished (tests, shutdown).
  void Drain();

  Eligibility EligibilityOf(const store::ApprovalRecord& record, const store::User& user) const;
  // The factors of `record` with who signed each.
  std::vector<FactorState> FactorsOf(const store::ApprovalRecord& record) const;
  const Settings& settings() const { return settings_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Settings settings_;
};

}  // namespace awoooi::approval
