#include "ingest/alert_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "awoooi/core/digest.h"
#include "ingest/grouping.h"

namespace awoooi::ingest {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);

// As a real Alertmanager 0.25 posts it (captured shape; '>' escaped as \u003e).
constexpr char kWebhook[] = R"({
  "receiver": "awoooi", "status": "firing",
  "alerts": [{
    "status": "firing",
    "labels": {"alertname": "HighErrorRate", "service": "frontend", "severity": "critical"},
    "annotations": {"summary": "5xx rate \u003e 15% for 10.0.0.7"},
    "startsAt": "2024-05-01T10:00:00.123456789Z", "endsAt": "0001-01-01T00:00:00Z",
    "generatorURL": "http://prometheus:9090/graph?g0.expr=x", "fingerprint": "ignored"
  }, {
    "status": "resolved",
    "labels": {"alertname": "HighLatency", "service": "frontend"},
    "annotations": {},
    "startsAt": "2024-05-01T09:00:00Z", "endsAt": "2024-05-01T09:30:00Z",
    "generatorURL": "", "fingerprint": "x"
  }],
  "groupLabels": {"alertname": "HighErrorRate"}, "commonLabels": {}, "commonAnnotations": {},
  "externalURL": "http://am:9093", "version": "4", "groupKey": "{}:{alertname=\"HighErrorRate\"}",
  "truncatedAlerts": 0
})";

TEST(AlertmanagerWebhook, ParsesFiringAndResolvedAlerts) {
  auto alerts = ParseAlertmanagerWebhook(kWebhook, {}, kNow);
  ASSERT_TRUE(alerts.ok()) << alerts.status();
  ASSERT_EQ(alerts->size(), 2u);
  const Alert& a = (*alerts)[0];
  EXPECT_EQ(a.status, AlertStatus::kFiring);
  EXPECT_EQ(a.Label("service"), "frontend");
  EXPECT_EQ(a.annotations.at("summary"), "5xx rate > 15% for 10.0.0.7");
  EXPECT_EQ(a.ends_at, absl::InfinitePast());
  EXPECT_EQ(a.fingerprint, LabelFingerprint(a.labels));
  EXPECT_EQ(a.source, "alertmanager");
  EXPECT_EQ((*alerts)[1].status, AlertStatus::kResolved);
  EXPECT_EQ(FormatRfc3339((*alerts)[1].ends_at), "2024-05-01T09:30:00.000Z");
}

struct BadCase {
  const char* body;
  const char* message_part;
};

class AlertmanagerWebhookRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(AlertmanagerWebhookRejects, WithAMessageNamingTheProblem) {
  auto r = ParseAlertmanagerWebhook(GetParam().body, {}, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(r.status().message()).find(GetParam().message_part), std::string::npos) << r.status();
}

INSTANTIATE_TEST_SUITE_P(
    BadInput, AlertmanagerWebhookRejects,
    ::testing::Values(
        BadCase{"", "empty"}, BadCase{"{", "malformed"}, BadCase{"[]", "object"},
        BadCase{R"({"alerts": []})", "empty"}, BadCase{R"({"alerts": {}})", "array"},
        BadCase{R"({"version":"3","alerts":[]})", "version"},
        BadCase{R"({"alerts":[{"status":"firing"}]})", "alerts[0].labels"},
        BadCase{R"({"alerts":[{"status":"firing","labels":{}}]})", "not be empty"},
        BadCase{R"({"alerts":[{"status":"firing","labels":{"a":1}}]})", "alerts[0].labels.a"},
        BadCase{R"({"alerts":[{"status":"burning","labels":{"a":"b"}}]})", "status"},
        BadCase{R"({"alerts":[{"labels":{"a":"b"}}]})", "status: is required"},
        BadCase{R"({"alerts":[{"status":"firing","labels":{"a":"b"},"startsAt":"noon"}]})", "startsAt"},
        BadCase{"{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"a\":\"\xff\xfe\"}}]}", "malformed"}));

TEST(AlertmanagerWebhook, MalformedJsonErrorDoesNotEchoTheBody) {
  auto r = ParseAlertmanagerWebhook(R"({"alerts": [{"labels": {"owner": "jane.doe@example.org" oops}}]})", {},
                                    kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find("malformed JSON"), std::string::npos);
  EXPECT_EQ(std::string(r.status().message()).find("jane.doe"), std::string::npos) << r.status();
}

