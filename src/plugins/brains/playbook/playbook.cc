#include "plugins/brains/playbook/playbook.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "awoooi/privacy/shield.h"
#include "yaml-cpp/yaml.h"

namespace awoooi::brain::playbook {
namespace {

using privacy::Redacted;

constexpr std::string_view kVariables[] = {
    "service",
    "service_kind",
    "alertname",
    "severity",
    "namespace",
    "root_cause",
    "root_cause.service",
    "root_cause.kind",
    "root_cause.namespace",
    "root_cause.path",
    "root_cause.reason",
    "root_cause.severity",
    "root_causes.count",
    "blast_radius",
    "blast_radius.count",
    "playbook",
};

bool KnownVariable(std::string_view name) {
  if (name.rfind("labels.", 0) == 0 && name.size() > 7) return true;
  if (name.rfind("annotations.", 0) == 0 && name.size() > 12) return true;
  return std::find(std::begin(kVariables), std::end(kVariables), name) != std::end(kVariables);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The finding the playbook treats as the root cause: the top-ranked candidate, or nullptr when the
// analysis found no unhealthy dependency (then the incident's own service is the root cause).
const ServiceFinding* TopRootCause(const ReasoningContext& c) {
  return c.root_causes.empty() ? nullptr : &c.root_causes.front();
}

const Redacted* FirstLabel(const ReasoningContext& c, std::string_view name, bool annotations) {
  // Firing alerts first: a resolved alert's labels describe the past.
  for (int pass = 0; pass < 2; ++pass) {
    for (const ContextAlert& a : c.alerts) {
      if ((pass == 0) != (a.status != "resolved")) continue;
      const auto& m = annotations ? a.annotations : a.labels;
      auto it = m.find(std::string(name));
      if (it != m.end() && !it->second.empty()) return &it->second;
    }
  }
  return nullptr;
}

Redacted Join(const std::vector<ServiceFinding>& findings) {
  Redacted out;
  for (std::size_t i = 0; i < findings.size(); ++i) {
    if (i > 0) out += Redacted::Literal(", ");
    out += findings[i].service;
  }
  return out;
}

Redacted Resolve(std::string_view name, const ReasoningContext& c, std::string_view playbook) {
  const ServiceFinding* rc = TopRootCause(c);
  if (name == "service") return c.service;
  if (name == "service_kind") return privacy::RedactedIdentifier(c.service_kind);
  if (name == "alertname") {
    if (!c.alertname.empty()) return c.alertname;
    const Redacted* v = FirstLabel(c, "alertname", false);
    return v ? *v : Redacted();
  }
  if (name == "severity") return privacy::RedactedIdentifier(c.severity);
  if (name == "namespace") {
    if (const Redacted* v = FirstLabel(c, "namespace", false)) return *v;
    if (rc != nullptr) return rc->namespace_;
    return Redacted();
  }
  if (name == "root_cause" || name == "root_cause.service") return rc ? rc->service : c.service;
  if (name == "root_cause.kind") return privacy::RedactedIdentifier(rc ? rc->kind : c.service_kind);
  if (name == "root_cause.namespace") {
    if (rc != nullptr && !rc->namespace_.empty()) return rc->namespace_;
    return Resolve("namespace", c, playbook);
  }
  if (name == "root_cause.path") return rc ? rc->path : c.service;
  if (name == "root_cause.reason") return rc ? rc->reason : Redacted();
  if (name == "root_cause.severity") return privacy::RedactedIdentifier(rc ? rc->severity : c.severity);
  if (name == "root_causes.count")
    return privacy::RedactedNumber(static_cast<long long>(c.root_causes.size()));
  if (name == "blast_radius") return Join(c.blast_radius);
  if (name == "blast_radius.count")
    return privacy::RedactedNumber(static_cast<long long>(c.blast_radius.size()));
  if (name == "playbook") return privacy::RedactedIdentifier(playbook);
  if (name.rfind("labels.", 0) == 0) {
    const Redacted* v = FirstLabel(c, name.substr(7), false);
    return v ? *v : Redacted();
  }
  if (name.rfind("annotations.", 0) == 0) {
    const Redacted* v = FirstLabel(c, name.substr(12), true);
    return v ? *v : Redacted();
  }
  return Redacted();
}

// ---- YAML helpers: every error names the source and the key path. ----

absl::Status YamlError(std::string_view source, const std::string& key, const std::string& why) {
  return absl::InvalidArgumentError(std::string(source) + ": " + key + ": " + why);
}

absl::StatusOr<std::vector<std::string>> StringList(const YAML::Node& node, std::string_view source,
                                                    const std::string& key) {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.as<std::string>());
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      if (!item.IsScalar()) return YamlError(source, key, "entries must be strings");
      out.push_back(item.as<std::string>());
    }
  } else {
    return YamlError(source, key, "must be a string or a list of strings");
  }
  return out;
}

