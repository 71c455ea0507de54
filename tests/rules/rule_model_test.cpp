// The rule model's JSON form: parsing, the canonical encoding, the digest, and hostile input.
#include "crosscheck/rules/rule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "crosscheck/rules/rule_fields.h"
#include "crosscheck/time_format.h"

namespace crosscheck::rules {
namespace {

using ::testing::HasSubstr;

const std::filesystem::path kRulesDir = std::filesystem::path(CROSSCHECK_FIXTURES_DIR) / "rules";
// A time at which every valid fixture is in force.
const std::int64_t kNow = *timefmt::parse_timestamp_ms("2026-11-20T12:00:00Z");

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::filesystem::path> valid_fixtures() {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(kRulesDir)) {
    if (e.is_regular_file() && e.path().extension() == ".json") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string codes(const std::vector<RuleViolation>& v) {
  std::string out;
  for (const auto& x : v) out += x.code + " @" + x.path + ": " + x.message + "\n";
  return out;
}

const RuleViolation* find_code(const std::vector<RuleViolation>& v, std::string_view code) {
  for (const auto& x : v) {
    if (x.code == code) return &x;
  }
  return nullptr;
}

Rule parse_ok(std::string_view json) {
  std::vector<RuleViolation> v;
  auto rule = parse_rule(json, v);
  EXPECT_TRUE(rule.has_value()) << json;
  EXPECT_TRUE(v.empty()) << codes(v) << json;
  return rule.value_or(Rule{});
}

// A small rule touching every kind of node, every operator and every optional key.
constexpr std::string_view kEveryNode = R"({
  "id":"every-node","version":7,"applies_to":["payment","itinerary"],
  "when":{"all":[
    {"field":"payment.amount","op":"==","value":"1"},
    {"field":"payment.amount","op":"!=","value":"2"},
    {"field":"payment.amount","op":"<","value":"3"},
    {"field":"payment.amount","op":"<=","value":"4.5"},
    {"field":"payment.amount","op":">","value":"-5"},
    {"field":"payment.amount","op":">=","value":"6"},
    {"field":"payment.currency","op":"in","values":["EUR","USD"]},
    {"field":"payment.currency","op":"not_in","values":["JPY"]},
    {"field":"payment.amount","op":"between","values":["10","20"]},
    {"field":"payment.remittance_information","op":"matches","value":"INV-[0-9]+"},
    {"field":"payment.creation_time","op":"within_before","of":"payment.settlement_date","value":"90m"},
    {"field":"payment.debtor.country","op":"present"},
    {"field":"payment.creditor.country","op":"absent"},
    {"any":[{"hit":{"role":"creditor","lists":["un-sc","demo-national"],"min_score":0.85}},
            {"not":{"hit":{"role":"any","lists":[],"min_score":0}}}]},
    {"aggregate":{"count":"events","per":"payment.debtor.iban","within":"1440m","at_least":3}},
    {"aggregate":{"count":"distinct","of":"payment.creditor.iban","per":"payment.debtor.iban","within":"36h","at_least":2}}
  ]},
  "severity":"low","queue":"payments","legal_basis":"law \"§ 1\"","purpose":"line one\nline two","owner":"o@x.example",
  "data_categories":["payment.amount"],
  "valid_from":"2026-11-01T00:00:00Z","expires":"2026-12-01T00:00:00+01:00",
  "max_flags_per_hour":5,"max_flag_share":1e-05,"mode":"shadow","subject_role":"creditor",
  "approval":{"approved_by":"b@x.example","approved_at":"2026-11-02T09:00:00.5Z","comment":""}
})";

// ---- names and durations ---------------------------------------------------------------------------

TEST(RuleNames, OperatorsRoundTrip) {
  int n = 0;
  for (auto op : {CompareOp::kEq, CompareOp::kNe, CompareOp::kLt, CompareOp::kLe, CompareOp::kGt, CompareOp::kGe,
                  CompareOp::kIn, CompareOp::kNotIn, CompareOp::kBetween, CompareOp::kMatches,
                  CompareOp::kWithinBefore, CompareOp::kPresent, CompareOp::kAbsent}) {
    EXPECT_EQ(compare_op_from_string(to_string(op)), op) << to_string(op);
    ++n;
  }
  EXPECT_EQ(n, 13);
  EXPECT_EQ(to_string(CompareOp::kWithinBefore), "within_before");
  EXPECT_FALSE(compare_op_from_string("=>").has_value());
  EXPECT_FALSE(compare_op_from_string("IN").has_value());
  EXPECT_FALSE(compare_op_from_string("").has_value());
  EXPECT_EQ(to_string(RuleMode::kShadow), "shadow");
  EXPECT_EQ(to_string(RuleMode::kEnforce), "enforce");
}

TEST(RuleNames, Durations) {
  EXPECT_EQ(parse_rule_duration_ms("90m"), 90 * 60'000);
  EXPECT_EQ(parse_rule_duration_ms("24h"), 86'400'000);
  EXPECT_EQ(parse_rule_duration_ms("30d"), 30LL * 86'400'000);
  EXPECT_EQ(parse_rule_duration_ms("999999999d"), 999'999'999LL * 86'400'000);
  for (std::string_view bad : {"", "h", "0h", "024h", "24", "24 h", "24H", "1.5h", "-1h", "1s", "1000000000d", "24hh"}) {
    EXPECT_FALSE(parse_rule_duration_ms(bad).has_value()) << bad;
  }
  EXPECT_EQ(format_rule_duration(86'400'000), "1d");
  EXPECT_EQ(format_rule_duration(36 * 3'600'000), "36h");
  EXPECT_EQ(format_rule_duration(90 * 60'000), "90m");
  EXPECT_EQ(format_rule_duration(1500), "1500ms");  // not a duration rules accept
  EXPECT_FALSE(parse_rule_duration_ms(format_rule_duration(1500)).has_value());
  for (std::int64_t ms : {60'000LL, 7'200'000LL, 86'400'000LL * 30, 61 * 60'000LL}) {
    EXPECT_EQ(parse_rule_duration_ms(format_rule_duration(ms)), ms);
  }
}

TEST(RuleNames, IdsAndRoles) {
  EXPECT_TRUE(is_valid_rule_id("pay-large.v2:eu_1"));
  EXPECT_TRUE(is_valid_rule_id(std::string(128, 'a')));
  EXPECT_FALSE(is_valid_rule_id(std::string(129, 'a')));
  EXPECT_FALSE(is_valid_rule_id("-lead"));
  EXPECT_FALSE(is_valid_rule_id("Upper"));
  EXPECT_FALSE(is_valid_rule_id("has space"));
  EXPECT_FALSE(is_valid_rule_id(""));
  EXPECT_EQ(subject_roles(schemas::EventKind::kItinerary).front(), "passenger");
  EXPECT_EQ(subject_roles(schemas::EventKind::kManifest).size(), 3u);
  EXPECT_EQ(subject_roles(schemas::EventKind::kPayment).front(), "debtor");
  EXPECT_EQ(subject_roles(schemas::EventKind::kPayment).back(), "intermediary_agent");
}

// ---- parsing --------------------------------------------------------------------------------------

TEST(RuleParse, IssueExampleOne) {
  const Rule r = parse_ok(read_file(kRulesDir / "pay-large-eur-to-listed-org.json"));
  EXPECT_EQ(r.id, "pay-large-eur-to-listed-org");
  EXPECT_EQ(r.version, 0u);  // absent: the store assigns it
  EXPECT_EQ(r.applies_to, std::vector<schemas::EventKind>{schemas::EventKind::kPayment});
  ASSERT_EQ(r.when.type, Condition::Type::kAll);
  ASSERT_EQ(r.when.children.size(), 3u);
  const Condition& amount = r.when.children[0];
  EXPECT_EQ(amount.type, Condition::Type::kField);
  EXPECT_EQ(amount.field, "payment.amount");
  EXPECT_EQ(amount.op, CompareOp::kGe);
  EXPECT_EQ(amount.values, std::vector<std::string>{"10000"});
  const Condition& hit = r.when.children[2];
  EXPECT_EQ(hit.type, Condition::Type::kHit);
  EXPECT_EQ(hit.hit.role, "creditor");
  EXPECT_EQ(hit.hit.lists, (std::vector<std::string>{"demo-national", "un-sc"}));
  EXPECT_DOUBLE_EQ(hit.hit.min_score, 0.85);
  EXPECT_EQ(r.severity, "high");
  EXPECT_EQ(r.queue, "payments");
  EXPECT_EQ(r.data_categories, (std::vector<std::string>{"payment.amount", "payment.currency"}));
  EXPECT_EQ(r.valid_from_ms, *timefmt::parse_timestamp_ms("2026-11-01T00:00:00Z"));
  EXPECT_EQ(r.expires_ms, *timefmt::parse_timestamp_ms("2027-04-01T00:00:00Z"));
  EXPECT_EQ(r.max_flags_per_hour, 50);
  EXPECT_DOUBLE_EQ(r.max_flag_share, 0.001);
  EXPECT_EQ(r.mode, RuleMode::kEnforce);
  EXPECT_FALSE(r.approval.present());
}

TEST(RuleParse, IssueExampleTwo) {
  const Rule r = parse_ok(read_file(kRulesDir / "itin-cash-late-booking-flagged-corridor.json"));
  ASSERT_EQ(r.when.children.size(), 4u);
  const Condition& late = r.when.children[1];
  EXPECT_EQ(late.op, CompareOp::kWithinBefore);
  EXPECT_EQ(late.of, "itinerary.flight.scheduled_departure");
  EXPECT_EQ(late.values, std::vector<std::string>{"24h"});
  EXPECT_EQ(late.duration_ms, 86'400'000);
  EXPECT_EQ(r.when.children[2].op, CompareOp::kIn);
  EXPECT_EQ(r.when.children[2].values.size(), 4u);
  EXPECT_EQ(r.when.children[3].hit.role, "passenger");
  EXPECT_TRUE(r.when.children[3].hit.lists.empty());
  EXPECT_DOUBLE_EQ(r.when.children[3].hit.min_score, 0.8);
  EXPECT_EQ(r.subject_role, "passenger");
}

TEST(RuleParse, EveryNodeAndKey) {
  const Rule r = parse_ok(kEveryNode);
  EXPECT_EQ(r.version, 7u);
  EXPECT_EQ(r.applies_to, (std::vector<schemas::EventKind>{schemas::EventKind::kPayment, schemas::EventKind::kItinerary}));
  ASSERT_EQ(r.when.children.size(), 16u);
  EXPECT_EQ(r.when.children[10].duration_ms, 90 * 60'000);
  const Condition& any = r.when.children[13];
  EXPECT_EQ(any.type, Condition::Type::kAny);
  ASSERT_EQ(any.children.size(), 2u);
  EXPECT_EQ(any.children[1].type, Condition::Type::kNot);
  ASSERT_EQ(any.children[1].children.size(), 1u);
  EXPECT_EQ(any.children[1].children[0].hit.role, "any");
  const AggregateTest& events = r.when.children[14].aggregate;
  EXPECT_EQ(events.count, AggregateTest::Count::kEvents);
  EXPECT_EQ(events.per, "payment.debtor.iban");
  EXPECT_EQ(events.within_ms, 86'400'000);
  EXPECT_EQ(events.at_least, 3);
  const AggregateTest& distinct = r.when.children[15].aggregate;
  EXPECT_EQ(distinct.count, AggregateTest::Count::kDistinct);
  EXPECT_EQ(distinct.of, "payment.creditor.iban");
  EXPECT_EQ(r.legal_basis, "law \"§ 1\"");
  EXPECT_EQ(r.purpose, "line one\nline two");
  EXPECT_EQ(r.expires_ms, *timefmt::parse_timestamp_ms("2026-11-30T23:00:00Z"));
  EXPECT_DOUBLE_EQ(r.max_flag_share, 1e-05);
  EXPECT_EQ(r.mode, RuleMode::kShadow);
  EXPECT_EQ(r.approval.approved_by, "b@x.example");
  EXPECT_TRUE(r.approval.present());
}

TEST(RuleParse, FieldsReadInTreeOrderWithoutDuplicates) {
  const Rule r = parse_ok(kEveryNode);
  EXPECT_EQ(fields_read(r.when),
            (std::vector<std::string>{"payment.amount", "payment.currency", "payment.remittance_information",
                                      "payment.creation_time", "payment.settlement_date", "payment.debtor.country",
                                      "payment.creditor.country", "payment.debtor.iban", "payment.creditor.iban"}));
  Condition hit_only;
  hit_only.type = Condition::Type::kHit;
  EXPECT_TRUE(fields_read(hit_only).empty());
}

TEST(RuleParse, MissingKeysAreLeftEmptyForValidation) {
  std::vector<RuleViolation> v;
  auto r = parse_rule(R"({"mode":"enforce"})", v);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(v.empty()) << codes(v);
  EXPECT_EQ(r->severity, "");  // not defaulted to "medium": validate_rule reports it
  EXPECT_TRUE(r->applies_to.empty());
  EXPECT_EQ(r->when.type, Condition::Type::kAll);
  EXPECT_TRUE(r->when.children.empty());

  v.clear();
  r = parse_rule("{}", v);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(v.size(), 1u) << codes(v);
  EXPECT_EQ(v[0].code, "invalid_mode");
  EXPECT_THAT(v[0].message, HasSubstr("mode is missing"));
}

TEST(RuleParse, VersionMustBeAPositiveWholeNumber) {
  for (std::string_view bad : {"0", "-1", "1.5", "1e3", "\"3\"", "null", "true", "[1]"}) {
    std::vector<RuleViolation> v;
    auto r = parse_rule(std::string(R"({"mode":"enforce","version":)") + std::string(bad) + "}", v);
    ASSERT_TRUE(r.has_value()) << bad;
    ASSERT_EQ(v.size(), 1u) << bad << "\n" << codes(v);
    EXPECT_EQ(v[0].code, "invalid_version") << bad;
    EXPECT_EQ(v[0].path, "version");
    EXPECT_THAT(v[0].message, HasSubstr("positive whole number")) << bad;
  }
  EXPECT_EQ(parse_ok(R"({"mode":"enforce","version":18446744073709551615})").version, 18446744073709551615ULL);
  // Beyond 64 bits the JSON parser itself refuses the number.
  std::vector<RuleViolation> v;
  EXPECT_FALSE(parse_rule(R"({"mode":"enforce","version":18446744073709551616})", v).has_value());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].code, "invalid_json");
}

TEST(RuleParse, WrongTypesNameTheKey) {
  struct Case {
    std::string json;
    std::string code, path, fragment;
  };
  const std::vector<Case> cases = {
      {R"({"mode":"enforce","id":5})", "wrong_type", "id", "id must be a string, got a number"},
      {R"({"mode":"enforce","legal_basis":["a"]})", "wrong_type", "legal_basis", "must be a string, got an array"},
      {R"({"mode":"enforce","applies_to":"payment"})", "wrong_type", "applies_to", "must be an array of strings"},
      {R"({"mode":"enforce","applies_to":["payment",3]})", "wrong_type", "applies_to[1]", "must be a string"},
      {R"({"mode":"enforce","data_categories":{"a":1}})", "wrong_type", "data_categories", "array of strings"},
      {R"({"mode":"enforce","max_flags_per_hour":"50"})", "invalid_max_flags_per_hour", "max_flags_per_hour",
       "whole number"},
      {R"({"mode":"enforce","max_flags_per_hour":50.5})", "invalid_max_flags_per_hour", "max_flags_per_hour",
       "whole number"},
      {R"({"mode":"enforce","max_flag_share":"0.1"})", "invalid_max_flag_share", "max_flag_share", "(0, 1]"},
      {R"({"mode":1})", "invalid_mode", "mode", "must be a string"},
      {R"({"mode":"enforced"})", "invalid_mode", "mode", "\"enforce\" or \"shadow\""},
      {R"({"mode":"enforce","approval":"b.weber"})", "invalid_approval", "approval", "must be an object"},
      {R"({"mode":"enforce","approval":{"approved_by":1}})", "invalid_approval", "approval.approved_by",
       "must be a string"},
      {R"({"mode":"enforce","approval":{"signed":"x"}})", "invalid_approval", "approval.signed", "unknown key"},
      {R"({"mode":"enforce","when":[]})", "malformed_node", "when", "must be an object, got an array"},
      {R"({"mode":"enforce","when":{"all":{}}})", "malformed_node", "when", "all must be an array"},
      {R"({"mode":"enforce","when":{"not":[{"hit":{}}]}})", "malformed_node", "when", "not takes exactly one"},
      {R"({"mode":"enforce","when":{}})", "malformed_node", "when", "empty condition"},
      {R"({"mode":"enforce","when":{"every":[]}})", "malformed_node", "when", "unknown condition key \"every\""},
      {R"({"mode":"enforce","when":{"all":[],"any":[]}})", "malformed_node", "when", "\"all\" and \"any\""},
      {R"({"mode":"enforce","when":{"all":[],"note":"x"}})", "malformed_node", "when", "unknown key \"note\""},
      {R"({"mode":"enforce","when":{"hit":{},"field":"payment.amount"}})", "malformed_node", "when",
       "field-test keys"},
      {R"({"mode":"enforce","when":{"field":"payment.amount","op":"present","note":1}})", "malformed_node",
       "when.note", "unknown key \"note\" in a field test"},
      {R"({"mode":"enforce","when":{"field":"payment.amount","op":"=>","value":"1"}})", "unknown_operator",
       "when.op", "unknown operator \"=>\""},
      {R"({"mode":"enforce","when":{"field":"payment.amount","value":"1"}})", "malformed_node", "when.op",
       "needs \"op\""},
      {R"({"mode":"enforce","when":{"op":"present"}})", "malformed_node", "when.field", "needs \"field\""},
      {R"({"mode":"enforce","when":{"field":"payment.amount","op":">=","value":10000}})", "invalid_value",
       "when.value", "decimal strings"},
      {R"({"mode":"enforce","when":{"field":"payment.amount","op":">=","values":["1"]}})", "invalid_value",
       "when.values", "takes \"value\""},
      {R"({"mode":"enforce","when":{"field":"payment.currency","op":"in","value":"EUR"}})", "invalid_value",
       "when.value", "takes \"values\""},
      {R"({"mode":"enforce","when":{"field":"payment.currency","op":"present","value":"EUR"}})", "invalid_value",
       "when.value", "takes no value"},
      {R"({"mode":"enforce","when":{"hit":[]}})", "malformed_node", "when.hit", "hit must be an object"},
      {R"({"mode":"enforce","when":{"hit":{"role":"any","score":1}}})", "unknown_key", "when.hit.score",
       "unknown key \"score\" in hit"},
      {R"({"mode":"enforce","when":{"hit":{"min_score":"high"}}})", "invalid_hit_score", "when.hit.min_score",
       "number from 0 to 1"},
      {R"({"mode":"enforce","when":{"hit":{"lists":"un-sc"}}})", "invalid_hit_list", "when.hit.lists",
       "array of strings"},
      {R"({"mode":"enforce","when":{"aggregate":{"count":"sum"}}})", "invalid_value", "when.aggregate.count",
       "\"events\" or \"distinct\""},
      {R"({"mode":"enforce","when":{"aggregate":{"within":"1 day"}}})", "invalid_aggregate_window",
       "when.aggregate.within", "not a duration"},
      {R"({"mode":"enforce","when":{"aggregate":{"at_least":2.5}}})", "invalid_aggregate_threshold",
       "when.aggregate.at_least", "whole number"},
      {R"({"mode":"enforce","when":{"aggregate":{"key":"x"}}})", "unknown_key", "when.aggregate.key",
       "in aggregate"},
      {R"({"mode":"enforce","applies_to":["payment","passport"]})", "unknown_event_kind", "applies_to[1]",
       "unknown event kind \"passport\""},
      {R"({"mode":"enforce","owner":"a","owner":"b"})", "duplicate_key", "owner", "duplicate key \"owner\""},
      {R"({"mode":"enforce","comment":"x"})", "unknown_key", "comment", "unknown key \"comment\""},
  };
  for (const auto& c : cases) {
    std::vector<RuleViolation> v;
    auto r = parse_rule(c.json, v);
    EXPECT_TRUE(r.has_value()) << c.json;
    const RuleViolation* found = find_code(v, c.code);
    ASSERT_NE(found, nullptr) << c.json << "\n" << codes(v);
    EXPECT_EQ(found->path, c.path) << c.json;
    EXPECT_THAT(found->message, HasSubstr(c.fragment)) << c.json;
    EXPECT_EQ(v.size(), 1u) << c.json << "\n" << codes(v);
  }
}

// ---- canonical form and round trips ----------------------------------------------------------------

TEST(RuleEncode, FixturesRoundTripFieldByField) {
  const auto files = valid_fixtures();
  ASSERT_GE(files.size(), 4u);
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
    const Rule r = parse_ok(read_file(path));
    const std::string text = encode_rule(r);
    const Rule back = parse_ok(text);
    EXPECT_TRUE(back == r);
    EXPECT_EQ(back.when, r.when);
    EXPECT_EQ(encode_rule(back), text);  // canonical: encoding is a fixed point
    EXPECT_EQ(text.find_first_of("\n\r\t"), std::string::npos);
  }
}

TEST(RuleEncode, EveryNodeRoundTrips) {
  const Rule r = parse_ok(kEveryNode);
  const Rule back = parse_ok(encode_rule(r));
  EXPECT_EQ(back, r);
  // The aggregate window is written in its largest whole unit; within_before keeps its text.
  EXPECT_THAT(encode_rule(r), HasSubstr(R"("within":"1d")"));
  EXPECT_THAT(encode_rule(r), HasSubstr(R"("within":"36h")"));
  EXPECT_THAT(encode_rule(r), HasSubstr(R"("value":"90m")"));
}

TEST(RuleEncode, KeyOrderAndWhitespaceDoNotMatter) {
  const Rule a = parse_ok(R"({"id":"r1","applies_to":["payment"],"mode":"enforce","severity":"low",
      "when":{"field":"payment.amount","op":">=","value":"1"},"queue":"q"})");
  const Rule b = parse_ok(R"(  {"queue":"q","when":{"value":"1","op":">=","field":"payment.amount"},
      "severity":"low","mode":"enforce","applies_to":["payment"],"id":"r1"}  )");
  EXPECT_EQ(a, b);
  EXPECT_EQ(encode_rule(a), encode_rule(b));
  EXPECT_EQ(rule_digest(a), rule_digest(b));
}

