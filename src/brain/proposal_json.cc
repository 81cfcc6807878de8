#include "awoooi/brain/proposal_json.h"

#include <cmath>
#include <optional>
#include <vector>

#include "awoooi/privacy/shield.h"
#include "nlohmann/json.hpp"

namespace awoooi::brain {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

// Start/end offsets of every top-level balanced {...} in `text`, string-aware inside objects so
// braces in JSON strings do not count. Prose outside objects is not tokenised (an apostrophe in
// "don't" must not open a string).
std::vector<std::pair<std::size_t, std::size_t>> TopLevelObjects(std::string_view text) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '{') {
      ++i;
      continue;
    }
    std::size_t start = i;
    int depth = 0;
    bool in_string = false;
    bool escaped = false;
    std::size_t j = i;
    for (; j < text.size(); ++j) {
      char c = text[j];
      if (in_string) {
        if (escaped) {
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (c == '"') {
          in_string = false;
        }
        continue;
      }
      if (c == '"') {
        in_string = true;
      } else if (c == '{') {
        ++depth;
      } else if (c == '}') {
        if (--depth == 0) break;
      }
    }
    if (j >= text.size()) break;  // unbalanced to the end: no more complete objects
    out.emplace_back(start, j + 1);
    i = j + 1;
  }
  return out;
}

struct Extracted {
  Json object;
  std::string_view prose;  // text before the object (the model's step-by-step analysis)
};

std::optional<Extracted> ExtractObject(std::string_view text) {
  auto objects = TopLevelObjects(text);
  // The last object wins: models that think aloud put the answer at the end.
  for (auto it = objects.rbegin(); it != objects.rend(); ++it) {
    Json parsed = Json::parse(text.substr(it->first, it->second - it->first), nullptr,
                              /*allow_exceptions=*/false);
    if (parsed.is_object()) {
      std::string_view prose = text.substr(0, it->first);
      // Drop an opening code fence that belongs to the JSON block.
      std::size_t fence = prose.rfind("```");
      if (fence != std::string_view::npos &&
          prose.find_first_not_of(" \t\r\n", prose.find('\n', fence)) == std::string_view::npos) {
        prose = prose.substr(0, fence);
      }
      while (!prose.empty() &&
             (prose.back() == ' ' || prose.back() == '\n' || prose.back() == '\r' || prose.back() == '\t')) {
        prose.remove_suffix(1);
      }
      while (!prose.empty() && (prose.front() == ' ' || prose.front() == '\n' || prose.front() == '\r' ||
                                prose.front() == '\t')) {
        prose.remove_prefix(1);
      }
      return Extracted{std::move(parsed), prose};
    }
  }
  return std::nullopt;
}

absl::Status Invalid(const std::string& where, std::string_view why) {
  return absl::InvalidArgumentError(where + ": " + std::string(why));
}

// A string member; `required` means missing, non-string or empty is an error.
absl::StatusOr<std::string> StringField(const Json& object, const std::string& key, const std::string& where,
                                        bool required) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) return Invalid(where + key, "is required");
    return std::string();
  }
  if (!it->is_string()) return Invalid(where + key, "must be a string");
  std::string value = it->get<std::string>();
  if (required && value.empty()) return Invalid(where + key, "must not be empty");
  return value;
}

// Parameter values may be scalars of any JSON type; executors receive them as text.
absl::StatusOr<std::string> ScalarText(const Json& value, const std::string& where) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return std::string(value.get<bool>() ? "true" : "false");
  if (value.is_number_integer()) return value.dump();
  if (value.is_number_float()) {
    double d = value.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) {
      return std::to_string(static_cast<long long>(d));
    }
    return value.dump();
  }
  return Invalid(where, "must be a string, number or boolean");
}

}  // namespace

