#include "verifier/formal/branch_and_bound.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <queue>

#include "core/check.h"
#include "core/rng.h"
#include "core/tsan.h"

namespace gauntlet::verifier::formal {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

using Clock = std::chrono::steady_clock;

// The box widened outward by one ulp on each side: the proof then also covers the real numbers
// the decimal bounds of the property file denote.
Box Widen(const Box& b) {
  Box w = b;
  for (Eigen::Index i = 0; i < w.lo.size(); ++i) {
    w.lo[i] = std::nextafter(w.lo[i], -kInf);
    w.hi[i] = std::nextafter(w.hi[i], kInf);
  }
  return w;
}

Eigen::VectorXd Clamp(const Eigen::VectorXd& x, const Box& b) { return x.cwiseMax(b.lo).cwiseMin(b.hi); }

// max_k (c_k . y - d_k); a conjunction is reached when this is <= 0 (strict rows need < 0).
double Margin(const OutputConjunction& conj, const Eigen::VectorXd& y, Eigen::Index* arg) {
  double worst = -kInf;
  for (Eigen::Index r = 0; r < conj.c.rows(); ++r) {
    const double v = conj.c.row(r).dot(y) - conj.d[r];
    if (v > worst || std::isnan(v)) {
      worst = std::isnan(v) ? kInf : v;
      if (arg != nullptr) *arg = r;
    }
  }
  return worst;
}

// Whether a + b is exact in floating point (the TwoSum error term is 0).
bool ExactSum(double a, double b) {
  const double s = a + b;
  const double bb = s - a;
  return std::isfinite(s) && (a - (s - bb)) + (b - bb) == 0.0;
}

// An upper bound of the exact sum of `values` (each partial sum rounded up).
double SumUp(std::initializer_list<double> values) {
  double s = 0.0;
  for (const double v : values) s = std::nextafter(s + v, kInf);
  return s;
}

// The rows of a conjunction plus nonnegative combinations of them (pairwise sums and the total):
// a combination bounded above 0 on a box also refutes the conjunction there, and its relaxation can
// be tighter than each row's alone. A combination is kept only if its coefficients are the exact
// sums (true for the +-1 rows of ACAS Xu); its right-hand side is an upper bound of the exact sum, so
// "combination > 0" stays a sound refutation.
OutputConjunction Augmented(const OutputConjunction& conj) {
  const Eigen::Index k = conj.c.rows();
  if (k < 2 || k > 8) return conj;
  std::vector<std::pair<Eigen::RowVectorXd, double>> rows;
  for (Eigen::Index a = 0; a < k; ++a) rows.emplace_back(conj.c.row(a), conj.d[a]);
  auto exact = [&](const Eigen::RowVectorXd& x, const Eigen::RowVectorXd& y) {
    for (Eigen::Index j = 0; j < x.size(); ++j) {
      if (!ExactSum(x[j], y[j])) return false;
    }
    return true;
  };
  for (Eigen::Index a = 0; a < k; ++a) {
    for (Eigen::Index b = a + 1; b < k; ++b) {
      if (exact(conj.c.row(a), conj.c.row(b))) {
        rows.emplace_back(conj.c.row(a) + conj.c.row(b), SumUp({conj.d[a], conj.d[b]}));
      }
    }
  }
  if (k > 2) {
    Eigen::RowVectorXd total = conj.c.row(0);
    double d = conj.d[0];
    bool ok = true;
    for (Eigen::Index a = 1; a < k && ok; ++a) {
      ok = exact(total, conj.c.row(a));
      total += conj.c.row(a);
      d = std::nextafter(d + conj.d[a], kInf);
    }
    if (ok) rows.emplace_back(total, d);
  }
  OutputConjunction out;
  out.c.resize(static_cast<Eigen::Index>(rows.size()), conj.c.cols());
  out.d.resize(static_cast<Eigen::Index>(rows.size()));
  for (size_t r = 0; r < rows.size(); ++r) {
    out.c.row(static_cast<Eigen::Index>(r)) = rows[r].first;
    out.d[static_cast<Eigen::Index>(r)] = rows[r].second;
  }
  out.strict.assign(rows.size(), false);
  return out;
}

struct Item {
  int region = 0;
  Box box;                 // widened box piece
  std::vector<int> open;   // conjunctions not yet refuted on this piece
  int depth = 0;
  uint64_t id = 0;
  std::shared_ptr<const LayerBounds> prior;  // the parent's layer bounds (valid on this sub-box)
};

struct ItemResult {
  std::vector<Item> children;
  std::vector<Eigen::VectorXd> candidates;  // points the internal network says are unsafe
  bool unsplittable = false;
};

class Attacker {
 public:
  Attacker(const Network& net, const std::vector<PropertyRegion>& regions) : net_(net), regions_(regions) {}

