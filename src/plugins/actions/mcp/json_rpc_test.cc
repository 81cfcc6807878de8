#include "plugins/actions/mcp/json_rpc.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <thread>

#include "plugins/actions/mcp/session.h"

namespace awoooi::mcp {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// A transport whose "server" is a function: it sees each message sent and may answer with any
// messages, in any order, delivered synchronously (as the HTTP transport does) or from a thread.
class ScriptedTransport : public Transport {
 public:
  using Script = std::function<void(const json& sent, ScriptedTransport& t)>;
  explicit ScriptedTransport(Script script) : script_(std::move(script)) {}

  absl::Status Open(TransportListener* listener, const CallLimits&) override {
    listener_ = listener;
    return absl::OkStatus();
  }
  absl::Status Send(const Outgoing& message, const CallLimits&) override {
    json j = json::parse(message.text);
    {
      std::lock_guard<std::mutex> lock(mu_);
      sent_.push_back(j);
    }
    script_(j, *this);
    return absl::OkStatus();
  }
  void SetProtocolVersion(const std::string& v) override { version_ = v; }
  void Close() override {}
  std::string Describe() const override { return "scripted"; }
  bool DeliversServerNotifications() const override { return true; }

  void Deliver(const std::string& text) { listener_->OnMessage(text); }
  void Deliver(const json& j) { listener_->OnMessage(j.dump()); }
  std::vector<json> sent() {
    std::lock_guard<std::mutex> lock(mu_);
    return sent_;
  }
  std::string version_;

 private:
  Script script_;
  TransportListener* listener_ = nullptr;
  std::mutex mu_;
  std::vector<json> sent_;
};

CallLimits Soon(int ms = 5000) { return CallLimits{absl::Now() + absl::Milliseconds(ms), nullptr}; }

json Result(const json& request, json result) {
  return {{"jsonrpc", "2.0"}, {"id", request["id"]}, {"result", std::move(result)}};
}

TEST(JsonRpcPeer, ANotificationBeforeTheAnswerIsHandledAndTheAnswerStillMatches) {
  std::vector<std::string> notifications;
  ScriptedTransport t([](const json& sent, ScriptedTransport& t) {
    if (!sent.contains("id")) return;
    // What the reference server does: list_changed before its answer to initialize.
    t.Deliver(json{{"jsonrpc", "2.0"}, {"method", "notifications/tools/list_changed"}});
    t.Deliver(Result(sent, {{"ok", true}}));
  });
  JsonRpcPeer peer(&t, [&](const std::string& method, const json&) { notifications.push_back(method); });
  ASSERT_TRUE(t.Open(&peer, Soon()).ok());
  auto r = peer.Call("initialize", json::object(), Soon());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)["ok"], true);
  EXPECT_THAT(notifications, ::testing::ElementsAre("notifications/tools/list_changed"));
}

TEST(JsonRpcPeer, ResponsesOutOfOrderReachTheirOwnCallers) {
  // The server holds each request and answers both once the second arrives, second first.
  std::mutex mu;
  std::deque<json> held;
  ScriptedTransport t([&](const json& sent, ScriptedTransport& t) {
    std::lock_guard<std::mutex> lock(mu);
    held.push_back(sent);
    if (held.size() == 2) {
      t.Deliver(Result(held[1], held[1]["params"]));
      t.Deliver(Result(held[0], held[0]["params"]));
    }
  });
  JsonRpcPeer peer(&t, nullptr);
  ASSERT_TRUE(t.Open(&peer, Soon()).ok());
  absl::StatusOr<json> first;
  std::thread other([&] { first = peer.Call("m", {{"who", "first"}}, Soon()); });
  while (true) {
    std::lock_guard<std::mutex> lock(mu);
    if (!held.empty()) break;
  }
  auto second = peer.Call("m", {{"who", "second"}}, Soon());
  other.join();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ((*first)["who"], "first");
  EXPECT_EQ((*second)["who"], "second");
}

TEST(JsonRpcPeer, ATimeoutSendsCancelledAndTheLateAnswerIsDropped) {
  json pending_request;
  ScriptedTransport t([&](const json& sent, ScriptedTransport&) {
    if (sent.value("method", "") == "tools/call") pending_request = sent;  // never answered in time
  });
  JsonRpcPeer peer(&t, nullptr);
  ASSERT_TRUE(t.Open(&peer, Soon()).ok());
  auto r = peer.Call("tools/call", {{"name", "slow"}}, Soon(100));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
  auto sent = t.sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1]["method"], "notifications/cancelled");
  EXPECT_EQ(sent[1]["params"]["requestId"], pending_request["id"]);
  EXPECT_EQ(sent[1]["params"]["reason"], "timeout");
  t.Deliver(Result(pending_request, json::object()));  // too late
  EXPECT_EQ(peer.unmatched_responses(), 1);
  EXPECT_TRUE(peer.health().ok());
}

TEST(JsonRpcPeer, CancellationFlagStopsTheWaitAndTellsTheServer) {
  std::atomic<bool> cancel{false};
  ScriptedTransport t([&](const json&, ScriptedTransport&) { cancel = true; });
  JsonRpcPeer peer(&t, nullptr);
  ASSERT_TRUE(t.Open(&peer, Soon()).ok());
  auto r = peer.Call("tools/call", json::object(), CallLimits{absl::InfiniteFuture(), &cancel});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(t.sent().back()["params"]["reason"], "cancelled");
}

