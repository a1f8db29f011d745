// Evaluation: zoo goldens, ACAS Xu references, ONNX vs .nnet, batched vs single, threads, and the
// evaluator against a naive reference on random networks of mixed operators.

#include "models/model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "core/rng.h"
#include "tests/models/onnx_builder.h"

namespace gauntlet::models {
namespace {

using testing::OnnxBuilder;

const std::string kAcasDir = GAUNTLET_ACASXU_DIR;

std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> row;
    std::stringstream ss(line);
    std::string item;
    while (std::getline(ss, item, ',')) row.push_back(item);
    rows.push_back(row);
  }
  return rows;
}

bool CloseRel(double a, double b, double rel) { return std::abs(a - b) <= rel * std::max(std::abs(b), 1e-3); }

void ExpectGolden(const std::string& model_path, const std::string& golden_path) {
  const auto model = Model::LoadModel(model_path);
  const auto rows = ReadCsv(golden_path);
  ASSERT_GE(rows.size(), 200u) << golden_path;
  Workspace ws;
  Eigen::MatrixXd xs(static_cast<Eigen::Index>(rows.size()), 3), ys;
  for (size_t r = 0; r < rows.size(); ++r) {
    ASSERT_EQ(rows[r].size(), 4u);
    const std::vector<double> x = {std::stod(rows[r][0]), std::stod(rows[r][1]), std::stod(rows[r][2])};
    for (int j = 0; j < 3; ++j) xs(static_cast<Eigen::Index>(r), j) = x[static_cast<size_t>(j)];
    double y;
    model->Evaluate(x, std::span(&y, 1), ws);
    EXPECT_PRED3(CloseRel, y, std::stod(rows[r][3]), 1e-9) << golden_path << " row " << r;
  }
  model->EvaluateBatch(xs, &ys, ws);
  for (size_t r = 0; r < rows.size(); ++r) {
    EXPECT_PRED3(CloseRel, ys(static_cast<Eigen::Index>(r), 0), std::stod(rows[r][3]), 1e-9) << r;
  }
}

TEST(ZooTest, GoodModelMatchesGolden) {
  ExpectGolden(GAUNTLET_SOURCE_DIR "/zoo/acc_good.onnx", GAUNTLET_SOURCE_DIR "/zoo/acc_good.golden.csv");
}

TEST(ZooTest, FlawedModelMatchesGolden) {
  ExpectGolden(GAUNTLET_SOURCE_DIR "/zoo/acc_flawed.onnx", GAUNTLET_SOURCE_DIR "/zoo/acc_flawed.golden.csv");
}

// A PyTorch export with most supported operators, at opsets 9, 11, 13 and 17 (tools/make_zoo.py).
TEST(TorchExportTest, MixedOperatorsMatchTorchAtEveryOpset) {
  const auto rows = ReadCsv(GAUNTLET_SOURCE_DIR "/tests/models/testdata/torch_mixed.golden.csv");
  ASSERT_EQ(rows.size(), 40u);
  for (int opset : {9, 11, 13, 17}) {
    const auto model = Model::LoadModel(GAUNTLET_SOURCE_DIR "/tests/models/testdata/torch_mixed_opset" +
                                        std::to_string(opset) + ".onnx");
    ASSERT_EQ(model->input_size(), 4u);
    ASSERT_EQ(model->output_size(), 3u);
    Workspace ws;
    for (const auto& row : rows) {
      std::vector<double> x(4), y(3);
      for (size_t i = 0; i < 4; ++i) x[i] = std::stod(row[i]);
      model->Evaluate(x, y, ws);
      for (size_t i = 0; i < 3; ++i) EXPECT_PRED3(CloseRel, y[i], std::stod(row[4 + i]), 1e-9) << "opset " << opset;
    }
  }
}

TEST(AcasXuTest, MatchesFloat64Reference) {
  const auto rows = ReadCsv(GAUNTLET_SOURCE_DIR "/tests/models/testdata/acasxu_reference.csv");
  ASSERT_EQ(rows.size(), 150u);
  std::map<std::string, std::shared_ptr<const Model>> models;
  Workspace ws;
  for (const auto& row : rows) {
    auto& model = models[row[0]];
    if (!model) model = Model::LoadModel(kAcasDir + "/onnx/" + row[0]);
    std::vector<double> x(5), y(5);
    for (size_t i = 0; i < 5; ++i) x[i] = std::stod(row[1 + i]);
    model->Evaluate(x, y, ws);
    for (size_t i = 0; i < 5; ++i) EXPECT_PRED3(CloseRel, y[i], std::stod(row[6 + i]), 1e-9) << row[0];
  }
}

