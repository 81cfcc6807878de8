#include "cli/mcp_command.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "awoooi/action/action.h"
#include "awoooi/core/plugin.h"
#include "awoooi/privacy/shield.h"
#include "plugins/actions/mcp/mcp_client.h"
#include "plugins/actions/mcp/mcp_executor.h"
#include "plugins/actions/mcp/output.h"

namespace awoooi::cli {
namespace {

using nlohmann::json;

constexpr const char* kUsage =
    "usage:\n"
    "  awoooi mcp tools (--command CMD [ARG...] | --url URL) [--json]\n"
    "  awoooi mcp call  (--command CMD [ARG...] | --url URL) --tool NAME --args JSON [--json]\n"
    "  awoooi mcp bench (--command CMD [ARG...] | --url URL) [--tool echo] [--args JSON] [--count 1000]\n"
    "options:\n"
    "  --command CMD [ARG...]  start the server (stdio); words up to the next option of this command\n"
    "  --url URL               a Streamable HTTP server's endpoint\n"
    "  --timeout DURATION      connecting and the call each (default 30s)\n"
    "  --env NAME=VALUE        an environment variable for the server (repeatable; stdio)\n"
    "  --header 'Name: value'  an HTTP header for every request (repeatable; HTTP)\n"
    "  --json                  print JSON (redacted) instead of text\n"
    "  --count N, --warmup N   bench: measured and warm-up calls (default 1000 and 50)\n"
    "Output is redacted by the Privacy Shield: real values in --args reach the server, labels come back.\n";

const std::set<std::string> kOptions = {"--command", "--url",    "--tool",  "--args",   "--json", "--timeout",
                                        "--env",     "--header", "--count", "--warmup", "--help", "-h"};

std::atomic<bool> g_interrupted{false};
extern "C" void OnInterrupt(int) { g_interrupted = true; }

struct Options {
  std::string verb;
  std::vector<std::string> command;
  std::string url;
  std::string tool;
  std::string arguments = "{}";
  bool arguments_given = false;
  bool json = false;
  int64_t timeout_ms = 30'000;
  std::map<std::string, std::string> env, headers;
  int64_t count = 1000, warmup = 50;
};

struct Usage {
  std::string why;
};

absl::StatusOr<Options> Parse(const std::vector<std::string>& args) {
  Options o;
  if (args.empty()) return absl::InvalidArgumentError("which one: tools, call or bench?");
  o.verb = args[0];
  if (o.verb == "--help" || o.verb == "-h") return absl::InvalidArgumentError("");
  if (o.verb != "tools" && o.verb != "call" && o.verb != "bench") {
    return absl::InvalidArgumentError("unknown subcommand \"" + o.verb + "\" (tools, call or bench)");
  }
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* name) -> absl::StatusOr<std::string> {
      if (i + 1 >= args.size()) return absl::InvalidArgumentError(std::string(name) + " needs a value");
      return args[++i];
    };
    auto number = [&](const char* name, int64_t* out) -> absl::Status {
      auto v = value(name);
      if (!v.ok()) return v.status();
      if (!absl::SimpleAtoi(*v, out) || *out < 0 || *out > 10'000'000) {
        return absl::InvalidArgumentError(std::string(name) + " must be a whole number");
      }
      return absl::OkStatus();
    };
    if (a == "--help" || a == "-h") return absl::InvalidArgumentError("");
    if (a == "--command") {
      while (i + 1 < args.size() && !kOptions.count(args[i + 1])) o.command.push_back(args[++i]);
      if (o.command.empty()) return absl::InvalidArgumentError("--command needs the program to start");
    } else if (a == "--url") {
      auto v = value("--url");
      if (!v.ok()) return v.status();
      o.url = *v;
    } else if (a == "--tool") {
      auto v = value("--tool");
      if (!v.ok()) return v.status();
      o.tool = *v;
    } else if (a == "--args") {
      auto v = value("--args");
      if (!v.ok()) return v.status();
      o.arguments = *v;
      o.arguments_given = true;
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "--timeout") {
      auto v = value("--timeout");
      if (!v.ok()) return v.status();
      auto ms = PluginSettings("", {{"timeout", *v}}).GetDurationMs("timeout", 30'000, 1, 3'600'000);
      if (!ms.ok()) return absl::InvalidArgumentError("--timeout: a duration such as 500ms, 30s or 5m");
      o.timeout_ms = *ms;
    } else if (a == "--env") {
      auto v = value("--env");
      if (!v.ok()) return v.status();
      auto eq = v->find('=');
      if (eq == std::string::npos || eq == 0) return absl::InvalidArgumentError("--env takes NAME=VALUE");
      o.env[v->substr(0, eq)] = v->substr(eq + 1);
    } else if (a == "--header") {
      auto v = value("--header");
      if (!v.ok()) return v.status();
      auto colon = v->find(':');
      if (colon == std::string::npos || colon == 0)
        return absl::InvalidArgumentError("--header takes 'Name: value'");
      std::string val = v->substr(colon + 1);
      while (!val.empty() && val.front() == ' ') val.erase(0, 1);
      o.headers[v->substr(0, colon)] = val;
    } else if (a == "--count") {
      if (auto s = number("--count", &o.count); !s.ok()) return s;
    } else if (a == "--warmup") {
      if (auto s = number("--warmup", &o.warmup); !s.ok()) return s;
    } else {
      return absl::InvalidArgumentError("unexpected \"" + a.substr(0, 64) + "\"");
    }
  }
  if (o.command.empty() == o.url.empty())
    return absl::InvalidArgumentError("give --command or --url (one of them)");
  if (o.verb == "call" && (o.tool.empty() || !o.arguments_given)) {
    return absl::InvalidArgumentError("call needs --tool NAME and --args JSON");
  }
  if (o.verb == "bench" && o.tool.empty()) {
    o.tool = "echo";
    if (!o.arguments_given) o.arguments = R"({"message":"hello"})";
  }
  if (o.verb == "bench" && o.count < 1) return absl::InvalidArgumentError("--count must be at least 1");
  return o;
}

mcp::McpServerConfig ConfigOf(const Options& o) {
  mcp::McpServerConfig c;
  c.name = "cli";
  if (!o.command.empty()) {
    c.command = o.command[0];
    c.args.assign(o.command.begin() + 1, o.command.end());
  }
  c.url = o.url;
  c.env = o.env;
  c.headers = o.headers;
  c.timeout_ms = o.timeout_ms;
  c.call_timeout_ms = o.timeout_ms;
  return c;
}

// One run of the command: the shield, the run's vault and the executor.
struct Run {
  std::unique_ptr<privacy::Shield> shield;
  privacy::Vault vault;
  std::unique_ptr<mcp::McpExecutor> executor;
  std::ostream* err;

