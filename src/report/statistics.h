// The statistics the reports give, written once: a proportion's Wilson score interval, the
// unbiased pass@k and pass^k estimators over samples, McNemar's exact test for paired
// outcomes, and latency percentiles.
#ifndef LLMSTACK_REPORT_STATISTICS_H_
#define LLMSTACK_REPORT_STATISTICS_H_

#include <cstdint>
#include <utility>
#include <vector>

namespace llmstack {

// The Wilson score interval for `successes` of `trials` at 95% (z = 1.959964): Wilson (1927),
// as Agresti and Coull (1998) recommend over the normal approximation for small n and rates
// near 0 or 1. For 0 trials: [0, 1].
std::pair<double, double> WilsonInterval(uint64_t successes, uint64_t trials, double z = 1.959964);

// The unbiased estimator of pass@k from n samples with c correct (Chen et al. 2021, "Evaluating
// Large Language Models Trained on Code", eq. 1): 1 - C(n-c, k) / C(n, k). REQUIRES k <= n.
double PassAtK(uint64_t n, uint64_t c, uint64_t k);

// The estimator of pass^k, all k of k attempts correct (Yao et al. 2024, tau-bench):
// C(c, k) / C(n, k). REQUIRES k <= n.
double PassHatK(uint64_t n, uint64_t c, uint64_t k);

// McNemar's exact test (two-sided): the probability, under the null hypothesis that either of
// two discordant outcomes is equally likely, of a split at least as uneven as `b` vs `c`:
// min(1, 2 * P[X <= min(b, c)]) for X ~ Binomial(b + c, 1/2). 1 when there is no discordant
// pair.
double McNemarExactP(uint64_t b, uint64_t c);

// The p-th percentile (0..100) by linear interpolation between closest ranks (the "R-7"
// definition, as numpy's default), of values given with how often each occurs (`counted`:
// value, count; a value may appear more than once). `counted` is sorted in place. 0 when
// there is none.
double PercentileOfCounts(std::vector<std::pair<double, uint64_t>>& counted, double p);
// The same of plain values (each counted once).
double Percentile(const std::vector<double>& values, double p);

}  // namespace llmstack

#endif  // LLMSTACK_REPORT_STATISTICS_H_
