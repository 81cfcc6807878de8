// The Kubernetes executor against test/fakes/kube_api_server.py, which follows the real API's paths,
// Status bodies, eviction/PodDisruptionBudget rules, dry run and preconditions (and which
// test/integration/test_kubernetes.py keeps honest with the real kubectl). Each test starts its own
// server with the default world (namespace production: deployments frontend ×3, order-api ×2,
// checkout (paused), shop-backend (app=shop); statefulset postgres-db with two PDBs; PVC scratch-data;
// nodes node-a, node-b, 10.0.3.7).
#include "plugins/actions/kubernetes/kubernetes_executor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "awoooi/privacy/shield.h"
#include "plugins/actions/kubernetes/kube_test_server.h"

namespace awoooi::action {
namespace {

using json = nlohmann::json;
using testing::KubeTestServer;

const privacy::Shield& SharedShield() {
  static const privacy::Shield* shield = [] {
    auto s = privacy::Shield::Create({});
    if (!s.ok()) std::abort();
    return s->release();
  }();
  return *shield;
}

std::string AllText(const DryRunReport& r) {
  std::string out = r.summary.str() + "\n";
  for (const Check& c : r.checks) out += c.name + ": " + c.detail.str() + "\n";
  return out;
}
std::string AllText(const ExecutionResult& r) { return r.detail.str() + "\n" + r.output.str(); }

// Every check called `name` passed (and there is at least one).
bool Passed(const DryRunReport& r, const std::string& name) {
  bool any = false;
  for (const Check& c : r.checks) {
    if (c.name != name) continue;
    if (!c.passed) return false;
    any = true;
  }
  return any;
}
std::string Detail(const DryRunReport& r, const std::string& name) {
  std::string out;
  for (const Check& c : r.checks) {
    if (c.name == name) out += c.detail.str() + "\n";
  }
  return out;
}

class KubernetesExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.ok()) << "kube_api_server.py did not start"; }

  std::unique_ptr<Executor> Make(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> s = {{"type", "kubernetes"},
                                            {"name", "k8s-test"},
                                            {"kubeconfig", server_.WriteKubeconfig()},
                                            {"eviction_backoff", "50ms"},
                                            {"timeout", "10s"}};
    for (auto& [k, v] : extra) s[k] = v;
    auto e = MakeKubernetesExecutor(PluginSettings("executors[0]", s));
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? *std::move(e) : nullptr;
  }

  privacy::Redacted R(const std::string& text) { return SharedShield().Redact(text, vault_); }

  Action MakeAction(const std::string& kind, const std::string& target_kind, const std::string& target,
                    const std::string& ns = "production", std::map<std::string, std::string> params = {}) {
    Draft d;
    d.kind = kind;
    d.target_kind = target_kind;
    d.target = R(target);
    if (!ns.empty()) d.params["namespace"] = R(ns);
    for (auto& [k, v] : params) d.params[k] = R(v);
    auto a = Build(d);
    EXPECT_TRUE(a.ok()) << a.status();
    return *a;
  }

  ExecutionContext Ctx(absl::Duration budget = absl::Seconds(30)) {
    ExecutionContext c;
    c.shield = &SharedShield();
    c.vault = &vault_;
    c.deadline = absl::Now() + budget;
    c.cancel = &cancel_;
    return c;
  }

  json Pods(const std::string& ns, const std::string& selector) {
    return server_.Api("GET", "/api/v1/namespaces/" + ns + "/pods?labelSelector=" + selector,
                       nullptr)["items"];
  }
  // The oldest Running pod of a selector, by creationTimestamp then name (the executor's rule).
  std::string OldestPod(const std::string& ns, const std::string& selector) {
    std::vector<std::pair<std::string, std::string>> pods;
    for (const json& p : Pods(ns, selector)) {
      pods.emplace_back(p["metadata"]["creationTimestamp"], p["metadata"]["name"]);
    }
    std::sort(pods.begin(), pods.end());
    return pods.empty() ? "" : pods.front().second;
  }
  void SetPdbMinAvailable(const std::string& name, int n) {
    server_.Api("PATCH", "/apis/policy/v1/namespaces/production/poddisruptionbudgets/" + name,
                {{"spec", {{"minAvailable", n}}}});
  }
  // Polls the server's request log (no sleeps in assertions: this only waits for a fact).
  bool WaitFor(const std::function<bool()>& fact) {
    for (int i = 0; i < 1000; ++i) {
      if (fact()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  KubeTestServer server_;
  privacy::Vault vault_;
  std::atomic<bool> cancel_{false};
};

// ---------------------------------------------------------------------------------------------------------------
// restart_pod

TEST_F(KubernetesExecutorTest, RestartPodOfAServiceEvictsTheOldestRunningPodTheDryRunNamed) {
  auto exec = Make();
  const std::string oldest = OldestPod("production", "app%3Dfrontend");
  ASSERT_FALSE(oldest.empty());
  Action a = MakeAction("restart_pod", "service", "frontend");
  auto report = exec->DryRun(a, Ctx());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->passed()) << AllText(*report);
  EXPECT_NE(report->summary.str().find(oldest), std::string::npos) << report->summary.str();
  EXPECT_EQ(report->pods_affected, 1);
  EXPECT_FALSE(report->data_loss);
  EXPECT_EQ(report->state_fingerprint.size(), 64u);
  for (const char* check : {"exists", "controller", "rbac", "pdb", "blast_radius", "server_dry_run"}) {
    EXPECT_TRUE(Passed(*report, check)) << check << "\n" << AllText(*report);
  }
  EXPECT_NE(Detail(*report, "pdb").find("frontend-pdb allows 1"), std::string::npos) << AllText(*report);
  // The dry run asked for exactly this permission and sent the eviction with dryRun=All.
  auto reviews = server_.Matching("POST", "/selfsubjectaccessreviews", false);
  ASSERT_FALSE(reviews.empty());
  json ra = json::parse(reviews[0]["body"].get<std::string>())["spec"]["resourceAttributes"];
  EXPECT_EQ(ra["verb"], "create");
  EXPECT_EQ(ra["resource"], "pods");
  EXPECT_EQ(ra["subresource"], "eviction");
  EXPECT_EQ(ra["name"], oldest);
  ASSERT_EQ(server_.Matching("POST", "/pods/" + oldest + "/eviction", true).size(), 1u);
  EXPECT_TRUE(server_.Matching("POST", "/eviction", false).empty()) << "a dry run must change nothing";

  auto result = exec->Execute(a, Ctx());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, ExecutionOutcome::kSucceeded) << AllText(*result);
  EXPECT_NE(result->detail.str().find(oldest + " evicted"), std::string::npos) << result->detail.str();
  auto evictions = server_.Matching("POST", "/eviction", false);
  ASSERT_EQ(evictions.size(), 1u);
  EXPECT_EQ(evictions[0]["path"], "/api/v1/namespaces/production/pods/" + oldest + "/eviction");
  json body = json::parse(evictions[0]["body"].get<std::string>());
  EXPECT_EQ(body["apiVersion"], "policy/v1");
  EXPECT_EQ(body["kind"], "Eviction");
  EXPECT_FALSE(body["deleteOptions"]["preconditions"]["uid"].get<std::string>().empty());
  // The pod is gone and its ReplicaSet replaced it.
  json pods = Pods("production", "app%3Dfrontend");
  EXPECT_EQ(pods.size(), 3u);
  for (const json& p : pods) EXPECT_NE(p["metadata"]["name"], oldest);
  EXPECT_NE(result->output.str().find("HTTP 201"), std::string::npos) << result->output.str();
  EXPECT_LE(result->started_at, result->finished_at);
}

