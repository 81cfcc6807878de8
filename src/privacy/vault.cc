// Vault value semantics, the keyed index and the sealed format (see vault_impl.h).
#define OPENSSL_SUPPRESS_DEPRECATED  // SHA256_CTX: the only way to reuse precomputed HMAC states
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "privacy/detectors.h"
#include "privacy/vault_impl.h"

namespace awoooi::privacy {

Vault::Vault() : impl_(std::make_unique<Impl>()) {}
Vault::~Vault() = default;
Vault::Vault(Vault&& other) noexcept : impl_(std::move(other.impl_)) {
  other.impl_ = std::make_unique<Impl>();
}
Vault& Vault::operator=(Vault&& other) noexcept {
  if (this != &other) {
    impl_ = std::move(other.impl_);
    other.impl_ = std::make_unique<Impl>();
  }
  return *this;
}
Vault::Vault(const Vault& other) : impl_(std::make_unique<Impl>(*other.impl_)) {}
Vault& Vault::operator=(const Vault& other) {
  if (this != &other) *impl_ = *other.impl_;
  return *this;
}
std::size_t Vault::size() const { return impl_->entries.size(); }
bool Vault::dirty() const { return impl_->entries.size() > impl_->sealed; }
bool Vault::snapshot() const { return impl_->snapshot; }
bool Vault::Minted(std::string_view label) const {
  return impl_->by_label.contains(internal::AbslView(label));
}

std::string GenerateVaultKey() {
  std::string key(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    // The CSPRNG failing is not recoverable; a predictable key would silently void the encryption.
    std::abort();
  }
  return key;
}

namespace internal {
namespace {

// A record: one sealed value of a scope (see vault_impl.h). Version 1 sealed a whole vault.
constexpr std::string_view kRecordMagic = "AWE2";
constexpr std::string_view kLegacyMagic = "AWV1";
constexpr std::size_t kNonceLen = 12;
constexpr std::size_t kTagLen = 16;

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

void PutU32(std::string* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

bool GetU32(std::string_view* in, std::uint32_t* v) {
  if (in->size() < 4) return false;
  *v = 0;
  for (int i = 0; i < 4; ++i)
    *v |= static_cast<std::uint32_t>(static_cast<unsigned char>((*in)[i])) << (8 * i);
  in->remove_prefix(4);
  return true;
}

bool GetBytes(std::string_view* in, std::string* out) {
  std::uint32_t len;
  if (!GetU32(in, &len) || in->size() < len) return false;
  out->assign(in->substr(0, len));
  in->remove_prefix(len);
  return true;
}

struct CipherCtx {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
};

}  // namespace

struct VaultKeys::HmacStates {
  SHA256_CTX inner;
  SHA256_CTX outer;
};

absl::StatusOr<std::string> DecodeVaultKey(std::string_view configured) {
  if (configured.size() == 64 && std::all_of(configured.begin(), configured.end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c));
      })) {
    return absl::HexStringToBytes(std::string(configured));
  }
  if (configured.size() == 44) {
    std::string raw;
    if (absl::Base64Unescape(std::string(configured), &raw) && raw.size() == 32) return raw;
  }
  if (configured.size() == 32) return std::string(configured);
  return absl::InvalidArgumentError(
      "privacy: vault_key must be 32 bytes: raw, 64 hex digits, or base64 (44 characters)");
}

