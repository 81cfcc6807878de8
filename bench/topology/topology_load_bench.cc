// How long a topology file takes to load, and how much memory the load needs at its peak: the
// figures behind "a 100,000-service, 1,000,000-edge topology loads like a config file" (issue 21;
// docs/benchmarks.md, "Topology engine").
//
//   bench_topology_load [--services N] [--runs R] [--file PATH] [--keep PATH]
//
// Writes the generated mesh of N services (bench/topology/mesh.h; default 100,000, about ten
// dependencies each) to a temporary file, or takes PATH, then measures each run in a fresh child
// process (this binary re-executed), so that the peak RSS is the load's own and not the
// generator's: the child reads the file, calls the loader and reports wall time, CPU time and
// getrusage's ru_maxrss. Two phases are measured: `parse` (ParseTopologyYaml: text to spec) and
// `load` (LoadTopologyYaml: parse + graph build + cycle report, what the server runs).
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "awoooi/topology/loader.h"
#include "mesh.h"

extern char** environ;

namespace awoooi::topology {
namespace {

double CpuMs() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

// Child: one measured load. Prints "wall_ms cpu_ms max_rss_kb services edges".
int Child(const std::string& phase, const std::string& path) {
  const double cpu0 = CpuMs();
  const auto t0 = std::chrono::steady_clock::now();
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::size_t services = 0, edges = 0;
  if (phase == "parse") {
    absl::StatusOr<TopologySpec> spec = ParseTopologyYaml(text);
    if (!spec.ok()) {
      std::cerr << spec.status() << "\n";
      return 1;
    }
    services = spec->services.size();
    for (const ServiceSpec& s : spec->services) edges += s.depends_on.size();
  } else {
    TopologyLoadResult r = LoadTopologyYaml(text);
    if (!r.ok()) {
      std::cerr << "load failed: " << (r.diagnostics.empty() ? "" : r.diagnostics[0].message) << "\n";
      return 1;
    }
    services = r.graph->size();
    edges = r.graph->edge_count();
  }
  const double wall =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = CpuMs() - cpu0;
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  std::printf("%.1f %.1f %ld %zu %zu\n", wall, cpu, u.ru_maxrss, services, edges);
  return 0;
}

struct Run {
  double wall_ms = 0, cpu_ms = 0;
  long rss_kb = 0;
  std::size_t services = 0, edges = 0;
};

bool Spawn(const std::string& phase, const std::string& path, Run* run) {
  int fds[2];
  if (pipe(fds) != 0) return false;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::string self = "/proc/self/exe";
  std::vector<std::string> args = {"bench_topology_load", "--child", phase, path};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawn(&pid, self.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return false;
  }
  std::string out;
  char buf[256];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return false;
  return std::sscanf(out.c_str(), "%lf %lf %ld %zu %zu", &run->wall_ms, &run->cpu_ms, &run->rss_kb,
                     &run->services, &run->edges) == 5;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int Main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--child") return Child(argv[2], argv[3]);
  int services = 100'000, runs = 5;
  std::string file, keep;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--services") {
      services = std::atoi(argv[i + 1]);
    } else if (flag == "--runs") {
      runs = std::max(1, std::atoi(argv[i + 1]));
    } else if (flag == "--file") {
      file = argv[i + 1];
    } else if (flag == "--keep") {
      keep = argv[i + 1];
    } else {
      std::cerr << "usage: bench_topology_load [--services N] [--runs R] [--file PATH] [--keep PATH]\n";
      return 2;
    }
  }
  bool generated = file.empty();
  if (generated) {
    file = keep.empty() ? "/tmp/bench_topology_load." + std::to_string(getpid()) + ".yaml" : keep;
    std::ofstream out(file, std::ios::binary);
    out << bench::ToYaml(bench::GenerateMesh(services));
    if (!out) {
      std::cerr << "cannot write " << file << "\n";
      return 1;
    }
  }
  std::ifstream probe(file, std::ios::binary | std::ios::ate);
  std::printf("file %s: %.1f MB\n", file.c_str(), static_cast<double>(probe.tellg()) / (1 << 20));
  std::printf("%-6s %6s %8s %8s %8s %8s %10s %9s\n", "phase", "runs", "wall_p50", "wall_min", "wall_max",
              "cpu_p50", "max_rss", "services");
  int failed = 0;
  for (const char* phase : {"parse", "load"}) {
    std::vector<double> wall, cpu;
    long rss = 0;
    Run r;
    for (int i = 0; i < runs; ++i) {
      if (!Spawn(phase, file, &r)) {
        std::cerr << phase << ": child failed\n";
        ++failed;
        break;
      }
      wall.push_back(r.wall_ms);
      cpu.push_back(r.cpu_ms);
      rss = std::max(rss, r.rss_kb);
    }
    if (wall.empty()) continue;
    std::printf("%-6s %6zu %6.0fms %6.0fms %6.0fms %6.0fms %7.0f MB %9zu (%zu edges)\n", phase, wall.size(),
                Median(wall), *std::min_element(wall.begin(), wall.end()),
                *std::max_element(wall.begin(), wall.end()), Median(cpu), rss / 1024.0, r.services, r.edges);
  }
  if (generated && keep.empty()) std::remove(file.c_str());
  return failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace awoooi::topology

int main(int argc, char** argv) { return awoooi::topology::Main(argc, argv); }
