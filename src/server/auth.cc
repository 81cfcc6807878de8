#include "server/auth.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace awoooi::server {
namespace {

std::string Hex(const unsigned char* p, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 15];
  }
  return out;
}

constexpr auto kCacheTtl = std::chrono::seconds(30);

}  // namespace

std::string NewApiToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  return "awi_" + Hex(bytes, sizeof bytes);
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return Hex(md, len);
}

absl::StatusOr<std::string> IssueToken(store::Store& store, const std::string& user, Role role) {
  auto u = store.GetUser(user);
  if (absl::IsNotFound(u.status())) u = store.AddUser(user, role);
  if (!u.ok()) return u.status();
  std::string token = NewApiToken();
  if (auto s = store.AddToken(u->id, Sha256Hex(token)); !s.ok()) return s;
  return token;
}

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