absl::StatusOr<VaultKeys> VaultKeys::FromConfig(std::string_view master_config) {
  absl::StatusOr<std::string> master = DecodeVaultKey(master_config);
  if (!master.ok()) return master.status();
  VaultKeys keys;
  // Separate keys per purpose, so the index key never touches the cipher and vice versa.
  keys.enc_key_ = HmacSha256(*master, "awoooi/vault/aes-256-gcm/v1");
  keys.index_key_ = HmacSha256(*master, "awoooi/vault/index/v1");
  keys.id_ = HmacSha256(*master, "awoooi/vault/key-id/v1").substr(0, 8);
  auto states = std::make_shared<HmacStates>();
  unsigned char ipad[64], opad[64];
  std::memset(ipad, 0x36, sizeof ipad);
  std::memset(opad, 0x5c, sizeof opad);
  for (std::size_t i = 0; i < keys.index_key_.size(); ++i) {
    ipad[i] ^= static_cast<unsigned char>(keys.index_key_[i]);
    opad[i] ^= static_cast<unsigned char>(keys.index_key_[i]);
  }
  SHA256_Init(&states->inner);
  SHA256_Update(&states->inner, ipad, sizeof ipad);
  SHA256_Init(&states->outer);
  SHA256_Update(&states->outer, opad, sizeof opad);
  OPENSSL_cleanse(ipad, sizeof ipad);
  OPENSSL_cleanse(opad, sizeof opad);
  OPENSSL_cleanse(master->data(), master->size());
  keys.hmac_ = std::move(states);
  return keys;
}

ValueDigest VaultKeys::Digest(std::string_view prefix, std::string_view value) const {
  // HMAC-SHA256(index_key, prefix || 0x00 || value): the prefix separates kinds, the zero byte
  // keeps ("A", "B1") and ("AB", "1") apart (prefixes never contain a zero byte).
  SHA256_CTX ctx = hmac_->inner;
  SHA256_Update(&ctx, prefix.data(), prefix.size());
  static constexpr unsigned char kZero = 0;
  SHA256_Update(&ctx, &kZero, 1);
  SHA256_Update(&ctx, value.data(), value.size());
  unsigned char inner[32];
  SHA256_Final(inner, &ctx);
  ctx = hmac_->outer;
  SHA256_Update(&ctx, inner, sizeof inner);
  ValueDigest out;
  SHA256_Final(out.data(), &ctx);
  return out;
}

void VaultKeys::Reindex(Vault::Impl& vault) const {
  vault.by_digest.clear();
  for (std::uint32_t i = 0; i < vault.entries.size(); ++i) {
    const auto& e = vault.entries[i];
    std::string_view label = e.label;
    std::string_view prefix = label.substr(1, label.rfind('_') - 1);
    vault.by_digest.emplace(Digest(prefix, e.value), i);
  }
  vault.foreign.clear();
  vault.foreign_by_digest.clear();
  vault.foreign_counters.clear();
  vault.key_id = id_;
}

std::uint32_t VaultKeys::MintIndex(Vault::Impl& vault, std::string_view prefix,
                                   std::string_view value) const {
  if (vault.key_id != id_) Reindex(vault);
  ValueDigest digest = Digest(prefix, value);
  auto it = vault.by_digest.find(digest);
  if (it != vault.by_digest.end()) return it->second;
  if (vault.snapshot) {
    // Numbered apart from the vault's own labels and escaped: never rehydrates, never collides.
    auto [f, inserted] =
        vault.foreign_by_digest.try_emplace(digest, static_cast<std::uint32_t>(vault.foreign.size()));
    if (inserted) {
      std::uint32_t& counter = vault.foreign_counters[AbslView(prefix)];
      ++counter;
      vault.foreign.push_back(
          Vault::Impl::Entry{absl::StrCat("[~", AbslView(prefix), "_", counter, "]"), ""});
    }
    return f->second | Vault::Impl::kForeign;
  }
  std::uint32_t& counter = vault.counters[AbslView(prefix)];
  ++counter;
  std::string label = absl::StrCat("[", AbslView(prefix), "_", counter, "]");
  auto index = static_cast<std::uint32_t>(vault.entries.size());
  vault.entries.push_back(Vault::Impl::Entry{label, std::string(value)});
  vault.by_digest.emplace(digest, index);
  vault.by_label.emplace(std::move(label), index);
  return index;
}

