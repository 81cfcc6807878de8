// McpClient over real transports against the fake server (test/fakes/mcp_server.py): a child that
// behaves, and children that crash, hang, send garbage or a 10 MB line. Each misbehaviour must be
// a clear error, and the test process must go on.
#include "plugins/actions/mcp/mcp_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plugins/actions/mcp/http_transport.h"
#include "plugins/actions/mcp/stdio_transport.h"
#include "plugins/actions/mcp/test_fakes.h"

extern char** environ;

namespace awoooi::mcp {
namespace {

using nlohmann::json;
using testing::FakeHttpServer;
using testing::FakeStdio;
using ::testing::HasSubstr;
using testing::ReadLog;
using testing::TempPath;

CallLimits Soon(int ms = 10'000) { return CallLimits{absl::Now() + absl::Milliseconds(ms), nullptr}; }

std::unique_ptr<McpClient> StdioClient(StdioOptions o, int64_t connect_timeout_ms = 10'000) {
  McpClient::Options options;
  options.identity = {"awoooi-test", "0"};
  options.connect_timeout_ms = connect_timeout_ms;
  options.make_transport = [o]() -> absl::StatusOr<std::unique_ptr<Transport>> {
    return std::unique_ptr<Transport>(std::make_unique<StdioTransport>(o));
  };
  return std::make_unique<McpClient>(std::move(options));
}

std::unique_ptr<McpClient> HttpClient(const std::string& url) {
  McpClient::Options options;
  options.identity = {"awoooi-test", "0"};
  HttpOptions h;
  h.url = url;
  h.headers = {{"Authorization", "Bearer test-token"}};
  options.make_transport = [h]() -> absl::StatusOr<std::unique_ptr<Transport>> {
    return std::unique_ptr<Transport>(std::make_unique<HttpTransport>(h));
  };
  return std::make_unique<McpClient>(std::move(options));
}

std::string Text(const ToolResult& r) { return r.result["content"][0]["text"]; }

TEST(McpClientStdio, ListsAndCallsTools) {
  auto client = StdioClient(FakeStdio("normal"));
  auto info = client->Connect(Soon());
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->protocol_version, "2025-11-25");
  auto tools = client->ListTools(Soon());
  ASSERT_TRUE(tools.ok()) << tools.status();
  ASSERT_GE(tools->size(), 5u);
  EXPECT_EQ((*tools)[0].name, "echo");
  EXPECT_EQ((*tools)[0].input_schema["required"], json::array({"message"}));
  auto r = client->CallTool("echo", {{"message", "hi"}}, Soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Text(*r), "Echo: hi");
  EXPECT_FALSE(r->is_error);
  auto failed = client->CallTool("fail", json::object(), Soon());
  ASSERT_TRUE(failed.ok());
  EXPECT_TRUE(failed->is_error);
  EXPECT_TRUE(client->cache_is_notified());
}

TEST(McpClientStdio, NotificationsAndAServerPingBeforeTheInitializeAnswer) {
  std::string log = TempPath("log");
  auto client = StdioClient(FakeStdio("notify-first", log));
  ASSERT_TRUE(client->Connect(Soon()).ok());
  auto r = client->CallTool("echo", {{"message", "after"}}, Soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Text(*r), "Echo: after");
  client->Close();
  bool answered_ping = false;
  for (const json& m : ReadLog(log))
    answered_ping |= m.value("id", json()) == "srv-1" && m.contains("result");
  EXPECT_TRUE(answered_ping);
}

TEST(McpClientStdio, FollowsEveryPageOfToolsList) {
  std::string log = TempPath("log");
  auto client = StdioClient(FakeStdio("normal", log, /*page_size=*/3));
  auto tools = client->ListTools(Soon());
  ASSERT_TRUE(tools.ok()) << tools.status();
  EXPECT_EQ(tools->size(), 8u);
  int lists = 0;
  for (const json& m : ReadLog(log)) lists += m.value("method", "") == "tools/list";
  EXPECT_EQ(lists, 3);
  // Cached: no new request.
  ASSERT_TRUE(client->ListTools(Soon()).ok());
  lists = 0;
  for (const json& m : ReadLog(log)) lists += m.value("method", "") == "tools/list";
  EXPECT_EQ(lists, 3);
}

TEST(McpClientStdio, ListChangedDropsTheCache) {
  auto client = StdioClient(FakeStdio("normal"));
  auto before = client->ListTools(Soon());
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(client->CallTool("add_tool", json::object(), Soon()).ok());  // notifies list_changed
  // The notification is read before the call's answer (same stream, in order).
  auto after = client->ListTools(Soon());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), before->size() + 1);
  EXPECT_EQ(after->back().name, "extra1");
}

