// The candidate cap's selection (rules/src/candidate_cap.h) against the std::nth_element it
// replaced: the same set of candidates for every shape of input.
#include "candidate_cap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

namespace {

using crosscheck::rules::detail::keep_most_retrieved;
using crosscheck::rules::detail::kth_smallest_distinct;

struct Cand {
  std::uint32_t name;
  std::uint16_t bits;
};

// What MatchIndex::match did before: nth_element by (query tokens descending, name ascending).
std::set<std::uint32_t> reference(std::vector<Cand> cands, std::size_t keep) {
  if (cands.size() > keep) {
    std::nth_element(cands.begin(), cands.begin() + static_cast<std::ptrdiff_t>(keep), cands.end(),
                     [](const Cand& a, const Cand& b) {
                       return std::popcount(a.bits) != std::popcount(b.bits) ? std::popcount(a.bits) > std::popcount(b.bits)
                                                                            : a.name < b.name;
                     });
    cands.resize(keep);
  }
  std::set<std::uint32_t> names;
  for (const Cand& c : cands) names.insert(c.name);
  return names;
}

std::set<std::uint32_t> selected(std::vector<Cand> cands, std::size_t keep) {
  std::vector<std::uint32_t> scratch;
  keep_most_retrieved(cands, keep, scratch);
  std::set<std::uint32_t> names;
  for (const Cand& c : cands) names.insert(c.name);
  EXPECT_EQ(names.size(), cands.size()) << "a candidate kept twice";
  return names;
}

// n candidates with distinct names drawn below `name_bound`, bits with up to `max_tokens` set.
std::vector<Cand> random_candidates(std::mt19937& rng, std::size_t n, std::uint64_t name_bound, int max_tokens) {
  std::set<std::uint32_t> names;
  std::uniform_int_distribution<std::uint64_t> name(0, name_bound - 1);
  while (names.size() < n) names.insert(static_cast<std::uint32_t>(name(rng)));
  std::vector<Cand> out;
  std::uniform_int_distribution<int> bit(0, max_tokens - 1);
  std::uniform_int_distribution<int> how_many(1, max_tokens);
  for (std::uint32_t nm : names) {
    std::uint16_t bits = 0;
    for (int k = how_many(rng) / 2 + 1; k > 0; --k) bits |= static_cast<std::uint16_t>(1U << bit(rng));
    out.push_back({nm, bits});
  }
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

TEST(CandidateCap, KeepsTheSameSetAsNthElementForEveryShape) {
  std::mt19937 rng(20261206);
  int checked = 0;
  for (std::uint64_t name_bound : {std::uint64_t{700}, std::uint64_t{5000}, std::uint64_t{1} << 21, std::uint64_t{1} << 32}) {
    for (int max_tokens : {1, 2, 3, 12, 16}) {
      for (std::size_t n : {601, 602, 750, 1200, 4000}) {
        if (n > name_bound) continue;
        const auto cands = random_candidates(rng, n, name_bound, max_tokens);
        for (std::size_t keep : {std::size_t{1}, std::size_t{599}, std::size_t{600}, n - 1}) {
          EXPECT_EQ(selected(cands, keep), reference(cands, keep))
              << "n " << n << ", keep " << keep << ", names below " << name_bound << ", tokens " << max_tokens;
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 250);
}

TEST(CandidateCap, KeepsOrderAndLeavesSmallSetsAlone) {
  std::vector<Cand> cands = {{50, 0b1}, {7, 0b11}, {9, 0b1}, {3, 0b1}, {8, 0b111}};
  std::vector<std::uint32_t> scratch;
  std::vector<Cand> same = cands;
  keep_most_retrieved(same, 5, scratch);
  ASSERT_EQ(same.size(), 5U);
  keep_most_retrieved(cands, 3, scratch);
  // 8 (three tokens) and 7 (two) first, then the lowest name of those with one: 3. In their order.
  ASSERT_EQ(cands.size(), 3U);
  EXPECT_EQ(cands[0].name, 7U);
  EXPECT_EQ(cands[1].name, 3U);
  EXPECT_EQ(cands[2].name, 8U);
}

TEST(CandidateCap, KthSmallestOfDistinctValues) {
  std::mt19937 rng(7);
  for (std::uint64_t bound : {std::uint64_t{300}, std::uint64_t{1} << 16, std::uint64_t{1} << 32}) {
    std::set<std::uint32_t> pool;
    std::uniform_int_distribution<std::uint64_t> value(0, bound - 1);
    while (pool.size() < 257) pool.insert(static_cast<std::uint32_t>(value(rng)));
    const std::vector<std::uint32_t> sorted(pool.begin(), pool.end());
    for (std::size_t k = 1; k <= sorted.size(); ++k) {
      std::vector<std::uint32_t> v(sorted.rbegin(), sorted.rend());
      v.push_back(12345);  // past n: must not be read
      EXPECT_EQ(kth_smallest_distinct(v, sorted.size(), k), sorted[k - 1]) << "k " << k << ", values below " << bound;
    }
  }
  std::vector<std::uint32_t> zero = {0};
  EXPECT_EQ(kth_smallest_distinct(zero, 1, 1), 0U);
}

TEST(CandidateCapDeathTest, AsksForAValueThatIsNotThere) {
  std::vector<std::uint32_t> v = {4, 2};
  EXPECT_DEATH(kth_smallest_distinct(v, 2, 3), "the 3-th smallest of 2 values");
}

}  // namespace
