// The vault's state and the cryptography around it: the keyed index (HMAC-SHA256 of each value
// under a key derived from ShieldConfig::vault_key) and the sealed format (AES-256-GCM).
//
// Sealed format, version 1 (all integers little-endian):
//   "AWV1" | nonce (12 random bytes) | ciphertext | GCM tag (16 bytes)
// The 4-byte header is authenticated as associated data. The plaintext is
//   u32 entry count, then per entry: u32 label length, label ("[IP_1]"), u32 value length, value.
// Counters and the index are rebuilt when a vault is opened.
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
  std::string key_id;  // which key built by_digest; a vault moved between keys is re-indexed
  bool dirty = false;
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

  // The label for `value`, minting "[PREFIX_N]" if the vault does not hold it yet.
  const std::string& Mint(Vault::Impl& vault, std::string_view prefix, std::string_view value) const {
    return vault.entries[MintIndex(vault, prefix, value)].label;
  }
  // The same, as an index into vault.entries.
  std::uint32_t MintIndex(Vault::Impl& vault, std::string_view prefix, std::string_view value) const;

  absl::StatusOr<std::string> Seal(const Vault::Impl& vault) const;
  absl::Status Open(std::string_view sealed, Vault::Impl* vault) const;

 private:
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