absl::StatusOr<Template> TemplateField(const YAML::Node& node, std::string_view source,
                                       const std::string& key) {
  if (!node) return Template();
  if (!node.IsScalar()) return YamlError(source, key, "must be a string");
  auto t = Template::Parse(node.as<std::string>());
  if (!t.ok()) return YamlError(source, key, std::string(t.status().message()));
  return t;
}

absl::StatusOr<MatchRule> ParseMatchRule(const YAML::Node& node, std::string_view source,
                                         const std::string& key) {
  if (!node.IsMap()) return YamlError(source, key, "must be a map of criteria");
  MatchRule rule;
  for (const auto& entry : node) {
    std::string field = entry.first.as<std::string>();
    std::string path = key + "." + field;
    if (field == "labels") {
      if (!entry.second.IsMap()) return YamlError(source, path, "must be a map of label name to value(s)");
      for (const auto& label : entry.second) {
        std::string name = label.first.as<std::string>();
        auto values = StringList(label.second, source, path + "." + name);
        if (!values.ok()) return values.status();
        rule.labels[name] = *values;
      }
      continue;
    }
    std::vector<std::string>* target = nullptr;
    if (field == "alertname") target = &rule.alertname;
    if (field == "severity") target = &rule.severity;
    if (field == "root_cause_kind") target = &rule.root_cause_kind;
    if (field == "service_kind") target = &rule.service_kind;
    if (target == nullptr) {
      return YamlError(
          source, path,
          "unknown criterion (known: alertname, severity, root_cause_kind, service_kind, labels)");
    }
    auto values = StringList(entry.second, source, path);
    if (!values.ok()) return values.status();
    *target = *values;
  }
  return rule;
}

bool AnyGlob(const std::vector<std::string>& patterns, std::string_view value) {
  for (const auto& p : patterns) {
    if (GlobMatch(p, value)) return true;
  }
  return false;
}

// The glob that matched, for the explanation.
std::string WhichGlob(const std::vector<std::string>& patterns, std::string_view value) {
  for (const auto& p : patterns) {
    if (GlobMatch(p, value)) return p;
  }
  return "";
}

std::vector<std::string_view> Alertnames(const ReasoningContext& c) {
  std::vector<std::string_view> out;
  if (!c.alertname.empty()) out.push_back(c.alertname.view());
  for (const ContextAlert& a : c.alerts) {
    auto it = a.labels.find("alertname");
    if (it != a.labels.end()) out.push_back(it->second.view());
  }
  return out;
}

std::string RootCauseKind(const ReasoningContext& c) {
  const ServiceFinding* rc = TopRootCause(c);
  return rc ? rc->kind : "none";
}

bool LabelsHoldOnOneAlert(const MatchRule& r, const ReasoningContext& c) {
  if (r.labels.empty()) return true;
  for (const ContextAlert& a : c.alerts) {
    if (a.status == "resolved") continue;
    bool all = true;
    for (const auto& [name, patterns] : r.labels) {
      auto it = a.labels.find(name);
      if (it == a.labels.end() || !AnyGlob(patterns, it->second.view())) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  // Iterative wildcard match with single backtrack point: linear for one '*', O(n*m) worst case.
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  // ASCII case folding, inline (std::tolower is a locale call per character).
  auto eq = [](char a, char b) { return absl::ascii_tolower(a) == absl::ascii_tolower(b); };
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && eq(pattern[p], text[t])) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

absl::StatusOr<Template> Template::Parse(std::string_view text) {
  Template t;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      t.parts_.push_back({std::string(text.substr(pos)), {}});
      break;
    }
    if (open > pos) t.parts_.push_back({std::string(text.substr(pos, open - pos)), {}});
    std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) return absl::InvalidArgumentError("unclosed \"{{\"");
    Part part;
    std::string_view inner = text.substr(open + 2, close - open - 2);
    std::size_t start = 0;
    while (true) {
      std::size_t bar = inner.find('|', start);
      std::string_view alt =
          Trim(inner.substr(start, bar == std::string_view::npos ? inner.npos : bar - start));
      bool quoted = alt.size() >= 2 && alt.front() == '"' && alt.back() == '"';
      if (!quoted && !KnownVariable(alt)) {
        return absl::InvalidArgumentError("unknown variable \"" + std::string(alt) +
                                          "\" (see docs/playbooks.md)");
      }
      part.alternatives.emplace_back(alt);
      if (bar == std::string_view::npos) break;
      start = bar + 1;
    }
    t.parts_.push_back(std::move(part));
    pos = close + 2;
  }
  return t;
}

