#pragma once
// Sound bounds of a Network over an input box: interval bound propagation (IBP), backward linear
// relaxation (CROWN / DeepPoly with the adaptive ReLU lower slope, intermediate bounds by CROWN),
// optionally with a slope search (each bound the best of three lower-slope choices: a cheap form of
// alpha-CROWN's optimisation, which cuts ACAS Xu branch-and-bound trees by 10-100x), optionally with
// alpha-CROWN's optimisation of the final bounds (set_alpha_steps: the lower slopes of the unstable
// ReLUs, one per spec row and neuron, by projected gradient ascent on each row's bound, warm-started
// from the best of the three slope choices, Adam steps of 0.1 decaying by 0.98, gradients by a
// forward sweep of the adjoint of the back-substitution), and forward symbolic linear bounds (kSymbolic).
//
//   formal::BoundPropagator prop(net);
//   prop.Propagate(box, formal::BoundMethod::kCrown);
//   Eigen::VectorXd lb = prop.SpecLowerBounds(c, d);   // lb[k] <= c.row(k) . y - d[k] on the box
//   formal::Box out = formal::ComputeOutputBounds(net, box, formal::BoundMethod::kCrown);
//   prop.set_alpha_steps(20);                           // optimise the slopes of SpecLowerBounds
//   Eigen::VectorXd tighter = prop.SpecLowerBounds(c, d);
//
// Every lower slope in [0, 1] gives a valid ReLU relaxation, so the slope optimisation cannot make
// a bound unsound: each optimised bound is computed by the same back-substitution (with the same
// outward rounding) as plain CROWN, and each row keeps the best bound over its iterates, which
// include the starting slopes (so it is never looser than the slope search). Only the spec bounds
// are optimised unless set_alpha_intermediate_steps asks for the intermediate ones too (each bound
// optimised on its own, not jointly for the final bound as alpha-CROWN does). The error charged at
// a ReLU already covers any slope in [0, 1]. set_combine_rows adds one optimised nonnegative
// combination of the rows (for refuting a conjunction); the rounding of the combined row and
// constant is charged explicitly (gamma_{k+1} sum_k lambda_k |c_k| |y|).
//
// Soundness in floating point: every bound contains both the real-valued network and the float64
// forward pass of the original model in any summation order. Each linear layer is treated as the
// exact operator plus a perturbation bounded by gamma_n * (|W| |x| + |b|) (gamma_n = n u / (1 - n u),
// the classical bound for a dot product of length n), the rounding of the bound computation itself
// is charged the same way (|fl(AB) - AB| <= gamma_n |A||B|), and final results are rounded outward
// with std::nextafter. Smooth activations (sigmoid, tanh, softplus) use mean-value-theorem lines
// with an absolute slack of 16 ulp for the libm error. Non-finite bounds never prove anything.
//
// A BoundPropagator holds scratch space: use one per thread.

#include <Eigen/Core>
#include <limits>
#include <vector>

#include "verifier/formal/network.h"

namespace gauntlet::verifier::formal {

/// An axis-aligned box [lo, hi].
struct Box {
  Eigen::VectorXd lo;
  Eigen::VectorXd hi;
};

/// Bounds of every layer (indexed by layer; an empty vector: none known).
struct LayerBounds {
  std::vector<Eigen::VectorXd> lo;
  std::vector<Eigen::VectorXd> hi;
};

/// How bounds are computed.
enum class BoundMethod {
  kIbp,       ///< intervals only
  kCrown,     ///< intermediate and final bounds by back-substitution to the input (tightest, costliest)
  kSymbolic,  ///< intermediate bounds by forward linear bounds in the input (DeepPoly/Neurify style,
              ///< cheap for few inputs), final spec bounds by back-substitution
};

/// Computes bounds of every layer of one network over boxes (scratch space for one thread).
class BoundPropagator {
 public:
  explicit BoundPropagator(const Network& net);

  /// Bounds every layer over `input` (lo <= hi, finite). `prior`, if given, holds sound bounds of
  /// the layers over a box that contains `input` (a parent box's layer_bounds()): each layer's bounds
  /// are intersected with them before they are used, so neurons stable there stay stable here and
  /// cost no back-substitution.
  void Propagate(const Box& input, BoundMethod method, const LayerBounds* prior = nullptr);
  /// The bounds of every layer from the last Propagate.
  [[nodiscard]] LayerBounds layer_bounds() const { return {lo_, hi_}; }

