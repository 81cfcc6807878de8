#include "plugins/brains/playbook/playbook_reasoner.h"

#include <algorithm>
#include <cstdio>

#include "awoooi/privacy/shield.h"

namespace awoooi::brain::playbook {
namespace {

using privacy::Redacted;

int Specificity(const Playbook& pb) {
  int best = 0;
  for (const auto& r : pb.match) best = std::max(best, r.criteria());
  return best;
}

Redacted Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return privacy::RedactedIdentifier(buf);
}

Redacted Id(std::string_view s) { return privacy::RedactedIdentifier(s); }

// The playbook author's or the program's own words (explanations, criteria) become Redacted in
// the incident's scope.
class Steps {
 public:
  Steps(const ThinkingSink& sink, Redacted* reasoning) : sink_(sink), reasoning_(reasoning) {}
  void Add(Redacted line) {
    Redacted numbered =
        privacy::RedactedNumber(++count_) + Redacted::Literal(". ") + line + Redacted::Literal("\n");
    if (sink_) sink_(numbered);
    *reasoning_ += numbered;
  }

 private:
  const ThinkingSink& sink_;
  Redacted* reasoning_;
  long long count_ = 0;
};

}  // namespace

PlaybookReasoner::PlaybookReasoner(std::vector<Playbook> playbooks, const privacy::Shield& shield)
    : playbooks_(std::move(playbooks)), shield_(shield) {
  std::stable_sort(playbooks_.begin(), playbooks_.end(), [](const Playbook& a, const Playbook& b) {
    if (a.priority != b.priority) return a.priority > b.priority;
    int sa = Specificity(a), sb = Specificity(b);
    if (sa != sb) return sa > sb;
    return a.name < b.name;
  });
}

absl::StatusOr<std::unique_ptr<PlaybookReasoner>> PlaybookReasoner::Create(const PluginSettings& settings,
                                                                           const privacy::Shield& shield) {
  auto builtin = settings.GetBool("builtin_playbooks", true);
  if (!builtin.ok()) return builtin.status();
  std::vector<Playbook> set;
  if (*builtin) {
    auto defaults = LoadDefaultPlaybooks();
    if (!defaults.ok()) return defaults.status();
    set = *std::move(defaults);
  }
  if (std::string dir = settings.GetString("playbooks"); !dir.empty()) {
    auto extra = LoadPlaybookDir(dir);
    if (!extra.ok()) {
      return absl::Status(extra.status().code(),
                          settings.KeyPath("playbooks") + ": " + std::string(extra.status().message()));
    }
    for (Playbook& pb : *extra) {
      auto same = std::find_if(set.begin(), set.end(), [&](const Playbook& p) { return p.name == pb.name; });
      if (same != set.end()) {
        *same = std::move(pb);
      } else {
        set.push_back(std::move(pb));
      }
    }
  }
  bool has_catch_all = std::any_of(set.begin(), set.end(), [](const Playbook& p) { return p.match.empty(); });
  if (!has_catch_all) {
    return absl::InvalidArgumentError(
        settings.KeyPath("playbooks") +
        ": the playbook set needs a catch-all playbook (one without `match`) so "
        "every incident gets a proposal");
  }
  return std::make_unique<PlaybookReasoner>(std::move(set), shield);
}

const Playbook* PlaybookReasoner::Choose(const ReasoningContext& context) const {
  for (const Playbook& pb : playbooks_) {
    if (pb.FirstMatch(context) != nullptr) return &pb;
  }
  return nullptr;
}

