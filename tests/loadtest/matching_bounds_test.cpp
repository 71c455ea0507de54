// The matcher's score bounds never cost a hit. MatchIndex::match bounds every retrieved candidate
// (summary check, quick bound, exact bound) and scores only those whose bound reaches the lowest
// threshold; with a threshold override near 0 no bound can turn a candidate away, so every
// retrieved candidate is scored. The hits at the usual threshold must be exactly the candidates
// that scoring everything puts at or above it: same entries, same scores, same names, same order.
// The names come from the benchmark's seeded synthetic generator (common given names, phonetic
// groups, typos, swapped and dropped tokens), where the bounds do most of their work. The second
// test gives the queries a date of birth, a nationality and a gender (organisations a country, and
// some persons one too), and the entries every shape of those facts the lists have (a full date,
// a year, a year and month, a range, an approximate year, several dates, an unreadable date,
// several nationalities, one country, several, the same one twice, none), so corroboration's
// per-candidate bound is checked the same way.
#include <gtest/gtest.h>

#include <cstdio>
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

struct Query {
  std::string name, date_of_birth, nationality, gender, country;
};

struct Queries {
  std::vector<Query> items;
  std::size_t listed = 0;  // variations of listed names among them
};

// Half variations of listed names (typos, swaps, dropped middle tokens), half fresh names from the
// same generator, which meet listed ones through their common tokens. With `facts`, a person's
// query also carries a date of birth, a nationality and a gender, and one in four a country: for
// a listed name, half the time the listed person's own (as listed: a range or an approximate year
// stays so), else drawn at random, in the shapes a passenger record or an analyst may give them.
// A company's query carries a country (a listed company's own half the time).
Queries make_queries(const rules::Watchlist& list, std::size_t count, std::uint64_t seed, bool facts) {
  std::mt19937_64 rng(seed);
  std::mt19937_64 frng(seed + 1);  // the facts' own, so the names are those of the name-only test
  static constexpr const char* kDates[] = {"1970-04-12", "1971", "1965-07", "~1980", "1958-01-30"};
  static constexpr const char* kNationalities[] = {"RUS", "Germany", "SY", "MEX", "CHN", "GBR", "NGA", "IND"};
  static constexpr const char* kCountries[] = {"ARE", "Panama", "CY", "RUS", "HKG", "TUR", "GBR", "DEU"};
  Queries q;
  for (std::size_t i = 0; i < count; ++i) {
    Query item;
    const rules::WatchlistEntry* entry = nullptr;
    if (i % 2 == 0) {
      entry = &list.entries[rng() % list.entries.size()];
      item.name = vary_name(entry->names[rng() % entry->names.size()], rng);
      ++q.listed;
    } else {
      const bool organization = rng() % 4 == 0;
      item.name = synthetic_name(rng, organization);
      if (facts && organization) {
        item.country = kCountries[frng() % std::size(kCountries)];
        q.items.push_back(std::move(item));
        continue;
      }
    }
    if (facts && entry && entry->type == rules::EntityType::kOrganization) {
      item.country = !entry->countries.empty() && frng() % 2 == 0 ? entry->countries.front()
                                                                   : kCountries[frng() % std::size(kCountries)];
    } else if (facts) {
      if (frng() % 4 == 0) item.country = kCountries[frng() % std::size(kCountries)];
      if (entry && frng() % 2 == 0) {
        if (!entry->dates_of_birth.empty()) item.date_of_birth = entry->dates_of_birth[frng() % entry->dates_of_birth.size()];
        if (!entry->nationalities.empty()) item.nationality = entry->nationalities.front();
        if (!entry->countries.empty()) item.country = entry->countries.front();
        item.gender = entry->gender;
      } else {
        char dob[16];
        std::snprintf(dob, sizeof dob, "%04d-%02d-%02d", 1940 + static_cast<int>(frng() % 65),
                      1 + static_cast<int>(frng() % 12), 1 + static_cast<int>(frng() % 28));
        item.date_of_birth = frng() % 4 == 0 ? kDates[frng() % std::size(kDates)] : dob;
        item.nationality = kNationalities[frng() % std::size(kNationalities)];
        item.gender = frng() % 3 == 0 ? "" : (frng() % 2 ? "male" : "female");
      }
    }
    q.items.push_back(std::move(item));
  }
  return q;
}

