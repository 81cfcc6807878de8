#include "cli/analyze_command.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "awoooi/brain/factory.h"
#include "awoooi/topology/loader.h"
#include "awoooi/topology/render.h"
#include "ingest/alert_parser.h"
#include "ingest/grouping.h"
#include "server/analysis.h"
#include "server/app.h"
#include "server/config.h"

namespace awoooi::cli {
namespace {

absl::StatusOr<std::string> ReadAll(const std::string& path) {
  std::stringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  ss << in.rdbuf();
  return ss.str();
}

int Fail(std::ostream& err, const absl::Status& s) {
  err << "awoooi analyze: " << s.message() << "\n";
  return 1;
}

}  // namespace

int RunAnalyze(const AnalyzeOptions& options, std::ostream& out, std::ostream& err) {
  auto config = server::LoadConfig(options.config_file, server::ProcessEnvironment());
  if (!config.ok()) return Fail(err, config.status());
  if (auto s = topology::ValidateDepth(options.depth); !s.ok()) return Fail(err, s);

  auto payload = ReadAll(options.alert_file);
  if (!payload.ok()) return Fail(err, payload.status());
  auto alerts = ingest::ParseAlertmanagerWebhook(*payload, config->ingest.limits, absl::Now());
  if (!alerts.ok()) return Fail(err, absl::InvalidArgumentError(absl::StrCat(options.alert_file, ": ", alerts.status().message())));

  std::string topology_text, topology_name = options.topology_file;
  if (options.topology_file.empty()) {
    topology_text = std::string(server::DemoTopologyYaml());
    topology_name = "demo topology";
  } else {
    auto text = ReadAll(options.topology_file);
    if (!text.ok()) return Fail(err, text.status());
    topology_text = std::move(*text);
  }
  auto loaded = topology::LoadTopologyYaml(topology_text);
  if (!loaded.graph) {
    err << topology::DiagnosticsToText(topology_name, loaded.diagnostics);
    return 1;
  }
  topology::Topology topo(loaded.graph);

  privacy::ShieldConfig sc;
  sc.custom_patterns = config->privacy.custom_patterns;
  auto shield = privacy::Shield::Create(sc);
  if (!shield.ok()) return Fail(err, shield.status());

  PluginSettings brain_settings = config->brain;
  if (!options.brain.empty()) {
    auto values = brain_settings.values();
    values["type"] = options.brain;
    brain_settings = PluginSettings("brain", std::move(values));
  }
  auto reasoner = brain::MakeReasoner(brain_settings, **shield);
  if (!reasoner.ok()) return Fail(err, reasoner.status());

  // Every firing alert marks its service unhealthy (worst severity wins).
  Severity worst = Severity::kNone;
  std::vector<std::string> firing_services;
  for (const auto& a : *alerts) {
    if (a.status != AlertStatus::kFiring) continue;
    std::string service = ingest::ServiceOf(a);
    Severity sev = ParseSeverity(a.Label("severity"));
    worst = std::max(worst, sev);
    if (service.empty()) continue;
    (void)topo.SetHealth(service, std::max(topo.Health(service), sev));
    if (std::find(firing_services.begin(), firing_services.end(), service) == firing_services.end()) {
      firing_services.push_back(service);
    }
  }
  // The incident is seen from its entry point: the alerting service whose dependencies explain
  // the most other alerting services (frontend 5xx + postgres-db down -> frontend, root cause
  // postgres-db). Ties keep payload order; without a topology match, the first firing alert.
  std::string incident_service = firing_services.empty() ? "" : firing_services.front();
  std::size_t best = 0;
  for (const auto& service : firing_services) {
    auto rc = topo.RootCause(service, options.depth);
    if (!rc.ok()) continue;
    std::size_t explained = 0;
    for (const auto& c : rc->root_causes) explained += c.role != topology::CandidateRole::kSelf;
    if (explained > best) {
      best = explained;
      incident_service = service;
    }
  }

  server::AnalysisInput in;
  in.incident_id = 0;
  privacy::Vault vault;
  for (auto& a : *alerts) {
    if (a.status == AlertStatus::kFiring && in.alertname.empty() && ingest::ServiceOf(a) == incident_service) {
      in.service = incident_service;
      in.alertname = std::string(a.Label("alertname"));
    }
    for (auto* m : {&a.labels, &a.annotations}) {
      for (auto& [k, v] : *m) v = (*shield)->Redact(v, vault).str();
    }
    a.generator_url = (*shield)->Redact(a.generator_url, vault).str();
    // The payload is one incident in the CLI: every alert in it belongs to the context.
    in.alerts.push_back(std::move(a));
  }
  if (in.alertname.empty()) return Fail(err, absl::InvalidArgumentError("the payload has no firing alert"));
  in.service = (*shield)->Redact(in.service, vault).str();
  in.alertname = (*shield)->Redact(in.alertname, vault).str();
  in.severity = std::string(ToString(worst));

  server::AnalysisOptions ao;
  ao.depth = options.depth;
  ao.context_budget_chars = static_cast<int>(config->topology.context_budget_chars);
  std::string thinking;
  auto result = server::RunAnalysis(in, ao, vault, **shield, topo, **reasoner,
                                    [&](const privacy::Redacted& chunk) { thinking += chunk.str(); });
  if (!result.ok()) return Fail(err, result.status());
  auto doc = nlohmann::json::parse(result->json);
  nlohmann::json proposal = doc.contains("proposal") ? doc["proposal"] : nlohmann::json(nullptr);
  doc.erase("proposal");
  if (options.json) {
    nlohmann::json j = {{"analysis", doc}, {"proposal", proposal}};
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return result->has_proposal ? 0 : 1;
  }
  out << "Incident: " << doc.value("alertname", "") << " on " << doc.value("service", "") << " (" << in.severity
      << ")\n\n";
  out << doc.value("context", "") << "\n\n";
  out << "Reasoning (" << result->reasoner << (result->fallback ? ", fallback" : "") << "):\n" << thinking << "\n\n";
  if (proposal.is_null()) {
    out << "No valid proposal: " << doc.value("proposal_error", "") << "\n";
    return 1;
  }
  out << "Proposal: " << proposal.value("summary", "") << "\n";
  if (proposal.contains("root_cause")) {
    out << "Root cause: " << proposal["root_cause"].value("service", "") << " ("
        << proposal["root_cause"].value("kind", "") << ")\n";
  }
  for (const auto& a : proposal.value("actions", nlohmann::json::array())) {
    out << "  - " << a.value("type", "") << " " << a.value("target", "");
    if (a.contains("parameters") && !a["parameters"].empty()) out << " " << a["parameters"].dump();
    out << "\n";
  }
  out << "Confidence: " << proposal.value("confidence", 0.0) << "\n";
  return 0;
}

}  // namespace awoooi::cli
