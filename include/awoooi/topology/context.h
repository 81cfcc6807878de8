// The retrieval context ("the RAG"): what the brain is told about an incident's neighbourhood.
//
// From the incident's service, its analyses (root causes, blast radius) and its alerts, builds a
// compact, deterministic text document within a character budget. The document is `Redacted` by
// construction: it is concatenated only from the already redacted alert text the caller passes,
// program literals, numbers, and service names / kinds / owners through RedactedIdentifier.
//
// Parts, most relevant first (docs/topology.md shows an example):
//   1. the incident service (kind, health, namespace)
//   2. the top root cause: kind, severity, role, path, reason
//   3. firing alerts on the incident service and on the top root cause's path
//   4. owners of the incident service and of the top root cause
//   5. the other root causes, in rank order
//   6. the blast radius, nearest first
//   7. every other alert (firing before resolved, then by severity)
// Each part is kept whole or dropped whole. Parts claim the budget in that order; a part that no
// longer fits is dropped and later, smaller parts may still fit. When anything is dropped, a
// last line says how many parts were left out. The output never exceeds the budget.
//
// Owners may be people: only owners made entirely of [A-Za-z0-9_.:/-] (team handles such as
// "team-payments") are shown; the others (e-mail addresses, names with spaces) are counted, not
// shown, because this code cannot pseudonymise them.
//
// Thread-safety: BuildRetrievalContext reads the topology under its reader lock; call from any
// thread.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "awoooi/core/alert.h"
#include "awoooi/privacy/redacted.h"
#include "awoooi/topology/analysis.h"
#include "awoooi/topology/topology.h"

namespace awoooi::topology {

// One alert as the context shows it. `service` is the alert's service label (a topology name, not
// user data); the text fields have already passed the Privacy Shield.
struct ContextAlert {
  std::string service;
  bool firing = true;
  Severity severity = Severity::kWarning;
  privacy::Redacted alertname;
  privacy::Redacted summary;  // may be empty
};

struct ContextRequest {
  std::string service;                              // the incident's service; may be unknown to the topology
  const RootCauseResult* root_cause = nullptr;      // null: not analysed (e.g. unknown service)
  const BlastRadiusResult* blast_radius = nullptr;  // null: not analysed
  const std::vector<ContextAlert>* alerts = nullptr;  // null: none
  std::size_t budget_chars = 6000;                    // upper bound on the document's size in bytes
};

// Never fails: missing pieces are simply absent. Deterministic for equal inputs and topology.
privacy::Redacted BuildRetrievalContext(const Topology& topology, const ContextRequest& request);

}  // namespace awoooi::topology
