#include "topology/yaml_tree.h"

#include <sstream>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/exceptions.h"
#include "yaml-cpp/parser.h"

namespace awoooi::topology {
namespace {

SourcePosition PositionOf(const YAML::Mark& mark) {
  if (mark.line < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

std::size_t CountNodes(const YamlNode& node) {
  std::size_t n = 1;
  for (const YamlNode& child : node.children) n += CountNodes(child);
  return n;
}

class TreeBuilder : public YAML::EventHandler {
 public:
  YamlNode TakeRoot() { return std::move(root_); }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    YamlNode n;
    n.position = PositionOf(mark);
    Add(std::move(n), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) throw YAML::ParserException(mark, "alias to an unknown anchor");
    expanded_ += CountNodes(it->second);
    if (expanded_ > kMaxAliasExpansion) {
      throw YAML::ParserException(mark, "aliases expand to too many nodes");
    }
    Add(YamlNode(it->second), 0);
  }

  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    YamlNode n;
    n.type = YamlNode::Type::kScalar;
    n.position = PositionOf(mark);
    n.scalar = value;
    Add(std::move(n), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(YamlNode::Type::kSequence, mark, anchor);
  }
  void OnSequenceEnd() override { Close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(YamlNode::Type::kMap, mark, anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Open_ {
    YamlNode* node;
    YAML::anchor_t anchor;
  };

  // Appends a finished node to the innermost open collection (or makes it the root).
  YamlNode* Add(YamlNode node, YAML::anchor_t anchor) {
    YamlNode* placed;
    if (open_.empty()) {
      root_ = std::move(node);
      placed = &root_;
    } else {
      // Only the innermost collection grows, so pointers to the outer ones stay valid.
      open_.back().node->children.push_back(std::move(node));
      placed = &open_.back().node->children.back();
    }
    if (anchor != 0 && placed->type != YamlNode::Type::kSequence && placed->type != YamlNode::Type::kMap) {
      anchors_[anchor] = *placed;
    }
    return placed;
  }

  void Open(YamlNode::Type type, const YAML::Mark& mark, YAML::anchor_t anchor) {
    YamlNode n;
    n.type = type;
    n.position = PositionOf(mark);
    YamlNode* placed = Add(std::move(n), 0);
    open_.push_back({placed, anchor});
  }

  void Close() {
    Open_ done = open_.back();
    open_.pop_back();
    if (done.anchor != 0) anchors_[done.anchor] = *done.node;
  }

  YamlNode root_;
  std::vector<Open_> open_;
  absl::flat_hash_map<YAML::anchor_t, YamlNode> anchors_;
  std::size_t expanded_ = 0;
};

}  // namespace

const YamlNode* YamlNode::Find(std::string_view key) const {
  if (type != Type::kMap) return nullptr;
  for (std::size_t i = 0; i + 1 < children.size(); i += 2) {
    if (children[i].IsScalar() && children[i].scalar == key) return &children[i + 1];
  }
  return nullptr;
}

YamlNode ParseYamlTree(std::string_view text) {
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  TreeBuilder builder;
  parser.HandleNextDocument(builder);
  return builder.TakeRoot();
}

}  // namespace awoooi::topology
