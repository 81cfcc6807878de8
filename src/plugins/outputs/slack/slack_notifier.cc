// The "slack" OUTPUT plugin: POSTs SlackPayload() to an incoming webhook URL.
//
// Slack's answers (https://api.slack.com/messaging/webhooks#handling_errors): 200 with the body
// "ok" is a posted message; 429 carries Retry-After; 4xx carry a short error code as the body
// (invalid_payload, no_service, channel_not_found, ...), reported only when it is one we know.
#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/ascii.h"
#include "awoooi/core/alert.h"
#include "awoooi/net/http_client.h"
#include "plugins/outputs/common/channel_settings.h"
#include "plugins/outputs/common/delivery.h"
#include "plugins/outputs/common/severity.h"
#include "plugins/outputs/common/text.h"
#include "plugins/outputs/notifiers.h"
#include "plugins/outputs/slack/slack_message.h"

namespace awoooi::plugins::outputs {
namespace slack {
namespace {

using nlohmann::json;

void EscapeMrkdwn(char32_t cp, std::string_view utf8, std::string* out) {
  switch (cp) {
    case '&':
      *out += "&amp;";
      break;
    case '<':
      *out += "&lt;";
      break;
    case '>':
      *out += "&gt;";
      break;
    default:
      out->append(utf8);
  }
}

std::string Mrkdwn(std::string_view text, std::size_t max_units) {
  return FitText(text, max_units, EscapeMrkdwn);
}

json PlainText(std::string text) {
  return {{"type", "plain_text"}, {"text", std::move(text)}, {"emoji", true}};
}
json MrkdwnText(std::string text) { return {{"type", "mrkdwn"}, {"text", std::move(text)}}; }

}  // namespace

std::string SlackPayload(const notify::Notification& n) {
  json blocks = json::array();
  std::string title = OneLine(n.title.view());
  if (title.empty()) title = "AWOOOI notification";
  blocks.push_back({{"type", "header"}, {"text", PlainText(FitText(title, kHeaderTextMax))}});

  if (!OneLine(n.text.view()).empty()) {
    blocks.push_back({{"type", "section"}, {"text", MrkdwnText(Mrkdwn(n.text.view(), kSectionTextMax))}});
  }

  const std::size_t shown = std::min(n.fields.size(), kFieldsPerSection * kFieldSectionsMax);
  for (std::size_t start = 0; start < shown; start += kFieldsPerSection) {
    json fields = json::array();
    for (std::size_t i = start; i < std::min(shown, start + kFieldsPerSection); ++i) {
      const auto& [label, value] = n.fields[i];
      std::string head = "*" + Mrkdwn(OneLine(label), 200) + "*\n";
      std::string body = Mrkdwn(value.view(), kFieldTextMax - Utf16Units(head));
      if (OneLine(body).empty()) body = "\xE2\x80\x94";  // an em dash: Slack refuses empty text
      fields.push_back(MrkdwnText(head + body));
    }
    blocks.push_back({{"type", "section"}, {"fields", std::move(fields)}});
  }

  std::string context = "*" + SeverityWord(n.severity) + "*  \xC2\xB7  " + Mrkdwn(OneLine(n.event), 200);
  if (n.at != absl::InfinitePast()) context += "  \xC2\xB7  " + FormatRfc3339(n.at);
  if (n.fields.size() > shown) {
    context += "  \xC2\xB7  " + std::to_string(n.fields.size() - shown) + " more fields in the dashboard";
  }
  blocks.push_back(
      {{"type", "context"}, {"elements", json::array({MrkdwnText(Mrkdwn(context, kSectionTextMax))})}});

  if (IsSafeLink(n.link) && n.link.size() <= kButtonUrlMax) {
    json button = {{"type", "button"},
                   {"text", PlainText(FitText("Open in AWOOOI", kButtonTextMax))},
                   {"url", n.link},
                   {"action_id", "awoooi_open_dashboard"}};
    blocks.push_back({{"type", "actions"}, {"elements", json::array({std::move(button)})}});
  }

  std::string fallback = "[" + SeverityWord(n.severity) + "] " + title;
  if (!n.text.empty()) fallback += "\n" + std::string(n.text.view());
  json payload = {{"text", Mrkdwn(fallback, kFallbackTextMax)}, {"blocks", std::move(blocks)}};
  return payload.dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace {

// The error codes Slack documents for incoming webhooks; any other body is not repeated.
const std::set<std::string>& KnownErrors() {
  static const auto* known = new std::set<std::string>{"invalid_payload",
                                                       "invalid_token",
                                                       "no_service",
                                                       "no_service_id",
                                                       "no_team",
                                                       "team_disabled",
                                                       "channel_not_found",
                                                       "channel_is_archived",
                                                       "action_prohibited",
                                                       "posting_to_general_channel_denied",
                                                       "too_many_attachments",
                                                       "user_not_found",
                                                       "invalid_blocks",
                                                       "invalid_blocks_format",
                                                       "no_text",
                                                       "missing_text_or_fallback_or_attachments",
                                                       "rollup_error",
                                                       "invalid_attachments",
                                                       "too_many_blocks",
                                                       "message_too_long",
                                                       "request_timeout"};
  return *known;
}

notify::DeliveryResult Classify(const net::HttpResponse& r) {
  std::string body(absl::StripAsciiWhitespace(r.body));
  if (r.status >= 200 && r.status < 300) {
    if (body == "ok") return Delivered(r.status, "HTTP " + std::to_string(r.status) + " ok");
    return Rejected("HTTP " + std::to_string(r.status) +
                        " without \"ok\": the URL does not answer like a Slack incoming webhook",
                    r.status);
  }
  notify::DeliveryResult result = FromHttpStatus(r);
  if (KnownErrors().count(body)) result.detail += " " + body;
  return result;
}

class SlackNotifier final : public notify::Notifier {
 public:
  SlackNotifier(ChannelSettings channel, std::string url)
      : channel_(std::move(channel)), url_(std::move(url)) {}

  std::string name() const override { return channel_.name; }
  std::string type() const override { return "slack"; }

  notify::DeliveryResult Deliver(const notify::Notification& notification, absl::Time deadline,
                                 const std::atomic<bool>* cancel) override {
    if (auto r = NotStarted(deadline, channel_.timeout_ms, cancel)) return *r;
    net::HttpRequest request;
    request.url = url_;
    request.url_is_secret = true;
    request.headers = {{"Content-Type", "application/json; charset=utf-8"}};
    request.body = SlackPayload(notification);
    auto response = PostWithin(std::move(request), deadline, channel_.timeout_ms, cancel);
    if (!response.ok()) return FromTransportError(response.status());
    return Classify(*response);
  }

 private:
  const ChannelSettings channel_;
  const std::string url_;  // a secret: whoever has it can post to the channel
};

}  // namespace
}  // namespace slack

absl::StatusOr<std::unique_ptr<notify::Notifier>> MakeSlackNotifier(const PluginSettings& settings) {
  if (auto s = settings.RejectUnknown(
          {"name", "type", "webhook_url", "webhook_url_env", "webhook_url_file", "timeout"});
      !s.ok()) {
    return s;
  }
  auto channel = ReadChannelSettings(settings, "slack", 10'000);
  if (!channel.ok()) return channel.status();
  auto url = ReadSecret(settings, "webhook_url", true);
  if (!url.ok()) return url.status();
  if (url->rfind("https://", 0) != 0 && url->rfind("http://", 0) != 0) {
    return absl::InvalidArgumentError(settings.KeyPath("webhook_url") +
                                      ": must be an https:// URL (http:// only for a local relay)");
  }
  return std::unique_ptr<notify::Notifier>(new slack::SlackNotifier(*std::move(channel), *std::move(url)));
}

}  // namespace awoooi::plugins::outputs
