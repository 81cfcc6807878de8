// What leaves the MCP plugin for people and storage: a tool's result rendered as text, any JSON a
// server sent redacted leaf by leaf, and a size cap. Everything here takes server text and gives
// back privacy::Redacted.
//
// Thread-safety: pure functions; the vault is the caller's (one caller at a time).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "awoooi/privacy/redacted.h"
#include "awoooi/privacy/shield.h"

namespace awoooi::mcp {

inline constexpr std::size_t kMaxOutputBytes = 64 * 1024;

// The text of a CallToolResult: its text items, one per line; other items as "[image image/png]",
// "[resource file:///x]"...; structuredContent as JSON when there is no text item. Raw server text.
std::string RenderToolResult(const nlohmann::json& result);

// `value` with every string (keys included) redacted in `vault`, and every number the shield
// recognises (a card number) replaced by its label as a string; serialised compactly.
privacy::Redacted RedactJson(const nlohmann::json& value, const privacy::Shield& shield,
                             privacy::Vault& vault);

// At most `max_bytes` of `text` (cut at a UTF-8 boundary) with a note saying how much there was.
privacy::Redacted Cap(const privacy::Redacted& text, std::size_t max_bytes = kMaxOutputBytes);

}  // namespace awoooi::mcp
