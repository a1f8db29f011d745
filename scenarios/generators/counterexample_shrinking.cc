#include "scenarios/generators/counterexample_shrinking.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace gauntlet::scenarios {
namespace {

bool Fails(double robustness) { return robustness < 0.0; }  // NaN is false

class Shrinker {
 public:
  Shrinker(const ParameterSpace& space, const std::vector<double>& failing, double robustness,
           const BatchEvaluator& evaluate, const ShrinkOptions& options)
      : space_(space), evaluate_(evaluate), options_(options), nominal_(space.NominalPoint()) {
    result_.values = failing;
    result_.robustness = robustness;
    for (size_t i : space.FreeIndices()) {
      if (failing[i] != nominal_[i]) moving_.push_back(i);
    }
  }

  ShrinkResult Run() {
    Together();
    OneAtATime();
    Bisect();
    for (size_t i : space_.FreeIndices()) {
      if (result_.values[i] == nominal_[i]) result_.at_nominal.push_back(i);
    }
    return std::move(result_);
  }

 private:
  size_t Left() const { return options_.budget - result_.evaluations.size(); }

  // Evaluates up to Left() of `points`; returns their robustness (fewer when the budget ran out).
  std::vector<double> Evaluate(std::vector<std::vector<double>> points) {
    if (points.size() > Left()) points.resize(Left());
    if (points.empty()) return {};
    std::vector<double> r = evaluate_(points);
    GAUNTLET_CHECK_MSG(r.size() == points.size(), "BatchEvaluator must return one value per point");
    for (size_t k = 0; k < points.size(); ++k) result_.evaluations.push_back({points[k], r[k], 0, batches_});
    ++batches_;
    return r;
  }

  // Parameter i of the current point moved a fraction t of the way to nominal.
  double Toward(size_t i, double t) const {
    if (t >= 1.0) return nominal_[i];
    if (t <= 0.0) return result_.values[i];
    const Parameter& p = space_.parameters[i];
    if (p.kind == Parameter::Kind::kUniform) return result_.values[i] + t * (nominal_[i] - result_.values[i]);
    const double from = p.ToUnit(result_.values[i]);
    return p.FromUnit(from + t * (p.ToUnit(nominal_[i]) - from));
  }

  void Accept(const std::vector<double>& values, double robustness) {
    result_.values = values;
    result_.robustness = robustness;
  }

  void Together() {
    if (moving_.empty()) return;
    const size_t m = options_.section_points + 1;
    std::vector<std::vector<double>> points;
    for (size_t j = m; j >= 1; --j) {  // t = 1, (m-1)/m, ..., 1/m: most shrunk first
      const double t = static_cast<double>(j) / static_cast<double>(m);
      std::vector<double> v = result_.values;
      for (size_t i : moving_) v[i] = Toward(i, t);
      points.push_back(std::move(v));
    }
    const std::vector<double> r = Evaluate(points);
    for (size_t k = 0; k < r.size(); ++k) {
      if (Fails(r[k])) {
        Accept(points[k], r[k]);
        return;
      }
    }
  }

  void OneAtATime() {
    while (Left() > 0) {
      std::vector<size_t> candidates;
      std::vector<std::vector<double>> points;
      for (size_t i : moving_) {
        if (result_.values[i] == nominal_[i]) continue;
        std::vector<double> v = result_.values;
        v[i] = nominal_[i];
        candidates.push_back(i);
        points.push_back(std::move(v));
      }
      const std::vector<double> r = Evaluate(points);
      size_t best = r.size();
      for (size_t k = 0; k < r.size(); ++k) {
        if (Fails(r[k]) && (best == r.size() || r[k] < r[best])) best = k;
      }
      if (best == r.size()) return;
      Accept(points[best], r[best]);
    }
  }

  void Bisect() {
    const size_t m = options_.section_points;
    if (m == 0) return;
    for (size_t i : moving_) {
      if (space_.parameters[i].kind == Parameter::Kind::kChoice) continue;
      double lo = 0.0, hi = 1.0;  // fraction toward nominal: lo fails (the current point), hi passes
      for (size_t round = 0; round < options_.bisection_rounds && Left() > 0; ++round) {
        if (result_.values[i] == nominal_[i]) break;
        std::vector<double> fractions;
        std::vector<std::vector<double>> points;
        for (size_t j = m; j >= 1; --j) {  // nearest to nominal first
          const double t = lo + (hi - lo) * static_cast<double>(j) / static_cast<double>(m + 1);
          std::vector<double> v = result_.values;
          v[i] = Toward(i, (t - lo) / (1.0 - lo));  // Toward measures from the current point
          if (v[i] == result_.values[i]) continue;  // rounding (range) gives no move
          fractions.push_back(t);
          points.push_back(std::move(v));
        }
        if (points.empty()) break;
        const std::vector<double> r = Evaluate(points);
        size_t hit = r.size();
        for (size_t k = 0; k < r.size(); ++k) {
          if (Fails(r[k])) {
            hit = k;
            break;
          }
        }
        if (hit == r.size()) {
          hi = fractions.back();  // every point nearer nominal passes: look closer to the current one
          continue;
        }
        Accept(points[hit], r[hit]);
        hi = hit == 0 ? hi : fractions[hit - 1];
        lo = fractions[hit];
      }
    }
  }

  const ParameterSpace& space_;
  const BatchEvaluator& evaluate_;
  ShrinkOptions options_;
  std::vector<double> nominal_;
  std::vector<size_t> moving_;
  size_t batches_ = 0;
  ShrinkResult result_;
};

}  // namespace

ShrinkResult ShrinkCounterexample(const ParameterSpace& space, const std::vector<double>& failing, double robustness,
                                  const BatchEvaluator& evaluate, const ShrinkOptions& options) {
  GAUNTLET_CHECK(failing.size() == space.dimension());
  return Shrinker(space, failing, robustness, evaluate, options).Run();
}

}  // namespace gauntlet::scenarios
