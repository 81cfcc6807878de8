#include "server/http.h"

#include <nlohmann/json.hpp>

namespace awoooi::server {

int HttpStatusFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    case absl::StatusCode::kUnimplemented:
      return 501;
    default:
      return 500;
  }
}

namespace {
std::string CodeName(absl::StatusCode code) {
  std::string s = absl::StatusCodeToString(code);
  for (char& c : s) c = static_cast<char>(c == ' ' ? '_' : std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

HttpResponse ErrorResponse(int http_status, std::string_view code, std::string_view message) {
  nlohmann::json j = {{"error", {{"code", std::string(code)}, {"message", std::string(message)}}}};
  HttpResponse r;
  r.status = http_status;
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (http_status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

HttpResponse ErrorResponse(const absl::Status& status) {
  return ErrorResponse(HttpStatusFor(status.code()), CodeName(status.code()), std::string(status.message()));
}

namespace {
// A field value (event name, id) must stay on its line: CR and LF would end it early, and an id
// containing NUL is ignored by clients.
void AppendFieldValue(std::string* out, std::string_view value, bool drop_nul) {
  for (char c : value) {
    if (c == '\r' || c == '\n' || (drop_nul && c == '\0')) continue;
    out->push_back(c);
  }
}
}  // namespace

std::string FormatServerSentEvent(std::string_view event, std::string_view data, std::string_view id) {
  std::string out;
  out.reserve(data.size() + event.size() + id.size() + 32);
  if (!id.empty()) {
    out += "id: ";
    AppendFieldValue(&out, id, /*drop_nul=*/true);
    out += '\n';
  }
  if (!event.empty()) {
    out += "event: ";
    AppendFieldValue(&out, event, /*drop_nul=*/false);
    out += '\n';
  }
  // The SSE grammar ends a line at CRLF, LF or CR: each one here starts a new "data:" line, so a
  // client rebuilds the text with LF and nothing in it can become a field or end the event.
  std::size_t start = 0;
  for (std::size_t i = 0;; ++i) {
    if (i == data.size() || data[i] == '\r' || data[i] == '\n') {
      out += "data: ";
      out.append(data.substr(start, i - start));
      out += '\n';
      if (i == data.size()) break;
      if (data[i] == '\r' && i + 1 < data.size() && data[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  out += '\n';
  return out;
}

std::string UrlDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace awoooi::server
