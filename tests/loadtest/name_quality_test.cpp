// The development-set builder on tiny hand-written inputs (never skips), and the matching-quality
// regression over a fixed sample of the real name data (skips without ../shared/data).
#include "crosscheck/name_quality/dev_set.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "crosscheck/rules/analyst_tools.h"
#include "crosscheck/rules/list_import.h"
#include "crosscheck/testing/test_env.h"

namespace crosscheck::name_quality {
namespace {

// ---- readers -----------------------------------------------------------------------------------

TEST(NameQualityReaders, ParseEachSourceFormat) {
  auto full = parse_full_name_tsv("George Washington\tג'ורג' וושינגטון\n\nbroken line\nA B\tC D\textra\nDouglas Adams\tדאגלס אדמס");
  ASSERT_EQ(full.pairs.size(), 2u);
  EXPECT_EQ(full.pairs[0], (NamePair{"George Washington", "ג'ורג' וושינגטון"}));
  EXPECT_EQ(full.skipped, 2u);

  auto tokens = parse_token_tsv("zhu\tчжу\t34\nfroese\tфрезе\t2\nbad\n");
  ASSERT_EQ(tokens.pairs.size(), 2u);
  EXPECT_EQ(tokens.pairs[1], (NamePair{"froese", "фрезе"}));
  EXPECT_EQ(tokens.skipped, 1u);

  auto ar = parse_ar2en_tsv("أ.\ta.\nأعشى\ta'sha\n");
  ASSERT_EQ(ar.pairs.size(), 1u) << "abbreviations are not names";
  EXPECT_EQ(ar.pairs[0].en, "a'sha");
  EXPECT_EQ(ar.pairs[0].other, "أعشى") << "the Arabic column comes first in this file";

  auto nick = parse_nicknames_csv("name1,relationship,name2\r\naaron,has_nickname,ron\r\nbob,is_something,rob\r\n");
  ASSERT_EQ(nick.pairs.size(), 1u);
  EXPECT_EQ(nick.pairs[0], (NamePair{"aaron", "ron"}));
  EXPECT_EQ(nick.skipped, 2u);
}

TEST(NameQualityReaders, SoundexAndEditDistance) {
  EXPECT_EQ(soundex("Robert"), "R163");
  EXPECT_EQ(soundex("rupert"), "R163");
  EXPECT_EQ(soundex("Ashcraft"), "A261");  // h between s and c: one code
  EXPECT_EQ(soundex("Tymczak"), "T522");
  EXPECT_EQ(soundex("Pfister"), "P236");
  EXPECT_EQ(soundex("a"), "A000");
  EXPECT_EQ(soundex("123"), "");
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
}

TEST(NameQualityReaders, RngIsFixedBySeed) {
  Rng a(1), b(1), c(2);
  const auto x = a.next();
  EXPECT_EQ(x, b.next());
  EXPECT_NE(x, c.next());
  for (int i = 0; i < 1000; ++i) EXPECT_LT(a.below(7), 7u);
}

// ---- person pairs ------------------------------------------------------------------------------

Source full_names() {
  Source s;
  s.name = "tiny-full";
  s.script = "cyrillic";
  s.kind = SourceKind::kFullNames;
  s.pairs = {{"Ivan Petrov", "Иван Петров"},       {"Pavel Petrov", "Павел Петров"},
             {"Ivan Sidorov", "Иван Сидоров"},     {"Olga Smirnova", "Ольга Смирнова"},
             {"Anna Smirnova", "Анна Смирнова"},   {"Olga Ivanova", "Ольга Иванова"},
             {"Boris Kuznetsov", "Борис Кузнецов"}, {"Pavel Sidorov", "Павел Сидоров"}};
  return s;
}

std::set<std::pair<std::string, std::string>> known(const Source& s) {
  std::set<std::pair<std::string, std::string>> k;
  for (const auto& p : s.pairs) k.insert({p.en, p.other});
  return k;
}

TEST(NameQualityBuilder, FullNamesGivePositivesRandomAndSharedNameNegatives) {
  const Source s = full_names();
  auto pairs = build_person_pairs(s, {4, 7});
  const auto k = known(s);
  std::map<std::string, std::size_t> kinds;
  for (const auto& p : pairs) {
    ++kinds[p.kind];
    EXPECT_EQ(p.schema, "Person");
    EXPECT_EQ(p.source, "tiny-full");
    EXPECT_EQ(p.script, "cyrillic");
    EXPECT_EQ(p.label, k.count({p.name1, p.name2}) == 1) << p.name1 << " / " << p.name2;
    if (p.kind == "same_surname" || p.kind == "same_given_name") {
      const auto a = p.name1.substr(p.name1.find(' ') + 1);
      const auto b = p.name2.substr(p.name2.find(' ') + 1);
      const bool surname = p.kind == "same_surname";
      // The Cyrillic side of the other person shares the listed token's rendering.
      std::string other_en;
      for (const auto& q : s.pairs) {
        if (q.other == p.name2) other_en = q.en;
      }
      ASSERT_FALSE(other_en.empty());
      if (surname) {
        EXPECT_EQ(p.name1.substr(p.name1.find(' ')), other_en.substr(other_en.find(' ')));
      } else {
        EXPECT_EQ(p.name1.substr(0, p.name1.find(' ')), other_en.substr(0, other_en.find(' ')));
      }
      EXPECT_NE(p.name1, other_en);
    }
  }
  EXPECT_EQ(kinds["positive"], 4u);
  EXPECT_EQ(kinds["random"], 4u);
  EXPECT_EQ(kinds["same_surname"] + kinds["same_given_name"], 4u);
  EXPECT_GE(kinds["same_surname"], 1u);
  EXPECT_GE(kinds["same_given_name"], 1u);
}

TEST(NameQualityBuilder, SameSeedSameSetOtherSeedOtherSample) {
  const Source s = full_names();
  EXPECT_EQ(build_person_pairs(s, {4, 7}), build_person_pairs(s, {4, 7}));
  bool differs = false;
  for (std::uint64_t seed = 8; seed < 20 && !differs; ++seed) {
    differs = build_person_pairs(s, {4, seed}) != build_person_pairs(s, {4, 7});
  }
  EXPECT_TRUE(differs);
}

TEST(NameQualityBuilder, TokenHardNegativesSoundAlikeAndAreNeverKnownPairings) {
  Source s;
  s.name = "tiny-tokens";
  s.script = "cyrillic";
  s.kind = SourceKind::kTokens;
  s.pairs = {{"robert", "роберт"}, {"rupert", "руперт"}, {"smith", "смит"},   {"schmidt", "шмидт"},
             {"smyth", "смит"},    {"peter", "петер"},   {"petra", "петра"},  {"pedro", "педро"},
             {"ivan", "иван"},     {"john", "джон"},     {"jan", "ян"},       {"jon", "джон"}};
  auto pairs = build_person_pairs(s, {6, 3});
  std::size_t hard = 0;
  for (const auto& p : pairs) {
    if (p.label) continue;
    // "smith" and "smyth" share the rendering "смит": pairing one with the other's is not a negative.
    EXPECT_FALSE((p.name1 == "smith" || p.name1 == "smyth") && p.name2 == "смит") << p.name1;
    EXPECT_FALSE((p.name1 == "john" || p.name1 == "jon") && p.name2 == "джон") << p.name1;
    if (p.kind != "sounds_alike") continue;
    ++hard;
    std::string other_en;
    for (const auto& q : s.pairs) {
      if (q.other == p.name2) other_en = q.en;
    }
    EXPECT_EQ(soundex(p.name1), soundex(other_en)) << p.name1 << " / " << other_en;
    EXPECT_GE(edit_distance(p.name1, other_en), 2u);
  }
  EXPECT_GE(hard, 1u);
}

TEST(NameQualityBuilder, NicknameChainsAreNeverNegatives) {
  // "ernestine" is a formal name in one row and a nickname of "erna" in another: pairing
  // "ernestine" with "ernestine", or "erna" with "tina", is not a negative.
  Source s;
  s.name = "tiny-nicknames";
  s.script = "latin";
  s.pairs = {{"ernestine", "tina"}, {"erna", "ernestine"}, {"robert", "bob"}, {"rupert", "rupe"},
             {"albert", "bert"},    {"alberta", "bertie"},  {"lucy", "lu"},    {"lucia", "lucy"}};
  for (std::uint64_t seed = 1; seed < 30; ++seed) {
    for (const auto& p : build_person_pairs(s, {8, seed})) {
      if (p.label) continue;
      EXPECT_NE(p.name1, p.name2) << "seed " << seed;
      const std::set<std::string> chain = {"ernestine", "tina", "erna"};
      EXPECT_FALSE(chain.count(p.name1) && chain.count(p.name2)) << p.name1 << " / " << p.name2;
      const std::set<std::string> lucy = {"lucy", "lu", "lucia"};
      EXPECT_FALSE(lucy.count(p.name1) && lucy.count(p.name2)) << p.name1 << " / " << p.name2;
    }
  }
}

TEST(NameQualityBuilder, TinyOrEmptySourcesGiveWhatTheyCan) {
  Source s;
  s.name = "one";
  s.pairs = {{"a", "b"}};
  EXPECT_TRUE(build_person_pairs(s, {}).empty());
  s.pairs.push_back({"c", "d"});
  auto pairs = build_person_pairs(s, {100, 1});
  std::size_t pos = 0;
  for (const auto& p : pairs) pos += p.label;
  EXPECT_EQ(pos, 2u);
  EXPECT_LE(pairs.size(), 4u);
}

// ---- entity pairs ------------------------------------------------------------------------------

std::vector<rules::Watchlist> tiny_lists() {
  rules::Watchlist l;
  l.list_id = "tiny";
  auto add = [&](std::string id, rules::EntityType type, std::string name) {
    rules::WatchlistEntry e;
    e.id = std::move(id);
    e.type = type;
    e.names = {std::move(name)};
    l.entries.push_back(std::move(e));
  };
  using T = rules::EntityType;
  add("1", T::kOrganization, "NORTHWIND GENERAL TRADING LLC");
  add("2", T::kOrganization, "BLUEWATER GENERAL TRADING LLC");
  add("2b", T::kOrganization, "REDSTONE GENERAL TRADING LLC");
  add("3", T::kOrganization, "CRIMSON INTERNATIONAL SHIPPING COMPANY");
  add("4", T::kOrganization, "CRIMSON PETROLEUM INDUSTRIES");
  add("5", T::kOrganization, "SILVERLINE HOLDINGS LIMITED");
  add("6", T::kOrganization, "ORCHARD FOUNDATION");
  add("7", T::kPerson, "IVAN PETROV");
  add("8", T::kVessel, "SEA FALCON 1");
  add("9", T::kVessel, "OCEAN FALCON");
  add("10", T::kVessel, "NORTHERN STARLIGHT");
  add("11", T::kVessel, "GREY PETREL 2");
  return {l};
}

TEST(NameQualityBuilder, EntitySliceVariesRealNamesAndPairsLookAlikes) {
  auto pairs = build_entity_pairs(tiny_lists(), {6, 11});
  ASSERT_FALSE(pairs.empty());
  std::set<std::string> orgs = {"NORTHWIND GENERAL TRADING LLC", "BLUEWATER GENERAL TRADING LLC", "REDSTONE GENERAL TRADING LLC",
                                "CRIMSON INTERNATIONAL SHIPPING COMPANY", "CRIMSON PETROLEUM INDUSTRIES",
                                "SILVERLINE HOLDINGS LIMITED", "ORCHARD FOUNDATION"};
  std::set<std::string> vessels = {"SEA FALCON 1", "OCEAN FALCON", "NORTHERN STARLIGHT", "GREY PETREL 2"};
  std::map<std::string, std::size_t> kinds;
  for (const auto& p : pairs) {
    ++kinds[p.kind];
    EXPECT_NE(p.name1, "IVAN PETROV") << "persons are not in the entity slice";
    EXPECT_NE(p.name1, p.name2);
    EXPECT_EQ(p.script, "latin");
    if (p.source == "synthetic-vessels") {
      EXPECT_EQ(p.schema, "Vessel");
      EXPECT_TRUE(vessels.count(p.name1)) << p.name1;
    } else {
      ASSERT_EQ(p.source, "synthetic-organizations");
      EXPECT_TRUE(p.schema == "Company" || p.schema == "Organization") << p.schema;
      if (p.kind != "trading_llc") {
        EXPECT_TRUE(orgs.count(p.name1)) << p.name1;
      }
    }
    if (p.label) {
      EXPECT_TRUE(p.kind == "legal_form" || p.kind == "word_order" || p.kind == "typo" || p.kind == "abbreviation" ||
                  p.kind == "prefix" || p.kind == "spacing")
          << p.kind;
    } else if (p.kind == "shared_tail") {
      EXPECT_EQ(p.name1.substr(p.name1.size() - 15), p.name2.substr(p.name2.size() - 15));
    } else if (p.kind == "number_changed") {
      EXPECT_EQ(p.name1.substr(0, p.name1.size() - 1), p.name2.substr(0, p.name2.size() - 1));
    } else if (p.kind == "trading_llc") {
      EXPECT_EQ(p.schema, "Company");
    } else {
      EXPECT_TRUE(p.kind == "random" || p.kind == "shared_word") << p.kind;
      EXPECT_TRUE(orgs.count(p.name2) || vessels.count(p.name2)) << "negatives are other real names";
    }
  }
  EXPECT_GE(kinds["shared_tail"], 1u) << "NORTHWIND/BLUEWATER/REDSTONE GENERAL TRADING LLC";
  EXPECT_GE(kinds["shared_word"], 1u);
  EXPECT_EQ(build_entity_pairs(tiny_lists(), {6, 11}), pairs) << "deterministic";
  EXPECT_TRUE(build_entity_pairs({}, {}).empty());
}

TEST(NameQualityBuilder, NearDuplicateOrganisationsAreNeverNegatives) {
  rules::Watchlist l;
  auto add = [&](std::string id, std::string name) {
    rules::WatchlistEntry e;
    e.id = std::move(id);
    e.type = rules::EntityType::kOrganization;
    e.names = {std::move(name)};
    l.entries.push_back(std::move(e));
  };
  add("1", "IMENSAZEN CONSULTANT ENGINEERS INSTITUTE");
  add("2", "IMENSAZAN CONSULTANT ENGINEERS INSTITUTE");
  add("3", "HARAMAIN CHARITY FOUNDATION");
  add("4", "HARAMAIN CHARITY FOUNDATION : BOSNIA BRANCH");
  add("5", "MOUNTAIN CHARITY FOUNDATION");
  std::size_t negatives = 0;
  for (std::uint64_t seed = 1; seed < 20; ++seed) {
    for (const auto& p : build_entity_pairs({l}, {5, seed})) {
      if (p.label || p.kind == "trading_llc") continue;
      ++negatives;
      const bool imensazen = p.name1.starts_with("IMENSAZ") && p.name2.starts_with("IMENSAZ");
      const bool haramain = p.name1.starts_with("HARAMAIN") && p.name2.starts_with("HARAMAIN");
      EXPECT_FALSE(imensazen || haramain) << p.name1 << " / " << p.name2;
    }
  }
  EXPECT_GT(negatives, 0u);
}

// ---- CSV and report ----------------------------------------------------------------------------

TEST(NameQualityCsv, DevSetIsScoreNamesInputAndReadsBackScored) {
  std::vector<DevPair> pairs = {
      {"Person", "Ivan Petrov", "Иван Петров", "tiny", "cyrillic", true, "positive"},
      {"Company", "ACME, \"THE\" TRADING", "Other Co", "tiny", "latin", false, "random"}};
  std::ostringstream dev;
  write_dev_set_csv(dev, pairs);
  std::istringstream in(dev.str());
  std::ostringstream scored;
  auto stats = rules::score_names_csv(in, scored);
  ASSERT_TRUE(stats.ok()) << stats.error().to_string();
  EXPECT_EQ(stats->rows, 2u);
  EXPECT_EQ(stats->errors, 0u);
  std::istringstream back(scored.str());
  auto read = read_scored_csv(back);
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_EQ(read->first, pairs);
  ASSERT_EQ(read->second.size(), 2u);
  const auto direct = score_pairs(pairs);
  for (std::size_t i = 0; i < 2; ++i) EXPECT_NEAR(read->second[i], direct[i], 0.0005);
  std::istringstream unscored(dev.str());
  EXPECT_FALSE(read_scored_csv(unscored).ok()) << "no score column";
}

TEST(NameQualityReport, CountsAndReportFollowTheScores) {
  std::vector<DevPair> pairs = {{"Person", "a", "a", "s1", "x", true, "positive"},
                                {"Person", "b", "b", "s1", "x", true, "positive"},
                                {"Person", "c", "d", "s1", "x", false, "random"},
                                {"Vessel", "e", "f", "s2", "latin", false, "shared_word"}};
  std::vector<double> scores = {0.95, 0.80, 0.90, 0.10};
  auto c = count_at(pairs, scores, 0.85, [](const DevPair&) { return true; });
  EXPECT_EQ(c.tp, 1u);
  EXPECT_EQ(c.fn, 1u);
  EXPECT_EQ(c.fp, 1u);
  EXPECT_EQ(c.tn, 1u);
  EXPECT_DOUBLE_EQ(c.precision(), 0.5);
  EXPECT_DOUBLE_EQ(c.recall(), 0.5);
  auto low = count_at(pairs, scores, 0.80, [](const DevPair& p) { return p.source == "s1"; });
  EXPECT_EQ(low.tp, 2u);
  // 0.8495 prints as 0.850 and so reaches 0.85, as in score-names.
  EXPECT_EQ(count_at(pairs, {0.8495, 0, 0, 0}, 0.85, [](const DevPair&) { return true; }).tp, 1u);
  ReportOptions ro;
  ro.thresholds = {0.85};
  ro.command = "name_quality --test";
  const std::string report = markdown_report(pairs, scores, ro);
  EXPECT_NE(report.find("name_quality --test"), std::string::npos);
  EXPECT_NE(report.find("| s1 / x | 0.500 | 0.500 | 0.500 | 1 | 1 | 1 | 0 |"), std::string::npos) << report;
  EXPECT_NE(report.find("| 0.70 |"), std::string::npos);
  EXPECT_NE(report.find("| 0.95 |"), std::string::npos);
  EXPECT_NE(report.find("| Vessel |"), std::string::npos);
}

// ---- regression over the real data -------------------------------------------------------------

// Floors a little below the figures measured with this sample (docs/matching-quality.md), so
// that a real regression of the matcher fails here. Threshold: the default 0.85.
struct Floor {
  const char* source;
  double precision;
  double recall;
};

TEST(NameQualityRegression, PrecisionAndRecallFloorsPerSource) {
  CROSSCHECK_REQUIRE_SHARED_DATA("names/wikidata-en-hebrew.tsv");
  CROSSCHECK_REQUIRE_SHARED_DATA("watchlists/ofac-sdn-2024-05-03/sdn.csv");
  CROSSCHECK_REQUIRE_SHARED_DATA("watchlists/un/consolidated-2026-02-27.xml");
  auto sources = load_name_sources(testing::shared_data_path("names"));
  ASSERT_TRUE(sources.ok()) << sources.error().to_string();
  const BuildOptions options{200, BuildOptions{}.seed};
  std::vector<DevPair> pairs;
  for (const auto& s : *sources) {
    auto built = build_person_pairs(s, options);
    pairs.insert(pairs.end(), built.begin(), built.end());
  }
  std::vector<rules::Watchlist> lists;
  for (const char* rel : {"watchlists/ofac-sdn-2024-05-03", "watchlists/un/consolidated-2026-02-27.xml"}) {
    auto imported = rules::import_list(testing::shared_data_path(rel));
    ASSERT_TRUE(imported.ok()) << rel << ": " << imported.error().to_string();
    lists.push_back(std::move(imported->list));
  }
  auto entities = build_entity_pairs(lists, options);
  pairs.insert(pairs.end(), entities.begin(), entities.end());
  const auto scores = score_pairs(pairs);
  const Floor floors[] = {
      // Measured at 0.85 with this sample when the floors were last raised (precision / recall):
      // hebrew 0.978/0.660, korean 0.921/0.175, russian 0.957/0.670, arabic 0.960/0.600,
      // chinese 1.000/0.050, google-ar2en 0.993/0.670, nicknames 1.000/0.080,
      // organizations 0.965/0.955, vessels 0.986/0.730. Few true hits make some precisions
      // coarse (one false hit in 24 is 4 points), hence the wider precision margins there.
      {"wikidata-en-hebrew", 0.93, 0.60},
      {"wikidata-en-korean", 0.85, 0.14},
      {"wikidata-tokens-en-russian", 0.92, 0.61},
      {"wikidata-tokens-en-arabic", 0.90, 0.54},
      // Han renderings of Western names barely match yet (see the docs); the floor only catches
      // a total loss of Han transliteration.
      {"wikidata-tokens-en-chinese", 0.50, 0.02},
      {"google-ar2en", 0.90, 0.61},
      {"nicknames", 0.80, 0.06},
      {"synthetic-organizations", 0.93, 0.92},
      {"synthetic-vessels", 0.93, 0.68},
  };
  for (const Floor& f : floors) {
    const std::string src = f.source;
    const Counts c = count_at(pairs, scores, 0.85, [&](const DevPair& p) { return p.source == src; });
    ASSERT_GT(c.tp + c.fn, 0u) << src << ": no positives built";
    EXPECT_GE(c.precision(), f.precision) << src << " precision at 0.85";
    EXPECT_GE(c.recall(), f.recall) << src << " recall at 0.85";
  }
}

}  // namespace
}  // namespace crosscheck::name_quality
