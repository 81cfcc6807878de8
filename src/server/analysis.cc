#include "server/analysis.h"

#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "awoooi/brain/proposal_json.h"
#include "awoooi/brain/validation.h"
#include "awoooi/topology/context.h"
#include "awoooi/topology/render.h"

namespace awoooi::server {
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

absl::StatusOr<AnalysisOutput> RunAnalysis(const AnalysisInput& input, const AnalysisOptions& options,
                                           privacy::Vault& vault, const privacy::Shield& shield,
                                           const topology::Topology& topology, brain::Reasoner& reasoner,
                                           const brain::ThinkingSink& thinking) {
  // Stored text is already redacted; RedactPreservingLabels turns it into the type (idempotent on
  // it) and would catch anything that slipped through.
  auto redact = [&](std::string_view text) { return shield.RedactPreservingLabels(text, vault); };

  brain::ReasoningContext ctx;
  ctx.incident_id = input.incident_id;
  ctx.vault = &vault;
  ctx.cancel = options.cancel;
  ctx.service = redact(input.service);
  ctx.alertname = redact(input.alertname);
  ctx.severity = input.severity;
  std::vector<topology::ContextAlert> context_alerts;
  auto to_context_alert = [&](const Alert& a) {
    topology::ContextAlert ta;
    ta.service = std::string(a.Label("service"));
    if (ta.service.empty()) ta.service = std::string(a.Label("job"));
    ta.firing = a.status == AlertStatus::kFiring;
    ta.severity = ParseSeverity(a.Label("severity"));
    ta.alertname = redact(a.Label("alertname"));
    auto summary = a.annotations.find("summary");
    if (summary == a.annotations.end()) summary = a.annotations.find("description");
    if (summary != a.annotations.end()) ta.summary = redact(summary->second);
    return ta;
  };
  for (const Alert& a : input.alerts) {
    brain::ContextAlert ca;
    ca.status = std::string(ToString(a.status));
    for (const auto& [k, v] : a.labels) ca.labels.emplace(k, redact(v));
    for (const auto& [k, v] : a.annotations) ca.annotations.emplace(k, redact(v));
    context_alerts.push_back(to_context_alert(a));
    ctx.alerts.push_back(std::move(ca));
  }

  json doc = json::object();
  doc["incident_id"] = input.incident_id;
  doc["incident_version"] = input.incident_version;
  doc["service"] = ctx.service.str();
  doc["alertname"] = ctx.alertname.str();
  doc["severity"] = input.severity;

  if (auto svc = topology.Service(input.service)) ctx.service_kind = std::string(topology::ToString(svc->kind));
  std::optional<topology::RootCauseResult> root;
  std::optional<topology::BlastRadiusResult> blast;
  auto rc = topology.RootCause(input.service, options.depth);
  auto br = topology.BlastRadius(input.service, options.depth);
  if (rc.ok()) root = std::move(*rc);
  if (br.ok()) blast = std::move(*br);
  doc["root_cause"] = root ? json::parse(topology::RootCauseToJson(*root)) : json(nullptr);
  doc["blast_radius"] = blast ? json::parse(topology::BlastRadiusToJson(*blast)) : json(nullptr);
  if (!rc.ok()) {
    // Not in the topology: the reasoner still answers from the alerts alone.
    doc["topology_note"] = redact(std::string(rc.status().message())).str();
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
    for (const auto& s : topology.Snapshot().services) known.push_back(privacy::RedactedIdentifier(s.name));
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
  for (const Alert& a : input.related_alerts) {
    auto ta = to_context_alert(a);
    if (ta.firing && involved.count(ta.service)) context_alerts.push_back(std::move(ta));
  }

  topology::ContextRequest creq;
  creq.service = input.service;
  creq.root_cause = root ? &*root : nullptr;
  creq.blast_radius = blast ? &*blast : nullptr;
  creq.alerts = &context_alerts;
  creq.budget_chars = static_cast<std::size_t>(options.context_budget_chars);
  ctx.document = topology::BuildRetrievalContext(topology, creq);
  doc["context"] = ctx.document.str();

  AnalysisOutput out;
  auto proposal = reasoner.Propose(ctx, thinking);
  if (!proposal.ok()) {
    doc["proposal"] = nullptr;
    doc["proposal_error"] = redact(std::string(proposal.status().message())).str();
    out.reasoner = reasoner.name();
  } else if (auto valid = brain::ValidateProposal(*proposal, ctx); !valid.ok()) {
    // Even the final answer failed validation: it is recorded, never passed on as a proposal.
    doc["proposal"] = nullptr;
    doc["proposal_error"] = redact(absl::StrCat("rejected: ", valid.message())).str();
    out.reasoner = proposal->reasoner;
  } else {
    doc["proposal"] = json::parse(brain::ProposalToJson(*proposal));
    out.has_proposal = true;
    out.reasoner = proposal->reasoner;
    out.fallback = !proposal->fallback_reason.empty();
  }
  out.json = doc.dump(-1, ' ', false, json::error_handler_t::replace);
  return out;
}

}  // namespace awoooi::server
