#pragma once
// The network representation that bound propagation works on.
//
// A Network is a DAG of layers over flat vectors of doubles: one input layer, linear layers
// (y = sum_k W_k x_{parent_k} + b, with dense or diagonal W_k) and elementwise activations (ReLU,
// sigmoid, tanh, softplus). Every operator of models::Graph that is meaningful for bounds lowers to
// these (see graph_lowering.h): LeakyRelu and Clip become ReLUs plus linear layers, exactly.
//
//   formal::Network net;
//   const int x = net.AddInput(2);
//   const int h = net.AddLinear({formal::LinearTerm::Dense(x, w1)}, b1);
//   const int r = net.AddActivation(formal::LayerKind::kRelu, h);
//   net.SetOutput(net.AddLinear({formal::LinearTerm::Dense(r, w2)}, b2));
//   Eigen::VectorXd y = net.Evaluate(x0);
//
// Floating point: a linear layer stands for one operator of the original model evaluated in
// float64. Its `extra_roundings` and `bias_abs` describe how that operator computes, so that the
// bounds (bounds.h) can inflate by a proven bound on the rounding error of any evaluation order.
// A Network is immutable once built and can be shared between threads.

#include <Eigen/Core>
#include <string>
#include <vector>

namespace gauntlet::verifier::formal {

/// What a layer computes.
enum class LayerKind { kInput, kLinear, kRelu, kSigmoid, kTanh, kSoftplus };

/// One operand of a linear layer: `weight * x_parent` (dense) or `diag .* x_parent` (diagonal).
struct LinearTerm {
  int parent = -1;
  bool diagonal = false;
  Eigen::MatrixXd weight;  ///< size x parent size (dense terms)
  Eigen::VectorXd diag;    ///< size (diagonal terms; parent size == size)

  [[nodiscard]] static LinearTerm Dense(int parent, Eigen::MatrixXd weight);
  [[nodiscard]] static LinearTerm Diagonal(int parent, Eigen::VectorXd diag);
};

/// One node of the network.
struct Layer {
  LayerKind kind = LayerKind::kInput;
  int size = 0;
  // kLinear
  std::vector<LinearTerm> terms;
  Eigen::VectorXd bias;
  Eigen::VectorXd bias_abs;  ///< bound on the magnitude of every constant summed into each output
  int extra_roundings = 0;   ///< roundings per output beyond one per product and sum
  int fan_in = 0;            ///< products summed into one output (max over rows)
  // activations
  int input = -1;
};

/// A DAG of linear layers and elementwise activations. Layers are added in topological order.
class Network {
 public:
  /// The input layer; must be the first layer added.
  int AddInput(int size);
  /// y = sum_k terms[k] + bias. `extra_roundings` counts the roundings the original operator does
  /// beyond a plain dot product (scaling by alpha, a division, a sqrt); `bias_abs`, if non-empty,
  /// bounds the magnitude of the constants folded into `bias` (defaults to |bias|).
  int AddLinear(std::vector<LinearTerm> terms, Eigen::VectorXd bias, int extra_roundings = 2,
                Eigen::VectorXd bias_abs = {});
  /// An elementwise activation of layer `input`.
  int AddActivation(LayerKind kind, int input);
  void SetOutput(int layer);
  /// Adds the constants `add` to the bias of the LAST layer (a linear one, not yet used by any
  /// other layer), which then stands for one more operator: `add_abs` bounds their magnitudes and
  /// `extra_roundings` counts the extra roundings (fusing `Add(MatMul(x, W), b)` into one layer).
  void AddToLastBias(const Eigen::VectorXd& add, const Eigen::VectorXd& add_abs, int extra_roundings);

  [[nodiscard]] const std::vector<Layer>& layers() const { return layers_; }
  [[nodiscard]] const Layer& layer(int i) const { return layers_[static_cast<size_t>(i)]; }
  [[nodiscard]] int num_layers() const { return static_cast<int>(layers_.size()); }
  [[nodiscard]] int input_size() const { return layers_.empty() ? 0 : layers_[0].size; }
  [[nodiscard]] int output_layer() const { return output_; }
  [[nodiscard]] int output_size() const { return layers_[static_cast<size_t>(output_)].size; }
  /// Total number of neurons (bounds the length of every sum the bounds compute).
  [[nodiscard]] int total_size() const { return total_size_; }

  /// Plain float64 forward pass.
  [[nodiscard]] Eigen::VectorXd Evaluate(const Eigen::VectorXd& x) const;
  /// The outputs for many inputs at once (one per column; the same arithmetic as Evaluate, with
  /// matrix products, so faster per point).
  [[nodiscard]] Eigen::MatrixXd EvaluateBatch(const Eigen::MatrixXd& x) const;
  /// The value of every layer.
  [[nodiscard]] std::vector<Eigen::VectorXd> EvaluateAll(const Eigen::VectorXd& x) const;
  /// Gradient with respect to the input of `output_weight . y`, at the point whose layer values are
  /// `values` (from EvaluateAll). ReLU at 0 takes slope 0.
  [[nodiscard]] Eigen::VectorXd InputGradient(const std::vector<Eigen::VectorXd>& values,
                                              const Eigen::VectorXd& output_weight) const;

 private:
  std::vector<Layer> layers_;
  int output_ = -1;
  int total_size_ = 0;
};

/// The activation function of `kind` (not kInput/kLinear), as the forward pass computes it.
[[nodiscard]] double Activate(LayerKind kind, double x);
/// Its derivative.
[[nodiscard]] double ActivationDerivative(LayerKind kind, double x);

}  // namespace gauntlet::verifier::formal
