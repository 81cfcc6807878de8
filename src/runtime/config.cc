#include "runtime/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "awoooi/topology/analysis.h"

extern char** environ;

namespace awoooi::runtime {

const std::vector<ConfigKey>& ConfigKeys() {
  static const auto* keys = new std::vector<ConfigKey>{
      {"data_dir", "awoooi-data", "Directory for the SQLite database and the vault key."},
      {"server.listen", "127.0.0.1:8080", "HOST:PORT the HTTP API listens on."},
      {"server.max_body_bytes", "8388608", "Largest accepted request body; larger gets 413."},
      {"server.max_header_bytes", "16384", "Largest accepted request header block; larger gets 431."},
      {"server.request_timeout", "30s",
       "Time allowed to receive one whole request (also the keep-alive idle limit)."},
      {"server.max_connections", "10000",
       "Open connections beyond this are answered 503 and closed at accept; lowered at start to the "
       "open-file limit (RLIMIT_NOFILE) minus server.fd_reserve."},
      {"server.max_connections_per_client", "256",
       "Open connections from one client address (IPv6: one /64) beyond this are answered 429 and closed at "
       "accept; 0 turns the cap off."},
      {"server.per_client_cap_exempts_loopback", "false",
       "true exempts 127.0.0.0/8 and ::1 from server.max_connections_per_client (a reverse proxy on the same "
       "host)."},
      {"server.fd_reserve", "64",
       "File descriptors kept free for the store, logs, child processes and outgoing HTTP when the "
       "connection cap is clamped to the open-file limit."},
      {"server.max_event_viewers", "5000",
       "Live server-sent-event streams (/api/v1/events, /thinking) in all; more get 503."},
      {"server.max_event_viewers_per_user", "50", "Live server-sent-event streams per user; more get 429."},
      {"server.event_write_timeout", "30s",
       "An event-stream viewer whose socket takes no byte for this long while events wait is disconnected."},
      {"server.max_event_backlog_bytes", "4194304",
       "An event-stream viewer with more than this many bytes waiting in the server is disconnected."},
      {"server.threads", "0", "I/O threads; 0 means one per core."},
      {"server.shutdown_grace", "10s", "On SIGTERM/SIGINT: how long in-flight requests may take to finish."},
      {"store.type", "sqlite", "The DATA plugin. Only sqlite in this release."},
      {"store.path", "", "SQLite file; default <data_dir>/awoooi.db."},
      {"store.fsync", "true", "fsync every commit (synchronous=FULL). Off only for throwaway test data."},
      {"store.max_queue_alerts", "200000",
       "Alerts waiting for the writer beyond which ingestion answers 503."},
      {"store.max_queue_bytes", "268435456",
       "Bytes of alert text waiting for the writer beyond which ingestion answers 503 (bounds memory "
       "whatever the alerts' size)."},
      {"store.max_batch_alerts", "20000", "Most alerts committed in one transaction."},
      {"store.reopen_window", "1h",
       "A resolved incident that fires again within this is reopened, else a new one opens."},
      {"store.retention_days", "90",
       "Resolved incidents quiet for this many days are deleted with their alerts, analyses, proposals and "
       "vault, hourly in small batches (awoooi store prune runs a pass now); incidents an approval names are "
       "kept. 0 keeps everything."},
      {"store.retention_batch", "100",
       "Incidents one retention transaction examines; after each, the pass rests as long as it took, so "
       "ingestion keeps at least half of the writer."},
      {"ingest.auth", "",
       "Ingestion authentication: token (Bearer), hmac (X-AWOOOI-Signature over X-AWOOOI-Timestamp and the "
       "body) or none. Unset means none on a loopback listener; any other listener refuses to start until it "
       "is set (docs/security.md)."},
      {"ingest.token", "", "Bearer token senders must present when ingest.auth=token."},
      {"ingest.hmac_secret", "", "Shared secret for ingest.auth=hmac."},
      {"server.public_url", "",
       "The dashboard's address as people reach it (https://awoooi.example.com): notifications link to it. "
       "Empty: no links."},
      {"notify.max_attempts", "12",
       "A notification is dead-lettered on a channel after this many failed attempts."},
      {"notify.max_age", "24h", "... or once it is this old."},
      {"ingest.hmac_window", "5m",
       "A signed request's X-AWOOOI-Timestamp must be within this of the server's clock (replay "
       "protection)."},
      {"server.allowed_hosts", "",
       "Comma-separated Host names accepted besides localhost/127.0.0.1/[::1] (DNS-rebinding protection)."},
      {"ingest.max_alerts_per_request", "10000", "Alerts per request beyond this get 400."},
      {"ingest.max_labels", "256", "Labels (and annotations) per alert beyond this get 400."},
      {"ingest.max_value_bytes", "65536", "Longest label or annotation value."},
      {"auth.demo_users", "false",
       "Create demo users alice (devops), bob (sre), carol (cto), dave (ciso), admin and print tokens (each "
       "start revokes the previous demo tokens). On with embedded defaults when listening on loopback, or "
       "with serve --demo."},
      {"privacy.vault_key_file", "",
       "32-byte key for vault encryption; default <data_dir>/vault.key, created on first start."},
      {"privacy.max_vault_values", "100000",
       "Distinct values one incident's vault may hold; beyond it new values get escaped labels that never "
       "rehydrate "
       "and the vault stops growing."},
      {"log.level", "info", "trace, debug, info, warn or error."},
      {"log.format", "text", "text or json (one JSON object per line)."},
      {"topology.file", "",
       "Topology YAML (services, kinds, depends_on); empty uses the embedded demo topology."},
      {"topology.default_depth", std::to_string(topology::kDefaultDepth),
       "BFS depth for blast radius and root cause when a request names none."},
      {"topology.dependency_label", "depends_on",
       "Alert label whose comma-separated value names the alerting service's dependencies (learned edges)."},
      {"topology.context_budget_chars", "6000",
       "Size budget of the retrieval-context document handed to the brain."},
      {"pipeline.workers", "2", "Analysis worker threads."},
      {"pipeline.nice", "10",
       "How much nicer than the server the analysis workers run (0..19, capped at niceness 19): under load "
       "the cores go to ingestion and the API first, and analyses use what is left. 0 runs them at the "
       "server's own priority."},
      {"pipeline.min_interval", "5s",
       "Shortest time between two analyses of the same incident; the first one runs at once, changes "
       "meanwhile are coalesced."},
      {"approvals.expiry", "1h", "A pending approval request expires (fails closed) after this."},
      {"approvals.trust.medium_to_low", "5", "Trust at which a MEDIUM action pattern runs automatically."},
      {"approvals.trust.high_to_medium", "10", "Trust at which a HIGH action pattern needs one signature."},
      {"approvals.execution_timeout", "60s", "Deadline for one dry-run or execution."},
      {"approvals.stateful_raises", "true",
       "A database service, statefulset or a database's PVC raises an action's risk one level."},
      {"audit.checkpoint_every", "1000",
       "Sign a Merkle checkpoint of the audit trail after this many new entries."},
      {"audit.checkpoint_interval", "5m", "... and at least this often, also when nothing happened."},
      {"audit.key_file", "",
       "Ed25519 key that signs audit checkpoints; default <data_dir>/audit.key, created on first start."},
      {"brain.type", "playbook", "The BRAIN plugin: playbook, openai, anthropic or ollama (docs/brain.md)."},
      {"brain.playbooks", "",
       "A directory of *.yaml playbooks added to the built-in set (same name replaces one)."},
      {"brain.builtin_playbooks", "true",
       "false drops the built-in playbook set (yours must then hold a catch-all)."},
      {"brain.model", "", "Model name for LLM brains (e.g. gpt-4o-mini, claude-sonnet-4-5, llama3.1:8b)."},
      {"brain.base_url", "",
       "Provider base URL; default per provider (Ollama's OpenAI API: type openai, "
       "http://localhost:11434/v1)."},
      {"brain.api_key", "", "Provider API key (prefer api_key_env or api_key_file); never logged."},
      {"brain.api_key_env", "", "Environment variable holding the API key."},
      {"brain.api_key_file", "", "File holding the API key."},
      {"brain.timeout", "60s", "Whole provider exchange per attempt, streamed body included."},
      {"brain.connect_timeout", "10s", "TCP/TLS connect timeout."},
      {"brain.max_tokens", "2048", "Largest answer requested from the provider."},
      {"brain.temperature", "0.2", "Sampling temperature, 0-2 (Anthropic caps at 1)."},
      {"brain.max_retries", "2", "Extra attempts on 429 and 5xx (not once the stream has started)."},
      {"brain.retry_backoff", "500ms",
       "First backoff, doubled per retry (max 8 s); Retry-After replaces it."},
      {"brain.max_retry_after", "30s",
       "A longer Retry-After is not waited for: the playbook answers at once."},
      {"brain.fallback", "true", "false returns the provider's errors instead of the playbook's answer."},
      {"brain.circuit_breaker.failures", "5", "Consecutive provider failures that open the circuit breaker."},
      {"brain.circuit_breaker.open_for", "30s",
       "How long an open breaker skips the provider before one trial call."},
  };
  return *keys;
}

namespace {

const std::set<std::string> kListKeys = {
    "ingest.group_by",   "notify_routes", "privacy.custom_patterns", "executors",
    "command_templates", "notifiers",     "approvals.rules",         "approvals.protected_namespaces"};

// One list entry (a map) as plugin settings: nested maps joined with '.', lists as ".0", ".1"
// (or, with `join_lists`, a list of scalars as one comma-separated value: notifiers' `to`).
absl::Status FlattenEntry(const YAML::Node& node, const std::string& prefix,
                          std::map<std::string, std::string>* out, bool join_lists = false) {
  if (node.IsMap()) {
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      if (auto s = FlattenEntry(kv.second, prefix.empty() ? key : prefix + "." + key, out, join_lists);
          !s.ok())
        return s;
    }
  } else if (node.IsSequence() && join_lists) {
    std::string joined;
    for (const auto& item : node) {
      if (!item.IsScalar()) return absl::InvalidArgumentError(prefix + ": a list of plain values");
      joined += (joined.empty() ? "" : ",") + item.Scalar();
    }
    (*out)[prefix] = joined;
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      if (auto s = FlattenEntry(node[i], prefix + "." + std::to_string(i), out); !s.ok()) return s;
    }
  } else {
    (*out)[prefix] = node.IsNull() ? "" : node.Scalar();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<PluginSettings>> ReadPluginList(const YAML::Node& n, const std::string& key,
                                                           bool join_lists = false) {
  if (!n.IsSequence()) return absl::InvalidArgumentError(key + ": must be a list of maps with a type");
  std::vector<PluginSettings> out;
  for (std::size_t i = 0; i < n.size(); ++i) {
    std::string path = absl::StrCat(key, "[", i, "]");
    if (!n[i].IsMap()) return absl::InvalidArgumentError(path + ": must be a map");
    std::map<std::string, std::string> values;
    if (auto s = FlattenEntry(n[i], "", &values, join_lists); !s.ok()) return s;
    if (!values.count("type")) return absl::InvalidArgumentError(path + ".type: is required");
    out.emplace_back(path, std::move(values));
  }
  return out;
}

absl::Status ReadTemplates(const YAML::Node& n, std::vector<action::CommandTemplate>* out) {
  if (!n.IsSequence()) return absl::InvalidArgumentError("command_templates: must be a list");
  for (std::size_t i = 0; i < n.size(); ++i) {
    std::string where = absl::StrCat("command_templates[", i, "]");
    const YAML::Node& t = n[i];
    action::CommandTemplate ct;
    ct.name = t["name"] ? t["name"].as<std::string>() : "";
    if (auto s = action::CheckValue({"name", action::ParamType::kIdentifier, true}, ct.name); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ".", s.message()));
    }
    if (!t["argv"] || !t["argv"].IsSequence() || t["argv"].size() == 0) {
      return absl::InvalidArgumentError(where + ".argv: a non-empty list of strings");
    }
    for (const auto& a : t["argv"]) ct.argv.push_back(a.as<std::string>());
    if (t["slots"]) {
      if (!t["slots"].IsMap())
        return absl::InvalidArgumentError(where + ".slots: a map of slot name to type");
      for (const auto& kv : t["slots"]) {
        std::string name = kv.first.as<std::string>(), type = kv.second.as<std::string>();
        action::ParamSpec spec{name, action::ParamType::kName, true, 0, 0, {}};
        if (type == "name")
          spec.type = action::ParamType::kName;
        else if (type == "namespace")
          spec.type = action::ParamType::kNamespace;
        else if (type == "duration")
          spec.type = action::ParamType::kDuration;
        else if (type == "identifier")
          spec.type = action::ParamType::kIdentifier;
        else if (type.rfind("integer", 0) == 0) {  // "integer" or "integer 1..10"
          spec.type = action::ParamType::kInteger;
          spec.min = 0;
          spec.max = 1'000'000;
          if (auto dots = type.find(".."); dots != std::string::npos) {
            spec.min = std::stoll(type.substr(8, dots - 8));
            spec.max = std::stoll(type.substr(dots + 2));
          }
        } else {
          return absl::InvalidArgumentError(
              absl::StrCat(where, ".slots.", name,
                           ": type must be name, namespace, integer [MIN..MAX], "
                           "duration or identifier"));
        }
        ct.slots.push_back(spec);
      }
    }
    for (const auto& a : ct.argv) {  // every {{slot}} is declared
      if (a.size() > 4 && a.rfind("{{", 0) == 0 && a.substr(a.size() - 2) == "}}") {
        std::string slot = a.substr(2, a.size() - 4);
        if (slot != "namespace" && slot != "target" &&
            std::none_of(ct.slots.begin(), ct.slots.end(), [&](const auto& s) { return s.name == slot; })) {
          return absl::InvalidArgumentError(
              absl::StrCat(where, ".argv: slot {{", slot, "}} is not declared in slots"));
        }
      }
    }
    ct.description = t["description"] ? t["description"].as<std::string>() : "";
    out->push_back(std::move(ct));
  }
  return absl::OkStatus();
}

