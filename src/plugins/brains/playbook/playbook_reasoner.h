// PlaybookReasoner: the deterministic BRAIN — the default reasoner and every LLM provider's
// fallback. It picks the best matching playbook for the context, fills the playbook's action
// templates from the analysis, and streams a numbered step-by-step explanation to the sink.
// No network, no clock, no randomness: the same context always gives the same proposal.
//
// Thread-safety: immutable after construction; Propose may run on many threads at once (each call
// uses its context's vault, which the caller owns).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "awoooi/brain/reasoner.h"
#include "awoooi/core/plugin.h"
#include "plugins/brains/playbook/playbook.h"

namespace awoooi::privacy {
class Shield;
}

namespace awoooi::brain::playbook {

class PlaybookReasoner : public Reasoner {
 public:
  // `playbooks` in any order; they are tried by priority (higher first), then by how many criteria
  // they name (more specific first), then by name.
  PlaybookReasoner(std::vector<Playbook> playbooks, const privacy::Shield& shield);

  // Settings: `playbooks` (a directory of *.yaml added to the defaults; a playbook with a default's
  // name replaces it), `builtin_playbooks` (default true). Fails when a playbook does not parse or
  // the set has no catch-all (a playbook with no match criteria), so every incident gets an answer.
  static absl::StatusOr<std::unique_ptr<PlaybookReasoner>> Create(const PluginSettings& settings,
                                                                  const privacy::Shield& shield);

  std::string name() const override { return "playbook"; }
  // Always succeeds unless the context is cancelled (Cancelled).
  absl::StatusOr<Proposal> Propose(const ReasoningContext& context, const ThinkingSink& thinking) override;

  const std::vector<Playbook>& playbooks() const { return playbooks_; }
  // The playbook Propose would use, or nullptr (only when the set has no catch-all).
  const Playbook* Choose(const ReasoningContext& context) const;

 private:
  std::vector<Playbook> playbooks_;  // in trial order
  const privacy::Shield& shield_;
};

}  // namespace awoooi::brain::playbook
