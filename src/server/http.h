// The HTTP layer's own small types, so that Beast stays inside http_server.cc.
//
// A handler receives an Exchange and must call Respond() exactly once (from any thread, at any
// later time — ingestion answers after the group commit), or StartEvents() to turn the
// connection into a server-sent-events stream.
//
// Denial-of-service limits live in HttpServerOptions (docs/security.md, "Denial of service"):
// connection caps (global, clamped below the descriptor limit, and per client address), header,
// body and time limits per request, a header-phase hook that can refuse a request before its
// body is read, and caps and a write timeout for event-stream viewers.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace awoooi::server {

struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string target;                          // as sent: path and query
  std::string path;                            // decoded path without the query
  std::map<std::string, std::string> query;    // decoded; last value wins
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string remote;  // peer address
  std::string request_id;

  std::string_view Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string_view() : std::string_view(it->second);
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// {"error": {"code": "invalid_argument", "message": "..."}} with the status mapped in one place:
// InvalidArgument 400, Unauthenticated 401, PermissionDenied 403, NotFound 404, AlreadyExists and
// FailedPrecondition 409, ResourceExhausted and Unavailable 503, DeadlineExceeded 504, else 500.
HttpResponse ErrorResponse(const absl::Status& status);
HttpResponse ErrorResponse(int http_status, std::string_view code, std::string_view message);
int HttpStatusFor(absl::StatusCode code);

// A live server-sent-events stream. Send() may be called from any thread; it returns false once
// the client has gone (then drop the stream). Slow clients are cut off: one that falls more than
// HttpServerOptions::max_event_backlog_bytes behind, or whose socket accepts nothing for
// HttpServerOptions::event_write_timeout_ms while events wait.
//
// Framing is safe for any text: the SSE grammar ends a line at CR, LF or CRLF, so `data` is split
// at each of them into separate "data:" lines (a client joins them with LF), and CR and LF are
// removed from `event` and `id` (and NUL from `id`, which a client would ignore), so no input can
// start a new field or event.
class EventStream {
 public:
  virtual ~EventStream() = default;
  virtual bool Send(std::string_view event, std::string_view data, std::string_view id = {}) = 0;
  virtual void Close() = 0;
  virtual bool closed() const = 0;
};

class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual const HttpRequest& request() const = 0;
  virtual void Respond(HttpResponse response) = 0;
  // Answers 200 text/event-stream and keeps the connection for events. `viewer_key` names who
  // watches (the authenticated user): at most HttpServerOptions::max_event_viewers_per_user live
  // streams share one key, and at most max_event_viewers streams are live in all. Over a cap the
  // request is answered at once (429 too_many_streams for the key, 503 unavailable for the
  // server, JSON error bodies) and nullptr is returned. An empty key is only counted globally.
  virtual std::shared_ptr<EventStream> StartEvents(std::string_view viewer_key) = 0;
  std::shared_ptr<EventStream> StartEvents() { return StartEvents(std::string_view()); }
};

using Handler = std::function<void(std::shared_ptr<Exchange>)>;