absl::Status ReadRules(const YAML::Node& n, std::vector<approval::RiskRule>* out) {
  if (!n.IsSequence()) return absl::InvalidArgumentError("approvals.rules: must be a list");
  for (std::size_t i = 0; i < n.size(); ++i) {
    std::string where = absl::StrCat("approvals.rules[", i, "]");
    const YAML::Node& r = n[i];
    if (!r.IsMap()) return absl::InvalidArgumentError(where + ": must be a map");
    // A misspelt key would leave a rule that matches every action: unknown keys are errors.
    static const std::set<std::string> kRuleKeys = {"kind",  "target_kind", "namespaces",
                                                    "tools", "templates",   "replicas_below",
                                                    "risk",  "pinned",      "reason"};
    for (const auto& kv : r) {
      std::string key = kv.first.as<std::string>();
      if (!kRuleKeys.count(key)) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": unknown key \"", key,
                                                       "\" (kind, target_kind, namespaces, tools, templates, "
                                                       "replicas_below, risk, pinned, reason)"));
      }
    }
    approval::RiskRule rule;
    auto list = [&](const char* key) {
      std::vector<std::string> v;
      if (r[key]) {
        if (r[key].IsSequence()) {
          for (const auto& x : r[key]) v.push_back(x.as<std::string>());
        } else {
          v.push_back(r[key].as<std::string>());
        }
      }
      return v;
    };
    rule.kind = r["kind"] ? r["kind"].as<std::string>() : "";
    if (!rule.kind.empty() && !action::ParseKind(rule.kind))
      return absl::InvalidArgumentError(where + ".kind: unknown action kind");
    rule.target_kind = r["target_kind"] ? r["target_kind"].as<std::string>() : "";
    if (!rule.target_kind.empty() && !action::ParseTargetKind(rule.target_kind)) {
      return absl::InvalidArgumentError(where + ".target_kind: unknown target kind");
    }
    rule.namespaces = list("namespaces");
    rule.tools = list("tools");
    rule.templates = list("templates");
    rule.replicas_below = r["replicas_below"] ? r["replicas_below"].as<int64_t>() : -1;
    auto risk = approval::ParseRisk(r["risk"] ? r["risk"].as<std::string>() : "");
    if (!risk) return absl::InvalidArgumentError(where + ".risk: LOW, MEDIUM, HIGH or CRITICAL");
    rule.risk = *risk;
    rule.pinned = r["pinned"] && r["pinned"].as<bool>();
    rule.reason = r["reason"] ? r["reason"].as<std::string>() : "";
    out->push_back(std::move(rule));
  }
  return absl::OkStatus();
}

