#include "awoooi/approval/service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

#include "awoooi/cluster/cluster.h"
#include "ingest/alert_redactor.h"
#include "plugins/actions/cluster/simulated_cluster.h"
#include "plugins/stores/sqlite/sqlite_store.h"

namespace awoooi::approval {
namespace {

using privacy::Redacted;

class ApprovalServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    shield_ = std::move(*privacy::Shield::Create({}));
    dir_ = std::filesystem::temp_directory_path() /
           ("awoooi_approval_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store::SqliteOptions so;
    so.path = (dir_ / "a.db").string();
    so.fsync = false;
    store_ = std::move(*store::OpenSqliteStore(so, std::make_unique<ingest::ShieldAlertRedactor>(*shield_)));
    auto exec = plugins::actions::MakeSimulatedCluster(PluginSettings("executors[0]", {}), store_.get());
    ASSERT_TRUE(exec.ok()) << exec.status();
    cluster_ = std::move(*exec);
    for (auto [name, role] :
         {std::pair{"alice", Role::kDevops}, std::pair{"bob", Role::kSre}, std::pair{"erin", Role::kSre},
          std::pair{"carol", Role::kCto}, std::pair{"dave", Role::kCiso}, std::pair{"vic", Role::kViewer}}) {
      users_[name] = *store_->AddUser(name, role);
    }
    Start(Settings{});
  }
  void TearDown() override {
    service_.reset();
    store_->Close();
    std::filesystem::remove_all(dir_);
  }
  void Start(Settings settings) {
    service_.reset();
    Dependencies deps;
    deps.store = store_.get();
    deps.shield = shield_.get();
    deps.executors = {cluster_.get()};
    deps.publish = [this](const std::string& e, const std::string&) {
      std::lock_guard<std::mutex> lock(events_mu_);
      events_.push_back(e);
    };
    service_ = std::make_unique<ApprovalService>(std::move(settings), std::move(deps));
  }

