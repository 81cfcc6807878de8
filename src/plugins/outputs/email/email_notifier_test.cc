// The e-mail notifier against a real SMTP server: test/fakes/smtp_receiver.py runs aiosmtpd (Debian's
// python3-aiosmtpd) on loopback with STARTTLS or implicit TLS on a throwaway certificate made with
// the openssl CLI, and AUTH; Python's e-mail parser reports what a mail client would see.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "nlohmann/json.hpp"
#include "plugins/outputs/email/email_message.h"
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

constexpr char kPython[] = "/usr/bin/python3";  // sees python3-aiosmtpd

struct Smtp {
  explicit Smtp(std::vector<std::string> args) : receiver(kPython, "smtp_receiver.py", std::move(args)) {}
  ReceiverProcess receiver;
};

std::map<std::string, std::string> Settings(const Smtp& smtp, const std::string& scheme = "smtp") {
  return {{"name", "oncall-mail"},
          {"type", "email"},
          {"smtp_url", scheme + "://localhost:" + std::to_string(smtp.receiver.port())},
          {"ca_file", smtp.receiver.extra()},
          {"username", "awoooi"},
          {"password", "s3cret-pass"},
          {"from", "AWOOOI 告警 <awoooi@example.com>"},
          {"to", "oncall@example.com, Lead <sre-lead@example.com>"}};
}

notify::DeliveryResult Send(const std::map<std::string, std::string>& settings, const notify::Notification& n,
                            absl::Duration within = absl::Seconds(20)) {
  auto notifier = MakeEmailNotifier(PluginSettings("notifiers[2]", settings));
  EXPECT_TRUE(notifier.ok()) << notifier.status();
  if (!notifier.ok()) return {};
  return (*notifier)->Deliver(n, absl::Now() + within, nullptr);
}

const json* Part(const json& record, const std::string& type) {
  for (const json& p : record["parts"]) {
    if (p["content_type"] == type) return &p;
  }
  return nullptr;
}

TEST(EmailNotifier, DeliversAMultipartMessageOverStartTlsWithAuth) {
  Smtp smtp({"--tls", "starttls", "--auth", "awoooi:s3cret-pass"});
  ASSERT_TRUE(smtp.receiver.ok()) << "smtp_receiver.py did not start (is python3-aiosmtpd installed?)";
  notify::DeliveryResult r = Send(Settings(smtp), DemoNotification());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kDelivered) << r.detail;
  auto records = smtp.receiver.Records();
  ASSERT_EQ(records.size(), 1u);
  const json& m = records[0].meta;
  EXPECT_FALSE(m.contains("parse_error")) << m["parse_error"];
  EXPECT_EQ(m["tls"], true);
  EXPECT_EQ(m["auth_login"], "awoooi");
  EXPECT_EQ(m["mail_from"], "awoooi@example.com");
  EXPECT_EQ(m["rcpt_tos"], (json{"oncall@example.com", "sre-lead@example.com"}));
  EXPECT_EQ(m["content_type"], "multipart/alternative");
  EXPECT_EQ(m["subject"], "[AWOOOI] CRITICAL: postgres-db 資料庫連線逾時：需要核准重新啟動");
  EXPECT_EQ(m["message_id"], email::MessageIdFor("evt-42/ops", "awoooi@example.com"));

  const json* text = Part(m, "text/plain");
  const json* html = Part(m, "text/html");
  ASSERT_TRUE(text != nullptr && html != nullptr) << m["parts"];
  EXPECT_EQ(m["parts"].size(), 2u);
  const std::string plain = (*text)["content"];
  EXPECT_NE(plain.find("根本原因是 postgres-db"), std::string::npos) << plain;
  EXPECT_NE(plain.find("Root cause: postgres-db (database)"), std::string::npos) << plain;
  EXPECT_NE(plain.find("Open in AWOOOI: https://awoooi.example.com/approvals/7"), std::string::npos);
  const std::string page = (*html)["content"];
  EXPECT_NE(page.find("<h2 style=\"margin:4px 0 12px\">postgres-db 資料庫連線逾時：需要核准重新啟動</h2>"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("href=\"https://awoooi.example.com/approvals/7\""), std::string::npos);
  EXPECT_NE(page.find("frontend 5xx rate &gt; 15%"), std::string::npos);

  std::map<std::string, std::string> headers;
  for (const json& h : m["headers"]) headers[h[0]] = h[1];
  EXPECT_EQ(headers["From"], "AWOOOI 告警 <awoooi@example.com>");
  EXPECT_EQ(headers["Date"], "Fri, 02 Jan 2026 03:04:05 +0000");  // the event's time
  EXPECT_EQ(headers["Auto-Submitted"], "auto-generated");
  EXPECT_EQ(headers["X-AWOOOI-Idempotency-Key"], "evt-42/ops");
  EXPECT_EQ(headers["X-AWOOOI-Severity"], "critical");
}

