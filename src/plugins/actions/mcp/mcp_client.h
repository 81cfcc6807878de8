// McpClient: one configured MCP server as tools to list and call, over any Transport and Session.
//
// The connection is opened on first use (transport + `initialize`) and reopened after it broke:
// a child that exited, a protocol violation, a message over the size cap, an HTTP session the
// server forgot (404: a new session is started and the request sent once more — the server never
// saw it). A call that times out leaves the connection open (the server is slow, not broken) after
// notifications/cancelled told the server to stop.
//
// tools/list is followed through every page (nextCursor) and cached; the cache is dropped when
// the server sends notifications/tools/list_changed and whenever a new connection opens. Where
// such notifications cannot arrive between requests (HTTP without a standing stream) callers that
// need freshness ask for refresh (see cache_is_notified()).
//
// Everything a server returns — tool descriptions, schemas, results, error messages — is server
// text: callers redact it before it leaves the process. Tool annotations are carried along as
// the server wrote them and mean nothing to this class.
//
// Thread-safety: every method may be called from several threads at once.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "plugins/actions/mcp/session.h"
#include "plugins/actions/mcp/transport.h"

namespace awoooi::mcp {

struct ToolInfo {
  std::string name;
  nlohmann::json definition;    // the tool object as listed
  nlohmann::json input_schema;  // null when the server gave none
};

struct ToolResult {
  nlohmann::json result;  // the CallToolResult object
  bool is_error = false;  // the tool reported a failure (isError: true)
};

class McpClient {
 public:
  using TransportFactory = std::function<absl::StatusOr<std::unique_ptr<Transport>>()>;
  using SessionFactory = std::function<std::unique_ptr<Session>()>;

  struct Options {
    TransportFactory make_transport;
    SessionFactory make_session;  // null: the `initialize` handshake (2025-06-18 / 2025-11-25)
    ClientIdentity identity;
    int64_t connect_timeout_ms = 30'000;  // opening the transport and the handshake
  };

  explicit McpClient(Options options);
  ~McpClient();

  // Connects when not connected. Errors say what failed, prefixed with the server's description.
  absl::StatusOr<ServerInfo> Connect(const CallLimits& limits);
  absl::StatusOr<std::vector<ToolInfo>> ListTools(const CallLimits& limits, bool refresh = false);
  // NotFound when the server lists no tool of that name.
  absl::StatusOr<ToolInfo> FindTool(const std::string& name, const CallLimits& limits, bool refresh = false);
  absl::StatusOr<ToolResult> CallTool(const std::string& name, const nlohmann::json& arguments,
                                      const CallLimits& limits);

  // Whether a cached tool list is kept current by the server's notifications.
  bool cache_is_notified() const;
  std::string Describe() const;
  // The server's last stderr bytes (stdio), also after its connection ended. Server text.
  std::string DiagnosticTail() const;
  int64_t connections_opened() const { return connections_opened_.load(); }
  void Close();

 private:
  struct Connection;
  absl::StatusOr<std::shared_ptr<Connection>> Acquire(const CallLimits& limits);
  void Drop(const std::shared_ptr<Connection>& connection);
  void Remember(const Transport& transport);  // keeps the stderr tail of a connection that ended
  absl::StatusOr<nlohmann::json> Request(const std::string& method, const nlohmann::json& params,
                                         const CallLimits& limits);

  Options options_;
  std::mutex connect_mu_;  // one connection attempt at a time
  mutable std::mutex mu_;
  std::shared_ptr<Connection> connection_;
  std::vector<ToolInfo> tools_;
  bool tools_valid_ = false;
  int64_t tools_generation_ = 0;  // bumped by list_changed and by every new connection
  std::atomic<int64_t> connections_opened_{0};
  std::string last_description_;
  std::string last_tail_;
};

}  // namespace awoooi::mcp
