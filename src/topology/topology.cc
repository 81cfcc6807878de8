#include "awoooi/topology/topology.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "topology/absl_view.h"
#include "topology/ranking.h"
#include "topology/reason.h"

namespace awoooi::topology {
namespace {

using NodeId = Graph::NodeId;

std::uint64_t EdgeKey(NodeId from, NodeId to) { return (static_cast<std::uint64_t>(from) << 32) | to; }

// Per-node BFS scratch, reused across queries on the same thread: a node is marked when its stamp
// equals the current epoch, so starting a query costs O(1) instead of clearing or hashing, and a
// small neighbourhood costs the same on a 100-service graph as on a million-service one.
class Visits {
 public:
  // Starts a query over node ids below `size`.
  void Reset(std::size_t size) {
    if (stamp_.size() < size) {
      stamp_.assign(size, 0);
      parent_.resize(size);
      depth_.resize(size);
      epoch_ = 0;
    }
    if (++epoch_ == 0) {  // wrapped: old stamps could collide
      std::fill(stamp_.begin(), stamp_.end(), 0);
      epoch_ = 1;
    }
  }
  // Marks `u`; false when it already was.
  bool Visit(NodeId u, NodeId parent, int depth) {
    if (stamp_[u] == epoch_) return false;
    stamp_[u] = epoch_;
    parent_[u] = parent;
    depth_[u] = static_cast<std::uint8_t>(depth);
    return true;
  }
  bool contains(NodeId u) const { return stamp_[u] == epoch_; }
  NodeId parent(NodeId u) const { return parent_[u]; }
  int depth(NodeId u) const { return depth_[u]; }

 private:
  std::vector<std::uint32_t> stamp_;
  std::vector<NodeId> parent_;
  std::vector<std::uint8_t> depth_;  // depths are capped at kMaxDepth
  std::uint32_t epoch_ = 0;
};

// One for the main BFS of a query and one for the cause/symptom look-ups it makes meanwhile.
thread_local Visits tls_query_visits;
thread_local Visits tls_explain_visits;

// Breadth-first from `start` up to `max_depth` hops. Returns the services reached (not `start`)
// in discovery order; `visits` maps each (and `start`) to its BFS parent and depth. The work is
// bounded by the edges of the services within `max_depth - 1` hops, whatever the graph's size.
template <typename ForEachNeighbour>
std::vector<NodeId> Bfs(NodeId start, int max_depth, ForEachNeighbour&& for_each_neighbour, Visits& visits) {
  std::vector<NodeId> order;
  visits.Visit(start, start, 0);
  std::vector<NodeId> frontier{start};
  for (std::size_t head = 0; head < frontier.size(); ++head) {
    NodeId u = frontier[head];
    int d = visits.depth(u);
    if (d >= max_depth) continue;
    for_each_neighbour(u, [&](NodeId w) {
      if (visits.Visit(w, u, d + 1)) {
        frontier.push_back(w);
        order.push_back(w);
      }
    });
  }
  return order;
}

}  // namespace

std::vector<EdgeLabelRule> DefaultEdgeLabelRules() {
  return {{"service", "depends_on"},
          {"service", "upstream"},
          {"source_workload", "destination_workload"},
          {"source_service", "destination_service"}};
}

absl::Status ValidateDepth(int depth) {
  if (depth < kMinDepth || depth > kMaxDepth) {
    return absl::InvalidArgumentError(
        absl::StrCat("depth must be between ", kMinDepth, " and ", kMaxDepth, ", got ", depth));
  }
  return absl::OkStatus();
}

std::string_view ToString(CandidateRole role) {
  switch (role) {
    case CandidateRole::kCause:
      return "cause";
    case CandidateRole::kSymptom:
      return "symptom";
    case CandidateRole::kSelf:
      return "self";
  }
  return "cause";
}

namespace {

using Overlay = absl::flat_hash_map<NodeId, std::vector<NodeId>>;

// Read access to base + overlay; valid while the caller holds Topology::mu_.
class View {
 public:
  View(const Graph& base, const std::vector<std::string>& learned_names, const Overlay& out,
       const Overlay& in)
      : base_(base),
        base_size_(static_cast<NodeId>(base.size())),
        learned_names_(learned_names),
        out_(out),
        in_(in) {}

