#include "ingest/alert_parser.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "absl/strings/str_cat.h"

namespace awoooi::ingest {
namespace {

using nlohmann::json;

absl::Status Invalid(std::string_view where, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(std::string(where), ": ", std::string(what)));
}

absl::Status ReadStringMap(const json& obj, std::string_view where, const ParseLimits& limits,
                           LabelSet* out) {
  if (!obj.is_object()) return Invalid(where, "must be an object of strings");
  if (obj.size() > limits.max_labels) {
    return Invalid(where, absl::StrCat("more than ", limits.max_labels, " entries"));
  }
  for (const auto& [name, value] : obj.items()) {
    if (name.empty()) return Invalid(where, "empty name");
    if (name.size() > limits.max_name_bytes) {
      return Invalid(where, absl::StrCat("a name is longer than ", limits.max_name_bytes, " bytes"));
    }
    if (!value.is_string()) return Invalid(absl::StrCat(std::string(where), ".", name), "must be a string");
    const auto& v = value.get_ref<const std::string&>();
    if (v.size() > limits.max_value_bytes) {
      return Invalid(absl::StrCat(std::string(where), ".", name),
                     absl::StrCat("longer than ", limits.max_value_bytes, " bytes"));
    }
    (*out)[name] = v;
  }
  return absl::OkStatus();
}

absl::Status ReadTime(const json& obj, const char* key, std::string_view where, absl::Time* out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_string())
    return Invalid(absl::StrCat(std::string(where), ".", key), "must be an RFC 3339 string");
  auto t = ParseRfc3339(it->get_ref<const std::string&>());
  if (!t) return Invalid(absl::StrCat(std::string(where), ".", key), "is not an RFC 3339 time");
  *out = *t;
  return absl::OkStatus();
}

absl::Status ReadOptionalString(const json& obj, const char* key, std::string_view where, std::size_t max,
                                std::string* out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_string()) return Invalid(absl::StrCat(std::string(where), ".", key), "must be a string");
  if (it->get_ref<const std::string&>().size() > max) {
    return Invalid(absl::StrCat(std::string(where), ".", key), absl::StrCat("longer than ", max, " bytes"));
  }
  *out = it->get<std::string>();
  return absl::OkStatus();
}

// Status from an explicit field, else from endsAt: an end in the past means resolved.
absl::Status DecideStatus(const json& obj, std::string_view where, absl::Time now, bool required, Alert* a) {
  auto it = obj.find("status");
  if (it != obj.end() && !it->is_null()) {
    if (!it->is_string()) return Invalid(absl::StrCat(std::string(where), ".status"), "must be a string");
    auto s = ParseAlertStatus(it->get_ref<const std::string&>());
    if (!s) return Invalid(absl::StrCat(std::string(where), ".status"), "must be \"firing\" or \"resolved\"");
    a->status = *s;
    return absl::OkStatus();
  }
  if (required) return Invalid(absl::StrCat(std::string(where), ".status"), "is required");
  a->status = (a->ends_at != absl::InfinitePast() && a->ends_at <= now) ? AlertStatus::kResolved
                                                                        : AlertStatus::kFiring;
  return absl::OkStatus();
}

absl::StatusOr<json> ParseBody(std::string_view body, const ParseLimits& limits) {
  if (body.empty()) return absl::InvalidArgumentError("body: empty; expected a JSON document");
  if (auto s = CheckJsonShape(body, limits); !s.ok()) return s;
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    // Re-parse with exceptions only on the error path, for a message with the byte position.
    try {
      (void)json::parse(body);
    } catch (const json::exception& e) {
      // The library quotes the offending input ("last read: '...'"); never echo request content.
      std::string what = e.what();
      if (auto cut = what.find("; last read"); cut != std::string::npos) what.resize(cut);
      return absl::InvalidArgumentError(absl::StrCat("body: malformed JSON (", what, ")"));
    }
    return absl::InvalidArgumentError("body: malformed JSON");
  }
  return doc;
}

}  // namespace

