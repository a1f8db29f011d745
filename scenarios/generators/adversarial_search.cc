#include "scenarios/generators/adversarial_search.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/check.h"
#include "core/rng.h"
#include "scenarios/generators/gaussian_process.h"
#include "scenarios/generators/samplers.h"

namespace gauntlet::scenarios {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Reflects x into [0, 1] (a mirror at each face), then below 1.
double Mirror(double x) {
  if (!std::isfinite(x)) return 0.5;
  double y = std::fmod(std::fabs(x), 2.0);
  if (y > 1.0) y = 2.0 - y;
  return std::min(y, 1.0 - 0x1.0p-53);
}

double Score(double robustness) { return std::isnan(robustness) ? kInf : robustness; }

// Indices of `scores` from best (lowest) to worst; ties keep batch order.
std::vector<size_t> Ranking(const std::vector<double>& scores) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  return order;
}

// The state of one CMA-ES run (Hansen's "The CMA Evolution Strategy: A Tutorial", rank-mu and
// rank-one updates, cumulative step-size adaptation).
struct CmaRun {
  int n = 0;
  size_t lambda = 0, mu = 0;
  Eigen::VectorXd weights;
  double mueff = 0, cc = 0, cs = 0, c1 = 0, cmu = 0, damps = 0, chi_n = 0;
  Eigen::VectorXd mean, pc, ps;
  Eigen::MatrixXd C, B;
  Eigen::VectorXd D;
  double sigma = 0;
  size_t generation = 0;
  std::vector<double> best_history;  // best score per generation

  CmaRun(int dims, size_t population, const Eigen::VectorXd& start, double sigma0) : n(dims), lambda(population) {
    mu = lambda / 2;
    weights.resize(static_cast<Eigen::Index>(mu));
    for (size_t i = 0; i < mu; ++i)
      weights[static_cast<Eigen::Index>(i)] =
          std::log(static_cast<double>(mu) + 0.5) - std::log(static_cast<double>(i) + 1.0);
    weights /= weights.sum();
    mueff = 1.0 / weights.squaredNorm();
    const double nd = n;
    cc = (4.0 + mueff / nd) / (nd + 4.0 + 2.0 * mueff / nd);
    cs = (mueff + 2.0) / (nd + mueff + 5.0);
    c1 = 2.0 / ((nd + 1.3) * (nd + 1.3) + mueff);
    cmu = std::min(1.0 - c1, 2.0 * (mueff - 2.0 + 1.0 / mueff) / ((nd + 2.0) * (nd + 2.0) + mueff));
    damps = 1.0 + 2.0 * std::max(0.0, std::sqrt((mueff - 1.0) / (nd + 1.0)) - 1.0) + cs;
    chi_n = std::sqrt(nd) * (1.0 - 1.0 / (4.0 * nd) + 1.0 / (21.0 * nd * nd));
    mean = start;
    pc = Eigen::VectorXd::Zero(n);
    ps = Eigen::VectorXd::Zero(n);
    C = Eigen::MatrixXd::Identity(n, n);
    B = Eigen::MatrixXd::Identity(n, n);
    D = Eigen::VectorXd::Ones(n);
    sigma = sigma0;
  }

  std::vector<Eigen::VectorXd> Sample(core::Rng& rng, size_t count) const {
    std::vector<Eigen::VectorXd> xs;
    for (size_t k = 0; k < count; ++k) {
      Eigen::VectorXd z(n);
      for (int i = 0; i < n; ++i) z[i] = rng.Normal();
      Eigen::VectorXd x = mean + sigma * (B * D.cwiseProduct(z));
      for (int i = 0; i < n; ++i) x[i] = Mirror(x[i]);
      xs.push_back(std::move(x));
    }
    return xs;
  }

