#include "awoooi/audit/audit.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "awoooi/core/alert.h"
#include "awoooi/core/digest.h"

namespace awoooi::audit {
namespace {

void AppendField(std::string* out, std::string_view v) {
  absl::StrAppend(out, v.size(), ":", absl::string_view(v.data(), v.size()), "\n");
}

std::string Node(const std::string& left, const std::string& right) {
  return Sha256(std::string(1, '\x01') + left + right);
}

}  // namespace

std::string CanonicalBytes(const Entry& e) {
  std::string out = "awoooi-audit v1\n";
  AppendField(&out, std::to_string(e.seq));
  AppendField(&out, FormatRfc3339(e.at));
  AppendField(&out, e.kind);
  AppendField(&out, e.actor);
  AppendField(&out, e.subject);
  AppendField(&out, e.detail);
  AppendField(&out, e.prev_hash);
  return out;
}

std::string EntryHash(const Entry& e) { return Sha256Hex(CanonicalBytes(e)); }

void Seal(Entry& e, const Entry* previous) {
  e.seq = previous == nullptr ? 1 : previous->seq + 1;
  e.prev_hash = previous == nullptr ? "" : previous->hash;
  e.hash = EntryHash(e);
}

void MerkleTree::AddLeaf(std::string_view entry_bytes) {
  std::string leaf = Sha256(std::string(1, '\0') + std::string(entry_bytes));
  ++size_;
  // Merge equal-sized subtrees: the number of trailing zero bits of size_ says how many.
  stack_.push_back(std::move(leaf));
  for (int64_t n = size_; (n & 1) == 0; n >>= 1) {
    std::string right = std::move(stack_.back());
    stack_.pop_back();
    std::string left = std::move(stack_.back());
    stack_.pop_back();
    stack_.push_back(Node(left, right));
  }
}

std::string MerkleTree::RootHex() const {
  if (stack_.empty()) return Sha256Hex("");
  std::string root = stack_.back();
  for (auto it = stack_.rbegin() + 1; it != stack_.rend(); ++it) root = Node(*it, root);
  return ToHex(root);
}

std::string CheckpointMessage(int64_t tree_size, std::string_view root, absl::Time at) {
  return absl::StrCat("awoooi-audit-checkpoint v1\n", tree_size, "\n",
                      absl::string_view(root.data(), root.size()), "\n", FormatRfc3339(at), "\n");
}

std::string MerkleTree::State() const {
  std::string roots;
  for (const auto& r : stack_) roots += r;
  return absl::StrCat(size_, ":", ToHex(roots));
}

absl::StatusOr<MerkleTree> MerkleTree::FromState(std::string_view state) {
  MerkleTree t;
  auto colon = state.find(':');
  int64_t size = 0;
  if (colon == std::string_view::npos || !absl::SimpleAtoi(absl::string_view(state.data(), colon), &size) ||
      size < 0) {
    return absl::InvalidArgumentError("audit tree state: malformed");
  }
  std::string_view hex = state.substr(colon + 1);
  if (hex.size() % 64 != 0) return absl::InvalidArgumentError("audit tree state: malformed");
  std::string roots = absl::HexStringToBytes(absl::string_view(hex.data(), hex.size()));
  for (std::size_t i = 0; i < roots.size(); i += 32) t.stack_.push_back(roots.substr(i, 32));
  // One perfect subtree per set bit of the size.
  if (static_cast<int>(t.stack_.size()) != __builtin_popcountll(static_cast<unsigned long long>(size))) {
    return absl::InvalidArgumentError("audit tree state: does not match its size");
  }
  t.size_ = size;
  return t;
}

struct CheckpointKey::Impl {
  EVP_PKEY* key = nullptr;
  ~Impl() { EVP_PKEY_free(key); }
};

CheckpointKey::~CheckpointKey() = default;

std::string CheckpointKey::GeneratePem() {
  EVP_PKEY* key = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
  EVP_PKEY_keygen_init(ctx);
  EVP_PKEY_keygen(ctx, &key);
  EVP_PKEY_CTX_free(ctx);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

absl::StatusOr<std::unique_ptr<CheckpointKey>> CheckpointKey::FromPem(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr || EVP_PKEY_id(key) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(key);
    return absl::InvalidArgumentError("not an Ed25519 private key (PEM)");
  }
  auto out = std::unique_ptr<CheckpointKey>(new CheckpointKey);
  out->impl_ = std::make_unique<Impl>();
  out->impl_->key = key;
  unsigned char pub[32];
  size_t len = sizeof pub;
  EVP_PKEY_get_raw_public_key(key, pub, &len);
  std::string raw(reinterpret_cast<const char*>(pub), len);
  out->public_hex_ = ToHex(raw);
  out->key_id_ = Sha256Hex(raw).substr(0, 16);
  return out;
}

Checkpoint CheckpointKey::Sign(int64_t tree_size, std::string root, absl::Time at) const {
  Checkpoint c;
  c.tree_size = tree_size;
  c.root = std::move(root);
  c.at = absl::FromUnixMillis(absl::ToUnixMillis(at));  // the precision the message carries
  c.key_id = key_id_;
  std::string msg = CheckpointMessage(c.tree_size, c.root, c.at);
  unsigned char sig[64];
  size_t len = sizeof sig;
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_DigestSignInit(md, nullptr, nullptr, nullptr, impl_->key);
  EVP_DigestSign(md, sig, &len, reinterpret_cast<const unsigned char*>(msg.data()), msg.size());
  EVP_MD_CTX_free(md);
  c.signature = ToHex(std::string(reinterpret_cast<const char*>(sig), len));
  return c;
}

bool CheckpointKey::Verify(const Checkpoint& c) const {
  if (c.signature.size() != 128) return false;
  std::string sig = absl::HexStringToBytes(c.signature);
  std::string msg = CheckpointMessage(c.tree_size, c.root, c.at);
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_DigestVerifyInit(md, nullptr, nullptr, nullptr, impl_->key);
  int ok = EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                            reinterpret_cast<const unsigned char*>(msg.data()), msg.size());
  EVP_MD_CTX_free(md);
  return ok == 1;
}

