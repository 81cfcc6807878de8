#include "brain/stream_parsers.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "brain/llm_reasoner.h"

namespace awoooi::brain {
namespace {

std::vector<SseEvent> ParseSplitAt(std::string_view text, std::size_t cut) {
  SseParser p;
  std::vector<SseEvent> out;
  auto on = [&](const SseEvent& e) { out.push_back(e); };
  p.Feed(text.substr(0, cut), on);
  p.Feed(text.substr(cut), on);
  return out;
}

TEST(SseParserTest, EverySplitPointGivesTheSameEvents) {
  std::string text =
      "event: a\r\ndata: {\"x\":\"→\"}\r\n\r\n: keep-alive\n\ndata: line1\ndata: line2\n\nevent: b\rdata: "
      "z\r\r";
  auto whole = ParseSplitAt(text, text.size());
  ASSERT_EQ(whole.size(), 3u);
  EXPECT_EQ(whole[0].event, "a");
  EXPECT_EQ(whole[0].data, "{\"x\":\"→\"}");
  EXPECT_EQ(whole[1].data, "line1\nline2");
  EXPECT_EQ(whole[2].event, "b");
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    auto split = ParseSplitAt(text, cut);
    ASSERT_EQ(split.size(), whole.size()) << cut;
    for (std::size_t i = 0; i < split.size(); ++i) {
      EXPECT_EQ(split[i].event, whole[i].event) << cut;
      EXPECT_EQ(split[i].data, whole[i].data) << cut;
    }
  }
}

TEST(SseParserTest, RecordedOpenAiAndAnthropicStreamsParseByteByByte) {
  for (const char* name : {"openai_stream.txt", "anthropic_stream.txt"}) {
    std::ifstream in(std::string(AWOOOI_SOURCE_DIR) + "/test/testdata/brain/" + name, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    std::string text = s.str();
    ASSERT_FALSE(text.empty()) << name;
    SseParser whole, bytewise;
    std::vector<std::string> a, b;
    whole.Feed(text, [&](const SseEvent& e) { a.push_back(e.event + "|" + e.data); });
    for (char c : text)
      bytewise.Feed(std::string_view(&c, 1), [&](const SseEvent& e) { b.push_back(e.event + "|" + e.data); });
    EXPECT_GT(a.size(), 20u) << name;
    EXPECT_EQ(a, b) << name;
  }
}

TEST(LineSplitterTest, SplitsNdjsonAcrossChunksAndKeepsTheUnterminatedTail) {
  LineSplitter s;
  std::vector<std::string> lines;
  auto on = [&](std::string_view l) { lines.emplace_back(l); };
  s.Feed("{\"a\":1}\r\n{\"b\"", on);
  s.Feed(":2}\n\n{\"c\":3}", on);
  EXPECT_EQ(lines, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
  EXPECT_EQ(s.rest(), "{\"c\":3}");
}

TEST(RetryAfterTest, SecondsAndHttpDates) {
  EXPECT_EQ(ParseRetryAfterMs("2"), 2000);
  EXPECT_EQ(ParseRetryAfterMs(""), -1);
  EXPECT_EQ(ParseRetryAfterMs("soon"), -1);
  EXPECT_EQ(ParseRetryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT"), 0);  // in the past: retry now
}

}  // namespace
}  // namespace awoooi::brain
