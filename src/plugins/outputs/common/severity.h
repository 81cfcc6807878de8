// How every channel shows a severity: the word (upper case) and the colour (0xRRGGBB) — critical red,
// error orange, warning yellow, info blue, none grey.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "awoooi/core/alert.h"

namespace awoooi::plugins::outputs {

std::string SeverityWord(Severity severity);  // "CRITICAL", "ERROR", "WARNING", "INFO", "NONE"
uint32_t SeverityColor(Severity severity);

}  // namespace awoooi::plugins::outputs
