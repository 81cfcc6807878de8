// The AlertRedactor the store's writer uses: the Privacy Shield applied to every label value,
// annotation value and generator URL of an alert, in its incident's vault.
//
// Label NAMES are kept (they are schema, not data). Open vaults are cached per incident (bounded),
// so a burst of alerts for one incident opens its vault once, and each batch seals only the values it
// minted.
// Writer thread only (see store::AlertRedactor).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <set>
#include <unordered_map>

#include "awoooi/privacy/shield.h"
#include "awoooi/store/store.h"

namespace awoooi::ingest {

class ShieldAlertRedactor final : public store::AlertRedactor {
 public:
  // `max_values`: distinct values one incident's vault may hold. Beyond it, an alert's new values
  // are still redacted, but with escaped, unnumbered-in-this-scope labels ("[~IP_1]") that the
  // vault does not hold: they never rehydrate, never collide with this incident's labels, and the
  // vault (and its row) stops growing. Values the vault already knows keep their labels only below
  // the cap.
  explicit ShieldAlertRedactor(const privacy::Shield& shield, std::size_t max_cached_vaults = 4096,
                               std::size_t max_values = 100'000)
      : shield_(shield), max_cached_(max_cached_vaults), max_values_(max_values) {}

  absl::Status Redact(int64_t incident_id, Alert& alert, const LoadVaultRecords& load) override;
  absl::StatusOr<std::vector<store::VaultAppend>> TakeChangedVaults() override;
  void Discard() override;
  void Forget(int64_t incident_id) override;
  absl::StatusOr<std::vector<std::string>> UpgradeLegacyVault(int64_t incident_id,
                                                              std::string_view sealed) override;

 private:
  absl::StatusOr<privacy::Vault*> VaultFor(int64_t incident_id, const LoadVaultRecords& load);

  const privacy::Shield& shield_;
  std::size_t max_cached_;
  std::size_t max_values_;
  std::unordered_map<int64_t, std::pair<privacy::Vault, std::list<int64_t>::iterator>> vaults_;
  std::list<int64_t> lru_;  // most recent first
  std::set<int64_t> changed_;
};

}  // namespace awoooi::ingest
