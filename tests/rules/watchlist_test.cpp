#include "crosscheck/rules/watchlist.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace crosscheck::rules {
namespace {

using ::testing::HasSubstr;

const std::string kDemo = std::string(CROSSCHECK_FIXTURES_DIR) + "/watchlists/demo.json";

std::string list_with(const std::string& entries) {
  return R"({"list_id":"t1","name":"T","source":"unit test","entries":[)" + entries + "]}";
}

std::string error_of(const std::string& json) {
  auto r = parse_watchlist_json(json);
  EXPECT_FALSE(r.ok()) << json;
  if (r.ok()) return {};
  EXPECT_TRUE(r.error().is_fatal());
  return r.error().message();
}

const WatchlistEntry* find(const Watchlist& list, const std::string& id) {
  for (const auto& e : list.entries) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

TEST(EntityType, NamesRoundTrip) {
  for (auto t : {EntityType::kPerson, EntityType::kOrganization, EntityType::kVessel, EntityType::kAircraft,
                 EntityType::kAccount, EntityType::kCryptoAddress}) {
    EXPECT_EQ(entity_type_from_string(to_string(t)), t);
  }
  EXPECT_EQ(to_string(EntityType::kOrganization), "organization");
  EXPECT_FALSE(entity_type_from_string("Person").has_value());
}

TEST(WatchlistJson, DemoFileLoads) {
  auto list = load_watchlist_file(kDemo);
  ASSERT_TRUE(list.ok()) << list.error().to_string();
  EXPECT_EQ(list->list_id, "demo-national");
  EXPECT_EQ(list->version, 0u);
  EXPECT_GE(list->entries.size(), 12u);

  const auto* viktor = find(*list, "DEMO-P-0001");
  ASSERT_NE(viktor, nullptr);
  EXPECT_EQ(viktor->type, EntityType::kPerson);
  EXPECT_EQ(viktor->names.front(), "Viktor DRAGAN");
  EXPECT_EQ(viktor->dates_of_birth, std::vector<std::string>{"1971-04-12"});
  EXPECT_EQ(viktor->nationalities, std::vector<std::string>{"ROU"});
  ASSERT_EQ(viktor->documents.size(), 1u);
  EXPECT_EQ(viktor->documents[0].number, "RX4417208");
  EXPECT_EQ(viktor->documents[0].country, "ROU");

  bool vessel = false, orchid = false, meridian = false, amina = false, black_tide = false;
  for (const auto& e : list->entries) {
    if (e.type == EntityType::kVessel && e.imo == "9321483") vessel = true;
    if (!e.ibans.empty() && e.ibans[0] == "GB33BUKB20201555555555") orchid = true;
    if (e.names[0] == "Meridian Shell Holdings") meridian = true;
    if (e.names[0] == "Black Tide Logistics") black_tide = true;
    if (e.names[0] == "Amina KESSLER" && e.documents.at(0).number == "U88120456") amina = true;
  }
  EXPECT_TRUE(vessel && orchid && meridian && amina && black_tide);
}

TEST(WatchlistJson, MissingFileIsAnError) {
  auto r = load_watchlist_file("/nonexistent/list.json");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message(), HasSubstr("/nonexistent/list.json"));
}

TEST(WatchlistJson, InvalidJson) {
  EXPECT_THAT(error_of("{\"list_id\":"), HasSubstr("invalid JSON"));
  EXPECT_THAT(error_of("[]"), HasSubstr("must be a JSON object"));
}

TEST(WatchlistJson, ListIdRequiredAndValidated) {
  EXPECT_THAT(error_of(R"({"entries":[]})"), HasSubstr("missing \"list_id\""));
  EXPECT_THAT(error_of(R"({"list_id":"Demo List","entries":[]})"), HasSubstr("invalid \"list_id\""));
  EXPECT_THAT(error_of(R"({"list_id":"-x","entries":[]})"), HasSubstr("invalid \"list_id\""));
  EXPECT_THAT(error_of(R"({"list_id":7,"entries":[]})"), HasSubstr("\"list_id\" must be a string"));
  EXPECT_THAT(error_of(R"({"list_id":")" + std::string(65, 'a') + R"(","entries":[]})"),
              HasSubstr("invalid \"list_id\""));
  EXPECT_TRUE(parse_watchlist_json(R"({"list_id":")" + std::string(64, 'a') + R"(","entries":[]})").ok());
  EXPECT_TRUE(parse_watchlist_json(R"({"list_id":"a0._-z","entries":[]})").ok());
}

TEST(WatchlistJson, EntriesMustBeAnArray) {
  EXPECT_THAT(error_of(R"({"list_id":"x"})"), HasSubstr("missing \"entries\""));
  EXPECT_THAT(error_of(R"({"list_id":"x","entries":{}})"), HasSubstr("\"entries\" must be an array, got an object"));
}

TEST(WatchlistJson, EntryWithoutId) {
  EXPECT_THAT(error_of(list_with(R"({"type":"person","names":["A B"]})")), HasSubstr("entries[0]: missing \"id\""));
  EXPECT_THAT(error_of(list_with(R"({"id":"","type":"person","names":["A B"]})")), HasSubstr("\"id\" is empty"));
}

TEST(WatchlistJson, DuplicateIds) {
  const std::string msg = error_of(list_with(R"({"id":"X","type":"person","names":["A"]},
                                                {"id":"Y","type":"person","names":["B"]},
                                                {"id":"X","type":"person","names":["C"]})"));
  EXPECT_THAT(msg, HasSubstr("entries[2] (id \"X\"): duplicate id (first used by entries[0])"));
}

TEST(WatchlistJson, UnknownType) {
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"ship","names":["A"]})")),
              HasSubstr("entries[0] (id \"X\"): unknown type \"ship\" (allowed: person, organization, vessel"));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","names":["A"]})")), HasSubstr("missing \"type\""));
}

