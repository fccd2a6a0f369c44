// The statistics against values computed independently here (and, where cited, published).
#include "report/statistics.h"

#include <catch2/catch.hpp>
#include <cmath>

namespace llmstack {
namespace {

// C(n, k) exactly, for small n.
double Choose(int n, int k) {
  if (k < 0 || k > n) return 0;
  double r = 1;
  for (int i = 1; i <= k; ++i) r = r * (n - k + i) / i;
  return r;
}

TEST_CASE("Wilson intervals", "[statistics]") {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I:
  // 81/263 -> 0.2553 to 0.3662; 15/148 -> 0.0624 to 0.1605; 0/20 -> 0 to 0.1611.
  auto [lo, hi] = WilsonInterval(81, 263);
  CHECK(lo == Approx(0.2553).margin(5e-5));
  CHECK(hi == Approx(0.3662).margin(5e-5));
  std::tie(lo, hi) = WilsonInterval(15, 148);
  CHECK(lo == Approx(0.0624).margin(5e-5));
  CHECK(hi == Approx(0.1605).margin(5e-5));
  std::tie(lo, hi) = WilsonInterval(0, 20);
  CHECK(lo == 0);
  CHECK(hi == Approx(0.1611).margin(5e-5));
  std::tie(lo, hi) = WilsonInterval(8, 14);  // "8 of 14 correct" is not a result
  CHECK(lo < 0.33);
  CHECK(hi > 0.78);
  CHECK(WilsonInterval(0, 0) == std::make_pair(0.0, 1.0));
}

TEST_CASE("pass@k and pass^k are the unbiased estimators", "[statistics]") {
  for (int n = 1; n <= 8; ++n) {
    for (int c = 0; c <= n; ++c) {
      for (int k = 1; k <= n; ++k) {
        INFO(n << " " << c << " " << k);
        CHECK(PassAtK(n, c, k) == Approx(1 - Choose(n - c, k) / Choose(n, k)).margin(1e-12));
        CHECK(PassHatK(n, c, k) == Approx(Choose(c, k) / Choose(n, k)).margin(1e-12));
      }
    }
  }
  CHECK(PassAtK(4, 1, 1) == Approx(0.25));
  CHECK(PassHatK(4, 4, 4) == Approx(1.0));
}

TEST_CASE("McNemar's exact p-value is the two-sided binomial tail", "[statistics]") {
  // b = 0, c = 6: 2 * 0.5^6.
  CHECK(McNemarExactP(0, 6) == Approx(2 * std::pow(0.5, 6)));
  // b = 2, c = 9: 2 * sum_{i<=2} C(11, i) / 2^11.
  CHECK(McNemarExactP(2, 9) ==
        Approx(2 * (Choose(11, 0) + Choose(11, 1) + Choose(11, 2)) / std::pow(2, 11)));
  CHECK(McNemarExactP(5, 5) == 1.0);
  CHECK(McNemarExactP(0, 0) == 1.0);
  CHECK(McNemarExactP(300, 400) < 0.001);
}

TEST_CASE("percentiles interpolate between closest ranks", "[statistics]") {
  std::vector<double> v = {5, 1, 4, 2, 3};
  CHECK(Percentile(v, 50) == 3);
  CHECK(Percentile(v, 90) == Approx(4.6));
  CHECK(Percentile(v, 0) == 1);
  CHECK(Percentile(v, 100) == 5);
  std::vector<double> empty;
  CHECK(Percentile(empty, 50) == 0);
}

}  // namespace
}  // namespace llmstack
