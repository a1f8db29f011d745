#include "core/units.h"

#include <gtest/gtest.h>

#include <numbers>

namespace gauntlet::core {
namespace {

TEST(UnitsTest, ParsesQuantities) {
  std::string error;
  EXPECT_DOUBLE_EQ(*ParseQuantity("50 km/h", &error), 50.0 / 3.6);
  EXPECT_DOUBLE_EQ(*ParseQuantity("12", &error), 12.0);
  EXPECT_DOUBLE_EQ(*ParseQuantity("-6 m/s^2", &error), -6.0);
  EXPECT_DOUBLE_EQ(*ParseQuantity("1000ft", &error), 304.8);
  EXPECT_DOUBLE_EQ(*ParseQuantity("90 deg", &error), std::numbers::pi / 2);
  EXPECT_DOUBLE_EQ(*ParseQuantity("1.5e1 m", &error), 15.0);
}

TEST(UnitsTest, ReportsUnknownUnitsWithSuggestion) {
  std::string error;
  EXPECT_FALSE(ParseQuantity("50 km/hr", &error));
  EXPECT_EQ(error, "unknown unit 'km/hr' (did you mean 'km/h'?)");
  EXPECT_FALSE(ParseQuantity("fast", &error));
  EXPECT_EQ(error, "'fast' is not a number");
}

}  // namespace
}  // namespace gauntlet::core
