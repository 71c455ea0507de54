// Flags and dead-letter records: encoded, then parsed back with simdjson and checked field by field.
#include "crosscheck/schemas/output_records.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <simdjson.h>

namespace crosscheck::schemas {
namespace {

using ::testing::MatchesRegex;

TEST(FlagId, IsDeterministicLowercaseHex) {
  const std::string a = compute_flag_id("transit.itineraries", 3, 1234, "watchlist_match");
  EXPECT_EQ(a, compute_flag_id("transit.itineraries", 3, 1234, "watchlist_match"));
  EXPECT_THAT(a, MatchesRegex("[0-9a-f]{32}"));
}

TEST(FlagId, EveryInputChangesTheId) {
  const std::string base = compute_flag_id("t", 1, 2, "r");
  EXPECT_NE(base, compute_flag_id("u", 1, 2, "r"));
  EXPECT_NE(base, compute_flag_id("t", 0, 2, "r"));
  EXPECT_NE(base, compute_flag_id("t", 1, 3, "r"));
  EXPECT_NE(base, compute_flag_id("t", 1, 2, "s"));
  // Field boundaries cannot be confused.
  EXPECT_NE(compute_flag_id("ab", 1, 2, "c"), compute_flag_id("a", 1, 2, "bc"));
  EXPECT_NE(compute_flag_id("", 1, 2, "x"), compute_flag_id("x", 1, 2, ""));
  EXPECT_NE(compute_flag_id("t", -1, 2, "r"), compute_flag_id("t", 1, -2, "r"));
}

TEST(FlagId, NoCollisionsAcrossManyOffsets) {
  std::set<std::string> ids, halves;
  for (std::int64_t off = 0; off < 20000; ++off) {
    for (std::int32_t part = 0; part < 3; ++part) {
      const auto id = compute_flag_id("transit.payments", part, off, "watchlist_fuzzy_match");
      ids.insert(id);
      halves.insert(id.substr(0, 16));
      halves.insert(id.substr(16));
    }
  }
  EXPECT_EQ(ids.size(), 60000u);
  EXPECT_EQ(halves.size(), 120000u) << "the two 64-bit lanes must be independent";
}

std::string_view str(simdjson::dom::element e) { return std::string_view(e); }

TEST(EncodeFlag, ParsesBackWithAllFields) {
  FlagRecord f;
  f.flag_id = "0123456789abcdef0123456789abcdef";
  f.queue = "border";
  f.severity = "high";
  f.reason_code = "watchlist_match";
  f.matched_on = {"document_number", "name"};
  f.score = 0.875;
  f.explanation_json = R"({"summary":"s","list_version":42})";
  f.source = SourceRef{"transit.itineraries", 2, 987654321, 1795248000123};
  f.kind = EventKind::kItinerary;
  f.event_id = "itn-\"7\"";
  f.event_time = "2026-11-21T09:00:00+01:00";
  f.subject.role = "passenger";
  f.subject.index = 1;
  f.subject.name = "VIKTOR DRAGAN";
  f.subject.date_of_birth = "1971-04-12";
  f.subject.nationality = "ROU";
  f.subject.document_number = "RX4417208";
  f.subject.gender = "male";
  f.watchlist = WatchlistRef{"demo", 42, "ent-7", "Viktor Dragan"};
  f.rule = RuleRef{"watchlist-hit:demo", 42, "00112233445566778899aabbccddeeff", "Act 12 s. 3"};
  const std::vector<ListVersionRef> lists = {{"demo", 42}, {"un-sc", 7}};
  f.lists_used = lists;
  f.published_at_ms = 1795248000999;
  f.screener_instance = "screener-0";

  const std::string json = encode_flag(f);
  EXPECT_EQ(json.find('\n'), std::string::npos);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(str(doc["flag_id"]), f.flag_id);
  EXPECT_EQ(str(doc["schema_version"]), "1.1");
  EXPECT_EQ(str(doc["rule"]["id"]), "watchlist-hit:demo");
  EXPECT_EQ(uint64_t(doc["rule"]["version"]), 42u);
  EXPECT_EQ(str(doc["rule"]["digest"]), "00112233445566778899aabbccddeeff");
  EXPECT_EQ(str(doc["rule"]["legal_basis"]), "Act 12 s. 3");
  simdjson::dom::array used = doc["lists"];
  ASSERT_EQ(used.size(), 2u);
  EXPECT_EQ(str(used.at(1)["list_id"]), "un-sc");
  EXPECT_EQ(uint64_t(used.at(1)["version"]), 7u);
  EXPECT_EQ(doc["event_fields"].error(), simdjson::NO_SUCH_FIELD) << "no declared fields, no key";
  EXPECT_EQ(str(doc["queue"]), "border");
  EXPECT_EQ(str(doc["severity"]), "high");
  EXPECT_EQ(str(doc["reason"]["code"]), "watchlist_match");
  EXPECT_DOUBLE_EQ(double(doc["reason"]["score"]), 0.875);
  EXPECT_EQ(str(doc["reason"]["explanation"]["summary"]), "s");
  EXPECT_EQ(uint64_t(doc["reason"]["explanation"]["list_version"]), 42u);
  EXPECT_EQ(str(doc["subject"]["gender"]), "male");
  EXPECT_EQ(doc["subject"]["bic"].error(), simdjson::NO_SUCH_FIELD);  // empty fields are left out
  simdjson::dom::array matched = doc["reason"]["matched_on"];
  ASSERT_EQ(matched.size(), 2u);
  EXPECT_EQ(str(matched.at(0)), "document_number");
  EXPECT_EQ(str(matched.at(1)), "name");
  EXPECT_EQ(str(doc["source"]["topic"]), "transit.itineraries");
  EXPECT_EQ(int64_t(doc["source"]["partition"]), 2);
  EXPECT_EQ(int64_t(doc["source"]["offset"]), 987654321);
  EXPECT_EQ(str(doc["source"]["kind"]), "itinerary");
  EXPECT_EQ(str(doc["source"]["event_id"]), "itn-\"7\"");
  EXPECT_EQ(str(doc["subject"]["role"]), "passenger");
  EXPECT_EQ(int64_t(doc["subject"]["index"]), 1);
  EXPECT_EQ(str(doc["subject"]["name"]), "VIKTOR DRAGAN");
  EXPECT_EQ(str(doc["subject"]["date_of_birth"]), "1971-04-12");
  EXPECT_EQ(str(doc["subject"]["nationality"]), "ROU");
  EXPECT_EQ(str(doc["subject"]["document_number"]), "RX4417208");
  EXPECT_EQ(doc["subject"]["iban"].error(), simdjson::NO_SUCH_FIELD) << "empty optional fields are omitted";
  EXPECT_EQ(doc["subject"]["imo"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(str(doc["watchlist"]["list_id"]), "demo");
  EXPECT_EQ(uint64_t(doc["watchlist"]["list_version"]), 42u);
  EXPECT_EQ(str(doc["watchlist"]["entry_id"]), "ent-7");
  EXPECT_EQ(str(doc["watchlist"]["entry_name"]), "Viktor Dragan");
  EXPECT_EQ(str(doc["times"]["event_time"]), "2026-11-21T09:00:00+01:00");
  EXPECT_EQ(str(doc["times"]["ingest_time"]), "2026-11-21T08:00:00.123Z");
  EXPECT_EQ(str(doc["times"]["published_at"]), "2026-11-21T08:00:00.999Z");
  EXPECT_EQ(str(doc["screener"]), "screener-0");
  EXPECT_EQ(bool(doc["review"]["required"]), true);
  EXPECT_EQ(str(doc["review"]["note"]), "A flag is a lead for human review, not a decision.");
  EXPECT_EQ(doc["warnings"].error(), simdjson::NO_SUCH_FIELD) << "no warnings, no key";
}

TEST(EncodeFlag, CarriesTheEventWarnings) {
  const std::vector<Violation> warnings = {
      {ReasonCode::kDocumentExpired, "passengers[1].document.expiry",
       "passengers[1].document.expiry is before the scheduled departure date"},
  };
  FlagRecord f;
  f.subject.role = "passenger";
  f.warnings = warnings;
  const std::string json = encode_flag(f);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  simdjson::dom::array w = doc["warnings"];
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(str(w.at(0)["code"]), "document_expired");
  EXPECT_EQ(str(w.at(0)["path"]), "passengers[1].document.expiry");
  EXPECT_EQ(str(w.at(0)["message"]), "passengers[1].document.expiry is before the scheduled departure date");
  EXPECT_EQ(simdjson::dom::object(w.at(0)).size(), 3u);
}

TEST(EncodeFlag, OrganisationSubjectHasOnlyItsFields) {
  FlagRecord f;
  f.kind = EventKind::kManifest;
  f.subject.role = "conveyance";
  f.subject.imo = "9321483";
  const std::string json = encode_flag(f);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  simdjson::dom::object subject = doc["subject"];
  EXPECT_EQ(subject.size(), 3u);  // role, index, imo
  EXPECT_EQ(str(doc["subject"]["imo"]), "9321483");
  EXPECT_EQ(str(doc["source"]["kind"]), "manifest");
  EXPECT_EQ(simdjson::dom::array(doc["reason"]["matched_on"]).size(), 0u);
}

TEST(EncodeFlag, RuleMatchCarriesDeclaredFieldsAndNoWatchlist) {
  FlagRecord f;
  f.reason_code = "rule_match";
  f.kind = EventKind::kPayment;
  f.subject.role = "debtor";
  f.rule = RuleRef{"pay-fan-out", 3, "00112233445566778899aabbccddeeff", "AML act s. 31"};
  const std::vector<EventFieldValue> fields = {{"payment.amount", "9800.00"}, {"payment.currency", "EUR"}};
  f.event_fields = fields;
  const std::string json = encode_flag(f);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(doc["watchlist"].error(), simdjson::NO_SUCH_FIELD) << "a rule match without a hit names no entry";
  simdjson::dom::array ef = doc["event_fields"];
  ASSERT_EQ(ef.size(), 2u);
  EXPECT_EQ(str(ef.at(0)["field"]), "payment.amount");
  EXPECT_EQ(str(ef.at(0)["value"]), "9800.00");
  EXPECT_EQ(str(ef.at(1)["value"]), "EUR");
  EXPECT_EQ(simdjson::dom::array(doc["lists"]).size(), 0u);
}

TEST(SummarizeFlag, NamesARuleThatIsNotAListDefault) {
  FlagRecord f;
  f.flag_id = "0123456789abcdef0123456789abcdef";
  f.queue = "payments";
  f.severity = "medium";
  f.reason_code = "rule_match";
  f.event_id = "pay-7";
  f.subject.role = "debtor";
  f.subject.name = "Szabo Kft";
  f.rule = RuleRef{"pay-fan-out", 3, "00112233445566778899aabbccddeeff", "AML act s. 31"};
  const auto line = summarize_flag(encode_flag(f));
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(*line, "[payments] medium  debtor #0 Szabo Kft -> rule pay-fan-out v3  (event pay-7, flag 0123456789ab)");
}

TEST(GovernanceAlert, EncodesTheRuleAndCapsAndSummarises) {
  GovernanceAlert a;
  a.rule_id = "demo-large";
  a.rule_version = 2;
  a.owner = "a.novak";
  a.max_flags_per_hour = 3;
  a.max_flag_share = 0.5;
  a.at_ms = 1795248000000;
  a.screener_instance = "s-1";
  const std::string json = encode_governance_alert(a);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(str(doc["type"]), "rule_over_cap");
  EXPECT_EQ(str(doc["rule"]["id"]), "demo-large");
  EXPECT_EQ(uint64_t(doc["rule"]["version"]), 2u);
  EXPECT_EQ(int64_t(doc["caps"]["max_flags_per_hour"]), 3);
  EXPECT_EQ(str(doc["at"]), "2026-11-21T08:00:00.000Z");
  EXPECT_EQ(simdjson::dom::object(doc).size(), 7u) << "schema_version, type, rule, caps, at, screener, note: nothing else";
  const auto line = summarize_governance_alert(json);
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(*line,
            "[rule-governance] rule demo-large v2 (owner a.novak) reached a cap at 2026-11-21T08:00:00.000Z: "
            "max 3 flags/hour, max share 0.5; further matches are counted, not flagged");
  EXPECT_FALSE(summarize_governance_alert(R"({"type":"other"})").has_value());
  EXPECT_FALSE(summarize_governance_alert("[").has_value());
}

TEST(EncodeDeadLetter, ParsesBackWithOriginalBytes) {
  const std::string original("{\"a\":\x01\xff\x00 binary", 16);
  const std::vector<Violation> violations = {
      {ReasonCode::kInvalidUtf8, "", "the record is not valid UTF-8"},
      {ReasonCode::kMissingField, "passengers[0].surname", "passengers[0].surname is required"},
  };
  DeadLetterRecord r;
  r.source = SourceRef{"transit.itineraries", 5, 77, 1795248000000};
  r.kind = "itinerary";
  r.violations = violations;
  r.original = original;
  r.dead_lettered_at_ms = 1795248001000;
  r.screener_instance = "screener-1";
  const std::string json = encode_dead_letter(r);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(str(doc["schema_version"]), "1.0");
  EXPECT_EQ(str(doc["source"]["topic"]), "transit.itineraries");
  EXPECT_EQ(int64_t(doc["source"]["partition"]), 5);
  EXPECT_EQ(int64_t(doc["source"]["offset"]), 77);
  EXPECT_EQ(str(doc["source"]["timestamp"]), "2026-11-21T08:00:00.000Z");
  EXPECT_EQ(str(doc["kind"]), "itinerary");
  simdjson::dom::array reasons = doc["reasons"];
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_EQ(str(reasons.at(0)["code"]), "invalid_utf8");
  EXPECT_EQ(str(reasons.at(0)["path"]), "");
  EXPECT_EQ(str(reasons.at(1)["code"]), "missing_field");
  EXPECT_EQ(str(reasons.at(1)["path"]), "passengers[0].surname");
  EXPECT_EQ(str(reasons.at(1)["message"]), "passengers[0].surname is required");
  std::string decoded;
  ASSERT_TRUE(base64_decode(str(doc["original_base64"]), decoded));
  EXPECT_EQ(decoded, original);
  EXPECT_EQ(uint64_t(doc["original_size"]), original.size());
  EXPECT_EQ(str(doc["dead_lettered_at"]), "2026-11-21T08:00:01.000Z");
  EXPECT_EQ(str(doc["screener"]), "screener-1");
}

TEST(EncodeDeadLetter, OmitsUnknownKindAndZeroTimestamp) {
  DeadLetterRecord r;
  r.source.topic = "mystery";
  const Violation v{ReasonCode::kUnknownTopic, "", "no event kind for this topic"};
  r.violations = std::span<const Violation>(&v, 1);
  const std::string json = encode_dead_letter(r);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(doc["kind"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(doc["source"]["timestamp"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(str(doc["reasons"].at(0)["code"]), "unknown_topic");
  EXPECT_EQ(str(doc["original_base64"]), "");
  EXPECT_EQ(uint64_t(doc["original_size"]), 0u);
}

TEST(SummarizeFlag, OneReadableLineWithTheFinding) {
  FlagRecord f;
  f.flag_id = "0123456789abcdef0123456789abcdef";
  f.queue = "border";
  f.severity = "high";
  f.reason_code = "watchlist_match";
  f.matched_on = {"document_number", "name"};
  f.source = SourceRef{"transit.itineraries", 1, 5, 1795248000123};
  f.event_id = "itn-0003";
  f.subject.role = "passenger";
  f.subject.index = 1;
  f.subject.name = "VIKTOR DRAGAN";
  f.subject.document_number = "RX4417208";
  f.watchlist = {"demo-national", 3, "DEMO-P-0001", "Viktor DRAGAN"};
  const auto line = summarize_flag(encode_flag(f));
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(*line,
            "[border] high  passenger #1 VIKTOR DRAGAN [RX4417208] -> demo-national v3 DEMO-P-0001 \"Viktor DRAGAN\" "
            "on document_number, name score 1.000  (event itn-0003, flag 0123456789ab)");
}

TEST(SummarizeFlag, ShowsWarnings) {
  const std::vector<Violation> warnings = {{ReasonCode::kDocumentExpired, "passengers[0].document.expiry", "expired"}};
  FlagRecord f;
  f.flag_id = "0123456789abcdef0123456789abcdef";
  f.warnings = warnings;
  const auto line = summarize_flag(encode_flag(f));
  ASSERT_TRUE(line.has_value());
  EXPECT_NE(line->find("warnings: document_expired"), std::string::npos) << *line;
}

TEST(SummarizeFlag, RejectsWhatIsNotAFlag) {
  EXPECT_FALSE(summarize_flag("{}").has_value());
  EXPECT_FALSE(summarize_flag("not json").has_value());
  EXPECT_FALSE(summarize_flag(R"({"flag_id":7})").has_value());
  EXPECT_FALSE(summarize_flag("").has_value());
}

TEST(SummarizeDeadLetter, NamesTheSourceAndEveryReasonButNotTheOriginal) {
  const std::vector<Violation> v = {{ReasonCode::kMissingField, "passengers", "passengers is required"},
                                    {ReasonCode::kInvalidValue, "event_time", "event_time must be RFC 3339"}};
  DeadLetterRecord rec;
  rec.source = SourceRef{"transit.itineraries", 0, 5, 0};
  rec.kind = "itinerary";
  rec.violations = v;
  rec.original = "SECRET-PAYLOAD";
  const auto line = summarize_dead_letter(encode_dead_letter(rec));
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(*line,
            "[deadletter] transit.itineraries[0]@5 itinerary: missing_field at passengers (passengers is required); "
            "invalid_value at event_time (event_time must be RFC 3339)");
  EXPECT_FALSE(summarize_dead_letter("{}").has_value());
}

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    std::string out = "junk";
    ASSERT_TRUE(base64_decode(encoded, out)) << encoded;
    EXPECT_EQ(out, plain);
  }
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
}

TEST(Base64, RoundTripsRandomBytes) {
  std::mt19937 rng(7);
  for (int n = 0; n < 300; ++n) {
    std::string bytes(static_cast<std::size_t>(n), '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    std::string out;
    ASSERT_TRUE(base64_decode(base64_encode(bytes), out));
    EXPECT_EQ(out, bytes);
  }
}

TEST(Base64, RejectsInvalidInput) {
  std::string out;
  for (const char* bad : {"Zg=", "Zg", "Z===", "====", "Zm9v!A==", "Zm9\nv", "Zg==Zg==", "Z=g=", "Zm 9v", "Zm9v-_A="}) {
    EXPECT_FALSE(base64_decode(bad, out)) << bad;
  }
}

}  // namespace
}  // namespace crosscheck::schemas
