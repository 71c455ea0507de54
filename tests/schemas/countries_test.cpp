#include <gtest/gtest.h>

#include <set>
#include <string>

#include "crosscheck/schemas/identifiers.h"

namespace crosscheck::schemas::ids {
namespace {

std::string a3(std::string_view any) {
  auto r = country_alpha3_of(any);
  return r ? std::string(*r) : std::string("<none>");
}

TEST(CountryAlpha3, EveryAlpha3CodeMapsToItself) {
  for (auto code : country_alpha3_codes()) EXPECT_EQ(a3(code), code);
}

TEST(CountryAlpha3, EveryAlpha2CodeMapsToADistinctAlpha3Code) {
  std::set<std::string> seen;
  for (auto code : country_alpha2_codes()) {
    const std::string out = a3(code);
    ASSERT_TRUE(is_country_alpha3(out)) << code << " -> " << out;
    EXPECT_TRUE(seen.insert(out).second) << code << " maps to " << out << " twice";
  }
  EXPECT_EQ(seen.size(), kCountryCount);
  EXPECT_EQ(a3("DE"), "DEU");
  EXPECT_EQ(a3("GB"), "GBR");
  EXPECT_EQ(a3("KP"), "PRK");
  EXPECT_EQ(a3("CD"), "COD");
  EXPECT_EQ(a3("PS"), "PSE");
}

TEST(CountryAlpha3, CodesOnlyInUpperCase) {
  // A lower-case "na" in the UN list means "not available", not Namibia.
  EXPECT_EQ(a3("na"), "<none>");
  EXPECT_EQ(a3("NA"), "NAM");
  EXPECT_EQ(a3("deu"), "<none>");
  EXPECT_EQ(a3("XK"), "<none>");  // user-assigned, not ISO 3166-1
}

TEST(CountryAlpha3, IsoShortAndFormalNames) {
  EXPECT_EQ(a3("Germany"), "DEU");
  EXPECT_EQ(a3("Federal Republic of Germany"), "DEU");
  EXPECT_EQ(a3("Russian Federation"), "RUS");
  EXPECT_EQ(a3("Syrian Arab Republic"), "SYR");
  EXPECT_EQ(a3("Iran, Islamic Republic of"), "IRN");
  EXPECT_EQ(a3("United Kingdom of Great Britain and Northern Ireland"), "GBR");
  EXPECT_EQ(a3("United States of America"), "USA");
  EXPECT_EQ(a3("Viet Nam"), "VNM");
  EXPECT_EQ(a3("Lao People's Democratic Republic"), "LAO");
  EXPECT_EQ(a3("Côte d'Ivoire"), "CIV");
  EXPECT_EQ(a3("Curaçao"), "CUW");
  EXPECT_EQ(a3("Åland Islands"), "ALA");
  EXPECT_EQ(a3("Türkiye"), "TUR");
  EXPECT_EQ(a3("Niger"), "NER");
  EXPECT_EQ(a3("Nigeria"), "NGA");
  EXPECT_EQ(a3("Guinea"), "GIN");
  EXPECT_EQ(a3("Equatorial Guinea"), "GNQ");
  EXPECT_EQ(a3("Dominica"), "DMA");
  EXPECT_EQ(a3("Dominican Republic"), "DOM");
}

TEST(CountryAlpha3, SpellingsTheUnListUses) {
  EXPECT_EQ(a3("Iran (Islamic Republic of)"), "IRN");
  EXPECT_EQ(a3("Democratic People's Republic of Korea"), "PRK");
  EXPECT_EQ(a3("Democratic Republic of the Congo"), "COD");
  EXPECT_EQ(a3("Congo"), "COG");
  EXPECT_EQ(a3("United Republic of Tanzania"), "TZA");
  EXPECT_EQ(a3("State of Palestine"), "PSE");
  EXPECT_EQ(a3("China, Hong Kong Special Administrative Region"), "HKG");
  EXPECT_EQ(a3("British Virgin Islands"), "VGB");
  EXPECT_EQ(a3("Guinea-Bissau"), "GNB");
  EXPECT_EQ(a3("Turkey"), "TUR");
  EXPECT_EQ(a3("Myanmar"), "MMR");
}

TEST(CountryAlpha3, SpellingsTheOfacListUses) {
  EXPECT_EQ(a3("Korea, North"), "PRK");
  EXPECT_EQ(a3("Korea, South"), "KOR");
  EXPECT_EQ(a3("Russia"), "RUS");
  EXPECT_EQ(a3("Syria"), "SYR");
  EXPECT_EQ(a3("Iran"), "IRN");
  EXPECT_EQ(a3("Burma"), "MMR");
  EXPECT_EQ(a3("Congo, Democratic Republic of the"), "COD");
  EXPECT_EQ(a3("Congo, Republic of the"), "COG");
  EXPECT_EQ(a3("Virgin Islands, British"), "VGB");
  EXPECT_EQ(a3("Man, Isle of"), "IMN");
  EXPECT_EQ(a3("Bahamas, The"), "BHS");
  EXPECT_EQ(a3("The Gambia"), "GMB");
  EXPECT_EQ(a3("Cote d Ivoire"), "CIV");
  EXPECT_EQ(a3("Palestinian"), "PSE");
  EXPECT_EQ(a3("West Bank"), "PSE");
  EXPECT_EQ(a3("Region: Gaza"), "PSE");
  EXPECT_EQ(a3("Taiwan"), "TWN");
  EXPECT_EQ(a3("Vietnam"), "VNM");
  EXPECT_EQ(a3("Laos"), "LAO");
  EXPECT_EQ(a3("Czech Republic"), "CZE");
  EXPECT_EQ(a3("St. Kitts & Nevis"), "KNA");
  EXPECT_EQ(a3("St. Vincent and the Grenadines"), "VCT");
  EXPECT_EQ(a3("Macedonia, The Former Yugoslav Republic of"), "MKD");
  EXPECT_EQ(a3("North Macedonia, The Republic of"), "MKD");
  EXPECT_EQ(a3("Cabo Verde"), "CPV");
  EXPECT_EQ(a3("Hong Kong"), "HKG");
  EXPECT_EQ(a3("Macau"), "MAC");
  EXPECT_EQ(a3("United Kingdom"), "GBR");
  EXPECT_EQ(a3("United States"), "USA");
}

TEST(CountryAlpha3, CaseAndPunctuationInsensitive) {
  EXPECT_EQ(a3("RUSSIAN FEDERATION"), "RUS");
  EXPECT_EQ(a3("  russian   federation. "), "RUS");
  EXPECT_EQ(a3("KOREA, NORTH"), "PRK");
  EXPECT_EQ(a3("bosnia and herzegovina"), "BIH");
  EXPECT_EQ(a3("Bosnia & Herzegovina"), "BIH");
  EXPECT_EQ(a3("Cote d’Ivoire"), "CIV");
}

TEST(CountryAlpha3, NotCountries) {
  for (std::string_view s : {"", " ", "Europe", "undetermined", "None Identified", "former Soviet Union",
                             "Netherlands Antilles", "Region: Kafia Kingi", "Region: Crimea", "possibly Palestinian",
                             "Maulavi", "UN List", "2003-09-03", "Korea", "Republic", "the", ",", "(", "\xff\xfe"}) {
    EXPECT_EQ(a3(s), "<none>") << "\"" << s << "\"";
  }
  EXPECT_EQ(a3(std::string(10000, 'a')), "<none>");
}

}  // namespace
}  // namespace crosscheck::schemas::ids
