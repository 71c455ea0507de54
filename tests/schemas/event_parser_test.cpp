#include "crosscheck/schemas/event_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

namespace crosscheck::schemas {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const std::string kItinerary =
    R"({"schema_version":"1.0","event_id":"itn-1","event_time":"2026-11-21T08:00:00Z",)"
    R"("flight":{"carrier":"LH","number":"400","departure_airport":"FRA","arrival_airport":"JFK",)"
    R"("scheduled_departure":"2026-11-22T10:00:00Z","scheduled_arrival":"2026-11-22T18:30:00Z"},)"
    R"("pnr":{"locator":"ABC123","booking_date":"2026-10-01","form_of_payment":"card",)"
    R"("travel_agent":{"name":"Example Travel","iata_number":"12345678"}},)"
    R"("passengers":[{"surname":"DOE","given_names":"JANE","date_of_birth":"1980-01-01","sex":"F","nationality":"DEU",)"
    R"("document":{"type":"P","number":"C01X00T47","issuing_state":"DEU","expiry":"2030-01-01",)"
    R"("mrz":["P<DEUDOE<<JANE<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<","C01X00T478DEU8001014F3001019<<<<<<<<<<<<<<<6"]},)"
    R"("embarkation":"FRA","debarkation":"JFK","seat":"23A","bags":2},)"
    R"({"surname":"ROE","date_of_birth":"1982-02-28","nationality":"FRA",)"
    R"("document":{"type":"ID","number":"X1234567","issuing_state":"FRA","expiry":"2031-05-05",)"
    R"("mrz":["I<FRAX1234567<7<<<<<<<<<<<<<<<","8202280<3105054FRA<<<<<<<<<<<0","ROE<<<<<<<<<<<<<<<<<<<<<<<<<<<"]}}]})";

const std::string kManifest =
    R"({"schema_version":"1.0","event_id":"man-1","event_time":"2026-11-21T08:00:00+01:00","lrn":"LRN0001",)"
    R"("transport_mode":"sea","conveyance":{"imo":"9074729","name":"NORDIC STAR","nationality":"MT"},)"
    R"("routing_countries":["CN","SG","NL"],"place_of_loading":"CNSHA","place_of_unloading":"NLRTM",)"
    R"("first_place_of_arrival":"NLRTM","estimated_arrival":"2026-12-03T06:00:00Z","transport_document_number":"MSCU12345678",)"
    R"("consignor":{"name":"Acme Export Co","address":{"street":"1 Harbour Rd","city":"Shanghai","postcode":"200000","country":"CN"},)"
    R"("eori":"CN1234567890"},)"
    R"("consignee":{"name":"Blue Harbour GmbH","address":{"country":"DE"},"eori":"DE1234567","tin":"DE123456789"},)"
    R"("goods":[{"hs_code":"850440","description":"power supplies","packages":{"count":40,"type":"PK"},)"
    R"("gross_mass_kg":"1250.5","container":"CSQU3054383","seals":["SL123456","SL123457"]},)"
    R"({"hs_code":"0901110000","description":"coffee","packages":{"count":1},"gross_mass_kg":"20"}]})";

const std::string kPayment =
    R"({"schema_version":"1.12","event_id":"pay-1","event_time":"2026-11-21T08:00:00.250Z","message_id":"MSG-1",)"
    R"("creation_time":"2026-11-21T08:00:00Z","end_to_end_id":"E2E-1","uetr":"eb6305c9-1f7f-49de-aed0-16487c27b42d",)"
    R"("amount":{"value":"12500.00","currency":"EUR"},"settlement_date":"2026-11-21",)"
    R"("debtor":{"name":"Meridian Example AG","postal_country":"DE","account":{"iban":"DE89370400440532013000"},"agent_bic":"COBADEFFXXX"},)"
    R"("creditor":{"name":"Orchid Example Ltd","postal_country":"GB","account":{"iban":"GB33BUKB20201555555555"},"agent_bic":"BUKBGB22"},)"
    R"("intermediary_agents":["DEUTDEFF","CHASUS33"],"remittance_information":"Invoice 4711"})";

// Replaces the one occurrence of `from` (the test fails loudly if the fixture text drifts).
std::string replace(std::string s, std::string_view from, std::string_view to) {
  const auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << "fixture text not found: " << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

std::vector<Violation> violations_of(EventKind kind, std::string_view payload, ParseOptions options = {}) {
  EventParser parser(options);
  std::vector<Violation> v;
  const Event* ev = parser.parse(kind, payload, v);
  EXPECT_EQ(ev == nullptr, !v.empty()) << "a result must be either an event or violations";
  return v;
}

std::string describe(const std::vector<Violation>& v) {
  std::string s;
  for (const auto& x : v) s += std::string(reason_code_name(x.code)) + "@" + x.path + " (" + x.message + ")\n";
  return s;
}

// ---- valid events --------------------------------------------------------------------------

TEST(EventParser, ParsesItinerary) {
  EventParser parser;
  std::vector<Violation> v;
  const Event* ev = parser.parse(EventKind::kItinerary, kItinerary, v);
  ASSERT_NE(ev, nullptr) << describe(v);
  EXPECT_EQ(ev->kind, EventKind::kItinerary);
  EXPECT_EQ(ev->schema_version, "1.0");
  EXPECT_EQ(ev->event_id, "itn-1");
  EXPECT_EQ(ev->event_time, "2026-11-21T08:00:00Z");
  EXPECT_EQ(ev->event_time_ms, 1795248000000);
  const Itinerary& it = ev->itinerary;
  EXPECT_EQ(it.flight.carrier, "LH");
  EXPECT_EQ(it.flight.number, "400");
  EXPECT_EQ(it.flight.departure_airport, "FRA");
  EXPECT_EQ(it.flight.arrival_airport, "JFK");
  EXPECT_EQ(it.flight.scheduled_departure, "2026-11-22T10:00:00Z");
  EXPECT_EQ(it.flight.scheduled_arrival, "2026-11-22T18:30:00Z");
  EXPECT_TRUE(it.pnr.present);
  EXPECT_EQ(it.pnr.locator, "ABC123");
  EXPECT_EQ(it.pnr.booking_date, "2026-10-01");
  EXPECT_EQ(it.pnr.form_of_payment, "card");
  EXPECT_EQ(it.pnr.travel_agent.name, "Example Travel");
  EXPECT_EQ(it.pnr.travel_agent.iata_number, "12345678");
  ASSERT_EQ(it.passengers.size(), 2u);
  EXPECT_EQ(it.passengers[0].surname, "DOE");
  EXPECT_EQ(it.passengers[0].given_names, "JANE");
  EXPECT_EQ(it.passengers[0].date_of_birth, "1980-01-01");
  EXPECT_EQ(it.passengers[0].sex, "F");
  EXPECT_EQ(it.passengers[0].nationality, "DEU");
  EXPECT_EQ(it.passengers[0].document.type, "P");
  EXPECT_EQ(it.passengers[0].document.number, "C01X00T47");
  EXPECT_EQ(it.passengers[0].document.issuing_state, "DEU");
  EXPECT_EQ(it.passengers[0].document.expiry, "2030-01-01");
  ASSERT_EQ(it.passengers[0].document.mrz_lines, 2);
  EXPECT_EQ(it.passengers[0].document.mrz[1], "C01X00T478DEU8001014F3001019<<<<<<<<<<<<<<<6");
  EXPECT_EQ(it.passengers[0].embarkation, "FRA");
  EXPECT_EQ(it.passengers[0].debarkation, "JFK");
  EXPECT_EQ(it.passengers[0].seat, "23A");
  EXPECT_EQ(it.passengers[0].bags, 2);
  EXPECT_EQ(it.passengers[1].bags, -1);
  EXPECT_EQ(it.passengers[1].document.mrz_lines, 3);
  EXPECT_EQ(it.passengers[1].document.type, "ID");
  EXPECT_EQ(it.passengers[1].surname, "ROE");
  EXPECT_EQ(it.passengers[1].given_names, "");
  EXPECT_EQ(it.passengers[1].sex, "");
  EXPECT_EQ(it.passengers[1].document.number, "X1234567");
  EXPECT_TRUE(ev->manifest.goods.empty());
  EXPECT_EQ(ev->payment.amount, "");
  EXPECT_TRUE(ev->warnings.empty());
}

TEST(EventParser, ParsesManifest) {
  EventParser parser;
  std::vector<Violation> v;
  const Event* ev = parser.parse(EventKind::kManifest, kManifest, v);
  ASSERT_NE(ev, nullptr) << describe(v);
  EXPECT_EQ(ev->kind, EventKind::kManifest);
  EXPECT_EQ(ev->event_time_ms, 1795248000000 - 3600000);
  const Manifest& m = ev->manifest;
  EXPECT_EQ(m.lrn, "LRN0001");
  EXPECT_EQ(m.transport_mode, "sea");
  EXPECT_EQ(m.conveyance.imo, "9074729");
  EXPECT_EQ(m.conveyance.name, "NORDIC STAR");
  EXPECT_EQ(m.conveyance.nationality, "MT");
  EXPECT_THAT(m.routing_countries, ElementsAre("CN", "SG", "NL"));
  EXPECT_EQ(m.place_of_loading, "CNSHA");
  EXPECT_EQ(m.place_of_unloading, "NLRTM");
  EXPECT_EQ(m.first_place_of_arrival, "NLRTM");
  EXPECT_EQ(m.estimated_arrival, "2026-12-03T06:00:00Z");
  EXPECT_EQ(m.transport_document_number, "MSCU12345678");
  EXPECT_EQ(m.consignor.name, "Acme Export Co");
  EXPECT_EQ(m.consignor.address.street, "1 Harbour Rd");
  EXPECT_EQ(m.consignor.address.city, "Shanghai");
  EXPECT_EQ(m.consignor.address.postcode, "200000");
  EXPECT_EQ(m.consignor.address.country, "CN");
  EXPECT_EQ(m.consignor.eori, "CN1234567890");
  EXPECT_EQ(m.consignee.tin, "DE123456789");
  EXPECT_EQ(m.consignee.name, "Blue Harbour GmbH");
  EXPECT_EQ(m.consignee.eori, "DE1234567");
  ASSERT_EQ(m.goods.size(), 2u);
  EXPECT_EQ(m.goods[0].hs_code, "850440");
  EXPECT_EQ(m.goods[0].description, "power supplies");
  EXPECT_EQ(m.goods[0].container, "CSQU3054383");
  EXPECT_EQ(m.goods[0].package_count, 40u);
  EXPECT_EQ(m.goods[0].package_type, "PK");
  EXPECT_EQ(m.goods[0].gross_mass_kg, "1250.5");
  ASSERT_EQ(m.goods[0].seals_count, 2u);
  EXPECT_EQ(m.seals[m.goods[0].seals_begin + 1], "SL123457");
  EXPECT_EQ(m.goods[1].hs_code, "0901110000");
  EXPECT_EQ(m.goods[1].container, "");
  EXPECT_EQ(m.goods[1].package_count, 1u);
  EXPECT_EQ(m.goods[1].seals_count, 0u);
}

TEST(EventParser, ParsesPayment) {
  EventParser parser;
  std::vector<Violation> v;
  const Event* ev = parser.parse(EventKind::kPayment, kPayment, v);
  ASSERT_NE(ev, nullptr) << describe(v);
  EXPECT_EQ(ev->schema_version, "1.12");
  EXPECT_EQ(ev->event_time_ms, 1795248000250);
  const Payment& p = ev->payment;
  EXPECT_EQ(p.message_id, "MSG-1");
  EXPECT_EQ(p.end_to_end_id, "E2E-1");
  EXPECT_EQ(p.creation_time, "2026-11-21T08:00:00Z");
  EXPECT_EQ(p.uetr, "eb6305c9-1f7f-49de-aed0-16487c27b42d");
  EXPECT_EQ(p.settlement_date, "2026-11-21");
  ASSERT_EQ(p.intermediary_agent_count, 2);
  EXPECT_EQ(p.intermediary_agents[1], "CHASUS33");
  EXPECT_EQ(p.remittance_information, "Invoice 4711");
  EXPECT_EQ(p.amount, "12500.00");
  EXPECT_EQ(p.currency, "EUR");
  EXPECT_EQ(p.debtor.name, "Meridian Example AG");
  EXPECT_EQ(p.debtor.country, "DE");
  EXPECT_EQ(p.debtor.iban, "DE89370400440532013000");
  EXPECT_EQ(p.debtor.agent_bic, "COBADEFFXXX");
  EXPECT_EQ(p.creditor.name, "Orchid Example Ltd");
  EXPECT_EQ(p.creditor.iban, "GB33BUKB20201555555555");
  EXPECT_EQ(p.creditor.agent_bic, "BUKBGB22");
}

TEST(EventParser, MinimalEventsOfEachKind) {
  const std::string env = R"("schema_version":"1.0","event_id":"e","event_time":"2026-01-01T00:00:00Z")";
  EXPECT_THAT(violations_of(EventKind::kItinerary,
                            "{" + env + R"(,"flight":{"carrier":"U2","number":"1","departure_airport":"AAA",)"
                                        R"("arrival_airport":"BBB","scheduled_departure":"2026-01-02T00:00:00Z",)"
                                        R"("scheduled_arrival":"2026-01-02T00:00:00Z"},)"
                                        R"("passengers":[{"surname":"A","date_of_birth":"2000-02-29",)"
                                        R"("nationality":"ATA","document":{"type":"P","number":"1",)"
                                        R"("issuing_state":"ATA","expiry":"2026-01-02"}}]})"),
              IsEmpty());
  EXPECT_THAT(violations_of(EventKind::kManifest,
                            "{" + env + R"(,"lrn":"1","transport_mode":"road","conveyance":{},)"
                                        R"("place_of_loading":"PLWAW","place_of_unloading":"DEBER",)"
                                        R"("first_place_of_arrival":"DEFFO","estimated_arrival":"2026-01-02T00:00:00Z",)"
                                        R"("transport_document_number":"1","consignor":{"name":"a","address":{"country":"PL"}},)"
                                        R"("consignee":{"name":"b","address":{"country":"DE"}},)"
                                        R"("goods":[{"hs_code":"000000","description":"x","packages":{"count":1},)"
                                        R"("gross_mass_kg":"0.001"}]})"),
              IsEmpty());
  EXPECT_THAT(violations_of(EventKind::kPayment,
                            "{" + env + R"(,"message_id":"m","creation_time":"2026-01-01T00:00:00Z","end_to_end_id":"x",)"
                                        R"("uetr":"00000000-0000-4000-8000-000000000000",)"
                                        R"("amount":{"value":"0","currency":"JPY"},"settlement_date":"2026-01-01",)"
                                        R"("debtor":{"name":"a","account":{"other":{"id":"123"}},"agent_bic":"AAAAJPJT"},)"
                                        R"("creditor":{"name":"b","account":{"iban":"NO9386011117947"},"agent_bic":"BBBBNOKK"}})"),
              IsEmpty());
}

TEST(EventParser, UnescapesStringsAndKeepsThemValidUntilNextParse) {
  EventParser parser;
  std::vector<Violation> v;
  const std::string doc = replace(kItinerary, R"("surname":"DOE")", R"("sur\u006eame":"D\u00d6E \"Jr\"\n")");
  std::string payload = doc;
  const Event* ev = parser.parse(EventKind::kItinerary, payload, v);
  ASSERT_NE(ev, nullptr) << describe(v);
  // The caller's buffer is not referenced: overwrite it and the views must still hold.
  std::fill(payload.begin(), payload.end(), 'x');
  EXPECT_EQ(ev->itinerary.passengers[0].surname, "D\xC3\x96" "E \"Jr\"\n");
  EXPECT_EQ(ev->itinerary.passengers[0].given_names, "JANE");
  EXPECT_EQ(ev->event_id, "itn-1");
}

TEST(EventParser, ReusesParserAcrossKindsAndFailures) {
  EventParser parser;
  for (int round = 0; round < 3; ++round) {
    std::vector<Violation> v;
    ASSERT_NE(parser.parse(EventKind::kItinerary, kItinerary, v), nullptr);
    EXPECT_EQ(parser.parse(EventKind::kPayment, "{", v), nullptr);
    ASSERT_EQ(v.size(), 1u);
    const Event* ev = parser.parse(EventKind::kManifest, kManifest, v);
    ASSERT_NE(ev, nullptr);
    EXPECT_TRUE(ev->itinerary.passengers.empty()) << "previous event must be cleared";
    EXPECT_EQ(ev->manifest.goods.size(), 2u);
    EXPECT_EQ(ev->manifest.seals.size(), 2u);
    ev = parser.parse(EventKind::kPayment, kPayment, v);
    ASSERT_NE(ev, nullptr);
    EXPECT_TRUE(ev->manifest.goods.empty());
    EXPECT_EQ(ev->manifest.consignor.name, "");
    EXPECT_EQ(v.size(), 1u) << "violations are appended, never cleared";
  }
}

TEST(EventParser, UnknownFieldsAreIgnoredAtEveryLevel) {
  std::string doc = replace(kItinerary, R"("pnr":)", R"("extra":{"deep":[1,2.5e3,-0,true,false,null,"x",{"k":[]}]},"pnr":)");
  doc = replace(doc, R"("surname":"DOE")", R"("loyalty":"GOLD","surname":"DOE")");
  doc = replace(doc, R"("type":"P")", R"("type":"P","chip":null)");
  doc = replace(doc, R"("iata_number")", R"("office":{"id":[1]},"iata_number")");
  EXPECT_THAT(violations_of(EventKind::kItinerary, doc), IsEmpty());
}

TEST(EventParser, NullOptionalFieldsAreAbsent) {
  std::string doc = replace(kItinerary, R"("sex":"F")", R"("sex":null)");
  doc = replace(doc, R"("bags":2)", R"("bags":null)");
  doc = replace(doc, R"("mrz":["P<)", R"("mrz":null,"x":["P<)");
  doc = replace(doc, R"("pnr":{)", R"("pnr":null,"y":{)");
  EXPECT_THAT(violations_of(EventKind::kItinerary, doc), IsEmpty());
}

// ---- one table row per reason code -------------------------------------------------------------

struct Case {
  const char* name;
  EventKind kind;
  std::string payload;
  ReasonCode code;
  std::string path;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class SingleViolation : public ::testing::TestWithParam<Case> {};

TEST_P(SingleViolation, ReportsExactlyOne) {
  const Case& c = GetParam();
  ParseOptions options;
  options.max_event_bytes = 4096;
  options.max_depth = 8;
  const std::string_view airports[] = {"FRA", "JFK"};  // every airport in kItinerary
  options.airports = ids::AirportCodes::from_codes(airports);
  const auto v = violations_of(c.kind, c.payload, options);
  ASSERT_EQ(v.size(), 1u) << describe(v);
  EXPECT_EQ(reason_code_name(v[0].code), reason_code_name(c.code)) << describe(v);
  EXPECT_EQ(v[0].path, c.path) << describe(v);
  EXPECT_FALSE(v[0].message.empty());
}

std::string deep(int levels) {
  std::string s = R"({"schema_version":"1.0","x":)";
  for (int i = 0; i < levels; ++i) s += "[";
  for (int i = 0; i < levels; ++i) s += "]";
  return s + "}";
}

const EventKind kI = EventKind::kItinerary;
const EventKind kM = EventKind::kManifest;
const EventKind kP = EventKind::kPayment;
using RC = ReasonCode;

INSTANTIATE_TEST_SUITE_P(
    Structural, SingleViolation,
    ::testing::Values(
        Case{"empty", kI, "", RC::kEmptyPayload, ""},
        Case{"oversized", kI, std::string(4097, ' '), RC::kOversized, ""},
        Case{"oversized_even_if_invalid_utf8", kI, std::string(5000, '\xff'), RC::kOversized, ""},
        Case{"invalid_utf8_in_string", kI, replace(kItinerary, "DOE", "D\xC3\x28" "E"), RC::kInvalidUtf8, ""},
        Case{"overlong_utf8", kI, replace(kItinerary, "DOE", "D\xC0\xAF"), RC::kInvalidUtf8, ""},
        Case{"surrogate_utf8", kI, replace(kItinerary, "DOE", "D\xED\xA0\x80"), RC::kInvalidUtf8, ""},
        Case{"truncated_utf8_at_end", kI, kItinerary + "\xE2\x82", RC::kInvalidUtf8, ""},
        Case{"whitespace_only", kI, " \n\t ", RC::kJsonSyntax, ""},
        Case{"truncated", kI, kItinerary.substr(0, kItinerary.size() / 2), RC::kJsonSyntax, ""},
        Case{"missing_close", kI, kItinerary.substr(0, kItinerary.size() - 1), RC::kJsonSyntax, ""},
        Case{"trailing_garbage", kI, kItinerary + " x", RC::kJsonSyntax, ""},
        Case{"trailing_object", kP, kPayment + "{}", RC::kJsonSyntax, ""},
        Case{"trailing_brace", kM, kManifest + "}", RC::kJsonSyntax, ""},
        Case{"trailing_comma", kP, replace(kPayment, R"("agent_bic":"BUKBGB22"})", R"("agent_bic":"BUKBGB22",})"),
             RC::kJsonSyntax, ""},
        Case{"missing_comma", kP, replace(kPayment, R"("MSG-1",)", R"("MSG-1" )"), RC::kJsonSyntax, ""},
        Case{"single_quotes", kP, replace(kPayment, R"("MSG-1")", "'MSG-1'"), RC::kJsonSyntax, ""},
        Case{"bad_escape", kP, replace(kPayment, "MSG-1", R"(MSG\x1)"), RC::kJsonSyntax, ""},
        Case{"raw_control_char", kP, replace(kPayment, "MSG-1", "MSG\x01" "1"), RC::kJsonSyntax, ""},
        Case{"lone_surrogate_escape", kP, replace(kPayment, "MSG-1", R"(\ud800)"), RC::kJsonSyntax, ""},
        Case{"bad_number_in_unknown", kP, replace(kPayment, R"("message_id")", R"("n":01,"message_id")"),
             RC::kJsonSyntax, ""},
        Case{"bad_atom_in_unknown", kP, replace(kPayment, R"("message_id")", R"("n":tru,"message_id")"),
             RC::kJsonSyntax, ""},
        Case{"double_comma_in_unknown_array", kP, replace(kPayment, R"("message_id")", R"("n":[1,,2],"message_id")"),
             RC::kJsonSyntax, ""},
        Case{"mismatched_brackets_in_unknown", kP,
             replace(kPayment, R"("message_id")", R"("n":[1,2},"m":3],"message_id")"), RC::kJsonSyntax, ""},
        Case{"missing_colon_in_unknown", kP, replace(kPayment, R"("message_id")", R"("n":{"a" 1},"message_id")"),
             RC::kJsonSyntax, ""},
        Case{"malformed_value_of_wrong_type", kP, replace(kPayment, R"("MSG-1")", R"([1,,2])"), RC::kJsonSyntax, ""},
        Case{"malformed_duplicate_value", kP, replace(kPayment, R"("message_id")", R"("message_id":[}],"message_id")"),
             RC::kJsonSyntax, ""},
        Case{"bad_null_for_optional", kI, replace(kItinerary, R"("sex":"F")", R"("sex":nul)"), RC::kJsonSyntax, ""},
        Case{"nan", kP, replace(kPayment, R"("message_id")", R"("n":NaN,"message_id")"), RC::kJsonSyntax, ""},
        Case{"too_deep_unknown", kI, deep(8), RC::kTooDeep, ""},
        Case{"too_deep_wins_over_field_errors", kM, deep(20), RC::kTooDeep, ""},
        Case{"not_an_object_array", kI, "[1,2,3]", RC::kNotAnObject, ""},
        Case{"not_an_object_string", kI, R"("hello")", RC::kNotAnObject, ""},
        Case{"not_an_object_number", kI, " 42 ", RC::kNotAnObject, ""},
        Case{"string_root_trailing", kI, R"("abc" x)", RC::kJsonSyntax, ""},
        Case{"not_an_object_null", kI, "null", RC::kNotAnObject, ""},
        Case{"array_root_malformed", kI, "[1,,2]", RC::kJsonSyntax, ""},
        Case{"array_root_trailing", kI, "[1] 2", RC::kJsonSyntax, ""},
        Case{"scalar_root_malformed", kI, "tru", RC::kJsonSyntax, ""},
        Case{"scalar_root_trailing", kI, "1 2", RC::kJsonSyntax, ""}),
    [](const auto& info) { return std::string(info.param.name); });

const std::vector<Case> kFieldCases = {
    // envelope
    Case{"missing_schema_version", kP, replace(kPayment, R"("schema_version":"1.12",)", ""), RC::kMissingField,
         "schema_version"},
    Case{"schema_version_2", kP, replace(kPayment, R"("1.12")", R"("2.0")"), RC::kUnsupportedSchemaVersion,
         "schema_version"},
    Case{"schema_version_1", kP, replace(kPayment, R"("1.12")", R"("1")"), RC::kUnsupportedSchemaVersion,
         "schema_version"},
    Case{"schema_version_1x", kP, replace(kPayment, R"("1.12")", R"("1.x")"), RC::kUnsupportedSchemaVersion,
         "schema_version"},
    Case{"schema_version_number", kP, replace(kPayment, R"("1.12")", "1.0"), RC::kWrongType, "schema_version"},
    Case{"empty_event_id", kP, replace(kPayment, R"("pay-1")", R"("")"), RC::kInvalidValue, "event_id"},
    Case{"long_event_id", kP, replace(kPayment, R"("pay-1")", "\"" + std::string(129, 'a') + "\""),
         RC::kInvalidValue, "event_id"},
    Case{"event_id_object", kP, replace(kPayment, R"("pay-1")", R"({"a":1})"), RC::kWrongType, "event_id"},
    Case{"event_time_no_zone", kP, replace(kPayment, "08:00:00.250Z", "08:00:00.250"), RC::kInvalidValue,
         "event_time"},
    Case{"event_time_feb_30", kP, replace(kPayment, "2026-11-21T08:00:00.250Z", "2026-02-30T08:00:00.250Z"),
         RC::kInvalidValue, "event_time"},
    Case{"missing_event_time", kM, replace(kManifest, R"("event_time":"2026-11-21T08:00:00+01:00",)", ""),
         RC::kMissingField, "event_time"},
    Case{"null_required_is_missing", kM, replace(kManifest, R"("event_id":"man-1")", R"("event_id":null)"),
         RC::kMissingField, "event_id"},
    Case{"duplicate_top_level", kP, replace(kPayment, R"("message_id":"MSG-1")", R"("message_id":"A","message_id":"B")"),
         RC::kDuplicateKey, "message_id"},
    Case{"duplicate_escaped_key", kP,
         replace(kPayment, R"("message_id":"MSG-1")", R"("message_id":"A","message_\u0069d":"B")"), RC::kDuplicateKey,
         "message_id"},
    Case{"duplicate_unknown_key", kP, replace(kPayment, R"("message_id")", R"("zz":1,"aa":2,"zz":3,"message_id")"),
         RC::kDuplicateKey, "zz"},
    Case{"duplicate_inside_unknown", kP, replace(kPayment, R"("message_id")", R"("x":[{"a":1,"a":2}],"message_id")"),
         RC::kDuplicateKey, ""},
    // itinerary: flight
    Case{"missing_flight", kI, replace(kItinerary, R"("flight":{)", R"("flyte":{)"), RC::kMissingField, "flight"},
    Case{"missing_flight_carrier", kI, replace(kItinerary, R"("carrier":"LH",)", ""), RC::kMissingField,
         "flight.carrier"},
    Case{"flight_not_object", kI, replace(kItinerary, R"("flight":{)", R"("flight":true,"f":{)"), RC::kWrongType,
         "flight"},
    Case{"carrier", kI, replace(kItinerary, R"("LH")", R"("LHX")"), RC::kInvalidValue, "flight.carrier"},
    Case{"flight_number", kI, replace(kItinerary, R"("400")", R"("40000")"), RC::kInvalidValue, "flight.number"},
    Case{"airport", kI, replace(kItinerary, R"("arrival_airport":"JFK")", R"("arrival_airport":"jfk")"),
         RC::kInvalidValue, "flight.arrival_airport"},
    Case{"unknown_airport", kI, replace(kItinerary, R"("debarkation":"JFK")", R"("debarkation":"EWR")"),
         RC::kUnknownAirport, "passengers[0].debarkation"},
    Case{"unknown_flight_airport", kI, replace(kItinerary, R"("departure_airport":"FRA")",
                                               R"("departure_airport":"MUC")"),
         RC::kUnknownAirport, "flight.departure_airport"},
    Case{"departure_time", kI, replace(kItinerary, "2026-11-22T10:00:00Z", "2026-11-22 10:00"), RC::kInvalidValue,
         "flight.scheduled_departure"},
    Case{"departure_time_not_utc", kI, replace(kItinerary, "2026-11-22T10:00:00Z", "2026-11-22T11:00:00+01:00"),
         RC::kInvalidValue, "flight.scheduled_departure"},
    Case{"arrival_before_departure", kI, replace(kItinerary, "2026-11-22T18:30:00Z", "2026-11-22T09:59:59Z"),
         RC::kArrivalBeforeDeparture, "flight.scheduled_arrival"},
    // itinerary: pnr
    Case{"pnr_locator_number", kI, replace(kItinerary, R"("ABC123")", "123"), RC::kWrongType, "pnr.locator"},
    Case{"pnr_locator_short", kI, replace(kItinerary, R"("ABC123")", R"("ABC1")"), RC::kInvalidValue, "pnr.locator"},
    Case{"pnr_missing_locator", kI, replace(kItinerary, R"("locator":"ABC123",)", ""), RC::kMissingField,
         "pnr.locator"},
    Case{"booking_after_departure", kI, replace(kItinerary, "2026-10-01", "2026-11-23"), RC::kInvalidValue,
         "pnr.booking_date"},
    Case{"form_of_payment", kI, replace(kItinerary, R"("card")", R"("crypto")"), RC::kInvalidValue,
         "pnr.form_of_payment"},
    Case{"agent_iata_number", kI, replace(kItinerary, "12345678", "123456"), RC::kInvalidValue,
         "pnr.travel_agent.iata_number"},
    // itinerary: passengers
    Case{"missing_passengers", kI, replace(kItinerary, R"("passengers":[)", R"("pax":[)"), RC::kMissingField,
         "passengers"},
    Case{"passengers_object", kI, replace(kItinerary, R"("passengers":[)", R"("passengers":[[]],"x":[)"),
         RC::kWrongType, "passengers[0]"},
    Case{"passengers_not_array", kI, replace(kItinerary, R"("passengers":[)", R"("passengers":{},"x":[)"),
         RC::kWrongType, "passengers"},
    Case{"passengers_empty", kI, replace(kItinerary, R"("passengers":[)", R"("passengers":[],"x":[)"),
         RC::kInvalidValue, "passengers"},
    Case{"bad_dob", kI, replace(kItinerary, "1982-02-28", "1982-02-29"), RC::kInvalidValue,
         "passengers[1].date_of_birth"},
    Case{"dob_in_future", kI,
         replace(replace(kItinerary, "1982-02-28", "2999-02-28"), "8202280<3105054FRA<<<<<<<<<<<0",
                 "9902288<3105054FRA<<<<<<<<<<<4"),
         RC::kInvalidValue, "passengers[1].date_of_birth"},
    Case{"dob_number", kI, replace(kItinerary, R"("1982-02-28")", "19820228"), RC::kWrongType,
         "passengers[1].date_of_birth"},
    Case{"missing_surname", kI, replace(kItinerary, R"("surname":"ROE",)", ""), RC::kMissingField,
         "passengers[1].surname"},
    Case{"empty_surname", kI, replace(kItinerary, R"("surname":"ROE")", R"("surname":"")"), RC::kInvalidValue,
         "passengers[1].surname"},
    Case{"lower_nationality", kI, replace(kItinerary, R"("FRA","document")", R"("fra","document")"),
         RC::kInvalidValue, "passengers[1].nationality"},
    Case{"unknown_nationality", kI, replace(kItinerary, R"("FRA","document")", R"("UTO","document")"),
         RC::kUnknownCountry, "passengers[1].nationality"},
    Case{"bad_sex", kI, replace(kItinerary, R"("sex":"F")", R"("sex":"female")"), RC::kInvalidValue,
         "passengers[0].sex"},
    Case{"embarkation", kI, replace(kItinerary, R"("embarkation":"FRA")", R"("embarkation":"FRAN")"),
         RC::kInvalidValue, "passengers[0].embarkation"},
    Case{"seat", kI, replace(kItinerary, R"("23A")", R"("23Z")"), RC::kInvalidValue, "passengers[0].seat"},
    Case{"bags_range", kI, replace(kItinerary, R"("bags":2)", R"("bags":100)"), RC::kInvalidValue,
         "passengers[0].bags"},
    Case{"bags_fraction", kI, replace(kItinerary, R"("bags":2)", R"("bags":2.5)"), RC::kInvalidValue,
         "passengers[0].bags"},
    Case{"bags_string", kI, replace(kItinerary, R"("bags":2)", R"("bags":"2")"), RC::kWrongType,
         "passengers[0].bags"},
    Case{"missing_document", kI, replace(kItinerary, R"(,"document":{"type":"ID")", R"(,"doc":{"type":"ID")"),
         RC::kMissingField, "passengers[1].document"},
    Case{"missing_document_number", kI, replace(kItinerary, R"("number":"X1234567",)", ""), RC::kMissingField,
         "passengers[1].document.number"},
    Case{"missing_document_expiry", kI, replace(kItinerary, R"(,"expiry":"2031-05-05")", ""), RC::kMissingField,
         "passengers[1].document.expiry"},
    Case{"document_type", kI, replace(kItinerary, R"("type":"ID")", R"("type":"1D")"), RC::kInvalidValue,
         "passengers[1].document.type"},
    Case{"document_number_punct", kI, replace(kItinerary, R"("X1234567")", R"("X-1234567")"), RC::kInvalidValue,
         "passengers[1].document.number"},
    Case{"document_number_long", kI, replace(kItinerary, R"("X1234567")", "\"" + std::string(21, '1') + "\""),
         RC::kInvalidValue, "passengers[1].document.number"},
    Case{"document_expiry", kI, replace(kItinerary, "2031-05-05", "2031-13-05"), RC::kInvalidValue,
         "passengers[1].document.expiry"},
    Case{"issuing_state", kI, replace(kItinerary, R"("issuing_state":"DEU")", R"("issuing_state":"DE")"),
         RC::kInvalidValue, "passengers[0].document.issuing_state"},
    Case{"unknown_issuing_state", kI, replace(kItinerary, R"("issuing_state":"DEU")", R"("issuing_state":"XXX")"),
         RC::kUnknownCountry, "passengers[0].document.issuing_state"},
    Case{"duplicate_nested", kI,
         replace(kItinerary, R"("number":"X1234567")", R"("number":"X1234567","number":"X2")"), RC::kDuplicateKey,
         "passengers[1].document.number"},
    Case{"document_not_object", kI,
         replace(kItinerary, R"("document":{"type":"ID")", R"("document":"X","d":{"type":"ID")"), RC::kWrongType,
         "passengers[1].document"},
    // itinerary: MRZ
    Case{"mrz_line_length", kI, replace(kItinerary, "3001019<<<<<<<<<<<<<<<6", "3001019<<<<<<<<<<<<<<6"),
         RC::kMrzFormat, "passengers[0].document.mrz"},
    Case{"mrz_one_line", kI,
         replace(kItinerary, R"("P<DEUDOE<<JANE<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<",)", ""), RC::kMrzFormat,
         "passengers[0].document.mrz"},
    Case{"mrz_lowercase", kI, replace(kItinerary, "P<DEUDOE<<JANE", "P<DEUDOE<<Jane"), RC::kMrzFormat,
         "passengers[0].document.mrz"},
    Case{"mrz_line_not_string", kI, replace(kItinerary, R"("ROE<<<<<<<<<<<<<<<<<<<<<<<<<<<")", "3"),
         RC::kWrongType, "passengers[1].document.mrz[2]"},
    Case{"mrz_composite_digit", kI, replace(kItinerary, "3001019<<<<<<<<<<<<<<<6", "3001019<<<<<<<<<<<<<<<7"),
         RC::kMrzCheckDigit, "passengers[0].document.mrz"},
    Case{"mrz_td1_composite_digit", kI, replace(kItinerary, "FRA<<<<<<<<<<<0", "FRA<<<<<<<<<<<1"),
         RC::kMrzCheckDigit, "passengers[1].document.mrz"},
    Case{"mrz_document_number_mismatch", kI, replace(kItinerary, R"("C01X00T47")", R"("C01X00T48")"),
         RC::kMrzMismatch, "passengers[0].document.mrz"},
    Case{"mrz_expiry_mismatch", kI, replace(kItinerary, "2031-05-05", "2031-05-06"), RC::kMrzMismatch,
         "passengers[1].document.mrz"},
    Case{"mrz_dob_mismatch", kI, replace(kItinerary, "1980-01-01", "1980-01-02"), RC::kMrzMismatch,
         "passengers[0].document.mrz"},
    // manifest
    Case{"missing_lrn", kM, replace(kManifest, R"("lrn":"LRN0001",)", ""), RC::kMissingField, "lrn"},
    Case{"lrn_punct", kM, replace(kManifest, "LRN0001", "LRN-0001"), RC::kInvalidValue, "lrn"},
    Case{"missing_consignor", kM, replace(kManifest, R"("consignor":)", R"("shipper":)"), RC::kMissingField,
         "consignor"},
    Case{"missing_consignee_name", kM, replace(kManifest, R"("name":"Blue Harbour GmbH",)", ""), RC::kMissingField,
         "consignee.name"},
    Case{"missing_consignee_address", kM, replace(kManifest, R"("address":{"country":"DE"},)", ""),
         RC::kMissingField, "consignee.address"},
    Case{"missing_address_country", kM, replace(kManifest, R"({"country":"DE"})", R"({"city":"Hamburg"})"),
         RC::kMissingField, "consignee.address.country"},
    Case{"transport_mode", kM, replace(kManifest, R"("sea")", R"("ship")"), RC::kInvalidValue, "transport_mode"},
    Case{"missing_imo_for_sea", kM, replace(kManifest, R"("imo":"9074729",)", ""), RC::kMissingField,
         "conveyance.imo"},
    Case{"missing_flight_for_air", kM, replace(kManifest, R"("sea")", R"("air")"), RC::kMissingField,
         "conveyance.flight"},
    Case{"conveyance_flight", kM, replace(kManifest, R"("imo":"9074729",)", R"("imo":"9074729","flight":"LH",)"),
         RC::kInvalidValue, "conveyance.flight"},
    Case{"imo_length", kM, replace(kManifest, "9074729", "907472"), RC::kInvalidValue, "conveyance.imo"},
    Case{"imo_check_digit", kM, replace(kManifest, "9074729", "9074728"), RC::kImoCheckDigit, "conveyance.imo"},
    Case{"imo_number", kM, replace(kManifest, R"("9074729")", "9074729"), RC::kWrongType, "conveyance.imo"},
    Case{"conveyance_nationality", kM, replace(kManifest, R"("nationality":"MT")", R"("nationality":"XX")"),
         RC::kUnknownCountry, "conveyance.nationality"},
    Case{"routing_country", kM, replace(kManifest, R"(["CN","SG","NL"])", R"(["CN","SGP","NL"])"), RC::kInvalidValue,
         "routing_countries[1]"},
    Case{"routing_unknown_country", kM, replace(kManifest, R"(["CN","SG","NL"])", R"(["CN","SG","QQ"])"),
         RC::kUnknownCountry, "routing_countries[2]"},
    Case{"routing_empty", kM, replace(kManifest, R"(["CN","SG","NL"])", "[]"), RC::kInvalidValue,
         "routing_countries"},
    Case{"unlocode_shape", kM, replace(kManifest, R"("place_of_loading":"CNSHA")", R"("place_of_loading":"CNSH1")"),
         RC::kInvalidValue, "place_of_loading"},
    Case{"unlocode_country", kM, replace(kManifest, R"("place_of_loading":"CNSHA")", R"("place_of_loading":"XXSHA")"),
         RC::kUnknownCountry, "place_of_loading"},
    Case{"missing_first_place_of_arrival", kM, replace(kManifest, R"("first_place_of_arrival":"NLRTM",)", ""),
         RC::kMissingField, "first_place_of_arrival"},
    Case{"estimated_arrival", kM, replace(kManifest, "2026-12-03T06:00:00Z", "2026-12-03"), RC::kInvalidValue,
         "estimated_arrival"},
    Case{"transport_document_long", kM, replace(kManifest, "MSCU12345678", std::string(36, 'M')), RC::kInvalidValue,
         "transport_document_number"},
    Case{"country", kM, replace(kManifest, R"("country":"CN")", R"("country":"CHN")"), RC::kInvalidValue,
         "consignor.address.country"},
    Case{"unknown_party_country", kM, replace(kManifest, R"("country":"CN")", R"("country":"ZZ")"),
         RC::kUnknownCountry, "consignor.address.country"},
    Case{"eori_shape", kM, replace(kManifest, "CN1234567890", "CN-1234567890"), RC::kInvalidValue, "consignor.eori"},
    Case{"eori_country", kM, replace(kManifest, "CN1234567890", "QQ1234567890"), RC::kUnknownCountry,
         "consignor.eori"},
    Case{"hs_code", kM, replace(kManifest, R"("850440")", R"("8504")"), RC::kInvalidValue, "goods[0].hs_code"},
    Case{"missing_description", kM, replace(kManifest, R"("description":"coffee",)", ""), RC::kMissingField,
         "goods[1].description"},
    Case{"missing_packages", kM, replace(kManifest, R"("packages":{"count":1},)", ""), RC::kMissingField,
         "goods[1].packages"},
    Case{"package_count_zero", kM, replace(kManifest, R"({"count":1})", R"({"count":0})"), RC::kInvalidValue,
         "goods[1].packages.count"},
    Case{"package_type", kM, replace(kManifest, R"("type":"PK")", R"("type":"PKG")"), RC::kInvalidValue,
         "goods[0].packages.type"},
    Case{"gross_mass_zero", kM, replace(kManifest, R"("gross_mass_kg":"20")", R"("gross_mass_kg":"0.000")"),
         RC::kInvalidAmount, "goods[1].gross_mass_kg"},
    Case{"gross_mass_fraction", kM, replace(kManifest, R"("1250.5")", R"("1250.5001")"), RC::kInvalidAmount,
         "goods[0].gross_mass_kg"},
    Case{"gross_mass_number", kM, replace(kManifest, R"("1250.5")", "1250.5"), RC::kWrongType,
         "goods[0].gross_mass_kg"},
    Case{"container", kM, replace(kManifest, "CSQU3054383", "CSQ3054383"), RC::kInvalidValue, "goods[0].container"},
    Case{"container_check_digit", kM, replace(kManifest, "CSQU3054383", "CSQU3054384"), RC::kContainerCheckDigit,
         "goods[0].container"},
    Case{"seal_empty", kM, replace(kManifest, R"("SL123457")", R"("")"), RC::kInvalidValue, "goods[0].seals[1]"},
    Case{"goods_empty", kM, replace(kManifest, R"("goods":[)", R"("goods":[],"g":[)"), RC::kInvalidValue, "goods"},
    Case{"goods_item_not_object", kM, replace(kManifest, R"("goods":[)", R"("goods":[7,)"), RC::kWrongType,
         "goods[0]"},
    Case{"goods_not_array", kM, replace(kManifest, R"("goods":[)", R"("goods":"x","g":[)"), RC::kWrongType, "goods"},
    Case{"duplicate_in_goods", kM,
         replace(kManifest, R"("description":"coffee")", R"("description":"coffee","description":"b")"),
         RC::kDuplicateKey, "goods[1].description"},
    // payment
    Case{"missing_uetr", kP, replace(kPayment, R"("uetr":)", R"("uetx":)"), RC::kMissingField, "uetr"},
    Case{"uetr_uppercase", kP, replace(kPayment, "eb6305c9-1f7f", "EB6305C9-1f7f"), RC::kInvalidValue, "uetr"},
    Case{"uetr_version_1", kP, replace(kPayment, "-49de-", "-19de-"), RC::kInvalidValue, "uetr"},
    Case{"message_id_long", kP, replace(kPayment, R"("MSG-1")", "\"" + std::string(36, 'M') + "\""),
         RC::kInvalidValue, "message_id"},
    Case{"creation_time", kP, replace(kPayment, R"("creation_time":"2026-11-21T08:00:00Z")",
                                      R"("creation_time":"2026-11-21T08:00:00")"),
         RC::kInvalidValue, "creation_time"},
    Case{"settlement_date", kP, replace(kPayment, R"("settlement_date":"2026-11-21")",
                                        R"("settlement_date":"2026-11-31")"),
         RC::kInvalidValue, "settlement_date"},
    Case{"amount_number", kP, replace(kPayment, R"("12500.00")", "12500.00"), RC::kWrongType, "amount.value"},
    Case{"amount_format", kP, replace(kPayment, R"("12500.00")", R"("12,500.00")"), RC::kInvalidAmount,
         "amount.value"},
    Case{"amount_fraction", kP, replace(kPayment, R"("12500.00")", R"("1.123456")"), RC::kInvalidAmount,
         "amount.value"},
    Case{"amount_negative", kP, replace(kPayment, R"("12500.00")", R"("-1.00")"), RC::kInvalidAmount, "amount.value"},
    Case{"amount_dot_only", kP, replace(kPayment, R"("12500.00")", R"("12.")"), RC::kInvalidAmount, "amount.value"},
    Case{"amount_too_many_digits", kP, replace(kPayment, R"("12500.00")", R"("1234567890123456789")"),
         RC::kInvalidAmount, "amount.value"},
    Case{"amount_minor_units_eur", kP, replace(kPayment, R"("12500.00")", R"("12500.001")"), RC::kInvalidAmount,
         "amount.value"},
    Case{"amount_minor_units_jpy", kP, replace(kPayment, R"("EUR")", R"("JPY")"), RC::kInvalidAmount,
         "amount.value"},
    Case{"missing_currency", kP, replace(kPayment, R"(,"currency":"EUR")", ""), RC::kMissingField,
         "amount.currency"},
    Case{"currency_lower", kP, replace(kPayment, R"("EUR")", R"("eur")"), RC::kInvalidValue, "amount.currency"},
    Case{"currency_unknown", kP, replace(kPayment, R"("EUR")", R"("XYZ")"), RC::kUnknownCurrency, "amount.currency"},
    Case{"currency_withdrawn", kP, replace(kPayment, R"("EUR")", R"("DEM")"), RC::kUnknownCurrency,
         "amount.currency"},
    Case{"missing_amount", kP, replace(kPayment, R"("amount":)", R"("amt":)"), RC::kMissingField, "amount"},
    Case{"iban_checksum", kP, replace(kPayment, "DE89370400440532013000", "DE88370400440532013000"),
         RC::kIbanCheckDigits, "debtor.account.iban"},
    Case{"iban_transposed", kP, replace(kPayment, "DE89370400440532013000", "DE89370400440532010300"),
         RC::kIbanCheckDigits, "debtor.account.iban"},
    Case{"iban_spaces", kP, replace(kPayment, "DE89370400440532013000", "DE89 3704 0044 0532 0130 00"),
         RC::kInvalidValue, "debtor.account.iban"},
    Case{"iban_short", kP, replace(kPayment, "DE89370400440532013000", "DE8937040"), RC::kIbanLength,
         "debtor.account.iban"},
    Case{"iban_unknown_country", kP, replace(kPayment, "DE89370400440532013000", "US89370400440532013000"),
         RC::kIbanLength, "debtor.account.iban"},
    Case{"account_both", kP, replace(kPayment, R"({"iban":"DE89370400440532013000"})",
                                     R"({"iban":"DE89370400440532013000","other":{"id":"1"}})"),
         RC::kInvalidValue, "debtor.account"},
    Case{"account_neither", kP, replace(kPayment, R"({"iban":"DE89370400440532013000"})", "{}"), RC::kMissingField,
         "debtor.account.iban"},
    Case{"account_other_missing_id", kP,
         replace(kPayment, R"({"iban":"DE89370400440532013000"})", R"({"other":{"scheme":"BBAN"}})"),
         RC::kMissingField, "debtor.account.other.id"},
    Case{"missing_account", kP, replace(kPayment, R"("account":{"iban":"DE89)", R"("acct":{"iban":"DE89)"),
         RC::kMissingField, "debtor.account"},
    Case{"old_iban_field", kP, replace(kPayment, R"("account":{"iban":"GB33BUKB20201555555555"})",
                                       R"("iban":"GB33BUKB20201555555555")"),
         RC::kMissingField, "creditor.account"},
    Case{"postal_country", kP, replace(kPayment, R"("postal_country":"DE")", R"("postal_country":"XY")"),
         RC::kUnknownCountry, "debtor.postal_country"},
    Case{"bic_length", kP, replace(kPayment, "COBADEFFXXX", "COBADEFFXX"), RC::kInvalidBic, "debtor.agent_bic"},
    Case{"bic_country_format", kP, replace(kPayment, "BUKBGB22", "BUKB1B22"), RC::kInvalidBic, "creditor.agent_bic"},
    Case{"bic_unknown_country", kP, replace(kPayment, "BUKBGB22", "BUKBQQ22"), RC::kInvalidBic, "creditor.agent_bic"},
    Case{"missing_agent_bic", kP, replace(kPayment, R"(,"agent_bic":"BUKBGB22")", ""), RC::kMissingField,
         "creditor.agent_bic"},
    Case{"intermediary_bic", kP, replace(kPayment, R"("CHASUS33")", R"("CHASUS3")"), RC::kInvalidBic,
         "intermediary_agents[1]"},
    Case{"intermediary_too_many", kP,
         replace(kPayment, R"(["DEUTDEFF","CHASUS33"])", R"(["DEUTDEFF","CHASUS33","BNPAFRPP","INGBNL2A"])"),
         RC::kInvalidValue, "intermediary_agents"},
    Case{"remittance_long", kP, replace(kPayment, R"("Invoice 4711")", "\"" + std::string(141, 'x') + "\""),
         RC::kInvalidValue, "remittance_information"},
    Case{"creditor_missing_name", kP, replace(kPayment, R"("name":"Orchid Example Ltd",)", ""), RC::kMissingField,
         "creditor.name"},
    Case{"creditor_not_object", kP, replace(kPayment, R"("creditor":{)", R"("creditor":[],"c":{)"), RC::kWrongType,
         "creditor"},
};

INSTANTIATE_TEST_SUITE_P(Fields, SingleViolation, ::testing::ValuesIn(kFieldCases),
                         [](const auto& info) { return std::string(info.param.name); });

// Every reason code the parser can produce has at least one row above (unknown_topic comes from
// the screener, document_expired is a warning: both are tested elsewhere).
TEST(SingleViolation, TablesCoverEveryParserReasonCode) {
  std::set<ReasonCode> covered;
  for (const Case& c : kFieldCases) covered.insert(c.code);
  for (ReasonCode code : {RC::kEmptyPayload, RC::kOversized, RC::kInvalidUtf8, RC::kJsonSyntax, RC::kTooDeep,
                          RC::kNotAnObject}) {
    covered.insert(code);  // the Structural table
  }
  for (int i = 0; i < kReasonCodeCount; ++i) {
    const auto code = static_cast<ReasonCode>(i);
    if (code == RC::kUnknownTopic || code == RC::kDocumentExpired) continue;
    EXPECT_TRUE(covered.count(code)) << reason_code_name(code);
  }
}

// ---- several problems at once ----------------------------------------------------------------

TEST(EventParser, ReportsAllFieldViolationsTogether) {
  std::string doc = replace(kItinerary, "1980-01-01", "1980-02-30");
  doc = replace(doc, R"("nationality":"FRA")", R"("nationality":7)");
  doc = replace(doc, R"("event_id":"itn-1",)", "");
  doc = replace(doc, R"("schema_version":"1.0")", R"("schema_version":"3.0")");
  doc = replace(doc, R"("surname":"ROE",)", "");
  doc = replace(doc, R"("number":"X1234567")", R"("number":"X1234567","number":"X2")");
  const auto v = violations_of(EventKind::kItinerary, doc);
  EXPECT_THAT(v, ElementsAre(Field(&Violation::path, "schema_version"),
                             Field(&Violation::path, "passengers[0].date_of_birth"),
                             Field(&Violation::path, "passengers[1].nationality"),
                             Field(&Violation::path, "passengers[1].document.number"),
                             Field(&Violation::path, "passengers[1].surname"), Field(&Violation::path, "event_id")))
      << describe(v);
  EXPECT_EQ(v[0].code, RC::kUnsupportedSchemaVersion);
  EXPECT_EQ(v[1].code, RC::kInvalidValue);
  EXPECT_EQ(v[2].code, RC::kWrongType);
  EXPECT_EQ(v[3].code, RC::kDuplicateKey);
  EXPECT_EQ(v[4].code, RC::kMissingField);
  EXPECT_EQ(v[5].code, RC::kMissingField);
}

TEST(EventParser, OneViolationPerMissingField) {
  const auto v = violations_of(EventKind::kPayment, "{}");
  std::vector<std::string> paths;
  for (const auto& x : v) {
    EXPECT_EQ(x.code, RC::kMissingField);
    paths.push_back(x.path);
  }
  EXPECT_THAT(paths, ElementsAre("schema_version", "event_id", "event_time", "message_id", "creation_time",
                                 "end_to_end_id", "uetr", "amount", "settlement_date", "debtor", "creditor"));
}

TEST(EventParser, SyntaxErrorReplacesFieldViolations) {
  // Field problems found before the syntax error are dropped: one structural violation only.
  std::string doc = replace(kPayment, R"("EUR")", R"("eur")");
  doc = replace(doc, R"("name":"Orchid Example Ltd")", R"("name":"Orchid Example Ltd",,)");
  const auto v = violations_of(EventKind::kPayment, doc);
  ASSERT_EQ(v.size(), 1u) << describe(v);
  EXPECT_EQ(v[0].code, RC::kJsonSyntax);
}

TEST(EventParser, MessagesNeverEchoPersonalData) {
  std::string doc = replace(kItinerary, "1980-01-01", "1980-99-99");
  doc = replace(doc, "C01X00T47", "C01X00T47-SECRET");
  doc = replace(doc, R"("nationality":"DEU")", R"("nationality":"Deutsch")");
  const auto v = violations_of(EventKind::kItinerary, doc);
  ASSERT_EQ(v.size(), 3u) << describe(v);
  for (const auto& x : v) {
    EXPECT_THAT(x.message, Not(HasSubstr("1980"))) << x.message;
    EXPECT_THAT(x.message, Not(HasSubstr("SECRET"))) << x.message;
    EXPECT_THAT(x.message, Not(HasSubstr("Deutsch"))) << x.message;
    EXPECT_THAT(x.message, HasSubstr(x.path));
  }
  EXPECT_EQ(v[0].message, "passengers[0].date_of_birth must be a calendar date YYYY-MM-DD");
}

TEST(EventParser, MrzCheckDigitsAreReportedOnePerDigit) {
  // Changing the document number inside the MRZ breaks its own digit and the composite, and the
  // MRZ then disagrees with the document.number field.
  const auto v = violations_of(EventKind::kItinerary, replace(kItinerary, "C01X00T478DEU", "C01X00T578DEU"));
  ASSERT_EQ(v.size(), 3u) << describe(v);
  EXPECT_EQ(v[0].code, RC::kMrzCheckDigit);
  EXPECT_THAT(v[0].message, HasSubstr("document number"));
  EXPECT_EQ(v[1].code, RC::kMrzCheckDigit);
  EXPECT_THAT(v[1].message, HasSubstr("composite"));
  EXPECT_EQ(v[2].code, RC::kMrzMismatch);
  for (const auto& x : v) EXPECT_EQ(x.path, "passengers[0].document.mrz");
  // The birth date digit, and through it the composite.
  const auto w = violations_of(EventKind::kItinerary, replace(kItinerary, "8001014F", "8001015F"));
  ASSERT_EQ(w.size(), 2u) << describe(w);
  EXPECT_THAT(w[0].message, HasSubstr("date of birth"));
  EXPECT_THAT(w[1].message, HasSubstr("composite"));
}

TEST(EventParser, ExpiredDocumentIsAWarningNotAReject) {
  EventParser parser;
  std::vector<Violation> v;
  const std::string expired = replace(replace(kItinerary, "2031-05-05", "2026-11-21"), "3105054FRA<<<<<<<<<<<0",
                                      "2611217FRA<<<<<<<<<<<8");
  const Event* ev = parser.parse(EventKind::kItinerary, expired, v);
  ASSERT_NE(ev, nullptr) << describe(v);
  EXPECT_TRUE(v.empty());
  ASSERT_EQ(ev->warnings.size(), 1u);
  EXPECT_EQ(ev->warnings[0].code, RC::kDocumentExpired);
  EXPECT_TRUE(is_warning(ev->warnings[0].code));
  EXPECT_EQ(ev->warnings[0].path, "passengers[1].document.expiry");
  EXPECT_EQ(ev->warnings[0].message, "passengers[1].document.expiry is before the scheduled departure date");
  // Expiring on the day of departure is not expired; warnings are cleared by the next parse.
  ev = parser.parse(EventKind::kItinerary, kItinerary, v);
  ASSERT_NE(ev, nullptr);
  EXPECT_TRUE(ev->warnings.empty());
  const std::string same_day = replace(replace(kItinerary, "2031-05-05", "2026-11-22"), "3105054FRA<<<<<<<<<<<0",
                                       "2611228FRA<<<<<<<<<<<2");
  ev = parser.parse(EventKind::kItinerary, same_day, v);
  ASSERT_NE(ev, nullptr) << describe(v);
  EXPECT_TRUE(ev->warnings.empty());
  // A rejected event carries its warnings too, but the result is the violations.
  ev = parser.parse(EventKind::kItinerary, replace(expired, R"("ABC123")", R"("AB")"), v);
  EXPECT_EQ(ev, nullptr);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].code, RC::kInvalidValue);
  for (int i = 0; i < kReasonCodeCount; ++i) {
    EXPECT_EQ(is_warning(static_cast<ReasonCode>(i)), static_cast<ReasonCode>(i) == RC::kDocumentExpired);
  }
}

TEST(EventParser, AirportsAreCheckedAgainstTheReferenceListWhenConfigured) {
  const std::string_view codes[] = {"FRA", "JFK"};
  ParseOptions o;
  o.airports = ids::AirportCodes::from_codes(codes);
  EXPECT_THAT(violations_of(EventKind::kItinerary, kItinerary, o), IsEmpty());
  const std::string doc = replace(kItinerary, R"("debarkation":"JFK")", R"("debarkation":"EWR")");
  EXPECT_THAT(violations_of(EventKind::kItinerary, doc), IsEmpty()) << "without a list only the format counts";
  const auto v = violations_of(EventKind::kItinerary, doc, o);
  ASSERT_EQ(v.size(), 1u) << describe(v);
  EXPECT_EQ(v[0].code, RC::kUnknownAirport);
  EXPECT_EQ(v[0].path, "passengers[0].debarkation");
  // A format failure stays invalid_value even with a list.
  const auto w = violations_of(EventKind::kItinerary, replace(kItinerary, R"("departure_airport":"FRA")",
                                                              R"("departure_airport":"FR")"), o);
  ASSERT_EQ(w.size(), 1u) << describe(w);
  EXPECT_EQ(w[0].code, RC::kInvalidValue);
}

TEST(EventParser, ValidEventAllocatesNothingNewWhenReused) {
  // Capacity is kept across parses: the vectors' data pointers do not move for same-size events.
  EventParser parser;
  std::vector<Violation> v;
  const Event* ev = parser.parse(EventKind::kManifest, kManifest, v);
  ASSERT_NE(ev, nullptr);
  const auto* goods = ev->manifest.goods.data();
  const auto* seals = ev->manifest.seals.data();
  ev = parser.parse(EventKind::kManifest, kManifest, v);
  ASSERT_NE(ev, nullptr);
  EXPECT_EQ(ev->manifest.goods.data(), goods);
  EXPECT_EQ(ev->manifest.seals.data(), seals);
}

TEST(EventParser, CapsFieldViolations) {
  std::string doc = R"({"schema_version":"1.0","event_id":"e","event_time":"2026-11-21T08:00:00Z","passengers":[)";
  for (int i = 0; i < 300; ++i) doc += std::string(i ? "," : "") + "{}";
  doc += "]}";
  const auto v = violations_of(EventKind::kItinerary, doc);
  EXPECT_EQ(v.size(), 100u);
}

TEST(EventParser, PassengerLimit) {
  const std::string pax =
      R"({"surname":"A","date_of_birth":"2000-01-01","nationality":"AUT",)"
      R"("document":{"type":"P","number":"1","issuing_state":"AUT","expiry":"2030-01-01"}})";
  auto make = [&](int n) {
    std::string doc = kItinerary.substr(0, kItinerary.find(R"("passengers":[)") + 14);
    for (int i = 0; i < n; ++i) doc += (i ? "," : "") + pax;
    return doc + "]}";
  };
  EventParser parser;
  std::vector<Violation> v;
  const Event* ev = parser.parse(EventKind::kItinerary, make(999), v);
  ASSERT_NE(ev, nullptr) << describe(v);
  EXPECT_EQ(ev->itinerary.passengers.size(), 999u);
  EXPECT_EQ(parser.parse(EventKind::kItinerary, make(1000), v), nullptr);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].code, RC::kInvalidValue);
  EXPECT_EQ(v[0].path, "passengers");
}

TEST(EventParser, DepthLimitIsInclusive) {
  ParseOptions o;
  o.max_depth = 6;
  // Root object (1) + 5 nested arrays = depth 6: allowed.
  EXPECT_THAT(violations_of(EventKind::kItinerary, deep(5), o), Not(testing::Contains(Field(&Violation::code, RC::kTooDeep))));
  const auto v = violations_of(EventKind::kItinerary, deep(6), o);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].code, RC::kTooDeep);
  // Known structure counts too: document sits at depth 4.
  o.max_depth = 3;
  const auto w = violations_of(EventKind::kItinerary, kItinerary, o);
  ASSERT_EQ(w.size(), 1u) << describe(w);
  EXPECT_EQ(w[0].code, RC::kTooDeep);
}

