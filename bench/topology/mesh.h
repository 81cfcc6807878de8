// Generated service meshes for the topology benchmarks (docs/benchmarks.md, "Topology engine").
//
// `n` services and about 10 * n "depends on" edges. Fan-in follows a power law, as in real meshes:
// a few shared stores and platform services are called by thousands, most services by a handful.
// Service i picks its dependencies with a Zipf-like bias towards small indices; the first 1% of
// indices are databases, caches and queues. Everything is seeded, so every run measures the same
// graphs.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "awoooi/topology/spec.h"

namespace awoooi::topology::bench {

inline constexpr int kMeanDependencies = 10;

inline TopologySpec GenerateMesh(int n, std::uint64_t seed = 42) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  TopologySpec spec;
  spec.services.resize(n);
  const int stores = std::max(3, n / 100);
  for (int i = 0; i < n; ++i) {
    ServiceSpec& s = spec.services[i];
    s.name = absl::StrCat("svc-", i);
    s.kind = i < stores ? (i % 3 == 0   ? ServiceKind::kDatabase
                           : i % 3 == 1 ? ServiceKind::kCache
                                        : ServiceKind::kQueue)
                        : ServiceKind::kService;
    if (i < stores) continue;  // stores depend on nothing
    // Out-degree 1..2*mean-1 (mean about kMeanDependencies); targets biased to small indices:
    // P(target < k) grows like (k/n)^(1/3), which gives the power-law fan-in.
    int degree = 1 + static_cast<int>(uniform(rng) * (2 * kMeanDependencies - 1));
    for (int d = 0; d < degree; ++d) {
      int target = static_cast<int>(std::pow(uniform(rng), 3.0) * n);
      if (target == i) continue;
      s.depends_on.push_back(absl::StrCat("svc-", target));
    }
    std::sort(s.depends_on.begin(), s.depends_on.end());
    s.depends_on.erase(std::unique(s.depends_on.begin(), s.depends_on.end()), s.depends_on.end());
  }
  return spec;
}

// The spec as a topology file in the documented format (block style, flow-style dependency lists).
inline std::string ToYaml(const TopologySpec& spec) {
  std::string out = "services:\n";
  for (const ServiceSpec& s : spec.services) {
    absl::StrAppend(&out, "  - name: ", s.name, "\n    kind: ", std::string(ToString(s.kind)), "\n");
    if (s.depends_on.empty()) continue;
    out += "    depends_on: [";
    for (std::size_t i = 0; i < s.depends_on.size(); ++i)
      absl::StrAppend(&out, i ? ", " : "", s.depends_on[i]);
    out += "]\n";
  }
  return out;
}

}  // namespace awoooi::topology::bench
