#include "plugins/actions/cluster/simulated_cluster.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "awoooi/cluster/cluster.h"
#include "awoooi/privacy/shield.h"
#include "ingest/alert_redactor.h"
#include "plugins/stores/sqlite/sqlite_store.h"

namespace awoooi::plugins::actions {
namespace {

using privacy::Redacted;

class SimulatedClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    shield_ = std::move(*privacy::Shield::Create({}));
    Make({});
  }
  void Make(std::map<std::string, std::string> settings, store::Store* store = nullptr) {
    auto e = MakeSimulatedCluster(PluginSettings("actions[0]", std::move(settings)), store);
    ASSERT_TRUE(e.ok()) << e.status();
    exec_ = std::move(*e);
  }
  action::ExecutionContext Ctx() {
    action::ExecutionContext c;
    c.shield = shield_.get();
    c.vault = &vault_;
    c.deadline = absl::Now() + absl::Seconds(10);
    return c;
  }
  action::Action A(std::string kind, std::string target, std::map<std::string, std::string> params = {},
                   std::string target_kind = "") {
    action::Draft d;
    d.kind = std::move(kind);
    d.target_kind = std::move(target_kind);
    d.target = shield_->Redact(target, vault_);
    for (auto& [k, v] : params) d.params[k] = shield_->Redact(v, vault_);
    auto a = action::Build(d);
    EXPECT_TRUE(a.ok()) << a.status();
    return *a;
  }
  cluster::Inventory Inv() { return exec_->control()->Snapshot(); }
  std::vector<cluster::Pod> PodsOf(const std::string& owner) {
    std::vector<cluster::Pod> out;
    for (const auto& p : Inv().pods) {
      if (p.owner == owner) out.push_back(p);
    }
    return out;
  }

  std::unique_ptr<privacy::Shield> shield_;
  privacy::Vault vault_;
  std::unique_ptr<action::Executor> exec_;
};

TEST_F(SimulatedClusterTest, TheDemoClusterMatchesTheDemoTopology) {
  auto inv = Inv();
  for (std::string service :
       {"ingress", "frontend", "auth-service", "product-api", "order-api", "postgres-db"}) {
    EXPECT_FALSE(PodsOf(service).empty()) << service;
  }
  EXPECT_EQ(PodsOf("frontend").size(), 3u);
  EXPECT_EQ(PodsOf("postgres-db").front().name, "postgres-db-0");
}

TEST_F(SimulatedClusterTest, RestartingADeploymentPodReplacesItUnderANewName) {
  auto before = PodsOf("frontend");
  auto a = A("restart_pod", "frontend", {{"namespace", "production"}});
  auto dry = exec_->DryRun(a, Ctx());
  ASSERT_TRUE(dry.ok()) << dry.status();
  EXPECT_TRUE(dry->passed());
  EXPECT_EQ(dry->pods_affected, 1);
  auto r = exec_->Execute(a, Ctx());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, action::ExecutionOutcome::kSucceeded);
  auto after = PodsOf("frontend");
  ASSERT_EQ(after.size(), before.size());
  std::set<std::string> old_names, new_names;
  for (const auto& p : before) old_names.insert(p.name);
  for (const auto& p : after) new_names.insert(p.name);
  EXPECT_NE(old_names, new_names);
  EXPECT_NE(r->output.str().find("replaced by"), std::string::npos);
}

TEST_F(SimulatedClusterTest, AStatefulSetPodKeepsItsNameAndCountsTheRestart) {
  auto r = exec_->Execute(A("restart_pod", "postgres-db", {{"namespace", "production"}}), Ctx());
  ASSERT_TRUE(r.ok());
  auto pod = PodsOf("postgres-db").front();
  EXPECT_EQ(pod.name, "postgres-db-0");
  EXPECT_EQ(pod.restarts, 1);
}

TEST_F(SimulatedClusterTest, AnEvictionThatWouldBreakAPodDisruptionBudgetIsRefused) {
  ASSERT_TRUE(exec_->control()->Scale("production", "frontend", 2).ok());  // PDB: min available 2
  auto a = A("restart_pod", "frontend", {{"namespace", "production"}});
  auto dry = exec_->DryRun(a, Ctx());
  ASSERT_TRUE(dry.ok());
  EXPECT_FALSE(dry->passed());
  bool pdb_failed = false;
  for (const auto& c : dry->checks) pdb_failed |= c.name == "pdb" && !c.passed;
  EXPECT_TRUE(pdb_failed);
  auto before = PodsOf("frontend");
  auto r = exec_->Execute(a, Ctx());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, action::ExecutionOutcome::kFailed);
  EXPECT_EQ(PodsOf("frontend")[0].name, before[0].name);
}

