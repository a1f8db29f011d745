// The lexer and recursive-descent parser for STL formulas and arithmetic expressions.

#include <algorithm>
#include <charconv>
#include <optional>
#include <cmath>
#include <unordered_set>

#include "core/format.h"
#include "core/suggest.h"
#include "verifier/stl/internal/ast.h"

namespace gauntlet::verifier::stl::internal {
namespace {

enum class Tok : uint8_t {
  kEnd, kNumber, kIdent, kLParen, kRParen, kLBracket, kRBracket, kComma, kColon,
  kPlus, kMinus, kStar, kSlash, kLt, kLe, kGt, kGe, kEqEq, kNe, kArrow, kIffArrow,
};

struct Token {
  Tok kind = Tok::kEnd;
  std::string_view text;
  double number = 0.0;
  core::SourcePos pos;
};

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }

// Splits the text into tokens; an unknown character is a syntax error.
std::vector<Token> Lex(std::string_view text, const core::SourcePos& origin) {
  std::vector<Token> tokens;
  int line = 0;
  size_t line_start = 0;
  size_t i = 0;
  auto pos_at = [&](size_t offset) { return origin.Shifted(line, static_cast<int>(offset - line_start)); };
  while (true) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) {
      if (text[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
      ++i;
    }
    Token t;
    t.pos = pos_at(i);
    if (i >= text.size()) {
      tokens.push_back(t);
      return tokens;
    }
    const size_t start = i;
    const char c = text[i];
    auto next_is = [&](std::string_view s) { return text.substr(i, s.size()) == s; };
    if (IsDigit(c) || (c == '.' && i + 1 < text.size() && IsDigit(text[i + 1]))) {
      while (i < text.size() && IsDigit(text[i])) ++i;
      if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && IsDigit(text[i])) ++i;
      }
      if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        size_t j = i + 1;
        if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
        if (j < text.size() && IsDigit(text[j])) {
          while (j < text.size() && IsDigit(text[j])) ++j;
          i = j;
        }
      }
      t.kind = Tok::kNumber;
      t.text = text.substr(start, i - start);
      const auto parsed = std::from_chars(t.text.data(), t.text.data() + t.text.size(), t.number);
      if (parsed.ec != std::errc() || !std::isfinite(t.number)) throw core::InputError(t.pos, "number '" + std::string(t.text) + "' is out of range");
    } else if (IsIdentStart(c)) {
      while (true) {
        while (i < text.size() && IsIdentChar(text[i])) ++i;
        if (i + 1 < text.size() && text[i] == '.' && IsIdentStart(text[i + 1])) {
          ++i;
          continue;
        }
        break;
      }
      t.kind = Tok::kIdent;
      t.text = text.substr(start, i - start);
    } else {
      size_t len = 1;
      if (next_is("<->")) {
        t.kind = Tok::kIffArrow;
        len = 3;
      } else if (next_is("<=")) {
        t.kind = Tok::kLe;
        len = 2;
      } else if (next_is(">=")) {
        t.kind = Tok::kGe;
        len = 2;
      } else if (next_is("==")) {
        t.kind = Tok::kEqEq;
        len = 2;
      } else if (next_is("!=")) {
        t.kind = Tok::kNe;
        len = 2;
      } else if (next_is("->")) {
        t.kind = Tok::kArrow;
        len = 2;
      } else {
        switch (c) {
          case '(': t.kind = Tok::kLParen; break;
          case ')': t.kind = Tok::kRParen; break;
          case '[': t.kind = Tok::kLBracket; break;
          case ']': t.kind = Tok::kRBracket; break;
          case ',': t.kind = Tok::kComma; break;
          case ':': t.kind = Tok::kColon; break;
          case '+': t.kind = Tok::kPlus; break;
          case '-': t.kind = Tok::kMinus; break;
          case '*': t.kind = Tok::kStar; break;
          case '/': t.kind = Tok::kSlash; break;
          case '<': t.kind = Tok::kLt; break;
          case '>': t.kind = Tok::kGt; break;
          default:
            throw core::InputError(t.pos, "unexpected character '" + std::string(1, c) + "'");
        }
      }
      i += len;
      t.text = text.substr(start, len);
    }
    tokens.push_back(t);
  }
}

