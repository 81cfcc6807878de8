// `awoooi analyze`: one Alertmanager payload through the same analysis the server runs — the
// Privacy Shield (one fresh scope for the payload), the topology (every firing alert marks its
// service unhealthy), the configured brain — printed as text, or with --json as
// {"analysis": {...}, "proposal": {...}}. Useful for writing playbooks and for trying a topology.
#pragma once

#include <iosfwd>
#include <string>

#include "awoooi/topology/analysis.h"

namespace awoooi::cli {

struct AnalyzeOptions {
  std::string alert_file;     // Alertmanager webhook JSON ("-" for stdin)
  std::string topology_file;  // empty: the embedded demo topology
  std::string brain;          // empty: from --config, else playbook
  std::string config_file;
  int depth = topology::kDefaultDepth;
  bool json = false;
};

int RunAnalyze(const AnalyzeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace awoooi::cli
