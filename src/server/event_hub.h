// EventHub: fan-out of live updates to the dashboard's server-sent-events viewers
// (GET /api/v1/events). Publishing posts to each viewer's connection and never blocks; viewers
// that went away are dropped on the next publish, and also while subscribing once the list has
// doubled since it was last pruned, so an idle hub does not keep dead streams. Caps on how many
// viewers may exist are the HTTP server's (HttpServerOptions::max_event_viewers*, enforced in
// Exchange::StartEvents). Thread-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "server/http.h"

namespace awoooi::server {

class EventHub {
 public:
  void Subscribe(std::shared_ptr<EventStream> stream);

  // `json` must be redacted text (it comes from the store or the pipeline). `type` is an event
  // name chosen by the code ("incident.opened"); the stream's framing keeps any text in its field.
  void Publish(std::string_view type, std::string_view json);

  void CloseAll();

  // Subscribed streams, including any that closed since the last publish or prune.
  std::size_t subscribers() const { return count_.load(); }

 private:
  static constexpr std::size_t kMinPruneAt = 64;

  std::mutex mu_;
  std::vector<std::shared_ptr<EventStream>> streams_;  // guarded by mu_
  std::size_t prune_at_ = kMinPruneAt;                 // guarded by mu_
  std::atomic<std::size_t> count_{0};
  std::atomic<uint64_t> sequence_{0};
};

}  // namespace awoooi::server
