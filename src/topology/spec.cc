#include "awoooi/topology/spec.h"

#include <array>

#include "absl/strings/str_cat.h"

namespace awoooi::topology {
namespace {

constexpr std::array<std::string_view, 8> kKindNames = {"ingress", "frontend", "service",  "database",
                                                        "cache",   "queue",    "external", "unknown"};

bool IsValidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

}  // namespace

std::string ServiceNameProblem(std::string_view name) {
  if (name.empty()) return "service name is empty";
  if (name.size() > kMaxServiceNameBytes) {
    return absl::StrCat("service name ", ShortName(name), " is longer than ", kMaxServiceNameBytes, " bytes");
  }
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F)
      return absl::StrCat("service name '", ShortName(name), "' contains a control character");
  }
  if (!IsValidUtf8(name)) return absl::StrCat("service name '", ShortName(name), "' is not valid UTF-8");
  return "";
}

std::string_view ToString(ServiceKind kind) {
  auto i = static_cast<std::size_t>(kind);
  return i < kKindNames.size() ? kKindNames[i] : std::string_view("unknown");
}

std::optional<ServiceKind> ParseServiceKind(std::string_view text) {
  // kUnknown is deliberately not parseable: a file must say what each service is.
  for (std::size_t i = 0; i + 1 < kKindNames.size(); ++i) {
    if (kKindNames[i] == text) return static_cast<ServiceKind>(i);
  }
  return std::nullopt;
}

std::string_view ToString(Diagnostic::Level level) {
  return level == Diagnostic::Level::kError ? "error" : "warning";
}

std::string ShortName(std::string_view name) {
  constexpr std::size_t kKeep = 64;
  std::size_t cut = name.size();
  if (cut > kKeep) {
    // Cut on a UTF-8 boundary so the shortened name stays valid text.
    cut = kKeep;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
  }
  std::string out(name.substr(0, cut));
  // Control characters would let a name rewrite the terminal that shows the message.
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
  }
  if (cut < name.size()) absl::StrAppend(&out, "...(", name.size(), " bytes)");
  return out;
}

}  // namespace awoooi::topology
