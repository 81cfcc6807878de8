// API tokens and who is calling.
//
// Tokens are 32 random bytes (OpenSSL RAND_bytes) shown once as "awi_" + 64 hex digits; the store
// keeps only their SHA-256. Authenticator resolves "Authorization: Bearer <token>" to a user,
// caching hits briefly so a busy dashboard does not query the store per request.
// Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "awoooi/core/digest.h"
#include "awoooi/store/store.h"

namespace awoooi::server {

class Authenticator {
 public:
  explicit Authenticator(store::Store& store) : store_(store) {}
  // Unauthenticated when the header is missing, malformed or the token unknown.
  absl::StatusOr<store::User> Authenticate(std::string_view authorization_header);

 private:
  store::Store& store_;
  std::mutex mu_;
  struct Entry {
    store::User user;
    std::chrono::steady_clock::time_point expires;
  };
  std::unordered_map<std::string, Entry> cache_;  // token hash -> user; guarded by mu_
};

// "Bearer <token>" -> token, or "" when the header is not a bearer credential.
std::string_view BearerToken(std::string_view authorization_header);

}  // namespace awoooi::server
