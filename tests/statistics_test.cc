// The statistics against values computed independently here (and, where cited, published).
#include "report/statistics.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "report/run_results.h"

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

TEST_CASE("percentiles agree with interpolating in the sorted values, ties and all",
          "[statistics]") {
  std::mt19937 random(7);
  for (size_t n = 1; n <= 300; n += 7) {
    std::vector<double> v(n);
    for (double& x : v) x = static_cast<double>(random() % 50) / 4;  // many ties
    std::vector<double> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    for (double p : {0.0, 1.0, 50.0, 90.0, 99.0, 100.0}) {
      double rank = p / 100 * static_cast<double>(n - 1);
      size_t low = static_cast<size_t>(rank);
      size_t high = std::min(n - 1, low + 1);
      double want = sorted[low] + (sorted[high] - sorted[low]) * (rank - static_cast<double>(low));
      INFO("n " << n << " p " << p);
      CHECK(Percentile(v, p) == Approx(want));
    }
  }
}

TEST_CASE("a run's latencies keep counts, and their percentiles are those of every value",
          "[statistics]") {
  std::mt19937 random(11);
  RttStats rtt;
  std::vector<double> all;
  for (int i = 0; i < 5000; ++i) {
    double ms = static_cast<double>(random() % 300) * 0.001 + (i % 97 == 0 ? 250.0 : 0.0);
    rtt.Add(ms);
    all.push_back(ms);
  }
  CHECK(rtt.count == 5000);
  CHECK(rtt.counts.size() <= 300 + 300);  // distinct latencies, not one entry per result
  for (double p : {0.0, 50.0, 90.0, 99.0, 99.9, 100.0}) {
    INFO("p " << p);
    CHECK(rtt.percentile(p) == Approx(Percentile(all, p)));
  }
  CHECK(RttStats().percentile(50) == 0);
}

}  // namespace
}  // namespace llmstack