  // PGD from `x0` on conjunction `k` of region `region`, inside `box` (clamped to the region's box).
  // Steps move each input by step0 * decay^s of the box width against the sign of the gradient of the
  // conjunction's worst row.
  std::optional<Eigen::VectorXd> Pgd(int region, int k, const Box& box, Eigen::VectorXd x, int steps,
                                     double step0 = 0.25, double decay = 0.85) const {
    const PropertyRegion& reg = regions_[static_cast<size_t>(region)];
    const OutputConjunction& conj = reg.unsafe[static_cast<size_t>(k)];
    Box b{box.lo.cwiseMax(reg.box.lo), box.hi.cwiseMin(reg.box.hi)};
    if ((b.lo.array() > b.hi.array()).any()) return std::nullopt;
    const Eigen::VectorXd width = b.hi - b.lo;
    x = Clamp(x, b);
    for (int s = 0; s <= steps; ++s) {
      const std::vector<Eigen::VectorXd> values = net_.EvaluateAll(x);
      const Eigen::VectorXd& y = values[static_cast<size_t>(net_.output_layer())];
      Eigen::Index arg = 0;
      const double m = Margin(conj, y, &arg);
      if (Reached(conj, y)) return x;
      if (s == steps || conj.c.rows() == 0 || !std::isfinite(m)) break;
      const Eigen::VectorXd g = net_.InputGradient(values, conj.c.row(arg).transpose());
      const double step = step0 * std::pow(decay, s);
      for (Eigen::Index i = 0; i < x.size(); ++i) {
        const double dir = g[i] > 0 ? -1.0 : (g[i] < 0 ? 1.0 : 0.0);
        x[i] += dir * step * width[i];
      }
      x = Clamp(x, b);
    }
    return std::nullopt;
  }

  static bool Reached(const OutputConjunction& conj, const Eigen::VectorXd& y) { return conj.IsSatisfiedBy(y); }

