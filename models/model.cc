#include "models/model.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "core/check.h"
#include "core/error.h"
#include "models/internal/loaders.h"

namespace gauntlet::models {
namespace {

constexpr int64_t kBlockRows = 128;

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::atomic<uint64_t> next_model_id{1};

}  // namespace

Model::Model(Graph graph) : id_(next_model_id.fetch_add(1)), graph_(std::move(graph)) {}

std::shared_ptr<const Model> Model::LoadModel(const std::string& path) {
  std::string lower = path;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (EndsWith(lower, ".onnx")) return FromGraph(internal::LoadOnnxGraph(path));
  if (EndsWith(lower, ".nnet")) {
    auto [graph, norm] = internal::LoadNnet(path);
    return FromGraph(std::move(graph), std::move(norm));
  }
  throw core::InputError(core::SourcePos{path, 0, 0},
                         "unknown model format (expected a file ending in '.onnx' or '.nnet')");
}

std::shared_ptr<const Model> Model::FromGraph(Graph graph, std::optional<NnetNormalization> nnet) {
  std::shared_ptr<Model> model(new Model(std::move(graph)));
  const Graph& g = model->graph_;
  model->nnet_ = std::move(nnet);
  const size_t n = g.tensors().size();
  model->slot_.assign(n, -1);
  model->dims_.resize(n);
  int slots = 0;
  for (const Tensor& t : g.tensors()) {
    model->dims_[static_cast<size_t>(t.id)] = internal::Dims::From(t.shape);
    if (!t.is_constant()) model->slot_[static_cast<size_t>(t.id)] = slots++;
  }
  for (TensorId id : g.inputs()) model->input_counts_.push_back(static_cast<size_t>(g.tensor(id).element_count()));
  for (TensorId id : g.outputs()) model->output_counts_.push_back(static_cast<size_t>(g.tensor(id).element_count()));
  for (size_t count : model->input_counts_) model->input_size_ += count;
  for (size_t count : model->output_counts_) model->output_size_ += count;
  for (const Node& node : g.nodes()) model->max_arity_ = std::max(model->max_arity_, node.inputs.size());
  model->block_rows_ = g.batch_leading() ? kBlockRows : 1;
  // a single sample's matrix-vector products over constant weights, packed once
  model->packed_.resize(g.nodes().size());
  std::vector<internal::Operand> operands;
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    const Node& node = g.nodes()[i];
    operands.clear();
    for (const TensorId id : node.inputs) {
      const Tensor& t = g.tensor(id);
      operands.push_back({t.is_constant() ? t.data->data() : nullptr, model->dims_[static_cast<size_t>(id)]});
    }
    (void)internal::PackGemv(node, operands, model->dims_[static_cast<size_t>(node.output)], &model->packed_[i]);
  }
  if (model->nnet_) {
    GAUNTLET_CHECK(model->nnet_->input_mean.size() == model->input_size_);
  }
  return model;
}

void Model::Prepare(Workspace& ws, int64_t rows) const {
  if (ws.sized_for_ == id_ && ws.rows_ >= rows) return;
  ws.buffers_.assign(static_cast<size_t>(std::count_if(slot_.begin(), slot_.end(), [](int s) { return s >= 0; })), {});
  for (const Tensor& t : graph_.tensors()) {
    const int s = slot_[static_cast<size_t>(t.id)];
    if (s >= 0) ws.buffers_[static_cast<size_t>(s)].assign(static_cast<size_t>(t.element_count() * rows), 0.0);
  }
  ws.operands_.resize(max_arity_);
  ws.raw_.resize(input_size_);
  ws.sized_for_ = id_;
  ws.rows_ = rows;
  // a single sample's pass: per-sample shapes (ActualDims at one row), pointers into the new buffers
  ws.single_operands_.clear();
  ws.single_node_out_.clear();
  for (const Node& node : graph_.nodes()) {
    for (const TensorId id : node.inputs) ws.single_operands_.push_back({Data(ws, id), dims_[static_cast<size_t>(id)]});
    ws.single_node_out_.push_back(ws.buffers_[static_cast<size_t>(slot_[static_cast<size_t>(node.output)])].data());
  }
  ws.single_in_.clear();
  for (TensorId id : graph_.inputs()) ws.single_in_.push_back(ws.buffers_[static_cast<size_t>(slot_[static_cast<size_t>(id)])].data());
  ws.single_out_.clear();
  for (TensorId id : graph_.outputs()) ws.single_out_.push_back(Data(ws, id));
}

internal::Dims Model::ActualDims(TensorId id, int64_t rows) const {
  internal::Dims d = dims_[static_cast<size_t>(id)];
  if (rows != 1 && slot_[static_cast<size_t>(id)] >= 0) d[0] = rows;
  return d;
}

