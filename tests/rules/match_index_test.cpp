// The matcher on small hand-made lists (fictional subjects): retrieval, scoring, corroboration,
// identifiers, thresholds, explanations and concurrency.
#include "crosscheck/rules/match_index.h"
#include "crosscheck/rules/name_tokens.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace crosscheck::rules {
namespace {

WatchlistEntry entry_of(std::string id, EntityType type, std::vector<std::string> names) {
  WatchlistEntry e;
  e.id = std::move(id);
  e.type = type;
  e.names = std::move(names);
  return e;
}

WatchlistEntry person(std::string id, std::vector<std::string> names, std::vector<std::string> dobs = {},
                      std::string gender = {}, std::vector<std::string> nationalities = {}) {
  WatchlistEntry e = entry_of(std::move(id), EntityType::kPerson, std::move(names));
  e.dates_of_birth = std::move(dobs);
  e.gender = std::move(gender);
  e.nationalities = std::move(nationalities);
  return e;
}

WatchlistEntry organization(std::string id, std::vector<std::string> names, std::vector<std::string> countries = {}) {
  WatchlistEntry e = entry_of(std::move(id), EntityType::kOrganization, std::move(names));
  e.countries = std::move(countries);
  return e;
}

WatchlistEntry vessel(std::string id, std::vector<std::string> names, std::string imo = {}) {
  WatchlistEntry e = entry_of(std::move(id), EntityType::kVessel, std::move(names));
  e.imo = std::move(imo);
  return e;
}

Watchlist make_list(std::string id, std::vector<WatchlistEntry> entries, std::uint64_t version = 3) {
  Watchlist l;
  l.list_id = std::move(id);
  l.name = "test list";
  l.version = version;
  l.entries = std::move(entries);
  return l;
}

// A list of fictional subjects, with enough unrelated filler that rarity statistics mean something.
Watchlist test_list() {
  std::vector<WatchlistEntry> e;
  e.push_back(person("p-petrov", {"PETROV, Ivan Sergeyevich", "Ivan PETROV"}, {"1971-04-12"}, "male", {"RUS"}));
  e.push_back(person("p-hawthorne", {"Robert HAWTHORNE"}, {"1965"}, "male", {"GBR"}));
  e.push_back(person("p-zahrani", {"Khalid AL-ZAHRANI"}, {"~1980"}, "male", {"SAU"}));
  e.push_back(person("p-okonkwo", {"Chidinma OKONKWO-BELLAMY"}, {"1984-09-30"}, "female", {"NGA"}));
  e.push_back(person("p-vasquez", {"Lucinda VASQUEZ TORRALBA"}, {"1958/1962"}, "female", {"MEX"}));
  e.back().weak_aliases = {"La Tia Vasquez"};
  e.push_back(organization("o-alpha", {"Alpha Trading LLC"}, {"ARE"}));
  e.push_back(organization("o-kestrel", {"KESTRELWING"}, {"PAN"}));
  e.push_back(vessel("v-nordic", {"NORDIC STARFALL"}, "9074729"));
  WatchlistEntry acct = organization("o-iban", {"Meridian Holdings Group"});
  acct.ibans = {"DE89 3704 0044 0532 0130 00"};
  acct.documents = {IdentityDocument{"registration_number", "HRB-445566", "DEU"}};
  acct.crypto_addresses = {CryptoAddress{"ETH", "0xAbCdEf0123456789aBcDeF0123456789AbCdEf01"}};
  acct.bics = {"DEUTDEFFXXX"};
  e.push_back(acct);
  e.push_back(person("p-ali", {"ALI"}));
  // Filler: names built from common given names and distinct family names, so that "mohammed",
  // "ali" and "hassan" are frequent and the family names rare, as in real lists.
  const char* given[] = {"Mohammed", "Ali", "Hassan", "Omar", "Ahmed", "Yusuf"};
  const char* family[] = {"Qureshi", "Haddad", "Mansour", "Nasser", "Saleh", "Farouk", "Darwish", "Karimi",
                          "Tahhan", "Zuabi", "Barghouti", "Khoury", "Jaber", "Awad", "Sabbagh", "Hijazi",
                          "Nimri", "Rifai", "Shami", "Tuqan", "Masri", "Halabi", "Jazairi", "Dajani"};
  int n = 0;
  for (const char* g : given) {
    for (int k = 0; k < 4; ++k) {
      const char* f = family[(n / 2) % std::size(family)];
      e.push_back(person("f-" + std::to_string(n++), {std::string(g) + " Ali " + f}));
      e.push_back(person("f-" + std::to_string(n++), {std::string("Mohammed ") + g + " " + f}));
    }
  }
  return make_list("test-list", std::move(e));
}

std::vector<MatchHit> run(const MatchIndex& index, const MatchQuery& q, std::optional<double> thr = std::nullopt) {
  std::vector<MatchHit> hits;
  index.match(q, hits, thr);
  return hits;
}

MatchQuery named(std::string_view name, QueryType type = QueryType::kAny) {
  MatchQuery q;
  q.name = name;
  q.type = type;
  return q;
}

// Score of the hit on `entry_id`, or -1 when there is none.
double score_of(const MatchIndex& index, const std::vector<MatchHit>& hits, std::string_view entry_id) {
  for (const auto& h : hits) {
    if (index.entry(h.ref).id == entry_id) return h.score;
  }
  return -1;
}

double score_for(const MatchIndex& index, const MatchQuery& q, std::string_view entry_id) {
  return score_of(index, run(index, q, 0.01), entry_id);
}

class MatchIndexTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { index_ = new MatchIndex({test_list()}); }
  static void TearDownTestSuite() {
    delete index_;
    index_ = nullptr;
  }
  static MatchIndex* index_;
};
MatchIndex* MatchIndexTest::index_ = nullptr;

