#include "sim/internal/footprint_geometry.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "core/rng.h"

namespace gauntlet::sim::internal {
namespace {

// ---- naive reference: general polygon code, no rectangle shortcuts ----

struct P {
  double x, y;
};
using Quad = std::array<P, 4>;

Quad Corners(const Footprint& f) {
  const double c = std::cos(f.heading_rad);
  const double s = std::sin(f.heading_rad);
  Quad q;
  const double signs[4][2] = {{1, 1}, {-1, 1}, {-1, -1}, {1, -1}};  // counter-clockwise
  for (int i = 0; i < 4; ++i) {
    const double lx = signs[i][0] * f.half_length_m;
    const double ly = signs[i][1] * f.half_width_m;
    q[static_cast<size_t>(i)] = {f.x_m + lx * c - ly * s, f.y_m + lx * s + ly * c};
  }
  return q;
}

double Cross(P o, P a, P b) { return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x); }

double PointSegment(P p, P a, P b) {
  const double vx = b.x - a.x, vy = b.y - a.y;
  const double l2 = vx * vx + vy * vy;
  double t = l2 > 0 ? ((p.x - a.x) * vx + (p.y - a.y) * vy) / l2 : 0.0;
  t = std::clamp(t, 0.0, 1.0);
  return std::hypot(p.x - (a.x + t * vx), p.y - (a.y + t * vy));
}

bool SegmentsCross(P a, P b, P c, P d) {
  const double d1 = Cross(c, d, a), d2 = Cross(c, d, b), d3 = Cross(a, b, c), d4 = Cross(a, b, d);
  return ((d1 > 0) != (d2 > 0)) && ((d3 > 0) != (d4 > 0)) && d1 != 0 && d2 != 0 && d3 != 0 && d4 != 0;
}

double SegmentSegment(P a, P b, P c, P d) {
  if (SegmentsCross(a, b, c, d)) return 0.0;
  return std::min({PointSegment(a, c, d), PointSegment(b, c, d), PointSegment(c, a, b), PointSegment(d, a, b)});
}

bool Inside(P p, const Quad& q) {
  for (size_t i = 0; i < 4; ++i)
    if (Cross(q[i], q[(i + 1) % 4], p) < 0) return false;
  return true;
}

// The shortest translation along the normal of each of the 8 edges that separates the projections
// (when one projection holds the other, more than their overlap); the minimum over the edges.
double SatPenetration(const Quad& a, const Quad& b) {
  double best = std::numeric_limits<double>::infinity();
  for (const Quad* poly : {&a, &b}) {
    for (size_t i = 0; i < 4; ++i) {
      const P e{(*poly)[(i + 1) % 4].x - (*poly)[i].x, (*poly)[(i + 1) % 4].y - (*poly)[i].y};
      const double n = std::hypot(e.x, e.y);
      const P axis{-e.y / n, e.x / n};
      double amin = 1e300, amax = -1e300, bmin = 1e300, bmax = -1e300;
      for (const P& p : a) {
        amin = std::min(amin, p.x * axis.x + p.y * axis.y);
        amax = std::max(amax, p.x * axis.x + p.y * axis.y);
      }
      for (const P& p : b) {
        bmin = std::min(bmin, p.x * axis.x + p.y * axis.y);
        bmax = std::max(bmax, p.x * axis.x + p.y * axis.y);
      }
      best = std::min(best, std::min(amax - bmin, bmax - amin));
    }
  }
  return best;
}

double NaiveClearance(const Footprint& fa, const Footprint& fb) {
  const Quad a = Corners(fa);
  const Quad b = Corners(fb);
  bool intersect = false;
  for (const P& p : a) intersect = intersect || Inside(p, b);
  for (const P& p : b) intersect = intersect || Inside(p, a);
  double distance = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < 4; ++i)
    for (size_t j = 0; j < 4; ++j) distance = std::min(distance, SegmentSegment(a[i], a[(i + 1) % 4], b[j], b[(j + 1) % 4]));
  if (intersect || distance == 0.0) return -SatPenetration(a, b);
  return distance;
}

