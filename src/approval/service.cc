#include "awoooi/approval/service.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "awoooi/cluster/cluster.h"

namespace awoooi::approval {
namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string FactorsJson(const std::vector<Factor>& factors) {
  json out = json::array();
  for (const auto& f : factors) {
    json roles = json::array();
    for (Role r : f.roles) roles.push_back(std::string(ToString(r)));
    out.push_back({{"roles", roles}, {"count", f.count}});
  }
  return Dump(out);
}

std::vector<Factor> ParseFactors(const std::string& text) {
  std::vector<Factor> out;
  json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& f : j) {
    Factor factor;
    factor.count = f.value("count", 1);
    for (const auto& r : f.value("roles", json::array())) {
      if (auto role = ParseRole(r.get<std::string>())) factor.roles.push_back(*role);
    }
    out.push_back(std::move(factor));
  }
  return out;
}

json ReportJson(const action::DryRunReport& r) {
  json checks = json::array();
  for (const auto& c : r.checks)
    checks.push_back({{"name", c.name}, {"passed", c.passed}, {"detail", c.detail.str()}});
  return {{"passed", r.passed()},
          {"supported", r.supported},
          {"summary", r.summary.str()},
          {"pods_affected", r.pods_affected},
          {"data_loss", r.data_loss},
          {"state_fingerprint", r.state_fingerprint},
          {"at", FormatRfc3339(absl::Now())},
          {"checks", checks}};
}

std::string FailedChecks(const action::DryRunReport& r) {
  std::vector<std::string> failed;
  if (!r.supported) failed.push_back("the system cannot dry-run this action");
  for (const auto& c : r.checks) {
    if (!c.passed) failed.push_back(c.name + ": " + c.detail.str());
  }
  return absl::StrJoin(failed, "; ");
}

// The action a stored row describes, rebuilt through the same validation; its hash must match.
absl::StatusOr<action::Action> Rebuild(const store::StoredAction& row, const action::Catalog& catalog) {
  action::Draft d;
  d.kind = row.kind;
  d.target_kind = row.target_kind;
  // Stored text is already redacted; PartOf marks it as such without a shield.
  privacy::Redacted stored = privacy::Redacted::Literal("");
  d.target = privacy::Redacted::PartOf(stored, row.target);
  for (const auto& [k, v] : row.params) d.params[k] = privacy::Redacted::PartOf(stored, v);
  d.expected_effect = privacy::Redacted::PartOf(stored, row.expected_effect);
  auto a = action::Build(d, catalog);
  if (!a.ok()) return a.status();
  if (a->hash() != row.action_hash) {
    return absl::DataLossError(absl::StrCat("action ", row.id, " no longer matches its hash"));
  }
  return a;
}

// The factors of a stored request with who signed each (ApprovalService::FactorsOf, for Impl).
std::vector<FactorState> FactorsOfRecord(const store::ApprovalRecord& record) {
  std::vector<Signer> signers;
  for (const auto& s : record.signatures) {
    if (s.decision != "approve") continue;
    if (auto role = ParseRole(s.role)) signers.push_back(Signer{s.user, *role});
  }
  return AssignSigners(ParseFactors(record.factors_json), signers);
}

