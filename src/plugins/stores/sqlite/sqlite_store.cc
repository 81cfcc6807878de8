#include "plugins/stores/sqlite/sqlite_store.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "awoooi/core/json_read.h"
#include "awoooi/incident/lifecycle.h"
#include "plugins/stores/sqlite/sqlite_db.h"

namespace awoooi::store {
namespace {

using sqlite::Db;
using sqlite::Stmt;

struct Migration {
  const char* name;
  const char* sql;
};
constexpr Migration kMigrations[] = {
#include "awoooi/sqlite_migrations.inc"
};

std::string LabelsJson(const LabelSet& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

LabelSet ParseLabels(const std::string& text) {
  LabelSet out;
  ReadStringObject(text, &out);
  return out;
}

absl::Time TimeOrPast(const Stmt& s, int col) {
  if (s.IsNull(col)) return absl::InfinitePast();
  return ParseRfc3339(s.Text(col)).value_or(absl::InfinitePast());
}

absl::Status Configure(Db& db, bool fsync) {
  if (auto s = db.Exec("PRAGMA busy_timeout=5000"); !s.ok()) return s;
  if (auto s = db.Exec("PRAGMA journal_mode=WAL"); !s.ok()) return s;
  // 8 MiB of page cache per connection (SQLite's default is 2 MiB): the incident and alert
  // indexes stay hot. No mmap: mapped pages would count against the process's RSS.
  if (auto s = db.Exec("PRAGMA cache_size=-8192"); !s.ok()) return s;
  return db.Exec(fsync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF");
}

absl::StatusOr<int> ApplyMigrations(Db& db) {
  if (auto s = db.Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                       "name TEXT NOT NULL, applied_at TEXT NOT NULL)");
      !s.ok())
    return s;
  int applied = 0;
  for (const Migration& m : kMigrations) {
    int version = std::atoi(m.name);
    auto check = db.Prepare("SELECT 1 FROM schema_migrations WHERE version = ?1");
    if (!check.ok()) return check.status();
    check->Bind(1, static_cast<int64_t>(version));
    auto row = check->Step();
    if (!row.ok()) return row.status();
    if (*row) continue;
    if (auto s = db.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    absl::Status s = db.Exec(m.sql);
    if (s.ok()) {
      auto ins = db.Prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)");
      if (!ins.ok())
        s = ins.status();
      else
        s = ins->Bind(1, static_cast<int64_t>(version))
                .Bind(2, m.name)
                .Bind(3, FormatRfc3339(absl::Now()))
                .Run();
    }
    if (!s.ok()) {
      (void)db.Exec("ROLLBACK");
      return absl::Status(s.code(), absl::StrCat("migration ", m.name, ": ", s.message()));
    }
    if (auto c = db.Exec("COMMIT"); !c.ok()) return c;
    ++applied;
  }
  return applied;
}

Incident ReadIncident(const Stmt& s) {
  // Column order of kIncidentColumns.
  Incident i;
  i.id = s.Int(0);
  i.group_key = s.Text(1);
  i.status = ParseIncidentStatus(s.Text(2)).value_or(IncidentStatus::kFiring);
  i.service = s.Text(3);
  i.alertname = s.Text(4);
  i.severity = s.Text(5);
  i.title = s.Text(6);
  i.opened_at = TimeOrPast(s, 7);
  i.updated_at = TimeOrPast(s, 8);
  i.resolved_at = TimeOrPast(s, 9);
  i.alert_count = s.Int(10);
  i.firing_count = s.Int(11);
  i.version = s.Int(12);
  return i;
}
constexpr char kIncidentColumns[] =
    "id, group_key, status, service, alertname, severity, title, opened_at, updated_at, resolved_at, "
    "alert_count, firing_count, version, parent_id, acknowledged_by, acknowledged_at, group_labels";

IncidentMeta ReadIncidentMeta(const Stmt& s) {
  // Columns 13.. of kIncidentColumns.
  IncidentMeta m;
  m.parent_id = s.IsNull(13) ? 0 : s.Int(13);
  m.acknowledged_by = s.IsNull(14) ? "" : s.Text(14);
  m.acknowledged_at = TimeOrPast(s, 15);
  m.group_labels = ParseLabels(s.Text(16));
  return m;
}

std::string ParamsJson(const std::map<std::string, std::string>& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::map<std::string, std::string> ParseParams(const std::string& text) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : ParseLabels(text)) out[k] = v;
  return out;
}

constexpr char kProposalColumns[] =
    "id, incident_id, incident_version, reasoner, confidence, summary, root_cause_service, root_cause_kind, "
    "evidence, fallback_reason, created_at";

StoredProposal ReadProposal(const Stmt& s) {
  StoredProposal p;
  p.id = s.Int(0);
  p.incident_id = s.Int(1);
  p.incident_version = s.Int(2);
  p.reasoner = s.Text(3);
  p.confidence = s.Double(4);
  p.summary = s.Text(5);
  p.root_cause_service = s.Text(6);
  p.root_cause_kind = s.Text(7);
  p.evidence = s.Text(8);
  p.fallback_reason = s.Text(9);
  p.created_at = TimeOrPast(s, 10);
  return p;
}

constexpr char kActionColumns[] =
    "id, proposal_id, ordinal, kind, target_kind, target, namespace, params, expected_effect, validation, "
    "action_hash, created_at";

StoredAction ReadAction(const Stmt& s) {
  StoredAction a;
  a.id = s.Int(0);
  a.proposal_id = s.IsNull(1) ? 0 : s.Int(1);
  a.ordinal = static_cast<int>(s.Int(2));
  a.kind = s.Text(3);
  a.target_kind = s.Text(4);
  a.target = s.Text(5);
  a.ns = s.Text(6);
  a.params = ParseParams(s.Text(7));
  a.expected_effect = s.Text(8);
  a.validation = s.Text(9);
  a.action_hash = s.Text(10);
  a.created_at = TimeOrPast(s, 11);
  return a;
}

// Writes one action row (proposal_id 0: requested by hand); returns its id.
absl::StatusOr<int64_t> InsertAction(Db& db, int64_t proposal_id, int ordinal, const action::Action& a,
                                     std::string_view validation, const std::string& now) {
  std::map<std::string, std::string> params;
  for (const auto& [k, v] : a.params()) params[k] = v.text.str();
  auto st = db.Prepare(absl::StrCat("INSERT INTO actions (", std::string(kActionColumns).substr(4),
                                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
  if (!st.ok()) return st.status();
  if (proposal_id > 0)
    st->Bind(1, proposal_id);
  else
    st->BindNull(1);
  if (auto s = st->Bind(2, static_cast<int64_t>(ordinal))
                   .Bind(3, action::ToString(a.kind()))
                   .Bind(4, action::ToString(a.target().kind))
                   .Bind(5, a.target().name.view())
                   .Bind(6, a.target().ns.view())
                   .Bind(7, ParamsJson(params))
                   .Bind(8, a.expected_effect().view())
                   .Bind(9, validation)
                   .Bind(10, a.hash())
                   .Bind(11, now)
                   .Run();
      !s.ok())
    return s;
  return db.LastInsertId();
}

// Reads every row of `st` with `read`.
template <typename T, typename Read>
absl::StatusOr<std::vector<T>> ReadAll(Stmt& st, Read read) {
  std::vector<T> out;
  for (;;) {
    auto row = st.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(read(st));
  }
  return out;
}

StoredAlert ReadAlert(const Stmt& s) {
  // Column order of kAlertColumns.
  StoredAlert a;
  a.id = s.Int(0);
  a.incident_id = s.Int(1);
  a.alert.fingerprint = s.Text(2);
  a.alert.status = ParseAlertStatus(s.Text(3)).value_or(AlertStatus::kFiring);
  a.alert.labels = ParseLabels(s.Text(4));
  a.alert.annotations = ParseLabels(s.Text(5));
  a.alert.starts_at = TimeOrPast(s, 6);
  a.alert.ends_at = TimeOrPast(s, 7);
  a.alert.generator_url = s.Text(8);
  a.alert.source = s.Text(9);
  a.received_at = TimeOrPast(s, 10);
  a.updated_at = TimeOrPast(s, 11);
  a.receive_count = s.Int(12);
  return a;
}
constexpr char kAlertColumns[] =
    "id, incident_id, fingerprint, status, labels, annotations, starts_at, ends_at, generator_url, source, "
    "received_at, updated_at, receive_count";

// Writes a proposal and one row per action (inside the caller's transaction); returns its id.
absl::StatusOr<int64_t> InsertProposal(Db& db, int64_t incident_id, int64_t incident_version,
                                       const brain::Proposal& p, const std::string& now) {
  auto st = db.Prepare(absl::StrCat("INSERT INTO proposals (", std::string(kProposalColumns).substr(4),
                                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
  if (!st.ok()) return st.status();
  if (auto s = st->Bind(1, incident_id)
                   .Bind(2, incident_version)
                   .Bind(3, p.reasoner)
                   .Bind(4, p.confidence)
                   .Bind(5, p.summary.view())
                   .Bind(6, p.root_cause.service.view())
                   .Bind(7, p.root_cause.kind)
                   .Bind(8, p.root_cause.evidence.view())
                   .Bind(9, p.fallback_reason)
                   .Bind(10, now)
                   .Run();
      !s.ok())
    return s;
  int64_t id = db.LastInsertId();
  for (std::size_t i = 0; i < p.actions.size(); ++i) {
    const auto& pa = p.actions[i];
    auto a = InsertAction(db, id, static_cast<int>(i), pa.action, pa.note.empty() ? "valid" : pa.note, now);
    if (!a.ok()) return a.status();
  }
  return id;
}

// Reads the actions of `p` by ordinal.
absl::Status LoadActions(Db& db, StoredProposal* p) {
  // Each action with the newest approval request made for it.
  auto st = db.Prepare(absl::StrCat(
      "SELECT ", kActionColumns,
      ", (SELECT ap.id FROM approvals ap WHERE ap.action_id = actions.id ORDER BY ap.id DESC LIMIT 1), "
      "(SELECT ap.status FROM approvals ap WHERE ap.action_id = actions.id ORDER BY ap.id DESC LIMIT 1) "
      "FROM actions WHERE proposal_id = ?1 ORDER BY ordinal"));
  if (!st.ok()) return st.status();
  st->Bind(1, p->id);
  auto actions = ReadAll<StoredAction>(*st, [](const Stmt& s) {
    StoredAction a = ReadAction(s);
    a.approval_id = s.IsNull(12) ? 0 : s.Int(12);
    a.approval_status = s.IsNull(13) ? "" : s.Text(13);
    return a;
  });
  if (!actions.ok()) return actions.status();
  p->actions = std::move(*actions);
  return absl::OkStatus();
}

// ---- The outbox.

std::string PayloadJson(const notify::NotificationDraft& n) {
  nlohmann::json fields = nlohmann::json::array();
  for (const auto& [k, v] : n.fields) fields.push_back({k, v});
  nlohmann::json j = {{"title", n.title}, {"text", n.text}, {"fields", fields}, {"link_path", n.link_path}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

absl::Status InsertNotificationIn(Db& db, const notify::NotificationDraft& n, const std::string& now) {
  auto st = db.Prepare(
      "INSERT INTO notifications (event, severity, subject, incident_id, service, namespace, payload, "
      "created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!st.ok()) return st.status();
  st->Bind(1, n.event).Bind(2, ToString(n.severity)).Bind(3, n.subject);
  if (n.incident_id > 0)
    st->Bind(4, n.incident_id);
  else
    st->BindNull(4);
  return st->Bind(5, n.service).Bind(6, n.ns).Bind(7, PayloadJson(n)).Bind(8, now).Run();
}

notify::NotificationDraft ReadNotification(const Stmt& s, int col) {
  // Columns: event, severity, subject, incident_id, service, namespace, payload.
  notify::NotificationDraft n;
  n.event = s.Text(col);
  n.severity = ParseSeverity(s.Text(col + 1));
  n.subject = s.Text(col + 2);
  n.incident_id = s.IsNull(col + 3) ? 0 : s.Int(col + 3);
  n.service = s.Text(col + 4);
  n.ns = s.Text(col + 5);
  auto j = nlohmann::json::parse(s.Text(col + 6), nullptr, false);
  if (j.is_object()) {
    n.title = j.value("title", "");
    n.text = j.value("text", "");
    n.link_path = j.value("link_path", "");
    for (const auto& f : j.value("fields", nlohmann::json::array())) {
      if (f.is_array() && f.size() == 2 && f[0].is_string() && f[1].is_string())
        n.fields.emplace_back(f[0], f[1]);
    }
  }
  return n;
}

constexpr char kDeliveryColumns[] =
    "d.id, d.notification_id, d.channel, d.status, d.attempts, d.next_attempt_at, d.http_status, "
    "d.last_error, "
    "d.created_at, d.delivered_at, n.event, n.severity, n.subject, n.incident_id, n.service, n.namespace, "
    "n.payload, "
    "n.created_at";

Delivery ReadDelivery(const Stmt& s) {
  Delivery d;
  d.id = s.Int(0);
  d.notification_id = s.Int(1);
  d.channel = s.Text(2);
  d.status = s.Text(3);
  d.attempts = static_cast<int>(s.Int(4));
  d.next_attempt_at = TimeOrPast(s, 5);
  d.http_status = static_cast<int>(s.Int(6));
  d.last_error = s.Text(7);
  d.created_at = TimeOrPast(s, 8);
  d.delivered_at = TimeOrPast(s, 9);
  d.notification = ReadNotification(s, 10);
  d.notification_created_at = TimeOrPast(s, 17);
  return d;
}

// ---- Audit: appended inside the caller's transaction, so an entry exists exactly when its change does.

absl::StatusOr<audit::MerkleTree> LoadTree(Db& db) {
  auto st = db.Prepare("SELECT state FROM audit_tree WHERE id = 1");
  if (!st.ok()) return st.status();
  auto r = st->Step();
  if (!r.ok()) return r.status();
  if (!*r) return audit::MerkleTree();
  return audit::MerkleTree::FromState(st->Text(0));
}

// `now` is truncated to the milliseconds the row keeps, so the hash covers exactly what is stored.
absl::Status AppendAuditIn(Db& db, const std::vector<AuditDraft>& drafts, absl::Time now) {
  if (drafts.empty()) return absl::OkStatus();
  now = absl::FromUnixMillis(absl::ToUnixMillis(now));
  const std::string now_text = FormatRfc3339(now);
  auto last = db.Prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
  if (!last.ok()) return last.status();
  auto r = last->Step();
  if (!r.ok()) return r.status();
  audit::Entry previous;
  bool has_previous = *r;
  if (has_previous) {
    previous.seq = last->Int(0);
    previous.hash = last->Text(1);
  }
  auto tree = LoadTree(db);
  if (!tree.ok()) return tree.status();
  auto ins = db.Prepare(
      "INSERT INTO audit_log (seq, at, kind, actor, subject, detail, prev_hash, hash) VALUES (?1, ?2, ?3, "
      "?4, ?5, ?6, "
      "?7, ?8)");
  if (!ins.ok()) return ins.status();
  for (const AuditDraft& d : drafts) {
    audit::Entry e;
    e.at = now;
    e.kind = d.kind;
    e.actor = d.actor;
    e.subject = d.subject;
    e.detail = d.detail;
    audit::Seal(e, has_previous ? &previous : nullptr);
    if (auto s = ins->Bind(1, e.seq)
                     .Bind(2, now_text)
                     .Bind(3, e.kind)
                     .Bind(4, e.actor)
                     .Bind(5, e.subject)
                     .Bind(6, e.detail)
                     .Bind(7, e.prev_hash)
                     .Bind(8, e.hash)
                     .Run();
        !s.ok())
      return s;
    tree->AddLeaf(audit::CanonicalBytes(e));
    previous = std::move(e);
    has_previous = true;
    if (d.notification) {
      if (auto s = InsertNotificationIn(db, *d.notification, now_text); !s.ok()) return s;
    }
  }
  auto save = db.Prepare(
      "INSERT INTO audit_tree (id, state) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET state = "
      "excluded.state");
  if (!save.ok()) return save.status();
  return save->Bind(1, tree->State()).Run();
}

audit::Entry ReadAuditEntry(const Stmt& s) {
  audit::Entry e;
  e.seq = s.Int(0);
  e.at = TimeOrPast(s, 1);
  e.kind = s.Text(2);
  e.actor = s.Text(3);
  e.subject = s.Text(4);
  e.detail = s.Text(5);
  e.prev_hash = s.Text(6);
  e.hash = s.Text(7);
  return e;
}

constexpr char kApprovalColumns[] =
    "a.id, a.incident_id, a.proposal_id, a.status, a.pattern, a.risk_base, a.risk_effective, a.risk_reason, "
    "a.factors, a.policy_version, a.requested_by, a.dry_run, a.state_fingerprint, a.blast_radius, "
    "a.savings_monthly_usd, a.reason, a.result, a.created_at, a.updated_at, a.expires_at, a.action_id";

ApprovalRecord ReadApproval(const Stmt& s) {
  ApprovalRecord a;
  a.id = s.Int(0);
  a.incident_id = s.IsNull(1) ? 0 : s.Int(1);
  a.proposal_id = s.IsNull(2) ? 0 : s.Int(2);
  a.status = s.Text(3);
  a.pattern = s.Text(4);
  a.risk_base = s.Text(5);
  a.risk_effective = s.Text(6);
  a.risk_reason = s.Text(7);
  a.factors_json = s.Text(8);
  a.policy_version = s.Text(9);
  a.requested_by = s.Text(10);
  a.dry_run_json = s.Text(11);
  a.state_fingerprint = s.Text(12);
  a.blast_radius_json = s.Text(13);
  a.savings_monthly_usd = s.IsNull(14) ? -1 : s.Double(14);
  a.reason = s.Text(15);
  a.result_json = s.Text(16);
  a.created_at = TimeOrPast(s, 17);
  a.updated_at = TimeOrPast(s, 18);
  a.expires_at = TimeOrPast(s, 19);
  a.action.id = s.Int(20);
  return a;
}

// The action row and the signatures of `a`.
absl::Status LoadApprovalParts(Db& db, ApprovalRecord* a) {
  auto act = db.Prepare(absl::StrCat("SELECT ", kActionColumns, " FROM actions WHERE id = ?1"));
  if (!act.ok()) return act.status();
  act->Bind(1, a->action.id);
  auto r = act->Step();
  if (!r.ok()) return r.status();
  if (*r) a->action = ReadAction(*act);
  auto sig = db.Prepare(
      "SELECT user_id, user_name, role, decision, comment, action_hash, state_fingerprint, at FROM "
      "signatures "
      "WHERE approval_id = ?1 ORDER BY id");
  if (!sig.ok()) return sig.status();
  sig->Bind(1, a->id);
  auto sigs = ReadAll<SignatureRecord>(*sig, [](const Stmt& s) {
    return SignatureRecord{s.Int(0),  s.Text(1), s.Text(2), s.Text(3),
                           s.Text(4), s.Text(5), s.Text(6), TimeOrPast(s, 7)};
  });
  if (!sigs.ok()) return sigs.status();
  a->signatures = std::move(*sigs);
  return absl::OkStatus();
}

absl::Status ApplyTrustIn(Db& db, const TrustChange& t, const std::string& now) {
  auto st = db.Prepare(
      t.reset
          ? "INSERT INTO trust (pattern, score, approvals, rejections, updated_at) VALUES (?1, 0, 0, 1, ?2) "
            "ON CONFLICT (pattern) DO UPDATE SET score = 0, rejections = rejections + 1, updated_at = "
            "excluded.updated_at"
          : "INSERT INTO trust (pattern, score, approvals, rejections, updated_at) VALUES (?1, 1, 1, 0, ?2) "
            "ON CONFLICT (pattern) DO UPDATE SET score = score + 1, approvals = approvals + 1, "
            "updated_at = excluded.updated_at");
  if (!st.ok()) return st.status();
  return st->Bind(1, t.pattern).Bind(2, now).Run();
}

// ---- Retention. `ids` is a JSON array of incident ids (json_each), so each table is one statement.

// Every row that holds an incident's vault (the Privacy Shield's real values).
absl::Status DeleteVaultRowsIn(Db& db, const std::string& ids) {
  for (const char* sql : {"DELETE FROM vault_records WHERE incident_id IN (SELECT value FROM json_each(?1))",
                          "DELETE FROM vaults WHERE incident_id IN (SELECT value FROM json_each(?1))"}) {
    auto st = db.Prepare(sql);
    if (!st.ok()) return st.status();
    if (auto s = st->Bind(1, ids).Run(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// The incidents `ids` with everything that hangs off them; returns how many alerts went. The
// caller has checked that no approval names them (the approvals table refuses deletes anyway).
absl::StatusOr<int64_t> DeleteIncidentsIn(Db& db, const std::string& ids) {
  int64_t alerts = -1;
  for (const char* sql : {
           "DELETE FROM alerts WHERE incident_id IN (SELECT value FROM json_each(?1))",
           "DELETE FROM analyses WHERE incident_id IN (SELECT value FROM json_each(?1))",
           "DELETE FROM actions WHERE proposal_id IN (SELECT id FROM proposals WHERE incident_id IN "
           "(SELECT value FROM json_each(?1)))",
           "DELETE FROM proposals WHERE incident_id IN (SELECT value FROM json_each(?1))",
           // A kept incident correlated under a pruned one is no longer linked.
           "UPDATE incidents SET parent_id = NULL WHERE parent_id IN (SELECT value FROM json_each(?1))",
           "DELETE FROM incidents WHERE id IN (SELECT value FROM json_each(?1))",
       }) {
    auto st = db.Prepare(sql);
    if (!st.ok()) return st.status();
    if (auto s = st->Bind(1, ids).Run(); !s.ok()) return s;
    if (alerts < 0) alerts = db.Changes();  // the first statement's
  }
  if (auto s = DeleteVaultRowsIn(db, ids); !s.ok()) return s;
  return alerts;
}

// The incidents that own the newest incident, alert, proposal and action ids: deleting one of
// those rows would let SQLite give its id to the next row (INTEGER PRIMARY KEY is max + 1), and
// the audit trail and notifications name incidents and proposals by id.
absl::StatusOr<std::set<int64_t>> OwnersOfNewestIds(Db& db) {
  std::set<int64_t> out;
  for (const char* sql : {
           "SELECT max(id) FROM incidents",
           "SELECT incident_id FROM alerts ORDER BY id DESC LIMIT 1",
           "SELECT incident_id FROM proposals ORDER BY id DESC LIMIT 1",
           "SELECT p.incident_id FROM actions a JOIN proposals p ON p.id = a.proposal_id "
           "WHERE a.id = (SELECT max(id) FROM actions)",
       }) {
    auto st = db.Prepare(sql);
    if (!st.ok()) return st.status();
    auto r = st->Step();
    if (!r.ok()) return r.status();
    if (*r && !st->IsNull(0)) out.insert(st->Int(0));
  }
  return out;
}

// Where a retention pass has got to: the last incident it examined, in (updated_at, id) order.
struct PruneCursor {
  std::string updated_at;  // "" sorts before every time
  int64_t id = 0;
};

// One batch of a retention pass, inside the caller's transaction: examines the next `limit` old
// resolved incidents after `cursor` (the partial index of migration 0009 finds them in order, so
// the work is bounded whatever the table holds), deletes those that may go, advances the cursor.
// `examined` < `limit` means the pass is complete. `pruned` gets the deleted ids.
absl::Status PruneBatchIn(Db& db, const std::string& cutoff, int64_t limit, PruneCursor* cursor,
                          PruneResult* result, int64_t* examined, std::vector<int64_t>* pruned) {
  // INDEXED BY: without statistics the planner prefers incidents_by_status and sorts every
  // resolved incident for each batch (seconds at a million incidents, with the writer held).
  auto candidates = db.Prepare(
      "SELECT id, updated_at, acknowledged_at FROM incidents INDEXED BY incidents_resolved_by_activity "
      "WHERE status = 'resolved' AND updated_at < ?1 AND (updated_at, id) > (?2, ?3) "
      "ORDER BY updated_at, id LIMIT ?4");
  if (!candidates.ok()) return candidates.status();
  candidates->Bind(1, cutoff).Bind(2, cursor->updated_at).Bind(3, cursor->id).Bind(4, limit);
  auto approved = db.Prepare(
      "SELECT 1 FROM approvals WHERE incident_id = ?1 UNION ALL "
      "SELECT 1 FROM proposals p JOIN actions ac ON ac.proposal_id = p.id JOIN approvals a ON a.action_id = "
      "ac.id WHERE p.incident_id = ?1 LIMIT 1");
  if (!approved.ok()) return approved.status();
  auto newest = OwnersOfNewestIds(db);
  if (!newest.ok()) return newest.status();
  struct Candidate {
    int64_t id;
    std::string acknowledged_at;
  };
  std::vector<Candidate> rows;
  *examined = 0;
  for (;;) {
    auto r = candidates->Step();
    if (!r.ok()) return r.status();
    if (!*r) break;
    ++*examined;
    cursor->id = candidates->Int(0);
    cursor->updated_at = candidates->Text(1);
    rows.push_back({cursor->id, candidates->IsNull(2) ? "" : candidates->Text(2)});
  }
  std::string ids;
  for (const Candidate& c : rows) {
    if (c.acknowledged_at >= cutoff) continue;  // acknowledged since: still active
    if (newest->count(c.id)) continue;
    approved->Reset();
    approved->Bind(1, c.id);
    auto r = approved->Step();
    if (!r.ok()) return r.status();
    if (*r) {
      ++result->kept;
      continue;
    }
    absl::StrAppend(&ids, ids.empty() ? "[" : ",", c.id);
    pruned->push_back(c.id);
  }
  if (ids.empty()) return absl::OkStatus();
  ids += "]";
  auto alerts = DeleteIncidentsIn(db, ids);
  if (!alerts.ok()) return alerts.status();
  result->alerts += *alerts;
  result->incidents += static_cast<int64_t>(pruned->size());
  return absl::OkStatus();
}

class SqliteStore final : public Store {
 public:
  SqliteStore(SqliteOptions options, std::unique_ptr<AlertRedactor> redactor, Db writer)
      : options_(std::move(options)), redactor_(std::move(redactor)), writer_db_(std::move(writer)) {}

  ~SqliteStore() override { Close(); }

  absl::Status Start() {
    auto prep = [this](Stmt* out, std::string_view sql) -> absl::Status {
      auto s = writer_db_.Prepare(sql);
      if (!s.ok()) return s.status();
      *out = std::move(*s);
      return absl::OkStatus();
    };
    absl::Status s;
    s.Update(prep(&find_incident_,
                  "SELECT id, status, resolved_at, firing_count, severity, version FROM incidents "
                  "WHERE group_key = ?1 ORDER BY id DESC LIMIT 1"));
    s.Update(prep(&insert_incident_,
                  "INSERT INTO incidents (group_key, status, service, alertname, severity, title, opened_at, "
                  "updated_at, alert_count, firing_count, version) VALUES (?1, 'firing', '', '', '', '', ?2, "
                  "?2, 0, 0, 0)"));
    s.Update(prep(
        &find_alert_,
        "SELECT id, status, starts_at, ends_at FROM alerts WHERE incident_id = ?1 AND fingerprint = ?2"));
    s.Update(
        prep(&insert_alert_,
             "INSERT INTO alerts (incident_id, fingerprint, status, labels, annotations, starts_at, ends_at, "
             "generator_url, source, received_at, updated_at, receive_count) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, 1)"));
    s.Update(
        prep(&update_alert_,
             "UPDATE alerts SET status = ?2, labels = ?3, annotations = ?4, starts_at = ?5, ends_at = ?6, "
             "generator_url = ?7, updated_at = ?8, receive_count = receive_count + 1 WHERE id = ?1"));
    s.Update(prep(&update_incident_,
                  "UPDATE incidents SET status = ?2, firing_count = ?3, alert_count = alert_count + ?4, "
                  "severity = ?5, updated_at = ?6, resolved_at = ?7, version = ?8 WHERE id = ?1"));
    s.Update(prep(
        &name_incident_,
        "UPDATE incidents SET service = ?2, alertname = ?3, title = ?4, group_labels = ?5 WHERE id = ?1"));
    s.Update(prep(&load_vault_, "SELECT sealed FROM vault_records WHERE incident_id = ?1 ORDER BY seq"));
    s.Update(
        prep(&save_vault_,
             "INSERT INTO vault_records (incident_id, seq, sealed, created_at) VALUES (?1, ?2, ?3, ?4)"));
    s.Update(prep(&savepoint_, "SAVEPOINT request"));
    s.Update(prep(&release_, "RELEASE request"));
    s.Update(prep(&rollback_to_, "ROLLBACK TO request"));
    if (!s.ok()) return s;
    // Checkpoints move off the writer (see WalHook): it only appends to the WAL.
    sqlite3_wal_hook(writer_db_.raw(), &SqliteStore::WalHook, this);
    checkpointer_ = std::thread([this] { CheckpointLoop(); });
    writer_ = std::thread([this] { WriterLoop(); });
    return absl::OkStatus();
  }

  void Ingest(std::vector<IngestItem> items, IngestCallback done) override {
    int64_t n = static_cast<int64_t>(items.size());
    int64_t bytes = 0;
    for (const auto& item : items) bytes += QueuedBytes(item);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closing_) {
        done(absl::UnavailableError("store is shutting down"));
        return;
      }
      if ((queued_alerts_ + n > options_.max_queue_alerts ||
           queued_bytes_ + bytes > options_.max_queue_bytes) &&
          queued_alerts_ > 0) {
        done(absl::ResourceExhaustedError("ingest queue is full; retry later"));
        return;
      }
      queued_alerts_ += n;
      queued_bytes_ += bytes;
      Pending pending{std::move(items), std::move(done)};
      pending.bytes = bytes;
      queue_.push_back(std::move(pending));
    }
    cv_.notify_one();
  }

  void Close() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closing_) {
        if (!writer_.joinable()) return;
      }
      closing_ = true;
    }
    cv_.notify_one();
    if (writer_.joinable()) writer_.join();
    {
      std::lock_guard<std::mutex> lock(checkpoint_mu_);
      checkpoint_stop_ = true;
    }
    checkpoint_cv_.notify_one();
    if (checkpointer_.joinable()) checkpointer_.join();
  }

  absl::StatusOr<std::vector<IncidentRow>> ListIncidents(const IncidentFilter& f) override {
    return WithReader([&](Db& db) -> absl::StatusOr<std::vector<IncidentRow>> {
      std::string sql = absl::StrCat("SELECT ", kIncidentColumns, " FROM incidents WHERE 1=1");
      if (f.status) sql += " AND status = ?1";
      if (!f.service.empty()) sql += " AND service = ?2";
      if (f.before_id > 0) sql += " AND id < ?3";
      sql += " ORDER BY id DESC LIMIT ?4";
      auto st = db.Prepare(sql);
      if (!st.ok()) return st.status();
      if (f.status) st->Bind(1, ToString(*f.status));
      if (!f.service.empty()) st->Bind(2, f.service);
      if (f.before_id > 0) st->Bind(3, f.before_id);
      st->Bind(4, std::clamp<int64_t>(f.limit, 1, 1000));
      return ReadAll<IncidentRow>(*st, [](const Stmt& s) {
        return IncidentRow{ReadIncident(s), ReadIncidentMeta(s)};
      });
    });
  }

  absl::StatusOr<IncidentDetail> GetIncident(int64_t id, int64_t max_alerts) override {
    return WithReader([&](Db& db) -> absl::StatusOr<IncidentDetail> {
      if (auto s = db.Exec("BEGIN"); !s.ok()) return s;  // one consistent snapshot
      auto result = [&]() -> absl::StatusOr<IncidentDetail> {
        auto st = db.Prepare(absl::StrCat("SELECT ", kIncidentColumns, " FROM incidents WHERE id = ?1"));
        if (!st.ok()) return st.status();
        st->Bind(1, id);
        auto row = st->Step();
        if (!row.ok()) return row.status();
        if (!*row) return absl::NotFoundError(absl::StrCat("incident ", id, " not found"));
        IncidentDetail d;
        d.incident = ReadIncident(*st);
        d.meta = ReadIncidentMeta(*st);
        auto al = db.Prepare(absl::StrCat("SELECT ", kAlertColumns,
                                          " FROM alerts WHERE incident_id = ?1 ORDER BY id DESC LIMIT ?2"));
        if (!al.ok()) return al.status();
        al->Bind(1, id).Bind(2, max_alerts > 0 ? max_alerts : int64_t{-1});
        for (;;) {
          auto r = al->Step();
          if (!r.ok()) return r.status();
          if (!*r) break;
          d.alerts.push_back(ReadAlert(*al));
        }
        std::reverse(d.alerts.begin(), d.alerts.end());
        return d;
      }();
      (void)db.Exec("COMMIT");
      return result;
    });
  }

  absl::StatusOr<std::vector<StoredAlert>> ActiveAlerts(int64_t limit) override {
    return WithReader([&](Db& db) -> absl::StatusOr<std::vector<StoredAlert>> {
      auto st = db.Prepare(absl::StrCat("SELECT ", kAlertColumns,
                                        " FROM alerts WHERE status = 'firing' ORDER BY id DESC LIMIT ?1"));
      if (!st.ok()) return st.status();
      st->Bind(1, limit);
      std::vector<StoredAlert> out;
      for (;;) {
        auto r = st->Step();
        if (!r.ok()) return r.status();
        if (!*r) break;
        out.push_back(ReadAlert(*st));
      }
      return out;
    });
  }

  absl::StatusOr<StoreStats> Stats() override {
    auto stats = WithReader([&](Db& db) -> absl::StatusOr<StoreStats> {
      auto st = db.Prepare(
          "SELECT (SELECT count(*) FROM incidents WHERE status = 'firing'), (SELECT max(id) FROM incidents), "
          "(SELECT max(id) FROM alerts)");
      if (!st.ok()) return st.status();
      auto r = st->Step();
      if (!r.ok()) return r.status();
      StoreStats s;
      s.open_incidents = st->Int(0);
      s.incidents = st->Int(1);
      s.alerts = st->Int(2);
      return s;
    });
    if (stats.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      stats->queued_alerts = queued_alerts_;
    }
    return stats;
  }

  absl::StatusOr<User> AddUser(const std::string& name, Role role) override {
    int64_t id = 0;
    absl::Status s = RunOnWriter([&](Db& db) -> absl::Status {
      auto st = db.Prepare("INSERT INTO users (name, role, created_at) VALUES (?1, ?2, ?3)");
      if (!st.ok()) return st.status();
      absl::Status r = st->Bind(1, name).Bind(2, ToString(role)).Bind(3, FormatRfc3339(absl::Now())).Run();
      if (absl::IsAlreadyExists(r))
        return absl::AlreadyExistsError(absl::StrCat("user ", name, " already exists"));
      id = db.LastInsertId();
      return r;
    });
    if (!s.ok()) return s;
    return User{id, name, role};
  }

  absl::StatusOr<User> GetUser(const std::string& name) override {
    return WithReader([&](Db& db) -> absl::StatusOr<User> {
      auto st = db.Prepare("SELECT id, name, role FROM users WHERE name = ?1 AND removed_at IS NULL");
      if (!st.ok()) return st.status();
      st->Bind(1, name);
      auto r = st->Step();
      if (!r.ok()) return r.status();
      if (!*r) return absl::NotFoundError(absl::StrCat("user ", name, " not found"));
      return User{st->Int(0), st->Text(1), ParseRole(st->Text(2)).value_or(Role::kViewer)};
    });
  }

  absl::StatusOr<int64_t> AddToken(int64_t user_id, const std::string& hash, absl::Time expires_at,
                                   bool demo) override {
    int64_t id = 0;
    absl::Status s = RunOnWriter([&](Db& db) -> absl::Status {
      auto st = db.Prepare(
          "INSERT INTO api_tokens (user_id, sha256, created_at, expires_at, demo) VALUES (?1, ?2, ?3, ?4, "
          "?5)");
      if (!st.ok()) return st.status();
      st->Bind(1, user_id)
          .Bind(2, hash)
          .Bind(3, FormatRfc3339(absl::Now()))
          .Bind(5, static_cast<int64_t>(demo));
      if (expires_at == absl::InfiniteFuture())
        st->BindNull(4);
      else
        st->Bind(4, FormatRfc3339(expires_at));
      if (auto r = st->Run(); !r.ok()) return r;
      id = db.LastInsertId();
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return id;
  }

  absl::StatusOr<std::vector<TokenInfo>> ListTokens() override {
    return WithReader([&](Db& db) -> absl::StatusOr<std::vector<TokenInfo>> {
      auto st = db.Prepare(
          "SELECT t.id, u.name, u.role, t.created_at, t.expires_at, t.revoked_at, t.demo FROM api_tokens t "
          "JOIN users u ON u.id = t.user_id ORDER BY t.id");
      if (!st.ok()) return st.status();
      return ReadAll<TokenInfo>(*st, [](const Stmt& s) {
        TokenInfo t;
        t.id = s.Int(0);
        t.user = s.Text(1);
        t.role = s.Text(2);
        t.created_at = TimeOrPast(s, 3);
        t.expires_at = s.IsNull(4) ? absl::InfiniteFuture() : TimeOrPast(s, 4);
        t.revoked_at = TimeOrPast(s, 5);
        t.demo = s.Int(6) != 0;
        return t;
      });
    });
  }

  absl::Status RevokeToken(int64_t token_id) override {
    return RunOnWriter([&](Db& db) -> absl::Status {
      auto st = db.Prepare("UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
      if (!st.ok()) return st.status();
      if (auto r = st->Bind(1, token_id).Bind(2, FormatRfc3339(absl::Now())).Run(); !r.ok()) return r;
      if (db.Changes() == 0) return absl::NotFoundError(absl::StrCat("no active token ", token_id));
      return AppendAuditIn(db, {AuditDraft{"token.revoked", "admin", absl::StrCat("token/", token_id), "{}"}},
                           absl::Now());
    });
  }

  absl::StatusOr<int64_t> RevokeDemoTokens() override {
    int64_t n = 0;
    absl::Status s = RunOnWriter([&](Db& db) -> absl::Status {
      auto st = db.Prepare("UPDATE api_tokens SET revoked_at = ?1 WHERE demo = 1 AND revoked_at IS NULL");
      if (!st.ok()) return st.status();
      if (auto r = st->Bind(1, FormatRfc3339(absl::Now())).Run(); !r.ok()) return r;
      n = db.Changes();
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return n;
  }

  absl::StatusOr<User> UserByTokenHash(const std::string& hash) override {
    return WithReader([&](Db& db) -> absl::StatusOr<User> {
      auto st = db.Prepare(
          "SELECT u.id, u.name, u.role, t.id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE "
          "t.sha256 = ?1 "
          "AND u.removed_at IS NULL AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > "
          "?2)");
      if (!st.ok()) return st.status();
      st->Bind(1, hash).Bind(2, FormatRfc3339(absl::Now()));
      auto r = st->Step();
      if (!r.ok()) return r.status();
      if (!*r) return absl::NotFoundError("unknown, revoked or expired token");
      return User{st->Int(0), st->Text(1), ParseRole(st->Text(2)).value_or(Role::kViewer), st->Int(3)};
    });
  }

  absl::StatusOr<int64_t> OpenIncidentOf(const std::string& service) override {
    return WithReader([&](Db& db) -> absl::StatusOr<int64_t> {
      auto st = db.Prepare(
          "SELECT id FROM incidents WHERE service = ?1 AND status = 'firing' ORDER BY id DESC LIMIT 1");
      if (!st.ok()) return st.status();
      st->Bind(1, service);
      auto r = st->Step();
      if (!r.ok()) return r.status();
      return *r ? st->Int(0) : int64_t{0};
    });
  }

  absl::StatusOr<IncidentRow> AcknowledgeIncident(int64_t incident_id, const std::string& user) override {
    absl::Status s = RunOnWriter([&](Db& db) -> absl::Status {
      auto st = db.Prepare("UPDATE incidents SET acknowledged_by = ?2, acknowledged_at = ?3 WHERE id = ?1");
      if (!st.ok()) return st.status();
      if (auto r = st->Bind(1, incident_id).Bind(2, user).Bind(3, FormatRfc3339(absl::Now())).Run(); !r.ok())
        return r;
      if (db.Changes() == 0) return absl::NotFoundError(absl::StrCat("incident ", incident_id, " not found"));
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    auto d = GetIncident(incident_id, 1);
    if (!d.ok()) return d.status();
    return IncidentRow{d->incident, d->meta};
  }

  void SaveAnalysis(StoredAnalysis a, std::optional<brain::Proposal> proposal,
                    std::function<void(absl::StatusOr<int64_t>)> done,
                    std::optional<notify::NotificationDraft> opened) override {
    auto analysis = std::make_shared<StoredAnalysis>(std::move(a));
    auto opened_note = std::make_shared<std::optional<notify::NotificationDraft>>(std::move(opened));
    auto prop = std::make_shared<std::optional<brain::Proposal>>(std::move(proposal));
    auto proposal_id = std::make_shared<int64_t>(0);
    Enqueue(
        [analysis, prop, proposal_id, opened_note](Db& db) -> absl::Status {
          std::string now = FormatRfc3339(absl::Now());
          // The first analysis of an incident that is not a correlated child pages (once).
          if (opened_note->has_value() && analysis->parent_incident_id == 0) {
            auto mark = db.Prepare("UPDATE incidents SET notified = 1 WHERE id = ?1 AND notified = 0");
            if (!mark.ok()) return mark.status();
            if (auto s = mark->Bind(1, analysis->incident_id).Run(); !s.ok()) return s;
            if (db.Changes() == 1) {
              if (auto s = InsertNotificationIn(db, **opened_note, now); !s.ok()) return s;
            }
          }
          if (prop->has_value()) {
            auto id = InsertProposal(db, analysis->incident_id, analysis->incident_version, **prop, now);
            if (!id.ok()) return id.status();
            *proposal_id = *id;
          }
          auto st = db.Prepare(
              "INSERT INTO analyses (incident_id, incident_version, document, thinking, created_at, "
              "proposal_id) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (incident_id) DO UPDATE SET "
              "incident_version = excluded.incident_version, document = excluded.document, "
              "thinking = excluded.thinking, created_at = excluded.created_at, proposal_id = "
              "excluded.proposal_id");
          if (!st.ok()) return st.status();
          st->Bind(1, analysis->incident_id)
              .Bind(2, analysis->incident_version)
              .Bind(3, analysis->json)
              .Bind(4, analysis->thinking)
              .Bind(5, now);
          if (*proposal_id > 0)
            st->Bind(6, *proposal_id);
          else
            st->BindNull(6);
          if (auto s = st->Run(); !s.ok()) return s;
          std::vector<AuditDraft> audit = {AuditDraft{
              "analysis", "system", absl::StrCat("incident/", analysis->incident_id),
              absl::StrCat(
                  "{\"incident_version\":", analysis->incident_version, ",\"parent_id\":",
                  analysis->parent_incident_id > 0 ? std::to_string(analysis->parent_incident_id) : "null",
                  "}")}};
          if (*proposal_id > 0) {
            std::string hashes;
            for (const auto& pa : (*prop)->actions) {
              absl::StrAppend(&hashes, hashes.empty() ? "" : ",", "\"", pa.action.hash(), "\"");
            }
            audit.push_back(AuditDraft{"proposal", (*prop)->reasoner, absl::StrCat("proposal/", *proposal_id),
                                       absl::StrCat("{\"incident_id\":", analysis->incident_id,
                                                    ",\"action_hashes\":[", hashes, "]}")});
          }
          if (auto s = AppendAuditIn(db, audit, absl::Now()); !s.ok()) return s;
          // The correlation follows the evidence: each analysis sets (or clears) the link.
          auto link = db.Prepare("UPDATE incidents SET parent_id = ?2 WHERE id = ?1");
          if (!link.ok()) return link.status();
          link->Bind(1, analysis->incident_id);
          if (analysis->parent_incident_id > 0)
            link->Bind(2, analysis->parent_incident_id);
          else
            link->BindNull(2);
          return link->Run();
        },
        [done = std::move(done), proposal_id](absl::Status s) {
          if (!s.ok()) return done(s);
          done(*proposal_id);
        });
  }

  absl::StatusOr<StoredAnalysis> GetAnalysis(int64_t incident_id) override {
    return WithReader([&](Db& db) -> absl::StatusOr<StoredAnalysis> {
      auto st = db.Prepare(
          "SELECT a.incident_id, a.incident_version, a.document, a.thinking, a.created_at, a.proposal_id, "
          "i.parent_id FROM analyses a JOIN incidents i ON i.id = a.incident_id WHERE a.incident_id = ?1");
      if (!st.ok()) return st.status();
      st->Bind(1, incident_id);
      auto r = st->Step();
      if (!r.ok()) return r.status();
      if (!*r) return absl::NotFoundError(absl::StrCat("incident ", incident_id, " has no analysis yet"));
      StoredAnalysis a;
      a.incident_id = st->Int(0);
      a.incident_version = st->Int(1);
      a.json = st->Text(2);
      a.thinking = st->Text(3);
      a.created_at = TimeOrPast(*st, 4);
      a.proposal_id = st->IsNull(5) ? 0 : st->Int(5);
      a.parent_incident_id = st->IsNull(6) ? 0 : st->Int(6);
      return a;
    });
  }

  absl::StatusOr<std::vector<StoredProposal>> ListProposals(int64_t incident_id, int64_t limit) override {
    return WithReader([&](Db& db) -> absl::StatusOr<std::vector<StoredProposal>> {
      auto st = db.Prepare(absl::StrCat("SELECT ", kProposalColumns,
                                        " FROM proposals WHERE incident_id = ?1 ORDER BY id DESC LIMIT ?2"));
      if (!st.ok()) return st.status();
      st->Bind(1, incident_id).Bind(2, std::clamp<int64_t>(limit, 1, 1000));
      auto proposals = ReadAll<StoredProposal>(*st, ReadProposal);
      if (!proposals.ok()) return proposals.status();
      for (auto& p : *proposals) {
        if (auto s = LoadActions(db, &p); !s.ok()) return s;
      }
      return proposals;
    });
  }

  absl::StatusOr<StoredProposal> GetProposal(int64_t proposal_id) override {
    return WithReader([&](Db& db) -> absl::StatusOr<StoredProposal> {
      auto st = db.Prepare(absl::StrCat("SELECT ", kProposalColumns, " FROM proposals WHERE id = ?1"));
      if (!st.ok()) return st.status();
      st->Bind(1, proposal_id);
      auto r = st->Step();
      if (!r.ok()) return r.status();
      if (!*r) return absl::NotFoundError(absl::StrCat("proposal ", proposal_id, " not found"));
      StoredProposal p = ReadProposal(*st);
      if (auto s = LoadActions(db, &p); !s.ok()) return s;
      return p;
    });
  }

  absl::StatusOr<std::vector<std::string>> GetVaultRecords(int64_t incident_id) override {
    return WithReader([&](Db& db) -> absl::StatusOr<std::vector<std::string>> {
      auto st = db.Prepare("SELECT sealed FROM vault_records WHERE incident_id = ?1 ORDER BY seq");
      if (!st.ok()) return st.status();
      st->Bind(1, incident_id);
      std::vector<std::string> records;
      for (;;) {
        auto r = st->Step();
        if (!r.ok()) return r.status();
        if (!*r) break;
        records.push_back(st->Text(0));
      }
      if (records.empty())
        return absl::NotFoundError(absl::StrCat("incident ", incident_id, " has no vault"));
      return records;
    });
  }

  absl::StatusOr<int64_t> CreateApproval(ApprovalRecord rec, std::optional<action::Action> hand_action,
                                         std::vector<AuditDraft> audit) override {
    int64_t id = 0;
    absl::Status s = RunOnWriter([&](Db& db) -> absl::Status {
      std::string now = FormatRfc3339(absl::Now());
      if (hand_action) {
        auto action_id = InsertAction(db, 0, 0, *hand_action, "valid", now);
        if (!action_id.ok()) return action_id.status();
        rec.action.id = *action_id;
      }
      auto st = db.Prepare(
          "INSERT INTO approvals (action_id, incident_id, proposal_id, status, pattern, risk_base, "
          "risk_effective, "
          "risk_reason, factors, policy_version, requested_by, dry_run, state_fingerprint, blast_radius, "
          "savings_monthly_usd, reason, result, created_at, updated_at, expires_at) VALUES (?1, ?2, ?3, ?4, "
          "?5, ?6, "
          "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?18, ?19)");
      if (!st.ok()) return st.status();
      st->Bind(1, rec.action.id);
      if (rec.incident_id > 0)
        st->Bind(2, rec.incident_id);
      else
        st->BindNull(2);
      if (rec.proposal_id > 0)
        st->Bind(3, rec.proposal_id);
      else
        st->BindNull(3);
      st->Bind(4, rec.status)
          .Bind(5, rec.pattern)
          .Bind(6, rec.risk_base)
          .Bind(7, rec.risk_effective)
          .Bind(8, rec.risk_reason)
          .Bind(9, rec.factors_json)
          .Bind(10, rec.policy_version)
          .Bind(11, rec.requested_by)
          .Bind(12, rec.dry_run_json)
          .Bind(13, rec.state_fingerprint)
          .Bind(14, rec.blast_radius_json);
      if (rec.savings_monthly_usd >= 0)
        st->Bind(15, rec.savings_monthly_usd);
      else
        st->BindNull(15);
      st->Bind(16, rec.reason)
          .Bind(17, rec.result_json)
          .Bind(18, now)
          .Bind(19, FormatRfc3339(rec.expires_at));
      if (auto r = st->Run(); !r.ok()) return r;
      id = db.LastInsertId();
      for (auto& d : audit) {
        if (d.subject.empty()) d.subject = absl::StrCat("approval/", id);
        if (d.notification) {  // drafted before the id existed
          d.notification->subject = absl::StrCat("approval/", id);
          d.notification->link_path = absl::StrCat("/approvals/", id);
        }
      }
      return AppendAuditIn(db, audit, absl::Now());
    });
    if (!s.ok()) return s;
    return id;
  }

  absl::StatusOr<ApprovalRecord> GetApproval(int64_t id) override {
    return WithReader([&](Db& db) -> absl::StatusOr<ApprovalRecord> {
      auto st = db.Prepare(absl::StrCat("SELECT ", kApprovalColumns, " FROM approvals a WHERE a.id = ?1"));
      if (!st.ok()) return st.status();
      st->Bind(1, id);
      auto r = st->Step();
      if (!r.ok()) return r.status();
      if (!*r) return absl::NotFoundError(absl::StrCat("approval ", id, " not found"));
      ApprovalRecord a = ReadApproval(*st);
      if (auto s = LoadApprovalParts(db, &a); !s.ok()) return s;
      return a;
    });
  }

  absl::StatusOr<std::vector<ApprovalRecord>> ListApprovals(const ApprovalFilter& f) override {
    return WithReader([&](Db& db) -> absl::StatusOr<std::vector<ApprovalRecord>> {
      std::string sql = absl::StrCat("SELECT ", kApprovalColumns, " FROM approvals a WHERE 1=1");
      if (!f.status.empty()) sql += " AND a.status = ?1";
      if (f.incident_id > 0) sql += " AND a.incident_id = ?2";
      if (f.before_id > 0) sql += " AND a.id < ?3";
      sql += " ORDER BY a.id DESC LIMIT ?4";
      auto st = db.Prepare(sql);
      if (!st.ok()) return st.status();
      if (!f.status.empty()) st->Bind(1, f.status);
      if (f.incident_id > 0) st->Bind(2, f.incident_id);
      if (f.before_id > 0) st->Bind(3, f.before_id);
      st->Bind(4, std::clamp<int64_t>(f.limit, 1, 1000));
      auto list = ReadAll<ApprovalRecord>(*st, ReadApproval);
      if (!list.ok()) return list.status();
      for (auto& a : *list) {
        if (auto s = LoadApprovalParts(db, &a); !s.ok()) return s;
      }
      return list;
    });
  }

  absl::Status AddSignature(int64_t approval_id, SignatureRecord sig,
                            std::vector<AuditDraft> audit) override {
    return RunOnWriter([&](Db& db) -> absl::Status {
      auto state = db.Prepare("SELECT status FROM approvals WHERE id = ?1");
      if (!state.ok()) return state.status();
      state->Bind(1, approval_id);
      auto r = state->Step();
      if (!r.ok()) return r.status();
      if (!*r) return absl::NotFoundError(absl::StrCat("approval ", approval_id, " not found"));
      if (state->Text(0) != "pending") {
        return absl::FailedPreconditionError(
            absl::StrCat("approval ", approval_id, " is ", state->Text(0), ", not pending"));
      }
      std::string now = FormatRfc3339(absl::Now());
      auto ins = db.Prepare(
          "INSERT INTO signatures (approval_id, user_id, user_name, role, decision, comment, action_hash, "
          "state_fingerprint, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
      if (!ins.ok()) return ins.status();
      absl::Status s = ins->Bind(1, approval_id)
                           .Bind(2, sig.user_id)
                           .Bind(3, sig.user)
                           .Bind(4, sig.role)
                           .Bind(5, sig.decision)
                           .Bind(6, sig.comment)
                           .Bind(7, sig.action_hash)
                           .Bind(8, sig.state_fingerprint)
                           .Bind(9, now)
                           .Run();
      if (absl::IsAlreadyExists(s))
        return absl::AlreadyExistsError(absl::StrCat(sig.user, " already signed approval ", approval_id));
      if (!s.ok()) return s;
      auto touch = db.Prepare("UPDATE approvals SET updated_at = ?2 WHERE id = ?1");
      if (!touch.ok()) return touch.status();
      if (auto t = touch->Bind(1, approval_id).Bind(2, now).Run(); !t.ok()) return t;
      return AppendAuditIn(db, audit, absl::Now());
    });
  }

  absl::Status TransitionApproval(int64_t id, const std::string& from, const std::string& to,
                                  ApprovalUpdate u, std::vector<AuditDraft> audit) override {
    // A transition changes the state; which ones may is the database's trigger (migration 0007).
    if (from == to) return absl::FailedPreconditionError(absl::StrCat("approval ", id, " is already ", to));
    return RunOnWriter([&](Db& db) -> absl::Status {
      std::string now = FormatRfc3339(absl::Now());
      std::string sql = "UPDATE approvals SET status = ?3, updated_at = ?4";
      if (u.reason) sql += ", reason = ?5";
      if (u.result_json) sql += ", result = ?6";
      if (u.dry_run_json) sql += ", dry_run = ?7";
      if (u.state_fingerprint) sql += ", state_fingerprint = ?8";
      sql += " WHERE id = ?1 AND status = ?2";
      auto st = db.Prepare(sql);
      if (!st.ok()) return st.status();
      st->Bind(1, id).Bind(2, from).Bind(3, to).Bind(4, now);
      if (u.reason) st->Bind(5, *u.reason);
      if (u.result_json) st->Bind(6, *u.result_json);
      if (u.dry_run_json) st->Bind(7, *u.dry_run_json);
      if (u.state_fingerprint) st->Bind(8, *u.state_fingerprint);
      if (auto r = st->Run(); !r.ok()) return r;
      if (db.Changes() == 0) {
        return absl::FailedPreconditionError(absl::StrCat("approval ", id, " is no longer ", from));
      }
      if (u.trust) {
        if (auto t = ApplyTrustIn(db, *u.trust, now); !t.ok()) return t;
      }
      for (auto& d : audit) {
        if (d.subject.empty()) d.subject = absl::StrCat("approval/", id);
      }
      return AppendAuditIn(db, audit, absl::Now());
    });
  }

  absl::StatusOr<std::vector<int64_t>> ExpiredApprovals(absl::Time now) override {
    return WithReader([&](Db& db) -> absl::StatusOr<std::vector<int64_t>> {
      auto st = db.Prepare(
          "SELECT id FROM approvals WHERE status = 'pending' AND expires_at <= ?1 ORDER BY id LIMIT 1000");
      if (!st.ok()) return st.status();
      st->Bind(1, FormatRfc3339(now));
      return ReadAll<int64_t>(*st, [](const Stmt& s) { return s.Int(0); });
    });
  }

  absl::StatusOr<TrustRecord> GetTrust(const std::string& pattern) override {
    return WithReader([&](Db& db) -> absl::StatusOr<TrustRecord> {
      auto st = db.Prepare(
          "SELECT pattern, score, approvals, rejections, updated_at FROM trust WHERE pattern = ?1");
      if (!st.ok()) return st.status();
      st->Bind(1, pattern);
      auto r = st->Step();
      if (!r.ok()) return r.status();
      if (!*r) return TrustRecord{pattern, 0, 0, 0, absl::InfinitePast()};
      return TrustRecord{st->Text(0), st->Int(1), st->Int(2), st->Int(3), TimeOrPast(*st, 4)};
    });
  }

  absl::StatusOr<std::vector<TrustRecord>> ListTrust() override {
    return WithReader([&](Db& db) -> absl::StatusOr<std::vector<TrustRecord>> {
      auto st = db.Prepare(
          "SELECT pattern, score, approvals, rejections, updated_at FROM trust ORDER BY score DESC, pattern "
          "LIMIT 10000");
      if (!st.ok()) return st.status();
      return ReadAll<TrustRecord>(*st, [](const Stmt& s) {
        return TrustRecord{s.Text(0), s.Int(1), s.Int(2), s.Int(3), TimeOrPast(s, 4)};
      });
    });
  }

  absl::Status ChangeTrust(TrustChange change, std::vector<AuditDraft> audit) override {
    return RunOnWriter([&](Db& db) -> absl::Status {
      std::string now = FormatRfc3339(absl::Now());
      if (auto s = ApplyTrustIn(db, change, now); !s.ok()) return s;
      return AppendAuditIn(db, audit, absl::Now());
    });
  }

  absl::Status AppendAudit(std::vector<AuditDraft> audit) override {
    return RunOnWriter([&](Db& db) { return AppendAuditIn(db, audit, absl::Now()); });
  }

  absl::StatusOr<std::vector<audit::Entry>> ListAudit(const AuditFilter& f) override {
    return WithReader([&](Db& db) -> absl::StatusOr<std::vector<audit::Entry>> {
      std::string sql =
          "SELECT seq, at, kind, actor, subject, detail, prev_hash, hash FROM audit_log WHERE 1=1";
      if (!f.kind.empty()) sql += " AND kind = ?1";
      if (!f.subject.empty()) sql += " AND subject = ?2";
      if (f.before_seq > 0) sql += " AND seq < ?3";
      sql += " ORDER BY seq DESC LIMIT ?4";
      auto st = db.Prepare(sql);
      if (!st.ok()) return st.status();
      if (!f.kind.empty()) st->Bind(1, f.kind);
      if (!f.subject.empty()) st->Bind(2, f.subject);
      if (f.before_seq > 0) st->Bind(3, f.before_seq);
      st->Bind(4, std::clamp<int64_t>(f.limit, 1, 1000));
      return ReadAll<audit::Entry>(*st, ReadAuditEntry);
    });
  }

  absl::Status ScanAudit(const std::function<void(const audit::Entry&)>& fn) override {
    return WithReader([&](Db& db) -> absl::StatusOr<bool> {
             auto st = db.Prepare(
                 "SELECT seq, at, kind, actor, subject, detail, prev_hash, hash FROM audit_log ORDER BY seq");
             if (!st.ok()) return st.status();
             for (;;) {
               auto r = st->Step();
               if (!r.ok()) return r.status();
               if (!*r) break;
               fn(ReadAuditEntry(*st));
             }
             return true;
           })
        .status();
  }

  absl::StatusOr<audit::Checkpoint> AddCheckpoint(const audit::CheckpointKey& key) override {
    audit::Checkpoint c;
    absl::Status s = RunOnWriter([&](Db& db) -> absl::Status {
      auto tree = LoadTree(db);
      if (!tree.ok()) return tree.status();
      c = key.Sign(tree->size(), tree->RootHex(), absl::Now());
      auto st = db.Prepare(
          "INSERT INTO audit_checkpoints (tree_size, root, key_id, signature, at) VALUES (?1, ?2, ?3, ?4, "
          "?5)");
      if (!st.ok()) return st.status();
      if (auto r = st->Bind(1, c.tree_size)
                       .Bind(2, c.root)
                       .Bind(3, c.key_id)
                       .Bind(4, c.signature)
                       .Bind(5, FormatRfc3339(c.at))
                       .Run();
          !r.ok())
        return r;
      c.id = db.LastInsertId();
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return c;
  }

  absl::StatusOr<std::vector<audit::Checkpoint>> ListCheckpoints() override {
    return WithReader([&](Db& db) -> absl::StatusOr<std::vector<audit::Checkpoint>> {
      auto st = db.Prepare(
          "SELECT id, tree_size, root, key_id, signature, at FROM audit_checkpoints ORDER BY tree_size, id");
      if (!st.ok()) return st.status();
      return ReadAll<audit::Checkpoint>(*st, [](const Stmt& s) {
        audit::Checkpoint c;
        c.id = s.Int(0);
        c.tree_size = s.Int(1);
        c.root = s.Text(2);
        c.key_id = s.Text(3);
        c.signature = s.Text(4);
        c.at = TimeOrPast(s, 5);
        return c;
      });
    });
  }

  absl::Status SetRole(const std::string& name, Role role) override {
    return RunOnWriter([&](Db& db) -> absl::Status {
      auto st = db.Prepare("UPDATE users SET role = ?2 WHERE name = ?1 AND removed_at IS NULL");
      if (!st.ok()) return st.status();
      if (auto r = st->Bind(1, name).Bind(2, ToString(role)).Run(); !r.ok()) return r;
      if (db.Changes() == 0) return absl::NotFoundError(absl::StrCat("user ", name, " not found"));
      return AppendAuditIn(db,
                           {AuditDraft{"user.role", "admin", absl::StrCat("user/", name),
                                       absl::StrCat("{\"role\":\"", std::string(ToString(role)), "\"}")}},
                           absl::Now());
    });
  }

  absl::Status RemoveUser(const std::string& name) override {
    return RunOnWriter([&](Db& db) -> absl::Status {
      auto st = db.Prepare("UPDATE users SET removed_at = ?2 WHERE name = ?1 AND removed_at IS NULL");
      if (!st.ok()) return st.status();
      if (auto r = st->Bind(1, name).Bind(2, FormatRfc3339(absl::Now())).Run(); !r.ok()) return r;
      if (db.Changes() == 0) return absl::NotFoundError(absl::StrCat("user ", name, " not found"));
      return AppendAuditIn(db, {AuditDraft{"user.removed", "admin", absl::StrCat("user/", name), "{}"}},
                           absl::Now());
    });
  }

  absl::Status AddNotifications(std::vector<notify::NotificationDraft> notifications) override {
    return RunOnWriter([&](Db& db) -> absl::Status {
      std::string now = FormatRfc3339(absl::Now());
      for (const auto& n : notifications) {
        if (auto s = InsertNotificationIn(db, n, now); !s.ok()) return s;
      }
      return absl::OkStatus();
    });
  }

  absl::StatusOr<int64_t> RouteNotifications(
      const std::function<std::vector<std::string>(const notify::NotificationDraft&)>& route) override {
    int64_t created = 0;
    absl::Status s = RunOnWriter([&](Db& db) -> absl::Status {
      auto st = db.Prepare(
          "SELECT id, event, severity, subject, incident_id, service, namespace, payload FROM notifications "
          "WHERE routed = 0 ORDER BY id LIMIT 500");
      if (!st.ok()) return st.status();
      std::vector<std::pair<int64_t, notify::NotificationDraft>> todo;
      for (;;) {
        auto r = st->Step();
        if (!r.ok()) return r.status();
        if (!*r) break;
        todo.emplace_back(st->Int(0), ReadNotification(*st, 1));
      }
      std::string now = FormatRfc3339(absl::Now());
      auto ins = db.Prepare(
          "INSERT OR IGNORE INTO deliveries (notification_id, channel, status, next_attempt_at, created_at) "
          "VALUES (?1, ?2, 'pending', ?3, ?3)");
      auto mark = db.Prepare("UPDATE notifications SET routed = 1 WHERE id = ?1");
      if (!ins.ok()) return ins.status();
      if (!mark.ok()) return mark.status();
      for (const auto& [id, n] : todo) {
        for (const std::string& channel : route(n)) {
          if (auto r = ins->Bind(1, id).Bind(2, channel).Bind(3, now).Run(); !r.ok()) return r;
          created += db.Changes();
        }
        if (auto r = mark->Bind(1, id).Run(); !r.ok()) return r;
      }
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return created;
  }

  absl::StatusOr<std::vector<Delivery>> ClaimDeliveries(const std::string& channel, absl::Time now,
                                                        absl::Duration lease, int64_t limit) override {
    std::vector<Delivery> out;
    absl::Status s = RunOnWriter([&](Db& db) -> absl::Status {
      auto st =
          db.Prepare(absl::StrCat("SELECT ", kDeliveryColumns,
                                  " FROM deliveries d JOIN notifications n ON n.id = d.notification_id "
                                  "WHERE d.status = 'pending' AND d.channel = ?1 AND d.next_attempt_at <= ?2 "
                                  "ORDER BY d.id LIMIT ?3"));
      if (!st.ok()) return st.status();
      st->Bind(1, channel).Bind(2, FormatRfc3339(now)).Bind(3, limit);
      auto due = ReadAll<Delivery>(*st, ReadDelivery);
      if (!due.ok()) return due.status();
      auto claim =
          db.Prepare("UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?2 WHERE id = ?1");
      if (!claim.ok()) return claim.status();
      for (auto& d : *due) {
        if (auto r = claim->Bind(1, d.id).Bind(2, FormatRfc3339(now + lease)).Run(); !r.ok()) return r;
        ++d.attempts;
      }
      out = std::move(*due);
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return out;
  }

  absl::Status FinishDelivery(int64_t id, bool delivered, absl::Time next, int http_status,
                              const std::string& error) override {
    return RunOnWriter([&](Db& db) -> absl::Status {
      auto st = db.Prepare(
          "UPDATE deliveries SET status = ?2, next_attempt_at = ?3, http_status = ?4, last_error = ?5, "
          "delivered_at = ?6 WHERE id = ?1");
      if (!st.ok()) return st.status();
      std::string now = FormatRfc3339(absl::Now());
      const char* status = delivered ? "delivered" : next == absl::InfiniteFuture() ? "dead" : "pending";
      st->Bind(1, id).Bind(2, status).Bind(3, next == absl::InfiniteFuture() ? now : FormatRfc3339(next));
      st->Bind(4, static_cast<int64_t>(http_status)).Bind(5, error.substr(0, 500));
      if (delivered)
        st->Bind(6, now);
      else
        st->BindNull(6);
      return st->Run();
    });
  }

  absl::StatusOr<std::vector<Delivery>> ListDeliveries(const DeliveryFilter& f) override {
    return WithReader([&](Db& db) -> absl::StatusOr<std::vector<Delivery>> {
      std::string sql =
          absl::StrCat("SELECT ", kDeliveryColumns,
                       " FROM deliveries d JOIN notifications n ON n.id = d.notification_id WHERE 1=1");
      if (!f.status.empty()) sql += " AND d.status = ?1";
      if (!f.channel.empty()) sql += " AND d.channel = ?2";
      if (f.before_id > 0) sql += " AND d.id < ?3";
      sql += " ORDER BY d.id DESC LIMIT ?4";
      auto st = db.Prepare(sql);
      if (!st.ok()) return st.status();
      if (!f.status.empty()) st->Bind(1, f.status);
      if (!f.channel.empty()) st->Bind(2, f.channel);
      if (f.before_id > 0) st->Bind(3, f.before_id);
      st->Bind(4, std::clamp<int64_t>(f.limit, 1, 1000));
      return ReadAll<Delivery>(*st, ReadDelivery);
    });
  }

  absl::StatusOr<std::map<std::pair<std::string, std::string>, int64_t>> DeliveryCounts() override {
    return WithReader([&](Db& db) -> absl::StatusOr<std::map<std::pair<std::string, std::string>, int64_t>> {
      auto st = db.Prepare("SELECT channel, status, count(*) FROM deliveries GROUP BY channel, status");
      if (!st.ok()) return st.status();
      std::map<std::pair<std::string, std::string>, int64_t> out;
      for (;;) {
        auto r = st->Step();
        if (!r.ok()) return r.status();
        if (!*r) break;
        out[{st->Text(0), st->Text(1)}] = st->Int(2);
      }
      return out;
    });
  }

  absl::StatusOr<std::string> GetPluginState(const std::string& key) override {
    return WithReader([&](Db& db) -> absl::StatusOr<std::string> {
      auto st = db.Prepare("SELECT value FROM plugin_state WHERE key = ?1");
      if (!st.ok()) return st.status();
      st->Bind(1, key);
      auto r = st->Step();
      if (!r.ok()) return r.status();
      if (!*r) return absl::NotFoundError(absl::StrCat("no state stored under ", key));
      return st->Text(0);
    });
  }

  absl::Status PutPluginState(const std::string& key, const std::string& value) override {
    return RunOnWriter([&](Db& db) -> absl::Status {
      auto st = db.Prepare(
          "INSERT INTO plugin_state (key, value, updated_at) VALUES (?1, ?2, ?3) ON CONFLICT (key) DO UPDATE "
          "SET "
          "value = excluded.value, updated_at = excluded.updated_at");
      if (!st.ok()) return st.status();
      return st->Bind(1, key).Bind(2, value).Bind(3, FormatRfc3339(absl::Now())).Run();
    });
  }

  absl::StatusOr<PruneResult> PruneResolved(const PruneRequest& request) override {
    const int64_t limit = std::clamp<int64_t>(request.batch_incidents, 1, 10'000);
    const std::string cutoff = FormatRfc3339(request.cutoff);
    PruneResult total;
    PruneCursor cursor;
    // The pass's one audit entry, with what it removed (in the last batch's transaction, or on its
    // own when the pass stops early or fails after earlier batches committed).
    auto entry = [&](const PruneResult& r, const char* outcome) {
      return AuditDraft{"retention.pruned", request.actor, "incidents",
                        absl::StrCat("{\"incidents\":", r.incidents, ",\"alerts\":", r.alerts,
                                     ",\"kept_with_approvals\":", r.kept, ",\"batches\":", r.batches,
                                     ",\"cutoff\":\"", cutoff, "\",\"outcome\":\"", outcome, "\"}")};
    };
    for (;;) {
      PruneResult next = total;
      PruneCursor next_cursor = cursor;
      bool complete = false;
      absl::Time began = absl::InfiniteFuture();
      absl::Status s = RunOnWriter([&](Db& db) -> absl::Status {
        began = absl::Now();
        int64_t examined = 0;
        std::vector<int64_t> pruned;
        if (auto b = PruneBatchIn(db, cutoff, limit, &next_cursor, &next, &examined, &pruned); !b.ok())
          return b;
        ++next.batches;
        complete = examined < limit;
        // The writer's vault cache must not hand a pruned incident's vault to anyone.
        for (int64_t id : pruned) redactor_->Forget(id);
        if (complete && next.incidents > 0) return AppendAuditIn(db, {entry(next, "complete")}, absl::Now());
        return absl::OkStatus();
      });
      if (!s.ok()) {
        if (total.incidents > 0) (void)AppendAudit({entry(total, "failed")});
        return s;
      }
      total = next;
      cursor = next_cursor;
      if (complete) return total;
      // The pass takes at most about half of the writer's time: it rests as long as its batch
      // held the writer (through the commit), so ingestion gets whole transactions in between.
      if (absl::Time now = absl::Now(); now > began) absl::SleepFor(std::min(now - began, absl::Seconds(1)));
      if (request.keep_going && !request.keep_going()) {
        if (total.incidents > 0) {
          if (auto a = AppendAudit({entry(total, "stopped")}); !a.ok()) return a;
        }
        return total;
      }
    }
  }

  absl::Status Ping() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closing_) return absl::UnavailableError("store is shutting down");
    }
    return WithReader([&](Db& db) -> absl::StatusOr<bool> {
             auto st = db.Prepare("SELECT count(*) FROM schema_migrations");
             if (!st.ok()) return st.status();
             auto r = st->Step();
             if (!r.ok()) return r.status();
             return true;
           })
        .status();
  }

 private:
  // A queued unit of work for the writer: alerts to ingest, or another write (`op`), which runs
  // in the same transaction under a savepoint so its failure does not undo the batch.
  struct Pending {
    std::vector<IngestItem> items;
    IngestCallback done;
    std::function<absl::Status(Db&)> op;
    std::function<void(absl::Status)> op_done;
    int64_t bytes = 0;  // what `items` hold, for the queue's byte bound
  };

  // About what one queued alert holds in memory: its text plus the containers' overhead.
  static int64_t QueuedBytes(const IngestItem& item) {
    int64_t bytes = 256 + static_cast<int64_t>(item.group_key.size() + item.alert.fingerprint.size() +
                                               item.alert.generator_url.size());
    for (const auto* m : {&item.alert.labels, &item.alert.annotations}) {
      for (const auto& [k, v] : *m) bytes += static_cast<int64_t>(k.size() + v.size()) + 96;
    }
    return bytes;
  }

  // Every write goes through the one writer connection (no lock contention with ingestion);
  // blocks until the write is committed.
  absl::Status RunOnWriter(std::function<absl::Status(Db&)> op) {
    std::promise<absl::Status> promise;
    auto future = promise.get_future();
    Enqueue(std::move(op), [&promise](absl::Status s) { promise.set_value(std::move(s)); });
    return future.get();
  }

  void Enqueue(std::function<absl::Status(Db&)> op, std::function<void(absl::Status)> done) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!closing_) {
        Pending p;
        p.op = std::move(op);
        p.op_done = std::move(done);
        queue_.push_back(std::move(p));
        done = nullptr;
      }
    }
    if (done) {
      done(absl::UnavailableError("store is shutting down"));
      return;
    }
    cv_.notify_one();
  }

  // Runs `fn` with a pooled connection (reads, and the rare writes outside ingestion, which
  // wait on busy_timeout for the writer's short transactions).
  template <typename Fn>
  auto WithReader(Fn&& fn) -> decltype(fn(std::declval<Db&>())) {
    std::unique_ptr<Db> db;
    {
      std::lock_guard<std::mutex> lock(pool_mu_);
      if (!pool_.empty()) {
        db = std::move(pool_.back());
        pool_.pop_back();
      }
    }
    if (!db) {
      auto opened = Db::Open(options_.path, false);
      if (!opened.ok()) return opened.status();
      if (auto s = Configure(*opened, options_.fsync); !s.ok()) return s;
      db = std::make_unique<Db>(std::move(*opened));
    }
    auto result = fn(*db);
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (pool_.size() < 8) pool_.push_back(std::move(db));
    return result;
  }

  void WriterLoop() {
    for (;;) {
      std::vector<Pending> batch;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return !queue_.empty() || closing_; });
        if (queue_.empty()) break;  // closing and drained
        int64_t n = 0, bytes = 0;
        while (!queue_.empty() && (batch.empty() || n + static_cast<int64_t>(queue_.front().items.size()) <=
                                                        options_.max_batch_alerts)) {
          n += static_cast<int64_t>(queue_.front().items.size());
          bytes += queue_.front().bytes;
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        queued_alerts_ -= n;
        queued_bytes_ -= bytes;
      }
      int64_t total = 0;
      for (const auto& p : batch) total += static_cast<int64_t>(p.items.size());
      std::vector<BatchResult> results(batch.size());
      absl::Status s = CommitBatch(batch, &results);
      for (size_t i = 0; i < batch.size(); ++i) {
        if (batch[i].op) {
          batch[i].op_done(s.ok() ? results[i].op_status : s);
        } else if (s.ok() && !results[i].status.ok()) {
          batch[i].done(results[i].status);
        } else if (s.ok()) {
          results[i].result.batch_size = total;
          batch[i].done(std::move(results[i].result));
        } else {
          batch[i].done(s);
        }
      }
    }
  }

  struct BatchResult {
    IngestResult result;
    absl::Status op_status;
    absl::Status status;  // an ingest request that failed alone (the rest of its batch committed)
  };

  absl::Status CommitBatch(std::vector<Pending>& batch, std::vector<BatchResult>* results) {
    absl::Time now = absl::Now();
    std::string now_text = FormatRfc3339(now);
    absl::Status s = writer_db_.Run("BEGIN IMMEDIATE");
    for (size_t i = 0; s.ok() && i < batch.size(); ++i) {
      if (batch[i].op) {
        s = writer_db_.Run("SAVEPOINT op");
        if (!s.ok()) break;
        absl::Status op = batch[i].op(writer_db_);
        if (!op.ok()) s = writer_db_.Run("ROLLBACK TO op");
        if (s.ok()) s = writer_db_.Run("RELEASE op");
        (*results)[i].op_status = op;
        continue;
      }
      // One request is one savepoint: an alert that cannot be applied (a vault that does not open,
      // a row the database refuses) fails its own request, not the others in the batch.
      s = savepoint_.Run();
      if (!s.ok()) break;
      absl::Status request;
      auto& outcomes = (*results)[i].result.outcomes;
      for (auto& item : batch[i].items) {
        IngestOutcome outcome;
        request = Apply(item, now, now_text, &outcome);
        outcomes.push_back(outcome);
        if (!request.ok()) break;
      }
      if (request.ok()) {
        s = release_.Run();
        continue;
      }
      s = rollback_to_.Run();
      if (s.ok()) s = release_.Run();
      // Incidents this request opened no longer exist (their ids will be reused): their vaults go.
      for (const auto& o : outcomes) {
        if (o.incident_opened && o.incident_id > 0) redactor_->Forget(o.incident_id);
      }
      outcomes.clear();
      (*results)[i].status =
          absl::UnavailableError(absl::StrCat("alerts were not stored: ", request.message()));
    }
    if (s.ok()) {
      // One audit entry per batch of alerts (not per alert: ingestion stays at group-commit speed).
      int64_t alerts = 0;
      std::set<int64_t> incidents;
      for (const auto& r : *results) {
        for (const auto& o : r.result.outcomes) {
          ++alerts;
          incidents.insert(o.incident_id);
        }
      }
      if (alerts > 0) {
        std::string ids;
        int shown = 0;
        for (int64_t id : incidents) {
          if (shown++ == 100) break;
          absl::StrAppend(&ids, ids.empty() ? "" : ",", id);
        }
        s = AppendAuditIn(writer_db_,
                          {AuditDraft{"alert.received", "system", "alerts",
                                      absl::StrCat("{\"alerts\":", alerts, ",\"incidents\":",
                                                   incidents.size(), ",\"incident_ids\":[", ids, "]}")}},
                          now);
      }
    }
    if (s.ok()) {
      // An incident that was told opened is told resolved, in the same transaction.
      for (const auto& r : *results) {
        for (const auto& o : r.result.outcomes) {
          if (!s.ok() || !o.incident_resolved) continue;
          auto st = writer_db_.Prepare(
              "SELECT title, service, severity, opened_at FROM incidents WHERE id = ?1 AND notified = 1");
          if (!st.ok()) {
            s = st.status();
            break;
          }
          st->Bind(1, o.incident_id);
          auto row = st->Step();
          if (!row.ok()) s = row.status();
          if (!row.ok() || !*row) continue;
          notify::NotificationDraft n;
          n.event = "incident.resolved";
          n.severity = ParseSeverity(st->Text(2));
          n.subject = absl::StrCat("incident/", o.incident_id);
          n.incident_id = o.incident_id;
          n.service = st->Text(1);
          n.title = absl::StrCat("Resolved: ", st->Text(0));
          n.text = absl::StrCat("Incident #", o.incident_id, " on ", st->Text(1),
                                " resolved: its alerts stopped firing.");
          absl::Time opened_at = TimeOrPast(*st, 3);
          if (opened_at != absl::InfinitePast())
            n.fields.emplace_back("Open for",
                                  absl::FormatDuration(absl::Trunc(now - opened_at, absl::Seconds(1))));
          n.link_path = absl::StrCat("/incidents/", o.incident_id);
          s = InsertNotificationIn(writer_db_, n, now_text);
        }
      }
    }
    if (s.ok()) {
      // Only the values this batch minted: records are appended, never resealed.
      auto vaults = redactor_->TakeChangedVaults();
      if (!vaults.ok()) s = vaults.status();
      for (size_t i = 0; s.ok() && i < vaults->size(); ++i) {
        const VaultAppend& v = (*vaults)[i];
        for (size_t j = 0; s.ok() && j < v.records.size(); ++j) {
          s = save_vault_.Bind(1, v.incident_id)
                  .Bind(2, v.first_seq + static_cast<int64_t>(j))
                  .BindBlob(3, v.records[j])
                  .Bind(4, now_text)
                  .Run();
        }
      }
    }
    if (s.ok()) s = writer_db_.Run("COMMIT");
    if (!s.ok()) {
      (void)writer_db_.Run("ROLLBACK");
      redactor_->Discard();
      return absl::UnavailableError(absl::StrCat("alerts were not stored: ", s.message()));
    }
    return absl::OkStatus();
  }

  // Applies one alert inside the writer's transaction: reads the rows the lifecycle rules need,
  // lets incident::Place/Apply decide (src/incident/), writes the result.
  absl::Status Apply(IngestItem& item, absl::Time now, const std::string& now_text, IngestOutcome* out) {
    Alert& alert = item.alert;

    // 1. The incident: the newest one with this group key.
    int64_t incident_id = 0;
    std::optional<incident::IncidentState> newest;
    find_incident_.Bind(1, item.group_key);
    auto row = find_incident_.Step();
    if (!row.ok()) return row.status();
    if (*row) {
      incident_id = find_incident_.Int(0);
      newest = incident::IncidentState{find_incident_.Text(1) == "firing", TimeOrPast(find_incident_, 2),
                                       find_incident_.Int(3), find_incident_.Text(4), find_incident_.Int(5)};
    }
    find_incident_.Reset();
    const incident::Placement placement = incident::Place(newest, alert, now, options_.lifecycle);
    if (placement == incident::Placement::kOpenNew) {
      if (auto s = insert_incident_.Bind(1, item.group_key).Bind(2, now_text).Run(); !s.ok()) return s;
      incident_id = writer_db_.LastInsertId();
      out->incident_id = incident_id;
      out->incident_opened = true;
    }
    out->incident_reopened = placement == incident::Placement::kReopen;

    // 2. Text leaves the request only redacted, in the incident's scope.
    auto load = [this](int64_t id) -> absl::StatusOr<std::vector<std::string>> {
      load_vault_.Bind(1, id);
      std::vector<std::string> records;
      absl::Status status;
      for (;;) {
        auto r = load_vault_.Step();
        if (!r.ok()) status = r.status();
        if (!r.ok() || !*r) break;
        records.push_back(load_vault_.Text(0));
      }
      load_vault_.Reset();
      if (!status.ok()) return status;
      return records;
    };
    if (auto s = redactor_->Redact(incident_id, alert, load); !s.ok()) return s;

    // 3. The alert's stored state in this incident, and what the delivery does.
    find_alert_.Bind(1, incident_id).Bind(2, alert.fingerprint);
    auto existing = find_alert_.Step();
    if (!existing.ok()) return existing.status();
    int64_t alert_id = 0;
    std::optional<incident::StoredAlertState> stored;
    if (*existing) {
      alert_id = find_alert_.Int(0);
      stored = incident::StoredAlertState{find_alert_.Text(1) == "firing", TimeOrPast(find_alert_, 2),
                                          TimeOrPast(find_alert_, 3)};
    }
    find_alert_.Reset();
    const incident::Transition t = incident::Apply(
        newest && placement != incident::Placement::kOpenNew ? *newest : incident::IncidentState{}, placement,
        stored, alert, now);

    std::string labels = LabelsJson(alert.labels), annotations = LabelsJson(alert.annotations);
    std::string starts = FormatRfc3339(t.keep_stored_times ? stored->starts_at : alert.starts_at);
    std::string ends = FormatRfc3339(t.keep_stored_times ? stored->ends_at : alert.ends_at);
    const char* status = t.alert_firing ? "firing" : "resolved";
    if (alert_id != 0) {
      if (auto s = update_alert_.Bind(1, alert_id)
                       .Bind(2, status)
                       .Bind(3, labels)
                       .Bind(4, annotations)
                       .BindOptional(5, starts)
                       .BindOptional(6, ends)
                       .Bind(7, alert.generator_url)
                       .Bind(8, now_text)
                       .Run();
          !s.ok())
        return s;
    } else {
      if (auto s = insert_alert_.Bind(1, incident_id)
                       .Bind(2, alert.fingerprint)
                       .Bind(3, status)
                       .Bind(4, labels)
                       .Bind(5, annotations)
                       .BindOptional(6, starts)
                       .BindOptional(7, ends)
                       .Bind(8, alert.generator_url)
                       .Bind(9, alert.source)
                       .Bind(10, now_text)
                       .Run();
          !s.ok())
        return s;
    }

    // 4. The incident's counters and status.
    if (auto s = update_incident_.Bind(1, incident_id)
                     .Bind(2, t.incident.firing ? "firing" : "resolved")
                     .Bind(3, t.incident.firing_count)
                     .Bind(4, static_cast<int64_t>(t.alert_created ? 1 : 0))
                     .Bind(5, t.incident.severity)
                     .Bind(6, now_text)
                     .BindOptional(7, FormatRfc3339(t.incident.resolved_at))
                     .Bind(8, t.incident.version)
                     .Run();
        !s.ok())
      return s;
    if (placement == incident::Placement::kOpenNew) {
      auto summary = alert.annotations.find("summary");
      std::string title =
          summary != alert.annotations.end() ? summary->second : std::string(alert.Label("alertname"));
      LabelSet group_labels;  // the redacted values of the labels the group key was built from
      for (const auto& name : item.group_label_names) {
        if (auto v = alert.Label(name); !v.empty()) group_labels[name] = std::string(v);
      }
      if (auto s = name_incident_.Bind(1, incident_id)
                       .Bind(2, ServiceOf(alert))  // the redacted value, for display and filters
                       .Bind(3, alert.Label("alertname"))
                       .Bind(4, title.substr(0, 500))
                       .Bind(5, LabelsJson(group_labels))
                       .Run();
          !s.ok())
        return s;
    }
    out->alert_created = t.alert_created;
    out->status_changed = t.status_changed;
    out->incident_resolved = t.incident_resolved;
    out->incident_id = incident_id;
    out->incident_version = t.incident.version;
    return absl::OkStatus();
  }

  const SqliteOptions options_;
  std::unique_ptr<AlertRedactor> redactor_;  // writer thread only
  Db writer_db_;                             // writer thread only
  Stmt find_incident_, insert_incident_, find_alert_, insert_alert_, update_alert_, update_incident_,
      name_incident_, load_vault_, save_vault_, savepoint_, release_, rollback_to_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;  // guarded by mu_
  int64_t queued_alerts_ = 0;  // guarded by mu_
  int64_t queued_bytes_ = 0;   // guarded by mu_
  bool closing_ = false;       // guarded by mu_
  std::thread writer_;

  // The WAL is copied back into the database file by a thread of its own, on its own connection,
  // while the writer goes on appending; the writer only finishes the job when the WAL passes
  // kWriterCheckpointFrames (which also lets SQLite restart the WAL from its beginning).
  static constexpr int kBackgroundCheckpointFrames = 1000;  // SQLite's own autocheckpoint
  static constexpr int kWriterCheckpointFrames = 8000;      // about 32 MiB of WAL
  static constexpr auto kCheckpointPause = std::chrono::milliseconds(50);

  static int WalHook(void* self, sqlite3* db, const char* name, int frames) {
    auto* store = static_cast<SqliteStore*>(self);
    if (frames >= kWriterCheckpointFrames) {
      (void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (frames >= kBackgroundCheckpointFrames) {
      {
        std::lock_guard<std::mutex> lock(store->checkpoint_mu_);
        store->checkpoint_wanted_ = true;
      }
      store->checkpoint_cv_.notify_one();
    }
    return SQLITE_OK;
  }

  void CheckpointLoop() {
    std::optional<Db> db;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(checkpoint_mu_);
        checkpoint_cv_.wait(lock, [this] { return checkpoint_wanted_ || checkpoint_stop_; });
        if (checkpoint_stop_) return;
        checkpoint_wanted_ = false;
      }
      if (!db) {
        // Should it not open, the writer's own checkpoints still bound the WAL; try again later.
        if (auto opened = Db::Open(options_.path, false);
            opened.ok() && Configure(*opened, options_.fsync).ok())
          db = std::move(*opened);
      }
      // PASSIVE: copies what no reader still needs, never waits for the writer or blocks it. A
      // failure (busy, I/O) leaves the frames for the next pass or for the writer.
      if (db)
        (void)sqlite3_wal_checkpoint_v2(db->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      std::unique_lock<std::mutex> lock(checkpoint_mu_);
      checkpoint_cv_.wait_for(lock, kCheckpointPause, [this] { return checkpoint_stop_; });
    }
  }

  std::thread checkpointer_;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_wanted_ = false;  // guarded by checkpoint_mu_
  bool checkpoint_stop_ = false;    // guarded by checkpoint_mu_

  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Db>> pool_;  // guarded by pool_mu_
};

// Vaults an earlier version stored as one sealed blob per incident (table `vaults`) become records
// bound to their incident (migration 0008), a few hundred incidents per transaction. Needs the
// shield's key, so it runs here rather than in the SQL migration.
absl::Status UpgradeLegacyVaults(Db& db, AlertRedactor& redactor) {
  const std::string now = FormatRfc3339(absl::Now());
  for (;;) {
    auto st = db.Prepare("SELECT incident_id, sealed FROM vaults ORDER BY incident_id LIMIT 256");
    if (!st.ok()) return st.status();
    std::vector<std::pair<int64_t, std::string>> rows;
    for (;;) {
      auto r = st->Step();
      if (!r.ok()) return r.status();
      if (!*r) break;
      rows.emplace_back(st->Int(0), st->Text(1));
    }
    if (rows.empty()) return absl::OkStatus();
    if (auto s = db.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    absl::Status s;
    for (const auto& [id, sealed] : rows) {
      auto records = redactor.UpgradeLegacyVault(id, sealed);
      if (!records.ok()) {
        s = absl::FailedPreconditionError(absl::StrCat("the vault of incident ", id,
                                                       " cannot be upgraded: ", records.status().message(),
                                                       " (is this the data directory's own vault key?)"));
        break;
      }
      auto count = db.Prepare("SELECT count(*) FROM vault_records WHERE incident_id = ?1");
      if (!count.ok()) {
        s = count.status();
        break;
      }
      count->Bind(1, id);
      auto c = count->Step();
      if (!c.ok()) {
        s = c.status();
        break;
      }
      if (count->Int(0) != 0) {
        s = absl::FailedPreconditionError(absl::StrCat(
            "incident ", id, " has both an old vault and vault records: refusing to merge them"));
        break;
      }
      for (size_t j = 0; s.ok() && j < records->size(); ++j) {
        auto ins = db.Prepare(
            "INSERT INTO vault_records (incident_id, seq, sealed, created_at) VALUES (?1, ?2, ?3, ?4)");
        if (!ins.ok()) {
          s = ins.status();
          break;
        }
        s = ins->Bind(1, id).Bind(2, static_cast<int64_t>(j)).BindBlob(3, (*records)[j]).Bind(4, now).Run();
      }
      if (!s.ok()) break;
      auto del = db.Prepare("DELETE FROM vaults WHERE incident_id = ?1");
      if (!del.ok()) {
        s = del.status();
        break;
      }
      s = del->Bind(1, id).Run();
      if (!s.ok()) break;
    }
    if (s.ok()) s = db.Exec("COMMIT");
    if (!s.ok()) {
      (void)db.Exec("ROLLBACK");
      return s;
    }
  }
}

}  // namespace

absl::StatusOr<int> MigrateSqlite(const std::string& path) {
  auto db = Db::Open(path, true);
  if (!db.ok()) return db.status();
  if (auto s = Configure(*db, true); !s.ok()) return s;
  return ApplyMigrations(*db);
}

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options,
                                                       std::unique_ptr<AlertRedactor> redactor) {
  if (!redactor) return absl::InvalidArgumentError("sqlite store needs an alert redactor");
  auto db = Db::Open(options.path, true);
  if (!db.ok()) return db.status();
  if (auto s = Configure(*db, options.fsync); !s.ok()) return s;
  if (auto m = ApplyMigrations(*db); !m.ok()) return m.status();
  if (auto s = UpgradeLegacyVaults(*db, *redactor); !s.ok()) return s;
  auto store = std::make_unique<SqliteStore>(options, std::move(redactor), std::move(*db));
  if (auto s = store->Start(); !s.ok()) return s;
  return store;
}

absl::StatusOr<std::unique_ptr<Store>> MakeSqliteStore(const PluginSettings& settings,
                                                       std::unique_ptr<AlertRedactor> redactor) {
  SqliteOptions o;
  auto path = settings.GetRequired("path");
  if (!path.ok()) return path.status();
  o.path = *path;
  auto fsync = settings.GetBool("fsync", o.fsync);
  if (!fsync.ok()) return fsync.status();
  o.fsync = *fsync;
  auto queue = settings.GetInt("max_queue_alerts", o.max_queue_alerts, 1, 100'000'000);
  if (!queue.ok()) return queue.status();
  o.max_queue_alerts = *queue;
  auto queue_bytes = settings.GetInt("max_queue_bytes", o.max_queue_bytes, 1 << 20, 64LL << 30);
  if (!queue_bytes.ok()) return queue_bytes.status();
  o.max_queue_bytes = *queue_bytes;
  auto batch = settings.GetInt("max_batch_alerts", o.max_batch_alerts, 1, 1'000'000);
  if (!batch.ok()) return batch.status();
  o.max_batch_alerts = *batch;
  auto reopen = settings.GetDurationMs("reopen_window", absl::ToInt64Milliseconds(o.lifecycle.reopen_window),
                                       0, 365LL * 86'400'000);
  if (!reopen.ok()) return reopen.status();
  o.lifecycle.reopen_window = absl::Milliseconds(*reopen);
  return OpenSqliteStore(o, std::move(redactor));
}

}  // namespace awoooi::store
