#include "plugins/outputs/common/delivery.h"

#include <algorithm>

namespace awoooi::plugins::outputs {
namespace {

constexpr std::size_t kMaxKeptBody = 64 * 1024;

}  // namespace

notify::DeliveryResult Delivered(int http_status, std::string detail) {
  return notify::DeliveryResult{notify::DeliveryOutcome::kDelivered, http_status, -1, std::move(detail)};
}

notify::DeliveryResult Retry(std::string detail, int http_status, int64_t retry_after_ms) {
  return notify::DeliveryResult{notify::DeliveryOutcome::kRetry, http_status, retry_after_ms,
                                std::move(detail)};
}

notify::DeliveryResult Rejected(std::string detail, int http_status) {
  return notify::DeliveryResult{notify::DeliveryOutcome::kRejected, http_status, -1, std::move(detail)};
}

int64_t BudgetMs(absl::Time deadline, int64_t timeout_ms) {
  if (deadline == absl::InfiniteFuture()) return timeout_ms;
  int64_t left = absl::ToInt64Milliseconds(deadline - absl::Now());
  return std::min(timeout_ms, left);
}

std::optional<notify::DeliveryResult> NotStarted(absl::Time deadline, int64_t timeout_ms,
                                                 const std::atomic<bool>* cancel) {
  if (cancel != nullptr && cancel->load()) return Retry("cancelled before sending");
  if (BudgetMs(deadline, timeout_ms) <= 0) return Retry("the delivery deadline passed before sending");
  return std::nullopt;
}

absl::StatusOr<net::HttpResponse> PostWithin(net::HttpRequest request, absl::Time deadline,
                                             int64_t timeout_ms, const std::atomic<bool>* cancel) {
  // At least 1 ms: a timeout of 0 would mean "no limit" to curl.
  const int64_t budget = std::max<int64_t>(1, BudgetMs(deadline, timeout_ms));
  request.method = "POST";
  request.timeout_ms = budget;
  request.connect_timeout_ms = std::min<int64_t>(budget, 10'000);
  request.cancel = cancel;
  request.max_body_bytes = kMaxKeptBody;
  std::string head;
  net::BodyChunkFn keep_head = [&head](std::string_view chunk) {
    if (head.size() < kMaxKeptBody) head.append(chunk.substr(0, kMaxKeptBody - head.size()));
    return true;
  };
  absl::StatusOr<net::HttpResponse> response = net::HttpCall(request, keep_head);
  if (response.ok() && response->status >= 200 && response->status < 300) response->body = std::move(head);
  return response;
}

notify::DeliveryResult FromTransportError(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kDeadlineExceeded:
      return Retry("no answer in time: " + std::string(status.message()));
    case absl::StatusCode::kCancelled:
      return Retry("cancelled");
    case absl::StatusCode::kInvalidArgument:
      return Rejected("cannot send: " + std::string(status.message()));
    default:
      return Retry("no answer: " + std::string(status.message()));
  }
}

int64_t RetryAfterHeaderMs(const net::HttpResponse& response) {
  auto it = response.headers.find("retry-after");
  return it == response.headers.end() ? -1 : net::ParseRetryAfterMs(it->second);
}

notify::DeliveryResult FromHttpStatus(const net::HttpResponse& response) {
  const int s = response.status;
  const std::string code = "HTTP " + std::to_string(s);
  if (s >= 200 && s < 300) return Delivered(s, code);
  if (s == 408 || s == 425 || s == 429 || (s >= 500 && s < 600)) {
    return Retry(code + (s == 429 ? " (rate limited)" : ""), s, RetryAfterHeaderMs(response));
  }
  if (s >= 300 && s < 400)
    return Rejected(code + " (redirects are not followed: configure the final URL)", s);
  return Rejected(code, s);
}

}  // namespace awoooi::plugins::outputs
