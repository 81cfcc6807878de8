// OpenIncidentVault: the snapshot every reader beside the store's writer works with.
#include "awoooi/store/store.h"

namespace awoooi::store {

absl::StatusOr<privacy::Vault> OpenIncidentVault(Store& store, const privacy::Shield& shield,
                                                 int64_t incident_id) {
  std::vector<std::string> records;
  if (incident_id > 0) {
    auto stored = store.GetVaultRecords(incident_id);
    if (stored.ok()) {
      records = std::move(*stored);
    } else if (!absl::IsNotFound(stored.status())) {
      return stored.status();
    }
  }
  return shield.OpenVault(records, VaultScope(incident_id), privacy::VaultUse::kSnapshot);
}

}  // namespace awoooi::store
