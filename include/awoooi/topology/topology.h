// Topology: the live service graph the server holds for its lifetime.
//
// It combines three things: a base `Graph` (from the topology file or a discovery source,
// replaceable as a whole), an overlay of edges learned at run time from alert labels (merged
// without rebuilding the base), and the health of each service (from active alerts; updating it
// is O(1)). Blast radius and root cause run on that combination.
//
// Thread-safety: all methods may be called concurrently from any thread. Analyses and other
// readers share a reader lock for the few microseconds a bounded BFS takes; health updates,
// learned edges and Replace take the writer lock briefly (Replace builds the new graph before
// taking it, so a reload of a large file never pauses analyses).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "awoooi/core/alert.h"
#include "awoooi/topology/analysis.h"
#include "awoooi/topology/graph.h"
#include "awoooi/topology/spec.h"

namespace awoooi::topology {

// How an alert's labels teach an edge: an alert that carries both labels says that the service
// named by `from_label` depends on the service(s) named by `to_label` (a comma-separated list is
// allowed on that side). Examples: {service, depends_on} for an alert such as
// `OrdersDbErrors{service="orders", depends_on="orders-db"}`; {source_workload,
// destination_workload} for alerts built on Istio request metrics; {client, service} for a
// database exporter's alert naming the client that sees the errors.
struct EdgeLabelRule {
  std::string from_label;
  std::string to_label;
};

// {service, depends_on}, {service, upstream}, {source_workload, destination_workload},
// {source_service, destination_service}.
std::vector<EdgeLabelRule> DefaultEdgeLabelRules();

struct TopologyConfig {
  std::vector<EdgeLabelRule> edge_label_rules = DefaultEdgeLabelRules();
  // Learned edges come from alert labels, which anyone who can send an alert controls: cap them
  // (and the services they introduce) so the overlay's memory stays bounded.
  std::size_t max_learned_edges = 100'000;
};

// One service as the whole-graph view shows it.
struct ServiceView {
  std::string name;
  ServiceKind kind = ServiceKind::kService;
  std::string ns;
  std::vector<std::string> owners;
  LabelSet labels;
  Severity health = Severity::kNone;
  bool learned = false;  // known only from a learned edge
};

struct EdgeView {
  std::string from;  // depends on `to`
  std::string to;
  bool learned = false;
};

// A consistent copy of the whole graph (for the dashboard's topology view). Services in id order
// (declaration order, then learned services in arrival order); edges grouped by `from`.
struct TopologySnapshot {
  std::vector<ServiceView> services;
  std::vector<EdgeView> edges;
};

struct TopologyStats {
  std::size_t services = 0;  // base + learned
  std::size_t edges = 0;     // base + learned
  std::size_t learned_edges = 0;
  std::size_t unhealthy_services = 0;
  std::size_t memory_bytes = 0;  // base graph plus overlay, approximate
};

// Health given for one call only (e.g. the CLI's --unhealthy, or a what-if in the API): service
// name -> severity. Names the topology does not know are ignored.
using HealthMap = absl::flat_hash_map<std::string, Severity>;

class Topology {
 public:
  // An empty topology (no services): every analysis answers NotFound until Replace or learning.
  explicit Topology(TopologyConfig config = {});
  // A topology over an already built graph (e.g. LoadTopologyYaml(...).graph). `graph` must not
  // be null.
  explicit Topology(std::shared_ptr<const Graph> graph, TopologyConfig config = {});

  Topology(const Topology&) = delete;
  Topology& operator=(const Topology&) = delete;

  // Swaps in a new base graph (a reloaded file, a discovery refresh). Health and learned edges
  // are kept and re-applied by name. `graph` must not be null. The writer lock is held only for
  // the swap and the re-application (O(services + learned edges + unhealthy services), no
  // parsing, no graph building); the previous graph is freed after it is released.
  void Replace(std::shared_ptr<const Graph> graph);
  // Builds the graph from `spec` (before taking the lock: analyses keep answering from the old
  // graph meanwhile) and swaps it in. Failure: InvalidArgument from Graph::Build, and the topology
  // is unchanged. ReloadTopologyYaml (loader.h) does the same from a file's text.
  absl::Status Replace(const TopologySpec& spec);

  // Marks `service` unhealthy with `severity` (kNone heals it). A name the topology does not know
  // yet is remembered and applies once the service appears. Failure: InvalidArgument for a name
  // no service could have (empty, too long).
  absl::Status SetHealth(std::string_view service, Severity severity);
  void ClearHealth(std::string_view service);  // no-op for unknown names
  void ClearAllHealth();
  Severity Health(std::string_view service) const;  // kNone when healthy or unknown

  // Adds the edge `from` depends on `to` to the overlay. Services not yet known are added with
  // kind kUnknown. Success: true if the edge is new, false if it was already known (in the base or
  // the overlay) or is a self-loop. Failure: InvalidArgument for invalid names;
  // ResourceExhausted when config.max_learned_edges is reached.
  absl::StatusOr<bool> LearnEdge(std::string_view from, std::string_view to);
  // Applies the configured EdgeLabelRules to one alert's labels. Success: the number of new edges.
  // Failure: the first LearnEdge failure (edges learned before it are kept).
  absl::StatusOr<int> LearnFromAlertLabels(const LabelSet& labels);

  // BFS over reverse edges from `service`. Failure: InvalidArgument for a depth outside
  // kMinDepth..kMaxDepth; NotFound for a service the topology does not know.
  absl::StatusOr<BlastRadiusResult> BlastRadius(std::string_view service, int depth = kDefaultDepth) const;

  // BFS over dependencies from `service`, ranking every unhealthy one (see analysis.h) by the
  // stored health. Failure: as BlastRadius.
  absl::StatusOr<RootCauseResult> RootCause(std::string_view service, int depth = kDefaultDepth) const;
  // The same with `health` instead of the stored health, for this call only.
  absl::StatusOr<RootCauseResult> RootCause(std::string_view service, int depth,
                                            const HealthMap& health) const;

  bool Contains(std::string_view service) const;
  std::optional<ServiceView> Service(std::string_view service) const;
  TopologySnapshot Snapshot() const;
  TopologyStats Stats() const;

 private:
  using NodeId = Graph::NodeId;

  void RebuildOverlayLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::optional<NodeId> FindLocked(std::string_view name) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  NodeId InternLocked(std::string_view name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool HasEdgeLocked(NodeId from, NodeId to) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  ServiceView ViewOfLocked(NodeId id) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const TopologyConfig config_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const Graph> base_ ABSL_GUARDED_BY(mu_);
  // Overlay: services known only from learned edges get ids base_->size() + i.
  std::vector<std::string> learned_names_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, NodeId> learned_ids_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<NodeId, std::vector<NodeId>> overlay_out_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<NodeId, std::vector<NodeId>> overlay_in_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::uint64_t> overlay_edges_ ABSL_GUARDED_BY(mu_);
  // Every learned edge by name, in arrival order, so a Replace can re-apply them.
  std::vector<std::pair<std::string, std::string>> learned_edges_ ABSL_GUARDED_BY(mu_);
  // Health: by name is the truth (it includes services not known yet); by id is the fast copy
  // analyses read, indexed like the nodes (base then overlay).
  absl::flat_hash_map<std::string, Severity> health_by_name_ ABSL_GUARDED_BY(mu_);
  std::vector<Severity> health_ ABSL_GUARDED_BY(mu_);
};

}  // namespace awoooi::topology
