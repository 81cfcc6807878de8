#include "cli/analyze_command.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "awoooi/analysis/analysis.h"
#include "awoooi/brain/factory.h"
#include "awoooi/topology/loader.h"
#include "awoooi/topology/render.h"
#include "runtime/plugins.h"
#include "runtime/runtime.h"

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
  auto config = runtime::LoadConfig(options.config_file, runtime::ProcessEnvironment());
  if (!config.ok()) return Fail(err, config.status());
  if (auto s = topology::ValidateDepth(options.depth); !s.ok()) return Fail(err, s);

  auto payload = ReadAll(options.alert_file);
  if (!payload.ok()) return Fail(err, payload.status());
  const runtime::PluginRegistry& plugins = runtime::BuiltinPlugins();
  auto source = plugins.inputs.Create(
      "alertmanager",
      PluginSettings("ingest", {{"max_alerts_per_request", std::to_string(config->ingest.limits.max_alerts)},
                                {"max_labels", std::to_string(config->ingest.limits.max_labels)},
                                {"max_value_bytes", std::to_string(config->ingest.limits.max_value_bytes)}}));
  if (!source.ok()) return Fail(err, source.status());
  auto alerts = (*source)->Parse(*payload, absl::Now());
  if (!alerts.ok())
    return Fail(
        err, absl::InvalidArgumentError(absl::StrCat(options.alert_file, ": ", alerts.status().message())));

  std::string topology_text, topology_name = options.topology_file;
  if (options.topology_file.empty()) {
    topology_text = std::string(runtime::DemoTopologyYaml());
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
  auto reasoner = brain::MakeReasoner(plugins.brains, brain_settings, **shield);
  if (!reasoner.ok()) return Fail(err, reasoner.status());

  // Every firing alert marks its service unhealthy (worst severity wins).
  Severity worst = Severity::kNone;
  for (const auto& a : *alerts) {
    if (a.status != AlertStatus::kFiring) continue;
    Severity sev = ParseSeverity(a.Label("severity"));
    worst = std::max(worst, sev);
    std::string service = ServiceOf(a);
    if (!service.empty()) (void)topo.SetHealth(service, std::max(topo.Health(service), sev));
  }
  const std::string incident_service = analysis::EntryPoint(*alerts, topo, options.depth);

  analysis::Input in;
  in.incident_id = 0;
  privacy::Vault vault;
  for (auto& a : *alerts) {
    if (a.status == AlertStatus::kFiring && in.alertname.empty() && ServiceOf(a) == incident_service) {
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

  analysis::Options ao;
  ao.depth = options.depth;
  ao.context_budget_chars = static_cast<int>(config->topology.context_budget_chars);
  std::string thinking;
  auto result = analysis::Analyze(in, ao, vault, **shield, topo, **reasoner,
                                  [&](const privacy::Redacted& chunk) { thinking += chunk.str(); });
  if (!result.ok()) return Fail(err, result.status());
  auto doc = nlohmann::json::parse(analysis::RenderDocument(in, *result));
  nlohmann::json proposal = doc.contains("proposal") ? doc["proposal"] : nlohmann::json(nullptr);
  doc.erase("proposal");
  if (options.json) {
    nlohmann::json j = {{"analysis", doc}, {"proposal", proposal}};
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return result->proposal ? 0 : 1;
  }
  out << "Incident: " << doc.value("alertname", "") << " on " << doc.value("service", "") << " ("
      << in.severity << ")\n\n";
  out << doc.value("context", "") << "\n\n";
  out << "Reasoning (" << result->reasoner << (result->fallback ? ", fallback" : "") << "):\n"
      << thinking << "\n\n";
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
    if (!a.value("note", "").empty()) out << " (" << a.value("note", "") << ")";
    out << "\n";
  }
  out << "Confidence: " << proposal.value("confidence", 0.0) << "\n";
  return 0;
}

}  // namespace awoooi::cli
