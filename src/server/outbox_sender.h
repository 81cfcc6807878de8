// OutboxSender: delivers the notification outbox (notify/outbox.h) through the configured
// notifiers.
//
// A router thread fans new notifications out to the channels their routes name; one thread per
// channel then claims that channel's due deliveries and sends them one at a time, no faster than
// the channel's rate limit, each within its own deadline. A dead or slow receiver holds up only
// its own channel: ingestion, analyses, approvals and the other channels never wait for it.
// Failures are retried with backoff and jitter (Retry-After honoured) until delivered or
// dead-lettered; every state lives in the store, so a restart loses nothing and resends only what
// was not recorded as delivered.
//
// Thread-safety: construct, then it runs on its own threads until destroyed; Wake() from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "awoooi/notify/notifier.h"
#include "awoooi/notify/outbox.h"
#include "awoooi/store/store.h"

namespace awoooi::server {

struct OutboxChannel {
  std::unique_ptr<notify::Notifier> notifier;
  absl::Duration min_interval = absl::ZeroDuration();  // between two sends (Slack: about 1/s)
  absl::Duration timeout = absl::Seconds(30);          // one delivery's deadline
};

struct OutboxOptions {
  std::vector<notify::Route> routes;
  notify::RetryPolicy retry;
  std::string public_url;  // prefixed to link paths ("" = no links)
  absl::Duration poll = absl::Milliseconds(500);
};

class OutboxSender {
 public:
  OutboxSender(store::Store& store, std::vector<OutboxChannel> channels, OutboxOptions options);
  ~OutboxSender();
  // Something was just written to the outbox: look now rather than at the next poll.
  void Wake();

 private:
  void RouterLoop();
  void ChannelLoop(std::size_t index);
  bool Sleep(absl::Duration d);  // false once stopping

  store::Store& store_;
  std::vector<OutboxChannel> channels_;
  std::vector<std::string> names_;
  const OutboxOptions options_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t wakeups_ = 0;  // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace awoooi::server
