// Fast reading of the small JSON objects the store keeps (label sets, annotations, parameters).
// simdjson does the work; its large header stays inside src/core/json_read.cc
// (docs/adr/0006-simdjson-for-ingestion.md).
//
// Thread-safety: pure functions (each thread reuses its own parser buffers).
#pragma once

#include <string_view>

#include "awoooi/core/alert.h"

namespace awoooi {

// Reads a JSON object of string values, e.g. {"alertname":"HighErrorRate","service":"api"}, into
// `out`. Members whose value is not a string are skipped; a repeated name keeps its last value.
// False (and `out` unchanged) when the text is not a valid JSON object.
bool ReadStringObject(std::string_view json, LabelSet* out);

}  // namespace awoooi
