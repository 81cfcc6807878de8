#include "plugins/actions/mcp/framing.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace awoooi::mcp {

absl::Status LineFramer::Feed(std::string_view bytes, std::vector<std::string>* lines) {
  if (!broken_.ok()) return broken_;
  while (!bytes.empty()) {
    std::size_t nl = bytes.find('\n');
    std::string_view piece = bytes.substr(0, nl);
    if (partial_.size() + piece.size() > max_) {
      broken_ = absl::ResourceExhaustedError(absl::StrCat("the server sent a message longer than ", max_,
                                                          " bytes (line ", lines_seen_ + 1,
                                                          "); messages are one JSON-RPC object per line"));
      partial_.clear();
      partial_.shrink_to_fit();
      return broken_;
    }
    partial_.append(piece);
    if (nl == std::string_view::npos) break;
    bytes.remove_prefix(nl + 1);
    if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
    if (!partial_.empty()) {
      ++lines_seen_;
      lines->push_back(std::move(partial_));
    }
    partial_.clear();
  }
  return absl::OkStatus();
}

absl::Status SseParser::Feed(std::string_view bytes, std::vector<SseEvent>* events) {
  if (!broken_.ok()) return broken_;
  for (char c : bytes) {
    if (c == '\n' && after_cr_) {  // the second half of "\r\n"
      after_cr_ = false;
      continue;
    }
    after_cr_ = c == '\r';
    if (c == '\r' || c == '\n') {
      Line(line_, events);
      line_.clear();
      if (!broken_.ok()) return broken_;
      continue;
    }
    line_.push_back(c);
    if (line_.size() + data_.size() > max_) {
      broken_ =
          absl::ResourceExhaustedError(absl::StrCat("the server sent an event larger than ", max_, " bytes"));
      return broken_;
    }
  }
  return absl::OkStatus();
}

void SseParser::Line(std::string_view line, std::vector<SseEvent>* events) {
  if (line.empty()) {  // dispatch
    if (has_data_ || !event_.empty()) events->push_back(SseEvent{event_, data_, last_id_});
    event_.clear();
    data_.clear();
    has_data_ = false;
    return;
  }
  if (line.front() == ':') return;  // a comment (keep-alive)
  std::size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) data_.push_back('\n');
    data_.append(value);
    has_data_ = true;
    if (data_.size() > max_) {
      broken_ =
          absl::ResourceExhaustedError(absl::StrCat("the server sent an event larger than ", max_, " bytes"));
    }
  } else if (field == "event") {
    event_ = std::string(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) last_id_ = std::string(value.substr(0, 1024));
  } else if (field == "retry") {
    if (!value.empty() && value.size() <= 9 &&
        std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      retry_ms_ = std::stoll(std::string(value));
    }
  }
}

}  // namespace awoooi::mcp