absl::Status CheckJsonShape(std::string_view text, const ParseLimits& limits) {
  // What a valid body can hold: an alert is at most three containers (itself, labels,
  // annotations), no array is longer than the alert limit, no object wider than an alert's labels
  // and annotations together. Anything beyond is refused before a document is built, so that
  // `[{},{},...]` or a million one-byte members cannot cost hundreds of MB of DOM.
  const std::size_t max_containers = 4 * limits.max_alerts + 64;
  const std::size_t max_members = 2 * limits.max_labels + 16;
  struct Open {
    bool array;
    std::size_t commas;
  };
  std::vector<Open> stack;
  stack.reserve(static_cast<std::size_t>(std::max(limits.max_depth, 1)) + 1);
  std::size_t containers = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (static_cast<int>(stack.size()) >= limits.max_depth) {
          return absl::InvalidArgumentError(
              absl::StrCat("body: JSON nested deeper than ", limits.max_depth, " levels"));
        }
        if (++containers > max_containers) {
          return absl::InvalidArgumentError(absl::StrCat("body: more than ", max_containers,
                                                         " arrays and objects; at most ", limits.max_alerts,
                                                         " alerts in one request"));
        }
        stack.push_back({c == '[', 0});
        break;
      case ']':
      case '}':
        if (!stack.empty()) stack.pop_back();
        break;
      case ',':
        if (stack.empty()) break;
        if (stack.back().array && ++stack.back().commas >= limits.max_alerts) {
          return absl::InvalidArgumentError(
              absl::StrCat("alerts: more than ", limits.max_alerts, " alerts in one request"));
        }
        if (!stack.back().array && ++stack.back().commas >= max_members) {
          return absl::InvalidArgumentError(absl::StrCat("body: an object has more than ", max_members,
                                                         " members (labels and annotations: more than ",
                                                         limits.max_labels, " each)"));
        }
        break;
      default:
        break;
    }
  }
  return absl::OkStatus();
}

int JsonNestingDepth(std::string_view text, int limit) {
  int depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        max_depth = depth;
        if (max_depth > limit) return max_depth;
      }
    } else if (c == ']' || c == '}')
      --depth;
  }
  return max_depth;
}

absl::StatusOr<std::vector<Alert>> ParseAlertmanagerWebhook(std::string_view body, const ParseLimits& limits,
                                                            absl::Time now) {
  auto doc = ParseBody(body, limits);
  if (!doc.ok()) return doc.status();
  if (!doc->is_object())
    return absl::InvalidArgumentError("body: must be a JSON object (Alertmanager webhook)");
  auto version = doc->find("version");
  if (version != doc->end() && !(version->is_string() && version->get_ref<const std::string&>() == "4")) {
    return absl::InvalidArgumentError(
        "version: only Alertmanager webhook payload version \"4\" is supported");
  }
  auto alerts = doc->find("alerts");
  if (alerts == doc->end()) return absl::InvalidArgumentError("alerts: is required");
  if (!alerts->is_array()) return absl::InvalidArgumentError("alerts: must be an array");
  if (alerts->empty()) return absl::InvalidArgumentError("alerts: is empty; nothing to ingest");
  if (alerts->size() > limits.max_alerts) {
    return absl::InvalidArgumentError(
        absl::StrCat("alerts: more than ", limits.max_alerts, " alerts in one request"));
  }
  std::vector<Alert> out;
  out.reserve(alerts->size());
  for (std::size_t i = 0; i < alerts->size(); ++i) {
    const json& a = (*alerts)[i];
    std::string where = absl::StrCat("alerts[", i, "]");
    if (!a.is_object()) return Invalid(where, "must be an object");
    Alert alert;
    alert.source = "alertmanager";
    auto labels = a.find("labels");
    if (labels == a.end()) return Invalid(where + ".labels", "is required");
    if (auto s = ReadStringMap(*labels, where + ".labels", limits, &alert.labels); !s.ok()) return s;
    if (alert.labels.empty()) return Invalid(where + ".labels", "must not be empty");
    if (auto it = a.find("annotations"); it != a.end() && !it->is_null()) {
      if (auto s = ReadStringMap(*it, where + ".annotations", limits, &alert.annotations); !s.ok()) return s;
    }
    if (auto s = ReadTime(a, "startsAt", where, &alert.starts_at); !s.ok()) return s;
    if (auto s = ReadTime(a, "endsAt", where, &alert.ends_at); !s.ok()) return s;
    if (auto s = ReadOptionalString(a, "generatorURL", where, limits.max_value_bytes, &alert.generator_url);
        !s.ok())
      return s;
    std::string ignored_fp;  // Alertmanager's own fingerprint: ours is computed the same way.
    if (auto s = ReadOptionalString(a, "fingerprint", where, 64, &ignored_fp); !s.ok()) return s;
    if (auto s = DecideStatus(a, where, now, /*required=*/true, &alert); !s.ok()) return s;
    alert.fingerprint = LabelFingerprint(alert.labels);
    out.push_back(std::move(alert));
  }
  return out;
}

