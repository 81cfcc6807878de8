#include "awoooi/topology/topology.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "awoooi/topology/loader.h"

namespace awoooi::topology {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

std::string ReadShared(const std::string& name) {
  std::ifstream in(std::string(AWOOOI_SHARED_DIR) + "/topologies/" + name);
  EXPECT_TRUE(in.good()) << "missing shared topology " << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<Topology> LoadShared(const std::string& name) {
  TopologyLoadResult loaded = LoadTopologyYaml(ReadShared(name));
  EXPECT_TRUE(loaded.ok()) << name;
  if (!loaded.ok()) return std::make_unique<Topology>();
  return std::make_unique<Topology>(loaded.graph);
}

std::unique_ptr<Topology> FromYaml(std::string_view yaml) {
  TopologyLoadResult loaded = LoadTopologyYaml(yaml);
  EXPECT_TRUE(loaded.ok()) << yaml;
  if (!loaded.ok()) return std::make_unique<Topology>();
  return std::make_unique<Topology>(loaded.graph);
}

// (service, depth) pairs of a blast radius, in result order.
std::vector<std::pair<std::string, int>> Affected(const Topology& t, std::string_view service,
                                                  int depth = 3) {
  absl::StatusOr<BlastRadiusResult> r = t.BlastRadius(service, depth);
  EXPECT_TRUE(r.ok()) << r.status();
  std::vector<std::pair<std::string, int>> out;
  if (r.ok()) {
    for (const AffectedService& a : r->affected) out.emplace_back(a.service, a.depth);
  }
  return out;
}

// Candidate names in rank order.
std::vector<std::string> Ranking(const Topology& t, std::string_view service, int depth = 3) {
  absl::StatusOr<RootCauseResult> r = t.RootCause(service, depth);
  EXPECT_TRUE(r.ok()) << r.status();
  std::vector<std::string> out;
  if (r.ok()) {
    for (const RootCauseCandidate& c : r->root_causes) out.push_back(c.service);
  }
  return out;
}

RootCauseCandidate Candidate(const Topology& t, std::string_view service, std::string_view candidate,
                             int depth = 3) {
  absl::StatusOr<RootCauseResult> r = t.RootCause(service, depth);
  EXPECT_TRUE(r.ok()) << r.status();
  if (r.ok()) {
    for (const RootCauseCandidate& c : r->root_causes) {
      if (c.service == candidate) return c;
    }
  }
  ADD_FAILURE() << candidate << " is not a candidate";
  return {};
}

// ---- Sock Shop: shared databases, a session cache, a queue with two clients. ----

TEST(SockShop, UnhealthyCartsDbHurtsCartsOrdersFrontEndAndTheEdge) {
  auto t = LoadShared("sock-shop.yaml");
  EXPECT_THAT(Affected(*t, "carts-db"),
              ElementsAre(Pair("carts", 1), Pair("front-end", 2), Pair("orders", 2), Pair("edge-router", 3)));
  absl::StatusOr<BlastRadiusResult> r = t->BlastRadius("carts-db", 3);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->affected.back().path, ElementsAre("carts-db", "carts", "front-end", "edge-router"));
}

TEST(SockShop, BlastRadiusStopsAtTheRequestedDepth) {
  auto t = LoadShared("sock-shop.yaml");
  EXPECT_THAT(Affected(*t, "carts-db", 1), ElementsAre(Pair("carts", 1)));
  EXPECT_THAT(Affected(*t, "carts-db", 2),
              ElementsAre(Pair("carts", 1), Pair("front-end", 2), Pair("orders", 2)));
}

TEST(SockShop, QueueOutageReachesBothOfItsClients) {
  auto t = LoadShared("sock-shop.yaml");
  EXPECT_THAT(Affected(*t, "rabbitmq"), ElementsAre(Pair("queue-master", 1), Pair("shipping", 1),
                                                    Pair("orders", 2), Pair("front-end", 3)));
}

TEST(SockShop, SingleUnhealthyDatabaseIsTheRootCauseOfTheFrontEnd) {
  auto t = LoadShared("sock-shop.yaml");
  ASSERT_TRUE(t->SetHealth("carts-db", Severity::kCritical).ok());
  ASSERT_TRUE(t->SetHealth("front-end", Severity::kError).ok());
  absl::StatusOr<RootCauseResult> r = t->RootCause("front-end", 3);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->root_causes.size(), 1u);
  const RootCauseCandidate& c = r->root_causes[0];
  EXPECT_EQ(c.service, "carts-db");
  EXPECT_EQ(c.kind, ServiceKind::kDatabase);
  EXPECT_EQ(c.rank, 1);
  EXPECT_EQ(c.depth, 2);
  EXPECT_EQ(c.role, CandidateRole::kCause);
  EXPECT_THAT(c.path, ElementsAre("front-end", "carts", "carts-db"));
  EXPECT_THAT(c.reason, HasSubstr("database"));
  EXPECT_THAT(c.reason, HasSubstr("cause"));
}

