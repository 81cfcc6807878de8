// The "webhook" OUTPUT plugin: POSTs WebhookBody() signed with HMAC-SHA256 to any HTTPS endpoint.
// Each attempt is signed afresh (a new X-AWOOOI-Timestamp), so a retry hours later still passes the
// receiver's replay window; the idempotency key stays the same.
#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "awoooi/core/alert.h"
#include "awoooi/core/digest.h"
#include "awoooi/net/http_client.h"
#include "awoooi/version.h"
#include "plugins/outputs/common/channel_settings.h"
#include "plugins/outputs/common/delivery.h"
#include "plugins/outputs/common/text.h"
#include "plugins/outputs/notifiers.h"
#include "plugins/outputs/webhook/webhook_message.h"

namespace awoooi::plugins::outputs {
namespace webhook {

using nlohmann::json;

std::string WebhookBody(const notify::Notification& n) {
  json fields = json::array();
  for (const auto& [label, value] : n.fields) fields.push_back({{"label", label}, {"value", value.str()}});
  json body = {{"event", n.event},
               {"idempotency_key", n.idempotency_key},
               {"severity", std::string(ToString(n.severity))},
               {"title", n.title.str()},
               {"text", n.text.str()},
               {"fields", std::move(fields)},
               {"link", n.link},
               {"at", n.at == absl::InfinitePast() ? json(nullptr) : json(FormatRfc3339(n.at))}};
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string WebhookSignature(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  std::string signed_text = std::to_string(unix_seconds) + "." + std::string(body);
  return "sha256=" + HmacSha256Hex(secret, signed_text);
}

namespace {

// A header value that cannot break the request: one line of visible ASCII.
std::string HeaderSafe(std::string_view value) {
  std::string out = FitText(OneLine(value), 200);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7E) c = '_';
  }
  return out;
}

class WebhookNotifier final : public notify::Notifier {
 public:
  WebhookNotifier(ChannelSettings channel, std::string url, std::string secret,
                  std::vector<std::pair<std::string, std::string>> headers, std::string ca_file)
      : channel_(std::move(channel)),
        url_(std::move(url)),
        secret_(std::move(secret)),
        headers_(std::move(headers)),
        ca_file_(std::move(ca_file)) {}

  std::string name() const override { return channel_.name; }
  std::string type() const override { return "webhook"; }

  notify::DeliveryResult Deliver(const notify::Notification& notification, absl::Time deadline,
                                 const std::atomic<bool>* cancel) override {
    if (auto r = NotStarted(deadline, channel_.timeout_ms, cancel)) return *r;
    net::HttpRequest request;
    request.url = url_;
    request.url_is_secret = true;  // a query string may carry a token
    request.body = WebhookBody(notification);
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    request.headers = headers_;
    request.headers.push_back({"Content-Type", "application/json"});
    request.headers.push_back({"User-Agent", "awoooi/" AWOOOI_VERSION});
    request.headers.push_back({"X-AWOOOI-Event", HeaderSafe(notification.event)});
    request.headers.push_back({"X-AWOOOI-Idempotency-Key", HeaderSafe(notification.idempotency_key)});
    request.headers.push_back({"X-AWOOOI-Timestamp", std::to_string(now)});
    request.headers.push_back({"X-AWOOOI-Signature", WebhookSignature(secret_, now, request.body)});
    request.tls.ca_file = ca_file_;
    auto response = PostWithin(std::move(request), deadline, channel_.timeout_ms, cancel);
    if (!response.ok()) return FromTransportError(response.status());
    return FromHttpStatus(*response);
  }

 private:
  const ChannelSettings channel_;
  const std::string url_;
  const std::string secret_;
  const std::vector<std::pair<std::string, std::string>> headers_;  // values may be secrets
  const std::string ca_file_;
};

bool IsToken(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (!absl::ascii_isalnum(c) &&
        std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

}  // namespace
}  // namespace webhook

absl::StatusOr<std::unique_ptr<notify::Notifier>> MakeWebhookNotifier(const PluginSettings& settings) {
  if (auto s = settings.RejectUnknown(
          {"name", "type", "url", "secret", "secret_env", "secret_file", "timeout", "ca_file", "headers"});
      !s.ok()) {
    return s;
  }
  auto channel = ReadChannelSettings(settings, "webhook", 10'000);
  if (!channel.ok()) return channel.status();
  auto url = settings.GetRequired("url");
  if (!url.ok()) return url.status();
  if (url->rfind("https://", 0) != 0 && url->rfind("http://", 0) != 0) {
    return absl::InvalidArgumentError(settings.KeyPath("url") + ": must start with https:// or http://");
  }
  auto secret = ReadSecret(settings, "secret", true);
  if (!secret.ok()) return secret.status();
  if (secret->size() < 16) {
    return absl::InvalidArgumentError(settings.KeyPath("secret") + ": needs at least 16 characters");
  }
  std::vector<std::pair<std::string, std::string>> headers;
  const PluginSettings extra = settings.Sub("headers");
  for (const auto& [name, value] : extra.values()) {
    const std::string lower = absl::AsciiStrToLower(name);
    if (!webhook::IsToken(name)) {
      return absl::InvalidArgumentError(extra.KeyPath(name) + ": not a valid HTTP header name");
    }
    if (absl::StartsWith(lower, "x-awoooi-") || lower == "content-type" || lower == "content-length" ||
        lower == "host" || lower == "transfer-encoding" || lower == "connection" || lower == "expect" ||
        lower == "user-agent") {
      return absl::InvalidArgumentError(extra.KeyPath(name) + ": this header is set by AWOOOI");
    }
    for (unsigned char c : value) {
      if ((c < 0x20 && c != '\t') || c == 0x7F) {
        return absl::InvalidArgumentError(extra.KeyPath(name) +
                                          ": a header value cannot hold control characters");
      }
    }
    headers.emplace_back(name, value);
  }
  return std::unique_ptr<notify::Notifier>(
      new webhook::WebhookNotifier(*std::move(channel), *std::move(url), *std::move(secret),
                                   std::move(headers), settings.GetString("ca_file")));
}

}  // namespace awoooi::plugins::outputs