absl::StatusOr<std::vector<Alert>> ParseGenericAlerts(std::string_view body, const ParseLimits& limits,
                                                      absl::Time now) {
  auto doc = ParseBody(body, limits);
  if (!doc.ok()) return doc.status();
  const json* list = nullptr;
  json single = json::array();
  std::string prefix = "alerts";
  if (doc->is_array()) {
    list = &*doc;
  } else if (doc->is_object() && doc->contains("alerts")) {
    list = &(*doc)["alerts"];
    if (!list->is_array()) return absl::InvalidArgumentError("alerts: must be an array");
  } else if (doc->is_object()) {
    single.push_back(std::move(*doc));
    list = &single;
    prefix = "alert";
  } else {
    return absl::InvalidArgumentError(
        "body: must be an alert object, an array of alerts, or {\"alerts\": [...]}");
  }
  if (list->empty()) return absl::InvalidArgumentError("alerts: is empty; nothing to ingest");
  if (list->size() > limits.max_alerts) {
    return absl::InvalidArgumentError(
        absl::StrCat("alerts: more than ", limits.max_alerts, " alerts in one request"));
  }
  std::vector<Alert> out;
  out.reserve(list->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json& a = (*list)[i];
    std::string where = prefix == "alert" ? prefix : absl::StrCat(prefix, "[", i, "]");
    if (!a.is_object()) return Invalid(where, "must be an object");
    Alert alert;
    alert.source = "generic";
    if (auto it = a.find("labels"); it != a.end() && !it->is_null()) {
      if (auto s = ReadStringMap(*it, where + ".labels", limits, &alert.labels); !s.ok()) return s;
    }
    if (auto it = a.find("annotations"); it != a.end() && !it->is_null()) {
      if (auto s = ReadStringMap(*it, where + ".annotations", limits, &alert.annotations); !s.ok()) return s;
    }
    // Shortcut fields: the common labels and annotations at the top level of the alert.
    for (const char* key : {"alertname", "service", "severity", "namespace", "instance"}) {
      std::string v;
      if (auto s = ReadOptionalString(a, key, where, limits.max_value_bytes, &v); !s.ok()) return s;
      if (!v.empty()) alert.labels[key] = v;
    }
    for (const char* key : {"summary", "description", "runbook_url"}) {
      std::string v;
      if (auto s = ReadOptionalString(a, key, where, limits.max_value_bytes, &v); !s.ok()) return s;
      if (!v.empty()) alert.annotations[key] = v;
    }
    if (alert.labels.size() > limits.max_labels) {
      return Invalid(where + ".labels", absl::StrCat("more than ", limits.max_labels, " entries"));
    }
    if (alert.Label("alertname").empty()) {
      return Invalid(where, "needs an alertname (field \"alertname\" or labels.alertname)");
    }
    for (auto [snake, camel] : {std::pair{"starts_at", "startsAt"}, std::pair{"ends_at", "endsAt"}}) {
      absl::Time* dst = std::string_view(snake) == "starts_at" ? &alert.starts_at : &alert.ends_at;
      if (auto s = ReadTime(a, snake, where, dst); !s.ok()) return s;
      if (auto s = ReadTime(a, camel, where, dst); !s.ok()) return s;
    }
    if (auto s = ReadOptionalString(a, "generator_url", where, limits.max_value_bytes, &alert.generator_url);
        !s.ok())
      return s;
    if (auto s = ReadOptionalString(a, "generatorURL", where, limits.max_value_bytes, &alert.generator_url);
        !s.ok())
      return s;
    if (auto s = DecideStatus(a, where, now, /*required=*/false, &alert); !s.ok()) return s;
    if (alert.starts_at == absl::InfinitePast()) alert.starts_at = now;
    alert.fingerprint = LabelFingerprint(alert.labels);
    out.push_back(std::move(alert));
  }
  return out;
}

}  // namespace awoooi::ingest
