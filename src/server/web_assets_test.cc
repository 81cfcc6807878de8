#include "server/web_assets.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace awoooi::server {
namespace {

std::string Body(const WebAsset* a) { return a ? std::string(a->body) : std::string(); }

TEST(WebAssetsTest, RootServesAnHtmlPageThatIsRevalidated) {
  const WebAsset* root = FindWebAsset("/");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->content_type, "text/html; charset=utf-8");
  EXPECT_FALSE(root->immutable);
  EXPECT_EQ(WebCacheControl(*root), "no-cache");
  EXPECT_NE(Body(root).find("<html"), std::string::npos);
}

TEST(WebAssetsTest, ClientRoutesGetTheSamePageAsRootSoDeepLinksSurviveAReload) {
  for (const char* path :
       {"/incidents", "/incidents/7", "/topology", "/approvals/3", "/audit", "/index.html"}) {
    const WebAsset* page = FindWebAsset(path);
    ASSERT_NE(page, nullptr) << path;
    EXPECT_EQ(page, FindWebAsset("/")) << path;
  }
}

TEST(WebAssetsTest, ApiAndOperationalPathsAreNeverAnsweredWithTheDashboard) {
  for (const char* path :
       {"/api", "/api/", "/api/v1/nope", "/api/v1/incidents/7", "/metrics", "/healthz", "/readyz"}) {
    EXPECT_EQ(FindWebAsset(path), nullptr) << path;
  }
}

TEST(WebAssetsTest, MissingFilesAndOddPathsAreNotFoundInsteadOfTheIndex) {
  for (const char* path : {"/assets/gone-1234.js", "/assets/", "/robots.txt", "/assets/../index.html",
                           "/../etc/passwd", "", "incidents", "/favicon.ico"}) {
    EXPECT_EQ(FindWebAsset(path), nullptr) << '"' << path << '"';
  }
}

TEST(WebAssetsTest, BuiltDashboardReferencesOnlyEmbeddedImmutableAssets) {
  if (!WebDashboardEmbedded()) GTEST_SKIP() << "built with -DAWOOOI_WEB=OFF";
  std::string index = Body(FindWebAsset("/"));
  std::regex ref(R"re((?:src|href)="(/assets/[^"]+)")re");
  int scripts = 0, styles = 0;
  for (auto it = std::sregex_iterator(index.begin(), index.end(), ref); it != std::sregex_iterator(); ++it) {
    std::string path = (*it)[1];
    const WebAsset* asset = FindWebAsset(path);
    ASSERT_NE(asset, nullptr) << path << " is referenced by index.html but not embedded";
    EXPECT_TRUE(asset->immutable) << path;
    EXPECT_EQ(WebCacheControl(*asset), "public, max-age=31536000, immutable");
    EXPECT_FALSE(asset->body.empty()) << path;
    if (path.ends_with(".js")) {
      ++scripts;
      // Scripts are big and compress well: a gzip copy is embedded (RFC 1952 magic 1f 8b).
      ASSERT_GT(asset->gzip.size(), 2u) << path;
      EXPECT_EQ(static_cast<unsigned char>(asset->gzip[0]), 0x1f);
      EXPECT_EQ(static_cast<unsigned char>(asset->gzip[1]), 0x8b);
      EXPECT_LT(asset->gzip.size(), asset->body.size());
      EXPECT_EQ(asset->content_type, "text/javascript; charset=utf-8") << path;
    }
    if (path.ends_with(".css")) {
      ++styles;
      EXPECT_EQ(asset->content_type, "text/css; charset=utf-8") << path;
    }
  }
  EXPECT_GE(scripts, 1) << index;
  EXPECT_GE(styles, 1) << index;
  // Nothing is fetched from another origin at run time.
  EXPECT_EQ(index.find("http://"), std::string::npos);
  EXPECT_EQ(index.find("https://"), std::string::npos);
}

TEST(WebAssetsTest, FilesOutsideAssetsAreServedButRevalidated) {
  if (!WebDashboardEmbedded()) GTEST_SKIP() << "built with -DAWOOOI_WEB=OFF";
  const WebAsset* icon = FindWebAsset("/favicon.svg");
  ASSERT_NE(icon, nullptr);
  EXPECT_EQ(icon->content_type, "image/svg+xml");
  EXPECT_FALSE(icon->immutable);
  EXPECT_NE(std::string(icon->body).find("<svg"), std::string::npos);
}

TEST(WebAssetsTest, WithoutTheDashboardRootSaysHowToBuildIt) {
  if (WebDashboardEmbedded()) GTEST_SKIP() << "the dashboard is embedded in this build";
  std::string page = Body(FindWebAsset("/"));
  EXPECT_NE(page.find("dashboard was not built"), std::string::npos);
  EXPECT_NE(page.find("-DAWOOOI_WEB=ON"), std::string::npos);
  EXPECT_EQ(FindWebAsset("/favicon.svg"), nullptr);
}

}  // namespace
}  // namespace awoooi::server
