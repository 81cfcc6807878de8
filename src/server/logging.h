// Structured, PII-free logs (F2, F12).
//
// Every log line passes through the Privacy Shield (RedactEphemeral) in the sink, so no code path
// can write a raw IP, e-mail or secret into the logs, whatever it formats. Lines are text
// ("2024-05-01T10:00:00.123Z info message key=value") or JSON objects, one per line, on stderr.
// Request bodies are never logged. Thread-safe after InitLogging().
#pragma once

#include <string>

#include "awoooi/privacy/shield.h"

namespace awoooi::server {

// Installs the default logger. `shield` may be null only before the shield exists (start-up
// messages the program itself wrote); call again with the shield once it is created.
void InitLogging(const std::string& level, const std::string& format, const privacy::Shield* shield);

}  // namespace awoooi::server