TEST_F(KubernetesExecutorTest, ExecuteFailsWhenThePodTheDryRunNamedWasReplacedMeanwhile) {
  // A StatefulSet pod comes back with the same name and a new uid: the eviction's uid precondition
  // keeps the executor from evicting a pod the dry-run never looked at.
  server_.Control("objects", {{"objects",
                               {{{"apiVersion", "apps/v1"},
                                 {"kind", "StatefulSet"},
                                 {"metadata", {{"name", "cache"}, {"namespace", "default"}}},
                                 {"spec",
                                  {{"replicas", 1},
                                   {"selector", {{"matchLabels", {{"app", "cache"}}}}},
                                   {"template", {{"metadata", {{"labels", {{"app", "cache"}}}}}}}}}}}}});
  auto exec = Make();
  Action a = MakeAction("restart_pod", "pod", "cache-0", "default");
  auto report = exec->DryRun(a, Ctx());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->passed()) << AllText(*report);
  server_.Control("delete", {{"resource", "pods"}, {"namespace", "default"}, {"name", "cache-0"}});
  auto result = exec->Execute(a, Ctx());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, ExecutionOutcome::kFailed);
  EXPECT_NE(result->detail.str().find("changed since the dry-run"), std::string::npos)
      << result->detail.str();
  EXPECT_NE(result->output.str().find("409"), std::string::npos) << result->output.str();
}

TEST_F(KubernetesExecutorTest, ExecuteWithoutADryRunIsRefused) {
  auto exec = Make();
  Action a = MakeAction("restart_pod", "service", "frontend");
  auto result = exec->Execute(a, Ctx());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(server_.Matching("POST", "/eviction", false).empty());
  // One dry run allows one execution.
  ASSERT_TRUE(exec->DryRun(a, Ctx()).ok());
  ASSERT_TRUE(exec->Execute(a, Ctx()).ok());
  EXPECT_EQ(exec->Execute(a, Ctx()).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(KubernetesExecutorTest, BarePodFailsTheControllerCheck) {
  auto exec = Make();
  auto report = exec->DryRun(MakeAction("restart_pod", "pod", "debug-shell"), Ctx());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(report->passed());
  EXPECT_FALSE(Passed(*report, "controller"));
  EXPECT_NE(Detail(*report, "controller").find("no controller"), std::string::npos) << AllText(*report);
}

TEST_F(KubernetesExecutorTest, EvictionBlockedByAPdbIsRetriedUntilTheBudgetFrees) {
  auto exec = Make({{"eviction_backoff", "50ms"}});
  SetPdbMinAvailable("order-api-pdb", 1);  // 2 pods, 1 needed: one disruption allowed
  Action a = MakeAction("restart_pod", "service", "order-api");
  auto report = exec->DryRun(a, Ctx());
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_TRUE(report->passed()) << AllText(*report);
  SetPdbMinAvailable("order-api-pdb", 2);  // now it blocks: the API answers 429

  absl::StatusOr<ExecutionResult> result;
  std::thread run([&] { result = exec->Execute(a, Ctx(absl::Seconds(60))); });
  bool refused_twice = WaitFor([&] {
    int refused = 0;
    for (const json& r : server_.Matching("POST", "/eviction", false)) refused += r["status"] == 429;
    return refused >= 2;
  });
  SetPdbMinAvailable("order-api-pdb", 1);
  run.join();
  ASSERT_TRUE(refused_twice);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, ExecutionOutcome::kSucceeded) << AllText(*result);
  EXPECT_NE(result->detail.str().find("attempts"), std::string::npos) << result->detail.str();
  auto evictions = server_.Matching("POST", "/eviction", false);
  ASSERT_GE(evictions.size(), 3u);
  EXPECT_EQ(evictions.back()["status"], 201);
}

TEST_F(KubernetesExecutorTest, EvictionStillBlockedAtTheDeadlineFailsSayingWhy) {
  auto exec = Make({{"eviction_backoff", "100ms"}});
  Action a = MakeAction("restart_pod", "service", "order-api");
  auto report = exec->DryRun(a, Ctx());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(Passed(*report, "pdb"));
  EXPECT_NE(Detail(*report, "pdb").find("allows no disruption"), std::string::npos) << AllText(*report);
  EXPECT_NE(Detail(*report, "server_dry_run").find("429"), std::string::npos) << AllText(*report);
  auto result = exec->Execute(a, Ctx(absl::Seconds(3)));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, ExecutionOutcome::kFailed);
  EXPECT_NE(result->detail.str().find("a PodDisruptionBudget refused the eviction"), std::string::npos)
      << result->detail.str();
  EXPECT_NE(result->detail.str().find("order-api-pdb needs 2 healthy pods"), std::string::npos)
      << result->detail.str();
  EXPECT_GE(server_.Matching("POST", "/eviction", false).size(), 2u);
}