TEST(McpClientStdio, ACrashIsAClearErrorAndTheNextCallStartsAFreshServer) {
  auto client = StdioClient(FakeStdio("crash-on-call"));
  ASSERT_TRUE(client->Connect(Soon()).ok());
  auto r = client->CallTool("echo", {{"message", "x"}}, Soon());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("exited with status 3"));
  EXPECT_THAT(r.status().message(), HasSubstr("MCP server stdio "));
  EXPECT_EQ(client->DiagnosticTail(), "fatal: lost the cluster at 10.0.0.9\n");  // kept after the end
  ASSERT_TRUE(client->ListTools(Soon()).ok());
  EXPECT_EQ(client->connections_opened(), 2);
}

TEST(McpClientStdio, ASignalIsNamed) {
  auto client = StdioClient(FakeStdio("segv-on-call"));
  auto r = client->CallTool("echo", {{"message", "x"}}, Soon());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("killed by signal 11 (SIGSEGV)"));
}

TEST(McpClientStdio, AServerThatNeverAnswersTimesOutAtInitialize) {
  auto client = StdioClient(FakeStdio("hang"), /*connect_timeout_ms=*/300);
  auto r = client->Connect(Soon());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(r.status().message(), HasSubstr("no answer to initialize within 300 ms"));
}

TEST(McpClientStdio, ASlowToolTimesOutAndTheServerIsToldToCancel) {
  std::string log = TempPath("log");
  auto client = StdioClient(FakeStdio("normal", log));
  ASSERT_TRUE(client->Connect(Soon()).ok());
  auto r = client->CallTool("slow", {{"seconds", 30}}, Soon(300));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
  // The connection stays: the next call works at once.
  auto next = client->CallTool("echo", {{"message", "still here"}}, Soon());
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(client->connections_opened(), 1);
  client->Close();
  int64_t slow_id = -1;
  bool cancelled = false;
  for (const json& m : ReadLog(log)) {
    if (m.value("method", "") == "tools/call" && m["params"]["name"] == "slow") slow_id = m["id"];
    if (m.value("method", "") == "notifications/cancelled") cancelled = m["params"]["requestId"] == slow_id;
  }
  EXPECT_TRUE(cancelled);
}

TEST(McpClientStdio, GarbageOnStdoutIsAProtocolError) {
  auto client = StdioClient(FakeStdio("garbage"));
  auto r = client->Connect(Soon());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr("not JSON"));
}

