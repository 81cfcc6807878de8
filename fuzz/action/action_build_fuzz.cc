// libFuzzer target: a draft action from arbitrary text (what a playbook fills from alert labels or
// an LLM answers), split at NUL bytes into kind, target kind, target and name/value pairs. Build()
// must never crash, and what it accepts must be safe to hand to an executor: no name-like value
// holds whitespace, shell metacharacters or a leading '-', and the hash is stable.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "awoooi/action/action.h"
#include "awoooi/privacy/shield.h"

namespace {

bool Unsafe(std::string_view v) {
  if (!v.empty() && v.front() == '-') return true;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ';' || c == '|' || c == '&' || c == '$' ||
        c == '`' || c == '<' || c == '>' || c == '\'' || c == '"' || c == '\\' || c == '(' || c == ')') {
      return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace awoooi;
  std::vector<std::string> parts;
  std::string cur;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(static_cast<char>(data[i]));
    }
  }
  parts.push_back(cur);
  // Outside text reaches Build() only through the shield, as in the product.
  static const auto shield = std::move(*privacy::Shield::Create(privacy::ShieldConfig{}));
  privacy::Vault vault;
  action::Draft d;
  d.kind = parts[0];
  if (parts.size() > 1) d.target_kind = parts[1];
  if (parts.size() > 2) d.target = shield->RedactPreservingLabels(parts[2], vault);
  for (size_t i = 3; i + 1 < parts.size(); i += 2) {
    d.params[parts[i]] = shield->RedactPreservingLabels(parts[i + 1], vault);
  }
  action::Catalog catalog;
  catalog.mcp_servers = {"k8s"};
  action::CommandTemplate t;
  t.name = "renew";
  t.argv = {"/usr/bin/true", "{{certificate}}"};
  t.slots = {action::ParamSpec{"certificate", action::ParamType::kName, true, 0, 0, {}}};
  catalog.templates.push_back(t);
  auto a = action::Build(d, catalog);
  if (!a.ok()) {
    if (a.status().message().empty()) std::abort();  // every refusal says why
    return 0;
  }
  if (Unsafe(a->target().name.view()) || Unsafe(a->target().ns.view())) std::abort();
  for (const auto& [name, value] : a->params()) {
    if (value.type == action::ParamType::kJsonObject || value.type == action::ParamType::kText) continue;
    if (Unsafe(value.text.view())) std::abort();
  }
  auto again = action::Build(a->ToDraft(), catalog);
  if (!again.ok() || again->hash() != a->hash()) std::abort();  // a built action rebuilds to itself
  (void)a->Pattern();
  return 0;
}
