// Transport: how JSON-RPC messages travel between AWOOOI and one MCP server (stdio or Streamable
// HTTP). It moves message texts and knows nothing of methods, ids or the MCP lifecycle, which live
// in JsonRpcPeer and Session above it — so a protocol revision that drops sessions and the
// `initialize` handshake changes the Session, not the transports.
//
// Contract:
// - Open() starts the transport; from then on every message read goes to the listener's
//   OnMessage (stdio: from the transport's reader thread; HTTP: from the thread inside Send), and
//   OnClosed is called at most once, when the transport can carry no more (the child exited, it
//   broke the framing). The listener must outlive the transport.
// - Send() delivers one message. HTTP: it POSTs it, and the messages of the answer reach the
//   listener before Send returns; for a request, Send keeps reading (resuming a cut stream with
//   Last-Event-ID) until the response arrived, the limits ran out or the stream cannot go on.
//   NotFound means the server no longer knows this session (HTTP 404): start a new one.
// - Close() ends it (stdio: closes the child's stdin, then SIGTERM, then SIGKILL) and joins its
//   threads; after it no listener call happens. The destructor closes.
//
// Thread-safety: Send may be called from several threads at once; Open and Close from one.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace awoooi::mcp {

// The deadline and cancellation flag of one operation.
struct CallLimits {
  absl::Time deadline = absl::InfiniteFuture();
  const std::atomic<bool>* cancel = nullptr;

  bool cancelled() const { return cancel != nullptr && cancel->load(); }
  bool expired() const { return cancelled() || absl::Now() >= deadline; }
  // Milliseconds left (at least 1; a day when there is no deadline).
  int64_t remaining_ms() const;
  // These limits, with the deadline brought forward to now + `ms` when that is sooner.
  CallLimits Within(int64_t ms) const;
  // DeadlineExceeded or Cancelled, saying what ran out of time.
  absl::Status Expired(std::string_view what) const;
};

class TransportListener {
 public:
  virtual ~TransportListener() = default;
  virtual void OnMessage(std::string message) = 0;
  virtual void OnClosed(absl::Status why) = 0;
};

struct Outgoing {
  std::string text;                   // one JSON-RPC message, no newline in it
  std::optional<int64_t> request_id;  // a request whose response the caller waits for
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual absl::Status Open(TransportListener* listener, const CallLimits& limits) = 0;
  virtual absl::Status Send(const Outgoing& message, const CallLimits& limits) = 0;
  // The negotiated protocol version; the HTTP transport sends it as MCP-Protocol-Version on every
  // later request.
  virtual void SetProtocolVersion(const std::string& version) = 0;
  virtual void Close() = 0;
  // For people: "stdio /usr/bin/mcp-server-everything" or "http://127.0.0.1:3001/mcp".
  virtual std::string Describe() const = 0;
  // The last bytes the server wrote to stderr (stdio): anything may be in them, redact before
  // showing.
  virtual std::string DiagnosticTail() const { return ""; }
  // Whether notifications the server sends on its own (tools/list_changed) reach the listener
  // between requests: true for stdio, false for HTTP without a standing GET stream.
  virtual bool DeliversServerNotifications() const = 0;
};

}  // namespace awoooi::mcp
