#include "runtime/runtime.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
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

namespace {

// Makes `path` private to this user (mode & ~077), when it exists and is not already.
absl::Status MakePrivate(const std::filesystem::path& path, mode_t mode) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return absl::OkStatus();  // not there (yet)
  if ((st.st_mode & 077) == 0) return absl::OkStatus();
  if (::chmod(path.c_str(), mode) != 0) {
    return absl::PermissionDeniedError(
        absl::StrCat(path.string(), " is readable by other users and cannot be made private (",
                     std::strerror(errno), "); chmod ", mode == 0700 ? "700" : "600", " it"));
  }
  return absl::OkStatus();
}

// Writes a new key file exclusively (never over an existing one), mode 0600, fsynced with its directory.
absl::Status WriteKeyFile(const std::string& path, std::string_view text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("cannot create ", path, ": ", std::strerror(errno)));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return absl::UnavailableError(absl::StrCat("cannot write ", path));
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return absl::OkStatus();
}

std::string DatabasePath(const Config& config) {
  return config.store.path.empty() ? DataPath(config, "awoooi.db") : config.store.path;
}

}  // namespace

absl::StatusOr<std::string> LoadOrCreateVaultKey(const std::string& path, const std::string& database) {
  std::ifstream in(path);
  if (in) {
    if (auto s = MakePrivate(path, 0600); !s.ok()) return s;
    std::string hex;
    in >> hex;
    if (hex.size() != 64 ||
        !std::all_of(hex.begin(), hex.end(), [](unsigned char c) { return std::isxdigit(c) != 0; })) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": expected 64 hex digits"));
    }
    return absl::HexStringToBytes(hex);
  }
  std::error_code ec;
  if (!database.empty() && std::filesystem::exists(database, ec)) {
    // A new key could never open the vaults already sealed in the database: stop instead.
    return absl::FailedPreconditionError(
        absl::StrCat("the vault key ", path, " is missing but the database ", database,
                     " exists: the real values sealed in it can only be opened with the key they were sealed "
                     "with. Restore the "
                     "key (privacy.vault_key_file), or move the database away to start over."));
  }
  std::string key = privacy::GenerateVaultKey();
  if (auto dir = std::filesystem::path(path).parent_path(); !dir.empty())
    std::filesystem::create_directories(dir, ec);
  if (auto s = WriteKeyFile(path, ToHex(key) + "\n"); !s.ok()) {
    return absl::UnavailableError(absl::StrCat("privacy.vault_key_file: ", s.message()));
  }
  return key;
}

absl::Status SecureDataDir(const Config& config) {
  std::error_code ec;
  bool created = !std::filesystem::exists(config.data_dir, ec);
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec)
    return absl::UnavailableError(
        absl::StrCat("data_dir: cannot create ", config.data_dir, ": ", ec.message()));
  if (created) ::chmod(config.data_dir.c_str(), 0700);
  if (auto s = MakePrivate(config.data_dir, 0700); !s.ok()) return s;
  std::string db = DatabasePath(config);
  for (const std::string& f :
       {db, db + "-wal", db + "-shm", DataPath(config, "vault.key"), DataPath(config, "audit.key")}) {
    if (auto s = MakePrivate(f, 0600); !s.ok()) return s;
  }
  return absl::OkStatus();
}

std::string DeriveKey(std::string_view vault_key, std::string_view purpose) {
  return HmacSha256(vault_key, absl::StrCat("awoooi/", std::string(purpose)));
}

absl::StatusOr<std::unique_ptr<privacy::Shield>> MakeShield(const Config& config, std::string* vault_key) {
  if (auto s = SecureDataDir(config); !s.ok()) return s;
  std::string key_file =
      config.privacy.vault_key_file.empty() ? DataPath(config, "vault.key") : config.privacy.vault_key_file;
  auto key = LoadOrCreateVaultKey(key_file, DatabasePath(config));
  if (!key.ok()) return key.status();
  if (vault_key != nullptr) *vault_key = *key;
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
      {"path", DatabasePath(config)},
      {"fsync", config.store.fsync ? "true" : "false"},
      {"max_queue_alerts", std::to_string(config.store.max_queue_alerts)},
      {"max_queue_bytes", std::to_string(config.store.max_queue_bytes)},
      {"max_batch_alerts", std::to_string(config.store.max_batch_alerts)},
      {"reopen_window", absl::StrCat(config.store.reopen_window_ms, "ms")},
  };
  auto store =
      registry.stores.Create(config.store.type, PluginSettings("store", std::move(values)),
                             std::make_unique<ingest::ShieldAlertRedactor>(
                                 shield, 4096, static_cast<std::size_t>(config.privacy.max_vault_values)));
  if (!store.ok())
    return absl::Status(store.status().code(), absl::StrCat("store: ", store.status().message()));
  return store;
}

absl::StatusOr<std::vector<std::unique_ptr<action::Executor>>> MakeExecutors(const Config& config,
                                                                             store::Store* store,
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

std::string AuditKeyPath(const Config& config) {
  return config.audit.key_file.empty() ? DataPath(config, "audit.key") : config.audit.key_file;
}

absl::StatusOr<std::unique_ptr<audit::CheckpointKey>> LoadAuditKey(const Config& config) {
  std::string path = AuditKeyPath(config);
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("audit.key_file: ", path, " does not exist"));
  std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto key = audit::CheckpointKey::FromPem(pem);
  if (!key.ok())
    return absl::InvalidArgumentError(absl::StrCat("audit.key_file: ", path, ": ", key.status().message()));
  return key;
}

absl::StatusOr<std::unique_ptr<audit::CheckpointKey>> LoadOrCreateAuditKey(const Config& config) {
  std::string path = AuditKeyPath(config);
  std::ifstream in(path);
  if (!in) {
    std::error_code ec;
    if (auto dir = std::filesystem::path(path).parent_path(); !dir.empty())
      std::filesystem::create_directories(dir, ec);
    if (auto s = WriteKeyFile(path, audit::CheckpointKey::GeneratePem()); !s.ok()) {
      return absl::UnavailableError(absl::StrCat("audit.key_file: ", s.message()));
    }
    in.open(path);
  }
  std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto key = audit::CheckpointKey::FromPem(pem);
  if (!key.ok())
    return absl::InvalidArgumentError(absl::StrCat("audit.key_file: ", path, ": ", key.status().message()));
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
                          std::string(cluster::ToString(w.kind)), w.replicas, w.paused ? "paused" : "",
                          w.resource_version);
  }
  absl::StrAppend(&out, "PODS\n");
  for (const auto& p : inv.pods) {
    absl::StrAppendFormat(&out, "  %-12s %-36s %-8s node %-16s restarts %-3d rv %d\n", p.ns, p.name, p.phase,
                          p.node, p.restarts, p.resource_version);
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

absl::StatusOr<std::string> IssueToken(store::Store& store, const std::string& user, Role role,
                                       absl::Time expires_at, bool demo) {
  auto u = store.GetUser(user);
  if (absl::IsNotFound(u.status())) u = store.AddUser(user, role);
  if (!u.ok()) return u.status();
  std::string token = NewApiToken();
  if (auto s = store.AddToken(u->id, Sha256Hex(token), expires_at, demo); !s.ok()) return s.status();
  return token;
}

}  // namespace awoooi::runtime
