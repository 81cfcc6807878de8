#include <yaml-cpp/yaml.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "awoooi/cluster/cluster.h"
#include "awoooi/core/digest.h"

namespace awoooi::cluster {
namespace {

using nlohmann::json;

constexpr int kUsageDays = 14;

// Deterministic daily usage around `mean` (fraction of the request), varying a little per day.
std::vector<double> History(const std::string& seed, double mean) {
  std::vector<double> out;
  std::string h = Sha256(seed);
  for (int d = 0; d < kUsageDays; ++d) {
    double jitter = (static_cast<unsigned char>(h[d % h.size()]) / 255.0 - 0.5) * 0.1 * mean;
    out.push_back(std::max(0.0, std::round((mean + jitter) * 10000.0) / 10000.0));
  }
  return out;
}

// Kubernetes' suffix alphabet (no vowels, no 0/1/3), derived from `seed`.
std::string Suffix(const std::string& seed, std::size_t n) {
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string h = Sha256(seed), out;
  for (std::size_t i = 0; i < n; ++i) out += kAlphabet[static_cast<unsigned char>(h[i]) % kAlphabet.size()];
  return out;
}

absl::Status Bad(const std::string& where, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", std::string(why)));
}

template <typename T>
T Get(const YAML::Node& n, const char* key, T fallback) {
  return n[key] ? n[key].as<T>() : fallback;
}

}  // namespace

std::string_view ToString(WorkloadKind kind) {
  return kind == WorkloadKind::kStatefulSet ? "statefulset" : "deployment";
}

absl::StatusOr<Inventory> ParseInventoryYaml(std::string_view yaml) {
  Inventory inv;
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    if (!root.IsMap()) return Bad("cluster", "must be a map with namespaces, nodes, workloads, pvcs, pdbs");
    int64_t rv = 0;
    for (const auto& ns : root["namespaces"]) inv.namespaces.push_back(ns.as<std::string>());
    for (std::size_t i = 0; i < root["nodes"].size(); ++i) {
      const YAML::Node& n = root["nodes"][i];
      Node node{Get<std::string>(n, "name", ""), Get<double>(n, "cpu", 4), Get<double>(n, "memory_gib", 16),
                Get<bool>(n, "unschedulable", false), ++rv};
      if (node.name.empty()) return Bad(absl::StrCat("nodes[", i, "].name"), "is required");
      inv.nodes.push_back(node);
    }
    if (inv.nodes.empty()) return Bad("nodes", "at least one node is required");
    std::size_t spread = 0;
    for (std::size_t i = 0; i < root["workloads"].size(); ++i) {
      const YAML::Node& w = root["workloads"][i];
      std::string where = absl::StrCat("workloads[", i, "]");
      Workload wl;
      std::string kind = Get<std::string>(w, "kind", "deployment");
      if (kind != "deployment" && kind != "statefulset")
        return Bad(where + ".kind", "must be deployment or statefulset");
      wl.kind = kind == "statefulset" ? WorkloadKind::kStatefulSet : WorkloadKind::kDeployment;
      wl.ns = Get<std::string>(w, "namespace", "default");
      wl.name = Get<std::string>(w, "name", "");
      if (wl.name.empty()) return Bad(where + ".name", "is required");
      wl.service = Get<std::string>(w, "service", wl.name);
      wl.replicas = Get<int64_t>(w, "replicas", 1);
      wl.paused = Get<bool>(w, "paused", false);
      wl.cpu = Get<double>(w, "cpu", 0.5);
      wl.memory_gib = Get<double>(w, "memory_gib", 1);
      wl.volume_gib = Get<double>(w, "volume_gib", 0);
      wl.node = Get<std::string>(w, "node", "");
      double cpu_mean = w["usage"] ? Get<double>(w["usage"], "cpu", 0.5) : 0.5;
      double mem_mean = w["usage"] ? Get<double>(w["usage"], "memory", 0.5) : 0.5;
      wl.cpu_usage = History(wl.name + "/cpu", cpu_mean);
      wl.memory_usage = History(wl.name + "/memory", mem_mean);
      wl.resource_version = ++rv;
      for (int64_t r = 0; r < wl.replicas; ++r) {
        Pod p;
        p.ns = wl.ns;
        p.owner_kind = wl.kind;
        p.owner = wl.name;
        p.service = wl.service;
        p.cpu = wl.cpu;
        p.memory_gib = wl.memory_gib;
        p.node = !wl.node.empty() ? wl.node : inv.nodes[spread++ % inv.nodes.size()].name;
        if (wl.kind == WorkloadKind::kStatefulSet) {
          p.name = absl::StrCat(wl.name, "-", r);
          if (wl.volume_gib > 0) {
            Pvc claim{wl.ns, absl::StrCat("data-", p.name), wl.service, wl.volume_gib, "standard", ++rv};
            inv.pvcs.push_back(claim);
            p.pvcs.push_back(claim.name);
          }
        } else {
          p.name = absl::StrCat(wl.name, "-", Suffix(wl.name + "/rs", 10), "-",
                                Suffix(absl::StrCat(wl.name, "/", r), 5));
        }
        p.created = absl::FromUnixSeconds(1'790'000'000);
        p.resource_version = ++rv;
        inv.pods.push_back(std::move(p));
      }
      inv.workloads.push_back(std::move(wl));
    }
    for (std::size_t i = 0; i < root["pvcs"].size(); ++i) {
      const YAML::Node& c = root["pvcs"][i];
      Pvc pvc{Get<std::string>(c, "namespace", "default"),
              Get<std::string>(c, "name", ""),
              Get<std::string>(c, "service", ""),
              Get<double>(c, "size_gib", 10),
              Get<std::string>(c, "storage_class", "standard"),
              ++rv};
      if (pvc.name.empty()) return Bad(absl::StrCat("pvcs[", i, "].name"), "is required");
      inv.pvcs.push_back(pvc);
    }
    for (std::size_t i = 0; i < root["pdbs"].size(); ++i) {
      const YAML::Node& d = root["pdbs"][i];
      Pdb pdb{Get<std::string>(d, "namespace", "default"), Get<std::string>(d, "name", ""),
              Get<std::string>(d, "service", ""),          Get<int64_t>(d, "min_available", -1),
              Get<int64_t>(d, "max_unavailable", -1),      ++rv};
      if (pdb.name.empty() || pdb.service.empty())
        return Bad(absl::StrCat("pdbs[", i, "]"), "name and service are required");
      inv.pdbs.push_back(pdb);
    }
    inv.last_resource_version = rv;
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("cluster: ", e.what()));
  }
  return inv;
}

