// The default playbook set: playbooks/*.yaml, embedded at build time by cmake/Embed.cmake (editing
// a playbook re-runs the configure step, so the binary always carries the files as they are).
#include "plugins/brains/playbook/playbook.h"

namespace awoooi::brain::playbook {
namespace {

struct EmbeddedFile {
  const char* name;
  const char* text;
};
constexpr EmbeddedFile kPlaybookFiles[] = {
#include "awoooi/default_playbooks.inc"
};

}  // namespace

const std::vector<std::pair<std::string_view, std::string_view>>& DefaultPlaybookFiles() {
  static const auto* files = [] {
    auto* out = new std::vector<std::pair<std::string_view, std::string_view>>;
    for (const auto& f : kPlaybookFiles) out->emplace_back(f.name, f.text);
    return out;
  }();
  return *files;
}

}  // namespace awoooi::brain::playbook
