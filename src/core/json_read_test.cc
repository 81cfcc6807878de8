#include "awoooi/core/json_read.h"

#include <gtest/gtest.h>

#include <string>

namespace awoooi {
namespace {

TEST(ReadStringObject, ReadsEveryStringMemberUnescaped) {
  LabelSet out;
  ASSERT_TRUE(
      ReadStringObject(R"({"alertname":"High\"Error\"Rate","summary":"5xx \u003e 15%","empty":""})", &out));
  EXPECT_EQ(out, (LabelSet{{"alertname", "High\"Error\"Rate"}, {"summary", "5xx > 15%"}, {"empty", ""}}));
}

TEST(ReadStringObject, SkipsValuesThatAreNotStringsAndKeepsTheLastOfARepeatedName) {
  LabelSet out;
  ASSERT_TRUE(ReadStringObject(R"({"a":1,"b":null,"c":{"d":"e"},"f":["g"],"h":"x","h":"y"})", &out));
  EXPECT_EQ(out, (LabelSet{{"h", "y"}}));
}

TEST(ReadStringObject, RefusesWhatIsNotAJsonObjectAndLeavesTheOutputAlone) {
  for (std::string text : {"", "[]", "\"a\"", "{\"a\":", "{\"a\":\"b\"} x", "{\"a\":\"\xff\"}"}) {
    LabelSet out{{"kept", "1"}};
    EXPECT_FALSE(ReadStringObject(text, &out)) << text;
    EXPECT_EQ(out, (LabelSet{{"kept", "1"}})) << text;
  }
}

TEST(ReadStringObject, ALargeDocumentDoesNotChangeTheNextResult) {
  std::string big = "{";
  for (int i = 0; i < 50'000; ++i) big += "\"k" + std::to_string(i) + "\":\"" + std::string(30, 'v') + "\",";
  big += "\"last\":\"1\"}";
  LabelSet out;
  ASSERT_TRUE(ReadStringObject(big, &out));
  EXPECT_EQ(out.size(), 50'001u);
  LabelSet small;
  ASSERT_TRUE(ReadStringObject(R"({"a":"b"})", &small));
  EXPECT_EQ(small, (LabelSet{{"a", "b"}}));
}

}  // namespace
}  // namespace awoooi