// Called on an I/O thread once a request's headers are read and before its body is (and before
// "100 Continue" is sent). `head` has method, target, path, query, headers, remote and request_id;
// its body is empty. `content_length` is the declared body size: 0 without a body, nullopt for a
// chunked one.
// Return a response to answer at once without reading the body (the connection then closes), or
// nullopt to read the body and call the handler. Must be fast and must not block: it sees every
// request, unauthenticated ones included. Exceptions count as a 500.
using HeaderHook = std::function<std::optional<HttpResponse>(const HttpRequest& head,
                                                             std::optional<uint64_t> content_length)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  int64_t max_body_bytes = 8 << 20;
  int64_t max_header_bytes = 16 << 10;
  int64_t request_timeout_ms = 30'000;
  // Open connections beyond this are answered 503 and closed at accept. Listen() lowers it below
  // the process's descriptor limit (RLIMIT_NOFILE minus fd_reserve; see max_connections()).
  int64_t max_connections = 10'000;
  // Open connections from one client address (an IPv4 address, an IPv6 /64) beyond this are
  // answered 429 and closed at accept; 0 turns the cap off. Loopback counts like any address
  // unless per_client_cap_exempts_loopback.
  int64_t max_connections_per_client = 256;
  bool per_client_cap_exempts_loopback = false;
  // At Listen(), raise RLIMIT_NOFILE's soft limit to its hard limit (always allowed).
  bool raise_fd_limit = true;
  // Descriptors kept free for everything that is not a connection: SQLite's files, logs, child
  // processes, outgoing HTTP. The connection cap is clamped to (descriptor limit - fd_reserve).
  int64_t fd_reserve = 64;
  // Live event streams (all SSE endpoints together), and per viewer key (see StartEvents); 0 turns
  // a cap off.
  int64_t max_event_viewers = 5'000;
  int64_t max_event_viewers_per_user = 50;
  // An event-stream viewer whose socket accepts no byte for this long while events wait is closed.
  int64_t event_write_timeout_ms = 30'000;
  // An event-stream viewer with more than this many bytes queued in the process is closed.
  int64_t max_event_backlog_bytes = 4 << 20;
  // Optional: refuse requests from their headers, before the body is read (see HeaderHook).
  HeaderHook on_headers;
  int threads = 2;
};

// What the limits did, for /metrics: open_connections, event_viewers and max_connections are
// gauges, the rest counters since start.
struct HttpServerStats {
  int64_t open_connections = 0;
  int64_t event_viewers = 0;          // live event streams
  int64_t max_connections = 0;        // the effective cap after the descriptor clamp
  int64_t refused_server_full = 0;    // closed at accept: max_connections reached
  int64_t refused_per_client = 0;     // closed at accept: max_connections_per_client reached
  int64_t accept_errors = 0;          // accept() failures (EMFILE, ENFILE, ENOBUFS, ...)
  int64_t refused_at_headers = 0;     // answered by on_headers without reading the body
  int64_t viewers_refused = 0;        // StartEvents over a viewer cap
  int64_t viewers_write_timeout = 0;  // viewers closed by event_write_timeout_ms
  int64_t viewers_backlog_cut = 0;    // viewers closed for falling too far behind
};

// Observes every finished request (metrics, access logs). Called on an I/O thread.
using RequestObserver = std::function<void(const HttpRequest&, int status, double seconds)>;

// An HTTP/1.1 server on Boost.Beast: keep-alive, bounded bodies and headers, per-request time
// limits, connection cap, SSE. Thread-safe; Run() blocks until Stop() and the drain finish.
class HttpServer {
 public:
  static std::unique_ptr<HttpServer> Create(HttpServerOptions options, Handler handler,
                                            RequestObserver observer);
  virtual ~HttpServer() = default;
  // Binds; returns the bound port (useful with port 0) or an error naming the address.
  virtual absl::Status Listen() = 0;
  virtual uint16_t port() const = 0;
  // Runs the I/O threads until Shutdown() completes.
  virtual void Run() = 0;
  // Stops accepting, lets in-flight requests finish (up to `grace_ms`), closes event streams and
  // idle connections, then makes Run() return. Thread-safe; idempotent.
  virtual void Shutdown(int64_t grace_ms) = 0;
  virtual int64_t open_connections() const = 0;
  // The connection cap in force: options.max_connections, clamped below the descriptor limit by
  // Listen() (before Listen(), the configured value).
  virtual int64_t max_connections() const = 0;
  virtual HttpServerStats stats() const = 0;
  // Runs `fn` on an I/O thread, after every function posted before it (FIFO, one at a time): for
  // short bookkeeping that must stay in order and must not block.
  virtual void Post(std::function<void()> fn) = 0;
};

// One server-sent event as written on the wire ("id:", "event:", one "data:" line per line of
// `data`, a blank line), framed as EventStream::Send promises: CR, LF and CRLF in `data` each end
// a data line; CR and LF are dropped from `event` and `id`, NUL from `id`.
std::string FormatServerSentEvent(std::string_view event, std::string_view data, std::string_view id);

// Percent-decoding for paths and query strings ('+' is a space in queries only).
std::string UrlDecode(std::string_view s, bool plus_is_space);

}  // namespace awoooi::server
