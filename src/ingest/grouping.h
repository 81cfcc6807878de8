// Grouping alerts into incidents, and authenticating ingestion requests.
//
// An incident groups the alerts whose group key is equal. The key is built from `group_by`: a list
// of label choices, each a list of alternatives tried in order (the default
// [[service, job, app, app_kubernetes_io_name], [alertname]] means "the service an alert is
// about (awoooi::ServiceOf) and alertname"). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "awoooi/core/alert.h"
#include "awoooi/core/digest.h"
#include "awoooi/store/store.h"

namespace awoooi::ingest {

struct GroupingRule {
  std::vector<std::vector<std::string>> group_by = {
      std::vector<std::string>(std::begin(kServiceLabels), std::end(kServiceLabels)), {"alertname"}};
};

// "service=frontend,alertname=HighErrorRate" (labels missing on the alert contribute "name=").
// `names` (optional) receives the label names the key was built from.
std::string GroupKey(const Alert& alert, const GroupingRule& rule, std::vector<std::string>* names = nullptr);

// Turns parsed alerts into store items. With a `group_key` secret, the stored group key is the
// HMAC-SHA256 of the key under it: the key holds raw label values and the database is not the vault.
std::vector<store::IngestItem> PrepareItems(std::vector<Alert> alerts, const GroupingRule& rule,
                                            const HmacSha256Key* group_key = nullptr);

// Constant-time check of "sha256=<hex>" (or bare hex) HMAC-SHA256 of `body` under `secret`.
bool VerifyHmacSha256(std::string_view body, std::string_view secret, std::string_view signature_header);

}  // namespace awoooi::ingest