TEST(SockShop, TheCacheTheFrontEndCallsExplainsItsFailureBeforeStoresBehindHealthyServices) {
  // front-end fails; its session cache, one hop down, is unhealthy, and so are a database and a
  // queue behind services that are not failing. The cache explains the incident; the others
  // explain nothing anyone observed, so kind priority no longer puts the database first.
  auto t = LoadShared("sock-shop.yaml");
  ASSERT_TRUE(t->SetHealth("front-end", Severity::kError).ok());
  ASSERT_TRUE(t->SetHealth("rabbitmq", Severity::kCritical).ok());
  ASSERT_TRUE(t->SetHealth("session-db", Severity::kCritical).ok());
  ASSERT_TRUE(t->SetHealth("user-db", Severity::kWarning).ok());
  EXPECT_THAT(Ranking(*t, "front-end"), ElementsAre("session-db", "user-db", "rabbitmq"));
  RootCauseCandidate cache = Candidate(*t, "front-end", "session-db");
  EXPECT_THAT(cache.explains, ElementsAre("front-end"));
  EXPECT_EQ(cache.explains_count, 1);
  EXPECT_EQ(cache.evidence_count, 3);
  EXPECT_THAT(cache.reason, HasSubstr("explains 1 of 3 unhealthy services: front-end;"));
  RootCauseCandidate db = Candidate(*t, "front-end", "user-db");
  EXPECT_THAT(db.explains, ElementsAre());
  EXPECT_THAT(db.reason, HasSubstr("explains 0 of 3 unhealthy services;"));
  EXPECT_EQ(Candidate(*t, "front-end", "rabbitmq").depth, 3);
}

TEST(SockShop, CauseThatExplainsEveryFailureAboveItOutranksALoneDatabase) {
  // The issue's case: carts fails and takes orders and the front-end with it, while user-db
  // (a database, critical) fails alone, with nothing failing around it.
  auto t = LoadShared("sock-shop.yaml");
  ASSERT_TRUE(t->SetHealth("front-end", Severity::kCritical).ok());
  ASSERT_TRUE(t->SetHealth("orders", Severity::kError).ok());
  ASSERT_TRUE(t->SetHealth("carts", Severity::kWarning).ok());
  ASSERT_TRUE(t->SetHealth("user-db", Severity::kCritical).ok());
  EXPECT_THAT(Ranking(*t, "front-end"), ElementsAre("carts", "user-db", "orders"));
  RootCauseCandidate carts = Candidate(*t, "front-end", "carts");
  EXPECT_EQ(carts.role, CandidateRole::kCause);
  EXPECT_THAT(carts.explains, ElementsAre("front-end", "orders"));
  EXPECT_THAT(carts.reason, HasSubstr("explains 2 of 3 unhealthy services: front-end, orders;"));
  EXPECT_THAT(Candidate(*t, "front-end", "user-db").explains, ElementsAre());
}

TEST(Shapes, KindBreaksTheTieBetweenCausesThatExplainAsMuch) {
  // Each store explains the failing api (each lies two hops down behind a silent service, as near
  // as the others): database, cache, queue, whatever the severities.
  auto t = FromYaml(R"(services:
  - {name: api, kind: service, depends_on: [a, b, c]}
  - {name: a, kind: service, depends_on: [kafka]}
  - {name: b, kind: service, depends_on: [redis]}
  - {name: c, kind: service, depends_on: [pg]}
  - {name: kafka, kind: queue}
  - {name: redis, kind: cache}
  - {name: pg, kind: database}
)");
  ASSERT_TRUE(t->SetHealth("kafka", Severity::kCritical).ok());
  ASSERT_TRUE(t->SetHealth("redis", Severity::kCritical).ok());
  ASSERT_TRUE(t->SetHealth("pg", Severity::kWarning).ok());
  EXPECT_THAT(Ranking(*t, "api"), ElementsAre("pg", "redis", "kafka"));
  for (const char* store : {"pg", "redis", "kafka"}) {
    EXPECT_THAT(Candidate(*t, "api", store).explains, ElementsAre("api")) << store;
  }
}

TEST(Shapes, EvidenceFollowsChainsOfUnhealthyServicesAndSkipsSilentOnes) {
  // top -> mid -> low -> db, all failing but low (no alert of its own): db still explains low's
  // callers, because db is the nearest unhealthy service below mid. A second failing store that
  // mid also reaches, but further down, explains nothing: mid's nearer failure accounts for it.
  auto t = FromYaml(R"(services:
  - {name: top, kind: frontend, depends_on: [mid]}
  - {name: mid, kind: service, depends_on: [low, far]}
  - {name: low, kind: service, depends_on: [db]}
  - {name: far, kind: service, depends_on: [far2]}
  - {name: far2, kind: service, depends_on: [cache]}
  - {name: db, kind: database}
  - {name: cache, kind: cache}
)");
  ASSERT_TRUE(t->SetHealth("top", Severity::kCritical).ok());
  ASSERT_TRUE(t->SetHealth("mid", Severity::kError).ok());
  ASSERT_TRUE(t->SetHealth("db", Severity::kWarning).ok());
  ASSERT_TRUE(t->SetHealth("cache", Severity::kCritical).ok());
  absl::StatusOr<RootCauseResult> r = t->RootCause("top", 4);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Ranking(*t, "top", 4), ElementsAre("db", "cache", "mid"));
  EXPECT_THAT(Candidate(*t, "top", "db", 4).explains, ElementsAre("top", "mid"));
  EXPECT_THAT(Candidate(*t, "top", "cache", 4).explains, ElementsAre());
  EXPECT_THAT(Candidate(*t, "top", "mid", 4).explains, ElementsAre("top"));
  EXPECT_EQ(Candidate(*t, "top", "mid", 4).evidence_count, 3);
}

TEST(SockShop, SeveralUnhealthyDatabasesAreAllReportedBySeverityThenName) {
  auto t = LoadShared("sock-shop.yaml");
  ASSERT_TRUE(t->SetHealth("orders-db", Severity::kWarning).ok());
  ASSERT_TRUE(t->SetHealth("user-db", Severity::kCritical).ok());
  ASSERT_TRUE(t->SetHealth("carts-db", Severity::kCritical).ok());
  ASSERT_TRUE(t->SetHealth("catalogue-db", Severity::kError).ok());
  EXPECT_THAT(Ranking(*t, "front-end"), ElementsAre("carts-db", "user-db", "catalogue-db", "orders-db"));
}

