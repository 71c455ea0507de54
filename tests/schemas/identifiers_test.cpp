// Unit tests for the identifier validators, on the standards' own specimen values. Check digits
// quoted in comments were computed by hand from each algorithm and are recomputed here by an
// independent reference implementation, so a wrong specimen cannot hide a wrong validator.
#include "crosscheck/schemas/identifiers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "crosscheck/testing/test_env.h"

namespace crosscheck::schemas::ids {
namespace {

// ---- ICAO 9303 -------------------------------------------------------------------------------

// Reference: weights 7,3,1; '<' = 0, A = 10 ... Z = 35.
int reference_icao(std::string_view s) {
  const int w[3] = {7, 3, 1};
  int sum = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const int v = c == '<' ? 0 : (c >= '0' && c <= '9') ? c - '0' : c - 'A' + 10;
    sum += v * w[i % 3];
  }
  return sum % 10;
}

TEST(Icao9303, CharacterValues) {
  EXPECT_EQ(icao_char_value('<'), 0);
  EXPECT_EQ(icao_char_value('0'), 0);
  EXPECT_EQ(icao_char_value('9'), 9);
  EXPECT_EQ(icao_char_value('A'), 10);
  EXPECT_EQ(icao_char_value('Z'), 35);
  EXPECT_EQ(icao_char_value('a'), -1);
  EXPECT_EQ(icao_char_value(' '), -1);
  EXPECT_EQ(icao_check_digit("a"), -1);
}

TEST(Icao9303, SpecimenFieldDigits) {
  // ICAO 9303 part 3 worked examples: document number L898902C3 -> 6; 740812 -> 2; 120415 -> 9.
  EXPECT_EQ(icao_check_digit("L898902C3"), 6);
  EXPECT_EQ(icao_check_digit("740812"), 2);
  EXPECT_EQ(icao_check_digit("120415"), 9);
  EXPECT_EQ(icao_check_digit("D23145890"), 7);
  EXPECT_EQ(reference_icao("L898902C3"), 6);
  EXPECT_EQ(reference_icao("D23145890"), 7);
  EXPECT_TRUE(icao_check_digit_ok("L898902C3", '6'));
  EXPECT_FALSE(icao_check_digit_ok("L898902C3", '5'));
  EXPECT_FALSE(icao_check_digit_ok("L898902C3", '<'));
}

constexpr std::string_view kTd3Line1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
constexpr std::string_view kTd3Line2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10";
constexpr std::string_view kTd1Line1 = "I<UTOD231458907<<<<<<<<<<<<<<<";
constexpr std::string_view kTd1Line2 = "7408122F1204159UTO<<<<<<<<<<<6";
constexpr std::string_view kTd1Line3 = "ERIKSSON<<ANNA<MARIA<<<<<<<<<<";

TEST(Icao9303, Td3SpecimenPassesAllFourDigits) {
  const std::array<std::string_view, 2> lines = {kTd3Line1, kTd3Line2};
  MrzError error{};
  const auto m = parse_mrz(lines, &error);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(error, MrzError::kNone);
  EXPECT_EQ(m->format, MrzFormat::kTD3);
  EXPECT_EQ(m->document_code, "P<");
  EXPECT_EQ(m->issuing_state, "UTO");
  EXPECT_EQ(m->document_number, "L898902C3");
  EXPECT_EQ(m->nationality, "UTO");
  EXPECT_EQ(m->date_of_birth, "740812");
  EXPECT_EQ(m->sex, "F");
  EXPECT_EQ(m->expiry, "120415");
  EXPECT_TRUE(m->document_number_ok);
  EXPECT_TRUE(m->date_of_birth_ok);
  EXPECT_TRUE(m->expiry_ok);
  EXPECT_TRUE(m->composite_ok);
  EXPECT_TRUE(m->all_ok());
  // Composite over positions 1-10, 14-20, 22-43 (1-based) is 0.
  const std::string composite = std::string(kTd3Line2.substr(0, 10)) + std::string(kTd3Line2.substr(13, 7)) +
                                std::string(kTd3Line2.substr(21, 22));
  EXPECT_EQ(reference_icao(composite), 0);
}

TEST(Icao9303, Td1SpecimenPassesAllFourDigits) {
  const std::array<std::string_view, 3> lines = {kTd1Line1, kTd1Line2, kTd1Line3};
  const auto m = parse_mrz(lines);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->format, MrzFormat::kTD1);
  EXPECT_EQ(m->document_code, "I<");
  EXPECT_EQ(m->issuing_state, "UTO");
  EXPECT_EQ(m->document_number, "D23145890");
  EXPECT_EQ(m->document_number_overflow, "");
  EXPECT_EQ(m->date_of_birth, "740812");
  EXPECT_EQ(m->sex, "F");
  EXPECT_EQ(m->expiry, "120415");
  EXPECT_EQ(m->nationality, "UTO");
  EXPECT_TRUE(m->document_number_ok);
  EXPECT_TRUE(m->date_of_birth_ok);
  EXPECT_TRUE(m->expiry_ok);
  EXPECT_TRUE(m->composite_ok);
  // Composite over line 1 positions 6-30, line 2 positions 1-7, 9-15, 19-29 (1-based) is 6.
  const std::string composite = std::string(kTd1Line1.substr(5, 25)) + std::string(kTd1Line2.substr(0, 7)) +
                                std::string(kTd1Line2.substr(8, 7)) + std::string(kTd1Line2.substr(18, 11));
  EXPECT_EQ(reference_icao(composite), 6);
}

