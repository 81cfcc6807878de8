// The fallback chain and the circuit breaker that guard an LLM provider.
//
// FallbackReasoner wraps a primary reasoner (an LLM provider) and the playbook reasoner. It asks
// the primary, validates the answer with ValidateProposal, and when the primary times out, fails,
// refuses, answers with something that is not a proposal, or proposes what validation rejects, it
// asks the playbook instead and records why in Proposal::fallback_reason
// ("<provider>: <category>: <detail>", category one of timeout, unavailable, refusal,
// invalid_output, rejected, error, circuit_open). A cancelled analysis is not answered at all.
// The thinking sink sees the primary's stream, then a "[fallback] ..." line, then the playbook's
// steps, so a viewer sees what happened.
//
// CircuitBreaker: after `failure_threshold` consecutive failures the provider is not called for
// `open_for_ms` (the playbook answers at once); then one trial call is let through (half-open):
// success closes the breaker, failure opens it again.
//
// Thread-safety: both classes may be used from many threads at once (the breaker's state is
// guarded by a mutex; the wrapped reasoners must themselves be thread-safe, as every Reasoner is).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "awoooi/brain/reasoner.h"

namespace awoooi::brain {

class CircuitBreaker {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  enum class State { kClosed, kOpen, kHalfOpen };

  // `clock` defaults to std::chrono::steady_clock::now (tests pass their own).
  CircuitBreaker(int failure_threshold, int64_t open_for_ms, Clock clock = nullptr);

  // True when a call may go to the provider now. In the open state after `open_for_ms`, exactly
  // one caller gets true (the trial) until it reports back.
  bool Allow();
  void RecordSuccess();
  void RecordFailure();
  State state() const;
  int consecutive_failures() const;
  // Milliseconds until an open breaker lets a trial through (0 when not open).
  int64_t RemainingOpenMs() const;

 private:
  const int failure_threshold_;
  const int64_t open_for_ms_;
  Clock clock_;
  mutable absl::Mutex mu_;
  State state_ ABSL_GUARDED_BY(mu_) = State::kClosed;
  int failures_ ABSL_GUARDED_BY(mu_) = 0;
  std::chrono::steady_clock::time_point opened_at_ ABSL_GUARDED_BY(mu_);
  bool trial_in_flight_ ABSL_GUARDED_BY(mu_) = false;
};

// Counters for /metrics and tests. Values, copied out under the lock.
struct FallbackStats {
  int64_t calls = 0;            // Propose calls
  int64_t primary_answers = 0;  // answered by the primary, validated
  int64_t fallbacks = 0;        // answered by the playbook instead
  int64_t short_circuited = 0;  // of those, without calling the primary (breaker open)
};

class FallbackReasoner : public Reasoner {
 public:
  FallbackReasoner(std::unique_ptr<Reasoner> primary, std::unique_ptr<Reasoner> playbook,
                   std::unique_ptr<CircuitBreaker> breaker);

  // The primary's name: this is the brain the operator configured.
  std::string name() const override;
  // A validated primary proposal, or the playbook's with fallback_reason set. Errors only when the
  // analysis was cancelled (Cancelled) or the playbook itself failed.
  absl::StatusOr<Proposal> Propose(const ReasoningContext& context, const ThinkingSink& thinking) override;

  FallbackStats stats() const;
  const CircuitBreaker& breaker() const { return *breaker_; }

 private:
  std::unique_ptr<Reasoner> primary_;
  std::unique_ptr<Reasoner> playbook_;
  std::unique_ptr<CircuitBreaker> breaker_;
  mutable absl::Mutex mu_;
  FallbackStats stats_ ABSL_GUARDED_BY(mu_);
};

// The fallback_reason category for a provider's error status (see LlmReasoner's vocabulary).
std::string FallbackCategory(const absl::Status& status);

}  // namespace awoooi::brain
