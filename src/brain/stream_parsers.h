// Incremental parsers for the two streaming wire formats the LLM providers use:
// server-sent events (OpenAI-compatible chat completions, Anthropic Messages) and newline-delimited
// JSON (Ollama /api/chat). Bytes arrive split anywhere — inside a UTF-8 sequence, a "\r\n", a
// field name — so both keep the unfinished tail and only emit complete units.
//
// Thread-safety: one parser per stream, used by one thread at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace awoooi::brain {

struct SseEvent {
  std::string event;  // "" when the event had no `event:` field ("message" by the spec)
  std::string data;   // `data:` lines joined with '\n'
};

class SseParser {
 public:
  using EventFn = std::function<void(const SseEvent&)>;
  // Feeds bytes; calls `on_event` for every event completed by a blank line.
  void Feed(std::string_view bytes, const EventFn& on_event);
  // Bytes held for an event not yet complete (a stream ending with these was cut short).
  std::size_t pending() const { return line_.size() + (has_data_ || !event_.event.empty() ? 1 : 0); }

 private:
  void Line(std::string_view line, const EventFn& on_event);
  std::string line_;
  bool last_was_cr_ = false;
  bool has_data_ = false;
  SseEvent event_;
};

class LineSplitter {
 public:
  using LineFn = std::function<void(std::string_view line)>;
  // Calls `on_line` for every complete line ('\n' or "\r\n" terminated), without its terminator;
  // blank lines are skipped.
  void Feed(std::string_view bytes, const LineFn& on_line);
  // The unterminated tail (a final NDJSON line may lack its newline).
  const std::string& rest() const { return line_; }

 private:
  std::string line_;
};

}  // namespace awoooi::brain
