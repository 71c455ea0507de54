// The matcher against the real lists in ../shared/data (OFAC SDN 2024, UN consolidated list):
// listed names with one typo, swapped order or written in their original script are found; common
// names that are not listed are not. Skipped, saying why, when the shared data is absent.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "crosscheck/rules/list_import.h"
#include "crosscheck/rules/match_index.h"
#include "crosscheck/rules/name_tokens.h"
#include "crosscheck/rules/normalize.h"
#include "crosscheck/testing/test_env.h"

namespace crosscheck::rules {
namespace {

constexpr const char* kUn = "watchlists/un/consolidated-2026-02-27.xml";
constexpr const char* kOfac = "watchlists/ofac-sdn-2024-05-03/sdn.csv";

Watchlist import_or_fail(const char* relative) {
  auto imported = import_list(crosscheck::testing::shared_data_path(relative));
  if (!imported) {
    ADD_FAILURE() << relative << ": " << imported.error().message();
    return {};
  }
  return std::move(imported->list);
}

bool has_non_ascii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return true;
  }
  return false;
}

// Letters-only tokens of a Latin name, in order.
std::vector<std::string> words(std::string_view name) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : name) {
    if (c == ' ' || c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::string join(const std::vector<std::string>& w) {
  std::string s;
  for (const auto& x : w) s += (s.empty() ? "" : " ") + x;
  return s;
}

// One substitution in the longest token, away from its first letter.
std::string with_typo(std::string_view name, std::mt19937& rng) {
  auto w = words(name);
  std::size_t longest = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (w[i].size() > w[longest].size()) longest = i;
  }
  std::string& t = w[longest];
  if (t.size() >= 5) {
    const std::size_t p = 1 + rng() % (t.size() - 2);
    t[p] = t[p] == 'X' ? 'Q' : 'X';
  }
  return join(w);
}

bool found(const MatchIndex& index, std::string_view name, QueryType type, std::uint32_t list, std::uint32_t entry) {
  MatchQuery q;
  q.name = name;
  q.type = type;
  std::vector<MatchHit> hits;
  index.match(q, hits);
  for (const auto& h : hits) {
    if (h.ref.list == list && h.ref.entry == entry) return true;
  }
  return false;
}

class MatchIndexDataset : public ::testing::Test {
 protected:
  void SetUp() override {
    CROSSCHECK_REQUIRE_SHARED_DATA(kUn);
    CROSSCHECK_REQUIRE_SHARED_DATA(kOfac);
    if (!index_) {
      std::vector<Watchlist> lists;
      lists.push_back(import_or_fail(kUn));
      lists.push_back(import_or_fail(kOfac));
      index_ = std::make_unique<MatchIndex>(std::move(lists));
    }
  }
  static std::unique_ptr<MatchIndex> index_;
};
std::unique_ptr<MatchIndex> MatchIndexDataset::index_;

// Recall over the primary Latin names of one list's individuals under a variation.
template <typename Vary>
void expect_recall(const MatchIndex& index, std::uint32_t list, double floor, Vary vary, const char* what) {
  std::size_t tried = 0, hit = 0;
  std::vector<std::string> missed;
  const auto& entries = index.lists()[list].entries;
  for (std::uint32_t e = 0; e < entries.size(); ++e) {
    if (entries[e].type != EntityType::kPerson || entries[e].names.empty()) continue;
    const std::string& name = entries[e].names.front();
    if (has_non_ascii(name) || words(name).size() < 2) continue;
    const std::string query = vary(name);
    ++tried;
    if (found(index, query, QueryType::kPerson, list, e)) {
      ++hit;
    } else if (missed.size() < 10) {
      missed.push_back(query + " (listed " + name + ")");
    }
  }
  ASSERT_GT(tried, 100U);
  const double recall = static_cast<double>(hit) / static_cast<double>(tried);
  std::string examples;
  for (const auto& m : missed) examples += "\n  " + m;
  EXPECT_GE(recall, floor) << what << ": " << hit << " of " << tried << " found; missed e.g.:" << examples;
  std::printf("[ recall   ] %s, %s: %zu of %zu (%.3f)\n", index.lists()[list].list_id.c_str(), what, hit, tried, recall);
}

TEST_F(MatchIndexDataset, ListedIndividualsWithOneTypoAreFound) {
  std::mt19937 rng(11);
  for (std::uint32_t list = 0; list < 2; ++list) {
    expect_recall(*index_, list, 0.97, [&](const std::string& n) { return with_typo(n, rng); }, "one typo");
  }
}

TEST_F(MatchIndexDataset, ListedIndividualsInSwappedOrderAreFound) {
  for (std::uint32_t list = 0; list < 2; ++list) {
    expect_recall(*index_, list, 0.95, [](const std::string& n) {
      auto w = words(n);
      std::swap(w.front(), w.back());
      return join(w);
    }, "first and last token swapped");
  }
}

TEST_F(MatchIndexDataset, ListedIndividualsWithoutMiddleNamesAreFound) {
  std::uint32_t list = 0;  // UN names carry up to four parts
  std::size_t tried = 0, hit = 0;
  const auto& entries = index_->lists()[list].entries;
  for (std::uint32_t e = 0; e < entries.size(); ++e) {
    if (entries[e].type != EntityType::kPerson || entries[e].names.empty()) continue;
    auto w = words(entries[e].names.front());
    if (has_non_ascii(entries[e].names.front()) || w.size() != 3) continue;
    ++tried;
    hit += found(*index_, w.front() + " " + w.back(), QueryType::kPerson, list, e);
  }
  ASSERT_GT(tried, 50U);
  const double recall = static_cast<double>(hit) / static_cast<double>(tried);
  std::printf("[ recall   ] un-sc, middle name dropped (3-part names): %zu of %zu (%.3f)\n", hit, tried, recall);
  EXPECT_GE(recall, 0.6);
}

TEST_F(MatchIndexDataset, OriginalScriptMeetsTheLatinName) {
  // The UN list gives many names in their original script (Arabic, Cyrillic, ...). Index the
  // entries without those names, query with them, and expect the Latin name to be found.
  std::vector<Watchlist> lists = {index_->lists()[0]};
  std::vector<std::pair<std::uint32_t, std::string>> originals;
  for (std::uint32_t e = 0; e < lists[0].entries.size(); ++e) {
    auto& names = lists[0].entries[e].names;
    for (auto it = names.begin(); it != names.end();) {
      if (has_non_ascii(*it) && lists[0].entries[e].type == EntityType::kPerson) {
        originals.emplace_back(e, *it);
        it = names.erase(it);
      } else {
        ++it;
      }
    }
  }
  MatchIndex latin_only(std::move(lists));
  ASSERT_GT(originals.size(), 100U);
  std::size_t hit = 0;
  std::vector<std::string> missed;
  for (const auto& [e, name] : originals) {
    if (found(latin_only, name, QueryType::kPerson, 0, e)) {
      ++hit;
    } else if (missed.size() < 8) {
      missed.push_back(name + " (" + to_latin_ascii(name) + ") vs " + latin_only.lists()[0].entries[e].names.front());
    }
  }
  const double recall = static_cast<double>(hit) / static_cast<double>(originals.size());
  std::string examples;
  for (const auto& m : missed) examples += "\n  " + m;
  std::printf("[ recall   ] un-sc, original script -> Latin: %zu of %zu (%.3f)\n", hit, originals.size(), recall);
  // Measured 2026-11-22 (docs/matching.md); Arabic script omits short vowels, so a share of the
  // names cannot reach the threshold without a dedicated Arabic name model.
  EXPECT_GE(recall, 0.5) << examples;
}

TEST_F(MatchIndexDataset, CommonUnlistedNamesDoNotHit) {
  // Names that are frequent in the population. Each is checked to be absent from both lists (as
  // a normalised full name) before it is required not to hit. Left out on purpose, because the
  // lists do hold them under another spelling or with a middle name, so a hit is right:
  // "Ahmed Ali" (OFAC: 'ALI, Ahmad) and "Sergei Ivanov" (OFAC: IVANOV, Sergei Sergeevich).
  const char* common[] = {"John Smith",     "Maria Garcia",   "Wei Zhang",      "Mohammed Ahmed",
                          "James Johnson",  "Anna Ivanova",   "Jose Rodriguez", "Fatima Hassan",
                          "David Miller",   "Li Wang",        "Emma Williams",  "Juan Martinez",
                          "Olga Petrova",   "Priya Sharma",   "Ali Hassan",     "Kim Min-jun"};
  std::set<std::string> listed;
  for (const auto& l : index_->lists()) {
    for (const auto& e : l.entries) {
      for (const auto& n : e.names) listed.insert(normalize_name(n));
      for (const auto& n : e.weak_aliases) listed.insert(normalize_name(n));
    }
  }
  std::size_t checked = 0;
  for (const char* name : common) {
    if (listed.count(normalize_name(name))) continue;  // listed as such: a hit would be right
    ++checked;
    MatchQuery q;
    q.name = name;
    q.type = QueryType::kPerson;
    std::vector<MatchHit> hits;
    index_->match(q, hits);
    EXPECT_TRUE(hits.empty()) << name << " hit " << hits.front().explanation.summary();
  }
  EXPECT_GE(checked, 10U);
}

}  // namespace
}  // namespace crosscheck::rules
