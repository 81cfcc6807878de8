// The notification outbox (PRODUCT F8; ARCHITECTURE "Outbox"): what is worth telling people,
// who hears what, and when a failed delivery is tried again.
//
// An event worth telling (incident opened or resolved, approval requested / approved / rejected /
// voided / expired / executed, a pattern becoming automatic) is a NotificationDraft, written by the
// store as a row in the same transaction as the change that caused it. A sender loop then fans
// each row out to the channels whose routes match it (one delivery per channel, idempotent on
// (notification, channel)) and delivers them at least once: per-channel retries with exponential
// backoff and jitter, Retry-After honoured, a per-channel rate limit, and a dead letter after too
// many attempts or too long. The idempotency key (notification id + "/" + channel) lets a receiver
// drop a repeat.
//
// Values and pure functions; thread-safety: values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "awoooi/core/alert.h"

namespace awoooi::notify {

// One event worth telling, as stored (every text redacted).
struct NotificationDraft {
  std::string event;  // "incident.opened", "approval.requested", ...
  Severity severity = Severity::kWarning;
  std::string subject;  // "incident/7", "approval/3"
  int64_t incident_id = 0;
  std::string service;
  std::string ns;
  std::string title;
  std::string text;
  std::vector<std::pair<std::string, std::string>> fields;  // label -> value, in order
  std::string link_path;  // "/approvals/3": the dashboard page (prefixed with the public URL)
};

// Which notifications a channel receives. Empty lists match everything; globs with '*'.
struct Route {
  std::vector<std::string> channels;  // notifier names (empty: every channel)
  std::vector<std::string> events;    // "approval.*", "incident.opened"
  Severity min_severity = Severity::kNone;
  std::vector<std::string> services;
  std::vector<std::string> namespaces;
};

// The channels (of `channels`, in order) that `n` goes to. With no routes configured, every
// channel hears everything.
std::vector<std::string> ChannelsFor(const NotificationDraft& n, const std::vector<Route>& routes,
                                     const std::vector<std::string>& channels);

struct RetryPolicy {
  int max_attempts = 12;
  absl::Duration max_age = absl::Hours(24);
  absl::Duration initial_backoff = absl::Seconds(2);
  absl::Duration max_backoff = absl::Minutes(10);
  absl::Duration max_retry_after = absl::Hours(1);  // a longer Retry-After is capped at this
};

// When attempt `attempts` (1-based, the one that just failed) is tried again: exponential
// backoff with full jitter in [backoff/2, backoff] (`jitter` in [0, 1)), or the receiver's
// Retry-After when it gave one. InfiniteFuture means dead-letter it (too many attempts, too old).
absl::Time NextAttempt(int attempts, int64_t retry_after_ms, absl::Time created, absl::Time now,
                       double jitter, const RetryPolicy& policy);

// The idempotency key of one notification on one channel.
std::string IdempotencyKey(int64_t notification_id, std::string_view channel);

}  // namespace awoooi::notify
