#include "awoooi/approval/policy.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "awoooi/core/digest.h"

namespace awoooi::approval {
namespace {

// Case-sensitive glob with '*'.
bool Glob(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool AnyGlob(const std::vector<std::string>& patterns, std::string_view text) {
  return patterns.empty() ||
         std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return Glob(p, text); });
}

Risk Raise(Risk r) { return r == Risk::kCritical ? r : static_cast<Risk>(static_cast<int>(r) + 1); }

bool Matches(const RiskRule& rule, const action::Action& a) {
  if (!rule.kind.empty() && rule.kind != action::ToString(a.kind())) return false;
  if (!rule.target_kind.empty() && rule.target_kind != action::ToString(a.target().kind)) return false;
  if (!AnyGlob(rule.namespaces, a.target().ns.view())) return false;
  if (!rule.tools.empty()) {
    const action::Value* tool = a.param("tool");
    // Tool names are matched without regard to case: DeleteUser and DROP_TABLE are as destructive
    // as delete_user and drop_table.
    if (tool == nullptr) return false;
    std::vector<std::string> lowered;
    for (const auto& t : rule.tools) lowered.push_back(absl::AsciiStrToLower(t));
    if (!AnyGlob(lowered, absl::AsciiStrToLower(tool->text.str()))) return false;
  }
  if (!rule.templates.empty()) {
    const action::Value* t = a.param("template");
    if (t == nullptr || !AnyGlob(rule.templates, t->text.view())) return false;
  }
  if (rule.replicas_below >= 0) {
    const action::Value* r = a.param("replicas");
    if (r == nullptr || r->integer >= rule.replicas_below) return false;
  }
  return true;
}

constexpr std::string_view kStateNames[] = {"pending", "approved", "executing", "succeeded",
                                            "failed",  "rejected", "voided",    "expired"};

}  // namespace

std::string_view ToString(Risk risk) {
  switch (risk) {
    case Risk::kLow:
      return "LOW";
    case Risk::kMedium:
      return "MEDIUM";
    case Risk::kHigh:
      return "HIGH";
    case Risk::kCritical:
      return "CRITICAL";
  }
  return "HIGH";
}

std::optional<Risk> ParseRisk(std::string_view text) {
  std::string up = absl::AsciiStrToUpper(std::string(text));
  for (Risk r : {Risk::kLow, Risk::kMedium, Risk::kHigh, Risk::kCritical}) {
    if (up == ToString(r)) return r;
  }
  return std::nullopt;
}

RiskPolicy RiskPolicy::Default() {
  RiskPolicy p;
  auto rule = [](std::string kind, Risk risk, std::string reason) {
    RiskRule r;
    r.kind = std::move(kind);
    r.risk = risk;
    r.reason = std::move(reason);
    return r;
  };
  RiskRule scale_to_zero = rule("scale", Risk::kHigh, "scaling below 1 replica stops the service");
  scale_to_zero.replicas_below = 1;
  p.rules.push_back(scale_to_zero);
  RiskRule destructive_tool = rule("mcp_tool", Risk::kCritical, "a tool that deletes or drops destroys data");
  destructive_tool.tools = {"*delete*", "*drop*", "*destroy*", "*truncate*", "*purge*"};
  destructive_tool.pinned = true;
  p.rules.push_back(destructive_tool);
  p.rules.push_back(rule("restart_pod", Risk::kMedium, "a pod restart interrupts one replica"));
  p.rules.push_back(
      rule("rollout_restart", Risk::kMedium, "a rolling restart replaces every pod, one at a time"));
  p.rules.push_back(rule("scale", Risk::kMedium, "scaling changes capacity"));
  p.rules.push_back(rule("cordon_node", Risk::kHigh, "a cordoned node takes no new pods"));
  p.rules.push_back(rule("delete_pvc", Risk::kHigh, "deleting a volume claim deletes its data"));
  p.rules.push_back(rule("mcp_tool", Risk::kMedium, "an MCP tool acts on the system"));
  p.rules.push_back(rule("run_template", Risk::kHigh, "a command template runs a program"));
  p.rules.push_back(rule("investigate", Risk::kLow, "an investigation changes nothing"));
  return p;
}

std::string RiskPolicy::Version() const {
  std::string text;
  for (const auto& r : rules) {
    absl::StrAppend(&text, r.kind, "|", r.target_kind, "|", absl::StrJoin(r.namespaces, ","), "|",
                    absl::StrJoin(r.tools, ","), "|", absl::StrJoin(r.templates, ","), "|", r.replicas_below,
                    "|", std::string(ToString(r.risk)), "|", r.pinned, "\n");
  }
  absl::StrAppend(&text, std::string(ToString(fallback)), "|", absl::StrJoin(protected_namespaces, ","), "|",
                  stateful_raises);
  return Sha256Hex(text).substr(0, 16);
}