// What people are told about a request (notify/outbox.h): the ApprovalCard in a few fields.
notify::NotificationDraft Note(const std::string& event, const store::ApprovalRecord& r,
                               const std::string& text, const std::vector<FactorState>& factors) {
  notify::NotificationDraft n;
  n.event = event;
  n.severity = r.risk_effective == "CRITICAL" ? Severity::kCritical
               : r.risk_effective == "HIGH"   ? Severity::kError
               : r.risk_effective == "MEDIUM" ? Severity::kWarning
                                              : Severity::kInfo;
  n.subject = absl::StrCat("approval/", r.id);
  n.incident_id = r.incident_id;
  n.service = r.action.target;
  n.ns = r.action.ns;
  std::string action = absl::StrCat(r.action.kind, " ", r.action.target,
                                    r.action.ns.empty() ? "" : absl::StrCat(" (", r.action.ns, ")"));
  static const std::map<std::string, std::string> kTitles = {
      {"approval.requested", "Approval needed"}, {"approval.approved", "Approved"},
      {"approval.rejected", "Rejected"},         {"approval.voided", "Voided"},
      {"approval.expired", "Expired"},           {"approval.succeeded", "Executed"},
      {"approval.failed", "Execution failed"}};
  auto title = kTitles.find(event);
  n.title = absl::StrCat(title == kTitles.end() ? event : title->second, ": ", action);
  n.text = text;
  n.fields.emplace_back("Action", action);
  n.fields.emplace_back(
      "Risk", absl::StrCat(
                  r.risk_effective,
                  r.risk_base != r.risk_effective ? absl::StrCat(" (base ", r.risk_base, ")") : std::string(),
                  " - ", r.risk_reason));
  std::vector<std::string> needs, signed_by;
  for (const auto& f : factors) {
    std::vector<std::string> roles;
    for (Role role : f.factor.roles) roles.emplace_back(ToString(role));
    needs.push_back(absl::StrCat(f.factor.count, " of ", absl::StrJoin(roles, "|")));
    for (const auto& s : f.signed_by)
      signed_by.push_back(absl::StrCat(s.user, " (", std::string(ToString(s.role)), ")"));
  }
  if (!needs.empty()) n.fields.emplace_back("Signatures needed", absl::StrJoin(needs, " and "));
  n.fields.emplace_back("Signed by",
                        signed_by.empty() ? std::string("nobody yet") : absl::StrJoin(signed_by, ", "));
  json dry = json::parse(r.dry_run_json, nullptr, false);
  if (dry.is_object()) n.fields.emplace_back("Dry-run", dry.value("summary", ""));
  json blast = json::parse(r.blast_radius_json, nullptr, false);
  if (blast.is_array() && !blast.empty()) {
    std::vector<std::string> names;
    for (const auto& b : blast) {
      if (b.is_string()) names.push_back(b.get<std::string>());
    }
    n.fields.emplace_back("Blast radius", absl::StrJoin(names, ", "));
  }
  if (r.savings_monthly_usd >= 0)
    n.fields.emplace_back("Monthly savings", absl::StrFormat("$%.2f if fixed", r.savings_monthly_usd));
  n.link_path = absl::StrCat("/approvals/", r.id);
  return n;
}

std::string Event(int64_t approval_id, int64_t incident_id, const std::string& status) {
  return Dump({{"approval_id", approval_id},
               {"incident_id", incident_id > 0 ? json(incident_id) : json(nullptr)},
               {"status", status}});
}

}  // namespace