// Changing any single digit of a check-digit-protected field, or any check digit, fails at least
// one check.
TEST(Icao9303, EveryDigitMutationFails) {
  auto mutate_all = [](std::vector<std::string> lines, const std::vector<std::pair<std::size_t, std::size_t>>& spots) {
    for (const auto& [line, pos] : spots) {
      for (char d = '0'; d <= '9'; ++d) {
        std::vector<std::string> copy = lines;
        if (copy[line][pos] == d) continue;
        copy[line][pos] = d;
        std::vector<std::string_view> views(copy.begin(), copy.end());
        const auto m = parse_mrz(views);
        ASSERT_TRUE(m.has_value());
        EXPECT_FALSE(m->all_ok()) << "line " << line << " position " << pos << " -> " << d;
      }
    }
  };
  std::vector<std::pair<std::size_t, std::size_t>> td3;
  for (std::size_t p : {1, 2, 3, 4, 5, 6, 8, 9, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 24, 25, 26, 27, 43}) {
    td3.emplace_back(1, p);
  }
  mutate_all({std::string(kTd3Line1), std::string(kTd3Line2)}, td3);
  std::vector<std::pair<std::size_t, std::size_t>> td1;
  for (std::size_t p : {6, 7, 8, 9, 10, 11, 12, 13, 14}) td1.emplace_back(0, p);
  for (std::size_t p : {0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 29}) td1.emplace_back(1, p);
  mutate_all({std::string(kTd1Line1), std::string(kTd1Line2), std::string(kTd1Line3)}, td1);
}

TEST(Icao9303, EachDigitIsReportedSeparately) {
  std::string l2(kTd3Line2);
  l2[19] = '3';  // birth date check digit
  const std::array<std::string_view, 2> lines = {kTd3Line1, l2};
  const auto m = parse_mrz(lines);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->document_number_ok);
  EXPECT_FALSE(m->date_of_birth_ok);
  EXPECT_TRUE(m->expiry_ok);
  EXPECT_FALSE(m->composite_ok);
}

TEST(Icao9303, FormatErrors) {
  MrzError error{};
  const std::array<std::string_view, 1> one = {kTd3Line1};
  EXPECT_FALSE(parse_mrz(one, &error).has_value());
  EXPECT_EQ(error, MrzError::kLineCount);
  const std::array<std::string_view, 2> mixed = {kTd3Line1, kTd1Line2};
  EXPECT_FALSE(parse_mrz(mixed, &error).has_value());
  EXPECT_EQ(error, MrzError::kLineLength);
  const std::array<std::string_view, 3> td3_in_td1 = {kTd3Line1, kTd3Line2, kTd3Line2};
  EXPECT_FALSE(parse_mrz(td3_in_td1, &error).has_value());
  EXPECT_EQ(error, MrzError::kLineLength);
  std::string lower(kTd3Line1);
  lower[6] = 'r';
  const std::array<std::string_view, 2> bad = {lower, kTd3Line2};
  EXPECT_FALSE(parse_mrz(bad, &error).has_value());
  EXPECT_EQ(error, MrzError::kCharset);
  EXPECT_FALSE(parse_mrz(std::span<const std::string_view>{}, &error).has_value());
  EXPECT_EQ(error, MrzError::kLineCount);
}

