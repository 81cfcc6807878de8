#include "ingest/alert_parser.h"

#include <simdjson.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"

// The bodies are read with simdjson's DOM: one pass builds a flat tape in buffers the parser
// reuses, so a request costs no allocation per value (docs/adr/0006-simdjson-for-ingestion.md).
// This file and src/core/json_read.cc are the only ones that see simdjson.
namespace awoooi::ingest {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

absl::Status Invalid(std::string_view where, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(std::string(where), ": ", std::string(what)));
}

// The member `key` of `obj`, or a null element when it is absent.
bool Find(const object& obj, std::string_view key, element* out) {
  return obj.at_key(key).get(*out) == simdjson::SUCCESS && !out->is_null();
}

absl::Status ReadStringMap(const element& value, std::string_view where, const ParseLimits& limits,
                           LabelSet* out) {
  object obj;
  if (value.get_object().get(obj) != simdjson::SUCCESS) return Invalid(where, "must be an object of strings");
  if (obj.size() > limits.max_labels) {
    return Invalid(where, absl::StrCat("more than ", limits.max_labels, " entries"));
  }
  for (auto [name, v] : obj) {
    if (name.empty()) return Invalid(where, "empty name");
    if (name.size() > limits.max_name_bytes) {
      return Invalid(where, absl::StrCat("a name is longer than ", limits.max_name_bytes, " bytes"));
    }
    std::string_view text;
    if (v.get_string().get(text) != simdjson::SUCCESS) {
      return Invalid(absl::StrCat(std::string(where), ".", std::string(name)), "must be a string");
    }
    if (text.size() > limits.max_value_bytes) {
      return Invalid(absl::StrCat(std::string(where), ".", std::string(name)),
                     absl::StrCat("longer than ", limits.max_value_bytes, " bytes"));
    }
    // A repeated name: the last value wins, as in the label sets Prometheus builds.
    (*out)[std::string(name)] = std::string(text);
  }
  return absl::OkStatus();
}

absl::Status ReadTime(const object& obj, const char* key, std::string_view where, absl::Time* out) {
  element it;
  if (!Find(obj, key, &it)) return absl::OkStatus();
  std::string_view text;
  if (it.get_string().get(text) != simdjson::SUCCESS)
    return Invalid(absl::StrCat(std::string(where), ".", key), "must be an RFC 3339 string");
  auto t = ParseRfc3339(text);
  if (!t) return Invalid(absl::StrCat(std::string(where), ".", key), "is not an RFC 3339 time");
  *out = *t;
  return absl::OkStatus();
}

absl::Status ReadOptionalString(const object& obj, const char* key, std::string_view where, std::size_t max,
                                std::string* out) {
  element it;
  if (!Find(obj, key, &it)) return absl::OkStatus();
  std::string_view text;
  if (it.get_string().get(text) != simdjson::SUCCESS)
    return Invalid(absl::StrCat(std::string(where), ".", key), "must be a string");
  if (text.size() > max) {
    return Invalid(absl::StrCat(std::string(where), ".", key), absl::StrCat("longer than ", max, " bytes"));
  }
  out->assign(text);
  return absl::OkStatus();
}

// Status from an explicit field, else from endsAt: an end in the past means resolved.
absl::Status DecideStatus(const object& obj, std::string_view where, absl::Time now, bool required,
                          Alert* a) {
  element it;
  if (Find(obj, "status", &it)) {
    std::string_view text;
    if (it.get_string().get(text) != simdjson::SUCCESS)
      return Invalid(absl::StrCat(std::string(where), ".status"), "must be a string");
    auto s = ParseAlertStatus(text);
    if (!s) return Invalid(absl::StrCat(std::string(where), ".status"), "must be \"firing\" or \"resolved\"");
    a->status = *s;
    return absl::OkStatus();
  }
  if (required) return Invalid(absl::StrCat(std::string(where), ".status"), "is required");
  a->status = (a->ends_at != absl::InfinitePast() && a->ends_at <= now) ? AlertStatus::kResolved
                                                                        : AlertStatus::kFiring;
  return absl::OkStatus();
}

// One parser per I/O thread: its buffers are reused from request to request. One that grew for a
// large body gives its memory back afterwards.
class Body {
 public:
  static constexpr std::size_t kKeepCapacity = 1 << 20;

  Body() : parser_(Parser()) {}
  ~Body() {
    if (parser_.capacity() > kKeepCapacity) parser_ = simdjson::dom::parser();
  }
  Body(const Body&) = delete;
  Body& operator=(const Body&) = delete;

