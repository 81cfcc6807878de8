#include "plugins/actions/mcp/mcp_executor.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "awoooi/core/digest.h"
#include "awoooi/privacy/shield.h"
#include "awoooi/version.h"
#include "plugins/actions/mcp/http_transport.h"
#include "plugins/actions/mcp/input_schema.h"
#include "plugins/actions/mcp/mcp_client.h"
#include "plugins/actions/mcp/output.h"
#include "plugins/actions/mcp/stdio_transport.h"

namespace awoooi::mcp {
namespace {

using nlohmann::json;
using privacy::Redacted;

bool IsEnvName(const std::string& n) {
  if (n.empty() || n.size() > 128 || absl::ascii_isdigit(static_cast<unsigned char>(n[0]))) return false;
  return std::all_of(n.begin(), n.end(), [](unsigned char c) { return absl::ascii_isalnum(c) || c == '_'; });
}

bool IsHeaderName(const std::string& n) {
  static const std::string kSeparators = "()<>@,;:\\\"/[]?={} \t";
  if (n.empty() || n.size() > 128) return false;
  return std::all_of(n.begin(), n.end(), [](unsigned char c) {
    return c > 0x20 && c < 0x7f && kSeparators.find(static_cast<char>(c)) == std::string::npos;
  });
}

// Headers the transport owns: configuring them would break the protocol.
bool IsReservedHeader(const std::string& n) {
  std::string lower = absl::AsciiStrToLower(n);
  return lower == "content-type" || lower == "accept" || lower == "mcp-session-id" ||
         lower == "mcp-protocol-version" || lower == "last-event-id" || lower == "content-length";
}

// The identity of what an mcp_tool action depends on: a changed schema is a changed tool.
std::string ToolFingerprint(const std::string& server, const std::string& tool, const json* schema) {
  std::string canonical = schema == nullptr ? std::string("(not listed)")
                                            : schema->dump(-1, ' ', false, json::error_handler_t::replace);
  return Sha256Hex(absl::StrCat("awoooi.mcp.tool.v1\n", server, "\n", tool, "\n", canonical));
}

// The boolean hints a tool claims about itself, as program words (the server's text never shows).
std::string DeclaredHints(const json& definition) {
  auto a = definition.find("annotations");
  if (a == definition.end() || !a->is_object()) return "";
  std::vector<std::string> hints;
  auto flag = [&](const char* key, const char* yes, const char* no) {
    auto it = a->find(key);
    if (it != a->end() && it->is_boolean()) hints.push_back(it->get<bool>() ? yes : no);
  };
  flag("readOnlyHint", "read-only", "may change state");
  flag("destructiveHint", "destructive", "not destructive");
  flag("idempotentHint", "idempotent", "not idempotent");
  flag("openWorldHint", "reaches outside systems", "closed world");
  return hints.empty() ? "" : absl::StrJoin(hints, ", ");
}

CallLimits LimitsOf(const action::ExecutionContext& context, int64_t timeout_ms) {
  CallLimits limits{context.deadline, context.cancel};
  return limits.Within(timeout_ms);
}

}  // namespace

absl::Status ValidateMcpServerConfig(const McpServerConfig& c) {
  if (auto s = action::CheckValue(action::ParamSpec{"name", action::ParamType::kIdentifier, true, 0, 0, {}},
                                  c.name);
      !s.ok()) {
    return s;
  }
  if (c.command.empty() == c.url.empty()) {
    return absl::InvalidArgumentError(
        "command, url: give exactly one (a program to start, or an HTTP endpoint)");
  }
  if (!c.url.empty()) {
    std::string lower = absl::AsciiStrToLower(c.url.substr(0, 8));
    if (lower.rfind("http://", 0) != 0 && lower.rfind("https://", 0) != 0) {
      return absl::InvalidArgumentError("url: must start with http:// or https://");
    }
    if (!c.args.empty() || !c.env.empty()) {
      return absl::InvalidArgumentError("args, env: only for a server started with `command`");
    }
  }
  if (!c.command.empty() && !c.headers.empty()) {
    return absl::InvalidArgumentError("headers: only for a server reached by `url`");
  }
  for (const auto& [name, value] : c.env) {
    if (!IsEnvName(name))
      return absl::InvalidArgumentError("env." + name.substr(0, 64) + ": not a variable name");
  }
  for (const auto& [name, value] : c.headers) {
    if (!IsHeaderName(name))
      return absl::InvalidArgumentError("headers." + name.substr(0, 64) + ": not a header name");
    if (IsReservedHeader(name)) {
      return absl::InvalidArgumentError("headers." + name + ": set by the MCP transport itself");
    }
    if (value.find_first_of("\r\n") != std::string::npos) {
      return absl::InvalidArgumentError("headers." + name + ": a value must be one line");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<McpServerConfig> ParseMcpServerConfig(const PluginSettings& settings) {
  static const std::set<std::string> kKeys = {"type", "name", "command", "url", "timeout", "call_timeout"};
  McpServerConfig c;
  std::map<int64_t, std::string> args;
  for (const auto& [key, value] : settings.values()) {
    if (kKeys.count(key)) continue;
    if (key.rfind("args.", 0) == 0) {
      int64_t index = -1;
      std::string digits = key.substr(5);
      if (digits.empty() || digits.size() > 4 ||
          !std::all_of(digits.begin(), digits.end(), absl::ascii_isdigit) ||
          !absl::SimpleAtoi(digits, &index)) {
        return absl::InvalidArgumentError(settings.KeyPath(key) + ": args are a list (args.0, args.1, ...)");
      }
      args[index] = value;
    } else if (key.rfind("env.", 0) == 0) {
      c.env[key.substr(4)] = value;
    } else if (key.rfind("headers.", 0) == 0) {
      c.headers[key.substr(8)] = value;
    } else {
      return absl::InvalidArgumentError(
          settings.KeyPath(key) +
          ": unknown key (MCP servers take name, command, args, env, url, headers, "
          "timeout, call_timeout)");
    }
  }
  int64_t expected = 0;
  for (auto& [index, value] : args) {
    if (index != expected) {
      return absl::InvalidArgumentError(
          absl::StrCat(settings.KeyPath("args"), ": item ", expected, " is missing"));
    }
    c.args.push_back(std::move(value));
    ++expected;
  }
  auto name = settings.GetRequired("name");
  if (!name.ok()) return name.status();
  c.name = *name;
  c.command = settings.GetString("command");
  c.url = settings.GetString("url");
  auto timeout = settings.GetDurationMs("timeout", 30'000, 100, 600'000);
  if (!timeout.ok()) return timeout.status();
  c.timeout_ms = *timeout;
  auto call_timeout = settings.GetDurationMs("call_timeout", 60'000, 100, 3'600'000);
  if (!call_timeout.ok()) return call_timeout.status();
  c.call_timeout_ms = *call_timeout;
  if (absl::Status s = ValidateMcpServerConfig(c); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(settings.path(), settings.path().empty() ? "" : ".", s.message()));
  }
  return c;
}

std::unique_ptr<McpClient> NewMcpClient(const McpServerConfig& config) {
  McpClient::Options options;
  options.identity = ClientIdentity{"awoooi", AWOOOI_VERSION};
  options.connect_timeout_ms = config.timeout_ms;
  if (!config.command.empty()) {
    StdioOptions stdio{config.command, config.args, config.env};
    options.make_transport = [stdio]() -> absl::StatusOr<std::unique_ptr<Transport>> {
      return std::unique_ptr<Transport>(std::make_unique<StdioTransport>(stdio));
    };
  } else {
    HttpOptions http;
    http.url = config.url;
    for (const auto& h : config.headers) http.headers.push_back(h);
    http.connect_timeout_ms = std::min<int64_t>(config.timeout_ms, 10'000);
    options.make_transport = [http]() -> absl::StatusOr<std::unique_ptr<Transport>> {
      return std::unique_ptr<Transport>(std::make_unique<HttpTransport>(http));
    };
  }
  return std::make_unique<McpClient>(std::move(options));
}

McpExecutor::McpExecutor(McpServerConfig config)
    : config_(std::move(config)), client_(NewMcpClient(config_)) {}

McpExecutor::~McpExecutor() = default;

bool McpExecutor::Supports(const action::Action& action) const {
  if (action.kind() != action::Kind::kMcpTool) return false;
  const action::Value* server = action.param("server");
  return server != nullptr && server->text.view() == config_.name;
}

namespace {

// Status text that may carry server words or configuration: redacted like everything returned.
absl::Status RedactStatus(const absl::Status& s, const action::ExecutionContext& context) {
  return absl::Status(s.code(), context.shield->Redact(std::string(s.message()), *context.vault).str());
}

absl::Status CheckContext(const action::ExecutionContext& context) {
  if (context.shield == nullptr || context.vault == nullptr) {
    return absl::InvalidArgumentError("the MCP executor needs the shield and the incident's vault");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<action::DryRunReport> McpExecutor::DryRun(const action::Action& action,
                                                         const action::ExecutionContext& context) {
  if (absl::Status s = CheckContext(context); !s.ok()) return s;
  if (!Supports(action))
    return absl::InvalidArgumentError("not an mcp_tool action for server " + config_.name);
  const privacy::Shield& shield = *context.shield;
  privacy::Vault& vault = *context.vault;
  CallLimits limits = LimitsOf(context, config_.timeout_ms);
  if (limits.expired()) return limits.Expired("MCP dry-run");

  auto real = action::Rehydrate(action, shield, vault);
  if (!real.ok()) return real.status();
  const std::string tool_name = real->param("tool");
  json arguments =
      real->has("arguments") ? json::parse(real->param("arguments"), nullptr, false) : json::object();

  action::DryRunReport report;
  report.summary =
      shield.Redact(absl::StrCat("calls MCP tool ", tool_name, " on server ", config_.name), vault);
  auto info = client_->Connect(limits);
  if (!info.ok()) return RedactStatus(info.status(), context);
  report.checks.push_back(
      {"reachable", true,
       shield.Redact(absl::StrCat("MCP server ", config_.name, " answered initialize (protocol ",
                                  info->protocol_version,
                                  info->name.empty() ? "" : ", server " + info->name.substr(0, 100), ")"),
                     vault)});

  auto tool = client_->FindTool(tool_name, limits, /*refresh=*/!client_->cache_is_notified());
  if (absl::IsNotFound(tool.status())) {
    report.checks.push_back({"exists", false, shield.Redact(std::string(tool.status().message()), vault)});
    report.state_fingerprint = ToolFingerprint(config_.name, tool_name, nullptr);
    return report;
  }
  if (!tool.ok()) return RedactStatus(tool.status(), context);
  std::string hints = DeclaredHints(tool->definition);
  report.checks.push_back(
      {"exists", true,
       shield.Redact(absl::StrCat("the server lists tool ", tool_name,
                                  hints.empty() ? "" : "; it claims (unverified): " + hints),
                     vault)});
  absl::Status valid = ValidateArguments(tool->input_schema, arguments);
  report.checks.push_back({"parameters", valid.ok(),
                           valid.ok() ? Redacted::Literal("the arguments satisfy the tool's inputSchema")
                                      : shield.Redact(std::string(valid.message()), vault)});
  report.state_fingerprint = ToolFingerprint(config_.name, tool_name, &tool->input_schema);
  return report;
}

absl::StatusOr<McpExecutor::Call> McpExecutor::ExecuteCall(const action::Action& action,
                                                           const action::ExecutionContext& context) {
  if (absl::Status s = CheckContext(context); !s.ok()) return s;
  if (!Supports(action))
    return absl::InvalidArgumentError("not an mcp_tool action for server " + config_.name);
  const privacy::Shield& shield = *context.shield;
  privacy::Vault& vault = *context.vault;
  Call call;
  action::ExecutionResult& result = call.result;
  result.started_at = absl::Now();
  auto finish = [&](action::ExecutionOutcome outcome, Redacted detail) {
    result.outcome = outcome;
    result.detail = std::move(detail);
    result.finished_at = absl::Now();
    return std::move(call);
  };

  CallLimits prepare = LimitsOf(context, config_.timeout_ms);
  if (prepare.expired()) {
    return finish(action::ExecutionOutcome::kFailed,
                  prepare.cancelled() ? Redacted::Literal("cancelled before the tool was called")
                                      : Redacted::Literal("the deadline passed before the tool was called"));
  }
  auto real = action::Rehydrate(action, shield, vault);
  if (!real.ok()) return real.status();
  const std::string tool_name = real->param("tool");
  json arguments =
      real->has("arguments") ? json::parse(real->param("arguments"), nullptr, false) : json::object();

  auto tool = client_->FindTool(tool_name, prepare);
  if (!tool.ok()) {
    return RedactStatus(absl::IsNotFound(tool.status())
                            ? absl::FailedPreconditionError(std::string(tool.status().message()))
                            : tool.status(),
                        context);
  }
  result.state_fingerprint = ToolFingerprint(config_.name, tool_name, &tool->input_schema);
  if (absl::Status valid = ValidateArguments(tool->input_schema, arguments); !valid.ok()) {
    return RedactStatus(absl::FailedPreconditionError(std::string(valid.message())), context);
  }

  CallLimits limits = LimitsOf(context, config_.call_timeout_ms);
  auto answer = client_->CallTool(tool_name, arguments, limits);
  Redacted what = shield.Redact(absl::StrCat("MCP tool ", tool_name, " on server ", config_.name), vault);
  if (!answer.ok()) {
    std::string why = std::string(answer.status().message());
    if (absl::IsDeadlineExceeded(answer.status())) {
      why = absl::StrCat(
          "no answer within ",
          absl::ToInt64Milliseconds(limits.deadline - result.started_at + absl::Microseconds(999)),
          " ms; the server was told to cancel the call");
    } else if (absl::IsCancelled(answer.status())) {
      why = "cancelled; the server was told to cancel the call";
    }
    return finish(action::ExecutionOutcome::kFailed,
                  what + Redacted::Literal(": failed: ") + shield.Redact(why, vault));
  }
  Redacted output = shield.Redact(RenderToolResult(answer->result), vault);
  call.result_json = RedactJson(answer->result, shield, vault);
  for (const std::string& secret : real->secrets()) {
    if (secret.empty()) continue;
    if (output.view().find(secret) != std::string_view::npos) {
      output = Redacted::Literal("(output withheld: it still contained a real value of this action)");
    }
    if (call.result_json.view().find(secret) != std::string_view::npos) {
      call.result_json =
          Redacted::Literal("{\"withheld\":\"it still contained a real value of this action\"}");
    }
  }
  result.output = Cap(output);
  if (answer->is_error) {
    return finish(action::ExecutionOutcome::kFailed,
                  what + Redacted::Literal(": the tool reported an error"));
  }
  return finish(action::ExecutionOutcome::kSucceeded, what + Redacted::Literal(": succeeded"));
}

absl::StatusOr<action::ExecutionResult> McpExecutor::Execute(const action::Action& action,
                                                             const action::ExecutionContext& context) {
  auto call = ExecuteCall(action, context);
  if (!call.ok()) return call.status();
  return std::move(call->result);
}

absl::StatusOr<std::unique_ptr<action::Executor>> MakeMcpExecutor(const PluginSettings& settings) {
  auto config = ParseMcpServerConfig(settings);
  if (!config.ok()) return config.status();
  return std::unique_ptr<action::Executor>(std::make_unique<McpExecutor>(*std::move(config)));
}

}  // namespace awoooi::mcp