TEST_F(KubernetesExecutorTest, SeveralMatchingPdbsAnswer500AndAreNotRetried) {
  auto exec = Make();
  Action a = MakeAction("restart_pod", "service", "postgres-db");
  auto report = exec->DryRun(a, Ctx());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(report->passed());
  EXPECT_NE(Detail(*report, "pdb").find("2 PodDisruptionBudgets"), std::string::npos) << AllText(*report);
  EXPECT_NE(Detail(*report, "server_dry_run").find("500"), std::string::npos) << AllText(*report);
  auto result = exec->Execute(a, Ctx());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, ExecutionOutcome::kFailed);
  EXPECT_NE(result->detail.str().find("not retried"), std::string::npos) << result->detail.str();
  EXPECT_EQ(server_.Matching("POST", "/eviction", false).size(), 1u);
  EXPECT_TRUE(server_.Matching("DELETE", "/pods/postgres-db-0", false).empty());
}

TEST_F(KubernetesExecutorTest, DeleteFallbackDeletesThePodWhenTheEvictionApiRefuses) {
  auto exec = Make({{"restart_pod_fallback", "delete"}});
  Action a = MakeAction("restart_pod", "service", "postgres-db");
  auto report = exec->DryRun(a, Ctx());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->passed()) << AllText(*report);
  EXPECT_NE(Detail(*report, "pdb").find("restart_pod_fallback: delete"), std::string::npos)
      << AllText(*report);
  EXPECT_EQ(server_.Matching("DELETE", "/pods/postgres-db-0", true).size(), 1u);
  auto result = exec->Execute(a, Ctx());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, ExecutionOutcome::kSucceeded) << AllText(*result);
  EXPECT_NE(result->detail.str().find("restart_pod_fallback: delete"), std::string::npos);
  auto deletes = server_.Matching("DELETE", "/pods/postgres-db-0", false);
  ASSERT_EQ(deletes.size(), 1u);
  EXPECT_FALSE(
      json::parse(deletes[0]["body"].get<std::string>())["preconditions"]["uid"].get<std::string>().empty());
}

TEST_F(KubernetesExecutorTest, CancelStopsTheEvictionRetries) {
  auto exec = Make({{"eviction_backoff", "50ms"}});
  Action a = MakeAction("restart_pod", "service", "order-api");
  ASSERT_TRUE(exec->DryRun(a, Ctx()).ok());
  absl::StatusOr<ExecutionResult> result;
  std::thread run([&] { result = exec->Execute(a, Ctx(absl::Seconds(120))); });
  ASSERT_TRUE(WaitFor([&] { return server_.Matching("POST", "/eviction", false).size() >= 2; }));
  cancel_ = true;
  run.join();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, ExecutionOutcome::kFailed);
  EXPECT_NE(result->detail.str().find("cancelled"), std::string::npos) << result->detail.str();
}

// ---------------------------------------------------------------------------------------------------------------
// rollout_restart

TEST_F(KubernetesExecutorTest, RolloutRestartPatchesRestartedAtLikeKubectl) {
  auto exec = Make();
  Action a = MakeAction("rollout_restart", "deployment", "frontend");
  auto report = exec->DryRun(a, Ctx());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->passed()) << AllText(*report);
  EXPECT_EQ(report->pods_affected, 3);
  auto result = exec->Execute(a, Ctx());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, ExecutionOutcome::kSucceeded) << AllText(*result);
  auto patches = server_.Matching("PATCH", "/deployments/frontend", false);
  ASSERT_EQ(patches.size(), 1u);
  EXPECT_EQ(patches[0]["content_type"], "application/strategic-merge-patch+json");
  json patch = json::parse(patches[0]["body"].get<std::string>());
  std::string when =
      patch["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"];
  EXPECT_EQ(when.size(), 20u) << when;  // RFC 3339, UTC: 2025-01-31T12:00:00Z
  EXPECT_EQ(when.back(), 'Z');
  // The controller rolled every pod.
  auto fresh = server_.Api("GET", "/apis/apps/v1/namespaces/production/deployments/frontend", nullptr);
  EXPECT_EQ(fresh["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"], when);
  EXPECT_NE(result->state_fingerprint, report->state_fingerprint);
}