  std::string Redact(std::string_view text) { return shield->Redact(text, vault).str(); }
  std::string Redact(absl::string_view text) { return Redact(std::string_view(text.data(), text.size())); }
  std::string Redact(const std::string& text) { return Redact(std::string_view(text)); }
  int Fail(absl::string_view what) { return Fail(std::string_view(what.data(), what.size())); }
  int Fail(const char* what) { return Fail(std::string_view(what)); }
  int Fail(const std::string& what) { return Fail(std::string_view(what)); }

  // Messages may already be redacted (the executor's): keep this vault's labels, redact the rest.
  int Fail(std::string_view what) { return FailRedacted(shield->RedactPreservingLabels(what, vault)); }

  int FailRedacted(const privacy::Redacted& what) {
    *err << "awoooi mcp: " << what.str() << "\n";
    std::string tail = executor->client().DiagnosticTail();
    if (!tail.empty()) {
      if (tail.back() != '\n') tail.push_back('\n');
      *err << "the server's last words on stderr (redacted):\n" << Redact(tail);
    }
    return 1;
  }

  action::ExecutionContext Context(int64_t timeout_ms) {
    action::ExecutionContext c;
    c.shield = shield.get();
    c.vault = &vault;
    c.deadline = absl::Now() + absl::Milliseconds(timeout_ms);
    c.cancel = &g_interrupted;
    return c;
  }

