// `awoooi topology blast-radius|root-cause SERVICE --topology FILE [--unhealthy LIST] [--depth N]
// [--json]` and `awoooi topology check FILE [--json]`.
//
//   blast-radius  services that depend on SERVICE, directly or transitively (upstream BFS)
//   root-cause    unhealthy dependencies of SERVICE, ranked (downstream BFS; docs/topology.md)
//   check         validates FILE; prints "FILE:LINE:COL: error|warning: message" per finding
//
//   SERVICE       the failing service (a name from FILE)
//   --topology    the topology YAML file (for check: the FILE argument)
//   --unhealthy   services to mark unhealthy: "name[:severity],..." with severity info, warning,
//                 error or critical (default critical), e.g. "postgres-db:critical,redis:warning";
//                 every name must be in FILE
//   --depth       BFS depth, 1..10 (default 3)
//   --json        print the API's JSON (GET /api/v1/topology/{service}/blast-radius|root-cause)
//                 instead of text; for check, {"ok", "errors", "warnings", "diagnostics": [...]}
//
// Exit code: 0 success (check: the file is valid), 1 bad input (unreadable or invalid file,
// unknown service, bad depth or --unhealthy), with a clear message on `err`.
#pragma once

#include <ostream>
#include <string>

namespace awoooi::cli {

struct TopologyOptions {
  std::string action;         // blast-radius | root-cause | check
  std::string service;        // SERVICE
  std::string topology_file;  // --topology, or check's FILE
  std::string unhealthy;      // --unhealthy "a,b,c:critical"
  int depth = 3;              // --depth
  bool json = false;          // --json
};

// Reads the file (at most 64 MiB) and runs the action; see the exit codes above.
int RunTopology(const TopologyOptions& options, std::ostream& out, std::ostream& err);

}  // namespace awoooi::cli
