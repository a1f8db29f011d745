// planView geometry against closed forms and against numeric integration of the curvature.

#include "opendrive/internal/curve.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

namespace gauntlet::opendrive::internal {
namespace {

constexpr double kPi = std::numbers::pi;

// Heading difference wrapped to (-pi, pi].
double AngleDiff(double a, double b) { return WrapAngle(a - b); }

// The pose ds along a curve whose heading is h(u) = h0 + k0 u + c u^2 / 2, by composite Simpson
// integration with n steps: an independent reference for the clothoid.
Pose SimpsonClothoid(double x0, double y0, double h0, double k0, double c, double ds, int n = 20000) {
  const auto heading = [&](double u) { return h0 + k0 * u + 0.5 * c * u * u; };
  const double step = ds / n;
  double sx = 0.0, sy = 0.0;
  for (int i = 0; i <= n; ++i) {
    const double w = (i == 0 || i == n) ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0);
    sx += w * std::cos(heading(i * step));
    sy += w * std::sin(heading(i * step));
  }
  return {x0 + sx * step / 3.0, y0 + sy * step / 3.0, WrapAngle(heading(ds)), k0 + c * ds};
}

Geometry Make(Geometry::Kind kind, double x, double y, double h, double length) {
  Geometry g;
  g.kind = kind;
  g.x = x;
  g.y = y;
  g.heading = h;
  g.length = length;
  return g;
}

TEST(Curve, LineEndPose) {
  const Curve c(Make(Geometry::Kind::kLine, 3.0, -2.0, 0.7, 50.0));
  const Pose p = c.At(50.0);
  EXPECT_NEAR(p.x, 3.0 + 50.0 * std::cos(0.7), 1e-12);
  EXPECT_NEAR(p.y, -2.0 + 50.0 * std::sin(0.7), 1e-12);
  EXPECT_NEAR(p.heading, 0.7, 1e-15);
  EXPECT_EQ(p.curvature, 0.0);
  // Clamped beyond the record.
  EXPECT_NEAR(c.At(80.0).x, p.x, 1e-12);
}

TEST(Curve, ArcMatchesTheCircleClosedFormOnRandomCases) {
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> k_dist(-0.2, 0.2), h_dist(-kPi, kPi), l_dist(0.1, 300.0);
  for (int i = 0; i < 500; ++i) {
    Geometry g = Make(Geometry::Kind::kArc, 10.0, 20.0, h_dist(rng), l_dist(rng));
    g.curvature = (i % 50 == 0) ? 1e-9 : k_dist(rng);
    const Curve c(g);
    const double ds = g.length * (i % 7) / 6.0;
    const double k = g.curvature;
    // centre of the circle, then the point at angle h - pi/2 + k ds around it
    const double cx = g.x - std::sin(g.heading) / k;
    const double cy = g.y + std::cos(g.heading) / k;
    const double ex = cx + std::sin(g.heading + k * ds) / k;
    const double ey = cy - std::cos(g.heading + k * ds) / k;
    const Pose p = c.At(ds);
    const double tol = (i % 50 == 0) ? 1e-6 : 1e-9;  // 1/k is huge for the near-straight arcs
    EXPECT_NEAR(p.x, ex, tol) << i;
    EXPECT_NEAR(p.y, ey, tol) << i;
    EXPECT_NEAR(AngleDiff(p.heading, g.heading + k * ds), 0.0, 1e-12) << i;
    EXPECT_EQ(p.curvature, k);
  }
}

TEST(Curve, ClothoidMatchesTheFresnelIntegrals) {
  // curvature from 0 to pi over length 1: the end is (C(1), S(1)) of the normalised Fresnel integrals.
  Geometry g = Make(Geometry::Kind::kSpiral, 0.0, 0.0, 0.0, 1.0);
  g.curv_start = 0.0;
  g.curv_end = kPi;
  const Pose p = Curve(g).At(1.0);
  EXPECT_NEAR(p.x, 0.7798934003768228, 1e-13);
  EXPECT_NEAR(p.y, 0.4382591473903548, 1e-13);
  EXPECT_NEAR(p.heading, kPi / 2.0, 1e-15);
  EXPECT_NEAR(p.curvature, kPi, 1e-15);
}

TEST(Curve, ClothoidMatchesNumericIntegrationOfTheCurvatureOnRandomCases) {
  std::mt19937_64 rng(1717);
  std::uniform_real_distribution<double> k_dist(-0.1, 0.1), h_dist(-kPi, kPi), l_dist(1.0, 400.0), u01(0.0, 1.0);
  for (int i = 0; i < 300; ++i) {
    Geometry g = Make(Geometry::Kind::kSpiral, 100.0 * u01(rng), -50.0 * u01(rng), h_dist(rng), l_dist(rng));
    g.curv_start = k_dist(rng);
    g.curv_end = (i % 3 == 0) ? 0.0 : k_dist(rng);
    if (i % 10 == 0) {
      g.curv_start *= 10.0;  // tight spirals turning several times
    }
    const Curve c(g);
    const double cr = (g.curv_end - g.curv_start) / g.length;
    for (const double f : {0.0, 0.37, 1.0}) {
      const double ds = g.length * f;
      const Pose p = c.At(ds);
      const Pose ref = SimpsonClothoid(g.x, g.y, g.heading, g.curv_start, cr, ds, 40000);
      EXPECT_NEAR(p.x, ref.x, 1e-6) << i << " at " << ds;
      EXPECT_NEAR(p.y, ref.y, 1e-6) << i << " at " << ds;
      EXPECT_NEAR(AngleDiff(p.heading, ref.heading), 0.0, 1e-12) << i;
      EXPECT_NEAR(p.curvature, ref.curvature, 1e-12) << i;
    }
  }
}

TEST(Curve, ClothoidWithConstantCurvatureIsTheArc) {
  Geometry s = Make(Geometry::Kind::kSpiral, 1.0, 2.0, 0.3, 120.0);
  s.curv_start = s.curv_end = 0.013;
  Geometry a = Make(Geometry::Kind::kArc, 1.0, 2.0, 0.3, 120.0);
  a.curvature = 0.013;
  for (const double ds : {0.0, 10.0, 77.7, 120.0}) {
    EXPECT_NEAR(Curve(s).At(ds).x, Curve(a).At(ds).x, 1e-10);
    EXPECT_NEAR(Curve(s).At(ds).y, Curve(a).At(ds).y, 1e-10);
  }
}

// Arc length of the plane curve (u(p), v(p)) from p0 to p1, by Simpson with many steps.
template <class Du, class Dv>
double SimpsonArc(Du du, Dv dv, double p0, double p1, int n = 20000) {
  const double step = (p1 - p0) / n;
  double sum = 0.0;
  for (int i = 0; i <= n; ++i) {
    const double w = (i == 0 || i == n) ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0);
    const double p = p0 + i * step;
    sum += w * std::hypot(du(p), dv(p));
  }
  return sum * step / 3.0;
}