  // The mcp_tool action for the user's tool and arguments, redacted into this run's vault.
  absl::StatusOr<action::Action> ToolAction(const Options& o) {
    json parsed = json::parse(o.arguments, nullptr, false);
    if (!parsed.is_object()) return absl::InvalidArgumentError("--args must be a JSON object");
    privacy::Redacted args = shield->Redact(parsed.dump(), vault);
    if (!json::parse(args.view(), nullptr, false).is_object()) {
      return absl::InvalidArgumentError(
          "--args: a number in it looks like personal data; pass it as a string");
    }
    action::Draft d;
    d.kind = "mcp_tool";
    d.params["server"] = privacy::Redacted::Literal("cli");
    d.params["tool"] = shield->Redact(o.tool, vault);
    d.params["arguments"] = std::move(args);
    return action::Build(d, action::Catalog{{}, {"cli"}});
  }
};

std::string ParameterSummary(const json& schema) {
  auto props = schema.find("properties");
  if (!schema.is_object() || props == schema.end() || !props->is_object() || props->empty()) return "()";
  std::set<std::string> required;
  if (auto r = schema.find("required"); r != schema.end() && r->is_array()) {
    for (const json& n : *r) {
      if (n.is_string()) required.insert(n.get<std::string>());
    }
  }
  std::string out = "(";
  for (auto it = props->begin(); it != props->end(); ++it) {
    if (out.size() > 1) out += ", ";
    out += it.key() + (required.count(it.key()) ? "*" : "");
    if (it->is_object()) {
      if (auto t = it->find("type"); t != it->end() && t->is_string()) out += ": " + t->get<std::string>();
    }
  }
  return out + ")";
}

int Tools(const Options& o, Run& run, std::ostream& out) {
  mcp::CallLimits limits{absl::Now() + absl::Milliseconds(o.timeout_ms), &g_interrupted};
  auto tools = run.executor->client().ListTools(limits);
  if (!tools.ok()) return run.Fail(tools.status().message());
  if (o.json) {
    json all = json::array();
    for (const mcp::ToolInfo& t : *tools) all.push_back(t.definition);
    out << mcp::RedactJson(all, *run.shield, run.vault).str() << "\n";
    return 0;
  }
  for (const mcp::ToolInfo& t : *tools) {
    std::string description;
    if (auto d = t.definition.find("description"); d != t.definition.end() && d->is_string()) {
      description = d->get<std::string>().substr(0, d->get<std::string>().find('\n'));
      if (description.size() > 100) description = description.substr(0, 97) + "...";
    }
    out << run.Redact(t.name + " " + ParameterSummary(t.input_schema) +
                      (description.empty() ? "" : "  " + description))
        << "\n";
  }
  return 0;
}

int Call(const Options& o, Run& run, std::ostream& out) {
  auto a = run.ToolAction(o);
  if (!a.ok()) {
    *run.err << "awoooi mcp: " << run.Redact(a.status().message()) << "\n";
    return 2;
  }
  auto report = run.executor->DryRun(*a, run.Context(o.timeout_ms));
  if (g_interrupted) return 130;
  if (!report.ok()) return run.Fail(report.status().message());
  if (!report->passed()) {
    for (const action::Check& c : report->checks) {
      if (!c.passed) *run.err << "awoooi mcp: check " << c.name << " failed: " << c.detail.str() << "\n";
    }
    return 1;
  }
  auto call = run.executor->ExecuteCall(*a, run.Context(o.timeout_ms));
  if (g_interrupted) {
    *run.err << "awoooi mcp: interrupted; the server was told to cancel the call\n";
    return 130;
  }
  if (!call.ok()) return run.Fail(call.status().message());
  const action::ExecutionResult& r = call->result;
  if (o.json && !call->result_json.empty()) {
    out << call->result_json.str() << "\n";
  } else if (!r.output.empty()) {
    out << r.output.str() << (r.output.str().back() == '\n' ? "" : "\n");
  }
  if (r.outcome != action::ExecutionOutcome::kSucceeded) {
    // No answer at all: the server's stderr may say why.
    if (call->result_json.empty()) return run.FailRedacted(r.detail);
    *run.err << "awoooi mcp: " << r.detail.str() << "\n";
    return 1;
  }
  return 0;
}

struct Percentiles {
  double p50 = 0, p99 = 0, mean = 0, max = 0;
};

Percentiles Measure(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  Percentiles p;
  auto at = [&](double q) {
    std::size_t i = static_cast<std::size_t>(q * static_cast<double>(ms.size()) + 0.999999);
    return ms[std::min(ms.size(), std::max<std::size_t>(i, 1)) - 1];
  };
  p.p50 = at(0.50);
  p.p99 = at(0.99);
  p.max = ms.back();
  for (double v : ms) p.mean += v / static_cast<double>(ms.size());
  return p;
}

int Bench(const Options& o, Run& run, std::ostream& out) {
  auto a = run.ToolAction(o);
  if (!a.ok()) {
    *run.err << "awoooi mcp: " << run.Redact(a.status().message()) << "\n";
    return 2;
  }
  auto report = run.executor->DryRun(*a, run.Context(o.timeout_ms));
  if (!report.ok()) return run.Fail(report.status().message());
  if (!report->passed())
    return run.Fail("the dry-run failed: check the tool and its arguments with `mcp call`");
  json arguments = json::parse(o.arguments);
  using Clock = std::chrono::steady_clock;
  auto elapsed_ms = [](Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  };
  std::vector<double> client_ms, executor_ms;
  for (int64_t i = 0; i < o.warmup + o.count && !g_interrupted; ++i) {
    mcp::CallLimits limits{absl::Now() + absl::Milliseconds(o.timeout_ms), &g_interrupted};
    auto t0 = Clock::now();
    auto r = run.executor->client().CallTool(o.tool, arguments, limits);
    double ms = elapsed_ms(t0);
    if (!r.ok() || r->is_error)
      return run.Fail(r.ok() ? std::string("the tool reported an error") : std::string(r.status().message()));
    if (i >= o.warmup) client_ms.push_back(ms);
  }
  for (int64_t i = 0; i < o.warmup + o.count && !g_interrupted; ++i) {
    auto t0 = Clock::now();
    auto r = run.executor->Execute(*a, run.Context(o.timeout_ms));
    double ms = elapsed_ms(t0);
    if (!r.ok()) return run.Fail(r.status().message());
    if (r->outcome != action::ExecutionOutcome::kSucceeded) return run.FailRedacted(r->detail);
    if (i >= o.warmup) executor_ms.push_back(ms);
  }
  if (g_interrupted) return 130;
  Percentiles c = Measure(client_ms), e = Measure(executor_ms);
  if (o.json) {
    auto j = [](const Percentiles& p) {
      return json{{"p50_ms", p.p50}, {"p99_ms", p.p99}, {"mean_ms", p.mean}, {"max_ms", p.max}};
    };
    out << json{{"count", o.count}, {"client", j(c)}, {"executor", j(e)}}.dump() << "\n";
    return 0;
  }
  char line[256];
  std::snprintf(line, sizeof line,
                "tools/call round trip (client):   n=%lld p50=%.3f ms p99=%.3f ms mean=%.3f ms max=%.3f ms\n",
                static_cast<long long>(o.count), c.p50, c.p99, c.mean, c.max);
  out << line;
  std::snprintf(
      line, sizeof line,
      "executor call (rehydrate+check+call+redact): p50=%.3f ms p99=%.3f ms mean=%.3f ms max=%.3f ms\n",
      e.p50, e.p99, e.mean, e.max);
  out << line;
  return 0;
}

}  // namespace