namespace {

// AES-256-GCM under `key` with a fresh random nonce; `magic` heads the output and, followed by
// `aad`, is authenticated as associated data. Output: magic | nonce | ciphertext | tag.
absl::StatusOr<std::string> GcmSeal(const std::string& key, std::string_view magic, std::string_view aad,
                                    std::string_view plain) {
  std::string out(magic);
  unsigned char nonce[kNonceLen];
  if (RAND_bytes(nonce, kNonceLen) != 1) return absl::InternalError("privacy: RAND_bytes failed");
  out.append(reinterpret_cast<char*>(nonce), kNonceLen);
  CipherCtx c;
  int len = 0;
  std::string cipher(plain.size(), '\0');
  auto add_aad = [&](std::string_view a) {
    return a.empty() ||
           EVP_EncryptUpdate(c.ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(a.data()),
                             static_cast<int>(a.size())) == 1;
  };
  bool ok = c.ctx != nullptr &&
            EVP_EncryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_IVLEN, kNonceLen, nullptr) == 1 &&
            EVP_EncryptInit_ex(c.ctx, nullptr, nullptr, reinterpret_cast<const unsigned char*>(key.data()),
                               nonce) == 1 &&
            add_aad(magic) && add_aad(aad) &&
            EVP_EncryptUpdate(c.ctx, reinterpret_cast<unsigned char*>(cipher.data()), &len,
                              reinterpret_cast<const unsigned char*>(plain.data()),
                              static_cast<int>(plain.size())) == 1;
  int final_len = 0;
  ok = ok &&
       EVP_EncryptFinal_ex(c.ctx, reinterpret_cast<unsigned char*>(cipher.data()) + len, &final_len) == 1;
  unsigned char tag[kTagLen];
  ok = ok && EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, kTagLen, tag) == 1;
  if (!ok) return absl::InternalError("privacy: AES-256-GCM encryption failed");
  cipher.resize(static_cast<std::size_t>(len + final_len));
  out += cipher;
  out.append(reinterpret_cast<char*>(tag), kTagLen);
  return out;
}

// The inverse of GcmSeal: false for bytes that are not `magic`-headed, were tampered with, or were
// sealed under another key or with other associated data.
bool GcmOpen(const std::string& key, std::string_view magic, std::string_view aad, std::string_view sealed,
             std::string* plain) {
  if (sealed.size() < magic.size() + kNonceLen + kTagLen || sealed.substr(0, magic.size()) != magic)
    return false;
  const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data() + magic.size());
  std::string_view cipher =
      sealed.substr(magic.size() + kNonceLen, sealed.size() - magic.size() - kNonceLen - kTagLen);
  std::string tag(sealed.substr(sealed.size() - kTagLen));
  plain->assign(cipher.size(), '\0');
  CipherCtx c;
  int len = 0, final_len = 0;
  auto add_aad = [&](std::string_view a) {
    return a.empty() ||
           EVP_DecryptUpdate(c.ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(a.data()),
                             static_cast<int>(a.size())) == 1;
  };
  bool ok =
      c.ctx != nullptr && EVP_DecryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_IVLEN, kNonceLen, nullptr) == 1 &&
      EVP_DecryptInit_ex(c.ctx, nullptr, nullptr, reinterpret_cast<const unsigned char*>(key.data()),
                         nonce) == 1 &&
      add_aad(magic) && add_aad(aad) &&
      EVP_DecryptUpdate(c.ctx, reinterpret_cast<unsigned char*>(plain->data()), &len,
                        reinterpret_cast<const unsigned char*>(cipher.data()),
                        static_cast<int>(cipher.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_TAG, kTagLen, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(c.ctx, reinterpret_cast<unsigned char*>(plain->data()) + len, &final_len) == 1;
  if (!ok) OPENSSL_cleanse(plain->data(), plain->size());
  return ok;
}

// The associated data binding a record to its scope: the scope's length, then the scope.
std::string ScopeAad(std::string_view scope) {
  std::string aad;
  PutU32(&aad, static_cast<std::uint32_t>(scope.size()));
  aad += scope;
  return aad;
}

}  // namespace