  std::size_t size() const { return base_size_ + learned_names_.size(); }
  std::string_view name(NodeId id) const {
    return id < base_size_ ? base_.name(id) : std::string_view(learned_names_[id - base_size_]);
  }
  ServiceKind kind(NodeId id) const { return id < base_size_ ? base_.kind(id) : ServiceKind::kUnknown; }

  template <typename F>
  void ForEachDependency(NodeId id, F&& f) const {
    if (id < base_size_) {
      for (NodeId d : base_.dependencies(id)) f(d);
    }
    ForEachOverlay(out_, id, f);
  }
  template <typename F>
  void ForEachDependent(NodeId id, F&& f) const {
    if (id < base_size_) {
      for (NodeId d : base_.dependents(id)) f(d);
    }
    ForEachOverlay(in_, id, f);
  }

  std::vector<std::string> PathTo(NodeId target, const Visits& visits) const {
    // Filled from the end: the target's BFS depth is the path's length minus one.
    std::vector<std::string> path(static_cast<std::size_t>(visits.depth(target)) + 1);
    NodeId u = target;
    for (std::size_t i = path.size(); i-- > 0; u = visits.parent(u)) path[i] = std::string(name(u));
    return path;
  }

 private:
  template <typename F>
  static void ForEachOverlay(const Overlay& overlay, NodeId id, F& f) {
    if (overlay.empty()) return;
    auto it = overlay.find(id);
    if (it == overlay.end()) return;
    for (NodeId d : it->second) f(d);
  }