const double* Model::Data(const Workspace& ws, TensorId id) const {
  const int s = slot_[static_cast<size_t>(id)];
  return s >= 0 ? ws.buffers_[static_cast<size_t>(s)].data() : graph_.tensor(id).data->data();
}

void Model::Run(Workspace& ws, int64_t rows) const {
  for (const Node& node : graph_.nodes()) {
    const size_t arity = node.inputs.size();
    for (size_t k = 0; k < arity; ++k) {
      const TensorId id = node.inputs[k];
      ws.operands_[k] = internal::Operand{Data(ws, id), ActualDims(id, rows)};
    }
    double* out = ws.buffers_[static_cast<size_t>(slot_[static_cast<size_t>(node.output)])].data();
    internal::RunKernel(node, std::span(ws.operands_.data(), arity), ActualDims(node.output, rows), out);
  }
}

void Model::Evaluate(std::span<const double> input, std::span<double> output, Workspace& ws) const {
  GAUNTLET_CHECK(input.size() == input_size_);
  GAUNTLET_CHECK(output.size() == output_size_);
  Prepare(ws, 1);
  // inputs in, one pass (operands resolved by Prepare), outputs out
  size_t offset = 0;
  for (size_t k = 0; k < input_counts_.size(); ++k) {
    std::memcpy(ws.single_in_[k], input.data() + offset, input_counts_[k] * sizeof(double));
    offset += input_counts_[k];
  }
  const internal::Operand* operands = ws.single_operands_.data();
  const std::vector<Node>& nodes = graph_.nodes();
  for (size_t i = 0; i < nodes.size(); ++i) {
    const size_t arity = nodes[i].inputs.size();
    if (packed_[i].n > 0) {
      internal::RunPackedGemv(packed_[i], operands[0].data, ws.single_node_out_[i]);
    } else {
      internal::RunKernel(nodes[i], std::span(operands, arity), dims_[static_cast<size_t>(nodes[i].output)],
                          ws.single_node_out_[i]);
    }
    operands += arity;
  }
  offset = 0;
  for (size_t k = 0; k < output_counts_.size(); ++k) {
    std::memcpy(output.data() + offset, ws.single_out_[k], output_counts_[k] * sizeof(double));
    offset += output_counts_[k];
  }
}

void Model::EvaluateBatch(const Eigen::MatrixXd& inputs, Eigen::MatrixXd* outputs, Workspace& ws) const {
  GAUNTLET_CHECK(static_cast<size_t>(inputs.cols()) == input_size_);
  const int64_t samples = inputs.rows();
  outputs->resize(samples, static_cast<Eigen::Index>(output_size_));
  Prepare(ws, block_rows_);
  for (int64_t first = 0; first < samples; first += block_rows_) {
    const int64_t rows = std::min(block_rows_, samples - first);
    // scatter the block's inputs into the row-major input buffers
    int64_t col = 0;
    for (TensorId id : graph_.inputs()) {
      const int64_t count = graph_.tensor(id).element_count();
      double* dst = ws.buffers_[static_cast<size_t>(slot_[static_cast<size_t>(id)])].data();
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t j = 0; j < count; ++j) dst[r * count + j] = inputs(first + r, col + j);
      }
      col += count;
    }
    Run(ws, rows);
    col = 0;
    for (TensorId id : graph_.outputs()) {
      const int64_t count = graph_.tensor(id).element_count();
      const double* src = Data(ws, id);
      const bool per_row = slot_[static_cast<size_t>(id)] >= 0;
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t j = 0; j < count; ++j) (*outputs)(first + r, col + j) = src[(per_row ? r * count : 0) + j];
      }
      col += count;
    }
  }
}

void Model::EvaluateRaw(std::span<const double> raw_input, std::span<double> raw_output, Workspace& ws) const {
  if (!nnet_) {
    Evaluate(raw_input, raw_output, ws);
    return;
  }
  GAUNTLET_CHECK(raw_input.size() == input_size_);
  Prepare(ws, 1);
  const NnetNormalization& n = *nnet_;
  for (size_t i = 0; i < input_size_; ++i) {
    const double x = std::clamp(raw_input[i], n.input_min[i], n.input_max[i]);
    ws.raw_[i] = (x - n.input_mean[i]) / n.input_range[i];
  }
  Evaluate(ws.raw_, raw_output, ws);  // ws.raw_ is not touched by Evaluate on a sized workspace
  for (double& y : raw_output) y = y * n.output_range + n.output_mean;
}

}  // namespace gauntlet::models
