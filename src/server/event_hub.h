// EventHub: fan-out of live updates to the dashboard's server-sent-events viewers
// (GET /api/v1/events). Publishing posts to each viewer's connection and never blocks; viewers
// that went away are dropped on the next publish. Thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "server/http.h"

namespace awoooi::server {

class EventHub {
 public:
  void Subscribe(std::shared_ptr<EventStream> stream) {
    std::lock_guard<std::mutex> lock(mu_);
    streams_.push_back(std::move(stream));
    count_.store(streams_.size());
  }

  // `json` must be redacted text (it comes from the store or the pipeline).
  void Publish(std::string_view type, std::string_view json) {
    if (count_.load() == 0) return;
    std::string id = std::to_string(++sequence_);
    std::lock_guard<std::mutex> lock(mu_);
    std::erase_if(streams_, [&](const std::shared_ptr<EventStream>& s) { return !s->Send(type, json, id); });
    count_.store(streams_.size());
  }

  void CloseAll() {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& s : streams_) s->Close();
    streams_.clear();
    count_.store(0);
  }

  std::size_t subscribers() const { return count_.load(); }

 private:
  std::mutex mu_;
  std::vector<std::shared_ptr<EventStream>> streams_;  // guarded by mu_
  std::atomic<std::size_t> count_{0};
  std::atomic<uint64_t> sequence_{0};
};

}  // namespace awoooi::server