Footprint RandomFootprint(core::Rng& rng, double spread) {
  Footprint f;
  f.x_m = rng.Uniform(-spread, spread);
  f.y_m = rng.Uniform(-spread, spread);
  f.heading_rad = rng.Uniform(-4.0, 4.0);
  f.half_length_m = rng.Uniform(0.05, 3.0);
  f.half_width_m = rng.Uniform(0.05, 1.5);
  if (rng.Uniform(0.0, 1.0) < 0.1) f.heading_rad = std::round(f.heading_rad / (0.5 * std::numbers::pi)) * 0.5 * std::numbers::pi;
  return f;
}

TEST(FootprintGeometryTest, MatchesTheNaivePolygonReferenceOnRandomPosePairs) {
  core::Rng rng(1401);
  int apart = 0;
  int overlapping = 0;
  for (int trial = 0; trial < 120000; ++trial) {
    const double spread = trial % 3 == 0 ? 1.0 : (trial % 3 == 1 ? 4.0 : 12.0);
    const Footprint a = RandomFootprint(rng, spread);
    const Footprint b = RandomFootprint(rng, spread);
    const double fast = SignedClearance(a, b);
    const double naive = NaiveClearance(a, b);
    ASSERT_NEAR(fast, naive, 1e-9) << trial;
    ASSERT_EQ(fast <= 0.0, naive <= 0.0) << trial;
    ASSERT_NEAR(SignedClearance(b, a), fast, 1e-9) << trial;  // symmetric
    (fast > 0 ? apart : overlapping)++;
  }
  EXPECT_GT(apart, 20000);
  EXPECT_GT(overlapping, 20000);
}

TEST(FootprintGeometryTest, NearTouchingPairsGetTheRightSign) {
  // slide b towards a along a random direction; bisect (with the reference) for the touching
  // translation, then test just short of it and just past it
  core::Rng rng(1402);
  for (int trial = 0; trial < 20000; ++trial) {
    const Footprint a = RandomFootprint(rng, 0.0);
    Footprint b = RandomFootprint(rng, 0.0);
    const double angle = rng.Uniform(-4.0, 4.0);
    const double ux = std::cos(angle), uy = std::sin(angle);
    auto at = [&](double t) {
      Footprint moved = b;
      moved.x_m += t * ux;
      moved.y_m += t * uy;
      return moved;
    };
    double lo = 0.0, hi = 20.0;  // overlapping at 0, apart at 20
    for (int i = 0; i < 60; ++i) {
      const double mid = 0.5 * (lo + hi);
      (NaiveClearance(a, at(mid)) > 0.0 ? hi : lo) = mid;
    }
    const double eps = 1e-7;
    const double outside = SignedClearance(a, at(hi + eps));
    const double inside = SignedClearance(a, at(lo - eps));
    ASSERT_GT(outside, 0.0) << trial;
    ASSERT_LT(outside, 2e-7) << trial;
    ASSERT_LE(inside, 0.0) << trial;
    ASSERT_GT(inside, -2e-7) << trial;
  }
}

TEST(FootprintGeometryTest, ClosedFormCases) {
  const Footprint car{0.0, 0.0, 0.0, 2.25, 0.9};
  EXPECT_DOUBLE_EQ(SignedClearance(car, {10.0, 0.0, 0.0, 0.1, 0.1}), 7.65);
  EXPECT_DOUBLE_EQ(SignedClearance(car, {0.0, 3.0, 0.0, 2.25, 0.9}), 1.2);
  EXPECT_DOUBLE_EQ(SignedClearance(car, {4.0, 0.0, 0.0, 2.25, 0.9}), -0.5);  // pushed back 0.5 m
  EXPECT_DOUBLE_EQ(SignedClearance(car, {4.5, 0.0, 0.0, 2.25, 0.9}), 0.0);   // bumpers touch
  // corner to corner: 3 m and 4 m apart along the axes
  EXPECT_NEAR(SignedClearance(car, {2.25 + 3.0 + 0.5, 0.9 + 4.0 + 0.5, 0.0, 0.5, 0.5}), 5.0, 1e-12);
  // a diamond whose tip points at the bumper
  const double tip = 0.5 * std::sqrt(2.0);
  EXPECT_NEAR(SignedClearance(car, {2.25 + 1.0 + tip, 0.0, 0.25 * std::numbers::pi, 0.5, 0.5}), 1.0, 1e-12);
}

