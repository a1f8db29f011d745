#include "core/error.h"

#include <gtest/gtest.h>

namespace gauntlet::core {
namespace {

TEST(ErrorTest, FormatsPathLineColumn) {
  EXPECT_EQ((Diagnostic{{"configs/cut_in.yaml", 14, 7}, "unknown key 'sped'"}).Format(),
            "configs/cut_in.yaml:14:7: error: unknown key 'sped'");
  EXPECT_EQ((Diagnostic{{"", 1, 17}, "expected ']' after interval"}).Format(),
            "1:17: error: expected ']' after interval");
  EXPECT_EQ((Diagnostic{{"model.onnx", 0, 0}, "truncated"}).Format(), "model.onnx: error: truncated");
  EXPECT_EQ((Diagnostic{{}, "bad"}).Format(), "error: bad");
}

TEST(ErrorTest, InputErrorListsEveryProblemInOrder) {
  Diagnostics diags;
  EXPECT_NO_THROW(diags.ThrowIfAny());
  diags.Error({"a.yaml", 2, 3}, "first");
  diags.Error({"a.yaml", 5, 1}, "second");
  try {
    diags.ThrowIfAny();
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "a.yaml:2:3: error: first\na.yaml:5:1: error: second");
    ASSERT_EQ(e.diagnostics().size(), 2u);
  }
}

TEST(ErrorTest, ShiftedMovesWithinAndAcrossLines) {
  const SourcePos p{"f", 3, 10};
  EXPECT_EQ(p.Shifted(0, 4), (SourcePos{"f", 3, 14}));
  EXPECT_EQ(p.Shifted(2, 4), (SourcePos{"f", 5, 5}));
}

}  // namespace
}  // namespace gauntlet::core
