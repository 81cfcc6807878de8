#include "server/auth.h"

#include "awoooi/core/digest.h"

namespace awoooi::server {
namespace {

// Short: a removed user or a revoked token (from another process, the CLI) stops working within it.
constexpr auto kCacheTtl = std::chrono::seconds(1);

}  // namespace

std::string_view BearerToken(std::string_view h) {
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  if (h.size() < 7) return {};
  std::string scheme(h.substr(0, 7));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "bearer ") return {};
  h.remove_prefix(7);
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  while (!h.empty() && h.back() == ' ') h.remove_suffix(1);
  return h;
}

absl::StatusOr<store::User> Authenticator::Authenticate(std::string_view header) {
  std::string_view token = BearerToken(header);
  if (token.empty()) {
    return absl::UnauthenticatedError("missing bearer token (Authorization: Bearer <token>)");
  }
  if (token.size() > 256) return absl::UnauthenticatedError("invalid token");
  std::string hash = Sha256Hex(token);
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(hash);
    if (it != cache_.end() && it->second.expires > now) return it->second.user;
  }
  auto user = store_.UserByTokenHash(hash);
  if (absl::IsNotFound(user.status())) return absl::UnauthenticatedError("invalid token");
  if (!user.ok()) return user.status();
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() > 10'000) cache_.clear();
  cache_[hash] = Entry{*user, now + kCacheTtl};
  return *user;
}

}  // namespace awoooi::server
