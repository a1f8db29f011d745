#include "scenarios/generators/sobol_sequence.h"

#include "core/check.h"
#include "core/rng.h"

namespace gauntlet::scenarios {
namespace {

int Degree(uint64_t p) {
  int d = -1;
  while (p != 0) {
    p >>= 1;
    ++d;
  }
  return d;
}

// a * b mod p in GF(2)[x], with deg a, deg b < deg p <= 31.
uint64_t MulMod(uint64_t a, uint64_t b, uint64_t p, int degree) {
  uint64_t result = 0;
  while (b != 0) {
    if (b & 1) result ^= a;
    b >>= 1;
    a <<= 1;
    if (a >> degree & 1) a ^= p;
  }
  return result;
}

// x^e mod p.
uint64_t PowX(uint64_t e, uint64_t p, int degree) {
  uint64_t result = 1;
  uint64_t base = degree == 1 ? (2 ^ p) : 2;  // x mod p
  while (e != 0) {
    if (e & 1) result = MulMod(result, base, p, degree);
    base = MulMod(base, base, p, degree);
    e >>= 1;
  }
  return result;
}

bool IsPrimitive(uint64_t p) {
  const int degree = Degree(p);
  if ((p & 1) == 0) return false;
  const uint64_t order = (uint64_t{1} << degree) - 1;
  if (PowX(order, p, degree) != 1) return false;
  uint64_t rest = order;
  for (uint64_t q = 2; q * q <= rest; ++q) {
    if (rest % q != 0) continue;
    while (rest % q == 0) rest /= q;
    if (PowX(order / q, p, degree) == 1) return false;
  }
  if (rest > 1 && rest != order && PowX(order / rest, p, degree) == 1) return false;
  return true;
}

// Nested uniform scramble of the 32 bits of `x`: bit `level` (from the top) flips according to a
// hash of the bits above it.
uint32_t OwenScramble(uint32_t x, uint64_t key) {
  uint32_t out = 0;
  for (int level = 0; level < 32; ++level) {
    const uint64_t prefix = level == 0 ? 0 : uint64_t{x} >> (32 - level);
    const uint64_t h = core::Mix64(key ^ core::Mix64((uint64_t(level) << 32) | prefix));
    const uint32_t bit = ((x >> (31 - level)) & 1u) ^ static_cast<uint32_t>(h & 1u);
    out |= bit << (31 - level);
  }
  return out;
}

}  // namespace

std::vector<uint32_t> PrimitivePolynomials(size_t count) {
  std::vector<uint32_t> out;
  for (uint64_t p = 3; out.size() < count; ++p) {
    GAUNTLET_CHECK(Degree(p) <= 31);
    if (IsPrimitive(p)) out.push_back(static_cast<uint32_t>(p));
  }
  return out;
}

SobolSequence::SobolSequence(size_t dimension, uint64_t seed) : seed_(seed) {
  GAUNTLET_CHECK(dimension >= 1 && dimension <= kMaxDimension);
  const std::vector<uint32_t> polynomials = PrimitivePolynomials(dimension - 1);
  directions_.assign(dimension, std::vector<uint32_t>(32));
  for (int k = 1; k <= 32; ++k) directions_[0][k - 1] = uint32_t{1} << (32 - k);
  for (size_t dim = 1; dim < dimension; ++dim) {
    const uint32_t poly = polynomials[dim - 1];
    const int s = Degree(poly);
    std::vector<uint64_t> m(33);
    // initial direction numbers: odd m_k < 2^k, from a fixed hash (not the seed: the scramble is keyed)
    for (int k = 1; k <= s && k <= 32; ++k) {
      const uint64_t h = core::Mix64(core::StableHash("gauntlet.sobol") ^ core::Mix64(dim * 64 + k));
      m[k] = ((h % (uint64_t{1} << (k - 1))) << 1) | 1;
    }
    for (int k = s + 1; k <= 32; ++k) {
      uint64_t value = m[k - s] ^ (m[k - s] << s);
      for (int i = 1; i < s; ++i) {
        if ((poly >> (s - i)) & 1) value ^= m[k - i] << i;
      }
      m[k] = value;
    }
    for (int k = 1; k <= 32; ++k) directions_[dim][k - 1] = static_cast<uint32_t>(m[k] << (32 - k));
  }
}

uint32_t SobolSequence::RawCoordinate(uint64_t index, size_t dim) const {
  GAUNTLET_CHECK(index <= 0xffffffffULL && dim < directions_.size());
  uint32_t x = 0;
  for (int bit = 0; index != 0; ++bit, index >>= 1) {
    if (index & 1) x ^= directions_[dim][bit];
  }
  return x;
}

std::vector<double> SobolSequence::Point(uint64_t index) const {
  std::vector<double> u(directions_.size());
  for (size_t dim = 0; dim < directions_.size(); ++dim) {
    const uint64_t key = core::Mix64(seed_ ^ core::Mix64(0x50b01 + dim));
    const uint32_t raw = RawCoordinate(index, dim);
    const uint32_t scrambled = OwenScramble(raw, key);
    // the 21 bits below the 32 scrambled ones are random too (a nested scramble of the finer digits)
    const uint64_t low = core::Mix64(key ^ core::Mix64(0x10000000000ULL | raw)) >> 43;
    u[dim] = static_cast<double>((uint64_t{scrambled} << 21) | low) * 0x1.0p-53;
  }
  return u;
}

}  // namespace gauntlet::scenarios
