#include "plugins/outputs/notifier_settings.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace awoooi::plugins::outputs {
namespace {

std::string Line(const YAML::Node& n) { return absl::StrCat(" (line ", n.Mark().line + 1, ")"); }

absl::Status Flatten(const YAML::Node& node, const std::string& key, const std::string& where,
                     std::map<std::string, std::string>* out) {
  if (node.IsMap()) {
    for (const auto& kv : node) {
      if (!kv.first.IsScalar())
        return absl::InvalidArgumentError(where + ": keys must be text" + Line(kv.first));
      std::string k = kv.first.Scalar();
      if (auto s = Flatten(kv.second, key.empty() ? k : key + "." + k, where, out); !s.ok()) return s;
    }
    return absl::OkStatus();
  }
  if (node.IsSequence()) {
    std::string joined;
    for (const auto& item : node) {
      if (!item.IsScalar()) {
        return absl::InvalidArgumentError(where + "." + key + ": a list here may hold only plain values" +
                                          Line(item));
      }
      joined += (joined.empty() ? "" : ",") + item.Scalar();
    }
    (*out)[key] = joined;
    return absl::OkStatus();
  }
  (*out)[key] = node.IsNull() ? "" : node.Scalar();
  return absl::OkStatus();
}

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::vector<PluginSettings>> ParseNotifierSettings(std::string_view yaml_text,
                                                                  std::string_view source) {
  const std::string src(source);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(src + ": " + e.what());
  }
  std::vector<PluginSettings> out;
  if (root.IsNull()) return out;
  if (!root.IsMap()) return absl::InvalidArgumentError(src + ": must be a YAML map of sections");
  const YAML::Node list = root["notifiers"];
  if (!list || list.IsNull()) return out;
  if (!list.IsSequence()) {
    return absl::InvalidArgumentError(
        src + ": notifiers: must be a list of channels (- name: ..., type: ...)" + Line(list));
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const YAML::Node& entry = list[i];
    const std::string where = absl::StrCat("notifiers[", i, "]");
    if (!entry.IsMap())
      return absl::InvalidArgumentError(src + ": " + where + ": must be a map" + Line(entry));
    std::map<std::string, std::string> values;
    if (auto s = Flatten(entry, "", where, &values); !s.ok())
      return absl::InvalidArgumentError(src + ": " + std::string(s.message()));
    PluginSettings settings(where, std::move(values));
    const std::string name = settings.GetString("name");
    if (!ValidName(name)) {
      return absl::InvalidArgumentError(src + ": " + settings.KeyPath("name") +
                                        ": required; letters, digits, '_', '-' and '.', up to 64" +
                                        Line(entry));
    }
    if (!names.insert(name).second) {
      return absl::InvalidArgumentError(src + ": " + settings.KeyPath("name") + ": \"" + name +
                                        "\" is used by another notifier" + Line(entry));
    }
    if (settings.GetString("type").empty()) {
      return absl::InvalidArgumentError(src + ": " + settings.KeyPath("type") +
                                        ": required (slack, discord, email or webhook)" + Line(entry));
    }
    out.push_back(std::move(settings));
  }
  return out;
}

absl::StatusOr<std::vector<PluginSettings>> ReadNotifierSettings(const std::string& yaml_path) {
  std::ifstream in(yaml_path);
  if (!in) return absl::NotFoundError("cannot read " + yaml_path);
  std::stringstream text;
  text << in.rdbuf();
  return ParseNotifierSettings(text.str(), yaml_path);
}

}  // namespace awoooi::plugins::outputs
