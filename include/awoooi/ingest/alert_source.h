// AlertSource: the INPUT plugin interface (PRODUCT F1). Turns a delivery's bytes into Alerts.
//
// Webhook inputs (Alertmanager v4, the generic JSON alert) are parsed on the HTTP thread that
// received the request; a consumer input (Kafka) would call the same interface per message.
// Parse never crashes on hostile input: it answers InvalidArgument naming the offending field.
//
// Thread-safety: Parse may be called from many threads at once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "awoooi/core/alert.h"

namespace awoooi::ingest {

class AlertSource {
 public:
  virtual ~AlertSource() = default;
  // The source's type ("alertmanager", "generic"): recorded on every alert it produces.
  virtual std::string name() const = 0;
  // `now` decides status when only endsAt says "resolved".
  virtual absl::StatusOr<std::vector<Alert>> Parse(std::string_view body, absl::Time now) const = 0;
};

}  // namespace awoooi::ingest
