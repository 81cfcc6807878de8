#include "runtime/plugins.h"

#include "plugins/actions/cluster/simulated_cluster.h"
#include "plugins/actions/command/command_executor.h"
#include "plugins/actions/kubernetes/kubernetes_executor.h"
#include "plugins/actions/mcp/mcp_executor.h"
#include "plugins/inputs/webhook/webhook_source.h"
#include "plugins/outputs/notifiers.h"
#include "plugins/stores/sqlite/sqlite_store.h"

namespace awoooi::runtime {

void RegisterBuiltinPlugins(PluginRegistry& registry) {
  // INPUT
  registry.inputs.Register("alertmanager", plugins::inputs::MakeAlertmanagerSource);
  registry.inputs.Register("generic", plugins::inputs::MakeGenericSource);
  // BRAIN
  brain::RegisterBuiltinBrains(registry.brains);
  // DATA
  registry.stores.Register("sqlite", store::MakeSqliteStore);
  // ACTION
  registry.actions.Register("simulated", [](const PluginSettings& s, ExecutorDeps deps) {
    return plugins::actions::MakeSimulatedCluster(s, deps.store);
  });
  registry.actions.Register(
      "kubernetes", [](const PluginSettings& s, ExecutorDeps) { return action::MakeKubernetesExecutor(s); });
  registry.actions.Register("mcp",
                            [](const PluginSettings& s, ExecutorDeps) { return mcp::MakeMcpExecutor(s); });
  registry.actions.Register("command", [](const PluginSettings& s, ExecutorDeps deps) {
    return plugins::actions::MakeCommandExecutor(s, deps.catalog);
  });
  // OUTPUT
  plugins::outputs::RegisterBuiltinNotifiers(registry.outputs);
}

const PluginRegistry& BuiltinPlugins() {
  static const PluginRegistry* registry = [] {
    auto* r = new PluginRegistry;
    RegisterBuiltinPlugins(*r);
    return r;
  }();
  return *registry;
}

}  // namespace awoooi::runtime
