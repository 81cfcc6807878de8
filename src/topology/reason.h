// The ranking vocabulary shared by the analysis (topology.cc) and the retrieval context
// (context.cc): kind priority (the tie-breaker after cause and evidence) and the one-line reason
// of a root-cause candidate. The reason is
// built only from Redacted pieces so the same text can go into the brain's context; service
// names pass through RedactedIdentifier, so a name with unusual characters reads with '_' there.
#pragma once

#include <algorithm>
#include <string_view>

#include "awoooi/privacy/redacted.h"
#include "awoooi/topology/analysis.h"

namespace awoooi::topology {

// Database > cache > queue > everything else: stateful shared stores fail loudly and take many
// callers with them, so among candidates that explain as much they are the first place an SRE
// looks. Lower is more likely.
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

// How many evidence names a reason lists before "and N more".
inline constexpr int kReasonExplainsShown = 5;

// The candidate's facts in ranking order (docs/topology.md): "cause: nothing it depends on within
// 2 hops is unhealthy; explains 2 of 3 unhealthy services: frontend, order-api; database (kind
// priority 1 of 4); severity critical; 2 hops below 'frontend'", the symptom variant ("symptom: it
// depends on unhealthy 'carts-db' (2 hops down); ...") and the self variant.
inline privacy::Redacted CandidateReason(const RootCauseCandidate& c, std::string_view failing_service,
                                         int depth) {
  using privacy::Redacted;
  using privacy::RedactedIdentifier;
  using privacy::RedactedNumber;
  if (c.role == CandidateRole::kSelf) {
    return Redacted::Literal("self: no dependency within depth ") + RedactedNumber(depth) +
           Redacted::Literal(" is unhealthy, so the service itself is the likeliest cause");
  }
  Redacted r;
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
  r += Redacted::Literal("; explains ") + RedactedNumber(c.explains_count) + Redacted::Literal(" of ") +
       RedactedNumber(c.evidence_count) +
       (c.evidence_count == 1 ? Redacted::Literal(" unhealthy service")
                              : Redacted::Literal(" unhealthy services"));
  const int shown = std::min<int>(kReasonExplainsShown, static_cast<int>(c.explains.size()));
  for (int i = 0; i < shown; ++i) {
    r += (i == 0 ? Redacted::Literal(": ") : Redacted::Literal(", ")) + RedactedIdentifier(c.explains[i]);
  }
  if (static_cast<int>(c.explains.size()) > shown) {
    r += Redacted::Literal(" and ") + RedactedNumber(static_cast<int>(c.explains.size()) - shown) +
         Redacted::Literal(" more");
  }
  r += Redacted::Literal("; ") + RedactedIdentifier(ToString(c.kind)) +
       Redacted::Literal(" (kind priority ") + RedactedNumber(KindPriority(c.kind) + 1) +
       Redacted::Literal(" of ") + RedactedNumber(kKindPriorities) + Redacted::Literal("); severity ") +
       RedactedIdentifier(ToString(c.severity)) + Redacted::Literal("; ") + RedactedNumber(c.depth) +
       (c.depth == 1 ? Redacted::Literal(" hop below '") : Redacted::Literal(" hops below '")) +
       RedactedIdentifier(failing_service) + Redacted::Literal("'");
  return r;
}

}  // namespace awoooi::topology
