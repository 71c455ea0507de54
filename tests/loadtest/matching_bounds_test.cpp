// The matcher's score bounds never cost a hit. MatchIndex::match bounds every retrieved candidate
// (summary check, quick bound, exact bound) and scores only those whose bound reaches the lowest
// threshold; with a threshold override near 0 no bound can turn a candidate away, so every
// retrieved candidate is scored. The hits at the usual threshold must be exactly the candidates
// that scoring everything puts at or above it: same entries, same scores, same names, same order.
// The names come from the benchmark's seeded synthetic generator (common given names, phonetic
// groups, typos, swapped and dropped tokens), where the bounds do most of their work.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "crosscheck/rules/match_index.h"
#include "synthetic_watchlist.h"

namespace crosscheck::loadtest {
namespace {

using rules::MatchHit;
using rules::MatchIndex;
using rules::MatchOptions;
using rules::MatchQuery;

struct Queries {
  std::vector<std::string> names;
  std::size_t listed = 0;  // variations of listed names among them
};

// Half variations of listed names (typos, swaps, dropped middle tokens), half fresh names from the
// same generator, which meet listed ones through their common tokens.
Queries make_queries(const rules::Watchlist& list, std::size_t count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Queries q;
  for (std::size_t i = 0; i < count; ++i) {
    if (i % 2 == 0) {
      const auto& names = list.entries[rng() % list.entries.size()].names;
      q.names.push_back(vary_name(names[rng() % names.size()], rng));
      ++q.listed;
    } else {
      q.names.push_back(synthetic_name(rng, rng() % 4 == 0));
    }
  }
  return q;
}

TEST(MatchingBounds, HitsEqualScoringEveryRetrievedCandidate) {
  SyntheticOptions so;
  so.entries = 20000;
  so.seed = 7;
  MatchOptions bounded_options;  // the defaults: threshold 0.85, at most 10 hits
  MatchOptions all_options;
  all_options.max_hits = 1000000;  // no early stop: every scored candidate is reported
  const MatchIndex bounded({synthetic_watchlist(so)}, bounded_options);
  const MatchIndex all({synthetic_watchlist(so)}, all_options);
  const Queries queries = make_queries(bounded.lists().front(), 1500, 11);
  const double threshold = bounded_options.default_threshold;

  // One index after the other, so each keeps its per-thread caches (neighbourhoods, the pair
  // cache) across queries as it does in a screener: a remembered comparison must give what a
  // fresh one gives.
  auto query = [](const std::string& name) {
    MatchQuery q;
    q.type = rules::QueryType::kAny;
    q.name = name;
    return q;
  };
  std::vector<std::vector<MatchHit>> got(queries.names.size());
  std::size_t bounded_out = 0;
  for (std::size_t i = 0; i < queries.names.size(); ++i) {
    bounded.match(query(queries.names[i]), got[i]);
    bounded_out += MatchIndex::last_match_stats().bounded_out;
  }
  std::size_t with_hits = 0, compared = 0;
  std::vector<MatchHit> every;
  for (std::size_t i = 0; i < queries.names.size(); ++i) {
    const std::string& name = queries.names[i];
    every.clear();
    all.match(query(name), every, 1e-9);
    ASSERT_EQ(MatchIndex::last_match_stats().bounded_out, 0U) << name << ": the override should leave no bound to apply";
    // Scoring everything, then the usual threshold and hit count (`every` is already sorted best
    // first, ties by entry, as match sorts its hits).
    std::vector<const MatchHit*> expected;
    for (const MatchHit& h : every) {
      if (h.score >= threshold && expected.size() < bounded_options.max_hits) expected.push_back(&h);
    }
    const std::vector<MatchHit>& hits = got[i];
    if (hits.size() != expected.size()) {
      ADD_FAILURE() << name << ": " << hits.size() << " hits, scoring every candidate gives " << expected.size();
      continue;
    }
    for (std::size_t k = 0; k < hits.size(); ++k) {
      EXPECT_EQ(hits[k].ref.entry, expected[k]->ref.entry) << name << " hit " << k;
      EXPECT_EQ(hits[k].ref.name, expected[k]->ref.name) << name << " hit " << k;
      EXPECT_EQ(hits[k].score, expected[k]->score) << name << " hit " << k;
      EXPECT_EQ(hits[k].explanation.summary(), expected[k]->explanation.summary()) << name << " hit " << k;
    }
    with_hits += !hits.empty();
    compared += hits.size();
  }
  // The comparison means something only if the bounds were at work and hits were found.
  EXPECT_GT(bounded_out, queries.names.size()) << "the bounds turned almost nothing away";
  EXPECT_GT(with_hits, queries.listed / 2) << "too few queries had hits to compare";
  RecordProperty("hits_compared", static_cast<int>(compared));
}

}  // namespace
}  // namespace crosscheck::loadtest
