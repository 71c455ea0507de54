#include <gtest/gtest.h>
#include <simdjson.h>

#include "crosscheck/runtime/screening_step.h"
#include "crosscheck/schemas/output_records.h"
#include "crosscheck/testing/test_env.h"
#include "screener_harness.h"

#include <fstream>
#include <set>

namespace crosscheck::runtime {
namespace {

using testing::itinerary_json;
using testing::make_iban;
using testing::payment_json;
using testing::PersonSpec;

std::shared_ptr<const rules::MatchIndex> make_index() {
  rules::Watchlist list;
  list.list_id = "unit";
  list.version = 4;
  rules::WatchlistEntry p;
  p.id = "P1";
  p.type = rules::EntityType::kPerson;
  p.names = {"Viktor Dragan"};
  p.documents = {{"passport", "RX4417208", "ROU"}};
  list.entries.push_back(p);
  rules::WatchlistEntry o;
  o.id = "O1";
  o.type = rules::EntityType::kOrganization;
  o.names = {"Orchid Bay Trading Ltd"};
  o.ibans = {"GB33BUKB20201555555555"};
  list.entries.push_back(o);
  std::vector<rules::Watchlist> lists{list};
  return std::make_shared<const rules::MatchIndex>(std::move(lists));
}

class ScreeningStepTest : public ::testing::Test {
 protected:
  ScreeningStepTest() : config_(*parse_screener_config("instance_id: unit-1\nscreening:\n  max_event_bytes: 4096\n", {})),
                        index_(make_index()),
                        step_(config_, [this] { return index_; }, nullptr) {}

  streams::Processed run(const std::string& topic, const std::string& payload, std::int64_t offset = 10) {
    streams::InRecord in;
    in.topic = topic;
    in.partition = 2;
    in.offset = offset;
    in.timestamp_ms = 1700000000000;
    in.value = payload;
    streams::Processed out;
    step_.process(in, out);
    return out;
  }

