#include "report/statistics.h"

#include <algorithm>
#include <cmath>

namespace llmstack {

std::pair<double, double> WilsonInterval(uint64_t successes, uint64_t trials, double z) {
  if (trials == 0) return {0.0, 1.0};
  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(successes) / n;
  const double z2 = z * z;
  const double center = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

namespace {

// C(a, k) / C(b, k) for a <= b, as a product of ratios (no overflow for large n).
double BinomialRatio(uint64_t a, uint64_t b, uint64_t k) {
  if (k > a) return 0.0;
  double r = 1.0;
  for (uint64_t i = 0; i < k; ++i) {
    r *= static_cast<double>(a - i) / static_cast<double>(b - i);
  }
  return r;
}

}  // namespace

double PassAtK(uint64_t n, uint64_t c, uint64_t k) {
  if (k == 0 || n == 0 || k > n) return 0.0;
  return 1.0 - BinomialRatio(n - c, n, k);
}

double PassHatK(uint64_t n, uint64_t c, uint64_t k) {
  if (k == 0 || n == 0 || k > n) return 0.0;
  return BinomialRatio(c, n, k);
}

double McNemarExactP(uint64_t b, uint64_t c) {
  const uint64_t n = b + c;
  if (n == 0) return 1.0;
  const uint64_t m = std::min(b, c);
  // P[X <= m] for X ~ Bin(n, 1/2), summed in log space.
  double tail = 0;
  for (uint64_t i = 0; i <= m; ++i) {
    double log_term =
        std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(i) + 1) -
        std::lgamma(static_cast<double>(n - i) + 1) - static_cast<double>(n) * std::log(2.0);
    tail += std::exp(log_term);
  }
  return std::min(1.0, 2 * tail);
}

double PercentileOfCounts(std::vector<std::pair<double, uint64_t>>& counted, double p) {
  uint64_t total = 0;
  for (const auto& [value, count] : counted) total += count;
  if (total == 0) return 0;
  std::sort(counted.begin(), counted.end());
  const double rank = (p / 100.0) * static_cast<double>(total - 1);
  const uint64_t low = static_cast<uint64_t>(std::floor(rank));
  const uint64_t high = std::min(total - 1, low + 1);
  // The values at ranks `low` and `high` (0-based) of the sorted multiset.
  double value_low = 0, value_high = 0;
  uint64_t before = 0;  // values ranked before the current group
  for (const auto& [value, count] : counted) {
    if (count == 0) continue;
    if (low >= before && low < before + count) value_low = value;
    if (high >= before && high < before + count) {
      value_high = value;
      break;
    }
    before += count;
  }
  return value_low + (value_high - value_low) * (rank - static_cast<double>(low));
}

double Percentile(const std::vector<double>& values, double p) {
  std::vector<std::pair<double, uint64_t>> counted;
  counted.reserve(values.size());
  for (double v : values) counted.push_back({v, 1});
  return PercentileOfCounts(counted, p);
}

}  // namespace llmstack
