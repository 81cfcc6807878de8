// A compact YAML document tree built from yaml-cpp's event parser.
//
// yaml-cpp's YAML::Node keeps several heap objects per node; for a 100,000-service topology
// (about 1.2 million scalars) that is close to a gigabyte and most of the load time. This tree
// keeps one small struct per node and the positions the loader's messages need.
//
// Aliases are expanded by copying the anchored node; the total number of nodes alias expansion may
// add is capped (kMaxAliasExpansion) so that a "billion laughs" document fails quickly instead of
// exhausting memory. Nesting depth is bounded by yaml-cpp's own parser guard.
//
// Thread-safety: values; ParseYamlTree has no shared state.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "awoooi/topology/spec.h"

namespace awoooi::topology {

inline constexpr std::size_t kMaxAliasExpansion = 1'000'000;

struct YamlNode {
  enum class Type { kNull, kScalar, kSequence, kMap };
  Type type = Type::kNull;
  SourcePosition position;
  std::string scalar;              // kScalar only
  std::vector<YamlNode> children;  // kSequence: items; kMap: key, value, key, value, ...

  bool IsNull() const { return type == Type::kNull; }
  bool IsScalar() const { return type == Type::kScalar; }
  bool IsSequence() const { return type == Type::kSequence; }
  bool IsMap() const { return type == Type::kMap; }
  // For a map: the value of the first entry whose key is the scalar `key`, or nullptr.
  const YamlNode* Find(std::string_view key) const;
};

// Parses the first document of `text`. An empty text gives a kNull root. Failure: throws
// YAML::Exception (yaml-cpp's syntax errors, with their mark) or YAML::ParserException when alias
// expansion exceeds kMaxAliasExpansion or an alias names an unknown anchor.
YamlNode ParseYamlTree(std::string_view text);

}  // namespace awoooi::topology
