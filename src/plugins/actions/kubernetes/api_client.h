// ApiClient: one Kubernetes API request at a time over net::HttpCall, with the cluster's
// credentials, a per-request timeout and the caller's deadline and cancel flag.
//
// Every request ends by min(configured timeout, time left to the deadline); a request whose
// deadline has already passed is not sent. Any HTTP status is an answer (the caller classifies);
// the error codes are DeadlineExceeded, Cancelled and Unavailable (transport). Error messages name
// the method and the resource type the caller passes in `what` — never the URL (it carries object
// names, which may be real values) and never a header (the token).
//
// Thread-safety: immutable after construction; Call may run on many threads at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "plugins/actions/kubernetes/kubeconfig.h"

namespace awoooi::action::kubernetes {

struct ApiReply {
  int code = 0;             // the HTTP status
  std::string body;         // as received (JSON for every API answer)
  std::string retry_after;  // the Retry-After header ("" when absent)
};

class ApiClient {
 public:
  ApiClient(ClusterAccess access, int64_t timeout_ms) : access_(std::move(access)), timeout_ms_(timeout_ms) {}

  // `path` starts with '/' and may carry a query. `content_type` is sent when `body` is not empty.
  absl::StatusOr<ApiReply> Call(std::string_view method, const std::string& path, const std::string& body,
                                std::string_view content_type, std::string_view what, absl::Time deadline,
                                const std::atomic<bool>* cancel) const;

  const ClusterAccess& access() const { return access_; }

 private:
  ClusterAccess access_;
  int64_t timeout_ms_;
};

// Percent-encodes a query value (everything but RFC 3986 unreserved characters).
std::string QueryEscape(std::string_view value);

}  // namespace awoooi::action::kubernetes
