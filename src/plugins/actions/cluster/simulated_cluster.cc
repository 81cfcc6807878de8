#include "plugins/actions/cluster/simulated_cluster.h"

#include <algorithm>
#include <fstream>
#include <set>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "awoooi/cluster/cluster.h"
#include "awoooi/core/digest.h"
#include "awoooi/privacy/shield.h"

namespace awoooi::plugins::actions {
namespace {

using action::Kind;
using action::TargetKind;
using cluster::Inventory;
using cluster::Pod;
using cluster::Workload;
using cluster::WorkloadKind;

struct EmbeddedFile {
  const char* name;
  const char* text;
};
constexpr EmbeddedFile kClusterFiles[] = {
#include "awoooi/cluster_files.inc"
};

std::string KindName(WorkloadKind k) { return std::string(cluster::ToString(k)); }

std::string Suffix(const std::string& seed, std::size_t n) {
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string h = Sha256(seed), out;
  for (std::size_t i = 0; i < n; ++i) out += kAlphabet[static_cast<unsigned char>(h[i]) % kAlphabet.size()];
  return out;
}

// What one action would do: the checks, the objects looked at, and how to apply it.
struct Plan {
  std::vector<std::pair<std::string, std::pair<bool, std::string>>> checks;  // name -> (passed, detail)
  std::set<std::string> seen;  // "kind/ns/name" of every object looked at
  std::string summary;
  int64_t pods_affected = 0;
  bool data_loss = false;
  bool ok() const {
    return std::all_of(checks.begin(), checks.end(), [](const auto& c) { return c.second.first; });
  }
  void Check(std::string name, bool passed, std::string detail) {
    checks.emplace_back(std::move(name), std::make_pair(passed, std::move(detail)));
  }
};

class SimulatedCluster final : public action::Executor, public cluster::Control {
 public:
  SimulatedCluster(std::string name, Inventory inventory, store::Store* store, std::string key,
                   std::set<std::string> deny)
      : name_(std::move(name)),
        store_(store),
        key_(std::move(key)),
        deny_(std::move(deny)),
        inv_(std::move(inventory)) {}

  std::string name() const override { return name_; }

  bool Supports(const action::Action& a) const override {
    switch (a.kind()) {
      case Kind::kRestartPod:
      case Kind::kRolloutRestart:
      case Kind::kScale:
      case Kind::kCordonNode:
      case Kind::kDeletePvc:
        return true;
      default:
        return false;
    }
  }

  absl::StatusOr<action::DryRunReport> DryRun(const action::Action& a,
                                              const action::ExecutionContext& ctx) override {
    if (ctx.expired()) return absl::DeadlineExceededError("the dry-run's deadline passed before it started");
    auto real = action::Rehydrate(a, *ctx.shield, *ctx.vault);
    if (!real.ok()) return real.status();
    absl::MutexLock lock(&mu_);
    Plan plan = PlanLocked(*real);
    return Report(plan, ctx, real->secrets());
  }

  absl::StatusOr<action::ExecutionResult> Execute(const action::Action& a,
                                                  const action::ExecutionContext& ctx) override {
    action::ExecutionResult result;
    result.started_at = absl::Now();
    if (ctx.expired())
      return absl::DeadlineExceededError("the execution's deadline passed before it started");
    auto real = action::Rehydrate(a, *ctx.shield, *ctx.vault);
    if (!real.ok()) return real.status();
    std::string output;
    {
      absl::MutexLock lock(&mu_);
      Plan plan = PlanLocked(*real);
      if (!plan.ok()) {
        std::vector<std::string> failed;
        for (const auto& [name, c] : plan.checks) {
          if (!c.first) failed.push_back(name + ": " + c.second);
        }
        output = "refused: " + absl::StrJoin(failed, "; ");
        result.outcome = action::ExecutionOutcome::kFailed;
      } else {
        output = ApplyLocked(*real);
        result.outcome = action::ExecutionOutcome::kSucceeded;
        if (absl::Status s = SaveLocked(); !s.ok()) {
          output += " (the new state was not persisted: " + std::string(s.message()) + ")";
        }
      }
      result.state_fingerprint = FingerprintLocked(plan.seen);
    }
    result.finished_at = absl::Now();
    result.output = Redact(output, ctx, real->secrets());
    result.detail = result.output;
    return result;
  }

