#include "runtime/config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "awoooi/topology/analysis.h"

extern char** environ;

namespace awoooi::runtime {

const std::vector<ConfigKey>& ConfigKeys() {
  static const auto* keys = new std::vector<ConfigKey>{
    {"data_dir", "awoooi-data", "Directory for the SQLite database and the vault key."},
    {"server.listen", "127.0.0.1:8080", "HOST:PORT the HTTP API listens on."},
    {"server.max_body_bytes", "8388608", "Largest accepted request body; larger gets 413."},
    {"server.max_header_bytes", "16384", "Largest accepted request header block; larger gets 431."},
    {"server.request_timeout", "30s", "Time allowed to receive one whole request (also the keep-alive idle limit)."},
    {"server.max_connections", "10000", "Open connections beyond this are closed at accept."},
    {"server.threads", "0", "I/O threads; 0 means one per core."},
    {"server.shutdown_grace", "10s", "On SIGTERM/SIGINT: how long in-flight requests may take to finish."},
    {"store.type", "sqlite", "The DATA plugin. Only sqlite in this release."},
    {"store.path", "", "SQLite file; default <data_dir>/awoooi.db."},
    {"store.fsync", "true", "fsync every commit (synchronous=FULL). Off only for throwaway test data."},
    {"store.max_queue_alerts", "200000", "Alerts waiting for the writer beyond which ingestion answers 503."},
    {"store.max_batch_alerts", "20000", "Most alerts committed in one transaction."},
    {"store.reopen_window", "1h", "A resolved incident that fires again within this is reopened, else a new one opens."},
    {"ingest.auth", "none", "Ingestion authentication: none, token (Bearer) or hmac (X-AWOOOI-Signature)."},
    {"ingest.token", "", "Bearer token senders must present when ingest.auth=token."},
    {"ingest.hmac_secret", "", "Shared secret for ingest.auth=hmac."},
    {"ingest.max_alerts_per_request", "10000", "Alerts per request beyond this get 400."},
    {"ingest.max_labels", "256", "Labels (and annotations) per alert beyond this get 400."},
    {"ingest.max_value_bytes", "65536", "Longest label or annotation value."},
    {"auth.demo_users", "false", "Create demo users alice (devops), bob (sre), carol (cto), dave (ciso), admin and print tokens. Always on with embedded defaults."},
    {"privacy.vault_key_file", "", "32-byte key for vault encryption; default <data_dir>/vault.key, created on first start."},
    {"log.level", "info", "trace, debug, info, warn or error."},
    {"log.format", "text", "text or json (one JSON object per line)."},
    {"topology.file", "", "Topology YAML (services, kinds, depends_on); empty uses the embedded demo topology."},
    {"topology.default_depth", std::to_string(topology::kDefaultDepth), "BFS depth for blast radius and root cause when a request names none."},
    {"topology.dependency_label", "depends_on", "Alert label whose comma-separated value names the alerting service's dependencies (learned edges)."},
    {"topology.context_budget_chars", "6000", "Size budget of the retrieval-context document handed to the brain."},
    {"pipeline.workers", "2", "Analysis worker threads."},
    {"pipeline.min_interval", "5s", "Shortest time between two analyses of the same incident; the first one runs at once, changes meanwhile are coalesced."},
    {"brain.type", "playbook", "The BRAIN plugin: playbook, openai, anthropic or ollama (docs/brain.md)."},
    {"brain.playbooks", "", "A directory of *.yaml playbooks added to the built-in set (same name replaces one)."},
    {"brain.builtin_playbooks", "true", "false drops the built-in playbook set (yours must then hold a catch-all)."},
    {"brain.model", "", "Model name for LLM brains (e.g. gpt-4o-mini, claude-sonnet-4-5, llama3.1:8b)."},
    {"brain.base_url", "", "Provider base URL; default per provider (Ollama's OpenAI API: type openai, http://localhost:11434/v1)."},
    {"brain.api_key", "", "Provider API key (prefer api_key_env or api_key_file); never logged."},
    {"brain.api_key_env", "", "Environment variable holding the API key."},
    {"brain.api_key_file", "", "File holding the API key."},
    {"brain.timeout", "60s", "Whole provider exchange per attempt, streamed body included."},
    {"brain.connect_timeout", "10s", "TCP/TLS connect timeout."},
    {"brain.max_tokens", "2048", "Largest answer requested from the provider."},
    {"brain.temperature", "0.2", "Sampling temperature, 0-2 (Anthropic caps at 1)."},
    {"brain.max_retries", "2", "Extra attempts on 429 and 5xx (not once the stream has started)."},
    {"brain.retry_backoff", "500ms", "First backoff, doubled per retry (max 8 s); Retry-After replaces it."},
    {"brain.max_retry_after", "30s", "A longer Retry-After is not waited for: the playbook answers at once."},
    {"brain.fallback", "true", "false returns the provider's errors instead of the playbook's answer."},
    {"brain.circuit_breaker.failures", "5", "Consecutive provider failures that open the circuit breaker."},
    {"brain.circuit_breaker.open_for", "30s", "How long an open breaker skips the provider before one trial call."},
  };
  return *keys;
}

namespace {

const std::set<std::string> kListKeys = {"ingest.group_by", "privacy.custom_patterns"};

std::string Where(const YAML::Node& n) { return absl::StrCat(" (line ", n.Mark().line + 1, ")"); }

absl::Status Flatten(const YAML::Node& node, const std::string& prefix, std::map<std::string, std::string>* out,
                     std::map<std::string, YAML::Node>* lists) {
  if (node.IsMap()) {
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      std::string path = prefix.empty() ? key : prefix + "." + key;
      if (kListKeys.count(path)) {
        (*lists)[path] = kv.second;
        continue;
      }
      if (auto s = Flatten(kv.second, path, out, lists); !s.ok()) return s;
    }
    return absl::OkStatus();
  }
  if (node.IsSequence()) {
    return absl::InvalidArgumentError(absl::StrCat(prefix, ": a list is not allowed here", Where(node)));
  }
  if (node.IsNull()) {
    (*out)[prefix] = "";
    return absl::OkStatus();
  }
  (*out)[prefix] = node.Scalar();
  return absl::OkStatus();
}

absl::Status ReadGroupBy(const YAML::Node& n, ingest::GroupingRule* rule) {
  if (!n.IsSequence() || n.size() == 0) {
    return absl::InvalidArgumentError("ingest.group_by: must be a non-empty list of label names" + Where(n));
  }
  rule->group_by.clear();
  for (const auto& item : n) {
    if (!item.IsScalar() || item.Scalar().empty()) {
      return absl::InvalidArgumentError("ingest.group_by: each entry is a label name or \"a|b\" alternatives" +
                                        Where(item));
    }
    rule->group_by.push_back(absl::StrSplit(item.Scalar(), '|', absl::SkipEmpty()));
  }
  return absl::OkStatus();
}

absl::Status ReadCustomPatterns(const YAML::Node& n, std::vector<privacy::CustomPattern>* out) {
  if (!n.IsSequence()) return absl::InvalidArgumentError("privacy.custom_patterns: must be a list" + Where(n));
  for (size_t i = 0; i < n.size(); ++i) {
    const auto& p = n[i];
    std::string where = absl::StrCat("privacy.custom_patterns[", i, "]");
    if (!p.IsMap()) return absl::InvalidArgumentError(where + ": must be a map with name, regex, label" + Where(p));
    privacy::CustomPattern cp;
    for (const auto& kv : p) {
      std::string k = kv.first.as<std::string>();
      if (k == "name") cp.name = kv.second.Scalar();
      else if (k == "regex") cp.regex = kv.second.Scalar();
      else if (k == "label") cp.label_prefix = kv.second.Scalar();
      else return absl::InvalidArgumentError(absl::StrCat(where, ".", k, ": unknown key", Where(kv.first)));
    }
    if (cp.name.empty() || cp.regex.empty() || cp.label_prefix.empty()) {
      return absl::InvalidArgumentError(where + ": name, regex and label are all required" + Where(p));
    }
    for (char c : cp.label_prefix) {
      if (!(c >= 'A' && c <= 'Z') && c != '_') {
        return absl::InvalidArgumentError(where + ".label: use upper-case letters, e.g. EMP" + Where(p));
      }
    }
    out->push_back(std::move(cp));
  }
  return absl::OkStatus();
}

std::string EnvName(std::string_view key) {
  std::string name = "AWOOOI_" + absl::AsciiStrToUpper(std::string(key));
  for (char& c : name) {
    if (c == '.') c = '_';
  }
  return name;
}

}  // namespace

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    if (kv.substr(0, 7) != "AWOOOI_") continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

