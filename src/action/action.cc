#include "awoooi/action/action.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "awoooi/core/digest.h"
#include "awoooi/privacy/shield.h"

namespace awoooi::action {
namespace {

using privacy::Redacted;

constexpr std::size_t kMaxNameBytes = 253;
constexpr std::size_t kMaxNamespaceBytes = 63;
constexpr std::size_t kMaxTextBytes = 1000;
constexpr std::size_t kMaxJsonBytes = 64 * 1024;
constexpr int kMaxJsonDepth = 16;

struct KindName {
  Kind kind;
  std::string_view name;
};
constexpr KindName kKindNames[] = {
    {Kind::kRestartPod, "restart_pod"},
    {Kind::kRolloutRestart, "rollout_restart"},
    {Kind::kScale, "scale"},
    {Kind::kCordonNode, "cordon_node"},
    {Kind::kDeletePvc, "delete_pvc"},
    {Kind::kMcpTool, "mcp_tool"},
    {Kind::kRunTemplate, "run_template"},
    {Kind::kInvestigate, "investigate"},
};

struct TargetKindName {
  TargetKind kind;
  std::string_view name;
};
constexpr TargetKindName kTargetKindNames[] = {
    {TargetKind::kService, "service"},
    {TargetKind::kPod, "pod"},
    {TargetKind::kDeployment, "deployment"},
    {TargetKind::kStatefulSet, "statefulset"},
    {TargetKind::kNode, "node"},
    {TargetKind::kPvc, "pvc"},
    {TargetKind::kNone, "none"},
};

// Debian's Abseil has its own string_view: convert at the call.
absl::string_view AV(std::string_view v) { return absl::string_view(v.data(), v.size()); }

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLowerAlnum(char c) { return IsLower(c) || IsDigit(c); }

// "[PREFIX_N]" exactly as the shield mints labels (no '~': escaped label-shaped text is not one).
bool IsMintedLabelShape(std::string_view v) {
  if (v.size() < 4 || v.front() != '[' || v.back() != ']') return false;
  std::string_view in = v.substr(1, v.size() - 2);
  auto us = in.rfind('_');
  if (us == std::string_view::npos || us == 0 || us + 1 >= in.size()) return false;
  if (!(in[0] >= 'A' && in[0] <= 'Z')) return false;
  for (char c : in.substr(0, us)) {
    if (!((c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_')) return false;
  }
  std::string_view num = in.substr(us + 1);
  if (num[0] == '0' || num.size() > 9) return false;
  return std::all_of(num.begin(), num.end(), IsDigit);
}

// DNS-1123 subdomain: lower-case alphanumerics, '-' and '.', starting and ending alphanumeric.
bool IsDnsSubdomain(std::string_view v, std::size_t max) {
  if (v.empty() || v.size() > max) return false;
  if (!IsLowerAlnum(v.front()) || !IsLowerAlnum(v.back())) return false;
  for (char c : v) {
    if (!(IsLowerAlnum(c) || c == '-' || c == '.')) return false;
  }
  return v.find("..") == std::string_view::npos;
}

// DNS-1123 label: as a subdomain without dots.
bool IsDnsLabel(std::string_view v, std::size_t max) {
  return IsDnsSubdomain(v, max) && v.find('.') == std::string_view::npos;
}

bool IsIdentifier(std::string_view v) {
  if (v.empty() || v.size() > 64 || !IsLower(v.front())) return false;
  return std::all_of(v.begin(), v.end(), [](char c) { return IsLowerAlnum(c) || c == '_' || c == '-'; });
}

bool IsToolName(std::string_view v) {
  if (v.empty() || v.size() > 128 || v.front() == '-' || v.front() == '.') return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

bool ParseDurationMs(std::string_view v, int64_t* ms) {
  std::size_t digits = 0;
  while (digits < v.size() && IsDigit(v[digits])) ++digits;
  if (digits == 0 || digits > 6) return false;
  int64_t n = 0;
  if (!absl::SimpleAtoi(AV(v.substr(0, digits)), &n)) return false;
  std::string_view unit = v.substr(digits);
  int64_t scale = unit == "ms" ? 1 : unit == "s" ? 1000 : unit == "m" ? 60'000 : unit == "h" ? 3'600'000 : 0;
  if (scale == 0) return false;
  *ms = n * scale;
  return *ms <= 24 * 3'600'000LL;
}

bool IsOneLineText(std::string_view v) {
  for (unsigned char c : v) {
    if (c < 0x20 || c == 0x7f) return false;  // newlines, tabs, escapes, NUL
  }
  return true;
}

int JsonDepth(const nlohmann::json& j) {
  int deepest = 0;
  if (j.is_object() || j.is_array()) {
    for (const auto& e : j) deepest = std::max(deepest, JsonDepth(e));
    return deepest + 1;
  }
  return 0;
}

enum class Values { kRedacted, kReal };

absl::Status CheckTyped(const ParamSpec& spec, std::string_view v, Values values) {
  const bool label_ok = values == Values::kRedacted;
  auto fail = [&](std::string_view rule) {
    return absl::InvalidArgumentError(absl::StrCat(spec.name, ": ", AV(rule)));
  };
  switch (spec.type) {
    case ParamType::kName:
      if (label_ok && IsMintedLabelShape(v)) return absl::OkStatus();
      if (!IsDnsSubdomain(v, kMaxNameBytes)) {
        return fail(
            "must be a Kubernetes name (lower-case letters, digits, '-' and '.', starting and ending "
            "with a letter or digit, at most 253 characters)");
      }
      return absl::OkStatus();
    case ParamType::kNamespace:
      if (label_ok && IsMintedLabelShape(v)) return absl::OkStatus();
      if (!IsDnsLabel(v, kMaxNamespaceBytes)) {
        return fail(
            "must be a Kubernetes namespace (lower-case letters, digits and '-', at most 63 characters)");
      }
      return absl::OkStatus();
    case ParamType::kInteger: {
      int64_t n = 0;
      bool digits = !v.empty() && v.size() <= 12 &&
                    std::all_of(v.begin() + (v.front() == '-' ? 1 : 0), v.end(), IsDigit) && v != "-";
      if (!digits || !absl::SimpleAtoi(AV(v), &n)) return fail("must be a whole number");
      if (n < spec.min || n > spec.max) {
        return fail(absl::StrCat("must be between ", spec.min, " and ", spec.max));
      }
      return absl::OkStatus();
    }
    case ParamType::kEnum:
      if (std::find(spec.values.begin(), spec.values.end(), v) == spec.values.end()) {
        return fail(absl::StrCat("must be one of ", absl::StrJoin(spec.values, ", ")));
      }
      return absl::OkStatus();
    case ParamType::kDuration: {
      int64_t ms = 0;
      if (!ParseDurationMs(v, &ms))
        return fail("must be a duration such as 250ms, 30s, 5m or 1h (at most 24h)");
      return absl::OkStatus();
    }
    case ParamType::kIdentifier:
      if (!IsIdentifier(v)) return fail("must be a configured name ([a-z][a-z0-9_-], at most 64 characters)");
      return absl::OkStatus();
    case ParamType::kToolName:
      if (!IsToolName(v))
        return fail("must be an MCP tool name (letters, digits, '_', '-' and '.', at most 128)");
      return absl::OkStatus();
    case ParamType::kJsonObject: {
      if (v.size() > kMaxJsonBytes) return fail("is longer than 64 KiB");
      auto j = nlohmann::json::parse(v, nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded() || !j.is_object()) return fail("must be a JSON object");
      if (JsonDepth(j) > kMaxJsonDepth) return fail("is nested deeper than 16 levels");
      return absl::OkStatus();
    }
    case ParamType::kText:
      if (v.size() > kMaxTextBytes) return fail("is longer than 1000 characters");
      if (!IsOneLineText(v)) return fail("must be one line of printable text");
      return absl::OkStatus();
  }
  return fail("has an unknown type");
}

ParamSpec NamespaceParam() { return ParamSpec{"namespace", ParamType::kNamespace, false, 0, 0, {}}; }

std::vector<KindSpec> MakeSpecs() {
  using T = TargetKind;
  const std::vector<TargetKind> any_object = {T::kService, T::kPod, T::kDeployment, T::kStatefulSet,
                                              T::kNode,    T::kPvc, T::kNone};
  std::vector<KindSpec> s;
  s.push_back({Kind::kRestartPod, {T::kService, T::kPod}, {NamespaceParam()}});
  s.push_back({Kind::kRolloutRestart, {T::kService, T::kDeployment, T::kStatefulSet}, {NamespaceParam()}});
  s.push_back({Kind::kScale,
               {T::kService, T::kDeployment, T::kStatefulSet},
               {NamespaceParam(), ParamSpec{"replicas", ParamType::kInteger, true, 0, 1000, {}}}});
  s.push_back({Kind::kCordonNode, {T::kNode}, {}});
  s.push_back({Kind::kDeletePvc, {T::kPvc}, {NamespaceParam()}});
  s.push_back({Kind::kMcpTool,
               {T::kNone, T::kService, T::kPod, T::kDeployment, T::kStatefulSet, T::kNode, T::kPvc},
               {NamespaceParam(), ParamSpec{"server", ParamType::kIdentifier, true, 0, 0, {}},
                ParamSpec{"tool", ParamType::kToolName, true, 0, 0, {}},
                ParamSpec{"arguments", ParamType::kJsonObject, false, 0, 0, {}}}});
  // run_template's slots come from the template (Catalog); `template` names it.
  s.push_back({Kind::kRunTemplate,
               {T::kNone, T::kService, T::kPod, T::kDeployment, T::kStatefulSet, T::kNode, T::kPvc},
               {NamespaceParam(), ParamSpec{"template", ParamType::kIdentifier, true, 0, 0, {}}}});
  s.push_back({Kind::kInvestigate,
               any_object,
               {NamespaceParam(), ParamSpec{"check", ParamType::kText, false, 0, 0, {}}}});
  return s;
}

const std::vector<KindSpec>& Specs() {
  static const std::vector<KindSpec>* specs = new std::vector<KindSpec>(MakeSpecs());
  return *specs;
}

bool Namespaced(TargetKind t) {
  return t == TargetKind::kPod || t == TargetKind::kDeployment || t == TargetKind::kStatefulSet ||
         t == TargetKind::kPvc || t == TargetKind::kService;
}

void AppendField(std::string* out, std::string_view name, std::string_view type, std::string_view value) {
  absl::StrAppend(out, AV(name), "=", AV(type), ":", value.size(), ":", AV(value), "\n");
}

// A name segment Kubernetes generated: a ReplicaSet hash or pod suffix (its alphabet has no vowels
// and no 0, 1, 3) with a digit in it, or a StatefulSet ordinal.
bool GeneratedSegment(std::string_view seg) {
  if (!seg.empty() && seg.size() <= 5 && std::all_of(seg.begin(), seg.end(), IsDigit)) return true;
  if (seg.size() < 5 || seg.size() > 10) return false;
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  bool digit = false;
  for (char c : seg) {
    if (kAlphabet.find(c) == std::string_view::npos) return false;
    digit = digit || IsDigit(c);
  }
  return digit;
}

}  // namespace

std::string_view ToString(Kind kind) {
  for (const auto& k : kKindNames) {
    if (k.kind == kind) return k.name;
  }
  return "investigate";
}

std::optional<Kind> ParseKind(std::string_view text) {
  for (const auto& k : kKindNames) {
    if (k.name == text) return k.kind;
  }
  return std::nullopt;
}

bool Changes(Kind kind) { return kind != Kind::kInvestigate; }

std::string_view ToString(TargetKind kind) {
  for (const auto& k : kTargetKindNames) {
    if (k.kind == kind) return k.name;
  }
  return "none";
}

std::optional<TargetKind> ParseTargetKind(std::string_view text) {
  for (const auto& k : kTargetKindNames) {
    if (k.name == text) return k.kind;
  }
  return std::nullopt;
}

std::string_view ToString(ParamType type) {
  switch (type) {
    case ParamType::kName:
      return "name";
    case ParamType::kNamespace:
      return "namespace";
    case ParamType::kInteger:
      return "integer";
    case ParamType::kEnum:
      return "enum";
    case ParamType::kDuration:
      return "duration";
    case ParamType::kIdentifier:
      return "identifier";
    case ParamType::kToolName:
      return "tool_name";
    case ParamType::kJsonObject:
      return "json_object";
    case ParamType::kText:
      return "text";
  }
  return "text";
}

const KindSpec& SpecOf(Kind kind) {
  for (const auto& s : Specs()) {
    if (s.kind == kind) return s;
  }
  return Specs().back();
}

absl::Status CheckValue(const ParamSpec& spec, std::string_view value) {
  return CheckTyped(spec, value, Values::kRedacted);
}

const Value* Action::param(std::string_view name) const {
  auto it = params_.find(std::string(name));
  return it == params_.end() ? nullptr : &it->second;
}

std::string Action::CanonicalEncoding() const {
  std::string out = "awoooi.action.v1\n";
  AppendField(&out, "kind", "kind", ToString(kind_));
  AppendField(&out, "target.kind", "target_kind", ToString(target_.kind));
  AppendField(&out, "target.name", "name", target_.name.view());
  AppendField(&out, "target.namespace", "namespace", target_.ns.view());
  for (const auto& [name, value] : params_) {  // std::map: sorted by name
    AppendField(&out, absl::StrCat("param.", name), ToString(value.type), value.text.view());
  }
  return out;
}

std::string WithoutGeneratedSuffix(std::string_view name) {
  std::vector<std::string> segs = absl::StrSplit(AV(name), '-');
  std::size_t keep = segs.size();
  while (keep > 1 && GeneratedSegment(segs[keep - 1])) --keep;
  return absl::StrJoin(segs.begin(), segs.begin() + keep, "-");
}

std::string Action::Pattern() const {
  std::string name = target_.name.str();
  std::string glob = WithoutGeneratedSuffix(name);
  if (glob.size() < name.size()) glob += "-*";
  if (glob.empty()) glob = "*";
  // Trust earned in one namespace, at one size, with one tool or template says nothing about
  // another: each of them is part of the pattern.
  std::string out = absl::StrCat(AV(ToString(kind_)), ":");
  if (!target_.ns.empty()) absl::StrAppend(&out, AV(target_.ns.str()), "/");
  absl::StrAppend(&out, glob);
  auto text = [&](const char* name) {
    const Value* v = param(name);
    return v == nullptr ? std::string() : v->text.str();
  };
  switch (kind_) {
    case Kind::kScale:
      absl::StrAppend(&out, "@replicas=", text("replicas"));
      break;
    case Kind::kMcpTool:
      absl::StrAppend(&out, "@", text("server"), "/", text("tool"));
      break;
    case Kind::kRunTemplate:
      absl::StrAppend(&out, "@", text("template"));
      break;
    default:
      break;
  }
  return out;
}

Draft Action::ToDraft() const {
  Draft d;
  d.kind = std::string(ToString(kind_));
  d.target_kind = std::string(ToString(target_.kind));
  d.target = target_.name;
  for (const auto& [name, value] : params_) d.params[name] = value.text;
  d.expected_effect = expected_effect_;
  return d;
}

absl::StatusOr<Action> Build(const Draft& draft, const Catalog& catalog) {
  auto kind = ParseKind(draft.kind);
  if (!kind) {
    // Echo the type only when it is a plain identifier: it may come from a model's answer.
    std::string shown = draft.kind.size() <= 40 && IsIdentifier(draft.kind) ? " \"" + draft.kind + "\"" : "";
    return absl::InvalidArgumentError(
        absl::StrCat("type: unknown action type", shown,
                     " (known: restart_pod, rollout_restart, scale, cordon_node, delete_pvc, mcp_tool, "
                     "run_template, investigate)"));
  }
  const KindSpec& spec = SpecOf(*kind);
  Action a;
  a.kind_ = *kind;
  a.expected_effect_ = draft.expected_effect;

  // The target.
  const bool none_allowed =
      std::find(spec.targets.begin(), spec.targets.end(), TargetKind::kNone) != spec.targets.end();
  TargetKind tk = spec.targets.front();
  if (tk == TargetKind::kNone && spec.targets.size() > 1) tk = spec.targets[1];
  if (!draft.target_kind.empty()) {
    auto parsed = ParseTargetKind(draft.target_kind);
    if (!parsed || std::find(spec.targets.begin(), spec.targets.end(), *parsed) == spec.targets.end()) {
      std::vector<std::string> allowed;
      for (TargetKind t : spec.targets) allowed.emplace_back(ToString(t));
      return absl::InvalidArgumentError(
          absl::StrCat("target_kind: ", draft.kind, " may target ", absl::StrJoin(allowed, ", ")));
    }
    tk = *parsed;
  } else if (draft.target.empty() && none_allowed) {
    tk = TargetKind::kNone;
  }
  a.target_.kind = tk;
  if (tk == TargetKind::kNone) {
    if (!draft.target.empty())
      return absl::InvalidArgumentError("target: must be empty for target_kind none");
  } else {
    if (draft.target.empty()) return absl::InvalidArgumentError("target: is required");
    if (auto s = CheckTyped(ParamSpec{"target", ParamType::kName, true, 0, 0, {}}, draft.target.view(),
                            Values::kRedacted);
        !s.ok())
      return s;
    a.target_.name = draft.target;
  }

  // The parameters: every one must be declared (the kind's own, or the template's slots).
  std::vector<ParamSpec> params = spec.params;
  if (*kind == Kind::kRunTemplate) {
    auto name = draft.params.find("template");
    if (name == draft.params.end() || name->second.empty()) {
      return absl::InvalidArgumentError("template: is required");
    }
    if (auto s = CheckTyped(params[1], name->second.view(), Values::kRedacted); !s.ok()) return s;
    auto t = std::find_if(catalog.templates.begin(), catalog.templates.end(),
                          [&](const CommandTemplate& c) { return c.name == name->second.view(); });
    if (t == catalog.templates.end()) {
      return absl::InvalidArgumentError("template: no command template of that name is configured");
    }
    params.insert(params.end(), t->slots.begin(), t->slots.end());
  }
  if (*kind == Kind::kMcpTool) {
    auto server = draft.params.find("server");
    if (server != draft.params.end() && std::find(catalog.mcp_servers.begin(), catalog.mcp_servers.end(),
                                                  server->second.view()) == catalog.mcp_servers.end()) {
      return absl::InvalidArgumentError("server: no MCP server of that name is configured");
    }
  }
  for (const auto& [name, value] : draft.params) {
    auto p = std::find_if(params.begin(), params.end(),
                          [&name = name](const ParamSpec& s) { return s.name == name; });
    if (p == params.end()) {
      std::string shown = name.size() <= 40 && IsIdentifier(name) ? name : std::string("(a parameter)");
      return absl::InvalidArgumentError(absl::StrCat(shown, ": not a parameter of ", draft.kind));
    }
  }
  for (const ParamSpec& p : params) {
    auto it = draft.params.find(p.name);
    bool given = it != draft.params.end() && !it->second.empty();
    if (!given) {
      if (p.required) return absl::InvalidArgumentError(absl::StrCat(p.name, ": is required"));
      continue;
    }
    if (auto s = CheckTyped(p, it->second.view(), Values::kRedacted); !s.ok()) return s;
    Value v;
    v.type = p.type;
    if (p.type == ParamType::kInteger) {
      (void)absl::SimpleAtoi(AV(it->second.view()), &v.integer);
      v.text = privacy::RedactedNumber(v.integer);  // canonical: "007" -> "7"
    } else {
      v.text = it->second;
    }
    if (p.name == "namespace") {
      a.target_.ns = v.text;
    }
    a.params_.emplace(p.name, std::move(v));
  }
  // Namespaced objects always carry their namespace, so the hash says exactly where the action runs.
  if (Namespaced(tk) && a.target_.ns.empty()) {
    a.target_.ns = Redacted::Literal("default");
    a.params_["namespace"] = Value{ParamType::kNamespace, a.target_.ns, 0};
  }
  if (!Namespaced(tk) && !a.target_.ns.empty() && tk != TargetKind::kNone) {
    return absl::InvalidArgumentError(absl::StrCat("namespace: a ", AV(ToString(tk)), " is not namespaced"));
  }
  a.hash_ = Sha256Hex(a.CanonicalEncoding());
  return a;
}

Action InvestigateInstead(const Draft& rejected, const absl::Status& why) {
  Draft d;
  d.kind = "investigate";
  d.target = rejected.target;
  if (auto ns = rejected.params.find("namespace"); ns != rejected.params.end())
    d.params["namespace"] = ns->second;
  d.expected_effect = Redacted::Literal("a person decides what to do; the proposed action was not valid");
  auto a = Build(d);
  if (a.ok()) return *a;
  // The target or namespace itself was the invalid part: investigate without a target.
  Draft bare;
  bare.kind = "investigate";
  bare.expected_effect = d.expected_effect;
  return *Build(bare);
}

const std::string& RealAction::param(std::string_view name) const {
  static const std::string* empty = new std::string;
  auto it = params_.find(name);
  return it == params_.end() ? *empty : it->second;
}

int64_t RealAction::integer(std::string_view name) const {
  auto it = integers_.find(name);
  return it == integers_.end() ? 0 : it->second;
}

bool RealAction::has(std::string_view name) const { return params_.find(name) != params_.end(); }

namespace {

// Rehydrates every string leaf of a JSON value (keys included) and re-serialises, so a real value
// can never change the JSON's structure.
template <typename Wrap>
void RehydrateJson(nlohmann::json& j, const privacy::Shield& shield, const privacy::Vault& vault,
                   std::vector<std::string>* secrets, const Wrap& wrap) {
  if (j.is_string()) {
    Redacted r = wrap(j.get<std::string>());
    std::string real = shield.Rehydrate(r, vault);
    if (real != r.str()) secrets->push_back(real);
    j = real;
  } else if (j.is_array()) {
    for (auto& e : j) RehydrateJson(e, shield, vault, secrets, wrap);
  } else if (j.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto& [k, v] : j.items()) {
      nlohmann::json value = std::move(v);
      RehydrateJson(value, shield, vault, secrets, wrap);
      Redacted rk = wrap(k);
      out[shield.Rehydrate(rk, vault)] = std::move(value);
    }
    j = std::move(out);
  }
}

}  // namespace

absl::StatusOr<RealAction> Rehydrate(const Action& action, const privacy::Shield& shield,
                                     const privacy::Vault& vault) {
  RealAction real;
  real.kind_ = action.kind();
  real.target_kind_ = action.target().kind;
  auto leftover = [](std::string_view v) {
    // A label-shaped run left after rehydration was not minted by this incident's vault.
    for (std::size_t i = v.find('['); i != std::string_view::npos; i = v.find('[', i + 1)) {
      auto end = v.find(']', i);
      if (end == std::string_view::npos) break;
      if (IsMintedLabelShape(v.substr(i, end - i + 1))) return true;
    }
    return false;
  };
  auto restore = [&](std::string_view field, const Redacted& r, const ParamSpec& spec,
                     std::string* out) -> absl::Status {
    std::string value = shield.Rehydrate(r, vault);
    if (leftover(value)) {
      return absl::FailedPreconditionError(
          absl::StrCat(AV(field), ": holds a label this incident's vault did not mint"));
    }
    if (auto s = CheckTyped(spec, value, Values::kReal); !s.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(AV(field), ": its real value is not valid (",
                                                        s.message().substr(field.size() + 2), ")"));
    }
    if (value != r.str()) real.secrets_.push_back(value);
    *out = std::move(value);
    return absl::OkStatus();
  };
  if (action.target().kind != TargetKind::kNone) {
    if (auto s = restore("target", action.target().name,
                         ParamSpec{"target", ParamType::kName, true, 0, 0, {}}, &real.target_);
        !s.ok())
      return s;
  }
  for (const auto& [name, value] : action.params()) {
    std::string out;
    if (value.type == ParamType::kJsonObject) {
      auto j = nlohmann::json::parse(value.text.view(), nullptr, false);
      if (j.is_discarded()) return absl::FailedPreconditionError(absl::StrCat(name, ": is not JSON"));
      std::vector<std::string> secrets;
      auto part = [&whole = value.text](std::string text) {
        return Redacted::PartOf(whole, std::move(text));
      };
      RehydrateJson(j, shield, vault, &secrets, part);
      std::string dumped = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      if (leftover(dumped)) {
        return absl::FailedPreconditionError(
            absl::StrCat(name, ": holds a label this incident's vault did not mint"));
      }
      real.secrets_.insert(real.secrets_.end(), secrets.begin(), secrets.end());
      real.params_[name] = std::move(dumped);
      continue;
    }
    ParamSpec spec{name, value.type, false, INT64_MIN, INT64_MAX, {}};
    if (value.type == ParamType::kEnum) spec.values = {std::string(value.text.view())};
    if (auto s = restore(name, value.text, spec, &out); !s.ok()) return s;
    if (value.type == ParamType::kInteger) real.integers_[name] = value.integer;
    if (name == "namespace") real.ns_ = out;
    real.params_[name] = std::move(out);
  }
  return real;
}

}  // namespace awoooi::action