  cluster::Control* control() override { return this; }

  Inventory Snapshot() const override {
    absl::MutexLock lock(&mu_);
    return inv_;
  }

  absl::Status RestartPod(std::string_view ns, std::string_view name) override {
    absl::MutexLock lock(&mu_);
    Pod* pod = FindPod(ns, name);
    if (pod == nullptr)
      return absl::NotFoundError(absl::StrCat("pod ", std::string(ns), "/", std::string(name), " not found"));
    ReplacePodLocked(*pod);
    return SaveLocked();
  }

  absl::Status Scale(std::string_view ns, std::string_view workload, int64_t replicas) override {
    if (replicas < 0 || replicas > 1000)
      return absl::InvalidArgumentError("replicas: must be between 0 and 1000");
    absl::MutexLock lock(&mu_);
    Workload* w = FindWorkload(ns, workload, std::nullopt);
    if (w == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("workload ", std::string(ns), "/", std::string(workload), " not found"));
    }
    ScaleLocked(*w, replicas);
    return SaveLocked();
  }

  absl::Status Load() {
    if (store_ == nullptr) return absl::OkStatus();
    auto saved = store_->GetPluginState(key_);
    if (absl::IsNotFound(saved.status()))
      return store_->PutPluginState(key_, cluster::InventoryToJson(Snapshot()));
    if (!saved.ok()) return saved.status();
    auto inv = cluster::InventoryFromJson(*saved);
    if (!inv.ok()) return inv.status();
    absl::MutexLock lock(&mu_);
    inv_ = std::move(*inv);
    return absl::OkStatus();
  }

 private:
  int64_t NextVersion() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return ++inv_.last_resource_version; }

  Pod* FindPod(std::string_view ns, std::string_view name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (auto& p : inv_.pods) {
      if (p.ns == ns && p.name == name) return &p;
    }
    return nullptr;
  }

