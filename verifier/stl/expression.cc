#include "verifier/stl/expression.h"

#include <cmath>
#include <unordered_map>

#include "core/check.h"
#include "core/format.h"
#include "core/suggest.h"
#include "verifier/stl/internal/ast.h"

namespace gauntlet::verifier::stl {

using internal::Node;
using internal::NodePtr;
using internal::Op;

namespace {

std::string Render(const core::SourcePos& pos, const std::string& message) {
  return core::Diagnostic{pos, message}.Format();
}

// Appends the code of `node` (operands first) and returns the index of its value.
int Flatten(const Node& node, const std::unordered_map<std::string, size_t>& slot_of, auto& code) {
  using Instr = std::remove_reference_t<decltype(code[0])>;
  Instr instr;
  instr.op = static_cast<uint8_t>(node.op);
  instr.node = &node;
  switch (node.op) {
    case Op::kNumber:
      instr.number = node.number;
      break;
    case Op::kSignal:
      instr.slot = slot_of.at(node.name);
      break;
    case Op::kMin:
    case Op::kMax: {
      // n-ary min/max as a left-leaning chain of binary ones
      int acc = Flatten(*node.args[0], slot_of, code);
      for (size_t k = 1; k < node.args.size(); ++k) {
        Instr step = instr;
        step.a = acc;
        step.b = Flatten(*node.args[k], slot_of, code);
        code.push_back(step);
        acc = static_cast<int>(code.size()) - 1;
      }
      return acc;
    }
    default:
      GAUNTLET_CHECK(internal::IsArithmetic(node.op));
      instr.a = Flatten(*node.args[0], slot_of, code);
      if (node.args.size() > 1) instr.b = Flatten(*node.args[1], slot_of, code);
      break;
  }
  code.push_back(instr);
  return static_cast<int>(code.size()) - 1;
}

}  // namespace

EvaluationError::EvaluationError(core::SourcePos pos, std::string message, std::optional<double> time_s)
    : std::runtime_error(Render(pos, message)), pos_(std::move(pos)), message_(std::move(message)), time_s_(time_s) {}

Expression::Expression(std::shared_ptr<const internal::Node> root)
    : root_(std::move(root)), names_(internal::SignalNames(*root_)) {}

Expression Expression::Parse(std::string_view text, const core::SourcePos& origin) {
  return Expression(internal::Parse(text, origin, nullptr, /*expression_only=*/true));
}

std::string Expression::ToString() const { return internal::ToText(*root_); }

BoundExpression Expression::Bind(std::span<const std::string> slot_names) const {
  std::unordered_map<std::string_view, size_t> index;
  for (size_t i = 0; i < slot_names.size(); ++i) index.emplace(slot_names[i], i);
  std::vector<size_t> slots;
  core::Diagnostics diags;
  // report each unknown name once, at its first use
  std::vector<const Node*> stack = {root_.get()};
  std::unordered_map<std::string, bool> reported;
  std::vector<const Node*> order;
  while (!stack.empty()) {
    const Node* node = stack.back();
    stack.pop_back();
    order.push_back(node);
    for (auto it = node->args.rbegin(); it != node->args.rend(); ++it) stack.push_back(it->get());
  }
  for (const Node* node : order) {
    if (node->op != Op::kSignal || index.contains(node->name) || reported[node->name]) continue;
    reported[node->name] = true;
    diags.Error(node->pos, "unknown name '" + node->name + "'" + core::DidYouMean(node->name, slot_names) +
                               "; known names: " + core::QuotedList(slot_names));
  }
  diags.ThrowIfAny();
  for (const std::string& name : names_) slots.push_back(index.at(name));
  return BindSlots(slots);
}

BoundExpression Expression::BindSlots(std::span<const size_t> slots) const {
  GAUNTLET_CHECK(slots.size() == names_.size());
  std::unordered_map<std::string, size_t> slot_of;
  BoundExpression bound;
  for (size_t k = 0; k < names_.size(); ++k) {
    slot_of.emplace(names_[k], slots[k]);
    bound.slot_count_ = std::max(bound.slot_count_, slots[k] + 1);
  }
  bound.root_ = root_;
  Flatten(*root_, slot_of, bound.code_);
  return bound;
}

double Expression::EvaluateConstant() const {
  GAUNTLET_CHECK_MSG(names_.empty(), "EvaluateConstant needs an expression without names");
  return BindSlots({}).Evaluate(nullptr);
}

double BoundExpression::Eval(int k, const double* slots) const {
  const Instr& in = code_[k];
  const Op op = static_cast<Op>(in.op);
  switch (op) {
    case Op::kNumber: return in.number;
    case Op::kSignal: return slots[in.slot];
    case Op::kNeg: return 0.0 - Eval(in.a, slots);
    case Op::kAbs: return std::fabs(Eval(in.a, slots));
    default: break;
  }
  const double x = Eval(in.a, slots);
  const double y = Eval(in.b, slots);
  double r = 0.0;
  switch (op) {
    case Op::kAdd: r = x + y; break;
    case Op::kSub: r = x - y; break;
    case Op::kMul: r = x * y; break;
    case Op::kDiv:
      if (y == 0.0) {
        throw EvaluationError(in.node->pos,
                              "division by zero: the divisor '" + internal::ToText(*in.node->args[1]) + "' is 0",
                              std::nullopt);
      }
      r = x / y;
      break;
    case Op::kMin: return std::min(x, y);
    case Op::kMax: return std::max(x, y);
    default: GAUNTLET_CHECK_MSG(false, "arithmetic operator");
  }
  if (std::isnan(r)) {
    throw EvaluationError(in.node->pos, "'" + internal::ToText(*in.node) + "' is not a number (" +
                                            core::FormatDouble(x) + " " + internal::OpText(op) + " " +
                                            core::FormatDouble(y) + ")",
                          std::nullopt);
  }
  return r;
}

}  // namespace gauntlet::verifier::stl