// The stored text is what flags' digests refer to: changing the encoding would orphan every
// digest already issued, so the canonical form is pinned here.
TEST(RuleEncode, CanonicalFormIsPinned) {
  const Rule r = parse_ok(R"({"mode":"shadow","id":"pin","version":3,"applies_to":["payment"],
      "when":{"all":[{"field":"payment.amount","op":"between","values":["1","2.50"]},
                     {"not":{"hit":{"role":"debtor","lists":["un-sc"],"min_score":0.5}}}]},
      "severity":"low","queue":"q1","legal_basis":"lb","purpose":"p","owner":"o",
      "data_categories":["payment.amount"],"valid_from":"2026-11-01T00:00:00Z","expires":"2026-12-01T00:00:00Z",
      "max_flags_per_hour":10,"max_flag_share":0.25})");
  EXPECT_EQ(encode_rule(r),
            R"({"id":"pin","version":3,"applies_to":["payment"],"when":{"all":[{"field":"payment.amount","op":"between","values":["1","2.50"]},{"not":{"hit":{"role":"debtor","lists":["un-sc"],"min_score":0.5}}}]},"severity":"low","queue":"q1","legal_basis":"lb","purpose":"p","owner":"o","data_categories":["payment.amount"],"valid_from":"2026-11-01T00:00:00Z","expires":"2026-12-01T00:00:00Z","max_flags_per_hour":10,"max_flag_share":0.25,"mode":"shadow"})");
  // Checked independently: printf '%s' '<the text above>' | sha256sum | cut -c1-32
  EXPECT_EQ(rule_digest(r), "650249f15199a052cc62b0653d9b3e64");
}