Redacted Template::Render(const ReasoningContext& context, std::string_view playbook_name,
                          const privacy::Shield& shield, privacy::Vault& vault) const {
  Redacted out;
  for (const Part& part : parts_) {
    if (part.alternatives.empty()) {
      // The playbook author's text: redacted in the incident's scope in case it holds a value.
      out += shield.RedactPreservingLabels(part.literal, vault);
      continue;
    }
    for (const std::string& alt : part.alternatives) {
      if (alt.size() >= 2 && alt.front() == '"') {
        out += shield.RedactPreservingLabels(std::string_view(alt).substr(1, alt.size() - 2), vault);
        break;
      }
      Redacted value = Resolve(alt, context, playbook_name);
      if (!value.empty()) {
        out += value;
        break;
      }
    }
  }
  return out;
}

bool MatchRule::Matches(const ReasoningContext& c) const {
  if (!alertname.empty()) {
    bool any = false;
    for (std::string_view name : Alertnames(c)) any = any || AnyGlob(alertname, name);
    if (!any) return false;
  }
  if (!severity.empty() && !AnyGlob(severity, c.severity)) return false;
  if (!root_cause_kind.empty() && !AnyGlob(root_cause_kind, RootCauseKind(c))) return false;
  if (!service_kind.empty() && !AnyGlob(service_kind, c.service_kind)) return false;
  return LabelsHoldOnOneAlert(*this, c);
}

int MatchRule::criteria() const {
  return static_cast<int>(!alertname.empty()) + static_cast<int>(!severity.empty()) +
         static_cast<int>(!root_cause_kind.empty()) + static_cast<int>(!service_kind.empty()) +
         static_cast<int>(labels.size());
}

std::vector<std::string> MatchRule::Explain(const ReasoningContext& c) const {
  // Only vocabulary words and the playbook's own patterns appear here, never context values.
  std::vector<std::string> out;
  if (!alertname.empty()) {
    for (std::string_view name : Alertnames(c)) {
      std::string g = WhichGlob(alertname, name);
      if (!g.empty()) {
        out.push_back("the alert name matches \"" + g + "\"");
        break;
      }
    }
  }
  if (!severity.empty()) out.push_back("severity matches \"" + WhichGlob(severity, c.severity) + "\"");
  if (!root_cause_kind.empty()) out.push_back("the top root cause is a " + RootCauseKind(c));
  if (!service_kind.empty()) out.push_back("the alerting service is a " + c.service_kind);
  for (const auto& [name, patterns] : labels) {
    out.push_back("an alert's label " + name + " matches one of the playbook's values");
  }
  return out;
}

const MatchRule* Playbook::FirstMatch(const ReasoningContext& context) const {
  static const MatchRule kEverything;
  if (match.empty()) return &kEverything;
  for (const MatchRule& r : match) {
    if (r.Matches(context)) return &r;
  }
  return nullptr;
}

