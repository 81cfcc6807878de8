#include "plugins/outputs/common/severity.h"

#include "absl/strings/ascii.h"

namespace awoooi::plugins::outputs {

std::string SeverityWord(Severity severity) { return absl::AsciiStrToUpper(std::string(ToString(severity))); }

uint32_t SeverityColor(Severity severity) {
  switch (severity) {
    case Severity::kCritical:
      return 0xD32F2F;
    case Severity::kError:
      return 0xF57C00;
    case Severity::kWarning:
      return 0xFBC02D;
    case Severity::kInfo:
      return 0x1976D2;
    default:
      return 0x9E9E9E;
  }
}

}  // namespace awoooi::plugins::outputs