TEST(SockShop, UnhealthyServiceExplainedByItsDatabaseRanksAsSymptom) {
  auto t = LoadShared("sock-shop.yaml");
  ASSERT_TRUE(t->SetHealth("carts", Severity::kCritical).ok());
  ASSERT_TRUE(t->SetHealth("carts-db", Severity::kWarning).ok());
  EXPECT_THAT(Ranking(*t, "front-end"), ElementsAre("carts-db", "carts"));
  RootCauseCandidate carts = Candidate(*t, "front-end", "carts");
  EXPECT_EQ(carts.role, CandidateRole::kSymptom);
  EXPECT_EQ(carts.explained_by, "carts-db");
  EXPECT_FALSE(carts.explained_by_beyond_depth);
  EXPECT_THAT(carts.reason, HasSubstr("symptom"));
}

TEST(SockShop, CauseOutranksSymptomOfSameKindDespiteLowerSeverityAndGreaterDepth) {
  auto t = LoadShared("sock-shop.yaml");
  ASSERT_TRUE(t->SetHealth("orders", Severity::kCritical).ok());   // depth 1, calls shipping
  ASSERT_TRUE(t->SetHealth("shipping", Severity::kWarning).ok());  // depth 2, its queue is healthy
  EXPECT_THAT(Ranking(*t, "front-end"), ElementsAre("shipping", "orders"));
  EXPECT_EQ(Candidate(*t, "front-end", "shipping").role, CandidateRole::kCause);
  EXPECT_EQ(Candidate(*t, "front-end", "orders").role, CandidateRole::kSymptom);
}

TEST(SockShop, UnhealthyDependencyBeyondDepthIsNamedInTheSymptomsReason) {
  auto t = LoadShared("sock-shop.yaml");
  ASSERT_TRUE(t->SetHealth("shipping", Severity::kError).ok());     // depth 3 from edge-router
  ASSERT_TRUE(t->SetHealth("rabbitmq", Severity::kCritical).ok());  // depth 4
  EXPECT_THAT(Ranking(*t, "edge-router", 3), ElementsAre("shipping"));
  RootCauseCandidate shipping = Candidate(*t, "edge-router", "shipping", 3);
  EXPECT_EQ(shipping.role, CandidateRole::kSymptom);
  EXPECT_EQ(shipping.explained_by, "rabbitmq");
  EXPECT_TRUE(shipping.explained_by_beyond_depth);
  EXPECT_THAT(shipping.reason, HasSubstr("beyond depth 3"));
  // With one more hop the queue becomes the top candidate.
  EXPECT_THAT(Ranking(*t, "edge-router", 4), ElementsAre("rabbitmq", "shipping"));
}

TEST(SockShop, FailingServiceIsItsOwnCandidateWhenEverythingBelowIsHealthy) {
  auto t = LoadShared("sock-shop.yaml");
  ASSERT_TRUE(t->SetHealth("front-end", Severity::kCritical).ok());
  ASSERT_TRUE(t->SetHealth("edge-router", Severity::kCritical).ok());  // above it: irrelevant
  absl::StatusOr<RootCauseResult> r = t->RootCause("front-end", 3);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->root_causes.size(), 1u);
  EXPECT_EQ(r->root_causes[0].service, "front-end");
  EXPECT_EQ(r->root_causes[0].role, CandidateRole::kSelf);
  EXPECT_EQ(r->root_causes[0].depth, 0);
  EXPECT_EQ(r->root_causes[0].severity, Severity::kCritical);
  EXPECT_THAT(r->root_causes[0].path, ElementsAre("front-end"));
}

TEST(SockShop, UnhealthyFailingServiceWithUnhealthyDatabaseBlamesTheDatabase) {
  auto t = LoadShared("sock-shop.yaml");
  ASSERT_TRUE(t->SetHealth("user", Severity::kCritical).ok());
  ASSERT_TRUE(t->SetHealth("user-db", Severity::kInfo).ok());
  EXPECT_THAT(Ranking(*t, "user"), ElementsAre("user-db"));
}

TEST(SockShop, HealingTheDatabaseRemovesItFromTheRanking) {
  auto t = LoadShared("sock-shop.yaml");
  ASSERT_TRUE(t->SetHealth("carts-db", Severity::kCritical).ok());
  ASSERT_TRUE(t->SetHealth("user-db", Severity::kError).ok());
  EXPECT_THAT(Ranking(*t, "front-end"), ElementsAre("carts-db", "user-db"));
  t->ClearHealth("carts-db");
  EXPECT_THAT(Ranking(*t, "front-end"), ElementsAre("user-db"));
  ASSERT_TRUE(t->SetHealth("user-db", Severity::kNone).ok());
  EXPECT_THAT(Ranking(*t, "front-end"), ElementsAre("front-end"));
}

// ---- Online Boutique: a fan-out frontend, one cache, a load generator above it. ----

TEST(OnlineBoutique, RedisCartOutageReachesCartCheckoutFrontendAndLoadGenerator) {
  auto t = LoadShared("online-boutique.yaml");
  EXPECT_THAT(Affected(*t, "redis-cart"), ElementsAre(Pair("cartservice", 1), Pair("checkoutservice", 2),
                                                      Pair("frontend", 2), Pair("loadgenerator", 3)));
}

TEST(OnlineBoutique, ProductCatalogIsSharedByFourCallers) {
  auto t = LoadShared("online-boutique.yaml");
  EXPECT_THAT(Affected(*t, "productcatalogservice", 1),
              ElementsAre(Pair("checkoutservice", 1), Pair("frontend", 1), Pair("recommendationservice", 1)));
  EXPECT_THAT(Affected(*t, "productcatalogservice"),
              ElementsAre(Pair("checkoutservice", 1), Pair("frontend", 1), Pair("recommendationservice", 1),
                          Pair("loadgenerator", 2)));
}

