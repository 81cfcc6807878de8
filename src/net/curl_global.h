// The process-wide libcurl initialisation, shared by every curl user in src/net/ (HTTP, SMTP).
//
// Thread-safety: EnsureCurlGlobalInit may be called from any thread; the first call initialises.
#pragma once

#include <string>

namespace awoooi::net {

void EnsureCurlGlobalInit();

// "scheme://host[:port]" of `url` (no user info, path or query), for error messages about a URL
// that is itself a secret (a Slack or Discord webhook URL); "the configured URL" if it does not parse.
std::string UrlOrigin(const std::string& url);

}  // namespace awoooi::net
