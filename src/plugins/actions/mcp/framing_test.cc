#include "plugins/actions/mcp/framing.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace awoooi::mcp {
namespace {

using ::testing::ElementsAre;

TEST(LineFramer, SplitsMessagesOnNewlinesAcrossChunks) {
  LineFramer f;
  std::vector<std::string> lines;
  ASSERT_TRUE(f.Feed("{\"a\":1}\n{\"b\"", &lines).ok());
  ASSERT_TRUE(f.Feed(":2}\r\n\n{\"c\":3}", &lines).ok());
  EXPECT_THAT(lines, ElementsAre("{\"a\":1}", "{\"b\":2}"));
  EXPECT_EQ(f.pending(), 7u);
  ASSERT_TRUE(f.Feed("\n", &lines).ok());
  EXPECT_THAT(lines, ElementsAre("{\"a\":1}", "{\"b\":2}", "{\"c\":3}"));
}

TEST(LineFramer, ALineOverTheCapIsAnErrorAndNothingMoreIsRead) {
  LineFramer f(16);
  std::vector<std::string> lines;
  ASSERT_TRUE(f.Feed("0123456789abcdef\n", &lines).ok());  // exactly the cap
  absl::Status s = f.Feed(std::string(10, 'x'), &lines);
  ASSERT_TRUE(s.ok());
  s = f.Feed(std::string(10, 'y'), &lines);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(s.message(), ::testing::HasSubstr("longer than 16 bytes"));
  EXPECT_EQ(f.pending(), 0u);  // the buffer is released
  EXPECT_FALSE(f.Feed("{}\n", &lines).ok());
  EXPECT_THAT(lines, ElementsAre("0123456789abcdef"));
}

TEST(LineFramer, TenMegabytesWithoutANewlineStopAtTheCap) {
  LineFramer f;  // 4 MiB
  std::vector<std::string> lines;
  std::string chunk(1 << 20, 'z');
  absl::Status s;
  int fed = 0;
  for (; fed < 10 && s.ok(); ++fed) s = f.Feed(chunk, &lines);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(fed, 5);  // the fifth mebibyte crosses 4 MiB
  EXPECT_TRUE(lines.empty());
}

TEST(SseParser, DispatchesEventsAtBlankLinesWithIdsAndRetry) {
  SseParser p;
  std::vector<SseEvent> events;
  ASSERT_TRUE(
      p.Feed(": keep-alive\nid: 1\nretry: 250\ndata: \n\nevent: message\ndata: {\"a\":\r\ndata: 1}\r\n\r\n",
             &events)
          .ok());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].data, "");  // the priming event
  EXPECT_EQ(events[0].id, "1");
  EXPECT_EQ(events[1].event, "message");
  EXPECT_EQ(events[1].data, "{\"a\":\n1}");
  EXPECT_EQ(events[1].id, "1");  // the last id stays in force
  EXPECT_EQ(p.retry_ms(), 250);
  EXPECT_EQ(p.last_event_id(), "1");
}

TEST(SseParser, GivesTheSameEventsWhateverTheChunking) {
  const std::string stream = "id: a\r\ndata: x\r\n\r\ndata:y\rdata: z\r\rid: b\ndata: w\n\n";
  SseParser whole;
  std::vector<SseEvent> expected;
  ASSERT_TRUE(whole.Feed(stream, &expected).ok());
  ASSERT_EQ(expected.size(), 3u);
  EXPECT_EQ(expected[1].data, "y\nz");
  SseParser bytewise;
  std::vector<SseEvent> got;
  for (char c : stream) ASSERT_TRUE(bytewise.Feed(std::string(1, c), &got).ok());
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].data, expected[i].data);
    EXPECT_EQ(got[i].id, expected[i].id);
  }
}

TEST(SseParser, AnEventOverTheCapIsAnError) {
  SseParser p(32);
  std::vector<SseEvent> events;
  absl::Status s =
      p.Feed("data: " + std::string(20, 'a') + "\ndata: " + std::string(20, 'b') + "\n\n", &events);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(events.empty());
}

}  // namespace
}  // namespace awoooi::mcp
