#include "scenarios/generators/gaussian_process.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace gauntlet::scenarios {
namespace {

// Matern 5/2 between the columns of a and b (already divided by the length scales).
Eigen::MatrixXd Kernel(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  Eigen::MatrixXd k(a.cols(), b.cols());
  for (Eigen::Index j = 0; j < b.cols(); ++j) {
    for (Eigen::Index i = 0; i < a.cols(); ++i) {
      const double r = std::sqrt(5.0 * (a.col(i) - b.col(j)).squaredNorm());
      k(i, j) = (1.0 + r + r * r / 3.0) * std::exp(-r);
    }
  }
  return k;
}

}  // namespace

GaussianProcess::GaussianProcess(const std::vector<Eigen::VectorXd>& points, const std::vector<double>& values,
                                 const Eigen::VectorXd& length_scales)
    : inverse_length_(length_scales.cwiseInverse()) {
  x_ = Scaled(points);
  const Eigen::MatrixXd k = Kernel(x_, x_);
  for (double nugget = 1e-8; nugget <= 1e-2; nugget *= 10.0) {
    llt_.compute(k + nugget * Eigen::MatrixXd::Identity(k.rows(), k.cols()));
    if (llt_.info() == Eigen::Success) {
      nugget_ = nugget;
      break;
    }
  }
  if (llt_.info() != Eigen::Success || points.empty()) return;
  y_ = Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
  alpha_ = llt_.solve(y_);
  log_likelihood_ = -0.5 * y_.dot(alpha_) - Eigen::MatrixXd(llt_.matrixL()).diagonal().array().log().sum();
}

Eigen::MatrixXd GaussianProcess::Scaled(const std::vector<Eigen::VectorXd>& points) const {
  Eigen::MatrixXd out(inverse_length_.size(), static_cast<Eigen::Index>(points.size()));
  for (size_t j = 0; j < points.size(); ++j) out.col(static_cast<Eigen::Index>(j)) = points[j].cwiseProduct(inverse_length_);
  return out;
}

GaussianProcess::Prediction GaussianProcess::Predict(const std::vector<Eigen::VectorXd>& candidates) const {
  Prediction p;
  const Eigen::Index c = static_cast<Eigen::Index>(candidates.size());
  p.mean = Eigen::VectorXd::Zero(c);
  p.variance = Eigen::VectorXd::Constant(c, 1.0 + nugget_);
  if (!ok()) return p;
  p.v = llt_.matrixL().solve(Kernel(x_, Scaled(candidates)));
  p.mean = p.v.transpose() * llt_.matrixL().solve(y_);
  p.variance -= p.v.colwise().squaredNorm().transpose();
  return p;
}

void GaussianProcess::Believe(const std::vector<Eigen::VectorXd>& candidates, Eigen::Index chosen,
                              Prediction* p) const {
  if (!ok()) return;
  // the Cholesky factor gains the row [l^T d] with l = L^-1 k(points, x*), d^2 = k(x*, x*) + nugget - l^T l
  const Eigen::VectorXd l = p->v.col(chosen);
  const double d = std::sqrt(std::max(1.0 + nugget_ - l.squaredNorm(), nugget_));
  const Eigen::MatrixXd scaled = Scaled(candidates);
  const Eigen::VectorXd k_new = Kernel(scaled.col(chosen), scaled).row(0).transpose();
  const Eigen::VectorXd u = (k_new - p->v.transpose() * l) / d;
  p->v.conservativeResize(p->v.rows() + 1, Eigen::NoChange);
  p->v.row(p->v.rows() - 1) = u.transpose();
  p->variance -= u.cwiseAbs2();
}

Eigen::VectorXd GaussianProcess::ExpectedImprovement(const Prediction& p, double best) {
  Eigen::VectorXd ei(p.mean.size());
  for (Eigen::Index j = 0; j < p.mean.size(); ++j) {
    const double sd = std::sqrt(std::max(p.variance[j], 1e-12));
    const double z = (best - p.mean[j]) / sd;
    const double cdf = 0.5 * std::erfc(-z / std::numbers::sqrt2);
    const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi);
    ei[j] = (best - p.mean[j]) * cdf + sd * pdf;
  }
  return ei;
}

Eigen::VectorXd GaussianProcess::FitLengthScales(const std::vector<Eigen::VectorXd>& points,
                                                 const std::vector<double>& values) {
  static constexpr double kGrid[] = {0.05, 0.08, 0.12, 0.18, 0.27, 0.4, 0.6, 0.9, 1.4, 2.0};
  const Eigen::Index n = points.empty() ? 0 : points.front().size();
  double best = -std::numeric_limits<double>::infinity();
  Eigen::VectorXd chosen = Eigen::VectorXd::Constant(n, 0.3);
  auto consider = [&](const Eigen::VectorXd& scale) {
    const double ll = GaussianProcess(points, values, scale).log_likelihood();
    if (ll > best) {
      best = ll;
      chosen = scale;
    }
  };
  for (double l : kGrid) consider(Eigen::VectorXd::Constant(n, l));
  for (int sweep = 0; sweep < 2; ++sweep) {
    for (Eigen::Index i = 0; i < n; ++i) {
      for (double l : kGrid) {
        Eigen::VectorXd scale = chosen;
        scale[i] = l;
        consider(scale);
      }
    }
  }
  return chosen;
}

}  // namespace gauntlet::scenarios
