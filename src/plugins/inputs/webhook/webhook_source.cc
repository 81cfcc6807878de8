#include "plugins/inputs/webhook/webhook_source.h"

#include "ingest/alert_parser.h"

namespace awoooi::plugins::inputs {
namespace {

class WebhookSource final : public ingest::AlertSource {
 public:
  using ParseFn = absl::StatusOr<std::vector<Alert>> (*)(std::string_view, const ingest::ParseLimits&,
                                                         absl::Time);
  WebhookSource(std::string name, ParseFn parse, ingest::ParseLimits limits)
      : name_(std::move(name)), parse_(parse), limits_(limits) {}
  std::string name() const override { return name_; }
  absl::StatusOr<std::vector<Alert>> Parse(std::string_view body, absl::Time now) const override {
    auto alerts = parse_(body, limits_, now);
    if (alerts.ok()) {
      for (Alert& a : *alerts) a.source = name_;
    }
    return alerts;
  }

 private:
  std::string name_;
  ParseFn parse_;
  ingest::ParseLimits limits_;
};

absl::StatusOr<ingest::ParseLimits> ReadLimits(const PluginSettings& settings) {
  ingest::ParseLimits limits;
  auto alerts =
      settings.GetInt("max_alerts_per_request", static_cast<int64_t>(limits.max_alerts), 1, 1'000'000);
  if (!alerts.ok()) return alerts.status();
  auto labels = settings.GetInt("max_labels", static_cast<int64_t>(limits.max_labels), 1, 100'000);
  if (!labels.ok()) return labels.status();
  auto value = settings.GetInt("max_value_bytes", static_cast<int64_t>(limits.max_value_bytes), 16, 16 << 20);
  if (!value.ok()) return value.status();
  limits.max_alerts = static_cast<std::size_t>(*alerts);
  limits.max_labels = static_cast<std::size_t>(*labels);
  limits.max_value_bytes = static_cast<std::size_t>(*value);
  return limits;
}

absl::StatusOr<std::unique_ptr<ingest::AlertSource>> Make(std::string name, WebhookSource::ParseFn parse,
                                                          const PluginSettings& settings) {
  auto limits = ReadLimits(settings);
  if (!limits.ok()) return limits.status();
  return std::make_unique<WebhookSource>(std::move(name), parse, *limits);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ingest::AlertSource>> MakeAlertmanagerSource(const PluginSettings& settings) {
  return Make("alertmanager", &ingest::ParseAlertmanagerWebhook, settings);
}

absl::StatusOr<std::unique_ptr<ingest::AlertSource>> MakeGenericSource(const PluginSettings& settings) {
  return Make("generic", &ingest::ParseGenericAlerts, settings);
}

}  // namespace awoooi::plugins::inputs
