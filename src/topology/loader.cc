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
#include "yaml-cpp/yaml.h"

namespace awoooi::topology {
namespace {

using Level = Diagnostic::Level;

constexpr std::size_t kMaxCyclesReported = 10;
constexpr std::size_t kMaxNamesInCycleMessage = 8;

SourcePosition PositionOf(const YAML::Mark& mark) {
  if (mark.line < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

SourcePosition PositionOf(const YAML::Node& node) { return PositionOf(node.Mark()); }

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

// A field that may be one string or a list of strings (`depends_on`, `owners`).
bool ReadStringList(const YAML::Node& node, std::string_view field, std::string_view service,
                    std::vector<std::string>* values, std::vector<SourcePosition>* positions, Collector& c) {
  auto add = [&](const YAML::Node& item) {
    values->push_back(item.Scalar());
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
  for (const YAML::Node& item : node) {
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

void ReadService(const YAML::Node& entry, TopologySpec& spec, Collector& c) {
  if (!entry.IsMap()) {
    c.Error(PositionOf(entry), "each entry of 'services' must be a map with at least 'name' and 'kind'");
    return;
  }
  ServiceSpec s;
  s.position = PositionOf(entry);
  // Name first, so that every later message can say which service it is about.
  const YAML::Node name = entry["name"];
  if (!name) {
    c.Error(s.position, "service entry has no 'name'");
  } else if (!name.IsScalar()) {
    c.Error(PositionOf(name), "'name' must be a string");
  } else {
    s.name = name.Scalar();
    s.position = PositionOf(name);
  }
  bool has_kind = false;
  absl::flat_hash_set<std::string> fields;
  for (auto it = entry.begin(); it != entry.end(); ++it) {
    const YAML::Node& key = it->first;
    const YAML::Node& value = it->second;
    if (!key.IsScalar()) {
      c.Error(PositionOf(key),
              absl::StrCat("service '", ShortName(s.name), "' has a field whose name is not a string"));
      continue;
    }
    const std::string& field = key.Scalar();
    if (!fields.insert(field).second) {
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
      } else if (auto kind = ParseServiceKind(value.Scalar())) {
        s.kind = *kind;
      } else {
        c.Error(
            PositionOf(value),
            absl::StrCat("service '", ShortName(s.name), "' has unknown kind '", ShortName(value.Scalar()),
                         "' (expected ingress, frontend, service, database, cache, queue or external)"));
      }
    } else if (field == "namespace") {
      if (value.IsNull()) continue;
      if (!value.IsScalar() || value.Scalar().size() > kMaxServiceNameBytes) {
        c.Error(PositionOf(value),
                absl::StrCat("'namespace' of service '", ShortName(s.name), "' must be a string of at most ",
                             kMaxServiceNameBytes, " bytes"));
      } else {
        s.ns = value.Scalar();
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
      for (auto l = value.begin(); l != value.end(); ++l) {
        if (!l->first.IsScalar() || !l->second.IsScalar()) {
          c.Error(PositionOf(l->first),
                  absl::StrCat("labels of service '", ShortName(s.name), "' must map strings to strings"));
          continue;
        }
        s.labels[l->first.Scalar()] = l->second.Scalar();
      }
    } else {
      c.Error(PositionOf(key),
              absl::StrCat("service '", ShortName(s.name), "' has unknown field '", ShortName(field),
                           "' (expected name, kind, namespace, owners, labels, depends_on, "
                           "description)"));
    }
  }
  if (!has_kind && name && name.IsScalar()) {
    c.Error(s.position, absl::StrCat("service '", ShortName(s.name), "' has no 'kind'"));
  }
  // A service with field errors is kept (with its best-effort kind) so that the name checks that
  // follow do not report every reference to it as dangling; the parse fails anyway.
  if (name && name.IsScalar()) spec.services.push_back(std::move(s));
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
// right shape (then `spec` says nothing useful).
bool ParseInto(std::string_view text, TopologySpec& spec, Collector& c) {
  if (text.size() > kMaxTopologyFileBytes) {
    c.Error({},
            absl::StrCat("topology text is ", text.size(), " bytes; the limit is ", kMaxTopologyFileBytes));
    return false;
  }
  try {
    YAML::Node root = YAML::Load(std::string(text));
    if (!root || root.IsNull()) {
      c.Error({1, 1}, "empty topology: expected a top-level 'services:' list");
      return false;
    }
    if (!root.IsMap()) {
      c.Error(PositionOf(root), "the topology must be a map with a top-level 'services:' list");
      return false;
    }
    YAML::Node services;
    for (auto it = root.begin(); it != root.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == "services") {
        services = it->second;
      } else {
        c.Warning(PositionOf(it->first),
                  absl::StrCat("unknown top-level key '",
                               ShortName(it->first.IsScalar() ? it->first.Scalar() : "?"), "' is ignored"));
      }
    }
    if (!services) {
      c.Error(PositionOf(root), "missing top-level 'services:' list");
    } else if (services.IsNull()) {
      c.Warning(PositionOf(services), "'services' is empty");
    } else if (!services.IsSequence()) {
      c.Error(PositionOf(services), "'services' must be a list");
    } else {
      spec.services.reserve(services.size());
      for (const YAML::Node& entry : services) ReadService(entry, spec, c);
    }
  } catch (const YAML::Exception& e) {
    c.Error(PositionOf(e.mark), absl::StrCat("YAML syntax error: ", e.msg));
    return false;
  } catch (const std::exception& e) {
    c.Error({}, absl::StrCat("cannot read topology: ", e.what()));
    return false;
  }
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

}  // namespace awoooi::topology