const std::unordered_set<std::string_view>& Keywords() {
  static const std::unordered_set<std::string_view> keywords = {
      "not",  "and",    "or",   "implies", "iff",    "xor",  "always", "eventually", "once",
      "historically", "until", "since", "prev", "next", "s_prev", "s_next", "rise", "fall",
      "abs",  "min",    "max",  "inf"};
  return keywords;
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, const NodeDefinitions* definitions, bool expression_only)
      : tokens_(std::move(tokens)), definitions_(definitions), expression_only_(expression_only) {}

  NodePtr ParseAll() {
    NodePtr root = expression_only_ ? ParseSum() : ParseIff();
    if (Peek().kind != Tok::kEnd) {
      SyntaxError(Peek().pos, std::string("expected end of ") + (expression_only_ ? "expression" : "formula") +
                                  ", found " + Describe(Peek()));
    }
    diags_.ThrowIfAny();
    return root;
  }

 private:
  const Token& Peek() const { return tokens_[next_]; }
  const Token& Take() { return tokens_[next_ < tokens_.size() - 1 ? next_++ : next_]; }
  bool PeekKeyword(std::string_view word) const { return Peek().kind == Tok::kIdent && Peek().text == word; }

  static std::string Describe(const Token& t) {
    if (t.kind == Tok::kEnd) return "end of text";
    return "'" + std::string(t.text) + "'";
  }

  [[noreturn]] void SyntaxError(const core::SourcePos& pos, std::string message) {
    diags_.Error(pos, std::move(message));
    diags_.ThrowIfAny();
    throw core::InputError(pos, "internal: unreachable");
  }

  void Expect(Tok kind, const std::string& message) {
    if (Peek().kind != kind) SyntaxError(Peek().pos, message);
    Take();
  }

  NodePtr Make(Op op, core::SourcePos pos, std::vector<NodePtr> args, Interval interval = {}) {
    auto node = std::make_shared<Node>();
    node->op = op;
    node->args = std::move(args);
    node->interval = interval;
    for (const NodePtr& arg : node->args) node->depth = std::max(node->depth, arg->depth + 1);
    if (node->depth > kMaxDepth) SyntaxError(pos, "the formula is nested too deeply");
    node->pos = std::move(pos);
    return node;
  }

  // Counts the nesting of the recursive rules, so deeply nested input is an error, not a stack overflow.
  class NestingGuard {
   public:
    explicit NestingGuard(Parser* parser) : parser_(parser) {
      if (++parser_->nesting_ > kMaxDepth) parser_->SyntaxError(parser_->Peek().pos, "the formula is nested too deeply");
    }
    ~NestingGuard() { --parser_->nesting_; }
    NestingGuard(const NestingGuard&) = delete;
    NestingGuard& operator=(const NestingGuard&) = delete;

   private:
    Parser* parser_;
  };

  // An operand of arithmetic or of a comparison must be a number, not a verdict.
  void RequireArithmetic(const NodePtr& operand, const core::SourcePos& at, std::string_view op_text) {
    // `at` is where the operator is written
    if (!IsArithmetic(operand->op)) {
      diags_.Error(at, "'" + std::string(op_text) + "' needs an arithmetic operand, found a formula ('" +
                           ToText(*operand) + "')");
    }
  }

  // iff := implies (('iff' | '<->') implies)*
  NodePtr ParseIff() {
    NodePtr left = ParseImplies();
    while (PeekKeyword("iff") || Peek().kind == Tok::kIffArrow) {
      const core::SourcePos pos = Take().pos;
      left = Make(Op::kIff, pos, {left, ParseImplies()});
    }
    return left;
  }

  // implies := or (('implies' | '->') implies)?     right-associative
  NodePtr ParseImplies() {
    const NestingGuard guard(this);
    NodePtr left = ParseOr();
    if (PeekKeyword("implies") || Peek().kind == Tok::kArrow) {
      const core::SourcePos pos = Take().pos;
      return Make(Op::kImplies, pos, {left, ParseImplies()});
    }
    return left;
  }

  // or := and (('or' | 'xor') and)*
  NodePtr ParseOr() {
    NodePtr left = ParseAnd();
    while (PeekKeyword("or") || PeekKeyword("xor")) {
      const Op op = Peek().text == "or" ? Op::kOr : Op::kXor;
      const core::SourcePos pos = Take().pos;
      left = Make(op, pos, {left, ParseAnd()});
    }
    return left;
  }

  // and := until ('and' until)*
  NodePtr ParseAnd() {
    NodePtr left = ParseUntil();
    while (PeekKeyword("and")) {
      const core::SourcePos pos = Take().pos;
      left = Make(Op::kAnd, pos, {left, ParseUntil()});
    }
    return left;
  }

  // until := unary (('until' | 'since') interval? unary)*
  NodePtr ParseUntil() {
    NodePtr left = ParseUnary();
    while (PeekKeyword("until") || PeekKeyword("since")) {
      const Op op = Peek().text == "until" ? Op::kUntil : Op::kSince;
      const core::SourcePos pos = Take().pos;
      const Interval interval = ParseOptionalInterval();
      left = Make(op, pos, {left, ParseUnary()}, interval);
    }
    return left;
  }

  // unary := ('not' | 'always' I? | 'eventually' I? | 'once' I? | 'historically' I? | 'prev' | 'next'
  //           | 's_prev' | 's_next') unary | comparison
  NodePtr ParseUnary() {
    const NestingGuard guard(this);
    static const std::pair<std::string_view, Op> kPrefix[] = {
        {"not", Op::kNot},           {"always", Op::kAlways}, {"eventually", Op::kEventually},
        {"once", Op::kOnce},         {"historically", Op::kHistorically}, {"prev", Op::kPrev},
        {"next", Op::kNext},         {"s_prev", Op::kSPrev},  {"s_next", Op::kSNext}};
    if (Peek().kind == Tok::kIdent) {
      for (const auto& [word, op] : kPrefix) {
        if (Peek().text != word) continue;
        const core::SourcePos pos = Take().pos;
        Interval interval;
        if (op == Op::kAlways || op == Op::kEventually || op == Op::kOnce || op == Op::kHistorically) {
          interval = ParseOptionalInterval();
        }
        return Make(op, pos, {ParseUnary()}, interval);
      }
    }
    return ParseComparison();
  }

  // comparison := sum (('<' | '<=' | '>' | '>=' | '==' | '!=') sum)?
  NodePtr ParseComparison() {
    NodePtr left = ParseSum();
    const auto op = ComparisonOp(Peek().kind);
    if (!op) return left;
    const Token op_token = Take();
    NodePtr right = ParseSum();
    RequireArithmetic(left, op_token.pos, op_token.text);
    RequireArithmetic(right, op_token.pos, op_token.text);
    if (ComparisonOp(Peek().kind)) {
      SyntaxError(Peek().pos, "comparisons cannot be chained; combine them with 'and'");
    }
    return Make(*op, op_token.pos, {left, right});
  }

  static std::optional<Op> ComparisonOp(Tok kind) {
    switch (kind) {
      case Tok::kLt: return Op::kLt;
      case Tok::kLe: return Op::kLe;
      case Tok::kGt: return Op::kGt;
      case Tok::kGe: return Op::kGe;
      case Tok::kEqEq: return Op::kEq;
      case Tok::kNe: return Op::kNe;
      default: return std::nullopt;
    }
  }

  // sum := product (('+' | '-') product)*
  NodePtr ParseSum() {
    NodePtr left = ParseProduct();
    while (Peek().kind == Tok::kPlus || Peek().kind == Tok::kMinus) {
      const Token op_token = Take();
      NodePtr right = ParseProduct();
      RequireArithmetic(left, op_token.pos, op_token.text);
      RequireArithmetic(right, op_token.pos, op_token.text);
      left = Make(op_token.kind == Tok::kPlus ? Op::kAdd : Op::kSub, op_token.pos, {left, right});
    }
    return left;
  }

  // product := sign (('*' | '/') sign)*
  NodePtr ParseProduct() {
    NodePtr left = ParseSign();
    while (Peek().kind == Tok::kStar || Peek().kind == Tok::kSlash) {
      const Token op_token = Take();
      NodePtr right = ParseSign();
      RequireArithmetic(left, op_token.pos, op_token.text);
      RequireArithmetic(right, op_token.pos, op_token.text);
      left = Make(op_token.kind == Tok::kStar ? Op::kMul : Op::kDiv, op_token.pos, {left, right});
    }
    return left;
  }

  // sign := '-' sign | primary
  NodePtr ParseSign() {
    const NestingGuard guard(this);
    if (Peek().kind == Tok::kMinus) {
      const core::SourcePos pos = Take().pos;
      NodePtr operand = ParseSign();
      RequireArithmetic(operand, pos, "-");
      return Make(Op::kNeg, pos, {operand});
    }
    return ParsePrimary();
  }

  // primary := number | name | ('abs' | 'min' | 'max') '(' sum (',' sum)* ')'
  //          | ('rise' | 'fall') '(' formula ')' | '(' formula ')'
  NodePtr ParsePrimary() {
    const Token& t = Peek();
    if (t.kind == Tok::kNumber) {
      auto node = std::make_shared<Node>();
      node->op = Op::kNumber;
      node->number = t.number;
      node->pos = t.pos;
      Take();
      return node;
    }
    if (t.kind == Tok::kLParen) {
      Take();
      NodePtr inner = expression_only_ ? ParseSum() : ParseIff();
      if (Peek().kind != Tok::kRParen) SyntaxError(Peek().pos, "expected ')', found " + Describe(Peek()));
      Take();
      return inner;
    }
    if (t.kind == Tok::kIdent) {
      if (t.text == "abs" || t.text == "min" || t.text == "max") return ParseFunction();
      if (t.text == "rise" || t.text == "fall") {
        if (expression_only_) {
          SyntaxError(t.pos, "'" + std::string(t.text) + "' cannot be used in an arithmetic expression");
        }
        const Token word = Take();
        if (Peek().kind != Tok::kLParen) {
          SyntaxError(Peek().pos, "expected '(' after '" + std::string(word.text) + "'");
        }
        Take();
        NodePtr inner = ParseIff();
        if (Peek().kind != Tok::kRParen) SyntaxError(Peek().pos, "expected ')', found " + Describe(Peek()));
        Take();
        return Make(word.text == "rise" ? Op::kRise : Op::kFall, word.pos, {inner});
      }
      if (Keywords().contains(t.text)) {
        if (expression_only_ && t.text != "inf") {
          SyntaxError(t.pos, "'" + std::string(t.text) + "' cannot be used in an arithmetic expression");
        }
        SyntaxError(t.pos, "expected an expression, found " + Describe(t));
      }
      Take();
      if (Peek().kind == Tok::kLParen) {
        // a call of a function the language does not have: name it, not the '(' after it
        std::vector<std::string> functions = {"abs", "min", "max"};
        if (!expression_only_) functions.insert(functions.end(), {"rise", "fall"});
        SyntaxError(t.pos, "unknown function '" + std::string(t.text) + "'" +
                               core::DidYouMean(t.text, functions) + "; the functions are " +
                               core::QuotedList(functions));
      }
      if (definitions_ != nullptr) {
        const auto it = definitions_->find(t.text);
        if (it != definitions_->end()) {
          if (expression_only_ && !IsArithmetic(it->second->op)) {
            diags_.Error(t.pos, "'" + std::string(t.text) + "' is a formula, not an arithmetic expression");
          }
          return it->second;
        }
      }
      auto node = std::make_shared<Node>();
      node->op = Op::kSignal;
      node->name = std::string(t.text);
      node->pos = t.pos;
      return node;
    }
    SyntaxError(t.pos, "expected an expression, found " + Describe(t));
  }

  NodePtr ParseFunction() {
    const Token word = Take();
    const Op op = word.text == "abs" ? Op::kAbs : word.text == "min" ? Op::kMin : Op::kMax;
    if (Peek().kind != Tok::kLParen) SyntaxError(Peek().pos, "expected '(' after '" + std::string(word.text) + "'");
    Take();
    std::vector<NodePtr> args;
    while (true) {
      NodePtr arg = ParseSum();
      RequireArithmetic(arg, word.pos, word.text);
      args.push_back(std::move(arg));
      if (Peek().kind == Tok::kComma) {
        Take();
        continue;
      }
      if (Peek().kind != Tok::kRParen) SyntaxError(Peek().pos, "expected ',' or ')', found " + Describe(Peek()));
      Take();
      break;
    }
    if (op == Op::kAbs && args.size() != 1) {
      diags_.Error(word.pos, "'abs' takes one argument, found " + std::to_string(args.size()));
    } else if (op != Op::kAbs && args.size() < 2) {
      diags_.Error(word.pos, "'" + std::string(word.text) + "' needs at least two arguments");
    }
    return Make(op, word.pos, std::move(args));
  }

  // interval := '[' bound (',' | ':') bound ']'     bound := '-'? number | 'inf'
  Interval ParseOptionalInterval() {
    Interval interval;
    if (Peek().kind != Tok::kLBracket) return interval;
    const core::SourcePos open = Take().pos;
    interval.written = true;
    const auto [lo, lo_pos] = ParseBound();
    if (Peek().kind != Tok::kComma && Peek().kind != Tok::kColon) {
      SyntaxError(Peek().pos, "expected ',' or ':' in interval");
    }
    Take();
    const auto [hi, hi_pos] = ParseBound();
    Expect(Tok::kRBracket, "expected ']' after interval");
    interval.lo = lo;
    interval.hi = hi;
    bool ok = true;
    if (lo < 0) {
      diags_.Error(lo_pos, "interval bound " + core::FormatDouble(lo) + " is negative");
      ok = false;
    }
    if (hi < 0) {
      diags_.Error(hi_pos, "interval bound " + core::FormatDouble(hi) + " is negative");
      ok = false;
    }
    if (std::isinf(lo)) {
      diags_.Error(lo_pos, "the lower bound of an interval must be finite");
      ok = false;
    }
    if (ok && lo > hi) {
      diags_.Error(open, "empty interval [" + core::FormatDouble(lo) + ", " + core::FormatDouble(hi) +
                             "]: the lower bound is greater than the upper bound");
    }
    return interval;
  }

  std::pair<double, core::SourcePos> ParseBound() {
    const core::SourcePos pos = Peek().pos;
    double sign = 1.0;
    if (Peek().kind == Tok::kMinus) {
      Take();
      sign = -1.0;
    }
    if (Peek().kind == Tok::kNumber) return {sign * Take().number, pos};
    if (PeekKeyword("inf")) {
      Take();
      return {sign * std::numeric_limits<double>::infinity(), pos};
    }
    SyntaxError(Peek().pos, "expected a number in interval");
  }

  std::vector<Token> tokens_;
  size_t next_ = 0;
  const NodeDefinitions* definitions_;
  bool expression_only_;
  int nesting_ = 0;
  core::Diagnostics diags_;
};

