// Topology engine benchmarks on generated service meshes (bench/topology/mesh.h; docs/benchmarks.md,
// "Topology engine", has the figures and the command).
//
// Per-query latency: besides Google Benchmark's mean, the query benchmarks time every call and
// report p50/p99 (microseconds) as counters, over queries that cycle through 4096 services
// picked at random.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "awoooi/topology/graph.h"
#include "awoooi/topology/loader.h"
#include "awoooi/topology/topology.h"
#include "mesh.h"

namespace awoooi::topology {
namespace {

using bench::GenerateMesh;
using bench::ToYaml;

// Graphs and topologies are built once per size and shared by the benchmarks.
struct Mesh {
  TopologySpec spec;
  std::shared_ptr<const Graph> graph;
  std::unique_ptr<Topology> topology;
  std::vector<std::string> sample;  // services the query benchmarks cycle through
  // Services whose depth-3 neighbourhood (upstream / downstream) holds at most 50 services: the
  // "small neighbourhood" case of the latency target.
  std::vector<std::string> small_upstream, small_downstream;
};

// Services within 3 hops of `start`, following dependencies (downstream) or dependents.
std::size_t Neighbourhood(const Graph& g, Graph::NodeId start, bool downstream) {
  std::vector<Graph::NodeId> frontier{start}, next;
  std::vector<Graph::NodeId> seen{start};
  for (int hop = 0; hop < 3; ++hop) {
    next.clear();
    for (Graph::NodeId u : frontier) {
      for (Graph::NodeId w : downstream ? g.dependencies(u) : g.dependents(u)) {
        if (std::find(seen.begin(), seen.end(), w) != seen.end()) continue;
        seen.push_back(w);
        next.push_back(w);
        if (seen.size() > 51) return seen.size() - 1;
      }
    }
    frontier.swap(next);
  }
  return seen.size() - 1;
}

Mesh& GetMesh(int n) {
  static std::map<int, std::unique_ptr<Mesh>> meshes;
  auto& m = meshes[n];
  if (m) return *m;
  m = std::make_unique<Mesh>();
  m->spec = GenerateMesh(n);
  m->graph = *Graph::Build(m->spec);
  m->topology = std::make_unique<Topology>(m->graph);
  std::mt19937_64 rng(7);
  // 1% of the services unhealthy, stores included, so root cause has candidates to rank.
  for (int i = 0; i < n / 100; ++i) {
    (void)m->topology->SetHealth(m->spec.services[rng() % n].name, static_cast<Severity>(1 + rng() % 4));
  }
  for (int i = 0; i < 4096; ++i) m->sample.push_back(m->spec.services[rng() % n].name);
  for (int i = 0; i < n && (m->small_upstream.size() < 4096 || m->small_downstream.size() < 4096); ++i) {
    const auto id = static_cast<Graph::NodeId>(rng() % n);
    if (m->small_upstream.size() < 4096 && Neighbourhood(*m->graph, id, false) <= 50) {
      m->small_upstream.push_back(m->spec.services[id].name);
    }
    if (m->small_downstream.size() < 4096 && Neighbourhood(*m->graph, id, true) <= 50) {
      m->small_downstream.push_back(m->spec.services[id].name);
    }
  }
  return *m;
}

void ReportPercentiles(benchmark::State& state, std::vector<double>& micros) {
  if (micros.empty()) return;
  std::sort(micros.begin(), micros.end());
  state.counters["p50_us"] = micros[micros.size() / 2];
  state.counters["p99_us"] = micros[std::min(micros.size() - 1, micros.size() * 99 / 100)];
}

double MaxRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

void BM_BuildGraph(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  TopologySpec spec = GenerateMesh(n);
  std::size_t bytes = 0, edges = 0;
  for (auto _ : state) {
    auto graph = Graph::Build(spec);
    bytes = (*graph)->MemoryBytes();
    edges = (*graph)->edge_count();
    benchmark::DoNotOptimize(graph);
  }
  state.counters["services"] = n;
  state.counters["edges"] = static_cast<double>(edges);
  state.counters["graph_MB"] = static_cast<double>(bytes) / (1 << 20);
  state.counters["bytes_per_edge"] = static_cast<double>(bytes) / static_cast<double>(edges);
}
BENCHMARK(BM_BuildGraph)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

void BM_LoadYaml(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::string yaml = ToYaml(GenerateMesh(n));
  for (auto _ : state) {
    TopologyLoadResult r = LoadTopologyYaml(yaml);
    if (!r.ok()) state.SkipWithError("generated topology did not load");
    benchmark::DoNotOptimize(r);
  }
  state.counters["yaml_MB"] = static_cast<double>(yaml.size()) / (1 << 20);
  state.counters["max_rss_MB"] = MaxRssMb();
}
BENCHMARK(BM_LoadYaml)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(3);

// range(1) == 1: only services with a small neighbourhood.
const std::vector<std::string>& Sample(const Mesh& mesh, benchmark::State& state, bool downstream) {
  if (state.range(1) == 0) return mesh.sample;
  return downstream ? mesh.small_downstream : mesh.small_upstream;
}

void BM_BlastRadius(benchmark::State& state) {
  Mesh& mesh = GetMesh(static_cast<int>(state.range(0)));
  const std::vector<std::string>& sample = Sample(mesh, state, false);
  if (sample.empty()) return state.SkipWithError("no service with a small neighbourhood");
  std::vector<double> micros;
  std::size_t i = 0, affected = 0;
  for (auto _ : state) {
    const std::string& service = sample[i++ % sample.size()];
    auto t0 = std::chrono::steady_clock::now();
    auto r = mesh.topology->BlastRadius(service, 3);
    auto t1 = std::chrono::steady_clock::now();
    affected += r->affected.size();
    benchmark::DoNotOptimize(r);
    micros.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  ReportPercentiles(state, micros);
  state.counters["mean_affected"] = static_cast<double>(affected) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_BlastRadius)
    ->ArgNames({"services", "small"})
    ->Args({10'000, 0})
    ->Args({100'000, 0})
    ->Args({100'000, 1})
    ->Unit(benchmark::kMicrosecond);

void BM_RootCause(benchmark::State& state) {
  Mesh& mesh = GetMesh(static_cast<int>(state.range(0)));
  const std::vector<std::string>& sample = Sample(mesh, state, true);
  if (sample.empty()) return state.SkipWithError("no service with a small neighbourhood");
  const int depth = static_cast<int>(state.range(2));
  std::vector<double> micros;
  std::size_t i = 0, candidates = 0;
  for (auto _ : state) {
    const std::string& service = sample[i++ % sample.size()];
    auto t0 = std::chrono::steady_clock::now();
    auto r = mesh.topology->RootCause(service, depth);
    auto t1 = std::chrono::steady_clock::now();
    candidates += r->root_causes.size();
    benchmark::DoNotOptimize(r);
    micros.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  ReportPercentiles(state, micros);
  state.counters["mean_candidates"] =
      static_cast<double>(candidates) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_RootCause)
    ->ArgNames({"services", "small", "depth"})
    ->Args({10'000, 0, 3})
    ->Args({100'000, 0, 3})
    ->Args({100'000, 1, 3})
    ->Args({100'000, 0, 1})
    ->Unit(benchmark::kMicrosecond);

void BM_SetHealth(benchmark::State& state) {
  Mesh& mesh = GetMesh(static_cast<int>(state.range(0)));
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string& service = mesh.sample[i++ % mesh.sample.size()];
    benchmark::DoNotOptimize(
        mesh.topology->SetHealth(service, (i & 1) ? Severity::kError : Severity::kWarning));
  }
}
BENCHMARK(BM_SetHealth)->Arg(10'000)->Arg(100'000);

void BM_LearnEdgeKnown(benchmark::State& state) {
  // An alert repeating an edge the topology already knows: the common case at run time.
  Mesh& mesh = GetMesh(static_cast<int>(state.range(0)));
  const ServiceSpec& s = mesh.spec.services.back();
  const std::string to = s.depends_on.empty() ? mesh.spec.services.front().name : s.depends_on.front();
  for (auto _ : state) benchmark::DoNotOptimize(mesh.topology->LearnEdge(s.name, to));
}
BENCHMARK(BM_LearnEdgeKnown)->Arg(100'000);

}  // namespace
}  // namespace awoooi::topology

BENCHMARK_MAIN();
