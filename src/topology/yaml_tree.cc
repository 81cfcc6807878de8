#include "topology/yaml_tree.h"

#include <yaml.h>

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "topology/absl_view.h"

namespace awoooi::topology {
namespace {

SourcePosition PositionOf(const yaml_mark_t& mark) {
  return {static_cast<int>(mark.line) + 1, static_cast<int>(mark.column) + 1};
}

// libyaml's reader reports a byte offset, not a mark: count lines and characters up to it.
SourcePosition PositionOfOffset(std::string_view text, std::size_t offset) {
  SourcePosition pos{1, 1};
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      pos.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++pos.column;  // columns count characters, as libyaml's marks do
    }
  }
  return pos;
}

std::size_t CountNodes(const YamlNode& node) {
  std::size_t n = 1;
  for (const YamlNode& child : node.children) n += CountNodes(child);
  return n;
}

bool IsNullPlainScalar(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::string_view AnchorOf(const yaml_char_t* anchor) {
  return anchor == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(anchor));
}

// Owns a libyaml parser over `text`; one event at a time.
class EventParser {
 public:
  explicit EventParser(std::string_view text) : text_(text) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }
  ~EventParser() {
    if (has_event_) yaml_event_delete(&event_);
    yaml_parser_delete(&parser_);
  }
  EventParser(const EventParser&) = delete;
  EventParser& operator=(const EventParser&) = delete;

  // The next event, or nullptr with `error` filled.
  const yaml_event_t* Next(YamlError& error) {
    if (has_event_) yaml_event_delete(&event_);
    has_event_ = yaml_parser_parse(&parser_, &event_) != 0;
    if (has_event_) return &event_;
    error = Error();
    return nullptr;
  }

 private:
  YamlError Error() const {
    YamlError e;
    const char* problem = parser_.problem != nullptr ? parser_.problem : "unknown error";
    switch (parser_.error) {
      case YAML_MEMORY_ERROR:
        e.message = "out of memory";
        break;
      case YAML_READER_ERROR:
        e.position = PositionOfOffset(text_, parser_.problem_offset);
        e.message = parser_.problem_value >= 0 ? absl::StrFormat("%s (#x%X)", problem, parser_.problem_value)
                                               : std::string(problem);
        break;
      default:  // scanner and parser errors carry marks
        e.position = PositionOf(parser_.problem_mark);
        e.message = problem;
        if (parser_.context != nullptr) {
          SourcePosition where = PositionOf(parser_.context_mark);
          absl::StrAppend(&e.message, " (", parser_.context, " that starts at line ", where.line, ", column ",
                          where.column, ")");
        }
        break;
    }
    return e;
  }

  std::string_view text_;
  yaml_parser_t parser_;
  yaml_event_t event_;
  bool has_event_ = false;
};

class TreeBuilder {
 public:
  TreeBuilder(std::string_view stream_key, YamlItemSink sink, YamlNode& root)
      : stream_key_(stream_key), sink_(sink), root_(root) {}