TEST(WatchlistJson, EntryWithNothingToMatchOn) {
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"person","dates_of_birth":["1970"]})")),
              HasSubstr("has no names and no identifiers"));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"person","names":[]})")),
              HasSubstr("has no names and no identifiers"));
  // An identifier alone is enough.
  EXPECT_TRUE(parse_watchlist_json(list_with(R"({"id":"X","type":"vessel","imo":"IMO 9321483"})")).ok());
  EXPECT_TRUE(parse_watchlist_json(list_with(R"({"id":"X","type":"account","ibans":["GB33BUKB20201555555555"]})")).ok());
}

TEST(WatchlistJson, WrongTypes) {
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"person","names":"A B"})")),
              HasSubstr("\"names\" must be an array of strings, got a string"));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"person","names":["A", 3]})")),
              HasSubstr("names[1] must be a string, got a number"));
  EXPECT_THAT(error_of(list_with(R"({"id":7,"type":"person","names":["A"]})")),
              HasSubstr("\"id\" must be a string, got a number"));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"person","names":["A"],"documents":[{"number":123}]})")),
              HasSubstr("documents[0].number must be a string"));
  EXPECT_THAT(error_of(list_with(R"("X")")), HasSubstr("entries[0]: must be an object, got a string"));
}

TEST(WatchlistJson, InvalidValues) {
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"person","names":["A"],"dates_of_birth":["1971-02-30"]})")),
              HasSubstr("dates_of_birth[0] \"1971-02-30\" is not a date"));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"person","names":["A"],"nationalities":["ro"]})")),
              HasSubstr("nationalities[0] \"ro\" is not a country (ISO 3166-1 alpha-2 or alpha-3 code, or English name)"));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"vessel","names":["A"],"imo":"12345"})")),
              HasSubstr("is not a 7-digit IMO number"));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"account","names":["A"],"ibans":["12"]})")),
              HasSubstr("ibans[0] \"12\" is not an IBAN"));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"person","names":["--"]})")),
              HasSubstr("names[0] \"--\" has no letters or digits"));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"person","names":["A"],"documents":[{"type":"passport"}]})")),
              HasSubstr("documents[0]: missing \"number\""));
}

TEST(WatchlistJson, UnknownKeysAreRejectedWithTheAllowedKeys) {
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"person","nmaes":["A"],"names":["A"]})")),
              HasSubstr("entries[0] (id \"X\"): unknown key \"nmaes\" (allowed: id, type, names, weak_aliases, "
                        "dates_of_birth, nationalities, gender, countries, documents, ibans, bics, "
                        "crypto_addresses, imo, flag, call_sign, programs, remarks)"));
  EXPECT_THAT(error_of(R"({"list_id":"x","entries":[],"version":3})"),
              HasSubstr("unknown top-level key \"version\" (allowed: list_id, name, source, entries)"));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"person","names":["A"],"documents":[{"number":"1","issuer":"Y"}]})")),
              HasSubstr("documents[0]: unknown key \"issuer\" (allowed: type, number, country)"));
}

