#include "awoooi/analysis/analysis.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "awoooi/brain/proposal_json.h"
#include "awoooi/brain/validation.h"
#include "awoooi/topology/context.h"
#include "awoooi/topology/render.h"

namespace awoooi::analysis {
namespace {

using nlohmann::json;
using privacy::Redacted;

// Above this many services the reasoner is told only the services of the analysis itself.
constexpr std::size_t kMaxKnownServices = 5'000;

Redacted JoinPath(const std::vector<std::string>& path) {
  Redacted out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (i) out += Redacted::Literal(" -> ");
    out += privacy::RedactedIdentifier(path[i]);
  }
  return out;
}

}  // namespace

absl::StatusOr<Result> Analyze(const Input& input, const Options& options, privacy::Vault& vault,
                               const privacy::Shield& shield, const topology::Topology& topology,
                               brain::Reasoner& reasoner, const brain::ThinkingSink& thinking) {
  // Stored text is already redacted; RedactPreservingLabels turns it into the type (idempotent on
  // it) and would catch anything that slipped through.
  auto redact = [&](std::string_view text) { return shield.RedactPreservingLabels(text, vault); };

  brain::ReasoningContext ctx;
  ctx.incident_id = input.incident_id;
  ctx.vault = &vault;
  ctx.cancel = options.cancel;
  ctx.catalog = options.catalog;
  ctx.service = redact(input.service);
  ctx.alertname = redact(input.alertname);
  ctx.severity = input.severity;
  std::vector<topology::ContextAlert> context_alerts;
  // Another incident's text carries that incident's labels: Redact (not RedactPreservingLabels)
  // escapes them ("[IP_1]" -> "[~IP_1]"), so they never read as, or rehydrate to, this scope's.
  auto foreign = [&](std::string_view text) { return shield.Redact(text, vault); };
  auto to_context_alert = [&](const Alert& a, bool own) {
    topology::ContextAlert ta;
    ta.service = ServiceOf(a);
    ta.firing = a.status == AlertStatus::kFiring;
    ta.severity = ParseSeverity(a.Label("severity"));
    ta.alertname = own ? redact(a.Label("alertname")) : foreign(a.Label("alertname"));
    auto summary = a.annotations.find("summary");
    if (summary == a.annotations.end()) summary = a.annotations.find("description");
    if (summary != a.annotations.end()) ta.summary = own ? redact(summary->second) : foreign(summary->second);
    return ta;
  };
  for (const Alert& a : input.alerts) {
    brain::ContextAlert ca;
    ca.status = std::string(ToString(a.status));
    for (const auto& [k, v] : a.labels) ca.labels.emplace(k, redact(v));
    for (const auto& [k, v] : a.annotations) ca.annotations.emplace(k, redact(v));
    context_alerts.push_back(to_context_alert(a, true));
    ctx.alerts.push_back(std::move(ca));
  }

  Result out;
  if (auto svc = topology.Service(input.service))
    ctx.service_kind = std::string(topology::ToString(svc->kind));
  std::optional<topology::RootCauseResult>& root = out.root_cause;
  std::optional<topology::BlastRadiusResult>& blast = out.blast_radius;
  auto rc = topology.RootCause(input.service, options.depth);
  auto br = topology.BlastRadius(input.service, options.depth);
  if (rc.ok()) root = std::move(*rc);
  if (br.ok()) blast = std::move(*br);
  if (!rc.ok()) {
    // Not in the topology: the reasoner still answers from the alerts alone.
    out.topology_note = redact(std::string(rc.status().message()));
  }

  std::vector<Redacted> known;
  if (root) {
    for (const auto& c : root->root_causes) {
      brain::ServiceFinding f;
      f.service = privacy::RedactedIdentifier(c.service);
      f.kind = std::string(topology::ToString(c.kind));
      if (auto s = topology.Service(c.service)) f.namespace_ = privacy::RedactedIdentifier(s->ns);
      f.rank = c.rank;
      f.depth = c.depth;
      f.severity = c.severity == Severity::kNone ? "" : std::string(ToString(c.severity));
      f.path = JoinPath(c.path);
      f.reason = redact(c.reason);
      ctx.root_causes.push_back(std::move(f));
      known.push_back(privacy::RedactedIdentifier(c.service));
      for (const auto& hop : c.path) known.push_back(privacy::RedactedIdentifier(hop));
    }
  }
  if (blast) {
    for (const auto& a : blast->affected) {
      brain::ServiceFinding f;
      f.service = privacy::RedactedIdentifier(a.service);
      f.kind = std::string(topology::ToString(a.kind));
      f.depth = a.depth;
      f.severity = a.health == Severity::kNone ? "" : std::string(ToString(a.health));
      f.path = JoinPath(a.path);
      ctx.blast_radius.push_back(std::move(f));
      known.push_back(privacy::RedactedIdentifier(a.service));
    }
  }
  auto stats = topology.Stats();
  if (stats.services <= kMaxKnownServices) {
    known.clear();
    for (const auto& s : topology.Snapshot().services) {
      known.push_back(privacy::RedactedIdentifier(s.name));
      if (s.learned) ctx.learned_services.push_back(privacy::RedactedIdentifier(s.name));
    }
  } else if (!input.service.empty()) {
    known.push_back(ctx.service);
  }
  ctx.known_services = std::move(known);

  // Alerts of other incidents on the services this analysis names (e.g. the database's own alert).
  std::set<std::string> involved;
  if (root) {
    for (const auto& c : root->root_causes) involved.insert(c.service);
  }
  if (blast) {
    for (const auto& a : blast->affected) involved.insert(a.service);
  }
  if (input.related_alerts) {
    for (const auto& [incident_id, a] : *input.related_alerts) {
      if (incident_id != input.incident_id && a.status == AlertStatus::kFiring &&
          involved.count(ServiceOf(a)))
        context_alerts.push_back(to_context_alert(a, false));
    }
  }

  topology::ContextRequest creq;
  creq.service = input.service;
  creq.root_cause = root ? &*root : nullptr;
  creq.blast_radius = blast ? &*blast : nullptr;
  creq.alerts = &context_alerts;
  creq.budget_chars = static_cast<std::size_t>(options.context_budget_chars);
  ctx.document = topology::BuildRetrievalContext(topology, creq);
  out.context = ctx.document;

  auto proposal = reasoner.Propose(ctx, thinking);
  if (!proposal.ok()) {
    out.proposal_error = redact(std::string(proposal.status().message()));
    out.reasoner = reasoner.name();
  } else if (auto valid = brain::ValidateProposal(*proposal, ctx); !valid.ok()) {
    // Even the final answer failed validation: it is recorded, never passed on as a proposal.
    out.proposal_error = redact(absl::StrCat("rejected: ", valid.message()));
    out.reasoner = proposal->reasoner;
  } else {
    out.reasoner = proposal->reasoner;
    out.fallback = !proposal->fallback_reason.empty();
    out.proposal = std::move(*proposal);
  }

  // Correlation: the top root cause is another open incident's service -> page once, under it.
  if (root && !root->root_causes.empty()) {
    const auto& top = root->root_causes.front();
    if (top.role != topology::CandidateRole::kSelf && input.open_incident_of) {
      int64_t other = input.open_incident_of(top.service);
      if (other > 0 && other != input.incident_id) out.parent_incident_id = other;
    }
  }
  return out;
}