TEST(Icao9303, Td1LongDocumentNumberOverflow) {
  // Number D23145890123 (12 characters): positions 6-14 hold D23145890, position 15 is '<', then
  // 123 and the check digit over the whole number in the optional data.
  const int check = reference_icao("D23145890123");
  std::string l1 = "I<UTOD23145890<123" + std::to_string(check);
  l1.resize(30, '<');
  std::string l2 = "7408122F1204159UTO<<<<<<<<<<<";
  const std::string composite = l1.substr(5, 25) + l2.substr(0, 7) + l2.substr(8, 7) + l2.substr(18, 11);
  l2.push_back(static_cast<char>('0' + reference_icao(composite)));
  const std::array<std::string_view, 3> lines = {l1, l2, kTd1Line3};
  const auto m = parse_mrz(lines);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->document_number, "D23145890");
  EXPECT_EQ(m->document_number_overflow, "123");
  EXPECT_TRUE(m->all_ok());
}

// ---- ISO 6346 --------------------------------------------------------------------------------

TEST(Iso6346, LetterValuesSkipMultiplesOf11) {
  // A=10, B=12 (11 skipped), K=21, L=23 (22 skipped), U=32, V=34 (33 skipped), Z=38.
  // CSQU3054383: C=13 S=30 Q=28 U=32 -> 13 + 60 + 112 + 256 + 3*16 + 0 + 5*64 + 4*128 + 3*256 + 8*512
  // = 6185; 6185 mod 11 = 3.
  EXPECT_EQ(container_check_digit("CSQU305438"), 3);
  EXPECT_EQ(container_check_digit("AAAU000000"), (10 + 20 + 40 + 32 * 8) % 11 % 10);
}

TEST(Iso6346, KnownGoodNumbers) {
  // Check digits computed: CSQU305438 -> 3, MSKU907032 -> 3, TGHU123456 -> 7, HLXU320283 -> 5,
  // CMAU002668 -> 0, GESU086310 -> 9, MAEU123456 -> 7.
  for (std::string_view c : {"CSQU3054383", "MSKU9070323", "TGHU1234567", "HLXU3202835", "CMAU0026680",
                             "GESU0863109", "MAEU1234567"}) {
    EXPECT_TRUE(container_ok(c)) << c;
  }
}

TEST(Iso6346, Failures) {
  // MSCU123456 -> 6 and TCLU123456 -> 8, so these are wrong.
  EXPECT_FALSE(container_ok("MSCU1234567"));
  EXPECT_TRUE(container_ok("MSCU1234566"));
  EXPECT_FALSE(container_ok("TCLU1234567"));
  EXPECT_TRUE(container_ok("TCLU1234568"));
  EXPECT_TRUE(container_shape_ok("TCLU1234567"));
  EXPECT_FALSE(container_shape_ok("CSQ3054383"));
  EXPECT_FALSE(container_shape_ok("CSQX3054383"));  // category must be U, J or Z
  EXPECT_FALSE(container_shape_ok("csqu3054383"));
  EXPECT_FALSE(container_shape_ok("CSQU305438A"));
  for (std::size_t pos = 4; pos < 11; ++pos) {
    std::string s = "CSQU3054383";
    s[pos] = s[pos] == '9' ? '0' : static_cast<char>(s[pos] + 1);
    EXPECT_FALSE(container_ok(s)) << s;
  }
}

// ---- IMO -------------------------------------------------------------------------------------

TEST(Imo, CheckDigit) {
  // 9074729: 9*7 + 0*6 + 7*5 + 4*4 + 7*3 + 2*2 = 139 -> 9.  9321483: 9*7+3*6+2*5+1*4+4*3+8*2 = 123 -> 3.
  EXPECT_TRUE(imo_ok("9074729"));
  EXPECT_TRUE(imo_ok("9321483"));
  EXPECT_TRUE(imo_ok("9176187"));
  EXPECT_FALSE(imo_ok("9074728"));
  EXPECT_FALSE(imo_ok("907472"));
  EXPECT_FALSE(imo_ok("IMO9074729"));
  EXPECT_TRUE(imo_shape_ok("9074728"));
  EXPECT_FALSE(imo_shape_ok("907472A"));
}

// ---- IBAN ------------------------------------------------------------------------------------

// Reference mod-97: build the whole rearranged decimal string, then long division.
int reference_mod97(std::string_view iban) {
  std::string rearranged = std::string(iban.substr(4)) + std::string(iban.substr(0, 4));
  std::string digits;
  for (char c : rearranged) digits += (c >= 'A' && c <= 'Z') ? std::to_string(c - 'A' + 10) : std::string(1, c);
  int rem = 0;
  for (char d : digits) rem = (rem * 10 + (d - '0')) % 97;
  return rem;
}

