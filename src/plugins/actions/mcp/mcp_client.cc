#include "plugins/actions/mcp/mcp_client.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "plugins/actions/mcp/json_rpc.h"

namespace awoooi::mcp {
namespace {

using nlohmann::json;

constexpr int kMaxPages = 100;
constexpr std::size_t kMaxTools = 10'000;

// Failures after which the connection cannot be trusted any more: open a new one next time.
bool BreaksConnection(const absl::Status& s) {
  return absl::IsUnavailable(s) || absl::IsDataLoss(s) || absl::IsResourceExhausted(s) ||
         absl::IsNotFound(s) || absl::IsFailedPrecondition(s) || absl::IsInternal(s);
}

absl::Status Prefixed(const std::string& where, const absl::Status& s) {
  return absl::Status(s.code(), absl::StrCat(where, ": ", s.message()));
}

}  // namespace

struct McpClient::Connection {
  std::unique_ptr<Transport> transport;
  std::unique_ptr<JsonRpcPeer> peer;
  ServerInfo info;
  // The transport's threads call into the peer: stop them before the peer goes.
  ~Connection() {
    if (transport) transport->Close();
  }
};

McpClient::McpClient(Options options) : options_(std::move(options)) {
  if (!options_.make_session) {
    ClientIdentity identity = options_.identity;
    options_.make_session = [identity] { return MakeInitializeSession(identity); };
  }
}

McpClient::~McpClient() { Close(); }

void McpClient::Close() {
  std::shared_ptr<Connection> old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    old = std::move(connection_);
    tools_valid_ = false;
  }
  if (old) {
    // Closed here, outside mu_ (its reader thread may be waiting for mu_ in a notification).
    old->transport->Close();
    Remember(*old->transport);
  }
}

void McpClient::Remember(const Transport& transport) {
  std::string tail = transport.DiagnosticTail();
  std::lock_guard<std::mutex> lock(mu_);
  last_tail_ = std::move(tail);
}

void McpClient::Drop(const std::shared_ptr<Connection>& connection) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (connection_ != connection) return;
    connection_.reset();  // not the last owner: the caller still holds `connection`
    tools_valid_ = false;
  }
  connection->transport->Close();
  Remember(*connection->transport);
}

std::string McpClient::Describe() const {
  std::lock_guard<std::mutex> lock(mu_);
  return connection_ ? connection_->transport->Describe() : last_description_;
}

std::string McpClient::DiagnosticTail() const {
  std::lock_guard<std::mutex> lock(mu_);
  return connection_ ? connection_->transport->DiagnosticTail() : last_tail_;
}

bool McpClient::cache_is_notified() const {
  std::lock_guard<std::mutex> lock(mu_);
  return connection_ && connection_->info.tools_list_changed &&
         connection_->transport->DeliversServerNotifications();
}

absl::StatusOr<std::shared_ptr<McpClient::Connection>> McpClient::Acquire(const CallLimits& limits) {
  auto usable = [&]() -> std::shared_ptr<Connection> {
    std::lock_guard<std::mutex> lock(mu_);
    if (connection_ && connection_->peer->health().ok()) return connection_;
    return nullptr;
  };
  if (auto c = usable()) return c;
  std::lock_guard<std::mutex> connecting(connect_mu_);
  if (auto c = usable()) return c;
  Close();  // a broken connection: end it before starting the next

  auto transport = options_.make_transport();
  if (!transport.ok()) return transport.status();
  auto c = std::make_shared<Connection>();
  c->transport = *std::move(transport);
  std::string where = "MCP server " + c->transport->Describe();
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_description_ = c->transport->Describe();
  }
  c->peer = std::make_unique<JsonRpcPeer>(c->transport.get(), [this](const std::string& method, const json&) {
    if (method == "notifications/tools/list_changed") {
      std::lock_guard<std::mutex> lock(mu_);
      tools_valid_ = false;
      ++tools_generation_;
    }
  });
  const absl::Time start = absl::Now();
  CallLimits connect_limits = limits.Within(options_.connect_timeout_ms);
  auto failed = [&](const absl::Status& s) {
    c->transport->Close();  // reaps the child and drains its stderr: its last words explain the failure
    Remember(*c->transport);
    return Prefixed(where, s);
  };
  if (absl::Status s = c->transport->Open(c->peer.get(), connect_limits); !s.ok()) return failed(s);
  ++connections_opened_;
  std::unique_ptr<Session> session = options_.make_session();
  auto info = session->Start(*c->peer, *c->transport, connect_limits);
  if (!info.ok()) {
    absl::Status s = info.status();
    if (absl::IsDeadlineExceeded(s)) {
      // The budget it had: the connect timeout, or less when the caller's deadline came first
      // (not a clock difference, which a busy machine stretches by a millisecond or two).
      int64_t waited =
          std::min<int64_t>(options_.connect_timeout_ms,
                            absl::ToInt64Milliseconds(limits.deadline - start + absl::Microseconds(999)));
      s = absl::DeadlineExceededError(absl::StrCat("no answer to initialize within ", waited, " ms"));
    }
    return failed(s);
  }
  c->info = *info;
  std::lock_guard<std::mutex> lock(mu_);
  connection_ = c;
  tools_valid_ = false;
  ++tools_generation_;
  return c;
}