struct ApprovalService::Impl {
  Impl(const Settings& s, Dependencies d) : settings(s), deps(std::move(d)), catalog(s.catalog) {
    for (int i = 0; i < std::max(1, settings.threads); ++i) threads.emplace_back([this] { Loop(); });
  }
  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(mu);
      stopping = true;
    }
    cv.notify_all();
    for (auto& t : threads) t.join();
  }

  void Post(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> lock(mu);
      queue.push_back(std::move(job));
      ++outstanding;
    }
    cv.notify_one();
  }

  void Loop() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [this] { return stopping || !queue.empty(); });
        if (queue.empty()) return;
        job = std::move(queue.front());
        queue.pop_front();
      }
      job();
      {
        std::lock_guard<std::mutex> lock(mu);
        --outstanding;
      }
      drained.notify_all();
    }
  }

  void Drain() {
    std::unique_lock<std::mutex> lock(mu);
    drained.wait(lock, [this] { return outstanding == 0; });
  }

  // One in-process lock per request: signatures of one request are decided one at a time here,
  // and the store's conditional updates decide between processes.
  std::shared_ptr<absl::Mutex> LockFor(int64_t id) {
    absl::MutexLock lock(&locks_mu);
    auto& m = locks[id];
    if (!m) m = std::make_shared<absl::Mutex>();
    return m;
  }

  void Publish(const std::string& event, int64_t approval_id, int64_t incident_id,
               const std::string& status) {
    if (deps.publish) deps.publish(event, Event(approval_id, incident_id, status));
  }

  action::Executor* ExecutorFor(const action::Action& a) const {
    for (action::Executor* e : deps.executors) {
      if (e->Supports(a)) return e;
    }
    return nullptr;
  }

  // The incident's vault (labels -> real values) as a snapshot, or an empty one (labels then do not
  // rehydrate and the action fails its checks).
  privacy::Vault VaultOf(int64_t incident_id) const {
    auto v = store::OpenIncidentVault(*deps.store, *deps.shield, incident_id);
    if (v.ok()) return std::move(*v);
    return std::move(*deps.shield->OpenVault({}, "none", privacy::VaultUse::kSnapshot));
  }

  // Whether the target holds state: a StatefulSet, anything a StatefulSet owns or serves (a pod,
  // a claim), or a database of the topology, whether it is named as a service, a workload or a pod.
  bool Stateful(const action::Action& a, action::Executor* exec) const {
    if (a.target().kind == action::TargetKind::kStatefulSet) return true;
    const std::string name = a.target().name.str();
    const std::string ns = a.target().ns.str();
    std::string service = name;
    if (exec != nullptr && exec->control() != nullptr) {
      auto inv = exec->control()->Snapshot();
      for (const auto& c : inv.pvcs) {  // a claim is as stateful as the service it serves
        if (c.name == name && c.ns == ns) service = c.service;
      }
      for (const auto& p : inv.pods) {  // a pod is as stateful as what owns it
        if (p.name != name || p.ns != ns) continue;
        if (p.owner_kind == cluster::WorkloadKind::kStatefulSet) return true;
        service = p.service;
      }
      for (const auto& w : inv.workloads) {
        if (w.ns == ns && (w.service == service || w.name == name) &&
            w.kind == cluster::WorkloadKind::kStatefulSet)
          return true;
      }
    }
    if (deps.topology != nullptr) {
      // Without an inventory, a pod's name is its workload's with generated segments appended.
      for (const std::string& candidate : {service, action::WithoutGeneratedSuffix(service)}) {
        if (auto svc = deps.topology->Service(candidate))
          return svc->kind == topology::ServiceKind::kDatabase;
      }
    }
    return false;
  }

  std::vector<std::string> BlastRadius(const action::Action& a) const {
    std::vector<std::string> out;
    if (deps.topology == nullptr) return out;
    auto br = deps.topology->BlastRadius(a.target().name.str(), topology::kDefaultDepth);
    if (!br.ok()) return out;
    for (const auto& s : br->affected) out.push_back(s.service);
    return out;
  }

  action::ExecutionContext Context(privacy::Vault* vault, absl::Duration timeout) const {
    action::ExecutionContext ctx;
    ctx.shield = deps.shield;
    ctx.vault = vault;
    ctx.deadline = absl::Now() + timeout;
    return ctx;
  }

  // Plans one action: risk, trust, dry-run; creates the request (or runs a LOW one at once).
  absl::StatusOr<int64_t> Plan(const action::Action& a, int64_t action_id, int64_t incident_id,
                               int64_t proposal_id, const std::string& requested_by, bool hand) {
    action::Executor* exec = ExecutorFor(a);
    RiskContext rc;
    rc.stateful = Stateful(a, exec);
    RiskAssessment risk = Assess(a, rc, settings.policy);
    auto trust = deps.store->GetTrust(a.Pattern());
    if (!trust.ok()) return trust.status();
    risk = ApplyTrust(risk, trust->score, settings.trust);

    privacy::Vault vault = VaultOf(incident_id);
    json dry = json::object();
    std::string fingerprint, blocked;
    if (exec == nullptr) {
      blocked =
          absl::StrCat("no configured executor can carry out ", std::string(action::ToString(a.kind())));
      dry = {{"passed", false}, {"supported", false}, {"summary", blocked}, {"checks", json::array()}};
    } else {
      privacy::Vault scratch = vault;  // output redaction may mint labels: never persisted from here
      auto report = exec->DryRun(a, Context(&scratch, settings.execution_timeout));
      if (!report.ok()) {
        blocked = absl::StrCat("the dry-run could not run: ", report.status().message());
        dry = {{"passed", false}, {"supported", true}, {"summary", blocked}, {"checks", json::array()}};
      } else {
        dry = ReportJson(*report);
        fingerprint = report->state_fingerprint;
        if (!report->passed()) blocked = absl::StrCat("the dry-run failed: ", FailedChecks(*report));
      }
    }
    store::ApprovalRecord rec;
    rec.incident_id = incident_id;
    rec.proposal_id = proposal_id;
    rec.action.id = action_id;
    rec.action.kind = std::string(action::ToString(a.kind()));
    rec.action.target_kind = std::string(action::ToString(a.target().kind));
    rec.action.target = a.target().name.str();
    rec.action.ns = a.target().ns.str();
    for (const auto& [k, v] : a.params()) rec.action.params[k] = v.text.str();
    rec.action.expected_effect = a.expected_effect().str();
    rec.action.action_hash = a.hash();
    rec.pattern = a.Pattern();
    rec.risk_base = std::string(ToString(risk.base));
    rec.risk_effective = std::string(ToString(risk.effective));
    rec.risk_reason = risk.reason;
    rec.factors_json = FactorsJson(RequiredFactors(risk.effective));
    rec.policy_version = settings.policy.Version();
    rec.requested_by = requested_by;
    rec.dry_run_json = Dump(dry);
    rec.state_fingerprint = fingerprint;
    json blast = BlastRadius(a);
    rec.blast_radius_json = Dump(blast);
    rec.expires_at = absl::Now() + settings.expiry;
    // LOW needs no signature, whoever asked: it runs now (a hand request is its requester's decision).
    const bool automatic = risk.effective == Risk::kLow && blocked.empty();
    rec.status = automatic ? "approved" : "pending";
    rec.reason = blocked.empty() ? (automatic ? "automatic: " + risk.reason : "") : blocked;
    std::vector<store::AuditDraft> audit = {
        {"dry_run", "system", "",
         Dump({{"action_hash", a.hash()}, {"passed", blocked.empty()}, {"state_fingerprint", fingerprint}})},
        {automatic ? "approval.automatic" : "approval.requested", hand ? requested_by : "system", "",
         Dump({{"action_hash", a.hash()},
               {"pattern", rec.pattern},
               {"risk", rec.risk_effective},
               {"risk_reason", rec.risk_reason},
               {"factors", json::parse(rec.factors_json)}})}};
    if (!automatic) {
      std::string text = blocked.empty() ? absl::StrCat("The ", rec.risk_effective,
                                                        " action below needs signatures in the dashboard.")
                                         : absl::StrCat("The action below cannot be approved: ", blocked);
      audit[1].notification =
          Note("approval.requested", rec, text, AssignSigners(RequiredFactors(risk.effective), {}));
    }
    auto id = deps.store->CreateApproval(rec, hand ? std::optional<action::Action>(a) : std::nullopt, audit);
    if (!id.ok()) return id.status();
    Publish(automatic ? "approval.approved" : "approval.requested", *id, incident_id, rec.status);
    if (automatic) Execute(*id, a, incident_id, /*automatic=*/true);
    return id;
  }

  // APPROVED -> EXECUTING (exactly once) -> the executor -> SUCCEEDED | FAILED.
  void Execute(int64_t id, const action::Action& a, int64_t incident_id, bool automatic) {
    absl::Status claimed = deps.store->TransitionApproval(
        id, "approved", "executing", {}, {{"execution", "system", "", Dump({{"action_hash", a.hash()}})}});
    if (!claimed.ok()) return;  // someone else started it (or it was voided): never twice
    Publish("approval.executing", id, incident_id, "executing");
    action::Executor* exec = ExecutorFor(a);
    privacy::Vault vault = VaultOf(incident_id);
    json result;
    bool ok = false;
    if (exec == nullptr) {
      result = {{"outcome", "failed"}, {"detail", "no configured executor can carry out this action"}};
    } else {
      auto r = exec->Execute(a, Context(&vault, settings.execution_timeout));
      if (!r.ok()) {
        result = {{"outcome", "failed"},
                  {"detail", deps.shield->RedactEphemeral(std::string(r.status().message())).str()},
                  {"output", ""}};
      } else {
        ok = r->outcome == action::ExecutionOutcome::kSucceeded;
        result = {{"outcome", std::string(action::ToString(r->outcome))},
                  {"detail", r->detail.str()},
                  {"output", r->output.str().substr(0, 16 * 1024)},
                  {"started_at", FormatRfc3339(r->started_at)},
                  {"finished_at", FormatRfc3339(r->finished_at)},
                  {"state_fingerprint", r->state_fingerprint}};
      }
    }
    store::ApprovalUpdate u;
    u.result_json = Dump(result);
    // Trust is earned by signed requests that then ran to success, not by signatures alone (a
    // request voided at the re-check earns nothing); any failed run collapses it.
    if (ok && !automatic) u.trust = store::TrustChange{a.Pattern(), false};
    if (!ok) u.trust = store::TrustChange{a.Pattern(), true};
    std::vector<store::AuditDraft> audit = {
        {"result", "system", "", Dump({{"action_hash", a.hash()}, {"outcome", result["outcome"]}})}};
    auto rec = deps.store->GetApproval(id);
    if (rec.ok()) {
      audit[0].notification = Note(ok ? "approval.succeeded" : "approval.failed", *rec,
                                   result.value("detail", std::string()), FactorsOfRecord(*rec));
    }
    if (u.trust) {
      audit.push_back({"trust", "system", "pattern/" + a.Pattern(),
                       ok ? Dump({{"change", "+1"}})
                          : Dump({{"change", "reset"},
                                  {"why", automatic ? "automatic execution failed" : "execution failed"}})});
    }
    (void)deps.store->TransitionApproval(id, "executing", ok ? "succeeded" : "failed", u, audit);
    Publish(ok ? "approval.succeeded" : "approval.failed", id, incident_id, ok ? "succeeded" : "failed");
    if (u.trust && deps.publish) deps.publish("trust.changed", Dump({{"pattern", a.Pattern()}}));
    if (ok && !automatic && rec.ok()) AnnounceAutomatic(*rec);
  }

  // Tells people when a MEDIUM pattern's trust has just reached the level at which it runs unsigned.
  void AnnounceAutomatic(const store::ApprovalRecord& rec) {
    auto trust = deps.store->GetTrust(rec.pattern);
    if (!trust.ok() || rec.risk_base != "MEDIUM" || trust->score != settings.trust.medium_to_low) return;
    notify::NotificationDraft n;
    n.event = "pattern.automatic";
    n.severity = Severity::kInfo;
    n.subject = "pattern/" + rec.pattern;
    n.incident_id = rec.incident_id;
    n.service = rec.action.target;
    n.ns = rec.action.ns;
    n.title = absl::StrCat("Now automatic: ", rec.pattern);
    n.text = absl::StrCat("Approved and run ", trust->score,
                          " times without a rejection or a failure, MEDIUM actions of this pattern now run "
                          "without signatures. One rejection or failed run collapses the trust again.");
    n.link_path = "/trust";
    (void)deps.store->AddNotifications({n});
  }

  Settings settings;
  Dependencies deps;
  action::Catalog catalog;

  std::mutex mu;
  std::condition_variable cv, drained;
  std::deque<std::function<void()>> queue;  // guarded by mu
  int64_t outstanding = 0;                  // guarded by mu
  bool stopping = false;                    // guarded by mu
  std::vector<std::thread> threads;

  absl::Mutex locks_mu;
  absl::flat_hash_map<int64_t, std::shared_ptr<absl::Mutex>> locks ABSL_GUARDED_BY(locks_mu);
};

