#include "cli/cli.h"

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "awoooi/version.h"
#include "cli/analyze_command.h"
#include "cli/mcp_command.h"
#include "cli/notify_command.h"
#include "cli/redact_command.h"
#include "cli/topology_command.h"
#include "cli/tracer_bullet.h"
#include "plugins/stores/sqlite/sqlite_store.h"
#include "runtime/runtime.h"

namespace awoooi::cli {
namespace {

struct CommonOptions {
  std::string config_file;
  std::string data_dir;
};

absl::StatusOr<runtime::Config> LoadConfig(const CommonOptions& o) {
  auto env = runtime::ProcessEnvironment();
  auto config = runtime::LoadConfig(o.config_file, env);
  if (!config.ok()) return config.status();
  if (!o.data_dir.empty()) config->data_dir = o.data_dir;
  return config;
}

int Fail(const absl::Status& s) {
  std::cerr << "awoooi: " << s.message() << "\n";
  return 1;
}

// The store and the shield it needs, for the administrative commands.
struct OpenedStore {
  std::unique_ptr<privacy::Shield> shield;
  std::unique_ptr<store::Store> store;
};

absl::StatusOr<OpenedStore> OpenStore(const runtime::Config& config) {
  auto shield = runtime::MakeShield(config);
  if (!shield.ok()) return shield.status();
  auto st = runtime::OpenStore(config, **shield);
  if (!st.ok()) return st.status();
  return OpenedStore{std::move(*shield), std::move(*st)};
}

// Who ran an administrative command, for the audit trail: the operating-system user.
std::string CliActor() {
  const char* user = std::getenv("USER");
  return std::string("cli:") + (user != nullptr && *user != '\0' ? user : "unknown");
}

// The administrative commands: a valid role, the configured store, then `fn`; an exit code.
int WithStore(const CommonOptions& common, const std::string& role_name,
              const std::function<absl::Status(store::Store&, Role)>& fn) {
  auto role = ParseRole(role_name);
  if (!role)
    return Fail(absl::InvalidArgumentError("--role: must be admin, devops, sre, cto, ciso or viewer"));
  auto config = LoadConfig(common);
  if (!config.ok()) return Fail(config.status());
  auto opened = OpenStore(*config);
  if (!opened.ok()) return Fail(opened.status());
  if (auto s = fn(*opened->store, *role); !s.ok()) return Fail(s);
  return 0;
}

int Serve(const Faces& faces, const CommonOptions& common, const std::string& listen, bool demo) {
  auto config = LoadConfig(common);
  if (!config.ok()) return Fail(config.status());
  if (!listen.empty()) config->server.listen = listen;
  if (demo) {
    config->auth.demo_users = true;
    config->auth.demo_users_implicit = false;  // asked for explicitly: on any listener
  }
  return faces.serve(std::move(*config));
}

}  // namespace

int Main(int argc, char** argv, const Faces& faces) {
  CLI::App app{
      "AWOOOI: alert -> topology-aware root cause -> redacted analysis -> proposed fix.\n"
      "Run `awoooi serve` to start the platform on embedded defaults.",
      "awoooi"};
  app.require_subcommand(1);
  app.set_version_flag("--version", AWOOOI_VERSION);
  CommonOptions common;
  auto add_common = [&common](CLI::App* sub) {
    sub->add_option("--config", common.config_file, "YAML configuration file (docs/configuration.md)")
        ->check(CLI::ExistingFile);
    sub->add_option("--data-dir", common.data_dir,
                    "Data directory (SQLite database, vault key); default awoooi-data");
  };
  int rc = 0;

  auto* serve = app.add_subcommand("serve", "Run the platform: HTTP API, ingestion, analysis pipeline");
  add_common(serve);
  std::string listen;
  bool demo = false;
  serve->add_option("--listen", listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  serve->add_flag("--demo", demo,
                  "Create the demo users and print their tokens (on by default without --config)");
  serve->callback([&] { rc = Serve(faces, common, listen, demo); });

  auto* migrate = app.add_subcommand("migrate", "Create or upgrade the database schema, then exit");
  add_common(migrate);
  migrate->callback([&] {
    auto config = LoadConfig(common);
    if (!config.ok()) {
      rc = Fail(config.status());
      return;
    }
    // The key first: a database must never exist without the key its vaults will be sealed with.
    if (auto shield = runtime::MakeShield(*config); !shield.ok()) {
      rc = Fail(shield.status());
      return;
    }
    std::string path =
        config->store.path.empty() ? runtime::DataPath(*config, "awoooi.db") : config->store.path;
    auto applied = store::MigrateSqlite(path);
    if (!applied.ok()) {
      rc = Fail(applied.status());
      return;
    }
    std::cout << "migrated " << path << ": " << *applied << " migration(s) applied\n";
  });

  auto* user = app.add_subcommand("user", "Manage users");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "Add a user with a role");
  add_common(user_add);
  std::string user_name, role_name;
  user_add->add_option("NAME", user_name, "User name")->required();
  user_add->add_option("--role", role_name, "admin, devops, sre, cto, ciso or viewer")->required();
  user_add->callback([&] {
    rc = WithStore(common, role_name, [&](store::Store& st, Role role) -> absl::Status {
      auto u = st.AddUser(user_name, role);
      if (!u.ok()) return u.status();
      if (auto a = st.AppendAudit({{"user.added", CliActor(), "user/" + u->name,
                                    "{\"role\":\"" + std::string(ToString(u->role)) + "\"}"}});
          !a.ok())
        return a;
      std::cout << "added user " << u->name << " (" << ToString(u->role) << ")\n";
      return absl::OkStatus();
    });
  });

  auto* user_role = user->add_subcommand(
      "set-role", "Change a user's role (a pending approval they signed is voided when it is next signed)");
  add_common(user_role);
  user_role->add_option("NAME", user_name, "User name")->required();
  user_role->add_option("--role", role_name, "admin, devops, sre, cto, ciso or viewer")->required();
  user_role->callback([&] {
    rc = WithStore(common, role_name, [&](store::Store& st, Role role) -> absl::Status {
      if (auto s = st.SetRole(user_name, role); !s.ok()) return s;
      std::cout << "user " << user_name << " is now " << ToString(role) << "\n";
      return absl::OkStatus();
    });
  });
  auto* user_remove = user->add_subcommand("remove", "Remove a user: their tokens stop working at once");
  add_common(user_remove);
  user_remove->add_option("NAME", user_name, "User name")->required();
  user_remove->callback([&] {
    rc = WithStore(common, "viewer", [&](store::Store& st, Role) -> absl::Status {
      if (auto s = st.RemoveUser(user_name); !s.ok()) return s;
      std::cout << "removed user " << user_name << "\n";
      return absl::OkStatus();
    });
  });

  auto* audit_cmd = app.add_subcommand("audit", "The tamper-evident audit trail");
  audit_cmd->require_subcommand(1);
  auto* audit_verify = audit_cmd->add_subcommand(
      "verify", "Prove the hash chain and the signed Merkle checkpoints, or name the first broken entry");
  add_common(audit_verify);
  audit_verify->callback([&] {
    rc = WithStore(common, "viewer", [&](store::Store& st, Role) -> absl::Status {
      auto config = LoadConfig(common);
      if (!config.ok()) return config.status();
      auto key = runtime::LoadAuditKey(*config);
      if (!key.ok() && !absl::IsNotFound(key.status())) return key.status();
      const audit::CheckpointKey* k = key.ok() ? key->get() : nullptr;
      auto r = runtime::VerifyAudit(st, k);
      if (!r.ok()) return r.status();
      if (r->ok && k == nullptr && r->checkpoints > 0) {
        std::cout << "audit trail chain OK (" << r->entries << " entries), but the signatures of "
                  << r->checkpoints << " checkpoint(s) could not be checked: " << key.status().message()
                  << "\n";
        return absl::FailedPreconditionError("the checkpoint signing key is missing");
      }
      if (r->ok) {
        std::cout << "audit trail OK: " << r->entries << " entries, " << r->checkpoints
                  << " signed checkpoint(s) verified" << (k ? " (key " + k->key_id() + ")" : std::string())
                  << "\n";
        return absl::OkStatus();
      }
      std::cout << "audit trail BROKEN"
                << (r->first_bad > 0 ? " at entry " + std::to_string(r->first_bad) : std::string()) << ": "
                << r->reason << "\n";
      return absl::DataLossError("the audit trail does not verify");
    });
  });

  auto* cluster_cmd = app.add_subcommand("cluster", "The simulated cluster (the embedded default executor)");
  cluster_cmd->require_subcommand(1);
  auto* cluster_show = cluster_cmd->add_subcommand("show", "Print its nodes, workloads, pods, PVCs and PDBs");
  add_common(cluster_show);
  cluster_show->callback([&] {
    rc = WithStore(common, "viewer", [&](store::Store& st, Role) -> absl::Status {
      auto config = LoadConfig(common);
      if (!config.ok()) return config.status();
      auto executors = runtime::MakeExecutors(*config, &st);
      if (!executors.ok()) return executors.status();
      for (auto& e : *executors) {
        if (e->control() == nullptr) continue;
        std::cout << runtime::ClusterToText(e->control()->Snapshot());
        return absl::OkStatus();
      }
      return absl::NotFoundError("no simulated cluster is configured (executors)");
    });
  });

  auto* token = app.add_subcommand("token", "Manage API tokens");
  token->require_subcommand(1);
  auto* token_create =
      token->add_subcommand("create", "Create an API token (the user is created when missing)");
  add_common(token_create);
  std::string token_user, token_role = "viewer";
  token_create->add_option("--user", token_user, "User the token belongs to")->required();
  token_create->add_option("--role", token_role, "Role for a user created now (default viewer)");
  std::string token_expires;
  token_create->add_option("--expires", token_expires, "Lifetime such as 90d, 12h or 30m (default: never)");
  token_create->callback([&] {
    absl::Time expires_at = absl::InfiniteFuture();
    if (!token_expires.empty()) {
      absl::Duration d;
      std::string text = token_expires;
      int days = 0;
      if (text.size() > 1 && text.back() == 'd' && absl::SimpleAtoi(text.substr(0, text.size() - 1), &days) &&
          days > 0) {
        d = absl::Hours(24) * days;
      } else if (!absl::ParseDuration(text, &d) || d <= absl::ZeroDuration()) {
        std::cerr << "awoooi token create: --expires wants a positive duration such as 90d, 12h or 30m, got '"
                  << token_expires << "'\n";
        rc = 2;
        return;
      }
      expires_at = absl::Now() + d;
    }
    rc = WithStore(common, token_role, [&](store::Store& st, Role role) -> absl::Status {
      auto t = runtime::IssueToken(st, token_user, role, expires_at);
      if (!t.ok()) return t.status();
      if (auto a = st.AppendAudit(
              {{"token.created", CliActor(), "user/" + token_user,
                expires_at == absl::InfiniteFuture()
                    ? "{\"expires\":null}"
                    : "{\"expires\":\"" +
                          absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", expires_at, absl::UTCTimeZone()) + "\"}"}});
          !a.ok())
        return a;
      std::string expiry = expires_at == absl::InfiniteFuture()
                               ? ""
                               : absl::StrCat(", expires ", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", expires_at,
                                                                             absl::UTCTimeZone()));
      std::cout << "token for " << token_user << " (shown once; store it now" << expiry << "):\n"
                << *t << "\n";
      return absl::OkStatus();
    });
  });
  auto* token_list =
      token->add_subcommand("list", "List tokens: id, user, role, created, expires, state (never the token)");
  add_common(token_list);
  token_list->callback([&] {
    rc = WithStore(common, "viewer", [&](store::Store& st, Role) -> absl::Status {
      auto tokens = st.ListTokens();
      if (!tokens.ok()) return tokens.status();
      auto when = [](absl::Time t) {
        if (t == absl::InfiniteFuture()) return std::string("never");
        return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
      };
      const absl::Time now = absl::Now();
      std::cout << "ID\tUSER\tROLE\tCREATED\tEXPIRES\tSTATE\n";
      for (const auto& t : *tokens) {
        std::string state = t.revoked_at != absl::InfinitePast() ? "revoked"
                            : t.expires_at <= now                ? "expired"
                                                                 : "active";
        if (t.demo) state += " (demo)";
        std::cout << t.id << "\t" << t.user << "\t" << t.role << "\t" << when(t.created_at) << "\t"
                  << when(t.expires_at) << "\t" << state << "\n";
      }
      return absl::OkStatus();
    });
  });
  auto* token_revoke =
      token->add_subcommand("revoke", "Revoke a token by its id (from token list): it stops working at once");
  add_common(token_revoke);
  int64_t revoke_id = 0;
  token_revoke->add_option("ID", revoke_id, "Token id")->required();
  token_revoke->callback([&] {
    rc = WithStore(common, "viewer", [&](store::Store& st, Role) -> absl::Status {
      if (auto s = st.RevokeToken(revoke_id); !s.ok()) return s;
      if (auto a = st.AppendAudit({{"token.revoked", CliActor(), absl::StrCat("token/", revoke_id), "{}"}});
          !a.ok())
        return a;
      std::cout << "revoked token " << revoke_id << "\n";
      return absl::OkStatus();
    });
  });

