#pragma once
// Complete verification by input-space branch and bound, with an attack alongside.
//
// Each region of a property (an input box and the unsafe output conjunctions on it) is split until
// every piece refutes every conjunction (some row's sound lower bound of c.y - d is > 0), a
// counterexample is found, or the time runs out. Bounds: CROWN with the slope search, then, on the
// conjunctions it leaves open, the slope optimisation (alpha-CROWN on the spec rows, bounds.h).
// Branching: on the first `trial_split_depth` levels, trial splits (halve each of the 3 inputs with
// the highest influence |CROWN input coefficient| x box width, bound both halves, keep the input whose
// halves come closest to refuting); deeper, the most influential input. On ACAS Xu the trial splits
// cut the trees by 2-20x and solve prop_1 on nets 2_8, 2_9, 3_7, 4_7 (open before) in seconds.
// combine_rows and the intermediate-bound optimisation are off by default: no gain measured on ACAS Xu.
// A box's intermediate bounds are intersected with its parent's (BoundPropagator::Propagate's prior):
// neurons stable on the parent cost no back-substitution (ACAS Xu 1_1 prop_5: 45% less CPU).
// Pieces are processed in batches in parallel with TBB; each batch's results are
// merged in a fixed order, so the verdict does not depend on the thread count (only a timeout can
// differ). Counterexamples come from the box centres, the corners that minimise the linear bounds,
// uniform samples and projected gradient descent from the best of them, and are only reported after `confirm` (a plain
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
/// Where the input coefficients that choose a box's branching dimension come from.
enum class SplitCoefficients {
  kAdaptiveSlopes,    ///< the bounds with the adaptive lower ReLU slopes
  kBestSlopes,        ///< each row's best slope choice (BoundPropagator::set_coeffs_from_best)
  kAlternateByDepth,  ///< the adaptive slopes at even depths, the best at odd ones (the most robust on ACAS Xu)
};

struct ProveOptions {
  double timeout_s = 60.0;      ///< wall-clock budget (only decides when to give up, never a verdict)
  int threads = 0;              ///< 0: all cores
  uint64_t seed = 0x9a017e7;    ///< attack randomness
  int batch_size = 64;          ///< boxes per parallel batch
  int64_t max_boxes = 2000000000;  ///< explored boxes before giving up with kUnknown
  /// Points sampled uniformly in each region before branching (one batched forward pass); they and
  /// the region's centre seed the PGD restarts, lowest margin first.
  int attack_samples = 1024;
  int attack_restarts = 16;     ///< PGD restarts per unsafe conjunction before branching
  int attack_steps = 40;        ///< PGD steps per restart
  /// Where the branching coefficients come from.
  SplitCoefficients split_coeffs = SplitCoefficients::kAlternateByDepth;
  int slope_search_depth = 1000;  ///< boxes shallower than this use BoundPropagator::set_slope_search
  /// Gradient steps of the slope optimisation (BoundPropagator::set_alpha_steps) on the conjunctions
  /// the slope search could not refute on a box, before the box is split; 0 turns it off.
  int alpha_steps = 20;
  int alpha_depth = 1000;  ///< boxes shallower than this use the slope optimisation
  /// With the slope optimisation, also optimise a nonnegative combination of each conjunction's rows
  /// (BoundPropagator::set_combine_rows): its bound > 0 refutes the conjunction too.
  bool combine_rows = false;
  /// Gradient steps of the optimisation of the intermediate bounds (set_alpha_intermediate_steps)
  /// on boxes shallower than alpha_intermediate_depth; 0 turns it off.
  int alpha_intermediate_steps = 0;
  int alpha_intermediate_depth = 4;
  /// Trial splits ("smart branching" on inputs): an undecided box tries halving each of the
  /// `trial_split_dims` inputs with the highest influence scores, bounds both halves, and splits the
  /// one whose halves come closest to refuting the open conjunctions; 0 or 1 splits the top-scored
  /// input. Costs 2 x trial_split_dims extra bounds per box, so only on the first levels.
  int trial_split_dims = 3;
  int trial_split_depth = 8;  ///< boxes shallower than this use the trial splits
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
