#include "plugins/actions/mcp/http_transport.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "awoooi/net/http_client.h"
#include "plugins/actions/mcp/json_rpc.h"

namespace awoooi::mcp {
namespace {

using nlohmann::json;

constexpr int64_t kDefaultRetryMs = 1000;

bool IsResponseTo(const json& message, int64_t id) {
  if (message.is_array()) {
    return std::any_of(message.begin(), message.end(), [&](const json& m) { return IsResponseTo(m, id); });
  }
  auto rid = ResponseId(message);
  return rid && *rid == id;
}

// "HTTP 400: Bad Request: No valid session ID provided" from a JSON-RPC error body, if there is one.
std::string ErrorFromBody(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return "";
  auto e = j.find("error");
  if (e == j.end() || !e->is_object()) return "";
  auto m = e->find("message");
  if (m == e->end() || !m->is_string()) return "";
  return m->get<std::string>().substr(0, 200);
}

}  // namespace

struct HttpTransport::Stream {
  enum class Kind { kNone, kJson, kSse, kOther };
  Kind kind = Kind::kNone;
  int status = 0;
  bool response_seen = false;
  std::string last_event_id;
  int64_t retry_ms = -1;
  std::string json_body;
  absl::Status broken;  // why the body could not be read
};

HttpTransport::HttpTransport(HttpOptions options) : options_(std::move(options)) {}

HttpTransport::~HttpTransport() { Close(); }

absl::Status HttpTransport::Open(TransportListener* listener, const CallLimits&) {
  std::string scheme = absl::AsciiStrToLower(options_.url.substr(0, 8));
  if (scheme.rfind("http://", 0) != 0 && scheme.rfind("https://", 0) != 0) {
    return absl::InvalidArgumentError("the MCP server URL must start with http:// or https://");
  }
  listener_ = listener;
  return absl::OkStatus();
}

std::string HttpTransport::session_id() const {
  std::lock_guard<std::mutex> lock(mu_);
  return session_id_;
}

void HttpTransport::SetProtocolVersion(const std::string& version) {
  std::lock_guard<std::mutex> lock(mu_);
  protocol_version_ = version;
}

absl::Status HttpTransport::Exchange(const std::string& method, const std::string& body,
                                     const std::string& last_event_id, const Outgoing& message,
                                     const CallLimits& limits, Stream* stream) {
  net::HttpRequest request;
  request.method = method;
  request.url = options_.url;
  request.body = body;
  request.timeout_ms = limits.remaining_ms();
  request.connect_timeout_ms = std::min(options_.connect_timeout_ms, request.timeout_ms);
  request.cancel = limits.cancel;
  std::string session;
  {
    std::lock_guard<std::mutex> lock(mu_);
    session = session_id_;
    if (!protocol_version_.empty()) request.headers.emplace_back("MCP-Protocol-Version", protocol_version_);
  }
  if (method == "POST") {
    request.headers.emplace_back("Content-Type", "application/json");
    request.headers.emplace_back("Accept", "application/json, text/event-stream");
  } else {
    request.headers.emplace_back("Accept", "text/event-stream");
  }
  if (!session.empty()) request.headers.emplace_back("MCP-Session-Id", session);
  if (!last_event_id.empty()) request.headers.emplace_back("Last-Event-ID", last_event_id);
  for (const auto& h : options_.headers) request.headers.push_back(h);

  SseParser parser(options_.max_message_bytes);
  std::vector<SseEvent> events;
  using Kind = Stream::Kind;
  auto on_headers = [&](int status, const std::map<std::string, std::string>& headers) {
    stream->status = status;
    if (status < 200 || status >= 300) return true;
    if (auto it = headers.find("mcp-session-id"); it != headers.end() && !it->second.empty()) {
      std::lock_guard<std::mutex> lock(mu_);
      if (session_id_.empty()) session_id_ = it->second;
    }
    std::string type;
    if (auto it = headers.find("content-type"); it != headers.end()) type = absl::AsciiStrToLower(it->second);
    if (type.rfind("text/event-stream", 0) == 0) {
      stream->kind = Kind::kSse;
    } else if (type.rfind("application/json", 0) == 0) {
      stream->kind = Kind::kJson;
    } else {
      stream->kind = Kind::kOther;
    }
    return true;
  };
  auto on_chunk = [&](std::string_view chunk) {
    switch (stream->kind) {
      case Kind::kJson:
        if (stream->json_body.size() + chunk.size() > options_.max_message_bytes) {
          stream->broken = absl::ResourceExhaustedError(absl::StrCat(
              "the MCP server sent a message longer than ", options_.max_message_bytes, " bytes"));
          return false;
        }
        stream->json_body.append(chunk);
        return true;
      case Kind::kSse: {
        events.clear();
        absl::Status parsed = parser.Feed(chunk, &events);
        for (SseEvent& e : events) {
          if (!e.id.empty()) stream->last_event_id = e.id;
          if ((!e.event.empty() && e.event != "message") || e.data.empty()) continue;  // priming events
          if (message.request_id) {
            json j = json::parse(e.data, nullptr, false);
            if (IsResponseTo(j, *message.request_id)) stream->response_seen = true;
          }
          listener_->OnMessage(std::move(e.data));
        }
        if (!parser.last_event_id().empty()) stream->last_event_id = parser.last_event_id();
        if (parser.retry_ms() >= 0) stream->retry_ms = parser.retry_ms();
        if (!parsed.ok()) {
          stream->broken = parsed;
          return false;
        }
        return !stream->response_seen;  // the answer is in: no need to wait for the stream's end
      }
      default:
        if (!chunk.empty()) {
          stream->broken = absl::DataLossError(
              "the MCP server answered with a body that is neither JSON nor an event stream");
          return false;
        }
        return true;
    }
  };

  auto response = net::HttpCall(request, on_headers, on_chunk);
  if (!response.ok()) {
    if (absl::IsAborted(response.status())) {
      if (!stream->broken.ok()) return stream->broken;
      if (stream->response_seen) return absl::OkStatus();
    }
    return response.status();
  }
  stream->status = response->status;
  if (response->status >= 200 && response->status < 300) {
    if (stream->kind == Kind::kJson && !stream->json_body.empty()) {
      json j = json::parse(stream->json_body, nullptr, false);
      if (j.is_discarded())
        return absl::DataLossError("the MCP server answered with a body that is not JSON");
      if (message.request_id && IsResponseTo(j, *message.request_id)) stream->response_seen = true;
      listener_->OnMessage(std::move(stream->json_body));
    }
    return absl::OkStatus();
  }
  if (response->status == 404 && !session.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    if (session_id_ == session) session_id_.clear();
    return absl::NotFoundError("the MCP server no longer knows this session (HTTP 404)");
  }
  std::string why = ErrorFromBody(response->body);
  return absl::UnavailableError(
      absl::StrCat("the MCP server answered HTTP ", response->status, why.empty() ? "" : ": ", why));
}

absl::Status HttpTransport::Send(const Outgoing& message, const CallLimits& limits) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return absl::UnavailableError("the MCP server connection is closed");
  }
  Stream stream;
  absl::Status s = Exchange("POST", message.text, "", message, limits, &stream);
  if (!s.ok() || !message.request_id || stream.response_seen) return s;
  const int64_t id = *message.request_id;
  if (stream.kind != Stream::Kind::kSse) {
    return absl::DataLossError(absl::StrCat("the MCP server answered request ", id,
                                            " without its response (HTTP ", stream.status, ")"));
  }
  // The stream ended before the response: resume it (GET with Last-Event-ID after `retry`).
  int attempts = 0;
  while (!stream.response_seen) {
    if (stream.last_event_id.empty()) {
      return absl::UnavailableError(
          absl::StrCat("the MCP server ended its event stream without answering request ", id,
                       " and gave no event id to resume from"));
    }
    if (++attempts > options_.max_resumptions) {
      return absl::UnavailableError(absl::StrCat("the MCP server's event stream for request ", id,
                                                 " made no progress after ", options_.max_resumptions,
                                                 " resumptions"));
    }
    absl::Time resume_at =
        absl::Now() + absl::Milliseconds(stream.retry_ms >= 0 ? stream.retry_ms : kDefaultRetryMs);
    while (absl::Now() < resume_at) {
      if (limits.expired()) return limits.Expired(absl::StrCat("request ", id));
      std::this_thread::sleep_for(
          absl::ToChronoMilliseconds(std::min(resume_at - absl::Now(), absl::Milliseconds(20))));
    }
    if (limits.expired()) return limits.Expired(absl::StrCat("request ", id));
    Stream next;
    next.retry_ms = stream.retry_ms;
    s = Exchange("GET", "", stream.last_event_id, message, limits, &next);
    if (!s.ok()) return s;
    if (next.kind != Stream::Kind::kSse) {
      return absl::UnavailableError(absl::StrCat("resuming the event stream for request ", id,
                                                 ": the server answered without a stream (HTTP ", next.status,
                                                 ")"));
    }
    if (!next.last_event_id.empty() && next.last_event_id != stream.last_event_id) attempts = 0;
    if (next.last_event_id.empty()) next.last_event_id = stream.last_event_id;
    stream = std::move(next);
  }
  return absl::OkStatus();
}

void HttpTransport::Close() {
  std::string session;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    session = session_id_;
  }
  if (session.empty() || listener_ == nullptr) return;
  // Tell the server the session is over (it may answer 405: servers need not support it).
  net::HttpRequest request;
  request.method = "DELETE";
  request.url = options_.url;
  request.timeout_ms = 2000;
  request.connect_timeout_ms = 1000;
  request.headers.emplace_back("MCP-Session-Id", session);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!protocol_version_.empty()) request.headers.emplace_back("MCP-Protocol-Version", protocol_version_);
  }
  for (const auto& h : options_.headers) request.headers.push_back(h);
  (void)net::HttpCall(request);
}

}  // namespace awoooi::mcp