TEST_F(KubernetesExecutorTest, RolloutRestartOfAPausedDeploymentFailsWithTheReason) {
  auto exec = Make();
  Action a = MakeAction("rollout_restart", "deployment", "checkout");
  auto report = exec->DryRun(a, Ctx());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(report->passed());
  EXPECT_FALSE(Passed(*report, "paused"));
  auto result = exec->Execute(a, Ctx());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, ExecutionOutcome::kFailed);
  EXPECT_NE(result->detail.str().find("is paused"), std::string::npos) << result->detail.str();
  EXPECT_TRUE(server_.Matching("PATCH", "/deployments/checkout", false).empty());
}

TEST_F(KubernetesExecutorTest, ServiceTargetResolvesToTheStatefulSetOfThatName) {
  auto exec = Make();
  auto report = exec->DryRun(MakeAction("rollout_restart", "service", "postgres-db"), Ctx());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->passed()) << AllText(*report);
  EXPECT_NE(report->summary.str().find("statefulset postgres-db"), std::string::npos)
      << report->summary.str();
  EXPECT_EQ(server_.Matching("PATCH", "/statefulsets/postgres-db", true).size(), 1u);
}

TEST_F(KubernetesExecutorTest, ServiceTargetResolvesByTheAppLabel) {
  auto exec = Make();
  auto report = exec->DryRun(MakeAction("restart_pod", "service", "shop"), Ctx());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->passed()) << AllText(*report);
  EXPECT_NE(report->summary.str().find("deployment shop-backend (labelled app=shop)"), std::string::npos)
      << report->summary.str();
}

TEST_F(KubernetesExecutorTest, ServiceTargetMatchingSeveralWorkloadsFailsNamingThem) {
  auto twin = [](const std::string& name) {
    return json{{"apiVersion", "apps/v1"},
                {"kind", "Deployment"},
                {"metadata", {{"name", name}, {"namespace", "production"}, {"labels", {{"app", "twin"}}}}},
                {"spec",
                 {{"replicas", 1},
                  {"selector", {{"matchLabels", {{"app", name}}}}},
                  {"template", {{"metadata", {{"labels", {{"app", name}}}}}}}}}};
  };
  server_.Control("objects", {{"objects", {twin("twin-a"), twin("twin-b")}}});
  auto exec = Make();
  auto report = exec->DryRun(MakeAction("rollout_restart", "service", "twin"), Ctx());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(Passed(*report, "exists"));
  EXPECT_NE(Detail(*report, "exists").find("deployment twin-a, deployment twin-b"), std::string::npos)
      << AllText(*report);
  auto missing = exec->DryRun(MakeAction("rollout_restart", "service", "nothing-here"), Ctx());
  ASSERT_TRUE(missing.ok());
  EXPECT_NE(Detail(*missing, "exists").find("no Deployment or StatefulSet named nothing-here"),
            std::string::npos);
}

// ---------------------------------------------------------------------------------------------------------------
// scale

TEST_F(KubernetesExecutorTest, ScalePutsTheScaleWithTheDryRunResourceVersion) {
  auto exec = Make();
  Action a = MakeAction("scale", "deployment", "frontend", "production", {{"replicas", "5"}});
  auto report = exec->DryRun(a, Ctx());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->passed()) << AllText(*report);
  EXPECT_EQ(report->pods_affected, 2);
  EXPECT_NE(report->summary.str().find("from 3 to 5"), std::string::npos) << report->summary.str();
  auto reviews = server_.Matching("POST", "/selfsubjectaccessreviews", false);
  ASSERT_FALSE(reviews.empty());
  json ra = json::parse(reviews[0]["body"].get<std::string>())["spec"]["resourceAttributes"];
  EXPECT_EQ(ra["verb"], "update");
  EXPECT_EQ(ra["group"], "apps");
  EXPECT_EQ(ra["resource"], "deployments");
  EXPECT_EQ(ra["subresource"], "scale");
  const std::string rv = server_.Api("GET", "/apis/apps/v1/namespaces/production/deployments/frontend/scale",
                                     nullptr)["metadata"]["resourceVersion"];
  auto result = exec->Execute(a, Ctx());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, ExecutionOutcome::kSucceeded) << AllText(*result);
  auto puts = server_.Matching("PUT", "/deployments/frontend/scale", false);
  ASSERT_EQ(puts.size(), 1u);
  json body = json::parse(puts[0]["body"].get<std::string>());
  EXPECT_EQ(body["kind"], "Scale");
  EXPECT_EQ(body["metadata"]["resourceVersion"], rv);
  EXPECT_EQ(body["spec"]["replicas"], 5);
  EXPECT_EQ(Pods("production", "app%3Dfrontend").size(), 5u);
}

