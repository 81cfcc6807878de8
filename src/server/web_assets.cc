#include "server/web_assets.h"

namespace awoooi::server {
namespace {

using web_assets_internal::kEmbeddedWebBuilt;
using web_assets_internal::kEmbeddedWebFileCount;
using web_assets_internal::kEmbeddedWebFiles;

constexpr WebAsset kNotBuiltPage{
    R"html(<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>AWOOOI</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; background: #0d1117; color: #e6edf3; margin: 0; padding: 48px 24px; }
  main { max-width: 640px; margin: 0 auto; }
  code, pre { font-family: ui-monospace, monospace; background: #151b23; border-radius: 4px; padding: 1px 5px; }
  pre { padding: 10px 12px; overflow: auto; }
  a { color: #5cb3ff; }
</style></head>
<body><main>
<h1>AWOOOI is running</h1>
<p>The web dashboard was not built into this binary (it was configured with <code>-DAWOOOI_WEB=OFF</code>).</p>
<p>To enable it, install Node.js 18 or newer with npm, then rebuild:</p>
<pre>cmake --preset release -DAWOOOI_WEB=ON
cmake --build --preset release --target awoooi</pre>
<p>The API works without it: <a href="/api/openapi.json">/api/openapi.json</a> describes it,
<a href="/healthz">/healthz</a> and <a href="/metrics">/metrics</a> are up.</p>
</main></body></html>
)html",
    "text/html; charset=utf-8",
    false,
    {}};

const WebAsset* Embedded(std::string_view path) {
  for (std::size_t i = 0; i < kEmbeddedWebFileCount; ++i) {
    if (kEmbeddedWebFiles[i].path == path) return &kEmbeddedWebFiles[i].asset;
  }
  return nullptr;
}

bool IsServerPath(std::string_view path) {
  return path == "/api" || path.starts_with("/api/") || path == "/metrics" || path == "/healthz" ||
         path == "/readyz";
}

// A client-side route: no file extension in the last segment ("/incidents/7", "/topology"),
// and no dot segments (no client route has them; nothing here reads files, but such a path is
// a probe, not a page).
bool IsClientRoute(std::string_view path) {
  if (path.starts_with("/assets/") || path.find("/.") != std::string_view::npos) return false;
  auto slash = path.rfind('/');
  std::string_view last = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return last.find('.') == std::string_view::npos;
}

}  // namespace

const WebAsset* FindWebAsset(std::string_view path) {
  if (path.empty() || path.front() != '/' || IsServerPath(path)) return nullptr;
  if (path == "/" || path == "/index.html") {
    if (const WebAsset* index = Embedded("/index.html")) return index;
    return &kNotBuiltPage;
  }
  if (const WebAsset* file = Embedded(path)) return file;
  if (!IsClientRoute(path)) return nullptr;
  if (const WebAsset* index = Embedded("/index.html")) return index;
  return &kNotBuiltPage;
}

std::string_view WebCacheControl(const WebAsset& asset) {
  return asset.immutable ? "public, max-age=31536000, immutable" : "no-cache";
}

bool WebDashboardEmbedded() { return kEmbeddedWebBuilt; }

}  // namespace awoooi::server