RiskAssessment Assess(const action::Action& a, const RiskContext& context, const RiskPolicy& policy) {
  RiskAssessment out;
  auto rule = std::find_if(policy.rules.begin(), policy.rules.end(),
                           [&](const RiskRule& r) { return Matches(r, a); });
  std::string kind(action::ToString(a.kind()));
  if (rule == policy.rules.end()) {
    out.base = policy.fallback;
    out.reason = absl::StrCat(kind, ": ", std::string(ToString(out.base)), " (no rule matched)");
  } else {
    out.base = rule->risk;
    out.pinned = rule->pinned;
    out.reason = absl::StrCat(kind, ": ", std::string(ToString(out.base)),
                              rule->reason.empty() ? "" : absl::StrCat(" (", rule->reason, ")"));
  }
  Risk r = out.base;
  if (!out.pinned && a.kind() != action::Kind::kInvestigate) {
    if (!policy.protected_namespaces.empty() && !a.target().ns.empty() &&
        std::any_of(policy.protected_namespaces.begin(), policy.protected_namespaces.end(),
                    [&](const std::string& p) { return Glob(p, a.target().ns.view()); })) {
      r = Raise(r);
      absl::StrAppend(&out.reason, "; +1: protected namespace ", a.target().ns.str());
    }
    if (policy.stateful_raises && context.stateful) {
      r = Raise(r);
      absl::StrAppend(&out.reason, "; +1: stateful target");
    }
  }
  out.base = r;
  out.effective = r;
  return out;
}

RiskAssessment ApplyTrust(RiskAssessment a, int64_t trust, const TrustThresholds& t) {
  if (a.pinned || a.base == Risk::kCritical) return a;
  if (a.base == Risk::kMedium && trust >= t.medium_to_low) {
    a.effective = Risk::kLow;
    absl::StrAppend(&a.reason, "; trust ", trust, " >= ", t.medium_to_low, ": runs automatically");
  } else if (a.base == Risk::kHigh && trust >= t.high_to_medium) {
    a.effective = Risk::kMedium;
    absl::StrAppend(&a.reason, "; trust ", trust, " >= ", t.high_to_medium, ": one signature");
  }
  return a;
}

std::vector<Factor> RequiredFactors(Risk effective) {
  const std::vector<Role> ops = {Role::kAdmin, Role::kDevops, Role::kSre};
  switch (effective) {
    case Risk::kLow:
      return {};
    case Risk::kMedium:
      return {Factor{ops, 1}};
    case Risk::kHigh:
      return {Factor{ops, 2}};
    case Risk::kCritical:
      return {Factor{{Role::kCto}, 1}, Factor{{Role::kCiso}, 1}};
  }
  return {Factor{ops, 2}};
}

std::vector<FactorState> AssignSigners(const std::vector<Factor>& factors,
                                       const std::vector<Signer>& signers) {
  std::vector<FactorState> out;
  for (const auto& f : factors) out.push_back(FactorState{f, {}});
  std::vector<std::string> counted;
  for (const Signer& s : signers) {
    if (std::find(counted.begin(), counted.end(), s.user) != counted.end())
      continue;  // one person counts once
    for (auto& f : out) {
      if (!f.met() &&
          std::find(f.factor.roles.begin(), f.factor.roles.end(), s.role) != f.factor.roles.end()) {
        f.signed_by.push_back(s);
        counted.push_back(s.user);
        break;
      }
    }
  }
  return out;
}

bool AllMet(const std::vector<FactorState>& factors) {
  return std::all_of(factors.begin(), factors.end(), [](const FactorState& f) { return f.met(); });
}

bool CanCount(const std::vector<FactorState>& factors, Role role) {
  return std::any_of(factors.begin(), factors.end(), [&](const FactorState& f) {
    return !f.met() && std::find(f.factor.roles.begin(), f.factor.roles.end(), role) != f.factor.roles.end();
  });
}

std::string_view ToString(State state) { return kStateNames[static_cast<int>(state)]; }

std::optional<State> ParseState(std::string_view text) {
  for (int i = 0; i < 8; ++i) {
    if (kStateNames[i] == text) return static_cast<State>(i);
  }
  return std::nullopt;
}

bool Terminal(State s) {
  return s == State::kSucceeded || s == State::kFailed || s == State::kRejected || s == State::kVoided ||
         s == State::kExpired;
}

bool CanTransition(State from, State to) {
  static constexpr std::pair<State, State> kAllowed[] = {
      {State::kPending, State::kApproved},    {State::kPending, State::kRejected},
      {State::kPending, State::kVoided},      {State::kPending, State::kExpired},
      {State::kApproved, State::kExecuting},  {State::kApproved, State::kVoided},
      {State::kExecuting, State::kSucceeded}, {State::kExecuting, State::kFailed},
  };
  return std::find(std::begin(kAllowed), std::end(kAllowed), std::make_pair(from, to)) != std::end(kAllowed);
}

}  // namespace awoooi::approval
