// Configuration: one YAML file plus AWOOOI_* environment variables (F12).
//
// Every key has a default, so `awoooi serve` with no file runs on embedded defaults. The full list
// of keys, with defaults and meaning, is ConfigKeys() (and docs/configuration.md); a Config holds
// meaningful values only as LoadConfig() returns it. An environment
// variable overrides a scalar key: the key upper-cased with '.' as '_' and prefixed AWOOOI_
// (server.listen -> AWOOOI_SERVER_LISTEN). An unknown key, a wrong type or an out-of-range value
// stops start-up with a message that names the key.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "awoooi/action/action.h"
#include "awoooi/approval/policy.h"
#include "awoooi/core/plugin.h"
#include "awoooi/notify/outbox.h"
#include "awoooi/privacy/shield.h"
#include "ingest/alert_parser.h"
#include "ingest/grouping.h"

namespace awoooi::runtime {

struct ConfigKey {
  std::string key;
  std::string default_value;  // the one place each default is written down
  std::string description;
};
// Scalar keys with their defaults. List-valued keys (ingest.group_by, privacy.custom_patterns,
// actions.*, notifiers) are documented in docs/configuration.md and read from the YAML file only.
const std::vector<ConfigKey>& ConfigKeys();

struct Config {
  struct Server {
    std::string listen{};
    int64_t max_body_bytes{};
    int64_t max_header_bytes{};
    int64_t request_timeout_ms{};
    int64_t max_connections{};
    int64_t max_connections_per_client{};
    bool per_client_cap_exempts_loopback{};
    int64_t fd_reserve{};
    int64_t max_event_viewers{};
    int64_t max_event_viewers_per_user{};
    int64_t event_write_timeout_ms{};
    int64_t max_event_backlog_bytes{};
    int64_t threads{};  // 0: one per core
    int64_t shutdown_grace_ms{};
    std::string public_url;  // the dashboard as people reach it (links in notifications)
    // Host header values accepted besides the loopback names (DNS-rebinding protection).
    std::vector<std::string> allowed_hosts;
  } server;
  std::string data_dir;
  struct Store {
    std::string type{};
    std::string path;  // default: <data_dir>/awoooi.db
    bool fsync{};
    int64_t max_queue_alerts{};
    int64_t max_queue_bytes{};
    int64_t max_batch_alerts{};
    int64_t reopen_window_ms{};
    int64_t retention_days{};   // resolved incidents quiet this long are pruned; 0: kept forever
    int64_t retention_batch{};  // incidents per retention transaction
  } store;
  struct Ingest {
    std::string auth{};        // "" (not set: none, on loopback only) | none | token | hmac
    std::string token;         // for auth=token: senders present "Authorization: Bearer <token>"
    std::string hmac_secret;   // for auth=hmac: X-AWOOOI-Signature: sha256=<hex HMAC of timestamp.body>
    int64_t hmac_window_ms{};  // a signature's X-AWOOOI-Timestamp may be this far from now
    ingest::GroupingRule grouping;
    ingest::ParseLimits limits;
  } ingest;
  struct Auth {
    bool demo_users{};                 // create alice, bob, carol, dave, admin and print their tokens
    bool demo_users_implicit = false;  // on only because no file was given: loopback listeners only
  } auth;
  struct Privacy {
    std::string vault_key_file;  // default: <data_dir>/vault.key (created on first start)
    std::vector<privacy::CustomPattern> custom_patterns;
    int64_t max_vault_values{};  // distinct values one incident's vault may hold
  } privacy;
  struct Log {
    std::string level{};   // trace | debug | info | warn | error
    std::string format{};  // text | json
  } log;
  struct Topology {
    std::string file;  // a topology YAML file; empty: the embedded demo topology
    int64_t default_depth{};
    std::string dependency_label{};  // alert label naming a service's dependencies
    int64_t context_budget_chars{};
  } topology;
  struct Pipeline {
    int64_t workers{};
    int64_t nice{};  // niceness of the analysis workers
    int64_t min_interval_ms{};
  } pipeline;
  PluginSettings brain;  // type: playbook (default) | openai | anthropic | ollama, and its settings

  // ACTION plugins, in order: the first that supports an action carries it out. Default: the
  // simulated cluster. Each entry's nested keys are flattened ("env.NAME"; lists as "args.0").
  std::vector<PluginSettings> executors;
  // Command templates run_template actions may name (argv with typed slots, no shell).
  std::vector<action::CommandTemplate> command_templates;
  // OUTPUT plugins: notification channels (each may also set min_interval between two sends).
  std::vector<PluginSettings> notifiers;
  struct Notify {
    std::vector<notify::Route> routes;  // notify_routes; empty: every channel hears everything
    int64_t max_attempts{};
    int64_t max_age_ms{};
  } notify;
  struct Approvals {
    int64_t expiry_ms{};
    int64_t trust_medium_to_low{};
    int64_t trust_high_to_medium{};
    int64_t execution_timeout_ms{};
    bool stateful_raises{};
    std::vector<std::string> protected_namespaces = {"kube-system"};
    std::vector<approval::RiskRule> rules;  // empty: the default policy's rules
  } approvals;
  struct Audit {
    int64_t checkpoint_every{};
    int64_t checkpoint_interval_ms{};
    std::string key_file;  // default: <data_dir>/audit.key (created on first start, 0600)
  } audit;

  bool from_file = false;  // false: embedded defaults (demo users, demo topology)
};

// Loads `path` (empty: defaults only) and applies `env` (normally the process environment).
absl::StatusOr<Config> LoadConfig(const std::string& path, const std::map<std::string, std::string>& env);
std::map<std::string, std::string> ProcessEnvironment();

}  // namespace awoooi::runtime
