// Unit: the alert store's pure functions. mask_flag_json (depersonalisation after the retention
// period) on flags written by the real encoder with distinctive personal values, and on hostile
// input; the disposition record; the status and action names. Expectations are text the real
// encoders write, so the test needs no JSON parser of its own.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crosscheck/console/alert_store.h"
#include "crosscheck/schemas/output_records.h"

namespace crosscheck::console {
namespace {

using ::testing::HasSubstr;

// Values that occur nowhere else in a flag, so finding one in the masked text means it leaked.
constexpr std::string_view kName = "ZORAN QWERTYVIC";
constexpr std::string_view kListedName = "Zoran Qwertyvić";
constexpr std::string_view kDob = "1966-06-17";
constexpr std::string_view kDocument = "XQ9876543";
constexpr std::string_view kIban = "DE89370400440532013000";
constexpr std::string_view kBic = "QWERDEFFXXX";
constexpr std::string_view kImo = "9074729";
constexpr std::string_view kAmount = "48213.77";

// The personal values a flag may carry; the masked expectation replaces them with "[masked]".
struct Personal {
  std::string_view name = kName;
  std::string_view listed_name = kListedName;
  std::string_view date_of_birth = kDob;
  std::string_view document = kDocument;
  std::string_view iban = kIban;
  std::string_view bic = kBic;
  std::string_view imo = kImo;
  bool explanation = true;
  bool event_fields = true;
};

// A flag that carries every personal field the schema knows, written by the screener's encoder.
// With `p` all "[masked]" and without explanation and event_fields it is what masking must give:
// the expectation comes from the encoder, not from the code under test.
std::string full_flag(const Personal& p) {
  const std::string explanation = std::string(R"({"summary":")") + std::string(kName) + " ~ " +
                                  std::string(kListedName) + R"( 0.93; document )" + std::string(kDocument) +
                                  R"( equal","query_name":")" + std::string(kName) + R"(","listed_name":")" +
                                  std::string(kListedName) + R"(","list_version":3,"features":[{"feature":"iban","detail":")" +
                                  std::string(kIban) + R"( equal"}]})";
  const std::vector<schemas::ListVersionRef> lists{{"demo-national", 3}, {"un-sc", 9}};
  const std::vector<schemas::EventFieldValue> fields{{"payment.amount", kAmount}, {"payment.currency", "EUR"}};
  const std::vector<schemas::Violation> warnings{
      {schemas::ReasonCode::kDocumentExpired, "passengers[1].document.expiry", "the document expired"}};
  schemas::FlagRecord f;
  f.flag_id = "0123456789abcdef0123456789abcdef";
  f.queue = "border";
  f.severity = "high";
  f.reason_code = "watchlist_match";
  f.matched_on = {"document_number", "name"};
  f.score = 0.9375;
  if (p.explanation) f.explanation_json = explanation;
  f.source = schemas::SourceRef{"transit.itineraries", 2, 4711, 1795248000123};
  f.kind = schemas::EventKind::kItinerary;
  f.event_id = "itn-4711";
  f.event_time = "2026-11-21T09:00:00+01:00";
  f.subject.role = "passenger";
  f.subject.index = 1;
  f.subject.name = p.name;
  f.subject.date_of_birth = p.date_of_birth;
  f.subject.nationality = "SRB";
  f.subject.document_number = p.document;
  // Not every role has all of these; the masking must not depend on which role carries which.
  f.subject.iban = p.iban;
  f.subject.bic = p.bic;
  f.subject.imo = p.imo;
  f.subject.gender = "male";
  f.watchlist = schemas::WatchlistRef{"demo-national", 3, "DEMO-P-0042", p.listed_name};
  f.rule = schemas::RuleRef{"watchlist-hit:demo-national", 3, "00112233445566778899aabbccddeeff", "Act 12 s. 3"};
  f.lists_used = lists;
  if (p.event_fields) f.event_fields = fields;
  f.warnings = warnings;
  f.published_at_ms = 1795248000999;
  f.screener_instance = "screener-7";
  return schemas::encode_flag(f);
}

