#include "crosscheck/rules/list_import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "crosscheck/testing/test_env.h"

namespace crosscheck::rules {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const std::string kFixtures = std::string(CROSSCHECK_FIXTURES_DIR) + "/watchlists";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const WatchlistEntry& entry(const ImportedList& list, std::string_view id) {
  for (const auto& e : list.list.entries) {
    if (e.id == id) return e;
  }
  ADD_FAILURE() << "no entry " << id;
  static const WatchlistEntry none;
  return none;
}

bool has_document(const WatchlistEntry& e, std::string_view type, std::string_view number, std::string_view country) {
  for (const auto& d : e.documents) {
    if (d.type == type && d.number == number && d.country == country) return true;
  }
  return false;
}

ImportOptions opts(ListFormat format) {
  ImportOptions o;
  o.format = format;
  return o;
}

// Every imported entry is stored in Redis as JSON and must come back unchanged.
void expect_round_trip(const ImportedList& list) {
  for (const auto& e : list.list.entries) {
    auto back = parse_entry_json(encode_entry_json(e));
    ASSERT_TRUE(back.ok()) << e.id << ": " << back.error().to_string();
    EXPECT_EQ(*back, e) << e.id;
  }
}

// A scratch directory removed at the end of the test.
class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / testing::unique_name("list-import")) { fs::create_directories(path_); }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string write(const std::string& name, std::string_view data) const {
    const fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << data;
    return p.string();
  }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

class OfacFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = import_list(kFixtures + "/ofac");
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    list = std::move(*r);
  }
  ImportedList list;
};

TEST_F(OfacFixture, ListAndStats) {
  EXPECT_EQ(list.format, ListFormat::kOfacSdnCsv);
  EXPECT_EQ(list.list.list_id, "ofac-sdn");
  EXPECT_THAT(list.list.name, HasSubstr("OFAC"));
  const auto& s = list.stats;
  EXPECT_EQ(s.entries, 12u);
  EXPECT_EQ(s.persons, 5u);
  EXPECT_EQ(s.organizations, 4u);
  EXPECT_EQ(s.vessels, 2u);
  EXPECT_EQ(s.aircraft, 1u);
  // alt.csv: 6 rows (one weak); remarks: 2 + 2 (one weak) + 1 a.k.a.-style names.
  EXPECT_EQ(s.aliases, 11u);
  EXPECT_EQ(s.weak_aliases, 2u);
  // 9002: 2, 9003: 2, 9008: 1, 9012: 1 (31 Feb is not a date).
  EXPECT_EQ(s.dates_of_birth, 6u);
  EXPECT_EQ(s.addresses, 8u);
  // "Favourite colour green", "Director, Banco Nacional de Cuba", "nationality Atlantis",
  // "DOB 31 Feb 1981", address country "Region: Crimea". (Telephone, e-mail, POB, "Linked To" are
  // understood and kept as remarks without counting.)
  EXPECT_EQ(s.unrecognized, 5u);
  expect_round_trip(list);
}

TEST_F(OfacFixture, Organisation) {
  const auto& e = entry(list, "ofac-9001");
  EXPECT_EQ(e.type, EntityType::kOrganization);
  EXPECT_THAT(e.names, ElementsAre("KESTREL TRADING CO., LTD.", "KESTREL GENERAL TRADING", "NORTHWIND IMPORTS, S.A.",
                                   "KESTREL GEN. TRADING", "NORTHWIND, IMPORTS"));
  EXPECT_THAT(e.programs, ElementsAre("SDGT", "IFSR"));
  EXPECT_TRUE(has_document(e, "registration_number", "4410932", "CYP"));
  EXPECT_TRUE(has_document(e, "tax_id", "88-1200345", "PAN"));
  EXPECT_THAT(e.bics, ElementsAre("KSTRCY2N"));
  EXPECT_THAT(e.ibans, ElementsAre("CY17002001280000001200527600"));
  // add.csv: Cyprus twice, Panama.
  EXPECT_THAT(e.countries, ElementsAre("CYP", "PAN"));
  EXPECT_THAT(e.remarks, HasSubstr("Website www.kestrel-trading.example"));
  EXPECT_THAT(e.remarks, HasSubstr("Linked To: DRAGAN, Viktor"));
}