ApprovalService::ApprovalService(Settings settings, Dependencies deps)
    : impl_(std::make_unique<Impl>(settings, std::move(deps))), settings_(std::move(settings)) {}

ApprovalService::~ApprovalService() = default;

void ApprovalService::Drain() { impl_->Drain(); }

void ApprovalService::OnProposal(int64_t incident_id, int64_t proposal_id) {
  impl_->Post([this, incident_id, proposal_id] {
    auto p = impl_->deps.store->GetProposal(proposal_id);
    if (!p.ok()) return;
    for (const auto& row : p->actions) {
      auto kind = action::ParseKind(row.kind);
      if (!kind || !action::Changes(*kind)) continue;  // investigate: for people, never executed
      auto a = Rebuild(row, impl_->catalog);
      if (!a.ok()) {
        (void)impl_->deps.store->AppendAudit(
            {{"integrity", "system", absl::StrCat("proposal/", proposal_id),
              Dump({{"action_id", row.id}, {"error", std::string(a.status().message())}})}});
        continue;
      }
      (void)impl_->Plan(*a, row.id, incident_id, proposal_id, "", /*hand=*/false);
    }
  });
}

void ApprovalService::Request(const store::User& user, action::Draft draft, int64_t incident_id,
                              ApprovalCallback done) {
  impl_->Post([this, user, draft = std::move(draft), incident_id, done = std::move(done)] {
    if (user.role == Role::kViewer)
      return done(absl::PermissionDeniedError("viewers cannot request actions"));
    auto a = action::Build(draft, impl_->catalog);
    if (!a.ok()) return done(a.status());
    if (!action::Changes(a->kind())) {
      return done(absl::InvalidArgumentError("investigate changes nothing: there is nothing to approve"));
    }
    if (incident_id > 0) {
      if (auto d = impl_->deps.store->GetIncident(incident_id, 1); !d.ok()) return done(d.status());
    }
    auto id = impl_->Plan(*a, 0, incident_id, 0, user.name, /*hand=*/true);
    if (!id.ok()) return done(id.status());
    done(impl_->deps.store->GetApproval(*id));
  });
}

