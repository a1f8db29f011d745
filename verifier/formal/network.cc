#include "verifier/formal/network.h"

#include <cmath>

#include "core/check.h"

namespace gauntlet::verifier::formal {

LinearTerm LinearTerm::Dense(int parent, Eigen::MatrixXd weight) {
  LinearTerm t;
  t.parent = parent;
  t.weight = std::move(weight);
  return t;
}

LinearTerm LinearTerm::Diagonal(int parent, Eigen::VectorXd diag) {
  LinearTerm t;
  t.parent = parent;
  t.diagonal = true;
  t.diag = std::move(diag);
  return t;
}

int Network::AddInput(int size) {
  GAUNTLET_CHECK(layers_.empty());
  Layer l;
  l.kind = LayerKind::kInput;
  l.size = size;
  layers_.push_back(std::move(l));
  total_size_ += size;
  output_ = 0;
  return 0;
}

int Network::AddLinear(std::vector<LinearTerm> terms, Eigen::VectorXd bias, int extra_roundings,
                       Eigen::VectorXd bias_abs) {
  GAUNTLET_CHECK(!layers_.empty());
  Layer l;
  l.kind = LayerKind::kLinear;
  l.size = static_cast<int>(bias.size());
  int fan_in = 0;
  for (const LinearTerm& t : terms) {
    GAUNTLET_CHECK(t.parent >= 0 && t.parent < num_layers());
    const int parent_size = layers_[static_cast<size_t>(t.parent)].size;
    if (t.diagonal) {
      GAUNTLET_CHECK(t.diag.size() == l.size && parent_size == l.size);
      fan_in += 1;
    } else {
      GAUNTLET_CHECK(t.weight.rows() == l.size && t.weight.cols() == parent_size);
      fan_in += parent_size;
    }
  }
  l.terms = std::move(terms);
  l.bias_abs = bias_abs.size() == 0 ? Eigen::VectorXd(bias.cwiseAbs()) : std::move(bias_abs);
  GAUNTLET_CHECK(l.bias_abs.size() == l.size);
  l.bias = std::move(bias);
  l.extra_roundings = extra_roundings;
  l.fan_in = fan_in;
  total_size_ += l.size;
  layers_.push_back(std::move(l));
  return num_layers() - 1;
}

int Network::AddActivation(LayerKind kind, int input) {
  GAUNTLET_CHECK(kind != LayerKind::kInput && kind != LayerKind::kLinear);
  GAUNTLET_CHECK(input >= 0 && input < num_layers());
  Layer l;
  l.kind = kind;
  l.input = input;
  l.size = layers_[static_cast<size_t>(input)].size;
  total_size_ += l.size;
  layers_.push_back(std::move(l));
  return num_layers() - 1;
}

void Network::AddToLastBias(const Eigen::VectorXd& add, const Eigen::VectorXd& add_abs, int extra_roundings) {
  GAUNTLET_CHECK(!layers_.empty() && layers_.back().kind == LayerKind::kLinear);
  Layer& l = layers_.back();
  GAUNTLET_CHECK(add.size() == l.size && add_abs.size() == l.size);
  l.bias += add;
  l.bias_abs += add_abs;
  l.extra_roundings += extra_roundings;
}

void Network::SetOutput(int layer) {
  GAUNTLET_CHECK(layer >= 0 && layer < num_layers());
  output_ = layer;
}

double Activate(LayerKind kind, double x) {
  switch (kind) {
    case LayerKind::kRelu:
      return x > 0.0 ? x : 0.0;
    case LayerKind::kSigmoid:
      return x >= 0.0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x));
    case LayerKind::kTanh:
      return std::tanh(x);
    case LayerKind::kSoftplus:
      return x > 0.0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    default:
      GAUNTLET_CHECK_MSG(false, "not an activation");
  }
}

double ActivationDerivative(LayerKind kind, double x) {
  switch (kind) {
    case LayerKind::kRelu:
      return x > 0.0 ? 1.0 : 0.0;
    case LayerKind::kSigmoid: {
      const double s = Activate(LayerKind::kSigmoid, x);
      return s * (1.0 - s);
    }
    case LayerKind::kTanh: {
      const double t = std::tanh(x);
      return 1.0 - t * t;
    }
    case LayerKind::kSoftplus:
      return Activate(LayerKind::kSigmoid, x);
    default:
      GAUNTLET_CHECK_MSG(false, "not an activation");
  }
}

namespace {

// The value of every layer for one input (Vector = Eigen::VectorXd) or one input per column
// (Eigen::MatrixXd).
template <class Values>
std::vector<Values> EvaluateLayers(const std::vector<Layer>& layers, const Values& x) {
  std::vector<Values> v(layers.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = layers[i];
    switch (l.kind) {
      case LayerKind::kInput:
        v[i] = x;
        break;
      case LayerKind::kLinear: {
        Values y = l.bias.replicate(1, x.cols());
        for (const LinearTerm& t : l.terms) {
          const Values& p = v[static_cast<size_t>(t.parent)];
          if (t.diagonal) {
            y += t.diag.asDiagonal() * p;
          } else {
            y.noalias() += t.weight * p;
          }
        }
        v[i] = std::move(y);
        break;
      }
      default:
        v[i] = v[static_cast<size_t>(l.input)].unaryExpr([&](double z) { return Activate(l.kind, z); });
        break;
    }
  }
  return v;
}

}  // namespace

std::vector<Eigen::VectorXd> Network::EvaluateAll(const Eigen::VectorXd& x) const {
  GAUNTLET_CHECK(x.size() == input_size());
  return EvaluateLayers(layers_, x);
}

Eigen::MatrixXd Network::EvaluateBatch(const Eigen::MatrixXd& x) const {
  GAUNTLET_CHECK(x.rows() == input_size());
  return std::move(EvaluateLayers(layers_, x)[static_cast<size_t>(output_)]);
}

Eigen::VectorXd Network::Evaluate(const Eigen::VectorXd& x) const {
  return EvaluateAll(x)[static_cast<size_t>(output_)];
}

Eigen::VectorXd Network::InputGradient(const std::vector<Eigen::VectorXd>& values,
                                       const Eigen::VectorXd& output_weight) const {
  std::vector<Eigen::VectorXd> g(layers_.size());
  g[static_cast<size_t>(output_)] = output_weight;
  for (int i = output_; i > 0; --i) {
    Eigen::VectorXd& gi = g[static_cast<size_t>(i)];
    if (gi.size() == 0) continue;
    const Layer& l = layers_[static_cast<size_t>(i)];
    auto accumulate = [&](int parent, const Eigen::VectorXd& contribution) {
      Eigen::VectorXd& gp = g[static_cast<size_t>(parent)];
      if (gp.size() == 0) {
        gp = contribution;
      } else {
        gp += contribution;
      }
    };
    if (l.kind == LayerKind::kLinear) {
      for (const LinearTerm& t : l.terms) {
        if (t.diagonal) {
          accumulate(t.parent, t.diag.cwiseProduct(gi));
        } else {
          accumulate(t.parent, t.weight.transpose() * gi);
        }
      }
    } else {
      const Eigen::VectorXd& p = values[static_cast<size_t>(l.input)];
      Eigen::VectorXd c(l.size);
      for (int j = 0; j < l.size; ++j) c[j] = gi[j] * ActivationDerivative(l.kind, p[j]);
      accumulate(l.input, c);
    }
  }
  if (g[0].size() == 0) return Eigen::VectorXd::Zero(input_size());
  return g[0];
}

}  // namespace gauntlet::verifier::formal