TEST_F(OfacFixture, Person) {
  const auto& e = entry(list, "ofac-9002");
  EXPECT_EQ(e.type, EntityType::kPerson);
  EXPECT_THAT(e.names, ElementsAre("DRAGAN, Viktor", "DRAGAN-IONESCU, Viktor", "DRAGAN, Victor"));
  EXPECT_THAT(e.weak_aliases, ElementsAre("The Captain", "VIK"));
  EXPECT_THAT(e.dates_of_birth, ElementsAre("1971-04-12", "~1970"));
  EXPECT_THAT(e.nationalities, ElementsAre("ROU", "RUS"));
  EXPECT_EQ(e.gender, "male");
  ASSERT_EQ(e.documents.size(), 2u);
  EXPECT_TRUE(has_document(e, "passport", "RX4417208", "ROU"));
  EXPECT_TRUE(has_document(e, "national_id", "1710412123456", "ROU"));
  ASSERT_EQ(e.crypto_addresses.size(), 2u);
  EXPECT_EQ(e.crypto_addresses[0], (CryptoAddress{"XBT", "1FicTioNaLAddReSS9zQx7Lm3Pq2Vw8Kd4"}));
  EXPECT_EQ(e.crypto_addresses[1], (CryptoAddress{"ETH", "0x7a1cE0dFfC0ffee00000000000000000DeadBeef"}));
  // A person's address is counted, not kept as a country of the entry.
  EXPECT_THAT(e.countries, IsEmpty());
  EXPECT_THAT(e.remarks, HasSubstr("POB Constanta, Romania"));
  EXPECT_THAT(e.remarks, HasSubstr("issued 03 Mar 2015 expires 02 Mar 2025"));
  EXPECT_THAT(e.remarks, HasSubstr("Additional Sanctions Information"));
}

TEST_F(OfacFixture, DateRangesMonthsAndUnrecognizedRemarks) {
  const auto& e = entry(list, "ofac-9003");
  EXPECT_THAT(e.dates_of_birth, ElementsAre("1960/1962", "1957-02"));
  EXPECT_EQ(e.gender, "female");
  EXPECT_THAT(e.nationalities, ElementsAre("IRQ"));
  EXPECT_TRUE(has_document(e, "cedula", "16247821", "COL"));
  EXPECT_THAT(e.remarks, HasSubstr("Favourite colour green"));
  EXPECT_THAT(entry(list, "ofac-9008").dates_of_birth, ElementsAre("~1968-03"));
  // 29 Feb 1980 is a date; 31 Feb 1981 is not and stays in the remarks.
  const auto& amina = entry(list, "ofac-9012");
  EXPECT_THAT(amina.dates_of_birth, ElementsAre("1980-02-29"));
  EXPECT_THAT(amina.remarks, HasSubstr("DOB 31 Feb 1981"));
}

TEST_F(OfacFixture, Vessels) {
  const auto& petrel = entry(list, "ofac-9004");
  EXPECT_EQ(petrel.type, EntityType::kVessel);
  EXPECT_EQ(petrel.imo, "9321483");
  EXPECT_EQ(petrel.call_sign, "9HA3345");
  EXPECT_EQ(petrel.flag, "MLT");
  EXPECT_THAT(petrel.names, ElementsAre("GREY PETREL", "PETREL GREY"));
  EXPECT_TRUE(has_document(petrel, "mmsi", "248123000", ""));
  EXPECT_THAT(petrel.remarks, HasSubstr("Vessel type: Crude Oil Tanker"));
  EXPECT_THAT(petrel.remarks, HasSubstr("Tonnage: 150,000"));
  EXPECT_THAT(petrel.remarks, HasSubstr("Vessel owner: NORTHWIND SHIPPING LTD."));
  EXPECT_THAT(petrel.remarks, HasSubstr("Former Vessel Flag Liberia"));

  const auto& orchid = entry(list, "ofac-9005");
  EXPECT_EQ(orchid.flag, "PRK");
  EXPECT_EQ(orchid.imo, "8912345");
  // A second IMO number is kept as a document.
  EXPECT_TRUE(has_document(orchid, "imo", "9999998", ""));
  EXPECT_THAT(orchid.call_sign, IsEmpty());
}