 private:
  const Network& net_;
  const std::vector<PropertyRegion>& regions_;
};

// Midpoint of dimension `dim` of `box`, if it lies strictly inside (the box can be halved there).
std::optional<double> Midpoint(const Box& box, Eigen::Index dim) {
  const double mid = box.lo[dim] + 0.5 * (box.hi[dim] - box.lo[dim]);
  if (mid > box.lo[dim] && mid < box.hi[dim]) return mid;
  return std::nullopt;
}

// Trial splits: halves `item` along each of the `k` top-scored inputs, bounds both halves (CROWN
// without the slope search), and returns
// the input whose halves have the smallest total shortfall (sum over the open conjunctions of
// max(0, -best row bound)); ties go to the higher score. Only steers the branching: no verdict
// depends on these bounds. `fallback` when no input can be halved.
Eigen::Index TrialSplitDim(BoundPropagator& prop, const Item& item, const std::vector<int>& open,
                           const std::vector<OutputConjunction>& specs, const Eigen::VectorXd& score, int k,
                           Eigen::Index fallback) {
  std::vector<Eigen::Index> dims;
  for (Eigen::Index i = 0; i < score.size(); ++i) {
    if (score[i] > 0.0 && Midpoint(item.box, i)) dims.push_back(i);
  }
  std::stable_sort(dims.begin(), dims.end(), [&](Eigen::Index a, Eigen::Index b) { return score[a] > score[b]; });
  if (dims.size() > static_cast<size_t>(k)) dims.resize(static_cast<size_t>(k));
  if (dims.size() < 2) return fallback;
  prop.set_alpha_steps(0);  // the caller sets all three again for the next box
  prop.set_alpha_intermediate_steps(0);
  prop.set_slope_search(false);  // plain CROWN steers as well at a third of the cost
  Eigen::Index best_dim = fallback;
  double best_shortfall = kInf;
  for (const Eigen::Index d : dims) {
    const double mid = *Midpoint(item.box, d);
    double shortfall = 0.0;
    for (int side = 0; side < 2 && shortfall < best_shortfall; ++side) {
      Box child = item.box;
      (side == 0 ? child.hi : child.lo)[d] = mid;
      // without the item's layer bounds as prior: with them the trials choose worse splits on ACAS Xu
      // (4_7 prop_1: 5537 boxes instead of 1541)
      prop.Propagate(child, BoundMethod::kCrown);
      for (const int c : open) {
        const OutputConjunction& spec = specs[static_cast<size_t>(c)];
        const Eigen::VectorXd lb = prop.SpecLowerBounds(spec.c, spec.d);
        const double m = lb.size() == 0 ? -kInf : lb.maxCoeff();
        shortfall += std::isnan(m) ? kInf : std::max(0.0, -m);
      }
    }
    if (shortfall < best_shortfall) {
      best_shortfall = shortfall;
      best_dim = d;
    }
  }
  return best_dim;
}

// Confirms candidate `x` of region `region` with the plain forward pass `confirm` (the model, not the
// internal network): on a violation fills the verdict, counterexample and output of `result`.
bool TryConfirm(const std::vector<PropertyRegion>& regions, const ForwardPass& confirm, int region,
                const Eigen::VectorXd& x, ProveResult& result) {
  const PropertyRegion& reg = regions[static_cast<size_t>(region)];
  const Eigen::VectorXd xc = Clamp(x, reg.box);
  const Eigen::VectorXd y = confirm(xc);
  for (const OutputConjunction& conj : reg.unsafe) {
    if (conj.IsSatisfiedBy(y)) {
      result.verdict = Verdict::kViolated;
      result.counterexample = xc;
      result.output = y;
      return true;
    }
  }
  return false;
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The attack that runs before branch and bound: the centre and uniform samples of each region (one
// batched forward pass), then PGD with small steps from the lowest-margin points of each conjunction (on
// ACAS Xu 2_9 prop_8 the violating inputs are 4e-4 of the box, which PGD from random points with large
// steps misses). Returns whether `result` is final (a confirmed counterexample or the timeout).
bool Attack(const Network& net, const std::vector<PropertyRegion>& regions, const ProveOptions& options,
            const ForwardPass& confirm, const Attacker& attacker, Clock::time_point start, ProveResult& result) {
  core::Rng rng(options.seed);
  for (size_t r = 0; r < regions.size(); ++r) {
    const PropertyRegion& reg = regions[r];
    const Eigen::Index n = 1 + std::max(0, options.attack_samples);
    Eigen::MatrixXd xs(reg.box.lo.size(), n);
    xs.col(0) = 0.5 * (reg.box.lo + reg.box.hi);
    for (Eigen::Index c = 1; c < n; ++c) {
      for (Eigen::Index i = 0; i < xs.rows(); ++i) xs(i, c) = rng.Uniform(reg.box.lo[i], reg.box.hi[i]);
    }
    const Eigen::MatrixXd ys = net.EvaluateBatch(xs);
    for (size_t k = 0; k < reg.unsafe.size(); ++k) {
      std::vector<std::pair<double, Eigen::Index>> order;
      order.reserve(static_cast<size_t>(n));
      for (Eigen::Index c = 0; c < n; ++c) order.emplace_back(Margin(reg.unsafe[k], ys.col(c), nullptr), c);
      const size_t seeds = std::min(order.size(), static_cast<size_t>(std::max(0, options.attack_restarts)));
      std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(seeds), order.end());
      for (size_t seed = 0; seed < seeds; ++seed) {
        const auto x = attacker.Pgd(static_cast<int>(r), static_cast<int>(k), reg.box, xs.col(order[seed].second),
                                    options.attack_steps, 0.03, 0.9);
        if (x && TryConfirm(regions, confirm, static_cast<int>(r), *x, result)) {
          result.detail = "counterexample found by the attack";
          return true;
        }
      }
      if (SecondsSince(start) > options.timeout_s) {
        result.verdict = Verdict::kTimeout;
        result.detail = "timeout during the attack";
        return true;
      }
    }
  }
  return false;
}

// Bounds one box piece with `prop` (set up for the item's depth): drops the conjunctions refuted on it,
// collects attack candidates for the others and, if any is left open, splits the piece in two.
void ExpandItem(const Network& net, const std::vector<PropertyRegion>& regions,
                const std::vector<std::vector<OutputConjunction>>& augmented, const ProveOptions& options,
                const Attacker& attacker, const Item& item, BoundPropagator& prop, ItemResult& res) {
  prop.set_slope_search(item.depth < options.slope_search_depth);
  const bool odd = item.depth % 2 == 1;
  prop.set_coeffs_from_best(options.split_coeffs == SplitCoefficients::kBestSlopes ||
                            (options.split_coeffs == SplitCoefficients::kAlternateByDepth && odd));
  prop.set_alpha_steps(item.depth < options.alpha_depth ? options.alpha_steps : 0);
  prop.set_alpha_stop_when_positive(true);
  prop.set_combine_rows(options.combine_rows);
  const bool shallow = item.depth < options.alpha_intermediate_depth;
  prop.set_alpha_intermediate_steps(shallow ? options.alpha_intermediate_steps : 0);
  prop.Propagate(item.box, BoundMethod::kCrown, item.prior.get());
  const PropertyRegion& reg = regions[static_cast<size_t>(item.region)];
  std::vector<int> still_open;
  Eigen::VectorXd score = Eigen::VectorXd::Zero(item.box.lo.size());
  const Eigen::VectorXd width = item.box.hi - item.box.lo;
  const Eigen::VectorXd center = item.box.lo + 0.5 * width;
  for (int k : item.open) {
    const OutputConjunction& conj = reg.unsafe[static_cast<size_t>(k)];
    const OutputConjunction& spec = augmented[static_cast<size_t>(item.region)][static_cast<size_t>(k)];
    Eigen::MatrixXd a;
    const Eigen::VectorXd lb = prop.SpecLowerBounds(spec.c, spec.d, &a);
    Eigen::Index best = -1;
    for (Eigen::Index r = 0; r < lb.size(); ++r) {
      if (best < 0 || lb[r] > lb[best]) best = r;
    }
    if (best >= 0 && lb[best] > 0.0) continue;  // refuted on this piece
    if (prop.last_combination_bound() > 0.0) continue;  // a nonnegative combination of rows is > 0
    still_open.push_back(k);
    // candidates: the centre and the corner minimising the best row's linear bound; PGD from the
    // better one every third level
    Eigen::VectorXd corner = center;
    if (best >= 0) {
      for (Eigen::Index i = 0; i < corner.size(); ++i) {
        corner[i] = a(best, i) > 0 ? item.box.lo[i] : (a(best, i) < 0 ? item.box.hi[i] : center[i]);
      }
    }
    const Eigen::VectorXd xc = Clamp(center, reg.box);
    const Eigen::VectorXd xk = Clamp(corner, reg.box);
    const double mc = Margin(conj, net.Evaluate(xc), nullptr);
    const double mk = Margin(conj, net.Evaluate(xk), nullptr);
    const Eigen::VectorXd& best_start = mk < mc ? xk : xc;
    const int steps = item.depth % 3 == 0 ? 4 : 0;
    if (const auto x = attacker.Pgd(item.region, k, item.box, best_start, steps)) res.candidates.push_back(*x);
    if (best >= 0) {
      for (Eigen::Index i = 0; i < score.size(); ++i) score[i] += std::abs(a(best, i)) * width[i];
    }
  }
  if (still_open.empty()) return;
  auto bounds = std::make_shared<const LayerBounds>(prop.layer_bounds());
  // split the most influential input at its midpoint
  Eigen::Index dim = 0;
  if (score.maxCoeff() > 0.0) {
    score.maxCoeff(&dim);
  } else {
    width.maxCoeff(&dim);
  }
  const double mid = item.box.lo[dim] + 0.5 * width[dim];
  if (!(mid > item.box.lo[dim] && mid < item.box.hi[dim])) {
    width.maxCoeff(&dim);
    const double m2 = item.box.lo[dim] + 0.5 * width[dim];
    if (!(m2 > item.box.lo[dim] && m2 < item.box.hi[dim])) {
      res.unsplittable = true;
      return;
    }
  }
  if (options.trial_split_dims > 1 && item.depth < options.trial_split_depth) {
    dim = TrialSplitDim(prop, item, still_open, augmented[static_cast<size_t>(item.region)], score,
                        options.trial_split_dims, dim);
  }
  const double split = item.box.lo[dim] + 0.5 * (item.box.hi[dim] - item.box.lo[dim]);
  for (int side = 0; side < 2; ++side) {
    Item child;
    child.region = item.region;
    child.box = item.box;
    (side == 0 ? child.box.hi : child.box.lo)[dim] = split;
    child.open = still_open;
    child.depth = item.depth + 1;
    child.prior = bounds;
    res.children.push_back(std::move(child));
  }
}

}  // namespace

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kHolds:
      return "holds";
    case Verdict::kViolated:
      return "violated";
    case Verdict::kUnknown:
      return "unknown";
    case Verdict::kTimeout:
      return "timeout";
  }
  return "unknown";
}