TEST(OnlineBoutique, ServiceTheFrontendCallsOutranksALoneCacheBehindAHealthyService) {
  // The frontend's failure is explained by the product catalogue it calls, which is failing; the
  // cart cache is failing too, but behind a cart service that is not, so it explains nothing
  // observed. Under the old kind-first rule the cache ranked first.
  auto t = LoadShared("online-boutique.yaml");
  ASSERT_TRUE(t->SetHealth("productcatalogservice", Severity::kCritical).ok());
  ASSERT_TRUE(t->SetHealth("redis-cart", Severity::kWarning).ok());
  EXPECT_THAT(Ranking(*t, "frontend"), ElementsAre("productcatalogservice", "redis-cart"));
  EXPECT_THAT(Candidate(*t, "frontend", "productcatalogservice").explains, ElementsAre("frontend"));
  EXPECT_THAT(Candidate(*t, "frontend", "redis-cart").path,
              ElementsAre("frontend", "cartservice", "redis-cart"));
}

TEST(OnlineBoutique, CacheBehindAFailingCartServiceExplainsTheFrontend) {
  auto t = LoadShared("online-boutique.yaml");
  ASSERT_TRUE(t->SetHealth("productcatalogservice", Severity::kCritical).ok());
  ASSERT_TRUE(t->SetHealth("cartservice", Severity::kError).ok());
  ASSERT_TRUE(t->SetHealth("redis-cart", Severity::kWarning).ok());
  EXPECT_THAT(Ranking(*t, "frontend"), ElementsAre("redis-cart", "productcatalogservice", "cartservice"));
  EXPECT_THAT(Candidate(*t, "frontend", "redis-cart").explains, ElementsAre("frontend", "cartservice"));
}

TEST(OnlineBoutique, SeveralUnhealthyServicesRankBySeverityThenDistance) {
  auto t = LoadShared("online-boutique.yaml");
  ASSERT_TRUE(t->SetHealth("paymentservice", Severity::kError).ok());  // depth 2
  ASSERT_TRUE(t->SetHealth("emailservice", Severity::kError).ok());    // depth 2
  ASSERT_TRUE(t->SetHealth("adservice", Severity::kError).ok());       // depth 1
  ASSERT_TRUE(t->SetHealth("currencyservice", Severity::kCritical).ok());
  EXPECT_THAT(Ranking(*t, "loadgenerator"),
              ElementsAre("currencyservice", "adservice", "emailservice", "paymentservice"));
  EXPECT_THAT(Candidate(*t, "loadgenerator", "paymentservice").path,
              ElementsAre("loadgenerator", "frontend", "checkoutservice", "paymentservice"));
}

TEST(OnlineBoutique, CheckoutIsASymptomOfItsUnhealthyCart) {
  auto t = LoadShared("online-boutique.yaml");
  ASSERT_TRUE(t->SetHealth("checkoutservice", Severity::kCritical).ok());
  ASSERT_TRUE(t->SetHealth("cartservice", Severity::kError).ok());
  EXPECT_THAT(Ranking(*t, "frontend"), ElementsAre("cartservice", "checkoutservice"));
  EXPECT_EQ(Candidate(*t, "frontend", "checkoutservice").explained_by, "cartservice");
}

TEST(OnlineBoutique, PerCallHealthLeavesStoredHealthAlone) {
  auto t = LoadShared("online-boutique.yaml");
  ASSERT_TRUE(t->SetHealth("adservice", Severity::kCritical).ok());
  HealthMap what_if{{"redis-cart", Severity::kError}, {"no-such-service", Severity::kCritical}};
  absl::StatusOr<RootCauseResult> r = t->RootCause("frontend", 3, what_if);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->root_causes.size(), 1u);
  EXPECT_EQ(r->root_causes[0].service, "redis-cart");
  EXPECT_THAT(Ranking(*t, "frontend"), ElementsAre("adservice"));
}

// ---- hotelReservation: per-service stores three hops below the frontend. ----

TEST(HotelReservation, StoresThreeHopsDownAreFoundAtDepthThreeOnly) {
  auto t = LoadShared("hotel-reservation.yaml");
  ASSERT_TRUE(t->SetHealth("mongodb-geo", Severity::kCritical).ok());
  ASSERT_TRUE(t->SetHealth("mongodb-rate", Severity::kCritical).ok());
  ASSERT_TRUE(t->SetHealth("memcached-rate", Severity::kWarning).ok());
  EXPECT_THAT(Ranking(*t, "frontend", 3), ElementsAre("mongodb-geo", "mongodb-rate", "memcached-rate"));
  EXPECT_THAT(Candidate(*t, "frontend", "mongodb-geo").path,
              ElementsAre("frontend", "search", "geo", "mongodb-geo"));
  EXPECT_THAT(Ranking(*t, "frontend", 2), ElementsAre("frontend"));
  EXPECT_THAT(Ranking(*t, "search", 2), ElementsAre("mongodb-geo", "mongodb-rate", "memcached-rate"));
}

