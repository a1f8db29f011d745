#include "core/text.h"

#include <gtest/gtest.h>

#include <string>

namespace gauntlet::core {
namespace {

TEST(TextTest, ShortTextIsQuotedWhole) {
  EXPECT_EQ(Excerpt("abc"), "abc");
  EXPECT_EQ(Quote("abc"), "'abc'");
  EXPECT_EQ(Quote(std::string(kMaxExcerpt, 'x')), "'" + std::string(kMaxExcerpt, 'x') + "'");
}

TEST(TextTest, LongTextKeepsItsEndsAndSaysHowLongItIs) {
  const std::string cell = std::string(5'000'000, 'a') + "tail-end-xyz";
  EXPECT_EQ(Quote(cell), "'" + std::string(48, 'a') + "...tail-end-xyz' (5000012 bytes)");
  EXPECT_LE(Quote(cell).size(), 100u);
}

TEST(TextTest, ControlCharactersAndBrokenUtf8AreEscaped) {
  EXPECT_EQ(Excerpt("a\nb\tc\r\x01"), "a\\nb\\tc\\r\\x01");
  EXPECT_EQ(Excerpt("caf\xc3\xa9"), "caf\xc3\xa9");  // UTF-8 stays as it is
  EXPECT_EQ(Excerpt("bad\xff\xc3"), "bad\\xff\\xc3");
}

TEST(TextTest, ACutNeverSplitsACharacter) {
  // 47 ASCII bytes, then 2-byte characters: the cut at byte 48 would fall inside one
  std::string utf8 = std::string(47, 'a');
  for (int i = 0; i < 20; ++i) utf8 += "\xc3\xa9";
  const std::string excerpt = Excerpt(utf8);
  EXPECT_FALSE(FirstInvalidUtf8(excerpt).has_value()) << excerpt;
  EXPECT_EQ(excerpt.substr(0, 50), std::string(47, 'a') + "...");
}

TEST(TextTest, FindsTheFirstByteThatIsNotUtf8) {
  EXPECT_FALSE(FirstInvalidUtf8("plain ascii").has_value());
  EXPECT_FALSE(FirstInvalidUtf8("\xe2\x82\xac \xf0\x9f\x98\x80").has_value());  // euro sign, emoji
  EXPECT_EQ(FirstInvalidUtf8("ab\xff"), 2u);
  EXPECT_EQ(FirstInvalidUtf8("ab\xc3"), 2u);                 // truncated
  EXPECT_EQ(FirstInvalidUtf8("\xc0\xaf"), 0u);               // overlong '/'
  EXPECT_EQ(FirstInvalidUtf8("x\xed\xa0\x80"), 1u);          // a surrogate
  EXPECT_EQ(FirstInvalidUtf8("\xf4\x90\x80\x80"), 0u);       // above U+10FFFF
}

}  // namespace
}  // namespace gauntlet::core
