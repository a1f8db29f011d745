#pragma once
// Internal: the file loaders behind Model::LoadModel. Both throw core::InputError naming the file.

#include <string>
#include <utility>

#include "models/graph.h"
#include "models/model.h"

namespace gauntlet::models::internal {

/// Reads an ONNX file (opset 8..17) into a checked Graph.
[[nodiscard]] Graph LoadOnnxGraph(const std::string& path);

/// Reads a Reluplex .nnet file: the graph (Gemm + Relu layers, input "input" of shape [1, n]) and
/// its normalisation constants.
[[nodiscard]] std::pair<Graph, NnetNormalization> LoadNnet(const std::string& path);

}  // namespace gauntlet::models::internal