TEST(HotelReservation, NearerDatabaseWinsAmongEqualSeverities) {
  auto t = LoadShared("hotel-reservation.yaml");
  ASSERT_TRUE(t->SetHealth("mongodb-geo", Severity::kError).ok());          // depth 3
  ASSERT_TRUE(t->SetHealth("mongodb-user", Severity::kError).ok());         // depth 2
  ASSERT_TRUE(t->SetHealth("mongodb-profile", Severity::kError).ok());      // depth 2
  ASSERT_TRUE(t->SetHealth("memcached-review", Severity::kCritical).ok());  // depth 2
  // The frontend's nearest failing dependencies (two hops down) explain its failure; mongodb-geo,
  // a hop further behind healthy services, explains nothing, so the cache at depth 2 now ranks
  // above it (kind priority put every database first).
  EXPECT_THAT(Ranking(*t, "frontend"),
              ElementsAre("mongodb-profile", "mongodb-user", "memcached-review", "mongodb-geo"));
  EXPECT_THAT(Candidate(*t, "frontend", "mongodb-geo").explains, ElementsAre());
}

TEST(HotelReservation, AllDatabasesDownAreAllCandidates) {
  auto t = LoadShared("hotel-reservation.yaml");
  for (const char* db : {"mongodb-geo", "mongodb-profile", "mongodb-rate", "mongodb-recommendation",
                         "mongodb-reservation", "mongodb-review", "mongodb-attractions", "mongodb-user"}) {
    ASSERT_TRUE(t->SetHealth(db, Severity::kCritical).ok());
  }
  std::vector<std::string> ranking = Ranking(*t, "frontend");
  EXPECT_THAT(ranking, ElementsAre("mongodb-attractions", "mongodb-profile", "mongodb-recommendation",
                                   "mongodb-reservation", "mongodb-review", "mongodb-user", "mongodb-geo",
                                   "mongodb-rate"));
}

TEST(HotelReservation, ProfileStoreOutageReachesProfileAndFrontend) {
  auto t = LoadShared("hotel-reservation.yaml");
  EXPECT_THAT(Affected(*t, "mongodb-profile"), ElementsAre(Pair("profile", 1), Pair("frontend", 2)));
  EXPECT_THAT(Affected(*t, "mongodb-geo"),
              ElementsAre(Pair("geo", 1), Pair("search", 2), Pair("frontend", 3)));
  EXPECT_THAT(Affected(*t, "frontend"), ElementsAre());
}

TEST(HotelReservation, UnhealthyServiceWithHealthyStoresIsACause) {
  auto t = LoadShared("hotel-reservation.yaml");
  ASSERT_TRUE(t->SetHealth("rate", Severity::kCritical).ok());
  ASSERT_TRUE(t->SetHealth("search", Severity::kCritical).ok());
  EXPECT_THAT(Ranking(*t, "frontend"), ElementsAre("rate", "search"));
  EXPECT_EQ(Candidate(*t, "frontend", "rate").role, CandidateRole::kCause);
  EXPECT_EQ(Candidate(*t, "frontend", "search").role, CandidateRole::kSymptom);
}

TEST(HotelReservation, ServiceAboveAnUnhealthyStoreIsASymptomEvenWithoutAlertsInBetween) {
  auto t = LoadShared("hotel-reservation.yaml");
  ASSERT_TRUE(t->SetHealth("search", Severity::kCritical).ok());      // depth 1
  ASSERT_TRUE(t->SetHealth("mongodb-geo", Severity::kWarning).ok());  // search -> geo -> mongodb-geo
  ASSERT_TRUE(t->SetHealth("user", Severity::kError).ok());           // its store is healthy
  EXPECT_THAT(Ranking(*t, "frontend"), ElementsAre("mongodb-geo", "user", "search"));
  RootCauseCandidate search = Candidate(*t, "frontend", "search");
  EXPECT_EQ(search.role, CandidateRole::kSymptom);
  EXPECT_EQ(search.explained_by, "mongodb-geo");
  EXPECT_EQ(search.explained_by_hops, 2);
  EXPECT_THAT(search.reason, HasSubstr("(2 hops down)"));
  EXPECT_EQ(Candidate(*t, "frontend", "user").role, CandidateRole::kCause);
}

TEST(HotelReservation, NearestUnhealthyServiceBelowExplainsASymptom) {
  auto t = LoadShared("hotel-reservation.yaml");
  ASSERT_TRUE(t->SetHealth("search", Severity::kCritical).ok());
  ASSERT_TRUE(t->SetHealth("rate", Severity::kError).ok());            // 1 hop below search
  ASSERT_TRUE(t->SetHealth("mongodb-geo", Severity::kCritical).ok());  // 2 hops below search
  EXPECT_EQ(Candidate(*t, "frontend", "search").explained_by, "rate");
}

// ---- Graph shapes and bad requests. ----

constexpr char kCycle[] = R"(services:
  - {name: a, kind: service, depends_on: [b]}
  - {name: b, kind: service, depends_on: [c]}
  - {name: c, kind: database, depends_on: [a]}
)";

TEST(Shapes, CyclesTerminateAndReportEachServiceOnce) {
  auto t = FromYaml(kCycle);
  EXPECT_THAT(Affected(*t, "a", 10), ElementsAre(Pair("c", 1), Pair("b", 2)));
  ASSERT_TRUE(t->SetHealth("c", Severity::kCritical).ok());
  ASSERT_TRUE(t->SetHealth("a", Severity::kCritical).ok());
  // c calls back into a, the service under investigation: that does not make c a symptom.
  RootCauseCandidate c = Candidate(*t, "a", "c", 10);
  EXPECT_EQ(c.role, CandidateRole::kCause);
  EXPECT_THAT(c.path, ElementsAre("a", "b", "c"));
}

