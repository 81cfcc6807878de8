// Building the configured BRAIN. Implemented in src/plugins/brains/ (library awoooi_plugins_brains),
// because the factories name the concrete plugins; link that library to use these.
//
// Brain settings (the `brain:` section of awoooi.yaml, docs/brain.md):
//   type: playbook | openai | anthropic | ollama         (default playbook)
//   playbooks, builtin_playbooks                          playbook set (also used by the fallback)
//   model, base_url, api_key | api_key_env | api_key_file, timeout, connect_timeout, max_tokens,
//   temperature, max_retries, retry_backoff, max_retry_after      LLM providers
//   fallback (default true), circuit_breaker.failures (5), circuit_breaker.open_for (30s)
//
// Thread-safety: call at start-up; the returned Reasoner is thread-safe.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "awoooi/brain/reasoner.h"
#include "awoooi/core/plugin.h"

namespace awoooi::privacy {
class Shield;
}

namespace awoooi::brain {

using ReasonerRegistry = Registry<Reasoner, const privacy::Shield&>;

// Registers "playbook", "openai", "anthropic", "ollama". Each factory builds the bare reasoner
// (no fallback); the shield must outlive every reasoner created.
void RegisterBuiltinBrains(ReasonerRegistry& registry);

// The brain the settings ask for: "playbook" (or no type) gives the playbook reasoner alone; an LLM
// provider comes wrapped in a FallbackReasoner (playbook fallback + circuit breaker) unless
// `fallback: false`. Unknown keys are rejected, naming the key.
absl::StatusOr<std::unique_ptr<Reasoner>> MakeReasoner(const ReasonerRegistry& registry,
                                                       const PluginSettings& brain_settings,
                                                       const privacy::Shield& shield);
// The same with the built-in brains only (a registry built once per process).
absl::StatusOr<std::unique_ptr<Reasoner>> MakeReasoner(const PluginSettings& brain_settings,
                                                       const privacy::Shield& shield);

}  // namespace awoooi::brain