TEST_F(SimulatedClusterTest, ScalingAddsAndRemovesPods) {
  ASSERT_TRUE(
      exec_->Execute(A("scale", "order-api", {{"namespace", "production"}, {"replicas", "5"}}), Ctx()).ok());
  EXPECT_EQ(PodsOf("order-api").size(), 5u);
  ASSERT_TRUE(
      exec_->Execute(A("scale", "order-api", {{"namespace", "production"}, {"replicas", "1"}}), Ctx()).ok());
  EXPECT_EQ(PodsOf("order-api").size(), 1u);
}

TEST_F(SimulatedClusterTest, ADeletedPvcIsGoneAndAMountedOneIsRefused) {
  auto orphan = A("delete_pvc", "data-postgres-backup", {{"namespace", "production"}});
  auto dry = exec_->DryRun(orphan, Ctx());
  ASSERT_TRUE(dry.ok());
  EXPECT_TRUE(dry->passed());
  EXPECT_TRUE(dry->data_loss);
  ASSERT_EQ(exec_->Execute(orphan, Ctx())->outcome, action::ExecutionOutcome::kSucceeded);
  for (const auto& c : Inv().pvcs) EXPECT_NE(c.name, "data-postgres-backup");
  auto mounted = exec_->DryRun(A("delete_pvc", "data-postgres-db-0", {{"namespace", "production"}}), Ctx());
  ASSERT_TRUE(mounted.ok());
  EXPECT_FALSE(mounted->passed());
}

TEST_F(SimulatedClusterTest, TheFingerprintChangesWhenSomeoneElseChangesWhatTheActionTouches) {
  auto a = A("restart_pod", "frontend", {{"namespace", "production"}});
  auto first = exec_->DryRun(a, Ctx());
  auto again = exec_->DryRun(a, Ctx());
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(first->state_fingerprint, again->state_fingerprint);
  // Unrelated change: same fingerprint.
  ASSERT_TRUE(exec_->control()->RestartPod("production", PodsOf("order-api")[0].name).ok());
  EXPECT_EQ(exec_->DryRun(a, Ctx())->state_fingerprint, first->state_fingerprint);
  // The pod the action would restart was restarted by someone else.
  ASSERT_TRUE(exec_->control()->RestartPod("production", PodsOf("frontend")[0].name).ok());
  EXPECT_NE(exec_->DryRun(a, Ctx())->state_fingerprint, first->state_fingerprint);
}

TEST_F(SimulatedClusterTest, RbacDenialsAndMissingObjectsFailTheDryRun) {
  Make({{"deny", "persistentvolumeclaims:delete"}});
  auto dry = exec_->DryRun(A("delete_pvc", "data-postgres-backup", {{"namespace", "production"}}), Ctx());
  ASSERT_TRUE(dry.ok());
  EXPECT_FALSE(dry->passed());
  EXPECT_EQ(dry->checks[1].name, "rbac");
  EXPECT_FALSE(dry->checks[1].passed);
  auto missing = exec_->DryRun(A("restart_pod", "nothing-here", {{"namespace", "production"}}), Ctx());
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->passed());
  EXPECT_FALSE(
      exec_->DryRun(A("scale", "frontend", {{"namespace", "staging"}, {"replicas", "2"}}), Ctx())->passed());
}

TEST_F(SimulatedClusterTest, ARealValueReachesTheClusterAndNeverComesBackInTheOutput) {
  // A node named by its address: the action carries [IP_1]; the cluster sees the address.
  cluster::Inventory inv;
  std::string yaml = "namespaces: [production]\nnodes:\n  - {name: 10.20.3.14}\n";
  std::filesystem::path file = std::filesystem::temp_directory_path() / "awoooi_ip_cluster.yaml";
  std::ofstream(file) << yaml;
  Make({{"file", file.string()}});
  auto a = A("cordon_node", "10.20.3.14");
  EXPECT_EQ(a.target().name.str(), "[IP_1]");
  auto r = exec_->Execute(a, Ctx());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome, action::ExecutionOutcome::kSucceeded);
  EXPECT_TRUE(Inv().nodes[0].unschedulable);
  EXPECT_EQ(r->output.str().find("10.20.3.14"), std::string::npos);
  EXPECT_NE(r->output.str().find("[IP_1]"), std::string::npos);
}

TEST_F(SimulatedClusterTest, StateSurvivesARestartThroughTheStore) {
  auto dir = std::filesystem::temp_directory_path() / ("awoooi_cluster_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  store::SqliteOptions so;
  so.path = (dir / "a.db").string();
  so.fsync = false;
  auto st = store::OpenSqliteStore(so, std::make_unique<ingest::ShieldAlertRedactor>(*shield_));
  ASSERT_TRUE(st.ok());
  Make({}, st->get());
  ASSERT_TRUE(
      exec_->Execute(A("scale", "order-api", {{"namespace", "production"}, {"replicas", "4"}}), Ctx()).ok());
  Make({}, st->get());  // a new process: loads what the store holds
  EXPECT_EQ(PodsOf("order-api").size(), 4u);
}

}  // namespace
}  // namespace awoooi::plugins::actions