  /// With `on`, every back-substitution is run with three choices of the lower ReLU slope (adaptive,
  /// all 0, all 1) and each row keeps its best bound (a cheap form of slope optimisation).
  void set_slope_search(bool on) { slope_search_ = on; }
  /// With the slope search, whether SpecLowerBounds' input coefficients come from each row's best
  /// slope choice (true) or from the adaptive slopes (false, default).
  void set_coeffs_from_best(bool on) { coeffs_from_best_ = on; }

  /// With `steps` > 0, SpecLowerBounds (after a kCrown or kSymbolic Propagate) optimises the lower
  /// slopes of the unstable ReLUs per row for up to `steps` gradient steps (0: off, the default).
  void set_alpha_steps(int steps) { alpha_steps_ = steps; }
  /// With `steps` > 0, Propagate(kCrown) also optimises the slopes of every intermediate bound (each
  /// bound its own, for up to `steps` gradient steps; costly: each layer's refinement runs steps + 3
  /// back-substitutions). 0: off, the default.
  void set_alpha_intermediate_steps(int steps) { alpha_intermediate_steps_ = steps; }
  /// With the slope optimisation: stop as soon as some row's bound is > 0 (enough to refute a
  /// conjunction of the rows), instead of optimising every row. Default off.
  void set_alpha_stop_when_positive(bool on) { alpha_stop_positive_ = on; }
  /// With the slope optimisation and set_alpha_stop_when_positive, on the output layer, with >= 2
  /// rows: also optimise a nonnegative combination sum_k lambda_k (c_k . y - d_k) of the rows (its
  /// rounding charged in full); see last_combination_bound. Default off.
  void set_combine_rows(bool on) { combine_rows_ = on; }
  /// A sound lower bound of sum_k lambda_k (c_k . y - d_k) for some lambda >= 0 with sum 1 from the
  /// last SpecLowerBounds (-inf if none): if > 0, some row c_k . y - d_k is > 0 everywhere on the box.
  [[nodiscard]] double last_combination_bound() const { return last_combination_bound_; }
  /// Gradient steps the slope optimisation took in the last SpecLowerBounds (for profiling).
  [[nodiscard]] int last_alpha_steps() const { return last_alpha_steps_; }

  [[nodiscard]] const Eigen::VectorXd& lower(int layer) const { return lo_[static_cast<size_t>(layer)]; }
  [[nodiscard]] const Eigen::VectorXd& upper(int layer) const { return hi_[static_cast<size_t>(layer)]; }

  /// Sound lower bounds of `c * y - d` (y: the output layer) over the box of the last Propagate:
  /// by back-substitution (CROWN) if that Propagate used kCrown, else by IBP. NaN becomes -inf.
  /// If `input_coeffs` is given and CROWN is used, it receives the linear coefficients on the input
  /// (rows of c x input size), whose magnitudes times the box widths say which input matters most.
  [[nodiscard]] Eigen::VectorXd SpecLowerBounds(const Eigen::MatrixXd& c, const Eigen::VectorXd& d,
                                                Eigen::MatrixXd* input_coeffs = nullptr);