TEST(EmailNotifier, ARepeatCarriesTheSameMessageId) {
  Smtp smtp({"--tls", "starttls", "--auth", "awoooi:s3cret-pass"});
  ASSERT_TRUE(smtp.receiver.ok());
  notify::Notification n = DemoNotification();
  ASSERT_EQ(Send(Settings(smtp), n).outcome, DeliveryOutcome::kDelivered);
  ASSERT_EQ(Send(Settings(smtp), n).outcome, DeliveryOutcome::kDelivered);
  n.idempotency_key = "evt-43/ops";
  ASSERT_EQ(Send(Settings(smtp), n).outcome, DeliveryOutcome::kDelivered);
  auto records = smtp.receiver.Records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].meta["message_id"], records[1].meta["message_id"]);
  EXPECT_NE(records[0].meta["message_id"], records[2].meta["message_id"]);
}

TEST(EmailNotifier, ValuesCannotAddHeadersOrMarkup) {
  Smtp smtp({"--tls", "starttls", "--auth", "awoooi:s3cret-pass"});
  ASSERT_TRUE(smtp.receiver.ok());
  notify::Notification n = DemoNotification();
  n.title = Shielded("Disk full\r\nBcc: victim@evil.example\r\nX-Injected: yes");
  n.event = "incident.opened\r\nCc: other@evil.example";
  n.idempotency_key = "evt-44/ops\nTo: third@evil.example";
  n.text = Shielded("<script>alert('x')</script> & <b>bold</b>");
  n.fields = {{"Root cause", Shielded("<img src=x onerror=alert(1)>")}};
  n.link = "javascript:alert(1)";
  ASSERT_EQ(Send(Settings(smtp), n).outcome, DeliveryOutcome::kDelivered);
  const json m = smtp.receiver.Records().back().meta;
  const json& counts = m["header_counts"];
  EXPECT_FALSE(counts.contains("bcc"));
  EXPECT_FALSE(counts.contains("cc"));
  EXPECT_FALSE(counts.contains("x-injected"));
  EXPECT_EQ(counts["to"], 1);
  EXPECT_EQ(counts["subject"], 1);
  // The shield already took the address out; the line breaks are what must not survive.
  EXPECT_EQ(m["subject"], "[AWOOOI] CRITICAL: Disk full Bcc: [EMAIL_1] X-Injected: yes");
  EXPECT_EQ(m["rcpt_tos"], (json{"oncall@example.com", "sre-lead@example.com"}));
  const std::string page = (*Part(m, "text/html"))["content"];
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_EQ(page.find("<b>bold"), std::string::npos);
  EXPECT_EQ(page.find("javascript:"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"),
            std::string::npos)
      << page;
}

TEST(EmailNotifier, DeliversOverImplicitTls) {
  Smtp smtp({"--tls", "implicit", "--auth", "awoooi:s3cret-pass"});
  ASSERT_TRUE(smtp.receiver.ok());
  notify::DeliveryResult r = Send(Settings(smtp, "smtps"), DemoNotification());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kDelivered) << r.detail;
  auto records = smtp.receiver.Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].meta["tls"], true);
  EXPECT_EQ(records[0].meta["auth_login"], "awoooi");
}

