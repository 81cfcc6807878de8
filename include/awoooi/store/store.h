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
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "awoooi/audit/audit.h"
#include "awoooi/brain/proposal.h"
#include "awoooi/core/alert.h"
#include "awoooi/core/role.h"
#include "awoooi/notify/outbox.h"
#include "awoooi/privacy/shield.h"

namespace awoooi::store {

// One alert ready to store: parsed, fingerprinted and keyed by the ingest layer.
struct IngestItem {
  Alert alert;
  std::string group_key;  // alerts with the same key share an incident (a keyed hash: never shown)
  std::string service;    // the incident's service (service or job label)
  std::string alertname;
  std::vector<std::string> group_label_names;  // the labels the key was built from (shown redacted)
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
  LabelSet group_labels;        // the labels the incident is grouped by (redacted values)
  int64_t parent_id = 0;        // 0: not linked under another incident
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
  int64_t token_id = 0;  // the token that authenticated this call (0: not from a token)
};

struct TokenInfo {
  int64_t id = 0;
  std::string user;
  std::string role;
  absl::Time created_at = absl::InfinitePast();
  absl::Time expires_at = absl::InfiniteFuture();
  absl::Time revoked_at = absl::InfinitePast();  // InfinitePast: not revoked
  bool demo = false;
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
  int64_t approval_id = 0;      // the approval request made for it (0: none: investigate, or not planned yet)
  std::string approval_status;  // that request's status
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

// An approval request (approval/service.h): one action, its risk, the factors it needs, the
// dry-run it was shown with, its signatures and its outcome. JSON fields hold redacted text only.
struct SignatureRecord {
  int64_t user_id = 0;
  std::string user;
  std::string role;
  std::string decision;  // "approve" | "reject"
  std::string comment;
  std::string action_hash;        // what the signer was shown
  std::string state_fingerprint;  // the dry-run state the signer was shown
  absl::Time at = absl::InfinitePast();
};

struct ApprovalRecord {
  int64_t id = 0;
  int64_t incident_id = 0;  // 0: none (requested by hand without an incident)
  int64_t proposal_id = 0;  // 0: requested by hand
  std::string status;       // approval::State names
  StoredAction action;
  std::string pattern;
  std::string risk_base, risk_effective, risk_reason;
  std::string factors_json;  // [{"roles": [...], "count": N}]
  std::string policy_version;
  std::string requested_by;  // "" unless a person requested it by hand
  std::string dry_run_json;  // the latest dry-run report
  std::string state_fingerprint;
  std::string blast_radius_json;    // ["ingress", ...]
  double savings_monthly_usd = -1;  // -1: unknown
  std::string reason;               // why it was voided, rejected, expired, or why the dry-run blocks it
  std::string result_json;          // the execution result, "" before
  absl::Time created_at = absl::InfinitePast();
  absl::Time updated_at = absl::InfinitePast();
  absl::Time expires_at = absl::InfinitePast();
  std::vector<SignatureRecord> signatures;  // in signing order
};

struct ApprovalFilter {
  std::string status;  // "" = any
  int64_t incident_id = 0;
  int64_t limit = 50;
  int64_t before_id = 0;
};

// One audit step to append; the store seals it (seq, previous hash, hash) in the same transaction
// as the change it records.
struct AuditDraft {
  std::string kind, actor, subject;
  std::string detail = "{}";  // JSON object, redacted
  // The step is worth telling people too: written to the outbox in the same transaction.
  std::optional<notify::NotificationDraft> notification;
};

// One notification on one channel (the outbox's fan-out).
struct Delivery {
  int64_t id = 0;
  int64_t notification_id = 0;
  std::string channel;
  std::string status;  // "pending" | "delivered" | "dead"
  int attempts = 0;
  absl::Time next_attempt_at = absl::InfinitePast();
  int http_status = 0;
  std::string last_error;
  absl::Time created_at = absl::InfinitePast();
  absl::Time delivered_at = absl::InfinitePast();
  notify::NotificationDraft notification;
  absl::Time notification_created_at = absl::InfinitePast();
};

struct DeliveryFilter {
  std::string status;  // "" = any
  std::string channel;
  int64_t limit = 100;
  int64_t before_id = 0;
};

struct TrustChange {
  std::string pattern;
  bool reset = false;  // true: collapse to 0 (a rejection, a failed automatic run); false: +1
};

struct TrustRecord {
  std::string pattern;
  int64_t score = 0;
  int64_t approvals = 0;
  int64_t rejections = 0;
  absl::Time updated_at = absl::InfinitePast();
};

// What a transition changes besides the status. Empty optionals leave fields as they are.
struct ApprovalUpdate {
  std::optional<std::string> reason;
  std::optional<std::string> result_json;
  std::optional<std::string> dry_run_json;
  std::optional<std::string> state_fingerprint;
  std::optional<TrustChange> trust;
};

struct AuditFilter {
  std::string kind;  // "" = any
  std::string subject;
  int64_t limit = 100;
  int64_t before_seq = 0;  // 0: newest first from the end
};

// One retention pass (Store::PruneResolved): what it prunes, and what it removed.
struct PruneRequest {
  absl::Time cutoff = absl::InfinitePast();  // last activity before this: pruned
  int64_t batch_incidents = 100;             // incidents examined per transaction (1..10,000)
  std::string actor = "system";              // who runs the pass, for the audit entry
  std::function<bool()> keep_going;          // asked between batches; false stops (empty: never)
};

struct PruneResult {
  int64_t incidents = 0;  // incidents deleted with all their rows
  int64_t alerts = 0;     // their alerts
  int64_t kept = 0;       // old resolved incidents kept: approvals name them (audit evidence)
  int64_t batches = 0;    // transactions the pass took
};

struct StoreStats {
  int64_t open_incidents = 0;
  int64_t incidents = 0;
  int64_t alerts = 0;
  int64_t queued_alerts = 0;  // waiting for the writer
};

// The scope an incident's vault records are sealed for (privacy::Shield::SealNew): a record copied
// into another incident's vault fails to open.
inline std::string VaultScope(int64_t incident_id) { return absl::StrCat("incident/", incident_id); }

class Store;

// The incident's vault for a reader beside the store's writer (an analysis, a hand-requested
// action, an approval's dry-run and execution): a privacy::VaultUse::kSnapshot, empty when the
// incident has no vault yet or `incident_id` is not positive. Only the writer's AlertRedactor
// mints labels that are kept.
absl::StatusOr<privacy::Vault> OpenIncidentVault(Store& store, const privacy::Shield& shield,
                                                 int64_t incident_id);

// Records to append to an incident's vault: the values minted since its last append, as sealed
// records numbered from `first_seq` (the number of records the incident already has).
struct VaultAppend {
  int64_t incident_id = 0;
  int64_t first_seq = 0;
  std::vector<std::string> records;
};

// How the writer turns an alert's text into its stored, redacted form in an incident's scope.
// Called only from the store's writer thread, so implementations need no locking.
class AlertRedactor {
 public:
  // The incident's sealed vault records, in order (empty for none).
  using LoadVaultRecords = std::function<absl::StatusOr<std::vector<std::string>>(int64_t incident_id)>;
  virtual ~AlertRedactor() = default;
  // Redacts the alert's label values, annotation values and generator URL in place, in the scope
  // of `incident_id`. `load` returns the incident's vault records the first time the redactor
  // needs them.
  virtual absl::Status Redact(int64_t incident_id, Alert& alert, const LoadVaultRecords& load) = 0;
  // The records of values minted since the last call, to append in the same transaction.
  virtual absl::StatusOr<std::vector<VaultAppend>> TakeChangedVaults() = 0;
  // The transaction rolled back: forget everything newer than the disk.
  virtual void Discard() = 0;
  // A request's savepoint rolled back the creation of this incident: forget its vault (the id will
  // be given to the next new incident). Vaults of incidents that existed before keep the labels the
  // request minted: they stay consistent, one value to one label.
  virtual void Forget(int64_t incident_id) = 0;
  // An earlier version stored an incident's vault as one sealed blob: its values as records of the
  // incident's scope (the store's one-time upgrade).
  virtual absl::StatusOr<std::vector<std::string>> UpgradeLegacyVault(int64_t incident_id,
                                                                      std::string_view sealed) = 0;
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
  // Returns the token's id. `expires_at` InfiniteFuture: never; `demo`: minted for a demo user.
  virtual absl::StatusOr<int64_t> AddToken(int64_t user_id, const std::string& token_sha256_hex,
                                           absl::Time expires_at = absl::InfiniteFuture(),
                                           bool demo = false) = 0;
  // The user of a token that is neither revoked nor expired; NotFound otherwise.
  virtual absl::StatusOr<User> UserByTokenHash(const std::string& token_sha256_hex) = 0;
  virtual absl::StatusOr<std::vector<TokenInfo>> ListTokens() = 0;
  virtual absl::Status RevokeToken(int64_t token_id) = 0;  // NotFound
  // Revokes every token minted for the demo users (a new start mints new ones). Returns how many.
  virtual absl::StatusOr<int64_t> RevokeDemoTokens() = 0;

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
  // `opened`: the incident's "opened" notification, written with the first analysis of an
  // incident that is not linked under another (a correlated child is not paged again).
  virtual void SaveAnalysis(StoredAnalysis analysis, std::optional<brain::Proposal> proposal,
                            std::function<void(absl::StatusOr<int64_t>)> done,
                            std::optional<notify::NotificationDraft> opened = std::nullopt) = 0;
  virtual absl::StatusOr<StoredAnalysis> GetAnalysis(int64_t incident_id) = 0;  // NotFound
  // The incident's proposals, newest first (at most `limit`); a proposal by id (NotFound).
  virtual absl::StatusOr<std::vector<StoredProposal>> ListProposals(int64_t incident_id, int64_t limit) = 0;
  virtual absl::StatusOr<StoredProposal> GetProposal(int64_t proposal_id) = 0;

