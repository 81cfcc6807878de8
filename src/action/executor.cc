#include "awoooi/action/executor.h"

#include <algorithm>

namespace awoooi::action {

bool ExecutionContext::expired() const {
  return (cancel != nullptr && cancel->load()) || absl::Now() >= deadline;
}

bool DryRunReport::passed() const {
  return supported && std::all_of(checks.begin(), checks.end(), [](const Check& c) { return c.passed; });
}

std::string_view ToString(ExecutionOutcome outcome) {
  return outcome == ExecutionOutcome::kSucceeded ? "succeeded" : "failed";
}

}  // namespace awoooi::action
