// The brain plugins by name, and the factory that wraps a provider in the fallback chain.
#include <memory>
#include <string_view>
#include <vector>

#include "awoooi/brain/factory.h"
#include "awoooi/brain/fallback.h"
#include "brain/llm_reasoner.h"
#include "plugins/brains/playbook/playbook_reasoner.h"
#include "plugins/brains/providers.h"

namespace awoooi::brain {
namespace {

const std::vector<std::string_view>& PlaybookKeys() {
  static const std::vector<std::string_view> kKeys = {"type", "playbooks", "builtin_playbooks"};
  return kKeys;
}

std::vector<std::string_view> ProviderKeys() {
  std::vector<std::string_view> keys = PlaybookKeys();
  const auto& llm = LlmSettingKeys();
  keys.insert(keys.end(), llm.begin(), llm.end());
  for (std::string_view k : {"fallback", "circuit_breaker.failures", "circuit_breaker.open_for"})
    keys.push_back(k);
  return keys;
}

}  // namespace

void RegisterBuiltinBrains(ReasonerRegistry& registry) {
  registry.Register("playbook",
                    [](const PluginSettings& s,
                       const privacy::Shield& shield) -> absl::StatusOr<std::unique_ptr<Reasoner>> {
                      auto r = playbook::PlaybookReasoner::Create(s, shield);
                      if (!r.ok()) return r.status();
                      return std::unique_ptr<Reasoner>(*std::move(r));
                    });
  registry.Register("openai", MakeOpenAiReasoner);
  registry.Register("anthropic", MakeAnthropicReasoner);
  registry.Register("ollama", MakeOllamaReasoner);
}

absl::StatusOr<std::unique_ptr<Reasoner>> MakeReasoner(const PluginSettings& settings,
                                                       const privacy::Shield& shield) {
  static const ReasonerRegistry* builtin = [] {
    auto* r = new ReasonerRegistry;
    RegisterBuiltinBrains(*r);
    return r;
  }();
  return MakeReasoner(*builtin, settings, shield);
}

absl::StatusOr<std::unique_ptr<Reasoner>> MakeReasoner(const ReasonerRegistry& registry,
                                                       const PluginSettings& settings,
                                                       const privacy::Shield& shield) {
  std::string type = settings.GetString("type", "playbook");
  if (type == "playbook") {
    if (absl::Status s = settings.RejectUnknown(PlaybookKeys()); !s.ok()) return s;
    return registry.Create(type, settings, shield);
  }
  if (absl::Status s = settings.RejectUnknown(ProviderKeys()); !s.ok()) return s;
  auto primary = registry.Create(type, settings, shield);
  if (!primary.ok()) return primary.status();
  auto fallback = settings.GetBool("fallback", true);
  if (!fallback.ok()) return fallback.status();
  if (!*fallback) return primary;

  auto playbook = playbook::PlaybookReasoner::Create(settings, shield);
  if (!playbook.ok()) return playbook.status();
  auto failures = settings.GetInt("circuit_breaker.failures", 5, 1, 1000);
  if (!failures.ok()) return failures.status();
  auto open_for = settings.GetDurationMs("circuit_breaker.open_for", 30'000, 0, 86'400'000);
  if (!open_for.ok()) return open_for.status();
  return std::unique_ptr<Reasoner>(std::make_unique<FallbackReasoner>(
      *std::move(primary), *std::move(playbook), std::make_unique<CircuitBreaker>(*failures, *open_for)));
}

}  // namespace awoooi::brain