// All 45 networks load; ONNX and .nnet agree to float32 rounding once normalisation is applied.
TEST(AcasXuTest, OnnxAndNnetAgree) {
  core::Rng rng(5);
  Workspace ws;
  int networks = 0;
  for (int a = 1; a <= 5; ++a) {
    for (int b = 1; b <= 9; ++b) {
      const std::string stem = "ACASXU_run2a_" + std::to_string(a) + "_" + std::to_string(b) + "_batch_2000";
      const auto onnx = Model::LoadModel(kAcasDir + "/onnx/" + stem + ".onnx");
      const auto nnet = Model::LoadModel(kAcasDir + "/nnet/" + stem + ".nnet");
      ASSERT_EQ(onnx->input_size(), 5u);
      ASSERT_EQ(onnx->output_size(), 5u);
      const NnetNormalization& norm = *nnet->nnet_normalization();
      for (int k = 0; k < 20; ++k) {
        // a raw input in the physical box, normalised by hand for the ONNX network
        std::vector<double> raw(5), normalised(5), y_onnx(5), y_nnet(5), y_raw(5);
        for (size_t i = 0; i < 5; ++i) {
          raw[i] = rng.Uniform(norm.input_min[i], norm.input_max[i]);
          normalised[i] = (raw[i] - norm.input_mean[i]) / norm.input_range[i];
        }
        onnx->Evaluate(normalised, y_onnx, ws);
        nnet->Evaluate(normalised, y_nnet, ws);
        nnet->EvaluateRaw(raw, y_raw, ws);
        for (size_t i = 0; i < 5; ++i) {
          EXPECT_NEAR(y_onnx[i], y_nnet[i], 1e-5 * (1.0 + std::abs(y_onnx[i]))) << stem;
          EXPECT_NEAR(y_raw[i], y_onnx[i] * norm.output_range + norm.output_mean,
                      1e-5 * norm.output_range * (1.0 + std::abs(y_onnx[i])))
              << stem;
        }
      }
      ++networks;
    }
  }
  EXPECT_EQ(networks, 45);
}

// ---------------------------------------------------------------------------------------------
// A naive reference: random networks built twice, as ONNX (through the loader) and as a list of
// plain loops over one sample.

struct NaiveStep {
  std::string op{};
  std::vector<double> w{};  // [out][in] row-major
  std::vector<double> b{}, c{}, d{}, e{};
  double p = 0.0, q = 0.0;
  size_t out = 0;
};

double NaiveActivation(const std::string& op, double x, double p, double q) {
  if (op == "Relu") return x > 0 ? x : 0.0;
  if (op == "LeakyRelu") return x >= 0 ? x : p * x;
  if (op == "Sigmoid") return 1.0 / (1.0 + std::exp(-x));
  if (op == "Tanh") return std::tanh(x);
  if (op == "Softplus") return std::log(1.0 + std::exp(x));
  if (op == "Clip") return std::min(std::max(x, p), q);
  if (op == "Neg") return -x;
  return x;  // Identity, Dropout
}

std::vector<double> NaiveEvaluate(const std::vector<NaiveStep>& steps, std::vector<double> h) {
  for (const NaiveStep& s : steps) {
    std::vector<double> y;
    if (s.op == "Linear") {
      const size_t in = h.size();
      for (size_t j = 0; j < s.out; ++j) {
        double sum = 0.0;
        for (size_t i = 0; i < in; ++i) sum += s.w[j * in + i] * h[i];
        y.push_back(s.p * sum + s.q * s.b[j]);
      }
    } else if (s.op == "Mul" || s.op == "Sub" || s.op == "Div") {
      for (size_t i = 0; i < h.size(); ++i) {
        y.push_back(s.op == "Mul" ? h[i] * s.c[i] : s.op == "Sub" ? h[i] - s.c[i] : h[i] / s.c[i]);
      }
    } else if (s.op == "AddScalar") {
      for (double x : h) y.push_back(x + s.p);
    } else if (s.op == "BatchNormalization") {
      for (size_t i = 0; i < h.size(); ++i) y.push_back((h[i] - s.d[i]) / std::sqrt(s.e[i] + s.p) * s.b[i] + s.c[i]);
    } else if (s.op == "ConcatReluTanh") {
      for (double x : h) y.push_back(x > 0 ? x : 0.0);
      for (double x : h) y.push_back(std::tanh(x));
    } else if (s.op == "AddSigmoid") {
      for (double x : h) y.push_back(x + 1.0 / (1.0 + std::exp(-x)));
    } else {
      for (double x : h) y.push_back(NaiveActivation(s.op, x, s.p, s.q));
    }
    h = y;
  }
  return h;
}

