// Rendering topology results as JSON (the API's and `awoooi topology --json`'s shapes) and as
// text for people (the CLI default). The API and the CLI call the same functions, so their JSON
// cannot drift apart. Shapes (docs/topology.md has examples):
//
//   root cause:   {"service", "depth", "root_causes": [{"service", "kind", "rank", "path": [...],
//                   "reason", "severity", "depth", "role", "explained_by"?,
//                   "explained_by_hops"?, "explained_by_beyond_depth"?, "explains": [...],
//                   "explains_count", "evidence_count"}]}
//   blast radius: {"service", "depth", "affected": [{"service", "kind", "depth", "health",
//                   "path": [...]}]}
//   graph:        {"services": [{"name", "kind", "namespace", "owners", "labels", "health",
//                   "learned"}], "edges": [{"from", "to", "learned"}]}
//   diagnostics:  {"ok", "errors", "warnings", "diagnostics": [{"level", "line", "column",
//                   "message"}]}
//
// `health` and `severity` are "none" | "info" | "warning" | "error" | "critical". Output is
// compact (no spaces), keys in the order above, and bytes that are not UTF-8 become U+FFFD.
//
// Thread-safety: pure functions; call from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "awoooi/topology/analysis.h"
#include "awoooi/topology/spec.h"
#include "awoooi/topology/topology.h"

namespace awoooi::topology {

std::string RootCauseToJson(const RootCauseResult& result);
std::string BlastRadiusToJson(const BlastRadiusResult& result);
std::string SnapshotToJson(const TopologySnapshot& snapshot);
std::string DiagnosticsToJson(const std::vector<Diagnostic>& diagnostics);

// Multi-line text, one candidate / affected service per entry, ending in a newline.
std::string RootCauseToText(const RootCauseResult& result);
std::string BlastRadiusToText(const BlastRadiusResult& result);
// One "FILE:LINE:COL: level: message" line per diagnostic (FILE alone when there is no position),
// as compilers print them, so editors can jump to the line.
std::string DiagnosticsToText(std::string_view file, const std::vector<Diagnostic>& diagnostics);

// Parses "a,b,c:critical": a comma-separated list of services, each optionally followed by
// ":severity" (info, warning, error, critical); a service without one is critical. Success: the
// map (a service named twice keeps its last severity). Failure: InvalidArgument naming the
// offending item (empty item, unknown severity, invalid service name).
absl::StatusOr<HealthMap> ParseHealthList(std::string_view text);

}  // namespace awoooi::topology
