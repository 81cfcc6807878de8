#include "server/outbox_sender.h"

#include <random>

#include "spdlog/spdlog.h"

namespace awoooi::server {
namespace {

// Stored notification text was redacted before it was written; the sender hands it on as such.
notify::Notification ToNotification(const store::Delivery& d, const std::string& public_url) {
  const privacy::Redacted stored = privacy::Redacted::Literal("");
  notify::Notification n;
  n.idempotency_key = notify::IdempotencyKey(d.notification_id, d.channel);
  n.event = d.notification.event;
  n.severity = d.notification.severity;
  n.title = privacy::Redacted::PartOf(stored, d.notification.title);
  n.text = privacy::Redacted::PartOf(stored, d.notification.text);
  for (const auto& [k, v] : d.notification.fields)
    n.fields.emplace_back(k, privacy::Redacted::PartOf(stored, v));
  if (!public_url.empty() && !d.notification.link_path.empty()) {
    std::string base = public_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    n.link = base + d.notification.link_path;
  }
  n.at = d.notification_created_at;
  return n;
}

}  // namespace

OutboxSender::OutboxSender(store::Store& store, std::vector<OutboxChannel> channels, OutboxOptions options)
    : store_(store), channels_(std::move(channels)), options_(std::move(options)) {
  for (const auto& c : channels_) names_.push_back(c.notifier->name());
  threads_.emplace_back([this] { RouterLoop(); });
  for (std::size_t i = 0; i < channels_.size(); ++i) threads_.emplace_back([this, i] { ChannelLoop(i); });
}

OutboxSender::~OutboxSender() {
  stopping_ = true;
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void OutboxSender::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++wakeups_;
  }
  cv_.notify_all();
}

bool OutboxSender::Sleep(absl::Duration d) {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t seen = wakeups_;
  cv_.wait_for(lock, absl::ToChronoMilliseconds(d), [&] { return stopping_.load() || wakeups_ != seen; });
  return !stopping_.load();
}

void OutboxSender::RouterLoop() {
  do {
    if (names_.empty()) continue;
    auto routed = store_.RouteNotifications([this](const notify::NotificationDraft& n) {
      return notify::ChannelsFor(n, options_.routes, names_);
    });
    if (!routed.ok()) {
      spdlog::warn("outbox: routing failed: {}", std::string(routed.status().message()));
    } else if (*routed > 0) {
      Wake();
    }
  } while (Sleep(options_.poll));
}

void OutboxSender::ChannelLoop(std::size_t index) {
  OutboxChannel& channel = channels_[index];
  const std::string& name = names_[index];
  std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  absl::Time last_send = absl::InfinitePast();
  do {
    for (;;) {
      if (stopping_) return;
      // The lease covers the slowest send: a crash mid-send makes the delivery due again then.
      auto due = store_.ClaimDeliveries(name, absl::Now(), channel.timeout + absl::Minutes(1), 1);
      if (!due.ok()) {
        spdlog::warn("outbox: claiming deliveries for {} failed: {}", name,
                     std::string(due.status().message()));
        break;
      }
      if (due->empty()) break;
      const store::Delivery& d = due->front();
      if (absl::Now() - last_send < channel.min_interval &&
          !Sleep(channel.min_interval - (absl::Now() - last_send))) {
        return;
      }
      last_send = absl::Now();
      notify::DeliveryResult r = channel.notifier->Deliver(ToNotification(d, options_.public_url),
                                                           absl::Now() + channel.timeout, &stopping_);
      if (r.outcome == notify::DeliveryOutcome::kDelivered) {
        (void)store_.FinishDelivery(d.id, true, absl::InfiniteFuture(), r.http_status, "");
        continue;
      }
      absl::Time next = r.outcome == notify::DeliveryOutcome::kRejected
                            ? absl::InfiniteFuture()
                            : notify::NextAttempt(d.attempts, r.retry_after_ms, d.notification_created_at,
                                                  absl::Now(), jitter(rng), options_.retry);
      if (next == absl::InfiniteFuture()) {
        spdlog::warn("outbox: notification {} dead-lettered on {} after {} attempt(s): {}", d.notification_id,
                     name, d.attempts, r.detail);
      }
      (void)store_.FinishDelivery(d.id, false, next, r.http_status, r.detail);
    }
  } while (Sleep(options_.poll));
}

}  // namespace awoooi::server