class RandomNetwork {
 public:
  RandomNetwork(uint64_t seed) : rng_(seed), opset_(8 + static_cast<int64_t>(rng_.UniformInt(10))), b_(opset_) {}

  void Build() {
    width_ = 1 + rng_.UniformInt(6);
    input_width_ = width_;
    b_.Input("x", {-1, static_cast<int64_t>(width_)});
    std::string h = "x";
    const int layers = 1 + static_cast<int>(rng_.UniformInt(4));
    for (int l = 0; l < layers; ++l) {
      h = Linear(h, l + 1 == layers ? 1 + rng_.UniformInt(4) : 1 + rng_.UniformInt(7));
      if (l + 1 == layers) break;
      const int extras = static_cast<int>(rng_.UniformInt(3));
      for (int k = 0; k < extras; ++k) h = Extra(h);
      h = Activation(h);
    }
    b_.Node("Identity", {h}, "y");
    b_.Output("y", {-1, static_cast<int64_t>(width_)});
  }

  std::vector<double> Values(size_t n, double lo, double hi) {
    std::vector<double> v(n);
    for (double& x : v) x = rng_.Uniform(lo, hi);
    return v;
  }

  std::string Name(const std::string& stem) { return stem + std::to_string(counter_++); }

  std::string Linear(const std::string& h, size_t out) {
    NaiveStep s{.op = "Linear", .w = Values(out * width_, -1, 1), .b = Values(out, -1, 1), .p = 1.0, .q = 1.0, .out = out};
    const std::string w = Name("w"), bias = Name("b"), y = Name("t");
    const int64_t in = static_cast<int64_t>(width_), o = static_cast<int64_t>(out);
    switch (rng_.UniformInt(4)) {
      case 0: {  // Gemm, W stored [in, out]
        std::vector<double> wt(out * width_);
        for (size_t j = 0; j < out; ++j)
          for (size_t i = 0; i < width_; ++i) wt[i * out + j] = s.w[j * width_ + i];
        const float alpha = static_cast<float>(rng_.Uniform(0.5, 2.0));
        const float beta = static_cast<float>(rng_.Uniform(-1.0, 1.0));
        s.p = alpha;
        s.q = beta;
        b_.Initializer(w, {in, o}, wt).Initializer(bias, {o}, s.b);
        auto& n = b_.Node("Gemm", {h, w, bias}, y);
        OnnxBuilder::FloatAttr(n, "alpha", alpha);
        OnnxBuilder::FloatAttr(n, "beta", beta);
        break;
      }
      case 1: {  // Gemm, transB, bias [1, out]
        b_.Initializer(w, {o, in}, s.w).Initializer(bias, {1, o}, s.b);
        OnnxBuilder::IntAttr(b_.Node("Gemm", {h, w, bias}, y), "transB", 1);
        break;
      }
      case 2: {  // MatMul + Add
        std::vector<double> wt(out * width_);
        for (size_t j = 0; j < out; ++j)
          for (size_t i = 0; i < width_; ++i) wt[i * out + j] = s.w[j * width_ + i];
        b_.Initializer(w, {in, o}, wt).Initializer(bias, {o}, s.b);
        const std::string m = Name("m");
        b_.Node("MatMul", {h, w}, m);
        b_.Node("Add", {m, bias}, y);
        break;
      }
      default: {  // Gemm without C
        b_.Initializer(w, {o, in}, s.w);
        OnnxBuilder::IntAttr(b_.Node("Gemm", {h, w}, y), "transB", 1);
        s.q = 0.0;
        break;
      }
    }
    steps_.push_back(s);
    width_ = out;
    return y;
  }

