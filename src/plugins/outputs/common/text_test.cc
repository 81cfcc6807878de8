#include "plugins/outputs/common/text.h"

#include <gtest/gtest.h>

namespace awoooi::plugins::outputs {
namespace {

const std::string kEllipsis = "\xE2\x80\xA6";

TEST(FitText, ShortTextIsUnchanged) {
  EXPECT_EQ(FitText("資料庫連線逾時", 7), "資料庫連線逾時");
  EXPECT_EQ(FitText("", 10), "");
}

TEST(FitText, CutsBetweenCharactersAndMarksTheCut) {
  // Seven characters of three bytes each: a byte-based cut would split one.
  std::string cut = FitText("資料庫連線逾時", 5);
  EXPECT_EQ(cut, "資料庫連" + kEllipsis);
  EXPECT_EQ(Utf16Units(cut), 5u);
}

TEST(FitText, CountsCharactersOutsideTheBmpAsTwoUnits) {
  // U+1F525 is two UTF-16 units, as JavaScript-based limits count it.
  std::string fire = "\xF0\x9F\x94\xA5";
  EXPECT_EQ(Utf16Units(fire + fire), 4u);
  EXPECT_EQ(FitText(fire + fire + fire, 4), fire + kEllipsis);
}

TEST(FitText, NeverSplitsAnEscape) {
  Escaper amp = [](char32_t cp, std::string_view utf8, std::string* out) {
    if (cp == '&')
      *out += "&amp;";
    else
      out->append(utf8);
  };
  EXPECT_EQ(FitText("a&b", 10, amp), "a&amp;b");
  // "a&amp;" is 6 units; with the ellipsis a 6-unit budget keeps only "a".
  EXPECT_EQ(FitText("a&b", 6, amp), "a" + kEllipsis);
}

TEST(FitText, ReplacesInvalidUtf8) { EXPECT_EQ(FitText("ok\xFF\xC3", 10), "ok\xEF\xBF\xBD\xEF\xBF\xBD"); }

TEST(OneLine, TurnsLineBreaksAndControlsIntoSingleSpaces) {
  EXPECT_EQ(OneLine("  Disk full\r\nBcc: victim@example.com\t\x01 end  "),
            "Disk full Bcc: victim@example.com end");
  EXPECT_EQ(OneLine("a\xE2\x80\xA8"
                    "b"),
            "a b");  // U+2028 LINE SEPARATOR
}

TEST(HtmlEscape, EscapesMarkupAndQuotes) {
  EXPECT_EQ(HtmlEscape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
}

TEST(IsSafeLink, AcceptsOnlyPlainHttpUrls) {
  EXPECT_TRUE(IsSafeLink("https://awoooi.example.com/approvals/7"));
  EXPECT_TRUE(IsSafeLink("http://127.0.0.1:8080/incidents/1"));
  EXPECT_FALSE(IsSafeLink("javascript:alert(1)"));
  EXPECT_FALSE(IsSafeLink("https://x.example/\"><script>"));
  EXPECT_FALSE(IsSafeLink("https://x.example/a b"));
  EXPECT_FALSE(IsSafeLink(""));
}

}  // namespace
}  // namespace awoooi::plugins::outputs
