// The composition root both faces share: from a Config to a running shield and store, the
// embedded demo world, API tokens. The server (`awoooi serve`) and the CLI's administrative
// commands build the same objects the same way through these functions and the plugin registry.
//
// Thread-safety: free functions; the objects they return document their own.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "awoooi/approval/service.h"
#include "awoooi/audit/audit.h"
#include "awoooi/cluster/cluster.h"
#include "awoooi/core/role.h"
#include "awoooi/privacy/shield.h"
#include "awoooi/store/store.h"
#include "runtime/config.h"
#include "runtime/plugins.h"

namespace awoooi::runtime {

// The embedded demo topology (examples/demo-topology.yaml) and the OpenAPI document.
std::string_view DemoTopologyYaml();
std::string_view OpenApiJson();

// A file in the data directory: <data_dir>/<name>.
std::string DataPath(const Config& config, std::string_view name);

// Reads the 32-byte vault key from `path` (64 hex digits). When it is missing, creates it
// exclusively (mode 0600, fsynced) — unless `database` exists: a new key could not open the vaults
// sealed in it, so that is FailedPrecondition with what to do.
absl::StatusOr<std::string> LoadOrCreateVaultKey(const std::string& path, const std::string& database = "");

// The data directory exists and is private: the directory 0700, the database (with its WAL) and
// the key files 0600 — fixed when they are more open, an error when they cannot be fixed.
absl::Status SecureDataDir(const Config& config);

// The Privacy Shield with the configured vault key (created on first start) and custom patterns.
// Secures the data directory first. `vault_key` (optional) receives the key, to derive others.
absl::StatusOr<std::unique_ptr<privacy::Shield>> MakeShield(const Config& config,
                                                            std::string* vault_key = nullptr);

// A key for one purpose ("fingerprint", "group-key") derived from the vault key (HMAC-SHA256).
std::string DeriveKey(std::string_view vault_key, std::string_view purpose);

// The configured store, through the registry, with the shield's alert redactor; migrations applied.
absl::StatusOr<std::unique_ptr<store::Store>> OpenStore(const Config& config, const privacy::Shield& shield,
                                                        const PluginRegistry& registry = BuiltinPlugins());

// The configured executors (config.executors), in order, through the registry.
absl::StatusOr<std::vector<std::unique_ptr<action::Executor>>> MakeExecutors(
    const Config& config, store::Store* store, const PluginRegistry& registry = BuiltinPlugins());

// The approval settings the configuration describes (policy, trust, expiry, command templates).
approval::Settings ApprovalSettings(const Config& config);

// The Ed25519 key that signs audit checkpoints (created 0600 on first start).
absl::StatusOr<std::unique_ptr<audit::CheckpointKey>> LoadOrCreateAuditKey(const Config& config);
// The same without creating one: NotFound when the file does not exist (a verifier must never
// mint the key it is checking signatures with).
absl::StatusOr<std::unique_ptr<audit::CheckpointKey>> LoadAuditKey(const Config& config);

// Verifies the whole audit trail in `store` and its checkpoints.
absl::StatusOr<audit::VerifyResult> VerifyAudit(store::Store& store, const audit::CheckpointKey* key);

// A cluster inventory as a few aligned tables (`awoooi cluster show`).
std::string ClusterToText(const cluster::Inventory& inventory);

// API tokens: 32 random bytes shown once as "awi_" + 64 hex digits; the store keeps the SHA-256.
std::string NewApiToken();
// Creates the user when missing (with `role`), then a token for them; returns the token.
absl::StatusOr<std::string> IssueToken(store::Store& store, const std::string& user, Role role,
                                       absl::Time expires_at = absl::InfiniteFuture(), bool demo = false);

}  // namespace awoooi::runtime