ProveResult ProveProperty(const Network& net, const std::vector<PropertyRegion>& regions, const ProveOptions& options,
                          const ForwardPass& confirm) {
  const Clock::time_point start = Clock::now();
  ProveResult result;
  const Attacker attacker(net, regions);

  auto try_confirm = [&](int region, const Eigen::VectorXd& x) {
    return TryConfirm(regions, confirm, region, x, result);
  };

  if (Attack(net, regions, options, confirm, attacker, start, result)) return result;

  // branch and bound
  std::vector<Item> stack;
  uint64_t next_id = 0;
  for (size_t r = regions.size(); r-- > 0;) {
    Item item;
    item.region = static_cast<int>(r);
    item.box = Widen(regions[r].box);
    for (size_t k = 0; k < regions[r].unsafe.size(); ++k) item.open.push_back(static_cast<int>(k));
    item.id = next_id++;
    stack.push_back(std::move(item));
  }
  std::vector<std::vector<OutputConjunction>> augmented;
  for (const PropertyRegion& reg : regions) {
    augmented.emplace_back();
    for (const OutputConjunction& conj : reg.unsafe) augmented.back().push_back(Augmented(conj));
  }
  tbb::enumerable_thread_specific<BoundPropagator> propagators([&] { return BoundPropagator(net); });
  tbb::task_arena arena(options.threads > 0 ? options.threads : tbb::task_arena::automatic);
  const size_t batch = static_cast<size_t>(std::max(1, options.batch_size));
  bool unknown = false;
  int max_depth = 0;
  while (!stack.empty()) {
    if (SecondsSince(start) > options.timeout_s) {
      result.verdict = Verdict::kTimeout;
      result.detail = "timeout after " + std::to_string(result.boxes) + " boxes, " + std::to_string(stack.size()) +
                      " open";
      return result;
    }
    if (result.boxes >= options.max_boxes) break;
    const size_t n = std::min(batch, stack.size());
    std::vector<Item> work(std::make_move_iterator(stack.end() - static_cast<std::ptrdiff_t>(n)),
                           std::make_move_iterator(stack.end()));
    stack.resize(stack.size() - n);
    std::vector<ItemResult> out(n);
    {
      const core::TsanParallelRegion tsan_region;  // see core/tsan.h
      arena.execute([&] {
        tbb::parallel_for(size_t{0}, n, core::TsanBody([&](size_t w) {
          ExpandItem(net, regions, augmented, options, attacker, work[w], propagators.local(), out[w]);
        }));
      });
    }
    result.boxes += static_cast<int64_t>(n);
    for (size_t w = 0; w < n; ++w) {
      for (const Eigen::VectorXd& x : out[w].candidates) {
        if (try_confirm(work[w].region, x)) {
          result.detail = "counterexample found during branch and bound after " + std::to_string(result.boxes) +
                          " boxes";
          return result;
        }
      }
      unknown = unknown || out[w].unsplittable;
      for (Item& child : out[w].children) {
        child.id = next_id++;
        max_depth = std::max(max_depth, child.depth);
        stack.push_back(std::move(child));
      }
    }
  }
  if (!stack.empty() || unknown) {
    result.verdict = Verdict::kUnknown;
    result.detail = stack.empty() ? "a box too small to split could not be decided"
                                  : "box limit reached after " + std::to_string(result.boxes) + " boxes";
    return result;
  }
  result.verdict = Verdict::kHolds;
  result.detail = "proved with " + std::to_string(result.boxes) + " boxes, depth " + std::to_string(max_depth);
  return result;
}

