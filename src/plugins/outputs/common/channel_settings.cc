#include "plugins/outputs/common/channel_settings.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace awoooi::plugins::outputs {

absl::StatusOr<ChannelSettings> ReadChannelSettings(const PluginSettings& settings, std::string_view type,
                                                    int64_t default_timeout_ms) {
  ChannelSettings out;
  out.type = std::string(type);
  out.name = settings.GetString("name", type);
  if (out.name.empty()) out.name = std::string(type);
  auto timeout = settings.GetDurationMs("timeout", default_timeout_ms, 100, 600'000);
  if (!timeout.ok()) return timeout.status();
  out.timeout_ms = *timeout;
  return out;
}

std::vector<std::string> SecretKeys(std::string_view key) {
  std::string k(key);
  return {k, k + "_env", k + "_file"};
}

absl::StatusOr<std::string> ReadSecret(const PluginSettings& settings, std::string_view key, bool required) {
  const std::vector<std::string> keys = SecretKeys(key);
  int given = 0;
  for (const auto& k : keys) given += settings.Has(k) ? 1 : 0;
  if (given > 1) {
    return absl::InvalidArgumentError(settings.KeyPath(key) + ": set only one of " + keys[0] + ", " +
                                      keys[1] + ", " + keys[2]);
  }
  std::string value;
  if (settings.Has(keys[0])) {
    value = settings.GetString(keys[0]);
    if (value.empty()) return absl::InvalidArgumentError(settings.KeyPath(keys[0]) + ": is empty");
  } else if (settings.Has(keys[1])) {
    std::string var = settings.GetString(keys[1]);
    const char* env = var.empty() ? nullptr : std::getenv(var.c_str());
    if (env == nullptr || *env == '\0') {
      return absl::InvalidArgumentError(settings.KeyPath(keys[1]) + ": environment variable " + var +
                                        " is not set");
    }
    value = env;
  } else if (settings.Has(keys[2])) {
    std::string path = settings.GetString(keys[2]);
    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::InvalidArgumentError(settings.KeyPath(keys[2]) + ": cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    value = text.str();
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
    std::size_t start = 0;
    while (start < value.size() && std::isspace(static_cast<unsigned char>(value[start]))) ++start;
    value.erase(0, start);
    if (value.empty())
      return absl::InvalidArgumentError(settings.KeyPath(keys[2]) + ": " + path + " is empty");
  } else if (required) {
    return absl::InvalidArgumentError(settings.KeyPath(keys[0]) + ": is required (or " + keys[1] + " / " +
                                      keys[2] + ")");
  }
  return value;
}

}  // namespace awoooi::plugins::outputs
