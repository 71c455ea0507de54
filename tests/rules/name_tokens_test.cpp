#include "crosscheck/rules/name_tokens.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace crosscheck::rules {
namespace {

// The token texts joined with single spaces, e.g. "john smith".
std::string joined(std::string_view name) {
  std::string out;
  for (const auto& t : normalize_for_matching(name).tokens) {
    if (!out.empty()) out.push_back(' ');
    out += t.text;
  }
  return out;
}

std::vector<TokenClass> classes(std::string_view name) {
  std::vector<TokenClass> out;
  for (const auto& t : normalize_for_matching(name).tokens) out.push_back(t.cls);
  return out;
}

TEST(NameTokensAscii, LowerCasesAndSplitsOnPunctuation) {
  EXPECT_EQ(joined("John  SMITH"), "john smith");
  EXPECT_EQ(joined("  smith;john/paul  "), "smith john paul");
  EXPECT_EQ(joined("Agent 007"), "agent 007");
  EXPECT_FALSE(normalize_for_matching("John Smith").transliterated);
}

TEST(NameTokensAscii, ApostrophesAndHyphensInsideAWordAreDropped) {
  EXPECT_EQ(joined("O'Neil"), "oneil");
  EXPECT_EQ(joined("al-Qaida"), "alqaida");
  EXPECT_EQ(joined("Jean-Pierre Dupont"), "jeanpierre dupont");
  // Outside a word they separate.
  EXPECT_EQ(joined("smith - jones 'x'"), "smith jones x");
}

TEST(NameTokensAscii, ArabicParticlesAreOrdinaryTokens) {
  // The matcher, not the normaliser, joins "al" + "qaida" to meet "alqaida".
  const auto n = normalize_for_matching("Abu Bakr Al Baghdadi bin Laden");
  ASSERT_EQ(n.tokens.size(), 6u);
  for (const auto& t : n.tokens) EXPECT_EQ(t.cls, TokenClass::kNormal) << t.text;
}

TEST(NameTokensAscii, SingleLettersAreInitials) {
  const auto n = normalize_for_matching("J. R. Smith");
  ASSERT_EQ(n.tokens.size(), 3u);
  EXPECT_EQ(n.tokens[0].text, "j");
  EXPECT_EQ(n.tokens[0].cls, TokenClass::kInitial);
  EXPECT_EQ(n.tokens[1].cls, TokenClass::kInitial);
  EXPECT_EQ(n.tokens[2].cls, TokenClass::kNormal);
  EXPECT_EQ(joined("J.R. Smith"), "j r smith");
}

TEST(NameTokensAscii, SurnameCommaGivenIsReordered) {
  EXPECT_EQ(joined("SMITH, John Paul"), "john paul smith");
  EXPECT_EQ(joined("SMITH,John"), "john smith");
  // Not exactly one comma: left alone.
  EXPECT_EQ(joined("Smith, John, Jr"), "smith john jr");
  // A comma before a legal form is not a name order.
  EXPECT_EQ(joined("Acme Trading, Ltd."), "acme trading ltd");
  EXPECT_EQ(joined("Acme Trading Co., L.L.C."), "acme trading co llc");
  // Nothing on one side.
  EXPECT_EQ(joined("Smith,"), "smith");
  EXPECT_EQ(joined(", John"), "john");
}

TEST(NameTokensAscii, HonorificsAreDroppedUnlessTheyAreTheWholeName) {
  EXPECT_EQ(joined("Mr. John Smith"), "john smith");
  EXPECT_EQ(joined("Dr John Smith"), "john smith");
  EXPECT_EQ(joined("H.E. Sheikh Dr. Ahmed Ali"), "ahmed ali");
  EXPECT_EQ(joined("His Excellency General Ahmed Ali"), "ahmed ali");
  EXPECT_EQ(joined("Haji Mullah Omar"), "omar");
  EXPECT_EQ(joined("SMITH, Mr John"), "john smith");
  // The whole name: kept.
  EXPECT_EQ(joined("Sheikh"), "sheikh");
  EXPECT_EQ(joined("Dr. Sheikh"), "sheikh");
  // Only leading titles: "General" inside a company name stays.
  EXPECT_EQ(joined("Acme General Trading"), "acme general trading");
  EXPECT_TRUE(is_honorific("shaikh"));
  EXPECT_TRUE(is_honorific("captain"));
  EXPECT_FALSE(is_honorific("smith"));
}

TEST(NameTokensAscii, LegalFormsAndConnectorsAreWeak) {
  const auto c = classes("Bank of Foo AG");
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0], TokenClass::kNormal);
  EXPECT_EQ(c[1], TokenClass::kWeak);
  EXPECT_EQ(c[2], TokenClass::kNormal);
  EXPECT_EQ(c[3], TokenClass::kWeak);
  for (std::string_view w : {"llc", "ltd", "limited", "inc", "gmbh", "aktiengesellschaft", "plc", "jsc", "ooo",
                             "fze", "sdn", "bhd", "the", "and", "co", "corp", "sarl", "pjsc"}) {
    EXPECT_TRUE(is_weak_token(w)) << w;
  }
  EXPECT_FALSE(is_weak_token("al"));
  EXPECT_FALSE(is_weak_token("bin"));
  EXPECT_EQ(joined("A & B Holdings S.A."), "a and b holdings sa");
  EXPECT_EQ(classes("A & B Holdings S.A.")[1], TokenClass::kWeak);
}