TEST(EmailNotifier, RequiredStartTlsRefusesAServerWithoutIt) {
  Smtp smtp({"--tls", "none"});
  ASSERT_TRUE(smtp.receiver.ok());
  auto settings = Settings(smtp);
  settings.erase("username");
  settings.erase("password");
  notify::DeliveryResult r = Send(settings, DemoNotification());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRejected);
  EXPECT_NE(r.detail.find("STARTTLS"), std::string::npos) << r.detail;
  EXPECT_TRUE(smtp.receiver.Records().empty());
  // With starttls: off (a local relay) the same server takes it.
  settings["starttls"] = "off";
  EXPECT_EQ(Send(settings, DemoNotification()).outcome, DeliveryOutcome::kDelivered);
}

TEST(EmailNotifier, AnUntrustedCertificateIsNotAccepted) {
  Smtp smtp({"--tls", "starttls"});
  ASSERT_TRUE(smtp.receiver.ok());
  auto settings = Settings(smtp);
  settings.erase("ca_file");  // the system's CAs do not know the throwaway certificate
  settings.erase("username");
  settings.erase("password");
  notify::DeliveryResult r = Send(settings, DemoNotification());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry) << r.detail;
  EXPECT_TRUE(smtp.receiver.Records().empty());
}

TEST(EmailNotifier, AWrongPasswordIsRejectedAndNeverShown) {
  Smtp smtp({"--tls", "starttls", "--auth", "awoooi:s3cret-pass"});
  ASSERT_TRUE(smtp.receiver.ok());
  auto settings = Settings(smtp);
  settings["password"] = "wrong-password-42";
  notify::DeliveryResult r = Send(settings, DemoNotification());
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRejected);
  EXPECT_NE(r.detail.find("authentication"), std::string::npos) << r.detail;
  EXPECT_EQ(r.detail.find("wrong-password-42"), std::string::npos);
}

TEST(EmailNotifier, RecipientAndDataRefusalsFollowTheReplyCode) {
  {
    Smtp smtp({"--tls", "starttls", "--auth", "awoooi:s3cret-pass", "--scenario", "reject_rcpt"});
    ASSERT_TRUE(smtp.receiver.ok());
    auto settings = Settings(smtp);
    settings["to"] = "oncall@example.com, nobody@example.com";
    notify::DeliveryResult r = Send(settings, DemoNotification());
    EXPECT_EQ(r.outcome, DeliveryOutcome::kRejected);
    EXPECT_NE(r.detail.find("550"), std::string::npos) << r.detail;
    EXPECT_TRUE(smtp.receiver.Records().empty()) << "no one gets a partial list";
  }
  {
    Smtp smtp({"--tls", "starttls", "--auth", "awoooi:s3cret-pass", "--scenario", "defer_rcpt"});
    ASSERT_TRUE(smtp.receiver.ok());
    notify::DeliveryResult r = Send(Settings(smtp), DemoNotification());
    EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
    EXPECT_NE(r.detail.find("451"), std::string::npos) << r.detail;
  }
  {
    Smtp smtp({"--tls", "starttls", "--auth", "awoooi:s3cret-pass", "--scenario", "reject_data"});
    ASSERT_TRUE(smtp.receiver.ok());
    notify::DeliveryResult r = Send(Settings(smtp), DemoNotification());
    EXPECT_EQ(r.outcome, DeliveryOutcome::kRejected);
    EXPECT_NE(r.detail.find("554"), std::string::npos) << r.detail;
  }
}

