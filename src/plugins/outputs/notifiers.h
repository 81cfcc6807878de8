// The OUTPUT plugins (PRODUCT F8): one factory per channel type, each returning a notify::Notifier
// (include/awoooi/notify/notifier.h) configured from one entry of the `notifiers:` list
// (docs/notifications.md lists every key):
//   "slack"    Slack incoming webhook, Block Kit message          src/plugins/outputs/slack/
//   "discord"  Discord webhook, one embed coloured by severity    src/plugins/outputs/discord/
//   "email"    SMTP (STARTTLS or TLS), multipart text + HTML      src/plugins/outputs/email/
//   "webhook"  generic JSON POST signed with HMAC-SHA256          src/plugins/outputs/webhook/
// A factory validates everything at creation (unknown keys are rejected by name, secrets are
// resolved from their _env/_file form), so a bad entry stops start-up, not the first delivery.
//
// Thread-safety: the factories may run on any thread; the notifiers they make are thread-safe.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "awoooi/core/plugin.h"
#include "awoooi/notify/notifier.h"

namespace awoooi::plugins::outputs {

absl::StatusOr<std::unique_ptr<notify::Notifier>> MakeSlackNotifier(const PluginSettings& settings);
absl::StatusOr<std::unique_ptr<notify::Notifier>> MakeDiscordNotifier(const PluginSettings& settings);
absl::StatusOr<std::unique_ptr<notify::Notifier>> MakeEmailNotifier(const PluginSettings& settings);
absl::StatusOr<std::unique_ptr<notify::Notifier>> MakeWebhookNotifier(const PluginSettings& settings);

// Registers the four factories above under "slack", "discord", "email" and "webhook".
void RegisterBuiltinNotifiers(Registry<notify::Notifier>& registry);

}  // namespace awoooi::plugins::outputs
