// The order of root-cause candidates (docs/topology.md, "Root cause: the ranking rule").
//
// EvidenceOrder is the rule RootCause ranks by: cause before symptom, then the candidate that
// explains more of the observed evidence, with kind priority, severity and distance breaking ties.
// KindPriorityOrder is the rule it replaced (kind first, then cause before symptom), kept only so
// that the fault-injection evaluation (root_cause_eval_test.cc) can compare the two side by side;
// RerankByKindPriority applies it to a result.
//
// Thread-safety: pure functions.
#pragma once

#include <algorithm>
#include <string_view>
#include <tuple>

#include "awoooi/topology/analysis.h"
#include "topology/reason.h"

namespace awoooi::topology {

inline int RoleOrder(const RootCauseCandidate& c) { return c.role == CandidateRole::kSymptom ? 1 : 0; }

inline auto EvidenceOrder(const RootCauseCandidate& c) {
  return std::tuple(RoleOrder(c), -c.explains_count, KindPriority(c.kind), -static_cast<int>(c.severity),
                    c.depth, std::string_view(c.service));
}

inline auto KindPriorityOrder(const RootCauseCandidate& c) {
  return std::tuple(KindPriority(c.kind), RoleOrder(c), -static_cast<int>(c.severity), c.depth,
                    std::string_view(c.service));
}

// Re-sorts `result` by the old kind-first rule and renumbers the ranks. For comparisons only.
inline void RerankByKindPriority(RootCauseResult& result) {
  std::stable_sort(result.root_causes.begin(), result.root_causes.end(),
                   [](const RootCauseCandidate& a, const RootCauseCandidate& b) {
                     return KindPriorityOrder(a) < KindPriorityOrder(b);
                   });
  int rank = 0;
  for (RootCauseCandidate& c : result.root_causes) c.rank = ++rank;
}

}  // namespace awoooi::topology
