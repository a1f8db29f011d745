// Reluplex .nnet loading (Kyle Julian's text format, used by the ACAS Xu networks):
//   // comment lines
//   numLayers, inputSize, outputSize, maxLayerSize,
//   layerSize_0, ..., layerSize_numLayers,
//   symmetric flag (unused),
//   input minimums (inputSize), input maximums (inputSize),
//   means (inputSize + 1: the last is the output mean), ranges (inputSize + 1: the last is the output range),
//   per layer: weights (one line per neuron, layerSize_i values each), then biases (one per line).
// Hidden layers use ReLU; the last layer is linear.

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "core/error.h"
#include "core/format.h"
#include "core/input_file.h"
#include "models/internal/loaders.h"

namespace gauntlet::models::internal {
namespace {

struct Token {
  std::string text;
  int line = 0;
  int col = 0;
};

class NnetReader {
 public:
  explicit NnetReader(std::string path) : path_(std::move(path)) {}

  std::pair<Graph, NnetNormalization> Load() {
    Tokenize();
    // header
    const int64_t layers = Int("the number of layers", 1, 1000);
    const int64_t input_size = Int("the input size", 1, 1 << 20);
    const int64_t output_size = Int("the output size", 1, 1 << 20);
    Int("the maximum layer size", 0, int64_t{1} << 31);
    std::vector<int64_t> sizes;
    const size_t sizes_at = next_;
    for (int64_t i = 0; i <= layers; ++i) sizes.push_back(Int("layer size " + std::to_string(i), 1, 1 << 20));
    if (sizes.front() != input_size) Fail(tokens_[sizes_at], "layer size 0 is " + std::to_string(sizes.front()) + " but the input size is " + std::to_string(input_size));
    if (sizes.back() != output_size) Fail(tokens_[sizes_at + static_cast<size_t>(layers)], "the last layer size is " + std::to_string(sizes.back()) + " but the output size is " + std::to_string(output_size));
    Int("the symmetric flag", 0, 1);

    // normalisation
    NnetNormalization norm;
    norm.input_min = Values(input_size, "input minimums");
    norm.input_max = Values(input_size, "input maximums");
    norm.input_mean = Values(input_size, "input means");
    norm.output_mean = Value("output mean");
    norm.input_range = Values(input_size, "input ranges");
    norm.output_range = Value("output range");
    for (size_t i = 0; i < norm.input_min.size(); ++i) {
      if (norm.input_min[i] > norm.input_max[i]) Fail(last_, "input " + std::to_string(i) + " has minimum > maximum");
      if (norm.input_range[i] == 0.0) Fail(last_, "input " + std::to_string(i) + " has range 0");
    }
    if (norm.output_range == 0.0) Fail(last_, "the output range is 0");

    // layers: Gemm (weights [out, in], transB) + Relu, the last one linear
    std::vector<Tensor> tensors;
    std::vector<Node> nodes;
    auto add = [&](std::string name, std::vector<int64_t> shape, std::optional<std::vector<double>> data) {
      const TensorId id = static_cast<TensorId>(tensors.size());
      tensors.push_back(Tensor{id, std::move(name), std::move(shape), std::move(data)});
      return id;
    };
    TensorId x = add("input", {1, input_size}, std::nullopt);
    for (int64_t l = 0; l < layers; ++l) {
      const std::string name = "layer" + std::to_string(l);
      const int64_t in = sizes[static_cast<size_t>(l)];
      const int64_t out = sizes[static_cast<size_t>(l + 1)];
      if (in * out > (int64_t{1} << 31)) Fail(last_, name + " has more than 2^31 weights");
      const TensorId w = add(name + ".weight", {out, in}, Values(in * out, name + " weights"));
      const TensorId b = add(name + ".bias", {out}, Values(out, name + " biases"));
      Node gemm;
      gemm.name = name + ".gemm";
      gemm.kind = OpKind::kGemm;
      gemm.inputs = {x, w, b};
      gemm.attrs.trans_b = true;
      gemm.output = x = add(gemm.name, {}, std::nullopt);
      nodes.push_back(std::move(gemm));
      if (l + 1 < layers) {
        Node relu;
        relu.name = name + ".relu";
        relu.kind = OpKind::kRelu;
        relu.inputs = {x};
        relu.output = x = add(relu.name, {}, std::nullopt);
        nodes.push_back(std::move(relu));
      }
    }
    if (next_ < tokens_.size()) Fail(tokens_[next_], "unexpected value '" + tokens_[next_].text + "' after the last layer");
    Graph graph = Graph::Create(path_, std::move(tensors), std::move(nodes), {0}, {x});
    return {std::move(graph), std::move(norm)};
  }

 private:
  [[noreturn]] void Fail(const Token& at, const std::string& message) const {
    throw core::InputError(core::SourcePos{path_, at.line, at.col}, message);
  }

  void Tokenize() {
    std::istringstream in(core::ReadInputFile(path_, core::InputKind::kModel));
    std::string line;
    int line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (line.rfind("//", 0) == 0) continue;
      size_t i = 0;
      while (i < line.size()) {
        while (i < line.size() && (line[i] == ',' || std::isspace(static_cast<unsigned char>(line[i])))) ++i;
        const size_t start = i;
        while (i < line.size() && line[i] != ',' && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        if (i > start) tokens_.push_back({line.substr(start, i - start), line_no, static_cast<int>(start) + 1});
      }
    }
    last_ = Token{"", line_no, 0};
  }

  double Value(const std::string& what) {
    if (next_ >= tokens_.size()) Fail(last_, "unexpected end of file: expected " + what);
    const Token& t = tokens_[next_++];
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(t.text.c_str(), &end);
    if (end != t.text.c_str() + t.text.size() || errno == ERANGE) {
      Fail(t, "expected a number for " + what + ", got '" + t.text + "'");
    }
    if (!std::isfinite(v)) Fail(t, what + " holds " + core::FormatDouble(v));
    return v;
  }

  std::vector<double> Values(int64_t count, const std::string& what) {
    std::vector<double> v;
    v.reserve(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) v.push_back(Value(what));
    return v;
  }

  int64_t Int(const std::string& what, int64_t lo, int64_t hi) {
    const size_t at = next_;
    const double v = Value(what);
    if (v != std::floor(v) || v < static_cast<double>(lo) || v > static_cast<double>(hi)) {
      Fail(tokens_[at], what + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                            "], got '" + tokens_[at].text + "'");
    }
    return static_cast<int64_t>(v);
  }

  std::string path_;
  std::vector<Token> tokens_;
  size_t next_ = 0;
  Token last_;
};

}  // namespace

std::pair<Graph, NnetNormalization> LoadNnet(const std::string& path) { return NnetReader(path).Load(); }

}  // namespace gauntlet::models::internal
