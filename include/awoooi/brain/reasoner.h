// Reasoner: the BRAIN plugin interface. Context in (redacted), Proposal and streamed reasoning out.
//
// Implementations: the deterministic playbook reasoner (default and fallback, no network) and LLM
// providers (OpenAI-compatible, Anthropic Messages, Ollama native). Everything they receive is
// `Redacted`, so no raw text can reach a model. A Reasoner may be called from several worker
// threads at once; implementations must be thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "awoooi/brain/proposal.h"
#include "awoooi/privacy/redacted.h"

namespace awoooi::privacy {
class Vault;
}

namespace awoooi::brain {

// One root-cause candidate or affected service from the topology analysis.
struct ServiceFinding {
  privacy::Redacted service;
  std::string kind;  // ingress, frontend, service, database, cache, queue, external
  privacy::Redacted namespace_;
  int rank = 0;            // 1 = most likely (root causes only)
  int depth = 0;           // hops from the incident's service
  std::string severity;    // worst active alert on it, "" when healthy
  privacy::Redacted path;  // "frontend -> order-api -> postgres-db"
  privacy::Redacted reason;
};

// An active alert as the reasoner sees it: every label and annotation value redacted.
struct ContextAlert {
  std::string status;                               // firing | resolved
  std::map<std::string, privacy::Redacted> labels;  // names are kept, values redacted
  std::map<std::string, privacy::Redacted> annotations;
};

struct ReasoningContext {
  long long incident_id = 0;
  privacy::Redacted service;  // the incident's service ("" when unknown)
  std::string service_kind;   // its topology kind, "" when not in the topology
  privacy::Redacted alertname;
  std::string severity;
  std::vector<ContextAlert> alerts;
  std::vector<ServiceFinding> root_causes;        // ranked, best first
  std::vector<ServiceFinding> blast_radius;       // upstream services affected
  std::vector<privacy::Redacted> known_services;  // every service in the topology (targets must be one)
  // Of those, the ones known only from alert labels (learned edges): alert-derived names, so a
  // prompt shows them inside the fenced incident data.
  std::vector<privacy::Redacted> learned_services;
  // Command templates and MCP servers actions may name (run_template, mcp_tool). Null: none.
  const action::Catalog* catalog = nullptr;
  privacy::Redacted document;  // the bounded retrieval-context document (text) for LLMs

  // The incident's vault. Model output is turned into Redacted with
  // `Shield::RedactPreservingLabels(text, *vault)`, so labels the model repeats ([IP_1]) keep their
  // meaning and any raw value it invents gets a new label in the same scope. Null means "use a
  // fresh vault for this call" (labels then cannot be rehydrated later). The vault is not
  // thread-safe: one Propose call per vault at a time (the pipeline runs one analysis per incident).
  privacy::Vault* vault = nullptr;
  // Set to true (from any thread) to abandon the call: providers stop streaming and return
  // Cancelled; the fallback chain then does not ask the playbook either. Null means never.
  const std::atomic<bool>* cancel = nullptr;
};

// Receives reasoning as it is produced (token chunks, playbook steps). May be called from the
// reasoner's thread; must be cheap.
using ThinkingSink = std::function<void(const privacy::Redacted& chunk)>;

class Reasoner {
 public:
  virtual ~Reasoner() = default;
  virtual std::string name() const = 0;
  // A proposal (not yet validated by the pipeline) or an error: Unavailable / DeadlineExceeded for
  // transport problems, InvalidArgument when the answer was not a usable proposal.
  virtual absl::StatusOr<Proposal> Propose(const ReasoningContext& context, const ThinkingSink& thinking) = 0;
};

}  // namespace awoooi::brain