Personal all_masked() {
  Personal p;
  p.name = p.listed_name = p.date_of_birth = p.document = p.iban = p.bic = p.imo = "[masked]";
  p.explanation = p.event_fields = false;
  return p;
}

TEST(MaskFlag, RemovesEveryPersonalValue) {
  const std::string flag = full_flag(Personal{});
  // The fixture is only meaningful if the values are really in the original.
  for (std::string_view v : {kName, kListedName, kDob, kDocument, kIban, kBic, kImo, kAmount}) {
    ASSERT_THAT(flag, HasSubstr(std::string(v)));
  }
  auto masked = mask_flag_json(flag);
  ASSERT_TRUE(masked.ok()) << masked.error().to_string();
  for (std::string_view v : {kName, kListedName, kDob, kDocument, kIban, kBic, kImo, kAmount}) {
    EXPECT_EQ(masked->find(v), std::string::npos) << v << " survived masking: " << *masked;
  }
  // Parts of the values (a surname, the document digits) must not survive either.
  EXPECT_EQ(masked->find("QWERTYVIC"), std::string::npos);
  EXPECT_EQ(masked->find("9876543"), std::string::npos);
}

// Everything else (ids, queue, severity, reason code and score, source, role, index, nationality,
// gender, list and entry ids, rule, lists, warnings, times, screener, review) is kept as it was,
// in its order: the masked record equals the encoder's output for the masked values.
TEST(MaskFlag, KeepsEverythingElseExactly) {
  auto masked = mask_flag_json(full_flag(Personal{}));
  ASSERT_TRUE(masked.ok()) << masked.error().to_string();
  EXPECT_EQ(*masked, full_flag(all_masked()));
  EXPECT_THAT(*masked, HasSubstr(R"("score":0.9375)"));
  EXPECT_THAT(*masked, HasSubstr(R"("entry_id":"DEMO-P-0042","entry_name":"[masked]")"));
  EXPECT_EQ(masked->find("explanation"), std::string::npos);
  EXPECT_EQ(masked->find("event_fields"), std::string::npos);
}

TEST(MaskFlag, OmittedFieldsStayOmittedAndMaskingIsIdempotent) {
  schemas::FlagRecord f;
  f.flag_id = "fedcba9876543210fedcba9876543210";
  f.queue = "customs";
  f.severity = "low";
  f.reason_code = "rule_match";
  f.subject.role = "conveyance";
  f.subject.name = "MV QWERTY PETREL";
  f.rule = schemas::RuleRef{"r1", 2, "00112233445566778899aabbccddeeff", "basis"};
  const std::string flag = schemas::encode_flag(f);
  auto once = mask_flag_json(flag);
  ASSERT_TRUE(once.ok()) << once.error().to_string();
  EXPECT_EQ(once->find("QWERTY"), std::string::npos);
  EXPECT_EQ(once->find("date_of_birth"), std::string::npos) << "a field the flag lacked must not appear";
  EXPECT_EQ(once->find("\"watchlist\""), std::string::npos);
  auto twice = mask_flag_json(*once);
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(*twice, *once);
}

// A later 1.x screener may add optional fields; contact data under the documented names is masked
// wherever it is, including values that are objects or arrays.
TEST(MaskFlag, MasksContactDataAnywhere) {
  const std::string flag =
      R"({"flag_id":"0123456789abcdef0123456789abcdef","subject":{"role":"passenger","index":0,)"
      R"("contact":{"email":"z.qwertyvic@example.org"},"email":"zq@example.org","phone":"+381 11 555 0199",)"
      R"("address":["Ulica 7","Beograd"]},"extra":{"nested":[{"telephone":"+381115550198"}]},"n":-3,"d":0.25,"z":null})";
  auto masked = mask_flag_json(flag);
  ASSERT_TRUE(masked.ok()) << masked.error().to_string();
  for (const char* v : {"qwertyvic@", "zq@example", "555 0199", "Ulica", "Beograd", "5550198"}) {
    EXPECT_EQ(masked->find(v), std::string::npos) << v << " in " << *masked;
  }
  EXPECT_EQ(*masked,
            R"({"flag_id":"0123456789abcdef0123456789abcdef","subject":{"role":"passenger","index":0,)"
            R"("contact":"[masked]","email":"[masked]","phone":"[masked]","address":"[masked]"},)"
            R"("extra":{"nested":[{"telephone":"[masked]"}]},"n":-3,"d":0.25,"z":null})");
}