TEST(EventParser, VeryDeepNestingDoesNotOverflowTheStack) {
  for (const std::string open : {"[", "{\"a\":"}) {
    std::string doc = R"({"x":)";
    for (int i = 0; i < 200000; ++i) doc += open;
    ParseOptions o;
    o.max_event_bytes = 8 << 20;
    const auto v = violations_of(EventKind::kManifest, doc, o);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_TRUE(v[0].code == RC::kTooDeep || v[0].code == RC::kJsonSyntax) << describe(v);
  }
}

TEST(EventParser, OversizedUsesConfiguredLimit) {
  ParseOptions o;
  o.max_event_bytes = kPayment.size();
  EXPECT_THAT(violations_of(EventKind::kPayment, kPayment, o), IsEmpty());
  o.max_event_bytes = kPayment.size() - 1;
  const auto v = violations_of(EventKind::kPayment, kPayment, o);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].code, RC::kOversized);
}

TEST(EventParser, LargeButValidUnknownArray) {
  std::string doc = replace(kManifest, R"("lrn")", R"("telemetry":[)");
  std::string big;
  for (int i = 0; i < 100000; ++i) big += (i ? ",1" : "1");
  doc = replace(doc, R"("telemetry":[)", R"("telemetry":[)" + big + R"(],"lrn")");
  EXPECT_THAT(violations_of(EventKind::kManifest, doc), IsEmpty());
}