  ScreenerConfig config_;
  std::shared_ptr<const rules::MatchIndex> index_;
  ScreeningStep step_;
};

TEST_F(ScreeningStepTest, CleanEventProducesNothing) {
  auto out = run("transit.itineraries", itinerary_json("e1", {{"DOE", "JANE", "1980-01-01", "DEU", "C01X00T47"}}));
  EXPECT_TRUE(out.outputs.empty());
  EXPECT_EQ(out.outcome, static_cast<int>(Outcome::kClean));
}

TEST_F(ScreeningStepTest, ListedPassengerIsFlaggedToTheBorderQueueWithMinimalData) {
  auto out = run("transit.itineraries",
                 itinerary_json("e2", {{"DOE", "JANE", "1980-01-01", "DEU", "C01X00T47"},
                                       {"DRAGAN", "VIKTOR", "1971-04-12", "ROU", "RX4417208"}}));
  ASSERT_EQ(out.outputs.size(), 1u);
  EXPECT_EQ(out.outcome, static_cast<int>(Outcome::kFlagged));
  const auto& o = out.outputs[0];
  EXPECT_EQ(o.topic, "flags.border");
  EXPECT_EQ(o.key.size(), 32u);  // hashed subject key, no personal data
  EXPECT_EQ(o.key.find("RX4417208"), std::string::npos);

  simdjson::dom::parser parser;
  simdjson::dom::element flag = parser.parse(o.value);
  EXPECT_EQ(flag["queue"].get_string().value(), "border");
  EXPECT_EQ(flag["subject"]["role"].get_string().value(), "passenger");
  EXPECT_EQ(flag["subject"]["index"].get_int64().value(), 1);
  EXPECT_EQ(flag["watchlist"]["entry_id"].get_string().value(), "P1");
  EXPECT_EQ(flag["watchlist"]["list_version"].get_uint64().value(), 4u);
  EXPECT_EQ(flag["source"]["offset"].get_int64().value(), 10);
  EXPECT_EQ(flag["source"]["partition"].get_int64().value(), 2);
  std::vector<std::string> matched;
  for (auto m : flag["reason"]["matched_on"].get_array()) matched.emplace_back(m.get_string().value());
  EXPECT_EQ(matched, (std::vector<std::string>{"document_number", "name"}));
  EXPECT_EQ(flag["reason"]["code"].get_string().value(), "watchlist_match");
  EXPECT_DOUBLE_EQ(flag["reason"]["score"].get_double().value(), 1.0);  // a document equality is certain
  // The explanation says which listed name was met, in which list version.
  EXPECT_EQ(flag["reason"]["explanation"]["list_version"].get_uint64().value(), 4u);
  EXPECT_FALSE(flag["reason"]["explanation"]["summary"].get_string().value().empty());
  EXPECT_EQ(flag["subject"]["gender"].error(), simdjson::NO_SUCH_FIELD);  // the builder sends no sex
  // The other passenger is not in the flag at all.
  EXPECT_EQ(o.value.find("C01X00T47"), std::string::npos);
  EXPECT_EQ(o.value.find("JANE"), std::string::npos);
  // The header carries the same id as the body.
  ASSERT_FALSE(o.headers.empty());
  EXPECT_EQ(o.headers[0].first, kHeaderFlagId);
  EXPECT_EQ(o.headers[0].second, flag["flag_id"].get_string().value());
}

TEST_F(ScreeningStepTest, MisspelledListedNameIsFlaggedWithAScoreBelowOneAndAnExplanation) {
  // No document: the name alone, with one letter wrong, must still find the listed person.
  auto out = run("transit.itineraries", itinerary_json("e2b", {{"DRAGAM", "VIKTOR", "1971-04-12", "ROU", "ZZ0000001"}}));
  ASSERT_EQ(out.outputs.size(), 1u);
  simdjson::dom::parser parser;
  simdjson::dom::element flag = parser.parse(out.outputs[0].value);
  EXPECT_EQ(flag["watchlist"]["entry_id"].get_string().value(), "P1");
  const double score = flag["reason"]["score"].get_double().value();
  EXPECT_LT(score, 1.0);
  EXPECT_GE(score, 0.85);  // the default threshold
  std::vector<std::string> matched;
  for (auto m : flag["reason"]["matched_on"].get_array()) matched.emplace_back(m.get_string().value());
  EXPECT_EQ(matched, (std::vector<std::string>{"name"}));
  bool typo_explained = false;
  for (auto t : flag["reason"]["explanation"]["tokens"].get_array()) {
    if (t["query"].get_string().value() == "dragam" && t["listed"].get_string().value() == "dragan") typo_explained = true;
  }
  EXPECT_TRUE(typo_explained) << out.outputs[0].value;
}

TEST_F(ScreeningStepTest, FlagIdIsDeterministicPerSourceRecordAndFinding) {
  const std::string payload = itinerary_json("e3", {{"DRAGAN", "VIKTOR", "1971-04-12", "ROU", "RX4417208"}});
  auto a = run("transit.itineraries", payload, 5);
  auto b = run("transit.itineraries", payload, 5);
  auto c = run("transit.itineraries", payload, 6);
  ASSERT_EQ(a.outputs.size(), 1u);
  ASSERT_EQ(c.outputs.size(), 1u);
  EXPECT_EQ(a.outputs[0].headers[0].second, b.outputs[0].headers[0].second);
  EXPECT_NE(a.outputs[0].headers[0].second, c.outputs[0].headers[0].second);
}

TEST_F(ScreeningStepTest, CreditorIbanGoesToThePaymentsQueue) {
  auto out = run("transit.payments", payment_json("p1", "Some Debtor", make_iban("DE", "370400440532013000"),
                                                  "Unrelated Name", "GB33BUKB20201555555555"));
  ASSERT_EQ(out.outputs.size(), 1u);
  EXPECT_EQ(out.outputs[0].topic, "flags.payments");
  EXPECT_NE(out.outputs[0].value.find(R"("role":"creditor")"), std::string::npos);
}

TEST_F(ScreeningStepTest, MalformedInputBecomesOneDeadLetterWithEveryReasonAndTheOriginalBytes) {
  const std::string payload = R"({"schema_version":"1.0","event_id":"x","passengers":[{"surname":""}]})";
  auto out = run("transit.itineraries", payload);
  ASSERT_EQ(out.outputs.size(), 1u);
  EXPECT_EQ(out.outcome, static_cast<int>(Outcome::kDeadLetter));
  EXPECT_EQ(out.outputs[0].topic, "transit.deadletter");
  simdjson::dom::parser parser;
  simdjson::dom::element dl = parser.parse(out.outputs[0].value);
  std::string original;
  ASSERT_TRUE(schemas::base64_decode(dl["original_base64"].get_string().value(), original));
  EXPECT_EQ(original, payload);
  EXPECT_GE(dl["reasons"].get_array().size(), 2u);  // missing event_time and invalid passenger fields at least
  EXPECT_EQ(dl["kind"].get_string().value(), "itinerary");
}

TEST_F(ScreeningStepTest, UnknownTopicIsDeadLettered) {
  auto out = run("some.other.topic", "{}");
  ASSERT_EQ(out.outputs.size(), 1u);
  EXPECT_NE(out.outputs[0].value.find("unknown_topic"), std::string::npos);
}

TEST_F(ScreeningStepTest, HostileBytesNeverThrow) {
  std::string junk;
  for (int i = 0; i < 5000; ++i) {
    junk.push_back(static_cast<char>((i * 7919) % 256));
    auto out = run(i % 2 ? "transit.payments" : "transit.manifests", junk.substr(0, static_cast<std::size_t>(i % 300)));
    EXPECT_EQ(out.outputs.size(), 1u);
  }
  auto big = run("transit.itineraries", std::string(5000, '{'));
  ASSERT_EQ(big.outputs.size(), 1u);
  EXPECT_NE(big.outputs[0].value.find("oversized"), std::string::npos);
}

// The quickstart's malformed samples: each line is dead-lettered with the reasons it was made for.
TEST_F(ScreeningStepTest, ShippedMalformedSamplesAreDeadLetteredWithTheirReasons) {
  const std::vector<std::vector<std::string>> expected = {
      {"missing_field"},
      {"invalid_value"},  // the date, and "Germany" where an ISO code belongs
      {"json_syntax"},
      {"unsupported_schema_version"},
      {"duplicate_key"},
      {"invalid_value"},
      {"arrival_before_departure"},
  };
  std::ifstream in(testing::source_dir() + "/tests/fixtures/malformed/itineraries.jsonl");
  std::size_t n = 0;
  for (std::string line; std::getline(in, line); ++n) {
    ASSERT_LT(n, expected.size());
    auto out = run("transit.itineraries", line);
    ASSERT_EQ(out.outcome, static_cast<int>(Outcome::kDeadLetter)) << line;
    simdjson::dom::parser parser;
    std::set<std::string> codes;
    for (auto r : parser.parse(out.outputs[0].value)["reasons"].get_array()) {
      codes.insert(std::string(r["code"].get_string().value()));
    }
    // Exactly the faults the line was made with: a valid event with one deliberate problem must
    // not drown in incidental ones.
    EXPECT_EQ(codes, std::set<std::string>(expected[n].begin(), expected[n].end())) << "line " << n + 1;
  }
  EXPECT_EQ(n, expected.size());
}

TEST_F(ScreeningStepTest, OutputTopicsAreTheDeadLetterOneFlagTopicPerQueueAndGovernance) {
  auto topics = step_.output_topics();
  std::sort(topics.begin(), topics.end());
  EXPECT_EQ(topics, (std::vector<std::string>{"flags.border", "flags.customs", "flags.payments", "flags.rule-governance",
                                              "transit.deadletter"}));
}

}  // namespace
}  // namespace crosscheck::runtime
