// Session: the MCP lifecycle on a fresh connection — what must happen before requests may be
// made, and what was agreed.
//
// The 2025-06-18 and 2025-11-25 revisions open with `initialize` (the client offers its newest
// version; the server answers the version it will speak, which the client must also speak),
// followed by notifications/initialized. The next revision drops that handshake and sessions:
// a Session for it would return what it knows without a round trip. Transports and the client
// above do not care which one runs.
//
// Thread-safety: Start is called once, by the thread that opens the connection.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "plugins/actions/mcp/json_rpc.h"
#include "plugins/actions/mcp/transport.h"

namespace awoooi::mcp {

// The versions this client speaks, newest first (the first is offered).
inline constexpr std::string_view kProtocolVersions[] = {"2025-11-25", "2025-06-18"};

struct ServerInfo {
  std::string protocol_version;
  std::string name;                 // serverInfo.name (server text: redact before showing)
  std::string version;              // serverInfo.version
  bool tools = false;               // the server declared the tools capability
  bool tools_list_changed = false;  // ... and that it notifies tools/list_changed
};

struct ClientIdentity {
  std::string name = "awoooi";
  std::string version;
};

class Session {
 public:
  virtual ~Session() = default;
  // Brings a freshly opened connection to the operating state. FailedPrecondition when the
  // server speaks no version this client does; the peer's errors otherwise.
  virtual absl::StatusOr<ServerInfo> Start(JsonRpcPeer& peer, Transport& transport,
                                           const CallLimits& limits) = 0;
};

// The `initialize` handshake of 2025-06-18 / 2025-11-25.
std::unique_ptr<Session> MakeInitializeSession(ClientIdentity client);

}  // namespace awoooi::mcp