TEST(JsonRpcPeer, ServerRequestsAreAnsweredPingWithEmptyResultOthersMethodNotFound) {
  ScriptedTransport t([](const json& sent, ScriptedTransport& t) {
    if (sent.value("method", "") != "go") return;
    t.Deliver(json{{"jsonrpc", "2.0"}, {"id", "s1"}, {"method", "ping"}});
    t.Deliver(json{
        {"jsonrpc", "2.0"}, {"id", 7}, {"method", "sampling/createMessage"}, {"params", json::object()}});
    t.Deliver(Result(sent, json::object()));
  });
  JsonRpcPeer peer(&t, nullptr);
  ASSERT_TRUE(t.Open(&peer, Soon()).ok());
  ASSERT_TRUE(peer.Call("go", json(), Soon()).ok());
  auto sent = t.sent();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[1], json::parse(R"({"jsonrpc":"2.0","id":"s1","result":{}})"));
  EXPECT_EQ(sent[2]["id"], 7);
  EXPECT_EQ(sent[2]["error"]["code"], -32601);
}

TEST(JsonRpcPeer, ErrorAnswersBecomeStatusesWithTheServersMessage) {
  ScriptedTransport t([](const json& sent, ScriptedTransport& t) {
    int code = sent["params"]["code"];
    t.Deliver(json{{"jsonrpc", "2.0"}, {"id", sent["id"]}, {"error", {{"code", code}, {"message", "nope"}}}});
  });
  JsonRpcPeer peer(&t, nullptr);
  ASSERT_TRUE(t.Open(&peer, Soon()).ok());
  auto r = peer.Call("tools/call", {{"code", -32602}}, Soon());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "tools/call: the server answered error -32602: nope");
  EXPECT_EQ(peer.Call("x", {{"code", -32601}}, Soon()).status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(peer.Call("x", {{"code", -1}}, Soon()).status().code(), absl::StatusCode::kUnknown);
  EXPECT_TRUE(peer.health().ok());
}

TEST(JsonRpcPeer, GarbageBreaksThePeerWithoutQuotingIt) {
  ScriptedTransport t(
      [](const json&, ScriptedTransport& t) { t.Deliver(std::string("password=hunter2 oops")); });
  JsonRpcPeer peer(&t, nullptr);
  ASSERT_TRUE(t.Open(&peer, Soon()).ok());
  auto r = peer.Call("initialize", json::object(), Soon());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr("not JSON"));
  EXPECT_THAT(r.status().message(), ::testing::Not(HasSubstr("hunter2")));
  EXPECT_EQ(peer.Call("tools/list", json::object(), Soon()).status().code(), absl::StatusCode::kDataLoss);
}

TEST(JsonRpcPeer, TheTransportEndingFailsTheWaitingCall) {
  ScriptedTransport* self = nullptr;
  JsonRpcPeer* peer_ptr = nullptr;
  ScriptedTransport t([&](const json&, ScriptedTransport&) {
    peer_ptr->OnClosed(absl::UnavailableError("the MCP server exited with status 3"));
  });
  self = &t;
  JsonRpcPeer peer(self, nullptr);
  peer_ptr = &peer;
  ASSERT_TRUE(t.Open(&peer, Soon()).ok());
  auto r = peer.Call("tools/call", json::object(), Soon());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("exited with status 3"));
}

TEST(InitializeSession, OffersTheNewestVersionAndAcceptsTheOlderOne) {
  ScriptedTransport t([](const json& sent, ScriptedTransport& t) {
    if (sent.value("method", "") == "initialize") {
      t.Deliver(Result(sent, {{"protocolVersion", "2025-06-18"},
                              {"capabilities", {{"tools", {{"listChanged", true}}}}},
                              {"serverInfo", {{"name", "s"}, {"version", "1"}}}}));
    }
  });
  JsonRpcPeer peer(&t, nullptr);
  ASSERT_TRUE(t.Open(&peer, Soon()).ok());
  auto info = MakeInitializeSession({"awoooi", "0.1"})->Start(peer, t, Soon());
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->protocol_version, "2025-06-18");
  EXPECT_TRUE(info->tools_list_changed);
  EXPECT_EQ(t.version_, "2025-06-18");
  auto sent = t.sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0]["params"]["protocolVersion"], "2025-11-25");
  EXPECT_EQ(sent[0]["params"]["clientInfo"]["name"], "awoooi");
  EXPECT_EQ(sent[1], json::parse(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
}

TEST(InitializeSession, RefusesAVersionItDoesNotSpeak) {
  ScriptedTransport t([](const json& sent, ScriptedTransport& t) {
    t.Deliver(Result(sent, {{"protocolVersion", "2024-11-05"}, {"capabilities", json::object()}}));
  });
  JsonRpcPeer peer(&t, nullptr);
  ASSERT_TRUE(t.Open(&peer, Soon()).ok());
  auto info = MakeInitializeSession({"awoooi", "0.1"})->Start(peer, t, Soon());
  EXPECT_EQ(info.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(info.status().message(), HasSubstr("\"2024-11-05\"; awoooi speaks 2025-11-25 and 2025-06-18"));
  EXPECT_EQ(t.sent().size(), 1u);  // no notifications/initialized
}

}  // namespace
}  // namespace awoooi::mcp
