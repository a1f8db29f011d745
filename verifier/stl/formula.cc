#include "verifier/stl/formula.h"

#include <unordered_set>

#include "core/suggest.h"
#include "verifier/stl/internal/ast.h"

namespace gauntlet::verifier::stl {

using internal::Node;
using internal::NodePtr;
using internal::Op;

namespace {

bool IsName(std::string_view s) {
  auto start = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  auto inner = [&](char c) { return start(c) || (c >= '0' && c <= '9'); };
  bool at_start = true;
  for (const char c : s) {
    if (at_start) {
      if (!start(c)) return false;
      at_start = false;
    } else if (c == '.') {
      at_start = true;
    } else if (!inner(c)) {
      return false;
    }
  }
  return !at_start;
}

bool IsMonitorablePart(const Node& node) {
  if (node.op == Op::kAnd) return IsMonitorablePart(*node.args[0]) && IsMonitorablePart(*node.args[1]);
  if (node.op == Op::kAlways) return internal::IsPastOnly(*node.args[0]);
  return internal::IsPastOnly(node);
}

}  // namespace

Formula::Formula(std::shared_ptr<const internal::Node> root)
    : root_(std::move(root)), signal_names_(internal::SignalNames(*root_)) {}

Formula Formula::Parse(std::string_view text, const core::SourcePos& origin, const Definitions& definitions) {
  internal::NodeDefinitions nodes;
  for (const auto& [name, formula] : definitions) nodes.emplace(name, formula.root());
  return Formula(internal::Parse(text, origin, &nodes, /*expression_only=*/false));
}

void Formula::CheckSignals(std::span<const std::string> known) const {
  std::unordered_set<std::string_view> known_set(known.begin(), known.end());
  std::unordered_set<std::string> reported;
  std::unordered_set<const Node*> visited;
  core::Diagnostics diags;
  std::vector<const Node*> stack = {root_.get()};
  // depth-first, left to right, so the messages follow the text
  while (!stack.empty()) {
    const Node* node = stack.back();
    stack.pop_back();
    if (!visited.insert(node).second) continue;
    if (node->op == Op::kSignal && !known_set.contains(node->name) && reported.insert(node->name).second) {
      diags.Error(node->pos, "unknown signal '" + node->name + "'" + core::DidYouMean(node->name, known) +
                                 "; known signals: " + core::QuotedList(known));
    }
    for (auto it = node->args.rbegin(); it != node->args.rend(); ++it) stack.push_back(it->get());
  }
  diags.ThrowIfAny();
}

bool Formula::IsOnlineMonitorable() const { return IsMonitorablePart(*root_); }

bool Formula::IsExpression() const { return internal::IsArithmetic(root_->op); }

std::string Formula::ToString() const { return internal::ToText(*root_); }

const core::SourcePos& Formula::pos() const { return root_->pos; }

Definitions ParseDefinitions(std::span<const DefinitionText> texts, const Definitions& base) {
  Definitions out = base;
  core::Diagnostics diags;
  for (const DefinitionText& d : texts) {
    if (!IsName(d.name)) {
      diags.Error(d.origin, "'" + d.name + "' is not a valid name for a definition");
      continue;
    }
    if (internal::IsKeyword(d.name)) {
      diags.Error(d.origin, "'" + d.name + "' is a keyword and cannot name a definition");
      continue;
    }
    if (out.contains(d.name)) {
      diags.Error(d.origin, "'" + d.name + "' is defined twice");
      continue;
    }
    try {
      out.emplace(d.name, Formula::Parse(d.text, d.origin, out));
    } catch (const core::InputError& e) {
      diags.Absorb(e);
    }
  }
  diags.ThrowIfAny();
  return out;
}

}  // namespace gauntlet::verifier::stl