TEST(MaskFlag, RejectsHostileInput) {
  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  const std::string deep_object = [] {
    std::string s;
    for (int i = 0; i < 200; ++i) s += R"({"a":)";
    s += "1";
    for (int i = 0; i < 200; ++i) s += "}";
    return s;
  }();
  const std::string huge = R"({"flag_id":"0123456789abcdef0123456789abcdef","pad":")" +
                           std::string(kMaxFlagBytes, 'x') + R"("})";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "not valid JSON"},
      {"not json", "not valid JSON"},
      {R"({"flag_id": )", "not valid JSON"},
      {"[1,2,3]", "not a JSON object"},
      {R"("a string")", "not a JSON object"},
      {"42", "not a JSON object"},
      {"{\"name\":\"\xff\xfe\"}", "not valid JSON"},
      {deep, "deeper"},
      {"[" + deep_object + "]", "deeper"},
      {huge, "bytes"},
  };
  for (const auto& [input, why] : cases) {
    auto r = mask_flag_json(input);
    ASSERT_FALSE(r.ok()) << input.substr(0, 60);
    EXPECT_TRUE(r.error().is_fatal());
    EXPECT_EQ(r.error().component(), "console");
    EXPECT_THAT(r.error().message(), HasSubstr(why)) << input.substr(0, 60);
  }
  // Just under the limit is still accepted.
  const std::string big = R"({"pad":")" + std::string(kMaxFlagBytes - 20, 'x') + R"("})";
  ASSERT_LE(big.size(), kMaxFlagBytes);
  EXPECT_TRUE(mask_flag_json(big).ok());
}

TEST(DispositionRecord, CarriesTheDecisionAndTheRule) {
  AlertSummary a;
  a.flag_id = "0123456789abcdef0123456789abcdef";
  a.queue = "border";
  a.rule_id = "watchlist-hit:demo";
  a.rule_version = 4;
  a.status = AlertStatus::kFalsePositive;
  Disposition d{DispositionAction::kFalsePositive, "different \"date\" of birth", "o.berg", 1795248000123};
  // The documented layout, field for field.
  EXPECT_EQ(encode_disposition_record(a, d),
            R"({"schema_version":"1.0","flag_id":"0123456789abcdef0123456789abcdef","queue":"border",)"
            R"("action":"false_positive","comment":"different \"date\" of birth","actor":"o.berg",)"
            R"("at":"2026-11-21T08:00:00.123Z","rule":{"id":"watchlist-hit:demo","version":4},)"
            R"("status":"false_positive"})");
}

TEST(Names, StatusAndActionRoundTrip) {
  for (auto s : {AlertStatus::kNew, AlertStatus::kEscalated, AlertStatus::kConfirmedMatch, AlertStatus::kFalsePositive}) {
    EXPECT_EQ(parse_alert_status(to_string(s)), s);
  }
  for (auto a : {DispositionAction::kConfirmedMatch, DispositionAction::kFalsePositive, DispositionAction::kEscalate}) {
    EXPECT_EQ(parse_disposition_action(to_string(a)), a);
  }
  EXPECT_EQ(to_string(AlertStatus::kEscalated), "escalated");
  EXPECT_EQ(to_string(DispositionAction::kEscalate), "escalate");
  EXPECT_EQ(parse_alert_status("closed"), std::nullopt);
  EXPECT_EQ(parse_disposition_action("escalated"), std::nullopt) << "the action is escalate, the status escalated";
  EXPECT_EQ(parse_disposition_action(""), std::nullopt);
}

}  // namespace
}  // namespace crosscheck::console
