#include "awoooi/topology/graph.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace awoooi::topology {
namespace {

// Beyond this many findings, more only add noise (and memory, for hostile input); the count of
// the rest is still reported.
constexpr std::size_t kMaxDiagnostics = 1000;

class DiagnosticSink {
 public:
  explicit DiagnosticSink(std::vector<Diagnostic>* out) : out_(out) {}
  void Add(Diagnostic::Level level, SourcePosition pos, std::string message) {
    if (level == Diagnostic::Level::kError) {
      if (errors_ == 0) first_error_ = message;
      ++errors_;
    }
    if (out_ == nullptr) return;
    if (kept_ < kMaxDiagnostics) {
      out_->push_back(Diagnostic{level, pos, std::move(message)});
      ++kept_;
    } else {
      ++dropped_;
    }
  }
  void Finish() {
    if (out_ != nullptr && dropped_ > 0) {
      out_->push_back(Diagnostic{errors_ > 0 ? Diagnostic::Level::kError : Diagnostic::Level::kWarning,
                                 {},
                                 absl::StrCat(dropped_, " more findings not shown")});
    }
  }
  std::size_t errors() const { return errors_; }
  const std::string& first_error() const { return first_error_; }

 private:
  std::vector<Diagnostic>* out_;
  std::size_t kept_ = 0, dropped_ = 0, errors_ = 0;
  std::string first_error_;
};

const std::vector<std::string>& EmptyOwners() {
  static const auto* kEmpty = new std::vector<std::string>();
  return *kEmpty;
}
const LabelSet& EmptyLabels() {
  static const auto* kEmpty = new LabelSet();
  return *kEmpty;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Graph>> Graph::Build(const TopologySpec& spec,
                                                          std::vector<Diagnostic>* diagnostics) {
  using Level = Diagnostic::Level;
  DiagnosticSink sink(diagnostics);
  const std::size_t n = spec.services.size();
  if (n >= std::numeric_limits<NodeId>::max()) {
    return absl::InvalidArgumentError(absl::StrCat("topology has too many services: ", n));
  }

  auto graph = std::shared_ptr<Graph>(new Graph());
  Graph& g = *graph;
  // Names first, into one arena, and the index over it: edge resolution below looks up a million
  // names, and an index whose keys sit back to back stays in cache where keys scattered across the
  // spec's entries do not (this halved the build of a 100k-service graph).
  std::size_t name_bytes = 0;
  for (const ServiceSpec& s : spec.services) name_bytes += s.name.size();
  if (name_bytes >= std::numeric_limits<std::uint32_t>::max()) {
    return absl::InvalidArgumentError(absl::StrCat("topology names take too many bytes: ", name_bytes));
  }
  g.names_.reserve(name_bytes);  // no reallocation below: the index keeps views into it
  g.name_offsets_.reserve(n + 1);
  for (const ServiceSpec& s : spec.services) {
    g.name_offsets_.push_back(static_cast<std::uint32_t>(g.names_.size()));
    g.names_.append(s.name);
  }
  g.name_offsets_.push_back(static_cast<std::uint32_t>(g.names_.size()));

  // Pass 1: names.
  absl::flat_hash_map<std::string_view, NodeId>& ids = g.index_;
  ids.reserve(n);
  for (NodeId i = 0; i < n; ++i) {
    const ServiceSpec& s = spec.services[i];
    if (std::string problem = ServiceNameProblem(s.name); !problem.empty()) {
      sink.Add(Level::kError, s.position, std::move(problem));
      continue;
    }
    auto [it, inserted] = ids.emplace(g.name(i), i);
    if (!inserted) {
      SourcePosition first = spec.services[it->second].position;
      sink.Add(Level::kError, s.position,
               absl::StrCat("duplicate service '", ShortName(s.name), "'",
                            first.line > 0 ? absl::StrCat(" (first defined at line ", first.line, ")") : ""));
    }
    if (s.owners.size() > kMaxOwnersPerService) {
      sink.Add(
          Level::kError, s.position,
          absl::StrCat("service '", ShortName(s.name), "' has more than ", kMaxOwnersPerService, " owners"));
    }
    if (s.labels.size() > kMaxLabelsPerService) {
      sink.Add(
          Level::kError, s.position,
          absl::StrCat("service '", ShortName(s.name), "' has more than ", kMaxLabelsPerService, " labels"));
    }
    for (const auto& [k, v] : s.labels) {
      if (k.size() > kMaxLabelBytes || v.size() > kMaxLabelBytes) {
        sink.Add(Level::kError, s.position,
                 absl::StrCat("service '", ShortName(s.name), "' has a label longer than ", kMaxLabelBytes,
                              " bytes"));
        break;
      }
    }
    for (const std::string& owner : s.owners) {
      if (owner.empty() || owner.size() > kMaxServiceNameBytes) {
        sink.Add(Level::kError, s.position,
                 absl::StrCat("service '", ShortName(s.name), "' has an empty owner or one longer than ",
                              kMaxServiceNameBytes, " bytes"));
        break;
      }
    }
  }

  // Pass 2: edges, in source order, which is also CSR order for the forward direction.
  g.out_offsets_.resize(n + 1, 0);
  std::size_t total_edges = 0;
  for (const ServiceSpec& s : spec.services) total_edges += s.depends_on.size();
  // CSR offsets are 32-bit: half the memory of 64-bit ones, and 4 billion edges is no service mesh.
  if (total_edges >= std::numeric_limits<std::uint32_t>::max()) {
    return absl::InvalidArgumentError(absl::StrCat("topology has too many edges: ", total_edges));
  }
  g.out_targets_.reserve(total_edges);
  // seen_from[t] == i + 1: service i already lists t (a duplicate edge).
  std::vector<NodeId> seen_from(n, 0);
  for (NodeId i = 0; i < n; ++i) {
    const ServiceSpec& s = spec.services[i];
    g.out_offsets_[i] = static_cast<std::uint32_t>(g.out_targets_.size());
    for (std::size_t j = 0; j < s.depends_on.size(); ++j) {
      const std::string& dep = s.depends_on[j];
      SourcePosition pos = j < s.depends_on_positions.size() ? s.depends_on_positions[j] : s.position;
      auto it = ids.find(dep);
      if (it == ids.end()) {
        sink.Add(Level::kError, pos,
                 absl::StrCat("service '", ShortName(s.name), "' depends on '", ShortName(dep),
                              "', which is not declared (declare third parties with kind: external)"));
        continue;
      }
      if (it->second == i) {
        sink.Add(
            Level::kWarning, pos,
            absl::StrCat("service '", ShortName(s.name), "' depends on itself; the self-loop is ignored"));
        continue;
      }
      if (seen_from[it->second] == i + 1) {
        sink.Add(Level::kWarning, pos,
                 absl::StrCat("service '", ShortName(s.name), "' lists dependency '", ShortName(dep),
                              "' twice; the duplicate is ignored"));
        continue;
      }
      seen_from[it->second] = i + 1;
      g.out_targets_.push_back(it->second);
    }
  }
  g.out_offsets_[n] = static_cast<std::uint32_t>(g.out_targets_.size());
  sink.Finish();
  if (sink.errors() > 0) {
    std::string more = sink.errors() > 1 ? absl::StrCat(" (and ", sink.errors() - 1, " more errors)") : "";
    return absl::InvalidArgumentError(absl::StrCat("invalid topology: ", sink.first_error(), more));
  }
  g.out_targets_.shrink_to_fit();

  // Reverse CSR by counting sort; stable, so dependents come in spec order.
  g.in_offsets_.assign(n + 1, 0);
  for (NodeId t : g.out_targets_) ++g.in_offsets_[t + 1];
  for (std::size_t i = 0; i < n; ++i) g.in_offsets_[i + 1] += g.in_offsets_[i];
  g.in_targets_.resize(g.out_targets_.size());
  {
    std::vector<std::uint32_t> cursor(g.in_offsets_.begin(), g.in_offsets_.end() - 1);
    for (NodeId src = 0; src < n; ++src) {
      for (NodeId dst : g.dependencies(src)) g.in_targets_[cursor[dst]++] = src;
    }
  }

  // Kinds, namespaces, metadata.
  g.kinds_.reserve(n);
  g.namespace_ids_.reserve(n);
  g.positions_.reserve(n);
  g.namespaces_.push_back("");
  absl::flat_hash_map<std::string, std::uint32_t> ns_ids;
  ns_ids.emplace("", 0);
  for (NodeId i = 0; i < n; ++i) {
    const ServiceSpec& s = spec.services[i];
    g.kinds_.push_back(s.kind);
    auto [it, inserted] = ns_ids.emplace(s.ns, static_cast<std::uint32_t>(g.namespaces_.size()));
    if (inserted) g.namespaces_.push_back(s.ns);
    g.namespace_ids_.push_back(it->second);
    g.positions_.push_back(s.position);
    if (!s.owners.empty() || !s.labels.empty()) g.metadata_.emplace(i, Metadata{s.owners, s.labels});
  }
  return std::shared_ptr<const Graph>(std::move(graph));
}

std::optional<Graph::NodeId> Graph::Find(std::string_view name) const {
  auto it = index_.find(name);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

const std::vector<std::string>& Graph::owners(NodeId id) const {
  auto it = metadata_.find(id);
  return it == metadata_.end() ? EmptyOwners() : it->second.owners;
}

const LabelSet& Graph::labels(NodeId id) const {
  auto it = metadata_.find(id);
  return it == metadata_.end() ? EmptyLabels() : it->second.labels;
}

SourcePosition Graph::position(NodeId id) const { return positions_[id]; }

std::size_t Graph::MemoryBytes() const {
  auto vec = [](const auto& v) { return v.capacity() * sizeof(v[0]); };
  std::size_t bytes = sizeof(Graph) + names_.capacity() + vec(name_offsets_) + vec(kinds_) +
                      vec(namespace_ids_) + vec(positions_) + vec(out_offsets_) + vec(out_targets_) +
                      vec(in_offsets_) + vec(in_targets_);
  for (const std::string& ns : namespaces_) bytes += sizeof(ns) + ns.capacity();
  // A flat_hash_map slot holds the value plus one control byte.
  bytes += index_.capacity() * (sizeof(std::pair<std::string_view, NodeId>) + 1);
  bytes += metadata_.capacity() * (sizeof(std::pair<NodeId, Metadata>) + 1);
  for (const auto& [id, meta] : metadata_) {
    for (const std::string& o : meta.owners) bytes += sizeof(o) + o.capacity();
    // std::map nodes: key, value and about four pointers of bookkeeping each.
    for (const auto& [k, v] : meta.labels)
      bytes += 4 * sizeof(void*) + sizeof(k) + k.capacity() + sizeof(v) + v.capacity();
  }
  return bytes;
}

std::vector<std::vector<Graph::NodeId>> Graph::FindCycles(std::size_t max_cycles) const {
  // Tarjan's strongly connected components with an explicit stack, so a million-service ring
  // cannot overflow the call stack.
  constexpr std::uint32_t kUnvisited = std::numeric_limits<std::uint32_t>::max();
  const std::size_t n = size();
  std::vector<std::uint32_t> index(n, kUnvisited), low(n, 0), component(n, kUnvisited);
  std::vector<bool> on_stack(n, false);
  std::vector<NodeId> stack;
  std::vector<std::pair<NodeId, std::uint32_t>> calls;  // node, next dependency position
  std::vector<NodeId> cyclic_starts;                    // smallest id of each cyclic component
  std::uint32_t next_index = 0, next_component = 0;
  for (NodeId root = 0; root < n; ++root) {
    if (index[root] != kUnvisited) continue;
    index[root] = low[root] = next_index++;
    stack.push_back(root);
    on_stack[root] = true;
    calls.emplace_back(root, 0);
    while (!calls.empty()) {
      NodeId v = calls.back().first;
      std::uint32_t pos = calls.back().second;
      auto deps = dependencies(v);
      if (pos < deps.size()) {
        calls.back().second = pos + 1;
        NodeId w = deps[pos];
        if (index[w] == kUnvisited) {
          index[w] = low[w] = next_index++;
          stack.push_back(w);
          on_stack[w] = true;
          calls.emplace_back(w, 0);
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      calls.pop_back();
      if (!calls.empty()) low[calls.back().first] = std::min(low[calls.back().first], low[v]);
      if (low[v] != index[v]) continue;
      NodeId smallest = v;
      std::size_t members = 0;
      NodeId w;
      do {
        w = stack.back();
        stack.pop_back();
        on_stack[w] = false;
        component[w] = next_component;
        smallest = std::min(smallest, w);
        ++members;
      } while (w != v);
      if (members > 1) cyclic_starts.push_back(smallest);
      ++next_component;
    }
  }
  std::sort(cyclic_starts.begin(), cyclic_starts.end());
  if (cyclic_starts.size() > max_cycles) cyclic_starts.resize(max_cycles);

  // For each reported component, the shortest walk from its smallest member back to itself.
  std::vector<std::vector<NodeId>> cycles;
  for (NodeId start : cyclic_starts) {
    absl::flat_hash_map<NodeId, NodeId> parent;
    std::vector<NodeId> frontier{start};
    parent.emplace(start, start);
    NodeId last = start;
    bool closed = false;
    for (std::size_t head = 0; head < frontier.size() && !closed; ++head) {
      NodeId u = frontier[head];
      for (NodeId w : dependencies(u)) {
        if (component[w] != component[start]) continue;
        if (w == start) {
          last = u;
          closed = true;
          break;
        }
        if (parent.emplace(w, u).second) frontier.push_back(w);
      }
    }
    std::vector<NodeId> path;
    for (NodeId u = last; u != start; u = parent[u]) path.push_back(u);
    path.push_back(start);
    std::reverse(path.begin(), path.end());
    path.push_back(start);
    cycles.push_back(std::move(path));
  }
  return cycles;
}

}  // namespace awoooi::topology
