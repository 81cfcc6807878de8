// libFuzzer target for the topology YAML loader and everything a loaded topology feeds: graph
// build, cycle report, both analyses, the JSON and text renderers, and the retrieval context.
// Any input must end in a result or in diagnostics, never a crash, a hang or a leak.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "awoooi/topology/context.h"
#include "awoooi/topology/loader.h"
#include "awoooi/topology/render.h"
#include "awoooi/topology/topology.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace awoooi;
  using namespace awoooi::topology;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  TopologyLoadResult loaded = LoadTopologyYaml(text);
  (void)DiagnosticsToText("fuzz.yaml", loaded.diagnostics);
  (void)DiagnosticsToJson(loaded.diagnostics);
  if (!loaded.ok()) return 0;

  Topology topology(loaded.graph);
  const Graph& g = *loaded.graph;
  // Derive health and queries from the input itself, so the fuzzer can steer them.
  const std::size_t n = g.size();
  for (std::size_t i = 0; i < n && i < 64; ++i) {
    if ((data[i % size] & 3) == 0) {
      (void)topology.SetHealth(g.name(static_cast<Graph::NodeId>(i)),
                               static_cast<Severity>(1 + data[i % size] % 4));
    }
  }
  (void)topology.LearnEdge(n > 0 ? g.name(0) : "a", "learned-from-fuzz");
  std::vector<ContextAlert> alerts;
  for (std::size_t i = 0; i < n && i < 16; ++i) {
    const std::string service(g.name(static_cast<Graph::NodeId>(i)));
    const int depth = 1 + static_cast<int>(data[(i * 7) % size] % kMaxDepth);
    auto blast = topology.BlastRadius(service, depth);
    auto root = topology.RootCause(service, depth);
    if (!blast.ok() || !root.ok()) __builtin_trap();  // a known service at a valid depth must answer
    (void)BlastRadiusToJson(*blast);
    (void)BlastRadiusToText(*blast);
    (void)RootCauseToJson(*root);
    (void)RootCauseToText(*root);
    alerts.push_back({service, (i & 1) == 0, Severity::kError, privacy::Redacted::Literal("Alert"), {}});
    ContextRequest request;
    request.service = service;
    request.root_cause = &*root;
    request.blast_radius = &*blast;
    request.alerts = &alerts;
    request.budget_chars = 64 + data[i % size] * 8;
    privacy::Redacted doc = BuildRetrievalContext(topology, request);
    if (doc.size() > request.budget_chars) __builtin_trap();  // the budget is a hard bound
  }
  (void)SnapshotToJson(topology.Snapshot());
  return 0;
}
