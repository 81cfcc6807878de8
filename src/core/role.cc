#include "awoooi/core/role.h"

namespace awoooi {

std::string_view ToString(Role r) {
  switch (r) {
    case Role::kViewer:
      return "viewer";
    case Role::kSre:
      return "sre";
    case Role::kDevops:
      return "devops";
    case Role::kAdmin:
      return "admin";
    case Role::kCto:
      return "cto";
    case Role::kCiso:
      return "ciso";
  }
  return "viewer";
}

std::optional<Role> ParseRole(std::string_view s) {
  for (Role r : {Role::kViewer, Role::kSre, Role::kDevops, Role::kAdmin, Role::kCto, Role::kCiso}) {
    if (ToString(r) == s) return r;
  }
  return std::nullopt;
}

}  // namespace awoooi