void ApprovalService::Approve(int64_t id, const store::User& user, std::string shown_fingerprint,
                              std::string shown_action_hash, std::string comment, ApprovalCallback done) {
  impl_->Post([this, id, user, shown_fingerprint = std::move(shown_fingerprint),
               shown_action_hash = std::move(shown_action_hash), comment = std::move(comment),
               done = std::move(done)] {
    auto lock = impl_->LockFor(id);
    absl::MutexLock hold(lock.get());
    store::Store& store = *impl_->deps.store;
    auto rec = store.GetApproval(id);
    if (!rec.ok()) return done(rec.status());
    auto fresh = [&] { return store.GetApproval(id); };
    if (user.role == Role::kViewer) return done(absl::PermissionDeniedError("viewers cannot sign"));
    if (rec->status != "pending") {
      return done(
          absl::FailedPreconditionError(absl::StrCat("approval ", id, " is ", rec->status, ", not pending")));
    }
    if (absl::Now() >= rec->expires_at) {
      ExpireDue();
      return done(absl::FailedPreconditionError(absl::StrCat("approval ", id, " expired")));
    }
    if (!rec->requested_by.empty() && rec->requested_by == user.name) {
      return done(absl::PermissionDeniedError("you requested this action; someone else must sign it"));
    }
    for (const auto& s : rec->signatures) {
      if (s.user_id == user.id)
        return done(absl::AlreadyExistsError(absl::StrCat(user.name, " already signed approval ", id)));
    }
    if (!rec->reason.empty()) {
      return done(
          absl::FailedPreconditionError(absl::StrCat("approval ", id, " cannot be approved: ", rec->reason)));
    }
    if (shown_fingerprint.empty()) {
      return done(absl::InvalidArgumentError(
          "state_fingerprint: required (the dry_run.state_fingerprint you were shown)"));
    }
    if (shown_fingerprint != rec->state_fingerprint) {
      return done(
          absl::FailedPreconditionError("the state you were shown is stale (its dry-run fingerprint "
                                        "differs); reload the approval and check again"));
    }
    if (!shown_action_hash.empty() && shown_action_hash != rec->action.action_hash) {
      return done(absl::FailedPreconditionError("the action you were shown is not this approval's action"));
    }
    std::vector<FactorState> factors = FactorsOf(*rec);
    if (!CanCount(factors, user.role)) {
      std::vector<std::string> open;
      for (const auto& f : factors) {
        if (f.met()) continue;
        std::vector<std::string> roles;
        for (Role r : f.factor.roles) roles.emplace_back(ToString(r));
        open.push_back(absl::StrJoin(roles, "|"));
      }
      return done(absl::PermissionDeniedError(absl::StrCat("your role ", std::string(ToString(user.role)),
                                                           " is not one the open factors need (",
                                                           absl::StrJoin(open, "; "), ")")));
    }
    // A change in the rules or in a signer's role while pending voids the request.
    std::string void_reason;
    if (rec->policy_version != impl_->settings.policy.Version())
      void_reason = "the risk policy changed while it was pending";
    for (const auto& s : rec->signatures) {
      auto now = store.GetUser(s.user);
      if (!now.ok() || std::string(ToString(now->role)) != s.role) {
        void_reason = absl::StrCat("the role of signer ", s.user, " changed while it was pending");
      }
    }
    if (!void_reason.empty()) {
      store::ApprovalUpdate u;
      u.reason = void_reason;
      store::AuditDraft voided{"void", "system", "", Dump({{"reason", void_reason}})};
      voided.notification = Note("approval.voided", *rec, void_reason, FactorsOf(*rec));
      (void)store.TransitionApproval(id, "pending", "voided", u, {voided});
      impl_->Publish("approval.voided", id, rec->incident_id, "voided");
      return done(absl::FailedPreconditionError(absl::StrCat("approval ", id, " was voided: ", void_reason)));
    }

    store::SignatureRecord sig{user.id,           user.name,  std::string(ToString(user.role)),
                               "approve",         comment,    rec->action.action_hash,
                               shown_fingerprint, absl::Now()};
    absl::Status added = store.AddSignature(id, sig,
                                            {{"signature", user.name, absl::StrCat("approval/", id),
                                              Dump({{"role", sig.role},
                                                    {"token_id", user.token_id},
                                                    {"action_hash", sig.action_hash},
                                                    {"state_fingerprint", sig.state_fingerprint},
                                                    {"comment", comment}})}});
    if (!added.ok()) return done(added);
    impl_->Publish("approval.signed", id, rec->incident_id, "pending");

    rec = fresh();
    if (!rec.ok()) return done(rec.status());
    if (!AllMet(FactorsOf(*rec))) return done(rec);

    // Every factor is met: approved, then re-checked right before execution.
    auto a = Rebuild(rec->action, impl_->catalog);
    if (!a.ok()) return done(a.status());
    store::AuditDraft approved_entry{"approved", user.name, "", Dump({{"action_hash", a->hash()}})};
    approved_entry.notification =
        Note("approval.approved", *rec,
             "Every signature it needs is in; the dry-run runs again, then it executes.", FactorsOf(*rec));
    if (absl::Status s = store.TransitionApproval(id, "pending", "approved", {}, {approved_entry}); !s.ok()) {
      return done(fresh());  // someone else decided first: report the state as it is
    }
    impl_->Publish("approval.approved", id, rec->incident_id, "approved");

    action::Executor* exec = impl_->ExecutorFor(*a);
    std::string void_why;
    json dry;
    std::string fingerprint;
    if (exec == nullptr) {
      void_why = "no configured executor can carry out this action any more";
    } else {
      privacy::Vault scratch = impl_->VaultOf(rec->incident_id);
      auto report = exec->DryRun(*a, impl_->Context(&scratch, impl_->settings.execution_timeout));
      if (!report.ok()) {
        void_why = absl::StrCat("the dry-run before execution could not run: ", report.status().message());
      } else {
        dry = ReportJson(*report);
        fingerprint = report->state_fingerprint;
        if (!report->passed()) {
          void_why = absl::StrCat("the dry-run before execution failed: ", FailedChecks(*report));
        } else if (report->state_fingerprint != rec->state_fingerprint) {
          void_why =
              "the state changed between the signatures and the execution (the dry-run fingerprint differs)";
        }
      }
    }
    if (!void_why.empty()) {
      store::ApprovalUpdate u;
      u.reason = void_why;
      if (!dry.is_null()) u.dry_run_json = Dump(dry);
      store::AuditDraft voided{"void", "system", "",
                               Dump({{"reason", void_why}, {"state_fingerprint", fingerprint}})};
      voided.notification = Note("approval.voided", *rec, void_why, FactorsOf(*rec));
      (void)store.TransitionApproval(id, "approved", "voided", u, {voided});
      impl_->Publish("approval.voided", id, rec->incident_id, "voided");
      return done(fresh());
    }
    impl_->Execute(id, *a, rec->incident_id, /*automatic=*/false);
    done(fresh());
  });
}

