#include "awoooi/topology/render.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "awoooi/topology/loader.h"
#include "awoooi/topology/topology.h"

namespace awoooi::topology {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<Topology> SockShop() {
  std::ifstream in(std::string(AWOOOI_SHARED_DIR) + "/topologies/sock-shop.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  TopologyLoadResult loaded = LoadTopologyYaml(ss.str());
  EXPECT_TRUE(loaded.ok());
  return std::make_unique<Topology>(loaded.graph);
}

TEST(RenderJson, RootCauseMatchesTheGoldenShape) {
  auto t = SockShop();
  ASSERT_TRUE(t->SetHealth("carts", Severity::kError).ok());
  ASSERT_TRUE(t->SetHealth("carts-db", Severity::kCritical).ok());
  absl::StatusOr<RootCauseResult> r = t->RootCause("front-end", 3);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(RootCauseToJson(*r),
            R"({"service":"front-end","depth":3,"root_causes":[)"
            R"({"service":"carts-db","kind":"database","rank":1,"path":["front-end","carts","carts-db"],)"
            R"("reason":"cause: nothing it depends on within 2 hops is unhealthy; explains 2 of 2 unhealthy )"
            R"(services: front-end, carts; database (kind priority 1 of 4); severity critical; 2 hops below )"
            R"('front-end'","severity":"critical","depth":2,"role":"cause",)"
            R"("explains":["front-end","carts"],"explains_count":2,"evidence_count":2},)"
            R"({"service":"carts","kind":"service","rank":2,"path":["front-end","carts"],)"
            R"("reason":"symptom: it depends on unhealthy 'carts-db'; explains 1 of 2 unhealthy services: )"
            R"(front-end; service (kind priority 4 of 4); severity error; 1 hop below 'front-end'",)"
            R"("severity":"error","depth":1,"role":"symptom",)"
            R"("explained_by":"carts-db","explained_by_hops":1,"explained_by_beyond_depth":false,)"
            R"("explains":["front-end"],"explains_count":1,"evidence_count":2}]})");
}

TEST(RenderJson, BlastRadiusMatchesTheGoldenShape) {
  auto t = SockShop();
  ASSERT_TRUE(t->SetHealth("orders", Severity::kWarning).ok());
  absl::StatusOr<BlastRadiusResult> r = t->BlastRadius("carts-db", 2);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(
      BlastRadiusToJson(*r),
      R"({"service":"carts-db","depth":2,"affected":[)"
      R"({"service":"carts","kind":"service","depth":1,"health":"none","path":["carts-db","carts"]},)"
      R"({"service":"front-end","kind":"frontend","depth":2,"health":"none","path":["carts-db","carts","front-end"]},)"
      R"({"service":"orders","kind":"service","depth":2,"health":"warning","path":["carts-db","carts","orders"]}]})");
}

TEST(RenderJson, GraphListsServicesAndEdges) {
  TopologyLoadResult loaded = LoadTopologyYaml(
      "services:\n  - {name: api, kind: service, namespace: shop, owners: [team-a], labels: {tier: '1'}, "
      "depends_on: [db]}\n  - {name: db, kind: database}\n");
  ASSERT_TRUE(loaded.ok());
  Topology t(loaded.graph);
  ASSERT_TRUE(t.SetHealth("db", Severity::kCritical).ok());
  ASSERT_TRUE(*t.LearnEdge("api", "cache"));
  EXPECT_EQ(
      SnapshotToJson(t.Snapshot()),
      R"({"services":[)"
      R"({"name":"api","kind":"service","namespace":"shop","owners":["team-a"],"labels":{"tier":"1"},"health":"none","learned":false},)"
      R"({"name":"db","kind":"database","namespace":"","owners":[],"labels":{},"health":"critical","learned":false},)"
      R"({"name":"cache","kind":"unknown","namespace":"","owners":[],"labels":{},"health":"none","learned":true}],)"
      R"("edges":[{"from":"api","to":"db","learned":false},{"from":"api","to":"cache","learned":true}]})");
}

TEST(RenderJson, InvalidUtf8InNamesDoesNotThrow) {
  RootCauseResult r;
  r.service = "bad\xff";
  EXPECT_THAT(RootCauseToJson(r), HasSubstr("bad\xef\xbf\xbd"));
}

TEST(RenderJson, DiagnosticsCountErrorsAndWarnings) {
  TopologyLoadResult r = LoadTopologyYaml("services:\n  - {name: a, kind: nope, depends_on: [a]}\n");
  EXPECT_EQ(
      DiagnosticsToJson(r.diagnostics),
      R"({"ok":false,"errors":1,"warnings":1,"diagnostics":[)"
      R"j({"level":"error","line":2,"column":21,"message":"service 'a' has unknown kind 'nope' (expected ingress, frontend, service, database, cache, queue or external)"},)j"
      R"({"level":"warning","line":2,"column":40,"message":"service 'a' depends on itself; the self-loop is ignored"}]})");
}

TEST(RenderText, RootCauseAndBlastRadiusReadAsLists) {
  auto t = SockShop();
  ASSERT_TRUE(t->SetHealth("carts-db", Severity::kCritical).ok());
  std::string rc = RootCauseToText(*t->RootCause("front-end", 3));
  EXPECT_THAT(rc, HasSubstr("Root cause candidates for front-end (depth 3): 1\n"));
  EXPECT_THAT(rc, HasSubstr("  1. carts-db  [database, critical, cause, depth 2, explains 1 of 1]\n"));
  EXPECT_THAT(rc, HasSubstr("path:   front-end -> carts -> carts-db\n"));
  std::string br = BlastRadiusToText(*t->BlastRadius("carts-db", 1));
  EXPECT_EQ(br,
            "Blast radius of carts-db (depth 1): 1 service affected\n  depth 1  carts  [service]  carts-db "
            "<- carts\n");
}

TEST(RenderText, DiagnosticsLookLikeCompilerMessages) {
  std::vector<Diagnostic> d{{Diagnostic::Level::kError, {3, 5}, "boom"},
                            {Diagnostic::Level::kWarning, {}, "note"}};
  EXPECT_EQ(DiagnosticsToText("t.yaml", d), "t.yaml:3:5: error: boom\nt.yaml: warning: note\n");
}

TEST(HealthList, ParsesNamesAndSeverities) {
  absl::StatusOr<HealthMap> h = ParseHealthList("a, b:warning ,ns:c:error");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->size(), 3u);
  EXPECT_EQ(h->at("a"), Severity::kCritical);
  EXPECT_EQ(h->at("b"), Severity::kWarning);
  EXPECT_EQ(h->at("ns:c"), Severity::kError);
}

TEST(HealthList, RejectsEmptyItemsAndUnknownSeverities) {
  EXPECT_EQ(ParseHealthList("a,,b").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseHealthList("").status().code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<HealthMap> typo = ParseHealthList("a:critcal");
  EXPECT_THAT(typo.status().message(), HasSubstr("unknown severity 'critcal'"));
  EXPECT_EQ(ParseHealthList(":critical").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace awoooi::topology
