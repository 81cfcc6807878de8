// The Discord notifier against test/fakes/notify_receiver.py, which checks each message against
// Discord's embed limits and answers as a webhook does (?wait=true: 200 with the message; 429 with
// retry_after in JSON and Retry-After; 400 code 50035; 404 code 10015; 500; or silence).
#include <gtest/gtest.h>

#include <chrono>

#include "nlohmann/json.hpp"
#include "plugins/outputs/common/severity.h"
#include "plugins/outputs/discord/discord_message.h"
#include "plugins/outputs/notifiers.h"
#include "plugins/outputs/receiver_process.h"
#include "plugins/outputs/test_notifications.h"

namespace awoooi::plugins::outputs {
namespace {

using nlohmann::json;
using notify::DeliveryOutcome;
using testing::DemoNotification;
using testing::ReceiverProcess;
using testing::Shielded;

std::size_t Units(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? ((c & 0xF8) == 0xF0 ? 2 : 1) : 0;
  return n;
}

class DiscordNotifierTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(receiver_.ok()) << "notify_receiver.py did not start"; }

  std::unique_ptr<notify::Notifier> Make(const std::string& scenario) {
    auto n = MakeDiscordNotifier(PluginSettings(
        "notifiers[0]", {{"name", "ops-discord"},
                         {"type", "discord"},
                         {"webhook_url", receiver_.Url("/discord/" + scenario + "/api/webhooks/1/tok")}}));
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? std::move(*n) : nullptr;
  }
  notify::DeliveryResult Send(const std::string& scenario, const notify::Notification& n,
                              absl::Duration within = absl::Seconds(20)) {
    return Make(scenario)->Deliver(n, absl::Now() + within, nullptr);
  }
  json LastEmbed() {
    auto records = receiver_.Records();
    EXPECT_FALSE(records.empty());
    return records.empty() ? json() : json::parse(records.back().bytes)["embeds"][0];
  }

  ReceiverProcess receiver_{"python3", "notify_receiver.py", {}};
};

TEST_F(DiscordNotifierTest, DeliversAnEmbedAndWaitsForDiscordToConfirmIt) {
  notify::DeliveryResult r = Send("ok", DemoNotification());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kDelivered) << r.detail;
  EXPECT_EQ(r.http_status, 200);  // with ?wait=true; without it Discord answers 204 and proves less
  auto records = receiver_.Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].meta["verdict"], "ok");
  EXPECT_EQ(records[0].meta["query"], "wait=true");

  json body = json::parse(records[0].bytes);
  EXPECT_EQ(body["allowed_mentions"]["parse"], json::array());
  const json& e = body["embeds"][0];
  EXPECT_EQ(e["title"], "postgres-db 資料庫連線逾時：需要核准重新啟動");
  EXPECT_EQ(e["url"], "https://awoooi.example.com/approvals/7");
  EXPECT_EQ(e["color"], 0xD32F2F);
  EXPECT_EQ(e["timestamp"], "2026-01-02T03:04:05.000Z");
  EXPECT_NE(e["description"].get<std::string>().find("根本原因是 postgres-db"), std::string::npos);
  EXPECT_NE(
      e["description"].get<std::string>().find("[Open in AWOOOI](https://awoooi.example.com/approvals/7)"),
      std::string::npos);
  ASSERT_EQ(e["fields"].size(), 6u);
  EXPECT_EQ(e["fields"][1]["name"], "Root cause");
  EXPECT_EQ(e["fields"][1]["value"], "postgres-db (database)");
  EXPECT_EQ(e["footer"]["text"], "AWOOOI \xC2\xB7 CRITICAL \xC2\xB7 approval.requested");
}

TEST_F(DiscordNotifierTest, TheColourFollowsTheSeverity) {
  notify::Notification n = DemoNotification();
  for (Severity s : {Severity::kCritical, Severity::kError, Severity::kWarning, Severity::kInfo}) {
    n.severity = s;
    ASSERT_EQ(Send("ok", n).outcome, DeliveryOutcome::kDelivered);
    EXPECT_EQ(LastEmbed()["color"], SeverityColor(s));
  }
  EXPECT_EQ(SeverityColor(Severity::kCritical), 0xD32F2Fu);  // red
  EXPECT_EQ(SeverityColor(Severity::kError), 0xF57C00u);     // orange
  EXPECT_EQ(SeverityColor(Severity::kWarning), 0xFBC02Du);   // yellow
  EXPECT_EQ(SeverityColor(Severity::kInfo), 0x1976D2u);      // blue
}

