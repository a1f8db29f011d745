// Inputs the fuzzers found (fuzz/regressions/): each must stay a clear input error.

#include <gtest/gtest.h>

#include "core/error.h"
#include "models/model.h"

namespace gauntlet::models {
namespace {

TEST(FuzzRegressionTest, ReshapeShapeBeyondTheIntegerRangeIsAnInputError) {
  // Reshape with an int64 shape initializer [1, INT64_MAX]: was a float-to-integer overflow (UB)
  const std::string path = std::string(GAUNTLET_SOURCE_DIR) + "/fuzz/regressions/onnx/reshape_shape_int64_max.onnx";
  try {
    (void)Model::LoadModel(path);
    FAIL() << "expected an InputError";
  } catch (const core::InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              path + ": error: node 'r' (Reshape): shape or axes value 9223372036854775808 is not an integer in range");
  }
}

}  // namespace
}  // namespace gauntlet::models
