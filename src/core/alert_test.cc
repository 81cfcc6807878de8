#include "awoooi/core/alert.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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

// The fast path for the store's own shape must agree with the general parser on every input: the
// shapes it takes, and the near misses it must leave to absl (out-of-range fields, other zones).
TEST(ParseTime, TheFastPathAgreesWithTheGeneralParser) {
  std::vector<std::string> inputs = {
      "2024-05-01T10:00:00Z",           "2024-05-01T10:00:00.5Z",    "2024-05-01T10:00:00.123456789Z",
      "2024-02-29T23:59:59.999Z",       "2023-02-29T00:00:00Z",      "2024-04-31T00:00:00Z",
      "2024-13-01T00:00:00Z",           "2024-00-10T00:00:00Z",      "2024-05-00T00:00:00Z",
      "2024-05-01T24:00:00Z",           "2024-05-01T10:60:00Z",      "2024-05-01T10:00:60Z",
      "2024-05-01t10:00:00z",           "2024-05-01T10:00:00.Z",     "2024-05-01T10:00:00.1234567891Z",
      "2024-05-01T10:00:00+00:00",      "2024-05-01T10:00:00-07:30", "0001-01-01T00:00:00Z",
      "9999-12-31T23:59:59.999999999Z", "2024-5-01T10:00:00Z",       "2024-05-01 10:00:00Z",
      "2024-05-01T10:00:0aZ",           "+024-05-01T10:00:00Z",      "2024-05-01T10:00:00.12a4Z"};
  // Every one-character change of a valid time, too.
  const std::string base = "2026-11-30T23:59:58.250Z";
  for (std::size_t i = 0; i < base.size(); ++i) {
    for (char c : std::string("09:-.TZz+ ")) {
      std::string m = base;
      m[i] = c;
      inputs.push_back(m);
    }
  }
  for (const std::string& text : inputs) {
    absl::Time want;
    std::string err;
    bool ok = absl::ParseTime(absl::RFC3339_full, text, &want, &err);
    auto got = ParseRfc3339(text);
    ASSERT_EQ(got.has_value(), ok) << text;
    if (!ok) continue;
    if (want <= absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0), absl::UTCTimeZone()))
      want = absl::InfinitePast();
    EXPECT_EQ(*got, want) << text;
  }
}

TEST(FormatTime, MatchesAbslFormattingToTheMillisecond) {
  for (absl::Time t : {absl::FromUnixSeconds(0), absl::FromUnixNanos(1'764'547'200'999'999'999),
                       absl::FromUnixMillis(1'700'000'000'123), absl::FromUnixSeconds(-62135596800),
                       absl::FromCivil(absl::CivilSecond(9999, 12, 31, 23, 59, 59), absl::UTCTimeZone()),
                       absl::FromCivil(absl::CivilSecond(12000, 1, 1, 0, 0, 0), absl::UTCTimeZone()),
                       absl::FromUnixNanos(-1)}) {
    EXPECT_EQ(FormatRfc3339(t), absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone()));
  }
}

TEST(Severity, OrdersCriticalAboveWarning) {
  EXPECT_GT(ParseSeverity("critical"), ParseSeverity("warning"));
  EXPECT_EQ(ParseSeverity("CRITICAL"), Severity::kCritical);
  EXPECT_EQ(ToString(ParseSeverity("page")), "critical");
}

}  // namespace
}  // namespace awoooi
