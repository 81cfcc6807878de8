// One incident analysis: redacted alerts -> topology (root cause, blast radius) -> retrieval
// context -> reasoner -> validated proposal, rendered as the analysis document that the API
// serves at /incidents/{id}/analysis and `awoooi analyze --json` prints.
//
// Shared by the server's pipeline and the CLI, so both produce the same document. Thread-safe as
// far as its arguments are (the vault belongs to the caller for the duration of the call).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "awoooi/brain/reasoner.h"
#include "awoooi/core/alert.h"
#include "awoooi/privacy/shield.h"
#include "awoooi/topology/topology.h"

namespace awoooi::server {

struct AnalysisInput {
  int64_t incident_id = 0;
  int64_t incident_version = 0;
  std::string service;    // the incident's service (as stored: redacted text)
  std::string alertname;
  std::string severity;
  std::vector<Alert> alerts;  // text already redacted in the incident's vault
  // Firing alerts of other incidents; those on services in the analysis (root-cause candidates,
  // blast radius) join the retrieval context. Their labels belong to other vaults, so they are
  // escaped here and can never be rehydrated in this incident's scope.
  std::vector<Alert> related_alerts;
};

struct AnalysisOptions {
  int depth = 3;
  int context_budget_chars = 6'000;
  const std::atomic<bool>* cancel = nullptr;  // set: abandon a provider call (shutdown)
};

struct AnalysisOutput {
  std::string json;         // the analysis document
  std::string reasoner;     // who answered
  bool fallback = false;    // the playbook answered for the configured brain
  bool has_proposal = false;
};

absl::StatusOr<AnalysisOutput> RunAnalysis(const AnalysisInput& input, const AnalysisOptions& options,
                                           privacy::Vault& vault, const privacy::Shield& shield,
                                           const topology::Topology& topology, brain::Reasoner& reasoner,
                                           const brain::ThinkingSink& thinking);

}  // namespace awoooi::server
