// Every reason code, end to end: one event per code goes through the running screener and lands
// in the dead-letter topic with that code; the screener keeps running and keeps screening.
// Warnings (document_expired) do not reject: they travel with the flag.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <csignal>
#include <map>
#include <set>

#include "crosscheck/schemas/output_records.h"
#include "stream_plan.h"

namespace crosscheck::testing {
namespace {

std::string replace_once(std::string s, const std::string& from, const std::string& to) {
  const auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << "'" << from << "' not in " << s;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

struct Case {
  std::string code;  // the reason code the dead-letter record must carry
  char kind;         // 'i'tinerary, 'm'anifest, 'p'ayment
  std::string payload;
};

std::vector<Case> one_event_per_reason_code() {
  const PersonSpec pax{"LINDQVIST", "MAJA ELIN", "1986-03-14", "SWE", "AB1234567"};
  const std::string itn = itinerary_json("rc-itn", {pax});
  const std::string man = manifest_json("rc-man", "Clean Exporter Ltd", "Clean Importer BV", make_imo(4242));
  const std::string pay = payment_json("rc-pay", "Clean Debtor GmbH", make_iban("DE", "370400440532013000"),
                                       "Clean Creditor BV", make_iban("NL", "ABNA0417164300"));
  const auto mrz = make_td3_mrz(pax, "<", "2031-05-31");  // ICAO: "<" is the unspecified sex
  std::string bad_digit = mrz[1];
  bad_digit[9] = bad_digit[9] == '9' ? '0' : static_cast<char>(bad_digit[9] + 1);  // document number check digit
  std::string too_deep = itn;
  too_deep.insert(1, R"("nested":)" + std::string(40, '[') + std::string(40, ']') + ",");
  std::string bad_iban_digits = make_iban("DE", "370400440532013000");
  bad_iban_digits.replace(2, 2, bad_iban_digits.substr(2, 2) == "11" ? "12" : "11");

  return {
      {"empty_payload", 'i', ""},
      {"oversized", 'i', replace_once(itn, "\"pnr\":", "\"remarks\":\"" + std::string(9000, 'x') + "\",\"pnr\":")},
      {"invalid_utf8", 'i', replace_once(itn, "LINDQVIST", "LINDQ\xC3\x28VIST")},
      {"json_syntax", 'i', itn.substr(0, itn.size() / 2)},
      {"too_deep", 'i', too_deep},
      {"not_an_object", 'm', "[\"manifest\"]"},
      {"duplicate_key", 'm', replace_once(man, "\"lrn\":", "\"lrn\":\"X1\",\"lrn\":")},
      {"missing_field", 'm', replace_once(man, "\"transport_document_number\":", "\"transport_document_numbr\":")},
      {"wrong_type", 'p', replace_once(pay, "\"value\":\"2500.00\"", "\"value\":2500.00")},
      {"invalid_value", 'i', replace_once(itn, "\"1986-03-14\"", "\"1986-02-30\"")},
      {"unsupported_schema_version", 'p', replace_once(pay, "\"1.0\"", "\"2.0\"")},
      {"mrz_format", 'i', with_mrz(itn, {"P<SWE", "TOO SHORT"})},
      {"mrz_check_digit", 'i', with_mrz(itn, {mrz[0], bad_digit})},
      {"mrz_mismatch", 'i', with_mrz(replace_once(itn, "\"AB1234567\"", "\"AB7654321\""), mrz)},
      {"container_check_digit", 'm', replace_once(man, "CSQU3054383", "CSQU3054384")},
      {"imo_check_digit", 'm', replace_once(man, make_imo(4242), make_imo(4242).substr(0, 6) +
                                                                  static_cast<char>('0' + (make_imo(4242)[6] - '0' + 1) % 10))},
      {"iban_check_digits", 'p', replace_once(pay, make_iban("DE", "370400440532013000"), bad_iban_digits)},
      {"iban_length", 'p', replace_once(pay, make_iban("NL", "ABNA0417164300"), make_iban("NL", "ABNA04171643001"))},
      {"invalid_bic", 'p', replace_once(pay, "COBADEFFXXX", "COBAXQFFXXX")},
      {"unknown_country", 'i', replace_once(replace_once(itn, "\"SWE\"", "\"XYZ\""), "\"SWE\"", "\"XYZ\"")},
      {"unknown_currency", 'p', replace_once(pay, "\"EUR\"", "\"ABC\"")},
      {"unknown_airport", 'i', replace_once(itn, "\"departure_airport\":\"FRA\"", "\"departure_airport\":\"QQZ\"")},
      {"arrival_before_departure", 'i', replace_once(itn, "2026-12-01T18:30:00Z", "2026-12-01T08:30:00Z")},
      {"invalid_amount", 'p', replace_once(pay, "\"2500.00\"", "\"2500.001\"")},
  };
}

class ScreenerValidationTest : public ScreenerTest {};

TEST_F(ScreenerValidationTest, EveryReasonCodeReachesTheDeadLetterTopicAndTheScreenerKeepsRunning) {
  const std::string airports = source_dir() + "/tests/fixtures/reference/airports.csv";
  ScreenerHarness h(*kafka_, *redis_, "reasons",
                    "screening:\n  max_event_bytes: 8192\n  airports_file: " + airports + "\n");
  rules::Watchlist list = make_test_list("reason-list");
  h.publish(list);
  const std::size_t s = h.start();

  const auto cases = one_event_per_reason_code();
  std::map<std::string, std::string> expected;  // payload -> code
  for (const auto& c : cases) {
    ASSERT_TRUE(expected.emplace(c.payload, c.code).second) << "two cases share a payload: " << c.code;
    const std::string& topic = c.kind == 'i' ? h.setup().itineraries : c.kind == 'm' ? h.setup().manifests : h.setup().payments;
    kafka_->send(topic, c.payload);
  }

  std::vector<ReceivedRecord> dead;
  ASSERT_TRUE(eventually([&] { return (dead = kafka_->receive_all(h.setup().deadletter)).size() >= cases.size(); },
                         std::chrono::seconds(60)))
      << dead.size() << " of " << cases.size() << " dead letters\n" << h.logs();
  EXPECT_EQ(dead.size(), cases.size());
  std::set<std::string> covered;
  for (const auto& r : dead) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc = parser.parse(r.value);
    std::string original;
    ASSERT_TRUE(schemas::base64_decode(doc["original_base64"].get_string().value(), original));
    auto it = expected.find(original);
    ASSERT_NE(it, expected.end()) << r.value;
    std::set<std::string> codes;
    for (auto reason : doc["reasons"].get_array()) codes.insert(std::string(reason["code"].get_string().value()));
    EXPECT_TRUE(codes.count(it->second)) << "expected " << it->second << " in " << r.value;
    covered.insert(it->second);
  }
  EXPECT_EQ(covered.size(), cases.size());

  // Still running and still screening: a listed passenger with an expired passport is flagged,
  // and the flag carries the document_expired warning instead of being rejected.
  ASSERT_TRUE(h.process(s).running()) << h.logs();
  PersonSpec listed{"TESTCASE", "LISTEDPERSON3", "1970-01-01", "FRA", "LT1000003"};
  std::string expired = itinerary_json("rc-expired", {listed});
  expired = replace_once(expired, "\"2031-05-31\"", "\"2026-11-30\"");
  kafka_->send(h.setup().itineraries, expired);
  std::vector<ReceivedRecord> flags;
  ASSERT_TRUE(eventually([&] { return !(flags = kafka_->receive_all(h.setup().flags_topic("border"))).empty(); },
                         std::chrono::seconds(30)))
      << h.logs();
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_NE(flags[0].value.find("\"document_expired\""), std::string::npos) << flags[0].value;

  const auto [status, metrics] = http_get(h.http_port(s), "/metrics");
  ASSERT_EQ(status, 200);
  for (const auto& c : cases) {
    EXPECT_GE(metric_sum(metrics, "crosscheck_deadletter_records_total", "reason=\"" + c.code + "\""), 1) << c.code;
  }
  EXPECT_EQ(metric_sum(metrics, "crosscheck_validation_warnings_total", "code=\"document_expired\""), 1);
}

}  // namespace
}  // namespace crosscheck::testing
