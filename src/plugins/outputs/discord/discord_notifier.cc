// The "discord" OUTPUT plugin: POSTs DiscordPayload() to a webhook URL with ?wait=true, so that the
// answer says whether the message was created (200 with the message) or refused (400 with a JSON
// error). A 429 says how long to wait in its JSON body (`retry_after`, seconds, fractional) and in
// the Retry-After header; the body's value is the more precise and wins.
#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "awoooi/net/http_client.h"
#include "plugins/outputs/common/channel_settings.h"
#include "plugins/outputs/common/delivery.h"
#include "plugins/outputs/common/severity.h"
#include "plugins/outputs/common/text.h"
#include "plugins/outputs/discord/discord_message.h"
#include "plugins/outputs/notifiers.h"

namespace awoooi::plugins::outputs {
namespace discord {
namespace {

using nlohmann::json;

// Markdown that could format, link (a masked link needs "[text](url)"), quote or mention.
void EscapeMarkdown(char32_t cp, std::string_view utf8, std::string* out) {
  static constexpr std::string_view kSpecial = "\\*_~`|[]<>#@";
  if (cp < 0x80 && kSpecial.find(static_cast<char>(cp)) != std::string_view::npos) out->push_back('\\');
  out->append(utf8);
}

std::string Md(std::string_view text, std::size_t max_units) {
  return FitText(text, max_units, EscapeMarkdown);
}

// The largest cap C such that the sum of min(len_i, C) stays within `budget`.
std::size_t WaterLevel(const std::vector<std::size_t>& lengths, std::size_t budget) {
  std::size_t lo = 0, hi = 0;
  for (std::size_t l : lengths) hi = std::max(hi, l);
  while (lo < hi) {
    std::size_t mid = (lo + hi + 1) / 2;
    std::size_t sum = 0;
    for (std::size_t l : lengths) sum += std::min(l, mid);
    if (sum <= budget)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

}  // namespace

std::string DiscordPayload(const notify::Notification& n) {
  const std::string severity = SeverityWord(n.severity);
  std::string title = OneLine(n.title.view());
  if (title.empty()) title = "AWOOOI notification";
  // Titles are plain text in Discord (no markdown), so they are only cut.
  title = FitText(title, kTitleMax);
  const std::string footer = FitText("AWOOOI \xC2\xB7 " + severity + " \xC2\xB7 " + OneLine(n.event), 200);
  const bool linked =
      IsSafeLink(n.link) && n.link.size() <= 2000 && n.link.find_first_of("()") == std::string::npos;
  const std::string link_line = linked ? "\n\n[Open in AWOOOI](" + n.link + ")" : "";

  // Names are short program text; values and the description share what is left of the 6,000.
  const std::size_t field_count = std::min(n.fields.size(), kFieldsMax);
  std::vector<std::string> names;
  std::size_t fixed = Utf16Units(title) + Utf16Units(footer) + Utf16Units(link_line);
  for (std::size_t i = 0; i < field_count; ++i) {
    std::string name = Md(OneLine(n.fields[i].first), kFieldNameMax);
    if (name.empty()) name = "\xE2\x80\x94";
    fixed += Utf16Units(name);
    names.push_back(std::move(name));
  }
  std::vector<std::string> pieces;  // [0] the description, then the field values
  pieces.push_back(Md(n.text.view(), kDescriptionMax - Utf16Units(link_line)));
  for (std::size_t i = 0; i < field_count; ++i)
    pieces.push_back(Md(n.fields[i].second.view(), kFieldValueMax));
  std::vector<std::size_t> lengths;
  std::size_t total = fixed;
  for (const auto& p : pieces) {
    lengths.push_back(Utf16Units(p));
    total += lengths.back();
  }
  if (total > kEmbedTotalMax) {
    // Field values need at least one unit each (Discord refuses empty values).
    const std::size_t budget = kEmbedTotalMax > fixed ? kEmbedTotalMax - fixed : 0;
    const std::size_t cap = std::max<std::size_t>(1, WaterLevel(lengths, budget));
    pieces[0] = Md(n.text.view(), std::min(cap, kDescriptionMax - Utf16Units(link_line)));
    for (std::size_t i = 0; i < field_count; ++i) pieces[i + 1] = Md(n.fields[i].second.view(), cap);
  }

  json embed = {{"title", title}, {"color", SeverityColor(n.severity)}, {"footer", {{"text", footer}}}};
  std::string description = pieces[0] + link_line;
  if (!description.empty()) embed["description"] = description;
  if (linked) embed["url"] = n.link;
  if (n.at != absl::InfinitePast()) embed["timestamp"] = FormatRfc3339(n.at);
  json fields = json::array();
  for (std::size_t i = 0; i < field_count; ++i) {
    std::string value = pieces[i + 1];
    if (OneLine(value).empty()) value = "\xE2\x80\x94";
    const bool inline_field = Utf16Units(value) <= 40;
    fields.push_back({{"name", names[i]}, {"value", std::move(value)}, {"inline", inline_field}});
  }
  if (!fields.empty()) embed["fields"] = std::move(fields);
  json payload = {{"embeds", json::array({std::move(embed)})},
                  {"allowed_mentions", {{"parse", json::array()}}}};
  return payload.dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace {

notify::DeliveryResult Classify(const net::HttpResponse& r) {
  notify::DeliveryResult result = FromHttpStatus(r);
  if (r.status >= 400) {
    // {"message": "...", "code": 10015} on errors; {"retry_after": 1.5, "global": false} on 429.
    json body = json::parse(r.body, nullptr, false);
    if (body.is_object()) {
      if (r.status == 429 && body.contains("retry_after") && body["retry_after"].is_number()) {
        double seconds = body["retry_after"].get<double>();
        if (seconds >= 0 && seconds < 86'400)
          result.retry_after_ms = static_cast<int64_t>(seconds * 1000 + 0.5);
      }
      if (body.contains("code") && body["code"].is_number_integer() && body["code"].get<int64_t>() != 0) {
        result.detail += " (Discord error code " + std::to_string(body["code"].get<int64_t>()) + ")";
      }
    }
  }
  return result;
}

class DiscordNotifier final : public notify::Notifier {
 public:
  DiscordNotifier(ChannelSettings channel, std::string url)
      : channel_(std::move(channel)), url_(std::move(url)) {}

  std::string name() const override { return channel_.name; }
  std::string type() const override { return "discord"; }

  notify::DeliveryResult Deliver(const notify::Notification& notification, absl::Time deadline,
                                 const std::atomic<bool>* cancel) override {
    if (auto r = NotStarted(deadline, channel_.timeout_ms, cancel)) return *r;
    net::HttpRequest request;
    request.url = url_;
    request.url_is_secret = true;
    request.headers = {{"Content-Type", "application/json"}};
    request.body = DiscordPayload(notification);
    auto response = PostWithin(std::move(request), deadline, channel_.timeout_ms, cancel);
    if (!response.ok()) return FromTransportError(response.status());
    return Classify(*response);
  }

 private:
  const ChannelSettings channel_;
  const std::string url_;  // with ?wait=true; a secret (it carries the webhook token)
};

}  // namespace
}  // namespace discord

absl::StatusOr<std::unique_ptr<notify::Notifier>> MakeDiscordNotifier(const PluginSettings& settings) {
  if (auto s = settings.RejectUnknown(
          {"name", "type", "webhook_url", "webhook_url_env", "webhook_url_file", "timeout"});
      !s.ok()) {
    return s;
  }
  auto channel = ReadChannelSettings(settings, "discord", 10'000);
  if (!channel.ok()) return channel.status();
  auto url = ReadSecret(settings, "webhook_url", true);
  if (!url.ok()) return url.status();
  if (url->rfind("https://", 0) != 0 && url->rfind("http://", 0) != 0) {
    return absl::InvalidArgumentError(settings.KeyPath("webhook_url") +
                                      ": must be an https:// URL (http:// only for a local relay)");
  }
  if (url->find('#') != std::string::npos) {
    return absl::InvalidArgumentError(settings.KeyPath("webhook_url") + ": must not contain a fragment (#)");
  }
  std::string with_wait = *url;
  if (with_wait.find("wait=") == std::string::npos) {
    with_wait += (with_wait.find('?') == std::string::npos ? "?" : "&") + std::string("wait=true");
  }
  return std::unique_ptr<notify::Notifier>(
      new discord::DiscordNotifier(*std::move(channel), std::move(with_wait)));
}

}  // namespace awoooi::plugins::outputs