TEST(MatchIndexNames, KindAndQueryTypeNames) {
  EXPECT_EQ(to_string(MatchKind::kName), "name");
  EXPECT_EQ(to_string(MatchKind::kDocument), "document_number");
  EXPECT_EQ(to_string(MatchKind::kCryptoAddress), "crypto_address");
  EXPECT_EQ(query_type_from_string("Person"), QueryType::kPerson);
  EXPECT_EQ(query_type_from_string("COMPANY"), QueryType::kOrganization);
  EXPECT_EQ(query_type_from_string("organisation"), QueryType::kOrganization);
  EXPECT_EQ(query_type_from_string("LegalEntity"), QueryType::kOrganization);
  EXPECT_EQ(query_type_from_string("legal_entity"), QueryType::kOrganization);
  EXPECT_EQ(query_type_from_string("vessel"), QueryType::kVessel);
  EXPECT_EQ(query_type_from_string("Aircraft"), QueryType::kAircraft);
  EXPECT_EQ(query_type_from_string("any"), QueryType::kAny);
  EXPECT_EQ(query_type_from_string("spaceship"), std::nullopt);
  EXPECT_EQ(query_type_from_string(""), std::nullopt);
}

TEST_F(MatchIndexTest, ExactNameHitsAndCountsAreRight) {
  EXPECT_EQ(index_->entry_count(), test_list().entries.size());
  EXPECT_GT(index_->name_count(), index_->entry_count());
  EXPECT_GT(index_->memory_bytes(), 0U);
  auto hits = run(*index_, named("Ivan Petrov"));
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(index_->entry(hits[0].ref).id, "p-petrov");
  EXPECT_GE(hits[0].score, 0.95);
  EXPECT_LE(hits[0].score, 0.99) << "1.0 is reserved for identifier equality";
  EXPECT_EQ(hits[0].matched_on, static_cast<std::uint8_t>(MatchKind::kName));
}

// The work counters describe the call just made: every candidate that reached a bound was
// retrieved, and each bound lets through no more than the one before. The phase timings are for
// performance work and are compiled out unless the library is built with CROSSCHECK_MATCH_PHASES.
TEST_F(MatchIndexTest, WorkCountersDescribeTheLastCall) {
  auto hits = run(*index_, named("Ivan Petrov"));
  ASSERT_FALSE(hits.empty());
  const MatchStats st = MatchIndex::last_match_stats();
  EXPECT_GT(st.candidates, 0U);
  EXPECT_GE(st.summary_passed, 1U) << "the listed name itself passes the summary check";
  EXPECT_LE(st.summary_passed, st.candidates);
  EXPECT_GE(st.pre_passed, 1U);
  EXPECT_LE(st.pre_passed, st.summary_passed);
  EXPECT_GE(st.exact_passed, 1U);
  EXPECT_LE(st.exact_passed, st.pre_passed);
  EXPECT_GE(st.scored, 1U);
  EXPECT_LE(st.scored, st.exact_passed);
  std::uint64_t cycles = 0;
  for (const auto c : st.phase_cycles) cycles += c;
#if CROSSCHECK_MATCH_PHASES
  EXPECT_GT(cycles, 0U);
#else
  EXPECT_EQ(cycles, 0U) << "phase timing is compiled out of the default build";
#endif
  // A name of weak tokens alone retrieves nothing: the counters start from 0 again.
  run(*index_, named("Corp Ltd"));
  const MatchStats weak = MatchIndex::last_match_stats();
  EXPECT_EQ(weak.candidates, 0U);
  EXPECT_EQ(weak.summary_passed, 0U);
  EXPECT_EQ(weak.pre_passed, 0U);
  EXPECT_EQ(to_string(MatchPhase::kPreBound), "pre_bound");
  EXPECT_EQ(to_string(MatchPhase::kExplanations), "explanations");
}

// The switch between two variants of the matcher (performance work, CROSSCHECK_MATCH_AB) is
// honoured exactly in such builds, and the variant under test must not change a hit.
TEST_F(MatchIndexTest, VariantSwitchIsHonouredOnlyInAbBuilds) {
#if CROSSCHECK_MATCH_AB
  EXPECT_TRUE(match_variant_b_honoured());
#else
  EXPECT_FALSE(match_variant_b_honoured()) << "the switch is compiled out of the default build";
#endif
}

TEST_F(MatchIndexTest, VariantUnderTestChangesNoHit) {
  if (!match_variant_b_honoured()) {
    GTEST_SKIP() << "needs the library built with -DCROSSCHECK_MATCH_AB=ON: elsewhere there is only one variant";
  }
  for (const char* q : {"Ivan Petrov", "Ivan Petrof", "Petrov Ivan", "Robert Hawthorn", "Chidinma Okonkwo-Belamy",
                        "Corp Ltd", "Maria Garcia Lopez"}) {
    set_match_variant_b(false);
    const auto a = run(*index_, named(q));
    set_match_variant_b(true);
    const auto b = run(*index_, named(q));
    set_match_variant_b(false);
    ASSERT_EQ(a.size(), b.size()) << q;
    for (std::size_t k = 0; k < a.size(); ++k) {
      EXPECT_EQ(a[k].ref.list, b[k].ref.list) << q;
      EXPECT_EQ(a[k].ref.entry, b[k].ref.entry) << q;
      EXPECT_EQ(a[k].ref.name, b[k].ref.name) << q;
      EXPECT_EQ(a[k].score, b[k].score) << q;
      EXPECT_EQ(a[k].explanation.summary(), b[k].explanation.summary()) << q;
    }
  }
}

TEST_F(MatchIndexTest, TyposAreTolerated) {
  for (const char* q : {"Ivan Petrof", "Ivan Petorv", "Ivan Pettrov", "Ivn Petrov", "Robert Hawthorn",
                        "Robert Hawtorne", "Chidinma Okonkwo-Belamy"}) {
    auto hits = run(*index_, named(q));
    ASSERT_FALSE(hits.empty()) << q;
    EXPECT_GE(hits[0].score, 0.85) << q;
    EXPECT_LT(hits[0].score, score_for(*index_, named("Ivan Petrov"), "p-petrov") + 1e-9) << q;
  }
}

