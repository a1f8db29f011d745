// Benchmark of models/: single-sample latency and batched throughput of an ACAS Xu network, and the
// same machine's dense FP64 matrix-multiply (Eigen GEMM) throughput measured in the same run.
// Prints figures and the ratio batched / GEMM (target: at least 0.40). Never run as a test.
//
//   build-*/bench/models/models_bench [path/to/network.onnx]

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "core/rng.h"
#include "models/model.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// The best of `repeats` timings of `f` (seconds).
template <typename F>
double Best(int repeats, F f) {
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = Clock::now();
    f();
    best = std::min(best, Seconds(t0, Clock::now()));
  }
  return best;
}

// Multiply-add FLOPs of one forward pass: 2 * sum of the MatMul/Gemm weight sizes.
double FlopsPerSample(const gauntlet::models::Graph& g) {
  double flops = 0;
  for (const auto& node : g.nodes()) {
    if (node.kind == gauntlet::models::OpKind::kMatMul || node.kind == gauntlet::models::OpKind::kGemm) {
      flops += 2.0 * static_cast<double>(g.tensor(node.inputs[1]).element_count());
    }
  }
  return flops;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace gauntlet;
  const std::string path = argc > 1 ? argv[1] : GAUNTLET_ACASXU_DIR "/onnx/ACASXU_run2a_1_1_batch_2000.onnx";
  const auto model = models::Model::LoadModel(path);
  const double flops = FlopsPerSample(model->graph());
  core::Rng rng(1);
  models::Workspace ws;

  // single sample latency
  const int singles = 200000;
  std::vector<double> xs(static_cast<size_t>(singles) * model->input_size());
  for (double& x : xs) x = rng.Uniform(-0.5, 0.5);
  std::vector<double> out(model->output_size());
  double sink = 0;
  const double t_single = Best(3, [&] {
    for (int i = 0; i < singles; ++i) {
      model->Evaluate(std::span(xs.data() + static_cast<size_t>(i) * model->input_size(), model->input_size()), out, ws);
      sink += out[0];
    }
  });

  // batched throughput
  const Eigen::Index batch = 100000;
  Eigen::MatrixXd inputs(batch, static_cast<Eigen::Index>(model->input_size())), outputs;
  for (Eigen::Index r = 0; r < inputs.rows(); ++r)
    for (Eigen::Index c = 0; c < inputs.cols(); ++c) inputs(r, c) = rng.Uniform(-0.5, 0.5);
  const double t_batch = Best(3, [&] {
    model->EvaluateBatch(inputs, &outputs, ws);
    sink += outputs(0, 0);
  });

  // dense FP64 GEMM
  const Eigen::Index n = 512;
  Eigen::MatrixXd a = Eigen::MatrixXd::Random(n, n), b = Eigen::MatrixXd::Random(n, n), c(n, n);
  const double t_gemm = Best(5, [&] {
    c.noalias() = a * b;
    sink += c(0, 0);
  });

  const double single_us = t_single / singles * 1e6;
  const double batch_sps = static_cast<double>(batch) / t_batch;
  const double batch_gflops = batch_sps * flops / 1e9;
  const double gemm_gflops = 2.0 * static_cast<double>(n * n * n) / t_gemm / 1e9;
  std::printf("model                      %s\n", path.c_str());
  std::printf("flops per sample           %.0f\n", flops);
  std::printf("single-sample latency      %.3f us  (%.2f GFLOP/s)\n", single_us, flops / single_us / 1e3);
  std::printf("batched throughput         %.0f samples/s  (%.2f GFLOP/s, batch %ld)\n", batch_sps, batch_gflops,
              static_cast<long>(batch));
  std::printf("dense FP64 GEMM %ldx%ld    %.2f GFLOP/s\n", static_cast<long>(n), static_cast<long>(n), gemm_gflops);
  std::printf("batched / GEMM ratio       %.2f  (target >= 0.40)\n", batch_gflops / gemm_gflops);
  std::fprintf(stderr, "(checksum %g)\n", sink);
  return 0;
}
