#pragma once
// A loaded neural network, ready to evaluate: the immutable Graph plus an execution plan.
//
// A Model is immutable and shared between threads (std::shared_ptr<const Model>); everything that
// changes during a forward pass lives in a Workspace, one per thread, in the MuJoCo manner of
// model/data separation.
//
//   auto model = models::Model::LoadModel("zoo/acc_good.onnx");   // or a .nnet file
//   models::Workspace ws;                                          // one per thread
//   std::vector<double> out(model->output_size());
//   model->Evaluate(std::vector<double>{30.0, 25.0, 2.0}, out, ws);
//
//   Eigen::MatrixXd xs(1000, model->input_size()), ys;             // one sample per row
//   model->EvaluateBatch(xs, &ys, ws);                             // ys: 1000 x output_size()
//
// Inputs and outputs are flattened, row-major, for one sample (the batch dim counts as 1); with
// several graph inputs (outputs) they are concatenated in the file's order.
//
// Caveats:
// - Evaluation is in double precision; float32 weights are widened exactly, so a float32 model
//   agrees with a float32 runtime only to float32 rounding.
// - ONNX ACAS Xu networks take NORMALISED inputs (see data/acasxu/README.md); the
//   .nnet versions carry the normalisation constants (nnet_normalization(), EvaluateRaw()).
// - A Workspace may be reused for any number of calls on one model; using it with another model
//   is allowed but re-sizes it (costly once).

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "models/graph.h"
#include "models/internal/kernels.h"

namespace gauntlet::models {

/// The normalisation constants of a .nnet file (Reluplex format).
/// Raw input x_i is clamped to [input_min_i, input_max_i], then (x_i - input_mean_i) / input_range_i
/// is what the network sees; a raw output is y * output_range + output_mean.
struct NnetNormalization {
  std::vector<double> input_min;
  std::vector<double> input_max;
  std::vector<double> input_mean;
  std::vector<double> input_range;
  double output_mean = 0.0;
  double output_range = 1.0;
};

class Model;

/// Per-thread scratch for Model evaluation. Default-constructible; not thread-safe itself.
class Workspace {
 public:
  Workspace() = default;

 private:
  friend class Model;
  uint64_t sized_for_ = 0;                    // Model::id_ of the model it is sized for (0: none)
  int64_t rows_ = 0;                          // samples each buffer holds
  std::vector<std::vector<double>> buffers_;  // one per non-constant tensor
  std::vector<double> raw_;                   // normalised copy of an input (EvaluateRaw)
  std::vector<internal::Operand> operands_;   // one node's operands
  // a single sample's pass (Evaluate), resolved whenever the buffers are (re)allocated: every node's
  // operands in node order, each node's output, the inputs' and outputs' data
  std::vector<internal::Operand> single_operands_;
  std::vector<double*> single_node_out_;
  std::vector<double*> single_in_;
  std::vector<const double*> single_out_;
};

/// An immutable, evaluable network.
class Model {
 public:
  /// Loads an ONNX (`.onnx`) or Reluplex (`.nnet`) file, chosen by the extension. Throws
  /// core::InputError naming the file (and the node, where there is one) for any bad input:
  /// unreadable, truncated or non-ONNX file, opset outside 8..17, unsupported operator, cycle,
  /// missing initializer, mismatched shapes, over 2^31 elements, NaN weights, external data
  /// outside the model's folder, ...
  [[nodiscard]] static std::shared_ptr<const Model> LoadModel(const std::string& path);

  /// A model over an already-built graph (tests, programmatic networks).
  [[nodiscard]] static std::shared_ptr<const Model> FromGraph(Graph graph,
                                                              std::optional<NnetNormalization> nnet = {});

  [[nodiscard]] const Graph& graph() const { return graph_; }
  /// Flattened input values for one sample (all graph inputs).
  [[nodiscard]] size_t input_size() const { return input_size_; }
  /// Flattened output values for one sample (all graph outputs).
  [[nodiscard]] size_t output_size() const { return output_size_; }

  /// One forward pass. `input.size() == input_size()`, `output.size() == output_size()`
  /// (GAUNTLET_CHECK). Thread-safe with a Workspace per thread. Allocation-free once `ws` is sized.
  void Evaluate(std::span<const double> input, std::span<double> output, Workspace& ws) const;

  /// A forward pass per row of `inputs` (rows = samples, cols = input_size()); `outputs` is resized
  /// to rows x output_size(). Samples are stacked into the batch dimension (in blocks) when
  /// graph().batch_leading(), else evaluated one by one. Batched results agree with Evaluate to
  /// rounding (a few ulps: blocks use a matrix-matrix kernel, a single sample a matrix-vector one);
  /// for bit-identical results across thread counts, always use the same call for a given sample.
  void EvaluateBatch(const Eigen::MatrixXd& inputs, Eigen::MatrixXd* outputs, Workspace& ws) const;

  /// The .nnet normalisation constants, or nullopt for models that have none (ONNX).
  [[nodiscard]] const std::optional<NnetNormalization>& nnet_normalization() const { return nnet_; }

  /// Evaluate on RAW (physical) inputs: with nnet_normalization(), clamps and normalises the input
  /// and de-normalises the output; without it, the same as Evaluate.
  void EvaluateRaw(std::span<const double> raw_input, std::span<double> raw_output, Workspace& ws) const;

 private:
  explicit Model(Graph graph);
  void Prepare(Workspace& ws, int64_t rows) const;
  void Run(Workspace& ws, int64_t rows) const;
  [[nodiscard]] internal::Dims ActualDims(TensorId id, int64_t rows) const;
  [[nodiscard]] const double* Data(const Workspace& ws, TensorId id) const;

  uint64_t id_ = 0;                    // unique per Model in the process (Workspace sizing)
  Graph graph_;
  std::optional<NnetNormalization> nnet_;
  size_t input_size_ = 0;
  size_t output_size_ = 0;
  int64_t block_rows_ = 1;             // samples per block in EvaluateBatch
  std::vector<int> slot_;              // tensor id -> buffer index, -1 for constants
  std::vector<internal::Dims> dims_;   // tensor id -> per-sample shape
  std::vector<size_t> input_counts_;   // values per sample of each graph input
  std::vector<size_t> output_counts_;  // values per sample of each graph output
  size_t max_arity_ = 0;
  std::vector<internal::PackedGemv> packed_;  // per node: its weights packed for Evaluate, or empty
};

}  // namespace gauntlet::models