  // The incident's sealed vault records, in order (privacy::Shield::OpenVault with
  // VaultScope(incident_id)); NotFound when the incident has none.
  virtual absl::StatusOr<std::vector<std::string>> GetVaultRecords(int64_t incident_id) = 0;

  // Approvals. Every change appends its audit entries in the same transaction.
  // Creates the request; when `hand_action` is set (a person requested it), the action row is
  // written first and `record.action.id` is taken from it. Returns the new id.
  virtual absl::StatusOr<int64_t> CreateApproval(ApprovalRecord record,
                                                 std::optional<action::Action> hand_action,
                                                 std::vector<AuditDraft> audit) = 0;
  virtual absl::StatusOr<ApprovalRecord> GetApproval(int64_t id) = 0;  // NotFound
  virtual absl::StatusOr<std::vector<ApprovalRecord>> ListApprovals(const ApprovalFilter& filter) = 0;
  // Adds a signature while the request is pending. FailedPrecondition when it is not pending any
  // more; AlreadyExists when this user already signed (one person signs once).
  virtual absl::Status AddSignature(int64_t approval_id, SignatureRecord signature,
                                    std::vector<AuditDraft> audit) = 0;
  // Moves the request from `from` to `to` with `update` — a conditional update: FailedPrecondition
  // when it is not in `from` any more (someone else moved it first), so concurrent callers race
  // here and exactly one wins.
  virtual absl::Status TransitionApproval(int64_t id, const std::string& from, const std::string& to,
                                          ApprovalUpdate update, std::vector<AuditDraft> audit) = 0;
  // Pending requests whose expiry is at or before `now`.
  virtual absl::StatusOr<std::vector<int64_t>> ExpiredApprovals(absl::Time now) = 0;
  virtual absl::StatusOr<TrustRecord> GetTrust(const std::string& pattern) = 0;  // score 0 when unknown
  virtual absl::StatusOr<std::vector<TrustRecord>> ListTrust() = 0;
  // Changes a pattern's trust (a failed automatic execution) and audits it.
  virtual absl::Status ChangeTrust(TrustChange change, std::vector<AuditDraft> audit) = 0;