TEST_F(OfacFixture, AircraftAndQuotedNames) {
  const auto& ep = entry(list, "ofac-9006");
  EXPECT_EQ(ep.type, EntityType::kAircraft);
  EXPECT_TRUE(has_document(ep, "aircraft_msn", "1023409321", ""));
  EXPECT_TRUE(has_document(ep, "tail_number", "EP-ABC", ""));
  EXPECT_THAT(ep.remarks, HasSubstr("Aircraft Model IL76-TD"));
  EXPECT_THAT(ep.programs, ElementsAre("IRAN-EO13846"));

  const auto& erik = entry(list, "ofac-9008");
  EXPECT_EQ(erik.names.front(), "HALVORSEN, Erik \"The Banker\"");
  EXPECT_THAT(erik.names, ElementsAre("HALVORSEN, Erik \"The Banker\"", "OSTBY, Erik", "HALVORSEN, E."));
  // The alias's remark spans two lines in alt.csv.
  EXPECT_THAT(erik.remarks, HasSubstr("HALVORSEN, E.: Name used in\nNorway"));
}

TEST_F(OfacFixture, OrganisationsTheirCountriesAndUnknownCountries) {
  const auto& meridian = entry(list, "ofac-9007");
  EXPECT_THAT(meridian.countries, ElementsAre("RUS"));
  EXPECT_TRUE(has_document(meridian, "tax_id", "7704123456", "RUS"));
  EXPECT_TRUE(has_document(meridian, "registration_number", "1127746123456", "RUS"));
  EXPECT_THAT(meridian.remarks, HasSubstr("Organization Established Date 2011"));

  const auto& tide = entry(list, "ofac-9009");
  // "(Narnia)" is not a country: the number is kept, the rest stays in the remarks.
  EXPECT_TRUE(has_document(tide, "registration_number", "55389694", ""));
  EXPECT_THAT(tide.remarks, HasSubstr("(Narnia)"));
  EXPECT_TRUE(has_document(tide, "tax_id", "800146749-7", "COL"));

  const auto& tallinn = entry(list, "ofac-9011");
  EXPECT_THAT(tallinn.programs, ElementsAre("UKRAINE-EO13662", "RUSSIA-EO14024"));
  EXPECT_TRUE(has_document(tallinn, "imo_company_number", "5055293", ""));
  EXPECT_THAT(tallinn.nationalities, IsEmpty());
  EXPECT_THAT(tallinn.remarks, HasSubstr("nationality Atlantis"));
  EXPECT_THAT(tallinn.countries, ElementsAre("EST"));
  EXPECT_THAT(tallinn.remarks, HasSubstr("Address country Region: Crimea"));

  const auto& cruz = entry(list, "ofac-9010");
  EXPECT_THAT(cruz.remarks, HasSubstr("Title: Director, Banco Nacional de Cuba"));

  const auto& amina = entry(list, "ofac-9012");
  EXPECT_THAT(amina.nationalities, ElementsAre("TUR"));
  EXPECT_TRUE(has_document(amina, "passport", "U88120456", "TUR"));
  EXPECT_TRUE(has_document(amina, "passport", "L 191609", ""));
  EXPECT_TRUE(has_document(amina, "national_id", "78.865.882", "ESP"));
}

TEST(OfacImport, WithoutAltAndAdd) {
  const std::string sdn = slurp(kFixtures + "/ofac/sdn.csv");
  auto r = import_ofac_sdn_csv(sdn, "", "", {ListFormat::kOfacSdnCsv, "my-list", "Mine"});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->list.list_id, "my-list");
  EXPECT_EQ(r->list.name, "Mine");
  EXPECT_EQ(r->stats.entries, 12u);
  EXPECT_EQ(r->stats.addresses, 0u);
  EXPECT_EQ(r->stats.aliases, 5u);
}