absl::StatusOr<Playbook> ParsePlaybook(std::string_view yaml, std::string_view source) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(std::string(source) + ": not valid YAML: " + e.what());
  }
  if (!root.IsMap())
    return absl::InvalidArgumentError(std::string(source) + ": a playbook must be a YAML map");
  Playbook pb;
  pb.source = std::string(source);
  try {
    for (const auto& entry : root) {
      std::string key = entry.first.as<std::string>();
      static const std::vector<std::string> kKeys = {"name",     "description", "priority",
                                                     "match",    "confidence",  "summary",
                                                     "evidence", "steps",       "actions"};
      if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
        return YamlError(source, key,
                         "unknown key (known: name, description, priority, match, confidence, "
                         "summary, evidence, steps, actions)");
      }
    }
    if (!root["name"] || !root["name"].IsScalar() || root["name"].as<std::string>().empty()) {
      return YamlError(source, "name", "is required");
    }
    pb.name = root["name"].as<std::string>();
    for (char ch : pb.name) {
      if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.')) {
        return YamlError(source, "name", "use letters, digits, '-', '_' and '.' only");
      }
    }
    if (root["description"]) pb.description = root["description"].as<std::string>();
    if (root["priority"]) pb.priority = root["priority"].as<int>();
    if (root["confidence"]) {
      pb.confidence = root["confidence"].as<double>();
      if (!(pb.confidence >= 0 && pb.confidence <= 1))
        return YamlError(source, "confidence", "must be in [0, 1]");
    }
    if (YAML::Node m = root["match"]) {
      if (m.IsMap()) {
        auto r = ParseMatchRule(m, source, "match");
        if (!r.ok()) return r.status();
        pb.match.push_back(*r);
      } else if (m.IsSequence()) {
        for (std::size_t i = 0; i < m.size(); ++i) {
          auto r = ParseMatchRule(m[i], source, "match[" + std::to_string(i) + "]");
          if (!r.ok()) return r.status();
          pb.match.push_back(*r);
        }
      } else {
        return YamlError(source, "match", "must be a map of criteria or a list of them (any may match)");
      }
    }
    auto summary = TemplateField(root["summary"], source, "summary");
    if (!summary.ok()) return summary.status();
    if (summary->empty()) return YamlError(source, "summary", "is required");
    pb.summary = *summary;
    auto evidence = TemplateField(root["evidence"], source, "evidence");
    if (!evidence.ok()) return evidence.status();
    pb.evidence = *evidence;
    if (YAML::Node steps = root["steps"]) {
      if (!steps.IsSequence()) return YamlError(source, "steps", "must be a list of strings");
      for (std::size_t i = 0; i < steps.size(); ++i) {
        auto t = TemplateField(steps[i], source, "steps[" + std::to_string(i) + "]");
        if (!t.ok()) return t.status();
        pb.steps.push_back(*t);
      }
    }
    YAML::Node actions = root["actions"];
    if (!actions || !actions.IsSequence() || actions.size() == 0) {
      return YamlError(source, "actions", "is required: a list of at least one action");
    }
    for (std::size_t i = 0; i < actions.size(); ++i) {
      std::string where = "actions[" + std::to_string(i) + "]";
      const YAML::Node& a = actions[i];
      if (!a.IsMap()) return YamlError(source, where, "must be a map");
      ActionTemplate at;
      auto kind = a["type"] ? action::ParseKind(a["type"].as<std::string>()) : std::nullopt;
      if (!kind) {
        return YamlError(source, where + ".type",
                         "unknown action type \"" +
                             (a["type"] ? a["type"].as<std::string>() : std::string()) +
                             "\" (known: restart_pod, rollout_restart, scale, cordon_node, delete_pvc, "
                             "mcp_tool, run_template, investigate)");
      }
      at.kind = *kind;
      if (a["target_kind"]) {
        at.target_kind = a["target_kind"].as<std::string>();
        if (!action::ParseTargetKind(at.target_kind)) {
          return YamlError(source, where + ".target_kind",
                           "unknown target kind (service, pod, deployment, statefulset, node, pvc, none)");
        }
      }
      auto target = TemplateField(a["target"], source, where + ".target");
      if (!target.ok()) return target.status();
      if (target->empty() && at.target_kind != "none")
        return YamlError(source, where + ".target", "is required");
      at.target = *target;
      if (YAML::Node params = a["parameters"]) {
        if (!params.IsMap()) return YamlError(source, where + ".parameters", "must be a map");
        for (const auto& p : params) {
          std::string name = p.first.as<std::string>();
          auto t = TemplateField(p.second, source, where + ".parameters." + name);
          if (!t.ok()) return t.status();
          at.parameters[name] = *t;
        }
      }
      auto effect = TemplateField(a["expected_effect"], source, where + ".expected_effect");
      if (!effect.ok()) return effect.status();
      at.expected_effect = *effect;
      pb.actions.push_back(std::move(at));
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(std::string(source) + ": " + e.what());
  }
  return pb;
}

absl::StatusOr<std::vector<Playbook>> LoadPlaybookDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return absl::NotFoundError("playbook directory " + dir + " does not exist");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(entry.path());
  }
  if (ec) return absl::UnavailableError("cannot list " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<Playbook> out;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) return absl::UnavailableError("cannot read " + f.string());
    std::stringstream text;
    text << in.rdbuf();
    auto pb = ParsePlaybook(text.str(), f.string());
    if (!pb.ok()) return pb.status();
    out.push_back(*std::move(pb));
  }
  return out;
}

absl::StatusOr<std::vector<Playbook>> LoadDefaultPlaybooks() {
  std::vector<Playbook> out;
  for (const auto& [name, text] : DefaultPlaybookFiles()) {
    auto pb = ParsePlaybook(text, name);
    if (!pb.ok()) return pb.status();
    out.push_back(*std::move(pb));
  }
  return out;
}

}  // namespace awoooi::brain::playbook
