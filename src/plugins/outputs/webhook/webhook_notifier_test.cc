// The signed webhook notifier against test/fakes/notify_receiver.py, whose /webhook receiver checks
// the signature with the Python code printed in docs/notifications.md (read from the file and run
// as is): if the documentation and the notifier disagree, these tests fail.
#include <gtest/gtest.h>

#include <chrono>

#include "awoooi/core/digest.h"
#include "nlohmann/json.hpp"
#include "plugins/outputs/notifiers.h"
#include "plugins/outputs/receiver_process.h"
#include "plugins/outputs/test_notifications.h"
#include "plugins/outputs/webhook/webhook_message.h"

namespace awoooi::plugins::outputs {
namespace {

using nlohmann::json;
using notify::DeliveryOutcome;
using testing::DemoNotification;
using testing::ReceiverProcess;

constexpr char kSecret[] = "test-webhook-secret-0123456789";  // notify_receiver.py's default

class WebhookNotifierTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(receiver_.ok()) << "notify_receiver.py did not start"; }

  std::unique_ptr<notify::Notifier> Make(const std::string& scenario,
                                         std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> values = {{"name", "pager-bridge"},
                                                 {"type", "webhook"},
                                                 {"url", receiver_.Url("/webhook/" + scenario)},
                                                 {"secret", kSecret}};
    for (auto& [k, v] : extra) values[k] = v;
    auto n = MakeWebhookNotifier(PluginSettings("notifiers[3]", values));
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? std::move(*n) : nullptr;
  }
  notify::DeliveryResult Send(const std::string& scenario, const notify::Notification& n,
                              absl::Duration within = absl::Seconds(20)) {
    return Make(scenario)->Deliver(n, absl::Now() + within, nullptr);
  }

  ReceiverProcess receiver_{"python3", "notify_receiver.py", {}};
};

TEST_F(WebhookNotifierTest, TheDocumentedReceiverVerifiesTheSignatureAndAccepts) {
  notify::DeliveryResult r = Send("ok", DemoNotification());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kDelivered) << r.detail;
  EXPECT_EQ(r.http_status, 200);
  auto records = receiver_.Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].meta["verdict"], "ok");

  const json& h = records[0].meta["headers"];
  EXPECT_EQ(h["content-type"], "application/json");
  EXPECT_EQ(h["x-awoooi-idempotency-key"], "evt-42/ops");
  EXPECT_EQ(h["x-awoooi-event"], "approval.requested");
  // The signature is over timestamp "." body, exactly as received.
  const std::string ts = h["x-awoooi-timestamp"];
  EXPECT_EQ(h["x-awoooi-signature"], "sha256=" + HmacSha256Hex(kSecret, ts + "." + records[0].bytes));

  json body = json::parse(records[0].bytes);
  EXPECT_EQ(body["event"], "approval.requested");
  EXPECT_EQ(body["idempotency_key"], "evt-42/ops");
  EXPECT_EQ(body["severity"], "critical");
  EXPECT_EQ(body["title"], "postgres-db 資料庫連線逾時：需要核准重新啟動");
  EXPECT_EQ(body["fields"][1], (json{{"label", "Root cause"}, {"value", "postgres-db (database)"}}));
  EXPECT_EQ(body["fields"].size(), 6u);
  EXPECT_EQ(body["link"], "https://awoooi.example.com/approvals/7");
  EXPECT_EQ(body["at"], "2026-01-02T03:04:05.000Z");
}

TEST_F(WebhookNotifierTest, AWrongSecretIsRefusedByTheDocumentedReceiver) {
  auto notifier = Make("ok", {{"secret", "not-the-shared-secret-at-all"}});
  notify::DeliveryResult r = notifier->Deliver(DemoNotification(), absl::Now() + absl::Seconds(20), nullptr);
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRejected);
  EXPECT_EQ(r.http_status, 401);
  EXPECT_EQ(receiver_.Records().back().meta["verdict"], "bad signature");
}