  auto* store_cmd = app.add_subcommand("store", "The database");
  store_cmd->require_subcommand(1);
  auto* store_prune = store_cmd->add_subcommand(
      "prune", "Run a retention pass now: delete resolved incidents quiet for store.retention_days");
  add_common(store_prune);
  int64_t prune_days = -1;
  store_prune
      ->add_option("--days", prune_days, "Quiet for at least this many days (default: store.retention_days)")
      ->check(CLI::Range(int64_t{1}, int64_t{36'500}));
  store_prune->callback([&] {
    rc = WithStore(common, "viewer", [&](store::Store& st, Role) -> absl::Status {
      auto config = LoadConfig(common);
      if (!config.ok()) return config.status();
      int64_t days = prune_days > 0 ? prune_days : config->store.retention_days;
      if (days <= 0) {
        return absl::FailedPreconditionError(
            "retention is off (store.retention_days is 0): pass --days N to prune once");
      }
      store::PruneRequest request;
      request.cutoff = absl::Now() - absl::Hours(24) * days;
      request.batch_incidents = config->store.retention_batch;
      request.actor = CliActor();
      auto r = st.PruneResolved(request);
      if (!r.ok()) return r.status();
      std::cout << "pruned " << r->incidents << " resolved incident(s) quiet for " << days << " days ("
                << r->alerts << " alerts) in " << r->batches << " batch(es); kept " << r->kept
                << " that approvals name\n";
      return absl::OkStatus();
    });
  });

  auto* config_cmd = app.add_subcommand("config", "Show what the configuration file can hold");
  config_cmd->require_subcommand(1);
  auto* config_keys =
      config_cmd->add_subcommand("keys", "Every scalar key: name, default and meaning (tab-separated)");
  config_keys->callback([&] {
    for (const auto& k : runtime::ConfigKeys())
      std::cout << k.key << "\t" << k.default_value << "\t" << k.description << "\n";
  });

  auto* tracer = app.add_subcommand(
      "tracer-bullet",
      "Run the whole loop (alert -> analysis -> approval -> signatures -> execution) against a server");
  TracerBulletOptions tracer_options;
  tracer->add_option("--url", tracer_options.url, "Server to test (default: start one in this process)");
  tracer->add_option("--token", tracer_options.token, "Token to read with (default: a demo user's)");
  tracer->add_option("--data-dir", tracer_options.data_dir,
                     "The server's data directory, to sign as its demo users (default: the configured one)");
  tracer->add_option("--config", tracer_options.config_file, "YAML configuration")->check(CLI::ExistingFile);
  tracer->add_option("--timeout", tracer_options.timeout_seconds, "Seconds each step may take (default 60)");
  tracer->callback([&] { rc = RunTracerBullet(tracer_options, faces, std::cout); });

  auto* version = app.add_subcommand("version", "Print the version");
  version->callback([&] { std::cout << "awoooi " << AWOOOI_VERSION << "\n"; });

  auto* redact = app.add_subcommand("redact", "Redact PII and secrets from a file or stdin to stdout");
  RedactOptions redact_options;
  std::string redact_config;
  redact->add_option("FILE", redact_options.file, "Input file (default: stdin)");
  redact->add_option("--scope", redact_options.scope,
                     "Scope name: the same value gets the same label within it");
  redact->add_flag("--json", redact_options.json, "Print the findings as JSON instead of the redacted text");
  redact->add_flag("--stats", redact_options.stats, "Print counts per type and throughput to stderr");
  redact
      ->add_option("--threads", redact_options.threads,
                   "1, or 2 to detect the next window while labelling this one (same output); default: 2 "
                   "when the machine has two hardware threads")
      ->check(CLI::Range(0, 2));
  redact->add_option("--config", redact_config, "YAML configuration (for privacy.custom_patterns)")
      ->check(CLI::ExistingFile);
  redact->callback([&] {
    auto config = runtime::LoadConfig(redact_config, runtime::ProcessEnvironment());
    if (!config.ok()) {
      rc = Fail(config.status());
      return;
    }
    privacy::ShieldConfig sc;
    sc.custom_patterns = config->privacy.custom_patterns;
    rc = RunRedact(redact_options, sc, std::cin, std::cout, std::cerr);
  });

  auto* topo = app.add_subcommand("topology", "Analyse a topology file: blast radius, root cause, check");
  topo->require_subcommand(1);
  TopologyOptions topo_options;
  auto add_topology_query = [&](const std::string& name, const std::string& help) {
    auto* sub = topo->add_subcommand(name, help);
    sub->add_option("SERVICE", topo_options.service, "The failing service")->required();
    sub->add_option("--topology", topo_options.topology_file, "Topology YAML file")->required();
    sub->add_option("--unhealthy", topo_options.unhealthy,
                    "Unhealthy services: name[:severity],... (e.g. postgres-db:critical,redis)");
    sub->add_option("--depth", topo_options.depth, "BFS depth, 1..10 (default 3)");
    sub->add_flag("--json", topo_options.json, "Print the API's JSON");
    sub->callback([&, name] {
      topo_options.action = name;
      rc = RunTopology(topo_options, std::cout, std::cerr);
    });
  };
  add_topology_query("blast-radius", "Services that depend on SERVICE (upstream BFS)");
  add_topology_query("root-cause", "Unhealthy dependencies of SERVICE, ranked (downstream BFS)");
  auto* check = topo->add_subcommand("check", "Validate a topology file (line-numbered errors)");
  check->add_option("FILE", topo_options.topology_file, "Topology YAML file")->required();
  check->callback([&] {
    topo_options.action = "check";
    rc = RunTopology(topo_options, std::cout, std::cerr);
  });

  auto* analyze =
      app.add_subcommand("analyze", "Analyse an Alertmanager payload: redacted analysis and proposal");
  AnalyzeOptions analyze_options;
  analyze->add_option("--alert", analyze_options.alert_file, "Alertmanager webhook JSON file")->required();
  analyze->add_option("--topology", analyze_options.topology_file,
                      "Topology YAML (default: the demo topology)");
  analyze->add_option("--brain", analyze_options.brain, "playbook (default), openai, anthropic or ollama");
  analyze->add_option("--depth", analyze_options.depth, "BFS depth, 1..10 (default 3)");
  analyze->add_flag("--json", analyze_options.json, "Print {\"analysis\": ..., \"proposal\": ...} as JSON");
  analyze
      ->add_option("--config", analyze_options.config_file,
                   "YAML configuration (brain settings, custom patterns)")
      ->check(CLI::ExistingFile);
  analyze->callback([&] { rc = RunAnalyze(analyze_options, std::cout, std::cerr); });

  auto* notify = app.add_subcommand("notify", "Notification channels (docs/notifications.md)");
  notify->require_subcommand(1);
  auto* notify_test = notify->add_subcommand("test", "Send a test message to the notifier named CHANNEL");
  NotifyTestOptions notify_options;
  notify_test->add_option("CHANNEL", notify_options.channel, "The notifier's name in the notifiers: list")
      ->required();
  notify_test->add_option("--config", notify_options.config_file, "YAML configuration with a notifiers: list")
      ->check(CLI::ExistingFile);
  notify_test->callback(
      [&] { rc = RunNotifyTest(notify_options, runtime::BuiltinPlugins().outputs, std::cout, std::cerr); });
  auto* mcp = app.add_subcommand("mcp", "Debug an MCP server: list its tools, call one (awoooi mcp --help)");
  mcp->prefix_command();  // its own words: `--command CMD ARG...` passes options through to the server
  mcp->set_help_flag();
  mcp->callback([&] { rc = RunMcp(mcp->remaining(), std::cout, std::cerr); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return rc;
}

}  // namespace awoooi::cli
