#include "verifier/formal/vnnlib.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <sstream>

#include "core/error.h"
#include "core/input_file.h"
#include "core/suggest.h"
#include "core/text.h"

namespace gauntlet::verifier::formal {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr size_t kMaxClauses = 100000;

struct SExpr {
  bool is_list = false;
  std::string atom;
  std::vector<SExpr> items;
  int line = 0;
  int col = 0;

  SExpr() = default;
  SExpr(const SExpr&) = default;
  SExpr(SExpr&&) noexcept = default;
  SExpr& operator=(const SExpr&) = default;
  SExpr& operator=(SExpr&&) noexcept = default;
  // Iterative: the children are moved to a work list, so a deep tree never recurses.
  ~SExpr() {
    std::vector<SExpr> pending = std::move(items);
    while (!pending.empty()) {
      SExpr last = std::move(pending.back());
      pending.pop_back();
      for (SExpr& child : last.items) pending.push_back(std::move(child));
      last.items.clear();
    }
  }
};

class Reader {
 public:
  Reader(std::string_view text, const std::string& path) : text_(text), path_(path) {}

  std::vector<SExpr> ReadAll() {
    std::vector<SExpr> top;
    std::vector<SExpr> stack;
    while (true) {
      SkipSpaceAndComments();
      if (pos_ >= text_.size()) break;
      const char ch = text_[pos_];
      if (ch == '(') {
        if (stack.size() >= kMaxVnnlibDepth) {
          throw core::InputError({path_, line_, col_}, "parentheses nested more than " +
                                                           std::to_string(kMaxVnnlibDepth) +
                                                           " levels deep (the limit of a VNN-LIB property)");
        }
        SExpr e;
        e.is_list = true;
        e.line = line_;
        e.col = col_;
        stack.push_back(std::move(e));
        Advance();
      } else if (ch == ')') {
        if (stack.empty()) {
          throw core::InputError({path_, line_, col_}, "unbalanced parentheses: unexpected ')'");
        }
        Advance();
        SExpr done = std::move(stack.back());
        stack.pop_back();
        Push(stack, top, std::move(done));
      } else {
        SExpr e;
        e.line = line_;
        e.col = col_;
        while (pos_ < text_.size()) {
          const char c = text_[pos_];
          if (c == '(' || c == ')' || c == ';' || std::isspace(static_cast<unsigned char>(c))) break;
          e.atom.push_back(c);
          Advance();
        }
        Push(stack, top, std::move(e));
      }
    }
    if (!stack.empty()) {
      throw core::InputError({path_, stack.back().line, stack.back().col},
                             "unbalanced parentheses: '(' is never closed");
    }
    return top;
  }

 private:
  static void Push(std::vector<SExpr>& stack, std::vector<SExpr>& top, SExpr e) {
    if (stack.empty()) {
      top.push_back(std::move(e));
    } else {
      stack.back().items.push_back(std::move(e));
    }
  }
  void Advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++pos_;
  }
  void SkipSpaceAndComments() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == ';') {
        while (pos_ < text_.size() && text_[pos_] != '\n') Advance();
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        Advance();
      } else {
        break;
      }
    }
  }

  std::string_view text_;
  const std::string& path_;
  size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
};

// A variable: input (X) or output (Y) with its index.
struct Var {
  bool is_input = true;
  int index = 0;
};

// sum coeffs[var] * var + constant
struct LinearTerm {
  std::map<std::pair<bool, int>, double> coeffs;  // key: (is_input, index)
  double constant = 0.0;
};

// term <= 0 (or < 0)
struct Atom {
  LinearTerm term;
  bool strict = false;
  int line = 0;
  int col = 0;
};

using Clause = std::vector<Atom>;
using Dnf = std::vector<Clause>;

const std::vector<std::string>& SupportedOperators() {
  static const std::vector<std::string> ops = {"declare-const", "assert", "and", "or", "<=", ">=", "<", ">",
                                               "+",             "-",      "*"};
  return ops;
}

class Parser {
 public:
  Parser(const std::string& path, int model_inputs, int model_outputs)
      : path_(path), model_inputs_(model_inputs), model_outputs_(model_outputs) {}

