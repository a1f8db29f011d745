// NURBS evaluation (see nurbs.h).

#include "openscenario/internal/nurbs.h"

#include <algorithm>
#include <array>

namespace gauntlet::openscenario::internal {

std::string CheckNurbs(size_t points, const std::vector<double>& knots, int order) {
  if (order < 2) return "order must be at least 2";
  if (points < static_cast<size_t>(order))
    return "needs at least order (" + std::to_string(order) + ") control points, has " + std::to_string(points);
  if (knots.size() != points + static_cast<size_t>(order))
    return "needs control points + order = " + std::to_string(points + static_cast<size_t>(order)) + " knots, has " +
           std::to_string(knots.size());
  for (size_t i = 1; i < knots.size(); ++i)
    if (knots[i] < knots[i - 1]) return "knots must not decrease";
  if (!(knots[points] > knots[static_cast<size_t>(order) - 1])) return "the knots leave the curve no parameter range";
  return "";
}

NurbsValue EvaluateNurbs(const std::vector<NurbsControl>& control, const std::vector<double>& knots, int order,
                         double u) {
  const int p = order - 1;
  const int n = static_cast<int>(control.size());
  const auto kn = [&](int i) { return knots[static_cast<size_t>(i)]; };
  u = std::clamp(u, kn(p), kn(n));
  // the span [knots[k], knots[k + 1]) holding u (the last nonempty one at the end)
  int k = p;
  while (k + 1 < n && kn(k + 1) <= u) ++k;
  // de Boor on the homogeneous points (w x, w y, w)
  std::vector<std::array<double, 3>> d(static_cast<size_t>(p) + 1);
  for (int j = 0; j <= p; ++j) {
    const NurbsControl& c = control[static_cast<size_t>(j + k - p)];
    d[static_cast<size_t>(j)] = {c.weight * c.x, c.weight * c.y, c.weight};
  }
  for (int r = 1; r <= p; ++r)
    for (int j = p; j >= r; --j) {
      const double lo = kn(j + k - p), hi = kn(j + 1 + k - r);
      const double a = hi > lo ? (u - lo) / (hi - lo) : 0.0;
      auto& dj = d[static_cast<size_t>(j)];
      const auto& dm = d[static_cast<size_t>(j) - 1];
      for (size_t q = 0; q < 3; ++q) dj[q] = (1.0 - a) * dm[q] + a * dj[q];
    }
  const auto& h = d[static_cast<size_t>(p)];
  return {h[0] / h[2], h[1] / h[2], 0.0};
}

namespace {

/// The B-spline basis functions that are not zero at u: those of control points k - p .. k (k the span,
/// returned in *span), by Cox-de Boor's triangular scheme.
std::vector<double> Basis(size_t points, const std::vector<double>& knots, int order, double u, int* span) {
  const int p = order - 1;
  const int n = static_cast<int>(points);
  const auto kn = [&](int i) { return knots[static_cast<size_t>(i)]; };
  u = std::clamp(u, kn(p), kn(n));
  int k = p;
  while (k + 1 < n && kn(k + 1) <= u) ++k;
  std::vector<double> nb(static_cast<size_t>(p) + 1, 0.0), left(static_cast<size_t>(p) + 1), right(static_cast<size_t>(p) + 1);
  nb[0] = 1.0;
  for (int j = 1; j <= p; ++j) {
    left[static_cast<size_t>(j)] = u - kn(k + 1 - j);
    right[static_cast<size_t>(j)] = kn(k + j) - u;
    double saved = 0.0;
    for (int r = 0; r < j; ++r) {
      const double den = right[static_cast<size_t>(r) + 1] + left[static_cast<size_t>(j - r)];
      const double t = den > 0.0 ? nb[static_cast<size_t>(r)] / den : 0.0;
      nb[static_cast<size_t>(r)] = saved + right[static_cast<size_t>(r) + 1] * t;
      saved = left[static_cast<size_t>(j - r)] * t;
    }
    nb[static_cast<size_t>(j)] = saved;
  }
  *span = k;
  return nb;
}

}  // namespace

std::vector<double> BasisPeaks(size_t points, const std::vector<double>& knots, int order, int grid) {
  const double u0 = knots[static_cast<size_t>(order) - 1], u1 = knots[points];
  std::vector<double> peak(points, u0), best(points, 0.0);
  for (int i = 0; i <= grid; ++i) {
    const double u = i == grid ? u1 : u0 + (u1 - u0) * i / grid;
    int k = 0;
    const std::vector<double> b = Basis(points, knots, order, u, &k);
    for (size_t q = 0; q < b.size(); ++q) {
      const size_t j = static_cast<size_t>(k - order + 1) + q;
      if (b[q] > best[j]) {
        best[j] = b[q];
        peak[j] = u;
      }
    }
  }
  return peak;
}

std::vector<NurbsValue> SampleNurbs(const std::vector<NurbsControl>& control, const std::vector<double>& knots,
                                    int order, int count, int grid) {
  const double u0 = knots[static_cast<size_t>(order) - 1], u1 = knots[control.size()];
  const std::vector<double> peak = BasisPeaks(control.size(), knots, order, grid);
  std::vector<NurbsValue> out;
  out.reserve(static_cast<size_t>(count) + 1);
  size_t j = 0;  // the control point whose peak is at or before u (esmini's forward scan)
  for (int i = 0; i <= count; ++i) {
    const double u = i == count ? u1 : u0 + (u1 - u0) * i / count;
    NurbsValue v = EvaluateNurbs(control, knots, order, u);
    while (j + 2 < control.size() && u >= peak[j + 1]) ++j;
    if (control.size() >= 2) {
      const double span = peak[j + 1] - peak[j];
      const double w = span > 0.0 ? (u - peak[j]) / span : 1.0;
      v.time = control[j].time + w * (control[j + 1].time - control[j].time);
    } else {
      v.time = control[0].time;
    }
    out.push_back(v);
  }
  return out;
}

}  // namespace gauntlet::openscenario::internal