TEST(Curve, ParamPoly3ArcLengthAndNormalizedAgree) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> small(-0.002, 0.002), len(10.0, 80.0);
  for (int i = 0; i < 50; ++i) {
    const double L = len(rng);
    Geometry a = Make(Geometry::Kind::kParamPoly3, 5.0, 6.0, 0.4, L);
    a.normalized = false;
    a.u = {0.0, 1.0, small(rng), small(rng) / L};
    a.v = {0.0, 0.0, small(rng) * 5.0, small(rng) / L};
    // the same curve with p in [0, 1]: coefficient of p^k times L^k
    Geometry n = a;
    n.normalized = true;
    n.u = {a.u.a, a.u.b * L, a.u.c * L * L, a.u.d * L * L * L};
    n.v = {a.v.a, a.v.b * L, a.v.c * L * L, a.v.d * L * L * L};
    const Curve ca(a), cn(n);
    EXPECT_NEAR(ca.curve_length(), cn.curve_length(), 1e-9);
    for (const double f : {0.0, 0.25, 0.5, 0.9, 1.0}) {
      const Pose pa = ca.At(L * f), pn = cn.At(L * f);
      EXPECT_NEAR(pa.x, pn.x, 1e-8);
      EXPECT_NEAR(pa.y, pn.y, 1e-8);
      EXPECT_NEAR(AngleDiff(pa.heading, pn.heading), 0.0, 1e-9);
    }
    // s is the true arc length, scaled so the record's end is the curve's end
    const auto du = [&](double p) { return a.u.Slope(p); };
    const auto dv = [&](double p) { return a.v.Slope(p); };
    const double total = SimpsonArc(du, dv, 0.0, L);
    EXPECT_NEAR(ca.curve_length(), total, 1e-8);
    // find p at half the arc by bisection on the reference arc length
    double lo = 0.0, hi = L;
    for (int k = 0; k < 60; ++k) {
      const double mid = 0.5 * (lo + hi);
      (SimpsonArc(du, dv, 0.0, mid, 2000) < 0.5 * total ? lo : hi) = mid;
    }
    const double p = 0.5 * (lo + hi);
    const Pose half = ca.At(0.5 * L);
    const double lx = a.u.Value(p), ly = a.v.Value(p);
    EXPECT_NEAR(half.x, 5.0 + lx * std::cos(0.4) - ly * std::sin(0.4), 1e-6);
    EXPECT_NEAR(half.y, 6.0 + lx * std::sin(0.4) + ly * std::cos(0.4), 1e-6);
    EXPECT_NEAR(AngleDiff(half.heading, 0.4 + std::atan2(a.v.Slope(p), a.u.Slope(p))), 0.0, 1e-6);
  }
}

