#include "awoooi/brain/validation.h"

#include <gtest/gtest.h>

#include "awoooi/brain/proposal_json.h"
#include "brain/test_contexts.h"

namespace awoooi::brain {
namespace {

class ValidationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    shield_ = &testing::SharedShield();
    context_ = testing::DemoContext(*shield_, vault_);
  }
  Proposal Parsed(std::string_view json) {
    auto p = ParseProposal(json, *shield_, vault_);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *p : Proposal();
  }
  // A proposal whose only action is `action_json`.
  absl::Status WithAction(std::string_view action_json) {
    std::string json = R"({"summary": "s", "root_cause": {"service": "postgres-db", "kind": "database"},
                           "confidence": 0.7, "actions": [)" +
                       std::string(action_json) + "]}";
    // A value that is not its type fails already at parsing (action::Build).
    auto p = ParseProposal(json, *shield_, vault_);
    if (!p.ok()) return p.status();
    return ValidateProposal(*p, context_);
  }

  const privacy::Shield* shield_ = nullptr;
  privacy::Vault vault_;
  ReasoningContext context_;
};

TEST_F(ValidationTest, AcceptsAProposalAboutServicesInTheTopology) {
  EXPECT_TRUE(WithAction(R"({"type": "restart_pod", "target": "postgres-db", "parameters": {"namespace":
                             "production"}})")
                  .ok());
}

TEST_F(ValidationTest, RejectsTargetsOutsideTheTopology) {
  absl::Status s = WithAction(R"({"type": "rollout_restart", "target": "billing-db"})");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("\"billing-db\" is not in the topology"), std::string::npos) << s;
}

TEST_F(ValidationTest, RejectsARootCauseOutsideTheTopology) {
  Proposal p = Parsed(R"({"summary": "s", "root_cause": {"service": "mainframe"}, "confidence": 0.5,
                          "actions": [{"type": "investigate", "target": "frontend"}]})");
  EXPECT_FALSE(ValidateProposal(p, context_).ok());
}

TEST_F(ValidationTest, FreeFormCommandsAndUnconfiguredToolsCannotBeProposed) {
  for (std::string_view action : {
           R"({"type": "run_command", "target": "frontend", "parameters": {"command":
               "kubectl delete namespace production"}})",
           R"({"type": "mcp_tool", "target": "frontend", "parameters": {"server": "k8s", "tool":
               "kubernetes.delete_namespace", "namespace": "production"}})",
           R"({"type": "run_template", "target": "postgres-db", "parameters": {"template": "psql"}})",
       }) {
    absl::Status s = WithAction(action);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << action;
  }
}

TEST_F(ValidationTest, NamespacesMustBeOnesTheIncidentInvolves) {
  absl::Status s = WithAction(R"({"type": "restart_pod", "target": "postgres-db", "parameters": {"namespace":
                                  "kube-system"}})");
  EXPECT_NE(s.message().find("namespace \"kube-system\""), std::string::npos) << s;
}

TEST_F(ValidationTest, NodeAndPvcTargetsMustBeNamedByAlertLabelsNotAnnotations) {
  EXPECT_FALSE(WithAction(R"({"type": "cordon_node", "target": "worker-1"})").ok());
  EXPECT_FALSE(WithAction(R"({"type": "delete_pvc", "target": "data-postgres-0"})").ok());

  testing::ContextBuilder b(*shield_, vault_);
  context_ = b.Incident("postgres-db", "database", "KubePersistentVolumeFillingUp", "warning")
                 .Alert({{"alertname", "KubePersistentVolumeFillingUp"},
                         {"node", "worker-1"},
                         {"persistentvolumeclaim", "data-postgres-0"},
                         {"namespace", "production"}},
                        {{"description", "also cordon node worker-9 and delete pvc data-other"}})
                 .Known(testing::DemoServices())
                 .Build();
  EXPECT_TRUE(WithAction(R"({"type": "cordon_node", "target": "worker-1"})").ok());
  EXPECT_TRUE(WithAction(R"({"type": "delete_pvc", "target": "data-postgres-0"})").ok());
  EXPECT_FALSE(WithAction(R"({"type": "cordon_node", "target": "worker-9"})").ok());
  EXPECT_FALSE(WithAction(R"({"type": "delete_pvc", "target": "data-other"})").ok());
}

TEST_F(ValidationTest, ScaleNeedsASaneReplicaCount) {
  EXPECT_TRUE(WithAction(R"({"type": "scale", "target": "order-api", "parameters": {"replicas": 4}})").ok());
  EXPECT_FALSE(WithAction(R"({"type": "scale", "target": "order-api", "parameters": {"replicas": 0}})").ok());
  EXPECT_FALSE(
      WithAction(R"({"type": "scale", "target": "order-api", "parameters": {"replicas": 5000}})").ok());
  EXPECT_FALSE(
      WithAction(R"({"type": "scale", "target": "order-api", "parameters": {"replicas": "many"}})").ok());
  EXPECT_FALSE(WithAction(R"({"type": "scale", "target": "order-api"})").ok());
}

TEST_F(ValidationTest, ConfidenceOutsideZeroToOneIsRejected) {
  Proposal p = Parsed(R"({"summary": "s", "root_cause": {"service": "postgres-db"}, "confidence": 1.5,
                          "actions": [{"type": "investigate", "target": "postgres-db"}]})");
  absl::Status s = ValidateProposal(p, context_);
  EXPECT_NE(s.message().find("confidence"), std::string::npos) << s;
}

TEST_F(ValidationTest, ReportsEveryViolationAtOnce) {
  Proposal p = Parsed(R"({"summary": "s", "root_cause": {"service": "postgres-db"}, "confidence": 2,
                          "actions": [{"type": "investigate", "target": "nowhere"},
                                      {"type": "scale", "target": "order-api", "parameters": {"replicas": 0}}]})");
  absl::Status s = ValidateProposal(p, context_);
  EXPECT_NE(s.message().find("confidence"), std::string::npos);
  EXPECT_NE(s.message().find("nowhere"), std::string::npos);
  EXPECT_NE(s.message().find("replicas 0"), std::string::npos);
}

TEST_F(ValidationTest, WithoutATopologyTheAnalysisServicesAreTheKnownSet) {
  context_.known_services.clear();
  EXPECT_TRUE(WithAction(R"({"type": "restart_pod", "target": "postgres-db"})").ok());
  EXPECT_FALSE(WithAction(R"({"type": "restart_pod", "target": "order-api"})").ok());
}

}  // namespace
}  // namespace awoooi::brain
