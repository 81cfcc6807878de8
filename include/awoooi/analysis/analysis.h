// Analysis: one incident from its (redacted) alerts to a validated proposal (PRODUCT F3, F4).
//
//   alerts -> topology (root cause, blast radius) -> retrieval context -> reasoner (thinking
//   streamed) -> typed, validated proposal -> correlation with other open incidents
//
// One call, Analyze(), used by the server's pipeline and by `awoooi analyze`, so both give the
// same result; RenderDocument() turns it into the analysis document the API serves at
// /incidents/{id}/analysis and the CLI prints with --json. The health tracker (which services are
// unhealthy, from firing alerts) and the entry-point rule (which alerting service an incident is
// seen from) live here too: business rules, not the faces'.
//
// No I/O of its own: the reasoner it is given may use the network. Thread-safety: Analyze is
// thread-safe as far as its arguments are (the vault belongs to the caller during the call).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "awoooi/action/action.h"
#include "awoooi/brain/proposal.h"
#include "awoooi/brain/reasoner.h"
#include "awoooi/core/alert.h"
#include "awoooi/notify/outbox.h"
#include "awoooi/privacy/shield.h"
#include "awoooi/topology/topology.h"

namespace awoooi::analysis {

struct Input {
  int64_t incident_id = 0;
  int64_t incident_version = 0;
  std::string service;  // the incident's service (as stored: redacted text)
  std::string alertname;
  std::string severity;
  std::vector<Alert> alerts;  // text already redacted in the incident's vault
  // Recent firing alerts with their incidents; those of other incidents on services in the
  // analysis (root-cause candidates, blast radius) join the retrieval context. Their labels belong
  // to other vaults, so they are escaped here and can never be rehydrated in this incident's
  // scope. Shared and read-only: analyses running at the same time read one copy.
  struct RelatedAlert {
    int64_t incident_id = 0;
    Alert alert;
  };
  std::shared_ptr<const std::vector<RelatedAlert>> related_alerts;
  // The open incident of a service (0: none), asked for the top root cause only: when it is
  // another incident, this one is linked under it (correlation). Null: no correlation.
  std::function<int64_t(const std::string& service)> open_incident_of;
};

struct Options {
  int depth = topology::kDefaultDepth;
  int context_budget_chars = 6'000;
  const action::Catalog* catalog = nullptr;   // command templates and MCP servers actions may name
  const std::atomic<bool>* cancel = nullptr;  // set: abandon a provider call (shutdown)
};

struct Result {
  std::optional<topology::RootCauseResult> root_cause;
  std::optional<topology::BlastRadiusResult> blast_radius;
  privacy::Redacted topology_note;          // why the topology could not analyse the service ("" when it did)
  privacy::Redacted context;                // the retrieval context handed to the reasoner
  std::optional<brain::Proposal> proposal;  // validated; absent when the reasoner gave none
  privacy::Redacted proposal_error;         // why there is no proposal
  std::string reasoner;                     // who answered
  bool fallback = false;                    // the playbook answered for the configured brain
  int64_t parent_incident_id = 0;           // 0: not linked under another incident
};

absl::StatusOr<Result> Analyze(const Input& input, const Options& options, privacy::Vault& vault,
                               const privacy::Shield& shield, const topology::Topology& topology,
                               brain::Reasoner& reasoner, const brain::ThinkingSink& thinking);

// The analysis document (JSON): incident_id, incident_version, service, alertname, severity,
// parent_id, root_cause, blast_radius, context, proposal (or proposal_error), topology_note.
std::string RenderDocument(const Input& input, const Result& result);

// The "incident opened" notification of a first analysis: what failed, the likely root cause, who
// is affected and what is proposed (redacted text only).
notify::NotificationDraft OpenedNotification(const Input& input, const Result& result);

// The entry point of a multi-service payload (the CLI's view of one Alertmanager notification):
// among the services with firing alerts, the one whose dependencies explain the most other
// alerting services (frontend 5xx + postgres-db down -> frontend, root cause postgres-db). Ties
// keep payload order; without a topology match, the first firing alert's service.
std::string EntryPoint(const std::vector<Alert>& alerts, const topology::Topology& topology, int depth);

}  // namespace awoooi::analysis
