#include "awoooi/topology/loader.h"

#include <algorithm>
#include <exception>
#include <limits>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "topology/absl_view.h"
#include "topology/yaml_tree.h"

namespace awoooi::topology {
namespace {

using Level = Diagnostic::Level;

constexpr std::size_t kMaxCyclesReported = 10;
constexpr std::size_t kMaxNamesInCycleMessage = 8;

SourcePosition PositionOf(const YamlNode& node) { return node.position; }

// Collects errors; the parse fails when there is at least one.
class Collector {
 public:
  explicit Collector(std::vector<Diagnostic>* out) : out_(out) {}
  void Error(SourcePosition pos, std::string message) {
    if (errors_ == 0)
      first_ = absl::StrCat(pos.line > 0 ? absl::StrCat("line ", pos.line, ": ") : "", message);
    ++errors_;
    if (out_ != nullptr && out_->size() < 1000) out_->push_back({Level::kError, pos, std::move(message)});
  }
  void Warning(SourcePosition pos, std::string message) {
    if (out_ != nullptr && out_->size() < 1000) out_->push_back({Level::kWarning, pos, std::move(message)});
  }
  std::size_t errors() const { return errors_; }
  // Takes over what `other` collected (its findings are in `found`).
  void Append(const Collector& other, std::vector<Diagnostic>& found) {
    if (errors_ == 0 && other.errors_ > 0) first_ = other.first_;
    errors_ += other.errors_;
    for (Diagnostic& d : found) {
      if (out_ != nullptr && out_->size() < 1000) out_->push_back(std::move(d));
    }
  }
  absl::Status ToStatus() const {
    if (errors_ == 0) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat("invalid topology: ", first_,
                     errors_ > 1 ? absl::StrCat(" (and ", errors_ - 1, " more errors)") : ""));
  }