  // Updates from a full population; returns false when this run should stop.
  bool Update(const std::vector<Eigen::VectorXd>& xs, const std::vector<double>& scores) {
    const std::vector<size_t> order = Ranking(scores);
    const Eigen::VectorXd old_mean = mean;
    Eigen::MatrixXd Y(n, static_cast<Eigen::Index>(mu));
    mean.setZero();
    for (size_t i = 0; i < mu; ++i) mean += weights[static_cast<Eigen::Index>(i)] * xs[order[i]];
    for (size_t i = 0; i < mu; ++i) Y.col(static_cast<Eigen::Index>(i)) = (xs[order[i]] - old_mean) / sigma;
    const Eigen::VectorXd y_mean = (mean - old_mean) / sigma;
    // C^{-1/2} y
    const Eigen::VectorXd c_inv_sqrt_y = B * (B.transpose() * y_mean).cwiseQuotient(D);
    ps = (1.0 - cs) * ps + std::sqrt(cs * (2.0 - cs) * mueff) * c_inv_sqrt_y;
    const double ps_norm = ps.norm();
    const double expected = std::sqrt(1.0 - std::pow(1.0 - cs, 2.0 * static_cast<double>(generation + 1)));
    const bool hsig = ps_norm / expected / chi_n < 1.4 + 2.0 / (n + 1.0);
    pc = (1.0 - cc) * pc + (hsig ? std::sqrt(cc * (2.0 - cc) * mueff) : 0.0) * y_mean;
    const double delta_h = hsig ? 0.0 : cc * (2.0 - cc);
    C = (1.0 - c1 - cmu) * C + c1 * (pc * pc.transpose() + delta_h * C) +
        cmu * Y * weights.asDiagonal() * Y.transpose();
    sigma *= std::exp((cs / damps) * (ps_norm / chi_n - 1.0));
    // flat fitness: widen
    if (scores[order.front()] ==
        scores[order[std::min(order.size() - 1, static_cast<size_t>(std::ceil(0.7 * static_cast<double>(lambda))))]]) {
      sigma *= std::exp(0.2 + cs / damps);
    }
    C = 0.5 * (C + C.transpose().eval());
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(C);
    B = eig.eigenvectors();
    D = eig.eigenvalues().cwiseMax(1e-300).cwiseSqrt();
    ++generation;
    best_history.push_back(scores[order.front()]);
    // stopping criteria
    const double max_std = sigma * C.diagonal().cwiseSqrt().maxCoeff();
    if (!(max_std > 1e-8) || !std::isfinite(sigma) || sigma > 1e4) return false;
    if (D.maxCoeff() > 1e7 * D.minCoeff()) return false;  // condition number > 1e14
    const size_t window = 10 + static_cast<size_t>(std::ceil(30.0 * n / static_cast<double>(lambda)));
    if (best_history.size() >= window) {
      const auto first = best_history.end() - static_cast<std::ptrdiff_t>(window);
      const auto [lo, hi] = std::minmax_element(first, best_history.end());
      const double range = *hi - *lo;
      const double generation_range = scores[order.back()] - scores[order.front()];
      if (std::isfinite(*hi) && range < 1e-12 && generation_range < 1e-12) return false;
    }
    // stagnation: the median of the last 20% of best values is no better than that of the first 20%
    const size_t history = best_history.size();
    if (history >= 120 + static_cast<size_t>(30.0 * n / static_cast<double>(lambda)) && history % 10 == 0) {
      const size_t fifth = history / 5;
      std::vector<double> early(best_history.begin(), best_history.begin() + static_cast<std::ptrdiff_t>(fifth));
      std::vector<double> late(best_history.end() - static_cast<std::ptrdiff_t>(fifth), best_history.end());
      std::nth_element(early.begin(), early.begin() + static_cast<std::ptrdiff_t>(fifth / 2), early.end());
      std::nth_element(late.begin(), late.begin() + static_cast<std::ptrdiff_t>(fifth / 2), late.end());
      if (!(late[fifth / 2] < early[fifth / 2])) return false;
    }
    return true;
  }
};

