// The inventory of a Kubernetes-shaped cluster as plain values: what the simulated cluster keeps,
// what `awoooi cluster show` prints and what FinOps reads (requests, usage history, PVC mounts).
//
// Every object carries a resource version (a number that changes whenever the object changes),
// so a dry-run can fingerprint exactly the state it looked at.
//
// Thread-safety: values; copy freely.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace awoooi::cluster {

struct Node {
  std::string name;
  double cpu = 0;         // allocatable cores
  double memory_gib = 0;  // allocatable memory
  bool unschedulable = false;
  int64_t resource_version = 0;
};

enum class WorkloadKind { kDeployment, kStatefulSet };

struct Workload {
  WorkloadKind kind = WorkloadKind::kDeployment;
  std::string ns, name;
  std::string service;  // the topology service it implements (app label)
  int64_t replicas = 1;
  bool paused = false;
  double cpu = 0;         // request per pod, cores
  double memory_gib = 0;  // request per pod
  double volume_gib = 0;  // statefulsets: one PVC of this size per pod
  std::string node;       // pinned to a node ("" = spread)
  // Daily usage as a fraction of the request (oldest first), for FinOps.
  std::vector<double> cpu_usage, memory_usage;
  int64_t resource_version = 0;
};

struct Pod {
  std::string ns, name;
  WorkloadKind owner_kind = WorkloadKind::kDeployment;
  std::string owner;  // workload name
  std::string service;
  std::string node;
  std::string phase = "Running";
  int64_t restarts = 0;
  double cpu = 0, memory_gib = 0;
  std::vector<std::string> pvcs;  // claims it mounts
  absl::Time created = absl::InfinitePast();
  int64_t resource_version = 0;
};

struct Pvc {
  std::string ns, name;
  std::string service;
  double size_gib = 0;
  std::string storage_class = "standard";
  int64_t resource_version = 0;
};

struct Pdb {
  std::string ns, name;
  std::string service;           // selects the pods of this service
  int64_t min_available = -1;    // -1: not set
  int64_t max_unavailable = -1;  // -1: not set
  int64_t resource_version = 0;
};

struct Inventory {
  std::vector<std::string> namespaces;
  std::vector<Node> nodes;
  std::vector<Workload> workloads;
  std::vector<Pod> pods;
  std::vector<Pvc> pvcs;
  std::vector<Pdb> pdbs;
  int64_t last_resource_version = 0;
};

// Parses the cluster YAML format (docs/cluster.md; examples/demo-cluster.yaml): namespaces, nodes,
// workloads (pods are created from them), pvcs, pdbs. InvalidArgument naming the entry.
absl::StatusOr<Inventory> ParseInventoryYaml(std::string_view yaml);
// The inventory as JSON and back (what the simulated cluster persists).
std::string InventoryToJson(const Inventory& inventory);
absl::StatusOr<Inventory> InventoryFromJson(std::string_view json);
std::string_view ToString(WorkloadKind kind);  // "deployment" | "statefulset"

}  // namespace awoooi::cluster

namespace awoooi::cluster {

// What an executor that owns a cluster model offers beyond actions: its inventory (for
// `awoooi cluster show`, the admin API and FinOps) and changes made "by someone else" (an admin
// in a demo or a test), which move resource versions exactly as a real cluster's would.
// Thread-safety: all methods may be called from any thread.
class Control {
 public:
  virtual ~Control() = default;
  virtual Inventory Snapshot() const = 0;
  // Deletes a pod; its workload recreates it (new name for a deployment). NotFound.
  virtual absl::Status RestartPod(std::string_view ns, std::string_view name) = 0;
  // Sets a workload's replica count. NotFound, InvalidArgument.
  virtual absl::Status Scale(std::string_view ns, std::string_view workload, int64_t replicas) = 0;
};

}  // namespace awoooi::cluster