absl::StatusOr<ServerInfo> McpClient::Connect(const CallLimits& limits) {
  auto c = Acquire(limits);
  if (!c.ok()) return c.status();
  return (*c)->info;
}

absl::StatusOr<json> McpClient::Request(const std::string& method, const json& params,
                                        const CallLimits& limits) {
  for (int attempt = 0;; ++attempt) {
    auto c = Acquire(limits);
    if (!c.ok()) return c.status();
    auto r = (*c)->peer->Call(method, params, limits);
    if (r.ok()) return r;
    absl::Status s = r.status();
    if (BreaksConnection(s) || !(*c)->peer->health().ok()) Drop(*c);
    // 404: the server forgot the session and never saw the request; a new session may take it.
    if (absl::IsNotFound(s) && attempt == 0) continue;
    return Prefixed("MCP server " + (*c)->transport->Describe(), s);
  }
}

absl::StatusOr<std::vector<ToolInfo>> McpClient::ListTools(const CallLimits& limits, bool refresh) {
  int64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (tools_valid_ && !refresh && connection_ && connection_->peer->health().ok()) return tools_;
  }
  std::vector<ToolInfo> tools;
  std::set<std::string> cursors;
  std::string cursor;
  for (int page = 0;; ++page) {
    if (page == kMaxPages) {
      return absl::ResourceExhaustedError(absl::StrCat("tools/list: more than ", kMaxPages, " pages"));
    }
    json params = json::object();
    if (!cursor.empty()) params["cursor"] = cursor;
    auto r = Request("tools/list", params, limits);
    if (!r.ok()) return r.status();
    if (page == 0) {
      // The connection that answered the first page: a list_changed after this invalidates us.
      std::lock_guard<std::mutex> lock(mu_);
      generation = tools_generation_;
    }
    auto list = r->find("tools");
    if (!r->is_object() || list == r->end() || !list->is_array()) {
      return absl::DataLossError("tools/list: the server's result has no tools array");
    }
    for (json& t : *list) {
      auto name = t.find("name");
      if (!t.is_object() || name == t.end() || !name->is_string() || name->get<std::string>().empty()) {
        return absl::DataLossError("tools/list: a tool has no name");
      }
      ToolInfo info;
      info.name = name->get<std::string>();
      if (auto schema = t.find("inputSchema"); schema != t.end()) info.input_schema = *schema;
      info.definition = std::move(t);
      tools.push_back(std::move(info));
      if (tools.size() > kMaxTools) {
        return absl::ResourceExhaustedError(absl::StrCat("tools/list: more than ", kMaxTools, " tools"));
      }
    }
    auto next = r->find("nextCursor");
    if (next == r->end() || !next->is_string() || next->get<std::string>().empty()) break;
    cursor = next->get<std::string>();
    if (!cursors.insert(cursor).second) {
      return absl::DataLossError("tools/list: the server repeated a cursor (its pages loop)");
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (generation == tools_generation_) {
    tools_ = tools;
    tools_valid_ = true;
  }
  return tools;
}

absl::StatusOr<ToolInfo> McpClient::FindTool(const std::string& name, const CallLimits& limits,
                                             bool refresh) {
  auto tools = ListTools(limits, refresh);
  if (!tools.ok()) return tools.status();
  for (ToolInfo& t : *tools) {
    if (t.name == name) return std::move(t);
  }
  return absl::NotFoundError(absl::StrCat("the MCP server lists no tool named ", name.substr(0, 128)));
}

absl::StatusOr<ToolResult> McpClient::CallTool(const std::string& name, const json& arguments,
                                               const CallLimits& limits) {
  auto r = Request("tools/call", json{{"name", name}, {"arguments", arguments}}, limits);
  if (!r.ok()) return r.status();
  if (!r->is_object()) return absl::DataLossError("tools/call: the server's result is not an object");
  ToolResult out;
  auto is_error = r->find("isError");
  out.is_error = is_error != r->end() && is_error->is_boolean() && is_error->get<bool>();
  out.result = *std::move(r);
  return out;
}

}  // namespace awoooi::mcp