absl::StatusOr<Proposal> PlaybookReasoner::Propose(const ReasoningContext& c, const ThinkingSink& thinking) {
  if (c.cancel != nullptr && c.cancel->load()) return absl::CancelledError("analysis cancelled");
  privacy::Vault local_vault;
  privacy::Vault& vault = c.vault != nullptr ? *c.vault : local_vault;
  auto text = [&](std::string_view s) { return shield_.RedactPreservingLabels(s, vault); };

  Proposal p;
  p.reasoner = "playbook";
  Steps steps(thinking, &p.reasoning);

  // 1. What happened.
  {
    Redacted line = Redacted::Literal("Incident: alert ") +
                    (c.alertname.empty() ? Redacted::Literal("(unnamed)") : c.alertname);
    if (!c.severity.empty()) line += Redacted::Literal(" (") + Id(c.severity) + Redacted::Literal(")");
    line +=
        Redacted::Literal(" on ") + (c.service.empty() ? Redacted::Literal("an unknown service") : c.service);
    line += c.service_kind.empty()
                ? Redacted::Literal(", a service not in the topology.")
                : Redacted::Literal(", a ") + Id(c.service_kind) + Redacted::Literal(" in the topology.");
    steps.Add(line);
  }
  // 2. Root causes, all of them, best first.
  if (c.root_causes.empty()) {
    steps.Add(Redacted::Literal(
        "Root cause: no unhealthy dependency found, so the alerting service itself is treated as the root "
        "cause."));
  } else {
    Redacted line =
        Redacted::Literal("Root cause: ") + privacy::RedactedNumber(c.root_causes.size()) +
        (c.root_causes.size() == 1 ? Redacted::Literal(" unhealthy dependency: ")
                                   : Redacted::Literal(" unhealthy dependencies, most likely first: "));
    for (std::size_t i = 0; i < c.root_causes.size(); ++i) {
      const ServiceFinding& f = c.root_causes[i];
      if (i > 0) line += Redacted::Literal("; ");
      line += f.service + Redacted::Literal(" (") + Id(f.kind.empty() ? "unknown" : f.kind);
      if (!f.severity.empty()) line += Redacted::Literal(", ") + Id(f.severity);
      line += Redacted::Literal(")");
      if (!f.path.empty()) line += Redacted::Literal(" via ") + f.path;
    }
    line += Redacted::Literal(". Ranking puts databases before caches before queues, so ") +
            c.root_causes.front().service + Redacted::Literal(" comes first.");
    steps.Add(line);
  }
  // 3. Who is affected.
  if (c.blast_radius.empty()) {
    steps.Add(Redacted::Literal("Blast radius: no upstream service is affected."));
  } else {
    Redacted line = Redacted::Literal("Blast radius: ") + privacy::RedactedNumber(c.blast_radius.size()) +
                    Redacted::Literal(" upstream service(s) affected: ");
    for (std::size_t i = 0; i < c.blast_radius.size(); ++i) {
      if (i > 0) line += Redacted::Literal(", ");
      line += c.blast_radius[i].service;
    }
    steps.Add(line + Redacted::Literal("."));
  }

  // 4. Which playbook, and why.
  const Playbook* pb = Choose(c);
  if (pb == nullptr) {
    return absl::FailedPreconditionError("no playbook matches and the set has no catch-all");
  }
  const MatchRule* rule = pb->FirstMatch(c);
  {
    std::vector<std::string> why = rule->Explain(c);
    std::string because;
    for (std::size_t i = 0; i < why.size(); ++i) because += (i == 0 ? "" : " and ") + why[i];
    Redacted line = Redacted::Literal("Playbook ") + Id(pb->name);
    line += why.empty()
                ? Redacted::Literal(" applies: it is the catch-all for incidents no other playbook covers.")
                : Redacted::Literal(" applies because ") + text(because) + Redacted::Literal(".");
    steps.Add(line);
  }
  for (const Template& t : pb->steps) {
    Redacted line = t.Render(c, pb->name, shield_, vault);
    if (!line.empty()) steps.Add(line);
  }

  // 5. Actions from the templates. An action whose target the context cannot supply is dropped
  // (a node action for an alert without a node label), and the reasoning says so.
  for (const ActionTemplate& at : pb->actions) {
    action::Draft d;
    d.kind = std::string(action::ToString(at.kind));
    d.target_kind = at.target_kind;
    d.target = at.target.Render(c, pb->name, shield_, vault);
    if (d.target.empty() && at.target_kind != "none") {
      steps.Add(Redacted::Literal("Skipped ") + Id(d.kind) +
                Redacted::Literal(": the incident does not say which target it would act on."));
      continue;
    }
    for (const auto& [name, t] : at.parameters) {
      Redacted v = t.Render(c, pb->name, shield_, vault);
      if (!v.empty()) d.params[name] = std::move(v);
    }
    d.expected_effect = at.expected_effect.Render(c, pb->name, shield_, vault);
    ProposedAction pa;
    auto built = action::Build(d, c.catalog != nullptr ? *c.catalog : action::Catalog{});
    if (built.ok()) {
      pa.action = std::move(*built);
    } else {
      // A slot filled from the incident did not parse as its type: never a command, only a look.
      pa.action = action::InvestigateInstead(d, built.status());
      pa.note = d.kind + " was not proposed: " + std::string(built.status().message());
      steps.Add(Redacted::Literal("Not proposed: ") + Id(d.kind) +
                Redacted::Literal(", because a value from the incident is not valid for it (") +
                Id(std::string(built.status().message()).substr(0, built.status().message().find(':'))) +
                Redacted::Literal("); proposing investigate instead."));
    }
    const action::Action& a = pa.action;
    Redacted line = Redacted::Literal("Proposed action ") + privacy::RedactedNumber(p.actions.size() + 1) +
                    Redacted::Literal(": ") + Id(action::ToString(a.kind())) + Redacted::Literal(" ") +
                    a.target().name;
    if (!a.params().empty()) {
      line += Redacted::Literal(" (");
      bool first = true;
      for (const auto& [name, v] : a.params()) {
        if (!first) line += Redacted::Literal(", ");
        first = false;
        line += Id(name) + Redacted::Literal("=") + v.text;
      }
      line += Redacted::Literal(")");
    }
    if (!a.expected_effect().empty()) line += Redacted::Literal(" - expected effect: ") + a.expected_effect();
    steps.Add(line);
    p.actions.push_back(std::move(pa));
  }
  if (p.actions.empty()) {
    // Every template needed a target the incident lacks: still give people something to do.
    action::Draft d;
    d.kind = "investigate";
    d.target = c.root_causes.empty() ? c.service : c.root_causes.front().service;
    d.expected_effect = Redacted::Literal("a person gathers the evidence this playbook needed");
    auto built = action::Build(d);
    action::Action a = built.ok() ? std::move(*built) : action::InvestigateInstead(d, built.status());
    steps.Add(Redacted::Literal("Proposed action 1: investigate ") + a.target().name +
              Redacted::Literal("."));
    p.actions.push_back(ProposedAction{std::move(a), ""});
  }

  // 6. The proposal itself.
  p.summary = pb->summary.Render(c, pb->name, shield_, vault);
  p.root_cause.service = c.root_causes.empty() ? c.service : c.root_causes.front().service;
  p.root_cause.kind = c.root_causes.empty() ? c.service_kind : c.root_causes.front().kind;
  p.root_cause.evidence = pb->evidence.Render(c, pb->name, shield_, vault);
  if (p.root_cause.evidence.empty() && !c.root_causes.empty())
    p.root_cause.evidence = c.root_causes.front().reason;
  for (const ServiceFinding& f : c.blast_radius) p.blast_radius.push_back(f.service);
  p.confidence = pb->confidence;
  steps.Add(Redacted::Literal("Confidence ") + Number(p.confidence) +
            Redacted::Literal(" (set by the playbook). Every action still goes through the risk policy, the "
                              "dry-run and the required signatures before anything runs."));
  return p;
}

}  // namespace awoooi::brain::playbook
