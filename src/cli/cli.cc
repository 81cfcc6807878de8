#include "cli/cli.h"

#include <CLI/CLI.hpp>
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "awoooi/version.h"
#include "cli/analyze_command.h"
#include "cli/mcp_command.h"
#include "cli/redact_command.h"
#include "cli/topology_command.h"
#include "ingest/alert_redactor.h"
#include "plugins/stores/sqlite/sqlite_store.h"
#include "server/app.h"
#include "server/auth.h"
#include "server/config.h"
#include "server/logging.h"

namespace awoooi::cli {
namespace {

struct CommonOptions {
  std::string config_file;
  std::string data_dir;
};

absl::StatusOr<server::Config> LoadConfig(const CommonOptions& o) {
  auto env = server::ProcessEnvironment();
  auto config = server::LoadConfig(o.config_file, env);
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

absl::StatusOr<OpenedStore> OpenStore(const server::Config& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  std::string key_file = config.privacy.vault_key_file.empty()
                             ? (std::filesystem::path(config.data_dir) / "vault.key").string()
                             : config.privacy.vault_key_file;
  auto key = server::LoadOrCreateVaultKey(key_file);
  if (!key.ok()) return key.status();
  privacy::ShieldConfig sc;
  sc.vault_key = *key;
  sc.custom_patterns = config.privacy.custom_patterns;
  auto shield = privacy::Shield::Create(sc);
  if (!shield.ok()) return shield.status();
  store::SqliteOptions so;
  so.path = config.store.path.empty() ? (std::filesystem::path(config.data_dir) / "awoooi.db").string()
                                      : config.store.path;
  auto st = store::OpenSqliteStore(so, std::make_unique<ingest::ShieldAlertRedactor>(**shield));
  if (!st.ok()) return st.status();
  return OpenedStore{std::move(*shield), std::move(*st)};
}

// The administrative commands: a valid role, the configured store, then `fn`; an exit code.
int WithStore(const CommonOptions& common, const std::string& role_name,
              const std::function<absl::Status(store::Store&, Role)>& fn) {
  auto role = ParseRole(role_name);
  if (!role) return Fail(absl::InvalidArgumentError("--role: must be admin, devops, sre, cto, ciso or viewer"));
  auto config = LoadConfig(common);
  if (!config.ok()) return Fail(config.status());
  auto opened = OpenStore(*config);
  if (!opened.ok()) return Fail(opened.status());
  if (auto s = fn(*opened->store, *role); !s.ok()) return Fail(s);
  return 0;
}

int Serve(const CommonOptions& common, const std::string& listen, bool demo) {
  // Signals are taken by one thread with sigwait, so no handler runs inside the I/O threads.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto config = LoadConfig(common);
  if (!config.ok()) return Fail(config.status());
  if (!listen.empty()) config->server.listen = listen;
  if (demo) config->auth.demo_users = true;
  server::InitLogging(config->log.level, config->log.format, nullptr);
  std::string host = config->server.listen.substr(0, config->server.listen.rfind(':'));
  if (host.empty() || host == "localhost") host = "127.0.0.1";
  auto app = server::App::Create(std::move(*config), std::cout);
  if (!app.ok()) return Fail(app.status());
  if (auto s = (*app)->Listen(); !s.ok()) return Fail(s);
  std::cout << "AWOOOI " << AWOOOI_VERSION << " listening on http://" << host << ":" << (*app)->port() << std::endl;
  std::thread signals([&app, set] {
    int sig = 0;
    sigwait(&set, &sig);
    (*app)->Shutdown();
  });
  (*app)->Run();
  // Run() returned: wake the signal thread if shutdown came from elsewhere.
  pthread_kill(signals.native_handle(), SIGTERM);
  signals.join();
  return 0;
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{"AWOOOI: alert -> topology-aware root cause -> redacted analysis -> proposed fix.\n"
               "Run `awoooi serve` to start the platform on embedded defaults.",
               "awoooi"};
  app.require_subcommand(1);
  app.set_version_flag("--version", AWOOOI_VERSION);
  CommonOptions common;
  auto add_common = [&common](CLI::App* sub) {
    sub->add_option("--config", common.config_file, "YAML configuration file (docs/configuration.md)")
        ->check(CLI::ExistingFile);
    sub->add_option("--data-dir", common.data_dir, "Data directory (SQLite database, vault key); default awoooi-data");
  };
  int rc = 0;

  auto* serve = app.add_subcommand("serve", "Run the platform: HTTP API, ingestion, analysis pipeline");
  add_common(serve);
  std::string listen;
  bool demo = false;
  serve->add_option("--listen", listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  serve->add_flag("--demo", demo, "Create the demo users and print their tokens (on by default without --config)");
  serve->callback([&] { rc = Serve(common, listen, demo); });

  auto* migrate = app.add_subcommand("migrate", "Create or upgrade the database schema, then exit");
  add_common(migrate);
  migrate->callback([&] {
    auto config = LoadConfig(common);
    if (!config.ok()) {
      rc = Fail(config.status());
      return;
    }
    std::error_code ec;
    std::filesystem::create_directories(config->data_dir, ec);
    std::string path = config->store.path.empty() ? (std::filesystem::path(config->data_dir) / "awoooi.db").string()
                                                  : config->store.path;
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
      std::cout << "added user " << u->name << " (" << ToString(u->role) << ")\n";
      return absl::OkStatus();
    });
  });

  auto* token = app.add_subcommand("token", "Manage API tokens");
  token->require_subcommand(1);
  auto* token_create = token->add_subcommand("create", "Create an API token (the user is created when missing)");
  add_common(token_create);
  std::string token_user, token_role = "viewer";
  token_create->add_option("--user", token_user, "User the token belongs to")->required();
  token_create->add_option("--role", token_role, "Role for a user created now (default viewer)");
  token_create->callback([&] {
    rc = WithStore(common, token_role, [&](store::Store& st, Role role) -> absl::Status {
      auto t = server::IssueToken(st, token_user, role);
      if (!t.ok()) return t.status();
      std::cout << "token for " << token_user << " (shown once; store it now):\n" << *t << "\n";
      return absl::OkStatus();
    });
  });

  auto* version = app.add_subcommand("version", "Print the version");
  version->callback([&] { std::cout << "awoooi " << AWOOOI_VERSION << "\n"; });

  auto* redact = app.add_subcommand("redact", "Redact PII and secrets from a file or stdin to stdout");
  RedactOptions redact_options;
  std::string redact_config;
  redact->add_option("FILE", redact_options.file, "Input file (default: stdin)");
  redact->add_option("--scope", redact_options.scope, "Scope name: the same value gets the same label within it");
  redact->add_flag("--json", redact_options.json, "Print the findings as JSON instead of the redacted text");
  redact->add_flag("--stats", redact_options.stats, "Print counts per type and throughput to stderr");
  redact->add_option("--config", redact_config, "YAML configuration (for privacy.custom_patterns)")
      ->check(CLI::ExistingFile);
  redact->callback([&] {
    auto config = server::LoadConfig(redact_config, server::ProcessEnvironment());
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

  auto* analyze = app.add_subcommand("analyze", "Analyse an Alertmanager payload: redacted analysis and proposal");
  AnalyzeOptions analyze_options;
  analyze->add_option("--alert", analyze_options.alert_file, "Alertmanager webhook JSON file")->required();
  analyze->add_option("--topology", analyze_options.topology_file, "Topology YAML (default: the demo topology)");
  analyze->add_option("--brain", analyze_options.brain, "playbook (default), openai, anthropic or ollama");
  analyze->add_option("--depth", analyze_options.depth, "BFS depth, 1..10 (default 3)");
  analyze->add_flag("--json", analyze_options.json, "Print {\"analysis\": ..., \"proposal\": ...} as JSON");
  analyze->add_option("--config", analyze_options.config_file, "YAML configuration (brain settings, custom patterns)")
      ->check(CLI::ExistingFile);
  analyze->callback([&] { rc = RunAnalyze(analyze_options, std::cout, std::cerr); });

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
