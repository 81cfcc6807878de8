// Roles of people using AWOOOI (F11). Viewer can read; the operational roles sign approvals; the
// CTO and CISO co-sign critical actions; admin manages users.
#pragma once

#include <optional>
#include <string_view>

namespace awoooi {

enum class Role { kViewer, kSre, kDevops, kAdmin, kCto, kCiso };

std::string_view ToString(Role r);
std::optional<Role> ParseRole(std::string_view s);
// Every role can read; the distinction matters for approvals (later) and administration.
inline bool CanRead(Role) { return true; }
inline bool IsAdmin(Role r) { return r == Role::kAdmin; }

}  // namespace awoooi