 private:
  struct LinearCache {
    std::vector<Eigen::MatrixXd> abs_weight;  // per dense term
    double fwd_gamma = 0.0;                   // forward-pass rounding of the operator
    double back_gamma = 0.0;                  // rounding of back-substitution products
  };
  // Lower bounds of lam_start * z_start + const0 over the box, by back-substitution.
  Eigen::VectorXd Backward(int start, Eigen::MatrixXd lam_start, Eigen::VectorXd const0, Eigen::MatrixXd* input_coeffs);
  // Backward with the slope search (best row-wise over the slope modes); with `modes`, each row's
  // winning mode (0 adaptive, 1 all 0, 2 all 1).
  Eigen::VectorXd BestBackward(int start, const Eigen::MatrixXd& lam_start, const Eigen::VectorXd& const0,
                               Eigen::MatrixXd* input_coeffs, std::vector<int>* modes = nullptr);
  // BestBackward, then projected gradient ascent (Adam) on per-row lower ReLU slopes.
  Eigen::VectorXd OptimizedBackward(int start, const Eigen::MatrixXd& lam_start, const Eigen::VectorXd& const0,
                                    Eigen::MatrixXd* input_coeffs);
  // The state of OptimizedBackward's ascent: per layer the per-row lower slopes of the unstable ReLUs
  // (rows x size, empty where no ReLU is unstable) and Adam's moments, rate and bias-correction powers.
  struct SlopeAscent {
    std::vector<Eigen::MatrixXd> alpha, m1, m2;
    double lr = 0.1, pow1 = 1.0, pow2 = 1.0;
  };
  // Sets `adam`'s slopes of the `ext` rows from each row's winning slope mode `modes[r]` (layers up to
  // `start`); returns whether some ReLU is unstable (else there is nothing to optimise).
  bool WarmStartSlopes(int start, Eigen::Index ext, const std::vector<int>& modes, SlopeAscent& adam) const;
  // One Adam step on `adam`'s slopes: the gradient `g` (per layer up to `last`, d bound_r / d Lambda_i)
  // by a forward sweep of the adjoint of the last Backward (which kept its Lambdas in kept_lam_).
  void SlopeGradientStep(int last, Eigen::Index ext, SlopeAscent& adam, std::vector<Eigen::MatrixXd>& g) const;
  // Intersects layer i's bounds with prior's (if any).
  void Intersect(int i, const LayerBounds* prior);
  void LinearIbp(int i);
  void ActivationIbp(int i);
  void Relaxation(int i);
  void RefineByCrown(int i);
  void LinearForward(int i);
  void ActivationForward(int i);
  void ConcretizeForward(int i);

  const Network& net_;
  std::vector<LinearCache> cache_;
  std::vector<int> consumers_;
  double gamma_big_ = 0.0;
  BoundMethod method_ = BoundMethod::kIbp;
  bool slope_search_ = false;
  bool coeffs_from_best_ = false;
  int slope_mode_ = 0;  // 0: adaptive lower ReLU slope, 1: all 0, 2: all 1
  int alpha_steps_ = 0;
  bool alpha_stop_positive_ = false;
  int alpha_intermediate_steps_ = 0;
  bool combine_rows_ = false;
  double last_combination_bound_ = -std::numeric_limits<double>::infinity();
  int last_alpha_steps_ = 0;
  // per layer: lower slopes of the unstable ReLUs per row (rows x size; empty: use slope_mode_), and
  // whether Backward keeps each layer's accumulated Lambda in kept_lam_ (for the gradient)
  const std::vector<Eigen::MatrixXd>* alpha_ = nullptr;
  bool keep_lam_ = false;
  std::vector<Eigen::MatrixXd> kept_lam_;
  std::vector<std::vector<char>> unstable_;
  std::vector<Eigen::VectorXd> lo_, hi_, mag_;
  std::vector<Eigen::VectorXd> err_;  // per layer: |Lambda| . err_ bounds the error charged at that layer
  // activation relaxations: sl x + tl <= f(x) <= su x + tu
  std::vector<Eigen::VectorXd> sl_, tl_, su_, tu_;
  std::vector<bool> feeds_activation_;
  std::vector<Eigen::MatrixXd> lam_;
  // forward linear bounds in the input: al_ x + bl_ <= z <= au_ x + bu_, and a bound on their magnitude
  std::vector<Eigen::MatrixXd> al_, au_;
  std::vector<Eigen::VectorXd> bl_, bu_, fmag_;
  std::vector<Eigen::MatrixXd> wpos_, wneg_;  // per layer, first dense term only cached by index below
  std::vector<std::vector<int>> term_cache_;  // per layer, per term: index into wpos_/wneg_ (-1: diagonal)
};

/// Sound bounds of the outputs over `input` (kCrown runs with the slope search on, and with the
/// slope optimisation for `alpha_steps` > 0 steps).
[[nodiscard]] Box ComputeOutputBounds(const Network& net, const Box& input, BoundMethod method, int alpha_steps = 0);

/// gamma_n = n u / (1 - n u), rounded up (u = 2^-53).
[[nodiscard]] double Gamma(int n);

}  // namespace gauntlet::verifier::formal
