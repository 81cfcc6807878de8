// Digests the whole product shares: SHA-256 (token hashes, action hashes, audit chain, state
// fingerprints), HMAC-SHA256 (ingestion signatures, keyed fingerprints, webhook signatures) and a
// constant-time comparison. OpenSSL stays inside src/core/digest.cc.
//
// Thread-safety: pure functions.
#pragma once

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

}  // namespace awoooi
