// Store: the DATA plugin interface. Holds alerts, incidents, users and tokens, analyses and the
// per-incident vaults of the Privacy Shield.
//
// Durability contract: Ingest()'s callback reports OK only after the alerts are committed to
// disk; a caller answers 2xx only then. Alert label/annotation text is stored redacted (the
// incident's vault, sealed, is the only place real values live).
//
// Thread-safety: every method may be called from any thread. Ingest() never blocks on the disk:
// it queues the batch for the single writer thread (group commit) and returns.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "awoooi/brain/proposal.h"
#include "awoooi/core/alert.h"
#include "awoooi/core/role.h"

namespace awoooi::store {

// One alert ready to store: parsed, fingerprinted and keyed by the ingest layer.
struct IngestItem {
  Alert alert;
  std::string group_key;  // alerts with the same key share an incident
  std::string service;    // the incident's service (service or job label)
  std::string alertname;
};

// What storing one alert did; lets the server publish events and start analyses.
struct IngestOutcome {
  int64_t incident_id = 0;
  int64_t incident_version = 0;
  bool alert_created = false;      // first time this fingerprint was seen in the incident
  bool incident_opened = false;    // a new incident
  bool incident_reopened = false;  // a resolved incident fired again
  bool incident_resolved = false;  // this alert resolved the incident's last firing alert
  bool status_changed = false;     // the alert changed firing<->resolved
};

struct IngestResult {
  std::vector<IngestOutcome> outcomes;  // one per item, same order
  int64_t batch_size = 0;               // alerts committed in the same transaction
};

using IngestCallback = std::function<void(absl::StatusOr<IngestResult>)>;

struct IncidentFilter {
  std::optional<IncidentStatus> status;
  std::string service;
  int64_t limit = 50;
  int64_t before_id = 0;  // 0: newest first from the top; else ids < before_id (keyset pagination)
};

struct StoredAlert {
  int64_t id = 0;
  int64_t incident_id = 0;
  Alert alert;  // labels/annotations/generator_url hold redacted text
  absl::Time received_at = absl::InfinitePast();
  absl::Time updated_at = absl::InfinitePast();
  int64_t receive_count = 0;
};

// What the incident list and detail show beyond the incident itself.
struct IncidentMeta {
  int64_t parent_id = 0;  // 0: not linked under another incident
  std::string acknowledged_by;  // "" when nobody is on it
  absl::Time acknowledged_at = absl::InfinitePast();
};

struct IncidentRow {
  Incident incident;
  IncidentMeta meta;
};

struct IncidentDetail {
  Incident incident;
  IncidentMeta meta;
  std::vector<StoredAlert> alerts;
};

struct User {
  int64_t id = 0;
  std::string name;
  Role role = Role::kViewer;
};

struct StoredAnalysis {
  int64_t incident_id = 0;
  int64_t incident_version = 0;  // the incident version it analysed
  std::string json;              // the analysis document (redacted text only)
  std::string thinking;          // the reasoning transcript (redacted)
  absl::Time created_at = absl::InfinitePast();
  int64_t parent_incident_id = 0;  // the correlation the analysis found (0: none); saved on the incident
  int64_t proposal_id = 0;         // the proposal saved with it (0: none)
};

// One action of a stored proposal. Text fields are redacted; `params` holds each parameter's
// canonical text. `validation` is "valid", or why a proposed action was replaced by investigate.
struct StoredAction {
  int64_t id = 0;
  int64_t proposal_id = 0;
  int ordinal = 0;
  std::string kind, target_kind, target, ns;
  std::map<std::string, std::string> params;
  std::string expected_effect;
  std::string validation = "valid";
  std::string action_hash;
  absl::Time created_at = absl::InfinitePast();
};

struct StoredProposal {
  int64_t id = 0;
  int64_t incident_id = 0;
  int64_t incident_version = 0;
  std::string reasoner;
  double confidence = 0;
  std::string summary;
  std::string root_cause_service, root_cause_kind, evidence;
  std::string fallback_reason;
  absl::Time created_at = absl::InfinitePast();
  std::vector<StoredAction> actions;  // by ordinal
};

struct StoreStats {
  int64_t open_incidents = 0;
  int64_t incidents = 0;
  int64_t alerts = 0;
  int64_t queued_alerts = 0;  // waiting for the writer
};

// How the writer turns an alert's text into its stored, redacted form in an incident's scope.
// Called only from the store's writer thread, so implementations need no locking.
class AlertRedactor {
 public:
  using LoadSealedVault = std::function<absl::StatusOr<std::string>(int64_t incident_id)>;
  virtual ~AlertRedactor() = default;
  // Redacts the alert's label values, annotation values and generator URL in place, in the scope
  // of `incident_id`. `load` returns the incident's sealed vault ("" for none) the first time the
  // redactor needs it.
  virtual absl::Status Redact(int64_t incident_id, Alert& alert, const LoadSealedVault& load) = 0;
  // Vaults changed since the last call, sealed, to persist in the same transaction.
  virtual absl::StatusOr<std::vector<std::pair<int64_t, std::string>>> TakeChangedVaults() = 0;
  // The transaction rolled back: forget everything newer than the disk.
  virtual void Discard() = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Queues `items` for the writer. `done` runs on the writer thread after the commit (or failure):
  // keep it short (post the response to the connection's executor). ResourceExhausted when the
  // queue is full (the caller answers 503 so the sender retries), Unavailable when the store is
  // closing or the commit failed.
  virtual void Ingest(std::vector<IngestItem> items, IngestCallback done) = 0;