  // Consumes one event of the first document. Returns false with `error` on a problem.
  bool Handle(const yaml_event_t& e, YamlError& error) {
    switch (e.type) {
      case YAML_SCALAR_EVENT: {
        YamlNode n;
        n.position = PositionOf(e.start_mark);
        std::string_view value(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
        if (e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && IsNullPlainScalar(value)) {
          n.type = YamlNode::Type::kNull;
        } else {
          n.type = YamlNode::Type::kScalar;
          n.scalar.assign(value.data(), value.size());
        }
        return Add(std::move(n), AnchorOf(e.data.scalar.anchor), error);
      }
      case YAML_ALIAS_EVENT: {
        auto it = anchors_.find(AbslView(AnchorOf(e.data.alias.anchor)));
        if (it == anchors_.end()) return Fail(error, e.start_mark, "alias to an unknown anchor");
        expanded_ += CountNodes(it->second);
        if (expanded_ > kMaxAliasExpansion)
          return Fail(error, e.start_mark, "aliases expand to too many nodes");
        return Add(YamlNode(it->second), {}, error);
      }
      case YAML_SEQUENCE_START_EVENT:
        return Open(YamlNode::Type::kSequence, e.start_mark, AnchorOf(e.data.sequence_start.anchor), error);
      case YAML_MAPPING_START_EVENT:
        return Open(YamlNode::Type::kMap, e.start_mark, AnchorOf(e.data.mapping_start.anchor), error);
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        Close();
        return true;
      default:
        return true;
    }
  }

 private:
  struct OpenNode {
    YamlNode* node;
    std::string anchor;
  };

  bool Fail(YamlError& error, const yaml_mark_t& mark, std::string message) {
    error.position = PositionOf(mark);
    error.message = std::move(message);
    return false;
  }

  // Places a finished node in the innermost open collection (or makes it the root); an item of
  // the streamed sequence goes to the sink instead.
  bool Add(YamlNode node, std::string_view anchor, YamlError&) {
    YamlNode* placed = Place(std::move(node));
    if (!anchor.empty()) anchors_[std::string(anchor)] = *placed;
    FinishIfStreamedItem();
    return true;
  }

  YamlNode* Place(YamlNode node) {
    if (open_.empty()) {
      root_ = std::move(node);
      return &root_;
    }
    // Only the innermost collection grows, so pointers to the outer ones stay valid.
    std::vector<YamlNode>& siblings = open_.back().node->children;
    siblings.push_back(std::move(node));
    return &siblings.back();
  }

  // A streamed sequence holds at most its one item under construction; once complete it goes to
  // the sink and is dropped.
  void FinishIfStreamedItem() {
    if (open_.empty() || !open_.back().node->streamed) return;
    std::vector<YamlNode>& slot = open_.back().node->children;
    sink_(slot.back());
    slot.clear();
  }

  bool Open(YamlNode::Type type, const yaml_mark_t& mark, std::string_view anchor, YamlError& error) {
    if (open_.size() >= kMaxYamlNesting) {
      return Fail(error, mark, absl::StrCat("nesting deeper than ", kMaxYamlNesting, " levels"));
    }
    YamlNode n;
    n.type = type;
    n.position = PositionOf(mark);
    // The value of the first top-level `stream_key`: a key's value is the odd child of the root map.
    if (type == YamlNode::Type::kSequence && anchor.empty() && open_.size() == 1 && !stream_key_seen_ &&
        IsStreamKeyValue()) {
      n.streamed = true;
    }
    if (open_.size() == 1 && IsStreamKeyValue()) stream_key_seen_ = true;
    // Items of the streamed sequence are short-lived: room for a typical service entry up front
    // saves the reallocations of growing one child at a time.
    if (in_streamed_item_ > 0 || (!open_.empty() && open_.back().node->streamed)) {
      n.children.reserve(type == YamlNode::Type::kMap ? 8 : 16);
      ++in_streamed_item_;
    }
    YamlNode* placed = Place(std::move(n));
    open_.push_back({placed, std::string(anchor)});
    return true;
  }

  bool IsStreamKeyValue() const {
    const YamlNode& parent = *open_.back().node;
    if (!parent.IsMap() || parent.children.size() % 2 == 0) return false;
    const YamlNode& key = parent.children.back();
    return key.IsScalar() && key.scalar == stream_key_;
  }

  void Close() {
    if (open_.empty()) return;  // libyaml pairs start and end events; this is only a guard
    OpenNode done = std::move(open_.back());
    open_.pop_back();
    if (in_streamed_item_ > 0) --in_streamed_item_;
    if (!done.anchor.empty()) anchors_[done.anchor] = *done.node;
    FinishIfStreamedItem();
  }

  std::string_view stream_key_;
  YamlItemSink sink_;
  YamlNode& root_;
  bool stream_key_seen_ = false;
  std::size_t in_streamed_item_ = 0;  // open collections inside an item of the streamed sequence
  std::vector<OpenNode> open_;
  absl::flat_hash_map<std::string, YamlNode> anchors_;
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

bool ParseYamlTree(std::string_view text, std::string_view stream_key, YamlItemSink sink, YamlNode& root,
                   YamlError& error) {
  root = YamlNode();
  EventParser parser(text);
  TreeBuilder builder(stream_key, sink, root);
  bool in_document = false;
  while (const yaml_event_t* e = parser.Next(error)) {
    switch (e->type) {
      case YAML_STREAM_END_EVENT:
        return true;
      case YAML_DOCUMENT_START_EVENT:
        in_document = true;
        break;
      case YAML_DOCUMENT_END_EVENT:
        return true;  // only the first document counts
      default:
        if (in_document && !builder.Handle(*e, error)) return false;
    }
  }
  return false;
}

}  // namespace awoooi::topology
