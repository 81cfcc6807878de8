// Loading a topology from YAML text (docs/topology.md describes the format).
//
//   services:
//     - name: orders            # required, unique, at most 253 bytes
//       kind: service           # required: ingress|frontend|service|database|cache|queue|external
//       namespace: shop         # optional
//       owners: [team-orders]   # optional: a string or a list of strings
//       labels: {tier: "1"}     # optional: string to string
//       depends_on: [orders-db] # optional: a string or a list; every name must be declared
//       description: ...        # optional, ignored
//
// The loader does no I/O: callers read the file. It reads the text with libyaml's event parser
// (docs/adr/0003-libyaml-topology-loader.md). Thread-safety: free functions with no shared state;
// call from any thread.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "awoooi/topology/graph.h"
#include "awoooi/topology/spec.h"
#include "awoooi/topology/topology.h"

namespace awoooi::topology {

// Parses YAML text into a spec without resolving names. Success: the spec; `diagnostics` (if
// given) receives warnings (unknown top-level keys). Failure: InvalidArgument with the first
// error; `diagnostics` receives every error with its 1-based line and column (columns count
// characters): a YAML syntax error (libyaml's message, alone: the other findings are not
// reported until the text parses), a missing or non-list `services`, entries that are not maps, missing or
// non-string `name`/`kind`, unknown kinds, unknown fields (a misspelt `depends_on` must not
// silently drop edges), text larger than kMaxTopologyFileBytes.
absl::StatusOr<TopologySpec> ParseTopologyYaml(std::string_view text,
                                               std::vector<Diagnostic>* diagnostics = nullptr);

struct TopologyLoadResult {
  std::shared_ptr<const Graph> graph;   // null when there was any error
  std::vector<Diagnostic> diagnostics;  // errors and warnings, ordered by position
  bool ok() const { return graph != nullptr; }
};

// Parse + Graph::Build + cycle report: what `awoooi topology check` and the server's start-up use.
// Never throws. Cycles are warnings (real meshes have mutual calls and the analyses handle them);
// at most 10 cycles are reported. A 100,000-service, 1,000,000-edge file loads in well under a
// second and 120 MB at peak (docs/benchmarks.md).
TopologyLoadResult LoadTopologyYaml(std::string_view text);

// Reloads a changed topology file into a live topology: LoadTopologyYaml(text) and, when it
// succeeds, topology.Replace(graph) (health and learned edges are kept). Parsing, building and the
// cycle report all run before the topology's lock is taken, so analyses keep answering from the
// old graph until the new one is swapped in. Success: the result is ok() and holds the new graph
// and the warnings. Failure: the result's diagnostics say why, and the topology is unchanged.
TopologyLoadResult ReloadTopologyYaml(Topology& topology, std::string_view text);

}  // namespace awoooi::topology