  absl::StatusOr<element> Parse(std::string_view body, const ParseLimits& limits) {
    if (body.empty()) return absl::InvalidArgumentError("body: empty; expected a JSON document");
    if (auto s = CheckJsonShape(body, limits); !s.ok()) return s;
    element doc;
    if (auto error = parser_.parse(body.data(), body.size()).get(doc); error != simdjson::SUCCESS) {
      // simdjson's messages describe the problem, never the input: nothing of the request is echoed.
      return absl::InvalidArgumentError(
          absl::StrCat("body: malformed JSON (", simdjson::error_message(error), ")"));
    }
    return doc;
  }

 private:
  static simdjson::dom::parser& Parser() {
    thread_local simdjson::dom::parser parser;
    return parser;
  }
  simdjson::dom::parser& parser_;
};

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
  Body parsed;
  auto doc = parsed.Parse(body, limits);
  if (!doc.ok()) return doc.status();
  object root;
  if (doc->get_object().get(root) != simdjson::SUCCESS)
    return absl::InvalidArgumentError("body: must be a JSON object (Alertmanager webhook)");
  if (element version; root.at_key("version").get(version) == simdjson::SUCCESS) {
    std::string_view text;
    if (version.get_string().get(text) != simdjson::SUCCESS || text != "4") {
      return absl::InvalidArgumentError(
          "version: only Alertmanager webhook payload version \"4\" is supported");
    }
  }
  element alerts_value;
  if (root.at_key("alerts").get(alerts_value) != simdjson::SUCCESS)
    return absl::InvalidArgumentError("alerts: is required");
  simdjson::dom::array alerts;
  if (alerts_value.get_array().get(alerts) != simdjson::SUCCESS)
    return absl::InvalidArgumentError("alerts: must be an array");
  const std::size_t count = alerts.size();
  if (count == 0) return absl::InvalidArgumentError("alerts: is empty; nothing to ingest");
  if (count > limits.max_alerts) {
    return absl::InvalidArgumentError(
        absl::StrCat("alerts: more than ", limits.max_alerts, " alerts in one request"));
  }
  std::vector<Alert> out;
  out.reserve(count);
  std::size_t i = 0;
  for (element value : alerts) {
    std::string where = absl::StrCat("alerts[", i++, "]");
    object a;
    if (value.get_object().get(a) != simdjson::SUCCESS) return Invalid(where, "must be an object");
    Alert alert;
    alert.source = "alertmanager";
    element labels;
    if (a.at_key("labels").get(labels) != simdjson::SUCCESS) return Invalid(where + ".labels", "is required");
    if (auto s = ReadStringMap(labels, where + ".labels", limits, &alert.labels); !s.ok()) return s;
    if (alert.labels.empty()) return Invalid(where + ".labels", "must not be empty");
    if (element annotations; Find(a, "annotations", &annotations)) {
      if (auto s = ReadStringMap(annotations, where + ".annotations", limits, &alert.annotations); !s.ok())
        return s;
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
  Body parsed;
  auto doc = parsed.Parse(body, limits);
  if (!doc.ok()) return doc.status();
  std::vector<element> list;
  std::string prefix = "alerts";
  simdjson::dom::array array;
  object root;
  if (doc->get_array().get(array) == simdjson::SUCCESS) {
    for (element e : array) list.push_back(e);
  } else if (doc->get_object().get(root) == simdjson::SUCCESS) {
    if (element inner; root.at_key("alerts").get(inner) == simdjson::SUCCESS) {
      if (inner.get_array().get(array) != simdjson::SUCCESS)
        return absl::InvalidArgumentError("alerts: must be an array");
      for (element e : array) list.push_back(e);
    } else {
      list.push_back(*doc);
      prefix = "alert";
    }
  } else {
    return absl::InvalidArgumentError(
        "body: must be an alert object, an array of alerts, or {\"alerts\": [...]}");
  }
  if (list.empty()) return absl::InvalidArgumentError("alerts: is empty; nothing to ingest");
  if (list.size() > limits.max_alerts) {
    return absl::InvalidArgumentError(
        absl::StrCat("alerts: more than ", limits.max_alerts, " alerts in one request"));
  }
  std::vector<Alert> out;
  out.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string where = prefix == "alert" ? prefix : absl::StrCat(prefix, "[", i, "]");
    object a;
    if (list[i].get_object().get(a) != simdjson::SUCCESS) return Invalid(where, "must be an object");
    Alert alert;
    alert.source = "generic";
    if (element labels; Find(a, "labels", &labels)) {
      if (auto s = ReadStringMap(labels, where + ".labels", limits, &alert.labels); !s.ok()) return s;
    }
    if (element annotations; Find(a, "annotations", &annotations)) {
      if (auto s = ReadStringMap(annotations, where + ".annotations", limits, &alert.annotations); !s.ok())
        return s;
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
