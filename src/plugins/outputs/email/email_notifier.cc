// The "email" OUTPUT plugin: ComposeEmail() handed to an SMTP server by net::SmtpSend.
//
// Outcomes: the server accepted the message → kDelivered. A temporary refusal (4xx reply), a
// timeout, a cancel, a refused or dropped connection or a TLS failure → kRetry. A permanent refusal
// (5xx reply: an unknown recipient, a sender the server will not relay for, failed authentication)
// or STARTTLS required but not offered → kRejected: retrying cannot help until the configuration or
// the server changes. One refused recipient fails the whole message (nobody gets a partial list).
#include <algorithm>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "awoooi/net/smtp.h"
#include "plugins/outputs/common/channel_settings.h"
#include "plugins/outputs/common/delivery.h"
#include "plugins/outputs/email/email_message.h"
#include "plugins/outputs/notifiers.h"

namespace awoooi::plugins::outputs {
namespace email {
namespace {

struct EmailSettings {
  ChannelSettings channel;
  net::SmtpRequest smtp;  // everything but the message and the time limits
  Mailbox from;
  std::vector<Mailbox> to;
};

class EmailNotifier final : public notify::Notifier {
 public:
  explicit EmailNotifier(EmailSettings s) : s_(std::move(s)) {}

  std::string name() const override { return s_.channel.name; }
  std::string type() const override { return "email"; }

  notify::DeliveryResult Deliver(const notify::Notification& notification, absl::Time deadline,
                                 const std::atomic<bool>* cancel) override {
    if (auto r = NotStarted(deadline, s_.channel.timeout_ms, cancel)) return *r;
    // At least 1 ms: a timeout of 0 would mean "no limit" to curl.
    const int64_t budget = std::max<int64_t>(1, BudgetMs(deadline, s_.channel.timeout_ms));
    net::SmtpRequest request = s_.smtp;
    request.message = ComposeEmail(notification, s_.from, s_.to, absl::Now());
    request.timeout_ms = budget;
    request.connect_timeout_ms = std::min<int64_t>(budget, 10'000);
    request.cancel = cancel;
    net::SmtpResult result = net::SmtpSend(request);
    std::string detail(result.status.message());
    if (result.status.ok()) {
      return Delivered(0, "accepted (SMTP " + std::to_string(result.reply_code) + ")");
    }
    const bool temporary_reply = result.reply_code >= 400 && result.reply_code < 500;
    switch (result.status.code()) {
      case absl::StatusCode::kFailedPrecondition:
      case absl::StatusCode::kPermissionDenied:
        return temporary_reply ? Retry(detail) : Rejected(detail);
      case absl::StatusCode::kInvalidArgument:
        return Rejected(detail);
      default:
        return Retry(detail);
    }
  }

 private:
  const EmailSettings s_;
};

absl::StatusOr<std::vector<Mailbox>> ParseRecipients(const PluginSettings& settings) {
  auto to = settings.GetRequired("to");
  if (!to.ok()) return to.status();
  std::vector<Mailbox> out;
  for (absl::string_view part : absl::StrSplit(*to, ',')) {
    std::string item(absl::StripAsciiWhitespace(part));
    if (item.empty()) continue;
    auto m = ParseMailbox(item);
    if (!m.ok())
      return absl::InvalidArgumentError(settings.KeyPath("to") + ": " + std::string(m.status().message()));
    out.push_back(*std::move(m));
  }
  if (out.empty()) return absl::InvalidArgumentError(settings.KeyPath("to") + ": needs at least one address");
  if (out.size() > 100) return absl::InvalidArgumentError(settings.KeyPath("to") + ": at most 100 addresses");
  return out;
}

}  // namespace
}  // namespace email

absl::StatusOr<std::unique_ptr<notify::Notifier>> MakeEmailNotifier(const PluginSettings& settings) {
  using email::EmailSettings;
  if (auto st = settings.RejectUnknown({"name", "type", "smtp_url", "starttls", "username", "password",
                                        "password_env", "password_file", "from", "to", "ca_file", "timeout"});
      !st.ok()) {
    return st;
  }
  EmailSettings s;
  auto channel = ReadChannelSettings(settings, "email", 30'000);
  if (!channel.ok()) return channel.status();
  s.channel = *std::move(channel);

  auto url = settings.GetRequired("smtp_url");
  if (!url.ok()) return url.status();
  const bool implicit_tls = url->rfind("smtps://", 0) == 0;
  if (!implicit_tls && url->rfind("smtp://", 0) != 0) {
    return absl::InvalidArgumentError(
        settings.KeyPath("smtp_url") +
        ": must start with smtp:// (STARTTLS) or smtps:// (TLS from the start)");
  }
  if (url->find('@') != std::string::npos) {
    return absl::InvalidArgumentError(settings.KeyPath("smtp_url") +
                                      ": put credentials in username and password, not in the URL");
  }
  s.smtp.url = *url;

  const std::string starttls = settings.GetString("starttls", "required");
  if (starttls == "required") {
    s.smtp.starttls = net::StartTls::kRequired;
  } else if (starttls == "optional") {
    s.smtp.starttls = net::StartTls::kOptional;
  } else if (starttls == "off") {
    s.smtp.starttls = net::StartTls::kOff;
  } else {
    return absl::InvalidArgumentError(settings.KeyPath("starttls") + ": must be required, optional or off");
  }
  if (implicit_tls && s.smtp.starttls != net::StartTls::kRequired) {
    return absl::InvalidArgumentError(settings.KeyPath("starttls") +
                                      ": smtps:// is TLS throughout; remove starttls or use smtp://");
  }

  s.smtp.username = settings.GetString("username");
  auto password = ReadSecret(settings, "password", false);
  if (!password.ok()) return password.status();
  s.smtp.password = *std::move(password);
  if (s.smtp.username.empty() != s.smtp.password.empty()) {
    return absl::InvalidArgumentError(settings.KeyPath(s.smtp.username.empty() ? "username" : "password") +
                                      ": username and password go together");
  }
  if (!s.smtp.password.empty() && !implicit_tls && s.smtp.starttls != net::StartTls::kRequired) {
    return absl::InvalidArgumentError(
        settings.KeyPath("starttls") +
        ": a password is only sent over TLS: use starttls: required or smtps://");
  }
  s.smtp.tls.ca_file = settings.GetString("ca_file");

  auto from_text = settings.GetRequired("from");
  if (!from_text.ok()) return from_text.status();
  auto from = email::ParseMailbox(*from_text);
  if (!from.ok())
    return absl::InvalidArgumentError(settings.KeyPath("from") + ": " + std::string(from.status().message()));
  s.from = *std::move(from);
  s.smtp.mail_from = s.from.address;
  auto to = email::ParseRecipients(settings);
  if (!to.ok()) return to.status();
  s.to = *std::move(to);
  for (const auto& m : s.to) s.smtp.recipients.push_back(m.address);
  return std::unique_ptr<notify::Notifier>(new email::EmailNotifier(std::move(s)));
}

}  // namespace awoooi::plugins::outputs