absl::StatusOr<Config> LoadConfig(const std::string& path, const std::map<std::string, std::string>& env) {
  Config config;
  std::map<std::string, std::string> values;
  std::map<std::string, YAML::Node> lists;
  if (!path.empty()) {
    std::ifstream in(path);
    if (!in) return absl::NotFoundError(absl::StrCat("config: cannot read ", path));
    std::stringstream text;
    text << in.rdbuf();
    YAML::Node root;
    try {
      root = YAML::Load(text.str());
    } catch (const YAML::Exception& e) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": ", e.what()));
    }
    if (!root.IsNull() && !root.IsMap()) return absl::InvalidArgumentError(path + ": must be a YAML map of sections");
    if (root.IsMap()) {
      if (auto s = Flatten(root, "", &values, &lists); !s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": ", s.message()));
      }
    }
    config.from_file = true;
  }
  std::set<std::string> known;
  for (const auto& k : ConfigKeys()) known.insert(k.key);
  for (const auto& [k, v] : values) {
    // brain.* is open-ended: providers validate their own keys.
    if (!known.count(k) && k.rfind("brain.", 0) != 0) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": ", k, ": unknown key (see docs/configuration.md)"));
    }
  }
  for (const auto& k : ConfigKeys()) {
    auto it = env.find(EnvName(k.key));
    if (it != env.end()) values[k.key] = it->second;
    // Every key read below has a value: the file's, the environment's, or its default. The brain's
    // keys stay absent unless given: each provider reads its own, with these defaults.
    if (!values.count(k.key) && k.key.rfind("brain.", 0) != 0) values[k.key] = k.default_value;
  }

  PluginSettings all("", values);
  auto fail = [&](const absl::Status& s) { return absl::InvalidArgumentError(absl::StrCat("config: ", s.message())); };
