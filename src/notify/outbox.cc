#include "awoooi/notify/outbox.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace awoooi::notify {
namespace {

bool Glob(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool Any(const std::vector<std::string>& patterns, std::string_view text) {
  return patterns.empty() ||
         std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return Glob(p, text); });
}

}  // namespace

std::vector<std::string> ChannelsFor(const NotificationDraft& n, const std::vector<Route>& routes,
                                     const std::vector<std::string>& channels) {
  if (routes.empty()) return channels;
  std::vector<std::string> out;
  for (const std::string& channel : channels) {
    for (const auto& r : routes) {
      if (!r.channels.empty() && std::find(r.channels.begin(), r.channels.end(), channel) == r.channels.end())
        continue;
      if (!Any(r.events, n.event) || n.severity < r.min_severity) continue;
      if (!r.services.empty() && !Any(r.services, n.service)) continue;
      if (!r.namespaces.empty() && !Any(r.namespaces, n.ns)) continue;
      out.push_back(channel);
      break;
    }
  }
  return out;
}

absl::Time NextAttempt(int attempts, int64_t retry_after_ms, absl::Time created, absl::Time now,
                       double jitter, const RetryPolicy& policy) {
  if (attempts >= policy.max_attempts) return absl::InfiniteFuture();
  absl::Time next;
  if (retry_after_ms >= 0) {
    next = now + std::min(absl::Milliseconds(retry_after_ms), policy.max_retry_after);
  } else {
    double factor = std::pow(2.0, std::min(attempts - 1, 30));
    absl::Duration backoff = std::min(policy.initial_backoff * factor, policy.max_backoff);
    next = now + backoff / 2 + (backoff / 2) * std::clamp(jitter, 0.0, 1.0);
  }
  if (next - created > policy.max_age) return absl::InfiniteFuture();
  return next;
}

std::string IdempotencyKey(int64_t notification_id, std::string_view channel) {
  return absl::StrCat("awoooi-notification-", notification_id, "/",
                      absl::string_view(channel.data(), channel.size()));
}

}  // namespace awoooi::notify