  Workload* FindWorkload(std::string_view ns, std::string_view name, std::optional<WorkloadKind> kind)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (auto& w : inv_.workloads) {
      if (w.ns == ns && w.name == name && (!kind || w.kind == *kind)) return &w;
    }
    return nullptr;
  }

  Workload* WorkloadOfService(std::string_view ns, std::string_view service)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (auto& w : inv_.workloads) {
      if (w.ns == ns && w.service == service) return &w;
    }
    return nullptr;
  }

  std::vector<Pod*> PodsOf(const Workload& w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::vector<Pod*> out;
    for (auto& p : inv_.pods) {
      if (p.ns == w.ns && p.owner == w.name && p.owner_kind == w.kind) out.push_back(&p);
    }
    std::sort(out.begin(), out.end(), [](const Pod* a, const Pod* b) { return a->name < b->name; });
    return out;
  }

  // The workload an action's target names (service, deployment or statefulset), or null.
  Workload* TargetWorkload(const action::RealAction& a) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    switch (a.target_kind()) {
      case TargetKind::kService:
        return WorkloadOfService(a.ns(), a.target());
      case TargetKind::kDeployment:
        return FindWorkload(a.ns(), a.target(), WorkloadKind::kDeployment);
      case TargetKind::kStatefulSet:
        return FindWorkload(a.ns(), a.target(), WorkloadKind::kStatefulSet);
      default:
        return nullptr;
    }
  }

  // PodDisruptionBudget: may one more pod of `service` in `ns` go down now?
  void CheckPdb(Plan& plan, std::string_view ns, std::string_view service)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (const auto& pdb : inv_.pdbs) {
      if (pdb.ns != ns || pdb.service != service) continue;
      plan.seen.insert(absl::StrCat("pdb/", pdb.ns, "/", pdb.name));
      int64_t healthy = 0, expected = 0;
      for (const auto& p : inv_.pods) {
        if (p.ns == ns && p.service == service && p.phase == "Running") ++healthy;
      }
      for (const auto& w : inv_.workloads) {
        if (w.ns == ns && w.service == service) expected += w.replicas;
      }
      int64_t allowed = pdb.min_available >= 0
                            ? healthy - pdb.min_available
                            : pdb.max_unavailable - std::max<int64_t>(0, expected - healthy);
      if (allowed < 1) {
        plan.Check("pdb", false,
                   absl::StrCat(
                       "PodDisruptionBudget ", pdb.name, " allows no disruption now (", healthy, " healthy, ",
                       pdb.min_available >= 0 ? absl::StrCat("min available ", pdb.min_available)
                                              : absl::StrCat("max unavailable ", pdb.max_unavailable),
                       ")"));
      } else {
        plan.Check("pdb", true,
                   absl::StrCat("PodDisruptionBudget ", pdb.name, " allows ", allowed, " disruption(s)"));
      }
      return;
    }
    plan.Check("pdb", true, "no PodDisruptionBudget selects these pods");
  }

  bool Denied(std::string_view kind, std::string_view verb) const {
    return deny_.count(absl::StrCat(std::string(kind), ":", std::string(verb))) > 0;
  }

  void CheckRbac(Plan& plan, std::string_view resource, std::string_view verb) const {
    if (Denied(resource, verb)) {
      plan.Check("rbac", false,
                 absl::StrCat("the executor's identity may not ", std::string(verb), " ",
                              std::string(resource), " (simulated RBAC)"));
    } else {
      plan.Check("rbac", true,
                 absl::StrCat("the executor's identity may ", std::string(verb), " ", std::string(resource)));
    }
  }

  Plan PlanLocked(const action::RealAction& a) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Plan plan;
    plan.Check("parameters", true, "every parameter is valid for its type");
    bool namespaced = a.target_kind() != TargetKind::kNode;
    if (namespaced &&
        std::find(inv_.namespaces.begin(), inv_.namespaces.end(), a.ns()) == inv_.namespaces.end()) {
      plan.Check("exists", false, absl::StrCat("namespace ", a.ns(), " does not exist"));
      return plan;
    }
    switch (a.kind()) {
      case Kind::kRestartPod: {
        CheckRbac(plan, "pods/eviction", "create");
        Pod* pod = nullptr;
        if (a.target_kind() == TargetKind::kPod) {
          pod = FindPod(a.ns(), a.target());
        } else if (Workload* w = TargetWorkload(a)) {
          plan.seen.insert(absl::StrCat(KindName(w->kind), "/", w->ns, "/", w->name));
          for (Pod* p : PodsOf(*w)) {
            if (p->phase == "Running") {
              pod = p;
              break;
            }
          }
        }
        if (pod == nullptr) {
          plan.Check("exists", false, absl::StrCat("no running pod of ", a.target(), " in ", a.ns()));
          return plan;
        }
        plan.seen.insert(absl::StrCat("pod/", pod->ns, "/", pod->name));
        plan.Check("exists", true,
                   absl::StrCat("pod ", pod->name, " (", pod->phase, ", restarts ", pod->restarts, ")"));
        CheckPdb(plan, pod->ns, pod->service);
        plan.pods_affected = 1;
        plan.summary = absl::StrCat("restarts 1 pod (", pod->name, "), no data loss");
        break;
      }
      case Kind::kRolloutRestart: {
        CheckRbac(plan, "deployments", "patch");
        Workload* w = TargetWorkload(a);
        if (w == nullptr) {
          plan.Check("exists", false, absl::StrCat("no workload ", a.target(), " in ", a.ns()));
          return plan;
        }
        plan.seen.insert(absl::StrCat(KindName(w->kind), "/", w->ns, "/", w->name));
        auto pods = PodsOf(*w);
        for (Pod* p : pods) plan.seen.insert(absl::StrCat("pod/", p->ns, "/", p->name));
        plan.Check("exists", true,
                   absl::StrCat(KindName(w->kind), " ", w->name, " with ", pods.size(), " pod(s)"));
        if (w->paused) {
          plan.Check("paused", false,
                     absl::StrCat(w->name, " is paused: a rollout restart would not roll it"));
        }
        CheckPdb(plan, w->ns, w->service);
        plan.pods_affected = static_cast<int64_t>(pods.size());
        plan.summary =
            absl::StrCat("restarts ", pods.size(), " pod(s) of ", w->name, " one at a time, no data loss");
        break;
      }
      case Kind::kScale: {
        CheckRbac(plan, "deployments/scale", "update");
        Workload* w = TargetWorkload(a);
        if (w == nullptr) {
          plan.Check("exists", false, absl::StrCat("no workload ", a.target(), " in ", a.ns()));
          return plan;
        }
        plan.seen.insert(absl::StrCat(KindName(w->kind), "/", w->ns, "/", w->name));
        int64_t to = a.integer("replicas");
        plan.Check("exists", true,
                   absl::StrCat(KindName(w->kind), " ", w->name, " at ", w->replicas, " replica(s)"));
        if (to > w->replicas) {
          double cpu_free = 0, cpu_used = 0;
          for (const auto& n : inv_.nodes) cpu_free += n.unschedulable ? 0 : n.cpu;
          for (const auto& p : inv_.pods) cpu_used += p.cpu;
          double needed = (to - w->replicas) * w->cpu;
          plan.Check("capacity", cpu_used + needed <= cpu_free,
                     absl::StrCat("needs ", needed, " more cores; ", cpu_free - cpu_used,
                                  " schedulable cores free"));
        }
        plan.pods_affected = std::abs(to - w->replicas);
        plan.summary = absl::StrCat("scales ", w->name, " from ", w->replicas, " to ", to, " replica(s)",
                                    to == 0 ? " (no pod will serve it)" : "",
                                    to < w->replicas && w->kind == WorkloadKind::kStatefulSet
                                        ? "; the removed pods' volumes are kept"
                                        : "");
        break;
      }
      case Kind::kCordonNode: {
        CheckRbac(plan, "nodes", "patch");
        auto n = std::find_if(inv_.nodes.begin(), inv_.nodes.end(),
                              [&](const auto& n) { return n.name == a.target(); });
        if (n == inv_.nodes.end()) {
          plan.Check("exists", false, absl::StrCat("no node ", a.target()));
          return plan;
        }
        plan.seen.insert(absl::StrCat("node//", n->name));
        int64_t pods = std::count_if(inv_.pods.begin(), inv_.pods.end(),
                                     [&](const Pod& p) { return p.node == n->name; });
        plan.Check("exists", true,
                   absl::StrCat("node ", n->name, n->unschedulable ? " (already cordoned)" : "", " running ",
                                pods, " pod(s)"));
        plan.summary = absl::StrCat("marks ", n->name, " unschedulable; its ", pods, " pod(s) keep running");
        break;
      }
      case Kind::kDeletePvc: {
        CheckRbac(plan, "persistentvolumeclaims", "delete");
        auto c = std::find_if(inv_.pvcs.begin(), inv_.pvcs.end(),
                              [&](const auto& c) { return c.ns == a.ns() && c.name == a.target(); });
        if (c == inv_.pvcs.end()) {
          plan.Check("exists", false, absl::StrCat("no PVC ", a.target(), " in ", a.ns()));
          return plan;
        }
        plan.seen.insert(absl::StrCat("pvc/", c->ns, "/", c->name));
        plan.Check("exists", true, absl::StrCat("PVC ", c->name, " (", c->size_gib, " GiB)"));
        std::vector<std::string> users;
        for (const auto& p : inv_.pods) {
          if (p.ns == c->ns && std::find(p.pvcs.begin(), p.pvcs.end(), c->name) != p.pvcs.end()) {
            users.push_back(p.name);
            plan.seen.insert(absl::StrCat("pod/", p.ns, "/", p.name));
          }
        }
        plan.Check("not_mounted", users.empty(),
                   users.empty() ? std::string("no pod mounts it")
                                 : absl::StrCat("mounted by ", absl::StrJoin(users, ", "),
                                                ": the claim would stay Terminating until they stop"));
        plan.data_loss = true;
        plan.summary = absl::StrCat("deletes PVC ", c->name, " and its ", c->size_gib, " GiB of data");
        break;
      }
      default:
        plan.Check("supported", false, "the simulated cluster does not carry out this kind of action");
        return plan;
    }
    plan.Check("blast_radius", true,
               absl::StrCat(plan.pods_affected, " pod(s) affected, ",
                            plan.data_loss ? "data is deleted" : "no data loss"));
    return plan;
  }

  void ReplacePodLocked(Pod& pod) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    int64_t rv = NextVersion();
    if (pod.owner_kind == WorkloadKind::kStatefulSet) {
      ++pod.restarts;  // a statefulset pod comes back under its own name
    } else {
      std::string prefix = pod.name.substr(0, pod.name.rfind('-'));
      pod.name = absl::StrCat(prefix, "-", Suffix(absl::StrCat(pod.name, "/", rv), 5));
      pod.restarts = 0;
    }
    pod.phase = "Running";
    pod.created = absl::Now();
    pod.resource_version = rv;
  }

  void ScaleLocked(Workload& w, int64_t replicas) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto pods = PodsOf(w);
    int64_t have = static_cast<int64_t>(pods.size());
    // The ReplicaSet hash new deployment pods share (pointers into inv_.pods die when it grows).
    std::string rs = pods.empty() || pods.front()->name.size() < w.name.size() + 11
                         ? Suffix(w.name + "/rs", 10)
                         : pods.front()->name.substr(w.name.size() + 1, 10);
    if (replicas < have) {
      std::set<std::string> drop;
      for (int64_t i = replicas; i < have; ++i) drop.insert(pods[i]->name);  // highest names go first
      std::erase_if(inv_.pods, [&](const Pod& p) { return p.ns == w.ns && drop.count(p.name); });
    }
    for (int64_t i = have; i < replicas; ++i) {
      Pod p;
      p.ns = w.ns;
      p.owner_kind = w.kind;
      p.owner = w.name;
      p.service = w.service;
      p.cpu = w.cpu;
      p.memory_gib = w.memory_gib;
      int64_t rv = NextVersion();
      std::vector<const cluster::Node*> schedulable;
      for (const auto& n : inv_.nodes) {
        if (!n.unschedulable) schedulable.push_back(&n);
      }
      p.node = !w.node.empty()       ? w.node
               : schedulable.empty() ? ""
                                     : schedulable[rv % schedulable.size()]->name;
      p.phase = p.node.empty() ? "Pending" : "Running";
      if (w.kind == WorkloadKind::kStatefulSet) {
        p.name = absl::StrCat(w.name, "-", i);
        std::string claim = absl::StrCat("data-", p.name);
        if (w.volume_gib > 0 && std::none_of(inv_.pvcs.begin(), inv_.pvcs.end(), [&](const auto& c) {
              return c.ns == w.ns && c.name == claim;
            })) {
          inv_.pvcs.push_back({w.ns, claim, w.service, w.volume_gib, "standard", NextVersion()});
        }
        if (w.volume_gib > 0) p.pvcs.push_back(claim);
      } else {
        p.name = absl::StrCat(w.name, "-", rs, "-", Suffix(absl::StrCat(w.name, "/", rv), 5));
      }
      p.created = absl::Now();
      p.resource_version = rv;
      inv_.pods.push_back(std::move(p));
    }
    w.replicas = replicas;
    w.resource_version = NextVersion();
  }

  std::string ApplyLocked(const action::RealAction& a) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    switch (a.kind()) {
      case Kind::kRestartPod: {
        Pod* pod = nullptr;
        if (a.target_kind() == TargetKind::kPod) {
          pod = FindPod(a.ns(), a.target());
        } else if (Workload* w = TargetWorkload(a)) {
          for (Pod* p : PodsOf(*w)) {
            if (p->phase == "Running") {
              pod = p;
              break;
            }
          }
        }
        std::string old = pod->name;
        ReplacePodLocked(*pod);
        return absl::StrCat("pod ", old, " evicted; replaced by ", pod->name, " (restarts ", pod->restarts,
                            ")");
      }
      case Kind::kRolloutRestart: {
        Workload* w = TargetWorkload(a);
        std::vector<std::string> names;
        for (Pod* p : PodsOf(*w)) {
          ReplacePodLocked(*p);
          names.push_back(p->name);
        }
        w->resource_version = NextVersion();
        return absl::StrCat("rolled ", w->name, ": ", absl::StrJoin(names, ", "));
      }
      case Kind::kScale: {
        Workload* w = TargetWorkload(a);
        int64_t from = w->replicas;
        ScaleLocked(*w, a.integer("replicas"));
        return absl::StrCat("scaled ", w->name, " from ", from, " to ", w->replicas, " replica(s)");
      }
      case Kind::kCordonNode: {
        for (auto& n : inv_.nodes) {
          if (n.name == a.target()) {
            n.unschedulable = true;
            n.resource_version = NextVersion();
          }
        }
        return absl::StrCat("node ", a.target(), " cordoned");
      }
      case Kind::kDeletePvc: {
        std::erase_if(inv_.pvcs, [&](const auto& c) { return c.ns == a.ns() && c.name == a.target(); });
        NextVersion();
        return absl::StrCat("PVC ", a.target(), " deleted");
      }
      default:
        return "nothing done";
    }
  }

  // SHA-256 over the identity and version of every object in `seen` (deleted ones count as gone).
  std::string FingerprintLocked(const std::set<std::string>& seen) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::string text;
    for (const std::string& id : seen) {
      std::vector<std::string> part = absl::StrSplit(id, absl::MaxSplits('/', 2));
      int64_t rv = -1;
      const std::string& kind = part[0];
      const std::string& ns = part.size() > 1 ? part[1] : "";
      const std::string& name = part.size() > 2 ? part[2] : "";
      if (kind == "pod") {
        if (Pod* p = FindPod(ns, name)) rv = p->resource_version;
      } else if (kind == "deployment" || kind == "statefulset") {
        if (Workload* w = FindWorkload(ns, name, std::nullopt)) rv = w->resource_version;
      } else if (kind == "node") {
        for (const auto& n : inv_.nodes)
          if (n.name == name) rv = n.resource_version;
      } else if (kind == "pvc") {
        for (const auto& c : inv_.pvcs)
          if (c.ns == ns && c.name == name) rv = c.resource_version;
      } else if (kind == "pdb") {
        for (const auto& d : inv_.pdbs)
          if (d.ns == ns && d.name == name) rv = d.resource_version;
      }
      absl::StrAppend(&text, id, "@", rv, "\n");
    }
    return Sha256Hex(text);
  }

  absl::Status SaveLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (store_ == nullptr) return absl::OkStatus();
    return store_->PutPluginState(key_, cluster::InventoryToJson(inv_));
  }

  static privacy::Redacted Redact(const std::string& text, const action::ExecutionContext& ctx,
                                  const std::vector<std::string>& secrets) {
    privacy::Redacted r = ctx.shield->Redact(text, *ctx.vault);
    for (const std::string& s : secrets) {
      if (!s.empty() && r.str().find(s) != std::string::npos) {
        return privacy::Redacted::Literal(
            "[output withheld: it held a real value the shield did not recognise]");
      }
    }
    return r;
  }

  absl::StatusOr<action::DryRunReport> Report(const Plan& plan, const action::ExecutionContext& ctx,
                                              const std::vector<std::string>& secrets)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    action::DryRunReport report;
    for (const auto& [name, c] : plan.checks)
      report.checks.push_back({name, c.first, Redact(c.second, ctx, secrets)});
    report.state_fingerprint = FingerprintLocked(plan.seen);
    report.summary = Redact(plan.summary, ctx, secrets);
    report.pods_affected = plan.pods_affected;
    report.data_loss = plan.data_loss;
    return report;
  }

  const std::string name_;
  store::Store* const store_;
  const std::string key_;
  const std::set<std::string> deny_;
  mutable absl::Mutex mu_;
  Inventory inv_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::string_view DemoClusterYaml() {
  for (const auto& f : kClusterFiles) {
    if (std::string_view(f.name) == "demo-cluster.yaml") return f.text;
  }
  return {};
}

