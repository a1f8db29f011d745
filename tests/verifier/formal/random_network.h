#pragma once
// Random small networks for the formal tests.

#include <Eigen/Core>

#include "core/rng.h"
#include "verifier/formal/bounds.h"
#include "verifier/formal/network.h"

namespace gauntlet::verifier::formal::testing {

/// A random DAG: `inputs` inputs, up to 3 hidden layers, random activations (ReLU only if
/// `relu_only`), sometimes a skip connection or a diagonal layer; `outputs` outputs.
inline Network RandomNetwork(core::Rng& rng, int inputs, int outputs, bool relu_only) {
  Network net;
  int prev = net.AddInput(inputs);
  int prev2 = -1;
  const int hidden = 1 + static_cast<int>(rng.UniformInt(3));
  for (int h = 0; h < hidden; ++h) {
    const int width = 1 + static_cast<int>(rng.UniformInt(7));
    const int prev_size = net.layer(prev).size;
    Eigen::MatrixXd w(width, prev_size);
    for (int i = 0; i < width; ++i)
      for (int j = 0; j < prev_size; ++j) w(i, j) = rng.Normal(0.0, 1.0);
    Eigen::VectorXd b(width);
    for (int i = 0; i < width; ++i) b[i] = rng.Normal(0.0, 0.5);
    std::vector<LinearTerm> terms = {LinearTerm::Dense(prev, w)};
    if (prev2 >= 0 && rng.Uniform() < 0.4) {
      Eigen::MatrixXd w2(width, net.layer(prev2).size);
      for (int i = 0; i < w2.rows(); ++i)
        for (int j = 0; j < w2.cols(); ++j) w2(i, j) = rng.Normal(0.0, 0.5);
      terms.push_back(LinearTerm::Dense(prev2, w2));
    }
    int lin = net.AddLinear(std::move(terms), b);
    if (rng.Uniform() < 0.3) {
      Eigen::VectorXd d(width);
      for (int i = 0; i < width; ++i) d[i] = rng.Normal(0.0, 1.0);
      lin = net.AddLinear({LinearTerm::Diagonal(lin, d)}, Eigen::VectorXd::Constant(width, rng.Normal(0.0, 0.3)));
    }
    LayerKind kind = LayerKind::kRelu;
    if (!relu_only) {
      const LayerKind kinds[] = {LayerKind::kRelu, LayerKind::kRelu, LayerKind::kSigmoid, LayerKind::kTanh,
                                 LayerKind::kSoftplus};
      kind = kinds[rng.UniformInt(5)];
    }
    prev2 = prev;
    prev = net.AddActivation(kind, lin);
  }
  Eigen::MatrixXd w(outputs, net.layer(prev).size);
  for (int i = 0; i < w.rows(); ++i)
    for (int j = 0; j < w.cols(); ++j) w(i, j) = rng.Normal(0.0, 1.0);
  Eigen::VectorXd b(outputs);
  for (int i = 0; i < outputs; ++i) b[i] = rng.Normal(0.0, 0.5);
  net.SetOutput(net.AddLinear({LinearTerm::Dense(prev, w)}, b));
  return net;
}

/// A random box in [-2, 2]^n.
inline Box RandomBox(core::Rng& rng, int n) {
  Box box{Eigen::VectorXd(n), Eigen::VectorXd(n)};
  for (int i = 0; i < n; ++i) {
    const double c = rng.Uniform(-1.5, 1.5);
    const double r = rng.Uniform(0.0, 1.0);
    box.lo[i] = c - r;
    box.hi[i] = c + r;
  }
  return box;
}

/// A point of the box: a corner (with probability 1/4) or a uniform point.
inline Eigen::VectorXd SamplePoint(core::Rng& rng, const Box& box) {
  const bool corner = rng.Uniform() < 0.25;
  Eigen::VectorXd x(box.lo.size());
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    x[i] = corner ? (rng.Uniform() < 0.5 ? box.lo[i] : box.hi[i]) : rng.Uniform(box.lo[i], box.hi[i]);
  }
  return x;
}

}  // namespace gauntlet::verifier::formal::testing
