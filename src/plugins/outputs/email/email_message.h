// The e-mail for a notification (RFC 5322 + MIME): a multipart/alternative message with a plain-text
// part and an HTML part, both UTF-8 in base64.
//
// Headers: From, To, Subject ("[AWOOOI] SEVERITY: title", one line, RFC 2047 encoded words when
// not ASCII), Date (the notification's time, else now), Message-ID (derived from the idempotency
// key, so a repeat of the same notification has the same Message-ID and a receiver can drop it),
// MIME-Version, Content-Type, Auto-Submitted: auto-generated (RFC 3834: no auto-replies), and
// X-AWOOOI-Event / X-AWOOOI-Severity / X-AWOOOI-Idempotency-Key for filtering.
// No value can add or break a header: every header value is made one line of printable text
// (CR, LF and other controls become spaces) before it is encoded. Every value in the HTML part is
// HTML-escaped; the link is rendered only when it is a plain http(s) URL.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "awoooi/notify/notifier.h"

namespace awoooi::plugins::outputs::email {

struct Mailbox {
  std::string display_name;  // may be empty; any Unicode
  std::string address;       // local@domain, ASCII
};

// Parses "local@domain" or "Display Name <local@domain>". InvalidArgument for anything else,
// including addresses with spaces, controls, quotes, brackets or non-ASCII characters.
absl::StatusOr<Mailbox> ParseMailbox(std::string_view text);

// The message-id "<hex.awoooi@domain>" for an idempotency key (domain: the sender's).
std::string MessageIdFor(std::string_view idempotency_key, std::string_view sender_address);

// A header value as one line, RFC 2047-encoded ("=?UTF-8?B?...?=" words folded with CRLF SP) when
// it is not printable ASCII.
std::string EncodeHeaderText(std::string_view text);

// The whole message, CRLF line endings. `now` is the Date when the notification has no time.
std::string ComposeEmail(const notify::Notification& notification, const Mailbox& from,
                         const std::vector<Mailbox>& to, absl::Time now);

}  // namespace awoooi::plugins::outputs::email
