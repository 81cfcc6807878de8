// The action model: what AWOOOI may do to a system, as typed data (ARCHITECTURE "Actions and
// approvals"; PRODUCT F5, F7).
//
// An action is one of a closed set of kinds, aimed at a typed target, with parameters that each
// have a declared type. Validation is an allow-list: a value that does not parse as its type makes
// the whole action invalid, and no type admits whitespace, quotes, shell metacharacters, a leading
// '-' or a newline — so nothing a reasoner, a playbook or an alert label writes can become an
// extra argument, an option or a command. Free text exists only as `kText`, which only the
// `investigate` kind has, and investigate changes nothing.
//
// Values are redacted text (labels such as [IP_1] stand for real values); a name may be a label
// the incident's vault minted. Real values appear only in a `RealAction`, made by Rehydrate() at
// the executor call, where every real value is checked against its type once more.
//
// An action's identity is `hash()`: SHA-256 over a canonical encoding of kind, target and
// parameters (labels, not real values). Approvals bind signatures to it.
//
// Thread-safety: plain values; every function is pure and may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "awoooi/privacy/redacted.h"

namespace awoooi::privacy {
class Shield;
class Vault;
}  // namespace awoooi::privacy

namespace awoooi::action {

enum class Kind {
  kRestartPod,      // delete/evict one pod so its controller replaces it
  kRolloutRestart,  // restart every pod of a deployment or statefulset, one by one
  kScale,           // set the replica count of a deployment or statefulset
  kCordonNode,      // mark a node unschedulable
  kDeletePvc,       // delete a persistent volume claim (its data may go with it)
  kMcpTool,         // call a tool on a configured MCP server
  kRunTemplate,     // run a command template from configuration (argv with typed slots, no shell)
  kInvestigate,     // gather evidence; changes nothing and is never executed
};
inline constexpr Kind kAllKinds[] = {Kind::kRestartPod,  Kind::kRolloutRestart, Kind::kScale,
                                     Kind::kCordonNode,  Kind::kDeletePvc,      Kind::kMcpTool,
                                     Kind::kRunTemplate, Kind::kInvestigate};
std::string_view ToString(Kind kind);  // "restart_pod", ...
std::optional<Kind> ParseKind(std::string_view text);
// False for investigate: the only kind that never reaches an executor.
bool Changes(Kind kind);

enum class TargetKind {
  kService,  // a service of the topology; the executor resolves it to its workload and pods
  kPod,
  kDeployment,
  kStatefulSet,
  kNode,
  kPvc,
  kNone,  // the action names no object (an MCP tool or template acting on its own terms)
};
std::string_view ToString(TargetKind kind);  // "service", "pod", "deployment", ...
// `name` without the segments Kubernetes generated (ReplicaSet hashes, pod suffixes, StatefulSet
// ordinals): "postgres-db-0" -> "postgres-db", "web-7d4b9c6f5-x2x4q" -> "web"; a name that has
// none is returned as it is.
std::string WithoutGeneratedSuffix(std::string_view name);
std::optional<TargetKind> ParseTargetKind(std::string_view text);

enum class ParamType {
  kName,        // a Kubernetes object name (DNS-1123 subdomain, at most 253) or a minted label
  kNamespace,   // a Kubernetes namespace (DNS-1123 label, at most 63)
  kInteger,     // decimal, within the parameter's [min, max]
  kEnum,        // one of the parameter's values
  kDuration,    // 250ms, 30s, 5m, 1h (at most 24h)
  kIdentifier,  // a configured name (an MCP server, a command template): [a-z][a-z0-9_-]{0,63}
  kToolName,    // an MCP tool name: [A-Za-z0-9_.-]{1,128}, not starting with '-'
  kJsonObject,  // MCP tool arguments: a JSON object, checked later against the tool's inputSchema
  kText,        // words for people (investigate's `check`), never executed; printable, one line
};
std::string_view ToString(ParamType type);

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::kName;
  bool required = false;
  int64_t min = 0;                  // kInteger
  int64_t max = 0;                  // kInteger
  std::vector<std::string> values;  // kEnum
};

// The schema of one kind: which targets it may aim at and which parameters it takes. The
// `namespace` of a target is a parameter of type kNamespace on every kind that has one.
struct KindSpec {
  Kind kind = Kind::kInvestigate;
  std::vector<TargetKind> targets;  // the first is the default when a draft names none
  std::vector<ParamSpec> params;
};
const KindSpec& SpecOf(Kind kind);

// A command template from configuration (the `run_template` kind): an argv array in which a
// whole element may be a typed slot "{{name}}". A slot's value always becomes exactly one argv
// element; it can never add arguments or start an option.
struct CommandTemplate {
  std::string name;               // kIdentifier
  std::vector<std::string> argv;  // argv[0] is an absolute path or a program name found on PATH
  std::vector<ParamSpec> slots;   // the parameters a run_template action for it must carry
  std::string description;
};

