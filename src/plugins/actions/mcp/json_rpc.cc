#include "plugins/actions/mcp/json_rpc.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace awoooi::mcp {
namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

absl::Status FromJsonRpcError(const std::string& method, const json& error) {
  int64_t code = 0;
  std::string message;
  if (error.is_object()) {
    if (auto c = error.find("code"); c != error.end() && c->is_number_integer()) code = c->get<int64_t>();
    if (auto m = error.find("message"); m != error.end() && m->is_string()) message = m->get<std::string>();
  }
  if (message.size() > 1000) message.resize(1000);
  std::string text = absl::StrCat(method, ": the server answered error ", code, ": ", message);
  switch (code) {
    case -32602:
    case -32600:
      return absl::InvalidArgumentError(text);
    case -32601:
      return absl::UnimplementedError(text);
    default:
      return absl::UnknownError(text);
  }
}

}  // namespace

std::string EncodeRequest(int64_t id, const std::string& method, const json& params) {
  json j = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.is_null()) j["params"] = params;
  return Dump(j);
}

std::string EncodeNotification(const std::string& method, const json& params) {
  json j = {{"jsonrpc", "2.0"}, {"method", method}};
  if (!params.is_null()) j["params"] = params;
  return Dump(j);
}

std::optional<int64_t> ResponseId(const json& message) {
  if (!message.is_object() || message.contains("method")) return std::nullopt;
  auto id = message.find("id");
  if (id == message.end() || !id->is_number_integer()) return std::nullopt;
  return id->get<int64_t>();
}

JsonRpcPeer::JsonRpcPeer(Transport* transport, NotificationFn on_notification)
    : transport_(transport), on_notification_(std::move(on_notification)) {}

JsonRpcPeer::~JsonRpcPeer() = default;

absl::Status JsonRpcPeer::health() const {
  std::lock_guard<std::mutex> lock(mu_);
  return broken_;
}

int64_t JsonRpcPeer::unmatched_responses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return unmatched_;
}

absl::StatusOr<json> JsonRpcPeer::Call(const std::string& method, json params, const CallLimits& limits) {
  int64_t id = 0;
  auto pending = std::make_shared<Pending>();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!broken_.ok()) return broken_;
    id = ++next_id_;
    pending_[id] = pending;
  }
  auto forget = [&] {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.erase(id);
  };
  auto cancel_on_server = [&](const char* reason) {
    // Best effort and short: the caller is already late.
    (void)Notify("notifications/cancelled", json{{"requestId", id}, {"reason", reason}},
                 CallLimits{absl::Now() + absl::Seconds(1), nullptr});
  };
  if (limits.expired()) {
    forget();
    return limits.Expired(method);
  }
  absl::Status sent = transport_->Send(Outgoing{EncodeRequest(id, method, params), id}, limits);
  if (!sent.ok()) {
    forget();
    if (absl::IsDeadlineExceeded(sent) || absl::IsCancelled(sent)) {
      cancel_on_server(absl::IsCancelled(sent) ? "cancelled" : "timeout");
      return limits.expired() ? limits.Expired(method) : sent;
    }
    return sent;
  }
  std::unique_lock<std::mutex> lock(mu_);
  while (!pending->done && broken_.ok() && !limits.expired()) {
    // The cancellation flag cannot wake us: look at it every 50 ms.
    absl::Time wake = std::min(limits.deadline, absl::Now() + absl::Milliseconds(50));
    cv_.wait_for(lock, absl::ToChronoNanoseconds(wake - absl::Now()));
  }
  if (pending->done) {
    pending_.erase(id);
    json response = std::move(pending->response);
    lock.unlock();
    if (auto e = response.find("error"); e != response.end()) return FromJsonRpcError(method, *e);
    auto r = response.find("result");
    if (r == response.end()) {
      return absl::DataLossError(method + ": the server's response has neither result nor error");
    }
    return std::move(*r);
  }
  pending_.erase(id);
  if (!broken_.ok()) return broken_;
  lock.unlock();
  cancel_on_server(limits.cancelled() ? "cancelled" : "timeout");
  return limits.Expired(method);
}

absl::Status JsonRpcPeer::Notify(const std::string& method, json params, const CallLimits& limits) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!broken_.ok()) return broken_;
  }
  return transport_->Send(Outgoing{EncodeNotification(method, params), std::nullopt}, limits);
}

void JsonRpcPeer::OnMessage(std::string message) {
  json parsed = json::parse(message, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    Break(absl::DataLossError(
        absl::StrCat("the server broke the protocol: it sent ", message.size(), " bytes that are not JSON")));
    return;
  }
  if (parsed.is_array()) {  // a batch (2025-03-26 and older)
    for (auto& m : parsed) Handle(std::move(m));
    return;
  }
  Handle(std::move(parsed));
}

void JsonRpcPeer::Handle(json message) {
  if (!message.is_object()) {
    Break(absl::DataLossError("the server broke the protocol: it sent JSON that is not a JSON-RPC message"));
    return;
  }
  auto method = message.find("method");
  auto id = message.find("id");
  if (method != message.end()) {
    if (!method->is_string()) {
      Break(absl::DataLossError("the server broke the protocol: a message's method is not a string"));
      return;
    }
    json params = message.value("params", json());
    if (id == message.end()) {
      if (on_notification_) on_notification_(method->get<std::string>(), params);
      return;
    }
    // A request from the server: this client offers no capabilities but answers ping.
    json reply = {{"jsonrpc", "2.0"}, {"id", *id}};
    if (*method == "ping") {
      reply["result"] = json::object();
    } else {
      reply["error"] = {{"code", -32601}, {"message", "Method not found"}};
    }
    (void)transport_->Send(Outgoing{Dump(reply), std::nullopt},
                           CallLimits{absl::Now() + absl::Seconds(5), nullptr});
    return;
  }
  std::optional<int64_t> rid = ResponseId(message);
  if (!rid) {
    // A response with a null id answers a request the server could not parse: nothing to match.
    std::lock_guard<std::mutex> lock(mu_);
    ++unmatched_;
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pending_.find(*rid);
  if (it == pending_.end() || it->second->done) {
    ++unmatched_;  // late (the caller gave up) or never asked
    return;
  }
  it->second->response = std::move(message);
  it->second->done = true;
  cv_.notify_all();
}

void JsonRpcPeer::OnClosed(absl::Status why) {
  Break(why.ok() ? absl::UnavailableError("the connection to the MCP server ended") : why);
}

void JsonRpcPeer::Break(absl::Status why) {
  std::lock_guard<std::mutex> lock(mu_);
  if (broken_.ok()) broken_ = std::move(why);
  cv_.notify_all();
}

}  // namespace awoooi::mcp
