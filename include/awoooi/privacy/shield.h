// The Privacy Shield: finds PII and secrets, replaces them with stable per-scope labels
// ([IP_1], [EMAIL_1] ...), and is the only code that turns labels back into real values.
//
// Contract (the implementation in src/privacy/ fulfils it; docs/privacy.md has the details):
// - `Shield` is immutable after Create(); Redact/Scan/Rehydrate may be called from any thread at
//   once. A `Vault` is a plain value owned by one caller at a time (not thread-safe). A
//   `StreamRedactor` belongs to one thread at a time and borrows its shield and vault.
// - Within one Vault the same value always gets the same label; labels are numbered in order of
//   first appearance per kind.
// - Rehydrate substitutes only labels this vault minted; label-shaped text that was already in the
//   input is escaped at redaction so it can never come back out as a real value.
//
// Escaping rule. "Label-shaped" text is `[` + zero or more `~` + PREFIX + `_` + NUMBER + `]`
// (PREFIX = [A-Z][A-Z0-9_]*). Redact adds one `~` after the `[` of every label-shaped run it finds
// in its input ("[IP_1]" -> "[~IP_1]", "[~IP_1]" -> "[~~IP_1]"); Rehydrate removes one. So a
// minted label never has a `~`, an escaped one always has, and Rehydrate(Redact(x, v), v) == x.
//
// Idempotence rule. Redact treats its input as raw: a literal "[IP_1]" in raw text is exactly the
// spoofing case, so Redact escapes it even when this vault minted IP_1, and redacting Redact's
// output with Redact again escapes the labels. Text that descends from this scope's redacted output
// (an LLM's answer, a re-redaction) goes through RedactPreservingLabels, which is idempotent:
//   RedactPreservingLabels(Redact(x, v), v) == Redact(x, v)
//   RedactPreservingLabels(RedactPreservingLabels(y, v), v) == RedactPreservingLabels(y, v)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
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
  // 32-byte key for the vault's AES-256-GCM encryption and the HMAC of vault keys: 32 raw bytes,
  // 64 hex digits, or standard base64 of 32 bytes. Empty: Create() generates a random key, so
  // vaults sealed by this process cannot be opened after a restart; persist a key (for example
  // one made by GenerateVaultKey()) to keep labels stable across restarts.
  std::string vault_key;
  // Threads a StreamRedactor may use: 1 (the caller's only), or 2, where the next window's
  // detection runs on a second thread while the caller labels the current one (same output). For
  // large inputs on a machine with a spare core (`awoooi redact`); Redact and Scan always run on
  // the caller's thread.
  int stream_threads = 1;
};

// One detected value in scanned text.
struct Finding {
  std::size_t offset = 0;
  std::size_t length = 0;
  std::string kind;          // "ip", "email", "uuid", "jwt", "aws_key", ... (stable identifiers)
  std::string label_prefix;  // "IP", "EMAIL", "UUID", "JWT", "KEY", ...
};

// 32 random bytes from the operating system's CSPRNG, usable as ShieldConfig::vault_key.
std::string GenerateVaultKey();

// How a vault opened from its records will be used.
enum class VaultUse {
  // The vault's owner: new values get new labels ("[IP_3]"), which the owner seals and persists.
  kOwner,
  // A reader beside the owner (an analysis, a hand-requested action, an executor's output): its
  // copy would mint "[IP_3]" for a value the owner never learns, and the owner may later mint
  // "[IP_3]" for another value, which an action would then rehydrate to. So a snapshot never
  // mints: a value it does not hold gets a foreign, escaped label ("[~IP_1]") that never
  // rehydrates and never collides. Values it holds keep their labels.
  kSnapshot,
};

// The per-scope (per-incident) mapping between real values and labels. Opaque to callers;
// persist with Shield::SealNew / OpenVault.
class Vault {
 public:
  Vault();
  ~Vault();
  Vault(Vault&&) noexcept;
  Vault& operator=(Vault&&) noexcept;
  Vault(const Vault&);
  Vault& operator=(const Vault&);

  std::size_t size() const;  // number of distinct values held
  bool dirty() const;        // holds values Shield::SealNew has not sealed yet
  bool snapshot() const;     // opened with VaultUse::kSnapshot: mints nothing
  // True when this vault minted `label` (given with brackets, e.g. "[IP_1]"). Carries no value.
  bool Minted(std::string_view label) const;

  struct Impl;

 private:
  friend class Shield;
  std::unique_ptr<Impl> impl_;
};

// One value replaced by a StreamRedactor: where it was in the input stream and which label it got.
// Never carries the value itself.
struct RedactionEvent {
  std::uint64_t offset = 0;  // byte offset in the whole input stream
  std::size_t length = 0;
  std::string kind;
  std::string label;  // "[IP_1]"
};