void ApprovalService::Reject(int64_t id, const store::User& user, std::string comment,
                             ApprovalCallback done) {
  impl_->Post([this, id, user, comment = std::move(comment), done = std::move(done)] {
    auto lock = impl_->LockFor(id);
    absl::MutexLock hold(lock.get());
    store::Store& store = *impl_->deps.store;
    auto rec = store.GetApproval(id);
    if (!rec.ok()) return done(rec.status());
    if (user.role == Role::kViewer) return done(absl::PermissionDeniedError("viewers cannot reject"));
    if (rec->status != "pending") {
      return done(
          absl::FailedPreconditionError(absl::StrCat("approval ", id, " is ", rec->status, ", not pending")));
    }
    if (absl::Now() >= rec->expires_at) {  // expired stays expired, whatever the sweep's timing
      ExpireDue();
      return done(absl::FailedPreconditionError(absl::StrCat("approval ", id, " expired")));
    }
    // Only someone whose signature could count may end it (an eligible rejection).
    bool eligible = false;
    for (const auto& f : FactorsOf(*rec)) {
      eligible |= std::find(f.factor.roles.begin(), f.factor.roles.end(), user.role) != f.factor.roles.end();
    }
    if (!eligible) {
      return done(absl::PermissionDeniedError(
          absl::StrCat("your role ", std::string(ToString(user.role)), " is not one this approval needs")));
    }
    if (comment.empty()) return done(absl::InvalidArgumentError("comment: say why the action is rejected"));
    store::ApprovalUpdate u;
    u.reason = absl::StrCat("rejected by ", user.name, ": ", comment);
    u.trust = store::TrustChange{rec->pattern, true};
    store::AuditDraft rejection{
        "rejection", user.name, "",
        Dump(
            {{"role", std::string(ToString(user.role))}, {"token_id", user.token_id}, {"comment", comment}})};
    rejection.notification = Note("approval.rejected", *rec, *u.reason, FactorsOf(*rec));
    absl::Status s = store.TransitionApproval(
        id, "pending", "rejected", u,
        {rejection,
         {"trust", "system", "pattern/" + rec->pattern, Dump({{"change", "reset"}, {"why", "rejected"}})}});
    if (!s.ok()) return done(s);
    impl_->Publish("approval.rejected", id, rec->incident_id, "rejected");
    if (impl_->deps.publish) impl_->deps.publish("trust.changed", Dump({{"pattern", rec->pattern}}));
    done(store.GetApproval(id));
  });
}

