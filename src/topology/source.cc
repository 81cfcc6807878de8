#include "awoooi/topology/source.h"

#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "awoooi/topology/graph.h"
#include "topology/absl_view.h"

namespace awoooi::topology {

TopologySpec MergeSpecs(std::span<const TopologySpec> specs) {
  TopologySpec merged;
  absl::flat_hash_map<std::string, std::size_t> index;  // name -> position in merged
  std::vector<absl::flat_hash_set<std::string>> deps;   // per merged service, for the union
  for (const TopologySpec& spec : specs) {
    for (const ServiceSpec& s : spec.services) {
      auto [it, inserted] = index.emplace(s.name, merged.services.size());
      if (inserted) {
        merged.services.push_back(s);
        deps.emplace_back(s.depends_on.begin(), s.depends_on.end());
        continue;
      }
      ServiceSpec& target = merged.services[it->second];
      for (std::size_t j = 0; j < s.depends_on.size(); ++j) {
        if (!deps[it->second].insert(s.depends_on[j]).second) continue;
        target.depends_on.push_back(s.depends_on[j]);
        if (!target.depends_on_positions.empty()) {
          target.depends_on_positions.push_back(j < s.depends_on_positions.size() ? s.depends_on_positions[j]
                                                                                  : s.position);
        }
      }
    }
  }
  return merged;
}

absl::Status RefreshTopology(Topology& topology, std::span<TopologySource* const> sources,
                             std::vector<Diagnostic>* diagnostics) {
  std::vector<TopologySpec> specs;
  specs.reserve(sources.size());
  for (TopologySource* source : sources) {
    absl::StatusOr<TopologySpec> spec = source->Fetch();
    if (!spec.ok()) {
      return absl::Status(spec.status().code(), absl::StrCat("topology source ", AbslView(source->name()),
                                                             ": ", spec.status().message()));
    }
    specs.push_back(*std::move(spec));
  }
  absl::StatusOr<std::shared_ptr<const Graph>> graph = Graph::Build(MergeSpecs(specs), diagnostics);
  if (!graph.ok()) return graph.status();
  topology.Replace(*std::move(graph));
  return absl::OkStatus();
}

}  // namespace awoooi::topology