std::string InventoryToJson(const Inventory& inv) {
  json j;
  j["namespaces"] = inv.namespaces;
  j["last_resource_version"] = inv.last_resource_version;
  for (const auto& n : inv.nodes) {
    j["nodes"].push_back({{"name", n.name},
                          {"cpu", n.cpu},
                          {"memory_gib", n.memory_gib},
                          {"unschedulable", n.unschedulable},
                          {"resource_version", n.resource_version}});
  }
  for (const auto& w : inv.workloads) {
    j["workloads"].push_back({{"kind", ToString(w.kind)},
                              {"namespace", w.ns},
                              {"name", w.name},
                              {"service", w.service},
                              {"replicas", w.replicas},
                              {"paused", w.paused},
                              {"cpu", w.cpu},
                              {"memory_gib", w.memory_gib},
                              {"volume_gib", w.volume_gib},
                              {"node", w.node},
                              {"cpu_usage", w.cpu_usage},
                              {"memory_usage", w.memory_usage},
                              {"resource_version", w.resource_version}});
  }
  for (const auto& p : inv.pods) {
    j["pods"].push_back({{"namespace", p.ns},
                         {"name", p.name},
                         {"owner_kind", ToString(p.owner_kind)},
                         {"owner", p.owner},
                         {"service", p.service},
                         {"node", p.node},
                         {"phase", p.phase},
                         {"restarts", p.restarts},
                         {"cpu", p.cpu},
                         {"memory_gib", p.memory_gib},
                         {"pvcs", p.pvcs},
                         {"created", absl::ToUnixSeconds(p.created)},
                         {"resource_version", p.resource_version}});
  }
  for (const auto& c : inv.pvcs) {
    j["pvcs"].push_back({{"namespace", c.ns},
                         {"name", c.name},
                         {"service", c.service},
                         {"size_gib", c.size_gib},
                         {"storage_class", c.storage_class},
                         {"resource_version", c.resource_version}});
  }
  for (const auto& d : inv.pdbs) {
    j["pdbs"].push_back({{"namespace", d.ns},
                         {"name", d.name},
                         {"service", d.service},
                         {"min_available", d.min_available},
                         {"max_unavailable", d.max_unavailable},
                         {"resource_version", d.resource_version}});
  }
  for (const char* k : {"nodes", "workloads", "pods", "pvcs", "pdbs"}) {
    if (!j.contains(k)) j[k] = json::array();
  }
  return j.dump();
}