TEST_F(KubernetesExecutorTest, ScaleAfterTheObjectChangedAnswers409AndFails) {
  auto exec = Make();
  Action a = MakeAction("scale", "deployment", "frontend", "production", {{"replicas", "1"}});
  auto before = exec->DryRun(a, Ctx());
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_TRUE(before->passed()) << AllText(*before);
  // Someone else changes the deployment between the dry run and the execution.
  server_.Api("PATCH", "/apis/apps/v1/namespaces/production/deployments/frontend",
              {{"metadata", {{"labels", {{"touched", "by-someone"}}}}}});
  auto result = exec->Execute(a, Ctx());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, ExecutionOutcome::kFailed);
  EXPECT_NE(result->detail.str().find("the object changed since the dry-run"), std::string::npos)
      << result->detail.str();
  EXPECT_NE(result->output.str().find("HTTP 409"), std::string::npos) << result->output.str();
  EXPECT_EQ(Pods("production", "app%3Dfrontend").size(), 3u);
}

TEST_F(KubernetesExecutorTest, TheFingerprintChangesExactlyWhenAnObjectLookedAtChanges) {
  auto exec = Make();
  Action a = MakeAction("scale", "deployment", "order-api", "production", {{"replicas", "3"}});
  auto first = exec->DryRun(a, Ctx());
  auto second = exec->DryRun(a, Ctx());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->state_fingerprint, second->state_fingerprint);
  // A change elsewhere does not count...
  server_.Api("PATCH", "/apis/apps/v1/namespaces/production/deployments/frontend",
              {{"metadata", {{"labels", {{"touched", "yes"}}}}}});
  auto third = exec->DryRun(a, Ctx());
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(first->state_fingerprint, third->state_fingerprint);
  // ...a change of the target does.
  server_.Api("PATCH", "/apis/apps/v1/namespaces/production/deployments/order-api",
              {{"metadata", {{"labels", {{"touched", "yes"}}}}}});
  auto fourth = exec->DryRun(a, Ctx());
  ASSERT_TRUE(fourth.ok());
  EXPECT_NE(first->state_fingerprint, fourth->state_fingerprint);
}

// ---------------------------------------------------------------------------------------------------------------
// cordon_node and the label rehydrated at the call

TEST_F(KubernetesExecutorTest, CordonNodeNamedByALabelSendsTheRealNameAndReturnsOnlyTheLabel) {
  auto exec = Make();
  const std::string real = "10.0.3.7";
  privacy::Redacted label = R(real);
  ASSERT_EQ(label.str(), "[IP_1]");
  Action a = MakeAction("cordon_node", "node", real, "");
  ASSERT_EQ(a.target().name.str(), "[IP_1]");
  auto report = exec->DryRun(a, Ctx());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->passed()) << AllText(*report);
  auto result = exec->Execute(a, Ctx());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, ExecutionOutcome::kSucceeded) << AllText(*result);

  // The real value reached the API server...
  auto patches = server_.Matching("PATCH", "/api/v1/nodes/" + real, false);
  ASSERT_EQ(patches.size(), 1u);
  EXPECT_EQ(json::parse(patches[0]["body"].get<std::string>())["spec"]["unschedulable"], true);
  EXPECT_EQ(server_.Api("GET", "/api/v1/nodes/" + real, nullptr)["spec"]["unschedulable"], true);
  // ...and appears nowhere in what the executor returned; the label does.
  const std::string returned = AllText(*report) + AllText(*result);
  EXPECT_EQ(returned.find(real), std::string::npos) << returned;
  EXPECT_NE(result->detail.str().find("node [IP_1] cordoned"), std::string::npos) << result->detail.str();
  EXPECT_NE(result->output.str().find("[IP_1]"), std::string::npos) << result->output.str();
}

TEST_F(KubernetesExecutorTest, AnOutputStillCarryingARealValueIsWithheld) {
  // A label minted by a shield with a custom pattern; the executor's shield does not know that
  // pattern, so redacting the API's answer cannot hide the value: the output must be withheld.
  privacy::ShieldConfig cfg;
  cfg.custom_patterns.push_back({"db_host", "pg-primary-[0-9]+", "DBHOST"});
  auto custom = privacy::Shield::Create(cfg);
  ASSERT_TRUE(custom.ok()) << custom.status();
  privacy::Redacted label = (*custom)->Redact("pg-primary-7", vault_);
  ASSERT_EQ(label.str(), "[DBHOST_1]");
  json node = {{"kind", "Node"}, {"metadata", {{"name", "pg-primary-7"}}}, {"spec", json::object()}};
  server_.Control("objects", {{"objects", json::array({node})}});
  auto exec = Make();
  Draft d;
  d.kind = "cordon_node";
  d.target = label;
  auto a = Build(d);
  ASSERT_TRUE(a.ok()) << a.status();
  auto report = exec->DryRun(*a, Ctx());
  ASSERT_TRUE(report.ok()) << report.status();
  auto result = exec->Execute(*a, Ctx());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, ExecutionOutcome::kSucceeded);
  EXPECT_EQ(server_.Matching("PATCH", "/api/v1/nodes/pg-primary-7", false).size(), 1u);
  EXPECT_NE(result->output.str().find("withheld"), std::string::npos) << result->output.str();
  const std::string returned = AllText(*report) + AllText(*result);
  EXPECT_EQ(returned.find("pg-primary-7"), std::string::npos) << returned;
}

// ---------------------------------------------------------------------------------------------------------------
// delete_pvc

