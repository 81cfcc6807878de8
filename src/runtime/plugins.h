// The plugin registry: one factory per plugin `type:` name, for each of the five kinds (ARCHITECTURE
// "One binary, five kinds of plugin"). Filled once at start-up by RegisterBuiltinPlugins() — an
// explicit call, because a linker drops unreferenced static registrars — and then only read. The
// server and the CLI build every plugin through it; the core never names a concrete plugin.
//
// Thread-safety: fill on one thread before use; afterwards Create may be called from any thread.
#pragma once

#include <memory>

#include "awoooi/action/executor.h"
#include "awoooi/brain/factory.h"
#include "awoooi/core/plugin.h"
#include "awoooi/ingest/alert_source.h"
#include "awoooi/notify/notifier.h"
#include "awoooi/store/store.h"

namespace awoooi::runtime {

// What an executor may need from the platform beyond its settings.
struct ExecutorDeps {
  store::Store* store = nullptr;  // the simulated cluster persists its state here
  // What actions may name (command templates, MCP servers), as the approval engine validates them.
  // Valid only during the factory call: an executor that needs it keeps a copy. Null: nothing.
  const action::Catalog* catalog = nullptr;
};

struct PluginRegistry {
  Registry<ingest::AlertSource> inputs;
  brain::ReasonerRegistry brains;
  Registry<store::Store, std::unique_ptr<store::AlertRedactor>> stores;
  Registry<action::Executor, ExecutorDeps> actions;
  Registry<notify::Notifier> outputs;
};

// Registers every plugin compiled into the binary.
void RegisterBuiltinPlugins(PluginRegistry& registry);

// The registry with the built-in plugins, built once per process.
const PluginRegistry& BuiltinPlugins();

}  // namespace awoooi::runtime
