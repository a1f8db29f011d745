#include "verifier/formal/checks.h"

#include <array>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "verifier/formal/graph_lowering.h"

namespace gauntlet::verifier::formal {

std::span<const core::EnumName<RobustnessMode>> EnumNames(RobustnessMode) {
  static constexpr std::array<core::EnumName<RobustnessMode>, 3> kNames = {
      {{RobustnessMode::kOutputDelta, "output_delta"},
       {RobustnessMode::kArgmaxStable, "argmax_stable"},
       {RobustnessMode::kArgminStable, "argmin_stable"}}};
  return kNames;
}
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

FormalCheckResult FromProve(const ProveResult& p) {
  FormalCheckResult r;
  r.verdict = p.verdict;
  r.boxes = p.boxes;
  r.detail = p.detail;
  if (p.verdict == Verdict::kViolated) {
    r.counterexample_input.assign(p.counterexample.data(), p.counterexample.data() + p.counterexample.size());
    r.counterexample_output.assign(p.output.data(), p.output.data() + p.output.size());
  }
  return r;
}

Eigen::VectorXd ToEigen(const std::vector<double>& v) {
  return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

void FillBounds(const Network& net, const Box& box, FormalCheckResult* r) {
  const Box out = ComputeOutputBounds(net, box, BoundMethod::kCrown);
  r->output_lo.assign(out.lo.data(), out.lo.data() + out.lo.size());
  r->output_hi.assign(out.hi.data(), out.hi.data() + out.hi.size());
}

// unsafe: s * y_j < s * limit, as one conjunction with one strict row
OutputConjunction Row(int n, int j, double coeff, double rhs, bool strict) {
  OutputConjunction c;
  c.c = Eigen::MatrixXd::Zero(1, n);
  c.c(0, j) = coeff;
  c.d = Eigen::VectorXd::Constant(1, rhs);
  c.strict = {strict};
  return c;
}

}  // namespace

ForwardPass MakeForwardPass(const models::Model& model) {
  return [&model](const Eigen::VectorXd& x) {
    models::Workspace ws;
    Eigen::VectorXd y(static_cast<Eigen::Index>(model.output_size()));
    model.Evaluate(std::span<const double>(x.data(), static_cast<size_t>(x.size())),
                   std::span<double>(y.data(), static_cast<size_t>(y.size())), ws);
    return y;
  };
}

ProveResult ProveModel(const models::Model& model, const VnnlibProperty& property, const ProveOptions& options) {
  const Network net = LowerGraph(model.graph());
  return ProveProperty(net, property.regions, options, MakeForwardPass(model));
}

FormalCheckResult OutputBoundsCheck(const models::Model& model, const std::vector<double>& input_lo,
                                    const std::vector<double>& input_hi, const std::vector<double>& output_min,
                                    const std::vector<double>& output_max, double time_budget_s, int threads) {
  const int n_in = static_cast<int>(model.input_size());
  const int n_out = static_cast<int>(model.output_size());
  core::Diagnostics diags;
  const std::string& src = model.graph().source();
  if (static_cast<int>(input_lo.size()) != n_in || static_cast<int>(input_hi.size()) != n_in) {
    diags.Error({src, 0, 0}, "the input box has " + std::to_string(input_lo.size()) + " dimensions but the model has " +
                                 std::to_string(n_in) + " inputs");
  }
  if (static_cast<int>(output_min.size()) != n_out || static_cast<int>(output_max.size()) != n_out) {
    diags.Error({src, 0, 0}, "the output limits have " + std::to_string(output_min.size()) +
                                 " entries but the model has " + std::to_string(n_out) + " outputs");
  }
  diags.ThrowIfAny();
  for (int i = 0; i < n_in; ++i) {
    if (!(input_lo[static_cast<size_t>(i)] <= input_hi[static_cast<size_t>(i)]) ||
        !std::isfinite(input_lo[static_cast<size_t>(i)]) || !std::isfinite(input_hi[static_cast<size_t>(i)])) {
      throw core::InputError({src, 0, 0}, "input " + std::to_string(i) + " has an empty or unbounded range");
    }
  }
  const Network net = LowerGraph(model.graph());
  PropertyRegion region;
  region.box = Box{ToEigen(input_lo), ToEigen(input_hi)};
  for (int j = 0; j < n_out; ++j) {
    const double lo = output_min[static_cast<size_t>(j)];
    const double hi = output_max[static_cast<size_t>(j)];
    if (lo > -kInf) region.unsafe.push_back(Row(n_out, j, 1.0, lo, true));   // y_j < lo
    if (hi < kInf) region.unsafe.push_back(Row(n_out, j, -1.0, -hi, true));  // y_j > hi
  }
  FormalCheckResult r;
  if (region.unsafe.empty()) {
    r.verdict = Verdict::kHolds;
    r.detail = "no output limit given";
  } else {
    ProveOptions options;
    options.timeout_s = time_budget_s;
    options.threads = threads;
    r = FromProve(ProveProperty(net, {region}, options, MakeForwardPass(model)));
  }
  FillBounds(net, region.box, &r);
  return r;
}

FormalCheckResult LocalRobustnessCheck(const models::Model& model, const LocalRobustnessSpec& spec,
                                       double time_budget_s, int threads) {
  const int n_in = static_cast<int>(model.input_size());
  const int n_out = static_cast<int>(model.output_size());
  const std::string& src = model.graph().source();
  if (static_cast<int>(spec.point.size()) != n_in) {
    throw core::InputError({src, 0, 0}, "the point has " + std::to_string(spec.point.size()) +
                                            " values but the model has " + std::to_string(n_in) + " inputs");
  }
  if (spec.epsilon.size() != 1 && static_cast<int>(spec.epsilon.size()) != n_in) {
    throw core::InputError({src, 0, 0}, "epsilon must have one value or one per input (" + std::to_string(n_in) + ")");
  }
  for (double e : spec.epsilon) {
    if (!(e >= 0.0) || !std::isfinite(e)) throw core::InputError({src, 0, 0}, "epsilon must be finite and >= 0");
  }
  PropertyRegion region;
  region.box.lo.resize(n_in);
  region.box.hi.resize(n_in);
  for (int i = 0; i < n_in; ++i) {
    const double e = spec.epsilon.size() == 1 ? spec.epsilon[0] : spec.epsilon[static_cast<size_t>(i)];
    region.box.lo[i] = spec.point[static_cast<size_t>(i)] - e;
    region.box.hi[i] = spec.point[static_cast<size_t>(i)] + e;
  }
  const ForwardPass forward = MakeForwardPass(model);
  const Eigen::VectorXd y0 = forward(ToEigen(spec.point));
  if (spec.mode == RobustnessMode::kOutputDelta) {
    for (int j = 0; j < n_out; ++j) {
      region.unsafe.push_back(Row(n_out, j, -1.0, -(y0[j] + spec.delta), true));  // y_j > y0_j + delta
      region.unsafe.push_back(Row(n_out, j, 1.0, y0[j] - spec.delta, true));      // y_j < y0_j - delta
    }
  } else {
    const bool argmax = spec.mode == RobustnessMode::kArgmaxStable;
    Eigen::Index k0 = 0;
    if (argmax) {
      y0.maxCoeff(&k0);
    } else {
      y0.minCoeff(&k0);
    }
    for (int j = 0; j < n_out; ++j) {
      if (j == k0) continue;
      OutputConjunction c;
      c.c = Eigen::MatrixXd::Zero(1, n_out);
      // argmax: y_k0 - y_j <= 0 ; argmin: y_j - y_k0 <= 0
      c.c(0, k0) = argmax ? 1.0 : -1.0;
      c.c(0, j) = argmax ? -1.0 : 1.0;
      c.d = Eigen::VectorXd::Zero(1);
      c.strict = {false};
      region.unsafe.push_back(std::move(c));
    }
  }
  const Network net = LowerGraph(model.graph());
  ProveOptions options;
  options.timeout_s = time_budget_s;
  options.threads = threads;
  FormalCheckResult r = FromProve(ProveProperty(net, {region}, options, forward));
  FillBounds(net, region.box, &r);
  return r;
}

}  // namespace gauntlet::verifier::formal
