// The matching benchmark's figures: per-query percentiles, and the pass order and pairs of an
// in-process A/B run (CROSSCHECK_BENCH_AB; docs/performance.md, "In-process A/B"). Pure
// functions, no state.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace crosscheck::loadtest {

// Whether pass `pass` over the queries runs variant B: A B B A A B B A ..., so every pair of
// passes (0-1, 2-3, ...) holds both variants and neither always runs first (a pass leaves the
// caches warm for whichever runs next).
constexpr bool ab_pass_is_b(std::size_t pass) { return pass % 4 == 1 || pass % 4 == 2; }

// The element at p (n - 1), rounded down, in order: for p = 0.5 the lower median. 0 for none.
inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}
inline double median(std::vector<double> v) { return percentile(std::move(v), 0.5); }

struct AbPair {
  double a_median = 0;  // the median query time of the pair's A pass
  double b_median = 0;  // ... and of its B pass
  double ratio = 0;     // b_median / a_median
  double a_p99 = 0;     // the 99th percentile of the A pass
  double b_p99 = 0;     // ... and of the B pass
};

// The pairs of passes in order, from each pass's query times (passes[p] for pass p). A pair
// counts only when both its passes ran every query (`per_pass` times each): the benchmark stops
// mid-pass, and a part of a pass is a different mix of queries.
inline std::vector<AbPair> ab_pairs(const std::vector<std::vector<double>>& passes, std::size_t per_pass) {
  std::vector<AbPair> out;
  for (std::size_t p = 0; p + 1 < passes.size(); p += 2) {
    if (passes[p].size() < per_pass || passes[p + 1].size() < per_pass) break;
    const std::size_t a = ab_pass_is_b(p) ? p + 1 : p;
    const std::size_t b = ab_pass_is_b(p) ? p : p + 1;
    AbPair pair{median(passes[a]), median(passes[b]), 0, percentile(passes[a], 0.99), percentile(passes[b], 0.99)};
    pair.ratio = pair.a_median > 0 ? pair.b_median / pair.a_median : 0;
    out.push_back(pair);
  }
  return out;
}

}  // namespace crosscheck::loadtest