TEST(WatchlistJson, EveryProblemIsReportedTogether) {
  const std::string msg = error_of(R"({"list_id":"BAD ID","entries":[
      {"id":"A","type":"person","names":["A"]},
      {"type":"person","names":["B"]},
      {"id":"C","type":"alien","names":["C"]},
      {"id":"A","type":"person","names":["D"],"aliases":["E"]}]})");
  EXPECT_THAT(msg, HasSubstr("5 problems"));
  EXPECT_THAT(msg, HasSubstr("invalid \"list_id\""));
  EXPECT_THAT(msg, HasSubstr("entries[1]: missing \"id\""));
  EXPECT_THAT(msg, HasSubstr("entries[2] (id \"C\"): unknown type \"alien\""));
  EXPECT_THAT(msg, HasSubstr("entries[3] (id \"A\"): unknown key \"aliases\""));
  EXPECT_THAT(msg, HasSubstr("entries[3] (id \"A\"): duplicate id"));
}

TEST(EntryJson, RoundTripsEveryField) {
  WatchlistEntry e;
  e.id = "E-1";
  e.type = EntityType::kAccount;
  e.names = {"Orchid Bay Trading Ltd", "Orchid Bay \"Trading\"\n Ltd ü"};
  e.dates_of_birth = {"1970", "1970-01", "1970-01-02"};
  e.nationalities = {"GBR"};
  e.documents = {{"passport", "RX1", "ROU"}, {"", "X 2", ""}};
  e.ibans = {"GB33BUKB20201555555555"};
  e.bics = {"BUKBGB22"};
  e.imo = "9321483";
  e.remarks = "fictional";
  const std::string json = encode_entry_json(e);
  auto back = parse_entry_json(json);
  ASSERT_TRUE(back.ok()) << back.error().to_string() << "\n" << json;
  EXPECT_EQ(*back, e);

  WatchlistEntry minimal;
  minimal.id = "M";
  minimal.type = EntityType::kVessel;
  minimal.imo = "9321483";
  EXPECT_EQ(encode_entry_json(minimal), R"({"id":"M","type":"vessel","imo":"9321483"})");
  EXPECT_EQ(parse_entry_json(encode_entry_json(minimal)).value(), minimal);
}

TEST(EntryJson, RoundTripsTheScreeningFields) {
  WatchlistEntry e;
  e.id = "ofac-1";
  e.type = EntityType::kPerson;
  e.names = {"Ivan PETROV"};
  e.weak_aliases = {"Vanya"};
  e.dates_of_birth = {"~1960", "~1960-02", "~1960-02-29", "1960/1962"};
  e.nationalities = {"RUS", "PRK"};
  e.gender = "male";
  e.countries = {"CYP"};
  e.documents = {{"passport", "P 123", "RUS"}};
  e.crypto_addresses = {{"XBT", "1AbCdEfGhIjKlMnOpQrStUvWxYz12345"}, {"ETH", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}};
  e.flag = "PAN";
  e.call_sign = "3FZA7";
  e.programs = {"SDGT", "RUSSIA-EO14024"};
  e.remarks = "POB Moscow, Russia";
  const std::string json = encode_entry_json(e);
  auto back = parse_entry_json(json);
  ASSERT_TRUE(back.ok()) << back.error().to_string() << "\n" << json;
  EXPECT_EQ(*back, e);
  // The keys come out in the documented order; empty fields are left out.
  EXPECT_LT(json.find("\"weak_aliases\""), json.find("\"dates_of_birth\""));
  EXPECT_LT(json.find("\"crypto_addresses\""), json.find("\"flag\""));
  EXPECT_LT(json.find("\"programs\""), json.find("\"remarks\""));
  EXPECT_EQ(json.find("\"imo\""), std::string::npos);
  EXPECT_NE(json.find(R"("crypto_addresses":[{"currency":"XBT","address":"1AbCdEfGhIjKlMnOpQrStUvWxYz12345"})"),
            std::string::npos);
}

TEST(WatchlistJson, CountriesAcceptCodesAndNamesAndAreStoredAsAlpha3) {
  auto r = parse_watchlist_json(list_with(R"json({"id":"X","type":"person","names":["A"],
      "nationalities":["RO","ROU","Russian Federation","Korea, North"],
      "documents":[{"number":"1","country":"Iran (Islamic Republic of)"}]},
      {"id":"Y","type":"organization","names":["B"],"countries":["Türkiye","Syria"]},
      {"id":"Z","type":"vessel","names":["C"],"flag":"PA","call_sign":"HO1234"})json"));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->entries[0].nationalities, (std::vector<std::string>{"ROU", "ROU", "RUS", "PRK"}));
  EXPECT_EQ(r->entries[0].documents[0].country, "IRN");
  EXPECT_EQ(r->entries[1].countries, (std::vector<std::string>{"TUR", "SYR"}));
  EXPECT_EQ(r->entries[2].flag, "PAN");
  EXPECT_EQ(r->entries[2].call_sign, "HO1234");
}