TEST(EmailNotifier, AStalledServerGetsRetryWithinTheDeadline) {
  Smtp smtp({"--tls", "starttls", "--scenario", "stall"});
  ASSERT_TRUE(smtp.receiver.ok());
  auto start = std::chrono::steady_clock::now();
  notify::DeliveryResult r = Send(Settings(smtp), DemoNotification(), absl::Seconds(1));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST(EmailNotifier, CancelStopsASessionInFlight) {
  Smtp smtp({"--tls", "starttls", "--scenario", "stall"});
  ASSERT_TRUE(smtp.receiver.ok());
  auto notifier = MakeEmailNotifier(PluginSettings("notifiers[2]", Settings(smtp)));
  ASSERT_TRUE(notifier.ok()) << notifier.status();
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel = true;
  });
  auto start = std::chrono::steady_clock::now();
  notify::DeliveryResult r =
      (*notifier)->Deliver(DemoNotification(), absl::Now() + absl::Seconds(25), &cancel);
  canceller.join();
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_NE(r.detail.find("cancelled"), std::string::npos) << r.detail;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST(EmailNotifier, ARefusedConnectionIsRetried) {
  auto notifier = MakeEmailNotifier(PluginSettings(
      "n", {{"smtp_url", "smtp://127.0.0.1:9"}, {"from", "a@example.com"}, {"to", "b@example.com"}}));
  ASSERT_TRUE(notifier.ok()) << notifier.status();
  EXPECT_EQ((*notifier)->Deliver(DemoNotification(), absl::Now() + absl::Seconds(10), nullptr).outcome,
            DeliveryOutcome::kRetry);
}

TEST(EmailSettings, BadSettingsAreNamed) {
  auto check = [](std::map<std::string, std::string> s, const std::string& expected) {
    s.emplace("smtp_url", "smtp://mail.example.com:587");
    s.emplace("from", "awoooi@example.com");
    s.emplace("to", "oncall@example.com");
    auto n = MakeEmailNotifier(PluginSettings("notifiers[2]", s));
    ASSERT_FALSE(n.ok()) << expected;
    EXPECT_NE(n.status().message().find(expected), std::string::npos) << n.status();
  };
  check({{"smtp_url", "http://mail.example.com"}}, "notifiers[2].smtp_url");
  check({{"smtp_url", "smtp://user:pw@mail.example.com"}}, "not in the URL");
  check({{"starttls", "maybe"}}, "notifiers[2].starttls: must be required, optional or off");
  check({{"username", "u"}, {"password", "p"}, {"starttls", "optional"}}, "only sent over TLS");
  check({{"username", "u"}}, "username and password go together");
  check({{"to", "oncall@example.com, not an address"}}, "notifiers[2].to");
  check({{"to", "a@example.com\r\nBcc: x@evil.example"}}, "notifiers[2].to");
  check({{"from", "AWOOOI <awoooi@example.com"}}, "notifiers[2].from");
  check({{"smtp_url", "smtps://mail.example.com"}, {"starttls", "off"}}, "smtps:// is TLS throughout");
  check({{"cc", "x@example.com"}}, "notifiers[2].cc: unknown key");
}

TEST(EmailMessage, NonAsciiSubjectsAreEncodedWordsOfWholeCharacters) {
  std::string encoded =
      email::EncodeHeaderText(std::string(30, 'x') + "資料庫連線逾時資料庫連線逾時資料庫連線逾時");
  EXPECT_EQ(encoded.find('\n', 0) != std::string::npos, true) << "long subjects are folded";
  for (std::size_t start = 0; start < encoded.size();) {
    std::size_t end = encoded.find("\r\n ", start);
    std::string word = encoded.substr(start, end == std::string::npos ? std::string::npos : end - start);
    EXPECT_LE(word.size(), 75u) << word;
    EXPECT_EQ(word.rfind("=?UTF-8?B?", 0), 0u) << word;
    start = end == std::string::npos ? encoded.size() : end + 3;
  }
  EXPECT_EQ(email::EncodeHeaderText("Disk full"), "Disk full");
  EXPECT_EQ(email::EncodeHeaderText("a\r\nBcc: b"), "a Bcc: b");
}

}  // namespace
}  // namespace awoooi::plugins::outputs
