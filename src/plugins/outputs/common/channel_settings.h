// Settings every notifier reads the same way: its name, its timeout, and secrets that may be given
// inline, through an environment variable or in a file.
//
// A secret `key` comes from exactly one of `key` (inline in the config file), `key_env` (the name of
// an environment variable) or `key_file` (a file whose content, trimmed of surrounding whitespace,
// is the value). Error messages name the key, the variable or the file, never the value.
//
// Thread-safety: pure functions (they read the environment and files).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "awoooi/core/plugin.h"

namespace awoooi::plugins::outputs {

struct ChannelSettings {
  std::string name;  // the configured `name` (the type when absent)
  std::string type;
  int64_t timeout_ms = 10'000;
};

// Reads `name` and `timeout` (a duration, 100ms..10m, default `default_timeout_ms`).
absl::StatusOr<ChannelSettings> ReadChannelSettings(const PluginSettings& settings, std::string_view type,
                                                    int64_t default_timeout_ms);

// The secret `key` (see above). Empty when none of the three is set and `required` is false.
absl::StatusOr<std::string> ReadSecret(const PluginSettings& settings, std::string_view key, bool required);

// The keys a secret `key` may be given under: key, key_env, key_file.
std::vector<std::string> SecretKeys(std::string_view key);

}  // namespace awoooi::plugins::outputs