TEST(Shapes, MutuallyUnhealthyServicesInACycleAreBothSymptoms) {
  auto t = FromYaml(R"(services:
  - {name: top, kind: frontend, depends_on: [x]}
  - {name: x, kind: service, depends_on: [y]}
  - {name: y, kind: service, depends_on: [x]}
)");
  ASSERT_TRUE(t->SetHealth("x", Severity::kError).ok());
  ASSERT_TRUE(t->SetHealth("y", Severity::kError).ok());
  EXPECT_THAT(Ranking(*t, "top"), ElementsAre("x", "y"));
  EXPECT_EQ(Candidate(*t, "top", "x").role, CandidateRole::kSymptom);
  EXPECT_EQ(Candidate(*t, "top", "y").role, CandidateRole::kSymptom);
}

TEST(Shapes, DisconnectedPartsDoNotLeakIntoEachOther) {
  auto t = FromYaml(R"(services:
  - {name: a, kind: service, depends_on: [a-db]}
  - {name: a-db, kind: database}
  - {name: b, kind: service, depends_on: [b-db]}
  - {name: b-db, kind: database}
  - {name: lonely, kind: service}
)");
  ASSERT_TRUE(t->SetHealth("b-db", Severity::kCritical).ok());
  EXPECT_THAT(Affected(*t, "a-db"), ElementsAre(Pair("a", 1)));
  EXPECT_THAT(Ranking(*t, "a"), ElementsAre("a"));
  EXPECT_THAT(Ranking(*t, "b"), ElementsAre("b-db"));
  EXPECT_THAT(Affected(*t, "lonely"), ElementsAre());
  EXPECT_THAT(Ranking(*t, "lonely"), ElementsAre("lonely"));
}

TEST(Shapes, DuplicateEdgesAndSelfLoopsAreDroppedWithWarnings) {
  TopologyLoadResult loaded = LoadTopologyYaml(R"(services:
  - {name: a, kind: service, depends_on: [b, b, a]}
  - {name: b, kind: cache}
)");
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded.graph->edge_count(), 1u);
  ASSERT_EQ(loaded.diagnostics.size(), 2u);
  EXPECT_EQ(loaded.diagnostics[0].level, Diagnostic::Level::kWarning);
  EXPECT_THAT(loaded.diagnostics[0].message, HasSubstr("twice"));
  EXPECT_THAT(loaded.diagnostics[1].message, HasSubstr("itself"));
  Topology t(loaded.graph);
  EXPECT_THAT(Affected(t, "b"), ElementsAre(Pair("a", 1)));
  EXPECT_THAT(Affected(t, "a"), ElementsAre());
}