#define AWOOOI_READ(dst, expr)        \
  do {                                \
    auto _v = (expr);                 \
    if (!_v.ok()) return fail(_v.status()); \
    dst = *_v;                        \
  } while (0)

  config.data_dir = all.GetString("data_dir");
  config.server.listen = all.GetString("server.listen");
  AWOOOI_READ(config.server.max_body_bytes, all.GetInt("server.max_body_bytes", 0, 1024, 1LL << 30));
  AWOOOI_READ(config.server.max_header_bytes, all.GetInt("server.max_header_bytes", 0, 1024, 1 << 20));
  AWOOOI_READ(config.server.request_timeout_ms, all.GetDurationMs("server.request_timeout", 0, 100, 3'600'000));
  AWOOOI_READ(config.server.max_connections, all.GetInt("server.max_connections", 0, 1, 1'000'000));
  AWOOOI_READ(config.server.threads, all.GetInt("server.threads", 0, 0, 256));
  AWOOOI_READ(config.server.shutdown_grace_ms, all.GetDurationMs("server.shutdown_grace", 0, 0, 600'000));

  config.store.type = all.GetString("store.type");
  if (config.store.type != "sqlite") {
    return fail(absl::InvalidArgumentError("store.type: unknown type \"" + config.store.type + "\" (known: sqlite)"));
  }
  config.store.path = all.GetString("store.path");
  AWOOOI_READ(config.store.fsync, all.GetBool("store.fsync", true));
  AWOOOI_READ(config.store.max_queue_alerts, all.GetInt("store.max_queue_alerts", 0, 1, 100'000'000));
  AWOOOI_READ(config.store.max_batch_alerts, all.GetInt("store.max_batch_alerts", 0, 1, 1'000'000));
  AWOOOI_READ(config.store.reopen_window_ms, all.GetDurationMs("store.reopen_window", 0, 0, 365LL * 86'400'000));

  config.ingest.auth = all.GetString("ingest.auth");
  config.ingest.token = all.GetString("ingest.token");
  config.ingest.hmac_secret = all.GetString("ingest.hmac_secret");
  if (config.ingest.auth != "none" && config.ingest.auth != "token" && config.ingest.auth != "hmac") {
    return fail(absl::InvalidArgumentError("ingest.auth: must be none, token or hmac, not \"" + config.ingest.auth + "\""));
  }
  if (config.ingest.auth == "token" && config.ingest.token.size() < 16) {
    return fail(absl::InvalidArgumentError("ingest.token: needs at least 16 characters when ingest.auth=token"));
  }
  if (config.ingest.auth == "hmac" && config.ingest.hmac_secret.size() < 16) {
    return fail(absl::InvalidArgumentError("ingest.hmac_secret: needs at least 16 characters when ingest.auth=hmac"));
  }
  int64_t v = 0;
  AWOOOI_READ(v, all.GetInt("ingest.max_alerts_per_request", 0, 1, 1'000'000));
  config.ingest.limits.max_alerts = static_cast<size_t>(v);
  AWOOOI_READ(v, all.GetInt("ingest.max_labels", 0, 1, 100'000));
  config.ingest.limits.max_labels = static_cast<size_t>(v);
  AWOOOI_READ(v, all.GetInt("ingest.max_value_bytes", 0, 16, 16 << 20));
  config.ingest.limits.max_value_bytes = static_cast<size_t>(v);
  if (auto it = lists.find("ingest.group_by"); it != lists.end()) {
    if (auto s = ReadGroupBy(it->second, &config.ingest.grouping); !s.ok()) return fail(s);
  }

  // Demo users are on with embedded defaults unless the environment says otherwise.
  if (!config.from_file && !env.count(EnvName("auth.demo_users"))) values["auth.demo_users"] = "true";
  all = PluginSettings("", values);
  AWOOOI_READ(config.auth.demo_users, all.GetBool("auth.demo_users", false));
  config.privacy.vault_key_file = all.GetString("privacy.vault_key_file");
  if (auto it = lists.find("privacy.custom_patterns"); it != lists.end()) {
    if (auto s = ReadCustomPatterns(it->second, &config.privacy.custom_patterns); !s.ok()) return fail(s);
  }

  config.log.level = all.GetString("log.level");
  if (!std::set<std::string>{"trace", "debug", "info", "warn", "error"}.count(config.log.level)) {
    return fail(absl::InvalidArgumentError("log.level: must be trace, debug, info, warn or error"));
  }
  config.log.format = all.GetString("log.format");
  if (config.log.format != "text" && config.log.format != "json") {
    return fail(absl::InvalidArgumentError("log.format: must be text or json"));
  }

  config.topology.file = all.GetString("topology.file");
  AWOOOI_READ(config.topology.default_depth, all.GetInt("topology.default_depth", 0, topology::kMinDepth, topology::kMaxDepth));
  config.topology.dependency_label = all.GetString("topology.dependency_label");
  AWOOOI_READ(config.topology.context_budget_chars, all.GetInt("topology.context_budget_chars", 0, 500, 1'000'000));
  AWOOOI_READ(config.pipeline.workers, all.GetInt("pipeline.workers", 0, 1, 64));
  AWOOOI_READ(config.pipeline.min_interval_ms, all.GetDurationMs("pipeline.min_interval", 0, 0, 3'600'000));

  std::map<std::string, std::string> brain = all.Sub("brain").values();
  if (!brain.count("type")) brain["type"] = "playbook";
  config.brain = PluginSettings("brain", std::move(brain));
#undef AWOOOI_READ
  return config;
}

}  // namespace awoooi::runtime