  const Graph& base_;
  const NodeId base_size_;
  const std::vector<std::string>& learned_names_;
  const Overlay& out_;
  const Overlay& in_;
};

// Bounds the work spent deciding cause versus symptom in one query (see NearestUnhealthyBelow).
constexpr std::size_t kExplainVisitBudget = 1 << 16;
// Bounds the work spent counting what each candidate explains in one query (see CountEvidence).
constexpr std::size_t kEvidenceStepBudget = 1 << 20;

// The unhealthy services nearest below `candidate` and their distance in hops, looking at most
// `hops` down: a symptom is explained by an unhealthy dependency, direct or transitive, because
// the services in between often have no alerts of their own. Callers pass hops = depth -
// candidate's depth + 1: the analysis horizon plus one hop, so that an unhealthy dependency just
// beyond the requested depth is still named. Paths through `start`, the service under
// investigation, do not count: a call back into it (a cycle) says nothing about cause. `nearest`
// receives every unhealthy service at that distance; the result names the best of them by kind
// priority, severity, name. Direct dependencies are always examined; deeper levels stop when the
// query's shared `budget` of visits is spent.
template <typename HealthOf>
std::optional<std::pair<NodeId, int>> NearestUnhealthyBelow(const View& view, NodeId candidate, NodeId start,
                                                            int hops, HealthOf& health_of,
                                                            std::size_t& budget,
                                                            std::vector<NodeId>& nearest) {
  Visits& seen = tls_explain_visits;
  seen.Reset(view.size());
  seen.Visit(start, start, 0);
  seen.Visit(candidate, candidate, 0);
  nearest.clear();
  std::vector<NodeId> level{candidate}, next;
  for (int hop = 1; hop <= hops && !level.empty(); ++hop) {
    next.clear();
    std::optional<NodeId> best;
    for (NodeId u : level) {
      view.ForEachDependency(u, [&](NodeId d) {
        if (hop > 1 && budget == 0) return;
        if (!seen.Visit(d, u, hop)) return;
        if (budget > 0) --budget;
        next.push_back(d);
        if (health_of(d) == Severity::kNone) return;
        nearest.push_back(d);
        auto key = [&](NodeId x) {
          return std::tuple(KindPriority(view.kind(x)), -static_cast<int>(health_of(x)), view.name(x));
        };
        if (!best || key(d) < key(*best)) best = d;
      });
    }
    if (best) return std::pair(*best, hop);
    if (budget == 0) break;
    level.swap(next);
  }
  return std::nullopt;
}

// What each candidate explains. Evidence item 0 is the service under investigation, items 1..m
// the candidates; `down[e]` lists the candidates (by item) nearest below item e. A candidate
// explains every item that reaches it along `down`: a chain of unhealthy services, each the
// nearest unhealthy one below the previous. Returns, per item, the items it explains, in item
// order. Breadth-first from each item in turn (the service under investigation first); the
// query's `kEvidenceStepBudget` steps bound pathological cases (thousands of unhealthy services
// within depth), where later items then go uncounted.
std::vector<std::vector<int>> CountEvidence(const std::vector<std::vector<int>>& down) {
  const std::size_t items = down.size();
  std::vector<std::vector<int>> explains(items);
  std::vector<std::uint32_t> stamp(items, 0);
  std::vector<int> frontier;
  std::size_t steps = 0;
  for (std::size_t e = 0; e < items && steps < kEvidenceStepBudget; ++e) {
    const auto mark = static_cast<std::uint32_t>(e + 1);
    stamp[e] = mark;
    frontier.assign(1, static_cast<int>(e));
    for (std::size_t head = 0; head < frontier.size() && steps < kEvidenceStepBudget; ++head) {
      for (int c : down[frontier[head]]) {
        ++steps;
        if (stamp[c] == mark) continue;
        stamp[c] = mark;
        explains[c].push_back(static_cast<int>(e));
        frontier.push_back(c);
      }
    }
  }
  return explains;
}

template <typename HealthOf>
RootCauseResult RankRootCauses(const View& view, NodeId start, int depth, HealthOf&& health_of) {
  RootCauseResult result;
  result.service = std::string(view.name(start));
  result.depth = depth;
  Visits& visits = tls_query_visits;
  visits.Reset(view.size());
  std::vector<NodeId> reached = Bfs(
      start, depth, [&](NodeId u, auto&& f) { view.ForEachDependency(u, f); }, visits);

  // Evidence items: 0 is the service under investigation, then the candidates in BFS order.
  std::vector<NodeId> items{start};
  for (NodeId u : reached) {
    if (health_of(u) != Severity::kNone) items.push_back(u);
  }
  if (items.size() == 1) {
    RootCauseCandidate self;
    self.service = result.service;
    self.kind = view.kind(start);
    self.rank = 1;
    self.depth = 0;
    self.severity = health_of(start);
    self.role = CandidateRole::kSelf;
    self.path = {result.service};
    self.reason = CandidateReason(self, result.service, depth).str();
    result.root_causes.push_back(std::move(self));
    return result;
  }
  absl::flat_hash_map<NodeId, int> item_of;
  item_of.reserve(items.size());
  for (std::size_t i = 1; i < items.size(); ++i) item_of.emplace(items[i], static_cast<int>(i));

  std::vector<RootCauseCandidate> ranked;
  ranked.reserve(items.size() - 1);
  std::vector<std::vector<int>> down(items.size());
  std::vector<NodeId> nearest;
  std::size_t budget = kExplainVisitBudget;
  auto link_down = [&](std::size_t item) {
    for (NodeId d : nearest) {
      if (auto it = item_of.find(d); it != item_of.end()) down[item].push_back(it->second);
    }
  };
  // Below the service under investigation, the nearest unhealthy services are the candidates the
  // breadth-first search met first (items are in BFS order).
  for (std::size_t i = 1; i < items.size() && visits.depth(items[i]) == visits.depth(items[1]); ++i) {
    down[0].push_back(static_cast<int>(i));
  }
  for (std::size_t i = 1; i < items.size(); ++i) {
    const NodeId u = items[i];
    RootCauseCandidate& c = ranked.emplace_back();
    c.service = std::string(view.name(u));
    c.kind = view.kind(u);
    c.depth = visits.depth(u);
    c.severity = health_of(u);
    c.path = view.PathTo(u, visits);
    std::optional<std::pair<NodeId, int>> best =
        NearestUnhealthyBelow(view, u, start, depth - c.depth + 1, health_of, budget, nearest);
    if (best) {
      c.role = CandidateRole::kSymptom;
      c.explained_by = std::string(view.name(best->first));
      c.explained_by_hops = best->second;
      c.explained_by_beyond_depth = !visits.contains(best->first);
    } else {
      c.role = CandidateRole::kCause;
    }
    link_down(i);
  }

  const std::vector<std::vector<int>> explains = CountEvidence(down);
  for (std::size_t i = 1; i < items.size(); ++i) {
    RootCauseCandidate& c = ranked[i - 1];
    std::vector<int> by = explains[i];
    std::sort(by.begin(), by.end(), [&](int a, int b) {
      int da = a == 0 ? 0 : visits.depth(items[a]), db = b == 0 ? 0 : visits.depth(items[b]);
      return da != db ? da < db : view.name(items[a]) < view.name(items[b]);
    });
    for (int e : by) c.explains.emplace_back(view.name(items[e]));
    c.explains_count = static_cast<int>(c.explains.size());
    c.evidence_count = static_cast<int>(items.size()) - 1;  // every item but itself
  }

  std::sort(ranked.begin(), ranked.end(), [](const RootCauseCandidate& a, const RootCauseCandidate& b) {
    return EvidenceOrder(a) < EvidenceOrder(b);
  });
  int rank = 0;
  for (RootCauseCandidate& c : ranked) {
    c.rank = ++rank;
    c.reason = CandidateReason(c, result.service, depth).str();
    result.root_causes.push_back(std::move(c));
  }
  return result;
}

}  // namespace

Topology::Topology(TopologyConfig config) : config_(std::move(config)) {
  TopologySpec empty;
  auto graph = Graph::Build(empty);
  absl::MutexLock lock(&mu_);
  base_ = *std::move(graph);
}

Topology::Topology(std::shared_ptr<const Graph> graph, TopologyConfig config) : config_(std::move(config)) {
  absl::MutexLock lock(&mu_);
  base_ = std::move(graph);
  health_.assign(base_->size(), Severity::kNone);
}

void Topology::Replace(std::shared_ptr<const Graph> graph) {
  {
    absl::MutexLock lock(&mu_);
    base_.swap(graph);
    RebuildOverlayLocked();
  }
  // `graph` now holds the previous base (unless a reader's copy still does): it is freed here,
  // after the lock, so that analyses do not wait for a large graph's memory to be returned.
}

absl::Status Topology::Replace(const TopologySpec& spec) {
  // Built before the lock is taken: analyses keep answering from the old graph meanwhile.
  absl::StatusOr<std::shared_ptr<const Graph>> graph = Graph::Build(spec);
  if (!graph.ok()) return graph.status();
  Replace(*std::move(graph));
  return absl::OkStatus();
}

void Topology::RebuildOverlayLocked() {
  learned_names_.clear();
  learned_ids_.clear();
  overlay_out_.clear();
  overlay_in_.clear();
  overlay_edges_.clear();
  health_.assign(base_->size(), Severity::kNone);
  std::vector<std::pair<std::string, std::string>> edges;
  edges.swap(learned_edges_);
  for (const auto& [from, to] : edges) {
    NodeId f = InternLocked(from);
    NodeId t = InternLocked(to);
    if (f == t || HasEdgeLocked(f, t)) continue;  // the new base may already declare it
    overlay_out_[f].push_back(t);
    overlay_in_[t].push_back(f);
    overlay_edges_.insert(EdgeKey(f, t));
    learned_edges_.emplace_back(from, to);
  }
  for (const auto& [name, severity] : health_by_name_) {
    if (auto id = FindLocked(name)) health_[*id] = severity;
  }
}

std::optional<NodeId> Topology::FindLocked(std::string_view name) const {
  if (auto id = base_->Find(name)) return id;
  if (learned_ids_.empty()) return std::nullopt;
  auto it = learned_ids_.find(AbslView(name));
  if (it == learned_ids_.end()) return std::nullopt;
  return it->second;
}

NodeId Topology::InternLocked(std::string_view name) {
  if (auto id = FindLocked(name)) return *id;
  auto id = static_cast<NodeId>(base_->size() + learned_names_.size());
  learned_names_.emplace_back(name);
  learned_ids_.emplace(std::string(name), id);
  auto h = health_by_name_.find(AbslView(name));
  health_.push_back(h == health_by_name_.end() ? Severity::kNone : h->second);
  return id;
}

bool Topology::HasEdgeLocked(NodeId from, NodeId to) const {
  if (from < base_->size()) {
    for (NodeId d : base_->dependencies(from)) {
      if (d == to) return true;
    }
  }
  return overlay_edges_.contains(EdgeKey(from, to));
}

absl::Status Topology::SetHealth(std::string_view service, Severity severity) {
  if (std::string problem = ServiceNameProblem(service); !problem.empty()) {
    return absl::InvalidArgumentError(problem);
  }
  if (severity == Severity::kNone) {
    ClearHealth(service);
    return absl::OkStatus();
  }
  absl::MutexLock lock(&mu_);
  std::optional<NodeId> id = FindLocked(service);
  // Remembering health for names not (yet) in the graph is what lets an alert that arrives before
  // its service is learned still count; the bound keeps label garbage from growing it forever.
  if (!id && health_by_name_.size() >= health_.size() + config_.max_learned_edges &&
      !health_by_name_.contains(AbslView(service))) {
    return absl::ResourceExhaustedError("too many unhealthy services the topology does not know");
  }
  health_by_name_[std::string(service)] = severity;
  if (id) health_[*id] = severity;
  return absl::OkStatus();
}

void Topology::ClearHealth(std::string_view service) {
  absl::MutexLock lock(&mu_);
  auto it = health_by_name_.find(AbslView(service));
  if (it != health_by_name_.end()) health_by_name_.erase(it);
  if (auto id = FindLocked(service)) health_[*id] = Severity::kNone;
}

void Topology::ClearAllHealth() {
  absl::MutexLock lock(&mu_);
  health_by_name_.clear();
  std::fill(health_.begin(), health_.end(), Severity::kNone);
}

Severity Topology::Health(std::string_view service) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = health_by_name_.find(AbslView(service));
  return it == health_by_name_.end() ? Severity::kNone : it->second;
}

