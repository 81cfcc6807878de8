// HttpClient: a small libcurl client for the LLM providers — one POST at a time per call, the
// answer's body streamed to a callback as it arrives, with a whole-request deadline, a connect
// timeout and cancellation. curl stays inside http_client.cc.
//
// Thread-safety: Post() may be called from many threads at once; every call owns its own curl
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

namespace awoooi::brain {

struct HttpRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // values may hold secrets: never logged
  std::string body;
  int64_t timeout_ms = 60'000;  // the whole exchange, including the streamed body
  int64_t connect_timeout_ms = 10'000;
  const std::atomic<bool>* cancel = nullptr;  // checked at least every 100 ms
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; the last value wins
  std::string body;  // the whole body when not 2xx (capped at 64 KiB); empty when streamed
};

// Receives a 2xx answer's body in the chunks the network delivers. Return false to stop reading
// (the call then ends with Aborted).
using BodyChunkFn = std::function<bool(std::string_view chunk)>;

// POSTs `request`. A 2xx body goes to `on_chunk` (may be null); any other status is returned as an
// HttpResponse with its body, for the caller to classify (429/5xx retry, 4xx fail).
// Errors: DeadlineExceeded (timeout), Cancelled (request.cancel), Aborted (on_chunk returned false),
// Unavailable (DNS, connect, reset, a body cut short). Messages never contain header values.
absl::StatusOr<HttpResponse> HttpPost(const HttpRequest& request, const BodyChunkFn& on_chunk);

// Parses a Retry-After value (delta-seconds or an HTTP date) into milliseconds from now; -1 when
// absent or unparsable.
int64_t ParseRetryAfterMs(std::string_view value);

}  // namespace awoooi::brain
