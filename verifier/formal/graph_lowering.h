#pragma once
// Lowers a models::Graph to the Network that bound propagation works on.
//
//   formal::Network net = formal::LowerGraph(model->graph());
//
// Every operator of the IR that is meaningful for bounds is supported: Gemm, MatMul (one operand
// constant), Add, Sub, Mul/Div by constants, Neg, Relu, LeakyRelu, Sigmoid, Tanh, Softplus, Clip,
// Identity, Flatten, Reshape, Squeeze, Unsqueeze, Concat, BatchNormalization, Dropout (Constant is
// folded by the loader). LeakyRelu and Clip are rewritten exactly with ReLUs
// (alpha x + (1 - alpha) relu(x); a + relu(x - a) - relu(x - b)). Shape-only operators are free.
// Several graph inputs (outputs) are concatenated in the graph's order, as models::Model does.
// An operator that cannot be bounded soundly (a product or quotient of two computed tensors, a
// division by a computed tensor or by zero) is a core::InputError naming the file and the node.

#include "models/graph.h"
#include "verifier/formal/network.h"

namespace gauntlet::verifier::formal {

/// The Network computing the same function as `graph` (flattened input and output).
[[nodiscard]] Network LowerGraph(const models::Graph& graph);

}  // namespace gauntlet::verifier::formal
