// The generic webhook's wire format (docs/notifications.md, "webhook").
//
// Body (JSON, UTF-8):
//   {"event": "...", "idempotency_key": "...", "severity": "critical", "title": "...", "text": "...",
//    "fields": [{"label": "Root cause", "value": "..."}, ...],   (display order)
//    "link": "https://..." or "", "at": "2026-01-02T03:04:05.000Z" or null}
// Headers:
//   X-AWOOOI-Timestamp: <unix seconds when this attempt was signed>
//   X-AWOOOI-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//   X-AWOOOI-Idempotency-Key, X-AWOOOI-Event
// A receiver recomputes the HMAC over the exact bytes it received, compares in constant time, and
// refuses timestamps more than 5 minutes away from its clock (a replayed request).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "awoooi/notify/notifier.h"

namespace awoooi::plugins::outputs::webhook {

std::string WebhookBody(const notify::Notification& notification);

// "sha256=" + lower-case hex HMAC-SHA256 of `timestamp + "." + body` under `secret`.
std::string WebhookSignature(std::string_view secret, int64_t unix_seconds, std::string_view body);

}  // namespace awoooi::plugins::outputs::webhook