  VnnlibProperty Parse(std::string_view text) {
    const std::vector<SExpr> top = Reader(text, path_).ReadAll();
    Dnf dnf = {Clause{}};
    for (const SExpr& e : top) {
      if (!e.is_list || e.items.empty() || e.items[0].is_list) {
        diags_.Error(Pos(e), "expected a command such as '(declare-const X_0 Real)' or '(assert ...)'");
        continue;
      }
      const std::string& head = e.items[0].atom;
      if (head == "declare-const") {
        Declare(e);
      } else if (head == "assert") {
        if (e.items.size() != 2) {
          diags_.Error(Pos(e), "'assert' takes exactly one formula");
          continue;
        }
        try {
          Dnf f = Formula(e.items[1]);
          dnf = Product(dnf, f, e);
        } catch (const core::InputError& error) {
          diags_.Absorb(error);
        }
      } else {
        diags_.Error(Pos(e.items[0]), OutsideSubset(head));
      }
    }
    diags_.ThrowIfAny();
    return Build(dnf);
  }

 private:
  core::SourcePos Pos(const SExpr& e) const { return {path_, e.line, e.col}; }

  std::string OutsideSubset(const std::string& op) const {
    return "operator " + core::Quote(op) + " is outside the supported VNN-LIB subset" +
           core::DidYouMean(op, SupportedOperators()) + "; supported: " + core::QuotedList(SupportedOperators());
  }

  void Declare(const SExpr& e) {
    if (e.items.size() != 3 || e.items[1].is_list || e.items[2].is_list) {
      diags_.Error(Pos(e), "expected '(declare-const NAME Real)'");
      return;
    }
    const std::string& name = e.items[1].atom;
    if (e.items[2].atom != "Real") {
      diags_.Error(Pos(e.items[2]), "unsupported sort " + core::Quote(e.items[2].atom) + " (expected 'Real')");
      return;
    }
    Var v;
    bool ok = name.size() > 2 && (name[0] == 'X' || name[0] == 'Y') && name[1] == '_';
    if (ok) {
      v.is_input = name[0] == 'X';
      const std::string digits = name.substr(2);
      ok = !digits.empty() && digits.size() < 9 && digits.find_first_not_of("0123456789") == std::string::npos;
      if (ok) v.index = std::stoi(digits);
    }
    if (!ok) {
      diags_.Error(Pos(e.items[1]), "unsupported variable name " + core::Quote(name) + " (expected X_<i> for inputs or Y_<j> for outputs)");
      return;
    }
    if (vars_.count(name) != 0) {
      diags_.Error(Pos(e.items[1]), "variable " + core::Quote(name) + " is declared twice");
      return;
    }
    const int limit = v.is_input ? model_inputs_ : model_outputs_;
    if (limit >= 0 && v.index >= limit) {
      diags_.Error(Pos(e.items[1]), "variable " + core::Quote(name) + " is beyond the model's " + std::to_string(limit) +
                                        (v.is_input ? " inputs (X_0 .. X_" : " outputs (Y_0 .. Y_") +
                                        std::to_string(limit - 1) + ")");
      return;
    }
    vars_[name] = v;
    names_.push_back(name);
    decl_pos_[{v.is_input, v.index}] = Pos(e.items[1]);
    int& count = v.is_input ? num_inputs_ : num_outputs_;
    count = std::max(count, v.index + 1);
  }

  Dnf Product(const Dnf& a, const Dnf& b, const SExpr& where) {
    if (a.size() * b.size() > kMaxClauses) {
      throw core::InputError(Pos(where), "the property has more than " + std::to_string(kMaxClauses) +
                                             " disjuncts in disjunctive normal form");
    }
    Dnf out;
    out.reserve(a.size() * b.size());
    for (const Clause& x : a) {
      for (const Clause& y : b) {
        Clause c = x;
        c.insert(c.end(), y.begin(), y.end());
        out.push_back(std::move(c));
      }
    }
    return out;
  }

