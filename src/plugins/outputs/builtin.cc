#include "plugins/outputs/notifiers.h"

namespace awoooi::plugins::outputs {

void RegisterBuiltinNotifiers(Registry<notify::Notifier>& registry) {
  registry.Register("slack", MakeSlackNotifier);
  registry.Register("discord", MakeDiscordNotifier);
  registry.Register("email", MakeEmailNotifier);
  registry.Register("webhook", MakeWebhookNotifier);
}

}  // namespace awoooi::plugins::outputs