// What validation may consult beyond the kind's own schema.
struct Catalog {
  std::vector<CommandTemplate> templates;
  std::vector<std::string> mcp_servers;  // configured MCP server names
};

// A typed, validated parameter value. `text` is canonical (integers without leading zeros,
// JSON objects re-serialised compactly with sorted keys).
struct Value {
  ParamType type = ParamType::kName;
  privacy::Redacted text;
  int64_t integer = 0;  // kInteger
};

struct Target {
  TargetKind kind = TargetKind::kNone;
  privacy::Redacted name;  // empty for kNone
  privacy::Redacted ns;    // the `namespace` parameter when the kind takes one
};

// What a reasoner, a playbook or a person proposes: untyped (but redacted) text. Build() is the
// only way from a Draft to an Action.
struct Draft {
  std::string kind;         // "restart_pod", ...
  std::string target_kind;  // "" = the kind's default target kind
  privacy::Redacted target;
  std::map<std::string, privacy::Redacted> params;  // "namespace" included
  privacy::Redacted expected_effect;
};

// A validated action. Copyable value.
class Action {
 public:
  Kind kind() const { return kind_; }
  const Target& target() const { return target_; }
  const std::map<std::string, Value>& params() const { return params_; }
  const Value* param(std::string_view name) const;
  const privacy::Redacted& expected_effect() const { return expected_effect_; }
  // 64 lower-case hex digits; see CanonicalEncoding().
  const std::string& hash() const { return hash_; }
  // "awoooi.action.v1" then kind, target kind, name and namespace, then every parameter sorted by
  // name, each field as name=<type>:<length>:<bytes> on its own line.
  std::string CanonicalEncoding() const;
  // The pattern progressive trust is kept per: kind + ":" + the target name with generated
  // suffixes (ReplicaSet hashes, pod ids, ordinals) replaced by '*', e.g. "restart_pod:nginx-*".
  std::string Pattern() const;
  // The draft this action is equivalent to (for storage and display).
  Draft ToDraft() const;

 private:
  friend absl::StatusOr<Action> Build(const Draft& draft, const Catalog& catalog);
  Kind kind_ = Kind::kInvestigate;
  Target target_;
  std::map<std::string, Value> params_;
  privacy::Redacted expected_effect_;
  std::string hash_;
};

// Validates `draft` against its kind's schema (and `catalog` for templates and MCP servers).
// InvalidArgument naming the field and the rule it broke — never quoting more than a short,
// already-redacted prefix of the value.
absl::StatusOr<Action> Build(const Draft& draft, const Catalog& catalog = {});

// Checks one value against a type, for callers that fill typed slots (playbooks) and for
// re-checking real values after rehydration. OK or InvalidArgument with the rule broken.
absl::Status CheckValue(const ParamSpec& spec, std::string_view value);

// An investigate action that records why `rejected` could not be proposed (a playbook slot whose
// value failed its type). Never fails.
Action InvestigateInstead(const Draft& rejected, const absl::Status& why);

// An action with its real values, made at the executor call and nowhere else. It cannot be
// printed, logged or turned into Redacted; it lives only as long as the call.
class RealAction {
 public:
  Kind kind() const { return kind_; }
  TargetKind target_kind() const { return target_kind_; }
  const std::string& target() const { return target_; }
  const std::string& ns() const { return ns_; }
  // The real value of a parameter ("" when absent); integers as decimal text.
  const std::string& param(std::string_view name) const;
  int64_t integer(std::string_view name) const;
  bool has(std::string_view name) const;
  // Every real value that differs from its redacted form (to check an output never carries one).
  const std::vector<std::string>& secrets() const { return secrets_; }

  RealAction(const RealAction&) = delete;
  RealAction& operator=(const RealAction&) = delete;
  RealAction(RealAction&&) = default;
  RealAction& operator=(RealAction&&) = default;

 private:
  RealAction() = default;
  friend absl::StatusOr<RealAction> Rehydrate(const Action& action, const privacy::Shield& shield,
                                              const privacy::Vault& vault);
  Kind kind_ = Kind::kInvestigate;
  TargetKind target_kind_ = TargetKind::kNone;
  std::string target_, ns_;
  std::map<std::string, std::string, std::less<>> params_;
  std::map<std::string, int64_t, std::less<>> integers_;
  std::vector<std::string> secrets_;
};

// The execution boundary: labels the vault minted become real values, and every real value is
// checked against its type again (a label whose real value is "x; rm -rf /" fails here).
// FailedPrecondition naming the parameter (never the value) when a value fails, or when a label
// the vault did not mint is left over.
absl::StatusOr<RealAction> Rehydrate(const Action& action, const privacy::Shield& shield,
                                     const privacy::Vault& vault);

}  // namespace awoooi::action