TEST(McpClientStdio, ATenMegabyteLineIsRefusedAtTheCap) {
  auto client = StdioClient(FakeStdio("huge-line"));
  ASSERT_TRUE(client->Connect(Soon()).ok());
  auto r = client->CallTool("echo", {{"message", "x"}}, Soon(30'000));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(r.status().message(), HasSubstr("longer than 4194304 bytes"));
}

TEST(McpClientStdio, AChattyStderrDoesNotBlockTheServer) {
  auto client = StdioClient(FakeStdio("stderr-flood"));
  auto r = client->CallTool("echo", {{"message", "x"}}, Soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(client->DiagnosticTail().size(), 4096u);
}

TEST(McpClientStdio, ALateAnswerWithAnotherIdIsIgnored) {
  auto client = StdioClient(FakeStdio("late-answer"));
  auto r = client->CallTool("echo", {{"message", "right one"}}, Soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Text(*r), "Echo: right one");
}

TEST(McpClientStdio, AnOldProtocolVersionIsRefused) {
  auto client = StdioClient(FakeStdio("old-version"));
  auto r = client->Connect(Soon());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("2024-11-05"));
}

TEST(McpClientStdio, AMissingCommandIsNamed) {
  StdioOptions o;
  o.command = "no-such-mcp-server-anywhere";
  auto r = StdioClient(o)->Connect(Soon());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("\"no-such-mcp-server-anywhere\" was not found on PATH"));
}

TEST(McpClientStdio, TheChildGetsACleanEnvironmentPlusItsOwn) {
  ::setenv("AWOOOI_TEST_SECRET_KEY", "sk-should-not-leak", 1);
  StdioOptions o = FakeStdio("normal");
  o.env = {{"MCP_TOKEN", "configured-value"}};
  auto client = StdioClient(o);
  auto r = client->CallTool("env", json::object(), Soon());
  ::unsetenv("AWOOOI_TEST_SECRET_KEY");
  ASSERT_TRUE(r.ok()) << r.status();
  std::string env = Text(*r);
  EXPECT_THAT(env, HasSubstr("MCP_TOKEN=configured-value"));
  EXPECT_THAT(env, HasSubstr("PATH="));
  EXPECT_THAT(env, ::testing::Not(HasSubstr("sk-should-not-leak")));
}

TEST(ChildEnvironment, KeepsOnlyTheAllowListThenTheConfiguredVariables) {
  std::string a = "PATH=/bin", b = "AWS_SECRET_ACCESS_KEY=x", c = "HOME=/root", d = "LANG=C";
  char* parent[] = {a.data(), b.data(), c.data(), d.data(), nullptr};
  auto env = ChildEnvironment(parent, {{"LANG", "C.UTF-8"}, {"TOKEN", "t"}});
  EXPECT_THAT(env, ::testing::ElementsAre("HOME=/root", "LANG=C.UTF-8", "PATH=/bin", "TOKEN=t"));
}

TEST(ResolveCommand, SearchesThePathLikeExecvp) {
  auto sh = ResolveCommand("sh", "/nonexistent::/bin");
  ASSERT_TRUE(sh.ok());
  EXPECT_EQ(*sh, "/bin/sh");
  EXPECT_EQ(ResolveCommand("/bin/sh", "").value(), "/bin/sh");
  EXPECT_EQ(ResolveCommand("/etc/passwd", "").status().code(),
            absl::StatusCode::kNotFound);  // not executable
  EXPECT_EQ(ResolveCommand("", "/bin").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(McpClientHttp, ListsAndCallsWithSessionVersionHeaderAndSse) {
  std::string log = TempPath("log");
  FakeHttpServer server("normal", log);
  ASSERT_GT(server.port(), 0);
  auto client = HttpClient(server.url());
  auto tools = client->ListTools(Soon());
  ASSERT_TRUE(tools.ok()) << tools.status();
  EXPECT_EQ((*tools)[0].name, "echo");
  // tools/call is answered with an SSE stream: a notification, then the response.
  auto r = client->CallTool("echo", {{"message", "over http"}}, Soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Text(*r), "Echo: over http");
  EXPECT_FALSE(client->cache_is_notified());
  client->Close();
  auto entries = ReadLog(log);
  ASSERT_GE(entries.size(), 4u);
  std::string session;
  for (const json& e : entries) {
    if (!e.contains("message")) continue;
    const json& h = e["headers"];
    EXPECT_EQ(h.value("Accept", ""), "application/json, text/event-stream");
    EXPECT_EQ(h.value("Authorization", ""), "Bearer test-token");
    if (e["message"].value("method", "") == "initialize") {
      EXPECT_FALSE(h.contains("MCP-Session-Id"));
      EXPECT_FALSE(h.contains("MCP-Protocol-Version"));
    } else {
      EXPECT_EQ(h.value("MCP-Protocol-Version", ""), "2025-11-25");
      if (session.empty()) session = h.value("MCP-Session-Id", "");
      EXPECT_EQ(h.value("MCP-Session-Id", ""), session);
    }
  }
  EXPECT_FALSE(session.empty());
}

TEST(McpClientHttp, A404OnTheSessionStartsANewOneAndTheCallGoesThrough) {
  FakeHttpServer server("normal");
  auto client = HttpClient(server.url());
  ASSERT_TRUE(client->CallTool("forget_sessions", json::object(), Soon()).ok());
  auto r = client->CallTool("echo", {{"message", "again"}}, Soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Text(*r), "Echo: again");
  EXPECT_EQ(client->connections_opened(), 2);
}

TEST(McpClientHttp, AStreamCutAfterItsPrimingEventIsResumedWithLastEventId) {
  std::string log = TempPath("log");
  FakeHttpServer server("resume", log);
  auto client = HttpClient(server.url());
  auto r = client->CallTool("echo", {{"message", "resumed"}}, Soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Text(*r), "Echo: resumed");
  bool resumed = false;
  for (const json& e : ReadLog(log)) {
    resumed |= e.value("http", "") == "GET" && e["headers"].value("Last-Event-ID", "") == "ev-1";
  }
  EXPECT_TRUE(resumed);
}

TEST(McpClientHttp, APingFromTheServerInsideTheCallsStreamIsAnsweredFirst) {
  std::string log = TempPath("log");
  FakeHttpServer server("ask", log);  // holds the response until its ping is answered
  auto client = HttpClient(server.url());
  auto r = client->CallTool("echo", {{"message", "asked"}}, Soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Text(*r), "Echo: asked");
}

TEST(McpClientHttp, AServerWithoutSessionsWorks) {
  FakeHttpServer server("no-session");
  auto client = HttpClient(server.url());
  auto r = client->CallTool("add", {{"a", 2}, {"b", 3}}, Soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Text(*r), "5");
}

TEST(McpClientHttp, NobodyListeningIsUnavailable) {
  auto client = HttpClient("http://127.0.0.1:1/mcp");
  auto r = client->Connect(Soon());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("MCP server http://127.0.0.1:1/mcp"));
}

}  // namespace
}  // namespace awoooi::mcp
