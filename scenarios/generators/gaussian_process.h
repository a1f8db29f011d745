#pragma once
// A Gaussian process over points of the unit cube, as Bayesian optimisation (adversarial_search.h)
// uses it: Matern 5/2 kernel with one length scale per coordinate, unit signal variance (the values
// are standardised by the caller), and a nugget on the diagonal that starts at 1e-8 and grows by
// tens until the Cholesky factorisation succeeds (repeated points of rounded parameters).
//
//   GaussianProcess gp(points, values, GaussianProcess::FitLengthScales(points, values));
//   GaussianProcess::Prediction p = gp.Predict(candidates);
//   Eigen::VectorXd ei = GaussianProcess::ExpectedImprovement(p, best);
//   gp.Believe(candidates, chosen, &p);   // candidate `chosen` joins with its predicted mean
//
// Predict costs O(m^2 c) for m points and c candidates, Believe O(m c): a batch of q points chosen by
// the kriging believer costs one prediction and q - 1 cheap updates instead of q refits.
// Caveat: values are taken as they are; standardise them first.

#include <Eigen/Dense>
#include <limits>
#include <vector>

namespace gauntlet::scenarios {

class GaussianProcess {
 public:
  /// The posterior at a set of candidates.
  struct Prediction {
    Eigen::VectorXd mean;      ///< posterior mean
    Eigen::VectorXd variance;  ///< posterior variance (nugget included)
    Eigen::MatrixXd v;         ///< L^-1 K(points, candidates): what Believe updates, a row per point
  };

  /// Fits the process to `values` at `points` (all of the same dimension) with `length_scales`.
  GaussianProcess(const std::vector<Eigen::VectorXd>& points, const std::vector<double>& values,
                  const Eigen::VectorXd& length_scales);

  /// False if no nugget up to 1e-2 made the covariance factorisable (then Predict gives the prior).
  [[nodiscard]] bool ok() const { return alpha_.size() > 0; }
  /// log p(values | points, length scales) up to a constant; -inf when not ok().
  [[nodiscard]] double log_likelihood() const { return log_likelihood_; }
  [[nodiscard]] double nugget() const { return nugget_; }

  /// Mean and variance at each candidate.
  [[nodiscard]] Prediction Predict(const std::vector<Eigen::VectorXd>& candidates) const;

  /// The kriging believer: candidate `chosen` (from the same candidates as `p`) joins the data with
  /// its predicted mean as its value, and `p` becomes the prediction of that process. The mean is
  /// unchanged (the new point agrees with it); each variance shrinks by the square of the new row of
  /// L^-1 K(points, candidates). May be applied repeatedly.
  void Believe(const std::vector<Eigen::VectorXd>& candidates, Eigen::Index chosen, Prediction* p) const;

  /// Expected improvement below `best` (for minimisation) at each candidate of `p`.
  [[nodiscard]] static Eigen::VectorXd ExpectedImprovement(const Prediction& p, double best);

  /// Length scales by marginal likelihood on the grid 0.05 .. 2.0: the best common scale, then each
  /// coordinate's in turn, two sweeps.
  [[nodiscard]] static Eigen::VectorXd FitLengthScales(const std::vector<Eigen::VectorXd>& points,
                                                       const std::vector<double>& values);

 private:
  [[nodiscard]] Eigen::MatrixXd Scaled(const std::vector<Eigen::VectorXd>& points) const;

  Eigen::MatrixXd x_;  // one column per point, divided by the length scales
  Eigen::VectorXd inverse_length_;
  Eigen::LLT<Eigen::MatrixXd> llt_;
  Eigen::VectorXd y_;
  Eigen::VectorXd alpha_;  // K^-1 y
  double nugget_ = 0.0;
  double log_likelihood_ = -std::numeric_limits<double>::infinity();
};

}  // namespace gauntlet::scenarios
