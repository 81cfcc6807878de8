#include "awoooi/core/plugin.h"

#include <cerrno>
#include <cstdlib>

namespace awoooi {
namespace {

absl::Status Bad(const PluginSettings& s, std::string_view key, std::string_view why) {
  return absl::InvalidArgumentError(s.KeyPath(key) + ": " + std::string(why));
}

}  // namespace

std::string PluginSettings::KeyPath(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  return path_ + "." + std::string(key);
}

std::string PluginSettings::GetString(std::string_view key, std::string_view fallback) const {
  auto it = values_.find(std::string(key));
  return it == values_.end() ? std::string(fallback) : it->second;
}

absl::StatusOr<std::string> PluginSettings::GetRequired(std::string_view key) const {
  auto it = values_.find(std::string(key));
  if (it == values_.end() || it->second.empty()) return Bad(*this, key, "is required");
  return it->second;
}

absl::StatusOr<int64_t> PluginSettings::GetInt(std::string_view key, int64_t fallback, int64_t min,
                                               int64_t max) const {
  auto it = values_.find(std::string(key));
  if (it == values_.end()) return fallback;
  const std::string& text = it->second;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE) {
    return Bad(*this, key, "\"" + text + "\" is not an integer");
  }
  if (v < min || v > max) {
    return Bad(
        *this, key,
        std::to_string(v) + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return static_cast<int64_t>(v);
}

absl::StatusOr<double> PluginSettings::GetDouble(std::string_view key, double fallback, double min,
                                                 double max) const {
  auto it = values_.find(std::string(key));
  if (it == values_.end()) return fallback;
  const std::string& text = it->second;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0') return Bad(*this, key, "\"" + text + "\" is not a number");
  if (!(v >= min && v <= max)) {
    return Bad(*this, key,
               text + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return v;
}

absl::StatusOr<bool> PluginSettings::GetBool(std::string_view key, bool fallback) const {
  auto it = values_.find(std::string(key));
  if (it == values_.end()) return fallback;
  const std::string& v = it->second;
  if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
  if (v == "false" || v == "no" || v == "off" || v == "0") return false;
  return Bad(*this, key, "\"" + v + "\" is not a boolean (true/false)");
}

absl::StatusOr<int64_t> PluginSettings::GetDurationMs(std::string_view key, int64_t fallback_ms,
                                                      int64_t min_ms, int64_t max_ms) const {
  auto it = values_.find(std::string(key));
  if (it == values_.end()) return fallback_ms;
  const std::string& text = it->second;
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(text.c_str(), &end);
  std::string unit(end);
  double factor = 0;
  if (unit.empty() || unit == "s")
    factor = 1000;
  else if (unit == "ms")
    factor = 1;
  else if (unit == "m")
    factor = 60'000;
  else if (unit == "h")
    factor = 3'600'000;
  if (text.empty() || end == text.c_str() || factor == 0 || errno == ERANGE || !(v >= 0)) {
    return Bad(*this, key, "\"" + text + "\" is not a duration (e.g. 250ms, 30s, 5m, 1h)");
  }
  double ms = v * factor;
  if (ms < static_cast<double>(min_ms) || ms > static_cast<double>(max_ms)) {
    return Bad(*this, key,
               "\"" + text + "\" is out of range [" + std::to_string(min_ms) + "ms, " +
                   std::to_string(max_ms) + "ms]");
  }
  return static_cast<int64_t>(ms);
}

PluginSettings PluginSettings::Sub(std::string_view prefix) const {
  std::string p = std::string(prefix) + ".";
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : values_) {
    if (k.compare(0, p.size(), p) == 0) out[k.substr(p.size())] = v;
  }
  return PluginSettings(KeyPath(prefix), std::move(out));
}

absl::Status PluginSettings::RejectUnknown(const std::vector<std::string_view>& known) const {
  for (const auto& [k, v] : values_) {
    std::string_view head = std::string_view(k).substr(0, k.find('.'));
    bool ok = false;
    for (auto kn : known) ok = ok || kn == k || kn == head;
    if (!ok) return Bad(*this, k, "unknown key");
  }
  return absl::OkStatus();
}

}  // namespace awoooi
