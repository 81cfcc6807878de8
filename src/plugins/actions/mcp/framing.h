// Wire framing of the two MCP transports, as pure byte-in/message-out parsers.
//
// LineFramer splits the stdio stream into messages: one JSON-RPC message per line ("\n", an
// optional "\r" before it is dropped; empty lines are skipped). A line longer than the cap is an
// error (ResourceExhausted) and the framer refuses further input: a server that writes a 10 MB line
// is broken, and reading on would buffer without bound.
//
// SseParser reads a text/event-stream body (the Streamable HTTP transport's answers): lines ending
// in "\n", "\r\n" or "\r"; "field: value" lines (one space after the colon dropped), ":" comments,
// data lines joined with "\n", an event dispatched at each blank line. An event's data larger than
// the cap is an error (ResourceExhausted). The last event id and retry value persist across events,
// as the SSE specification says, for resuming a stream with Last-Event-ID.
//
// Thread-safety: plain values; one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace awoooi::mcp {

inline constexpr std::size_t kDefaultMaxMessageBytes = 4 << 20;  // 4 MiB

class LineFramer {
 public:
  explicit LineFramer(std::size_t max_line_bytes = kDefaultMaxMessageBytes) : max_(max_line_bytes) {}
  // Appends the complete lines found in `bytes` to `lines`. After an error every call fails.
  absl::Status Feed(std::string_view bytes, std::vector<std::string>* lines);
  // Bytes of an unfinished line held back.
  std::size_t pending() const { return partial_.size(); }
  std::size_t lines_seen() const { return lines_seen_; }

 private:
  std::size_t max_;
  std::string partial_;
  std::size_t lines_seen_ = 0;
  absl::Status broken_;
};

struct SseEvent {
  std::string event;  // "" means "message"
  std::string data;
  std::string id;  // the last event id in force when this event was dispatched
};

class SseParser {
 public:
  explicit SseParser(std::size_t max_event_bytes = kDefaultMaxMessageBytes) : max_(max_event_bytes) {}
  // Appends every event completed by `bytes`. After an error every call fails.
  absl::Status Feed(std::string_view bytes, std::vector<SseEvent>* events);
  const std::string& last_event_id() const { return last_id_; }
  // The server's `retry:` in milliseconds, or -1 when it sent none.
  int64_t retry_ms() const { return retry_ms_; }

 private:
  void Line(std::string_view line, std::vector<SseEvent>* events);
  std::size_t max_;
  std::string line_;
  bool after_cr_ = false;  // the previous byte was '\r' (a "\r\n" pair ends one line)
  std::string event_, data_;
  bool has_data_ = false;
  std::string last_id_;
  int64_t retry_ms_ = -1;
  absl::Status broken_;
};

}  // namespace awoooi::mcp