absl::StatusOr<std::unique_ptr<action::Executor>> MakeSimulatedCluster(const PluginSettings& settings,
                                                                       store::Store* store) {
  if (auto s = settings.RejectUnknown({"type", "name", "file", "state_key", "deny"}); !s.ok()) return s;
  std::string name = settings.GetString("name", "cluster");
  std::string text(DemoClusterYaml());
  if (std::string file = settings.GetString("file"); !file.empty()) {
    std::ifstream in(file);
    if (!in) return absl::NotFoundError(absl::StrCat(settings.KeyPath("file"), ": cannot read ", file));
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto inv = cluster::ParseInventoryYaml(text);
  if (!inv.ok())
    return absl::InvalidArgumentError(absl::StrCat(settings.KeyPath("file"), ": ", inv.status().message()));
  std::set<std::string> deny;
  for (auto part : absl::StrSplit(settings.GetString("deny"), ',', absl::SkipWhitespace())) {
    deny.insert(std::string(absl::StripAsciiWhitespace(part)));
  }
  auto cluster = std::make_unique<SimulatedCluster>(
      name, std::move(*inv), store, settings.GetString("state_key", "cluster/" + name), std::move(deny));
  if (auto s = cluster->Load(); !s.ok()) return s;
  return std::unique_ptr<action::Executor>(std::move(cluster));
}

}  // namespace awoooi::plugins::actions
