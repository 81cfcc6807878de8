#include "plugins/actions/mcp/mcp_executor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "awoooi/privacy/shield.h"
#include "plugins/actions/mcp/mcp_client.h"
#include "plugins/actions/mcp/output.h"
#include "plugins/actions/mcp/test_fakes.h"

namespace awoooi::mcp {
namespace {

using nlohmann::json;
using privacy::Redacted;
using testing::FakeHttpServer;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ReadLog;
using testing::Slurp;
using testing::TempPath;

PluginSettings Settings(std::map<std::string, std::string> values) {
  return PluginSettings("actions[0]", std::move(values));
}

TEST(McpServerConfig, ReadsAStdioServerWithArgsAndEnv) {
  auto c = ParseMcpServerConfig(Settings({{"type", "mcp"},
                                          {"name", "k8s"},
                                          {"command", "npx"},
                                          {"args.1", "mcp-server-kubernetes"},
                                          {"args.0", "-y"},
                                          {"env.KUBECONFIG", "/etc/kube"},
                                          {"call_timeout", "2m"}}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->args, (std::vector<std::string>{"-y", "mcp-server-kubernetes"}));
  EXPECT_EQ(c->env.at("KUBECONFIG"), "/etc/kube");
  EXPECT_EQ(c->timeout_ms, 30'000);
  EXPECT_EQ(c->call_timeout_ms, 120'000);
}

TEST(McpServerConfig, ReadsAnHttpServerWithHeaders) {
  auto c = ParseMcpServerConfig(Settings(
      {{"name", "remote"}, {"url", "https://mcp.example.com/mcp"}, {"headers.Authorization", "Bearer x"}}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->headers.at("Authorization"), "Bearer x");
}

TEST(McpServerConfig, MistakesNameTheKey) {
  auto err = [](std::map<std::string, std::string> v) {
    auto c = ParseMcpServerConfig(Settings(std::move(v)));
    return c.ok() ? std::string("ok") : std::string(c.status().message());
  };
  EXPECT_THAT(err({{"name", "a"}, {"command", "x"}, {"arg.0", "y"}}),
              HasSubstr("actions[0].arg.0: unknown key"));
  EXPECT_THAT(err({{"name", "a"}, {"command", "x"}, {"args.1", "y"}}),
              HasSubstr("actions[0].args: item 0 is missing"));
  EXPECT_THAT(err({{"name", "a"}, {"command", "x"}, {"args.x", "y"}}), HasSubstr("args are a list"));
  EXPECT_THAT(err({{"name", "a"}, {"command", "x"}, {"url", "http://h/"}}), HasSubstr("give exactly one"));
  EXPECT_THAT(err({{"name", "a"}}), HasSubstr("give exactly one"));
  EXPECT_THAT(err({{"command", "x"}}), HasSubstr("actions[0].name"));
  EXPECT_THAT(err({{"name", "Bad Name"}, {"command", "x"}}), HasSubstr("name: must be a configured name"));
  EXPECT_THAT(err({{"name", "a"}, {"url", "ftp://h/"}}), HasSubstr("url: must start with http"));
  EXPECT_THAT(err({{"name", "a"}, {"url", "http://h/"}, {"headers.MCP-Session-Id", "x"}}),
              HasSubstr("set by the MCP transport itself"));
  EXPECT_THAT(err({{"name", "a"}, {"command", "x"}, {"headers.X", "y"}}),
              HasSubstr("only for a server reached by"));
  EXPECT_THAT(err({{"name", "a"}, {"command", "x"}, {"env.1BAD", "y"}}), HasSubstr("not a variable name"));
  EXPECT_THAT(err({{"name", "a"}, {"command", "x"}, {"timeout", "forever"}}),
              HasSubstr("actions[0].timeout"));
}

class McpExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto shield = privacy::Shield::Create({});
    ASSERT_TRUE(shield.ok());
    shield_ = *std::move(shield);
    log_ = TempPath("log");
  }

  McpServerConfig Stdio(const std::string& mode = "normal") {
    McpServerConfig c;
    c.name = "fake";
    c.command = "python3";
    c.args = {testing::FakeServerScript(), "--mode", mode, "--log", log_};
    return c;
  }

  // An mcp_tool action as a reasoner would propose it: arguments redacted in the incident's vault.
  action::Action ToolAction(const std::string& tool, const std::string& raw_arguments,
                            const std::string& server = "fake") {
    action::Draft d;
    d.kind = "mcp_tool";
    d.params["server"] = shield_->Redact(server, vault_);
    d.params["tool"] = shield_->Redact(tool, vault_);
    d.params["arguments"] = shield_->Redact(raw_arguments, vault_);
    auto a = action::Build(d, action::Catalog{{}, {server}});
    EXPECT_TRUE(a.ok()) << a.status();
    return *a;
  }

  action::ExecutionContext Context() {
    action::ExecutionContext c;
    c.shield = shield_.get();
    c.vault = &vault_;
    c.deadline = absl::Now() + absl::Seconds(20);
    return c;
  }

  std::unique_ptr<privacy::Shield> shield_;
  privacy::Vault vault_;
  std::string log_;
};

TEST_F(McpExecutorTest, SupportsOnlyMcpToolActionsForItsOwnServer) {
  McpExecutor ex(Stdio());
  EXPECT_TRUE(ex.Supports(ToolAction("echo", R"({"message":"x"})")));
  EXPECT_FALSE(ex.Supports(ToolAction("echo", R"({"message":"x"})", "other")));
  action::Draft restart;
  restart.kind = "restart_pod";
  restart.target = Redacted::Literal("web-1");
  EXPECT_FALSE(ex.Supports(*action::Build(restart)));
}

TEST_F(McpExecutorTest, DryRunChecksReachabilityToolAndArgumentsWithoutCalling) {
  McpExecutor ex(Stdio());
  auto report = ex.DryRun(ToolAction("echo", R"({"message":"hello"})"), Context());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->passed());
  ASSERT_EQ(report->checks.size(), 3u);
  EXPECT_EQ(report->checks[0].name, "reachable");
  EXPECT_EQ(report->checks[1].name, "exists");
  EXPECT_THAT(report->checks[1].detail.str(), HasSubstr("it claims (unverified): read-only"));
  EXPECT_EQ(report->checks[2].name, "parameters");
  EXPECT_EQ(report->state_fingerprint.size(), 64u);
  EXPECT_EQ(report->pods_affected, 0);
  for (const json& m : ReadLog(log_)) EXPECT_NE(m.value("method", ""), "tools/call");
}

TEST_F(McpExecutorTest, DryRunFailsChecksForAMissingToolOrBadArguments) {
  McpExecutor ex(Stdio());
  auto missing = ex.DryRun(ToolAction("delete_everything", "{}"), Context());
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->passed());
  EXPECT_EQ(missing->checks.back().name, "exists");
  EXPECT_THAT(missing->checks.back().detail.str(), HasSubstr("lists no tool named delete_everything"));

  auto bad = ex.DryRun(ToolAction("echo", R"({"message":"x","force":true})"), Context());
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->passed());
  EXPECT_EQ(bad->checks.back().detail.str(), "arguments.force: is not a parameter of this tool");
}

TEST_F(McpExecutorTest, TheFingerprintFollowsTheToolsSchema) {
  McpExecutor ex(Stdio());
  auto echo1 = ex.DryRun(ToolAction("echo", R"({"message":"a"})"), Context());
  auto echo2 = ex.DryRun(ToolAction("echo", R"({"message":"b"})"), Context());
  auto add = ex.DryRun(ToolAction("add", R"({"a":1,"b":2})"), Context());
  ASSERT_TRUE(echo1.ok() && echo2.ok() && add.ok());
  EXPECT_EQ(echo1->state_fingerprint, echo2->state_fingerprint);  // same tool, same schema
  EXPECT_NE(echo1->state_fingerprint, add->state_fingerprint);
  McpServerConfig renamed = Stdio();
  renamed.name = "fake2";
  McpExecutor other(renamed);
  auto elsewhere = other.DryRun(ToolAction("echo", R"({"message":"a"})", "fake2"), Context());
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_NE(elsewhere->state_fingerprint, echo1->state_fingerprint);
}

TEST_F(McpExecutorTest, TheRealValueReachesTheServerAndOnlyItsLabelComesBack) {
  McpExecutor ex(Stdio());
  action::Action a = ToolAction("echo", R"({"message":"primary at 10.20.30.40"})");
  EXPECT_THAT(a.param("arguments")->text.str(), HasSubstr("[IP_1]"));  // what the action holds
  auto result = ex.Execute(a, Context());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, action::ExecutionOutcome::kSucceeded);
  EXPECT_EQ(result->output.str(), "Echo: primary at [IP_1]");
  EXPECT_THAT(result->detail.str(), HasSubstr("succeeded"));
  ex.client().Close();
  EXPECT_THAT(Slurp(log_), HasSubstr("primary at 10.20.30.40"));  // the server saw the real value
  EXPECT_THAT(result->output.str() + result->detail.str(), Not(HasSubstr("10.20.30.40")));
}