absl::StatusOr<Inventory> InventoryFromJson(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return absl::InvalidArgumentError("cluster state: not a JSON object");
  Inventory inv;
  try {
    inv.namespaces = j.value("namespaces", std::vector<std::string>{});
    inv.last_resource_version = j.value("last_resource_version", int64_t{0});
    for (const auto& n : j["nodes"]) {
      inv.nodes.push_back({n["name"], n["cpu"], n["memory_gib"], n["unschedulable"], n["resource_version"]});
    }
    for (const auto& w : j["workloads"]) {
      Workload wl;
      wl.kind = w["kind"] == "statefulset" ? WorkloadKind::kStatefulSet : WorkloadKind::kDeployment;
      wl.ns = w["namespace"];
      wl.name = w["name"];
      wl.service = w["service"];
      wl.replicas = w["replicas"];
      wl.paused = w["paused"];
      wl.cpu = w["cpu"];
      wl.memory_gib = w["memory_gib"];
      wl.volume_gib = w["volume_gib"];
      wl.node = w["node"];
      wl.cpu_usage = w["cpu_usage"].get<std::vector<double>>();
      wl.memory_usage = w["memory_usage"].get<std::vector<double>>();
      wl.resource_version = w["resource_version"];
      inv.workloads.push_back(std::move(wl));
    }
    for (const auto& p : j["pods"]) {
      Pod pod;
      pod.ns = p["namespace"];
      pod.name = p["name"];
      pod.owner_kind =
          p["owner_kind"] == "statefulset" ? WorkloadKind::kStatefulSet : WorkloadKind::kDeployment;
      pod.owner = p["owner"];
      pod.service = p["service"];
      pod.node = p["node"];
      pod.phase = p["phase"];
      pod.restarts = p["restarts"];
      pod.cpu = p["cpu"];
      pod.memory_gib = p["memory_gib"];
      pod.pvcs = p["pvcs"].get<std::vector<std::string>>();
      pod.created = absl::FromUnixSeconds(p["created"].get<int64_t>());
      pod.resource_version = p["resource_version"];
      inv.pods.push_back(std::move(pod));
    }
    for (const auto& c : j["pvcs"]) {
      inv.pvcs.push_back({c["namespace"], c["name"], c["service"], c["size_gib"], c["storage_class"],
                          c["resource_version"]});
    }
    for (const auto& d : j["pdbs"]) {
      inv.pdbs.push_back({d["namespace"], d["name"], d["service"], d["min_available"], d["max_unavailable"],
                          d["resource_version"]});
    }
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("cluster state: ", e.what()));
  }
  return inv;
}

}  // namespace awoooi::cluster
