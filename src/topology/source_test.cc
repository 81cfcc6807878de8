#include "awoooi/topology/source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <utility>

#include "absl/status/status.h"
#include "awoooi/topology/loader.h"

namespace awoooi::topology {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class FixedSource : public TopologySource {
 public:
  FixedSource(std::string name, absl::StatusOr<TopologySpec> spec)
      : name_(std::move(name)), spec_(std::move(spec)) {}
  std::string_view name() const override { return name_; }
  absl::StatusOr<TopologySpec> Fetch() override { return spec_; }

 private:
  std::string name_;
  absl::StatusOr<TopologySpec> spec_;
};

TopologySpec Yaml(std::string_view text) {
  absl::StatusOr<TopologySpec> spec = ParseTopologyYaml(text);
  EXPECT_TRUE(spec.ok()) << spec.status();
  return spec.ok() ? *spec : TopologySpec{};
}

TEST(MergeSpecs, FirstSourceDescribesAServiceLaterOnesAddWhatItDoesNotSay) {
  TopologySpec file = Yaml(
      "services:\n  - {name: api, kind: frontend, owners: [team-a], depends_on: [db]}\n"
      "  - {name: db, kind: database}\n");
  TopologySpec discovered = Yaml(
      "services:\n  - {name: api, kind: service, depends_on: [db, cache]}\n"
      "  - {name: cache, kind: cache}\n");
  std::vector<TopologySpec> specs{file, discovered};
  TopologySpec merged = MergeSpecs(specs);
  ASSERT_EQ(merged.services.size(), 3u);
  EXPECT_EQ(merged.services[0].kind, ServiceKind::kFrontend);
  EXPECT_THAT(merged.services[0].owners, ElementsAre("team-a"));
  EXPECT_THAT(merged.services[0].depends_on, ElementsAre("db", "cache"));
  EXPECT_EQ(merged.services[0].depends_on_positions.size(), 2u);
  EXPECT_EQ(merged.services[2].name, "cache");
}

TEST(RefreshTopology, SwapsTheMergedGraphAndKeepsHealth) {
  Topology topology;
  ASSERT_TRUE(topology.SetHealth("cache", Severity::kCritical).ok());
  FixedSource file("file", Yaml("services:\n  - {name: api, kind: service}\n"));
  FixedSource k8s("kubernetes", Yaml("services:\n  - {name: api, kind: service, depends_on: [cache]}\n"
                                     "  - {name: cache, kind: cache}\n"));
  std::vector<TopologySource*> sources{&file, &k8s};
  ASSERT_TRUE(RefreshTopology(topology, sources).ok());
  absl::StatusOr<RootCauseResult> r = topology.RootCause("api", 3);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->root_causes.size(), 1u);
  EXPECT_EQ(r->root_causes[0].service, "cache");
}

TEST(RefreshTopology, AFailingSourceLeavesTheTopologyUnchanged) {
  Topology topology;
  FixedSource ok("file", Yaml("services:\n  - {name: api, kind: service}\n"));
  std::vector<TopologySource*> good{&ok};
  ASSERT_TRUE(RefreshTopology(topology, good).ok());
  FixedSource down("kubernetes", absl::UnavailableError("connection refused"));
  std::vector<TopologySource*> bad{&ok, &down};
  absl::Status s = RefreshTopology(topology, bad);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("topology source kubernetes: connection refused"));
  FixedSource dangling("kubernetes",
                       Yaml("services:\n  - {name: api, kind: service, depends_on: [ghost]}\n"));
  std::vector<TopologySource*> invalid{&ok, &dangling};
  EXPECT_EQ(RefreshTopology(topology, invalid).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(topology.Contains("api"));
  EXPECT_FALSE(topology.Contains("ghost"));
}

}  // namespace
}  // namespace awoooi::topology