// A query token one edit away from a listed token finds it through its deletions alone (a single
// token, whose phonetic key the edit changes): a letter missing, an extra letter or a wrong one, at
// every place. Doubled letters (one deletion stands for two places), a token of more letters
// than the deletions worked out together (find_variants takes the rest one at a time), and one
// whose distinct deletions lie past its 256th letter included.
TEST(MatchIndexNeighbourhoods, OneEditAwayAtEveryPlace) {
  const std::vector<std::string> tokens = {"Bartholomewson", "Abbott",
                                           "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch",
                                           std::string(300, 'm') + "bertrand"};
  std::vector<WatchlistEntry> entries;
  for (std::size_t k = 0; k < tokens.size(); ++k) entries.push_back(person("p-" + std::to_string(k), {tokens[k]}));
  for (const char* filler : {"Maria Lopez", "John Smith", "Wei Zhang", "Amina Okafor"}) {
    entries.push_back(person(std::string("f-") + filler, {filler}));
  }
  const MatchIndex index({make_list("edits", std::move(entries))});
  for (std::size_t k = 0; k < tokens.size(); ++k) {
    const std::string& t = tokens[k];
    std::vector<std::string> edits;
    for (std::size_t p = 0; p <= t.size(); ++p) {
      edits.push_back(t.substr(0, p) + "q" + t.substr(p));  // an extra letter
      if (p == t.size()) break;
      edits.push_back(t.substr(0, p) + t.substr(p + 1));  // a letter missing
      edits.push_back(t.substr(0, p) + "q" + t.substr(p + 1));  // a wrong letter
    }
    for (const std::string& q : edits) {
      const auto hits = run(index, named(q, QueryType::kPerson), 0.01);
      EXPECT_NE(score_of(index, hits, "p-" + std::to_string(k)), -1) << q;
    }
  }
}

TEST_F(MatchIndexTest, ForgettingTheThreadsCachesChangesNoResult) {
  // Unlisted tokens (their neighbourhoods are remembered), a transliterated name and a nickname.
  const std::vector<std::string> queries = {"Ivan Petrof", "Ivn Petrov", "Robert Hawtorne", "Иван Петров",
                                            "Bob Hawthorne", "Chidinma Okonkwo-Belamy"};
  std::vector<std::string> first;
  for (const auto& q : queries) {
    for (const auto& h : run(*index_, named(q))) first.push_back(q + ": " + h.explanation.summary());
  }
  ASSERT_GE(first.size(), queries.size());
  for (int round = 0; round < 2; ++round) {
    MatchIndex::forget_thread_caches();
    std::vector<std::string> again;
    for (const auto& q : queries) {
      for (const auto& h : run(*index_, named(q))) again.push_back(q + ": " + h.explanation.summary());
    }
    EXPECT_EQ(again, first) << "round " << round;
  }
  forget_transliteration_cache();
  EXPECT_EQ(to_latin_ascii("Иван Петров"), "ivan petrov");
}

TEST_F(MatchIndexTest, MissingMiddleNameIsTolerated) {
  // Listed "PETROV, Ivan Sergeyevich": the primary name holds a patronymic the query lacks. The
  // alias "Ivan PETROV" is exact, so compare against the primary name through score_names.
  EXPECT_GE(score_names(QueryType::kPerson, "Ivan Petrov", "PETROV, Ivan Sergeyevich"), 0.85);
  EXPECT_LT(score_names(QueryType::kPerson, "Ivan Petrov", "PETROV, Ivan Sergeyevich"),
            score_names(QueryType::kPerson, "Ivan Sergeyevich Petrov", "PETROV, Ivan Sergeyevich"));
}

TEST_F(MatchIndexTest, SwappedOrderScoresBelowStraightOrder) {
  const double straight = score_for(*index_, named("Robert Hawthorne"), "p-hawthorne");
  const double swapped = score_for(*index_, named("Hawthorne Robert"), "p-hawthorne");
  EXPECT_GE(swapped, 0.85) << "a swap is still the same person";
  EXPECT_LT(swapped, straight);
  EXPECT_LT(score_names(QueryType::kPerson, "Petrov Ivan", "Ivan Petrov"),
            score_names(QueryType::kPerson, "Ivan Petrov", "Ivan Petrov"));
}

TEST_F(MatchIndexTest, NicknameMeetsGivenName) {
  auto hits = run(*index_, named("Bob Hawthorne"));
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(index_->entry(hits[0].ref).id, "p-hawthorne");
  bool nickname = false;
  for (const auto& t : hits[0].explanation.tokens) nickname |= t.how == "nickname";
  EXPECT_TRUE(nickname) << hits[0].explanation.summary();
}

TEST_F(MatchIndexTest, TransliteratedQueryHitsLatinEntry) {
  auto cyr = run(*index_, named("Иван Петров"));
  ASSERT_FALSE(cyr.empty());
  EXPECT_EQ(index_->entry(cyr[0].ref).id, "p-petrov");
  EXPECT_GE(cyr[0].score, 0.85);
  auto ar = run(*index_, named("خالد الزهراني"));
  ASSERT_FALSE(ar.empty()) << "Arabic query";
  EXPECT_EQ(index_->entry(ar[0].ref).id, "p-zahrani") << ar[0].explanation.summary();
}

TEST_F(MatchIndexTest, LegalFormOverlapAloneNeverMatches) {
  EXPECT_TRUE(run(*index_, named("Zenith LLC"), 0.01).empty());
  EXPECT_TRUE(run(*index_, named("LLC"), 0.01).empty());
  EXPECT_EQ(score_names(QueryType::kOrganization, "Zenith Corp LLC", "Acme Corp LLC"), 0.0);
  EXPECT_GE(score_names(QueryType::kOrganization, "Alpha Trading Ltd", "Alpha Trading LLC"), 0.9);
  auto hits = run(*index_, named("ALPHA TRADING CORP", QueryType::kOrganization));
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(index_->entry(hits[0].ref).id, "o-alpha");
}

