// The simulated cluster: the embedded default ACTION plugin (`type: simulated`), so the whole loop
// runs on a laptop with no cluster (PRODUCT F7).
//
// It holds a Kubernetes-shaped inventory (cluster/cluster.h), loaded from YAML (the demo cluster by
// default) and persisted in the store after every change, and carries out typed actions on it the
// way Kubernetes would: a restarted deployment pod is replaced by one with a new name, a
// statefulset pod comes back under its own name with its restart count increased, scaling adds
// or removes pods, an eviction that would break a PodDisruptionBudget is refused, a rollout restart
// of a paused deployment is skipped, a deleted PVC is gone. Every object has a resource version;
// the dry-run's state fingerprint is built from the versions of the objects it looked at.
//
// Settings: name (default "cluster"), file (a cluster YAML; default the embedded demo cluster),
// state_key (where the store keeps it; default "cluster/<name>"), deny (comma-separated
// kind:verb pairs the executor's identity may not do, e.g. "pvc:delete", for RBAC checks).
//
// Thread-safety: every method may be called from any thread (one mutex over the inventory).
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "awoooi/action/executor.h"
#include "awoooi/core/plugin.h"
#include "awoooi/store/store.h"

namespace awoooi::plugins::actions {

// The registry's factory. `store` may be null (state then lives in memory only).
absl::StatusOr<std::unique_ptr<action::Executor>> MakeSimulatedCluster(const PluginSettings& settings,
                                                                       store::Store* store);

// The embedded demo cluster (examples/demo-cluster.yaml).
std::string_view DemoClusterYaml();

}  // namespace awoooi::plugins::actions
