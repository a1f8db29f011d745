#include "core/suggest.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gauntlet::core {
namespace {

TEST(SuggestTest, EditDistance) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("speed", "speed"), 0u);
  EXPECT_EQ(EditDistance("sped", "speed"), 1u);
  EXPECT_EQ(EditDistance("spede", "speed"), 1u);  // adjacent swap
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

TEST(SuggestTest, SuggestsOnlyPlausibleTypos) {
  const std::vector<std::string> keys = {"speed", "lane", "behaviours", "name"};
  EXPECT_EQ(DidYouMean("sped", keys), " (did you mean 'speed'?)");
  EXPECT_EQ(DidYouMean("behaviors", keys), " (did you mean 'behaviours'?)");
  EXPECT_EQ(DidYouMean("colour", keys), "");
  EXPECT_EQ(QuotedList(keys), "'speed', 'lane', 'behaviours', 'name'");
}

}  // namespace
}  // namespace gauntlet::core
