// Digests the whole product shares: SHA-256 (token hashes, action hashes, audit chain, state
// fingerprints), HMAC-SHA256 (ingestion signatures, keyed fingerprints, webhook signatures) and a
// constant-time comparison. OpenSSL stays inside src/core/digest.cc.
//
// Thread-safety: pure functions.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace awoooi {

// 32 raw bytes.
std::string Sha256(std::string_view data);
// 64 lower-case hex digits.
std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// Compares without leaking where the first difference is (the lengths may leak).
bool ConstantTimeEquals(std::string_view a, std::string_view b);
// Lower-case hex of raw bytes.
std::string ToHex(std::string_view bytes);
// `n` bytes from the operating system's CSPRNG.
std::string RandomBytes(std::size_t n);

// HMAC-SHA256 under one key for many messages (a group key per ingested alert): the keyed state
// is computed once and copied per message, about 2.5x faster than HmacSha256. Thread-safe: Mac
// only reads the keyed state. Gives the same bytes as HmacSha256(key, data).
class HmacSha256Key {
 public:
  explicit HmacSha256Key(std::string_view key);
  ~HmacSha256Key();
  HmacSha256Key(const HmacSha256Key&) = delete;
  HmacSha256Key& operator=(const HmacSha256Key&) = delete;

  std::string Mac(std::string_view data) const;
  std::string MacHex(std::string_view data) const { return ToHex(Mac(data)); }

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace awoooi