absl::StatusOr<bool> Topology::LearnEdge(std::string_view from, std::string_view to) {
  for (std::string_view name : {from, to}) {
    if (std::string problem = ServiceNameProblem(name); !problem.empty()) {
      return absl::InvalidArgumentError(problem);
    }
  }
  if (from == to) return false;
  absl::MutexLock lock(&mu_);
  std::optional<NodeId> f = FindLocked(from), t = FindLocked(to);
  if (f && t && HasEdgeLocked(*f, *t)) return false;
  if (learned_edges_.size() >= config_.max_learned_edges) {
    return absl::ResourceExhaustedError(absl::StrCat("the topology already holds ", learned_edges_.size(),
                                                     " learned edges (the configured limit)"));
  }
  NodeId fi = f ? *f : InternLocked(from);
  NodeId ti = t ? *t : InternLocked(to);
  overlay_out_[fi].push_back(ti);
  overlay_in_[ti].push_back(fi);
  overlay_edges_.insert(EdgeKey(fi, ti));
  learned_edges_.emplace_back(std::string(from), std::string(to));
  return true;
}

absl::StatusOr<int> Topology::LearnFromAlertLabels(const LabelSet& labels) {
  int learned = 0;
  for (const EdgeLabelRule& rule : config_.edge_label_rules) {
    auto from = labels.find(rule.from_label);
    auto to = labels.find(rule.to_label);
    if (from == labels.end() || to == labels.end()) continue;
    absl::string_view from_view = absl::StripAsciiWhitespace(AbslView(from->second));
    std::string_view from_name(from_view.data(), from_view.size());
    if (from_name.empty()) continue;
    for (absl::string_view target : absl::StrSplit(AbslView(to->second), ',', absl::SkipWhitespace())) {
      absl::string_view to_view = absl::StripAsciiWhitespace(target);
      std::string_view to_name(to_view.data(), to_view.size());
      absl::StatusOr<bool> added = LearnEdge(from_name, to_name);
      if (!added.ok()) return added.status();
      if (*added) ++learned;
    }
  }
  return learned;
}