std::string RenderDocument(const Input& input, const Result& r) {
  json doc = json::object();
  doc["incident_id"] = input.incident_id;
  doc["incident_version"] = input.incident_version;
  doc["service"] = input.service;
  doc["alertname"] = input.alertname;
  doc["severity"] = input.severity;
  doc["parent_id"] = r.parent_incident_id > 0 ? json(r.parent_incident_id) : json(nullptr);
  doc["root_cause"] = r.root_cause ? json::parse(topology::RootCauseToJson(*r.root_cause)) : json(nullptr);
  doc["blast_radius"] =
      r.blast_radius ? json::parse(topology::BlastRadiusToJson(*r.blast_radius)) : json(nullptr);
  if (!r.topology_note.empty()) doc["topology_note"] = r.topology_note.str();
  doc["context"] = r.context.str();
  doc["proposal"] = r.proposal ? json::parse(brain::ProposalToJson(*r.proposal)) : json(nullptr);
  if (!r.proposal) doc["proposal_error"] = r.proposal_error.str();
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

notify::NotificationDraft OpenedNotification(const Input& input, const Result& r) {
  notify::NotificationDraft n;
  n.event = "incident.opened";
  n.severity = ParseSeverity(input.severity);
  n.subject = absl::StrCat("incident/", input.incident_id);
  n.incident_id = input.incident_id;
  n.service = input.service;
  n.title = absl::StrCat(input.alertname.empty() ? std::string("Incident") : input.alertname, " on ",
                         input.service.empty() ? std::string("an unknown service") : input.service);
  n.text = r.proposal ? r.proposal->summary.str() : std::string("No proposal yet: ") + r.proposal_error.str();
  if (r.root_cause && !r.root_cause->root_causes.empty()) {
    const auto& top = r.root_cause->root_causes.front();
    std::string path;
    for (const auto& hop : top.path) path += (path.empty() ? "" : " -> ") + hop;
    n.fields.emplace_back("Root cause",
                          absl::StrCat(top.service, " (", std::string(topology::ToString(top.kind)), ", ",
                                       std::string(topology::ToString(top.role)), ")"));
    if (!path.empty()) n.fields.emplace_back("Evidence path", path);
  }
  if (r.blast_radius) {
    std::string affected;
    for (const auto& a : r.blast_radius->affected) affected += (affected.empty() ? "" : ", ") + a.service;
    n.fields.emplace_back("Blast radius", affected.empty() ? std::string("no upstream service") : affected);
  }
  n.fields.emplace_back("Severity", input.severity);
  if (r.proposal) {
    std::string actions;
    for (const auto& pa : r.proposal->actions) {
      actions += (actions.empty() ? "" : "; ") + std::string(action::ToString(pa.action.kind())) + " " +
                 pa.action.target().name.str();
    }
    n.fields.emplace_back("Proposed", actions);
  }
  n.link_path = absl::StrCat("/incidents/", input.incident_id);
  return n;
}

std::string EntryPoint(const std::vector<Alert>& alerts, const topology::Topology& topology, int depth) {
  std::vector<std::string> firing;
  for (const Alert& a : alerts) {
    if (a.status != AlertStatus::kFiring) continue;
    std::string service = ServiceOf(a);
    if (!service.empty() && std::find(firing.begin(), firing.end(), service) == firing.end()) {
      firing.push_back(std::move(service));
    }
  }
  std::string best_service = firing.empty() ? "" : firing.front();
  std::size_t best = 0;
  for (const auto& service : firing) {
    auto rc = topology.RootCause(service, depth);
    if (!rc.ok()) continue;
    std::size_t explained = 0;
    for (const auto& c : rc->root_causes) explained += c.role != topology::CandidateRole::kSelf;
    if (explained > best) {
      best = explained;
      best_service = service;
    }
  }
  return best_service;
}

}  // namespace awoooi::analysis
