// The vault's state and the cryptography around it: the keyed index (HMAC-SHA256 of each value
// under a key derived from ShieldConfig::vault_key) and the sealed format (AES-256-GCM).
//
// Sealed format, version 2: one record per value (all integers little-endian):
//   "AWE2" | nonce (12 random bytes) | ciphertext | GCM tag (16 bytes)
// The associated data is the 4-byte header, u32 scope length, scope ("incident/42"), so a record
// moved to another scope fails authentication. The plaintext is
//   u32 label length, label ("[IP_1]"), u32 value length, value.
// A store appends the records of new values; nothing is resealed. Counters and the index are rebuilt
// when a vault is opened. Version 1 ("AWV1", read only, for a store's upgrade) sealed the whole vault
// with the header alone as associated data: u32 entry count, then the entries as above.
//
// Thread-safety: VaultKeys is immutable and shareable; Vault::Impl belongs to its Vault's owner.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "awoooi/privacy/shield.h"

namespace awoooi::privacy {

using ValueDigest = std::array<unsigned char, 32>;

struct Vault::Impl {
  struct Entry {
    std::string label;  // "[IP_1]"
    std::string value;
  };
  std::vector<Entry> entries;                                 // in minting order
  absl::flat_hash_map<ValueDigest, std::uint32_t> by_digest;  // HMAC(prefix, value) -> entry
  absl::flat_hash_map<std::string, std::uint32_t> by_label;   // "[IP_1]" -> entry
  absl::flat_hash_map<std::string, std::uint32_t> counters;   // prefix -> highest number minted
  std::string key_id;      // which key built by_digest; a vault moved between keys is re-indexed
  std::size_t sealed = 0;  // entries[0, sealed) were sealed (are in the store); the rest are new
  // A snapshot (Shield::OpenVault with VaultUse::kSnapshot) never mints: a value it does not hold
  // gets a foreign label ("[~IP_1]", numbered here, value not kept) that never rehydrates and
  // cannot collide with a label the vault's owner mints later.
  bool snapshot = false;
  std::vector<Entry> foreign;
  absl::flat_hash_map<ValueDigest, std::uint32_t> foreign_by_digest;
  absl::flat_hash_map<std::string, std::uint32_t> foreign_counters;
  static constexpr std::uint32_t kForeign = 0x80000000u;  // MintIndex: an index into `foreign`

  const std::string& LabelAt(std::uint32_t index) const {
    return (index & kForeign) ? foreign[index & ~kForeign].label : entries[index].label;
  }
};

namespace internal {

// absl's heterogeneous lookup takes absl::string_view, which is not std::string_view here.
inline absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

class VaultKeys {
 public:
  // `master` is ShieldConfig::vault_key (32 raw bytes, 64 hex digits or base64 of 32 bytes).
  static absl::StatusOr<VaultKeys> FromConfig(std::string_view master);

  ValueDigest Digest(std::string_view prefix, std::string_view value) const;
  const std::string& id() const { return id_; }

  // The label for `value`, minting "[PREFIX_N]" if the vault does not hold it yet (a foreign label
  // in a snapshot).
  const std::string& Mint(Vault::Impl& vault, std::string_view prefix, std::string_view value) const {
    return vault.LabelAt(MintIndex(vault, prefix, value));
  }
  // The same, as an index for Vault::Impl::LabelAt.
  std::uint32_t MintIndex(Vault::Impl& vault, std::string_view prefix, std::string_view value) const;

  // Records of entries[sealed, end), bound to `scope`; marks them sealed.
  absl::StatusOr<std::vector<std::string>> SealNew(Vault::Impl& vault, std::string_view scope) const;
  absl::Status Open(const std::vector<std::string>& records, std::string_view scope,
                    Vault::Impl* vault) const;
  absl::Status OpenLegacy(std::string_view sealed_v1, Vault::Impl* vault) const;

 private:
  // Appends an opened entry: false for a label that is not a plain label or is already held.
  bool Add(Vault::Impl& vault, Vault::Impl::Entry e) const;
  void Reindex(Vault::Impl& vault) const;

  std::string enc_key_;    // AES-256-GCM key, 32 bytes
  std::string index_key_;  // HMAC key for the value index, 32 bytes
  std::string id_;         // 8-byte fingerprint of the master key
  // HMAC-SHA256 inner and outer hash states after absorbing the padded index key, so a digest of a
  // short value costs two compressions instead of four.
  struct HmacStates;
  std::shared_ptr<const HmacStates> hmac_;
};

// Decodes a configured key into 32 raw bytes.
absl::StatusOr<std::string> DecodeVaultKey(std::string_view configured);

}  // namespace internal
}  // namespace awoooi::privacy