TEST(OfacImport, CrlfAndDosEndOfFile) {
  auto r = import_ofac_sdn_csv(
      "1,\"A, B\",\"individual\",\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 1960.\"\r\n"
      "2,\"C\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1A",
      "", "");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->stats.entries, 2u);
  EXPECT_EQ(r->list.entries[0].dates_of_birth, std::vector<std::string>{"1960"});
}

TEST(OfacImport, CutOffRemarksAreNotTrusted) {
  // The legacy CSV cuts remarks at 1000 characters: the cut item must not become an alias.
  std::string remarks = "DOB 1960; Linked To: ";
  remarks += std::string(985 - remarks.size() - 2, 'S') + "; a.k.a. 'HALF NAME'.";
  remarks.resize(1000);  // "...; a.k.a. 'HALF NA"
  auto r = import_ofac_sdn_csv("1,\"A\",\"individual\",\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"" + remarks + "\"", "", "");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->list.entries[0].names.size(), 1u);
  EXPECT_THAT(r->list.entries[0].weak_aliases, IsEmpty());
  EXPECT_THAT(r->list.entries[0].remarks, HasSubstr("a.k.a. 'HALF NA [cut off in the source]"));
  EXPECT_EQ(r->stats.unrecognized, 1u);
}

TEST(OfacImport, MalformedCsvIsAnErrorNamingTheLine) {
  auto err = [](std::string_view sdn, std::string_view alt = "", std::string_view add = "") {
    auto r = import_ofac_sdn_csv(sdn, alt, add);
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string() : r.error().message();
  };
  const std::string row = "1,\"A\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n";
  EXPECT_THAT(err(row + "2,\"B\",-0- ,\"X\""), HasSubstr("sdn.csv line 2: 4 fields, expected 12"));
  EXPECT_THAT(err(row + "2,\"B,-0- ,\"X\"\n"), HasSubstr("line 2: unexpected character after a closing quote"));
  EXPECT_THAT(err(row + "2,\"B,-0- ,\n"), HasSubstr("line 2: quoted field is not closed"));
  EXPECT_THAT(err(row + "2,B\"x,-0- \n"), HasSubstr("line 2: quote inside an unquoted field"));
  EXPECT_THAT(err(row + row), HasSubstr("duplicate ent_num 1"));
  EXPECT_THAT(err("x1,\"A\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n"), HasSubstr("is not a number"));
  EXPECT_THAT(err("1,\"--\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n"), HasSubstr("no name"));
  EXPECT_THAT(err(""), HasSubstr("no records"));
  EXPECT_THAT(err(row, "7,1,\"aka\",\"Z\",-0- \n"), HasSubstr("alt.csv line 1: ent_num \"7\" is not in sdn.csv"));
  EXPECT_THAT(err(row, "1,1,\"aka\"\n"), HasSubstr("alt.csv line 1: 3 fields, expected 5"));
  EXPECT_THAT(err(row, "", "1,1,-0- \n"), HasSubstr("add.csv line 1: 3 fields, expected 6"));
  // Every problem is reported at once.
  EXPECT_THAT(err(row + "2,\"B\"\n3,\"C\"\n"), HasSubstr("2 problems"));
}

TEST(OfacImport, GarbageNeverCrashes) {
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>((i * 7919 + 13) % 256));
  EXPECT_FALSE(import_ofac_sdn_csv(garbage, garbage, garbage).ok());
  // Invalid UTF-8 inside a valid record is replaced, so that the entry still round-trips.
  auto r = import_ofac_sdn_csv("1,\"A\xff\xfe B\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"a.k.a. '\xc3\x28'\"\n", "", "");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->list.entries[0].names[0], "A\xEF\xBF\xBD\xEF\xBF\xBD B");
  expect_round_trip(*r);
}

class UnFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = import_list(kFixtures + "/un/consolidated-sample.xml");
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    list = std::move(*r);
  }
  ImportedList list;
};

