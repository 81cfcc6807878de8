// The Slack notifier against test/fakes/notify_receiver.py, which checks each message against Slack's
// Block Kit limits and answers as an incoming webhook does (200 "ok", 429, 400 invalid_payload, 404
// no_service, 500, or silence).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "nlohmann/json.hpp"
#include "plugins/outputs/notifiers.h"
#include "plugins/outputs/receiver_process.h"
#include "plugins/outputs/slack/slack_message.h"
#include "plugins/outputs/test_notifications.h"

namespace awoooi::plugins::outputs {
namespace {

using nlohmann::json;
using notify::DeliveryOutcome;
using testing::DemoNotification;
using testing::ReceiverProcess;
using testing::Shielded;

const std::string kEllipsis = "\xE2\x80\xA6";

std::size_t Units(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? ((c & 0xF8) == 0xF0 ? 2 : 1) : 0;
  return n;
}

class SlackNotifierTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(receiver_.ok()) << "notify_receiver.py did not start"; }

  std::unique_ptr<notify::Notifier> Make(const std::string& scenario,
                                         std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> values = {
        {"name", "ops-slack"},
        {"type", "slack"},
        {"webhook_url", receiver_.Url("/slack/" + scenario + "/T000/B000/XXXX")}};
    for (auto& [k, v] : extra) values[k] = v;
    auto n = MakeSlackNotifier(PluginSettings("notifiers[0]", values));
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? std::move(*n) : nullptr;
  }
  notify::DeliveryResult Send(const std::string& scenario, const notify::Notification& n,
                              absl::Duration within = absl::Seconds(20)) {
    return Make(scenario)->Deliver(n, absl::Now() + within, nullptr);
  }
  json LastBody() {
    auto records = receiver_.Records();
    EXPECT_FALSE(records.empty());
    return records.empty() ? json() : json::parse(records.back().bytes);
  }

  ReceiverProcess receiver_{"python3", "notify_receiver.py", {}};
};

TEST_F(SlackNotifierTest, DeliversABlockKitCardThatSlacksLimitsAccept) {
  notify::DeliveryResult r = Send("ok", DemoNotification());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kDelivered) << r.detail;
  EXPECT_EQ(r.http_status, 200);
  auto records = receiver_.Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].meta["verdict"], "ok");

  json body = json::parse(records[0].bytes);
  const json& blocks = body["blocks"];
  ASSERT_GE(blocks.size(), 5u);
  EXPECT_EQ(blocks[0]["type"], "header");
  EXPECT_EQ(blocks[0]["text"]["text"], "postgres-db 資料庫連線逾時：需要核准重新啟動");
  EXPECT_EQ(blocks[1]["type"], "section");
  EXPECT_NE(blocks[1]["text"]["text"].get<std::string>().find("根本原因是 postgres-db"), std::string::npos);
  EXPECT_EQ(blocks[2]["fields"][1]["text"], "*Root cause*\npostgres-db (database)");
  EXPECT_EQ(blocks[2]["fields"].size(), 6u);
  EXPECT_EQ(blocks[3]["type"], "context");
  EXPECT_NE(blocks[3]["elements"][0]["text"].get<std::string>().find("*CRITICAL*"), std::string::npos);
  EXPECT_NE(blocks[3]["elements"][0]["text"].get<std::string>().find("approval.requested"),
            std::string::npos);
  EXPECT_EQ(blocks[4]["type"], "actions");
  EXPECT_EQ(blocks[4]["elements"][0]["url"], "https://awoooi.example.com/approvals/7");
  EXPECT_EQ(blocks[4]["elements"][0]["text"]["text"], "Open in AWOOOI");
  EXPECT_EQ(body["text"].get<std::string>().rfind("[CRITICAL] postgres-db 資料庫連線逾時", 0), 0u);
}

TEST_F(SlackNotifierTest, WithoutALinkThereIsNoButton) {
  notify::Notification n = DemoNotification();
  n.link = "";
  ASSERT_EQ(Send("ok", n).outcome, DeliveryOutcome::kDelivered);
  const json without_link = LastBody();
  for (const json& b : without_link["blocks"]) EXPECT_NE(b["type"], "actions");
  n.link = "javascript:alert(1)";
  ASSERT_EQ(Send("ok", n).outcome, DeliveryOutcome::kDelivered);
  const json unsafe_link = LastBody();
  for (const json& b : unsafe_link["blocks"]) EXPECT_NE(b["type"], "actions");
}

