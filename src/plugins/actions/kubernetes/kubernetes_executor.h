// The Kubernetes API executor (PRODUCT F7): restart_pod, rollout_restart, scale, cordon_node and
// delete_pvc against a real API server over HTTPS, with a server-side dry run. docs/kubernetes.md
// has the user's view: settings, the API calls each action makes, the checks, the RBAC it needs.
//
// Contract beyond action::Executor:
// - DryRun reads what the action touches, asks SelfSubjectAccessReview for the exact verb and
//   subresource, checks PodDisruptionBudgets, measures the blast radius, and sends the mutating
//   request itself with ?dryRun=All. What it saw — the object acted on, its uid and
//   resourceVersion, the pod it chose — is kept in memory (never logged or stored) for the
//   Execute of the same action with the same real values, at most 15 minutes.
// - Execute acts on exactly what the last dry-run saw: the eviction carries the pod's uid as a
//   precondition, scale PUTs the Scale with the dry-run's resourceVersion, rollout_restart's patch
//   carries it too, delete_pvc deletes with uid + resourceVersion preconditions. A change in between
//   fails with "the object changed since the dry-run" (409). Execute without a prior dry-run is
//   refused (FailedPrecondition); each dry-run allows one Execute.
// - A `service` target resolves, in its namespace, to the Deployment of that name, else the
//   StatefulSet of that name, else the one Deployment or StatefulSet labelled app=<name> (several
//   → the dry-run fails, naming them). restart_pod on a service picks its oldest Running pod (by
//   creationTimestamp, then name) and names it in the dry-run.
//
// Thread-safety: DryRun and Execute may run on many threads at once.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "awoooi/action/executor.h"
#include "awoooi/core/plugin.h"

namespace awoooi::action {

// Settings (all optional): type, name (default "kubernetes"), kubeconfig, context, in_cluster,
// timeout (per request, default 15s), eviction_backoff (default 1s), restart_pod_fallback
// (evict | delete, default evict), max_duration (default 5m, when the caller sets no deadline).
// InvalidArgument naming the key for a bad value; the kubeconfig is read here, so a missing or
// malformed one stops start-up.
absl::StatusOr<std::unique_ptr<Executor>> MakeKubernetesExecutor(const PluginSettings& settings);

// Every key MakeKubernetesExecutor accepts (for PluginSettings::RejectUnknown and docs).
const std::vector<std::string_view>& KubernetesSettingKeys();

}  // namespace awoooi::action