// The state of one cross-entropy run: a Gaussian with a full covariance, refitted to the elite.
struct CrossEntropyRun {
  Eigen::VectorXd mean;
  Eigen::MatrixXd covariance;
  Eigen::MatrixXd factor;  // covariance = factor factor^T
  double best = kInf;
  size_t stale = 0;

  CrossEntropyRun(const Eigen::VectorXd& start, double sigma0) : mean(start) {
    const Eigen::Index n = start.size();
    covariance = sigma0 * sigma0 * Eigen::MatrixXd::Identity(n, n);
    factor = sigma0 * Eigen::MatrixXd::Identity(n, n);
  }

  std::vector<Eigen::VectorXd> Sample(core::Rng& rng, size_t count) const {
    std::vector<Eigen::VectorXd> xs;
    for (size_t k = 0; k < count; ++k) {
      Eigen::VectorXd z(mean.size());
      for (Eigen::Index i = 0; i < mean.size(); ++i) z[i] = rng.Normal();
      Eigen::VectorXd x = mean + factor * z;
      for (Eigen::Index i = 0; i < x.size(); ++i) x[i] = Mirror(x[i]);
      xs.push_back(std::move(x));
    }
    return xs;
  }

  bool Update(const std::vector<Eigen::VectorXd>& xs, const std::vector<double>& scores, double elite_fraction,
              double smoothing) {
    const std::vector<size_t> order = Ranking(scores);
    const size_t elite =
        std::clamp<size_t>(static_cast<size_t>(std::ceil(elite_fraction * static_cast<double>(xs.size()))),
                           std::min<size_t>(2, xs.size()), xs.size());
    const Eigen::Index n = mean.size();
    Eigen::VectorXd m = Eigen::VectorXd::Zero(n);
    for (size_t i = 0; i < elite; ++i) m += xs[order[i]];
    m /= static_cast<double>(elite);
    // the elite's scatter about the OLD mean (as CMA-ES's rank-mu update): while the mean travels, the
    // spread keeps up with the step instead of collapsing before the minimum is reached
    Eigen::MatrixXd scatter = Eigen::MatrixXd::Zero(n, n);
    for (size_t i = 0; i < elite; ++i) {
      const Eigen::VectorXd d = xs[order[i]] - mean;
      scatter += d * d.transpose();
    }
    scatter /= static_cast<double>(elite);
    mean = smoothing * m + (1.0 - smoothing) * mean;
    covariance = smoothing * scatter + (1.0 - smoothing) * covariance;
    covariance = 0.5 * (covariance + covariance.transpose().eval());
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(covariance);
    const Eigen::VectorXd root = eig.eigenvalues().cwiseMax(1e-300).cwiseSqrt();
    factor = eig.eigenvectors() * root.asDiagonal();
    const double generation_best = scores[order.front()];
    if (generation_best < best &&
        (std::isinf(best) || best - generation_best > 1e-12 * std::max(1.0, std::fabs(best)))) {
      best = generation_best;
      stale = 0;
    } else {
      ++stale;
    }
    const double max_std = std::sqrt(covariance.diagonal().maxCoeff());
    return max_std > 1e-7 && root.maxCoeff() < 1e7 * root.minCoeff() && stale < 10;
  }
};

// Bayesian optimisation (as VerifAI's BO sampler, without its Python): a Gaussian process
// (gaussian_process.h) on the points evaluated so far (at most kWindow of them), its length scales
// refitted whenever the data grew by a quarter, and each batch chosen by expected improvement over
// candidate points with the "kriging believer" rule: a chosen point joins the model with its
// predicted value before the next one is chosen, so a batch spreads out. It starts from a Latin
// hypercube. The candidates come from the search's own stream: deterministic like the others.
class BayesRun {
 public:
  BayesRun(int dims, size_t design) : n_(dims), design_(design), length_(Eigen::VectorXd::Constant(dims, 0.3)) {}

  [[nodiscard]] size_t design_size() const { return design_; }