int ApprovalService::ExpireDue() {
  auto due = impl_->deps.store->ExpiredApprovals(absl::Now());
  if (!due.ok()) return 0;
  int n = 0;
  for (int64_t id : *due) {
    store::ApprovalUpdate u;
    u.reason = absl::StrCat("expired after ", absl::FormatDuration(impl_->settings.expiry),
                            " without the signatures it needs (fails closed)");
    store::AuditDraft expiry{"expiry", "system", "", "{}"};
    if (auto rec = impl_->deps.store->GetApproval(id); rec.ok()) {
      expiry.notification = Note("approval.expired", *rec, *u.reason, FactorsOf(*rec));
    }
    if (impl_->deps.store->TransitionApproval(id, "pending", "expired", u, {expiry}).ok()) {
      ++n;
      auto rec = impl_->deps.store->GetApproval(id);
      impl_->Publish("approval.expired", id, rec.ok() ? rec->incident_id : 0, "expired");
    }
  }
  return n;
}

int ApprovalService::RecoverInterrupted() {
  store::Store& store = *impl_->deps.store;
  int n = 0;
  for (const char* from : {"executing", "approved"}) {
    store::ApprovalFilter f;
    f.status = from;
    f.limit = 1000;
    auto list = store.ListApprovals(f);
    if (!list.ok()) continue;
    for (const auto& rec : *list) {
      const bool executing = std::string_view(from) == "executing";
      store::ApprovalUpdate u;
      std::string why = executing
                            ? "the server stopped while the action ran: it may or may not have taken effect; "
                              "check the target before requesting it again"
                            : "the server stopped between the last signature and the execution: request it "
                              "again so that it is re-checked";
      if (executing) {
        u.result_json = Dump({{"outcome", "failed"}, {"detail", why}, {"output", ""}});
      } else {
        u.reason = why;
      }
      store::AuditDraft entry{executing ? "result" : "void", "system", "", Dump({{"reason", why}})};
      entry.notification = Note(executing ? "approval.failed" : "approval.voided", rec, why, FactorsOf(rec));
      if (store.TransitionApproval(rec.id, from, executing ? "failed" : "voided", u, {entry}).ok()) {
        ++n;
        impl_->Publish(executing ? "approval.failed" : "approval.voided", rec.id, rec.incident_id,
                       executing ? "failed" : "voided");
      }
    }
  }
  return n;
}

std::vector<FactorState> ApprovalService::FactorsOf(const store::ApprovalRecord& record) const {
  return FactorsOfRecord(record);
}

Eligibility ApprovalService::EligibilityOf(const store::ApprovalRecord& record,
                                           const store::User& user) const {
  if (user.role == Role::kViewer) return {false, "viewers cannot sign"};
  if (record.status != "pending") return {false, absl::StrCat("it is ", record.status)};
  if (absl::Now() >= record.expires_at) return {false, "it has expired"};
  if (!record.reason.empty()) return {false, record.reason};
  if (!record.requested_by.empty() && record.requested_by == user.name)
    return {false, "you requested this action"};
  for (const auto& s : record.signatures) {
    if (s.user_id == user.id) return {false, "you already signed"};
  }
  if (!CanCount(FactorsOf(record), user.role)) {
    return {false, absl::StrCat("your role ", std::string(ToString(user.role)),
                                " is not one the open factors need")};
  }
  return {true, ""};
}

}  // namespace awoooi::approval
