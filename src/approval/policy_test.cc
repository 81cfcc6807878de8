#include "awoooi/approval/policy.h"

#include <gtest/gtest.h>

namespace awoooi::approval {
namespace {

using privacy::Redacted;

action::Action A(std::string kind, std::string target, std::map<std::string, std::string> params = {},
                 std::string target_kind = "") {
  action::Draft d;
  d.kind = std::move(kind);
  d.target_kind = std::move(target_kind);
  Redacted base = Redacted::Literal("");
  d.target = Redacted::PartOf(base, std::move(target));
  for (auto& [k, v] : params) d.params[k] = Redacted::PartOf(base, v);
  action::Catalog catalog;
  catalog.mcp_servers = {"k8s"};
  catalog.templates.push_back({"renew",
                               {"cmctl", "renew", "{{certificate}}"},
                               {{"certificate", action::ParamType::kName, true}},
                               ""});
  auto a = action::Build(d, catalog);
  EXPECT_TRUE(a.ok()) << a.status();
  return *a;
}

Risk Base(const action::Action& a, bool stateful = false) {
  return Assess(a, RiskContext{stateful}, RiskPolicy::Default()).base;
}

TEST(RiskPolicyTest, EveryCellOfTheDefaultMatrix) {
  EXPECT_EQ(Base(A("restart_pod", "api", {{"namespace", "production"}})), Risk::kMedium);
  EXPECT_EQ(Base(A("rollout_restart", "api")), Risk::kMedium);
  EXPECT_EQ(Base(A("scale", "api", {{"replicas", "3"}})), Risk::kMedium);
  EXPECT_EQ(Base(A("scale", "api", {{"replicas", "0"}})), Risk::kHigh);  // below 1 replica
  EXPECT_EQ(Base(A("cordon_node", "worker-1")), Risk::kHigh);
  EXPECT_EQ(Base(A("delete_pvc", "data-x")), Risk::kHigh);
  EXPECT_EQ(Base(A("mcp_tool", "", {{"server", "k8s"}, {"tool", "restart_pod"}})), Risk::kMedium);
  EXPECT_EQ(Base(A("mcp_tool", "", {{"server", "k8s"}, {"tool", "delete_namespace"}})), Risk::kCritical);
  EXPECT_EQ(Base(A("mcp_tool", "", {{"server", "k8s"}, {"tool", "drop_table"}})), Risk::kCritical);
  EXPECT_EQ(Base(A("mcp_tool", "", {{"server", "k8s"}, {"tool", "DeleteUser"}})), Risk::kCritical);
  EXPECT_EQ(Base(A("mcp_tool", "", {{"server", "k8s"}, {"tool", "DROP"}})), Risk::kCritical);
  EXPECT_EQ(Base(A("run_template", "web", {{"template", "renew"}, {"certificate", "web-tls"}})), Risk::kHigh);
  EXPECT_EQ(Base(A("investigate", "api")), Risk::kLow);
}

TEST(RiskPolicyTest, AProtectedNamespaceAndAStatefulTargetEachRaiseOneLevel) {
  EXPECT_EQ(Base(A("restart_pod", "coredns", {{"namespace", "kube-system"}})), Risk::kHigh);
  EXPECT_EQ(Base(A("restart_pod", "postgres-db", {{"namespace", "production"}}), true), Risk::kHigh);
  EXPECT_EQ(Base(A("delete_pvc", "data-db", {{"namespace", "production"}}), true), Risk::kCritical);
  EXPECT_EQ(Base(A("delete_pvc", "data-db", {{"namespace", "kube-system"}}), true),
            Risk::kCritical);  // capped
  // A pinned CRITICAL rule is not raised or lowered.
  auto a = Assess(A("mcp_tool", "", {{"server", "k8s"}, {"tool", "delete_namespace"}}), {true},
                  RiskPolicy::Default());
  EXPECT_TRUE(a.pinned);
  EXPECT_NE(a.reason.find("destroys data"), std::string::npos);
}

TEST(RiskPolicyTest, ConfiguredRulesMatchOnKindNamespaceAndTool) {
  RiskPolicy p = RiskPolicy::Default();
  RiskRule r;
  r.kind = "restart_pod";
  r.namespaces = {"payments-*"};
  r.risk = Risk::kCritical;
  p.rules.insert(p.rules.begin(), r);
  EXPECT_EQ(Assess(A("restart_pod", "api", {{"namespace", "payments-eu"}}), {}, p).base, Risk::kCritical);
  EXPECT_EQ(Assess(A("restart_pod", "api", {{"namespace", "shop"}}), {}, p).base, Risk::kMedium);
  EXPECT_NE(p.Version(), RiskPolicy::Default().Version());
}

TEST(TrustTest, EachThreshold) {
  TrustThresholds t;
  RiskAssessment medium{Risk::kMedium, Risk::kMedium, false, ""};
  EXPECT_EQ(ApplyTrust(medium, 4, t).effective, Risk::kMedium);
  EXPECT_EQ(ApplyTrust(medium, 5, t).effective, Risk::kLow);
  RiskAssessment high{Risk::kHigh, Risk::kHigh, false, ""};
  EXPECT_EQ(ApplyTrust(high, 9, t).effective, Risk::kHigh);
  EXPECT_EQ(ApplyTrust(high, 10, t).effective, Risk::kMedium);
  EXPECT_EQ(RequiredFactors(ApplyTrust(high, 10, t).effective).front().count, 1);
  RiskAssessment critical{Risk::kCritical, Risk::kCritical, false, ""};
  EXPECT_EQ(ApplyTrust(critical, 1000, t).effective, Risk::kCritical);
  RiskAssessment pinned{Risk::kMedium, Risk::kMedium, true, ""};
  EXPECT_EQ(ApplyTrust(pinned, 1000, t).effective, Risk::kMedium);
}

TEST(FactorsTest, HighNeedsTwoDifferentPeopleAndCriticalNeedsBothCtoAndCiso) {
  auto high = RequiredFactors(Risk::kHigh);
  EXPECT_FALSE(AllMet(AssignSigners(high, {{"alice", Role::kDevops}})));
  EXPECT_FALSE(AllMet(AssignSigners(high, {{"alice", Role::kDevops}, {"alice", Role::kDevops}})));
  EXPECT_TRUE(AllMet(AssignSigners(high, {{"alice", Role::kDevops}, {"bob", Role::kSre}})));
  EXPECT_FALSE(AllMet(AssignSigners(high, {{"alice", Role::kDevops}, {"carol", Role::kCto}})));

  auto critical = RequiredFactors(Risk::kCritical);
  EXPECT_FALSE(AllMet(AssignSigners(critical, {{"bob", Role::kSre}, {"erin", Role::kSre}})));
  EXPECT_FALSE(AllMet(AssignSigners(critical, {{"carol", Role::kCto}})));
  EXPECT_TRUE(AllMet(AssignSigners(critical, {{"carol", Role::kCto}, {"dave", Role::kCiso}})));
  auto state = AssignSigners(critical, {{"carol", Role::kCto}});
  EXPECT_FALSE(CanCount(state, Role::kCto));  // the CTO factor is met
  EXPECT_TRUE(CanCount(state, Role::kCiso));
  EXPECT_FALSE(CanCount(state, Role::kSre));
  EXPECT_TRUE(RequiredFactors(Risk::kLow).empty());
}

TEST(StateMachineTest, OnlyTheTabledTransitionsExist) {
  EXPECT_TRUE(CanTransition(State::kPending, State::kApproved));
  EXPECT_TRUE(CanTransition(State::kApproved, State::kExecuting));
  EXPECT_TRUE(CanTransition(State::kApproved, State::kVoided));
  EXPECT_TRUE(CanTransition(State::kExecuting, State::kSucceeded));
  EXPECT_FALSE(CanTransition(State::kPending, State::kExecuting));
  EXPECT_FALSE(CanTransition(State::kRejected, State::kApproved));
  EXPECT_FALSE(CanTransition(State::kExpired, State::kPending));
  EXPECT_FALSE(CanTransition(State::kSucceeded, State::kExecuting));
  for (State s : {State::kSucceeded, State::kFailed, State::kRejected, State::kVoided, State::kExpired}) {
    EXPECT_TRUE(Terminal(s));
  }
}

}  // namespace
}  // namespace awoooi::approval