TEST(RuleEncode, OptionalKeysAreOmittedWhenEmpty) {
  Rule r = parse_ok(R"({"mode":"enforce","id":"x"})");
  const std::string text = encode_rule(r);
  EXPECT_EQ(text.find("\"version\""), std::string::npos);
  EXPECT_EQ(text.find("\"subject_role\""), std::string::npos);
  EXPECT_EQ(text.find("\"approval\""), std::string::npos);
  EXPECT_NE(text.find(R"("data_categories":[])"), std::string::npos);
  r.approval.comment = "only a comment";  // partial approvals are kept (validation rejects them)
  EXPECT_EQ(parse_ok(encode_rule(r)), r);
}

TEST(RuleEncode, HostileStringsSurvive) {
  // NUL, quotes, backslashes, control characters and non-ASCII text survive encoding.
  const std::string json = R"({"mode":"enforce","id":"x","legal_basis":"a\u0000b","purpose":"\"q\" \\ \u0001 \u00e9 \ud83d\ude00",
      "when":{"field":"payment.remittance_information","op":"==","value":"\u0000"}})";
  const Rule r = parse_ok(json);
  EXPECT_EQ(r.legal_basis, std::string("a\0b", 3));
  EXPECT_EQ(r.when.values[0], std::string(1, '\0'));
  EXPECT_EQ(r.purpose, "\"q\" \\ \x01 \xC3\xA9 \xF0\x9F\x98\x80");
  EXPECT_EQ(parse_ok(encode_rule(r)), r);
}