 private:
  std::vector<Diagnostic>* out_;
  std::size_t errors_ = 0;
  std::string first_;
};

// A field that may be one string or a list of strings (`depends_on`, `owners`). Moves the strings
// out of `node`, which the caller discards.
bool ReadStringList(YamlNode& node, std::string_view field, std::string_view service,
                    std::vector<std::string>* values, std::vector<SourcePosition>* positions, Collector& c) {
  auto add = [&](YamlNode& item) {
    values->push_back(std::move(item.scalar));
    if (positions != nullptr) positions->push_back(PositionOf(item));
  };
  if (node.IsNull()) return true;
  if (node.IsScalar()) {
    add(node);
    return true;
  }
  if (!node.IsSequence()) {
    c.Error(PositionOf(node), absl::StrCat("'", AbslView(field), "' of service '", ShortName(service),
                                           "' must be a string or a list of strings"));
    return false;
  }
  bool ok = true;
  values->reserve(values->size() + node.children.size());
  if (positions != nullptr) positions->reserve(positions->size() + node.children.size());
  for (YamlNode& item : node.children) {
    if (!item.IsScalar()) {
      c.Error(PositionOf(item), absl::StrCat("each entry of '", AbslView(field), "' of service '",
                                             ShortName(service), "' must be a string"));
      ok = false;
      continue;
    }
    add(item);
  }
  return ok;
}

// The fields of a service entry; a bit each, to notice one given twice.
constexpr std::string_view kFields[] = {"name",   "kind",       "namespace",  "owners",
                                        "labels", "depends_on", "description"};

int FieldIndex(std::string_view field) {
  for (int i = 0; i < static_cast<int>(std::size(kFields)); ++i) {
    if (kFields[i] == field) return i;
  }
  return -1;
}

// Reads one entry of `services` into `spec`. Moves strings out of `entry`, which the caller
// discards.
void ReadService(YamlNode& entry, TopologySpec& spec, Collector& c) {
  if (!entry.IsMap()) {
    c.Error(PositionOf(entry), "each entry of 'services' must be a map with at least 'name' and 'kind'");
    return;
  }
  ServiceSpec s;
  s.position = PositionOf(entry);
  // Name first, so that every later message can say which service it is about.
  const YamlNode* name = entry.Find("name");
  const bool has_name = name != nullptr && name->IsScalar();
  if (name == nullptr) {
    c.Error(s.position, "service entry has no 'name'");
  } else if (!name->IsScalar()) {
    c.Error(PositionOf(*name), "'name' must be a string");
  } else {
    s.name = name->scalar;
    s.position = PositionOf(*name);
  }
  bool has_kind = false;
  unsigned known_seen = 0;
  absl::flat_hash_set<std::string> unknown_seen;  // only for misspelt fields, which are rare
  for (std::size_t i = 0; i + 1 < entry.children.size(); i += 2) {
    YamlNode& key = entry.children[i];
    YamlNode& value = entry.children[i + 1];
    if (!key.IsScalar()) {
      c.Error(PositionOf(key),
              absl::StrCat("service '", ShortName(s.name), "' has a field whose name is not a string"));
      continue;
    }
    const std::string& field = key.scalar;
    const int index = FieldIndex(field);
    const bool repeated = index >= 0 ? (known_seen & (1u << index)) != 0 : !unknown_seen.insert(field).second;
    if (index >= 0) known_seen |= 1u << index;
    if (repeated) {
      c.Error(PositionOf(key),
              absl::StrCat("service '", ShortName(s.name), "' has field '", ShortName(field), "' twice"));
      continue;
    }
    if (field == "name" || field == "description") continue;
    if (field == "kind") {
      has_kind = true;
      if (!value.IsScalar()) {
        c.Error(PositionOf(value),
                absl::StrCat("'kind' of service '", ShortName(s.name), "' must be a string"));
      } else if (auto kind = ParseServiceKind(value.scalar)) {
        s.kind = *kind;
      } else {
        c.Error(PositionOf(value),
                absl::StrCat("service '", ShortName(s.name), "' has unknown kind '", ShortName(value.scalar),
                             "' (expected ingress, frontend, service, database, cache, queue or external)"));
      }
    } else if (field == "namespace") {
      if (value.IsNull()) continue;
      if (!value.IsScalar() || value.scalar.size() > kMaxServiceNameBytes) {
        c.Error(PositionOf(value),
                absl::StrCat("'namespace' of service '", ShortName(s.name), "' must be a string of at most ",
                             kMaxServiceNameBytes, " bytes"));
      } else {
        s.ns = std::move(value.scalar);
      }
    } else if (field == "owners") {
      ReadStringList(value, "owners", s.name, &s.owners, nullptr, c);
    } else if (field == "depends_on") {
      ReadStringList(value, "depends_on", s.name, &s.depends_on, &s.depends_on_positions, c);
    } else if (field == "labels") {
      if (value.IsNull()) continue;
      if (!value.IsMap()) {
        c.Error(PositionOf(value),
                absl::StrCat("'labels' of service '", ShortName(s.name), "' must be a map"));
        continue;
      }
      for (std::size_t l = 0; l + 1 < value.children.size(); l += 2) {
        YamlNode& label = value.children[l];
        YamlNode& label_value = value.children[l + 1];
        if (!label.IsScalar() || !label_value.IsScalar()) {
          c.Error(PositionOf(label),
                  absl::StrCat("labels of service '", ShortName(s.name), "' must map strings to strings"));
          continue;
        }
        s.labels[label.scalar] = std::move(label_value.scalar);
      }
    } else {
      c.Error(PositionOf(key),
              absl::StrCat("service '", ShortName(s.name), "' has unknown field '", ShortName(field),
                           "' (expected name, kind, namespace, owners, labels, depends_on, "
                           "description)"));
    }
  }
  if (!has_kind && has_name) {
    c.Error(s.position, absl::StrCat("service '", ShortName(s.name), "' has no 'kind'"));
  }
  // A service with field errors is kept (with its best-effort kind) so that the name checks that
  // follow do not report every reference to it as dangling; the parse fails anyway.
  if (has_name) spec.services.push_back(std::move(s));
}

void SortByPosition(std::vector<Diagnostic>& diagnostics) {
  auto key = [](const Diagnostic& d) {
    // Findings without a position (summaries) go last.
    return std::pair(d.position.line > 0 ? d.position.line : std::numeric_limits<int>::max(),
                     d.position.column);
  };
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
}

// Fills `spec` as far as the text allows. Returns false when the text is not even YAML of the
// right shape (then `spec` says nothing useful). The entries of `services` are read as the parser
// streams them (the file's bulk is never held as a tree); their findings are kept aside until
// the whole text has parsed, so that a syntax error is reported alone, as the first problem to fix.
bool ParseInto(std::string_view text, TopologySpec& spec, Collector& c) {
  if (text.size() > kMaxTopologyFileBytes) {
    c.Error({},
            absl::StrCat("topology text is ", text.size(), " bytes; the limit is ", kMaxTopologyFileBytes));
    return false;
  }
  std::vector<Diagnostic> found;
  Collector parsed(&found);
  try {
    YamlNode root;
    YamlError error;
    auto read_entry = [&](YamlNode& entry) { ReadService(entry, spec, parsed); };
    if (!ParseYamlTree(text, "services", read_entry, root, error)) {
      spec.services.clear();
      c.Error(error.position, absl::StrCat("YAML syntax error: ", error.message));
      return false;
    }
    if (root.IsNull()) {
      c.Error({1, 1}, "empty topology: expected a top-level 'services:' list");
      return false;
    }
    if (!root.IsMap()) {
      c.Error(PositionOf(root), "the topology must be a map with a top-level 'services:' list");
      return false;
    }
    YamlNode* services = nullptr;
    for (std::size_t i = 0; i + 1 < root.children.size(); i += 2) {
      const YamlNode& key = root.children[i];
      if (key.IsScalar() && key.scalar == "services" && services == nullptr) {
        services = &root.children[i + 1];
      } else {
        parsed.Warning(
            PositionOf(key),
            absl::StrCat("top-level key '", ShortName(key.IsScalar() ? key.scalar : "?"), "' is ignored"));
      }
    }
    if (services == nullptr) {
      parsed.Error(PositionOf(root), "missing top-level 'services:' list");
    } else if (services->IsNull()) {
      parsed.Warning(PositionOf(*services), "'services' is empty");
    } else if (!services->IsSequence()) {
      parsed.Error(PositionOf(*services), "'services' must be a list");
    } else if (!services->streamed) {  // an anchored list is kept whole (it may be aliased)
      spec.services.reserve(services->children.size());
      for (YamlNode& entry : services->children) ReadService(entry, spec, parsed);
    }
  } catch (const std::exception& e) {  // std::bad_alloc: libyaml itself does not throw
    c.Error({}, absl::StrCat("cannot read topology: ", e.what()));
    return false;
  }
  c.Append(parsed, found);
  return true;
}

}  // namespace

