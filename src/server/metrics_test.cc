// /metrics stays bounded whatever clients send: methods and routes are closed label sets.
#include "server/metrics.h"

#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace awoooi::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

size_t Lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

TEST(MetricsLabels, MethodsOutsideTheApisSevenCountAsOther) {
  for (const char* m : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
    EXPECT_EQ(MethodLabel(m), m);
  EXPECT_EQ(MethodLabel("get"), "OTHER");
  EXPECT_EQ(MethodLabel("PROPFIND"), "OTHER");
  EXPECT_EQ(MethodLabel(""), "OTHER");
  EXPECT_EQ(MethodLabel("GET\"} 1\nfake_metric{x=\""), "OTHER");
}

TEST(MetricsLabels, AThousandRandomMethodsAddOneSeries) {
  Metrics m;
  m.ObserveRequest("unmatched", "GET", 404, 0.001);
  size_t before = Lines(m.Render({}));
  std::mt19937 rng(7);
  for (int i = 0; i < 1000; ++i) {
    std::string method;
    for (int k = 0; k < 8; ++k) method += static_cast<char>('A' + rng() % 26);
    m.ObserveRequest("unmatched", method, 404, 0.001);
  }
  std::string text = m.Render({});
  EXPECT_EQ(Lines(text), before + 1);  // route="unmatched",method="OTHER",code="404"
  EXPECT_THAT(
      text, HasSubstr("awoooi_http_requests_total{route=\"unmatched\",method=\"OTHER\",code=\"404\"} 1000"));
}

TEST(MetricsLabels, RouteLabelsStopGrowingAtTheirCap) {
  Metrics m;
  for (size_t i = 0; i < Metrics::kMaxRouteLabels + 500; ++i) {
    m.ObserveRequest(absl::StrCat("/route/", i), "GET", 200, 0.001);
  }
  std::string text = m.Render({});
  EXPECT_THAT(text, HasSubstr("route=\"other\""));
  EXPECT_THAT(text, Not(HasSubstr(absl::StrCat("route=\"/route/", Metrics::kMaxRouteLabels, "\""))));
  size_t lines = Lines(text);
  m.ObserveRequest("/route/yet-another", "GET", 200, 0.001);
  EXPECT_EQ(Lines(m.Render({})), lines);
}

TEST(MetricsRender, ExtraCountersGetOneTypeLinePerFamily) {
  Metrics m;
  std::string text = m.Render({{"awoooi_http_connections", 3}},
                              {{"awoooi_http_connections_refused_total{reason=\"per_client\"}", 2},
                               {"awoooi_http_connections_refused_total{reason=\"server_full\"}", 1},
                               {"awoooi_http_accept_errors_total", 4}});
  EXPECT_THAT(text, HasSubstr("# TYPE awoooi_http_connections gauge\nawoooi_http_connections 3\n"));
  EXPECT_THAT(
      text, HasSubstr("# TYPE awoooi_http_accept_errors_total counter\nawoooi_http_accept_errors_total 4\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE awoooi_http_connections_refused_total counter\n"
                              "awoooi_http_connections_refused_total{reason=\"per_client\"} 2\n"
                              "awoooi_http_connections_refused_total{reason=\"server_full\"} 1\n"));
}

}  // namespace
}  // namespace awoooi::server
