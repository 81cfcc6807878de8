// The logic of `awoooi topology blast-radius|root-cause|check` over topology text the caller has
// already read, so that all of it (validation, analysis, rendering, exit codes) is tested here
// without files. src/cli/topology_command.cc reads the file and calls this.
//
// Thread-safety: a function with no shared state; call from any thread.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace awoooi::topology {

struct TopologyCommand {
  std::string action;       // "blast-radius" | "root-cause" | "check"
  std::string service;      // the failing service (not used by check)
  std::string source_name;  // how messages name the topology, e.g. its file path
  std::string unhealthy;    // "a,b:warning,c:critical" (see ParseHealthList); empty: all healthy
  int depth = 3;            // 1..10
  bool json = false;        // the API's JSON instead of text
};

// Runs `command` on `topology_yaml`. Returns the process exit code:
//   0  the analysis was printed to `out`; for check: the file is valid (warnings may be printed)
//   1  bad input: an invalid topology (its line-numbered diagnostics go to `err`, or to `out` for
//      check), an unknown action or service, a depth outside 1..10, a malformed or unknown name
//      in `unhealthy`. A clear message goes to `err`.
int RunTopologyCommand(const TopologyCommand& command, std::string_view topology_yaml, std::ostream& out,
                       std::ostream& err);

}  // namespace awoooi::topology
