// The Discord message for a notification: one embed coloured by severity, for a channel webhook
// (https://discord.com/developers/docs/resources/webhook#execute-webhook).
//
//   title        the title (one line), linked to Notification::link when there is one
//   description  the text, then "Open in AWOOOI" as a link when there is one
//   fields       the fields (label -> value), short values inline
//   footer       AWOOOI · SEVERITY · event;   timestamp: Notification::at;   color: by severity
//   allowed_mentions {"parse": []}: no value can ping @everyone, a role or a user
// Markdown characters in values are backslash-escaped, so no value can form a link or formatting.
// Limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits), counted
// in UTF-16 units: title 256, description 4,096, 25 fields, field name 256, field value 1,024,
// footer 2,048, and 6,000 over all of them; when the total is over, the longest of the description
// and the field values are shortened first, evenly.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>

#include "awoooi/notify/notifier.h"

namespace awoooi::plugins::outputs::discord {

inline constexpr std::size_t kTitleMax = 256;
inline constexpr std::size_t kDescriptionMax = 4096;
inline constexpr std::size_t kFieldsMax = 25;
inline constexpr std::size_t kFieldNameMax = 256;
inline constexpr std::size_t kFieldValueMax = 1024;
inline constexpr std::size_t kFooterMax = 2048;
inline constexpr std::size_t kEmbedTotalMax = 6000;

// The JSON body to POST to the webhook.
std::string DiscordPayload(const notify::Notification& notification);

}  // namespace awoooi::plugins::outputs::discord