TEST(NameTokensAscii, EmptyAndWhitespaceOnly) {
  EXPECT_TRUE(normalize_for_matching("").tokens.empty());
  EXPECT_TRUE(normalize_for_matching("   \t\n ").tokens.empty());
  EXPECT_TRUE(normalize_for_matching(".,;-'").tokens.empty());
  EXPECT_TRUE(normalize_for_matching("\xC2\xA0\xE3\x80\x80").tokens.empty());  // NBSP, ideographic space
}

TEST(NameTokensAscii, ReusesTheOutputObject) {
  NormalizedName n;
  normalize_for_matching("Владимир Путин", n);
  EXPECT_TRUE(n.transliterated);
  normalize_for_matching("John", n);
  ASSERT_EQ(n.tokens.size(), 1u);
  EXPECT_FALSE(n.transliterated);
}

TEST(NameTokensUnicode, DiacriticsAreRemoved) {
  EXPECT_EQ(joined("Müller"), "muller");
  EXPECT_EQ(joined("Đorđević"), "dordevic");
  EXPECT_EQ(joined("José Ñúñez"), "jose nunez");
  EXPECT_EQ(joined("Łukasz Żółć"), "lukasz zolc");
  EXPECT_EQ(joined("Søren Ærø"), "soren aero");
  EXPECT_EQ(joined("Straße"), "strasse");
  EXPECT_EQ(joined("Ahmet Yılmaz"), "ahmet yilmaz");
  // Latin letters with diacritics are not a transliteration.
  EXPECT_FALSE(normalize_for_matching("Müller").transliterated);
}

TEST(NameTokensUnicode, CompatibilityFormsAreFolded) {
  EXPECT_EQ(joined("ＪＯＨＮ　ＳＭＩＴＨ"), "john smith");  // fullwidth letters and space
  EXPECT_EQ(joined("ﬁnn"), "finn");                      // ligature
  EXPECT_EQ(joined("Ｓｍｉｔｈ，Ｊｏｈｎ"), "john smith");  // fullwidth comma
  EXPECT_EQ(joined("O’Neil"), "oneil");                   // typographic apostrophe
}

TEST(NameTokensUnicode, Cyrillic) {
  const auto n = normalize_for_matching("Владимир Путин");
  EXPECT_TRUE(n.transliterated);
  EXPECT_EQ(joined("Владимир Путин"), "vladimir putin");
  EXPECT_EQ(joined("Юрий Гагарин"), "yuriy gagarin");
  EXPECT_EQ(joined("Чайковский"), "chaykovskiy");
  EXPECT_EQ(joined("ПУТИН, Владимир"), "vladimir putin");
  EXPECT_EQ(joined("ООО Ромашка"), "ooo romashka");
  EXPECT_EQ(classes("ООО Ромашка")[0], TokenClass::kWeak);
  // BGN's middle dot (э after a consonant, с+х) stays inside the word.
  EXPECT_EQ(joined("Стэкхауз"), "stekkhauz");
  EXPECT_EQ(joined("Чэпмен"), "chepmen");
  // Ukrainian letters outside the Russian table still come out Latin.
  EXPECT_EQ(joined("Київ").find_first_not_of("abcdefghijklmnopqrstuvwxyz"), std::string::npos);
}

TEST(NameTokensUnicode, Arabic) {
  EXPECT_TRUE(normalize_for_matching("محمد").transliterated);
  EXPECT_EQ(joined("محمد"), "mhmd");
  EXPECT_EQ(joined("أسامة بن لادن"), "asama bn ladn");
  EXPECT_EQ(joined("علي"), "ali");
  EXPECT_EQ(joined("يوسف"), "yusf");
  // Vowel marks, when written, are kept.
  EXPECT_EQ(joined("مُحَمَّد"), "muhamad");
  EXPECT_EQ(joined("الشيخ، أحمد"), "ahmd alshikh");
}

