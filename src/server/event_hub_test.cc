#include "server/event_hub.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace awoooi::server {
namespace {

class FakeStream final : public EventStream {
 public:
  bool Send(std::string_view event, std::string_view data, std::string_view id) override {
    if (closed_) return false;
    sent.push_back(std::string(event) + "|" + std::string(data) + "|" + std::string(id));
    return true;
  }
  void Close() override { closed_ = true; }
  bool closed() const override { return closed_; }
  std::vector<std::string> sent;

 private:
  bool closed_ = false;
};

TEST(EventHub, PublishesToEveryLiveViewerWithIncreasingIds) {
  EventHub hub;
  auto a = std::make_shared<FakeStream>(), b = std::make_shared<FakeStream>();
  hub.Subscribe(a);
  hub.Subscribe(b);
  hub.Publish("incident.opened", "{\"incident_id\":1}");
  hub.Publish("incident.resolved", "{\"incident_id\":1}");
  EXPECT_EQ(a->sent, (std::vector<std::string>{"incident.opened|{\"incident_id\":1}|1",
                                               "incident.resolved|{\"incident_id\":1}|2"}));
  EXPECT_EQ(b->sent, a->sent);
}

TEST(EventHub, ViewersThatLeftAreDroppedOnPublish) {
  EventHub hub;
  auto a = std::make_shared<FakeStream>(), b = std::make_shared<FakeStream>();
  hub.Subscribe(a);
  hub.Subscribe(b);
  a->Close();
  hub.Publish("x", "{}");
  EXPECT_EQ(hub.subscribers(), 1u);
}

TEST(EventHub, AnIdleHubDoesNotAccumulateViewersThatLeft) {
  // Nothing is published, viewers come and go: the count stays near the live viewers.
  EventHub hub;
  std::vector<std::shared_ptr<FakeStream>> live;
  for (int i = 0; i < 10'000; ++i) {
    auto s = std::make_shared<FakeStream>();
    hub.Subscribe(s);
    if (i % 100 == 0) {
      live.push_back(s);
    } else {
      s->Close();
    }
  }
  EXPECT_LE(hub.subscribers(), 2 * live.size() + 64 + 1);
  hub.Publish("x", "{}");
  EXPECT_EQ(hub.subscribers(), live.size());
}

TEST(EventHub, CloseAllClosesAndForgetsEveryViewer) {
  EventHub hub;
  auto a = std::make_shared<FakeStream>();
  hub.Subscribe(a);
  hub.CloseAll();
  EXPECT_TRUE(a->closed());
  EXPECT_EQ(hub.subscribers(), 0u);
}

}  // namespace
}  // namespace awoooi::server
