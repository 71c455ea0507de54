#include "crosscheck/rules/normalize.h"

#include <gtest/gtest.h>

namespace crosscheck::rules {
namespace {

TEST(NormalizeName, AsciiUppercasesSortsAndCollapses) {
  EXPECT_EQ(normalize_name("Ivan Petrov"), "IVAN PETROV");
  EXPECT_EQ(normalize_name("Petrov, Ivan"), "IVAN PETROV");
  EXPECT_EQ(normalize_name("  PETROV   ivan  "), "IVAN PETROV");
  EXPECT_EQ(normalize_name("Viktor Dragan-Ionescu"), "DRAGAN IONESCU VIKTOR");
  EXPECT_EQ(normalize_name("Black Tide Logistics B.V."), "B BLACK LOGISTICS TIDE V");
  EXPECT_EQ(normalize_name("Agent 007"), "007 AGENT");
}

TEST(NormalizeName, EmptyWhenNothingToMatch) {
  EXPECT_EQ(normalize_name(""), "");
  EXPECT_EQ(normalize_name("  - ,. "), "");
  EXPECT_EQ(normalize_name("\xE2\x80\x94 \xE2\x80\x94"), "");  // em dashes only
}

TEST(NormalizeName, DiacriticsRemovedAndAgreesWithAscii) {
  EXPECT_EQ(normalize_name("Müller"), normalize_name("MULLER"));
  EXPECT_EQ(normalize_name("Helena MÜLLER-ROTH"), "HELENA MULLER ROTH");
  EXPECT_EQ(normalize_name("José Álvarez"), "ALVAREZ JOSE");
  EXPECT_EQ(normalize_name("Amina Keßler"), "AMINA KESSLER");
  EXPECT_EQ(normalize_name("François Çelik"), normalize_name("CELIK FRANCOIS"));
}

TEST(NormalizeName, UndecomposableLatinLetters) {
  EXPECT_EQ(normalize_name("Łukasz"), "LUKASZ");
  EXPECT_EQ(normalize_name("Søren Ødegård"), "ODEGARD SOREN");
  EXPECT_EQ(normalize_name("Đorđe"), "DORDE");
}

TEST(NormalizeName, CompatibilityFormsFold) {
  EXPECT_EQ(normalize_name("ＭＵＬＬＥＲ"), "MULLER");  // full-width letters
  EXPECT_EQ(normalize_name("Mu\xCC\x88ller"), "MULLER");   // combining diaeresis
}

TEST(NormalizeName, CyrillicIsConsistentAcrossCase) {
  const std::string a = normalize_name("Иван Петров");
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, normalize_name("ПЕТРОВ, ИВАН"));
  EXPECT_EQ(a, normalize_name("петров иван"));
  EXPECT_NE(a, normalize_name("IVAN PETROV"));  // no transliteration in this version
}

TEST(NormalizeName, InvalidUtf8DoesNotCrash) {
  EXPECT_EQ(normalize_name("AB\xFF CD"), "AB CD");
}

TEST(NormalizeDocument, UpperAlnumOnly) {
  EXPECT_EQ(normalize_document("rx-441 7208"), "RX4417208");
  EXPECT_EQ(normalize_document(" - "), "");
}

TEST(NormalizeIban, SpacesAndCaseRemoved) {
  EXPECT_EQ(normalize_iban("de89 3704-0044 0532 0130 00"), "DE89370400440532013000");
  EXPECT_EQ(normalize_iban("GB33BUKB20201555555555"), "GB33BUKB20201555555555");
}

TEST(NormalizeImo, PrefixStrippedAndSevenDigitsRequired) {
  EXPECT_EQ(normalize_imo("9321483"), "9321483");
  EXPECT_EQ(normalize_imo("IMO 9321483"), "9321483");
  EXPECT_EQ(normalize_imo("imo9321483"), "9321483");
  EXPECT_EQ(normalize_imo("932148"), "");
  EXPECT_EQ(normalize_imo("93214830"), "");
  EXPECT_EQ(normalize_imo("IMO 93214A3"), "");
  EXPECT_EQ(normalize_imo(""), "");
}

}  // namespace
}  // namespace crosscheck::rules
