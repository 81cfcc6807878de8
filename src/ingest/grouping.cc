#include "ingest/grouping.h"

#include "awoooi/core/digest.h"

namespace awoooi::ingest {

std::string GroupKey(const Alert& alert, const GroupingRule& rule, std::vector<std::string>* names) {
  std::string key;
  for (const auto& alternatives : rule.group_by) {
    if (alternatives.empty()) continue;
    std::string_view name = alternatives.front();
    std::string_view value;
    for (const auto& alt : alternatives) {
      value = alert.Label(alt);
      if (!value.empty()) {
        name = alt;
        break;
      }
    }
    if (!key.empty()) key += ',';
    key.append(name).append("=").append(value);
    if (names != nullptr) names->emplace_back(name);
  }
  return key;
}

std::vector<store::IngestItem> PrepareItems(std::vector<Alert> alerts, const GroupingRule& rule,
                                            const HmacSha256Key* group_key) {
  std::vector<store::IngestItem> items;
  items.reserve(alerts.size());
  for (auto& a : alerts) {
    store::IngestItem item;
    item.group_key = GroupKey(a, rule, &item.group_label_names);
    // The key holds raw label values: only a keyed hash of it is stored.
    if (group_key != nullptr) item.group_key = group_key->MacHex(item.group_key);
    item.service = ServiceOf(a);
    item.alertname = std::string(a.Label("alertname"));
    item.alert = std::move(a);
    items.push_back(std::move(item));
  }
  return items;
}

bool VerifyHmacSha256(std::string_view body, std::string_view secret, std::string_view header) {
  if (header.substr(0, 7) == "sha256=") header.remove_prefix(7);
  std::string expected = HmacSha256Hex(secret, body);
  std::string given(header);
  for (char& c : given) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ConstantTimeEquals(given, expected);
}

}  // namespace awoooi::ingest