// ---- hostile input ---------------------------------------------------------------------------

TEST(EventParser, HostileInputsNeverCrash) {
  std::mt19937_64 rng(42);
  EventParser parser(ParseOptions{64 * 1024, 16});
  std::vector<Violation> v;
  const std::string docs[] = {kItinerary, kManifest, kPayment};
  const std::string alphabet = "{}[]\",:\\ 0123456789.eE+-truefalsnl\x80\xC3\xA9";
  for (int i = 0; i < 20000; ++i) {
    const auto kind = static_cast<EventKind>(i % 3);
    std::string s = docs[rng() % 3];
    switch (i % 4) {
      case 0: s.resize(rng() % (s.size() + 1)); break;  // truncation
      case 1:
        for (int k = 0; k < 3; ++k) s[rng() % s.size()] = alphabet[rng() % alphabet.size()];
        break;
      case 2:
        s.insert(rng() % s.size(), 1, alphabet[rng() % alphabet.size()]);
        s.erase(rng() % s.size(), 1);
        break;
      default:
        s.resize(rng() % 300);
        for (auto& c : s) c = static_cast<char>(rng());
    }
    v.clear();
    const Event* ev = parser.parse(kind, s, v);
    ASSERT_EQ(ev == nullptr, !v.empty());
    if (ev != nullptr) {
      EXPECT_EQ(ev->kind, kind);
    }
  }
}

}  // namespace
}  // namespace crosscheck::schemas