TEST_F(MatchIndexTest, ShortNamesNeedStrongerEvidence) {
  // A rare one-token name matches exactly; the same typo costs a one-token name more than a
  // two-token one; a common one-token name does not reach the threshold even when exact.
  auto exact = run(*index_, named("Kestrelwing"));
  ASSERT_FALSE(exact.empty());
  EXPECT_EQ(index_->entry(exact[0].ref).id, "o-kestrel");
  const double short_typo = score_for(*index_, named("Kestrelwink"), "o-kestrel");
  const double long_typo = score_for(*index_, named("Robert Hawthornk"), "p-hawthorne");
  EXPECT_LT(short_typo, long_typo);
  EXPECT_LT(score_for(*index_, named("Ali"), "p-ali"), 0.85);
  const auto common_only = run(*index_, named("Mohammed Ali"));
  EXPECT_TRUE(common_only.empty()) << "only common tokens, none of the listed full names: "
                                   << (common_only.empty() ? "" : common_only[0].explanation.summary());
}

TEST_F(MatchIndexTest, CommonTokensDoNotDrownTheRareOne) {
  auto hits = run(*index_, named("Hassan Ali Tahhan"));
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(index_->name(hits[0].ref), "Hassan Ali Tahhan");
  EXPECT_GE(hits[0].score, 0.95);
  for (std::size_t i = 1; i < hits.size(); ++i) EXPECT_LT(hits[i].score, hits[0].score);
}

TEST_F(MatchIndexTest, DateOfBirthAndGenderCorroborate) {
  // A typo that stays below the name-score ceiling, so what corroboration adds or takes shows.
  MatchQuery q = named("Ivan Petrow");
  const double none = score_for(*index_, q, "p-petrov");
  q.date_of_birth = "1971-04-12";
  const double same = score_for(*index_, q, "p-petrov");
  q.date_of_birth = "1971";
  const double year = score_for(*index_, q, "p-petrov");
  q.date_of_birth = "1990-01-01";
  const double other = score_for(*index_, q, "p-petrov");
  EXPECT_GT(same, none);
  EXPECT_GT(same, year);
  EXPECT_GT(year, none);
  EXPECT_LT(other, none);
  q.date_of_birth = {};
  q.gender = "female";
  EXPECT_LT(score_for(*index_, q, "p-petrov"), none);
  q.gender = {};
  q.nationality = "RUS";
  EXPECT_GT(score_for(*index_, q, "p-petrov"), none);
  // Approximate and range dates.
  MatchQuery z = named("Khalid Alzahrany");
  const double z_none = score_for(*index_, z, "p-zahrani");
  z.date_of_birth = "1981";
  EXPECT_GT(score_for(*index_, z, "p-zahrani"), z_none);
  z.date_of_birth = "1960-02-02";
  EXPECT_LT(score_for(*index_, z, "p-zahrani"), z_none);
  MatchQuery v = named("Lucinda Vasques Toralba");
  const double v_none = score_for(*index_, v, "p-vasquez");
  v.date_of_birth = "1960-05-05";
  EXPECT_GT(score_for(*index_, v, "p-vasquez"), v_none);
  v.date_of_birth = "1970";
  EXPECT_LT(score_for(*index_, v, "p-vasquez"), v_none);
}

TEST_F(MatchIndexTest, NamesakesWhoseFactsDifferAreNotScored) {
  // The exact name of a listed person: a hit on the name alone. A traveller born in another year,
  // of the other gender, loses 0.22 in corroboration, so cannot reach the threshold: the facts
  // kept beside the postings turn the candidate away before any of its records is read, and it is
  // never scored. With the listed person's own facts it is scored and hits.
  MatchQuery q = named("Chidinma Okonkwo-Bellamy");
  ASSERT_GT(score_of(*index_, run(*index_, q), "p-okonkwo"), 0.85);
  q.date_of_birth = "1990-05-05";
  q.gender = "male";
  q.nationality = "KEN";
  EXPECT_LT(score_of(*index_, run(*index_, q), "p-okonkwo"), 0);
  MatchStats namesake = MatchIndex::last_match_stats();
  EXPECT_EQ(namesake.scored, 0U);
  EXPECT_EQ(namesake.summary_passed, 0U);
  // Below kCorroborationFloor a loss would not apply: with a low threshold the namesake is scored
  // (and, its name score being high, corroboration then takes the 0.25 off it).
  const double low = score_of(*index_, run(*index_, q, 0.3), "p-okonkwo");
  EXPECT_GT(low, 0.6);
  EXPECT_LT(low, 0.8);
  q.date_of_birth = "1984-09-30";
  q.gender = "female";
  q.nationality = "Nigeria";  // an English name, as the query may give it
  EXPECT_GT(score_of(*index_, run(*index_, q), "p-okonkwo"), 0.9);
  EXPECT_GE(MatchIndex::last_match_stats().scored, 1U);
  // A listed date that is a range or approximate, or several of them, is bounded by the most it
  // can add: the candidate is scored, and the entry's real corroboration decides.
  MatchQuery v = named("Lucinda Vasquez Torralba");
  v.date_of_birth = "1960-05-05";
  v.gender = "female";
  EXPECT_GT(score_of(*index_, run(*index_, v), "p-vasquez"), 0.85);
}

