#include "plugins/actions/mcp/transport.h"

#include <algorithm>
#include <string>

namespace awoooi::mcp {

int64_t CallLimits::remaining_ms() const {
  if (deadline == absl::InfiniteFuture()) return 86'400'000;
  int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
  return std::clamp<int64_t>(ms, 1, 86'400'000);
}

CallLimits CallLimits::Within(int64_t ms) const {
  CallLimits out = *this;
  out.deadline = std::min(deadline, absl::Now() + absl::Milliseconds(ms));
  return out;
}

absl::Status CallLimits::Expired(std::string_view what) const {
  if (cancelled()) return absl::CancelledError(std::string(what) + ": cancelled");
  return absl::DeadlineExceededError(std::string(what) + ": no answer in time");
}

}  // namespace awoooi::mcp