void CollectSignals(const Node& node, std::vector<std::string>* names, std::unordered_set<std::string>* seen,
                    std::unordered_set<const Node*>* visited) {
  if (!visited->insert(&node).second) return;
  if (node.op == Op::kSignal && seen->insert(node.name).second) names->push_back(node.name);
  for (const NodePtr& arg : node.args) CollectSignals(*arg, names, seen, visited);
}

}  // namespace

bool IsKeyword(std::string_view word) { return Keywords().contains(word); }

bool IsArithmetic(Op op) { return op <= Op::kMax; }

bool IsTemporal(Op op) { return op >= Op::kAlways; }

bool IsFutureOp(Op op) {
  return op == Op::kAlways || op == Op::kEventually || op == Op::kUntil || op == Op::kNext || op == Op::kSNext;
}

bool IsPastOnly(const Node& node) {
  if (IsFutureOp(node.op)) return false;
  for (const NodePtr& arg : node.args) {
    if (!IsPastOnly(*arg)) return false;
  }
  return true;
}

const char* OpText(Op op) {
  switch (op) {
    case Op::kNumber: return "number";
    case Op::kSignal: return "signal";
    case Op::kNeg: return "-";
    case Op::kAdd: return "+";
    case Op::kSub: return "-";
    case Op::kMul: return "*";
    case Op::kDiv: return "/";
    case Op::kAbs: return "abs";
    case Op::kMin: return "min";
    case Op::kMax: return "max";
    case Op::kLt: return "<";
    case Op::kLe: return "<=";
    case Op::kGt: return ">";
    case Op::kGe: return ">=";
    case Op::kEq: return "==";
    case Op::kNe: return "!=";
    case Op::kNot: return "not";
    case Op::kAnd: return "and";
    case Op::kOr: return "or";
    case Op::kImplies: return "->";
    case Op::kIff: return "<->";
    case Op::kXor: return "xor";
    case Op::kAlways: return "always";
    case Op::kEventually: return "eventually";
    case Op::kOnce: return "once";
    case Op::kHistorically: return "historically";
    case Op::kUntil: return "until";
    case Op::kSince: return "since";
    case Op::kPrev: return "prev";
    case Op::kNext: return "next";
    case Op::kSPrev: return "s_prev";
    case Op::kSNext: return "s_next";
    case Op::kRise: return "rise";
    case Op::kFall: return "fall";
  }
  return "?";
}

