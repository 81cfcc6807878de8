// The webhook INPUT plugins: "alertmanager" (Alertmanager's webhook payload v4) and "generic"
// (AWOOOI's generic JSON alert, docs/api.md), both parsed by src/ingest/alert_parser.
//
// Settings: max_alerts_per_request, max_labels, max_value_bytes (ingest.* in awoooi.yaml).
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "awoooi/core/plugin.h"
#include "awoooi/ingest/alert_source.h"

namespace awoooi::plugins::inputs {

absl::StatusOr<std::unique_ptr<ingest::AlertSource>> MakeAlertmanagerSource(const PluginSettings& settings);
absl::StatusOr<std::unique_ptr<ingest::AlertSource>> MakeGenericSource(const PluginSettings& settings);

}  // namespace awoooi::plugins::inputs