  std::vector<Eigen::VectorXd> Sample(core::Rng& rng, size_t count) {
    if (xs_.empty()) return LatinHypercube(rng, count);
    std::vector<double> ys;
    std::vector<Eigen::VectorXd> xs = Window(&ys);
    if (xs_.size() >= fitted_at_ + fitted_at_ / 4 + 1) {
      length_ = GaussianProcess::FitLengthScales(xs, ys);
      fitted_at_ = xs_.size();
    }
    const GaussianProcess model(xs, ys, length_);
    const std::vector<Eigen::VectorXd> candidates = Candidates(rng, xs, ys);
    GaussianProcess::Prediction p = model.Predict(candidates);
    double best = *std::min_element(ys.begin(), ys.end());
    std::vector<Eigen::VectorXd> batch;
    for (size_t k = 0; k < count; ++k) {
      const Eigen::VectorXd ei = GaussianProcess::ExpectedImprovement(p, best);
      Eigen::Index chosen = 0;
      ei.maxCoeff(&chosen);  // the first of equal maxima
      batch.push_back(candidates[static_cast<size_t>(chosen)]);
      if (k + 1 < count) {
        best = std::min(best, p.mean[chosen]);
        model.Believe(candidates, chosen, &p);
      }
    }
    return batch;
  }

  void Tell(const std::vector<Eigen::VectorXd>& xs, const std::vector<double>& scores) {
    xs_.insert(xs_.end(), xs.begin(), xs.end());
    scores_.insert(scores_.end(), scores.begin(), scores.end());
  }

 private:
  static constexpr size_t kWindow = 128;  // the most points a model holds (its cost is cubic)
  static constexpr int kCandidates = 1000;

  std::vector<Eigen::VectorXd> LatinHypercube(core::Rng& rng, size_t m) const {
    const std::vector<std::vector<double>> columns = LatinHypercubeColumns(m, static_cast<size_t>(n_), rng);
    std::vector<Eigen::VectorXd> xs(m, Eigen::VectorXd(n_));
    for (int i = 0; i < n_; ++i) {
      for (size_t k = 0; k < m; ++k) xs[k][i] = columns[static_cast<size_t>(i)][k];
    }
    return xs;
  }

  // The points a model is fitted to (all, or the best and the latest kWindow / 2 each, in evaluation
  // order) and their scores standardised; an error (+inf) counts as the worst finite score.
  std::vector<Eigen::VectorXd> Window(std::vector<double>* ys) const {
    std::vector<char> keep(xs_.size(), 1);
    if (xs_.size() > kWindow) {
      std::vector<size_t> order(xs_.size());
      std::iota(order.begin(), order.end(), size_t{0});
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores_[a] < scores_[b]; });
      std::fill(keep.begin(), keep.end(), 0);
      for (size_t i = 0; i < kWindow / 2; ++i) keep[order[i]] = 1;
      size_t latest = 0;
      for (size_t i = xs_.size(); i-- > 0 && latest < kWindow / 2;) {
        if (!keep[i]) {
          keep[i] = 1;
          ++latest;
        }
      }
    }
    double worst = -kInf;
    for (size_t i = 0; i < xs_.size(); ++i)
      if (keep[i] && std::isfinite(scores_[i])) worst = std::max(worst, scores_[i]);
    std::vector<Eigen::VectorXd> xs;
    ys->clear();
    for (size_t i = 0; i < xs_.size(); ++i) {
      if (!keep[i]) continue;
      xs.push_back(xs_[i]);
      ys->push_back(std::isfinite(scores_[i]) ? scores_[i] : (std::isfinite(worst) ? worst : 0.0));
    }
    double mean = 0.0;
    for (double y : *ys) mean += y;
    mean /= static_cast<double>(ys->size());
    double variance = 0.0;
    for (double y : *ys) variance += (y - mean) * (y - mean);
    const double sd = std::sqrt(variance / static_cast<double>(ys->size()));
    for (double& y : *ys) y = sd > 0.0 ? (y - mean) / sd : 0.0;
    return xs;
  }

  // Uniform points, and Gaussian steps (scaled by each parameter's length scale) around the five best.
  std::vector<Eigen::VectorXd> Candidates(core::Rng& rng, const std::vector<Eigen::VectorXd>& xs,
                                          const std::vector<double>& ys) const {
    std::vector<Eigen::VectorXd> out;
    for (int k = 0; k < kCandidates; ++k) {
      Eigen::VectorXd x(n_);
      for (int i = 0; i < n_; ++i) x[i] = rng.Uniform();
      out.push_back(std::move(x));
    }
    std::vector<size_t> order(ys.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ys[a] < ys[b]; });
    for (size_t b = 0; b < std::min<size_t>(5, order.size()); ++b) {
      for (double step : {0.07, 0.2, 0.5}) {
        for (int k = 0; k < 40; ++k) {
          Eigen::VectorXd x = xs[order[b]];
          for (int i = 0; i < n_; ++i) x[i] = Mirror(x[i] + step * length_[i] * rng.Normal());
          out.push_back(std::move(x));
        }
      }
    }
    return out;
  }

  int n_;
  size_t design_;
  Eigen::VectorXd length_;
  size_t fitted_at_ = 0;
  std::vector<Eigen::VectorXd> xs_;
  std::vector<double> scores_;
};

}  // namespace