absl::StatusOr<TopologySpec> ParseTopologyYaml(std::string_view text, std::vector<Diagnostic>* diagnostics) {
  Collector c(diagnostics);
  TopologySpec spec;
  ParseInto(text, spec, c);
  if (diagnostics != nullptr) SortByPosition(*diagnostics);
  if (c.errors() > 0) return c.ToStatus();
  return spec;
}

TopologyLoadResult LoadTopologyYaml(std::string_view text) {
  TopologyLoadResult result;
  Collector c(&result.diagnostics);
  TopologySpec spec;
  if (!ParseInto(text, spec, c)) {
    SortByPosition(result.diagnostics);
    return result;
  }
  // Name checks run even after field errors so that one `check` run reports everything.
  absl::StatusOr<std::shared_ptr<const Graph>> graph = Graph::Build(spec, &result.diagnostics);
  if (graph.ok() && c.errors() == 0) {
    result.graph = *std::move(graph);
    for (const std::vector<Graph::NodeId>& cycle : result.graph->FindCycles(kMaxCyclesReported)) {
      std::vector<std::string> names;
      for (std::size_t i = 0; i < cycle.size() && i < kMaxNamesInCycleMessage; ++i) {
        names.push_back(ShortName(result.graph->name(cycle[i])));
      }
      if (cycle.size() > kMaxNamesInCycleMessage) names.push_back("...");
      result.diagnostics.push_back({Level::kWarning, result.graph->position(cycle.front()),
                                    absl::StrCat("dependency cycle of ", cycle.size() - 1,
                                                 " services: ", absl::StrJoin(names, " -> "))});
    }
  }
  SortByPosition(result.diagnostics);
  return result;
}

TopologyLoadResult ReloadTopologyYaml(Topology& topology, std::string_view text) {
  TopologyLoadResult result = LoadTopologyYaml(text);  // no lock held: the slow part
  if (result.ok()) topology.Replace(result.graph);
  return result;
}

}  // namespace awoooi::topology