// Redacts an unbounded byte stream in bounded memory (about 2 MiB of buffers, 5 MiB with two
// threads; the vault and a per-stream label cache grow with the number of distinct values, not with
// the input), giving exactly the
// output Shield::Redact would give for the concatenated input, whatever the chunking of Write calls. Values
// are never split: output is held back near the end of the buffered input until enough follows to decide. One
// thread at a time; the shield and vault must outlive it.
class StreamRedactor {
 public:
  virtual ~StreamRedactor() = default;
  // Consumes `data`; returns the redacted output that became final (possibly empty).
  virtual Redacted Write(std::string_view data) = 0;
  // End of input: returns the rest of the output. Write must not be called afterwards.
  virtual Redacted Finish() = 0;
  // The replacements made final since the last call, in stream order.
  virtual std::vector<RedactionEvent> TakeEvents() = 0;
  // false: keep no events from now on (TakeEvents returns none); counting them per kind is all that
  // is left, which costs less on dense input.
  virtual void KeepEvents(bool keep) = 0;
  // The replacements made final so far per kind ("email" -> 12), by kind name; kept either way.
  virtual std::vector<std::pair<std::string, std::uint64_t>> FindingsByKind() const = 0;
  // Bytes consumed so far.
  virtual std::uint64_t bytes_in() const = 0;
};

class Shield {
 public:
  // Compiles every detector into one Vectorscan database. InvalidArgument for a custom pattern
  // that does not compile or has a bad label prefix, or for a malformed vault_key.
  static absl::StatusOr<std::unique_ptr<Shield>> Create(const ShieldConfig& config);
  virtual ~Shield() = default;

  // Redacts `text` in `vault`'s scope, minting labels as needed. Label-shaped text in `text` is
  // escaped (see the escaping rule above).
  virtual Redacted Redact(std::string_view text, Vault& vault) const = 0;
  // Redacts with a throwaway scope (log lines, CLI without --scope).
  virtual Redacted RedactEphemeral(std::string_view text) const = 0;
  // For text produced from this scope's redacted text (an LLM's answer): redacts raw PII, keeps
  // labels `vault` minted and already-escaped labels, escapes every other label-shaped run.
  virtual Redacted RedactPreservingLabels(std::string_view text, Vault& vault) const = 0;
  // Findings in `text`, in order, overlaps resolved. Label-shaped text is not a finding.
  virtual std::vector<Finding> Scan(std::string_view text) const = 0;
  // A redactor for a stream of any size in `vault`'s scope (Redact semantics).
  virtual std::unique_ptr<StreamRedactor> NewStreamRedactor(Vault& vault) const = 0;

  // The execution boundary: turns labels the vault minted back into real values. Called only by
  // executors, with action parameters. Unknown labels stay as they are; escaped labels lose one
  // `~`, so Rehydrate(Redact(x, v), v) == x.
  virtual std::string Rehydrate(const Redacted& text, const Vault& vault) const = 0;

  // Persisting a vault. Each value is sealed on its own (AES-256-GCM), with `scope` (the vault's
  // owner, e.g. "incident/42") as associated data: a store appends the records of new values
  // instead of rewriting the vault, and a record copied into another scope fails to open.
  // The records of the values minted since the last call (all of them the first time), in minting
  // order; afterwards the vault is not dirty().
  virtual absl::StatusOr<std::vector<std::string>> SealNew(Vault& vault, std::string_view scope) const = 0;
  // Opens `scope`'s records, in the order they were sealed. InvalidArgument for a record that is
  // not one, was tampered with, was sealed under another key or for another scope, or repeats a
  // label. Only the vault's owner (the one that seals and persists what it mints) opens it with
  // VaultUse::kOwner; every other reader takes a kSnapshot (see VaultUse).
  virtual absl::StatusOr<Vault> OpenVault(const std::vector<std::string>& records, std::string_view scope,
                                          VaultUse use) const = 0;
  // An earlier version sealed a whole vault as one blob ("AWV1") bound to no scope: its values,
  // re-sealed as records of `scope`. For a store's one-time upgrade of its old rows.
  virtual absl::StatusOr<std::vector<std::string>> UpgradeLegacyVault(std::string_view sealed_v1,
                                                                      std::string_view scope) const = 0;

 protected:
  // Lets implementations construct Redacted.
  static Redacted MakeRedacted(std::string text) { return Redacted(std::move(text)); }
  // Lets implementations reach the vault's state.
  static Vault::Impl& VaultImpl(Vault& vault) { return *vault.impl_; }
  static const Vault::Impl& VaultImpl(const Vault& vault) { return *vault.impl_; }
};

}  // namespace awoooi::privacy