TEST_F(UnFixture, ListAndStats) {
  EXPECT_EQ(list.format, ListFormat::kUnXml);
  EXPECT_EQ(list.list.list_id, "un-sc");
  EXPECT_THAT(list.list.source, HasSubstr("generated 2026-01-15"));
  const auto& s = list.stats;
  EXPECT_EQ(s.entries, 5u);
  EXPECT_EQ(s.persons, 3u);
  EXPECT_EQ(s.organizations, 2u);
  // 2 original-script names, 5 + 3 good aliases (one of them split in two), 2 + 2 low ones (one split).
  EXPECT_EQ(s.aliases, 14u);
  EXPECT_EQ(s.weak_aliases, 4u);
  // 1965-03-02, ~1964, alias's 1966-07-14, 1958/1961, 1959-11, ~1975-01-01.
  EXPECT_EQ(s.dates_of_birth, 6u);
  EXPECT_EQ(s.documents, 3u);
  // Non-empty addresses: 1 + 3 + 1.
  EXPECT_EQ(s.addresses, 5u);
  // "30-35 years old", a passport without number, nationality "na".
  EXPECT_EQ(s.unrecognized, 3u);
  expect_round_trip(list);
}

TEST_F(UnFixture, Individual) {
  const auto& e = entry(list, "un-QDi.901");
  EXPECT_EQ(e.type, EntityType::kPerson);
  EXPECT_THAT(e.names, ElementsAre("HASSAN ABDUL KARIM AL-FICTIVI", "حسن عبد الكريم الفكتيفي", "Hasan Abdulkarim",
                                   "Hassan al-Fiktivi"));
  EXPECT_THAT(e.weak_aliases, ElementsAre("Abu Karim"));
  EXPECT_THAT(e.dates_of_birth, ElementsAre("1966-07-14", "1965-03-02", "~1964"));
  EXPECT_THAT(e.nationalities, ElementsAre("IRN", "SYR"));
  EXPECT_EQ(e.gender, "male");
  EXPECT_THAT(e.programs, ElementsAre("Al-Qaida"));
  EXPECT_TRUE(has_document(e, "passport", "N 1234567", "IRN"));
  EXPECT_TRUE(has_document(e, "national_id", "0012-555-77", "SYR"));
  EXPECT_THAT(e.countries, IsEmpty());
  EXPECT_THAT(e.remarks, HasSubstr("Title: Sheikh"));
  EXPECT_THAT(e.remarks, HasSubstr("Designation: Financier"));
  EXPECT_THAT(e.remarks, HasSubstr("POB Aleppo, Syrian Arab Republic"));
  EXPECT_THAT(e.remarks, HasSubstr("Passport N 1234567: expired"));
  EXPECT_THAT(e.remarks, HasSubstr("Fictional entry for tests. Second line of comments."));
}

TEST_F(UnFixture, RangesNotesAndUnknownValues) {
  const auto& kim = entry(list, "un-KPi.901");
  // "(original script: ...)" and a parenthesised non-Latin name become names of their own; any
  // other parenthesised note goes to the remarks.
  EXPECT_THAT(kim.names, ElementsAre("KIM CHOL SU", "김철수", "Kim Chol-su", "Kim Chol", "김철", "TIGER"));
  EXPECT_THAT(kim.weak_aliases, ElementsAre("Jin Tiesan", "金铁三"));
  EXPECT_THAT(kim.remarks, HasSubstr("Alias TIGER: COMBAT NAME"));
  EXPECT_THAT(kim.dates_of_birth, ElementsAre("1958/1961", "1959-11"));
  EXPECT_THAT(kim.nationalities, ElementsAre("PRK"));
  EXPECT_THAT(kim.remarks, HasSubstr("DOB 30-35 years old"));
  EXPECT_THAT(kim.remarks, HasSubstr("Document: Passport number unknown"));
  EXPECT_TRUE(kim.documents.empty());
  EXPECT_TRUE(kim.gender.empty());

  const auto& jp = entry(list, "un-CDi.901");
  EXPECT_THAT(jp.dates_of_birth, ElementsAre("~1975-01-01"));
  // "na" is "not available", not Namibia.
  EXPECT_THAT(jp.nationalities, ElementsAre("COD"));
  EXPECT_THAT(jp.remarks, HasSubstr("Nationality: na"));
  EXPECT_TRUE(has_document(jp, "passport", "OB0123456", "COD"));
}