TEST_F(MatchIndexTest, IdentifierEqualityIsCertain) {
  MatchQuery q;
  q.name = "Someone Else Entirely";
  q.iban = "de89370400440532013000";
  auto hits = run(*index_, q);
  ASSERT_EQ(hits.size(), 1U);
  EXPECT_EQ(index_->entry(hits[0].ref).id, "o-iban");
  EXPECT_EQ(hits[0].score, 1.0);
  EXPECT_EQ(hits[0].matched_on, static_cast<std::uint8_t>(MatchKind::kIban));

  MatchQuery d;
  d.document_number = "hrb 445566";
  d.type = QueryType::kOrganization;
  hits = run(*index_, d);
  ASSERT_EQ(hits.size(), 1U);
  EXPECT_EQ(hits[0].matched_on, static_cast<std::uint8_t>(MatchKind::kDocument));
  d.type = QueryType::kPerson;  // a person's document never equals an organisation's registration
  EXPECT_TRUE(run(*index_, d).empty());

  MatchQuery c;
  c.crypto_address = "0xabcdef0123456789abcdef0123456789abcdef01";
  c.bic = "DEUTDEFF";
  hits = run(*index_, c);
  ASSERT_EQ(hits.size(), 1U);
  EXPECT_EQ(hits[0].matched_on,
            static_cast<std::uint8_t>(MatchKind::kCryptoAddress) | static_cast<std::uint8_t>(MatchKind::kBic));

  MatchQuery imo;
  imo.imo = "IMO 9074729";
  imo.name = "Nordic Starfall";
  hits = run(*index_, imo);
  ASSERT_EQ(hits.size(), 1U);
  EXPECT_EQ(hits[0].score, 1.0);
  EXPECT_EQ(hits[0].matched_on, static_cast<std::uint8_t>(MatchKind::kImo) | static_cast<std::uint8_t>(MatchKind::kName));
  bool imo_feature = false;
  for (const auto& f : hits[0].explanation.features) imo_feature |= f.feature == "imo";
  EXPECT_TRUE(imo_feature);

  MatchQuery miss;
  miss.iban = "GB82WEST12345698765432";
  EXPECT_TRUE(run(*index_, miss).empty());
}

// Names with the same tokens share their token records and are bounded and scored once per query;
// what else tells them apart still does: each entry is its own hit, a weak alias keeps its
// penalty, and an entry of another type is still left out.
TEST(MatchIndexSharedNames, SameTokensDifferentEntriesTypesAndAliases) {
  std::vector<WatchlistEntry> e;
  e.push_back(person("a1", {"Ivan PETROV"}));
  e.push_back(person("a2", {"PETROV, Ivan"}));
  e.push_back(person("a3", {"Sergei KOVALENKO"}));
  e.back().weak_aliases = {"Ivan Petrov"};
  e.push_back(vessel("v1", {"IVAN PETROV"}));
  e.push_back(person("a4", {"Ivan PETROV Junior"}));
  const MatchIndex index({make_list("shared", std::move(e))});

  const auto person_hits = run(index, named("Ivan Petrov", QueryType::kPerson), 0.3);
  const double a1 = score_of(index, person_hits, "a1");
  ASSERT_GT(a1, 0.5);
  EXPECT_DOUBLE_EQ(score_of(index, person_hits, "a2"), a1) << "the same tokens, another entry";
  const double a3 = score_of(index, person_hits, "a3");
  ASSERT_GT(a3, 0);
  EXPECT_LT(a3, a1) << "the weak alias keeps its penalty";
  const double a4 = score_of(index, person_hits, "a4");
  ASSERT_GT(a4, 0);
  EXPECT_LT(a4, a1);
  EXPECT_EQ(score_of(index, person_hits, "v1"), -1) << "a vessel is not a person";
  EXPECT_DOUBLE_EQ(score_for(index, named("Ivan Petrov", QueryType::kVessel), "v1"), a1);
}

// A query with few postings takes the names of one form and type as one candidate (the index keeps
// them side by side in its lists): each of them must still come back as its entry's hit, with
// its entry's own corroboration, while a weak alias and another type of the same tokens are told
// apart. Fillers between the namesakes keep their name ids apart.
TEST(MatchIndexSharedNames, EveryNameOfAFormIsItsOwnHit) {
  std::vector<WatchlistEntry> e;
  constexpr int kNamesakes = 12;
  for (int k = 0; k < kNamesakes; ++k) {
    e.push_back(person("p" + std::to_string(k), {"Ivan Petrov"}, {k % 2 ? "1970-01-01" : "1985-06-15"}));
    e.push_back(person("filler" + std::to_string(k), {"Zorro Quixote" + std::string(static_cast<std::size_t>(k) + 1, 'x')}));
  }
  e.push_back(person("alias", {"Oleg Sidorov"}));
  e.back().weak_aliases = {"Ivan Petrov"};
  e.push_back(vessel("vessel", {"Ivan Petrov"}));
  MatchOptions options;
  options.max_hits = 50;
  const MatchIndex index({make_list("namesakes", std::move(e))}, options);

  const auto hits = run(index, named("Ivan Petrov", QueryType::kPerson), 0.3);
  const double first = score_of(index, hits, "p0");
  ASSERT_GT(first, 0.5);
  for (int k = 1; k < kNamesakes; ++k) {
    EXPECT_DOUBLE_EQ(score_of(index, hits, "p" + std::to_string(k)), first) << "namesake p" << k;
  }
  const double alias = score_of(index, hits, "alias");
  ASSERT_GT(alias, 0);
  EXPECT_LT(alias, first) << "the weak alias keeps its penalty";
  EXPECT_EQ(score_of(index, hits, "vessel"), -1) << "a vessel is not a person";
  const MatchStats stats = MatchIndex::last_match_stats();
  EXPECT_GE(stats.exact_passed, static_cast<std::size_t>(kNamesakes + 1)) << "the statistics count names";
  EXPECT_GE(stats.summary_passed, stats.exact_passed);

  // With a date of birth, each namesake is corroborated by its own entry.
  MatchQuery dated = named("Ivan Petrov", QueryType::kPerson);
  dated.date_of_birth = "1970-01-01";
  const auto dated_hits = run(index, dated, 0.3);
  const double same = score_of(index, dated_hits, "p1");
  const double other = score_of(index, dated_hits, "p0");
  ASSERT_GT(other, 0);
  EXPECT_GT(same, other);
  for (int k = 0; k < kNamesakes; ++k) {
    EXPECT_DOUBLE_EQ(score_of(index, dated_hits, "p" + std::to_string(k)), k % 2 ? same : other) << "namesake p" << k;
  }
}