std::string Where(const YAML::Node& n) { return absl::StrCat(" (line ", n.Mark().line + 1, ")"); }

absl::Status Flatten(const YAML::Node& node, const std::string& prefix,
                     std::map<std::string, std::string>* out, std::map<std::string, YAML::Node>* lists) {
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
      return absl::InvalidArgumentError(
          "ingest.group_by: each entry is a label name or \"a|b\" alternatives" + Where(item));
    }
    rule->group_by.push_back(absl::StrSplit(item.Scalar(), '|', absl::SkipEmpty()));
  }
  return absl::OkStatus();
}

absl::Status ReadCustomPatterns(const YAML::Node& n, std::vector<privacy::CustomPattern>* out) {
  if (!n.IsSequence())
    return absl::InvalidArgumentError("privacy.custom_patterns: must be a list" + Where(n));
  for (size_t i = 0; i < n.size(); ++i) {
    const auto& p = n[i];
    std::string where = absl::StrCat("privacy.custom_patterns[", i, "]");
    if (!p.IsMap())
      return absl::InvalidArgumentError(where + ": must be a map with name, regex, label" + Where(p));
    privacy::CustomPattern cp;
    for (const auto& kv : p) {
      std::string k = kv.first.as<std::string>();
      if (k == "name")
        cp.name = kv.second.Scalar();
      else if (k == "regex")
        cp.regex = kv.second.Scalar();
      else if (k == "label")
        cp.label_prefix = kv.second.Scalar();
      else
        return absl::InvalidArgumentError(absl::StrCat(where, ".", k, ": unknown key", Where(kv.first)));
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
    if (!root.IsNull() && !root.IsMap())
      return absl::InvalidArgumentError(path + ": must be a YAML map of sections");
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
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": ", k, ": unknown key (see docs/configuration.md)"));
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
  auto fail = [&](const absl::Status& s) {
    return absl::InvalidArgumentError(absl::StrCat("config: ", s.message()));
  };
#define AWOOOI_READ(dst, expr)              \
  do {                                      \
    auto _v = (expr);                       \
    if (!_v.ok()) return fail(_v.status()); \
    dst = *_v;                              \
  } while (0)

  config.data_dir = all.GetString("data_dir");
  config.server.listen = all.GetString("server.listen");
  AWOOOI_READ(config.server.max_body_bytes, all.GetInt("server.max_body_bytes", 0, 1024, 1LL << 30));
  AWOOOI_READ(config.server.max_header_bytes, all.GetInt("server.max_header_bytes", 0, 1024, 1 << 20));
  AWOOOI_READ(config.server.request_timeout_ms,
              all.GetDurationMs("server.request_timeout", 0, 100, 3'600'000));
  AWOOOI_READ(config.server.max_connections, all.GetInt("server.max_connections", 0, 1, 1'000'000));
  AWOOOI_READ(config.server.max_connections_per_client,
              all.GetInt("server.max_connections_per_client", 0, 0, 1'000'000));
  AWOOOI_READ(config.server.per_client_cap_exempts_loopback,
              all.GetBool("server.per_client_cap_exempts_loopback", false));
  AWOOOI_READ(config.server.fd_reserve, all.GetInt("server.fd_reserve", 0, 0, 100'000));
  AWOOOI_READ(config.server.max_event_viewers, all.GetInt("server.max_event_viewers", 0, 1, 1'000'000));
  AWOOOI_READ(config.server.max_event_viewers_per_user,
              all.GetInt("server.max_event_viewers_per_user", 0, 1, 1'000'000));
  AWOOOI_READ(config.server.event_write_timeout_ms,
              all.GetDurationMs("server.event_write_timeout", 0, 100, 3'600'000));
  AWOOOI_READ(config.server.max_event_backlog_bytes,
              all.GetInt("server.max_event_backlog_bytes", 0, 65536, 1LL << 30));
  AWOOOI_READ(config.server.threads, all.GetInt("server.threads", 0, 0, 256));
  AWOOOI_READ(config.server.shutdown_grace_ms, all.GetDurationMs("server.shutdown_grace", 0, 0, 600'000));

  config.store.type = all.GetString("store.type");
  if (config.store.type != "sqlite") {
    return fail(
        absl::InvalidArgumentError("store.type: unknown type \"" + config.store.type + "\" (known: sqlite)"));
  }
  config.store.path = all.GetString("store.path");
  AWOOOI_READ(config.store.fsync, all.GetBool("store.fsync", true));
  AWOOOI_READ(config.store.max_queue_alerts, all.GetInt("store.max_queue_alerts", 0, 1, 100'000'000));
  AWOOOI_READ(config.store.max_queue_bytes, all.GetInt("store.max_queue_bytes", 0, 1 << 20, 64LL << 30));
  AWOOOI_READ(config.store.max_batch_alerts, all.GetInt("store.max_batch_alerts", 0, 1, 1'000'000));
  AWOOOI_READ(config.store.reopen_window_ms,
              all.GetDurationMs("store.reopen_window", 0, 0, 365LL * 86'400'000));
  AWOOOI_READ(config.store.retention_days, all.GetInt("store.retention_days", 0, 0, 36'500));
  AWOOOI_READ(config.store.retention_batch, all.GetInt("store.retention_batch", 0, 1, 10'000));

  config.ingest.auth = all.GetString("ingest.auth");
  config.ingest.token = all.GetString("ingest.token");
  config.ingest.hmac_secret = all.GetString("ingest.hmac_secret");
  if (!config.ingest.auth.empty() && config.ingest.auth != "none" && config.ingest.auth != "token" &&
      config.ingest.auth != "hmac") {
    return fail(absl::InvalidArgumentError("ingest.auth: must be none, token or hmac, not \"" +
                                           config.ingest.auth + "\""));
  }
  if (config.ingest.auth == "token" && config.ingest.token.size() < 16) {
    return fail(
        absl::InvalidArgumentError("ingest.token: needs at least 16 characters when ingest.auth=token"));
  }
  if (config.ingest.auth == "hmac" && config.ingest.hmac_secret.size() < 16) {
    return fail(
        absl::InvalidArgumentError("ingest.hmac_secret: needs at least 16 characters when ingest.auth=hmac"));
  }
  AWOOOI_READ(config.ingest.hmac_window_ms, all.GetDurationMs("ingest.hmac_window", 0, 1'000, 86'400'000));
  for (auto host : absl::StrSplit(all.GetString("server.allowed_hosts"), ',', absl::SkipWhitespace())) {
    config.server.allowed_hosts.push_back(absl::AsciiStrToLower(absl::StripAsciiWhitespace(host)));
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
  if (!config.from_file && !env.count(EnvName("auth.demo_users"))) {
    values["auth.demo_users"] = "true";
    config.auth.demo_users_implicit = true;
  }
  all = PluginSettings("", values);
  AWOOOI_READ(config.auth.demo_users, all.GetBool("auth.demo_users", false));
  config.privacy.vault_key_file = all.GetString("privacy.vault_key_file");
  AWOOOI_READ(config.privacy.max_vault_values, all.GetInt("privacy.max_vault_values", 0, 16, 100'000'000));
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
  AWOOOI_READ(config.topology.default_depth,
              all.GetInt("topology.default_depth", 0, topology::kMinDepth, topology::kMaxDepth));
  config.topology.dependency_label = all.GetString("topology.dependency_label");
  AWOOOI_READ(config.topology.context_budget_chars,
              all.GetInt("topology.context_budget_chars", 0, 500, 1'000'000));
  AWOOOI_READ(config.pipeline.workers, all.GetInt("pipeline.workers", 0, 1, 64));
  AWOOOI_READ(config.pipeline.nice, all.GetInt("pipeline.nice", 0, 0, 19));
  AWOOOI_READ(config.pipeline.min_interval_ms, all.GetDurationMs("pipeline.min_interval", 0, 0, 3'600'000));

  AWOOOI_READ(config.approvals.expiry_ms, all.GetDurationMs("approvals.expiry", 0, 1'000, 30LL * 86'400'000));
  AWOOOI_READ(config.approvals.trust_medium_to_low,
              all.GetInt("approvals.trust.medium_to_low", 0, 1, 1'000'000));
  AWOOOI_READ(config.approvals.trust_high_to_medium,
              all.GetInt("approvals.trust.high_to_medium", 0, 1, 1'000'000));
  AWOOOI_READ(config.approvals.execution_timeout_ms,
              all.GetDurationMs("approvals.execution_timeout", 0, 100, 3'600'000));
  AWOOOI_READ(config.approvals.stateful_raises, all.GetBool("approvals.stateful_raises", true));
  try {
    if (auto it = lists.find("approvals.protected_namespaces"); it != lists.end()) {
      // A single value instead of a list must not silently remove every protection.
      if (!it->second.IsSequence()) {
        return fail(
            absl::InvalidArgumentError("approvals.protected_namespaces: must be a list of namespaces"));
      }
      config.approvals.protected_namespaces.clear();
      for (const auto& n : it->second) config.approvals.protected_namespaces.push_back(n.as<std::string>());
    }
    if (auto it = lists.find("approvals.rules"); it != lists.end()) {
      if (auto s = ReadRules(it->second, &config.approvals.rules); !s.ok()) return fail(s);
    }
  } catch (const YAML::Exception& e) {  // a value of the wrong type (replicas_below: abc, pinned: maybe)
    return fail(absl::InvalidArgumentError(absl::StrCat("approvals: ", e.what())));
  }
  AWOOOI_READ(config.audit.checkpoint_every, all.GetInt("audit.checkpoint_every", 0, 1, 100'000'000));
  AWOOOI_READ(config.audit.checkpoint_interval_ms,
              all.GetDurationMs("audit.checkpoint_interval", 0, 1'000, 86'400'000));
  config.audit.key_file = all.GetString("audit.key_file");
  if (auto it = lists.find("executors"); it != lists.end()) {
    auto list = ReadPluginList(it->second, "executors");
    if (!list.ok()) return fail(list.status());
    config.executors = std::move(*list);
  } else {
    config.executors = {PluginSettings("executors[0]", {{"type", "simulated"}})};
  }
  if (auto it = lists.find("notifiers"); it != lists.end()) {
    auto list = ReadPluginList(it->second, "notifiers", /*join_lists=*/true);
    if (!list.ok()) return fail(list.status());
    config.notifiers = std::move(*list);
  }
  config.server.public_url = all.GetString("server.public_url");
  AWOOOI_READ(config.notify.max_attempts, all.GetInt("notify.max_attempts", 0, 1, 1000));
  AWOOOI_READ(config.notify.max_age_ms, all.GetDurationMs("notify.max_age", 0, 1'000, 30LL * 86'400'000));
  if (auto it = lists.find("notify_routes"); it != lists.end()) {
    if (!it->second.IsSequence()) return fail(absl::InvalidArgumentError("notify_routes: must be a list"));
    for (std::size_t i = 0; i < it->second.size(); ++i) {
      const YAML::Node& r = it->second[i];
      if (!r.IsMap())
        return fail(absl::InvalidArgumentError(absl::StrCat("notify_routes[", i, "]: must be a map")));
      for (const auto& kv : r) {
        static const std::set<std::string> kRouteKeys = {"channels", "events", "services", "namespaces",
                                                         "min_severity"};
        std::string key = kv.first.as<std::string>();
        if (!kRouteKeys.count(key)) {
          return fail(absl::InvalidArgumentError(
              absl::StrCat("notify_routes[", i, "]: unknown key \"", key,
                           "\" (channels, events, services, namespaces, min_severity)")));
        }
      }
      notify::Route route;
      auto list = [&](const char* key) {
        std::vector<std::string> v;
        if (r[key] && r[key].IsSequence()) {
          for (const auto& x : r[key]) v.push_back(x.as<std::string>());
        } else if (r[key]) {
          v.push_back(r[key].as<std::string>());
        }
        return v;
      };
      route.channels = list("channels");
      route.events = list("events");
      route.services = list("services");
      route.namespaces = list("namespaces");
      if (r["min_severity"]) route.min_severity = ParseSeverity(r["min_severity"].as<std::string>());
      config.notify.routes.push_back(std::move(route));
    }
  }
  if (auto it = lists.find("command_templates"); it != lists.end()) {
    if (auto s = ReadTemplates(it->second, &config.command_templates); !s.ok()) return fail(s);
  } else {
    // The default set: cert-manager's renewal (the certificate-expiry playbook proposes it).
    config.command_templates.push_back(
        action::CommandTemplate{"cert-manager-renew",
                                {"cmctl", "renew", "--namespace", "{{namespace}}", "{{certificate}}"},
                                {action::ParamSpec{"certificate", action::ParamType::kName, true, 0, 0, {}}},
                                "Renew a cert-manager Certificate now"});
  }

  std::map<std::string, std::string> brain = all.Sub("brain").values();
  if (!brain.count("type")) brain["type"] = "playbook";
  config.brain = PluginSettings("brain", std::move(brain));
#undef AWOOOI_READ
  return config;
}

}  // namespace awoooi::runtime