absl::StatusOr<BlastRadiusResult> Topology::BlastRadius(std::string_view service, int depth) const {
  if (absl::Status s = ValidateDepth(depth); !s.ok()) return s;
  absl::ReaderMutexLock lock(&mu_);
  std::optional<NodeId> start = FindLocked(service);
  if (!start) return absl::NotFoundError(absl::StrCat("unknown service '", ShortName(service), "'"));
  View view(*base_, learned_names_, overlay_out_, overlay_in_);
  Visits& visits = tls_query_visits;
  visits.Reset(view.size());
  std::vector<NodeId> reached = Bfs(
      *start, depth, [&](NodeId u, auto&& f) { view.ForEachDependent(u, f); }, visits);
  BlastRadiusResult result;
  result.service = std::string(service);
  result.depth = depth;
  // Order ids first (depth, then name), so the sort moves integers rather than results.
  std::sort(reached.begin(), reached.end(), [&](NodeId a, NodeId b) {
    int da = visits.depth(a), db = visits.depth(b);
    return da != db ? da < db : view.name(a) < view.name(b);
  });
  result.affected.reserve(reached.size());
  for (NodeId u : reached) {
    AffectedService& a = result.affected.emplace_back();
    a.service = std::string(view.name(u));
    a.kind = view.kind(u);
    a.depth = visits.depth(u);
    a.health = health_[u];
    a.path = view.PathTo(u, visits);
  }
  return result;
}

