// The candidate cap of MatchIndex::match: which candidates a query with too many keeps.
//
// Internal to crosscheck_rules (and its unit test). Pure functions over the caller's vectors: no
// state, no allocation beyond the scratch vector's growth; safe to call from any number of threads
// on distinct vectors.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace crosscheck::rules::detail {

// The k-th smallest (1-based) of the first n values of `v`, which are distinct, 1 <= k <= n.
// A most-significant-digit radix select: each pass counts the values left by their next 8 bits
// and keeps those of the digit that holds the k-th, so it costs a few linear passes with no
// comparison to mispredict (std::nth_element over a few hundred values is mostly mispredicted
// branches). Reorders v.
inline std::uint32_t kth_smallest_distinct(std::vector<std::uint32_t>& v, std::size_t n, std::size_t k) {
  if (k == 0 || k > n || n > v.size()) {
    std::fprintf(stderr, "candidate_cap: the %zu-th smallest of %zu values asked for\n", k, n);
    std::abort();
  }
  std::uint32_t top = 0;
  for (std::size_t i = 0; i < n; ++i) top |= v[i];
  int bits = std::bit_width(top);  // the bits below which all values differ
  while (n > 1 && bits > 0) {
    const int width = bits < 8 ? bits : 8;
    const int shift = bits - width;
    const std::uint32_t mask = (1U << width) - 1;
    std::array<std::uint32_t, 256> count{};
    for (std::size_t i = 0; i < n; ++i) ++count[(v[i] >> shift) & mask];
    std::uint32_t digit = 0;
    while (k > count[digit]) k -= count[digit++];
    std::size_t m = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (((v[i] >> shift) & mask) == digit) v[m++] = v[i];
    }
    n = m;
    bits = shift;
  }
  // Distinct values leave one; equal ones (a caller's broken promise) all share the answer.
  return v[0];
}

// Keeps the `keep` candidates that the most query tokens retrieved (the set bits of `bits`),
// ties going to the lower `name`, in their present order; a vector of `keep` or fewer is left
// as it is. The same set as std::nth_element by (popcount of bits, descending; name, ascending)
// followed by a resize, which this replaces: a count of the candidates by popcount, then a radix
// select among the tied ones, in place of some thousands of mispredicted comparisons.
// `Cand` has `bits` (up to 32 bits) and `name` (unsigned 32-bit, distinct across the
// candidates); `scratch` holds the tied names.
template <typename Cand>
void keep_most_retrieved(std::vector<Cand>& cands, std::size_t keep, std::vector<std::uint32_t>& scratch) {
  if (cands.size() <= keep) return;
  std::array<std::size_t, 33> by_count{};  // candidates by how many query tokens retrieved them
  for (const Cand& c : cands) ++by_count[std::popcount(static_cast<std::uint32_t>(c.bits))];
  // The fewest query tokens a kept candidate has (`least`), and how many have more.
  std::size_t above = 0;
  int least = 32;
  while (above + by_count[static_cast<std::size_t>(least)] < keep) above += by_count[static_cast<std::size_t>(least--)];
  // Of those with exactly `least`, the ones with the `keep - above` lowest names.
  std::size_t tied = 0;
  for (const Cand& c : cands) {
    if (std::popcount(static_cast<std::uint32_t>(c.bits)) == least) {
      if (tied == scratch.size()) scratch.push_back(0);
      scratch[tied++] = static_cast<std::uint32_t>(c.name);
    }
  }
  const std::uint32_t last = kth_smallest_distinct(scratch, tied, keep - above);  // above < keep <= above + tied
  std::size_t kept = 0;
  for (const Cand& c : cands) {
    const int n = std::popcount(static_cast<std::uint32_t>(c.bits));
    if (n > least || (n == least && c.name <= last)) cands[kept++] = c;
  }
  cands.resize(kept);
}

}  // namespace crosscheck::rules::detail
