// absl::string_view is its own type on this platform's Abseil (not std::string_view), so
// std::string_view values must be converted before they go into absl::StrCat and friends.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace awoooi::topology {

inline absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace awoooi::topology