// Bounds and scores read each listed token's text from its name's run (after the token records),
// not from the dictionary: every token of every name, whatever its length and place, must come
// back as it was listed. Each name also has a namesake that shares its run (fillers of one to four
// tokens put the runs at every place in a cache line), and must read the same tokens.
TEST(MatchIndexRuns, EveryListedTokenTextComesBack) {
  const std::string long_token(900, 'q');  // longer than any real name part, within the 1 KiB cut
  std::string many;                        // more tokens than a name keeps (16)
  for (int k = 0; k < 20; ++k) many += (k ? " tok" : "tok") + std::string(1, static_cast<char>('a' + k)) + "zzle";
  const std::vector<std::string> names = {"J Hawthorne", "Ivan Petrov", "Ivan Petrovich Sidorenko",
                                          "Xu Li", "Wolfgang Amadeus Obermeyerhausen-Steinbrecher",
                                          "Amir " + long_token, long_token + " Amir", many};
  std::vector<WatchlistEntry> e;
  for (std::size_t k = 0; k < names.size(); ++k) {
    e.push_back(person("n" + std::to_string(k), {names[k]}));
    std::string filler = "Zed";  // one to four tokens, so the runs after it start at each place in a line
    for (std::size_t t = 0; t < k % 4; ++t) filler += " Yul" + std::string(t + 1, 'x');
    e.push_back(person("filler" + std::to_string(k), {filler}));
  }
  for (std::size_t k = 0; k < names.size(); ++k) e.push_back(person("dup" + std::to_string(k), {names[k]}));
  const MatchIndex index({make_list("runs", std::move(e))});

  for (std::size_t k = 0; k < names.size(); ++k) {
    SCOPED_TRACE(names[k].substr(0, 60));
    std::vector<MatchHit> hits;
    index.match(named(names[k]), hits, 0.01);
    const MatchHit* self = nullptr;
    const MatchHit* dup = nullptr;
    for (const auto& h : hits) {
      if (index.entry(h.ref).id == "n" + std::to_string(k)) self = &h;
      if (index.entry(h.ref).id == "dup" + std::to_string(k)) dup = &h;
    }
    ASSERT_NE(self, nullptr);
    ASSERT_NE(dup, nullptr) << "the namesake reads the same run";
    EXPECT_DOUBLE_EQ(dup->score, self->score);
    ASSERT_EQ(dup->explanation.tokens.size(), self->explanation.tokens.size());
    for (std::size_t t = 0; t < self->explanation.tokens.size(); ++t) {
      EXPECT_EQ(dup->explanation.tokens[t].listed_token, self->explanation.tokens[t].listed_token);
    }
    // The explanation shows every listed token the name keeps (its first 16), as normalised, and
    // each one the query met is its own text.
    std::multiset<std::string> want, got;
    const NormalizedName norm = normalize_for_matching(names[k]);
    for (std::size_t t = 0; t < norm.tokens.size() && t < 16; ++t) want.insert(norm.tokens[t].text);
    std::size_t exact = 0;
    for (const auto& t : self->explanation.tokens) {
      if (t.listed_token.empty()) continue;
      got.insert(t.listed_token);
      if (t.query_token.empty()) continue;
      EXPECT_EQ(t.listed_token, t.query_token);
      EXPECT_EQ(t.how, "exact");
      exact += t.how == "exact";
    }
    EXPECT_EQ(got, want);
    EXPECT_GE(exact, 1U);
  }
  // A typo in the long token is still read against the right text.
  std::string typo = "Amir " + long_token;
  typo[400] = 'p';
  EXPECT_GT(score_for(index, named(typo), "n5"), 0.5);
}

// A query that meets thousands of listed tokens: what it knows of each is kept in a table that
// starts small and grows. 300 names share two common tokens and hold 14 tokens of their own; all
// are alike, so all must score alike, and the same as a name met alone.
TEST(MatchIndexRuns, QueriesMeetingThousandsOfTokensScoreEveryNameAlike) {
  // Digits only: no phonetic key, so each is a group of its own and every name's weigh the same.
  auto own_token = [](int name, int k) { return std::to_string(100000 + name * 14 + k); };
  auto name_of = [&](int n) {
    std::string name = "Ivan Petrov";
    for (int k = 0; k < 14; ++k) name += " " + own_token(n, k);
    return name;
  };
  std::vector<WatchlistEntry> e;
  for (int n = 0; n < 300; ++n) e.push_back(person("m" + std::to_string(n), {name_of(n)}));
  MatchOptions options;
  options.max_hits = 1000;
  const MatchIndex index({make_list("many", std::move(e))}, options);
  std::vector<MatchHit> hits;
  index.match(named("Ivan Petrov"), hits, 0.0001);
  ASSERT_EQ(hits.size(), 300U);
  for (const auto& h : hits) EXPECT_DOUBLE_EQ(h.score, hits.front().score) << index.entry(h.ref).id;
  // One of the names, with its own tokens in the query, meets them exactly.
  const auto own = run(index, named(name_of(7)), 0.5);
  ASSERT_FALSE(own.empty());
  EXPECT_EQ(index.entry(own.front().ref).id, "m7");
  EXPECT_GT(own.front().score, hits.front().score);
}

TEST_F(MatchIndexTest, EntityTypesMustBeCompatible) {
  EXPECT_TRUE(run(*index_, named("Nordic Starfall", QueryType::kPerson)).empty());
  EXPECT_FALSE(run(*index_, named("Nordic Starfall", QueryType::kVessel)).empty());
  EXPECT_FALSE(run(*index_, named("Nordic Starfall", QueryType::kAny)).empty());
  EXPECT_TRUE(run(*index_, named("Ivan Petrov", QueryType::kOrganization)).empty());
  EXPECT_TRUE(run(*index_, named("Alpha Trading", QueryType::kAircraft)).empty());
}

