#include "ingest/alert_redactor.h"

namespace awoooi::ingest {

absl::StatusOr<privacy::Vault*> ShieldAlertRedactor::VaultFor(int64_t incident_id,
                                                              const LoadVaultRecords& load) {
  auto it = vaults_.find(incident_id);
  if (it != vaults_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.second);
    return &it->second.first;
  }
  auto records = load(incident_id);
  if (!records.ok()) return records.status();
  auto opened = shield_.OpenVault(*records, store::VaultScope(incident_id), privacy::VaultUse::kOwner);
  if (!opened.ok()) return opened.status();
  privacy::Vault vault = std::move(*opened);
  // Evict least recently used vaults that have nothing unsaved.
  while (vaults_.size() >= max_cached_ && !lru_.empty()) {
    auto victim = std::prev(lru_.end());
    if (changed_.count(*victim)) break;
    vaults_.erase(*victim);
    lru_.erase(victim);
  }
  lru_.push_front(incident_id);
  auto [ins, ok] = vaults_.emplace(incident_id, std::make_pair(std::move(vault), lru_.begin()));
  return &ins->second.first;
}

absl::Status ShieldAlertRedactor::Redact(int64_t incident_id, Alert& alert, const LoadVaultRecords& load) {
  auto vault = VaultFor(incident_id, load);
  if (!vault.ok()) return vault.status();
  privacy::Vault& v = **vault;
  if (v.size() >= max_values_) {
    // The vault is full: a throwaway scope redacts the text, and a second pass escapes the labels
    // that scope minted, so they read as foreign to this incident (see the header).
    privacy::Vault none;
    auto foreign = [&](const std::string& text) {
      return shield_.Redact(shield_.RedactEphemeral(text).view(), none).str();
    };
    for (auto* m : {&alert.labels, &alert.annotations}) {
      for (auto& [name, value] : *m) value = foreign(value);
    }
    if (!alert.generator_url.empty()) alert.generator_url = foreign(alert.generator_url);
    return absl::OkStatus();
  }
  for (auto* m : {&alert.labels, &alert.annotations}) {
    for (auto& [name, value] : *m) value = shield_.Redact(value, v).str();
  }
  if (!alert.generator_url.empty()) alert.generator_url = shield_.Redact(alert.generator_url, v).str();
  if (v.dirty()) changed_.insert(incident_id);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<store::VaultAppend>> ShieldAlertRedactor::TakeChangedVaults() {
  std::vector<store::VaultAppend> out;
  for (int64_t id : changed_) {
    auto it = vaults_.find(id);
    if (it == vaults_.end()) continue;
    privacy::Vault& vault = it->second.first;
    auto records = shield_.SealNew(vault, store::VaultScope(id));
    if (!records.ok()) return records.status();
    if (records->empty()) continue;
    const auto first = static_cast<int64_t>(vault.size() - records->size());
    out.push_back(store::VaultAppend{id, first, std::move(*records)});
  }
  changed_.clear();
  return out;
}

absl::StatusOr<std::vector<std::string>> ShieldAlertRedactor::UpgradeLegacyVault(int64_t incident_id,
                                                                                 std::string_view sealed) {
  return shield_.UpgradeLegacyVault(sealed, store::VaultScope(incident_id));
}

void ShieldAlertRedactor::Discard() {
  vaults_.clear();
  lru_.clear();
  changed_.clear();
}

void ShieldAlertRedactor::Forget(int64_t incident_id) {
  auto it = vaults_.find(incident_id);
  if (it == vaults_.end()) return;
  lru_.erase(it->second.second);
  vaults_.erase(it);
  changed_.erase(incident_id);
}

}  // namespace awoooi::ingest