TEST_F(McpExecutorTest, AnOutputThatStillHoldsARealValueIsWithheld) {
  McpExecutor ex(Stdio());
  // "[IP_1]00" rehydrates to 10.20.30.400: not an address, so redaction leaves it in the echo.
  shield_->Redact("10.20.30.40", vault_);
  action::Draft d;
  d.kind = "mcp_tool";
  d.params["server"] = Redacted::Literal("fake");
  d.params["tool"] = Redacted::Literal("echo");
  d.params["arguments"] = shield_->RedactPreservingLabels(R"({"message":"[IP_1]00"})", vault_);
  auto a = action::Build(d, action::Catalog{{}, {"fake"}});
  ASSERT_TRUE(a.ok()) << a.status();
  auto call = ex.ExecuteCall(*a, Context());
  ASSERT_TRUE(call.ok()) << call.status();
  EXPECT_EQ(call->result.output.str(), "(output withheld: it still contained a real value of this action)");
  EXPECT_THAT(call->result_json.str(), Not(HasSubstr("10.20.30.400")));
}

TEST_F(McpExecutorTest, IsErrorIsAFailedOutcomeWithTheToolsWords) {
  McpExecutor ex(Stdio());
  auto result = ex.Execute(ToolAction("fail", "{}"), Context());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, action::ExecutionOutcome::kFailed);
  EXPECT_EQ(result->output.str(), "the tool failed on purpose");
  EXPECT_THAT(result->detail.str(), HasSubstr("the tool reported an error"));
}