TEST(MatchIndexThresholds, PerListThresholdAndOverride) {
  MatchOptions options;
  options.list_thresholds["strict-list"] = 0.99;
  MatchIndex index({make_list("strict-list", {person("s1", {"Ivan PETROV"})}),
                    make_list("lenient-list", {person("l1", {"Ivan PETROV"})})},
                   options);
  EXPECT_DOUBLE_EQ(index.threshold(0), 0.99);
  EXPECT_DOUBLE_EQ(index.threshold(1), 0.85);
  auto hits = run(index, named("Ivan Petrof"));
  ASSERT_EQ(hits.size(), 1U);
  EXPECT_EQ(index.list(hits[0].ref).list_id, "lenient-list");
  EXPECT_EQ(run(index, named("Ivan Petrof"), 0.5).size(), 2U);
  EXPECT_TRUE(run(index, named("Ivan Petrof"), 1.0).empty());
}

TEST(MatchIndexExplanation, ListedNameComesBackAsListedForEveryKindOfName) {
  // Explanations read the listed name from the index's own copy of it: a primary name, an alias,
  // a weak alias and a name too long for that copy (read from the list instead) each come back
  // exactly as listed, and as MatchIndex::name has it.
  const std::string long_name = "Ivan Petrov " + std::string(70000, 'x');
  std::vector<WatchlistEntry> e;
  e.push_back(person("p-1", {"PETROV, Ivan Sergeyevich", "Vanya KOVALENKO-PETROV"}));
  e.back().weak_aliases = {"Ivanushka Grozny"};
  e.push_back(person("p-2", {long_name}));
  e.push_back(person("p-3", {"Ada Lovelace"}));
  MatchIndex index({make_list("names", std::move(e))});
  struct Case {
    std::string query;
    std::string entry;
    std::string listed;
    bool alias;
  };
  const Case cases[] = {{"Ivan Sergeyevich Petrov", "p-1", "PETROV, Ivan Sergeyevich", false},
                        {"Vanya Kovalenko-Petrov", "p-1", "Vanya KOVALENKO-PETROV", true},
                        {"Ivanushka Grozny", "p-1", "Ivanushka Grozny", true},
                        {long_name, "p-2", long_name, false},
                        {"Ada Lovelace", "p-3", "Ada Lovelace", false}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.query.substr(0, 40));
    const auto hits = run(index, named(c.query), 0.5);
    const MatchHit* hit = nullptr;
    for (const auto& h : hits) {
      if (index.entry(h.ref).id == c.entry && h.explanation.listed_name == c.listed) hit = &h;
    }
    ASSERT_NE(hit, nullptr) << hits.size() << " hits, none on " << c.entry << " with its listed name";
    EXPECT_EQ(hit->explanation.alias, c.alias);
    EXPECT_EQ(hit->explanation.listed_name, index.name(hit->ref));
  }
}

