// What the HTTP-based notifiers share: the time budget of one delivery, one POST with a bounded
// answer, and the mapping of an HTTP outcome to a DeliveryResult (include/awoooi/notify/notifier.h).
//
// The mapping (each channel may refine it, e.g. Slack's "ok" body, Discord's JSON retry_after):
//   2xx                         kDelivered
//   408, 425, 429, 5xx          kRetry (Retry-After, delta-seconds or HTTP date, is reported)
//   other 1xx/3xx/4xx           kRejected (redirects are not followed: a webhook URL must be final)
//   no answer: timeout, cancel, connection refused or reset, DNS, TLS   kRetry
//   a request the client cannot even build (bad URL)                    kRejected
// Details are program text: the status code and curl's reason, never a body or a header value.
//
// Thread-safety: pure functions (PostJson performs one blocking call on the caller's thread).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "awoooi/net/http_client.h"
#include "awoooi/notify/notifier.h"

namespace awoooi::plugins::outputs {

notify::DeliveryResult Delivered(int http_status, std::string detail);
notify::DeliveryResult Retry(std::string detail, int http_status = 0, int64_t retry_after_ms = -1);
notify::DeliveryResult Rejected(std::string detail, int http_status = 0);

// Milliseconds this attempt may take: the channel's `timeout`, shortened to what is left before
// `deadline`. <= 0 when the deadline has passed.
int64_t BudgetMs(absl::Time deadline, int64_t timeout_ms);

// kRetry before any byte is sent when `cancel` is already set or no time is left; nullopt otherwise.
std::optional<notify::DeliveryResult> NotStarted(absl::Time deadline, int64_t timeout_ms,
                                                 const std::atomic<bool>* cancel);

// POSTs `request` within BudgetMs(deadline, timeout_ms) (the connect timeout at most 10 s of it),
// stopping when `cancel` becomes true. The answer holds the status, the headers and at most the
// first 64 KiB of the body whatever its status (a 2xx body is read to the end and the rest dropped,
// so a chatty receiver cannot turn a success into an error).
absl::StatusOr<net::HttpResponse> PostWithin(net::HttpRequest request, absl::Time deadline,
                                             int64_t timeout_ms, const std::atomic<bool>* cancel);

// The generic mapping above, for a transport error.
notify::DeliveryResult FromTransportError(const absl::Status& status);
// The generic mapping above, for an answer.
notify::DeliveryResult FromHttpStatus(const net::HttpResponse& response);

// The Retry-After header of `response` in milliseconds, -1 when absent or unparsable.
int64_t RetryAfterHeaderMs(const net::HttpResponse& response);

}  // namespace awoooi::plugins::outputs