TEST(FootprintGeometryTest, SweepFindsTheContactAPostTunnelsThrough) {
  // an 80 m/s car (4.5 m) passes a 0.2 m post within one 0.1 s step: no end of the step touches
  const Footprint post{50.0, 0.0, 0.0, 0.1, 0.1};
  const Footprint before{45.0, 0.0, 0.0, 2.25, 0.9};
  const Footprint after{53.0, 0.0, 0.0, 2.25, 0.9};
  ASSERT_GT(SignedClearance(before, post), 0.0);
  ASSERT_GT(SignedClearance(after, post), 0.0);
  const std::optional<Sweep> sweep = SweepContact(before, after, post, post);
  ASSERT_TRUE(sweep.has_value());
  // the bumper (47.25 at u = 0) reaches the post's face (49.9) after 2.65 m of 8 m
  EXPECT_NEAR(sweep->fraction, 2.65 / 8.0, 1e-6);
  EXPECT_LT(sweep->clearance, -0.1);  // in the middle of the contact the post is fully inside
  // the same seen from the post, and a miss 1 m to the side
  const std::optional<Sweep> swapped = SweepContact(post, post, before, after);
  ASSERT_TRUE(swapped.has_value());
  EXPECT_NEAR(swapped->fraction, 2.65 / 8.0, 1e-6);
  const Footprint aside{50.0, 2.0, 0.0, 0.1, 0.1};
  EXPECT_FALSE(SweepContact(before, after, aside, aside).has_value());
}

TEST(FootprintGeometryTest, SweepAgreesWithDenseSamplingOnRandomMotions) {
  core::Rng rng(1403);
  int hits = 0;
  for (int trial = 0; trial < 700; ++trial) {
    const Footprint a0 = RandomFootprint(rng, 6.0);
    const Footprint b0 = RandomFootprint(rng, 6.0);
    Footprint a1 = a0, b1 = b0;
    a1.x_m += rng.Uniform(-10, 10);
    a1.y_m += rng.Uniform(-10, 10);
    a1.heading_rad += rng.Uniform(-0.5, 0.5);
    b1.x_m += rng.Uniform(-3, 3);
    b1.heading_rad += rng.Uniform(-0.5, 0.5);
    if (SignedClearance(a0, b0) <= 0.0) continue;
    // dense sampling of the interpolated motion: the first sample with contact
    double first = -1.0;
    const int n = 4000;
    for (int i = 0; i <= n; ++i) {
      const double u = static_cast<double>(i) / n;
      const double c = NaiveClearance(Interpolate(a0, a1, u), Interpolate(b0, b1, u));
      if (c <= 0.0 && first < 0.0) first = u;
    }
    const std::optional<Sweep> sweep = SweepContact(a0, a1, b0, b1);
    if (first < 0.0) {
      // no sample touches: the sweep may find only a contact shorter than the sampling step
      if (sweep) {
        EXPECT_GT(sweep->clearance, -1e-3) << trial;
      }
      continue;
    }
    ++hits;
    ASSERT_TRUE(sweep.has_value()) << trial;
    EXPECT_LE(sweep->fraction, first + 1e-12) << trial;
    EXPECT_GT(sweep->fraction, first - 2.0 / n) << trial;
    EXPECT_LE(sweep->clearance, 0.0) << trial;
  }
  EXPECT_GT(hits, 70);
}

}  // namespace
}  // namespace gauntlet::sim::internal
