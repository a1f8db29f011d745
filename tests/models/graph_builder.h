#pragma once
// Test helper: short constructors for hand-written models::Graph pieces.
//
//   Graph::Create({T(0, "x", {1, 2}), T(1, "w", {2, 2}, {{1, 0, 0, 1}}), T(2, "y", {1, 2})},
//                 {N("mm", OpKind::kMatMul, {0, 1}, 2)}, {0}, {2});

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/graph.h"

namespace gauntlet::models::testing {

/// A tensor; with `data`, an initializer.
inline Tensor T(TensorId id, std::string name, std::vector<int64_t> shape,
                std::optional<std::vector<double>> data = {}) {
  return Tensor{id, std::move(name), std::move(shape), std::move(data)};
}

/// A node with default attributes.
inline Node N(std::string name, OpKind kind, std::vector<TensorId> in, TensorId out) {
  Node n;
  n.name = std::move(name);
  n.kind = kind;
  n.inputs = std::move(in);
  n.output = out;
  return n;
}

}  // namespace gauntlet::models::testing