TEST_F(UnFixture, Entities) {
  const auto& e = entry(list, "un-IRe.901");
  EXPECT_EQ(e.type, EntityType::kOrganization);
  EXPECT_THAT(e.names, ElementsAre("RED CRESCENT TRADING & SHIPPING CO.", "RCTS", "Red Crescent Shipping Lines"));
  EXPECT_THAT(e.countries, ElementsAre("IRN", "ARE", "TUR"));
  EXPECT_THAT(e.programs, ElementsAre("Iran"));
  // No REFERENCE_NUMBER: the DATAID names the entry.
  const auto& lagoon = entry(list, "un-7100002");
  EXPECT_THAT(lagoon.weak_aliases, ElementsAre("Blue Lagoon"));
  EXPECT_THAT(lagoon.countries, ElementsAre("SOM"));
}

TEST(UnImport, LongCommentsAreClipped) {
  const std::string xml = "<CONSOLIDATED_LIST><ENTITIES><ENTITY><DATAID>1</DATAID><FIRST_NAME>X CO</FIRST_NAME><COMMENTS1>" +
                          std::string(50000, 'c') + "</COMMENTS1></ENTITY></ENTITIES></CONSOLIDATED_LIST>";
  auto r = import_un_xml(xml);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_LT(r->list.entries[0].remarks.size(), 1000u);
  EXPECT_THAT(r->list.entries[0].remarks, HasSubstr("..."));
}

TEST(UnImport, HostileXml) {
  auto err = [](std::string_view xml) {
    auto r = import_un_xml(xml);
    EXPECT_FALSE(r.ok()) << xml.substr(0, 80);
    return r.ok() ? std::string() : r.error().message();
  };
  EXPECT_THAT(err("<?xml version=\"1.0\"?><CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>"), HasSubstr("not well-formed XML"));
  EXPECT_THAT(err("<?xml version=\"1.0\"?><sdnList/>"), HasSubstr("the root element is <sdnList>"));
  EXPECT_THAT(err("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>A</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"),
              HasSubstr("no REFERENCE_NUMBER or DATAID"));
  EXPECT_THAT(err("<CONSOLIDATED_LIST><ENTITIES><ENTITY><DATAID>1</DATAID></ENTITY></ENTITIES></CONSOLIDATED_LIST>"),
              HasSubstr("no name"));
  // Entity expansion ("billion laughs") and external entities: pugixml processes no DTD, so
  // nothing is expanded or fetched; the name keeps the unexpanded reference as text or the
  // document is rejected, and either way it is small and quick.
  const std::string bomb = R"(<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CONSOLIDATED_LIST><ENTITIES><ENTITY><DATAID>1</DATAID><FIRST_NAME>A &lol3; &xxe;</FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>)";
  auto r = import_un_xml(bomb);
  if (r.ok()) {
    ASSERT_EQ(r->list.entries.size(), 1u);
    EXPECT_LT(r->list.entries[0].names[0].size(), 40u);
    EXPECT_THAT(r->list.entries[0].names[0], Not(HasSubstr("root:")));
  }
  // Deep nesting does not exhaust the stack.
  std::string deep = "<CONSOLIDATED_LIST>";
  for (int i = 0; i < 200000; ++i) deep += "<a>";
  deep += "</CONSOLIDATED_LIST>";
  EXPECT_FALSE(import_un_xml(deep).ok());
  std::string deep_ok = "<CONSOLIDATED_LIST><x>";
  for (int i = 0; i < 100000; ++i) deep_ok += "<a>";
  for (int i = 0; i < 100000; ++i) deep_ok += "</a>";
  deep_ok += "</x></CONSOLIDATED_LIST>";
  auto deep_r = import_un_xml(deep_ok);
  ASSERT_TRUE(deep_r.ok()) << deep_r.error().to_string();
  EXPECT_TRUE(deep_r->list.entries.empty());
  // Binary garbage.
  std::string garbage = "<?xml";
  for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>((i * 131 + 7) % 256));
  EXPECT_FALSE(import_un_xml(garbage).ok());
}

