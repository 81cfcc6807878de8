// The HTTP layer's own small types, so that Beast stays inside http_server.cc.
//
// A handler receives an Exchange and must call Respond() exactly once (from any thread, at any
// later time — ingestion answers after the group commit), or StartEvents() to turn the
// connection into a server-sent-events stream.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace awoooi::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path and query
  std::string path;    // decoded path without the query
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
// the client has gone (then drop the stream). Slow clients that fall too far behind are cut off.
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
  // Answers 200 text/event-stream and keeps the connection for events.
  virtual std::shared_ptr<EventStream> StartEvents() = 0;
};

using Handler = std::function<void(std::shared_ptr<Exchange>)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  int64_t max_body_bytes = 8 << 20;
  int64_t max_header_bytes = 16 << 10;
  int64_t request_timeout_ms = 30'000;
  int64_t max_connections = 10'000;
  int threads = 2;
};

// Observes every finished request (metrics, access logs). Called on an I/O thread.
using RequestObserver = std::function<void(const HttpRequest&, int status, double seconds)>;

// An HTTP/1.1 server on Boost.Beast: keep-alive, bounded bodies and headers, per-request time
// limits, connection cap, SSE. Thread-safe; Run() blocks until Stop() and the drain finish.
class HttpServer {
 public:
  static std::unique_ptr<HttpServer> Create(HttpServerOptions options, Handler handler, RequestObserver observer);
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
  // Runs `fn` on an I/O thread, after every function posted before it (FIFO, one at a time): for
  // short bookkeeping that must stay in order and must not block.
  virtual void Post(std::function<void()> fn) = 0;
};

// Percent-decoding for paths and query strings ('+' is a space in queries only).
std::string UrlDecode(std::string_view s, bool plus_is_space);

}  // namespace awoooi::server
