#include "awoooi/core/alert.h"

#include <gtest/gtest.h>

namespace awoooi {
namespace {

TEST(LabelFingerprint, MatchesPrometheusForEmptySet) {
  // FNV-1a 64 offset basis: what Prometheus returns for an empty label set.
  EXPECT_EQ(LabelFingerprint({}), "cbf29ce484222325");
}

TEST(LabelFingerprint, DependsOnLabelsNotOrderOfInsertion) {
  LabelSet a{{"alertname", "HighErrorRate"}, {"service", "frontend"}};
  LabelSet b;
  b["service"] = "frontend";
  b["alertname"] = "HighErrorRate";
  EXPECT_EQ(LabelFingerprint(a), LabelFingerprint(b));
  b["service"] = "backend";
  EXPECT_NE(LabelFingerprint(a), LabelFingerprint(b));
}

TEST(LabelFingerprint, SeparatesNameAndValueBoundaries) {
  EXPECT_NE(LabelFingerprint({{"ab", "c"}}), LabelFingerprint({{"a", "bc"}}));
}

TEST(ParseTime, GoZeroTimeMeansNotSet) {
  auto t = ParseRfc3339("0001-01-01T00:00:00Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, absl::InfinitePast());
}

TEST(ParseTime, AcceptsNanosecondsAndOffsets) {
  auto a = ParseRfc3339("2024-05-01T10:00:00.123456789Z");
  auto b = ParseRfc3339("2024-05-01T12:00:00.123456789+02:00");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(FormatRfc3339(*a), "2024-05-01T10:00:00.123Z");
  EXPECT_FALSE(ParseRfc3339("yesterday").has_value());
}

TEST(Severity, OrdersCriticalAboveWarning) {
  EXPECT_GT(ParseSeverity("critical"), ParseSeverity("warning"));
  EXPECT_EQ(ParseSeverity("CRITICAL"), Severity::kCritical);
  EXPECT_EQ(ToString(ParseSeverity("page")), "critical");
}

}  // namespace
}  // namespace awoooi
