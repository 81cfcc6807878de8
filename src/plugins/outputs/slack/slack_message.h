// The Slack message for a notification: Block Kit blocks shaped like the dashboard's ApprovalCard,
// for an incoming webhook (https://api.slack.com/messaging/webhooks).
//
//   header   the title (plain text, one line)
//   section  the text (mrkdwn)
//   section  the fields, "*Label*\nvalue", at most 10 per section (more sections for more fields)
//   context  severity, event, time
//   actions  one url button "Open in AWOOOI" to Notification::link (absent without a link):
//            approving happens only in the dashboard
// plus the top-level `text`, which Slack shows in notifications and where blocks cannot render.
// Every value is escaped for mrkdwn (&, <, > — so no value can form a link or an @-mention) and
// cut to Slack's limits (below), counted in UTF-16 units.
//
// Thread-safety: a pure function.
#pragma once

#include <cstddef>
#include <string>

#include "awoooi/notify/notifier.h"

namespace awoooi::plugins::outputs::slack {

// Block Kit limits (https://api.slack.com/reference/block-kit/blocks).
inline constexpr std::size_t kHeaderTextMax = 150;
inline constexpr std::size_t kSectionTextMax = 3000;
inline constexpr std::size_t kFieldTextMax = 2000;
inline constexpr std::size_t kFieldsPerSection = 10;
inline constexpr std::size_t kButtonTextMax = 75;
inline constexpr std::size_t kButtonUrlMax = 3000;
inline constexpr std::size_t kBlocksMax = 50;
// Ours: the fallback text is kept to a section's size, and at most this many field sections.
inline constexpr std::size_t kFallbackTextMax = 3000;
inline constexpr std::size_t kFieldSectionsMax = 4;

// The JSON body to POST to the webhook.
std::string SlackPayload(const notify::Notification& notification);

}  // namespace awoooi::plugins::outputs::slack
