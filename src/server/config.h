// Configuration: one YAML file plus AWOOOI_* environment variables (F12).
//
// Every key has a default, so `awoooi serve` with no file runs on embedded defaults. The full list
// of keys, with defaults and meaning, is kConfigKeys (and docs/configuration.md). An environment
// variable overrides a scalar key: the key upper-cased with '.' as '_' and prefixed AWOOOI_
// (server.listen -> AWOOOI_SERVER_LISTEN). An unknown key, a wrong type or an out-of-range value
// stops start-up with a message that names the key.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "awoooi/core/plugin.h"
#include "awoooi/privacy/shield.h"
#include "ingest/alert_parser.h"
#include "ingest/grouping.h"

namespace awoooi::server {

struct ConfigKey {
  const char* key;
  const char* default_value;
  const char* description;
};
// Scalar keys. List-valued keys (ingest.group_by, privacy.custom_patterns, topology.services)
// are documented in docs/configuration.md and read from the YAML file only.
extern const std::vector<ConfigKey> kConfigKeys;

struct Config {
  struct Server {
    std::string listen = "127.0.0.1:8080";
    int64_t max_body_bytes = 8 << 20;
    int64_t max_header_bytes = 16 << 10;
    int64_t request_timeout_ms = 30'000;
    int64_t max_connections = 10'000;
    int64_t threads = 0;  // 0: one per core
    int64_t shutdown_grace_ms = 10'000;
  } server;
  std::string data_dir = "awoooi-data";
  struct Store {
    std::string type = "sqlite";
    std::string path;  // default: <data_dir>/awoooi.db
    bool fsync = true;
    int64_t max_queue_alerts = 200'000;
    int64_t max_batch_alerts = 20'000;
    int64_t reopen_window_ms = 3'600'000;
  } store;
  struct Ingest {
    std::string auth = "none";  // none | token | hmac
    std::string token;          // for auth=token: senders present "Authorization: Bearer <token>"
    std::string hmac_secret;    // for auth=hmac: X-AWOOOI-Signature: sha256=<hex HMAC of body>
    ingest::GroupingRule grouping;
    ingest::ParseLimits limits;
  } ingest;
  struct Auth {
    bool demo_users = false;  // create alice, bob, carol, dave, admin and print their tokens
  } auth;
  struct Privacy {
    std::string vault_key_file;  // default: <data_dir>/vault.key (created on first start)
    std::vector<privacy::CustomPattern> custom_patterns;
  } privacy;
  struct Log {
    std::string level = "info";   // trace | debug | info | warn | error
    std::string format = "text";  // text | json
  } log;
  struct Topology {
    std::string file;  // a topology YAML file; empty: the embedded demo topology
    int64_t default_depth = 3;
    std::string dependency_label = "depends_on";  // alert label naming a service's dependencies
    int64_t context_budget_chars = 6'000;
  } topology;
  struct Pipeline {
    int64_t workers = 2;
    int64_t min_interval_ms = 5'000;
  } pipeline;
  PluginSettings brain;  // type: playbook (default) | openai | anthropic | ollama, and its settings

  bool from_file = false;  // false: embedded defaults (demo users, demo topology)
};

// Loads `path` (empty: defaults only) and applies `env` (normally the process environment).
absl::StatusOr<Config> LoadConfig(const std::string& path, const std::map<std::string, std::string>& env);
std::map<std::string, std::string> ProcessEnvironment();

}  // namespace awoooi::server