class AdversarialSearch::Impl {
 public:
  Impl(const ParameterSpace& space, const SearchOptions& options, uint64_t seed)
      : space_(space), options_(options), free_(space.FreeIndices()), rng_(core::Rng(seed).Fork("adversarial_search")) {
    const int n = static_cast<int>(free_.size());
    if (options_.population != 0) {
      population_ = options_.population;
    } else if (options_.method == SearchMethod::kCmaEs) {
      population_ = 4 + static_cast<size_t>(std::floor(3.0 * std::log(std::max(n, 1))));
    } else if (options_.method == SearchMethod::kBayesian) {
      population_ = 4;
    } else {
      population_ = std::max<size_t>(32, 8 * static_cast<size_t>(n));
    }
    population_ = std::max<size_t>(population_, options_.method == SearchMethod::kCmaEs ? 4 : 2);
    if (n > 0) StartRun(Eigen::VectorXd::Constant(n, 0.5));
  }

  bool done() const {
    if (result_.evaluations.size() >= options_.budget) return true;
    if (options_.stop_at_violation && result_.violation_found) return true;
    if (free_.empty() && !result_.evaluations.empty()) return true;
    return exhausted_;
  }

  std::vector<std::vector<double>> Ask() {
    GAUNTLET_CHECK_MSG(!asked_, "AdversarialSearch::Ask called twice without Tell");
    if (done()) return {};
    size_t count = std::min(population_, options_.budget - result_.evaluations.size());
    if (bayes_ && result_.evaluations.empty())  // the initial design
      count = std::min(bayes_->design_size(), options_.budget);
    if (free_.empty()) {
      batch_unit_.assign(1, Eigen::VectorXd());
    } else if (bayes_) {
      batch_unit_ = bayes_->Sample(rng_, count);
    } else if (cma_) {
      batch_unit_ = cma_->Sample(rng_, count);
    } else {
      batch_unit_ = ce_->Sample(rng_, count);
    }
    batch_values_.clear();
    for (const Eigen::VectorXd& x : batch_unit_) batch_values_.push_back(Values(x));
    asked_ = true;
    return batch_values_;
  }