TEST(Iban, ValidExamplesForSeveralCountries) {
  for (std::string_view s : {"DE89370400440532013000", "GB82WEST12345698765432", "FR1420041010050500013M02606",
                             "NL91ABNA0417164300", "AT611904300234573201", "CH9300762011623852957",
                             "BE68539007547034", "GB33BUKB20201555555555", "ES9121000418450200051332",
                             "IT60X0542811101000000123456", "PL61109010140000071219812874", "NO9386011117947",
                             "MT84MALT011000012345MTLCAST001S", "SE4550000000058398257466", "LU280019400644750000",
                             "DK5000400440116243"}) {
    EXPECT_EQ(reference_mod97(s), 1) << s;
    EXPECT_EQ(iban_mod97(s), 1) << s;
    EXPECT_EQ(validate_iban(s), IbanStatus::kOk) << s;
  }
}

TEST(Iban, Invalid) {
  EXPECT_EQ(validate_iban("DE88370400440532013000"), IbanStatus::kCheckDigits);
  EXPECT_EQ(validate_iban("GB82WEST12345698765433"), IbanStatus::kCheckDigits);
  EXPECT_EQ(validate_iban("NL91ABNA0417164301"), IbanStatus::kCheckDigits);
  EXPECT_EQ(validate_iban("DE8937040044053201300"), IbanStatus::kLength);    // 21 characters
  EXPECT_EQ(validate_iban("DE893704004405320130000"), IbanStatus::kLength);  // 23
  EXPECT_EQ(validate_iban("US12345678901234567890"), IbanStatus::kLength);   // not an IBAN country
  EXPECT_EQ(validate_iban("de89370400440532013000"), IbanStatus::kFormat);
  EXPECT_EQ(validate_iban("DE89 3704 0044 0532 0130 00"), IbanStatus::kFormat);
  EXPECT_EQ(validate_iban("DEXX370400440532013000"), IbanStatus::kFormat);
  EXPECT_EQ(validate_iban(""), IbanStatus::kFormat);
  EXPECT_EQ(iban_mod97("DE89"), -1);
  EXPECT_EQ(iban_mod97("DE89-370400"), -1);
  // Every single-digit change of a valid IBAN is caught by mod-97.
  const std::string good = "DE89370400440532013000";
  for (std::size_t i = 2; i < good.size(); ++i) {
    for (char d = '0'; d <= '9'; ++d) {
      std::string s = good;
      if (s[i] == d) continue;
      s[i] = d;
      EXPECT_EQ(validate_iban(s), IbanStatus::kCheckDigits) << s;
    }
  }
}

TEST(Iban, LengthTable) {
  EXPECT_EQ(iban_length_for("DE"), 22);
  EXPECT_EQ(iban_length_for("GB"), 22);
  EXPECT_EQ(iban_length_for("FR"), 27);
  EXPECT_EQ(iban_length_for("NL"), 18);
  EXPECT_EQ(iban_length_for("AT"), 20);
  EXPECT_EQ(iban_length_for("CH"), 21);
  EXPECT_EQ(iban_length_for("BE"), 16);
  EXPECT_EQ(iban_length_for("ES"), 24);
  EXPECT_EQ(iban_length_for("IT"), 27);
  EXPECT_EQ(iban_length_for("PL"), 28);
  EXPECT_EQ(iban_length_for("NO"), 15);
  EXPECT_EQ(iban_length_for("LC"), 32);
  EXPECT_EQ(iban_length_for("RU"), 33);
  EXPECT_EQ(iban_length_for("US"), 0);
  EXPECT_EQ(iban_length_for("D"), 0);
  EXPECT_GE(iban_country_count(), 80u);
}

// ---- BIC -------------------------------------------------------------------------------------

TEST(Bic, Format) {
  for (std::string_view s : {"COBADEFFXXX", "DEUTDEFF", "CHASUS33", "BUKBGB22", "BNPAFRPP", "INGBNL2A",
                             "RZBAATWW", "NBPHXKPR"}) {
    EXPECT_TRUE(bic_ok(s)) << s;
  }
  for (std::string_view s : {"COBADEFFXX", "COBADEFFXXXX", "COB1DEFF", "COBAQQFF", "cobadeff", "COBADEF!",
                             "COBADEFFXX!", ""}) {
    EXPECT_FALSE(bic_ok(s)) << s;
  }
}