TEST(ImportList, DetectsTheFormat) {
  auto ofac_dir = import_list(kFixtures + "/ofac");
  ASSERT_TRUE(ofac_dir.ok()) << ofac_dir.error().to_string();
  EXPECT_EQ(ofac_dir->format, ListFormat::kOfacSdnCsv);
  EXPECT_EQ(ofac_dir->stats.addresses, 8u);
  auto ofac_file = import_list(kFixtures + "/ofac/sdn.csv");
  ASSERT_TRUE(ofac_file.ok());
  EXPECT_EQ(ofac_file->stats.aliases, ofac_dir->stats.aliases);  // alt.csv read from beside it
  auto un = import_list(kFixtures + "/un/consolidated-sample.xml");
  ASSERT_TRUE(un.ok());
  EXPECT_EQ(un->format, ListFormat::kUnXml);
  auto json = import_list(kFixtures + "/demo.json");
  ASSERT_TRUE(json.ok()) << json.error().to_string();
  EXPECT_EQ(json->format, ListFormat::kJson);
  EXPECT_EQ(json->list.list_id, "demo-national");
  EXPECT_EQ(json->stats.entries, json->list.entries.size());
  EXPECT_GT(json->stats.persons, 0u);
}

TEST(ImportList, WrongFormatIsAFatalErrorNamingThePath) {
  TempDir dir;
  auto msg = [](const std::string& path, ImportOptions o = {}) {
    auto r = import_list(path, o);
    EXPECT_FALSE(r.ok()) << path;
    if (r.ok()) return std::string();
    EXPECT_TRUE(r.error().is_fatal());
    return r.error().message();
  };
  const std::string csv = dir.write("list.csv", "1,\"A\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n");
  EXPECT_THAT(msg(csv), HasSubstr(csv + ": unknown list format: expected an OFAC sdn.csv"));
  // ... but it is OFAC when said so.
  EXPECT_TRUE(import_list(csv, opts(ListFormat::kOfacSdnCsv)).ok());
  const std::string xml_named_sdn = dir.write("x/sdn.csv", "<?xml version=\"1.0\"?><CONSOLIDATED_LIST/>");
  EXPECT_THAT(msg(xml_named_sdn), HasSubstr(xml_named_sdn + ": "));
  EXPECT_THAT(msg(kFixtures + "/demo.json", opts(ListFormat::kUnXml)), HasSubstr("not a UN consolidated list"));
  EXPECT_THAT(msg(kFixtures + "/un/consolidated-sample.xml", opts(ListFormat::kJson)), HasSubstr("not a JSON watchlist"));
  EXPECT_THAT(msg(dir.path()), HasSubstr("directory without sdn.csv"));
  EXPECT_THAT(msg(dir.path() + "/missing.xml"), HasSubstr("no such file"));
  const std::string bad_json = dir.write("bad.json", "{\"list_id\":\"x\"}");
  EXPECT_THAT(msg(bad_json), HasSubstr(bad_json + ": 1 problem: missing \"entries\""));
  const std::string empty = dir.write("empty.txt", "");
  EXPECT_THAT(msg(empty), HasSubstr("unknown list format"));
  const std::string bom_xml = dir.write("bom.xml", "\xEF\xBB\xBF  <?xml version=\"1.0\"?><CONSOLIDATED_LIST/>");
  auto bom = import_list(bom_xml);
  ASSERT_TRUE(bom.ok()) << bom.error().to_string();
  EXPECT_EQ(bom->stats.entries, 0u);
}

TEST(ImportList, FormatNames) {
  for (auto f : {ListFormat::kAuto, ListFormat::kJson, ListFormat::kOfacSdnCsv, ListFormat::kUnXml}) {
    EXPECT_EQ(list_format_from_string(to_string(f)), f);
  }
  EXPECT_EQ(to_string(ListFormat::kOfacSdnCsv), "ofac");
  EXPECT_FALSE(list_format_from_string("csv").has_value());
}

}  // namespace
}  // namespace crosscheck::rules
