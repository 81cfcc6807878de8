// Notifier: the OUTPUT plugin interface (PRODUCT F8).
//
// A notifier delivers one notification to one channel (a Slack or Discord webhook, an e-mail
// recipient list, a signed webhook). Notifications come from the durable outbox: a row written in
// the same transaction as the event that caused it, delivered at least once, carrying an
// idempotency key so a receiver can drop a repeat. A notifier never decides about retries: it
// reports what happened and the outbox's sender loop decides (backoff, Retry-After, dead letter).
//
// Everything a notification carries is Redacted: no raw value can reach a channel.
//
// Thread-safety: Deliver may be called from several threads at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "awoooi/core/alert.h"
#include "awoooi/privacy/redacted.h"

namespace awoooi::notify {

struct Notification {
  std::string idempotency_key;  // event id + "/" + channel name: equal keys are the same message
  std::string event;            // "incident.opened", "approval.requested", "approval.voided", ...
  Severity severity = Severity::kWarning;
  privacy::Redacted title;
  privacy::Redacted text;  // a few lines for people
  // Label (program text) -> value, in display order: "Root cause", "Blast radius", "Risk", ...
  std::vector<std::pair<std::string, privacy::Redacted>> fields;
  std::string link;  // the dashboard page for this event ("" when no public URL is configured)
  absl::Time at = absl::InfinitePast();
};

enum class DeliveryOutcome {
  kDelivered,  // the receiver accepted it
  kRetry,      // a temporary failure (5xx, 429, timeout, connection refused): try again later
  kRejected,   // a permanent failure (4xx other than 408/429, bad address): retrying will not help
};

struct DeliveryResult {
  DeliveryOutcome outcome = DeliveryOutcome::kRetry;
  int http_status = 0;          // 0 when not HTTP or no answer
  int64_t retry_after_ms = -1;  // what the receiver asked for (429 Retry-After); -1 when it did not
  std::string detail;           // program text, never a body or a header value
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual std::string name() const = 0;  // the channel's configured name
  virtual std::string type() const = 0;  // "slack" | "discord" | "email" | "webhook"
  // Delivers within `deadline` (a slow receiver gets kRetry, never a hung sender).
  virtual DeliveryResult Deliver(const Notification& notification, absl::Time deadline,
                                 const std::atomic<bool>* cancel) = 0;
};

}  // namespace awoooi::notify