TEST(Shapes, DepthOutsideOneToTenIsRejected) {
  auto t = LoadShared("sock-shop.yaml");
  for (int bad : {0, -1, 11, 1000000, std::numeric_limits<int>::min()}) {
    absl::StatusOr<BlastRadiusResult> b = t->BlastRadius("carts-db", bad);
    EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(b.status().message(), HasSubstr("between 1 and 10"));
    EXPECT_EQ(t->RootCause("front-end", bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(t->BlastRadius("carts-db", 10).ok());
  EXPECT_TRUE(t->RootCause("front-end", 1).ok());
}

TEST(Shapes, UnknownServiceIsNotFound) {
  auto t = LoadShared("sock-shop.yaml");
  EXPECT_EQ(t->BlastRadius("nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(t->RootCause("nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(t->RootCause(std::string(10 << 20, 'x')).status().code(), absl::StatusCode::kNotFound);
  Topology empty;
  EXPECT_EQ(empty.BlastRadius("a").status().code(), absl::StatusCode::kNotFound);
}

TEST(Shapes, MillionServiceRingIsBoundedByDepth) {
  constexpr int kN = 1'000'000;
  TopologySpec spec;
  spec.services.resize(kN);
  for (int i = 0; i < kN; ++i) {
    spec.services[i].name = absl::StrCat("s", i);
    spec.services[i].depends_on = {absl::StrCat("s", (i + 1) % kN)};
  }
  absl::StatusOr<std::shared_ptr<const Graph>> graph = Graph::Build(spec);
  ASSERT_TRUE(graph.ok()) << graph.status();
  std::vector<std::vector<Graph::NodeId>> cycles = (*graph)->FindCycles(10);
  ASSERT_EQ(cycles.size(), 1u);
  EXPECT_EQ(cycles[0].size(), static_cast<std::size_t>(kN) + 1);
  Topology t(*graph);
  ASSERT_TRUE(t.SetHealth("s999999", Severity::kCritical).ok());  // just behind s0
  absl::StatusOr<BlastRadiusResult> b = t.BlastRadius("s0", 10);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->affected.size(), 10u);
  EXPECT_EQ(b->affected.front().service, "s999999");
  EXPECT_THAT(Ranking(t, "s0", 10), ElementsAre("s0"));  // s999999 is upstream, not below
  EXPECT_THAT(Ranking(t, "s999990", 10), ElementsAre("s999999"));
}

// ---- Learned edges, reloads, concurrency. ----

TEST(Learning, AlertLabelsAddEdgesWithoutRebuildingTheBase) {
  auto t = LoadShared("sock-shop.yaml");
  absl::StatusOr<int> n = t->LearnFromAlertLabels(
      {{"alertname", "DbErrors"}, {"service", "payment"}, {"depends_on", "payment-db, fraud"}});
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(*t->LearnFromAlertLabels({{"service", "payment"}, {"depends_on", "payment-db"}}), 0);  // known
  EXPECT_EQ(*t->LearnFromAlertLabels({{"service", "orders"}, {"depends_on", "carts"}}), 0);  // in the file
  std::optional<ServiceView> db = t->Service("payment-db");
  ASSERT_TRUE(db.has_value());
  EXPECT_TRUE(db->learned);
  EXPECT_EQ(db->kind, ServiceKind::kUnknown);
  EXPECT_THAT(Affected(*t, "payment-db"),
              ElementsAre(Pair("payment", 1), Pair("orders", 2), Pair("front-end", 3)));
  ASSERT_TRUE(t->SetHealth("payment-db", Severity::kCritical).ok());
  EXPECT_THAT(Ranking(*t, "orders"), ElementsAre("payment-db"));
  TopologyStats stats = t->Stats();
  EXPECT_EQ(stats.services, 17u);
  EXPECT_EQ(stats.learned_edges, 2u);
}

TEST(Learning, IstioStyleSourceAndDestinationLabelsTeachEdges) {
  auto t = LoadShared("online-boutique.yaml");
  EXPECT_EQ(
      *t->LearnFromAlertLabels({{"source_workload", "adservice"}, {"destination_workload", "redis-cart"}}),
      1);
  EXPECT_THAT(Affected(*t, "redis-cart", 1), ElementsAre(Pair("adservice", 1), Pair("cartservice", 1)));
}

TEST(Learning, ConfiguredRulesReplaceTheDefaults) {
  TopologyConfig config;
  config.edge_label_rules = {{"caller", "service"}};
  TopologyLoadResult loaded = LoadTopologyYaml(ReadShared("sock-shop.yaml"));
  Topology t(loaded.graph, config);
  EXPECT_EQ(*t.LearnFromAlertLabels({{"service", "payment"}, {"depends_on", "x"}}), 0);
  EXPECT_EQ(*t.LearnFromAlertLabels({{"service", "rabbitmq"}, {"caller", "payment"}}), 1);
  EXPECT_THAT(Affected(t, "rabbitmq", 1),
              ElementsAre(Pair("payment", 1), Pair("queue-master", 1), Pair("shipping", 1)));
}

TEST(Learning, SelfLoopsBadNamesAndTheCapAreRefused) {
  TopologyConfig config;
  config.max_learned_edges = 2;
  Topology t(config);
  EXPECT_FALSE(*t.LearnEdge("a", "a"));
  EXPECT_EQ(t.LearnEdge("", "b").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(t.LearnEdge("a", std::string(300, 'x')).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(*t.LearnEdge("a", "b"));
  EXPECT_TRUE(*t.LearnEdge("b", "c"));
  EXPECT_FALSE(*t.LearnEdge("a", "b"));
  EXPECT_EQ(t.LearnEdge("c", "d").status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(t.Stats().learned_edges, 2u);
}

TEST(Learning, HealthForAServiceNotYetKnownAppliesOnceItIsLearned) {
  Topology t;
  ASSERT_TRUE(t.SetHealth("db", Severity::kCritical).ok());
  EXPECT_EQ(t.Health("db"), Severity::kCritical);
  ASSERT_TRUE(*t.LearnEdge("api", "db"));
  EXPECT_THAT(Ranking(t, "api"), ElementsAre("db"));
}

TEST(Learning, ReplaceKeepsHealthAndLearnedEdges) {
  auto t = FromYaml("services:\n  - {name: api, kind: service}\n");
  ASSERT_TRUE(*t->LearnEdge("api", "pg"));
  ASSERT_TRUE(t->SetHealth("pg", Severity::kError).ok());
  TopologySpec spec;
  spec.services.push_back({.name = "api", .kind = ServiceKind::kService});
  spec.services.push_back({.name = "pg", .kind = ServiceKind::kDatabase});
  ASSERT_TRUE(t->Replace(spec).ok());
  RootCauseCandidate pg = Candidate(*t, "api", "pg");
  EXPECT_EQ(pg.kind, ServiceKind::kDatabase);  // the new file says what pg is
  EXPECT_EQ(pg.severity, Severity::kError);
  EXPECT_EQ(t->Stats().services, 2u);
  TopologySpec broken;
  broken.services.push_back({.name = "api", .depends_on = {"ghost"}});
  EXPECT_EQ(t->Replace(broken).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Ranking(*t, "api"), ElementsAre("pg"));  // unchanged
}

TEST(Concurrency, ReadersSeeConsistentAnswersWhileHealthAndEdgesChange) {
  auto t = LoadShared("sock-shop.yaml");
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      (void)t->SetHealth("carts-db", i % 2 ? Severity::kCritical : Severity::kNone);
      (void)t->LearnEdge("payment", absl::StrCat("learned-", i % 500));
    }
  });
  std::vector<std::thread> readers;
  std::atomic<int> bad{0};
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        absl::StatusOr<RootCauseResult> rc = t->RootCause("front-end", 3);
        if (!rc.ok() || rc->root_causes.empty()) ++bad;
        absl::StatusOr<BlastRadiusResult> br = t->BlastRadius("carts-db", 3);
        if (!br.ok() || br->affected.size() != 4) ++bad;
      }
    });
  }
  for (std::thread& r : readers) r.join();
  stop = true;
  writer.join();
  EXPECT_EQ(bad.load(), 0);
}