TEST_F(KubernetesExecutorTest, DeletePvcReportsDataLossAndDeletesWithPreconditions) {
  auto exec = Make();
  Action a = MakeAction("delete_pvc", "pvc", "scratch-data");
  auto report = exec->DryRun(a, Ctx());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->passed()) << AllText(*report);
  EXPECT_TRUE(report->data_loss);
  EXPECT_EQ(report->pods_affected, 0);
  EXPECT_NE(report->summary.str().find("DATA LOSS"), std::string::npos);
  auto result = exec->Execute(a, Ctx());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, ExecutionOutcome::kSucceeded) << AllText(*result);
  auto deletes = server_.Matching("DELETE", "/persistentvolumeclaims/scratch-data", false);
  ASSERT_EQ(deletes.size(), 1u);
  json pre = json::parse(deletes[0]["body"].get<std::string>())["preconditions"];
  EXPECT_FALSE(pre["uid"].get<std::string>().empty());
  EXPECT_FALSE(pre["resourceVersion"].get<std::string>().empty());
  EXPECT_EQ(server_.Api("GET", "/api/v1/namespaces/production/persistentvolumeclaims/scratch-data",
                        nullptr)["code"],
            404);
}

TEST_F(KubernetesExecutorTest, DeletePvcInUseNamesItsPodsAndStaysTerminating) {
  auto exec = Make();
  Action a = MakeAction("delete_pvc", "pvc", "data-postgres-db-0");
  auto report = exec->DryRun(a, Ctx());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->pods_affected, 1);
  EXPECT_NE(Detail(*report, "blast_radius").find("postgres-db-0"), std::string::npos) << AllText(*report);
  auto result = exec->Execute(a, Ctx());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, ExecutionOutcome::kSucceeded) << AllText(*result);
  EXPECT_NE(result->detail.str().find("Terminating"), std::string::npos) << result->detail.str();
}

// ---------------------------------------------------------------------------------------------------------------
// RBAC, admission webhooks, faults

TEST_F(KubernetesExecutorTest, RbacDenialFailsTheDryRunAndSendsNoServerDryRun) {
  server_.Control("deny",
                  {{"rules", {{{"verb", "create"}, {"resource", "pods"}, {"subresource", "eviction"}}}}});
  auto exec = Make();
  Action a = MakeAction("restart_pod", "service", "frontend");
  auto report = exec->DryRun(a, Ctx());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(report->passed());
  EXPECT_FALSE(Passed(*report, "rbac"));
  EXPECT_NE(Detail(*report, "rbac").find("may not create pods/eviction in namespace production"),
            std::string::npos)
      << AllText(*report);
  EXPECT_TRUE(server_.Matching("POST", "/eviction", true).empty());
  // Executed anyway, the API answers 403 and the result says so.
  auto result = exec->Execute(a, Ctx());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, ExecutionOutcome::kFailed);
  EXPECT_NE(result->detail.str().find("forbidden"), std::string::npos) << result->detail.str();
}

TEST_F(KubernetesExecutorTest, ReadsForbiddenByRbacAreAFailedCheck) {
  server_.Control("deny", {{"rules", {{{"verb", "get"}, {"resource", "nodes"}}}}});
  auto exec = Make();
  auto report = exec->DryRun(MakeAction("cordon_node", "node", "node-a", ""), Ctx());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(Passed(*report, "rbac"));
  EXPECT_NE(Detail(*report, "rbac").find("cannot get resource \"nodes\""), std::string::npos)
      << AllText(*report);
}

TEST_F(KubernetesExecutorTest, AnAdmissionWebhookRefusingDryRunMakesTheReportUnsupported) {
  server_.Control("webhook",
                  {{"name", "policy.example.com"}, {"refuse_dry_run", true}, {"resources", {"nodes"}}});
  auto exec = Make();
  auto report = exec->DryRun(MakeAction("cordon_node", "node", "node-b", ""), Ctx());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(report->supported);
  EXPECT_FALSE(report->passed());
  EXPECT_TRUE(Passed(*report, "rbac"));
  EXPECT_NE(
      Detail(*report, "server_dry_run")
          .find("dry-run not supported: admission webhook \"policy.example.com\" does not support dry run"),
      std::string::npos)
      << AllText(*report);
}

TEST_F(KubernetesExecutorTest, AHangingApiServerFailsTheExecutionClearlyWithinTheDeadline) {
  auto exec = Make({{"timeout", "30s"}});
  Action a = MakeAction("scale", "deployment", "frontend", "production", {{"replicas", "2"}});
  ASSERT_TRUE(exec->DryRun(a, Ctx()).ok());
  server_.Control(
      "faults",
      {{"rules", {{{"method", "PUT"}, {"path", "/scale$"}, {"action", "hang"}, {"seconds", 600}}}}});
  auto result = exec->Execute(a, Ctx(absl::Milliseconds(1500)));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, ExecutionOutcome::kFailed);
  EXPECT_NE(result->detail.str().find("timed out waiting for the API server"), std::string::npos)
      << result->detail.str();
  EXPECT_NE(result->detail.str().find("unknown"), std::string::npos) << result->detail.str();
  // The server holds the connection for ten minutes; the executor gave up at its deadline.
  EXPECT_LT(result->finished_at - result->started_at, absl::Seconds(60));
}

TEST_F(KubernetesExecutorTest, AHangingApiServerMakesTheDryRunDeadlineExceeded) {
  server_.Control(
      "faults",
      {{"rules", {{{"method", "GET"}, {"path", "/nodes/"}, {"action", "hang"}, {"seconds", 600}}}}});
  auto exec = Make();
  auto report = exec->DryRun(MakeAction("cordon_node", "node", "node-a", ""), Ctx(absl::Seconds(1)));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kDeadlineExceeded) << report.status();
  EXPECT_EQ(std::string(report.status().message()).find("node-a"), std::string::npos) << report.status();
}

