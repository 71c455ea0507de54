// The matching benchmark's percentiles and the in-process A/B run's pass order and pairing
// (loadtest/benchmark_stats.h), on times with known medians.
#include "benchmark_stats.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

using crosscheck::loadtest::ab_pairs;
using crosscheck::loadtest::ab_pass_is_b;
using crosscheck::loadtest::median;
using crosscheck::loadtest::percentile;

TEST(AbPasses, OrderAlternatesWhichVariantRunsFirst) {
  std::vector<bool> order;
  for (std::size_t p = 0; p < 8; ++p) order.push_back(ab_pass_is_b(p));
  EXPECT_EQ(order, (std::vector<bool>{false, true, true, false, false, true, true, false}));
}

TEST(BenchmarkStats, MedianIsTheLowerMiddleAndPercentilesRoundDown) {
  EXPECT_EQ(median({}), 0);
  EXPECT_EQ(median({5}), 5);
  EXPECT_EQ(median({9, 1, 5}), 5);
  EXPECT_EQ(median({4, 1, 3, 2}), 2);
  std::vector<double> hundred;
  for (int k = 100; k >= 1; --k) hundred.push_back(k);
  EXPECT_EQ(percentile(hundred, 0.99), 99);  // index 0.99 x 99 = 98, rounded down
  EXPECT_EQ(percentile(hundred, 0.0), 1);
}

TEST(AbPasses, PairsTakeEachVariantFromItsPass) {
  // Pass 0 is A, 1 and 2 are B, 3 is A.
  const std::vector<std::vector<double>> passes = {{1, 2, 3}, {2, 2, 4}, {4, 6, 8}, {3, 9, 2}};
  const auto pairs = ab_pairs(passes, 3);
  ASSERT_EQ(pairs.size(), 2U);
  EXPECT_EQ(pairs[0].a_median, 2);
  EXPECT_EQ(pairs[0].b_median, 2);
  EXPECT_DOUBLE_EQ(pairs[0].ratio, 1.0);
  EXPECT_EQ(pairs[1].a_median, 3);  // pass 3
  EXPECT_EQ(pairs[1].b_median, 6);  // pass 2
  EXPECT_DOUBLE_EQ(pairs[1].ratio, 2.0);
  EXPECT_EQ(pairs[1].a_p99, 3);  // 0.99 x 2 = 1.98: the second of {2, 3, 9}
  EXPECT_EQ(pairs[1].b_p99, 6);
}

TEST(AbPasses, UnfinishedPassesAndLonePassesAreLeftOut) {
  // The run stopped during pass 3: the second pair is incomplete, and pass 4 has no partner.
  EXPECT_EQ(ab_pairs({{1, 1}, {2, 2}, {3, 3}, {4}}, 2).size(), 1U);
  EXPECT_EQ(ab_pairs({{1, 1}, {2, 2}, {3, 3}}, 2).size(), 1U);
  EXPECT_TRUE(ab_pairs({{1, 1}}, 2).empty());
  EXPECT_TRUE(ab_pairs({}, 2).empty());
}

}  // namespace
