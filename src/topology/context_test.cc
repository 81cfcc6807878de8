#include "awoooi/topology/context.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "awoooi/topology/loader.h"

namespace awoooi::topology {
namespace {

using privacy::Redacted;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// The product's demo world, with owners (one of them a person's e-mail address).
constexpr char kDemo[] = R"(services:
  - {name: ingress, kind: ingress, depends_on: [frontend]}
  - {name: frontend, kind: frontend, namespace: shop, owners: [team-web, "alice@example.com"],
     depends_on: [auth-service, product-api, order-api]}
  - {name: auth-service, kind: service, depends_on: [postgres-db]}
  - {name: product-api, kind: service, depends_on: [postgres-db]}
  - {name: order-api, kind: service, depends_on: [postgres-db]}
  - {name: postgres-db, kind: database, owners: [team-data]}
)";

struct Fixture {
  std::unique_ptr<Topology> topology;
  RootCauseResult root;
  BlastRadiusResult blast;
  std::vector<ContextAlert> alerts;
};

Fixture Demo() {
  Fixture f;
  TopologyLoadResult loaded = LoadTopologyYaml(kDemo);
  EXPECT_TRUE(loaded.ok());
  f.topology = std::make_unique<Topology>(loaded.graph);
  EXPECT_TRUE(f.topology->SetHealth("frontend", Severity::kCritical).ok());
  EXPECT_TRUE(f.topology->SetHealth("postgres-db", Severity::kCritical).ok());
  EXPECT_TRUE(f.topology->SetHealth("order-api", Severity::kWarning).ok());
  f.root = *f.topology->RootCause("frontend", 3);
  f.blast = *f.topology->BlastRadius("frontend", 3);
  f.alerts.push_back({"ingress", true, Severity::kInfo, Redacted::Literal("SlowRequests"), {}});
  f.alerts.push_back({"frontend", true, Severity::kCritical, Redacted::Literal("HighErrorRate"),
                      Redacted::Literal("5xx rate > 15% for user [IP_1]")});
  f.alerts.push_back({"postgres-db", true, Severity::kCritical, Redacted::Literal("PostgresDown"), {}});
  f.alerts.push_back({"product-api", false, Severity::kError, Redacted::Literal("Latency"), {}});
  return f;
}

Redacted Build(const Fixture& f, std::size_t budget) {
  ContextRequest r;
  r.service = "frontend";
  r.root_cause = &f.root;
  r.blast_radius = &f.blast;
  r.alerts = &f.alerts;
  r.budget_chars = budget;
  return BuildRetrievalContext(*f.topology, r);
}

TEST(RetrievalContext, DemoIncidentReadsMostRelevantFirst) {
  Fixture f = Demo();
  EXPECT_EQ(
      Build(f, 100000).str(),
      "incident: frontend (frontend, health critical, namespace shop)\n"
      "root cause #1: postgres-db (database, critical, cause, depth 2)\n"
      "  path: frontend -> auth-service -> postgres-db\n"
      "  reason: cause: nothing it depends on within 2 hops is unhealthy; explains 2 of 2 unhealthy "
      "services: "
      "frontend, order-api; database (kind priority 1 of 4); severity critical; 2 hops below 'frontend'\n"
      "alert [critical] frontend: HighErrorRate - 5xx rate > 15% for user [IP_1]\n"
      "alert [critical] postgres-db: PostgresDown\n"
      "owners of frontend: team-web (+1 not shown)\n"
      "owners of postgres-db: team-data\n"
      "root cause #2: order-api (service, warning, symptom, depth 1)\n"
      "  path: frontend -> order-api\n"
      "  reason: symptom: it depends on unhealthy 'postgres-db'; explains 1 of 2 unhealthy services: "
      "frontend; "
      "service (kind priority 4 of 4); severity warning; 1 hop below 'frontend'\n"
      "blast radius (depth 3): 1 services depend on frontend\n"
      "  depth 1: ingress (ingress) via frontend <- ingress\n"
      "alert [info] ingress: SlowRequests\n"
      "alert [error] product-api: Latency (resolved)\n");
}

TEST(RetrievalContext, OwnersThatLookLikePeopleAreNotShown) {
  Fixture f = Demo();
  EXPECT_THAT(Build(f, 100000).str(), Not(HasSubstr("alice")));
}

TEST(RetrievalContext, BudgetDropsLeastRelevantPartsWhole) {
  Fixture f = Demo();
  const std::string full = Build(f, 100000).str();
  for (std::size_t budget : {600u, 400u, 250u, 120u, 60u}) {
    std::string doc = Build(f, budget).str();
    EXPECT_LE(doc.size(), budget);
    EXPECT_THAT(doc, HasSubstr("parts omitted]\n")) << budget;
    // Every kept line is a whole line of the full document.
    std::size_t start = 0;
    while (start < doc.size()) {
      std::size_t end = doc.find('\n', start);
      std::string line = doc.substr(start, end - start + 1);
      if (line.rfind("[context truncated", 0) != 0) {
        EXPECT_THAT(full, HasSubstr(line)) << budget;
      }
      start = end + 1;
    }
  }
  // Tight: room for the incident and its top root cause (whose reason now also says what it
  // explains), not for everything.
  std::string tight = Build(f, 450).str();
  EXPECT_THAT(tight, StartsWith("incident: frontend"));
  EXPECT_THAT(tight, HasSubstr("root cause #1: postgres-db"));
  EXPECT_THAT(tight, Not(HasSubstr("Latency")));  // the least relevant part goes first
}

TEST(RetrievalContext, ZeroBudgetIsEmpty) {
  Fixture f = Demo();
  EXPECT_TRUE(Build(f, 0).empty());
}

TEST(RetrievalContext, IsDeterministic) {
  Fixture a = Demo();
  Fixture b = Demo();
  EXPECT_EQ(Build(a, 500), Build(b, 500));
  EXPECT_EQ(Build(a, 100000), Build(b, 100000));
}

TEST(RetrievalContext, UnknownServiceStillCarriesItsAlerts) {
  Topology empty;
  std::vector<ContextAlert> alerts{{"mystery svc", true, Severity::kError, Redacted::Literal("Down"), {}}};
  ContextRequest r;
  r.service = "mystery svc";
  r.alerts = &alerts;
  EXPECT_EQ(BuildRetrievalContext(empty, r).str(),
            "incident: mystery_svc (not in the topology)\nalert [error] mystery_svc: Down\n");
}

TEST(RetrievalContext, ServiceNamesCannotSmuggleText) {
  TopologyLoadResult loaded = LoadTopologyYaml(
      "services:\n  - {name: 'api mail=bob@example.com', kind: service, depends_on: [db]}\n"
      "  - {name: db, kind: database}\n");
  ASSERT_TRUE(loaded.ok());
  Topology t(loaded.graph);
  ASSERT_TRUE(t.SetHealth("db", Severity::kCritical).ok());
  RootCauseResult rc = *t.RootCause("api mail=bob@example.com", 3);
  ContextRequest r;
  r.service = "api mail=bob@example.com";
  r.root_cause = &rc;
  std::string doc = BuildRetrievalContext(t, r).str();
  EXPECT_THAT(doc, Not(HasSubstr("bob@example.com")));
  EXPECT_THAT(doc, HasSubstr("api_mail_bob_example.com"));
}

}  // namespace
}  // namespace awoooi::topology