  // The audit trail (audit/audit.h).
  virtual absl::Status AppendAudit(std::vector<AuditDraft> audit) = 0;
  virtual absl::StatusOr<std::vector<audit::Entry>> ListAudit(const AuditFilter& filter) = 0;  // newest first
  // Every entry in seq order, as stored (for verification), without loading them all at once.
  virtual absl::Status ScanAudit(const std::function<void(const audit::Entry&)>& fn) = 0;
  // Signs a checkpoint of the trail as it is now with `key` (one transaction: size and root agree).
  virtual absl::StatusOr<audit::Checkpoint> AddCheckpoint(const audit::CheckpointKey& key) = 0;
  virtual absl::StatusOr<std::vector<audit::Checkpoint>> ListCheckpoints() = 0;  // by tree size

  // The outbox (notify/outbox.h). Notifications also arrive through AuditDraft::notification and
  // SaveAnalysis; an incident that was told opened is told resolved by the ingest writer itself.
  virtual absl::Status AddNotifications(std::vector<notify::NotificationDraft> notifications) = 0;
  // Fans every unrouted notification out to the channels `route` names (idempotent per
  // notification and channel). Returns how many deliveries were created.
  virtual absl::StatusOr<int64_t> RouteNotifications(
      const std::function<std::vector<std::string>(const notify::NotificationDraft&)>& route) = 0;
  // Up to `limit` pending deliveries of `channel` due at `now`, oldest first, each claimed: its
  // attempt counted and its next attempt moved `lease` ahead (a crash mid-send retries then).
  virtual absl::StatusOr<std::vector<Delivery>> ClaimDeliveries(const std::string& channel, absl::Time now,
                                                                absl::Duration lease, int64_t limit) = 0;
  // Delivered; or not: try again at `next` (InfiniteFuture: dead-letter it).
  virtual absl::Status FinishDelivery(int64_t id, bool delivered, absl::Time next, int http_status,
                                      const std::string& error) = 0;
  virtual absl::StatusOr<std::vector<Delivery>> ListDeliveries(
      const DeliveryFilter& filter) = 0;  // newest first
  // Deliveries by channel and status (for /metrics).
  virtual absl::StatusOr<std::map<std::pair<std::string, std::string>, int64_t>> DeliveryCounts() = 0;

