#include "cli/notify_command.h"

#include <ostream>
#include <vector>

#include "absl/time/clock.h"
#include "plugins/outputs/notifier_settings.h"

namespace awoooi::cli {
namespace {

notify::Notification TestMessage(const notify::Notifier& notifier) {
  notify::Notification n;
  const absl::Time now = absl::Now();
  n.idempotency_key = "notify-test/" + notifier.name() + "/" + std::to_string(absl::ToUnixNanos(now));
  n.event = "notify.test";
  n.severity = Severity::kInfo;
  n.title = privacy::Redacted::Literal("AWOOOI test notification \xC2\xB7 測試通知");
  n.text = privacy::Redacted::Literal(
      "If you can read this, AWOOOI can reach this channel.\n"
      "如果您看到這則訊息，表示 AWOOOI 能送達此頻道。");
  n.fields = {{"Channel", privacy::RedactedIdentifier(notifier.name())},
              {"Type", privacy::RedactedIdentifier(notifier.type())},
              {"Sent by", privacy::Redacted::Literal("awoooi notify test")}};
  n.at = now;
  return n;
}

}  // namespace

int RunNotifyTest(const NotifyTestOptions& options, const Registry<notify::Notifier>& outputs,
                  std::ostream& out, std::ostream& err) {
  if (options.config_file.empty()) {
    err << "awoooi notify test: no notifiers configured: pass --config FILE with a notifiers: list "
           "(docs/notifications.md)\n";
    return 1;
  }
  auto list = plugins::outputs::ReadNotifierSettings(options.config_file);
  if (!list.ok()) {
    err << "awoooi notify test: " << list.status().message() << "\n";
    return 1;
  }
  const PluginSettings* settings = nullptr;
  std::string names;
  for (const PluginSettings& s : *list) {
    names += (names.empty() ? "" : ", ") + s.GetString("name");
    if (s.GetString("name") == options.channel) settings = &s;
  }
  if (settings == nullptr) {
    err << "awoooi notify test: no notifier named \"" << options.channel << "\" in " << options.config_file
        << (names.empty() ? std::string(" (it has none)") : " (configured: " + names + ")") << "\n";
    return 1;
  }
  auto notifier = outputs.Create(settings->GetString("type"), *settings);
  if (!notifier.ok()) {
    err << "awoooi notify test: " << notifier.status().message() << "\n";
    return 1;
  }
  const notify::DeliveryResult r =
      (*notifier)->Deliver(TestMessage(**notifier), absl::Now() + absl::Minutes(11), nullptr);
  out << (*notifier)->name() << " (" << (*notifier)->type() << "): ";
  switch (r.outcome) {
    case notify::DeliveryOutcome::kDelivered:
      out << "delivered (" << r.detail << ")\n";
      return 0;
    case notify::DeliveryOutcome::kRejected:
      out << "rejected: " << r.detail << "\n";
      return 1;
    case notify::DeliveryOutcome::kRetry:
      out << "not delivered, a retry could succeed: " << r.detail;
      if (r.retry_after_ms >= 0)
        out << "; the receiver asked to wait " << (r.retry_after_ms + 999) / 1000 << " s";
      out << "\n";
      return 1;
  }
  return 1;
}

}  // namespace awoooi::cli
