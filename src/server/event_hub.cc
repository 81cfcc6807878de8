#include "server/event_hub.h"

#include <algorithm>

namespace awoooi::server {

void EventHub::Subscribe(std::shared_ptr<EventStream> stream) {
  std::lock_guard<std::mutex> lock(mu_);
  // Amortised: a full pass only when the list doubled since the last one.
  if (streams_.size() >= prune_at_) {
    std::erase_if(streams_, [](const std::shared_ptr<EventStream>& s) { return s->closed(); });
    prune_at_ = std::max(kMinPruneAt, 2 * streams_.size());
  }
  streams_.push_back(std::move(stream));
  count_.store(streams_.size());
}

void EventHub::Publish(std::string_view type, std::string_view json) {
  if (count_.load() == 0) return;
  std::string id = std::to_string(++sequence_);
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(streams_, [&](const std::shared_ptr<EventStream>& s) { return !s->Send(type, json, id); });
  count_.store(streams_.size());
}

void EventHub::CloseAll() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& s : streams_) s->Close();
  streams_.clear();
  count_.store(0);
}

}  // namespace awoooi::server
