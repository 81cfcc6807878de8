// Graph: an immutable, compact service dependency graph.
//
// Services are numbered 0..size()-1 in the order the spec lists them. Edges are "depends on"
// edges (A -> B: A calls or needs B), kept in compressed sparse row form in both directions, so
// both BFS directions walk contiguous arrays: 4 bytes per edge per direction plus 4 bytes per
// service per direction. Names live in one arena; namespaces are interned; owners and labels are
// stored only for services that have them.
//
// Thread-safety: immutable after Build; any number of threads may read one Graph concurrently.
// It is shared as `std::shared_ptr<const Graph>` so a reload can swap it under running readers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "awoooi/topology/spec.h"

namespace awoooi::topology {

class Graph {
 public:
  using NodeId = std::uint32_t;

  // Validates `spec` and builds the graph. Success: the graph, and `diagnostics` (if given)
  // receives the warnings (self-loops and duplicate edges, which are dropped). Failure:
  // InvalidArgument naming the first error (and how many there were); `diagnostics` receives
  // every error with its position: empty, over-long (> kMaxServiceNameBytes), non-UTF-8 or
  // control-character names; duplicate names; dangling `depends_on` entries (a name no service
  // declares: declare third parties with kind `external`); too many owners or labels.
  static absl::StatusOr<std::shared_ptr<const Graph>> Build(const TopologySpec& spec,
                                                            std::vector<Diagnostic>* diagnostics = nullptr);

  std::size_t size() const { return kinds_.size(); }
  std::size_t edge_count() const { return out_targets_.size(); }

  // The id of the service named `name`, or nullopt.
  std::optional<NodeId> Find(std::string_view name) const;

  std::string_view name(NodeId id) const {
    return std::string_view(names_).substr(name_offsets_[id], name_offsets_[id + 1] - name_offsets_[id]);
  }
  ServiceKind kind(NodeId id) const { return kinds_[id]; }
  std::string_view ns(NodeId id) const { return namespaces_[namespace_ids_[id]]; }
  const std::vector<std::string>& owners(NodeId id) const;
  const LabelSet& labels(NodeId id) const;
  // Where the service was declared (0:0 when not from a file).
  SourcePosition position(NodeId id) const;

  // The services `id` depends on, and the services that depend on `id`, in spec order.
  std::span<const NodeId> dependencies(NodeId id) const {
    return {out_targets_.data() + out_offsets_[id], out_targets_.data() + out_offsets_[id + 1]};
  }
  std::span<const NodeId> dependents(NodeId id) const {
    return {in_targets_.data() + in_offsets_[id], in_targets_.data() + in_offsets_[id + 1]};
  }

  // Bytes this graph holds on the heap (arrays, arena, index, metadata), for capacity planning.
  std::size_t MemoryBytes() const;

  // Strongly connected components with more than one service: each is reported as one cycle
  // path (first service, a walk through the component, back to the first), at most `max_cycles`
  // of them, in order of their smallest id. Iterative (no recursion), O(services + edges).
  std::vector<std::vector<NodeId>> FindCycles(std::size_t max_cycles) const;

 private:
  struct Metadata {
    std::vector<std::string> owners;
    LabelSet labels;
  };
  Graph() = default;

  std::string names_;                        // all names, back to back
  std::vector<std::uint32_t> name_offsets_;  // size()+1 entries into names_
  std::vector<ServiceKind> kinds_;
  std::vector<std::uint32_t> namespace_ids_;
  std::vector<std::string> namespaces_;  // interned; [0] is ""
  std::vector<SourcePosition> positions_;
  absl::flat_hash_map<NodeId, Metadata> metadata_;       // only services with owners or labels
  absl::flat_hash_map<std::string_view, NodeId> index_;  // views into names_
  std::vector<std::uint32_t> out_offsets_, out_targets_;
  std::vector<std::uint32_t> in_offsets_, in_targets_;
};

}  // namespace awoooi::topology