  std::string Activation(const std::string& h) {
    static const char* kOps[] = {"Relu", "LeakyRelu", "Sigmoid", "Tanh", "Softplus", "Clip", "Identity", "Neg", "Dropout"};
    NaiveStep s{.op = kOps[rng_.UniformInt(9)]};
    const std::string y = Name("a");
    if (s.op == "LeakyRelu") {
      s.p = static_cast<float>(rng_.Uniform(0.01, 0.3));
      OnnxBuilder::FloatAttr(b_.Node("LeakyRelu", {h}, y), "alpha", s.p);
    } else if (s.op == "Clip") {
      s.p = static_cast<float>(rng_.Uniform(-1.0, 0.0));
      s.q = static_cast<float>(rng_.Uniform(0.0, 1.0));
      if (opset_ < 11) {
        auto& n = b_.Node("Clip", {h}, y);
        OnnxBuilder::FloatAttr(n, "min", s.p);
        OnnxBuilder::FloatAttr(n, "max", s.q);
      } else {
        const std::string lo = Name("lo"), hi = Name("hi");
        b_.Initializer(lo, {}, {s.p}).Initializer(hi, {}, {s.q});
        b_.Node("Clip", {h, lo, hi}, y);
      }
    } else {
      b_.Node(s.op, {h}, y);
    }
    steps_.push_back(s);
    return y;
  }

  std::string Extra(const std::string& h) {
    const int64_t w = static_cast<int64_t>(width_);
    const std::string y = Name("e");
    switch (rng_.UniformInt(8)) {
      case 0: {  // elementwise with a constant vector
        static const char* kOps[] = {"Mul", "Sub", "Div"};
        NaiveStep s{.op = kOps[rng_.UniformInt(3)], .c = Values(width_, 0.5, 2.0)};
        const std::string c = Name("c");
        b_.Initializer(c, {w}, s.c);
        b_.Node(s.op, {h, c}, y);
        steps_.push_back(s);
        return y;
      }
      case 1: {  // + a scalar from a Constant node
        NaiveStep s{.op = "AddScalar", .p = rng_.Uniform(-1, 1)};
        const std::string c = Name("k");
        auto& n = b_.Node("Constant", {}, c);
        auto* a = n.add_attribute();
        a->set_name("value");
        a->set_type(onnx::AttributeProto_AttributeType_TENSOR);
        OnnxBuilder::FillTensor(a->mutable_t(), "", {1}, {s.p});
        b_.Node("Add", {h, c}, y);
        steps_.push_back(s);
        return y;
      }
      case 2: {  // BatchNormalization over [1, w]
        NaiveStep s{.op = "BatchNormalization", .b = Values(width_, 0.5, 2), .c = Values(width_, -1, 1),
                    .d = Values(width_, -1, 1), .e = Values(width_, 0.1, 2), .p = 1e-5};
        const std::string sc = Name("sc"), bb = Name("bb"), mm = Name("mm"), vv = Name("vv");
        b_.Initializer(sc, {w}, s.b).Initializer(bb, {w}, s.c).Initializer(mm, {w}, s.d).Initializer(vv, {w}, s.e);
        b_.Node("BatchNormalization", {h, sc, bb, mm, vv}, y);
        steps_.push_back(s);
        return y;
      }
      case 3: {  // Unsqueeze then Squeeze: [1, w] -> [1, w, 1] -> [1, w]
        const std::string u = Name("u");
        if (opset_ < 13) {
          OnnxBuilder::IntsAttr(b_.Node("Unsqueeze", {h}, u), "axes", {2});
          OnnxBuilder::IntsAttr(b_.Node("Squeeze", {u}, y), "axes", {-1});
        } else {
          const std::string ax = Name("ax");
          b_.IntInitializer(ax, {2});
          b_.Node("Unsqueeze", {h, ax}, u);
          b_.Node("Squeeze", {u, ax}, y);
        }
        return y;
      }
      case 4: {  // Reshape [1, w] -> [1, w, 1] -> Flatten -> [1, w]
        const std::string r = Name("r"), shape = Name("shape");
        b_.IntInitializer(shape, {0, -1, 1});
        b_.Node("Reshape", {h, shape}, r);
        OnnxBuilder::IntAttr(b_.Node("Flatten", {r}, y), "axis", 1);
        return y;
      }
      case 5: {  // Concat(Relu(h), Tanh(h))
        const std::string r = Name("r"), t = Name("t");
        b_.Node("Relu", {h}, r);
        b_.Node("Tanh", {h}, t);
        OnnxBuilder::IntAttr(b_.Node("Concat", {r, t}, y), "axis", -1);
        steps_.push_back(NaiveStep{.op = "ConcatReluTanh"});
        width_ *= 2;
        return y;
      }
      case 6: {  // two computed operands
        const std::string sg = Name("sg");
        b_.Node("Sigmoid", {h}, sg);
        b_.Node("Add", {h, sg}, y);
        steps_.push_back(NaiveStep{.op = "AddSigmoid"});
        return y;
      }
      default:
        return h;
    }
  }