TEST_F(SlackNotifierTest, LongTextsAreCutToSlacksLimitsAndStillAccepted) {
  notify::Notification n = DemoNotification();
  std::string title, text, value;
  for (int i = 0; i < 100; ++i) title += "逾時";
  for (int i = 0; i < 5000; ++i) text += "連線";
  for (int i = 0; i < 3000; ++i) value += "x";
  n.title = Shielded(title);
  n.text = Shielded(text);
  n.fields.clear();
  for (int i = 0; i < 45; ++i) n.fields.push_back({"Factor " + std::to_string(i), Shielded(value)});

  notify::DeliveryResult r = Send("ok", n);
  EXPECT_EQ(r.outcome, DeliveryOutcome::kDelivered) << r.detail;
  EXPECT_EQ(receiver_.Records().back().meta["verdict"], "ok");
  json body = LastBody();
  const std::string header = body["blocks"][0]["text"]["text"];
  EXPECT_EQ(Units(header), slack::kHeaderTextMax);
  EXPECT_EQ(header.substr(header.size() - 3), kEllipsis);
  const std::string section = body["blocks"][1]["text"]["text"];
  EXPECT_EQ(Units(section), slack::kSectionTextMax);
  std::size_t field_sections = 0, fields = 0;
  for (const json& b : body["blocks"]) {
    if (!b.contains("fields")) continue;
    ++field_sections;
    EXPECT_LE(b["fields"].size(), slack::kFieldsPerSection);
    fields += b["fields"].size();
    for (const json& f : b["fields"]) EXPECT_LE(Units(f["text"]), slack::kFieldTextMax);
  }
  EXPECT_EQ(field_sections, 4u);
  EXPECT_EQ(fields, 40u);
  EXPECT_NE(body.dump().find("5 more fields in the dashboard"), std::string::npos);
}

TEST_F(SlackNotifierTest, ValuesCannotFormLinksOrMentions) {
  notify::Notification n = DemoNotification();
  n.text = Shielded("<!channel> see <https://evil.example/login|the fix> & more");
  n.fields = {{"Root cause", Shielded("<@U0123> <!here>")}};
  ASSERT_EQ(Send("ok", n).outcome, DeliveryOutcome::kDelivered);
  std::string bytes = receiver_.Records().back().bytes;
  EXPECT_EQ(bytes.find("<!channel>"), std::string::npos);
  EXPECT_EQ(bytes.find("<https://evil"), std::string::npos);
  EXPECT_EQ(bytes.find("<@U0123>"), std::string::npos);
  EXPECT_NE(bytes.find("&lt;!channel&gt; see &lt;https://evil.example/login|the fix&gt; &amp; more"),
            std::string::npos);
}

TEST_F(SlackNotifierTest, RateLimitIsRetriedAfterWhatSlackAsked) {
  notify::DeliveryResult r = Send("rate_limit", DemoNotification());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(r.http_status, 429);
  EXPECT_EQ(r.retry_after_ms, 7000);
}

TEST_F(SlackNotifierTest, ServerErrorsAreRetried) {
  notify::DeliveryResult r = Send("error500", DemoNotification());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(r.http_status, 500);
}

TEST_F(SlackNotifierTest, ClientErrorsAreRejectedWithSlacksErrorCode) {
  notify::DeliveryResult r = Send("bad_request", DemoNotification());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRejected);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_NE(r.detail.find("invalid_payload"), std::string::npos) << r.detail;
  r = Send("not_found", DemoNotification());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRejected);
  EXPECT_EQ(r.http_status, 404);
  EXPECT_NE(r.detail.find("no_service"), std::string::npos) << r.detail;
}

TEST_F(SlackNotifierTest, ASuccessWithoutOkIsNotTakenForDelivery) {
  notify::DeliveryResult r = Send("not_ok", DemoNotification());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRejected);
  EXPECT_EQ(r.detail.find("html"), std::string::npos) << "the body must not be repeated: " << r.detail;
}