TEST(NameTokensUnicode, HebrewGreekChineseKorean) {
  EXPECT_EQ(joined("משה"), "msha");
  EXPECT_EQ(joined("ג'ורג' וושינגטון"), "jurj vshingtun");
  EXPECT_EQ(joined("בנימין נתניהו"), "bnimin ntnihu");
  // A final bet is v (-ov, -ev, Aviv); elsewhere b.
  EXPECT_EQ(joined("סמדוב"), "smduv");
  EXPECT_EQ(joined("תל אביב"), "tl abiv");
  EXPECT_EQ(joined("Γιώργος Παπαδόπουλος"), "giorgos papadopoulos");
  EXPECT_EQ(joined("习近平"), "xi jinping");
  EXPECT_EQ(joined("毛泽东"), "mao zedong");
  // Korean surnames come out as English writes them (RR would give "gim", "bag", "i"); the
  // given name stays in Revised Romanization.
  EXPECT_EQ(joined("김정은"), "kim jeongeun");
  EXPECT_EQ(joined("박지성"), "park jiseong");
  EXPECT_EQ(joined("이석준"), "lee seogjun");
  // Only as the first syllable of a 2-3 syllable name: a longer run (a Western name written in
  // Hangul) keeps its reading.
  EXPECT_EQ(joined("이바노비치"), "ibanobichi");
  for (std::string_view s : {"משה", "Γιώργος", "习近平", "김정은", "すずき", "ราม"}) {
    const auto n = normalize_for_matching(s);
    EXPECT_TRUE(n.transliterated) << s;
    ASSERT_FALSE(n.tokens.empty()) << s;
    for (const auto& t : n.tokens) {
      EXPECT_EQ(t.text.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789"), std::string::npos) << s;
    }
  }
}

TEST(NameTokensUnicode, MixedScripts) {
  EXPECT_EQ(joined("John Путин 習"), "john putin xi");
}

TEST(NameTokensRobustness, InvalidUtf8BytesAreDropped) {
  EXPECT_EQ(joined("Jo\xFFhn Sm\xC3ith"), "john smith");
  EXPECT_EQ(joined("M\xC3\xBCller\xE2\x82"), "muller");  // truncated sequence at the end
  EXPECT_EQ(joined("\xED\xA0\x80x"), "x");                 // encoded surrogate
  EXPECT_TRUE(normalize_for_matching("\xFF\xFE\xFD").tokens.empty());
  const std::string with_nul("Jo\0hn", 5);
  EXPECT_EQ(joined(with_nul), "jo hn");
}

TEST(NameTokensRobustness, VeryLongInputs) {
  std::string ascii;
  while (ascii.size() < 100 * 1024) ascii += "Abcdef, Ghi-jkl ";
  const auto a = normalize_for_matching(ascii);
  EXPECT_GT(a.tokens.size(), 1000u);
  std::string cyr;
  while (cyr.size() < 100 * 1024) cyr += "Владимир Ü 習 ";
  const auto c = normalize_for_matching(cyr);
  EXPECT_GT(c.tokens.size(), 1000u);
  EXPECT_TRUE(c.transliterated);
  const std::string one_word(100 * 1024, 'x');
  ASSERT_EQ(normalize_for_matching(one_word).tokens.size(), 1u);
}

TEST(NameTokensRobustness, ConcurrentUseGivesTheSameResults) {
  const std::vector<std::string> names = {"Владимир Путин", "محمد علي", "习近平", "Müller", "김정은",
                                          "Γιώργος", "John Smith"};
  std::vector<std::string> expected;
  for (const auto& n : names) expected.push_back(joined(n));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        for (std::size_t i = 0; i < names.size(); ++i) {
          if (joined(names[i]) != expected[i]) ++mismatches[static_cast<std::size_t>(t)];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

TEST(NameTokensRobustness, CacheEvictionKeepsResultsRight) {
  // More distinct non-ASCII names than the per-thread cache holds.
  for (int i = 0; i < 5000; ++i) {
    const std::string name = "Ü" + std::to_string(i);
    ASSERT_EQ(joined(name), "u" + std::to_string(i));
  }
  EXPECT_EQ(joined("Владимир"), "vladimir");
}

TEST(NameTokensLatin, ToLatinAsciiKeepsPunctuation) {
  EXPECT_EQ(to_latin_ascii("Müller, Hans"), "muller, hans");
  EXPECT_EQ(to_latin_ascii("ПУТИН"), "putin");
  EXPECT_EQ(to_latin_ascii("ABC"), "abc");
}

}  // namespace
}  // namespace crosscheck::rules