TEST_F(MatchIndexTest, ExplanationSaysWhatMatched) {
  MatchQuery q = named("IVAN SERGEEVICH PETROFF");
  q.date_of_birth = "1971-04-12";
  auto hits = run(*index_, q);
  ASSERT_FALSE(hits.empty());
  const MatchExplanation& ex = hits[0].explanation;
  EXPECT_EQ(ex.query_name, "IVAN SERGEEVICH PETROFF");
  EXPECT_EQ(ex.listed_name, "PETROV, Ivan Sergeyevich");
  EXPECT_FALSE(ex.alias);
  EXPECT_EQ(ex.list_id, "test-list");
  EXPECT_EQ(ex.list_version, 3U);
  EXPECT_DOUBLE_EQ(ex.score, hits[0].score);
  ASSERT_EQ(ex.tokens.size(), 3U);
  EXPECT_EQ(ex.tokens[0].query_token, "ivan");
  EXPECT_EQ(ex.tokens[0].listed_token, "ivan");
  EXPECT_EQ(ex.tokens[0].how, "exact");
  EXPECT_EQ(ex.tokens[2].query_token, "petroff");
  EXPECT_EQ(ex.tokens[2].listed_token, "petrov");
  EXPECT_NE(ex.tokens[2].how, "exact");
  EXPECT_LT(ex.tokens[2].similarity, 1.0);
  ASSERT_GE(ex.features.size(), 2U);
  EXPECT_EQ(ex.features[0].feature, "name");
  bool dob = false;
  for (const auto& f : ex.features) {
    if (f.feature == "date_of_birth") {
      dob = true;
      EXPECT_GT(f.contribution, 0);
      EXPECT_EQ(f.detail, "same date");
    }
  }
  EXPECT_TRUE(dob);
  const std::string line = ex.summary();
  EXPECT_NE(line.find("IVAN SERGEEVICH PETROFF ~ PETROV, Ivan Sergeyevich"), std::string::npos) << line;
  EXPECT_NE(line.find("petroff=petrov"), std::string::npos) << line;
  EXPECT_NE(line.find("date_of_birth +0.06 (same date)"), std::string::npos) << line;
  EXPECT_NE(line.find("list test-list v3"), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST_F(MatchIndexTest, WeakAliasIsPenalisedAndMarked) {
  const double strong = score_names(QueryType::kPerson, "La Tia Vasquez", "La Tia Vasquez");
  auto hits = run(*index_, named("La Tia Vasquez"), 0.01);
  const double via_alias = score_of(*index_, hits, "p-vasquez");
  ASSERT_GT(via_alias, 0);
  EXPECT_LT(via_alias, strong);
  for (const auto& h : hits) {
    if (index_->entry(h.ref).id != "p-vasquez") continue;
    EXPECT_TRUE(h.explanation.alias);
    EXPECT_EQ(index_->name(h.ref), "La Tia Vasquez");
    bool weak = false;
    for (const auto& f : h.explanation.features) weak |= f.feature == "weak_alias";
    EXPECT_TRUE(weak) << h.explanation.summary();
  }
}

TEST_F(MatchIndexTest, MaxHitsKeepsTheBestFirst) {
  MatchOptions options;
  options.max_hits = 2;
  MatchIndex small({test_list()}, options);
  auto all = run(*index_, named("Mohammed Ali Tahhan"), 0.3);
  auto two = run(small, named("Mohammed Ali Tahhan"), 0.3);
  ASSERT_GT(all.size(), 2U);
  ASSERT_EQ(two.size(), 2U);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(two[i].ref.entry, all[i].ref.entry);
    EXPECT_DOUBLE_EQ(two[i].score, all[i].score);
  }
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_LE(all[i].score, all[i - 1].score);
}

TEST_F(MatchIndexTest, EmptyAndGarbageQueriesHaveNoHits) {
  std::mt19937 rng(7);
  std::vector<std::string> garbage = {"", " ", "!!!", "---", "LLC Ltd Corp", "\xff\xfe\x80", "J.", "a b c d e"};
  std::string big;
  for (int i = 0; i < 20000; ++i) big.push_back(static_cast<char>(rng() % 256));
  garbage.push_back(big);
  std::string many;
  for (int i = 0; i < 500; ++i) many += "Mohammed Ali ";
  garbage.push_back(many);
  for (const auto& g : garbage) {
    MatchQuery q = named(g);
    q.date_of_birth = "not a date";
    q.nationality = "??";
    q.iban = "%%%";
    q.imo = "IMO";
    std::vector<MatchHit> hits;
    index_->match(q, hits);
    EXPECT_TRUE(hits.empty()) << g.substr(0, 40);
  }
  std::vector<MatchHit> hits;
  index_->match(MatchQuery{}, hits, 0.0);
  EXPECT_TRUE(hits.empty());
}

TEST(MatchIndexEmpty, EmptyIndexAnswersNothing) {
  MatchIndex index({});
  EXPECT_EQ(index.entry_count(), 0U);
  EXPECT_TRUE(run(index, named("Ivan Petrov"), 0.0).empty());
  EXPECT_EQ(index.name(EntryRef{5, 5, 5}), "");
}

TEST_F(MatchIndexTest, ConcurrentQueriesGiveTheSameResults) {
  const std::vector<std::string> queries = {"Ivan Petrof", "Иван Петров", "Bob Hawthorne", "Hassan Ali Tahhan",
                                            "Mohammed Ali Tahhan", "Kestrelwing", "Alpha Trading LLC",
                                            "Chidinma Okonkwo", "nobody at all", "Lucinda Vasques"};
  auto signature = [&](const std::string& name) {
    std::string sig;
    for (const auto& h : run(*index_, named(name), 0.5)) {
      sig += index_->entry(h.ref).id + ":" + std::to_string(h.score) + ":" + h.explanation.summary() + "|";
    }
    return sig;
  };
  std::vector<std::string> expected;
  for (const auto& q : queries) expected.push_back(signature(q));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        for (std::size_t i = 0; i < queries.size(); ++i) {
          const std::size_t k = (i + static_cast<std::size_t>(t) * 3 + static_cast<std::size_t>(round)) % queries.size();
          if (signature(queries[k]) != expected[k]) ++mismatches[static_cast<std::size_t>(t)];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

TEST(ScoreNames, IdenticalTypoSwapAndUnrelated) {
  EXPECT_DOUBLE_EQ(score_names(QueryType::kPerson, "Ivan Petrov", "IVAN PETROV"), 1.0);
  EXPECT_DOUBLE_EQ(score_names(QueryType::kPerson, "PETROV, Ivan", "Ivan Petrov"), 1.0);
  const double typo = score_names(QueryType::kPerson, "Ivan Petrof", "Ivan Petrov");
  EXPECT_GE(typo, 0.9);
  EXPECT_LT(typo, 1.0);
  EXPECT_LT(score_names(QueryType::kPerson, "Ivan Petrov", "Olga Smirnova"), 0.3);
  EXPECT_EQ(score_names(QueryType::kPerson, "", "Ivan Petrov"), 0.0);
  EXPECT_EQ(score_names(QueryType::kPerson, "!!!", "???"), 0.0);
}

TEST(ScoreNames, CommonTokensAndExtraTokens) {
  // Sharing only a common given name is not a match; an extra unmatched token lowers the score.
  EXPECT_LT(score_names(QueryType::kPerson, "Mohammed Qureshi", "Mohammed Haddad"), 0.6);
  EXPECT_LT(score_names(QueryType::kPerson, "Ivan Petrov Volkov", "Ivan Petrov"),
            score_names(QueryType::kPerson, "Ivan Petrov", "Ivan Petrov"));
  EXPECT_LT(score_names(QueryType::kPerson, "John", "John"), 0.85) << "a common name alone";
  EXPECT_GE(score_names(QueryType::kOrganization, "Kestrelwing", "KESTRELWING"), 0.9);
}

TEST(ScoreNames, ExplanationIsFilled) {
  MatchExplanation ex;
  const double s = score_names(QueryType::kPerson, "Bob Hawthorne", "Robert Hawthorne", &ex);
  EXPECT_GE(s, 0.85);
  EXPECT_EQ(ex.query_name, "Bob Hawthorne");
  EXPECT_EQ(ex.listed_name, "Robert Hawthorne");
  EXPECT_DOUBLE_EQ(ex.score, s);
  ASSERT_EQ(ex.tokens.size(), 2U);
  EXPECT_EQ(ex.tokens[0].how, "nickname");
  EXPECT_EQ(ex.tokens[1].how, "exact");
  ASSERT_FALSE(ex.features.empty());
  EXPECT_EQ(ex.features[0].feature, "name");
  EXPECT_NE(ex.summary().find("bob=robert nickname"), std::string::npos) << ex.summary();
}

}  // namespace
}  // namespace crosscheck::rules
