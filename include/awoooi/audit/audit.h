// The audit trail (PRODUCT F5; ARCHITECTURE "Audit"): append-only entries, each holding the
// SHA-256 of the previous one (a hash chain), which are also the leaves of a Merkle tree hashed as
// RFC 9162 specifies (leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right)). Its
// root is written as a checkpoint signed with Ed25519 under a server key every N entries or
// minutes, also when nothing happened.
//
// What verification proves: an edited entry breaks its own hash; a deleted or reordered one breaks
// the sequence or the chain; rewriting the chain from some point on (recomputing every hash) breaks
// the Merkle root of every later checkpoint, whose signature cannot be forged without the key;
// cutting entries off the end leaves a checkpoint larger than the trail. The verifier names the
// first entry at fault.
//
// Pure computation (OpenSSL for the digests and Ed25519); the store keeps the rows, the runtime
// keeps the key. Thread-safety: values; a Verifier or MerkleTree belongs to one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace awoooi::audit {

struct Entry {
  int64_t seq = 0;  // 1, 2, 3 ... without gaps
  absl::Time at = absl::InfinitePast();
  std::string kind;       // "alert.received", "analysis", "proposal", "dry_run", "signature", "rejection",
                          // "void", "expiry", "execution", "result", "trust", ...
  std::string actor;      // a user name, or "system"
  std::string subject;    // "incident/7", "approval/3", "pattern/restart_pod:nginx-*"
  std::string detail;     // a JSON object (redacted text only)
  std::string prev_hash;  // hex SHA-256 of the previous entry ("" for the first)
  std::string hash;       // hex SHA-256 of this entry's canonical bytes
};

// What an entry's hash covers: every field but `hash`, each length-prefixed.
std::string CanonicalBytes(const Entry& entry);
std::string EntryHash(const Entry& entry);  // hex
// Fills seq, prev_hash and hash of a new entry that follows `previous` (null: the first).
void Seal(Entry& entry, const Entry* previous);

// An append-only Merkle tree that keeps only the roots of its perfect subtrees (O(log n) memory).
class MerkleTree {
 public:
  void AddLeaf(std::string_view entry_bytes);
  int64_t size() const { return size_; }
  // The RFC 9162 Merkle Tree Hash of the leaves so far (hex); the hash of the empty string for none.
  std::string RootHex() const;
  // The compact state ("<size>:<hex of the subtree roots>") to persist and restore.
  std::string State() const;
  static absl::StatusOr<MerkleTree> FromState(std::string_view state);

 private:
  std::vector<std::string> stack_;  // raw 32-byte roots, largest subtree first
  int64_t size_ = 0;
};

struct Checkpoint {
  int64_t id = 0;
  int64_t tree_size = 0;
  std::string root;  // hex
  absl::Time at = absl::InfinitePast();
  std::string key_id;     // hex of the first 8 bytes of SHA-256 of the public key
  std::string signature;  // hex Ed25519 signature of CheckpointMessage()
};

// "awoooi-audit-checkpoint v1\n<tree_size>\n<root>\n<at>\n": what a checkpoint signs.
std::string CheckpointMessage(int64_t tree_size, std::string_view root, absl::Time at);

// An Ed25519 key for checkpoints. Thread-safe after creation.
class CheckpointKey {
 public:
  static std::string GeneratePem();  // a new private key, PKCS#8 PEM
  // InvalidArgument for text that is not an Ed25519 private key PEM.
  static absl::StatusOr<std::unique_ptr<CheckpointKey>> FromPem(std::string_view pem);
  ~CheckpointKey();
  std::string key_id() const { return key_id_; }
  std::string public_key_hex() const { return public_hex_; }
  Checkpoint Sign(int64_t tree_size, std::string root, absl::Time at) const;
  // Whether `checkpoint` carries a valid signature by this key.
  bool Verify(const Checkpoint& checkpoint) const;

 private:
  CheckpointKey() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string key_id_, public_hex_;
};

struct VerifyResult {
  bool ok = true;
  int64_t entries = 0;
  int64_t checkpoints = 0;
  int64_t first_bad = 0;  // the first entry at fault (0 when ok, or when only a checkpoint is)
  std::string reason;     // for people
};

// Streams the trail in seq order, then the checkpoints.
class Verifier {
 public:
  // `checkpoints` sorted by tree_size; `key` verifies their signatures (null: roots only).
  Verifier(std::vector<Checkpoint> checkpoints, const CheckpointKey* key);
  // Feeds the next entry (as stored, in seq order). Stops checking after the first fault.
  void Feed(const Entry& entry);
  VerifyResult Finish();

 private:
  void Fail(int64_t seq, std::string reason);
  void CheckCheckpointsAtSize();

  std::vector<Checkpoint> checkpoints_;
  std::size_t next_checkpoint_ = 0;
  const CheckpointKey* key_;
  MerkleTree tree_;
  std::string last_hash_;
  int64_t expected_seq_ = 1;
  VerifyResult result_;
};

}  // namespace awoooi::audit
