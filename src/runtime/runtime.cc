#include "runtime/runtime.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "awoooi/core/digest.h"
#include "ingest/alert_redactor.h"

namespace awoooi::runtime {
namespace {

struct EmbeddedFile {
  const char* name;
  const char* text;
};
constexpr EmbeddedFile kServerFiles[] = {
#include "awoooi/server_files.inc"
};

std::string_view Embedded(std::string_view name) {
  for (const auto& f : kServerFiles) {
    if (name == f.name) return f.text;
  }
  return {};
}

}  // namespace

std::string_view DemoTopologyYaml() { return Embedded("demo-topology.yaml"); }
std::string_view OpenApiJson() { return Embedded("openapi.json"); }

std::string DataPath(const Config& config, std::string_view name) {
  return (std::filesystem::path(config.data_dir) / std::string(name)).string();
}

absl::StatusOr<std::string> LoadOrCreateVaultKey(const std::string& path) {
  std::ifstream in(path);
  if (in) {
    std::string hex;
    in >> hex;
    if (hex.size() != 64 ||
        !std::all_of(hex.begin(), hex.end(), [](unsigned char c) { return std::isxdigit(c) != 0; })) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": expected 64 hex digits"));
    }
    return absl::HexStringToBytes(hex);
  }
  std::string key = privacy::GenerateVaultKey();
  std::error_code ec;
  if (auto dir = std::filesystem::path(path).parent_path(); !dir.empty()) std::filesystem::create_directories(dir, ec);
  mode_t old = ::umask(077);
  std::ofstream out(path);
  out << ToHex(key) << "\n";
  out.close();
  ::umask(old);
  if (!out) return absl::UnavailableError(absl::StrCat("privacy.vault_key_file: cannot write ", path));
  return key;
}

absl::StatusOr<std::unique_ptr<privacy::Shield>> MakeShield(const Config& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("data_dir: cannot create ", config.data_dir, ": ", ec.message()));
  std::string key_file =
      config.privacy.vault_key_file.empty() ? DataPath(config, "vault.key") : config.privacy.vault_key_file;
  auto key = LoadOrCreateVaultKey(key_file);
  if (!key.ok()) return key.status();
  privacy::ShieldConfig sc;
  sc.vault_key = *key;
  sc.custom_patterns = config.privacy.custom_patterns;
  auto shield = privacy::Shield::Create(sc);
  if (!shield.ok()) return absl::InvalidArgumentError(absl::StrCat("privacy: ", shield.status().message()));
  return shield;
}

absl::StatusOr<std::unique_ptr<store::Store>> OpenStore(const Config& config, const privacy::Shield& shield,
                                                        const PluginRegistry& registry) {
  std::map<std::string, std::string> values = {
      {"path", config.store.path.empty() ? DataPath(config, "awoooi.db") : config.store.path},
      {"fsync", config.store.fsync ? "true" : "false"},
      {"max_queue_alerts", std::to_string(config.store.max_queue_alerts)},
      {"max_batch_alerts", std::to_string(config.store.max_batch_alerts)},
      {"reopen_window", absl::StrCat(config.store.reopen_window_ms, "ms")},
  };
  auto store = registry.stores.Create(config.store.type, PluginSettings("store", std::move(values)),
                                      std::make_unique<ingest::ShieldAlertRedactor>(shield));
  if (!store.ok()) return absl::Status(store.status().code(), absl::StrCat("store: ", store.status().message()));
  return store;
}

absl::StatusOr<std::vector<std::unique_ptr<action::Executor>>> MakeExecutors(const Config& config, store::Store* store,
                                                                            const PluginRegistry& registry) {
  std::vector<std::unique_ptr<action::Executor>> out;
  // The same catalog the approval engine validates actions against (executors copy what they keep).
  const action::Catalog catalog = ApprovalSettings(config).catalog;
  for (const PluginSettings& s : config.executors) {
    auto e = registry.actions.Create(s.GetString("type"), s, ExecutorDeps{store, &catalog});
    if (!e.ok()) return absl::Status(e.status().code(), absl::StrCat("executors: ", e.status().message()));
    out.push_back(std::move(*e));
  }
  return out;
}

