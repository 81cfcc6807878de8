// JsonRpcPeer: JSON-RPC 2.0 over a Transport — requests matched to responses by id, whatever
// arrives in between.
//
// Servers interleave: the reference server sends notifications/tools/list_changed before its
// answer to `initialize`, a server may ask something of the client (ping) while a tool runs, and a
// late answer to a request that already timed out may still come. So every incoming message is
// classified — response (has an id, no method), notification (method, no id) or server request
// (both) — and a response goes to the caller waiting for exactly that id; one nobody waits for any
// more is dropped and counted. A server request is answered at once: `ping` with an empty result,
// anything else with -32601 (this client offers no capabilities).
//
// Call() waits until the response, the limits or the transport's end. When the limits run out it
// sends notifications/cancelled for the request (the server may stop working on it) and returns
// DeadlineExceeded or Cancelled. A JSON-RPC error answer becomes a Status whose code follows the
// error code (-32602 InvalidArgument, -32601 Unimplemented, others Unknown) and whose message
// carries the server's message — server text: redact before it leaves the process.
//
// A message that is not JSON, or not a JSON-RPC message, breaks the peer (the server violates the
// protocol; reading on could pair answers wrongly): every waiting and later call fails with
// DataLoss naming the problem, never quoting the bytes.
//
// Thread-safety: Call and Notify may be called from several threads at once; the transport calls
// OnMessage/OnClosed from its own thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/statusor.h"
#include "plugins/actions/mcp/transport.h"

namespace awoooi::mcp {

// Serialises a request/notification. Compact, so never a raw newline.
std::string EncodeRequest(int64_t id, const std::string& method, const nlohmann::json& params);
std::string EncodeNotification(const std::string& method, const nlohmann::json& params);

// The integer id of a response message ("" → nullopt): lets a transport see when the answer it
// waits for has come without owning the matching.
std::optional<int64_t> ResponseId(const nlohmann::json& message);

class JsonRpcPeer : public TransportListener {
 public:
  using NotificationFn = std::function<void(const std::string& method, const nlohmann::json& params)>;

  // `transport` must outlive the peer (the owner closes the transport before destroying the peer).
  JsonRpcPeer(Transport* transport, NotificationFn on_notification);
  ~JsonRpcPeer() override;

  absl::StatusOr<nlohmann::json> Call(const std::string& method, nlohmann::json params,
                                      const CallLimits& limits);
  absl::Status Notify(const std::string& method, nlohmann::json params, const CallLimits& limits);

  // OK while the peer can still carry requests; otherwise why not.
  absl::Status health() const;
  int64_t unmatched_responses() const;

  void OnMessage(std::string message) override;
  void OnClosed(absl::Status why) override;

 private:
  struct Pending {
    bool done = false;
    nlohmann::json response;
  };
  void Handle(nlohmann::json message);
  void Break(absl::Status why);

  Transport* transport_;
  NotificationFn on_notification_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int64_t next_id_ = 0;
  std::map<int64_t, std::shared_ptr<Pending>> pending_;
  absl::Status broken_;
  int64_t unmatched_ = 0;
};

}  // namespace awoooi::mcp