int RunMcp(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto options = Parse(args);
  if (!options.ok()) {
    if (!options.status().message().empty()) err << "awoooi mcp: " << options.status().message() << "\n";
    (options.status().message().empty() ? out : err) << kUsage;
    return options.status().message().empty() ? 0 : 2;
  }
  mcp::McpServerConfig config = ConfigOf(*options);
  if (absl::Status s = mcp::ValidateMcpServerConfig(config); !s.ok()) {
    err << "awoooi mcp: " << s.message() << "\n";
    return 2;
  }
  auto shield = privacy::Shield::Create({});
  if (!shield.ok()) {
    err << "awoooi mcp: " << shield.status().message() << "\n";
    return 1;
  }
  Run run{*std::move(shield), privacy::Vault(), std::make_unique<mcp::McpExecutor>(config), &err};
  g_interrupted = false;
  auto previous = std::signal(SIGINT, OnInterrupt);
  int rc = 0;
  if (options->verb == "tools") {
    rc = Tools(*options, run, out);
  } else if (options->verb == "call") {
    rc = Call(*options, run, out);
  } else {
    rc = Bench(*options, run, out);
  }
  run.executor.reset();  // ends the server before the handler goes
  std::signal(SIGINT, previous);
  return rc;
}

}  // namespace awoooi::cli