  virtual absl::StatusOr<std::vector<IncidentRow>> ListIncidents(const IncidentFilter& filter) = 0;
  // The incident and its most recent `max_alerts` alerts (all when 0), oldest first. NotFound.
  virtual absl::StatusOr<IncidentDetail> GetIncident(int64_t id, int64_t max_alerts) = 0;
  // Firing alerts of open incidents (topology health, pipeline context).
  virtual absl::StatusOr<std::vector<StoredAlert>> ActiveAlerts(int64_t limit) = 0;
  virtual absl::StatusOr<StoreStats> Stats() = 0;

  // Users and API tokens. Tokens are stored as SHA-256 hex digests only.
  virtual absl::StatusOr<User> AddUser(const std::string& name, Role role) = 0;  // AlreadyExists
  virtual absl::StatusOr<User> GetUser(const std::string& name) = 0;             // NotFound
  virtual absl::Status AddToken(int64_t user_id, const std::string& token_sha256_hex) = 0;
  virtual absl::StatusOr<User> UserByTokenHash(const std::string& token_sha256_hex) = 0;  // NotFound

  // The newest firing incident of `service` (as stored, redacted), 0 when none.
  virtual absl::StatusOr<int64_t> OpenIncidentOf(const std::string& service) = 0;

  // "I'm on it": records who acknowledged the incident (replacing an earlier acknowledgement).
  // NotFound.
  virtual absl::StatusOr<IncidentRow> AcknowledgeIncident(int64_t incident_id, const std::string& user) = 0;

  // Analyses (the pipeline's output), newest per incident, with the proposal they produced.
  // Queues the analysis (and its proposal, as a proposal row and one row per action) for the
  // writer, in one transaction that also records the incident's correlation link; `done` runs on
  // the writer thread once it is committed (with the new proposal's id, 0 without a proposal) or
  // failed, so an analysis never waits for a disk flush.
  virtual void SaveAnalysis(StoredAnalysis analysis, std::optional<brain::Proposal> proposal,
                            std::function<void(absl::StatusOr<int64_t>)> done) = 0;
  virtual absl::StatusOr<StoredAnalysis> GetAnalysis(int64_t incident_id) = 0;  // NotFound
  // The incident's proposals, newest first (at most `limit`); a proposal by id (NotFound).
  virtual absl::StatusOr<std::vector<StoredProposal>> ListProposals(int64_t incident_id, int64_t limit) = 0;
  virtual absl::StatusOr<StoredProposal> GetProposal(int64_t proposal_id) = 0;

  // The incident's sealed vault (Shield::SealVault bytes); NotFound when the incident has none.
  virtual absl::StatusOr<std::string> GetSealedVault(int64_t incident_id) = 0;

  // Small documents a plugin keeps across restarts (the simulated cluster's state), by key.
  // GetPluginState: NotFound when never written. PutPluginState returns once committed.
  virtual absl::StatusOr<std::string> GetPluginState(const std::string& key) = 0;
  virtual absl::Status PutPluginState(const std::string& key, const std::string& value) = 0;

  // Store reachable and writable (readiness).
  virtual absl::Status Ping() = 0;
  // Stops accepting Ingest, commits everything queued, stops the writer. Idempotent.
  virtual void Close() = 0;
};

}  // namespace awoooi::store