TEST_F(McpExecutorTest, ATimeoutIsAFailedOutcomeAndTheServerIsToldToCancel) {
  McpServerConfig c = Stdio();
  c.call_timeout_ms = 300;
  McpExecutor ex(c);
  auto result = ex.Execute(ToolAction("slow", R"({"seconds":30})"), Context());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, action::ExecutionOutcome::kFailed);
  EXPECT_THAT(result->detail.str(), HasSubstr("no answer within"));
  EXPECT_THAT(result->detail.str(), HasSubstr("told to cancel"));
  ex.client().Close();
  EXPECT_THAT(Slurp(log_), HasSubstr("notifications/cancelled"));
}

TEST_F(McpExecutorTest, ExecuteRefusesArgumentsTheSchemaRejectsWithoutCalling) {
  McpExecutor ex(Stdio());
  auto result = ex.Execute(ToolAction("add", R"({"a":"one","b":2})"), Context());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(result.status().message(), HasSubstr("arguments.a: must be number"));
  for (const json& m : ReadLog(log_)) EXPECT_NE(m.value("method", ""), "tools/call");
}

TEST_F(McpExecutorTest, AnUnreachableServerIsUnavailableForTheDryRun) {
  McpServerConfig c;
  c.name = "gone";
  c.url = "http://127.0.0.1:1/mcp";
  McpExecutor ex(c);
  auto report = ex.DryRun(ToolAction("echo", "{}", "gone"), Context());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(McpExecutorTest, StructuredResultsAreRedactedLeafByLeafOverHttp) {
  FakeHttpServer server("normal");
  McpServerConfig c;
  c.name = "remote";
  c.url = server.url();
  McpExecutor ex(c);
  auto call = ex.ExecuteCall(ToolAction("structured", "{}", "remote"), Context());
  ASSERT_TRUE(call.ok()) << call.status();
  EXPECT_EQ(call->result.outcome, action::ExecutionOutcome::kSucceeded);
  EXPECT_EQ(call->result.output.str(), R"({"count":3,"owner":"[EMAIL_1]"})");
  json j = json::parse(call->result_json.str());
  EXPECT_EQ(j["structuredContent"]["owner"], "[EMAIL_1]");
}

TEST_F(McpExecutorTest, CallsFromSeveralThreadsShareOneServer) {
  McpExecutor ex(Stdio());
  constexpr int kThreads = 4, kCalls = 10;
  std::atomic<int> succeeded{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      privacy::Vault vault;  // one incident per thread
      for (int i = 0; i < kCalls; ++i) {
        std::string message = "host 10.0." + std::to_string(t) + "." + std::to_string(i + 1);
        action::Draft d;
        d.kind = "mcp_tool";
        d.params["server"] = Redacted::Literal("fake");
        d.params["tool"] = Redacted::Literal("echo");
        d.params["arguments"] = shield_->Redact(json{{"message", message}}.dump(), vault);
        auto a = action::Build(d, action::Catalog{{}, {"fake"}});
        action::ExecutionContext c{shield_.get(), &vault, absl::Now() + absl::Seconds(20), nullptr};
        auto r = ex.Execute(*a, c);
        if (r.ok() && r->output.str() == "Echo: host [IP_" + std::to_string(i + 1) + "]") ++succeeded;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(succeeded.load(), kThreads * kCalls);
  EXPECT_EQ(ex.client().connections_opened(), 1);
}

TEST(McpOutput, RendersEveryKindOfContent) {
  json result = json::parse(
      R"({"content":[{"type":"text","text":"one"},{"type":"image","mimeType":"image/png","data":"AA=="},
    {"type":"resource","resource":{"uri":"file:///a","text":"inline"}},{"type":"resource_link","uri":"file:///b"},
    {"type":"something"}]})");
  EXPECT_EQ(RenderToolResult(result),
            "one\n[image image/png]\ninline\n[resource link file:///b]\n[something content]");
}

TEST(McpOutput, CapsAtAUtf8Boundary) {
  auto shield = *privacy::Shield::Create({});
  privacy::Vault v;
  Redacted r = shield->Redact(std::string(10, 'a') + "日本", v);
  Redacted capped = Cap(r, 11);
  EXPECT_EQ(capped.str(), std::string(10, 'a') + "\n... (truncated; 16 bytes in all)");
}

}  // namespace
}  // namespace awoooi::mcp