// ---- code lists ------------------------------------------------------------------------------

TEST(Iso3166, AllOfficiallyAssignedCodes) {
  EXPECT_EQ(country_alpha2_codes().size(), 249u);
  EXPECT_EQ(country_alpha3_codes().size(), 249u);
  EXPECT_TRUE(std::is_sorted(country_alpha2_codes().begin(), country_alpha2_codes().end()));
  EXPECT_TRUE(std::is_sorted(country_alpha3_codes().begin(), country_alpha3_codes().end()));
  for (std::string_view c : country_alpha2_codes()) EXPECT_TRUE(is_country_alpha2(c)) << c;
  for (std::string_view c : country_alpha3_codes()) EXPECT_TRUE(is_country_alpha3(c)) << c;
  for (std::string_view c : {"DE", "GB", "US", "CN", "SG", "NL", "MT", "AX", "BQ", "SS", "XK"}) {
    EXPECT_EQ(is_country_alpha2(c), c != "XK") << c;  // XK (Kosovo) is user-assigned, not official
  }
  for (std::string_view c : {"DEU", "GBR", "SWE", "ATA", "SSD", "ROU", "FRA"}) EXPECT_TRUE(is_country_alpha3(c)) << c;
  for (std::string_view c : {"UTO", "D", "XXA", "GER", "UK", "EU", "de", "DEUX", ""}) {
    EXPECT_FALSE(is_country_alpha2(c) || is_country_alpha3(c)) << c;
  }
}

TEST(Iso4217, ActiveCodesWithMinorUnits) {
  EXPECT_EQ(currency_minor_units("EUR"), 2);
  EXPECT_EQ(currency_minor_units("USD"), 2);
  EXPECT_EQ(currency_minor_units("JPY"), 0);
  EXPECT_EQ(currency_minor_units("KRW"), 0);
  EXPECT_EQ(currency_minor_units("CLP"), 0);
  EXPECT_EQ(currency_minor_units("BHD"), 3);
  EXPECT_EQ(currency_minor_units("KWD"), 3);
  EXPECT_EQ(currency_minor_units("TND"), 3);
  EXPECT_EQ(currency_minor_units("CLF"), 4);
  EXPECT_EQ(currency_minor_units("CHF"), 2);
  EXPECT_FALSE(currency_minor_units("DEM").has_value());  // withdrawn
  EXPECT_FALSE(currency_minor_units("HRK").has_value());  // withdrawn 2023
  EXPECT_FALSE(currency_minor_units("XAU").has_value());  // no minor units: not a currency for payments
  EXPECT_FALSE(currency_minor_units("eur").has_value());
  EXPECT_FALSE(currency_minor_units("EU").has_value());
  EXPECT_GE(currency_count(), 150u);
}

TEST(UnLocode, ShapeAndCountry) {
  for (std::string_view s : {"CNSHA", "NLRTM", "DEHAM", "SGSIN", "USNYC", "DE2AB"}) EXPECT_TRUE(unlocode_ok(s)) << s;
  EXPECT_FALSE(unlocode_shape_ok("CNSH1"));  // 0 and 1 are not used
  EXPECT_FALSE(unlocode_shape_ok("CNSH"));
  EXPECT_FALSE(unlocode_shape_ok("cnsha"));
  EXPECT_TRUE(unlocode_shape_ok("XXSHA"));
  EXPECT_FALSE(unlocode_ok("XXSHA"));
}

// ---- formats ---------------------------------------------------------------------------------

TEST(Uuid, Version4Lowercase) {
  EXPECT_TRUE(uuid_v4_lowercase_ok("eb6305c9-1f7f-49de-aed0-16487c27b42d"));
  EXPECT_TRUE(uuid_v4_lowercase_ok("00000000-0000-4000-8000-000000000000"));
  EXPECT_FALSE(uuid_v4_lowercase_ok("EB6305C9-1F7F-49DE-AED0-16487C27B42D"));
  EXPECT_FALSE(uuid_v4_lowercase_ok("eb6305c9-1f7f-19de-aed0-16487c27b42d"));  // version 1
  EXPECT_FALSE(uuid_v4_lowercase_ok("eb6305c9-1f7f-49de-ced0-16487c27b42d"));  // variant
  EXPECT_FALSE(uuid_v4_lowercase_ok("eb6305c91f7f49deaed016487c27b42d"));
  EXPECT_FALSE(uuid_v4_lowercase_ok("{eb6305c9-1f7f-49de-aed0-16487c27b42d}"));
  EXPECT_FALSE(uuid_v4_lowercase_ok("eb6305c9-1f7f-49de-aed0-16487c27b42g"));
}