TEST_F(WebhookNotifierTest, ConfiguredHeadersAreSentButCannotReplaceTheSignature) {
  auto notifier = Make("ok", {{"headers.X-Team", "sre"}, {"headers.Authorization", "Bearer abc123"}});
  ASSERT_EQ(notifier->Deliver(DemoNotification(), absl::Now() + absl::Seconds(20), nullptr).outcome,
            DeliveryOutcome::kDelivered);
  const json h = receiver_.Records().back().meta["headers"];
  EXPECT_EQ(h["x-team"], "sre");
  EXPECT_EQ(h["authorization"], "Bearer abc123");

  for (const char* key : {"headers.X-AWOOOI-Signature", "headers.content-type", "headers.Host"}) {
    auto bad = MakeWebhookNotifier(PluginSettings(
        "notifiers[3]", {{"url", "https://x.example"}, {"secret", kSecret}, {key, "sha256=forged"}}));
    ASSERT_FALSE(bad.ok()) << key;
    EXPECT_NE(bad.status().message().find("set by AWOOOI"), std::string::npos) << bad.status();
  }
  auto injected = MakeWebhookNotifier(PluginSettings(
      "n", {{"url", "https://x.example"}, {"secret", kSecret}, {"headers.X-Team", "sre\r\nX-Evil: 1"}}));
  EXPECT_FALSE(injected.ok());
}

TEST_F(WebhookNotifierTest, EveryAttemptIsSignedAfreshWithTheSameIdempotencyKey) {
  auto notifier = Make("ok");
  ASSERT_EQ(notifier->Deliver(DemoNotification(), absl::Now() + absl::Seconds(20), nullptr).outcome,
            DeliveryOutcome::kDelivered);
  ASSERT_EQ(notifier->Deliver(DemoNotification(), absl::Now() + absl::Seconds(20), nullptr).outcome,
            DeliveryOutcome::kDelivered);
  auto records = receiver_.Records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].bytes, records[1].bytes);
  EXPECT_EQ(records[0].meta["headers"]["x-awoooi-idempotency-key"],
            records[1].meta["headers"]["x-awoooi-idempotency-key"]);
}

TEST_F(WebhookNotifierTest, OutcomesFollowTheReceiversAnswer) {
  notify::DeliveryResult r = Send("rate_limit", DemoNotification());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(r.http_status, 429);
  EXPECT_EQ(r.retry_after_ms, 7000);
  r = Send("error500", DemoNotification());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(r.http_status, 500);
  r = Send("bad_request", DemoNotification());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRejected);
  EXPECT_EQ(r.http_status, 400);
  r = Send("not_found", DemoNotification());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRejected);
  EXPECT_EQ(r.http_status, 404);
}

TEST_F(WebhookNotifierTest, AStalledReceiverGetsRetryWithinTheDeadline) {
  auto start = std::chrono::steady_clock::now();
  notify::DeliveryResult r = Send("stall", DemoNotification(), absl::Seconds(1));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST(WebhookSettings, TheSecretIsRequiredAndLongEnough) {
  auto none = MakeWebhookNotifier(PluginSettings("notifiers[3]", {{"url", "https://x.example"}}));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("notifiers[3].secret: is required"), std::string::npos)
      << none.status();
  auto shorter =
      MakeWebhookNotifier(PluginSettings("notifiers[3]", {{"url", "https://x.example"}, {"secret", "abc"}}));
  ASSERT_FALSE(shorter.ok());
  EXPECT_NE(shorter.status().message().find("16 characters"), std::string::npos);
  auto unknown = MakeWebhookNotifier(
      PluginSettings("notifiers[3]", {{"url", "https://x.example"}, {"secret", kSecret}, {"sign", "yes"}}));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("notifiers[3].sign: unknown key"), std::string::npos);
}

TEST(WebhookSignature, IsHmacSha256OverTimestampDotBody) {
  // Computed independently: python3 -c "import hmac, hashlib; print(hmac.new(b'key', b'1767323045.{}',
  // hashlib.sha256).hexdigest())"
  EXPECT_EQ(webhook::WebhookSignature("key", 1767323045, "{}"),
            "sha256=1d533de0941004dfdb6d222b1e197476ea94db2c6b6bca39a2ed148ff4b23910");
}

}  // namespace
}  // namespace awoooi::plugins::outputs