  action::Draft D(std::string kind, std::string target, std::map<std::string, std::string> params) {
    action::Draft d;
    d.kind = std::move(kind);
    Redacted base = Redacted::Literal("");
    d.target = Redacted::PartOf(base, std::move(target));
    for (auto& [k, v] : params) d.params[k] = Redacted::PartOf(base, v);
    return d;
  }
  absl::StatusOr<store::ApprovalRecord> Request(const std::string& who, action::Draft d) {
    std::promise<absl::StatusOr<store::ApprovalRecord>> p;
    service_->Request(users_.at(who), std::move(d), 0, [&](auto r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  absl::StatusOr<store::ApprovalRecord> Approve(const std::string& who, int64_t id,
                                                std::string fingerprint = "?") {
    if (fingerprint == "?") fingerprint = store_->GetApproval(id)->state_fingerprint;
    std::promise<absl::StatusOr<store::ApprovalRecord>> p;
    service_->Approve(id, users_.at(who), fingerprint, "", "ok", [&](auto r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  absl::StatusOr<store::ApprovalRecord> Reject(const std::string& who, int64_t id,
                                               std::string comment = "no") {
    std::promise<absl::StatusOr<store::ApprovalRecord>> p;
    service_->Reject(id, users_.at(who), comment, [&](auto r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  int Executions() {
    int n = 0;
    store_->ScanAudit([&](const audit::Entry& e) { n += e.kind == "execution"; });
    return n;
  }
  std::vector<cluster::Pod> Pods(const std::string& owner) {
    std::vector<cluster::Pod> out;
    for (const auto& p : cluster_->control()->Snapshot().pods) {
      if (p.owner == owner) out.push_back(p);
    }
    return out;
  }
  // Restarting a frontend pod in production: MEDIUM, one signature; in kube-system it would be HIGH.
  action::Draft RestartFrontend() { return D("restart_pod", "frontend", {{"namespace", "production"}}); }
  action::Draft DeleteBackupPvc() {
    return D("delete_pvc", "data-postgres-backup", {{"namespace", "production"}});
  }

  static inline int counter_ = 0;
  std::filesystem::path dir_;
  std::unique_ptr<privacy::Shield> shield_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<action::Executor> cluster_;
  std::unique_ptr<ApprovalService> service_;
  std::map<std::string, store::User> users_;
  std::mutex events_mu_;
  std::vector<std::string> events_;
};

TEST_F(ApprovalServiceTest, AHighActionExecutesAfterTwoDifferentOperatorsSign) {
  auto r = Request("erin", D("scale", "order-api", {{"namespace", "production"}, {"replicas", "0"}}));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->risk_effective, "HIGH");
  EXPECT_EQ(r->status, "pending");
  auto first = Approve("alice", r->id);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->status, "pending");
  EXPECT_EQ(Approve("alice", r->id).status().code(), absl::StatusCode::kAlreadyExists);
  auto second = Approve("bob", r->id);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->status, "succeeded") << second->reason << second->result_json;
  EXPECT_TRUE(Pods("order-api").empty());
  EXPECT_EQ(store_->GetTrust(r->pattern)->score, 1);  // signed, then run to success
}

TEST_F(ApprovalServiceTest, ACriticalActionStaysPendingAfterTwoSresAndExecutesAfterCtoAndCiso) {
  auto r = Request("alice", DeleteBackupPvc());  // HIGH + stateful (a database's claim) = CRITICAL
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->risk_effective, "CRITICAL") << r->risk_reason;
  EXPECT_EQ(Approve("bob", r->id).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Approve("erin", r->id).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(store_->GetApproval(r->id)->status, "pending");
  EXPECT_EQ(Approve("carol", r->id)->status, "pending");
  EXPECT_EQ(Approve("dave", r->id)->status, "succeeded");
}

TEST_F(ApprovalServiceTest, ViewersSelfApprovalAndStaleStatesAreRefusedWithTheReason) {
  auto r = Request("alice", RestartFrontend());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->risk_effective, "MEDIUM");
  auto viewer = Approve("vic", r->id);
  EXPECT_EQ(viewer.status().code(), absl::StatusCode::kPermissionDenied);
  auto self = Approve("alice", r->id);
  EXPECT_EQ(self.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(self.status().message().find("you requested this action"), std::string::npos);
  auto stale = Approve("bob", r->id, std::string(64, '0'));
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Approve("bob", r->id, "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Approve("bob", 9999, "x").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetApproval(r->id)->status, "pending");
  EXPECT_EQ(Approve("bob", r->id)->status, "succeeded");
  EXPECT_EQ(Approve("erin", r->id).status().code(), absl::StatusCode::kFailedPrecondition);  // executed
}

TEST_F(ApprovalServiceTest, AStateChangeBetweenSignaturesVoidsTheRequestAndKeepsItsTrail) {
  auto r =
      Request("erin", D("restart_pod", "postgres-db", {{"namespace", "production"}}));  // HIGH (stateful)
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->risk_effective, "HIGH");
  ASSERT_TRUE(Approve("alice", r->id).ok());
  // Someone restarts the database pod by hand between the signatures.
  ASSERT_TRUE(cluster_->control()->RestartPod("production", "postgres-db-0").ok());
  auto last = Approve("bob", r->id);
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(last->status, "voided");
  EXPECT_NE(last->reason.find("state changed"), std::string::npos) << last->reason;
  EXPECT_EQ(last->signatures.size(), 2u);  // the trail is kept
  EXPECT_EQ(Executions(), 0);
  EXPECT_EQ(Pods("postgres-db")[0].restarts, 1);  // only the manual restart happened
  // Signatures alone earn no trust: the request never ran.
  EXPECT_EQ(store_->GetTrust(r->pattern)->score, 0);
}

// Naming the database's pod (or its StatefulSet) instead of its service must not dodge the
// stateful raise: a restart of "postgres-db-0" is as risky as one of "postgres-db".
TEST_F(ApprovalServiceTest, ADatabasePodNamedDirectlyIsStillStateful) {
  action::Draft by_pod = D("restart_pod", "postgres-db-0", {{"namespace", "production"}});
  by_pod.target_kind = "pod";
  auto pod = Request("erin", by_pod);
  ASSERT_TRUE(pod.ok()) << pod.status();
  EXPECT_EQ(pod->risk_effective, "HIGH") << pod->risk_reason;
  action::Draft stateless = D("restart_pod", Pods("frontend").at(0).name, {{"namespace", "production"}});
  stateless.target_kind = "pod";
  auto web = Request("erin", stateless);
  ASSERT_TRUE(web.ok()) << web.status();
  EXPECT_EQ(web->risk_effective, "MEDIUM") << web->risk_reason;
}

TEST_F(ApprovalServiceTest, APolicyChangeWhilePendingVoidsTheRequest) {
  auto r = Request("erin", D("restart_pod", "postgres-db", {{"namespace", "production"}}));
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(Approve("alice", r->id).ok());
  Settings changed;
  changed.policy.protected_namespaces = {"kube-system", "production"};
  Start(changed);
  auto next = Approve("bob", r->id);
  EXPECT_EQ(next.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->GetApproval(r->id)->status, "voided");
  EXPECT_NE(store_->GetApproval(r->id)->reason.find("policy changed"), std::string::npos);
}

TEST_F(ApprovalServiceTest, ASignersRoleChangeWhilePendingVoidsTheRequest) {
  auto r = Request("erin", D("restart_pod", "postgres-db", {{"namespace", "production"}}));
  ASSERT_TRUE(Approve("alice", r->id).ok());
  ASSERT_TRUE(store_->SetRole("alice", Role::kViewer).ok());
  EXPECT_EQ(Approve("bob", r->id).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->GetApproval(r->id)->status, "voided");
}

TEST_F(ApprovalServiceTest, ExpiredRequestsFailClosedAndStayInTheHistory) {
  Settings s;
  s.expiry = absl::Milliseconds(1);
  Start(s);
  auto r = Request("alice", RestartFrontend());
  ASSERT_TRUE(r.ok());
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(Approve("bob", r->id).status().code(), absl::StatusCode::kFailedPrecondition);
  auto after = store_->GetApproval(r->id);
  EXPECT_EQ(after->status, "expired");
  EXPECT_NE(after->reason.find("fails closed"), std::string::npos);
}

TEST_F(ApprovalServiceTest, OneEligibleRejectionEndsItAndCollapsesTrust) {
  auto r = Request("alice", RestartFrontend());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Reject("vic", r->id).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Reject("carol", r->id).status().code(),
            absl::StatusCode::kPermissionDenied);  // not a factor's role
  EXPECT_EQ(Reject("bob", r->id, "").status().code(), absl::StatusCode::kInvalidArgument);
  auto rejected = Reject("bob", r->id, "not during peak hours");
  ASSERT_TRUE(rejected.ok());
  EXPECT_EQ(rejected->status, "rejected");
  EXPECT_EQ(Approve("erin", r->id).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->GetTrust(r->pattern)->score, 0);
  EXPECT_EQ(store_->GetTrust(r->pattern)->rejections, 1);
}

TEST_F(ApprovalServiceTest, FiftyConcurrentApprovalsAndARejectionEndInOneExecutionOrNone) {
  for (int round = 0; round < 3; ++round) {
    auto r = Request("erin", D("scale", "order-api",
                               {{"namespace", "production"}, {"replicas", std::to_string(3 + round)}}));
    ASSERT_TRUE(r.ok());
    std::string fp = r->state_fingerprint;
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    std::vector<std::promise<void>> done(51);
    for (int i = 0; i < 50; ++i) {
      threads.emplace_back([&, i] {
        service_->Approve(r->id, users_.at(i % 2 ? "alice" : "bob"), fp, "", "", [&, i](auto res) {
          if (res.ok()) ++ok;
          done[i].set_value();
        });
      });
    }
    threads.emplace_back(
        [&] { service_->Reject(r->id, users_.at("alice"), "racing", [&](auto) { done[50].set_value(); }); });
    for (auto& t : threads) t.join();
    for (auto& d : done) d.get_future().wait();
    auto final_state = store_->GetApproval(r->id);
    EXPECT_TRUE(final_state->status == "succeeded" || final_state->status == "rejected" ||
                final_state->status == "pending")
        << final_state->status;
  }
  int executions = Executions();
  int succeeded = 0;
  auto all = store_->ListApprovals({});
  ASSERT_TRUE(all.ok());
  for (const auto& a : *all) succeeded += a.status == "succeeded";
  EXPECT_EQ(executions, succeeded);
  EXPECT_LE(executions, 3);
}

TEST_F(ApprovalServiceTest, AMediumPatternWithTrustFiveRunsAutomaticallyAndAFailureResetsIt) {
  action::Action probe = *action::Build(RestartFrontend());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store_->ChangeTrust({probe.Pattern(), false}, {}).ok());
  ASSERT_EQ(store_->GetTrust(probe.Pattern())->score, 5);
  // A proposal (not a hand request) with that action runs at once.
  brain::Proposal p;
  p.summary = Redacted::Literal("s");
  p.reasoner = "playbook";
  p.actions.push_back({probe, ""});
  store::StoredAnalysis sa;
  ASSERT_TRUE(store_->AddUser("x", Role::kViewer).ok());
  std::promise<absl::StatusOr<int64_t>> saved;
  // An incident to hang the proposal on.
  Alert alert;
  alert.labels = {{"alertname", "A"}, {"service", "frontend"}};
  alert.fingerprint = LabelFingerprint(alert.labels);
  std::promise<absl::StatusOr<store::IngestResult>> ingested;
  store_->Ingest({store::IngestItem{alert, "k", "frontend", "A"}},
                 [&](auto r) { ingested.set_value(std::move(r)); });
  auto ing = ingested.get_future().get();
  ASSERT_TRUE(ing.ok());
  sa.incident_id = ing->outcomes[0].incident_id;
  sa.json = "{}";
  store_->SaveAnalysis(sa, p, [&](auto r) { saved.set_value(std::move(r)); });
  auto pid = saved.get_future().get();
  ASSERT_TRUE(pid.ok());
  service_->OnProposal(sa.incident_id, *pid);
  service_->Drain();
  auto list = store_->ListApprovals({});
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].risk_effective, "LOW");
  EXPECT_EQ((*list)[0].status, "succeeded") << (*list)[0].reason;

  // Now the PDB blocks the same restart: the automatic run is not even attempted (dry-run failed).
  ASSERT_TRUE(cluster_->control()->Scale("production", "frontend", 2).ok());
  service_->OnProposal(sa.incident_id, *pid);
  service_->Drain();
  list = store_->ListApprovals({});
  EXPECT_EQ((*list)[0].status, "pending");
  EXPECT_NE((*list)[0].reason.find("dry-run failed"), std::string::npos);
}

TEST_F(ApprovalServiceTest, AHighPatternWithTrustTenNeedsOneSignature) {
  action::Action probe = *action::Build(D("restart_pod", "postgres-db", {{"namespace", "production"}}));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store_->ChangeTrust({probe.Pattern(), false}, {}).ok());
  auto r = Request("erin", D("restart_pod", "postgres-db", {{"namespace", "production"}}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->risk_base, "HIGH");
  EXPECT_EQ(r->risk_effective, "MEDIUM");
  EXPECT_EQ(Approve("alice", r->id)->status, "succeeded");
}

// A hand request whose risk trust has lowered to LOW needs nobody's signature: it runs at once
// instead of waiting, unsignable, for its expiry.
TEST_F(ApprovalServiceTest, AHandRequestThatIsLowAfterTrustRunsAtOnce) {
  action::Action probe = *action::Build(RestartFrontend());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store_->ChangeTrust({probe.Pattern(), false}, {}).ok());
  auto r = Request("alice", RestartFrontend());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->risk_base, "MEDIUM");
  EXPECT_EQ(r->risk_effective, "LOW");
  service_->Drain();
  auto done = store_->GetApproval(r->id);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->status, "succeeded") << done->reason;
  EXPECT_EQ(Executions(), 1);
}