// ---- digest ----------------------------------------------------------------------------------------

TEST(RuleDigest, IdentifiesTheTextButNotTheApproval) {
  const Rule base = parse_ok(read_file(kRulesDir / "pay-large-eur-to-listed-org.json"));
  const std::string d = rule_digest(base);
  ASSERT_EQ(d.size(), 32u);
  EXPECT_EQ(d.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(rule_digest(base), d);  // stable

  Rule approved = base;
  approved.approval = {"b.weber@fiu.example", "2026-11-02T09:00:00Z", "ok"};
  EXPECT_EQ(rule_digest(approved), d) << "approval is added after storing and must not change the digest";

  auto differs = [&](auto change) {
    Rule r = base;
    change(r);
    return rule_digest(r) != d;
  };
  EXPECT_TRUE(differs([](Rule& r) { r.when.children[0].values[0] = "10001"; }));
  EXPECT_TRUE(differs([](Rule& r) { r.version = 2; }));
  EXPECT_TRUE(differs([](Rule& r) { r.mode = RuleMode::kShadow; }));
  EXPECT_TRUE(differs([](Rule& r) { r.max_flag_share = 0.002; }));
  EXPECT_TRUE(differs([](Rule& r) { r.legal_basis += "."; }));
  EXPECT_TRUE(differs([](Rule& r) { r.when.children[2].hit.lists.pop_back(); }));
}

TEST(RuleDigest, FixtureDigestMatchesSha256OfItsCanonicalText) {
  // The digest covers the text without the approval, which is recorded beside the stored version.
  Rule r = parse_ok(read_file(kRulesDir / "manifest-dual-use-transshipment-shadow.json"));
  r.approval = {"b.weber@customs.example", "2026-11-14T16:20:00Z", "shadow for four weeks, then review the rate"};
  Rule text_only = r;
  text_only.approval = {};
  // Checked independently: Python's json.dumps of the fixture without "approval", keys in the
  // canonical order, separators (',', ':'), ensure_ascii=False; then sha256sum, first 32 digits.
  EXPECT_EQ(encode_rule(text_only).size(), 934u);
  EXPECT_EQ(rule_digest(r), "28408e7faed167dee1ccec43acc96398");
}

// ---- the default watchlist rule --------------------------------------------------------------------

TEST(DefaultWatchlistRule, ShapeAndRoundTrip) {
  WatchlistRuleDefaults defaults;
  defaults.max_flags_per_hour = 200;
  const std::int64_t now = *timefmt::parse_timestamp_ms("2026-11-21T08:30:00.250Z");
  const Rule r = default_watchlist_rule("un-sc", 42, defaults, now);
  EXPECT_EQ(r.id, "watchlist-hit:un-sc");
  EXPECT_EQ(r.version, 42u);
  EXPECT_EQ(r.applies_to.size(), 3u);
  EXPECT_EQ(r.when.type, Condition::Type::kHit);
  EXPECT_EQ(r.when.hit.role, "any");
  EXPECT_EQ(r.when.hit.lists, std::vector<std::string>{"un-sc"});
  EXPECT_EQ(r.when.hit.min_score, 0.0);
  EXPECT_EQ(r.queue, "");
  EXPECT_EQ(r.mode, RuleMode::kEnforce);
  EXPECT_EQ(r.valid_from_ms, now);
  EXPECT_EQ(r.valid_from, "2026-11-21T08:30:00.250Z");
  EXPECT_EQ(r.expires, "9999-12-31T23:59:59Z");
  EXPECT_GT(r.expires_ms, now);
  EXPECT_TRUE(r.data_categories.empty());
  EXPECT_TRUE(fields_read(r.when).empty());
  EXPECT_EQ(r.max_flags_per_hour, 200);
  EXPECT_EQ(r.max_flag_share, defaults.max_flag_share);
  EXPECT_EQ(r.severity, "high");
  EXPECT_EQ(r.legal_basis, defaults.legal_basis);
  EXPECT_TRUE(is_valid_rule_id(r.id));
  EXPECT_EQ(parse_ok(encode_rule(r)), r);
  // A new list version is a new rule text.
  EXPECT_NE(rule_digest(default_watchlist_rule("un-sc", 43, defaults, now)), rule_digest(r));
}

// ---- hostile input ---------------------------------------------------------------------------------

std::vector<RuleViolation> rejected(std::string_view json) {
  std::vector<RuleViolation> v;
  auto r = parse_rule(json, v);
  EXPECT_FALSE(r.has_value());
  EXPECT_EQ(v.size(), 1u) << codes(v);
  return v;
}

TEST(RuleHostile, NotJsonOrNotAnObject) {
  EXPECT_EQ(rejected(read_file(kRulesDir / "invalid" / "truncated.json"))[0].code, "invalid_json");
  EXPECT_EQ(rejected("")[0].code, "invalid_json");
  EXPECT_EQ(rejected("{\"id\":")[0].code, "invalid_json");
  EXPECT_EQ(rejected("{} {}")[0].code, "invalid_json");
  EXPECT_EQ(rejected("{\"id\":\"a\",}")[0].code, "invalid_json");
  for (std::string_view s : {"null", "[]", "42", "\"rule\"", "true"}) {
    const auto v = rejected(s);
    EXPECT_EQ(v[0].code, "not_an_object") << s;
    EXPECT_THAT(v[0].message, HasSubstr("a rule is a JSON object")) << s;
  }
}

TEST(RuleHostile, NulBytesAndInvalidUtf8) {
  // A raw NUL or control byte is not JSON; an escaped one is a character of a string (above).
  using namespace std::string_literals;
  EXPECT_EQ(rejected("{\"id\":\"a\0b\",\"mode\":\"enforce\"}"s)[0].code, "invalid_json");
  EXPECT_EQ(rejected("{\"mode\":\"enforce\"}\0"s)[0].code, "invalid_json");
  EXPECT_EQ(rejected("\0{\"mode\":\"enforce\"}"s)[0].code, "invalid_json");
  const auto v = rejected("{\"id\":\"\xC3\x28\",\"mode\":\"enforce\"}");
  EXPECT_EQ(v[0].code, "invalid_json");
  EXPECT_THAT(v[0].message, HasSubstr("UTF-8"));
  EXPECT_EQ(rejected("{\"id\":\"\xED\xA0\x80\"}")[0].code, "invalid_json");  // a UTF-16 surrogate
  EXPECT_EQ(rejected("{\"id\":\"\xFF\"}")[0].code, "invalid_json");
}

TEST(RuleHostile, TooLarge) {
  std::string big = R"({"mode":"enforce","purpose":")" + std::string(kMaxRuleJsonBytes, 'a') + "\"}";
  const auto v = rejected(big);
  EXPECT_EQ(v[0].code, "rule_too_large");
  EXPECT_THAT(v[0].message, HasSubstr("at most 1048576 bytes"));
}

