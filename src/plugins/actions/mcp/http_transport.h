// HttpTransport: the Streamable HTTP transport (MCP 2025-06-18 / 2025-11-25) over the shared
// libcurl client.
//
// Every message is a POST to the one endpoint with `Accept: application/json, text/event-stream`,
// the configured headers, the session id the server gave in its answer to `initialize`
// (MCP-Session-Id, echoed on every later request) and, once negotiated, MCP-Protocol-Version.
// Notifications and responses are answered 202 (no body). A request is answered with one JSON
// message or an SSE stream that may carry notifications and server requests before the response;
// every message goes to the listener as it arrives. An SSE stream that ends before the response
// (a server may close it after a priming event) is resumed with GET and Last-Event-ID after the
// server's `retry:` delay, until the response comes or the limits run out. HTTP 404 on a request
// that carried a session id means the session is gone: Send returns NotFound and forgets the id,
// so the next `initialize` starts a new one. Any other non-2xx is Unavailable naming the status
// (and the JSON-RPC error in the body, when there is one, reaches the listener first).
//
// No standing GET stream is opened: the tools of an HTTP server are listed again where freshness
// matters (see McpClient). Close() ends the session with DELETE (best effort).
//
// Thread-safety: see Transport; session state is guarded.
#pragma once

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "plugins/actions/mcp/framing.h"
#include "plugins/actions/mcp/transport.h"

namespace awoooi::mcp {

struct HttpOptions {
  std::string url;                                           // http:// or https://
  std::vector<std::pair<std::string, std::string>> headers;  // values may be secrets: never logged
  std::size_t max_message_bytes = kDefaultMaxMessageBytes;
  int64_t connect_timeout_ms = 10'000;
  int max_resumptions = 10;  // GET resumptions without progress before giving up on a stream
};

class HttpTransport : public Transport {
 public:
  explicit HttpTransport(HttpOptions options);
  ~HttpTransport() override;

  absl::Status Open(TransportListener* listener, const CallLimits& limits) override;
  absl::Status Send(const Outgoing& message, const CallLimits& limits) override;
  void SetProtocolVersion(const std::string& version) override;
  void Close() override;
  std::string Describe() const override { return options_.url; }
  bool DeliversServerNotifications() const override { return false; }

  std::string session_id() const;

 private:
  struct Stream;
  absl::Status Exchange(const std::string& method, const std::string& body, const std::string& last_event_id,
                        const Outgoing& message, const CallLimits& limits, Stream* stream);

  HttpOptions options_;
  TransportListener* listener_ = nullptr;
  mutable std::mutex mu_;
  std::string session_id_;
  std::string protocol_version_;
  bool closed_ = false;
};

}  // namespace awoooi::mcp
