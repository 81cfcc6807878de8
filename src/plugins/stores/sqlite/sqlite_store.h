// The embedded default DATA plugin: SQLite in WAL mode with group commit.
//
// One writer thread owns the write connection. Ingest() queues batches; the writer takes
// everything queued (up to max_batch_alerts), applies it in one transaction, commits with
// synchronous=FULL (one fsync for the whole batch) and only then runs the callbacks. Reads use a
// small pool of separate connections, which WAL lets run beside the writer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "awoooi/core/plugin.h"
#include "awoooi/incident/lifecycle.h"
#include "awoooi/store/store.h"

namespace awoooi::store {

struct SqliteOptions {
  std::string path;                       // database file; created with its directory's permissions
  int64_t max_queue_alerts = 200'000;     // beyond this Ingest answers ResourceExhausted
  int64_t max_queue_bytes = 256LL << 20;  // the same for the queued alerts' text
  int64_t max_batch_alerts = 20'000;      // alerts per transaction
  incident::Rules lifecycle;              // the reopen window (src/incident/)
  bool fsync = true;                      // synchronous=FULL; off only for throwaway test stores
};

// Opens (creating if needed) and migrates the database, then starts the writer.
absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options,
                                                       std::unique_ptr<AlertRedactor> redactor);

// The registry's factory for `type: sqlite`. Settings: path (required), fsync, max_queue_alerts,
// max_queue_bytes, max_batch_alerts, reopen_window (docs/configuration.md, store.*).
absl::StatusOr<std::unique_ptr<Store>> MakeSqliteStore(const PluginSettings& settings,
                                                       std::unique_ptr<AlertRedactor> redactor);

// Applies pending migrations; returns how many were applied.
absl::StatusOr<int> MigrateSqlite(const std::string& path);

}  // namespace awoooi::store
