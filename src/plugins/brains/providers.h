// Factories of the LLM provider plugins (one folder each under src/plugins/brains/). Each returns
// a bare LlmReasoner; builtin.cc registers them and wraps them in the fallback chain.
//
// Thread-safety: the factories may run on any thread; the reasoners they make are thread-safe.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "awoooi/brain/reasoner.h"
#include "awoooi/core/plugin.h"

namespace awoooi::privacy {
class Shield;
}

namespace awoooi::brain {

// OpenAI-compatible chat completions (POST {base_url}/chat/completions, stream: true, SSE).
// Default base_url https://api.openai.com/v1; the API key is required only for that default.
absl::StatusOr<std::unique_ptr<Reasoner>> MakeOpenAiReasoner(const PluginSettings& settings,
                                                             const privacy::Shield& shield);
// Anthropic Messages (POST {base_url}/v1/messages, stream: true, SSE events). API key required.
absl::StatusOr<std::unique_ptr<Reasoner>> MakeAnthropicReasoner(const PluginSettings& settings,
                                                                const privacy::Shield& shield);
// Ollama native chat (POST {base_url}/api/chat, NDJSON). Default base_url http://localhost:11434.
absl::StatusOr<std::unique_ptr<Reasoner>> MakeOllamaReasoner(const PluginSettings& settings,
                                                             const privacy::Shield& shield);

}  // namespace awoooi::brain
