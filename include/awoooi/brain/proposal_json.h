// Proposal <-> JSON. The JSON shape is documented by docs/proposal.schema.json:
//   {"summary", "root_cause": {"service", "kind", "evidence"}, "blast_radius": [...],
//    "actions": [{"type", "target_kind", "target", "parameters": {...}, "expected_effect", "note",
//                 "action_hash"}],
//    "confidence", "reasoning", "reasoner", "fallback_reason"}
//
// Rendering is the one place a Proposal's Redacted text becomes plain output text. Parsing is how
// model output (or a stored proposal) becomes a Proposal: every string goes through the shield,
// so the result is Redacted even when the model invented a raw value.
//
// Thread-safety: free functions over values; safe from any thread (the vault argument is not).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "awoooi/brain/proposal.h"

namespace awoooi::privacy {
class Shield;
class Vault;
}  // namespace awoooi::privacy

namespace awoooi::brain {

// Compact JSON, keys in the order above. Never fails.
std::string ProposalToJson(const Proposal& proposal);

// The largest model answer we try to parse; longer answers are rejected as invalid output.
inline constexpr std::size_t kMaxProposalTextBytes = 256 * 1024;

// Parses a proposal out of `text`: either a bare JSON object or prose followed by a JSON object
// (a ```json fenced block or the last balanced {...} in the text). Checks the schema: required
// `summary`, `root_cause.service`, `actions` (each a valid typed action: action::Build with
// `catalog`, so a parameter that is not its type invalidates the whole answer), `confidence` a
// number; `parameters` values may be strings, numbers or booleans (kept as text), and an MCP
// tool's `arguments` may be a JSON object.
// `reasoner` and `fallback_reason` in the input are ignored: the caller sets them.
// When the object has no `reasoning`, the prose before it (if any) becomes the reasoning.
// Errors: InvalidArgument naming what is wrong ("not JSON", "actions[1].type: unknown action type
// \"delete_namespace\"").
absl::StatusOr<Proposal> ParseProposal(std::string_view text, const privacy::Shield& shield,
                                       privacy::Vault& vault, const action::Catalog& catalog = {});

}  // namespace awoooi::brain