approval::Settings ApprovalSettings(const Config& config) {
  approval::Settings s;
  if (!config.approvals.rules.empty()) s.policy.rules = config.approvals.rules;
  s.policy.protected_namespaces = config.approvals.protected_namespaces;
  s.policy.stateful_raises = config.approvals.stateful_raises;
  s.trust.medium_to_low = config.approvals.trust_medium_to_low;
  s.trust.high_to_medium = config.approvals.trust_high_to_medium;
  s.expiry = absl::Milliseconds(config.approvals.expiry_ms);
  s.execution_timeout = absl::Milliseconds(config.approvals.execution_timeout_ms);
  s.catalog.templates = config.command_templates;
  for (const PluginSettings& e : config.executors) {
    if (e.GetString("type") == "mcp") s.catalog.mcp_servers.push_back(e.GetString("name"));
  }
  return s;
}

absl::StatusOr<std::unique_ptr<audit::CheckpointKey>> LoadOrCreateAuditKey(const Config& config) {
  std::string path = config.audit.key_file.empty() ? DataPath(config, "audit.key") : config.audit.key_file;
  std::ifstream in(path);
  if (!in) {
    std::error_code ec;
    if (auto dir = std::filesystem::path(path).parent_path(); !dir.empty()) std::filesystem::create_directories(dir, ec);
    mode_t old = ::umask(077);
    std::ofstream out(path);
    out << audit::CheckpointKey::GeneratePem();
    out.close();
    ::umask(old);
    if (!out) return absl::UnavailableError(absl::StrCat("audit.key_file: cannot write ", path));
    in.open(path);
  }
  std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto key = audit::CheckpointKey::FromPem(pem);
  if (!key.ok()) return absl::InvalidArgumentError(absl::StrCat("audit.key_file: ", path, ": ", key.status().message()));
  return key;
}

absl::StatusOr<audit::VerifyResult> VerifyAudit(store::Store& store, const audit::CheckpointKey* key) {
  auto checkpoints = store.ListCheckpoints();
  if (!checkpoints.ok()) return checkpoints.status();
  audit::Verifier verifier(std::move(*checkpoints), key);
  if (auto s = store.ScanAudit([&](const audit::Entry& e) { verifier.Feed(e); }); !s.ok()) return s;
  return verifier.Finish();
}

std::string ClusterToText(const cluster::Inventory& inv) {
  std::string out = absl::StrCat("NODES\n");
  for (const auto& n : inv.nodes) {
    absl::StrAppendFormat(&out, "  %-20s cpu %-5g memory %-6gGiB %s rv %d\n", n.name, n.cpu, n.memory_gib,
                          n.unschedulable ? "cordoned" : "ready   ", n.resource_version);
  }
  absl::StrAppend(&out, "WORKLOADS\n");
  for (const auto& w : inv.workloads) {
    absl::StrAppendFormat(&out, "  %-12s %-28s %-11s replicas %-3d %s rv %d\n", w.ns, w.name,
                          std::string(cluster::ToString(w.kind)), w.replicas, w.paused ? "paused" : "", w.resource_version);
  }
  absl::StrAppend(&out, "PODS\n");
  for (const auto& p : inv.pods) {
    absl::StrAppendFormat(&out, "  %-12s %-36s %-8s node %-16s restarts %-3d rv %d\n", p.ns, p.name, p.phase, p.node,
                          p.restarts, p.resource_version);
  }
  absl::StrAppend(&out, "PVCS\n");
  for (const auto& c : inv.pvcs) {
    bool mounted = false;
    for (const auto& p : inv.pods) mounted |= std::find(p.pvcs.begin(), p.pvcs.end(), c.name) != p.pvcs.end();
    absl::StrAppendFormat(&out, "  %-12s %-28s %6g GiB %s rv %d\n", c.ns, c.name, c.size_gib,
                          mounted ? "mounted" : "not mounted", c.resource_version);
  }
  absl::StrAppend(&out, "PODDISRUPTIONBUDGETS\n");
  for (const auto& d : inv.pdbs) {
    absl::StrAppendFormat(&out, "  %-12s %-28s %s rv %d\n", d.ns, d.name,
                          d.min_available >= 0 ? absl::StrCat("min available ", d.min_available)
                                               : absl::StrCat("max unavailable ", d.max_unavailable),
                          d.resource_version);
  }
  return out;
}

std::string NewApiToken() { return "awi_" + ToHex(RandomBytes(32)); }

absl::StatusOr<std::string> IssueToken(store::Store& store, const std::string& user, Role role) {
  auto u = store.GetUser(user);
  if (absl::IsNotFound(u.status())) u = store.AddUser(user, role);
  if (!u.ok()) return u.status();
  std::string token = NewApiToken();
  if (auto s = store.AddToken(u->id, Sha256Hex(token)); !s.ok()) return s;
  return token;
}

}  // namespace awoooi::runtime
