#include "awoooi/topology/command.h"

#include "absl/strings/str_cat.h"
#include "awoooi/topology/loader.h"
#include "awoooi/topology/render.h"
#include "awoooi/topology/topology.h"

namespace awoooi::topology {
namespace {

int Check(const TopologyCommand& command, const TopologyLoadResult& loaded, std::ostream& out,
          std::ostream& err) {
  if (command.json) {
    out << DiagnosticsToJson(loaded.diagnostics) << "\n";
  } else {
    out << DiagnosticsToText(command.source_name, loaded.diagnostics);
    int errors = 0, warnings = 0;
    for (const Diagnostic& d : loaded.diagnostics)
      (d.level == Diagnostic::Level::kError ? errors : warnings)++;
    if (loaded.ok()) {
      out << command.source_name << ": ok: " << loaded.graph->size() << " services, "
          << loaded.graph->edge_count() << " edges, " << warnings
          << (warnings == 1 ? " warning" : " warnings") << "\n";
    } else {
      out << command.source_name << ": " << errors << (errors == 1 ? " error" : " errors") << ", " << warnings
          << (warnings == 1 ? " warning" : " warnings") << "\n";
    }
  }
  if (!loaded.ok()) err << command.source_name << ": invalid topology\n";
  return loaded.ok() ? 0 : 1;
}

}  // namespace

int RunTopologyCommand(const TopologyCommand& command, std::string_view topology_yaml, std::ostream& out,
                       std::ostream& err) {
  const bool query = command.action == "blast-radius" || command.action == "root-cause";
  if (!query && command.action != "check") {
    err << "unknown topology action '" << ShortName(command.action)
        << "' (expected blast-radius, root-cause or check)\n";
    return 1;
  }
  if (query) {
    // Cheap argument checks first, so a bad flag is reported without parsing a large file.
    if (command.service.empty()) {
      err << "missing SERVICE: the failing service to analyse\n";
      return 1;
    }
    if (absl::Status s = ValidateDepth(command.depth); !s.ok()) {
      err << "--depth: " << s.message() << "\n";
      return 1;
    }
  }
  TopologyLoadResult loaded = LoadTopologyYaml(topology_yaml);
  if (command.action == "check") return Check(command, loaded, out, err);
  if (!loaded.ok()) {
    err << DiagnosticsToText(command.source_name, loaded.diagnostics) << command.source_name
        << ": invalid topology (run `awoooi topology check` for details)\n";
    return 1;
  }
  Topology topology(loaded.graph);
  if (!command.unhealthy.empty()) {
    absl::StatusOr<HealthMap> health = ParseHealthList(command.unhealthy);
    if (!health.ok()) {
      err << "--unhealthy: " << health.status().message() << "\n";
      return 1;
    }
    for (const auto& [service, severity] : *health) {
      // A misspelt name would silently leave a service healthy and change the answer.
      if (!topology.Contains(service)) {
        err << "--unhealthy: unknown service '" << ShortName(service) << "' (not in " << command.source_name
            << ")\n";
        return 1;
      }
      (void)topology.SetHealth(service, severity);
    }
  }
  if (command.action == "blast-radius") {
    absl::StatusOr<BlastRadiusResult> r = topology.BlastRadius(command.service, command.depth);
    if (!r.ok()) {
      err << r.status().message() << " in " << command.source_name << "\n";
      return 1;
    }
    out << (command.json ? BlastRadiusToJson(*r) + "\n" : BlastRadiusToText(*r));
    return 0;
  }
  absl::StatusOr<RootCauseResult> r = topology.RootCause(command.service, command.depth);
  if (!r.ok()) {
    err << r.status().message() << " in " << command.source_name << "\n";
    return 1;
  }
  out << (command.json ? RootCauseToJson(*r) + "\n" : RootCauseToText(*r));
  return 0;
}

}  // namespace awoooi::topology