TEST(WatchlistJson, NewFieldsAreValidated) {
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"person","names":["A"],"nationalities":["Narnia"]})")),
              HasSubstr("nationalities[0] \"Narnia\" is not a country"));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"organization","names":["A"],"countries":["Europe"]})")),
              HasSubstr("countries[0] \"Europe\" is not a country"));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"vessel","names":["A"],"flag":"Atlantis"})")),
              HasSubstr("\"flag\" \"Atlantis\" is not a country"));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"person","names":["A"],"documents":[{"number":"1","country":"XX"}]})")),
              HasSubstr("documents[0].country \"XX\" is not a country"));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"person","names":["A"],"gender":"M"})")),
              HasSubstr("\"gender\" \"M\" must be \"male\" or \"female\""));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"person","names":["A"],"weak_aliases":["--"]})")),
              HasSubstr("weak_aliases[0] \"--\" has no letters or digits"));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"person","names":["A"],"programs":[" "]})")),
              HasSubstr("programs[0] \" \" is empty"));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"vessel","names":["A"],"call_sign":""})")),
              HasSubstr("\"call_sign\" is empty"));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"crypto_address","crypto_addresses":[{"address":"1AbCdEfGhIjKlMnOp"}]})")),
              HasSubstr("crypto_addresses[0]: missing \"currency\""));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"crypto_address","crypto_addresses":[{"currency":"xbt","address":"1AbCdEfGhIjKlMnOp"}]})")),
              HasSubstr("crypto_addresses[0].currency \"xbt\" is not a currency ticker"));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"crypto_address","crypto_addresses":[{"currency":"XBT","address":"1Ab CdEfGhIjK"}]})")),
              HasSubstr("crypto_addresses[0].address \"1Ab CdEfGhIjK\" is not an address"));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"crypto_address","crypto_addresses":[{"currency":"XBT","address":"1AbCdEfGhIjKlMnOp","memo":"x"}]})")),
              HasSubstr("crypto_addresses[0]: unknown key \"memo\" (allowed: currency, address)"));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"crypto_address","crypto_addresses":"1AbCdEfGhIjKlMnOp"})")),
              HasSubstr("\"crypto_addresses\" must be an array of objects, got a string"));
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"person","names":["A"],"documents":[{"number":"1","number":"2"}]})")),
              HasSubstr("documents[0]: duplicate key \"number\""));
}

TEST(WatchlistJson, ExtendedDatesOfBirth) {
  for (std::string_view ok : {"1960", "1960-02", "1960-02-29", "~1960", "~1960-02", "~1960-02-29", "1960/1962"}) {
    EXPECT_TRUE(parse_watchlist_json(list_with(R"({"id":"X","type":"person","names":["A"],"dates_of_birth":[")" +
                                               std::string(ok) + R"("]})")).ok()) << ok;
  }
  for (std::string_view bad : {"~", "~~1960", "1960/1960", "1962/1960", "1960/62", "1961-02-29", "~1960-13", "1960 ", "c.1960",
                               "1960-1962", "~1960/1962"}) {
    EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"person","names":["A"],"dates_of_birth":[")" + std::string(bad) +
                                   R"("]})")),
                HasSubstr("is not a date")) << bad;
  }
}

TEST(WatchlistJson, AnIdentifierAloneIsEnough) {
  EXPECT_TRUE(parse_watchlist_json(list_with(R"({"id":"X","type":"crypto_address",
      "crypto_addresses":[{"currency":"XBT","address":"1AbCdEfGhIjKlMnOp"}]})")).ok());
  EXPECT_TRUE(parse_watchlist_json(list_with(R"({"id":"X","type":"account","bics":["BUKBGB22"]})")).ok());
  EXPECT_TRUE(parse_watchlist_json(list_with(R"({"id":"X","type":"person","documents":[{"number":"P1"}]})")).ok());
  // Weak aliases alone are not: they are never strong evidence on their own.
  EXPECT_THAT(error_of(list_with(R"({"id":"X","type":"person","weak_aliases":["Abu Z"]})")),
              HasSubstr("has no names and no identifiers"));
}

TEST(EntryJson, DemoEntriesRoundTrip) {
  auto list = load_watchlist_file(kDemo);
  ASSERT_TRUE(list.ok());
  for (const auto& e : list->entries) {
    auto back = parse_entry_json(encode_entry_json(e));
    ASSERT_TRUE(back.ok()) << e.id << ": " << back.error().to_string();
    EXPECT_EQ(*back, e);
  }
}

TEST(EntryJson, RejectsBadEntries) {
  auto r = parse_entry_json(R"({"id":"X","type":"person","names":["A"],"extra":1})");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message(), HasSubstr("unknown key \"extra\""));
  EXPECT_FALSE(parse_entry_json("not json").ok());
}

}  // namespace
}  // namespace crosscheck::rules