TEST(Decimal, ExactStrings) {
  EXPECT_EQ(decimal_fraction_digits("12500.00", 18, 5), 2);
  EXPECT_EQ(decimal_fraction_digits("0", 18, 5), 0);
  EXPECT_EQ(decimal_fraction_digits("1.12345", 18, 5), 5);
  EXPECT_EQ(decimal_fraction_digits("1.123456", 18, 5), -1);
  EXPECT_EQ(decimal_fraction_digits("123456789012345678", 18, 5), 0);
  EXPECT_EQ(decimal_fraction_digits("1234567890123456789", 18, 5), -1);
  for (std::string_view s : {"", ".5", "1.", "-1", "+1", "1e3", "1,5", " 1", "1.2.3", "0x1"}) {
    EXPECT_EQ(decimal_fraction_digits(s, 18, 5), -1) << s;
  }
  EXPECT_TRUE(decimal_positive("0.001"));
  EXPECT_FALSE(decimal_positive("0.000"));
  EXPECT_FALSE(decimal_positive("00"));
}

// ---- airports --------------------------------------------------------------------------------

// ctest runs each test in its own process, several at a time: a name unique across processes,
// or Airports.Errors' empty file can replace the list another test is reading.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    path_ = ::testing::TempDir() + crosscheck::testing::unique_name("airports") + ".csv";
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(Airports, ShapeOnly) {
  EXPECT_TRUE(iata_airport_shape_ok("FRA"));
  EXPECT_FALSE(iata_airport_shape_ok("fra"));
  EXPECT_FALSE(iata_airport_shape_ok("FR"));
  EXPECT_FALSE(iata_airport_shape_ok("FR1"));
}

TEST(Airports, LoadsTheIataColumnOfACsv) {
  TempFile f(
      "icao,IATA,name,country\r\n"
      "EDDF,FRA,\"Frankfurt am Main, Airport\",DE\r\n"
      "KJFK,jfk,\"John F. Kennedy \"\"JFK\"\" International\",US\r\n"
      "XXXX,,\"No IATA code\",US\r\n"
      "EGLL,LHR,\"Heathrow\nLondon\",GB\n"
      "ZZZZ,\\N,unknown,ZZ\n"
      "EDDF,FRA,duplicate,DE\n");
  auto set = load_airport_codes(f.path());
  ASSERT_TRUE(set.ok()) << set.error().to_string();
  EXPECT_EQ((*set)->size(), 3u);
  EXPECT_TRUE((*set)->contains("FRA"));
  EXPECT_TRUE((*set)->contains("JFK"));
  EXPECT_TRUE((*set)->contains("LHR"));
  EXPECT_FALSE((*set)->contains("jfk"));
  EXPECT_FALSE((*set)->contains("CDG"));
  EXPECT_FALSE((*set)->contains(""));
}

TEST(Airports, Errors) {
  EXPECT_FALSE(load_airport_codes("/nonexistent/airports.csv").ok());
  TempFile empty("");
  EXPECT_FALSE(load_airport_codes(empty.path()).ok());
  TempFile no_column("icao,name\nEDDF,Frankfurt\n");
  const auto r = load_airport_codes(no_column.path());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is_fatal());
  EXPECT_THAT(r.error().message(), ::testing::HasSubstr("iata"));
  TempFile no_codes("iata,name\n,Nowhere\n");
  EXPECT_FALSE(load_airport_codes(no_codes.path()).ok());
}

TEST(Airports, FromCodes) {
  const std::string_view codes[] = {"AMS", "cdg", "TOOLONG", "A1B"};
  const auto set = AirportCodes::from_codes(codes);
  EXPECT_EQ(set->size(), 2u);
  EXPECT_TRUE(set->contains("AMS"));
  EXPECT_TRUE(set->contains("CDG"));
}

TEST(Airports, SharedReferenceListWhenPresent) {
  const std::string path = "/work/shared/data/reference/airports.csv";
  if (!std::ifstream(path)) GTEST_SKIP() << "no shared reference list on this machine";
  const auto set = load_airport_codes(path);
  ASSERT_TRUE(set.ok()) << set.error().to_string();
  EXPECT_GT((*set)->size(), 100u);
  EXPECT_TRUE((*set)->contains("FRA"));
}

}  // namespace
}  // namespace crosscheck::schemas::ids