  Dnf Formula(const SExpr& e) {
    if (!e.is_list) {
      throw core::InputError(Pos(e), "expected a formula such as '(<= X_0 1.5)', found " + core::Quote(e.atom));
    }
    if (e.items.empty() || e.items[0].is_list) throw core::InputError(Pos(e), "expected an operator after '('");
    const std::string& op = e.items[0].atom;
    if (op == "and") {
      Dnf out = {Clause{}};
      for (size_t i = 1; i < e.items.size(); ++i) out = Product(out, Formula(e.items[i]), e);
      return out;
    }
    if (op == "or") {
      Dnf out;
      for (size_t i = 1; i < e.items.size(); ++i) {
        Dnf f = Formula(e.items[i]);
        out.insert(out.end(), f.begin(), f.end());
        if (out.size() > kMaxClauses) {
          throw core::InputError(Pos(e), "the property has more than " + std::to_string(kMaxClauses) +
                                             " disjuncts in disjunctive normal form");
        }
      }
      return out;
    }
    if (op == "<=" || op == ">=" || op == "<" || op == ">") {
      if (e.items.size() != 3) throw core::InputError(Pos(e), core::Quote(op) + " takes exactly two operands");
      const LinearTerm a = Term(e.items[1]);
      const LinearTerm b = Term(e.items[2]);
      Atom atom;
      atom.line = e.line;
      atom.col = e.col;
      atom.strict = op.size() == 1;
      const bool less = op[0] == '<';
      atom.term = less ? Sub(a, b) : Sub(b, a);
      return {Clause{atom}};
    }
    throw core::InputError(Pos(e.items[0]), OutsideSubset(op));
  }

  static LinearTerm Sub(const LinearTerm& a, const LinearTerm& b) {
    LinearTerm out = a;
    for (const auto& [k, v] : b.coeffs) out.coeffs[k] -= v;
    out.constant -= b.constant;
    return out;
  }
  static LinearTerm Scale(const LinearTerm& a, double s) {
    LinearTerm out = a;
    for (auto& [k, v] : out.coeffs) v *= s;
    out.constant *= s;
    return out;
  }

  LinearTerm Term(const SExpr& e) {
    if (!e.is_list) {
      LinearTerm t;
      const std::string& s = e.atom;
      const char c0 = s.empty() ? ' ' : s[0];
      if (std::isdigit(static_cast<unsigned char>(c0)) || c0 == '-' || c0 == '+' || c0 == '.') {
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        if (end != s.c_str() + s.size() || !std::isfinite(v)) {
          throw core::InputError(Pos(e), "malformed number " + core::Quote(s));
        }
        t.constant = v;
        return t;
      }
      const auto it = vars_.find(s);
      if (it == vars_.end()) {
        throw core::InputError(Pos(e), "undeclared variable " + core::Quote(s) + core::DidYouMean(s, names_));
      }
      t.coeffs[{it->second.is_input, it->second.index}] = 1.0;
      return t;
    }
    if (e.items.empty() || e.items[0].is_list) throw core::InputError(Pos(e), "expected an operator after '('");
    const std::string& op = e.items[0].atom;
    if (e.items.size() < 2) throw core::InputError(Pos(e), core::Quote(op) + " needs operands");
    if (op == "+") {
      LinearTerm out;
      for (size_t i = 1; i < e.items.size(); ++i) out = Sub(out, Scale(Term(e.items[i]), -1.0));
      return out;
    }
    if (op == "-") {
      LinearTerm first = Term(e.items[1]);
      if (e.items.size() == 2) return Scale(first, -1.0);
      for (size_t i = 2; i < e.items.size(); ++i) first = Sub(first, Term(e.items[i]));
      return first;
    }
    if (op == "*") {
      LinearTerm out;
      out.constant = 1.0;
      bool has_var = false;
      for (size_t i = 1; i < e.items.size(); ++i) {
        LinearTerm f = Term(e.items[i]);
        if (!f.coeffs.empty()) {
          if (has_var) throw core::InputError(Pos(e), "a product of variables is not linear");
          has_var = true;
          out = Scale(f, out.constant);
        } else {
          out = Scale(out, f.constant);
        }
      }
      return out;
    }
    throw core::InputError(Pos(e.items[0]), OutsideSubset(op));
  }

