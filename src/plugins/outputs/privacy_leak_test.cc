// No original value reaches any channel. A notification is built the way the product builds one:
// PII-laden incident text goes through a real Privacy Shield (one vault per incident), and only the
// Redacted results are put in the notification. It is then delivered through all four channels to
// their local receivers, and every byte each receiver got — HTTP bodies and headers, the e-mail as
// sent and as decoded by Python's e-mail parser — is searched for every original value.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "awoooi/privacy/shield.h"
#include "plugins/outputs/notifiers.h"
#include "plugins/outputs/receiver_process.h"
#include "plugins/outputs/test_notifications.h"

namespace awoooi::plugins::outputs {
namespace {

using notify::DeliveryOutcome;
using testing::ReceiverProcess;
using testing::SharedShield;

// Values the shield must catch, each in the text below.
const std::vector<std::string> kOriginals = {
    "admin@company.com",
    "192.168.1.100",
    "alice.chen@example.com",
    "10.20.30.40",
    "4111 1111 1111 1111",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "AKIAIOSFODNN7EXAMPLE",
    "2001:db8::17",
    "hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/abcdefghijklmnopqrstuvwx",
    "hunter2-Secret!",
    "wang.xiaoming@example.com.tw",
    "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
};

struct Incident {
  privacy::Vault vault;  // one scope per incident: the same value gets the same label everywhere
  notify::Notification n;
};

Incident PiiNotification() {
  Incident inc;
  const privacy::Shield& shield = SharedShield();
  auto r = [&](std::string_view text) { return shield.Redact(text, inc.vault); };
  inc.n.idempotency_key = "evt-77/leak-check";
  inc.n.event = "approval.requested";
  inc.n.severity = Severity::kError;
  inc.n.title = r("Login failures for admin@company.com from 192.168.1.100");
  inc.n.text =
      r("使用者 王小明 (wang.xiaoming@example.com.tw) 從 10.20.30.40 登入失敗。\n"
        "User alice.chen@example.com paid with 4111 1111 1111 1111; request "
        "3f2504e0-4f89-41d3-9a0c-0305e82c3301");
  inc.n.fields = {
      {"Alert", r("AuthFailures on 2001:db8::17")},
      {"Root cause", r("leaked token ghp_abcdefghijklmnopqrstuvwxyz0123456789 in config")},
      {"Blast radius", r("ingress, payments (key AKIAIOSFODNN7EXAMPLE)")},
      {"Risk", r("HIGH: password=hunter2-Secret! found in logs")},
      {"Signatures",
       r("webhook https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/abcdefghijklmnopqrstuvwx")},
  };
  inc.n.link = "https://awoooi.example.com/approvals/77";
  inc.n.at = absl::FromUnixSeconds(1767323045);
  return inc;
}

std::string Everything(const ReceiverProcess& receiver) {
  std::string all;
  for (const auto& rec : receiver.Records()) all += rec.meta.dump(-1, ' ', false) + "\n" + rec.bytes + "\n";
  return all;
}

TEST(PrivacyLeak, NoOriginalValueReachesAnyChannel) {
  Incident inc = PiiNotification();
  // The shield caught every value (otherwise this test would prove nothing about the notifiers).
  std::string redacted = inc.n.title.str() + inc.n.text.str();
  for (const auto& [label, value] : inc.n.fields) redacted += value.str();
  for (const std::string& original : kOriginals) {
    ASSERT_EQ(redacted.find(original), std::string::npos) << "the shield missed " << original;
  }

  ReceiverProcess http("python3", "notify_receiver.py", {});
  ReceiverProcess smtp("/usr/bin/python3", "smtp_receiver.py",
                       {"--tls", "starttls", "--auth", "awoooi:pw-123"});
  ASSERT_TRUE(http.ok() && smtp.ok());
  const std::vector<std::pair<std::string, std::map<std::string, std::string>>> channels = {
      {"slack", {{"webhook_url", http.Url("/slack/ok/T/B/X")}}},
      {"discord", {{"webhook_url", http.Url("/discord/ok/api/webhooks/1/t")}}},
      {"webhook", {{"url", http.Url("/webhook/ok")}, {"secret", "test-webhook-secret-0123456789"}}},
      {"email",
       {{"smtp_url", "smtp://localhost:" + std::to_string(smtp.port())},
        {"ca_file", smtp.extra()},
        {"username", "awoooi"},
        {"password", "pw-123"},
        {"from", "awoooi@example.com"},
        {"to", "oncall@example.com"}}},
  };
  Registry<notify::Notifier> registry;
  RegisterBuiltinNotifiers(registry);
  for (const auto& [type, settings] : channels) {
    auto values = settings;
    values["name"] = "leak-" + type;
    values["type"] = type;
    auto notifier = registry.Create(type, PluginSettings("notifiers[0]", values));
    ASSERT_TRUE(notifier.ok()) << notifier.status();
    notify::DeliveryResult r = (*notifier)->Deliver(inc.n, absl::Now() + absl::Seconds(20), nullptr);
    EXPECT_EQ(r.outcome, DeliveryOutcome::kDelivered) << type << ": " << r.detail;
  }

  ASSERT_EQ(http.Records().size(), 3u);
  ASSERT_EQ(smtp.Records().size(), 1u);
  for (const auto& rec : http.Records()) {
    EXPECT_EQ(rec.meta["verdict"], "ok") << rec.meta["channel"];
    // The labels arrived (the content did flow), in every HTTP channel.
    EXPECT_NE(rec.bytes.find("[EMAIL_1]"), std::string::npos) << rec.meta["channel"];
    EXPECT_NE(rec.bytes.find("[IP_1]"), std::string::npos) << rec.meta["channel"];
    EXPECT_NE(rec.bytes.find("王小明"), std::string::npos) << rec.meta["channel"];
  }
  const std::string mail = smtp.Records()[0].meta.dump(-1, ' ', false);
  EXPECT_NE(mail.find("[EMAIL_1]"), std::string::npos);
  EXPECT_NE(mail.find("王小明"), std::string::npos);

  const std::string delivered = Everything(http) + Everything(smtp);
  for (const std::string& original : kOriginals) {
    EXPECT_EQ(delivered.find(original), std::string::npos) << original << " reached a channel";
  }
  // The compact forms too (a card without spaces, the token without its prefix).
  EXPECT_EQ(delivered.find("4111111111111111"), std::string::npos);
  EXPECT_EQ(delivered.find("abcdefghijklmnopqrstuvwxyz0123456789"), std::string::npos);
}

}  // namespace
}  // namespace awoooi::plugins::outputs