Verifier::Verifier(std::vector<Checkpoint> checkpoints, const CheckpointKey* key)
    : checkpoints_(std::move(checkpoints)), key_(key) {
  result_.checkpoints = static_cast<int64_t>(checkpoints_.size());
  CheckCheckpointsAtSize();  // checkpoints of an empty trail
}

void Verifier::Fail(int64_t seq, std::string reason) {
  if (!result_.ok) return;
  result_.ok = false;
  result_.first_bad = seq;
  result_.reason = std::move(reason);
}

void Verifier::CheckCheckpointsAtSize() {
  while (result_.ok && next_checkpoint_ < checkpoints_.size() &&
         checkpoints_[next_checkpoint_].tree_size == tree_.size()) {
    const Checkpoint& c = checkpoints_[next_checkpoint_++];
    if (key_ != nullptr && !key_->Verify(c)) {
      Fail(0,
           absl::StrCat("checkpoint ", c.id, " (", c.tree_size, " entries): the signature does not verify"));
    } else if (c.root != tree_.RootHex()) {
      Fail(c.tree_size, absl::StrCat("checkpoint ", c.id, " signed a Merkle root over ", c.tree_size,
                                     " entries that the trail no longer has: an entry up to ", c.tree_size,
                                     " was rewritten"));
    }
  }
}

void Verifier::Feed(const Entry& e) {
  if (!result_.ok) return;
  ++result_.entries;
  if (e.seq != expected_seq_) {
    Fail(expected_seq_,
         e.seq > expected_seq_
             ? absl::StrCat("entry ", expected_seq_, " is missing (the next stored is ", e.seq, ")")
             : absl::StrCat("entry ", e.seq, " is out of order after ", expected_seq_ - 1));
    return;
  }
  if (e.prev_hash != last_hash_) {
    Fail(e.seq,
         absl::StrCat("entry ", e.seq, " does not follow entry ", e.seq - 1,
                      " (its previous-entry hash differs): an entry was removed, reordered or edited"));
    return;
  }
  if (EntryHash(e) != e.hash) {
    Fail(e.seq, absl::StrCat("entry ", e.seq, " was edited (its content does not match its hash)"));
    return;
  }
  last_hash_ = e.hash;
  ++expected_seq_;
  tree_.AddLeaf(CanonicalBytes(e));
  CheckCheckpointsAtSize();
}

VerifyResult Verifier::Finish() {
  if (result_.ok && next_checkpoint_ < checkpoints_.size()) {
    const Checkpoint& c = checkpoints_[next_checkpoint_];
    if (c.tree_size > tree_.size()) {
      Fail(tree_.size() + 1,
           absl::StrCat("checkpoint ", c.id, " covers ", c.tree_size, " entries but the trail has ",
                        tree_.size(), ": entries after ", tree_.size(), " were removed"));
    } else {
      Fail(0, absl::StrCat("checkpoint ", c.id, " does not match any prefix of the trail"));
    }
  }
  return result_;
}

}  // namespace awoooi::audit
