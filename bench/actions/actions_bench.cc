// Actions per second on the simulated cluster (the embedded default executor), with no store: what
// the executor itself costs per action — rehydration, the dry-run's checks and fingerprint, the change
// and its redacted result — without SQLite. docs/benchmarks.md ("Actions") has the figures and the
// command.
//
// Every iteration is one whole action as the approval engine drives it: DryRun, then Execute.
// restart_pod replaces one frontend pod each time (a new name, so the inventory keeps its size);
// scale alternates the frontend between 3 and 4 replicas. With threads, each thread has its own vault
// (as each incident does) and all share one executor (one mutex over the inventory).
//
// For comparison, BM_CommandTemplate drives the command executor the same way with a template that
// runs /bin/true: the cost of a posix_spawn'd process group, a private working directory and the
// output pipe per action.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>

#include "awoooi/action/action.h"
#include "awoooi/action/executor.h"
#include "awoooi/privacy/shield.h"
#include "plugins/actions/cluster/simulated_cluster.h"
#include "plugins/actions/command/command_executor.h"

namespace awoooi::plugins::actions {
namespace {

struct World {
  std::unique_ptr<privacy::Shield> shield;
  std::unique_ptr<action::Executor> cluster;
};

World& TheWorld() {
  static World* world = [] {
    auto* w = new World;
    w->shield = std::move(*privacy::Shield::Create({}));
    auto cluster = MakeSimulatedCluster(PluginSettings("executors[0]", {{"type", "simulated"}}), nullptr);
    if (!cluster.ok()) std::abort();
    w->cluster = std::move(*cluster);
    return w;
  }();
  return *world;
}

absl::StatusOr<action::Action> Make(const privacy::Shield& shield, privacy::Vault& vault, std::string kind,
                                    std::map<std::string, std::string> params) {
  action::Draft d;
  d.kind = std::move(kind);
  d.target = shield.Redact("frontend", vault);
  for (auto& [k, v] : params) d.params[k] = shield.Redact(v, vault);
  return action::Build(d);
}

// One DryRun + Execute; false (with the reason set on `state`) when the action did not succeed.
bool RunOnce(benchmark::State& state, action::Executor& exec, const action::Action& a,
             const action::ExecutionContext& ctx) {
  auto dry = exec.DryRun(a, ctx);
  if (!dry.ok() || !dry->passed()) {
    state.SkipWithError("the dry-run did not pass");
    return false;
  }
  auto r = exec.Execute(a, ctx);
  if (!r.ok() || r->outcome != action::ExecutionOutcome::kSucceeded) {
    state.SkipWithError("the execution did not succeed");
    return false;
  }
  benchmark::DoNotOptimize(r->state_fingerprint);
  return true;
}

void Report(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations());
  state.counters["actions_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_RestartPod(benchmark::State& state) {
  World& w = TheWorld();
  privacy::Vault vault;
  auto a = Make(*w.shield, vault, "restart_pod", {{"namespace", "production"}});
  if (!a.ok()) return state.SkipWithError("restart_pod did not build");
  action::ExecutionContext ctx;
  ctx.shield = w.shield.get();
  ctx.vault = &vault;
  for (auto _ : state) {
    if (!RunOnce(state, *w.cluster, *a, ctx)) break;
  }
  Report(state);
}
BENCHMARK(BM_RestartPod)->Threads(1)->Threads(2)->UseRealTime();

void BM_Scale(benchmark::State& state) {
  World& w = TheWorld();
  privacy::Vault vault;
  auto up = Make(*w.shield, vault, "scale", {{"namespace", "production"}, {"replicas", "4"}});
  auto down = Make(*w.shield, vault, "scale", {{"namespace", "production"}, {"replicas", "3"}});
  if (!up.ok() || !down.ok()) return state.SkipWithError("scale did not build");
  action::ExecutionContext ctx;
  ctx.shield = w.shield.get();
  ctx.vault = &vault;
  bool grow = true;
  for (auto _ : state) {
    if (!RunOnce(state, *w.cluster, grow ? *up : *down, ctx)) break;
    grow = !grow;
  }
  Report(state);
}
BENCHMARK(BM_Scale)->Threads(1)->Threads(2)->UseRealTime();

void BM_CommandTemplate(benchmark::State& state) {
  World& w = TheWorld();
  action::Catalog catalog;
  catalog.templates.push_back(
      {"noop", {"/bin/true", "{{host}}"}, {{"host", action::ParamType::kName, true, 0, 0, {}}}, ""});
  auto exec = MakeCommandExecutor(PluginSettings("executors[1]", {{"type", "command"}}), &catalog);
  if (!exec.ok()) return state.SkipWithError("the command executor was not created");
  privacy::Vault vault;
  action::Draft d;
  d.kind = "run_template";
  d.params["template"] = w.shield->Redact("noop", vault);
  d.params["host"] = w.shield->Redact("10.0.0.5", vault);
  auto a = action::Build(d, catalog);
  if (!a.ok()) return state.SkipWithError("run_template did not build");
  action::ExecutionContext ctx;
  ctx.shield = w.shield.get();
  ctx.vault = &vault;
  for (auto _ : state) {
    if (!RunOnce(state, **exec, *a, ctx)) break;
  }
  Report(state);
}
BENCHMARK(BM_CommandTemplate)->UseRealTime();

}  // namespace
}  // namespace awoooi::plugins::actions

BENCHMARK_MAIN();