TEST(RuleHostile, DeepNesting) {
  // Deep JSON that is not a rule tree is refused by the JSON parser's depth limit.
  std::string arrays = R"({"mode":"enforce","when":)" + std::string(100'000, '[') + std::string(100'000, ']') + "}";
  const auto v = rejected(arrays);
  EXPECT_EQ(v[0].code, "invalid_json");
  EXPECT_THAT(v[0].message, HasSubstr("nested deeper"));

  // The depth limit holds for documents large enough to make the parser grow its buffers.
  std::string big_and_deep = R"({"mode":"enforce","purpose":")" + std::string(200'000, 'p') + R"(","when":)" +
                             std::string(200, '[') + std::string(200, ']') + "}";
  const auto v3 = rejected(big_and_deep);
  EXPECT_EQ(v3[0].code, "invalid_json");
  EXPECT_THAT(v3[0].message, HasSubstr("nested deeper than 136 levels"));

  // A condition tree deeper than the limit is reported at the node where it passes it.
  auto nots = [](std::size_t n) {
    std::string s = R"({"mode":"enforce","when":)";
    for (std::size_t i = 0; i < n; ++i) s += R"({"not":)";
    s += R"({"hit":{"role":"any","lists":[],"min_score":0}})";
    s += std::string(n, '}');
    return s + "}";
  };
  EXPECT_EQ(parse_ok(nots(kMaxConditionDepth - 1)).when.type, Condition::Type::kNot);
  std::vector<RuleViolation> v2;
  auto r = parse_rule(nots(kMaxConditionDepth + 2), v2);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(v2.size(), 1u) << codes(v2);
  EXPECT_EQ(v2[0].code, "condition_too_deep");
  EXPECT_THAT(v2[0].path, HasSubstr(".not.not"));
  EXPECT_THAT(v2[0].message, HasSubstr("at most 64 deep"));
}

TEST(RuleHostile, HugeArraysAreBoundedAndReportedOnce) {
  // 100,000 values: the parser keeps them (the text is under 1 MiB), validation rejects the count.
  std::string values;
  for (int i = 0; i < 100'000; ++i) values += (i ? ",\"" : "\"") + std::to_string(i % 10) + "\"";
  const std::string json = R"({"mode":"enforce","applies_to":["payment"],"data_categories":["payment.currency"],
      "when":{"field":"payment.currency","op":"in","values":[)" + values + "]}}";
  ASSERT_LT(json.size(), kMaxRuleJsonBytes);
  std::vector<RuleViolation> v;
  auto r = parse_and_validate_rule(json, RulePolicy{}, kNow, v);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->when.values.size(), 100'000u);
  const RuleViolation* count = find_code(v, "invalid_value");
  ASSERT_NE(count, nullptr) << codes(v);
  EXPECT_THAT(count->message, HasSubstr("1 to 1000 values, got 100000"));
  EXPECT_EQ(std::count_if(v.begin(), v.end(), [](const RuleViolation& x) { return x.code == "invalid_value"; }), 1);

  // 100,000 wrong entries: the report stops at kMaxRuleViolations and says so.
  std::string kinds;
  for (int i = 0; i < 100'000; ++i) kinds += i ? ",\"x\"" : "\"x\"";
  std::vector<RuleViolation> v2;
  ASSERT_TRUE(parse_rule(R"({"mode":"enforce","applies_to":[)" + kinds + "]}", v2).has_value());
  ASSERT_EQ(v2.size(), kMaxRuleViolations + 1);
  EXPECT_EQ(v2.back().code, "too_many_violations");
  EXPECT_EQ(v2.front().code, "unknown_event_kind");
}

TEST(RuleHostile, UnknownKeysEverywhereAreAllReported) {
  std::vector<RuleViolation> v;
  auto r = parse_rule(R"({"mode":"enforce","x1":1,"when":{"all":[{"hit":{"role":"any","x2":1}},
      {"aggregate":{"x3":1}},{"field":"payment.amount","op":"present","x4":1}]},"approval":{"x5":1}})", v);
  ASSERT_TRUE(r.has_value());
  std::vector<std::string> paths;
  for (const auto& x : v) paths.push_back(x.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"x1", "when.all[0].hit.x2", "when.all[1].aggregate.x3",
                                             "when.all[2].x4", "approval.x5"}))
      << codes(v);
}

}  // namespace
}  // namespace crosscheck::rules