TEST_F(KubernetesExecutorTest, ServerErrorsAreClearFailures) {
  auto exec = Make();
  Action a = MakeAction("cordon_node", "node", "node-a", "");
  ASSERT_TRUE(exec->DryRun(a, Ctx()).ok());
  server_.Control("faults", {{"rules",
                              {{{"method", "PATCH"},
                                {"path", "/nodes/"},
                                {"action", "status"},
                                {"status", 503},
                                {"message", "etcd leader changed"}}}}});
  auto result = exec->Execute(a, Ctx());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, ExecutionOutcome::kFailed);
  EXPECT_NE(result->detail.str().find("the API server failed (503 ServiceUnavailable): etcd leader changed"),
            std::string::npos)
      << result->detail.str();
  // A 5xx while reading makes the dry run itself fail (Unavailable), not pass.
  server_.Control("faults", {{"rules", {{{"method", "GET"}, {"path", "/nodes/"}, {"status", 500}}}}});
  auto report = exec->DryRun(a, Ctx());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kUnavailable) << report.status();
}

TEST(KubernetesExecutorReachTest, AnUnreachableApiServerIsUnavailable) {
  std::unique_ptr<Executor> exec;
  {
    KubeTestServer gone;
    ASSERT_TRUE(gone.ok());
    auto e = MakeKubernetesExecutor(PluginSettings("e", {{"kubeconfig", gone.WriteKubeconfig()}}));
    ASSERT_TRUE(e.ok()) << e.status();
    exec = *std::move(e);
  }  // the server is stopped: nothing listens on its port any more
  privacy::Vault vault;
  ExecutionContext ctx;
  ctx.shield = &SharedShield();
  ctx.vault = &vault;
  ctx.deadline = absl::Now() + absl::Seconds(10);
  Draft d;
  d.kind = "cordon_node";
  d.target = SharedShield().Redact("node-a", vault);
  auto report = exec->DryRun(*Build(d), ctx);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kUnavailable) << report.status();
  EXPECT_NE(std::string(report.status().message()).find("cannot reach the API server"), std::string::npos);
  EXPECT_EQ(std::string(report.status().message()).find("node-a"), std::string::npos) << report.status();
}

// ---------------------------------------------------------------------------------------------------------------
// Credentials and TLS

class TlsFiles {
 public:
  TlsFiles() {
    dir_ =
        (std::filesystem::temp_directory_path() / ("awoooi-kube-tls-" + std::to_string(::getpid()))).string();
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ + "/server.ext") << "subjectAltName=IP:127.0.0.1\n";
    std::ofstream(dir_ + "/client.ext") << "extendedKeyUsage=clientAuth\n";
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
    std::string script =
        "cd " + dir_ + " && openssl req -x509" + ec + "-keyout ca.key -out ca.crt -days 1 -subj /CN=test-ca" +
        " && openssl req" + ec + "-keyout other-ca.key -out other-ca.crt -x509 -days 1 -subj /CN=other-ca" +
        " && openssl req" + ec + "-keyout server.key -out server.csr -subj /CN=127.0.0.1" +
        " && openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days "
        "1"
        " -extfile server.ext" +
        " && openssl req" + ec + "-keyout client.key -out client.csr -subj /CN=awoooi-executor" +
        " && openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days "
        "1"
        " -extfile client.ext";
    ok_ = std::system((script + " >/dev/null 2>&1").c_str()) == 0;
  }
  ~TlsFiles() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  bool ok() const { return ok_; }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  std::string Base64(const std::string& name) const {
    std::ifstream in(Path(name), std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), {});
    return absl::Base64Escape(data);
  }

 private:
  std::string dir_;
  bool ok_ = false;
};