  core::Rng rng_;
  int64_t opset_;
  OnnxBuilder b_;
  std::vector<NaiveStep> steps_;
  size_t width_ = 0;
  size_t input_width_ = 0;
  int counter_ = 0;
};

TEST(RandomNetworkTest, EvaluatorMatchesNaiveReference) {
  const auto dir = testing::TempDir("random");
  int evaluations = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    RandomNetwork net(seed);
    net.Build();
    const auto model = Model::LoadModel(net.b_.Write(dir, "net.onnx"));
    ASSERT_EQ(model->input_size(), net.input_width_) << seed;
    ASSERT_EQ(model->output_size(), net.width_) << seed;
    EXPECT_TRUE(model->graph().batch_leading()) << seed;
    Workspace ws;
    const int samples = 150;
    Eigen::MatrixXd xs(samples, static_cast<Eigen::Index>(net.input_width_)), ys;
    std::vector<std::vector<double>> singles;
    for (int k = 0; k < samples; ++k) {
      std::vector<double> x = net.Values(net.input_width_, -3, 3);
      for (size_t i = 0; i < x.size(); ++i) xs(k, static_cast<Eigen::Index>(i)) = x[i];
      const std::vector<double> want = NaiveEvaluate(net.steps_, x);
      std::vector<double> got(model->output_size());
      model->Evaluate(x, got, ws);
      for (size_t i = 0; i < got.size(); ++i) {
        ASSERT_NEAR(got[i], want[i], 1e-10 * (1.0 + std::abs(want[i]))) << "seed " << seed << " sample " << k << " x0 " << x[0];
      }
      singles.push_back(got);
      ++evaluations;
    }
    model->EvaluateBatch(xs, &ys, ws);
    for (int k = 0; k < samples; ++k) {
      for (size_t i = 0; i < net.width_; ++i) {
        ASSERT_NEAR(ys(k, static_cast<Eigen::Index>(i)), singles[static_cast<size_t>(k)][i],
                    1e-12 * (1.0 + std::abs(singles[static_cast<size_t>(k)][i])))
            << "seed " << seed;
      }
    }
  }
  EXPECT_EQ(evaluations, 9000);
  std::filesystem::remove_all(dir);
}

TEST(ModelTest, SharedModelIsThreadSafe) {
  const auto model = Model::LoadModel(GAUNTLET_SOURCE_DIR "/zoo/acc_good.onnx");
  auto run = [&](std::vector<double>* out) {
    Workspace ws;
    core::Rng rng(3);
    for (int k = 0; k < 2000; ++k) {
      const std::vector<double> x = {rng.Uniform(0, 150), rng.Uniform(0, 40), rng.Uniform(-15, 40)};
      double y;
      model->Evaluate(x, std::span(&y, 1), ws);
      out->push_back(y);
    }
  };
  std::vector<double> serial, a, b;
  run(&serial);
  std::thread ta(run, &a), tb(run, &b);
  ta.join();
  tb.join();
  EXPECT_EQ(serial, a);
  EXPECT_EQ(serial, b);
}

TEST(ModelTest, GraphInputAsOutputAndFoldedConstants) {
  // y1 = x; y2 = Relu(x) * (c1 + c2) where c1 + c2 folds at load
  const auto dir = testing::TempDir("fold");
  OnnxBuilder b;
  b.Input("x", {-1, 2}).Output("x", {-1, 2}).Output("y", {-1, 2});
  b.Initializer("c1", {2}, {1, 2}).Initializer("c2", {2}, {0.5, 0.25});
  b.Node("Add", {"c1", "c2"}, "c", "fold");
  b.Node("Relu", {"x"}, "r");
  b.Node("Mul", {"r", "c"}, "y");
  const auto model = Model::LoadModel(b.Write(dir, "fold.onnx"));
  EXPECT_EQ(model->graph().nodes().size(), 2u);
  EXPECT_EQ(*model->graph().FindTensor("c")->data, (std::vector<double>{1.5, 2.25}));
  Workspace ws;
  std::vector<double> y(4);
  model->Evaluate(std::vector<double>{-1.0, 2.0}, y, ws);
  EXPECT_EQ(y, (std::vector<double>{-1.0, 2.0, 0.0, 4.5}));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gauntlet::models