TEST_F(DiscordNotifierTest, AnOversizedNotificationIsShortenedToDiscordsLimitsAndAccepted) {
  notify::Notification n = DemoNotification();
  std::string long_title(400, 'T'), text, value;
  for (int i = 0; i < 3000; ++i) text += "連線";  // 6,000 characters
  for (int i = 0; i < 700; ++i) value += "逾時";  // 1,400 characters
  n.title = Shielded(long_title);
  n.text = Shielded(text);
  n.fields.clear();
  for (int i = 0; i < 30; ++i)
    n.fields.push_back({"Factor " + std::to_string(i), Shielded(i == 0 ? "short" : value)});

  notify::DeliveryResult r = Send("ok", n);
  EXPECT_EQ(r.outcome, DeliveryOutcome::kDelivered) << r.detail;
  EXPECT_EQ(receiver_.Records().back().meta["verdict"], "ok");
  json e = LastEmbed();
  EXPECT_EQ(Units(e["title"]), discord::kTitleMax);
  ASSERT_EQ(e["fields"].size(), discord::kFieldsMax);
  std::size_t total = Units(e["title"]) + Units(e["description"]) + Units(e["footer"]["text"]);
  for (const json& f : e["fields"]) total += Units(f["name"]) + Units(f["value"]);
  EXPECT_LE(total, discord::kEmbedTotalMax);
  EXPECT_GT(total, discord::kEmbedTotalMax - 100) << "the budget should be used, not wasted";
  EXPECT_EQ(e["fields"][0]["value"], "short") << "short values are kept whole";
}

TEST_F(DiscordNotifierTest, ValuesCannotPingOrFormLinks) {
  notify::Notification n = DemoNotification();
  n.text = Shielded("@everyone see [the fix](https://evil.example) **now**");
  ASSERT_EQ(Send("ok", n).outcome, DeliveryOutcome::kDelivered);
  std::string description = LastEmbed()["description"];
  EXPECT_EQ(description.find("[the fix](https://evil"), std::string::npos);
  EXPECT_NE(description.find("\\@everyone see \\[the fix\\](https://evil.example) \\*\\*now\\*\\*"),
            std::string::npos)
      << description;
}

TEST_F(DiscordNotifierTest, RateLimitUsesTheBodysPreciseRetryAfter) {
  notify::DeliveryResult r = Send("rate_limit", DemoNotification());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(r.http_status, 429);
  EXPECT_EQ(r.retry_after_ms, 2500);  // {"retry_after": 2.5}, not the header's rounded 3
}

TEST_F(DiscordNotifierTest, ServerErrorsAreRetriedAndClientErrorsRejected) {
  notify::DeliveryResult r = Send("error500", DemoNotification());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(r.http_status, 500);
  r = Send("not_found", DemoNotification());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRejected);
  EXPECT_EQ(r.http_status, 404);
  EXPECT_NE(r.detail.find("10015"), std::string::npos) << r.detail;
  EXPECT_EQ(r.detail.find("Unknown Webhook"), std::string::npos) << "the body's text is not repeated";
  r = Send("bad_request", DemoNotification());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRejected);
  EXPECT_NE(r.detail.find("50035"), std::string::npos) << r.detail;
}

TEST_F(DiscordNotifierTest, AStalledReceiverGetsRetryWithinTheDeadline) {
  auto start = std::chrono::steady_clock::now();
  notify::DeliveryResult r = Send("stall", DemoNotification(), absl::Seconds(1));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST(DiscordSettings, TheWebhookUrlKeepsItsQueryAndGetsWait) {
  ReceiverProcess receiver("python3", "notify_receiver.py", {});
  ASSERT_TRUE(receiver.ok());
  auto n = MakeDiscordNotifier(
      PluginSettings("n", {{"webhook_url", receiver.Url("/discord/ok/api/webhooks/1/tok?thread_id=99")}}));
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ((*n)->Deliver(DemoNotification(), absl::Now() + absl::Seconds(20), nullptr).outcome,
            DeliveryOutcome::kDelivered);
  EXPECT_EQ(receiver.Records().back().meta["query"], "thread_id=99&wait=true");
  auto bad = MakeDiscordNotifier(PluginSettings("n", {{"webhook_url", "https://x"}, {"username", "bot"}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("n.username: unknown key"), std::string::npos);
}

}  // namespace
}  // namespace awoooi::plugins::outputs