// Runs `reload` (which swaps in a graph of the Sock Shop plus unrelated services) while a reader
// queries the Sock Shop part, whose answers are the same before, during and after; `same_work`
// does the reload's parsing and building without touching the topology. The reader counts the
// queries it starts and finishes inside each window. If the reload's slow part ran under the
// topology's lock, the reader would be stopped for most of the reload and finish only a fraction
// of what it finishes while `same_work` runs (a quarter to a third, measured); it must finish at
// least half as many. Counts, not clocks: both kinds of window do the same work on the same
// machine. The baseline is the median of three `same_work` windows (one starved window must not
// lower it), and up to eight reloads are tried (a busy machine can starve the reader through one).
// One reader, querying back to back: with two, their read locks overlap and a writer can wait
// milliseconds for a moment when neither holds one, which blurs the comparison. Sets
// `wrong_answer` if any answer differed from the expected one.
template <typename Reload, typename SameWork>
bool AnalysesKeptAnswering(Topology& t, Reload&& reload, SameWork&& same_work, bool* wrong_answer) {
  constexpr int kBaselines = 3, kAttempts = 8;
  std::atomic<bool> stop{false}, wrong{false};
  std::atomic<int> window{0};  // 2w+1 while window w is open; even between windows
  std::vector<std::atomic<int>> answered(kBaselines + kAttempts);
  std::thread reader([&] {
    while (!stop.load()) {
      const int before = window.load();
      absl::StatusOr<RootCauseResult> rc = t.RootCause("front-end", 3);
      absl::StatusOr<BlastRadiusResult> br = t.BlastRadius("carts-db", 3);
      const int after = window.load();
      if (!rc.ok() || rc->root_causes.empty() || rc->root_causes[0].service != "carts-db" || !br.ok() ||
          br->affected.size() != 4) {
        wrong = true;
      }
      if (before == after && before % 2 == 1) ++answered[before / 2];
    }
  });
  auto run_window = [&](auto&& work) {
    ++window;
    work();
    ++window;
    return answered[window.load() / 2 - 1].load();
  };
  std::vector<int> baselines;
  for (int i = 0; i < kBaselines; ++i) baselines.push_back(run_window(same_work));
  std::sort(baselines.begin(), baselines.end());
  const int baseline = baselines[kBaselines / 2];
  bool unpaused = false;
  for (int attempt = 0; attempt < kAttempts && !unpaused; ++attempt) {
    const int during = run_window(reload);
    unpaused = baseline > 0 && during > 1 && 2 * during >= baseline;
  }
  stop = true;
  reader.join();
  *wrong_answer = wrong.load();
  return unpaused;
}

// Enough services that building them takes far longer than a scheduler's time slice, so the
// comparison above is not decided by noise: 40,000 in an optimised build (about 10 ms a build).
// Sanitizers make the same work 5-10 times slower, which keeps windows long with fewer services.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr int kFillerServices = 10'000;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr int kFillerServices = 10'000;
#else
constexpr int kFillerServices = 40'000;
#endif
#else
constexpr int kFillerServices = 40'000;
#endif

// The Sock Shop file followed by kFillerServices services that form their own component.
std::string SockShopWithFiller() {
  std::string text = ReadShared("sock-shop.yaml");
  for (int i = 0; i < kFillerServices; ++i) {
    absl::StrAppend(&text, "  - {name: filler-", i, ", kind: service, depends_on: [filler-",
                    (i + 1) % kFillerServices, ", filler-", (i * 7 + 3) % kFillerServices, "]}\n");
  }
  return text;
}

TEST(Concurrency, AnalysesKeepAnsweringWhileABigFileIsReloaded) {
  const std::string big = SockShopWithFiller();
  auto t = LoadShared("sock-shop.yaml");
  ASSERT_TRUE(t->SetHealth("carts-db", Severity::kCritical).ok());
  ASSERT_TRUE(*t->LearnEdge("payment", "payment-db"));
  bool wrong = false, failed = false;
  EXPECT_TRUE(AnalysesKeptAnswering(
      *t, [&] { failed |= !ReloadTopologyYaml(*t, big).ok(); },
      [&] { failed |= !LoadTopologyYaml(big).ok(); }, &wrong))
      << "analyses were paused during every reload";
  EXPECT_FALSE(failed);
  EXPECT_FALSE(wrong) << "an analysis gave a wrong answer during a reload";
  EXPECT_EQ(t->Stats().services, 15u + kFillerServices + 1);  // the file, and the learned payment-db
  EXPECT_EQ(t->Health("carts-db"), Severity::kCritical);
  EXPECT_THAT(Affected(*t, "payment-db", 1), ElementsAre(Pair("payment", 1)));
}

TEST(Concurrency, AnalysesKeepAnsweringWhileABigSpecIsBuiltAndSwappedIn) {
  // The same for Replace(spec), which discovery refreshes use: the graph build alone.
  absl::StatusOr<TopologySpec> spec = ParseTopologyYaml(SockShopWithFiller());
  ASSERT_TRUE(spec.ok()) << spec.status();
  auto t = LoadShared("sock-shop.yaml");
  ASSERT_TRUE(t->SetHealth("carts-db", Severity::kCritical).ok());
  bool wrong = false, failed = false;
  // Five builds per window, so that a window is long next to a scheduler's time slice.
  EXPECT_TRUE(AnalysesKeptAnswering(
      *t,
      [&] {
        for (int i = 0; i < 5; ++i) failed |= !t->Replace(*spec).ok();
      },
      [&] {
        for (int i = 0; i < 5; ++i) failed |= !Graph::Build(*spec).ok();
      },
      &wrong))
      << "analyses were paused during every Replace";
  EXPECT_FALSE(failed);
  EXPECT_FALSE(wrong) << "an analysis gave a wrong answer during a Replace";
  EXPECT_EQ(t->Stats().services, 15u + kFillerServices);
}

TEST(Concurrency, AFailedReloadLeavesTheTopologyAsItWas) {
  auto t = LoadShared("sock-shop.yaml");
  TopologyLoadResult loaded =
      ReloadTopologyYaml(*t, "services:\n  - {name: a, kind: service, depends_on: [b]}\n");
  EXPECT_FALSE(loaded.ok());
  ASSERT_FALSE(loaded.diagnostics.empty());
  EXPECT_THAT(loaded.diagnostics[0].message, HasSubstr("'b', which is not declared"));
  EXPECT_EQ(t->Stats().services, 15u);
  EXPECT_TRUE(t->Contains("carts-db"));
}

}  // namespace
}  // namespace awoooi::topology
