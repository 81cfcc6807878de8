// The declarative description of a service topology, before it becomes a `Graph`.
//
// A `TopologySpec` is what every source produces: the YAML loader (loader.h), the alert-label
// learner, and topology discovery (source.h). It is a plain value: no validation happens here;
// `Graph::Build` validates and reports problems as `Diagnostic`s with the positions recorded below.
//
// Thread-safety: values, copy freely.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "awoooi/core/alert.h"

namespace awoooi::topology {

// What a service is. The order of the first seven is the vocabulary of the topology file;
// `kUnknown` is never written in a file: it marks services the engine only heard of through a
// learned edge (an alert label naming a service the configuration does not declare).
enum class ServiceKind : unsigned char {
  kIngress,
  kFrontend,
  kService,
  kDatabase,
  kCache,
  kQueue,
  kExternal,
  kUnknown,
};

// "ingress", "frontend", "service", "database", "cache", "queue", "external", "unknown".
std::string_view ToString(ServiceKind kind);
// Parses the seven file kinds (exact, lower case). "unknown" and anything else: nullopt.
std::optional<ServiceKind> ParseServiceKind(std::string_view text);

// Limits that keep hostile or broken input bounded. A Kubernetes object name is at most 253
// bytes, so a longer service name is a mistake, not a real service.
inline constexpr std::size_t kMaxServiceNameBytes = 253;
inline constexpr std::size_t kMaxOwnersPerService = 64;
inline constexpr std::size_t kMaxLabelsPerService = 64;
inline constexpr std::size_t kMaxLabelBytes = 1024;
inline constexpr std::size_t kMaxTopologyFileBytes = 64u << 20;

// A 1-based line and column in the source text; 0 means "not from a file".
struct SourcePosition {
  int line = 0;
  int column = 0;
};

struct ServiceSpec {
  std::string name;
  ServiceKind kind = ServiceKind::kService;
  std::string ns;                   // Kubernetes namespace; may be empty
  std::vector<std::string> owners;  // team handles or people, in file order
  LabelSet labels;
  std::vector<std::string> depends_on;  // names of services this one calls or needs
  SourcePosition position;              // of the entry's `name`
  // Parallel to `depends_on` when the spec came from a file; may be empty otherwise.
  std::vector<SourcePosition> depends_on_positions;
};

struct TopologySpec {
  std::vector<ServiceSpec> services;
};

// One finding about a topology. Errors make the topology unusable; warnings describe something
// the engine corrected (a dropped self-loop or duplicate edge) or that deserves a look (a cycle).
struct Diagnostic {
  enum class Level { kError, kWarning };
  Level level = Level::kError;
  SourcePosition position;
  std::string message;  // service names in it are shortened to at most 64 bytes
};

std::string_view ToString(Diagnostic::Level level);  // "error" | "warning"

// Why `name` cannot name a service ("service name is empty", "... is longer than 253 bytes",
// "... contains a control character", "... is not valid UTF-8"), or "" when it can.
std::string ServiceNameProblem(std::string_view name);

// A service name as it may appear in messages: at most 64 bytes, longer ones shortened with
// their full size noted, so a 10 MB name cannot flood a terminal or a log.
std::string ShortName(std::string_view name);

}  // namespace awoooi::topology