std::string ProposalToJson(const Proposal& p) {
  OrderedJson out;
  out["summary"] = p.summary.str();
  out["root_cause"] = {{"service", p.root_cause.service.str()},
                       {"kind", p.root_cause.kind},
                       {"evidence", p.root_cause.evidence.str()}};
  OrderedJson blast = OrderedJson::array();
  for (const auto& s : p.blast_radius) blast.push_back(s.str());
  out["blast_radius"] = std::move(blast);
  OrderedJson actions = OrderedJson::array();
  for (const ProposedAction& pa : p.actions) {
    const action::Action& a = pa.action;
    OrderedJson params = OrderedJson::object();
    for (const auto& [k, v] : a.params()) {
      if (v.type == action::ParamType::kInteger)
        params[k] = v.integer;
      else
        params[k] = v.text.str();
    }
    actions.push_back(OrderedJson{{"type", std::string(action::ToString(a.kind()))},
                                  {"target_kind", std::string(action::ToString(a.target().kind))},
                                  {"target", a.target().name.str()},
                                  {"parameters", std::move(params)},
                                  {"expected_effect", a.expected_effect().str()},
                                  {"note", pa.note},
                                  {"action_hash", a.hash()}});
  }
  out["actions"] = std::move(actions);
  out["confidence"] = std::isfinite(p.confidence) ? p.confidence : 0.0;
  out["reasoning"] = p.reasoning.str();
  out["reasoner"] = p.reasoner;
  out["fallback_reason"] = p.fallback_reason;
  // Replace invalid UTF-8 rather than throw: model output is untrusted.
  return out.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

absl::StatusOr<Proposal> ParseProposal(std::string_view text, const privacy::Shield& shield,
                                       privacy::Vault& vault, const action::Catalog& catalog) {
  if (text.size() > kMaxProposalTextBytes) {
    return absl::InvalidArgumentError("answer is " + std::to_string(text.size()) + " bytes, more than the " +
                                      std::to_string(kMaxProposalTextBytes) + " allowed");
  }
  std::optional<Extracted> extracted = ExtractObject(text);
  if (!extracted) return absl::InvalidArgumentError("not JSON: the answer contains no JSON object");
  const Json& j = extracted->object;
  auto red = [&](std::string_view s) { return shield.RedactPreservingLabels(s, vault); };

  Proposal p;
  auto summary = StringField(j, "summary", "", true);
  if (!summary.ok()) return summary.status();
  p.summary = red(*summary);

  auto rc = j.find("root_cause");
  if (rc == j.end() || !rc->is_object()) return Invalid("root_cause", "is required and must be an object");
  auto rc_service = StringField(*rc, "service", "root_cause.", true);
  if (!rc_service.ok()) return rc_service.status();
  auto rc_kind = StringField(*rc, "kind", "root_cause.", false);
  if (!rc_kind.ok()) return rc_kind.status();
  auto rc_evidence = StringField(*rc, "evidence", "root_cause.", false);
  if (!rc_evidence.ok()) return rc_evidence.status();
  p.root_cause.service = red(*rc_service);
  // The kind is a topology vocabulary word; keep only identifier characters so it cannot carry data.
  p.root_cause.kind = privacy::RedactedIdentifier(*rc_kind).str();
  p.root_cause.evidence = red(*rc_evidence);

  if (auto br = j.find("blast_radius"); br != j.end() && !br->is_null()) {
    if (!br->is_array()) return Invalid("blast_radius", "must be an array of strings");
    for (std::size_t i = 0; i < br->size(); ++i) {
      if (!(*br)[i].is_string())
        return Invalid("blast_radius[" + std::to_string(i) + "]", "must be a string");
      p.blast_radius.push_back(red((*br)[i].get<std::string>()));
    }
  }

  auto actions = j.find("actions");
  if (actions == j.end() || !actions->is_array())
    return Invalid("actions", "is required and must be an array");
  if (actions->empty()) return Invalid("actions", "must hold at least one action");
  for (std::size_t i = 0; i < actions->size(); ++i) {
    const Json& a = (*actions)[i];
    std::string where = "actions[" + std::to_string(i) + "]";
    if (!a.is_object()) return Invalid(where, "must be an object");
    auto type = StringField(a, "type", where + ".", true);
    if (!type.ok()) return type.status();
    action::Draft draft;
    draft.kind = privacy::RedactedIdentifier(type->substr(0, 64)).str();
    auto target_kind = StringField(a, "target_kind", where + ".", false);
    if (!target_kind.ok()) return target_kind.status();
    draft.target_kind = privacy::RedactedIdentifier(target_kind->substr(0, 32)).str();
    auto target = StringField(a, "target", where + ".", false);
    if (!target.ok()) return target.status();
    draft.target = red(*target);
    if (auto params = a.find("parameters"); params != a.end() && !params->is_null()) {
      if (!params->is_object()) return Invalid(where + ".parameters", "must be an object");
      for (const auto& [key, value] : params->items()) {
        // An MCP tool's arguments may come as an object: keep it as JSON text.
        auto v = value.is_object()
                     ? absl::StatusOr<std::string>(value.dump(-1, ' ', false, Json::error_handler_t::replace))
                     : ScalarText(value, where + ".parameters." + key);
        if (!v.ok()) return v.status();
        draft.params[privacy::RedactedIdentifier(key).str()] = red(*v);
      }
    }
    auto effect = StringField(a, "expected_effect", where + ".", false);
    if (!effect.ok()) return effect.status();
    draft.expected_effect = red(*effect);
    auto built = action::Build(draft, catalog);
    if (!built.ok()) return Invalid(where, std::string(built.status().message()));
    p.actions.push_back(ProposedAction{std::move(*built), ""});
  }

  auto confidence = j.find("confidence");
  if (confidence == j.end() || !confidence->is_number())
    return Invalid("confidence", "is required and must be a number");
  p.confidence = confidence->get<double>();

  auto reasoning = StringField(j, "reasoning", "", false);
  if (!reasoning.ok()) return reasoning.status();
  p.reasoning = red(reasoning->empty() ? extracted->prose : std::string_view(*reasoning));
  return p;
}

}  // namespace awoooi::brain
