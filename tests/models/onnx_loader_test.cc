// Bad input for the ONNX and .nnet loaders: every case is a clear InputError naming the file and
// the node, never a crash.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>

#include "core/error.h"
#include "core/rng.h"
#include "models/model.h"
#include "tests/models/onnx_builder.h"

namespace gauntlet::models {
namespace {

using testing::OnnxBuilder;

std::string LoadError(const std::string& path) {
  try {
    (void)Model::LoadModel(path);
  } catch (const core::InputError& e) {
    return e.what();
  }
  return "no error";
}

// in -> Gemm(W [3,2], b [2]) -> Relu -> out
OnnxBuilder SmallMlp(int64_t opset = 13) {
  OnnxBuilder b(opset);
  b.Input("x", {-1, 3}).Output("y", {-1, 2});
  b.Initializer("W", {3, 2}, {1, 2, 3, 4, 5, 6}).Initializer("B", {2}, {0.5, -0.5});
  b.Node("Gemm", {"x", "W", "B"}, "h", "fc");
  b.Node("Relu", {"h"}, "y", "act");
  return b;
}

class OnnxLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::TempDir(::testing::UnitTest::GetInstance()->current_test_info()->name()); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

TEST_F(OnnxLoaderTest, SmallMlpLoadsAndEvaluates) {
  const auto model = Model::LoadModel(SmallMlp().Write(dir_, "mlp.onnx"));
  ASSERT_EQ(model->input_size(), 3u);
  ASSERT_EQ(model->output_size(), 2u);
  Workspace ws;
  double y[2];
  model->Evaluate(std::vector<double>{1, 1, -1}, y, ws);
  EXPECT_EQ(y[0], 1.0 + 3.0 - 5.0 + 0.5 < 0 ? 0.0 : 1.0 + 3.0 - 5.0 + 0.5);
  EXPECT_EQ(y[1], 2.0 + 4.0 - 6.0 - 0.5 < 0 ? 0.0 : 2.0 + 4.0 - 6.0 - 0.5);
}

TEST_F(OnnxLoaderTest, TruncatedFile) {
  std::string bytes;
  {
    std::ifstream in(SmallMlp().Write(dir_, "full.onnx"), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::ofstream(Path("cut.onnx"), std::ios::binary) << bytes.substr(0, bytes.size() - 7);
  EXPECT_EQ(LoadError(Path("cut.onnx")),
            Path("cut.onnx") + ": error: not an ONNX model (the file does not parse as an ONNX ModelProto; "
                               "truncated or another format?)");
}

TEST_F(OnnxLoaderTest, NotOnnx) {
  std::ofstream(Path("text.onnx")) << "this is not a model\n";
  EXPECT_EQ(LoadError(Path("text.onnx")),
            Path("text.onnx") + ": error: not an ONNX model (the file does not parse as an ONNX ModelProto; "
                                "truncated or another format?)");
  std::ofstream(Path("empty.onnx")) << "";
  EXPECT_EQ(LoadError(Path("empty.onnx")),
            Path("empty.onnx") + ": error: not an ONNX model (no graph; truncated or another format?)");
}

TEST_F(OnnxLoaderTest, MissingFileAndUnknownExtension) {
  EXPECT_EQ(LoadError(Path("none.onnx")), Path("none.onnx") + ": error: cannot read the file");
  EXPECT_EQ(LoadError(Path("model.pt")),
            Path("model.pt") + ": error: unknown model format (expected a file ending in '.onnx' or '.nnet')");
}

TEST_F(OnnxLoaderTest, Cycle) {
  OnnxBuilder b;
  b.Input("x", {1, 2}).Output("y", {1, 2});
  b.Node("Add", {"x", "c"}, "a", "first");
  b.Node("Relu", {"a"}, "b", "second");
  b.Node("Tanh", {"b"}, "c", "third");
  b.Node("Identity", {"c"}, "y", "out");
  EXPECT_EQ(LoadError(b.Write(dir_, "cycle.onnx")),
            Path("cycle.onnx") + ": error: node 'first' (Add): is on a cycle (a graph must be acyclic)");
}

TEST_F(OnnxLoaderTest, MissingInitializer) {
  OnnxBuilder b;
  b.Input("x", {1, 3}).Output("y", {1, 2});
  b.Initializer("W", {3, 2}, {1, 2, 3, 4, 5, 6});
  b.Node("Gemm", {"x", "W", "Bias"}, "y", "fc");
  EXPECT_EQ(LoadError(b.Write(dir_, "missing.onnx")),
            Path("missing.onnx") + ": error: node 'fc' (Gemm): operand 'Bias' is not a graph input, an initializer "
                                   "or the output of a node (missing initializer?)");
}

TEST_F(OnnxLoaderTest, MismatchedShapes) {
  OnnxBuilder b;
  b.Input("x", {-1, 4}).Output("y", {-1, 2});
  b.Initializer("W", {3, 2}, {1, 2, 3, 4, 5, 6});
  b.Node("MatMul", {"x", "W"}, "y", "mm");
  EXPECT_EQ(LoadError(b.Write(dir_, "shapes.onnx")),
            Path("shapes.onnx") + ": error: node 'mm' (MatMul): shapes [1,4] and [3,2] do not match");

  OnnxBuilder c = SmallMlp();
  c.proto().mutable_graph()->mutable_output(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(1)->set_dim_value(5);
  EXPECT_EQ(LoadError(c.Write(dir_, "declared.onnx")),
            Path("declared.onnx") + ": error: graph output 'y' is declared with shape [1,5] but computes [1,2]");

  OnnxBuilder d;
  d.Input("x", {1, 3}).Output("y", {1, 3});
  d.Initializer("v", {2}, {1, 2});
  d.Node("Add", {"x", "v"}, "y", "add");
  EXPECT_EQ(LoadError(d.Write(dir_, "broadcast.onnx")),
            Path("broadcast.onnx") + ": error: node 'add' (Add): operand shapes [1,3] and [2] do not broadcast");
}

TEST_F(OnnxLoaderTest, TooManyElements) {
  OnnxBuilder b;
  b.Input("x", {1, 65536}).Output("y", {1, 65537});
  onnx::TensorProto* w = b.proto().mutable_graph()->add_initializer();
  w->set_name("W");
  w->set_data_type(onnx::TensorProto_DataType_DOUBLE);
  w->add_dims(65536);
  w->add_dims(65537);
  b.Node("MatMul", {"x", "W"}, "y", "mm");
  EXPECT_EQ(LoadError(b.Write(dir_, "huge.onnx")),
            Path("huge.onnx") + ": error: initializer 'W' has shape [65536,65537], a negative dim or more than 2^31 "
                                "elements");

  OnnxBuilder c;
  c.Input("x", {1, 50000}).Output("y", {50000, 50000});
  c.Initializer("ones", {50000, 1}, std::vector<double>(50000, 1.0));
  c.Node("MatMul", {"ones", "x"}, "y", "outer");
  EXPECT_EQ(LoadError(c.Write(dir_, "outer.onnx")),
            Path("outer.onnx") + ": error: node 'outer' (MatMul): output shape [50000,50000] has more than 2^31 "
                                 "elements");
}

TEST_F(OnnxLoaderTest, NanWeights) {
  OnnxBuilder b = SmallMlp();
  b.proto().mutable_graph()->mutable_initializer(0)->set_double_data(4, std::nan(""));
  EXPECT_EQ(LoadError(b.Write(dir_, "nan.onnx")),
            Path("nan.onnx") + ": error: tensor 'W' holds nan at element 4, used by node 'fc' (Gemm)");
}

TEST_F(OnnxLoaderTest, ExternalData) {
  // inside the model's folder: loads
  const std::vector<double> w = {1, 2, 3, 4, 5, 6};
  std::ofstream(Path("weights.bin"), std::ios::binary)
      .write(reinterpret_cast<const char*>(w.data()), static_cast<std::streamsize>(w.size() * sizeof(double)));
  OnnxBuilder b = SmallMlp();
  onnx::TensorProto* t = b.proto().mutable_graph()->mutable_initializer(0);
  t->clear_double_data();
  t->set_data_location(onnx::TensorProto_DataLocation_EXTERNAL);
  auto* loc = t->add_external_data();
  loc->set_key("location");
  loc->set_value("weights.bin");
  const auto inside = Model::LoadModel(b.Write(dir_, "inside.onnx"));
  EXPECT_EQ(*inside->graph().FindTensor("W")->data, w);

  // outside: refused
  loc->set_value("../../etc/passwd");
  EXPECT_EQ(LoadError(b.Write(dir_, "outside.onnx")),
            Path("outside.onnx") + ": error: initializer 'W': external data '../../etc/passwd' points outside the "
                                   "model's folder (refused)");
  loc->set_value("/etc/passwd");
  EXPECT_EQ(LoadError(b.Write(dir_, "absolute.onnx")),
            Path("absolute.onnx") + ": error: initializer 'W': external data '/etc/passwd' points outside the "
                                    "model's folder (refused)");
  loc->set_value("nothere.bin");
  EXPECT_EQ(LoadError(b.Write(dir_, "absent.onnx")),
            Path("absent.onnx") + ": error: initializer 'W': cannot read external data file 'nothere.bin'");
}

TEST_F(OnnxLoaderTest, UnsupportedOperator) {
  OnnxBuilder b;
  b.Input("x", {1, 2}).Output("y", {1, 2});
  b.Node("Reluu", {"x"}, "y", "act");
  const std::string error = LoadError(b.Write(dir_, "op.onnx"));
  EXPECT_EQ(error.substr(0, error.find(';')),
            Path("op.onnx") + ": error: node 'act' (Reluu): unsupported operator 'Reluu' (did you mean 'Relu'?)");
  EXPECT_NE(error.find("; supported: 'Add', 'BatchNormalization', 'Clip', 'Concat', 'Constant', 'Div', 'Dropout', "
                       "'Flatten', 'Gemm', 'Identity', 'LeakyRelu', 'MatMul', 'Mul', 'Neg', 'Relu', 'Reshape', "
                       "'Sigmoid', 'Softplus', 'Squeeze', 'Sub', 'Tanh', 'Unsqueeze'"),
            std::string::npos)
      << error;
}

TEST_F(OnnxLoaderTest, OpsetRange) {
  EXPECT_EQ(LoadError(SmallMlp(18).Write(dir_, "o18.onnx")),
            Path("o18.onnx") + ": error: opset 18 is not supported (opsets 8 to 17 are)");
  EXPECT_EQ(LoadError(SmallMlp(7).Write(dir_, "o7.onnx")),
            Path("o7.onnx") + ": error: opset 7 is not supported (opsets 8 to 17 are)");
  for (int64_t opset = 8; opset <= 17; ++opset) {
    EXPECT_EQ(Model::LoadModel(SmallMlp(opset).Write(dir_, "ok.onnx"))->output_size(), 2u) << opset;
  }
}

TEST_F(OnnxLoaderTest, SymbolicDimOtherThanBatch) {
  OnnxBuilder b;
  b.Input("x", {1, -1}).Output("y", {1, -1});
  b.Node("Relu", {"x"}, "y", "act");
  EXPECT_EQ(LoadError(b.Write(dir_, "sym.onnx")),
            Path("sym.onnx") + ": error: graph input 'x' has a symbolic dim 'N' at position 1 (only the batch dim, "
                               "dim 0, may be symbolic)");
}

TEST_F(OnnxLoaderTest, NonConstantParameterOperand) {
  OnnxBuilder b;
  b.Input("x", {1, 4}).Input("s", {2}).Output("y", {2, 2});
  b.Node("Reshape", {"x", "s"}, "y", "reshape");
  EXPECT_EQ(LoadError(b.Write(dir_, "param.onnx")),
            Path("param.onnx") + ": error: node 'reshape' (Reshape): operand 's' must be a constant (an initializer "
                                 "or a Constant node)");
}

TEST_F(OnnxLoaderTest, TwoNodesWriteOneTensor) {
  OnnxBuilder b;
  b.Input("x", {1, 2}).Output("y", {1, 2});
  b.Node("Relu", {"x"}, "y", "one");
  b.Node("Tanh", {"x"}, "y", "two");
  EXPECT_EQ(LoadError(b.Write(dir_, "twice.onnx")),
            Path("twice.onnx") + ": error: node 'two' (Tanh): writes 'y', which node 'one' (Relu) writes too");
}

TEST_F(OnnxLoaderTest, InputsThatCarryInitializers) {
  // old exporters list weights among the graph inputs (as the ACAS Xu files do)
  OnnxBuilder b = SmallMlp(9);
  b.Input("W", {3, 2}).Input("B", {2});
  const auto model = Model::LoadModel(b.Write(dir_, "old.onnx"));
  EXPECT_EQ(model->graph().inputs().size(), 1u);
  EXPECT_EQ(model->input_size(), 3u);
}

class NnetLoaderTest : public OnnxLoaderTest {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(Path(name)) << text;
    return Path(name);
  }
};

constexpr const char* kTinyNnet =
    "// a tiny network\n"
    "2,2,1,2,\n"
    "2,2,1,\n"
    "0,\n"
    "-1,-1,\n"
    "1,1,\n"
    "0,0,0.5,\n"
    "2,2,4,\n"
    "1,-1,\n"
    "0.5,2,\n"
    "0,\n"
    "1,\n"
    "1,1,\n"
    "0.25,\n";

TEST_F(NnetLoaderTest, TinyNetworkWithNormalisation) {
  const auto model = Model::LoadModel(Write("tiny.nnet", kTinyNnet));
  ASSERT_TRUE(model->nnet_normalization().has_value());
  const NnetNormalization& n = *model->nnet_normalization();
  EXPECT_EQ(n.input_min, (std::vector<double>{-1, -1}));
  EXPECT_EQ(n.input_mean, (std::vector<double>{0, 0}));
  EXPECT_EQ(n.input_range, (std::vector<double>{2, 2}));
  EXPECT_EQ(n.output_mean, 0.5);
  EXPECT_EQ(n.output_range, 4.0);
  Workspace ws;
  double y;
  // hidden = relu([x0 - x1, 0.5 x0 + 2 x1 + 1]); y = h0 + h1 + 0.25
  model->Evaluate(std::vector<double>{0.5, -0.25}, std::span(&y, 1), ws);
  EXPECT_EQ(y, 0.75 + (0.25 - 0.5 + 1.0) + 0.25);
  // raw: x clamped to [-1, 1] then / 2; y * 4 + 0.5
  model->EvaluateRaw(std::vector<double>{3.0, -0.5}, std::span(&y, 1), ws);
  EXPECT_EQ(y, ((0.5 + 0.25) + (0.25 - 0.5 + 1.0) + 0.25) * 4.0 + 0.5);
}

TEST_F(NnetLoaderTest, BadFiles) {
  std::string text = kTinyNnet;
  EXPECT_EQ(LoadError(Write("short.nnet", text.substr(0, text.size() - 7))),
            Path("short.nnet") + ":13: error: unexpected end of file: expected layer1 biases");
  std::string bad = text;
  bad.replace(bad.find("0.5,2,"), 3, "abc");
  EXPECT_EQ(LoadError(Write("word.nnet", bad)),
            Path("word.nnet") + ":10:1: error: expected a number for layer0 weights, got 'abc'");
  std::string nan = text;
  nan.replace(nan.find("0.5,2,"), 3, "nan");
  EXPECT_EQ(LoadError(Write("nan.nnet", nan)), Path("nan.nnet") + ":10:1: error: layer0 weights holds nan");
  EXPECT_EQ(LoadError(Write("extra.nnet", text + "7,\n")),
            Path("extra.nnet") + ":15:1: error: unexpected value '7' after the last layer");
  std::string sizes = text;
  sizes.replace(sizes.find("2,2,1,\n"), 7, "3,2,1,\n");
  EXPECT_EQ(LoadError(Write("sizes.nnet", sizes)),
            Path("sizes.nnet") + ":3:1: error: layer size 0 is 3 but the input size is 2");
}

}  // namespace
}  // namespace gauntlet::models

namespace gauntlet::models {
namespace {

// Corrupted files (random byte flips, truncations) never crash: they load or throw an InputError.
TEST(CorruptedFileTest, NeverCrashes) {
  const auto dir = testing::TempDir("corrupt");
  std::string original;
  {
    std::ifstream in(GAUNTLET_SOURCE_DIR "/zoo/acc_flawed.onnx", std::ios::binary);
    original.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_GT(original.size(), 1000u);
  core::Rng rng(17);
  int loaded = 0, rejected = 0;
  for (int k = 0; k < 300; ++k) {
    std::string bytes = original;
    const int flips = 1 + static_cast<int>(rng.UniformInt(4));
    for (int f = 0; f < flips; ++f) bytes[rng.UniformInt(bytes.size())] = static_cast<char>(rng.UniformInt(256));
    if (k % 5 == 0) bytes.resize(rng.UniformInt(bytes.size()));
    const std::string path = (dir / "corrupt.onnx").string();
    std::ofstream(path, std::ios::binary) << bytes;
    try {
      const auto model = Model::LoadModel(path);
      Workspace ws;
      std::vector<double> x(model->input_size(), 0.5), y(model->output_size());
      model->Evaluate(x, y, ws);
      ++loaded;
    } catch (const core::InputError& e) {
      EXPECT_EQ(std::string(e.what()).rfind(path + ": error: ", 0), 0u) << e.what();
      ++rejected;
    }
  }
  EXPECT_EQ(loaded + rejected, 300);
  EXPECT_GT(rejected, 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gauntlet::models
