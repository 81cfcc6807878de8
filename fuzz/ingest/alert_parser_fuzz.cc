// libFuzzer target: both alert parsers, and the store's label-set reader, on arbitrary bytes. They must never
// crash, and whatever they accept must be a well-formed alert (labels present, fingerprint computed from
// them).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "awoooi/core/json_read.h"
#include "ingest/alert_parser.h"
#include "ingest/grouping.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  awoooi::ingest::ParseLimits limits;
  limits.max_alerts = 100;
  absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  for (int which = 0; which < 2; ++which) {
    auto alerts = which == 0 ? awoooi::ingest::ParseAlertmanagerWebhook(body, limits, now)
                             : awoooi::ingest::ParseGenericAlerts(body, limits, now);
    if (!alerts.ok()) {
      if (alerts.status().message().empty()) std::abort();  // every rejection explains itself
      continue;
    }
    for (const auto& a : *alerts) {
      if (a.labels.empty() || a.labels.size() > limits.max_labels) std::abort();
      if (a.fingerprint != awoooi::LabelFingerprint(a.labels)) std::abort();
      (void)awoooi::ingest::GroupKey(a, {});
    }
  }
  awoooi::LabelSet labels;
  if (!awoooi::ReadStringObject(body, &labels) && !labels.empty()) std::abort();  // unchanged on failure
  return 0;
}