TEST(KubernetesExecutorTlsTest, ClientCertificatesAndTokensAuthenticateOverTls) {
  TlsFiles files;
  ASSERT_TRUE(files.ok()) << "openssl could not make the test certificates";
  KubeTestServer server({"--tls-cert", files.Path("server.crt"), "--tls-key", files.Path("server.key"),
                         "--client-ca", files.Path("ca.crt"), "--token", "tls-token-0123"});
  ASSERT_TRUE(server.ok());
  privacy::Vault vault;
  ExecutionContext ctx;
  ctx.shield = &SharedShield();
  ctx.vault = &vault;
  ctx.deadline = absl::Now() + absl::Seconds(20);
  Draft d;
  d.kind = "cordon_node";
  d.target = SharedShield().Redact("node-a", vault);
  auto a = Build(d);
  ASSERT_TRUE(a.ok());
  auto make = [&](const std::string& user, const std::string& cluster, const std::string& name) {
    return MakeKubernetesExecutor(
        PluginSettings("executors[0]", {{"kubeconfig", server.WriteKubeconfig(user, cluster, true, name)}}));
  };
  const std::string client = "    client-certificate-data: " + files.Base64("client.crt") +
                             "\n    client-key-data: " + files.Base64("client.key") + "\n";

  // CA and client certificate from memory (*-data).
  auto exec = make(client, "    certificate-authority-data: " + files.Base64("ca.crt") + "\n", "data");
  ASSERT_TRUE(exec.ok()) << exec.status();
  auto report = (*exec)->DryRun(*a, ctx);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->passed()) << AllText(*report);
  auto result = (*exec)->Execute(*a, ctx);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, ExecutionOutcome::kSucceeded) << AllText(*result);
  auto requests = server.Requests();
  ASSERT_FALSE(requests.empty());
  for (const auto& r : requests) EXPECT_EQ(r["user"], "awoooi-executor") << r.dump();

  // The same from files.
  auto from_files = make("    client-certificate: " + files.Path("client.crt") +
                             "\n    client-key: " + files.Path("client.key") + "\n",
                         "    certificate-authority: " + files.Path("ca.crt") + "\n", "files");
  ASSERT_TRUE(from_files.ok()) << from_files.status();
  auto again = (*from_files)->DryRun(*a, ctx);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->passed()) << AllText(*again);

  // A CA that did not sign the server's certificate: the connection is refused.
  auto wrong_ca =
      make(client, "    certificate-authority-data: " + files.Base64("other-ca.crt") + "\n", "wrong");
  ASSERT_TRUE(wrong_ca.ok());
  auto refused = (*wrong_ca)->DryRun(*a, ctx);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();

  // A bearer token from the kubeconfig (insecure-skip-tls-verify accepts the server's certificate).
  auto token = make("    token: tls-token-0123\n", "    insecure-skip-tls-verify: true\n", "token");
  ASSERT_TRUE(token.ok()) << token.status();
  auto with_token = (*token)->DryRun(*a, ctx);
  ASSERT_TRUE(with_token.ok()) << with_token.status();
  EXPECT_TRUE(with_token->passed()) << AllText(*with_token);
  EXPECT_EQ(server.Requests().back()["user"], "system:serviceaccount:awoooi:awoooi-executor");

  // A wrong token: the server says 401, a failed rbac check that never quotes the token.
  auto wrong = make("    token: wrong-token-9876\n", "    insecure-skip-tls-verify: true\n", "wrong-token");
  ASSERT_TRUE(wrong.ok()) << wrong.status();
  auto refused_token = (*wrong)->DryRun(*a, ctx);
  ASSERT_TRUE(refused_token.ok()) << refused_token.status();
  EXPECT_FALSE(refused_token->passed());
  EXPECT_NE(Detail(*refused_token, "rbac").find("401"), std::string::npos) << AllText(*refused_token);
  EXPECT_EQ(AllText(*refused_token).find("wrong-token"), std::string::npos);

  // No credentials at all: 401 too.
  auto none = make("    {}\n", "    insecure-skip-tls-verify: true\n", "anonymous");
  ASSERT_TRUE(none.ok()) << none.status();
  auto anonymous = (*none)->DryRun(*a, ctx);
  ASSERT_TRUE(anonymous.ok()) << anonymous.status();
  EXPECT_NE(Detail(*anonymous, "rbac").find("401"), std::string::npos) << AllText(*anonymous);
}

// ---------------------------------------------------------------------------------------------------------------
// Settings

TEST(KubernetesExecutorSettingsTest, BadSettingsNameTheirKey) {
  auto unknown = MakeKubernetesExecutor(PluginSettings("executors[1]", {{"kubeconfg", "/x"}}));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(std::string(unknown.status().message()).find("kubeconfg"), std::string::npos) << unknown.status();

  auto fallback = MakeKubernetesExecutor(PluginSettings("executors[1]", {{"restart_pod_fallback", "force"}}));
  ASSERT_FALSE(fallback.ok());
  EXPECT_NE(std::string(fallback.status().message()).find("executors[1].restart_pod_fallback"),
            std::string::npos);

  auto missing =
      MakeKubernetesExecutor(PluginSettings("executors[1]", {{"kubeconfig", "/nonexistent/kubeconfig"}}));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(std::string(missing.status().message()).find("executors[1].kubeconfig"), std::string::npos);

  auto both =
      MakeKubernetesExecutor(PluginSettings("executors[1]", {{"in_cluster", "true"}, {"kubeconfig", "/x"}}));
  ASSERT_FALSE(both.ok());
  EXPECT_NE(std::string(both.status().message()).find("in_cluster"), std::string::npos);

  auto backoff = MakeKubernetesExecutor(PluginSettings("executors[1]", {{"eviction_backoff", "soon"}}));
  ASSERT_FALSE(backoff.ok());
  EXPECT_NE(std::string(backoff.status().message()).find("eviction_backoff"), std::string::npos);
}

TEST(KubernetesExecutorSettingsTest, SupportsOnlyTheKubernetesKinds) {
  KubeTestServer server;
  ASSERT_TRUE(server.ok());
  auto exec = MakeKubernetesExecutor(PluginSettings("e", {{"kubeconfig", server.WriteKubeconfig()}}));
  ASSERT_TRUE(exec.ok()) << exec.status();
  EXPECT_EQ((*exec)->name(), "kubernetes");
  for (const char* kind : {"restart_pod", "rollout_restart", "cordon_node", "delete_pvc"}) {
    Draft d;
    d.kind = kind;
    d.target = privacy::Redacted::Literal("x");
    auto a = Build(d);
    ASSERT_TRUE(a.ok()) << kind << a.status();
    EXPECT_TRUE((*exec)->Supports(*a)) << kind;
  }
  Draft investigate;
  investigate.kind = "investigate";
  EXPECT_FALSE((*exec)->Supports(*Build(investigate)));
}

}  // namespace
}  // namespace awoooi::action
