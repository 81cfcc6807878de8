// The results of the two topology analyses, as plain values (docs/topology.md has the rules).
//
// Paths always start at the service that was asked about: a blast-radius path walks from the
// failing service to a service that (transitively) depends on it; a root-cause path walks from the
// failing service down its dependencies to the candidate. Each path is one shortest path; among
// equally short ones the first found in declaration order.
//
// Thread-safety: values, copy freely.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "awoooi/core/alert.h"
#include "awoooi/topology/spec.h"

namespace awoooi::topology {

// Depth is the number of edges walked from the asked-about service. The cap keeps the work of
// one request bounded and the answer readable; real call chains are rarely deeper than 6.
inline constexpr int kDefaultDepth = 3;
inline constexpr int kMinDepth = 1;
inline constexpr int kMaxDepth = 10;

// OK for kMinDepth..kMaxDepth; InvalidArgument ("depth must be between 1 and 10, got 0") else.
absl::Status ValidateDepth(int depth);

struct AffectedService {
  std::string service;
  ServiceKind kind = ServiceKind::kService;
  int depth = 0;  // 1..requested depth
  Severity health = Severity::kNone;
  std::vector<std::string> path;  // failing service first, this service last
};

// Who is hurt when `service` fails: every service that depends on it within `depth` hops,
// ordered by depth, then name.
struct BlastRadiusResult {
  std::string service;
  int depth = kDefaultDepth;
  std::vector<AffectedService> affected;
};

// Why a candidate ranks where it does.
enum class CandidateRole {
  // The look below a candidate reaches one hop past the analysis horizon (depth - its depth + 1
  // hops) and never passes through the failing service itself.
  kCause,    // unhealthy, and nothing below it is unhealthy
  kSymptom,  // unhealthy, and an unhealthy service lies below it (a direct or transitive dependency)
  kSelf,     // the failing service itself: nothing unhealthy below it within depth
};
std::string_view ToString(CandidateRole role);  // "cause" | "symptom" | "self"

struct RootCauseCandidate {
  std::string service;
  ServiceKind kind = ServiceKind::kService;
  int rank = 0;   // 1 = most likely
  int depth = 0;  // hops from the failing service (0 for kSelf)
  Severity severity = Severity::kNone;
  CandidateRole role = CandidateRole::kCause;
  std::vector<std::string> path;  // failing service first, candidate last
  // For a symptom: the nearest unhealthy service below it (among equally near ones the first by
  // kind priority, severity, name), how many hops below, and whether it lies beyond the requested
  // depth from the failing service (so it is not itself a candidate). Paths through the failing
  // service itself do not count.
  std::string explained_by;
  int explained_by_hops = 0;
  bool explained_by_beyond_depth = false;
  // The evidence this candidate explains: the unhealthy services of the analysed subgraph (the
  // failing service always among them: the incident is its failure) whose failure it accounts
  // for, i.e. that reach it through a chain of unhealthy services, each hop going down to the
  // nearest unhealthy service(s) below the previous one (docs/topology.md). The failing service
  // first, then by depth and name. `explains_count` is explains.size(); `evidence_count` is how
  // many there were to explain: the failing service plus every other unhealthy candidate.
  // Empty and 0 for kSelf.
  std::vector<std::string> explains;
  int explains_count = 0;
  int evidence_count = 0;
  std::string reason;  // one line, e.g. "cause: ...; explains 2 of 3 unhealthy services: ...; ..."
};

// Every unhealthy service reachable downstream of `service` within `depth`, ranked by: role
// (cause before symptom), then how much of the evidence it explains (explains_count, most first),
// then kind (database, cache, queue, then the rest), severity (worst first), depth (nearest
// first), name. When none is unhealthy the failing service itself is the single candidate with
// role kSelf.
struct RootCauseResult {
  std::string service;
  int depth = kDefaultDepth;
  std::vector<RootCauseCandidate> root_causes;
};

}  // namespace awoooi::topology