Box ComputeOutputBoundsBab(const Network& net, const Box& input, int max_splits) {
  const int n = net.output_size();
  Box out = ComputeOutputBounds(net, input, BoundMethod::kCrown);
  BoundPropagator prop(net);
  prop.set_slope_search(true);
  for (int j = 0; j < n; ++j) {
    for (int side = 0; side < 2; ++side) {
      // lower bound of s * y_j, s = +1 (lower) or -1 (upper)
      const double s = side == 0 ? 1.0 : -1.0;
      Eigen::MatrixXd c = Eigen::MatrixXd::Zero(1, n);
      c(0, j) = s;
      const Eigen::VectorXd d = Eigen::VectorXd::Zero(1);
      struct Piece {
        double lb;
        Box box;
        Eigen::Index dim;
        bool operator<(const Piece& o) const { return lb > o.lb; }  // min-heap on lb
      };
      std::priority_queue<Piece> heap;
      double best_value = kInf;  // smallest s*y_j seen at a sample point
      auto bound = [&](Box b) {
        prop.Propagate(b, BoundMethod::kCrown);
        Eigen::MatrixXd a;
        const double lb = prop.SpecLowerBounds(c, d, &a)[0];
        const Eigen::VectorXd width = b.hi - b.lo;
        Eigen::Index dim = 0;
        (a.row(0).transpose().cwiseAbs().cwiseProduct(width)).maxCoeff(&dim);
        Eigen::VectorXd corner(width.size());
        for (Eigen::Index i = 0; i < corner.size(); ++i) corner[i] = a(0, i) > 0 ? b.lo[i] : b.hi[i];
        best_value = std::min(best_value, s * net.Evaluate(corner)[j]);
        heap.push(Piece{lb, std::move(b), dim});
      };
      bound(input);
      for (int split = 0; split < max_splits && !heap.empty(); ++split) {
        if (best_value - heap.top().lb <= 1e-9 * (1.0 + std::abs(best_value))) break;
        Piece p = heap.top();
        heap.pop();
        const double mid = p.box.lo[p.dim] + 0.5 * (p.box.hi[p.dim] - p.box.lo[p.dim]);
        if (!(mid > p.box.lo[p.dim] && mid < p.box.hi[p.dim])) {
          heap.push(std::move(p));
          break;
        }
        Box left = p.box, right = p.box;
        left.hi[p.dim] = mid;
        right.lo[p.dim] = mid;
        bound(std::move(left));
        bound(std::move(right));
      }
      const double lb = heap.empty() ? -kInf : heap.top().lb;
      if (side == 0) {
        out.lo[j] = std::max(out.lo[j], lb);
      } else {
        out.hi[j] = std::min(out.hi[j], -lb);
      }
    }
  }
  return out;
}

}  // namespace gauntlet::verifier::formal
