// HttpCall: the one HTTP client of the process (libcurl), shared by the LLM providers, the
// Kubernetes and MCP executors and the notifiers. curl stays inside src/net/http_client.cc.
//
// A call is one request and its answer, with a whole-exchange deadline, a connect timeout and
// cancellation. A 2xx body can be streamed to a callback as it arrives (LLM token streams, MCP
// SSE answers); otherwise the body is collected up to a cap. TLS can use a CA bundle and a client
// certificate from files or from memory (kubeconfig's *-data fields).
//
// Thread-safety: HttpCall may be called from many threads at once; every call owns its own curl
// handle. The process-wide curl initialisation happens once, on first use.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace awoooi::net {

struct TlsOptions {
  std::string ca_file;           // PEM bundle to verify the server with (empty: the system's)
  std::string ca_pem;            // the same, in memory (takes precedence over ca_file)
  std::string client_cert_file;  // PEM client certificate (mutual TLS)
  std::string client_key_file;
  std::string client_cert_pem;  // the same, in memory
  std::string client_key_pem;   // a secret: never logged
  bool verify_peer = true;      // false only when configured explicitly (kubeconfig insecure-skip-tls-verify)
};

struct HttpRequest {
  std::string method = "POST";  // GET, POST, PUT, PATCH, DELETE
  std::string url;
  // True when the URL itself is a credential (a Slack or Discord webhook URL): error messages then
  // name only its scheme, host and port.
  bool url_is_secret = false;
  std::vector<std::pair<std::string, std::string>> headers;  // values may hold secrets: never logged
  std::string body;
  int64_t timeout_ms = 60'000;  // the whole exchange, including a streamed body
  int64_t connect_timeout_ms = 10'000;
  const std::atomic<bool>* cancel = nullptr;  // checked at least every 100 ms
  TlsOptions tls;
  // Bodies that are collected (not streamed) stop at this many bytes (ResourceExhausted).
  int64_t max_body_bytes = 16 << 20;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; the last value wins
  // The body, when it was not streamed. A non-2xx body that was meant to be streamed is kept
  // here too (capped at 64 KiB) for the caller to classify.
  std::string body;
};

// Receives a 2xx answer's body in the chunks the network delivers. Return false to stop reading
// (the call then ends with Aborted).
using BodyChunkFn = std::function<bool(std::string_view chunk)>;

// Receives the final answer's status and headers (names lower-cased) once they are complete: before
// its first body chunk, or at the end when it has no body. Called at most once per call. Return
// false to stop reading (the call then ends with Aborted). Lets a caller choose how to read a body
// by its Content-Type (an MCP server answers JSON or an SSE stream).
using HeadersFn = std::function<bool(int status, const std::map<std::string, std::string>& headers)>;

// Performs `request`. With `on_chunk`, a 2xx body goes to it; without, the body is collected.
// Any HTTP status is a successful call: the caller classifies (429/5xx retry, 4xx fail).
// Errors: DeadlineExceeded (timeout), Cancelled (request.cancel), Aborted (on_chunk returned
// false), ResourceExhausted (a collected body over max_body_bytes), Unavailable (DNS, connect,
// TLS, reset, a body cut short), InvalidArgument (an unsupported method). Messages never contain
// header values or bodies.
absl::StatusOr<HttpResponse> HttpCall(const HttpRequest& request, const BodyChunkFn& on_chunk = nullptr);
// The same, with `on_headers` told the status and headers before the body arrives.
absl::StatusOr<HttpResponse> HttpCall(const HttpRequest& request, const HeadersFn& on_headers,
                                      const BodyChunkFn& on_chunk);

// Parses a Retry-After value (delta-seconds or an HTTP date) into milliseconds from now; -1 when
// absent or unparsable.
int64_t ParseRetryAfterMs(std::string_view value);

}  // namespace awoooi::net
