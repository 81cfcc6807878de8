#include "plugins/actions/kubernetes/label_selector.h"

#include <algorithm>

#include "absl/strings/str_join.h"

namespace awoooi::action::kubernetes {

bool Matches(const LabelSelector& selector, const std::map<std::string, std::string>& labels) {
  if (!selector.present) return false;
  for (const auto& [k, v] : selector.match_labels) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  for (const LabelRequirement& r : selector.expressions) {
    auto it = labels.find(r.key);
    const bool has = it != labels.end();
    const bool listed = has && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end();
    if (r.op == "In") {
      if (!listed) return false;
    } else if (r.op == "NotIn") {
      if (listed) return false;
    } else if (r.op == "Exists") {
      if (!has) return false;
    } else if (r.op == "DoesNotExist") {
      if (has) return false;
    } else {
      return false;
    }
  }
  return true;
}

std::string ToQuery(const LabelSelector& selector) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : selector.match_labels) parts.push_back(k + "=" + v);
  for (const LabelRequirement& r : selector.expressions) {
    std::vector<std::string> values = r.values;
    std::sort(values.begin(), values.end());
    if (r.op == "In") parts.push_back(r.key + " in (" + absl::StrJoin(values, ",") + ")");
    if (r.op == "NotIn") parts.push_back(r.key + " notin (" + absl::StrJoin(values, ",") + ")");
    if (r.op == "Exists") parts.push_back(r.key);
    if (r.op == "DoesNotExist") parts.push_back("!" + r.key);
  }
  return absl::StrJoin(parts, ",");
}

}  // namespace awoooi::action::kubernetes
