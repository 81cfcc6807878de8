// Parsers for the alert inputs (F1): the Prometheus Alertmanager webhook (payload version 4) and
// AWOOOI's generic JSON alert (schema in docs/api.md). Pure functions: bytes in, Alerts out.
//
// Every failure is InvalidArgument with a message that names the offending field (e.g.
// "alerts[3].labels: more than 256 labels"), suitable for a 400 answer. Parsing never crashes on
// hostile input: nesting depth and sizes are bounded before the JSON library sees the body.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "awoooi/core/alert.h"

namespace awoooi::ingest {

struct ParseLimits {
  std::size_t max_alerts = 10'000;       // per request
  std::size_t max_labels = 256;          // per alert, and the same for annotations
  std::size_t max_name_bytes = 1'024;    // label/annotation name
  std::size_t max_value_bytes = 65'536;  // label/annotation value
  int max_depth = 16;                    // JSON nesting
};

// Parses an Alertmanager webhook body. `now` decides status when only endsAt says "resolved".
absl::StatusOr<std::vector<Alert>> ParseAlertmanagerWebhook(std::string_view body, const ParseLimits& limits,
                                                            absl::Time now);

// Parses the generic alert body: one alert object, an array of them, or {"alerts": [...]}.
absl::StatusOr<std::vector<Alert>> ParseGenericAlerts(std::string_view body, const ParseLimits& limits,
                                                      absl::Time now);

// The maximum nesting depth of a JSON text (arrays and objects), without parsing it; stops
// counting once `limit` is exceeded.
int JsonNestingDepth(std::string_view text, int limit);

// One pass over the bytes, no allocation per value: refuses a body nested deeper than max_depth,
// with an array longer than max_alerts, an object wider than two alerts' worth of labels, or more
// arrays and objects than max_alerts alerts can have — before any document is built.
absl::Status CheckJsonShape(std::string_view text, const ParseLimits& limits);

}  // namespace awoooi::ingest