absl::StatusOr<RootCauseResult> Topology::RootCause(std::string_view service, int depth) const {
  if (absl::Status s = ValidateDepth(depth); !s.ok()) return s;
  absl::ReaderMutexLock lock(&mu_);
  std::optional<NodeId> start = FindLocked(service);
  if (!start) return absl::NotFoundError(absl::StrCat("unknown service '", ShortName(service), "'"));
  // The ranking calls the lambda before it returns, under this lock (which the analysis cannot see).
  return RankRootCauses(View(*base_, learned_names_, overlay_out_, overlay_in_), *start, depth,
                        [&](NodeId id) ABSL_NO_THREAD_SAFETY_ANALYSIS { return health_[id]; });
}

absl::StatusOr<RootCauseResult> Topology::RootCause(std::string_view service, int depth,
                                                    const HealthMap& health) const {
  if (absl::Status s = ValidateDepth(depth); !s.ok()) return s;
  absl::ReaderMutexLock lock(&mu_);
  std::optional<NodeId> start = FindLocked(service);
  if (!start) return absl::NotFoundError(absl::StrCat("unknown service '", ShortName(service), "'"));
  absl::flat_hash_map<NodeId, Severity> by_id;
  for (const auto& [name, severity] : health) {
    if (auto id = FindLocked(name)) by_id[*id] = severity;
  }
  return RankRootCauses(View(*base_, learned_names_, overlay_out_, overlay_in_), *start, depth,
                        [&](NodeId id) {
                          auto it = by_id.find(id);
                          return it == by_id.end() ? Severity::kNone : it->second;
                        });
}

bool Topology::Contains(std::string_view service) const {
  absl::ReaderMutexLock lock(&mu_);
  return FindLocked(service).has_value();
}

ServiceView Topology::ViewOfLocked(NodeId id) const {
  ServiceView v;
  View view(*base_, learned_names_, overlay_out_, overlay_in_);
  v.name = std::string(view.name(id));
  v.kind = view.kind(id);
  v.health = health_[id];
  if (id < base_->size()) {
    v.ns = std::string(base_->ns(id));
    v.owners = base_->owners(id);
    v.labels = base_->labels(id);
  } else {
    v.learned = true;
  }
  return v;
}

std::optional<ServiceView> Topology::Service(std::string_view service) const {
  absl::ReaderMutexLock lock(&mu_);
  std::optional<NodeId> id = FindLocked(service);
  if (!id) return std::nullopt;
  return ViewOfLocked(*id);
}

TopologySnapshot Topology::Snapshot() const {
  absl::ReaderMutexLock lock(&mu_);
  View view(*base_, learned_names_, overlay_out_, overlay_in_);
  TopologySnapshot snapshot;
  snapshot.services.reserve(view.size());
  for (NodeId id = 0; id < view.size(); ++id) snapshot.services.push_back(ViewOfLocked(id));
  snapshot.edges.reserve(base_->edge_count() + overlay_edges_.size());
  for (NodeId id = 0; id < view.size(); ++id) {
    if (id < base_->size()) {
      for (NodeId d : base_->dependencies(id))
        snapshot.edges.push_back({std::string(view.name(id)), std::string(view.name(d)), false});
    }
    auto it = overlay_out_.find(id);
    if (it == overlay_out_.end()) continue;
    for (NodeId d : it->second)
      snapshot.edges.push_back({std::string(view.name(id)), std::string(view.name(d)), true});
  }
  return snapshot;
}

TopologyStats Topology::Stats() const {
  absl::ReaderMutexLock lock(&mu_);
  TopologyStats stats;
  stats.services = base_->size() + learned_names_.size();
  stats.learned_edges = overlay_edges_.size();
  stats.edges = base_->edge_count() + stats.learned_edges;
  for (Severity s : health_) stats.unhealthy_services += s != Severity::kNone ? 1 : 0;
  // Overlay: each learned edge appears in two adjacency lists, one edge set and the name list.
  stats.memory_bytes = base_->MemoryBytes() + health_.capacity() +
                       learned_edges_.size() * (2 * sizeof(NodeId) + 9 + 2 * sizeof(std::string)) +
                       learned_names_.size() * (2 * sizeof(std::string) + sizeof(NodeId));
  return stats;
}

}  // namespace awoooi::topology
