// The Privacy Shield: finds PII and secrets, replaces them with stable per-scope labels
// ([IP_1], [EMAIL_1] ...), and is the only code that turns labels back into real values.
//
// Contract (the implementation in src/privacy/ fulfils it):
// - `Shield` is immutable after Create(); Redact/Scan/Rehydrate may be called from any thread at
//   once. A `Vault` is a plain value owned by one caller at a time (not thread-safe).
// - Within one Vault the same value always gets the same label; labels are numbered in order of
//   first appearance per kind.
// - Rehydrate substitutes only labels this vault minted; label-shaped text that was already in the
//   input is escaped at redaction so it can never come back out as a real value.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "awoooi/privacy/redacted.h"

namespace awoooi::privacy {

struct CustomPattern {
  std::string name;          // e.g. "employee_id"
  std::string regex;         // Vectorscan/PCRE syntax
  std::string label_prefix;  // e.g. "EMP" -> [EMP_1]
};

struct ShieldConfig {
  std::vector<CustomPattern> custom_patterns;
  // 32-byte key for the vault's AES-256-GCM encryption and the HMAC of vault keys.
  std::string vault_key;
};

// One detected value in scanned text.
struct Finding {
  std::size_t offset = 0;
  std::size_t length = 0;
  std::string kind;  // "ip", "email", "uuid", "jwt", "aws_key", ... (stable identifiers)
  std::string label_prefix;  // "IP", "EMAIL", "UUID", "JWT", "KEY", ...
};

// The per-scope (per-incident) mapping between real values and labels. Opaque to callers;
// serialise with Shield::SealVault / OpenVault.
class Vault {
 public:
  Vault();
  ~Vault();
  Vault(Vault&&) noexcept;
  Vault& operator=(Vault&&) noexcept;
  Vault(const Vault&);
  Vault& operator=(const Vault&);

  std::size_t size() const;   // number of distinct values held
  bool dirty() const;         // minted a label since creation/last MarkClean()
  void MarkClean();

  struct Impl;
 private:
  friend class Shield;
  std::unique_ptr<Impl> impl_;
};

class Shield {
 public:
  static absl::StatusOr<std::unique_ptr<Shield>> Create(const ShieldConfig& config);
  virtual ~Shield() = default;

  // Redacts `text` in `vault`'s scope, minting labels as needed.
  virtual Redacted Redact(std::string_view text, Vault& vault) const = 0;
  // Redacts with a throwaway scope (log lines, CLI without --scope).
  virtual Redacted RedactEphemeral(std::string_view text) const = 0;
  // Findings in `text`, in order, overlaps resolved.
  virtual std::vector<Finding> Scan(std::string_view text) const = 0;

  // The execution boundary: turns labels the vault minted back into real values. Called only by
  // executors, with action parameters. Unknown labels stay as they are.
  virtual std::string Rehydrate(const Redacted& text, const Vault& vault) const = 0;

  // AES-256-GCM sealed bytes of the vault, for the store.
  virtual absl::StatusOr<std::string> SealVault(const Vault& vault) const = 0;
  virtual absl::StatusOr<Vault> OpenVault(std::string_view sealed) const = 0;

 protected:
  // Lets implementations construct Redacted.
  static Redacted MakeRedacted(std::string text) { return Redacted(std::move(text)); }
};

}  // namespace awoooi::privacy