TEST(Curve, ParamPoly3StraightLineIsExact) {
  Geometry g = Make(Geometry::Kind::kParamPoly3, 1.0, 1.0, kPi / 2.0, 40.0);
  g.normalized = true;
  g.u = {0.0, 40.0, 0.0, 0.0};
  const Pose p = Curve(g).At(12.0);
  EXPECT_NEAR(p.x, 1.0, 1e-12);
  EXPECT_NEAR(p.y, 13.0, 1e-9);
  EXPECT_NEAR(p.heading, kPi / 2.0, 1e-12);
  EXPECT_NEAR(p.curvature, 0.0, 1e-12);
}

TEST(Curve, Poly3RunsByArcLengthAlongTheCubic) {
  Geometry g = Make(Geometry::Kind::kPoly3, 0.0, 0.0, 0.0, 60.0);
  g.v = {0.5, 0.02, 0.001, -0.00001};
  const Curve c(g);
  const auto du = [](double) { return 1.0; };
  const auto dv = [&](double p) { return g.v.Slope(p); };
  EXPECT_NEAR(c.curve_length(), 60.0, 1e-9);
  for (const double ds : {0.0, 15.0, 30.0, 60.0}) {
    const Pose p = c.At(ds);
    EXPECT_NEAR(SimpsonArc(du, dv, 0.0, p.x), ds, 1e-7);  // u = x here
    EXPECT_NEAR(p.y, g.v.Value(p.x), 1e-12);
    EXPECT_NEAR(p.heading, std::atan(g.v.Slope(p.x)), 1e-12);
    const double v1 = g.v.Slope(p.x), v2 = 2.0 * g.v.c + 6.0 * g.v.d * p.x;
    EXPECT_NEAR(p.curvature, v2 / std::pow(1.0 + v1 * v1, 1.5), 1e-12);
  }
}

TEST(Curve, WrapAngle) {
  EXPECT_DOUBLE_EQ(WrapAngle(kPi), kPi);
  EXPECT_DOUBLE_EQ(WrapAngle(-kPi), kPi);
  EXPECT_NEAR(WrapAngle(3.0 * kPi + 0.1), -kPi + 0.1, 1e-12);
  EXPECT_NEAR(WrapAngle(-0.5), -0.5, 0.0);
}

}  // namespace
}  // namespace gauntlet::opendrive::internal
