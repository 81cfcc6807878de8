#include "brain/stream_parsers.h"

namespace awoooi::brain {

void SseParser::Feed(std::string_view bytes, const EventFn& on_event) {
  // Lines end with "\r\n", "\n" or "\r" (the SSE spec allows all three); a "\r\n" split across two
  // Feed calls must count once.
  for (char c : bytes) {
    if (last_was_cr_) {
      last_was_cr_ = false;
      if (c == '\n') continue;
    }
    if (c == '\r' || c == '\n') {
      last_was_cr_ = c == '\r';
      std::string line;
      line.swap(line_);
      Line(line, on_event);
      continue;
    }
    line_ += c;
  }
}

void SseParser::Line(std::string_view line, const EventFn& on_event) {
  if (line.empty()) {
    if (has_data_) on_event(event_);
    event_ = SseEvent();
    has_data_ = false;
    return;
  }
  if (line.front() == ':') return;  // a comment (keep-alive)
  std::string_view field = line, value;
  if (auto colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_) event_.data += '\n';
    event_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    event_.event = std::string(value);
  }
  // id and retry are irrelevant for a one-shot completion stream.
}

void LineSplitter::Feed(std::string_view bytes, const LineFn& on_line) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != '\n') continue;
    line_.append(bytes.substr(start, i - start));
    start = i + 1;
    std::string_view line = line_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) on_line(line);
    line_.clear();
  }
  line_.append(bytes.substr(start));
}

}  // namespace awoooi::brain