TEST_F(SlackNotifierTest, AStalledReceiverGetsRetryWithinTheDeadline) {
  auto start = std::chrono::steady_clock::now();
  notify::DeliveryResult r = Send("stall", DemoNotification(), absl::Seconds(1));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(r.http_status, 0);
  EXPECT_LT(took, std::chrono::seconds(20)) << "waited for the stalled receiver (30 s)";
}

TEST_F(SlackNotifierTest, CancelStopsADeliveryInFlight) {
  auto notifier = Make("stall");
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    while (receiver_.Records().empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    cancel = true;
  });
  notify::DeliveryResult r = notifier->Deliver(DemoNotification(), absl::Now() + absl::Seconds(25), &cancel);
  canceller.join();
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_NE(r.detail.find("cancel"), std::string::npos) << r.detail;
}

TEST_F(SlackNotifierTest, NothingIsSentWhenTheDeadlineHasPassedOrCancelIsSet) {
  auto notifier = Make("ok");
  EXPECT_EQ(notifier->Deliver(DemoNotification(), absl::Now() - absl::Seconds(1), nullptr).outcome,
            DeliveryOutcome::kRetry);
  std::atomic<bool> cancel{true};
  EXPECT_EQ(notifier->Deliver(DemoNotification(), absl::Now() + absl::Seconds(5), &cancel).outcome,
            DeliveryOutcome::kRetry);
  EXPECT_TRUE(receiver_.Records().empty());
}

TEST_F(SlackNotifierTest, ARefusedConnectionIsRetriedAndTheSecretUrlStaysOut) {
  auto n = MakeSlackNotifier(PluginSettings(
      "notifiers[0]",
      {{"name", "s"}, {"type", "slack"}, {"webhook_url", "http://127.0.0.1:9/services/T1/B2/sekrit"}}));
  ASSERT_TRUE(n.ok());
  notify::DeliveryResult r = (*n)->Deliver(DemoNotification(), absl::Now() + absl::Seconds(10), nullptr);
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(r.detail.find("sekrit"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("127.0.0.1"), std::string::npos) << r.detail;
}

TEST(SlackSettings, UnknownKeysAndMissingUrlsAreNamed) {
  auto bad = MakeSlackNotifier(PluginSettings(
      "notifiers[1]", {{"name", "s"}, {"type", "slack"}, {"webhook_url", "https://x"}, {"chanel", "#ops"}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("notifiers[1].chanel: unknown key"), std::string::npos)
      << bad.status();
  auto missing = MakeSlackNotifier(PluginSettings("notifiers[1]", {{"name", "s"}, {"type", "slack"}}));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("notifiers[1].webhook_url"), std::string::npos);
  auto both = MakeSlackNotifier(
      PluginSettings("notifiers[1]", {{"webhook_url", "https://x"}, {"webhook_url_env", "X"}}));
  ASSERT_FALSE(both.ok());
}

TEST(SlackSettings, TheUrlCanComeFromTheEnvironmentOrAFileAndIsNeverInErrors) {
  ::unsetenv("AWOOOI_TEST_SLACK_UNSET");
  auto unset = MakeSlackNotifier(PluginSettings("n", {{"webhook_url_env", "AWOOOI_TEST_SLACK_UNSET"}}));
  ASSERT_FALSE(unset.ok());
  EXPECT_NE(unset.status().message().find("AWOOOI_TEST_SLACK_UNSET is not set"), std::string::npos);

  ::setenv("AWOOOI_TEST_SLACK_URL", "ftp://hooks.example/sekrit-token", 1);
  auto wrong = MakeSlackNotifier(PluginSettings("n", {{"webhook_url_env", "AWOOOI_TEST_SLACK_URL"}}));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().message().find("sekrit"), std::string::npos) << wrong.status();

  std::string file = ::testing::TempDir() + "/slack-url";
  std::ofstream(file) << "  https://hooks.slack.com/services/T1/B2/abc\n";
  auto from_file = MakeSlackNotifier(PluginSettings("n", {{"name", "f"}, {"webhook_url_file", file}}));
  ASSERT_TRUE(from_file.ok()) << from_file.status();
  EXPECT_EQ((*from_file)->name(), "f");
  EXPECT_EQ((*from_file)->type(), "slack");
}

}  // namespace
}  // namespace awoooi::plugins::outputs
