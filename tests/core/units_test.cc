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

TEST(UnitsTest, AFieldNameAnnouncesItsDimension) {
  EXPECT_EQ(DimensionOfField("world.duration_s"), Dimension::kTime);
  EXPECT_EQ(DimensionOfField("world.actors[3].speed_mps"), Dimension::kSpeed);
  EXPECT_EQ(DimensionOfField("max_decel_mps2"), Dimension::kAcceleration);
  EXPECT_EQ(DimensionOfField("a.heading_rad"), Dimension::kAngle);
  EXPECT_EQ(DimensionOfField("a.max_turn_rate_radps"), Dimension::kAngularRate);
  EXPECT_EQ(DimensionOfField("road.roads[0].segments[1].curvature_1pm"), Dimension::kCurvature);
  EXPECT_EQ(DimensionOfField("a.points[2].time_s"), Dimension::kTime);
  EXPECT_EQ(DimensionOfField("world.actors[0].s_m"), Dimension::kLength);
  EXPECT_EQ(DimensionOfField("formal.output_bounds[0].input_lo[2]"), std::nullopt);
  EXPECT_EQ(DimensionOfField("friction"), std::nullopt);
  EXPECT_EQ(DimensionOfField("_s"), std::nullopt);
}

TEST(UnitsTest, AUnitOfAnotherDimensionIsAnErrorThatNamesBoth) {
  std::string error;
  EXPECT_FALSE(ParseQuantity("4 m", Dimension::kTime, &error));
  EXPECT_EQ(error, "unit 'm' is a length, not a time; use 's', 'ms', 'min' (or a plain number in SI units)");
  EXPECT_FALSE(ParseQuantity("20 km", Dimension::kSpeed, &error));
  EXPECT_EQ(error,
            "unit 'km' is a length, not a speed; use 'm/s', 'km/h', 'kph', 'mph', 'ft/s', 'kn' (or a plain number in "
            "SI units)");
  EXPECT_FALSE(ParseQuantity("3 deg", Dimension::kAcceleration, &error));
  EXPECT_EQ(error, "unit 'deg' is an angle, not an acceleration; use 'm/s^2', 'm/s2', 'g' (or a plain number in SI "
                   "units)");
  EXPECT_DOUBLE_EQ(*ParseQuantity("4", Dimension::kSpeed, &error), 4.0);  // plain numbers are SI
  EXPECT_DOUBLE_EQ(*ParseQuantity("36 km/h", Dimension::kSpeed, &error), 10.0);
}

TEST(UnitsTest, OverflowIsNamedAsSuch) {
  std::string error;
  EXPECT_FALSE(ParseQuantity("1e308 km", &error));
  EXPECT_EQ(error, "'1e308 km' overflows: it is beyond the largest finite number (about 1.8e308) in SI units");
  EXPECT_FALSE(ParseQuantity("1e999", &error));
  EXPECT_EQ(error, "'1e999' is too large: it is beyond the largest finite number (about 1.8e308)");
  EXPECT_FALSE(ParseQuantity("1e-999 s", &error));
  EXPECT_EQ(error, "'1e-999 s' is too small: it is below the smallest positive number (about 4.9e-324)");
  EXPECT_FALSE(ParseQuantity("inf", &error));
  EXPECT_EQ(error, "'inf' is not a finite number");
}

TEST(UnitsTest, ALongBadQuantityIsQuotedAsAnExcerpt) {
  std::string error;
  EXPECT_FALSE(ParseQuantity(std::string(100000, 'x'), &error));
  EXPECT_EQ(error, "'" + std::string(48, 'x') + "..." + std::string(12, 'x') + "' (100000 bytes) is not a number");
}

}  // namespace
}  // namespace gauntlet::core
