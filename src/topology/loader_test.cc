#include "awoooi/topology/loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"

namespace awoooi::topology {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

std::string ReadShared(const std::string& name) {
  std::ifstream in(std::string(AWOOOI_SHARED_DIR) + "/topologies/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string DiagnosticsText(const TopologyLoadResult& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics) absl::StrAppend(&out, d.position.line, ": ", d.message, "\n");
  return out;
}

// The first error, or a failure when there is none.
Diagnostic FirstError(const TopologyLoadResult& r) {
  for (const Diagnostic& d : r.diagnostics) {
    if (d.level == Diagnostic::Level::kError) return d;
  }
  ADD_FAILURE() << "no error reported";
  return {};
}

TEST(Loader, SharedTopologiesLoadCleanly) {
  struct Case {
    const char* file;
    std::size_t services, edges;
  };
  for (const Case& c : {Case{"sock-shop.yaml", 15, 16}, Case{"online-boutique.yaml", 12, 16},
                        Case{"hotel-reservation.yaml", 22, 21}}) {
    TopologyLoadResult r = LoadTopologyYaml(ReadShared(c.file));
    ASSERT_TRUE(r.ok()) << c.file;
    EXPECT_THAT(r.diagnostics, SizeIs(0)) << c.file;
    EXPECT_EQ(r.graph->size(), c.services) << c.file;
    EXPECT_EQ(r.graph->edge_count(), c.edges) << c.file;
  }
}

TEST(Loader, ReadsNamespaceOwnersLabelsAndPositions) {
  TopologyLoadResult r = LoadTopologyYaml(R"(# header
services:
  - name: orders
    kind: service
    namespace: shop
    owners: [team-orders, sre-oncall]
    labels: {tier: "1", lang: java}
    depends_on: orders-db
    description: takes orders
  - name: orders-db
    kind: database
    owners: team-data
)");
  ASSERT_TRUE(r.ok());
  const Graph& g = *r.graph;
  Graph::NodeId orders = *g.Find("orders");
  EXPECT_EQ(g.ns(orders), "shop");
  EXPECT_THAT(g.owners(orders), ElementsAre("team-orders", "sre-oncall"));
  EXPECT_EQ(g.labels(orders).at("tier"), "1");
  EXPECT_EQ(g.position(orders).line, 3);
  Graph::NodeId db = *g.Find("orders-db");
  EXPECT_THAT(g.owners(db), ElementsAre("team-data"));
  EXPECT_EQ(g.ns(db), "");
  EXPECT_THAT(g.dependencies(orders), ElementsAre(db));
  EXPECT_THAT(g.dependents(db), ElementsAre(orders));
}

TEST(Loader, UnknownKindIsAnErrorOnItsLine) {
  TopologyLoadResult r = LoadTopologyYaml("services:\n  - name: a\n    kind: databse\n");
  EXPECT_FALSE(r.ok());
  Diagnostic d = FirstError(r);
  EXPECT_EQ(d.position.line, 3);
  EXPECT_THAT(d.message, HasSubstr("unknown kind 'databse'"));
}

TEST(Loader, DanglingEdgeIsAnErrorOnTheLineOfTheReference) {
  TopologyLoadResult r = LoadTopologyYaml(R"(services:
  - name: a
    kind: service
    depends_on:
      - b
      - ghost
  - name: b
    kind: cache
)");
  EXPECT_FALSE(r.ok());
  Diagnostic d = FirstError(r);
  EXPECT_EQ(d.position.line, 6);
  EXPECT_THAT(d.message, HasSubstr("'ghost', which is not declared"));
}

TEST(Loader, DuplicateNameNamesTheFirstDefinition) {
  TopologyLoadResult r = LoadTopologyYaml(
      "services:\n  - {name: a, kind: service}\n  - {name: b, kind: cache}\n  - {name: a, kind: queue}\n");
  EXPECT_FALSE(r.ok());
  Diagnostic d = FirstError(r);
  EXPECT_EQ(d.position.line, 4);
  EXPECT_THAT(d.message, HasSubstr("duplicate service 'a' (first defined at line 2)"));
}

TEST(Loader, HugeNameIsRejectedWithAShortMessage) {
  std::string name(10 << 20, 'n');
  TopologyLoadResult r =
      LoadTopologyYaml(absl::StrCat("services:\n  - name: ", name, "\n    kind: service\n"));
  EXPECT_FALSE(r.ok());
  Diagnostic d = FirstError(r);
  EXPECT_THAT(d.message, HasSubstr("longer than 253 bytes"));
  EXPECT_LT(d.message.size(), 200u);
}

TEST(Loader, SyntaxErrorCarriesItsLine) {
  TopologyLoadResult r = LoadTopologyYaml("services:\n  - name: a\n    kind: service\n    depends_on: [b\n");
  EXPECT_FALSE(r.ok());
  Diagnostic d = FirstError(r);
  EXPECT_GT(d.position.line, 0);
  EXPECT_THAT(d.message, HasSubstr("YAML syntax error"));
}

TEST(Loader, SyntaxErrorSaysWhatWasBeingParsedAndWhereItStarted) {
  TopologyLoadResult r = LoadTopologyYaml("services:\n  - name: a\n    kind: service\n    depends_on: [b\n");
  Diagnostic d = FirstError(r);
  EXPECT_EQ(d.position.line, 5);
  EXPECT_THAT(d.message, HasSubstr("while parsing a flow sequence that starts at line 4, column 17"));
}

TEST(Loader, SyntaxErrorIsReportedAloneEvenAfterBadEntries) {
  // The entries before the syntax error have problems of their own; the syntax error is the one
  // to fix first, and the others may be artefacts of it.
  TopologyLoadResult r = LoadTopologyYaml(
      "services:\n  - {name: a, kind: databse}\n  - {name: b, kind: service, depends_on: [ghost]}\n"
      "  - {name: c, kind: cache\n");
  EXPECT_FALSE(r.ok());
  ASSERT_THAT(r.diagnostics, SizeIs(1)) << DiagnosticsText(r);
  EXPECT_THAT(r.diagnostics[0].message, HasSubstr("YAML syntax error"));
}

TEST(Loader, MissingValueIsReportedOnTheLineOfItsKey) {
  TopologyLoadResult r = LoadTopologyYaml("services:\n  - name:\n    kind: service\n");
  Diagnostic d = FirstError(r);
  EXPECT_EQ(d.position.line, 2);
  EXPECT_THAT(d.message, HasSubstr("'name' must be a string"));
}

TEST(Loader, ControlCharactersAndInvalidUtf8AreErrorsOnTheirLine) {
  for (const char* text : {"services:\n  - {name: a, kind: service}\n  - {name: b\x01, kind: cache}\n",
                           "services:\n  - {name: a, kind: service}\n  - {name: b\xff, kind: cache}\n"}) {
    TopologyLoadResult r = LoadTopologyYaml(text);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(FirstError(r).position.line, 3) << DiagnosticsText(r);
  }
}

TEST(Loader, DeepButWellFormedNestingIsAnErrorNotACrash) {
  std::string text = "services:\n  - name: a\n    kind: service\n    labels: " + std::string(5000, '[') +
                     std::string(5000, ']') + "\n";
  TopologyLoadResult r = LoadTopologyYaml(text);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(FirstError(r).message, HasSubstr("nesting deeper than 256 levels"));
}

TEST(Loader, AnchoredOrAliasedServiceListsLoadLikeAPlainOne) {
  // The loader streams the entries of a plain `services:` list; an anchored one is kept whole so
  // that an alias can repeat it, and an aliased one is a copy. All three read the same.
  for (const char* text : {
           "services:\n  - {name: a, kind: service, depends_on: [b]}\n  - {name: b, kind: database}\n",
           "services: &all\n  - {name: a, kind: service, depends_on: [b]}\n  - {name: b, kind: database}\n"
           "copy: *all\n",
           "defs: &all\n  - {name: a, kind: service, depends_on: [b]}\n  - {name: b, kind: database}\n"
           "services: *all\n",
       }) {
    TopologyLoadResult r = LoadTopologyYaml(text);
    ASSERT_TRUE(r.ok()) << text << DiagnosticsText(r);
    EXPECT_EQ(r.graph->size(), 2u) << text;
    EXPECT_EQ(r.graph->edge_count(), 1u) << text;
  }
}

TEST(Loader, OnlyTheFirstDocumentCounts) {
  TopologyLoadResult r = LoadTopologyYaml(
      "services:\n  - {name: a, kind: service}\n---\nservices:\n  - {name: b, kind: nope}\n");
  ASSERT_TRUE(r.ok()) << DiagnosticsText(r);
  EXPECT_EQ(r.graph->size(), 1u);
}

TEST(Loader, NullSpellingsMeanNoValue) {
  TopologyLoadResult r = LoadTopologyYaml(
      "services:\n  - {name: a, kind: service, depends_on: ~, owners: null, namespace: }\n"
      "  - {name: b, kind: service, depends_on: 'null'}\n  - {name: 'null', kind: cache}\n");
  ASSERT_TRUE(r.ok()) << DiagnosticsText(r);
  EXPECT_THAT(r.graph->dependencies(*r.graph->Find("a")), SizeIs(0));
  EXPECT_THAT(r.graph->dependencies(*r.graph->Find("b")), ElementsAre(*r.graph->Find("null")));
}

TEST(Loader, MisspeltFieldIsAnErrorNotASilentlyMissingEdge) {
  TopologyLoadResult r = LoadTopologyYaml("services:\n  - name: a\n    kind: service\n    dependson: [b]\n");
  EXPECT_FALSE(r.ok());
  Diagnostic d = FirstError(r);
  EXPECT_EQ(d.position.line, 4);
  EXPECT_THAT(d.message, HasSubstr("unknown field 'dependson'"));
}

TEST(Loader, ShapeErrorsAreReported) {
  for (const char* text :
       {"", "just a string", "services: 3", "services:\n  - 7\n", "services:\n  - {kind: cache}\n",
        "services:\n  - {name: a}\n", "services:\n  - {name: [a], kind: cache}\n",
        "services:\n  - {name: a, kind: cache, depends_on: {x: y}}\n",
        "services:\n  - {name: a, kind: cache, kind: queue}\n", "[1, 2]",
        "services:\n  - {name: \"\", kind: cache}\n"}) {
    TopologyLoadResult r = LoadTopologyYaml(text);
    EXPECT_FALSE(r.ok()) << text;
    EXPECT_FALSE(FirstError(r).message.empty()) << text;
  }
}

TEST(Loader, EveryProblemInAFileIsReportedInOneRun) {
  TopologyLoadResult r = LoadTopologyYaml(R"(services:
  - {name: a, kind: blob, depends_on: [ghost]}
  - {name: a, kind: cache}
)");
  EXPECT_FALSE(r.ok());
  int errors = 0;
  for (const Diagnostic& d : r.diagnostics) errors += d.level == Diagnostic::Level::kError;
  EXPECT_EQ(errors, 3);  // unknown kind, dangling edge, duplicate name
}

TEST(Loader, CyclesAreWarningsWithTheirPath) {
  TopologyLoadResult r = LoadTopologyYaml(R"(services:
  - {name: a, kind: service, depends_on: [b]}
  - {name: b, kind: service, depends_on: [a, c]}
  - {name: c, kind: database}
)");
  ASSERT_TRUE(r.ok());
  ASSERT_THAT(r.diagnostics, SizeIs(1));
  EXPECT_EQ(r.diagnostics[0].level, Diagnostic::Level::kWarning);
  EXPECT_EQ(r.diagnostics[0].position.line, 2);
  EXPECT_THAT(r.diagnostics[0].message, HasSubstr("cycle of 2 services: a -> b -> a"));
}

TEST(Loader, LongCycleInAFileIsReportedShortened) {
  constexpr int kN = 5000;
  std::string text = "services:\n";
  for (int i = 0; i < kN; ++i)
    absl::StrAppend(&text, "  - {name: s", i, ", kind: service, depends_on: [s", (i + 1) % kN, "]}\n");
  TopologyLoadResult r = LoadTopologyYaml(text);
  ASSERT_TRUE(r.ok());
  ASSERT_THAT(r.diagnostics, SizeIs(1));
  EXPECT_THAT(r.diagnostics[0].message, HasSubstr("cycle of 5000 services: s0 -> s1"));
  EXPECT_LT(r.diagnostics[0].message.size(), 200u);
}

TEST(Loader, DeepNestingIsAnErrorNotACrash) {
  std::string text = "services: " + std::string(100000, '[');
  TopologyLoadResult r = LoadTopologyYaml(text);
  EXPECT_FALSE(r.ok());
}

TEST(Loader, ParseKeepsUnresolvedNamesForOtherSourcesToMerge) {
  absl::StatusOr<TopologySpec> spec =
      ParseTopologyYaml("services:\n  - {name: a, kind: service, depends_on: [k8s-only]}\n");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_THAT(spec->services[0].depends_on, ElementsAre("k8s-only"));
  EXPECT_EQ(spec->services[0].depends_on_positions[0].line, 2);
  EXPECT_FALSE(Graph::Build(*spec).ok());
}

TEST(Loader, AnchorsAndAliasesAreExpanded) {
  TopologyLoadResult r = LoadTopologyYaml(R"(services:
  - name: a
    kind: service
    owners: &oncall [team-a, sre]
    depends_on: &stores [db, cache]
  - {name: b, kind: service, owners: *oncall, depends_on: *stores}
  - {name: db, kind: &k database}
  - {name: cache, kind: cache}
)");
  ASSERT_TRUE(r.ok()) << DiagnosticsText(r);
  Graph::NodeId b = *r.graph->Find("b");
  EXPECT_EQ(r.graph->dependencies(b).size(), 2u);
  EXPECT_THAT(r.graph->owners(b), ElementsAre("team-a", "sre"));
}

TEST(Loader, BillionLaughsFailsQuickly) {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    absl::StrAppend(&text, "a", i, ": &a", i, " [");
    for (int k = 0; k < 10; ++k) absl::StrAppend(&text, k ? ", " : "", "*a", i - 1);
    text += "]\n";
  }
  text += "services: []\n";
  TopologyLoadResult r = LoadTopologyYaml(text);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(FirstError(r).message, HasSubstr("too many nodes"));
}

TEST(Loader, UnknownTopLevelKeysAreWarnings) {
  TopologyLoadResult r = LoadTopologyYaml("version: 2\nservices:\n  - {name: a, kind: service}\n");
  ASSERT_TRUE(r.ok());
  ASSERT_THAT(r.diagnostics, SizeIs(1));
  EXPECT_THAT(r.diagnostics[0].message, HasSubstr("'version'"));
}

TEST(Graph, MemoryStaysCompactPerEdge) {
  TopologySpec spec;
  constexpr int kN = 10000;
  spec.services.resize(kN);
  for (int i = 0; i < kN; ++i) {
    spec.services[i].name = absl::StrCat("service-", i);
    for (int k = 1; k <= 10; ++k)
      spec.services[i].depends_on.push_back(absl::StrCat("service-", (i + k * 7) % kN));
  }
  absl::StatusOr<std::shared_ptr<const Graph>> g = Graph::Build(spec);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ((*g)->edge_count(), 100000u);
  // Two CSR directions are 8 bytes per edge; names, offsets and the index add the rest.
  EXPECT_LT((*g)->MemoryBytes(), 100000u * 20);
}

}  // namespace
}  // namespace awoooi::topology
