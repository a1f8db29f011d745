#include "verifier/formal/bounds.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

#include "core/check.h"

namespace gauntlet::verifier::formal {
namespace {

constexpr double kUnit = DBL_EPSILON / 2.0;  // unit roundoff u = 2^-53
constexpr double kInf = std::numeric_limits<double>::infinity();
// Absolute slack per rounding for underflow (products below DBL_MIN lose absolute accuracy).
constexpr double kTiny = 4.0 * DBL_MIN;
// Relative slack for libm functions (glibc: < 1 ulp; we allow 16).
constexpr double kLibmSlack = 16.0 * DBL_EPSILON;
// the Adam moment decays of OptimizedBackward
constexpr double kBeta1 = 0.9, kBeta2 = 0.999;

double Down(double x) { return std::nextafter(std::nextafter(x, -kInf), -kInf); }
double Up(double x) { return std::nextafter(std::nextafter(x, kInf), kInf); }

// The ascent on the weights `lambda` of OptimizedBackward's combined row, whose bound is linear in
// them for fixed slopes and signs (row `rows` of `g_start`: the combined row's gradient on the
// output layer): a normalised step of rate `lr`, projected on lambda >= 0 with sum 1.
void AscendCombination(const Eigen::MatrixXd& lam_start, const Eigen::MatrixXd& g_start, const Eigen::VectorXd& const0,
                       double lr, Eigen::VectorXd& lambda) {
  const Eigen::Index rows = lambda.size();
  const Eigen::VectorXd grad = lam_start * g_start.row(rows).transpose() + const0;
  const double scale = grad.cwiseAbs().maxCoeff();
  if (std::isfinite(scale) && scale > 0.0) {
    lambda = (lambda + (lr / static_cast<double>(rows)) * grad / scale).cwiseMax(0.0);
    const double total = lambda.sum();
    if (total > 0.0 && std::isfinite(total)) {
      lambda /= total;
    } else {
      lambda.setConstant(1.0 / static_cast<double>(rows));
    }
  }
}

}  // namespace

double Gamma(int n) {
  const double nu = static_cast<double>(n) * kUnit;
  GAUNTLET_CHECK(nu < 0.01);
  return Up(nu / (1.0 - nu) * (1.0 + 4.0 * kUnit));
}

BoundPropagator::BoundPropagator(const Network& net) : net_(net) {
  const int n = net.num_layers();
  cache_.resize(static_cast<size_t>(n));
  consumers_.assign(static_cast<size_t>(n), 0);
  feeds_activation_.assign(static_cast<size_t>(n), false);
  for (int i = 0; i < n; ++i) {
    const Layer& l = net.layer(i);
    if (l.kind == LayerKind::kLinear) {
      for (const LinearTerm& t : l.terms) ++consumers_[static_cast<size_t>(t.parent)];
    } else if (l.kind != LayerKind::kInput) {
      ++consumers_[static_cast<size_t>(l.input)];
      feeds_activation_[static_cast<size_t>(l.input)] = true;
    }
  }
  gamma_big_ = Gamma(net.total_size() + 64);
  for (int i = 0; i < n; ++i) {
    const Layer& l = net.layer(i);
    if (l.kind != LayerKind::kLinear) continue;
    LinearCache& c = cache_[static_cast<size_t>(i)];
    int max_consumers = 1;
    for (const LinearTerm& t : l.terms) {
      c.abs_weight.push_back(t.diagonal ? Eigen::MatrixXd() : Eigen::MatrixXd(t.weight.cwiseAbs()));
      max_consumers = std::max(max_consumers, consumers_[static_cast<size_t>(t.parent)]);
    }
    c.fwd_gamma = Gamma(l.fan_in + l.extra_roundings + 1);
    c.back_gamma = Gamma(l.size + 2 + max_consumers);
  }
  lo_.resize(static_cast<size_t>(n));
  hi_.resize(static_cast<size_t>(n));
  mag_.resize(static_cast<size_t>(n));
  err_.resize(static_cast<size_t>(n));
  sl_.resize(static_cast<size_t>(n));
  tl_.resize(static_cast<size_t>(n));
  su_.resize(static_cast<size_t>(n));
  tu_.resize(static_cast<size_t>(n));
  lam_.resize(static_cast<size_t>(n));
  unstable_.resize(static_cast<size_t>(n));
  al_.resize(static_cast<size_t>(n));
  au_.resize(static_cast<size_t>(n));
  bl_.resize(static_cast<size_t>(n));
  bu_.resize(static_cast<size_t>(n));
  fmag_.resize(static_cast<size_t>(n));
  term_cache_.resize(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const Layer& l = net.layer(i);
    for (const LinearTerm& t : l.terms) {
      if (t.diagonal) {
        term_cache_[static_cast<size_t>(i)].push_back(-1);
      } else {
        term_cache_[static_cast<size_t>(i)].push_back(static_cast<int>(wpos_.size()));
        wpos_.push_back(t.weight.cwiseMax(0.0));
        wneg_.push_back(t.weight.cwiseMin(0.0));
      }
    }
  }
}

void BoundPropagator::LinearForward(int i) {
  const Layer& l = net_.layer(i);
  const size_t s = static_cast<size_t>(i);
  const int n0 = net_.input_size();
  Eigen::MatrixXd al = Eigen::MatrixXd::Zero(l.size, n0);
  Eigen::MatrixXd au = Eigen::MatrixXd::Zero(l.size, n0);
  Eigen::VectorXd bl = l.bias;
  Eigen::VectorXd bu = l.bias;
  Eigen::VectorXd m = Eigen::VectorXd::Zero(l.size);
  for (size_t k = 0; k < l.terms.size(); ++k) {
    const LinearTerm& t = l.terms[k];
    const size_t p = static_cast<size_t>(t.parent);
    if (t.diagonal) {
      for (int j = 0; j < l.size; ++j) {
        const double w = t.diag[j];
        if (w >= 0.0) {
          al.row(j) += w * al_[p].row(j);
          au.row(j) += w * au_[p].row(j);
          bl[j] += w * bl_[p][j];
          bu[j] += w * bu_[p][j];
        } else {
          al.row(j) += w * au_[p].row(j);
          au.row(j) += w * al_[p].row(j);
          bl[j] += w * bu_[p][j];
          bu[j] += w * bl_[p][j];
        }
      }
      m += t.diag.cwiseAbs().cwiseProduct(fmag_[p]);
    } else {
      const int c = term_cache_[s][k];
      const Eigen::MatrixXd& wp = wpos_[static_cast<size_t>(c)];
      const Eigen::MatrixXd& wn = wneg_[static_cast<size_t>(c)];
      al.noalias() += wp * al_[p];
      al.noalias() += wn * au_[p];
      au.noalias() += wp * au_[p];
      au.noalias() += wn * al_[p];
      bl.noalias() += wp * bl_[p];
      bl.noalias() += wn * bu_[p];
      bu.noalias() += wp * bu_[p];
      bu.noalias() += wn * bl_[p];
      m.noalias() += cache_[s].abs_weight[k] * fmag_[p];
    }
  }
  // rounding of these products and sums (on values bounded by |W| fmag), plus the forward-pass
  // perturbation of the operator itself (err_ from LinearIbp, which includes it)
  const double g = Gamma(l.fan_in + 4 * static_cast<int>(l.terms.size()) + 8);
  for (int j = 0; j < l.size; ++j) {
    const double e = Up(g * (m[j] + l.bias_abs[j]) + err_[s][j]);
    bl[j] = Down(bl[j] - e);
    bu[j] = Up(bu[j] + e);
  }
  al_[s] = std::move(al);
  au_[s] = std::move(au);
  bl_[s] = std::move(bl);
  bu_[s] = std::move(bu);
}

void BoundPropagator::ActivationForward(int i) {
  const Layer& l = net_.layer(i);
  const size_t s = static_cast<size_t>(i);
  const size_t p = static_cast<size_t>(l.input);
  Eigen::MatrixXd al(l.size, net_.input_size());
  Eigen::MatrixXd au(l.size, net_.input_size());
  Eigen::VectorXd bl(l.size), bu(l.size);
  const double g = Gamma(4);
  for (int j = 0; j < l.size; ++j) {
    // every relaxation slope is >= 0 (ReLU: 0 or 1 below, chord above; smooth: monotone)
    const double sl = sl_[s][j], su = su_[s][j];
    GAUNTLET_CHECK(sl >= 0.0 && su >= 0.0);
    al.row(j) = sl * al_[p].row(j);
    au.row(j) = su * au_[p].row(j);
    const double e_lo = Up(g * (sl * fmag_[p][j] + std::abs(tl_[s][j])) + kTiny);
    const double e_hi = Up(g * (su * fmag_[p][j] + std::abs(tu_[s][j])) + kTiny);
    bl[j] = Down(sl * bl_[p][j] + tl_[s][j] - e_lo);
    bu[j] = Up(su * bu_[p][j] + tu_[s][j] + e_hi);
  }
  al_[s] = std::move(al);
  au_[s] = std::move(au);
  bl_[s] = std::move(bl);
  bu_[s] = std::move(bu);
}

void BoundPropagator::ConcretizeForward(int i) {
  const size_t s = static_cast<size_t>(i);
  const Eigen::VectorXd& xlo = lo_[0];
  const Eigen::VectorXd& xhi = hi_[0];
  const Eigen::VectorXd& xm = mag_[0];
  const int n0 = net_.input_size();
  const double g = Gamma(n0 + 4);
  const Eigen::Index n = bl_[s].size();
  fmag_[s].resize(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    double lo = bl_[s][j], hi = bu_[s][j], ml = std::abs(bl_[s][j]), mu = std::abs(bu_[s][j]);
    for (int k = 0; k < n0; ++k) {
      const double a = al_[s](j, k), b = au_[s](j, k);
      lo += std::min(a * xlo[k], a * xhi[k]);
      hi += std::max(b * xlo[k], b * xhi[k]);
      ml += std::abs(a) * xm[k];
      mu += std::abs(b) * xm[k];
    }
    const double fm = Up(std::max(ml, mu) * (1.0 + g) + kTiny);
    fmag_[s][j] = fm;
    lo = Down(lo - Up(g * ml + kTiny));
    hi = Up(hi + Up(g * mu + kTiny));
    if (std::isnan(lo) || std::isnan(hi)) continue;
    lo_[s][j] = std::max(lo_[s][j], lo);
    hi_[s][j] = std::min(hi_[s][j], hi);
    if (lo_[s][j] > hi_[s][j]) std::swap(lo_[s][j], hi_[s][j]);
  }
}

void BoundPropagator::LinearIbp(int i) {
  const Layer& l = net_.layer(i);
  const LinearCache& c = cache_[static_cast<size_t>(i)];
  Eigen::VectorXd lo = l.bias;
  Eigen::VectorXd hi = l.bias;
  Eigen::VectorXd mag = l.bias_abs;
  for (size_t k = 0; k < l.terms.size(); ++k) {
    const LinearTerm& t = l.terms[k];
    const Eigen::VectorXd& plo = lo_[static_cast<size_t>(t.parent)];
    const Eigen::VectorXd& phi = hi_[static_cast<size_t>(t.parent)];
    const Eigen::VectorXd& pm = mag_[static_cast<size_t>(t.parent)];
    if (t.diagonal) {
      for (int j = 0; j < l.size; ++j) {
        const double a = t.diag[j] * plo[j];
        const double b = t.diag[j] * phi[j];
        lo[j] += std::min(a, b);
        hi[j] += std::max(a, b);
      }
      mag += t.diag.cwiseAbs().cwiseProduct(pm);
    } else {
      const Eigen::VectorXd center = 0.5 * (plo + phi);
      const Eigen::VectorXd radius = 0.5 * (phi - plo);
      // center/radius form; its rounding is covered by the inflation below (|W| |x| bounds every term)
      const Eigen::VectorXd yc = t.weight * center;
      const Eigen::VectorXd yr = c.abs_weight[k] * radius;
      lo += yc - yr;
      hi += yc + yr;
      mag.noalias() += c.abs_weight[k] * pm;
    }
  }
  // Forward rounding of the operator (any order) plus the rounding of this computation: the center/radius
  // form has at most fan_in + 4 roundings per term on values bounded by mag (center, radius <= mag).
  const double g = c.fwd_gamma + Gamma(l.fan_in + static_cast<int>(l.terms.size()) * 4 + 8);
  Eigen::VectorXd& out_lo = lo_[static_cast<size_t>(i)];
  Eigen::VectorXd& out_hi = hi_[static_cast<size_t>(i)];
  out_lo.resize(l.size);
  out_hi.resize(l.size);
  const double tiny = kTiny * (l.fan_in + l.extra_roundings + 8);
  for (int j = 0; j < l.size; ++j) {
    const double e = Up(g * mag[j] + tiny);
    out_lo[j] = Down(lo[j] - e);
    out_hi[j] = Up(hi[j] + e);
  }
  // error charged per unit of |Lambda| during back-substitution: the forward perturbation, the rounding
  // of Lambda * W and Lambda * b, and the accumulation of constants.
  err_[static_cast<size_t>(i)] =
      ((c.fwd_gamma + c.back_gamma + gamma_big_) * mag.array() + tiny).matrix();
}

void BoundPropagator::ActivationIbp(int i) {
  const Layer& l = net_.layer(i);
  const Eigen::VectorXd& plo = lo_[static_cast<size_t>(l.input)];
  const Eigen::VectorXd& phi = hi_[static_cast<size_t>(l.input)];
  Eigen::VectorXd lo(l.size), hi(l.size);
  for (int j = 0; j < l.size; ++j) {
    if (l.kind == LayerKind::kRelu) {
      lo[j] = std::max(plo[j], 0.0);
      hi[j] = std::max(phi[j], 0.0);
      continue;
    }
    // monotone increasing functions
    const double a = Activate(l.kind, plo[j]);
    const double b = Activate(l.kind, phi[j]);
    const double slack = kLibmSlack * std::max(std::abs(a), std::abs(b)) + kTiny;
    lo[j] = Down(a - slack);
    hi[j] = Up(b + slack);
    if (l.kind == LayerKind::kSigmoid || l.kind == LayerKind::kSoftplus) lo[j] = std::max(lo[j], 0.0);
    if (l.kind == LayerKind::kTanh) lo[j] = std::max(lo[j], -1.0);
    if (l.kind == LayerKind::kTanh || l.kind == LayerKind::kSigmoid) hi[j] = std::min(hi[j], 1.0);
  }
  lo_[static_cast<size_t>(i)] = std::move(lo);
  hi_[static_cast<size_t>(i)] = std::move(hi);
}

void BoundPropagator::Relaxation(int i) {
  const Layer& l = net_.layer(i);
  const size_t s = static_cast<size_t>(i);
  const Eigen::VectorXd& plo = lo_[static_cast<size_t>(l.input)];
  const Eigen::VectorXd& phi = hi_[static_cast<size_t>(l.input)];
  const Eigen::VectorXd& pm = mag_[static_cast<size_t>(l.input)];
  sl_[s].resize(l.size);
  unstable_[s].assign(static_cast<size_t>(l.size), 0);
  tl_[s].resize(l.size);
  su_[s].resize(l.size);
  tu_[s].resize(l.size);
  err_[s].resize(l.size);
  const double g = Gamma(2 + consumers_[static_cast<size_t>(l.input)]) + gamma_big_;
  for (int j = 0; j < l.size; ++j) {
    const double lo = plo[j];
    const double hi = phi[j];
    double sl = 0.0, tl = 0.0, su = 0.0, tu = 0.0;
    if (l.kind == LayerKind::kRelu) {
      if (lo >= 0.0) {
        sl = su = 1.0;
      } else if (hi <= 0.0) {
        // zero
      } else {
        const double q = hi / (hi - lo);
        su = Up(q * (1.0 + 4.0 * kUnit));
        tu = Up(-(su * lo));
        sl = hi > -lo ? 1.0 : 0.0;
        unstable_[s][static_cast<size_t>(j)] = 1;
      }
    } else {
      // Mean value theorem with the smallest derivative on [lo, hi]: f(lo) + s (x - lo) <= f(x) <= f(hi) + s (x - hi).
      double dmin = 0.0;
      if (l.kind == LayerKind::kSoftplus) {
        dmin = Activate(LayerKind::kSigmoid, lo);
      } else {
        dmin = std::min(ActivationDerivative(l.kind, lo), ActivationDerivative(l.kind, hi));
      }
      double slope = std::max(0.0, dmin * (1.0 - 64.0 * kUnit) - kTiny);
      if (!std::isfinite(slope) || hi - lo == 0.0) slope = 0.0;
      const double fa = Activate(l.kind, lo);
      const double fb = Activate(l.kind, hi);
      const double slack = 2.0 * (kLibmSlack * std::max(std::abs(fa), std::abs(fb)) + kTiny);
      sl = su = slope;
      const double t_lo = fa - slack - slope * lo;
      tl = Down(t_lo - 4.0 * kUnit * (std::abs(fa) + slack + std::abs(slope * lo)) - kTiny);
      const double t_hi = fb + slack - slope * hi;
      tu = Up(t_hi + 4.0 * kUnit * (std::abs(fb) + slack + std::abs(slope * hi)) + kTiny);
    }
    sl_[s][j] = sl;
    tl_[s][j] = tl;
    su_[s][j] = su;
    tu_[s][j] = tu;
    err_[s][j] = g * (std::max({std::abs(sl), std::abs(su), unstable_[s][static_cast<size_t>(j)] ? 1.0 : 0.0}) * pm[j] + std::max(std::abs(tl), std::abs(tu))) + kTiny;
  }
}

Eigen::VectorXd BoundPropagator::Backward(int start, Eigen::MatrixXd lam_start, Eigen::VectorXd const0,
                                          Eigen::MatrixXd* input_coeffs) {
  const Eigen::Index rows = lam_start.rows();
  if (keep_lam_) kept_lam_.assign(static_cast<size_t>(net_.num_layers()), Eigen::MatrixXd());
  for (int i = 0; i <= start; ++i) lam_[static_cast<size_t>(i)].resize(0, 0);
  lam_[static_cast<size_t>(start)] = std::move(lam_start);
  Eigen::VectorXd cst = std::move(const0);
  Eigen::VectorXd err = Eigen::VectorXd::Zero(rows);
  Eigen::VectorXd cst_abs = cst.cwiseAbs();
  auto add_to = [&](int parent, Eigen::MatrixXd&& m) {
    Eigen::MatrixXd& target = lam_[static_cast<size_t>(parent)];
    if (target.size() == 0) {
      target = std::move(m);
    } else {
      target += m;
    }
  };
  for (int i = start; i > 0; --i) {
    Eigen::MatrixXd lam = std::move(lam_[static_cast<size_t>(i)]);
    lam_[static_cast<size_t>(i)].resize(0, 0);
    if (lam.size() == 0) continue;
    if (keep_lam_) kept_lam_[static_cast<size_t>(i)] = lam;
    const Layer& l = net_.layer(i);
    const Eigen::MatrixXd lam_abs = lam.cwiseAbs();
    err.noalias() += lam_abs * err_[static_cast<size_t>(i)];
    if (l.kind == LayerKind::kLinear) {
      cst.noalias() += lam * l.bias;
      cst_abs.noalias() += lam_abs * l.bias_abs;
      for (const LinearTerm& t : l.terms) {
        if (t.diagonal) {
          add_to(t.parent, Eigen::MatrixXd(lam * t.diag.asDiagonal()));
        } else {
          add_to(t.parent, Eigen::MatrixXd(lam * t.weight));
        }
      }
    } else {
      const size_t s = static_cast<size_t>(i);
      // the lower relaxation for the nonnegative entries of Lambda, the upper one for the others (NaN
      // included, as the upper relaxation)
      const Eigen::MatrixXd pos = lam.unaryExpr([](double v) { return v >= 0.0 ? v : 0.0; });
      const Eigen::MatrixXd neg = lam.unaryExpr([](double v) { return v >= 0.0 ? 0.0 : v; });
      Eigen::VectorXd sl = sl_[s];
      if (slope_mode_ != 0) {
        for (int j = 0; j < l.size; ++j) {
          if (unstable_[s][static_cast<size_t>(j)] != 0) sl[j] = slope_mode_ == 1 ? 0.0 : 1.0;
        }
      }
      // column by column, so that each row sums in the same order as one neuron at a time did (one of
      // the two products is 0, so the values are bit-identical to it)
      for (int j = 0; j < l.size; ++j) {
        const double tl = tl_[s][j], tu = tu_[s][j];
        cst.array() += pos.col(j).array() * tl + neg.col(j).array() * tu;
        cst_abs.array() += pos.col(j).array() * std::abs(tl) - neg.col(j).array() * std::abs(tu);
      }
      Eigen::MatrixXd next = pos * sl.asDiagonal();
      next.noalias() += neg * su_[s].asDiagonal();
      // per-row slopes of the optimisation (each in [0, 1]: a valid lower relaxation of an unstable ReLU)
      if (alpha_ != nullptr && (*alpha_)[s].size() != 0) {
        const Eigen::MatrixXd& alpha = (*alpha_)[s];
        for (int j = 0; j < l.size; ++j) {
          if (unstable_[s][static_cast<size_t>(j)] == 0) continue;
          next.col(j) = pos.col(j).cwiseProduct(alpha.col(j)) + su_[s][j] * neg.col(j);
        }
      }
      add_to(l.input, std::move(next));
    }
  }
  // concretise over the input box
  Eigen::VectorXd result(rows);
  const Eigen::MatrixXd& lam0 = lam_[0];
  const Eigen::VectorXd& xlo = lo_[0];
  const Eigen::VectorXd& xhi = hi_[0];
  const Eigen::VectorXd& xm = mag_[0];
  const int n0 = net_.input_size();
  const double g_final = Gamma(n0 + 8);
  for (Eigen::Index r = 0; r < rows; ++r) {
    double sum = 0.0, sum_abs = 0.0;
    if (lam0.size() != 0) {
      for (int j = 0; j < n0; ++j) {
        const double v = lam0(r, j);
        sum += std::min(v * xlo[j], v * xhi[j]);
        sum_abs += std::abs(v) * xm[j];
      }
    }
    const double e = err[r] * (1.0 + 2.0 * gamma_big_) + gamma_big_ * cst_abs[r] +
                     g_final * (sum_abs + std::abs(cst[r]) + err[r]) + kTiny * (n0 + 8);
    double b = Down(cst[r] + sum - Up(e));
    if (std::isnan(b)) b = -kInf;
    result[r] = b;
  }
  if (input_coeffs != nullptr) {
    *input_coeffs = lam0.size() != 0 ? lam0 : Eigen::MatrixXd::Zero(rows, n0);
  }
  if (keep_lam_) kept_lam_[0] = lam0;
  lam_[0].resize(0, 0);
  return result;
}

Eigen::VectorXd BoundPropagator::BestBackward(int start, const Eigen::MatrixXd& lam_start,
                                              const Eigen::VectorXd& const0, Eigen::MatrixXd* input_coeffs,
                                              std::vector<int>* modes) {
  slope_mode_ = 0;
  Eigen::VectorXd best = Backward(start, lam_start, const0, input_coeffs);
  if (modes != nullptr) modes->assign(static_cast<size_t>(best.size()), 0);
  if (!slope_search_) return best;
  Eigen::MatrixXd coeffs;
  const bool track = coeffs_from_best_ && input_coeffs != nullptr;
  for (int mode = 1; mode <= 2; ++mode) {
    slope_mode_ = mode;
    const Eigen::VectorXd b = Backward(start, lam_start, const0, track ? &coeffs : nullptr);
    for (Eigen::Index r = 0; r < b.size(); ++r) {
      if (b[r] > best[r]) {
        best[r] = b[r];
        if (track) input_coeffs->row(r) = coeffs.row(r);
        if (modes != nullptr) (*modes)[static_cast<size_t>(r)] = mode;
      }
    }
  }
  slope_mode_ = 0;
  return best;
}

Eigen::VectorXd BoundPropagator::OptimizedBackward(int start, const Eigen::MatrixXd& lam_start,
                                                   const Eigen::VectorXd& const0, Eigen::MatrixXd* input_coeffs) {
  last_alpha_steps_ = 0;
  std::vector<int> modes;
  Eigen::VectorXd best = BestBackward(start, lam_start, const0, input_coeffs, &modes);
  const Eigen::Index rows = best.size();
  auto done = [&] {
    return alpha_stop_positive_ && ((best.array() > 0.0).any() || last_combination_bound_ > 0.0);
  };
  if (alpha_steps_ <= 0 || rows == 0 || done()) return best;
  // with combine_rows_: one more row, sum_k lambda_k row_k (lambda >= 0, optimised too); its bound > 0
  // also proves that some row is > 0
  const bool combine = combine_rows_ && alpha_stop_positive_ && rows >= 2 && start == net_.output_layer() &&
                       net_.layer(start).kind == LayerKind::kLinear;
  const Eigen::Index ext = combine ? rows + 1 : rows;
  Eigen::VectorXd lambda = Eigen::VectorXd::Constant(rows, 1.0 / static_cast<double>(rows));
  Eigen::MatrixXd lam_ext = lam_start;
  Eigen::VectorXd const_ext = const0;
  if (combine) {
    lam_ext.conservativeResize(ext, Eigen::NoChange);
    const_ext.conservativeResize(ext);
    Eigen::Index arg = 0;
    best.maxCoeff(&arg);
    modes.push_back(modes[static_cast<size_t>(arg)]);
  }
  const Eigen::VectorXd& out_mag = mag_[static_cast<size_t>(start)];
  const double g_comb = Gamma(static_cast<int>(rows) + 1);
  const double g_corr = Gamma(static_cast<int>(rows + lam_start.cols()) + 8);
  // warm start: each row's winning slope choice of the slope search
  SlopeAscent adam;
  if (!WarmStartSlopes(start, ext, modes, adam)) return best;
  // the input coefficients stay those of the slope search (they steer the branching, which the
  // optimised slopes steer worse on ACAS Xu)
  alpha_ = &adam.alpha;
  keep_lam_ = true;
  std::vector<Eigen::MatrixXd> g(static_cast<size_t>(net_.num_layers()));  // d bound_r / d Lambda_i (row r), signs fixed
  std::vector<double> history;
  for (int step = 0;; ++step) {
    if (combine) {
      lam_ext.row(rows) = lambda.transpose() * lam_start;
      const_ext[rows] = lambda.dot(const0);
    }
    const Eigen::VectorXd b = Backward(start, lam_ext, const_ext, nullptr);
    if (combine) {
      // sum_k lambda_k (row_k . z + const0_k) = (the rounded combined row) + e . z + e_d, with
      // |e| <= gamma_{rows+1} sum_k lambda_k |row_k| and |e_d| <= gamma_{rows+1} sum_k lambda_k |const0_k|
      const Eigen::VectorXd abs_row = lam_start.cwiseAbs().transpose() * lambda;
      const double corr = Up((g_comb * (abs_row.dot(out_mag) + lambda.dot(const0.cwiseAbs()))) * (1.0 + g_corr) + kTiny);
      double bound = Down(b[rows] - corr);
      if (std::isnan(bound)) bound = -kInf;
      last_combination_bound_ = std::max(last_combination_bound_, bound);
    }
    for (Eigen::Index r = 0; r < rows; ++r) {
      if (b[r] > best[r]) best[r] = b[r];
    }
    if (step == alpha_steps_ || done()) break;
    if (alpha_stop_positive_) {
      // give up when the best row, improving at its rate of the last 3 steps, cannot reach 0 in the
      // steps left (the ascent slows down, so this extrapolation is optimistic)
      history.push_back(std::max(best.maxCoeff(), last_combination_bound_));
      if (step >= 3) {
        const double rate = (history.back() - history[history.size() - 4]) / 3.0;
        if (history.back() + rate * static_cast<double>(alpha_steps_ - step) < 0.0) break;
      }
    }
    last_alpha_steps_ = step + 1;
    SlopeGradientStep(combine ? start : start - 1, ext, adam, g);
    if (combine) {
      // ascent on lambda
      AscendCombination(lam_start, g[static_cast<size_t>(start)], const0, adam.lr, lambda);
    }
    adam.lr *= 0.98;
  }
  alpha_ = nullptr;
  keep_lam_ = false;
  return best;
}

bool BoundPropagator::WarmStartSlopes(int start, Eigen::Index ext, const std::vector<int>& modes,
                                      SlopeAscent& adam) const {
  const int n = net_.num_layers();
  adam.alpha.assign(static_cast<size_t>(n), Eigen::MatrixXd());
  adam.m1.assign(static_cast<size_t>(n), Eigen::MatrixXd());
  adam.m2.assign(static_cast<size_t>(n), Eigen::MatrixXd());
  bool any = false;
  for (int i = 1; i <= start; ++i) {
    const Layer& l = net_.layer(i);
    const size_t s = static_cast<size_t>(i);
    if (l.kind != LayerKind::kRelu) continue;
    if (std::none_of(unstable_[s].begin(), unstable_[s].end(), [](char u) { return u != 0; })) continue;
    any = true;
    adam.alpha[s].resize(ext, l.size);
    for (Eigen::Index r = 0; r < ext; ++r) {
      const int mode = modes[static_cast<size_t>(r)];
      for (int j = 0; j < l.size; ++j) adam.alpha[s](r, j) = mode == 0 ? sl_[s][j] : (mode == 1 ? 0.0 : 1.0);
    }
    adam.m1[s] = Eigen::MatrixXd::Zero(ext, l.size);
    adam.m2[s] = Eigen::MatrixXd::Zero(ext, l.size);
  }
  return any;
}

void BoundPropagator::SlopeGradientStep(int last, Eigen::Index ext, SlopeAscent& adam,
                                        std::vector<Eigen::MatrixXd>& g) const {
  // gradient by a forward sweep of the adjoint of the back-substitution (the rounding terms,
  // which hardly depend on the slopes, are left out: the gradient need not be exact to be useful)
  g[0].resize(ext, lo_[0].size());
  for (Eigen::Index r = 0; r < ext; ++r) {
    for (Eigen::Index j = 0; j < lo_[0].size(); ++j) {
      const bool pos = kept_lam_[0].size() != 0 && kept_lam_[0](r, j) >= 0.0;
      g[0](r, j) = pos ? lo_[0][j] : hi_[0][j];
    }
  }
  adam.pow1 *= kBeta1;
  adam.pow2 *= kBeta2;
  for (int i = 1; i <= last; ++i) {
    const Layer& l = net_.layer(i);
    const size_t s = static_cast<size_t>(i);
    Eigen::MatrixXd& gi = g[s];
    if (l.kind == LayerKind::kLinear) {
      gi = l.bias.transpose().replicate(ext, 1);
      for (const LinearTerm& t : l.terms) {
        const Eigen::MatrixXd& gp = g[static_cast<size_t>(t.parent)];
        if (t.diagonal) {
          gi += (gp.array().rowwise() * t.diag.transpose().array()).matrix();
        } else {
          gi.noalias() += gp * t.weight.transpose();
        }
      }
      continue;
    }
    const Eigen::MatrixXd& gp = g[static_cast<size_t>(l.input)];
    const Eigen::MatrixXd& lam = kept_lam_[s];
    gi.resize(ext, l.size);
    if (lam.size() == 0) {
      gi.setZero();  // not reached by the back-substitution: nothing below depends on it
      continue;
    }
    const bool opt = adam.alpha[s].size() != 0;
    for (int j = 0; j < l.size; ++j) {
      const bool unstable = unstable_[s][static_cast<size_t>(j)] != 0;
      for (Eigen::Index r = 0; r < ext; ++r) {
        const double v = lam(r, j);
        if (v >= 0.0) {
          const double sl = opt && unstable ? adam.alpha[s](r, j) : sl_[s][j];
          gi(r, j) = gp(r, j) * sl + tl_[s][j];
        } else {
          gi(r, j) = gp(r, j) * su_[s][j] + tu_[s][j];
        }
        if (!opt || !unstable) continue;
        // Adam ascent on alpha(r, j), projected on [0, 1]
        const double grad = v > 0.0 ? v * gp(r, j) : 0.0;
        double& a1 = adam.m1[s](r, j);
        double& a2 = adam.m2[s](r, j);
        a1 = kBeta1 * a1 + (1.0 - kBeta1) * grad;
        a2 = kBeta2 * a2 + (1.0 - kBeta2) * grad * grad;
        const double denom = std::sqrt(a2 / (1.0 - adam.pow2)) + 1e-30;
        const double next = adam.alpha[s](r, j) + adam.lr * (a1 / (1.0 - adam.pow1)) / denom;
        adam.alpha[s](r, j) = std::isfinite(next) ? std::clamp(next, 0.0, 1.0) : adam.alpha[s](r, j);
      }
    }
  }
}

void BoundPropagator::RefineByCrown(int i) {
  const Layer& l = net_.layer(i);
  const size_t s = static_cast<size_t>(i);
  std::vector<int> rows;
  // a ReLU only needs better bounds where its input is unstable; smooth activations everywhere
  bool all_relu = true;
  for (int k = i + 1; k < net_.num_layers(); ++k) {
    const Layer& c = net_.layer(k);
    if (c.kind != LayerKind::kInput && c.kind != LayerKind::kLinear && c.input == i && c.kind != LayerKind::kRelu) {
      all_relu = false;
    }
  }
  for (int j = 0; j < l.size; ++j) {
    if (!all_relu || (lo_[s][j] < 0.0 && hi_[s][j] > 0.0)) rows.push_back(j);
  }
  if (rows.empty()) return;
  const Eigen::Index k = static_cast<Eigen::Index>(rows.size());
  Eigen::MatrixXd lam = Eigen::MatrixXd::Zero(2 * k, l.size);
  for (Eigen::Index r = 0; r < k; ++r) {
    lam(r, rows[static_cast<size_t>(r)]) = 1.0;
    lam(k + r, rows[static_cast<size_t>(r)]) = -1.0;
  }
  Eigen::VectorXd b;
  if (alpha_intermediate_steps_ > 0) {
    // each row (a neuron's lower or upper bound) optimises its own slopes
    const int steps = alpha_steps_;
    const bool stop = alpha_stop_positive_;
    alpha_steps_ = alpha_intermediate_steps_;
    alpha_stop_positive_ = false;
    b = OptimizedBackward(i, lam, Eigen::VectorXd::Zero(2 * k), nullptr);
    alpha_steps_ = steps;
    alpha_stop_positive_ = stop;
  } else {
    b = BestBackward(i, lam, Eigen::VectorXd::Zero(2 * k), nullptr);
  }
  for (Eigen::Index r = 0; r < k; ++r) {
    const int j = rows[static_cast<size_t>(r)];
    lo_[s][j] = std::max(lo_[s][j], b[r]);
    hi_[s][j] = std::min(hi_[s][j], -b[k + r]);
    if (lo_[s][j] > hi_[s][j]) {
      // only possible through rounding slack being exceeded: keep the wider, surely sound interval
      const double lo = std::min(lo_[s][j], hi_[s][j]);
      const double hi = std::max(lo_[s][j], hi_[s][j]);
      lo_[s][j] = lo;
      hi_[s][j] = hi;
    }
  }
}

void BoundPropagator::Intersect(int i, const LayerBounds* prior) {
  const size_t s = static_cast<size_t>(i);
  if (prior == nullptr || s >= prior->lo.size() || prior->lo[s].size() != lo_[s].size() ||
      prior->hi[s].size() != hi_[s].size()) {
    return;
  }
  for (Eigen::Index j = 0; j < lo_[s].size(); ++j) {
    const double lo = std::max(lo_[s][j], prior->lo[s][j]);
    const double hi = std::min(hi_[s][j], prior->hi[s][j]);
    if (lo <= hi) {  // both are sound, so they meet; otherwise (NaN) keep this box's own bounds
      lo_[s][j] = lo;
      hi_[s][j] = hi;
    }
  }
}

void BoundPropagator::Propagate(const Box& input, BoundMethod method, const LayerBounds* prior) {
  GAUNTLET_CHECK(input.lo.size() == net_.input_size() && input.hi.size() == net_.input_size());
  method_ = method;
  for (int i = 0; i < net_.num_layers(); ++i) {
    const Layer& l = net_.layer(i);
    const size_t s = static_cast<size_t>(i);
    switch (l.kind) {
      case LayerKind::kInput:
        lo_[s] = input.lo;
        hi_[s] = input.hi;
        if (method == BoundMethod::kSymbolic) {
          al_[s] = Eigen::MatrixXd::Identity(l.size, l.size);
          au_[s] = al_[s];
          bl_[s] = Eigen::VectorXd::Zero(l.size);
          bu_[s] = bl_[s];
          fmag_[s] = input.lo.cwiseAbs().cwiseMax(input.hi.cwiseAbs());
        }
        break;
      case LayerKind::kLinear:
        LinearIbp(i);
        Intersect(i, prior);
        if (method == BoundMethod::kCrown && feeds_activation_[s]) {
          mag_[s] = lo_[s].cwiseAbs().cwiseMax(hi_[s].cwiseAbs());
          RefineByCrown(i);
        }
        if (method == BoundMethod::kSymbolic) {
          LinearForward(i);
          ConcretizeForward(i);
        }
        break;
      default:
        ActivationIbp(i);
        Intersect(i, prior);
        Relaxation(i);
        if (method == BoundMethod::kSymbolic) {
          ActivationForward(i);
          ConcretizeForward(i);
        }
        break;
    }
    mag_[s] = lo_[s].cwiseAbs().cwiseMax(hi_[s].cwiseAbs());
  }
}

Eigen::VectorXd BoundPropagator::SpecLowerBounds(const Eigen::MatrixXd& c, const Eigen::VectorXd& d,
                                                 Eigen::MatrixXd* input_coeffs) {
  const int out = net_.output_layer();
  GAUNTLET_CHECK(c.cols() == net_.output_size() && c.rows() == d.size());
  last_combination_bound_ = -kInf;
  if (method_ != BoundMethod::kIbp) {
    return alpha_steps_ > 0 ? OptimizedBackward(out, c, -d, input_coeffs) : BestBackward(out, c, -d, input_coeffs);
  }
  const Eigen::VectorXd& lo = lo_[static_cast<size_t>(out)];
  const Eigen::VectorXd& hi = hi_[static_cast<size_t>(out)];
  const Eigen::VectorXd& m = mag_[static_cast<size_t>(out)];
  const double g = Gamma(static_cast<int>(c.cols()) + 4);
  Eigen::VectorXd result(c.rows());
  for (Eigen::Index r = 0; r < c.rows(); ++r) {
    double sum = -d[r], sum_abs = std::abs(d[r]);
    for (Eigen::Index j = 0; j < c.cols(); ++j) {
      sum += std::min(c(r, j) * lo[j], c(r, j) * hi[j]);
      sum_abs += std::abs(c(r, j)) * m[j];
    }
    double b = Down(sum - Up(g * sum_abs + kTiny * static_cast<double>(c.cols() + 4)));
    if (std::isnan(b)) b = -kInf;
    result[r] = b;
  }
  if (input_coeffs != nullptr) *input_coeffs = Eigen::MatrixXd::Zero(c.rows(), net_.input_size());
  return result;
}

Box ComputeOutputBounds(const Network& net, const Box& input, BoundMethod method, int alpha_steps) {
  BoundPropagator prop(net);
  prop.set_slope_search(method == BoundMethod::kCrown);
  prop.set_alpha_steps(alpha_steps);
  prop.Propagate(input, method);
  const int n = net.output_size();
  Box out;
  if (method == BoundMethod::kIbp) {
    out.lo = prop.lower(net.output_layer());
    out.hi = prop.upper(net.output_layer());
    return out;
  }
  Eigen::MatrixXd c(2 * n, n);
  c << Eigen::MatrixXd::Identity(n, n), -Eigen::MatrixXd::Identity(n, n);
  const Eigen::VectorXd b = prop.SpecLowerBounds(c, Eigen::VectorXd::Zero(2 * n));
  out.lo = b.head(n).cwiseMax(prop.lower(net.output_layer()));
  out.hi = (-b.tail(n)).cwiseMin(prop.upper(net.output_layer()));
  return out;
}

}  // namespace gauntlet::verifier::formal
