#pragma once
// Complete verification by input-space branch and bound, with an attack alongside.
//
// Each region of a property (an input box and the unsafe output conjunctions on it) is split along
// the most influential input (|CROWN input coefficient| x box width) until every piece refutes every
// conjunction (some row's sound lower bound of c.y - d is > 0), a counterexample is found, or the
// time runs out. Pieces are processed in batches in parallel with TBB; each batch's results are
// merged in a fixed order, so the verdict does not depend on the thread count (only a timeout can
// differ). Counterexamples come from the box centres, the corners that minimise the linear bounds,
// random points and projected gradient descent, and are only reported after `confirm` (a plain
// forward pass of the original model) re-evaluates them to a violation.
//
//   formal::ProveResult r = formal::ProveProperty(net, property.regions, {.timeout_s = 116},
//                                                 [&](const Eigen::VectorXd& x) { return Eval(x); });
//   if (r.verdict == formal::Verdict::kViolated) Print(r.counterexample, r.output);
//
// Never kHolds without proof: boxes that cannot be split further give kUnknown.

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "verifier/formal/bounds.h"
#include "verifier/formal/network.h"
#include "verifier/formal/vnnlib.h"

namespace gauntlet::verifier::formal {

/// The outcome of a complete verification.
enum class Verdict { kHolds, kViolated, kUnknown, kTimeout };
/// "holds", "violated", "unknown", "timeout".
[[nodiscard]] std::string_view VerdictName(Verdict verdict);

/// Settings of ProveProperty. Every field has a default.
struct ProveOptions {
  double timeout_s = 60.0;      ///< wall-clock budget (only decides when to give up, never a verdict)
  int threads = 0;              ///< 0: all cores
  uint64_t seed = 0x9a017e7;    ///< attack randomness
  int batch_size = 64;          ///< boxes per parallel batch
  int64_t max_boxes = 2000000000;  ///< explored boxes before giving up with kUnknown
  int attack_restarts = 12;     ///< PGD restarts per region before branching
  int attack_steps = 40;        ///< PGD steps per restart
  /// Branching coefficients: 0 from the adaptive slopes, 1 from each row's best slope choice,
  /// 2 alternating by depth (the most robust on ACAS Xu).
  int split_coeffs = 2;
  int slope_search_depth = 1000;  ///< boxes shallower than this use BoundPropagator::set_slope_search
};

/// The result of ProveProperty.
struct ProveResult {
  Verdict verdict = Verdict::kUnknown;
  Eigen::VectorXd counterexample;  ///< input (inside the property's box) when kViolated
  Eigen::VectorXd output;          ///< confirm(counterexample) when kViolated
  int64_t boxes = 0;               ///< boxes bounded
  std::string detail;              ///< one line for humans
};

/// Plain forward pass of the original model, used to confirm counterexamples.
using ForwardPass = std::function<Eigen::VectorXd(const Eigen::VectorXd&)>;

/// Decides whether some input of some region reaches one of its unsafe conjunctions.
[[nodiscard]] ProveResult ProveProperty(const Network& net, const std::vector<PropertyRegion>& regions,
                                        const ProveOptions& options, const ForwardPass& confirm);

/// Output bounds tightened by splitting the input box (best-first on the worst bound, up to
/// `max_splits` splits per output and side). Sound; at least as tight as CROWN on the whole box.
[[nodiscard]] Box ComputeOutputBoundsBab(const Network& net, const Box& input, int max_splits = 400);

}  // namespace gauntlet::verifier::formal
