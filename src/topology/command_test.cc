#include "awoooi/topology/command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace awoooi::topology {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Shared(const std::string& name) {
  return ReadFile(std::string(AWOOOI_SHARED_DIR) + "/topologies/" + name);
}
std::string Fixture(const std::string& name) {
  return ReadFile(std::string(AWOOOI_SOURCE_DIR) + "/test/testdata/topology/" + name);
}

struct CommandRun {
  int code;
  std::string out, err;
};

CommandRun Execute(const TopologyCommand& c, const std::string& yaml) {
  std::ostringstream out, err;
  int code = RunTopologyCommand(c, yaml, out, err);
  return {code, out.str(), err.str()};
}

TopologyCommand Query(std::string action, std::string service, std::string unhealthy = "", int depth = 3) {
  TopologyCommand c;
  c.action = std::move(action);
  c.service = std::move(service);
  c.source_name = "t.yaml";
  c.unhealthy = std::move(unhealthy);
  c.depth = depth;
  return c;
}

TEST(TopologyCommand, RootCauseJsonMatchesTheGoldenFile) {
  TopologyCommand c = Query("root-cause", "front-end", "carts-db:critical,rabbitmq:warning,orders:error");
  c.json = true;
  CommandRun r = Execute(c, Shared("sock-shop.yaml"));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, IsEmpty());
  EXPECT_EQ(r.out, Fixture("sock-shop-root-cause.golden.json"));
}

TEST(TopologyCommand, BlastRadiusTextIsTheDefault) {
  CommandRun r = Execute(Query("blast-radius", "redis-cart"), Shared("online-boutique.yaml"));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "Blast radius of redis-cart (depth 3): 4 services affected\n"
            "  depth 1  cartservice  [service]  redis-cart <- cartservice\n"
            "  depth 2  checkoutservice  [service]  redis-cart <- cartservice <- checkoutservice\n"
            "  depth 2  frontend  [frontend]  redis-cart <- cartservice <- frontend\n"
            "  depth 3  loadgenerator  [external]  redis-cart <- cartservice <- frontend <- loadgenerator\n");
}

TEST(TopologyCommand, CheckAcceptsTheSharedTopologies) {
  for (const char* file : {"sock-shop.yaml", "online-boutique.yaml", "hotel-reservation.yaml"}) {
    TopologyCommand c;
    c.action = "check";
    c.source_name = file;
    CommandRun r = Execute(c, Shared(file));
    EXPECT_EQ(r.code, 0) << file << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr(": ok: ")) << file;
  }
}

TEST(TopologyCommand, CheckPrintsLineNumberedErrorsForABadFile) {
  TopologyCommand c;
  c.action = "check";
  c.source_name = "broken.yaml";
  CommandRun r = Execute(c, Fixture("broken.yaml"));
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr("broken.yaml:7:11: error: service 'cart' has unknown kind 'databse'"));
  EXPECT_THAT(r.out, HasSubstr("broken.yaml:5:18: error: service 'web' depends on 'payments'"));
  EXPECT_THAT(r.out,
              HasSubstr("broken.yaml:10:11: error: duplicate service 'cart' (first defined at line 6)"));
  EXPECT_THAT(r.out, HasSubstr("warning: service 'web' lists dependency 'cart' twice"));
  EXPECT_THAT(r.out, HasSubstr("broken.yaml: 3 errors, 1 warning\n"));
  EXPECT_THAT(r.err, HasSubstr("invalid topology"));
}

TEST(TopologyCommand, CheckJsonCountsFindings) {
  TopologyCommand c;
  c.action = "check";
  c.json = true;
  CommandRun r = Execute(c, Fixture("broken.yaml"));
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr(R"({"ok":false,"errors":3,"warnings":1,)"));
}

TEST(TopologyCommand, QueriesOnAnInvalidFileFailWithItsErrors) {
  CommandRun r = Execute(Query("root-cause", "web"), Fixture("broken.yaml"));
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, HasSubstr("t.yaml:7:11: error:"));
}

TEST(TopologyCommand, BadArgumentsAreClearErrors) {
  const std::string sock = Shared("sock-shop.yaml");
  struct Case {
    TopologyCommand command;
    const char* message;
  };
  for (const Case& c : {
           Case{Query("root-cause", "nope"), "unknown service 'nope'"},
           Case{Query("blast-radius", ""), "missing SERVICE"},
           Case{Query("blast-radius", "carts", "", 0), "--depth: depth must be between 1 and 10, got 0"},
           Case{Query("blast-radius", "carts", "", -5), "got -5"},
           Case{Query("root-cause", "carts", "", 99), "got 99"},
           Case{Query("root-cause", "carts", "carts-db:critcal"), "unknown severity 'critcal'"},
           Case{Query("root-cause", "carts", "carts-bd"), "--unhealthy: unknown service 'carts-bd'"},
           Case{Query("root-cause", "carts", "a,,b"), "empty item"},
           Case{Query("explode", "carts"), "unknown topology action 'explode'"},
       }) {
    CommandRun r = Execute(c.command, sock);
    EXPECT_EQ(r.code, 1) << c.message;
    EXPECT_THAT(r.err, HasSubstr(c.message));
    EXPECT_THAT(r.out, IsEmpty()) << c.message;
  }
}

TEST(TopologyCommand, EmptyTextIsAnInvalidTopology) {
  TopologyCommand c;
  c.action = "check";
  c.source_name = "empty.yaml";
  CommandRun r = Execute(c, "");
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr("empty.yaml:1:1: error: empty topology"));
}

}  // namespace
}  // namespace awoooi::topology
