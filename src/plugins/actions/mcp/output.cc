#include "plugins/actions/mcp/output.h"

#include <vector>

namespace awoooi::mcp {
namespace {

using nlohmann::json;

std::string Field(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json RedactLeaves(const json& v, const privacy::Shield& shield, privacy::Vault& vault) {
  if (v.is_string()) return shield.Redact(v.get<std::string>(), vault).str();
  if (v.is_number()) {
    std::string text = v.dump();
    if (!shield.Scan(text).empty()) return shield.Redact(text, vault).str();
    return v;
  }
  if (v.is_array()) {
    json out = json::array();
    for (const json& e : v) out.push_back(RedactLeaves(e, shield, vault));
    return out;
  }
  if (v.is_object()) {
    json out = json::object();
    for (auto it = v.begin(); it != v.end(); ++it) {
      out[shield.Redact(it.key(), vault).str()] = RedactLeaves(it.value(), shield, vault);
    }
    return out;
  }
  return v;
}

}  // namespace

std::string RenderToolResult(const json& result) {
  std::vector<std::string> parts;
  bool any_text = false;
  if (auto content = result.find("content"); content != result.end() && content->is_array()) {
    for (const json& item : *content) {
      if (!item.is_object()) continue;
      std::string type = Field(item, "type");
      if (type == "text") {
        parts.push_back(Field(item, "text"));
        any_text = true;
      } else if (type == "image" || type == "audio") {
        parts.push_back("[" + type + " " + Field(item, "mimeType") + "]");
      } else if (type == "resource") {
        auto r = item.find("resource");
        if (r != item.end() && r->is_object() && r->contains("text")) {
          parts.push_back(Field(*r, "text"));
          any_text = true;
        } else {
          parts.push_back("[resource " +
                          (r != item.end() && r->is_object() ? Field(*r, "uri") : std::string()) + "]");
        }
      } else if (type == "resource_link") {
        parts.push_back("[resource link " + Field(item, "uri") + "]");
      } else {
        parts.push_back("[" + type.substr(0, 40) + " content]");
      }
    }
  }
  if (!any_text) {
    if (auto s = result.find("structuredContent"); s != result.end() && !s->is_null()) {
      parts.push_back(s->dump(-1, ' ', false, json::error_handler_t::replace));
    }
  }
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out.push_back('\n');
    out += parts[i];
  }
  return out;
}

privacy::Redacted RedactJson(const json& value, const privacy::Shield& shield, privacy::Vault& vault) {
  json clean = RedactLeaves(value, shield, vault);
  // Every leaf is redacted already: this keeps the labels and finds nothing new, and yields the
  // Redacted type for the whole document.
  return shield.RedactPreservingLabels(clean.dump(-1, ' ', false, json::error_handler_t::replace), vault);
}

privacy::Redacted Cap(const privacy::Redacted& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text.view()[cut]) & 0xC0) == 0x80) --cut;
  privacy::Redacted out = privacy::Redacted::PartOf(text, std::string(text.view().substr(0, cut)));
  out += privacy::Redacted::Literal("\n... (truncated; ");
  out += privacy::RedactedNumber(static_cast<long long>(text.size()));
  out += privacy::Redacted::Literal(" bytes in all)");
  return out;
}

}  // namespace awoooi::mcp