  VnnlibProperty Build(const Dnf& dnf) {
    VnnlibProperty p;
    p.num_inputs = model_inputs_ >= 0 ? model_inputs_ : num_inputs_;
    p.num_outputs = model_outputs_ >= 0 ? model_outputs_ : num_outputs_;
    if (num_inputs_ == 0) diags_.Error({path_, 0, 0}, "the property declares no input variable X_0");
    for (const Clause& clause : dnf) {
      Eigen::VectorXd lo = Eigen::VectorXd::Constant(p.num_inputs, -kInf);
      Eigen::VectorXd hi = Eigen::VectorXd::Constant(p.num_inputs, kInf);
      OutputConjunction conj;
      std::vector<Eigen::VectorXd> rows;
      std::vector<double> rhs;
      bool empty = false;
      for (const Atom& atom : clause) {
        int n_in = 0, n_out = 0;
        std::pair<bool, int> key{true, 0};
        double a = 0.0;
        for (const auto& [k, v] : atom.term.coeffs) {
          if (v == 0.0) continue;
          (k.first ? n_in : n_out) += 1;
          if (k.first) {
            key = k;
            a = v;
          }
        }
        if (n_in > 0 && n_out > 0) {
          diags_.Error({path_, atom.line, atom.col}, "a constraint mixing inputs and outputs is not supported");
          continue;
        }
        if (n_in > 1) {
          diags_.Error({path_, atom.line, atom.col},
                       "a constraint over several inputs is not supported (only bounds on one input)");
          continue;
        }
        if (n_in == 1) {
          // a x + k <= 0
          double bound = -atom.term.constant / a;
          if (std::abs(a) != 1.0) bound = std::nextafter(bound, a > 0 ? kInf : -kInf);
          const int i = key.second;
          if (a > 0) {
            hi[i] = std::min(hi[i], bound);
          } else {
            lo[i] = std::max(lo[i], bound);
          }
          continue;
        }
        if (n_out == 0) {
          const double k = atom.term.constant;
          if (atom.strict ? !(k < 0.0) : !(k <= 0.0)) empty = true;
          continue;
        }
        Eigen::VectorXd row = Eigen::VectorXd::Zero(p.num_outputs);
        for (const auto& [k, v] : atom.term.coeffs) row[k.second] += v;
        rows.push_back(row);
        rhs.push_back(-atom.term.constant);
        conj.strict.push_back(atom.strict);
      }
      for (int i = 0; i < p.num_inputs && diags_.empty(); ++i) {
        if (!std::isfinite(lo[i]) || !std::isfinite(hi[i])) {
          const auto it = decl_pos_.find({true, i});
          const core::SourcePos pos = it != decl_pos_.end() ? it->second : core::SourcePos{path_, 0, 0};
          diags_.Error(pos, "input X_" + std::to_string(i) + " has no " +
                                (std::isfinite(lo[i]) ? "upper" : "lower") + " bound");
        }
      }
      if (!diags_.empty()) break;
      if (empty) continue;
      for (int i = 0; i < p.num_inputs; ++i) empty = empty || lo[i] > hi[i];
      if (empty) continue;
      conj.c.resize(static_cast<Eigen::Index>(rows.size()), p.num_outputs);
      conj.d.resize(static_cast<Eigen::Index>(rows.size()));
      for (size_t r = 0; r < rows.size(); ++r) {
        conj.c.row(static_cast<Eigen::Index>(r)) = rows[r].transpose();
        conj.d[static_cast<Eigen::Index>(r)] = rhs[r];
      }
      PropertyRegion* region = nullptr;
      for (PropertyRegion& r : p.regions) {
        if (r.box.lo == lo && r.box.hi == hi) region = &r;
      }
      if (region == nullptr) {
        p.regions.push_back(PropertyRegion{Box{lo, hi}, {}});
        region = &p.regions.back();
      }
      region->unsafe.push_back(std::move(conj));
    }
    diags_.ThrowIfAny();
    return p;
  }

  const std::string& path_;
  int model_inputs_;
  int model_outputs_;
  core::Diagnostics diags_;
  std::map<std::string, Var> vars_;
  std::vector<std::string> names_;
  std::map<std::pair<bool, int>, core::SourcePos> decl_pos_;
  int num_inputs_ = 0;
  int num_outputs_ = 0;
};

}  // namespace

bool OutputConjunction::IsSatisfiedBy(const Eigen::VectorXd& y) const {
  for (Eigen::Index r = 0; r < c.rows(); ++r) {
    double lhs = 0.0;
    for (Eigen::Index j = 0; j < c.cols(); ++j) {
      if (c(r, j) != 0.0) lhs += c(r, j) * y[j];
    }
    const bool ok = strict[static_cast<size_t>(r)] ? lhs < d[r] : lhs <= d[r];
    if (!ok) return false;
  }
  return true;
}

VnnlibProperty ParseVnnlib(std::string_view text, const std::string& path, int model_inputs, int model_outputs) {
  return Parser(path, model_inputs, model_outputs).Parse(text);
}

VnnlibProperty LoadVnnlib(const std::string& path, int model_inputs, int model_outputs) {
  const std::string text = core::ReadInputFile(path, core::InputKind::kVnnlib, "cannot read the property file");
  return ParseVnnlib(text, path, model_inputs, model_outputs);
}

}  // namespace gauntlet::verifier::formal
