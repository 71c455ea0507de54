#include "crosscheck/rules/name_similarity.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crosscheck/rules/name_tokens.h"
#include "crosscheck/testing/test_env.h"

namespace crosscheck::rules {
namespace {

TEST(NameSimilarityJaroWinkler, KnownValues) {
  // The textbook examples (Winkler 1990).
  EXPECT_NEAR(jaro_winkler("martha", "marhta"), 0.961, 0.001);
  EXPECT_NEAR(jaro_winkler("dwayne", "duane"), 0.840, 0.001);
  EXPECT_NEAR(jaro_winkler("dixon", "dicksonx"), 0.813, 0.001);
  EXPECT_NEAR(jaro_winkler("MARTHA", "MARHTA"), 0.961, 0.001);
}

TEST(NameSimilarityJaroWinkler, Bounds) {
  EXPECT_EQ(jaro_winkler("abc", "abc"), 1.0);
  EXPECT_EQ(jaro_winkler("", "abc"), 0.0);
  EXPECT_EQ(jaro_winkler("abc", ""), 0.0);
  EXPECT_EQ(jaro_winkler("", ""), 0.0);
  EXPECT_EQ(jaro_winkler("abc", "xyz"), 0.0);
  EXPECT_DOUBLE_EQ(jaro_winkler("smith", "smyth"), jaro_winkler("smyth", "smith"));
  EXPECT_EQ(jaro_winkler("a", "a"), 1.0);
  EXPECT_EQ(jaro_winkler("a", "b"), 0.0);
  // Long inputs (beyond the fixed buffers) work and stay in range.
  const std::string a(500, 'a');
  std::string b = a;
  b[250] = 'b';
  const double v = jaro_winkler(a, b);
  EXPECT_GT(v, 0.99);
  EXPECT_LT(v, 1.0);
}

// The textbook definition as a plain scan (the matcher's implementation uses bit masks for
// tokens of up to 64 bytes): the first unmatched equal character inside the window matches, and
// transpositions are counted over the matched characters in order.
double jaro_winkler_by_scan(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return 0.0;
  if (a == b) return 1.0;
  if (a.size() > b.size()) std::swap(a, b);
  const std::size_t la = a.size(), lb = b.size();
  const std::size_t window = lb / 2 > 0 ? lb / 2 - 1 : 0;
  std::vector<bool> ma(la), mb(lb);
  std::size_t m = 0;
  for (std::size_t i = 0; i < la; ++i) {
    for (std::size_t j = i > window ? i - window : 0; j < std::min(i + window + 1, lb); ++j) {
      if (!mb[j] && a[i] == b[j]) {
        ma[i] = mb[j] = true;
        ++m;
        break;
      }
    }
  }
  if (m == 0) return 0.0;
  std::size_t t = 0;
  for (std::size_t i = 0, j = 0; i < la; ++i) {
    if (!ma[i]) continue;
    while (!mb[j]) ++j;
    t += a[i] != b[j++];
  }
  const double md = static_cast<double>(m);
  const double jaro =
      (md / static_cast<double>(la) + md / static_cast<double>(lb) + (md - static_cast<double>(t) / 2.0) / md) / 3.0;
  std::size_t prefix = 0;
  while (prefix < 4 && prefix < la && a[prefix] == b[prefix]) ++prefix;
  return jaro + static_cast<double>(prefix) * 0.1 * (1.0 - jaro);
}

TEST(NameSimilarityJaroWinkler, EqualsThePlainScanExactly) {
  // Random strings over small alphabets (many repeated letters, so many window conflicts and
  // transpositions), of every length up to 70: past 64 bytes the implementation switches to its
  // scan, so both sides of that boundary are compared. Bytes above 127 and NUL included.
  std::mt19937 rng(20261205);
  const std::string alphabets[] = {"ab", "abc", "aeiouhkmnrs", std::string("a\0\x80\xff", 4)};
  std::size_t compared = 0, nonzero = 0;
  for (const std::string& alphabet : alphabets) {
    std::uniform_int_distribution<std::size_t> letter(0, alphabet.size() - 1), length(0, 70);
    for (int k = 0; k < 4000; ++k) {
      std::string a(length(rng), ' '), b(length(rng), ' ');
      for (char& c : a) c = alphabet[letter(rng)];
      for (char& c : b) c = alphabet[letter(rng)];
      const double want = jaro_winkler_by_scan(a, b);
      ASSERT_EQ(jaro_winkler(a, b), want) << "a=" << a << " b=" << b;  // bit for bit, not near
      ASSERT_EQ(jaro_winkler(b, a), jaro_winkler_by_scan(b, a));
      ++compared;
      nonzero += want > 0;
    }
  }
  // Real name spellings, where the scores matter.
  const std::pair<std::string_view, std::string_view> names[] = {
      {"mohammed", "muhammad"}, {"alexander", "aleksandr"}, {"tchaikovsky", "chaykovskiy"}, {"abdulrahman", "abdalrahman"},
      {"martha", "marhta"},     {"dwayne", "duane"},         {"dixon", "dicksonx"},          {"aaaaaaaaaaaaaaaa", "aaaaaaaab"}};
  for (const auto& [a, b] : names) EXPECT_EQ(jaro_winkler(a, b), jaro_winkler_by_scan(a, b)) << a << " " << b;
  EXPECT_EQ(compared, 16000U);
  EXPECT_GT(nonzero, 12000U);  // the strings do share letters: the matching itself was compared
}

TEST(NameSimilarityPhonetic, TransliterationVariantsShareAKey) {
  const std::vector<std::vector<std::string_view>> groups = {
      {"mohammed", "muhammad", "mohamad", "mohamed", "muhammed", "mohammad", "mhmd"},
      {"yuri", "iurii", "jurij", "yury", "yuriy"},
      {"alexander", "aleksandr", "aleksander", "alexandr"},
      {"tchaikovsky", "chaikovsky", "chaykovskiy", "tschaikovsky"},
      {"hussein", "husayn", "hussain", "husein", "hsyn", "hussain"},
      {"osama", "usama", "asama"},
      {"abdel", "abdul", "abdal"},
      {"sergei", "sergey", "serguei", "sergej"},
      {"fyodor", "fedor", "fiodor"},
      {"khaled", "khalid", "halid", "khald"},
      {"dmitri", "dmitry", "dmitriy", "dmitrij"},
      {"yevgeny", "evgeny", "evgeniy", "yevgeniy", "evgenij"},
      {"abdullah", "abdulla", "abdallah"},
      {"qaddafi", "gaddafi", "kaddafi", "gadafi"},
      {"ahmed", "ahmad", "ahmet"},
      {"yusuf", "yousef", "yusf", "jusuf", "iusuf"},
      // ch and sh are one class: French ch, and Arabic/Hebrew write both with shin.
      {"chango", "shango", "shanghu", "tschango"},
      {"bouchard", "bushard", "boushart"},
  };
  for (const auto& g : groups) {
    const std::string key = phonetic_key(g[0]);
    EXPECT_FALSE(key.empty());
    for (auto name : g) EXPECT_EQ(phonetic_key(name), key) << name << " vs " << g[0];
  }
}

// Dropping vowels is what makes the key survive transliteration, and it has a price: names
// that differ only in vowels share a key (mohammed/mahmoud, hassan/hussein, omar/amir,
// peter/petra). Those are left to Jaro-Winkler and to the other tokens of the name.
TEST(NameSimilarityPhonetic, DifferentNamesDiffer) {
  const std::vector<std::pair<std::string_view, std::string_view>> pairs = {
      {"mohammed", "mahdi"},  {"hassan", "hassanein"}, {"smith", "schmidt"}, {"ivan", "ian"},
      {"omar", "omran"},      {"ali", "alim"},       {"peter", "pieters"}, {"john", "joan"},
      {"karim", "kareem2"},   {"boris", "doris"},    {"sergei", "serena"}, {"osama", "hamza"},
      {"yusuf", "yunus"},     {"khalid", "khalil"},  {"ahmed", "ahmadi"},  {"chen", "cheng"},
  };
  for (const auto& [a, b] : pairs) EXPECT_NE(phonetic_key(a), phonetic_key(b)) << a << " vs " << b;
}

TEST(NameSimilarityPhonetic, EdgeCases) {
  EXPECT_EQ(phonetic_key(""), "");
  EXPECT_EQ(phonetic_key("---"), "");
  EXPECT_FALSE(phonetic_key("a").empty());
  EXPECT_EQ(phonetic_key("007"), "007");
  EXPECT_EQ(phonetic_key("MOHAMMED"), phonetic_key("mohammed"));
  const std::string long_token(100 * 1024, 'k');
  EXPECT_EQ(phonetic_key(long_token), "k");
}

TEST(NameSimilarityNicknames, TableLookups) {
  EXPECT_TRUE(are_nicknames("bob", "robert"));
  EXPECT_TRUE(are_nicknames("bill", "william"));
  EXPECT_TRUE(are_nicknames("peggy", "margaret"));
  EXPECT_TRUE(are_nicknames("bob", "robbie"));  // both short forms of robert
  EXPECT_FALSE(are_nicknames("bob", "william"));
  EXPECT_FALSE(are_nicknames("zzzz", "zzzz2"));
  // Spelling variants of longer names are found through the phonetic key...
  EXPECT_TRUE(are_nicknames("katharine", "kate"));
  EXPECT_TRUE(are_nicknames("jeffery", "jeff"));
  // ...but not where the key is too short to tell names apart.
  EXPECT_FALSE(are_nicknames("mario", "maria"));
  EXPECT_FALSE(are_nicknames("peter", "petra"));
  EXPECT_FALSE(are_nicknames("daniela", "daniel"));
  EXPECT_FALSE(are_nicknames("alessandra", "alexander"));
  const auto c = nickname_canonicals("al");
  EXPECT_NE(std::find(c.begin(), c.end(), "albert"), c.end());
  EXPECT_NE(std::find(c.begin(), c.end(), "alfred"), c.end());
  const auto r = nickname_canonicals("robert");
  EXPECT_NE(std::find(r.begin(), r.end(), "robert"), r.end());  // a canonical maps to itself
  EXPECT_TRUE(nickname_canonicals("qwxz").empty());
}

// The matcher hands over the phonetic key it already has: the canonicals must be the same.
TEST(NameSimilarityNicknames, GivenKeyGivesTheSameCanonicals) {
  for (std::string_view t : {"bob", "robert", "katharine", "kathryn", "jeffery", "abbigail", "alessandra", "daniela",
                             "mario", "al", "qwxz", "zzzzzz", "williams", "margarette", "alexandr"}) {
    const auto plain = nickname_canonicals(t);
    const auto keyed = nickname_canonicals(t, phonetic_key(t));
    EXPECT_EQ(std::vector<std::string_view>(keyed.begin(), keyed.end()),
              std::vector<std::string_view>(plain.begin(), plain.end()))
        << t;
  }
  // Found through the text, through the key (spelling variants of longer names), and not at all.
  EXPECT_FALSE(nickname_canonicals("bob", phonetic_key("bob")).empty());
  EXPECT_FALSE(nickname_canonicals("katharine", phonetic_key("katharine")).empty());
  EXPECT_FALSE(nickname_canonicals("jeffery", phonetic_key("jeffery")).empty());
  EXPECT_TRUE(nickname_canonicals("qwxz", phonetic_key("qwxz")).empty());
}

TEST(NameSimilarityNicknames, RelationIsSymmetric) {
  const std::vector<std::string_view> names = {"bob", "robert", "rob", "bill", "william", "will", "liam",
                                               "al", "alex", "sasha", "alexander", "peggy", "meg",
                                               "margaret", "jack", "john", "jacob", "kate", "catherine",
                                               "dick", "richard", "ted", "edward", "theodore", "misha"};
  for (auto a : names) {
    for (auto b : names) EXPECT_EQ(are_nicknames(a, b), are_nicknames(b, a)) << a << " " << b;
  }
}

TEST(NameSimilarityCompare, Reasons) {
  EXPECT_EQ(compare_tokens("smith", "smith").how, "exact");
  EXPECT_EQ(compare_tokens("smith", "smith").score, 1.0);
  const auto nick = compare_tokens("bob", "robert");
  EXPECT_EQ(nick.how, "nickname");
  EXPECT_DOUBLE_EQ(nick.score, 0.9);
  const auto ini = compare_tokens("j", "john");
  EXPECT_EQ(ini.how, "initial");
  EXPECT_DOUBLE_EQ(ini.score, 0.6);
  EXPECT_EQ(compare_tokens("k", "john").how, "unmatched");
  const auto ph = compare_tokens("mhmd", "mohammed");
  EXPECT_EQ(ph.how, "phonetic");
  EXPECT_GE(ph.score, 0.8);
  const auto typo = compare_tokens("jonathon", "jonahton");
  EXPECT_EQ(typo.how, "typo");
  EXPECT_GT(typo.score, 0.9);
  const auto none = compare_tokens("smith", "garcia");
  EXPECT_EQ(none.how, "unmatched");
  EXPECT_EQ(none.score, 0.0);
  EXPECT_EQ(compare_tokens("", "x").how, "unmatched");
}

// The matcher keeps each token's nickname_canonicals and hands them over instead of having the
// table looked up per comparison: the answer must be the same, reason and score, for every kind of
// pair (nicknames, spelling variants of a nickname's canonical, phonetic, article, typo, initial,
// unrelated), and with check_nicknames false no pair is called a nickname.
TEST(NameSimilarityCompare, GivenNicknameListsGiveTheSameAnswer) {
  const std::vector<std::string_view> tokens = {
      "bob",      "robert",  "robbie",   "bill",     "william",    "liam",     "katharine", "kate",
      "jeffery",  "jeff",    "peggy",    "margaret", "meg",        "mario",    "maria",     "sasha",
      "alexander", "misha",  "mikhail",  "mohammed", "muhammad",   "mhmd",     "alsobakhi", "sobakhi",
      "elmasri",  "masri",   "jonathon", "jonahton", "j",          "smith",    "garcia",    "ivailo",
      "ivaylo",   "albright", "bright",  "x",        "theodore",   "ted",      "edward",    "dick"};
  int nicknames = 0;
  for (auto a : tokens) {
    const std::string ka = phonetic_key(a);
    for (auto b : tokens) {
      const std::string kb = phonetic_key(b);
      for (const bool check : {true, false}) {
        const TokenSimilarity table = compare_tokens(a, ka, b, kb, check);
        const TokenSimilarity given =
            compare_tokens(a, ka, nickname_canonicals(a), b, kb, nickname_canonicals(b), check);
        EXPECT_EQ(given.how, table.how) << a << " " << b << " " << check;
        EXPECT_DOUBLE_EQ(given.score, table.score) << a << " " << b << " " << check;
        if (!check) {
          EXPECT_NE(given.how, "nickname") << a << " " << b;
        }
        nicknames += check && given.how == "nickname";
      }
      EXPECT_EQ(share_nickname(nickname_canonicals(a), nickname_canonicals(b)), are_nicknames(a, b)) << a << " " << b;
    }
  }
  EXPECT_GE(nicknames, 10) << "the sample holds nickname pairs";
}

// compare_tokens keeps the first token's phonetic symbols for the next call (per thread), and the
// matcher hands in the Jaro-Winkler score it already has: neither may change an answer. Every pair
// is compared with the first token changing at every call and with it fixed over a row, with and
// without the score handed in; the answers must be those of the pair's comparison in a fresh
// thread, where nothing is kept yet.
TEST(NameSimilarityCompare, AnswersDoNotDependOnCallOrderOrAGivenJaroWinkler) {
  const std::vector<std::string_view> tokens = {"mohammed", "muhammad", "mohamad", "mhmd",     "mahmoud", "hassan",
                                                "hussein",  "husein",   "ivailo",  "ivaylo",   "yusuf",   "yosef",
                                                "sergei",   "sergiy",   "alsobakhi", "sobakhi", "smith",  "smyth"};
  std::map<std::pair<std::string_view, std::string_view>, TokenSimilarity> first;
  for (auto a : tokens) {
    for (auto b : tokens) {
      std::thread([&] { first[{a, b}] = compare_tokens(a, phonetic_key(a), {}, b, phonetic_key(b), {}, false); }).join();
    }
  }
  int raised = 0;
  for (const bool rows : {true, false}) {
    for (auto u : tokens) {
      for (auto v : tokens) {
        const auto a = rows ? u : v, b = rows ? v : u;
        const TokenSimilarity& want = first[{a, b}];
        for (const double jw : {-1.0, jaro_winkler(a, b)}) {
          const TokenSimilarity got = compare_tokens(a, phonetic_key(a), {}, b, phonetic_key(b), {}, false, jw);
          EXPECT_EQ(got.how, want.how) << a << " " << b << " jw " << jw;
          EXPECT_DOUBLE_EQ(got.score, want.score) << a << " " << b << " jw " << jw;
        }
        raised += want.how == "phonetic" && want.score > jaro_winkler(a, b);
      }
    }
  }
  EXPECT_GE(raised, 10) << "the sample holds pairs whose vowels are looked at";
}

// Equal keys are raised further when the vowels fit too: an abjad skeleton (Arabic, Hebrew)
// leaves vowels out but does not write different ones, so a skeleton or a fully vowelled
// rendering of the same name scores as near certain, while names that share only consonants
// (mohammed/mahmoud, hassan/hussein) keep the ordinary phonetic score.
TEST(NameSimilarityCompare, VowelsThatFitRaiseAPhoneticMatch) {
  for (auto [a, b] : std::vector<std::pair<std::string_view, std::string_view>>{
           {"murcutt", "murkut"}, {"sudoplatov", "sudublatuf"}, {"archipenko", "artshibnku"},
           {"petrov", "petroff"}, {"mohammed", "mhmd"}, {"garrison", "gharisun"}, {"cornell", "kurnil"}}) {
    const auto s = compare_tokens(a, b);
    EXPECT_EQ(s.how, "phonetic") << a << " " << b;
    EXPECT_GE(s.score, 0.95) << a << " " << b;
  }
  for (auto [a, b] : std::vector<std::pair<std::string_view, std::string_view>>{
           {"mohammed", "mahmoud"},  // o/a, e/ou: different vowels in the same slots
           {"hassan", "hussein"},
           {"cardozo", "kardus"},    // a written final vowel missing on the other side
           {"friel", "firl"},        // each side has a vowel where the other has none
           {"telles", "tlas"},       // e and a are not swapped by transliteration
           {"marion", "marnie"}}) {
    ASSERT_EQ(phonetic_key(a), phonetic_key(b)) << a << " " << b;
    EXPECT_LT(compare_tokens(a, b).score, 0.95) << a << " " << b;
  }
  // Three consonant classes need two vowel slots that agree; two never reach the strong score.
  EXPECT_GE(compare_tokens("kinley", "kinli").score, 0.95);
  EXPECT_DOUBLE_EQ(compare_tokens("okoro", "aukuru").score, 0.88);
  EXPECT_LT(compare_tokens("brian", "bryn").score, 0.95);
  EXPECT_LT(compare_tokens("della", "dila").score, 0.95);
}

// "al"/"el" written on to a name is the Arabic article: the same family name, scored like a
// nickname (0.9), only when the rest matches exactly or strongly.
TEST(NameSimilarityCompare, ArticleWrittenOnToTheName) {
  for (auto [a, b] : std::vector<std::pair<std::string_view, std::string_view>>{
           {"alsobakhi", "sobakhi"}, {"sobakhi", "alsobakhi"}, {"alsbakhi", "sobakhi"}, {"elhinnawi", "hinawi"}}) {
    const auto s = compare_tokens(a, b);
    EXPECT_EQ(s.how, "phonetic") << a << " " << b;
    EXPECT_DOUBLE_EQ(s.score, 0.9) << a << " " << b;
  }
  // Jaro-Winkler alone may already say more; the article never lowers a score.
  EXPECT_GT(compare_tokens("elmasri", "masri").score, 0.9);
  EXPECT_EQ(compare_tokens("alsobakhi", "sabuni").how, "unmatched");
  EXPECT_LT(compare_tokens("alhassan", "hussein").score, 0.9);  // the rest must match strongly
  EXPECT_EQ(compare_tokens("alsobakhi", "alsobakhi").how, "exact");
}

// The matcher screens pairs by Jaro-Winkler alone unless their phonetic keys are equal, they may
// be nicknames or one has an article written on (article_variants): compare_tokens must raise no
// other pair above its Jaro-Winkler score, nor match one below 0.75. Checked over every pair of a
// sample of real-list spellings, typos of them and article forms.
TEST(NameSimilarityCompare, OnlyKeysNicknamesAndArticlesRaiseAPairAboveJaroWinkler) {
  std::vector<std::string> tokens = {"mohammed", "muhammad", "mahmoud", "hassan",  "hussein", "husayn",  "abdullah",
                                     "abdallah", "yusuf",    "yosef",   "joseph",  "ivan",    "ivanov",  "sergei",
                                     "sergey",   "aleksandr", "alexander", "sasha", "rashid", "alrashid", "elrashid",
                                     "masri",    "elmasri",  "sobakhi", "alsobakhi", "bright", "albright", "wang",
                                     "huang",    "zhang",    "chang",   "kim",     "gim",     "park",    "pak",
                                     "catherine", "katharine", "kate",  "robert",  "bob",     "smith",   "smyth",
                                     "garcia",   "gracia",   "nguyen",  "nguen",   "okafor",  "okoro",   "diallo"};
  std::mt19937 rng(7);
  const std::size_t base = tokens.size();
  for (std::size_t k = 0; k < base; ++k) {  // one typo of each: letters swapped, dropped or changed
    std::string t = tokens[k];
    const std::size_t p = 1 + rng() % (t.size() - 1);
    switch (rng() % 3) {
      case 0: std::swap(t[p], t[p - 1]); break;
      case 1: t.erase(p, 1); break;
      default: t[p] = static_cast<char>('a' + rng() % 26); break;
    }
    tokens.push_back(t);
  }
  int raised = 0, screened = 0;
  for (const auto& a : tokens) {
    const std::string ka = phonetic_key(a);
    for (const auto& b : tokens) {
      const std::string kb = phonetic_key(b);
      const TokenSimilarity s = compare_tokens(a, ka, b, kb);
      const double jw = jaro_winkler(a, b);
      if ((!ka.empty() && ka == kb) || are_nicknames(a, b) || article_variants(a, b)) {
        raised += s.score > jw + 1e-9;
        continue;
      }
      ++screened;
      if (jw < 0.75) {
        EXPECT_EQ(s.how, "unmatched") << a << " " << b << " jw " << jw;
      } else {
        EXPECT_DOUBLE_EQ(s.score, jw) << a << " " << b;
      }
    }
  }
  EXPECT_GE(raised, 20) << "the sample holds pairs raised by keys, nicknames and articles";
  EXPECT_GE(screened, 5000);
}

TEST(NameSimilarityCompare, KoreanSurnameRomanisations) {
  EXPECT_TRUE(are_nicknames("lee", "yi"));
  EXPECT_TRUE(are_nicknames("rhee", "yi"));
  EXPECT_TRUE(are_nicknames("park", "pak"));
  EXPECT_TRUE(are_nicknames("choi", "choe"));
  EXPECT_FALSE(are_nicknames("park", "lee"));
  EXPECT_EQ(compare_tokens("yi", "lee").how, "nickname");
}

// A pair that is both in the nickname table and a phonetic match whose vowels fit takes the
// higher of the two scores.
TEST(NameSimilarityCompare, NicknameDoesNotLowerAStrongPhoneticMatch) {
  ASSERT_TRUE(are_nicknames("aleksandr", "alexander"));
  EXPECT_GE(compare_tokens("aleksandr", "alexander").score, 0.95);
  EXPECT_DOUBLE_EQ(compare_tokens("bob", "robert").score, 0.9);
}

TEST(NameSimilarityCompare, TokensWithDigitsMatchOnlyExactly) {
  EXPECT_EQ(compare_tokens("listedperson1", "listedperson10").how, "unmatched");
  EXPECT_EQ(compare_tokens("3", "13").how, "unmatched");
  EXPECT_EQ(compare_tokens("agent007", "agent007").how, "exact");
  EXPECT_EQ(compare_tokens("petrov2", "petrov").how, "unmatched");
}

TEST(NameSimilarityCompare, ScoresInRangeAndSymmetric) {
  const std::vector<std::string_view> toks = {"mohammed", "muhammad", "mhmd", "bob", "robert", "j", "john",
                                              "smith", "smyth", "a", "", "xi", "yuri", "jurij"};
  for (auto a : toks) {
    for (auto b : toks) {
      const auto ab = compare_tokens(a, b);
      const auto ba = compare_tokens(b, a);
      EXPECT_GE(ab.score, 0.0);
      EXPECT_LE(ab.score, 1.0);
      EXPECT_DOUBLE_EQ(ab.score, ba.score) << a << " " << b;
      EXPECT_EQ(ab.how, ba.how) << a << " " << b;
      if (ab.how == "unmatched") {
        EXPECT_EQ(ab.score, 0.0);
      }
    }
  }
}

// ------------------------------------------------------------------------------------------
// Dataset measurements over ../shared/data/names: how often a true (English, foreign-script)
// pair agrees after transliteration + phonetic key, and how often different names collide.

struct PairStats {
  std::size_t pairs = 0;
  std::size_t key_agree = 0;
  std::size_t matched = 0;  // compare_tokens says anything but "unmatched"
};

std::string concat_tokens(std::string_view s) {
  std::string out;
  for (const auto& t : normalize_for_matching(s).tokens) out += t.text;
  return out;
}

// Reads "english<TAB>foreign[<TAB>...]" (or foreign first when `foreign_first`).
std::vector<std::pair<std::string, std::string>> read_pairs(const std::string& path, bool foreign_first,
                                                            std::size_t stride) {
  std::vector<std::pair<std::string, std::string>> out;
  std::ifstream in(path);
  std::string line;
  for (std::size_t n = 0; std::getline(in, line); ++n) {
    if (n % stride != 0) continue;
    const auto t1 = line.find('\t');
    if (t1 == std::string::npos) continue;
    const auto t2 = line.find('\t', t1 + 1);
    std::string a = line.substr(0, t1);
    std::string b = line.substr(t1 + 1, t2 == std::string::npos ? std::string::npos : t2 - t1 - 1);
    if (foreign_first) std::swap(a, b);
    out.emplace_back(std::move(a), std::move(b));
  }
  return out;
}

PairStats measure(const std::vector<std::pair<std::string, std::string>>& pairs) {
  PairStats s;
  for (const auto& [en, foreign] : pairs) {
    const std::string e = concat_tokens(en);
    const std::string f = concat_tokens(foreign);
    if (e.empty() || f.empty()) continue;
    ++s.pairs;
    // Arabic writes the article "al" joined to the name where English often leaves it out;
    // the matcher tries the name with and without it, so the measure does too.
    const bool agree = phonetic_key(e) == phonetic_key(f) ||
                       (f.size() > 4 && f.starts_with("al") && phonetic_key(e) == phonetic_key(f.substr(2)));
    if (agree) ++s.key_agree;
    if (compare_tokens(e, f).how != "unmatched") ++s.matched;
  }
  return s;
}

double pct(std::size_t a, std::size_t b) { return b ? 100.0 * static_cast<double>(a) / static_cast<double>(b) : 0; }

void report(const char* name, const PairStats& s) {
  std::printf("[ dataset  ] %-34s pairs %6zu  key agree %5.1f%%  compare_tokens matched %5.1f%%\n", name, s.pairs,
              pct(s.key_agree, s.pairs), pct(s.matched, s.pairs));
}

// Different names pairing: each English token against a random other English token of the same
// file with the same first letter (hard negatives), counted once per distinct pair.
struct NegStats {
  std::size_t pairs = 0, key_collide = 0, matched = 0;
};

NegStats negatives(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::map<char, std::vector<std::string>> by_first;
  std::set<std::string> seen;
  for (const auto& [en, f] : pairs) {
    std::string e = concat_tokens(en);
    if (e.size() < 3 || !seen.insert(e).second) continue;
    by_first[e[0]].push_back(e);
  }
  NegStats s;
  std::mt19937 rng(12345);
  for (auto& [c, list] : by_first) {
    if (list.size() < 2) continue;
    std::uniform_int_distribution<std::size_t> pick(0, list.size() - 1);
    for (const auto& a : list) {
      const auto& b = list[pick(rng)];
      if (a == b) continue;
      ++s.pairs;
      if (phonetic_key(a) == phonetic_key(b)) ++s.key_collide;
      if (compare_tokens(a, b).how != "unmatched") ++s.matched;
    }
  }
  return s;
}

TEST(NameSimilarityDataset, TokenPairsAgreeAfterTransliteration) {
  CROSSCHECK_REQUIRE_SHARED_DATA("names/wikidata-tokens-en-russian.tsv");
  struct File {
    const char* name;
    bool foreign_first;
    double min_key_agree;  // regression floors, well below the measured figures
    std::size_t stride = 1;  // the whole-name files are large: every n-th line is enough
  };
  const File files[] = {
      {"names/wikidata-tokens-en-russian.tsv", false, 60},
      {"names/wikidata-tokens-en-arabic.tsv", false, 65},
      {"names/wikidata-tokens-en-chinese.tsv", false, 15},
      {"names/google-ar2en.tsv", true, 70},
      // Whole names (tokens concatenated): mostly Western names written in Hebrew/Korean.
      {"names/wikidata-en-hebrew.tsv", false, 35, 4},
      {"names/wikidata-en-korean.tsv", false, 10, 4},
  };
  for (const auto& f : files) {
    const std::string path = testing::shared_data_path(f.name);
    if (!testing::path_exists(path)) {
      std::printf("[ dataset  ] %s absent, not measured\n", f.name);
      continue;
    }
    const auto pairs = read_pairs(path, f.foreign_first, f.stride);
    const auto s = measure(pairs);
    report(f.name, s);
    const auto n = negatives(pairs);
    std::printf("[ dataset  ] %-34s hard negatives %zu  key collide %5.1f%%  compare_tokens matched %5.1f%%\n",
                f.name, n.pairs, pct(n.key_collide, n.pairs), pct(n.matched, n.pairs));
    ASSERT_GT(s.pairs, 1000u) << f.name;
    EXPECT_GE(pct(s.key_agree, s.pairs), f.min_key_agree) << f.name;
    EXPECT_LT(pct(n.key_collide, n.pairs), 10.0) << f.name;
  }
}

TEST(NameSimilarityDataset, NicknameTableRecall) {
  CROSSCHECK_REQUIRE_SHARED_DATA("names/nicknames.csv");
  // Lines are "name1,has_nickname,name2": measure how many of those pairs the project's own
  // table (written independently) joins.
  std::ifstream in(testing::shared_data_path("names/nicknames.csv"));
  std::string line;
  std::size_t pairs = 0, joined = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) {
      std::string t;
      for (char c : cell) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || c == '_') t.push_back(c);
      }
      cells.push_back(t);
    }
    if (cells.size() != 3 || cells[1] != "has_nickname") continue;
    ++pairs;
    if (are_nicknames(cells[0], cells[2])) ++joined;
  }
  std::printf("[ dataset  ] nickname pairs %zu  joined by the project table %5.1f%%\n", pairs, pct(joined, pairs));
  ASSERT_GT(pairs, 100u);
  EXPECT_GT(pct(joined, pairs), 30.0);
}

}  // namespace
}  // namespace crosscheck::rules
