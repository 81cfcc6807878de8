// A compact YAML document tree built from libyaml's event parser (docs/adr/0003).
//
// A topology file of 100,000 services holds about 1.2 million scalars, almost all of them items of
// the top-level `services:` list. Keeping them all as a tree before reading them would cost more
// memory than the graph itself, so the parser can *stream* one sequence: the items of the first
// top-level key named `stream_key` (when its value is a sequence without an anchor) are handed to
// a sink one by one as soon as each is complete, and are not kept. Everything else is kept as a
// tree of small nodes with the positions the loader's messages need.
//
// Aliases are expanded by copying the anchored node; the total number of nodes alias expansion may
// add is capped (kMaxAliasExpansion) so that a "billion laughs" document fails quickly instead of
// exhausting memory. Nesting is capped at kMaxYamlNesting levels (libyaml has no limit of its own,
// and the tree's copy and destruction recurse).
//
// Thread-safety: values; ParseYamlTree has no shared state.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "awoooi/topology/spec.h"

namespace awoooi::topology {

inline constexpr std::size_t kMaxAliasExpansion = 1'000'000;
inline constexpr std::size_t kMaxYamlNesting = 256;

struct YamlNode {
  enum class Type { kNull, kScalar, kSequence, kMap };
  Type type = Type::kNull;
  // A streamed sequence (see ParseYamlTree): its items went to the sink and `children` is empty.
  bool streamed = false;
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

// Why a text is not YAML the parser accepts: libyaml's own message (with what it was parsing and
// where that started, when it says), an alias problem, or too deep nesting; at 1-based `position`.
struct YamlError {
  SourcePosition position;
  std::string message;
};

// Receives each item of the streamed sequence, in order; it may move from the node.
using YamlItemSink = absl::FunctionRef<void(YamlNode& item)>;

// Parses the first document of `text` into `root` (an empty text gives a kNull root). Plain
// scalars `~`, `null`, `Null`, `NULL` and empty plain values are kNull; every other scalar is a
// string (no other type resolution: the loader wants names, not numbers). The items of the
// sequence that is the value of the first top-level key `stream_key` go to `sink` (see above).
// Success: true. Failure: false and `error` says why; `root` and what the sink received are then
// incomplete.
bool ParseYamlTree(std::string_view text, std::string_view stream_key, YamlItemSink sink, YamlNode& root,
                   YamlError& error);

}  // namespace awoooi::topology
