#include "plugins/actions/kubernetes/api_client.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace awoooi::action::kubernetes {

std::string QueryEscape(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

absl::StatusOr<ApiReply> ApiClient::Call(std::string_view method, const std::string& path,
                                         const std::string& body, std::string_view content_type,
                                         std::string_view what, absl::Time deadline,
                                         const std::atomic<bool>* cancel) const {
  const std::string label = absl::StrCat(std::string(method), " ", std::string(what));
  if (cancel != nullptr && cancel->load()) return absl::CancelledError(absl::StrCat(label, ": cancelled"));
  const int64_t left_ms = absl::ToInt64Milliseconds(deadline - absl::Now());
  if (left_ms <= 0)
    return absl::DeadlineExceededError(absl::StrCat(label, ": the deadline passed before it was sent"));
  const int64_t timeout_ms = std::min(timeout_ms_, left_ms);

  net::HttpRequest req;
  req.method = std::string(method);
  req.url = access_.server + path;
  req.body = body;
  req.timeout_ms = timeout_ms;
  req.connect_timeout_ms = std::min<int64_t>(timeout_ms, 10'000);
  req.cancel = cancel;
  req.tls = access_.tls;
  req.max_body_bytes = 32 << 20;  // a large pod list
  req.headers.emplace_back("Accept", "application/json");
  req.headers.emplace_back("User-Agent", "awoooi-kubernetes-executor");
  if (!body.empty()) req.headers.emplace_back("Content-Type", std::string(content_type));
  std::string token = access_.token;
  if (!access_.token_file.empty()) {
    std::ifstream in(access_.token_file, std::ios::binary);
    if (!in)
      return absl::UnavailableError(absl::StrCat(label, ": cannot read the token file ", access_.token_file));
    std::stringstream ss;
    ss << in.rdbuf();
    token = std::string(absl::StripAsciiWhitespace(ss.str()));
  }
  if (!token.empty()) {
    req.headers.emplace_back("Authorization", absl::StrCat("Bearer ", token));
  } else if (!access_.username.empty()) {
    req.headers.emplace_back(
        "Authorization",
        absl::StrCat("Basic ", absl::Base64Escape(access_.username + ":" + access_.password)));
  }
  auto resp = net::HttpCall(req);
  if (!resp.ok()) {
    const absl::Status& s = resp.status();
    switch (s.code()) {
      case absl::StatusCode::kDeadlineExceeded:
        return absl::DeadlineExceededError(
            absl::StrCat(label, ": no answer from the API server within ", timeout_ms, " ms"));
      case absl::StatusCode::kCancelled:
        return absl::CancelledError(absl::StrCat(label, ": cancelled"));
      case absl::StatusCode::kResourceExhausted:
        return absl::UnavailableError(
            absl::StrCat(label, ": the answer was larger than ", req.max_body_bytes, " bytes"));
      default: {
        // HttpCall's message may end with the URL, which carries object names: keep the reason only.
        std::string why(s.message());
        if (auto at = why.find(" (" + req.url); at != std::string::npos) why.resize(at);
        return absl::UnavailableError(
            absl::StrCat(label, ": cannot reach the API server at ", access_.server, " (", why, ")"));
      }
    }
  }
  ApiReply reply;
  reply.code = resp->status;
  reply.body = std::move(resp->body);
  if (auto it = resp->headers.find("retry-after"); it != resp->headers.end()) reply.retry_after = it->second;
  return reply;
}

}  // namespace awoooi::action::kubernetes