TEST(AlertmanagerWebhook, RejectsDeepNestingWithoutRecursing) {
  std::string deep(100'000, '[');
  auto r = ParseAlertmanagerWebhook(deep, {}, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find("nested"), std::string::npos);
}

TEST(AlertmanagerWebhook, RejectsTenThousandLabels) {
  std::string body = R"({"alerts":[{"status":"firing","labels":{)";
  for (int i = 0; i < 10'000; ++i)
    body += (i ? "," : "") + std::string("\"l") + std::to_string(i) + "\":\"v\"";
  body += "}}]}";
  auto r = ParseAlertmanagerWebhook(body, {}, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find("more than 256"), std::string::npos);
}

// Cheap bodies that would cost hundreds of MB as a document are refused by a scan of the bytes.
TEST(AlertmanagerWebhook, RefusesBodiesThatWouldBuildAHugeDocument) {
  std::string empties = "{\"alerts\":[";
  for (int i = 0; i < 2'000'000; ++i) empties += i ? ",{}" : "{}";
  empties += "]}";
  auto r = ParseAlertmanagerWebhook(empties, {}, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find("more than 10000 alerts"), std::string::npos)
      << r.status();

  std::string ones = "[";
  for (int i = 0; i < 2'000'000; ++i) ones += i ? ",1" : "1";
  ones += "]";
  r = ParseGenericAlerts(ones, {}, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find("more than 10000 alerts"), std::string::npos)
      << r.status();

  // Nested lists of empty objects: short arrays, but far more containers than alerts can have.
  std::string nested = "[";
  for (int i = 0; i < 9'000; ++i) nested += std::string(i ? "," : "") + "[{},{},{},{},{},{}]";
  nested += "]";
  r = ParseGenericAlerts(nested, {}, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find("arrays and objects"), std::string::npos) << r.status();
}

TEST(AlertmanagerWebhook, TheShapeScanIgnoresBracketsAndCommasInStrings) {
  std::string body = R"({"alerts":[{"status":"firing","labels":{"alertname":"A","x":")";
  body += std::string(20'000, ',') + std::string(100, '[') + std::string(100, '{') + R"(\"]"}}]})";
  auto r = ParseAlertmanagerWebhook(body, {}, kNow);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)[0].labels.at("x").size(), 20'000u + 200u + 2u) << r.status();
}

TEST(GenericAlerts, AcceptsSingleObjectArrayAndEnvelope) {
  for (const char* body :
       {R"({"alertname":"DiskFull","service":"db","summary":"disk 95%"})",
        R"([{"labels":{"alertname":"DiskFull","service":"db"},"annotations":{"summary":"disk 95%"}}])",
        R"({"alerts":[{"labels":{"alertname":"DiskFull","service":"db"},"summary":"disk 95%"}]})"}) {
    auto r = ParseGenericAlerts(body, {}, kNow);
    ASSERT_TRUE(r.ok()) << body << " " << r.status();
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].Label("alertname"), "DiskFull");
    EXPECT_EQ((*r)[0].annotations.at("summary"), "disk 95%");
    EXPECT_EQ((*r)[0].status, AlertStatus::kFiring);
    EXPECT_EQ((*r)[0].starts_at, kNow);
  }
}

TEST(GenericAlerts, EndsAtInThePastMeansResolved) {
  auto r = ParseGenericAlerts(R"({"alertname":"X","ends_at":"2020-01-01T00:00:00Z"})", {}, kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].status, AlertStatus::kResolved);
}

TEST(GenericAlerts, RequiresAnAlertname) {
  auto r = ParseGenericAlerts(R"({"labels":{"service":"db"}})", {}, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find("alertname"), std::string::npos);
}

TEST(Grouping, ServiceOrJobAndAlertname) {
  Alert a;
  a.labels = {{"alertname", "Down"}, {"job", "node"}};
  EXPECT_EQ(GroupKey(a, {}), "job=node,alertname=Down");
  a.labels["service"] = "api";
  EXPECT_EQ(GroupKey(a, {}), "service=api,alertname=Down");
  EXPECT_EQ(awoooi::ServiceOf(a), "api");
}

TEST(IngestSignature, VerifiesHmacAndRejectsTampering) {
  std::string sig = "sha256=" + HmacSha256Hex("secret", "body");
  EXPECT_TRUE(VerifyHmacSha256("body", "secret", sig));
  EXPECT_FALSE(VerifyHmacSha256("body!", "secret", sig));
  EXPECT_FALSE(VerifyHmacSha256("body", "other", sig));
  EXPECT_FALSE(VerifyHmacSha256("body", "secret", "sha256=00"));
}

}  // namespace
}  // namespace awoooi::ingest