// Every shape of corroborating facts the real lists have, on a share of the synthetic persons
// (which all start with one full date, one nationality and a gender).
rules::Watchlist with_varied_facts(rules::Watchlist list) {
  std::mt19937_64 rng(5);
  for (auto& e : list.entries) {
    if (e.type == rules::EntityType::kOrganization) {
      switch (rng() % 5) {
        case 0: e.countries.clear(); break;
        case 1: e.countries.push_back("PAN"); break;
        case 2: e.countries.push_back(e.countries.empty() ? "PAN" : e.countries.front()); break;
        case 3: e.dates_of_birth = {"1999"}; break;  // a date on an organisation: its country is not a fact
        default: break;
      }
      continue;
    }
    if (e.type != rules::EntityType::kPerson || e.dates_of_birth.empty()) continue;
    const std::string year = e.dates_of_birth.front().substr(0, 4);
    switch (rng() % 14) {
      case 0: e.dates_of_birth = {year}; break;
      case 1: e.dates_of_birth = {e.dates_of_birth.front().substr(0, 7)}; break;
      case 2: e.dates_of_birth = {year + "/" + std::to_string(std::stoi(year) + 3)}; break;
      case 3: e.dates_of_birth = {"~" + year}; break;
      case 4: e.dates_of_birth.push_back(std::to_string(std::stoi(year) + 1) + "-02-03"); break;
      case 5: e.dates_of_birth.clear(); break;
      case 6: e.nationalities.push_back("DEU"); break;
      case 7: e.nationalities.clear(); break;
      case 8: e.gender.clear(); break;
      case 9: e.dates_of_birth = {"not a date"}; break;
      case 10: e.countries = {"DEU"}; break;
      case 11: e.countries = {"DEU"}; e.dates_of_birth.clear(); break;
      default: break;
    }
  }
  return list;
}

// The hits of `bounded` (its usual options) equal what scoring every retrieved candidate gives.
void expect_bounds_cost_no_hit(const rules::Watchlist& list, const Queries& queries) {
  MatchOptions bounded_options;  // the defaults: threshold 0.85, at most 10 hits
  MatchOptions all_options;
  all_options.max_hits = 1000000;  // no early stop: every scored candidate is reported
  const MatchIndex bounded({list}, bounded_options);
  const MatchIndex all({list}, all_options);
  const double threshold = bounded_options.default_threshold;

  // One index after the other, so each keeps its per-thread caches (neighbourhoods, the pair
  // cache) across queries as it does in a screener: a remembered comparison must give what a
  // fresh one gives.
  auto query = [](const Query& item) {
    MatchQuery q;
    q.type = rules::QueryType::kAny;
    q.name = item.name;
    q.date_of_birth = item.date_of_birth;
    q.nationality = item.nationality;
    q.gender = item.gender;
    q.country = item.country;
    return q;
  };
  std::vector<std::vector<MatchHit>> got(queries.items.size());
  std::size_t bounded_out = 0;
  for (std::size_t i = 0; i < queries.items.size(); ++i) {
    bounded.match(query(queries.items[i]), got[i]);
    bounded_out += MatchIndex::last_match_stats().bounded_out;
  }
  std::size_t with_hits = 0, compared = 0;
  std::vector<MatchHit> every;
  for (std::size_t i = 0; i < queries.items.size(); ++i) {
    const std::string& name = queries.items[i].name;
    every.clear();
    all.match(query(queries.items[i]), every, 1e-9);
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
  EXPECT_GT(bounded_out, queries.items.size()) << "the bounds turned almost nothing away";
  EXPECT_GT(with_hits, queries.listed / 3) << "too few queries had hits to compare";
  ::testing::Test::RecordProperty("hits_compared", static_cast<int>(compared));
}

SyntheticOptions options() {
  SyntheticOptions so;
  so.entries = 20000;
  so.seed = 7;
  return so;
}

TEST(MatchingBounds, HitsEqualScoringEveryRetrievedCandidate) {
  const rules::Watchlist list = synthetic_watchlist(options());
  expect_bounds_cost_no_hit(list, make_queries(list, 1500, 11, /*facts=*/false));
}

TEST(MatchingBounds, WithCorroborationHitsEqualScoringEveryRetrievedCandidate) {
  const rules::Watchlist list = with_varied_facts(synthetic_watchlist(options()));
  expect_bounds_cost_no_hit(list, make_queries(list, 1500, 11, /*facts=*/true));
}

}  // namespace
}  // namespace crosscheck::loadtest