bool VaultKeys::Add(Vault::Impl& vault, Vault::Impl::Entry e) const {
  int tildes = -1;
  if (!ParseLabelShape(e.label, &tildes) || tildes != 0) return false;
  std::string_view label = e.label;
  std::size_t underscore = label.rfind('_');
  std::string prefix(label.substr(1, underscore - 1));
  std::uint32_t number = 0;
  for (char ch : label.substr(underscore + 1, label.size() - underscore - 2))
    number = number * 10 + (ch - '0');
  std::uint32_t& counter = vault.counters[prefix];
  counter = std::max(counter, number);
  auto index = static_cast<std::uint32_t>(vault.entries.size());
  if (!vault.by_label.emplace(e.label, index).second) return false;
  if (!vault.by_digest.emplace(Digest(prefix, e.value), index).second) {
    vault.by_label.erase(AbslView(e.label));
    return false;
  }
  vault.entries.push_back(std::move(e));
  return true;
}

absl::StatusOr<std::vector<std::string>> VaultKeys::SealNew(Vault::Impl& vault,
                                                            std::string_view scope) const {
  std::vector<std::string> records;
  const std::string aad = ScopeAad(scope);
  std::string plain;
  for (std::size_t i = vault.sealed; i < vault.entries.size(); ++i) {
    const auto& e = vault.entries[i];
    plain.clear();
    PutU32(&plain, static_cast<std::uint32_t>(e.label.size()));
    plain += e.label;
    PutU32(&plain, static_cast<std::uint32_t>(e.value.size()));
    plain += e.value;
    auto record = GcmSeal(enc_key_, kRecordMagic, aad, plain);
    OPENSSL_cleanse(plain.data(), plain.size());
    if (!record.ok()) return record.status();
    records.push_back(std::move(*record));
  }
  vault.sealed = vault.entries.size();
  return records;
}

absl::Status VaultKeys::Open(const std::vector<std::string>& records, std::string_view scope,
                             Vault::Impl* vault) const {
  Vault::Impl out;
  out.key_id = id_;
  const std::string aad = ScopeAad(scope);
  std::string plain;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (!GcmOpen(enc_key_, kRecordMagic, aad, records[i], &plain)) {
      return absl::InvalidArgumentError(
          absl::StrCat("privacy: vault record ", i + 1, " of ", records.size(),
                       " failed authentication (tampered, another key, or another incident's record)"));
    }
    std::string_view in(plain);
    Vault::Impl::Entry e;
    bool parsed = GetBytes(&in, &e.label) && GetBytes(&in, &e.value) && in.empty() && Add(out, std::move(e));
    OPENSSL_cleanse(plain.data(), plain.size());
    if (!parsed) {
      return absl::InvalidArgumentError(
          absl::StrCat("privacy: vault record ", i + 1, " is malformed or repeats a label"));
    }
  }
  out.sealed = out.entries.size();
  *vault = std::move(out);
  return absl::OkStatus();
}

absl::Status VaultKeys::OpenLegacy(std::string_view sealed, Vault::Impl* vault) const {
  std::string plain;
  if (!GcmOpen(enc_key_, kLegacyMagic, "", sealed, &plain)) {
    return absl::InvalidArgumentError(
        "privacy: legacy sealed vault (version 1) failed authentication (tampered, or another key)");
  }
  Vault::Impl out;
  out.key_id = id_;
  std::string_view in(plain);
  std::uint32_t count;
  bool parsed = GetU32(&in, &count);
  for (std::uint32_t i = 0; parsed && i < count; ++i) {
    Vault::Impl::Entry e;
    parsed = GetBytes(&in, &e.label) && GetBytes(&in, &e.value) && Add(out, std::move(e));
  }
  OPENSSL_cleanse(plain.data(), plain.size());
  if (!parsed || !in.empty()) return absl::InvalidArgumentError("privacy: legacy sealed vault is malformed");
  *vault = std::move(out);
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace awoooi::privacy
