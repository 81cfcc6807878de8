#include "awoooi/brain/fallback.h"

#include <gtest/gtest.h>

#include "brain/test_contexts.h"

namespace awoooi::brain {
namespace {

using Clock = std::chrono::steady_clock;

TEST(CircuitBreakerTest, OpensAfterConsecutiveFailuresThenLetsOneTrialThrough) {
  Clock::time_point now{};
  CircuitBreaker b(3, 1000, [&] { return now; });
  EXPECT_TRUE(b.Allow());
  b.RecordFailure();
  b.RecordFailure();
  b.RecordSuccess();  // a success resets the count
  b.RecordFailure();
  b.RecordFailure();
  EXPECT_EQ(b.state(), CircuitBreaker::State::kClosed);
  b.RecordFailure();
  EXPECT_EQ(b.state(), CircuitBreaker::State::kOpen);
  EXPECT_FALSE(b.Allow());
  now += std::chrono::milliseconds(999);
  EXPECT_FALSE(b.Allow());
  now += std::chrono::milliseconds(1);
  EXPECT_TRUE(b.Allow());   // the trial
  EXPECT_FALSE(b.Allow());  // only one at a time
  b.RecordFailure();        // trial failed: open again for a full period
  EXPECT_EQ(b.state(), CircuitBreaker::State::kOpen);
  EXPECT_EQ(b.RemainingOpenMs(), 1000);
  now += std::chrono::milliseconds(1000);
  EXPECT_TRUE(b.Allow());
  b.RecordSuccess();
  EXPECT_EQ(b.state(), CircuitBreaker::State::kClosed);
  EXPECT_TRUE(b.Allow());
}

// A reasoner that answers what the test tells it to.
class Scripted : public Reasoner {
 public:
  explicit Scripted(absl::StatusOr<Proposal> answer) : answer_(std::move(answer)) {}
  std::string name() const override { return "scripted"; }
  absl::StatusOr<Proposal> Propose(const ReasoningContext&, const ThinkingSink& sink) override {
    ++calls;
    if (sink) sink(privacy::Redacted::Literal("thinking "));
    return answer_;
  }
  absl::StatusOr<Proposal> answer_;
  int calls = 0;
};

Proposal PlaybookAnswer() {
  Proposal p;
  p.summary = privacy::Redacted::Literal("playbook");
  p.reasoner = "playbook";
  return p;
}

TEST(FallbackReasonerTest, ErrorsBecomeFallbackReasonsByCategory) {
  struct Case {
    absl::Status status;
    std::string expected;
  } cases[] = {
      {absl::DeadlineExceededError("no complete answer within 1500 ms"),
       "scripted: timeout: no complete answer within 1500 ms"},
      {absl::UnavailableError("HTTP 503"), "scripted: unavailable: HTTP 503"},
      {absl::PermissionDeniedError("the model refused"), "scripted: refusal: the model refused"},
      {absl::InvalidArgumentError("not JSON"), "scripted: invalid_output: not JSON"},
      {absl::FailedPreconditionError("HTTP 401"), "scripted: error: HTTP 401"},
  };
  privacy::Vault vault;
  ReasoningContext c = testing::DemoContext(testing::SharedShield(), vault);
  for (const auto& k : cases) {
    FallbackReasoner r(std::make_unique<Scripted>(k.status), std::make_unique<Scripted>(PlaybookAnswer()),
                       std::make_unique<CircuitBreaker>(5, 1000));
    std::string thinking;
    auto p = r.Propose(c, [&](const privacy::Redacted& s) { thinking += s.str(); });
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->reasoner, "playbook");
    EXPECT_EQ(p->fallback_reason, k.expected);
    // The primary's stream, the notice, then the playbook's stream.
    EXPECT_EQ(thinking.rfind("thinking \n[fallback] scripted", 0), 0u) << thinking;
  }
}

TEST(FallbackReasonerTest, CancelledAnalysesAreNotAnsweredByThePlaybook) {
  auto playbook = std::make_unique<Scripted>(PlaybookAnswer());
  Scripted* pb = playbook.get();
  FallbackReasoner r(std::make_unique<Scripted>(absl::CancelledError("cancelled")), std::move(playbook),
                     std::make_unique<CircuitBreaker>(1, 1000));
  privacy::Vault vault;
  auto p = r.Propose(testing::DemoContext(testing::SharedShield(), vault), nullptr);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(pb->calls, 0);
  EXPECT_EQ(r.breaker().state(), CircuitBreaker::State::kClosed);
}

}  // namespace
}  // namespace awoooi::brain
