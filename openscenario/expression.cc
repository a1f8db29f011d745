// Recursive-descent evaluator of OpenSCENARIO expressions (see expression.h).

#include "openscenario/expression.h"

#include <charconv>
#include <cmath>
#include <cctype>
#include <vector>

namespace gauntlet::openscenario {
namespace {

class Parser {
 public:
  Parser(std::string_view text, const ParameterLookup& lookup) : text_(text), lookup_(lookup) {}

  double Run() {
    const double v = Or();
    SkipSpace();
    if (at_ != text_.size()) Fail("unexpected '" + std::string(text_.substr(at_, 1)) + "'");
    return v;
  }

 private:
  [[noreturn]] void Fail(const std::string& what) const {
    throw ExpressionError("in expression '" + std::string(text_) + "': " + what);
  }
  void SkipSpace() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }
  bool Accept(std::string_view token) {
    SkipSpace();
    if (text_.substr(at_, token.size()) != token) return false;
    // word operators must not run into an identifier
    if (std::isalpha(static_cast<unsigned char>(token[0])) && at_ + token.size() < text_.size() &&
        (std::isalnum(static_cast<unsigned char>(text_[at_ + token.size()])) || text_[at_ + token.size()] == '_'))
      return false;
    at_ += token.size();
    return true;
  }
  double Or() {
    double v = And();
    while (Accept("or")) {
      const double r = And();
      v = (v != 0.0 || r != 0.0) ? 1.0 : 0.0;
    }
    return v;
  }
  double And() {
    double v = Compare();
    while (Accept("and")) {
      const double r = Compare();
      v = (v != 0.0 && r != 0.0) ? 1.0 : 0.0;
    }
    return v;
  }
  double Compare() {
    double v = Sum();
    for (;;) {
      if (Accept("<=")) v = v <= Sum() ? 1.0 : 0.0;
      else if (Accept(">=")) v = v >= Sum() ? 1.0 : 0.0;
      else if (Accept("==")) v = v == Sum() ? 1.0 : 0.0;
      else if (Accept("!=")) v = v != Sum() ? 1.0 : 0.0;
      else if (Accept("<")) v = v < Sum() ? 1.0 : 0.0;
      else if (Accept(">")) v = v > Sum() ? 1.0 : 0.0;
      else return v;
    }
  }
  double Sum() {
    double v = Product();
    for (;;) {
      if (Accept("+")) v += Product();
      else if (Accept("-")) v -= Product();
      else return v;
    }
  }
  double Product() {
    double v = Unary();
    for (;;) {
      if (Accept("*")) {
        v *= Unary();
      } else if (Accept("/")) {
        const double d = Unary();
        if (d == 0.0) Fail("division by zero");
        v /= d;
      } else if (Accept("%")) {
        const double d = Unary();
        if (d == 0.0) Fail("modulo by zero");
        v = std::fmod(v, d);
      } else {
        return v;
      }
    }
  }
  double Unary() {
    if (Accept("-")) return -Unary();
    if (Accept("+")) return Unary();
    if (Accept("not")) return Unary() == 0.0 ? 1.0 : 0.0;
    return Primary();
  }
  double Primary() {
    SkipSpace();
    if (at_ >= text_.size()) Fail("unexpected end");
    const char c = text_[at_];
    if (c == '(') {
      ++at_;
      const double v = Or();
      if (!Accept(")")) Fail("missing ')'");
      return v;
    }
    if (c == '$') {
      ++at_;
      const std::string name = Identifier();
      if (name.empty()) Fail("'$' without a parameter name");
      const std::optional<std::string> value = lookup_(name);
      if (!value) Fail("unknown parameter '" + name + "'");
      if (*value == "true") return 1.0;
      if (*value == "false") return 0.0;
      double v = 0.0;
      if (!ParseNumber(*value, &v)) Fail("parameter '" + name + "' = '" + *value + "' is not a number");
      return v;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      size_t end = at_;
      while (end < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[end])) || text_[end] == '.')) ++end;
      if (end < text_.size() && (text_[end] == 'e' || text_[end] == 'E')) {
        size_t e = end + 1;
        if (e < text_.size() && (text_[e] == '+' || text_[e] == '-')) ++e;
        if (e < text_.size() && std::isdigit(static_cast<unsigned char>(text_[e]))) {
          end = e;
          while (end < text_.size() && std::isdigit(static_cast<unsigned char>(text_[end]))) ++end;
        }
      }
      double v = 0.0;
      if (!ParseNumber(text_.substr(at_, end - at_), &v)) Fail("bad number '" + std::string(text_.substr(at_, end - at_)) + "'");
      at_ = end;
      return v;
    }
    const std::string word = Identifier();
    if (word.empty()) Fail("unexpected '" + std::string(1, c) + "'");
    if (word == "true") return 1.0;
    if (word == "false") return 0.0;
    if (word == "pi" && !Accept("(")) return std::numbers::pi;  // as esmini (Vector's NCAP files write ${pi/2})
    if (!Accept("(")) Fail("unknown name '" + word + "' (parameters are written $name)");
    std::vector<double> args;
    if (!Accept(")")) {
      do args.push_back(Or());
      while (Accept(","));
      if (!Accept(")")) Fail("missing ')' after the arguments of " + word);
    }
    return Call(word, args);
  }
  double Call(const std::string& f, const std::vector<double>& a) {
    auto need = [&](size_t n) {
      if (a.size() != n) Fail(f + " takes " + std::to_string(n) + " argument" + (n == 1 ? "" : "s"));
    };
    if (f == "max" || f == "min") {
      if (a.empty()) Fail(f + " needs arguments");
      double v = a[0];
      for (double x : a) v = f == "max" ? std::max(v, x) : std::min(v, x);
      return v;
    }
    if (f == "pow") {
      need(2);
      return std::pow(a[0], a[1]);
    }
    need(1);
    const double x = a[0];
    if (f == "round") return std::round(x);
    if (f == "floor") return std::floor(x);
    if (f == "ceil") return std::ceil(x);
    if (f == "sqrt") {
      if (x < 0) Fail("sqrt of a negative number");
      return std::sqrt(x);
    }
    if (f == "sin") return std::sin(x);
    if (f == "cos") return std::cos(x);
    if (f == "tan") return std::tan(x);
    if (f == "asin") return std::asin(x);
    if (f == "acos") return std::acos(x);
    if (f == "atan") return std::atan(x);
    if (f == "sign") return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0;
    if (f == "abs") return std::fabs(x);
    Fail("unknown function '" + f + "' (known: round, floor, ceil, sqrt, pow, sin, cos, tan, asin, acos, atan, "
         "sign, abs, max, min)");
  }
  std::string Identifier() {
    SkipSpace();
    const size_t start = at_;
    while (at_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[at_])) || text_[at_] == '_')) ++at_;
    return std::string(text_.substr(start, at_ - start));
  }
  static bool ParseNumber(std::string_view s, double* out) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && ptr == s.data() + s.size() && !s.empty();
  }

  std::string_view text_;
  const ParameterLookup& lookup_;
  size_t at_ = 0;
};

}  // namespace

double EvaluateExpression(std::string_view text, const ParameterLookup& lookup) {
  const double v = Parser(text, lookup).Run();
  if (!std::isfinite(v)) throw ExpressionError("expression '" + std::string(text) + "' is not a finite number");
  return v;
}

std::string FormatNumber(double value) {
  if (value == 0.0) return "0";
  char buf[64];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;
  return std::string(buf, ptr);
}

std::string ResolveAttribute(std::string_view text, const ParameterLookup& lookup) {
  if (text.size() >= 3 && text.substr(0, 2) == "${" && text.back() == '}')
    return FormatNumber(EvaluateExpression(text.substr(2, text.size() - 3), lookup));
  if (text.size() >= 2 && text[0] == '$') {
    const std::string_view name = text.substr(1);
    const std::optional<std::string> value = lookup(name);
    if (!value) throw ExpressionError("unknown parameter '$" + std::string(name) + "'");
    return *value;
  }
  return std::string(text);
}

}  // namespace gauntlet::openscenario
