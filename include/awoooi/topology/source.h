// TopologySource: where a topology comes from, so that sources beyond the file (Kubernetes
// discovery, a service catalogue) plug in without touching the engine.
//
// A source produces a `TopologySpec`; `MergeSpecs` combines several, and `RefreshTopology` fetches,
// merges, builds and swaps the result into a live `Topology` (keeping health and learned edges).
//
// Thread-safety: implementations say whether Fetch may run concurrently with itself; the engine
// calls it from one refresh loop at a time. MergeSpecs and RefreshTopology have no shared state of
// their own (RefreshTopology takes the topology's writer lock only for the final swap).
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "awoooi/topology/spec.h"
#include "awoooi/topology/topology.h"

namespace awoooi::topology {

class TopologySource {
 public:
  virtual ~TopologySource() = default;
  // A short name for messages ("file", "kubernetes").
  virtual std::string_view name() const = 0;
  // The source's current view. Failure: Unavailable when the source cannot be reached (the
  // refresh keeps the previous topology), InvalidArgument when what it returned is malformed.
  virtual absl::StatusOr<TopologySpec> Fetch() = 0;
};

// Merges specs in priority order. A service is described by the first spec that declares it
// (kind, namespace, owners, labels, position); later specs add services nobody declared before and
// add dependencies to existing ones (union, in order of first appearance). So the file, listed
// first, stays authoritative and discovery fills in what it does not say. Never fails; names are
// validated later by Graph::Build.
TopologySpec MergeSpecs(std::span<const TopologySpec> specs);

// Fetches every source, merges in the given order, builds the graph and swaps it into `topology`.
// Success: OK, and `diagnostics` (if given) receives the build's warnings. Failure: the first
// source's fetch error (prefixed with its name), or InvalidArgument from Graph::Build; in both
// cases `topology` is unchanged.
absl::Status RefreshTopology(Topology& topology, std::span<TopologySource* const> sources,
                             std::vector<Diagnostic>* diagnostics = nullptr);

}  // namespace awoooi::topology
