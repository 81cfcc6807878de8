// The MCP executor: carries out `mcp_tool` actions by calling a tool on one configured MCP server
// (PRODUCT F7; docs/mcp.md), and its factory.
//
// Configuration of one server (PluginSettings, docs/mcp.md has the YAML):
//   name          the server's name; actions name it in their `server` parameter ([a-z][a-z0-9_-]*)
//   command       a program to start (stdio transport), with args.0, args.1, ... and env.NAME
//   url           or the endpoint of a Streamable HTTP server, with headers.NAME
//   timeout       connecting, `initialize` and tools/list (default 30s)
//   call_timeout  one tools/call (default 60s)
// `type` (the plugin type) is accepted and ignored; any other key is an error naming it.
//
// DryRun: the server answers `initialize` ("reachable"), lists the tool ("exists") and the
// rehydrated arguments satisfy its inputSchema ("parameters"); the tool is not called. Its state
// fingerprint is SHA-256 over the server name, the tool name and the tool's inputSchema, so a tool
// that changed voids signatures given for the old one. Tool annotations (readOnlyHint,
// destructiveHint...) are shown as the server's unverified claims and never change what needs
// approval.
//
// Execute: rehydrates at the last moment, checks the arguments against the inputSchema again,
// calls the tool (call_timeout, the context's deadline and cancellation; on timeout the server is
// told notifications/cancelled), maps isError to a failed outcome, and returns the result rendered
// as text, redacted in the incident's vault, capped at 64 KiB — or withheld when a real value of
// the action survived redaction. Every text returned (details, outputs, error messages) is
// redacted; real values exist only inside the call.
//
// Thread-safety: DryRun and Execute may run on several threads at once (the client is shared and
// thread-safe).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "awoooi/action/executor.h"
#include "awoooi/core/plugin.h"
#include "awoooi/privacy/redacted.h"

namespace awoooi::mcp {

class McpClient;

struct McpServerConfig {
  std::string name;
  std::string command;  // stdio, or ...
  std::vector<std::string> args;
  std::map<std::string, std::string> env;      // values may be secrets
  std::string url;                             // ... Streamable HTTP
  std::map<std::string, std::string> headers;  // values may be secrets
  int64_t timeout_ms = 30'000;
  int64_t call_timeout_ms = 60'000;
};

// Reads and checks one server's settings (errors name the full key).
absl::StatusOr<McpServerConfig> ParseMcpServerConfig(const PluginSettings& settings);
// The checks ParseMcpServerConfig makes on a config built in code (the CLI's).
absl::Status ValidateMcpServerConfig(const McpServerConfig& config);

// A client for the server (not yet connected).
std::unique_ptr<McpClient> NewMcpClient(const McpServerConfig& config);

class McpExecutor : public action::Executor {
 public:
  explicit McpExecutor(McpServerConfig config);
  ~McpExecutor() override;

  std::string name() const override { return config_.name; }
  bool Supports(const action::Action& action) const override;
  absl::StatusOr<action::DryRunReport> DryRun(const action::Action& action,
                                              const action::ExecutionContext& context) override;
  absl::StatusOr<action::ExecutionResult> Execute(const action::Action& action,
                                                  const action::ExecutionContext& context) override;

  // Execute, also giving the whole CallToolResult as redacted JSON (`awoooi mcp call --json`).
  struct Call {
    action::ExecutionResult result;
    privacy::Redacted result_json;  // empty when the tool was not called or did not answer
  };
  absl::StatusOr<Call> ExecuteCall(const action::Action& action, const action::ExecutionContext& context);

  McpClient& client() { return *client_; }

 private:
  McpServerConfig config_;
  std::unique_ptr<McpClient> client_;
};

// The factory registered for actions of type "mcp".
absl::StatusOr<std::unique_ptr<action::Executor>> MakeMcpExecutor(const PluginSettings& settings);

}  // namespace awoooi::mcp
