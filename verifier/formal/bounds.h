#pragma once
// Sound bounds of a Network over an input box: interval bound propagation (IBP), backward linear
// relaxation (CROWN / DeepPoly with the adaptive ReLU lower slope, intermediate bounds by CROWN),
// optionally with a slope search (each bound the best of three lower-slope choices: a cheap form of
// alpha-CROWN's optimisation, which cuts ACAS Xu branch-and-bound trees by 10-100x), and forward
// symbolic linear bounds (kSymbolic).
//
//   formal::BoundPropagator prop(net);
//   prop.Propagate(box, formal::BoundMethod::kCrown);
//   Eigen::VectorXd lb = prop.SpecLowerBounds(c, d);   // lb[k] <= c.row(k) . y - d[k] on the box
//   formal::Box out = formal::ComputeOutputBounds(net, box, formal::BoundMethod::kCrown);
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
#include <vector>

#include "verifier/formal/network.h"

namespace gauntlet::verifier::formal {

/// An axis-aligned box [lo, hi].
struct Box {
  Eigen::VectorXd lo;
  Eigen::VectorXd hi;
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

  /// Bounds every layer over `input` (lo <= hi, finite).
  void Propagate(const Box& input, BoundMethod method);

  /// With `on`, every back-substitution is run with three choices of the lower ReLU slope (adaptive,
  /// all 0, all 1) and each row keeps its best bound (a cheap form of slope optimisation).
  void set_slope_search(bool on) { slope_search_ = on; }
  /// With the slope search, whether SpecLowerBounds' input coefficients come from each row's best
  /// slope choice (true) or from the adaptive slopes (false, default).
  void set_coeffs_from_best(bool on) { coeffs_from_best_ = on; }

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
  // Backward with the slope search (best row-wise over the slope modes).
  Eigen::VectorXd BestBackward(int start, const Eigen::MatrixXd& lam_start, const Eigen::VectorXd& const0,
                               Eigen::MatrixXd* input_coeffs);
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

/// Sound bounds of the outputs over `input` (kCrown runs with the slope search on).
[[nodiscard]] Box ComputeOutputBounds(const Network& net, const Box& input, BoundMethod method);

/// gamma_n = n u / (1 - n u), rounded up (u = 2^-53).
[[nodiscard]] double Gamma(int n);

}  // namespace gauntlet::verifier::formal