// The store refuses a status change outside the state table, whoever asks (here: the store's own
// API, as a buggy caller would), so a pending request can never jump to succeeded.
TEST_F(ApprovalServiceTest, TheStoreRefusesTransitionsOutsideTheTable) {
  auto r = Request("erin", D("restart_pod", "postgres-db", {{"namespace", "production"}}));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->status, "pending");
  for (const char* to : {"succeeded", "failed", "executing", "pending"}) {
    EXPECT_FALSE(store_->TransitionApproval(r->id, "pending", to, {}, {}).ok()) << to;
  }
  EXPECT_EQ(store_->GetApproval(r->id)->status, "pending");
  EXPECT_TRUE(store_->TransitionApproval(r->id, "pending", "voided", {}, {}).ok());
  EXPECT_FALSE(store_->TransitionApproval(r->id, "voided", "approved", {}, {}).ok());
  EXPECT_EQ(store_->GetApproval(r->id)->status, "voided");
}

// A crash between the last signature and the end of the execution leaves nothing in between for
// ever: the next start voids what was approved and fails what was executing.
TEST_F(ApprovalServiceTest, RequestsLeftApprovedOrExecutingByACrashAreSettledAtStart) {
  auto a = Request("erin", D("restart_pod", "postgres-db", {{"namespace", "production"}}));
  auto b = Request("erin", D("restart_pod", "auth-service", {{"namespace", "production"}}));
  ASSERT_TRUE(a.ok() && b.ok());
  // What a crash leaves behind: moved on by the store alone, never finished.
  ASSERT_TRUE(store_->TransitionApproval(a->id, "pending", "approved", {}, {}).ok());
  ASSERT_TRUE(store_->TransitionApproval(b->id, "pending", "approved", {}, {}).ok());
  ASSERT_TRUE(store_->TransitionApproval(b->id, "approved", "executing", {}, {}).ok());
  EXPECT_EQ(service_->RecoverInterrupted(), 2);
  EXPECT_EQ(store_->GetApproval(a->id)->status, "voided");
  EXPECT_NE(store_->GetApproval(a->id)->reason.find("request it again"), std::string::npos);
  EXPECT_EQ(store_->GetApproval(b->id)->status, "failed");
  EXPECT_NE(store_->GetApproval(b->id)->result_json.find("may or may not"), std::string::npos);
  EXPECT_EQ(Executions(), 0) << "recovery never runs an action";
  EXPECT_EQ(service_->RecoverInterrupted(), 0);
}

TEST_F(ApprovalServiceTest, EveryStepIsInAnUnbrokenAuditTrail) {
  auto r = Request("erin", D("scale", "order-api", {{"namespace", "production"}, {"replicas", "0"}}));
  ASSERT_TRUE(Approve("alice", r->id).ok());
  ASSERT_TRUE(Approve("bob", r->id).ok());
  std::vector<std::string> kinds;
  audit::Verifier v(*store_->ListCheckpoints(), nullptr);
  store_->ScanAudit([&](const audit::Entry& e) {
    kinds.push_back(e.kind);
    v.Feed(e);
  });
  EXPECT_TRUE(v.Finish().ok);
  for (std::string k :
       {"dry_run", "approval.requested", "signature", "approved", "trust", "execution", "result"}) {
    EXPECT_NE(std::find(kinds.begin(), kinds.end(), k), kinds.end()) << k;
  }
}

}  // namespace
}  // namespace awoooi::approval