std::string ToText(const Node& node) {
  auto interval_text = [&]() -> std::string {
    if (!node.interval.written) return "";
    return "[" + core::FormatDouble(node.interval.lo) + ", " + core::FormatDouble(node.interval.hi) + "]";
  };
  switch (node.op) {
    case Op::kNumber: return core::FormatDouble(node.number);
    case Op::kSignal: return node.name;
    case Op::kNeg: return "-" + ToText(*node.args[0]);
    case Op::kAbs:
    case Op::kMin:
    case Op::kMax:
    case Op::kRise:
    case Op::kFall: {
      std::string out = std::string(OpText(node.op)) + "(";
      for (size_t i = 0; i < node.args.size(); ++i) out += (i > 0 ? ", " : "") + ToText(*node.args[i]);
      return out + ")";
    }
    case Op::kNot:
    case Op::kAlways:
    case Op::kEventually:
    case Op::kOnce:
    case Op::kHistorically:
    case Op::kPrev:
    case Op::kNext:
    case Op::kSPrev:
    case Op::kSNext:
      return "(" + std::string(OpText(node.op)) + interval_text() + " " + ToText(*node.args[0]) + ")";
    case Op::kUntil:
    case Op::kSince:
      return "(" + ToText(*node.args[0]) + " " + OpText(node.op) + interval_text() + " " + ToText(*node.args[1]) +
             ")";
    default:
      return "(" + ToText(*node.args[0]) + " " + OpText(node.op) + " " + ToText(*node.args[1]) + ")";
  }
}

std::vector<std::string> SignalNames(const Node& node) {
  std::vector<std::string> names;
  std::unordered_set<std::string> seen;
  std::unordered_set<const Node*> visited;
  CollectSignals(node, &names, &seen, &visited);
  return names;
}

NodePtr Parse(std::string_view text, const core::SourcePos& origin, const NodeDefinitions* definitions,
              bool expression_only) {
  Parser parser(Lex(text, origin), definitions, expression_only);
  return parser.ParseAll();
}

}  // namespace gauntlet::verifier::stl::internal
