// Wire framing of server-sent events: no text can leave its field.
#include "server/http.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace awoooi::server {
namespace {

TEST(FormatServerSentEvent, WritesIdEventAndOneDataLinePerLine) {
  EXPECT_EQ(FormatServerSentEvent("incident.opened", "{\"incident_id\":1}", "42"),
            "id: 42\nevent: incident.opened\ndata: {\"incident_id\":1}\n\n");
  EXPECT_EQ(FormatServerSentEvent("", "a\nb", ""), "data: a\ndata: b\n\n");
  EXPECT_EQ(FormatServerSentEvent("", "", ""), "data: \n\n");
}

TEST(FormatServerSentEvent, EveryKindOfLineEndStartsANewDataLine) {
  EXPECT_EQ(FormatServerSentEvent("t", "a\rb\r\nc\nd", ""),
            "event: t\ndata: a\ndata: b\ndata: c\ndata: d\n\n");
  // CR CR is two line ends (an empty line between), CRLF is one, LF CR is two.
  EXPECT_EQ(FormatServerSentEvent("", "x\r\ry\n\rz\r\n", ""),
            "data: x\ndata: \ndata: y\ndata: \ndata: z\ndata: \n\n");
}

TEST(FormatServerSentEvent, TextAfterALineEndCannotBecomeAFieldOrEndTheEvent) {
  std::string framed = FormatServerSentEvent("thinking", "ok\revent: forged\r\rdata: evil", "");
  EXPECT_EQ(framed, "event: thinking\ndata: ok\ndata: event: forged\ndata: \ndata: data: evil\n\n");
  // Only the final blank line ends the event: no other line is empty.
  EXPECT_EQ(framed.find("\n\n"), framed.size() - 2);
  EXPECT_EQ(framed.find('\r'), std::string::npos);
}

TEST(FormatServerSentEvent, CrAndLfAreRemovedFromEventNamesAndIds) {
  EXPECT_EQ(FormatServerSentEvent("a\r\nevent: forged", "d", "1\rid: 2\n"),
            "id: 1id: 2\nevent: aevent: forged\ndata: d\n\n");
  // A NUL would make clients ignore the id; it is dropped from ids (and kept out of nothing else).
  EXPECT_EQ(FormatServerSentEvent("", "d", std::string("7\0", 2)), "id: 7\ndata: d\n\n");
}

TEST(ErrorResponse, MapsCodesAndAddsRetryAfterTo503) {
  auto r = ErrorResponse(absl::UnavailableError("store down"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "{\"error\":{\"code\":\"unavailable\",\"message\":\"store down\"}}");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Retry-After");
}

}  // namespace
}  // namespace awoooi::server
