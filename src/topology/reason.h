// The ranking vocabulary shared by the analysis (topology.cc) and the retrieval context
// (context.cc): kind priority and the one-line reason of a root-cause candidate. The reason is
// built only from Redacted pieces so the same text can go into the brain's context; service
// names pass through RedactedIdentifier, so a name with unusual characters reads with '_' there.
#pragma once

#include <string_view>

#include "awoooi/privacy/redacted.h"
#include "awoooi/topology/analysis.h"

namespace awoooi::topology {

// Database > cache > queue > everything else: stateful shared stores fail loudly and take many
// callers with them, so they are the first place an SRE looks. Lower is more likely.
inline int KindPriority(ServiceKind kind) {
  switch (kind) {
    case ServiceKind::kDatabase:
      return 0;
    case ServiceKind::kCache:
      return 1;
    case ServiceKind::kQueue:
      return 2;
    default:
      return 3;
  }
}
inline constexpr int kKindPriorities = 4;

// "database (kind priority 1 of 4); cause: none of its dependencies is unhealthy; severity
// critical; 2 hops below 'front-end'", and the symptom and self variants (docs/topology.md).
inline privacy::Redacted CandidateReason(const RootCauseCandidate& c, std::string_view failing_service,
                                         int depth) {
  using privacy::Redacted;
  using privacy::RedactedIdentifier;
  using privacy::RedactedNumber;
  if (c.role == CandidateRole::kSelf) {
    return Redacted::Literal("self: no dependency within depth ") + RedactedNumber(depth) +
           Redacted::Literal(" is unhealthy, so the service itself is the likeliest cause");
  }
  Redacted r = RedactedIdentifier(ToString(c.kind)) + Redacted::Literal(" (kind priority ") +
               RedactedNumber(KindPriority(c.kind) + 1) + Redacted::Literal(" of ") +
               RedactedNumber(kKindPriorities) + Redacted::Literal("); ");
  if (c.role == CandidateRole::kCause) {
    // The cause/symptom look-down reaches one hop past the analysis horizon (topology.cc).
    const int hops = depth - c.depth + 1;
    r += Redacted::Literal("cause: nothing it depends on within ") + RedactedNumber(hops) +
         (hops == 1 ? Redacted::Literal(" hop is unhealthy") : Redacted::Literal(" hops is unhealthy"));
  } else {
    r += Redacted::Literal("symptom: it depends on unhealthy '") + RedactedIdentifier(c.explained_by) +
         Redacted::Literal("'");
    if (c.explained_by_hops > 1) {
      r += Redacted::Literal(" (") + RedactedNumber(c.explained_by_hops) + Redacted::Literal(" hops down)");
    }
    if (c.explained_by_beyond_depth) {
      r += Redacted::Literal(", which lies beyond depth ") + RedactedNumber(depth) +
           Redacted::Literal(" (raise depth to rank it)");
    }
  }
  r += Redacted::Literal("; severity ") + RedactedIdentifier(ToString(c.severity)) + Redacted::Literal("; ") +
       RedactedNumber(c.depth) +
       (c.depth == 1 ? Redacted::Literal(" hop below '") : Redacted::Literal(" hops below '")) +
       RedactedIdentifier(failing_service) + Redacted::Literal("'");
  return r;
}

}  // namespace awoooi::topology
