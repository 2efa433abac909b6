// Deterministic random numbers for the simulator. Each entity draws from its own stream,
// seeded from (seed, stream, index), so output does not depend on generation order, and the
// distributions are implemented here rather than taken from <random> (whose algorithms vary
// between standard libraries).
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace finbrain::sim {

class Rng {
 public:
  Rng(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
    state_ = Mix(seed ^ Mix(stream * 0x9E3779B97F4A7C15ULL + index + 1));
  }

  std::uint64_t Next() {  // xorshift64*
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1DULL;
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  int Int(int lo, int hi) {  // inclusive
    return lo + static_cast<int>(Next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  bool Chance(double p) { return Uniform() < p; }
  double Normal(double mean = 0, double sd = 1) {
    const double u1 = 1.0 - Uniform();
    const double u2 = Uniform();
    return mean + sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double LogNormal(double mu, double sigma) { return std::exp(Normal(mu, sigma)); }
  int Poisson(double lambda) {
    if (lambda <= 0) return 0;
    if (lambda > 30)
      return std::max(0, static_cast<int>(std::lround(Normal(lambda, std::sqrt(lambda)))));
    const double limit = std::exp(-lambda);
    int k = 0;
    double p = Uniform();
    while (p > limit) {
      ++k;
      p *= Uniform();
    }
    return k;
  }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[Next() % items.size()];
  }
  // Index drawn with the given weights.
  size_t Weighted(const std::vector<double>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = Uniform() * total;
    for (size_t i = 0; i < weights.size(); ++i) {
      if ((x -= weights[i]) < 0) return i;
    }
    return weights.size() - 1;
  }
  std::string Hex(int digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    while (static_cast<int>(out.size()) < digits) out += kHex[Next() & 15];
    return out;
  }
  std::string Digits(int digits) {
    std::string out;
    while (static_cast<int>(out.size()) < digits) out += static_cast<char>('0' + Next() % 10);
    return out;
  }

 private:
  static std::uint64_t Mix(std::uint64_t x) {  // splitmix64 finalizer
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return (x ^ (x >> 31)) | 1;  // never zero (xorshift needs a non-zero state)
  }
  std::uint64_t state_;
};

}  // namespace finbrain::sim
