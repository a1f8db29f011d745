#pragma once
// Test helper: builds small ONNX models in memory (no Python needed) and writes them to files.

#include <onnx/onnx_pb.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/test_files.h"

namespace gauntlet::models::testing {

class OnnxBuilder {
 public:
  explicit OnnxBuilder(int64_t opset = 13) {
    model_.set_ir_version(7);
    auto* op = model_.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    model_.mutable_graph()->set_name("test");
  }

  /// A float graph input; a dim of -1 is symbolic ("N").
  OnnxBuilder& Input(const std::string& name, const std::vector<int64_t>& shape) {
    SetValueInfo(model_.mutable_graph()->add_input(), name, shape);
    return *this;
  }
  OnnxBuilder& Output(const std::string& name, const std::vector<int64_t>& shape) {
    SetValueInfo(model_.mutable_graph()->add_output(), name, shape);
    return *this;
  }
  /// A double initializer.
  OnnxBuilder& Initializer(const std::string& name, const std::vector<int64_t>& shape, const std::vector<double>& values) {
    onnx::TensorProto* t = model_.mutable_graph()->add_initializer();
    FillTensor(t, name, shape, values);
    return *this;
  }
  /// An int64 initializer (shapes, axes).
  OnnxBuilder& IntInitializer(const std::string& name, const std::vector<int64_t>& values) {
    onnx::TensorProto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto_DataType_INT64);
    t->add_dims(static_cast<int64_t>(values.size()));
    for (int64_t v : values) t->add_int64_data(v);
    return *this;
  }
  onnx::NodeProto& Node(const std::string& op, const std::vector<std::string>& inputs, const std::string& output,
                        const std::string& name = "") {
    onnx::NodeProto* n = model_.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? output : name);
    for (const auto& i : inputs) n->add_input(i);
    n->add_output(output);
    return *n;
  }
  static void IntAttr(onnx::NodeProto& n, const std::string& name, int64_t v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_INT);
    a->set_i(v);
  }
  static void FloatAttr(onnx::NodeProto& n, const std::string& name, double v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_FLOAT);
    a->set_f(static_cast<float>(v));
  }
  static void IntsAttr(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_INTS);
    for (int64_t x : v) a->add_ints(x);
  }

  static void FillTensor(onnx::TensorProto* t, const std::string& name, const std::vector<int64_t>& shape,
                         const std::vector<double>& values) {
    t->set_name(name);
    t->set_data_type(onnx::TensorProto_DataType_DOUBLE);
    for (int64_t d : shape) t->add_dims(d);
    for (double v : values) t->add_double_data(v);
  }

  onnx::ModelProto& proto() { return model_; }

  /// Writes the model to `dir/name` and returns the path.
  std::string Write(const std::filesystem::path& dir, const std::string& name) const {
    std::filesystem::create_directories(dir);
    const std::string path = (dir / name).string();
    std::ofstream out(path, std::ios::binary);
    model_.SerializeToOstream(&out);
    return path;
  }

 private:
  static void SetValueInfo(onnx::ValueInfoProto* v, const std::string& name, const std::vector<int64_t>& shape) {
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto_DataType_FLOAT);
    auto* s = tt->mutable_shape();
    for (int64_t d : shape) {
      auto* dim = s->add_dim();
      if (d < 0) {
        dim->set_dim_param("N");
      } else {
        dim->set_dim_value(d);
      }
    }
  }

  onnx::ModelProto model_;
};

/// A fresh temporary directory for one test (tests/test_files.h: private to the process, removed at exit).
inline std::filesystem::path TempDir(const std::string& test_name) { return gauntlet::test::FreshDir("models_" + test_name); }

}  // namespace gauntlet::models::testing