  // Users: change a role, or remove a user (their tokens stop working).
  virtual absl::Status SetRole(const std::string& name, Role role) = 0;  // NotFound
  virtual absl::Status RemoveUser(const std::string& name) = 0;          // NotFound

  // Small documents a plugin keeps across restarts (the simulated cluster's state), by key.
  // GetPluginState: NotFound when never written. PutPluginState returns once committed.
  virtual absl::StatusOr<std::string> GetPluginState(const std::string& key) = 0;
  virtual absl::Status PutPluginState(const std::string& key, const std::string& value) = 0;

  // Retention: deletes resolved incidents whose last activity (their newest alert delivery, or an
  // acknowledgement) is before `request.cutoff`, with their alerts, analyses, proposals, actions
  // and vault, in transactions of at most `request.batch_incidents` incidents queued on the writer
  // one after another, each followed by a rest as long as it took, so ingestion runs between
  // them and keeps at least half of the writer. Kept: incidents an approval names
  // (approvals are audit evidence and are never deleted), and the incident holding the newest
  // incident, alert, proposal or action id (so ids are never reused). The audit trail and the
  // outbox are not touched. A pass that deleted something appends one audit entry
  // `retention.pruned` with the counts. Unavailable when the store is closing.
  virtual absl::StatusOr<PruneResult> PruneResolved(const PruneRequest& request) = 0;

  // Store reachable and writable (readiness).
  virtual absl::Status Ping() = 0;
  // Stops accepting Ingest, commits everything queued, stops the writer. Idempotent.
  virtual void Close() = 0;
};

}  // namespace awoooi::store
