#include "awoooi/topology/render.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "topology/absl_view.h"

namespace awoooi::topology {
namespace {

using Json = nlohmann::ordered_json;

// Names come from configuration and alert labels; replacing bad UTF-8 keeps dump() from throwing.
std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string Str(std::string_view s) { return std::string(s); }

std::string JoinPath(const std::vector<std::string>& path, std::string_view arrow) {
  std::string out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (i > 0) out.append(arrow);
    out.append(ShortName(path[i]));
  }
  return out;
}

}  // namespace

std::string RootCauseToJson(const RootCauseResult& result) {
  Json causes = Json::array();
  for (const RootCauseCandidate& c : result.root_causes) {
    Json j;
    j["service"] = c.service;
    j["kind"] = Str(ToString(c.kind));
    j["rank"] = c.rank;
    j["path"] = c.path;
    j["reason"] = c.reason;
    j["severity"] = Str(ToString(c.severity));
    j["depth"] = c.depth;
    j["role"] = Str(ToString(c.role));
    if (!c.explained_by.empty()) {
      j["explained_by"] = c.explained_by;
      j["explained_by_hops"] = c.explained_by_hops;
      j["explained_by_beyond_depth"] = c.explained_by_beyond_depth;
    }
    // Added after the keys consumers already read, so that those keep their places.
    j["explains"] = c.explains;
    j["explains_count"] = c.explains_count;
    j["evidence_count"] = c.evidence_count;
    causes.push_back(std::move(j));
  }
  Json out;
  out["service"] = result.service;
  out["depth"] = result.depth;
  out["root_causes"] = std::move(causes);
  return Dump(out);
}

std::string BlastRadiusToJson(const BlastRadiusResult& result) {
  Json affected = Json::array();
  for (const AffectedService& a : result.affected) {
    Json j;
    j["service"] = a.service;
    j["kind"] = Str(ToString(a.kind));
    j["depth"] = a.depth;
    j["health"] = Str(ToString(a.health));
    j["path"] = a.path;
    affected.push_back(std::move(j));
  }
  Json out;
  out["service"] = result.service;
  out["depth"] = result.depth;
  out["affected"] = std::move(affected);
  return Dump(out);
}

std::string SnapshotToJson(const TopologySnapshot& snapshot) {
  Json services = Json::array();
  for (const ServiceView& s : snapshot.services) {
    Json j;
    j["name"] = s.name;
    j["kind"] = Str(ToString(s.kind));
    j["namespace"] = s.ns;
    j["owners"] = s.owners;
    Json labels = Json::object();
    for (const auto& [k, v] : s.labels) labels[k] = v;
    j["labels"] = std::move(labels);
    j["health"] = Str(ToString(s.health));
    j["learned"] = s.learned;
    services.push_back(std::move(j));
  }
  Json edges = Json::array();
  for (const EdgeView& e : snapshot.edges) {
    Json j;
    j["from"] = e.from;
    j["to"] = e.to;
    j["learned"] = e.learned;
    edges.push_back(std::move(j));
  }
  Json out;
  out["services"] = std::move(services);
  out["edges"] = std::move(edges);
  return Dump(out);
}

std::string DiagnosticsToJson(const std::vector<Diagnostic>& diagnostics) {
  Json list = Json::array();
  int errors = 0, warnings = 0;
  for (const Diagnostic& d : diagnostics) {
    (d.level == Diagnostic::Level::kError ? errors : warnings)++;
    Json j;
    j["level"] = Str(ToString(d.level));
    j["line"] = d.position.line;
    j["column"] = d.position.column;
    j["message"] = d.message;
    list.push_back(std::move(j));
  }
  Json out;
  out["ok"] = errors == 0;
  out["errors"] = errors;
  out["warnings"] = warnings;
  out["diagnostics"] = std::move(list);
  return Dump(out);
}

std::string RootCauseToText(const RootCauseResult& result) {
  std::string out = absl::StrCat("Root cause candidates for ", ShortName(result.service), " (depth ",
                                 result.depth, "): ", result.root_causes.size(), "\n");
  for (const RootCauseCandidate& c : result.root_causes) {
    absl::StrAppend(&out, "  ", c.rank, ". ", ShortName(c.service), "  [", AbslView(ToString(c.kind)), ", ",
                    AbslView(ToString(c.severity)), ", ", AbslView(ToString(c.role)), ", depth ", c.depth);
    if (c.role != CandidateRole::kSelf) {
      absl::StrAppend(&out, ", explains ", c.explains_count, " of ", c.evidence_count);
    }
    absl::StrAppend(&out, "]\n", "     path:   ", JoinPath(c.path, " -> "), "\n", "     reason: ", c.reason,
                    "\n");
  }
  return out;
}

std::string BlastRadiusToText(const BlastRadiusResult& result) {
  std::string out = absl::StrCat("Blast radius of ", ShortName(result.service), " (depth ", result.depth,
                                 "): ", result.affected.size(),
                                 result.affected.size() == 1 ? " service" : " services", " affected\n");
  for (const AffectedService& a : result.affected) {
    // The path reads "X <- Y": Y depends on X.
    absl::StrAppend(&out, "  depth ", a.depth, "  ", ShortName(a.service), "  [", AbslView(ToString(a.kind)),
                    a.health == Severity::kNone ? "" : absl::StrCat(", ", AbslView(ToString(a.health))),
                    "]  ", JoinPath(a.path, " <- "), "\n");
  }
  return out;
}

std::string DiagnosticsToText(std::string_view file, const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) {
    absl::StrAppend(&out, AbslView(file));
    if (d.position.line > 0) absl::StrAppend(&out, ":", d.position.line, ":", d.position.column);
    absl::StrAppend(&out, ": ", AbslView(ToString(d.level)), ": ", d.message, "\n");
  }
  return out;
}

absl::StatusOr<HealthMap> ParseHealthList(std::string_view text) {
  HealthMap health;
  for (absl::string_view raw : absl::StrSplit(AbslView(text), ',')) {
    absl::string_view item = absl::StripAsciiWhitespace(raw);
    if (item.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("empty item in unhealthy list '", ShortName(text),
                                                     "' (expected name[:severity],...)"));
    }
    absl::string_view name = item;
    Severity severity = Severity::kCritical;
    // The severity follows the last ':', so names that contain ':' still work with an explicit one.
    if (std::size_t colon = item.rfind(':'); colon != absl::string_view::npos) {
      name = absl::StripAsciiWhitespace(item.substr(0, colon));
      absl::string_view word = absl::StripAsciiWhitespace(item.substr(colon + 1));
      if (word == "info") {
        severity = Severity::kInfo;
      } else if (word == "warning") {
        severity = Severity::kWarning;
      } else if (word == "error") {
        severity = Severity::kError;
      } else if (word == "critical") {
        severity = Severity::kCritical;
      } else {
        return absl::InvalidArgumentError(absl::StrCat("unknown severity '",
                                                       ShortName({word.data(), word.size()}),
                                                       "' (expected info, warning, error or critical)"));
      }
    }
    std::string service(name);
    if (std::string problem = ServiceNameProblem(service); !problem.empty()) {
      return absl::InvalidArgumentError(problem);
    }
    health[service] = severity;
  }
  return health;
}

}  // namespace awoooi::topology