  void Tell(const std::vector<double>& robustness) {
    GAUNTLET_CHECK_MSG(asked_, "AdversarialSearch::Tell without Ask");
    GAUNTLET_CHECK_MSG(robustness.size() == batch_values_.size(), "AdversarialSearch::Tell: one value per point");
    asked_ = false;
    std::vector<double> scores(robustness.size());
    for (size_t i = 0; i < robustness.size(); ++i) {
      const size_t index = result_.evaluations.size();
      result_.evaluations.push_back({batch_values_[i], robustness[i], result_.restarts, generation_});
      scores[i] = Score(robustness[i]);
      if (scores[i] < result_.best_robustness) {
        result_.best_robustness = scores[i];
        result_.best = index;
      }
      if (scores[i] < 0.0 && !result_.violation_found) {
        result_.violation_found = true;
        result_.first_violation = index;
      }
    }
    ++generation_;
    if (bayes_) {
      bayes_->Tell(batch_unit_, scores);
      return;
    }
    if (free_.empty() || batch_unit_.size() < population_ || done()) return;
    const bool go_on = cma_ ? cma_->Update(batch_unit_, scores)
                            : ce_->Update(batch_unit_, scores, options_.elite_fraction, options_.smoothing);
    if (go_on) return;
    if (result_.restarts >= options_.max_restarts) {
      exhausted_ = true;  // the last run converged with no restart left
      return;
    }
    // restart: a doubled population from a random start
    ++result_.restarts;
    population_ *= 2;
    Eigen::VectorXd start(static_cast<Eigen::Index>(free_.size()));
    for (Eigen::Index i = 0; i < start.size(); ++i) start[i] = rng_.Uniform();
    StartRun(start);
  }

  const SearchResult& result() const { return result_; }

 private:
  void StartRun(const Eigen::VectorXd& start) {
    generation_ = 0;
    const int n = static_cast<int>(free_.size());
    if (options_.method == SearchMethod::kBayesian) {
      bayes_ = std::make_unique<BayesRun>(n, std::max<size_t>(population_, 2 * static_cast<size_t>(n) + 2));
    } else if (options_.method == SearchMethod::kCmaEs) {
      cma_ = std::make_unique<CmaRun>(n, population_, start, options_.initial_sigma);
    } else {
      ce_ = std::make_unique<CrossEntropyRun>(start, options_.initial_sigma);
    }
  }

  std::vector<double> Values(const Eigen::VectorXd& x) const {
    std::vector<double> values = space_.NominalPoint();
    for (size_t j = 0; j < free_.size(); ++j) {
      values[free_[j]] = space_.parameters[free_[j]].FromUnit(x[static_cast<Eigen::Index>(j)]);
    }
    return values;
  }

  ParameterSpace space_;
  SearchOptions options_;
  std::vector<size_t> free_;
  core::Rng rng_;
  size_t population_ = 0;
  size_t generation_ = 0;
  std::unique_ptr<CmaRun> cma_;
  std::unique_ptr<CrossEntropyRun> ce_;
  std::unique_ptr<BayesRun> bayes_;
  std::vector<Eigen::VectorXd> batch_unit_;
  std::vector<std::vector<double>> batch_values_;
  bool asked_ = false;
  bool exhausted_ = false;
  SearchResult result_;
};

AdversarialSearch::AdversarialSearch(const ParameterSpace& space, const SearchOptions& options, uint64_t seed)
    : impl_(std::make_unique<Impl>(space, options, seed)) {}
AdversarialSearch::~AdversarialSearch() = default;
AdversarialSearch::AdversarialSearch(AdversarialSearch&&) noexcept = default;
AdversarialSearch& AdversarialSearch::operator=(AdversarialSearch&&) noexcept = default;

bool AdversarialSearch::done() const { return impl_->done(); }
std::vector<std::vector<double>> AdversarialSearch::Ask() { return impl_->Ask(); }
void AdversarialSearch::Tell(const std::vector<double>& robustness) { impl_->Tell(robustness); }
const SearchResult& AdversarialSearch::result() const { return impl_->result(); }

SearchResult RunSearch(const ParameterSpace& space, const SearchOptions& options, uint64_t seed,
                       const BatchEvaluator& evaluate) {
  AdversarialSearch search(space, options, seed);
  while (!search.done()) {
    const std::vector<std::vector<double>> batch = search.Ask();
    if (batch.empty()) break;
    std::vector<double> robustness = evaluate(batch);
    GAUNTLET_CHECK_MSG(robustness.size() == batch.size(), "BatchEvaluator must return one value per point");
    search.Tell(robustness);
  }
  return search.result();
}

}  // namespace gauntlet::scenarios
