// Plugins: every part that talks to the outside world (inputs, brains, outputs, actions, stores)
// is created by a factory registered under its `type:` name. The core never names a concrete
// plugin; RegisterBuiltinPlugins() (src/plugins/builtin.h) lists them explicitly, because a
// linker drops unreferenced static registrars.
//
// PluginSettings is the configuration of one plugin instance as flat key -> text (YAML scalars,
// nested keys joined with '.', overridden by AWOOOI_* environment variables). Typed getters
// return errors that name the full key, so a bad config stops start-up with a useful message.
//
// Thread-safety: both classes are values; a Registry is filled at start-up and then only read.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace awoooi {

class PluginSettings {
 public:
  PluginSettings() = default;
  // `path` is where these settings live in the config file, e.g. "brain" or "outputs[0]".
  PluginSettings(std::string path, std::map<std::string, std::string> values)
      : path_(std::move(path)), values_(std::move(values)) {}

  const std::string& path() const { return path_; }
  const std::map<std::string, std::string>& values() const { return values_; }
  bool Has(std::string_view key) const { return values_.count(std::string(key)) > 0; }

  std::string GetString(std::string_view key, std::string_view fallback = "") const;
  absl::StatusOr<std::string> GetRequired(std::string_view key) const;
  absl::StatusOr<int64_t> GetInt(std::string_view key, int64_t fallback, int64_t min, int64_t max) const;
  absl::StatusOr<double> GetDouble(std::string_view key, double fallback, double min, double max) const;
  absl::StatusOr<bool> GetBool(std::string_view key, bool fallback) const;
  // Durations like "250ms", "30s", "5m", "1h" (a bare number means seconds), in milliseconds.
  absl::StatusOr<int64_t> GetDurationMs(std::string_view key, int64_t fallback_ms, int64_t min_ms,
                                        int64_t max_ms) const;
  // Settings under "prefix." with the prefix removed.
  PluginSettings Sub(std::string_view prefix) const;
  // InvalidArgument naming the first key not in `known` (typos in config must not pass silently).
  absl::Status RejectUnknown(const std::vector<std::string_view>& known) const;

  std::string KeyPath(std::string_view key) const;  // "brain.timeout"

 private:
  std::string path_;
  std::map<std::string, std::string> values_;
};

template <typename Interface, typename... Args>
class Registry {
 public:
  using Factory = std::function<absl::StatusOr<std::unique_ptr<Interface>>(const PluginSettings&, Args...)>;

  void Register(std::string type, Factory factory) { factories_[std::move(type)] = std::move(factory); }

  absl::StatusOr<std::unique_ptr<Interface>> Create(std::string_view type, const PluginSettings& settings,
                                                    Args... args) const {
    auto it = factories_.find(std::string(type));
    if (it == factories_.end()) {
      std::string known;
      for (const auto& [name, f] : factories_) known += (known.empty() ? "" : ", ") + name;
      return absl::InvalidArgumentError(settings.KeyPath("type") + ": unknown type \"" + std::string(type) +
                                        "\" (known: " + known + ")");
    }
    return it->second(settings, std::forward<Args>(args)...);
  }

  std::vector<std::string> Types() const {
    std::vector<std::string> out;
    for (const auto& [name, f] : factories_) out.push_back(name);
    return out;
  }

 private:
  std::map<std::string, Factory> factories_;
};

}  // namespace awoooi
