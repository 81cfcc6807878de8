#include "runtime/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace awoooi::runtime {
namespace {

std::string WriteFile(const std::string& text) {
  static int n = 0;
  auto p = std::filesystem::temp_directory_path() /
           ("awoooi_cfg_" + std::to_string(::getpid()) + "_" + std::to_string(n++) + ".yaml");
  std::ofstream(p) << text;
  return p.string();
}

TEST(Config, EmbeddedDefaultsWithoutAFile) {
  auto c = LoadConfig("", {});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->server.listen, "127.0.0.1:8080");
  EXPECT_TRUE(c->auth.demo_users);
  EXPECT_EQ(c->brain.GetString("type"), "playbook");
  EXPECT_EQ(c->ingest.grouping.group_by.size(), 2u);
  EXPECT_EQ(c->store.retention_days, 90);
  EXPECT_EQ(c->store.retention_batch, 100);
}

TEST(Config, RetentionCanBeTurnedOffButNotNegative) {
  auto off = LoadConfig(WriteFile("store:\n  retention_days: 0\n"), {});
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_EQ(off->store.retention_days, 0);
  auto negative = LoadConfig("", {{"AWOOOI_STORE_RETENTION_DAYS", "-1"}});
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(std::string(negative.status().message()).find("store.retention_days"), std::string::npos);
}

TEST(Config, FileAndEnvironmentOverride) {
  auto path = WriteFile(R"(
server:
  listen: 0.0.0.0:9000
  request_timeout: 5s
ingest:
  group_by: ["service|job", cluster, alertname]
privacy:
  custom_patterns:
    - {name: employee, regex: "EMP-[0-9]{6}", label: EMP}
brain:
  type: openai
  model: llama3
)");
  auto c = LoadConfig(path, {{"AWOOOI_SERVER_LISTEN", "127.0.0.1:9100"}, {"AWOOOI_LOG_FORMAT", "json"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->server.listen, "127.0.0.1:9100");
  EXPECT_EQ(c->server.request_timeout_ms, 5000);
  EXPECT_EQ(c->log.format, "json");
  ASSERT_EQ(c->ingest.grouping.group_by.size(), 3u);
  EXPECT_EQ(c->ingest.grouping.group_by[0], (std::vector<std::string>{"service", "job"}));
  ASSERT_EQ(c->privacy.custom_patterns.size(), 1u);
  EXPECT_EQ(c->privacy.custom_patterns[0].label_prefix, "EMP");
  EXPECT_EQ(c->brain.GetString("model"), "llama3");
  EXPECT_FALSE(c->auth.demo_users);
}

struct BadConfig {
  const char* yaml;
  const char* must_mention;
};
class ConfigRejects : public ::testing::TestWithParam<BadConfig> {};

TEST_P(ConfigRejects, NamingTheKey) {
  auto c = LoadConfig(WriteFile(GetParam().yaml), {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(std::string(c.status().message()).find(GetParam().must_mention), std::string::npos) << c.status();
}

INSTANTIATE_TEST_SUITE_P(
    BadFiles, ConfigRejects,
    ::testing::Values(
        BadConfig{"server:\n  lisen: x\n", "server.lisen: unknown key"},
        BadConfig{"server:\n  max_connections: lots\n", "server.max_connections"},
        BadConfig{"server:\n  request_timeout: 5 fortnights\n", "server.request_timeout"},
        BadConfig{"store:\n  type: oracle\n", "store.type"},
        BadConfig{"ingest:\n  auth: token\n", "ingest.token"},
        BadConfig{"log:\n  level: loud\n", "log.level"},
        BadConfig{"topology:\n  default_depth: 0\n", "topology.default_depth"},
        BadConfig{"server: [1, 2]\n", "server"}, BadConfig{"server:\n  listen: [a\n", "line"},
        BadConfig{"privacy:\n  custom_patterns:\n    - {name: x}\n", "custom_patterns[0]"},
        // A misspelt rule key would match every action; a wrong type must not crash.
        BadConfig{"approvals:\n  rules:\n    - {kinds: scale, risk: LOW}\n", "unknown key \"kinds\""},
        BadConfig{"approvals:\n  rules:\n    - {target_kind: pods, risk: LOW}\n", "target_kind"},
        BadConfig{"approvals:\n  rules:\n    - {kind: scale, replicas_below: abc, risk: HIGH}\n",
                  "approvals"},
        BadConfig{"approvals:\n  rules:\n    - {kind: scale, pinned: maybe, risk: HIGH}\n", "approvals"},
        BadConfig{"approvals:\n  protected_namespaces: kube-system\n", "protected_namespaces"},
        BadConfig{"notify_routes:\n  - {channel: ops}\n", "unknown key \"channel\""}));

}  // namespace
}  // namespace awoooi::runtime

namespace awoooi::runtime {
namespace {

TEST(Config, EveryKeyIsDocumented) {
  std::ifstream in(std::string(AWOOOI_SOURCE_DIR) + "/docs/configuration.md");
  ASSERT_TRUE(in) << "docs/configuration.md is missing";
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& key : ConfigKeys()) {
    EXPECT_NE(doc.find("`" + std::string(key.key) + "`"), std::string::npos)
        << key.key << " is not in docs/configuration.md (run scripts/config-doc.py)";
  }
}

TEST(Config, EveryDocumentedKeyLoadsFromTheEnvironment) {
  std::map<std::string, std::string> env;
  for (const auto& key : ConfigKeys()) {
    if (std::string(key.default_value).empty()) continue;
    std::string name = "AWOOOI_" + std::string(key.key);
    for (char& c : name) c = c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    env[name] = key.default_value;
  }
  auto c = LoadConfig("", env);
  EXPECT_TRUE(c.ok()) << "a documented default does not load: " << c.status();
}

}  // namespace
}  // namespace awoooi::runtime
