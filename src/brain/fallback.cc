#include "awoooi/brain/fallback.h"

#include <algorithm>

#include "awoooi/brain/validation.h"

namespace awoooi::brain {

CircuitBreaker::CircuitBreaker(int failure_threshold, int64_t open_for_ms, Clock clock)
    : failure_threshold_(std::max(1, failure_threshold)),
      open_for_ms_(std::max<int64_t>(0, open_for_ms)),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })) {}

bool CircuitBreaker::Allow() {
  absl::MutexLock lock(&mu_);
  switch (state_) {
    case State::kClosed:
      return true;
    case State::kOpen:
      if (clock_() - opened_at_ < std::chrono::milliseconds(open_for_ms_)) return false;
      state_ = State::kHalfOpen;
      trial_in_flight_ = true;
      return true;
    case State::kHalfOpen:
      if (trial_in_flight_) return false;
      trial_in_flight_ = true;
      return true;
  }
  return false;
}

void CircuitBreaker::RecordSuccess() {
  absl::MutexLock lock(&mu_);
  state_ = State::kClosed;
  failures_ = 0;
  trial_in_flight_ = false;
}

void CircuitBreaker::RecordFailure() {
  absl::MutexLock lock(&mu_);
  ++failures_;
  trial_in_flight_ = false;
  if (state_ == State::kHalfOpen || failures_ >= failure_threshold_) {
    state_ = State::kOpen;
    opened_at_ = clock_();
  }
}

CircuitBreaker::State CircuitBreaker::state() const {
  absl::MutexLock lock(&mu_);
  return state_;
}

int CircuitBreaker::consecutive_failures() const {
  absl::MutexLock lock(&mu_);
  return failures_;
}

int64_t CircuitBreaker::RemainingOpenMs() const {
  absl::MutexLock lock(&mu_);
  if (state_ != State::kOpen) return 0;
  auto left = std::chrono::milliseconds(open_for_ms_) - (clock_() - opened_at_);
  return std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(left).count());
}

std::string FallbackCategory(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kDeadlineExceeded:
      return "timeout";
    case absl::StatusCode::kUnavailable:
      return "unavailable";
    case absl::StatusCode::kPermissionDenied:
      return "refusal";
    case absl::StatusCode::kInvalidArgument:
      return "invalid_output";
    default:
      return "error";
  }
}

FallbackReasoner::FallbackReasoner(std::unique_ptr<Reasoner> primary, std::unique_ptr<Reasoner> playbook,
                                   std::unique_ptr<CircuitBreaker> breaker)
    : primary_(std::move(primary)), playbook_(std::move(playbook)), breaker_(std::move(breaker)) {}

std::string FallbackReasoner::name() const { return primary_->name(); }

FallbackStats FallbackReasoner::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

absl::StatusOr<Proposal> FallbackReasoner::Propose(const ReasoningContext& context,
                                                   const ThinkingSink& thinking) {
  {
    absl::MutexLock lock(&mu_);
    ++stats_.calls;
  }
  std::string reason;
  bool short_circuited = false;
  if (!breaker_->Allow()) {
    short_circuited = true;
    reason = primary_->name() + ": circuit_open: " + std::to_string(breaker_->consecutive_failures()) +
             " consecutive failures; next try in " + std::to_string(breaker_->RemainingOpenMs() / 1000) +
             " s";
  } else {
    absl::StatusOr<Proposal> answer = primary_->Propose(context, thinking);
    if (!answer.ok() && answer.status().code() == absl::StatusCode::kCancelled) {
      // Nobody is waiting for this analysis any more; it says nothing about the provider's health.
      breaker_->RecordSuccess();
      return answer.status();
    }
    if (answer.ok()) {
      absl::Status valid = ValidateProposal(*answer, context);
      if (valid.ok()) {
        breaker_->RecordSuccess();
        absl::MutexLock lock(&mu_);
        ++stats_.primary_answers;
        return answer;
      }
      reason = primary_->name() + ": rejected: " + std::string(valid.message());
      // A proposal that fails validation came from a working provider; an injected prompt should
      // not be able to trip the breaker for every other incident.
      breaker_->RecordSuccess();
    } else {
      reason = primary_->name() + ": " + FallbackCategory(answer.status()) + ": " +
               std::string(answer.status().message());
      breaker_->RecordFailure();
    }
  }
  if (thinking) {
    // The reason is built from Status messages of our own code and redacted model output only.
    thinking(privacy::Redacted::Literal("\n[fallback] ") + privacy::RedactedIdentifier(primary_->name()) +
             privacy::Redacted::Literal(
                 " did not give a usable proposal; the playbook reasoner answers instead.\n"));
  }
  absl::StatusOr<Proposal> fallback = playbook_->Propose(context, thinking);
  if (!fallback.ok()) return fallback.status();
  fallback->fallback_reason = reason;
  {
    absl::MutexLock lock(&mu_);
    ++stats_.fallbacks;
    if (short_circuited) ++stats_.short_circuited;
  }
  return fallback;
}

}  // namespace awoooi::brain
