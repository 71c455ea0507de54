// validate_rule: every rejected rule with its code and message, several problems reported at once,
// the profiling check, and the valid rules (the issue's examples among them) that pass.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "crosscheck/rules/rule.h"
#include "crosscheck/time_format.h"

namespace crosscheck::rules {
namespace {

using ::testing::HasSubstr;

const std::filesystem::path kRulesDir = std::filesystem::path(CROSSCHECK_FIXTURES_DIR) / "rules";
const std::int64_t kNow = *timefmt::parse_timestamp_ms("2026-11-20T12:00:00Z");

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string describe(const std::vector<RuleViolation>& v) {
  std::string out;
  for (const auto& x : v) out += "  " + x.code + " @" + x.path + ": " + x.message + "\n";
  return out.empty() ? "  (none)\n" : out;
}

std::vector<RuleViolation> check(const std::string& json, std::int64_t now = kNow, const RulePolicy& policy = {}) {
  std::vector<RuleViolation> v;
  parse_and_validate_rule(json, policy, now, v);
  return v;
}

// The base rule (issue example one), key by key, as raw JSON values; rows override or remove keys.
const std::vector<std::pair<std::string, std::string>> kBase = {
    {"id", R"("pay-large-eur-to-listed-org")"},
    {"applies_to", R"(["payment"])"},
    {"when", R"({"all":[{"field":"payment.amount","op":">=","value":"10000"},
                        {"field":"payment.currency","op":"==","value":"EUR"},
                        {"hit":{"role":"creditor","lists":["un-sc"],"min_score":0.85}}]})"},
    {"severity", R"("high")"},
    {"queue", R"("payments")"},
    {"legal_basis", R"("AMLD6 art. 18")"},
    {"purpose", R"("transfers of 10,000 EUR or more to listed organisations")"},
    {"owner", R"("a.novak@fiu.example")"},
    {"data_categories", R"(["payment.amount","payment.currency"])"},
    {"valid_from", R"("2026-11-01T00:00:00Z")"},
    {"expires", R"("2027-02-01T00:00:00Z")"},
    {"max_flags_per_hour", "50"},
    {"max_flag_share", "0.001"},
    {"mode", R"("enforce")"},
};

constexpr const char* kRemove = "<remove>";

// The base rule with `changes` applied (a value of kRemove drops the key; new keys are appended).
std::string rule_with(const std::map<std::string, std::string>& changes) {
  std::string out = "{";
  std::set<std::string> used;
  const auto put = [&](const std::string& k, const std::string& v) {
    if (v == kRemove) return;
    if (out.size() > 1) out += ",";
    out += "\"" + k + "\":" + v;
  };
  for (const auto& [k, v] : kBase) {
    auto it = changes.find(k);
    put(k, it == changes.end() ? v : it->second);
    used.insert(k);
  }
  for (const auto& [k, v] : changes) {
    if (!used.count(k)) put(k, v);
  }
  return out + "}";
}

// A payment rule whose condition is `when`, declaring `fields`.
std::string payment_when(const std::string& when, const std::string& fields) {
  return rule_with({{"when", when}, {"data_categories", fields}});
}
std::string itinerary_when(const std::string& when, const std::string& fields) {
  return rule_with({{"applies_to", R"(["itinerary"])"}, {"when", when}, {"data_categories", fields}});
}

TEST(RuleValidate, BaseRuleIsValid) {
  const auto v = check(rule_with({}));
  EXPECT_TRUE(v.empty()) << describe(v);
}

struct Row {
  const char* name;
  std::string json;
  std::string code;
  std::string path;
  std::string fragment;
  std::set<std::string> also = {};  // other codes the same change necessarily causes
  std::int64_t now = kNow;
};

std::vector<Row> rejected_rows() {
  const std::string amount_ge = R"({"field":"payment.amount","op":">=","value":"10000"})";
  const std::string hit = R"({"hit":{"role":"creditor","lists":["un-sc"],"min_score":0.85}})";
  const auto all_with_hit = [&](const std::string& test) { return R"({"all":[)" + test + "," + hit + "]}"; };
  std::string many_leaves = R"({"any":[)";
  for (int i = 0; i < 300; ++i) many_leaves += (i ? "," : "") + hit;
  many_leaves += "]}";
  std::string deep = hit;
  for (int i = 0; i < 70; ++i) deep = R"({"not":)" + deep + "}";
  std::string deep_path = "when";  // the node at depth 65
  for (std::size_t i = 0; i < kMaxConditionDepth; ++i) deep_path += ".not";
  return {
      // The four proportionality checks the issue names.
      {"legal basis missing", rule_with({{"legal_basis", kRemove}}), "missing_legal_basis", "legal_basis",
       "name the law or regulation"},
      {"legal basis blank", rule_with({{"legal_basis", R"("  ")"}}), "missing_legal_basis", "legal_basis",
       "legal_basis is missing"},
      {"purpose missing", rule_with({{"purpose", R"("")"}}), "missing_purpose", "purpose", "say what the rule is for"},
      {"owner missing", rule_with({{"owner", kRemove}}), "missing_owner", "owner", "accountable author"},
      {"lifetime over 180 days", rule_with({{"expires", R"("2027-05-01T00:00:01Z")"}}), "lifetime_exceeds_maximum",
       "expires", "would live 182 days (valid_from to expires); the maximum is 180 days"},
      {"field not declared", payment_when(all_with_hit(amount_ge), R"([])"), "field_not_declared",
       "when.all[0].field", "\"payment.amount\" is read by the condition but not declared in data_categories"},
      {"only personal characteristics",
       itinerary_when(R"({"field":"itinerary.passengers.nationality","op":"in","values":["XXA"]})",
                      R"(["itinerary.passengers.nationality"])"),
       "profiling_only_personal_characteristics", "when",
       "can match on personal characteristics (itinerary.passengers.nationality) without any behavioural condition"},
      // Identity and shape.
      {"unknown key", rule_with({{"notes", R"("x")"}}), "unknown_key", "notes", "unknown key \"notes\" (allowed: id,"},
      {"id missing", rule_with({{"id", kRemove}}), "missing_id", "id", "id is missing"},
      {"id invalid", rule_with({{"id", R"("Pay Large")"}}), "invalid_id", "id", "expected [a-z0-9][a-z0-9._:-]{0,127}"},
      {"id reserved", rule_with({{"id", R"("watchlist-hit:un-sc")"}}), "reserved_id", "id",
       "generated default rules"},
      {"version zero", rule_with({{"version", "0"}}), "invalid_version", "version", "positive whole number"},
      {"version a string", rule_with({{"version", R"("2")"}}), "invalid_version", "version", "got a string"},
      {"applies_to empty", rule_with({{"applies_to", "[]"}}), "missing_applies_to", "applies_to",
       "name the event kinds"},
      {"applies_to unknown", rule_with({{"applies_to", R"(["payment","wire"])"}}), "unknown_event_kind",
       "applies_to[1]", "unknown event kind \"wire\""},
      {"applies_to twice", rule_with({{"applies_to", R"(["payment","payment"])"}}), "duplicate_event_kind",
       "applies_to[1]", "listed twice"},
      {"when missing", rule_with({{"when", kRemove}, {"data_categories", "[]"}}), "missing_when", "when",
       "a rule needs a condition"},
      {"when empty all", rule_with({{"when", R"({"all":[]})"}, {"data_categories", "[]"}}), "missing_when", "when",
       "a rule needs a condition"},
      {"not with two children", payment_when(R"({"not":[)" + hit + "," + hit + "]}", "[]"), "malformed_node", "when",
       "not takes exactly one condition"},
      {"empty any inside", payment_when(all_with_hit(R"({"any":[]})"), "[]"), "malformed_node", "when.all[0]",
       "any has no conditions"},
      {"unknown node key", payment_when(all_with_hit(R"({"every":[]})"), "[]"), "malformed_node", "when.all[0]",
       "unknown condition key \"every\""},
      {"too many nodes", payment_when(many_leaves, "[]"), "too_many_condition_nodes", "when",
       "301 nodes; at most 256"},
      {"too deep", payment_when(deep, "[]"), "condition_too_deep", deep_path, "at most 64 deep"},
      // Field tests.
      {"unknown field", payment_when(all_with_hit(R"({"field":"payment.ammount","op":">=","value":"1"})"), "[]"),
       "unknown_field", "when.all[0].field", "unknown field \"payment.ammount\" (did you mean \"payment.amount\"?)"},
      {"unknown field short name", payment_when(all_with_hit(R"({"field":"amount","op":">=","value":"1"})"), "[]"),
       "unknown_field", "when.all[0].field", "(did you mean \"payment.amount\"?)"},
      {"protected field read", payment_when(all_with_hit(R"({"field":"payment.debtor.religion","op":"present"})"), "[]"),
       "protected_category", "when.all[0].field", "names a protected characteristic"},
      {"field of another kind",
       payment_when(all_with_hit(R"({"field":"itinerary.flight.carrier","op":"==","value":"XX"})"),
                    R"(["itinerary.flight.carrier"])"),
       "field_not_applicable", "when.all[0].field", "\"itinerary.flight.carrier\" is not a field of payment events"},
      {"unknown operator", rule_with({{"when", R"({"all":[{"field":"payment.amount","op":"=>","value":"1"},
           {"field":"payment.currency","op":"==","value":"EUR"},)" + hit + "]}"}}),
       "unknown_operator", "when.all[0].op", "unknown operator \"=>\" (allowed: ==, !=,"},
      {"not a number", payment_when(all_with_hit(R"({"field":"payment.amount","op":">=","value":"10k"})"),
                                    R"(["payment.amount"])"),
       "invalid_value", "when.all[0].value", "\"10k\" is not a number"},
      {"number in a JSON number", payment_when(all_with_hit(R"({"field":"payment.amount","op":">=","value":10000})"),
                                               R"(["payment.amount"])"),
       "invalid_value", "when.all[0].value", "write numbers as exact decimal strings"},
      {"not a date", payment_when(all_with_hit(R"({"field":"payment.settlement_date","op":"<","value":"tomorrow"})"),
                                  R"(["payment.settlement_date"])"),
       "invalid_value", "when.all[0].value", "\"tomorrow\" is not a date"},
      {"between reversed",
       payment_when(all_with_hit(R"({"field":"payment.amount","op":"between","values":["50000","9999.99"]})"),
                    R"(["payment.amount"])"),
       "invalid_value", "when.all[0].values", "between needs low <= high"},
      {"between one value",
       payment_when(all_with_hit(R"({"field":"payment.amount","op":"between","values":["1"]})"), R"(["payment.amount"])"),
       "invalid_value", "when.all[0].values", "between needs two values"},
      {"in without values",
       payment_when(all_with_hit(R"({"field":"payment.currency","op":"in","values":[]})"), R"(["payment.currency"])"),
       "invalid_value", "when.all[0].values", "needs 1 to 1000 values, got 0"},
      {"comparison without value",
       payment_when(all_with_hit(R"({"field":"payment.currency","op":"=="})"), R"(["payment.currency"])"),
       "invalid_value", "when.all[0].value", "needs one \"value\""},
      {"bad regex",
       payment_when(all_with_hit(R"({"field":"payment.remittance_information","op":"matches","value":"INV-([0-9]+"})"),
                    R"(["payment.remittance_information"])"),
       "invalid_regex", "when.all[0].value", "is not a valid ICU regular expression (U_REGEX_MISMATCHED_PAREN"},
      {"pattern too long",
       payment_when(all_with_hit(R"({"field":"payment.remittance_information","op":"matches","value":")" +
                                 std::string(257, 'a') + R"("})"),
                    R"(["payment.remittance_information"])"),
       "pattern_too_long", "when.all[0].value", "257 bytes; at most 256"},
      {"regex on a number",
       payment_when(all_with_hit(R"({"field":"payment.amount","op":"matches","value":"9+"})"), R"(["payment.amount"])"),
       "op_not_for_field_type", "when.all[0].op", "matches applies to text fields; \"payment.amount\" is a number"},
      {"within_before on text",
       payment_when(all_with_hit(
                        R"({"field":"payment.currency","op":"within_before","of":"payment.settlement_date","value":"1d"})"),
                    R"(["payment.currency","payment.settlement_date"])"),
       "op_not_for_field_type", "when.all[0].op", "within_before compares dates"},
      {"bad duration",
       payment_when(all_with_hit(
                        R"({"field":"payment.creation_time","op":"within_before","of":"payment.settlement_date","value":"24 hours"})"),
                    R"(["payment.creation_time","payment.settlement_date"])"),
       "invalid_duration", "when.all[0].value", "\"24 hours\" is not a duration"},
      {"within_before without of",
       payment_when(all_with_hit(R"({"field":"payment.creation_time","op":"within_before","value":"1d"})"),
                    R"(["payment.creation_time"])"),
       "malformed_node", "when.all[0].of", "within_before's \"of\" is missing"},
      // Data categories.
      {"unknown data category", rule_with({{"data_categories", R"(["payment.amount","payment.currency","payment.amt"])"}}),
       "unknown_data_category", "data_categories[2]", "\"payment.amt\" is not a field rules can read"},
      {"protected data category",
       rule_with({{"data_categories", R"(["payment.amount","payment.currency","passenger.ethnicity"])"}}),
       "protected_category", "data_categories[2]", "names a protected characteristic"},
      {"data category twice",
       rule_with({{"data_categories", R"(["payment.amount","payment.currency","payment.amount"])"}}),
       "duplicate_data_category", "data_categories[2]", "declared twice"},
      {"data category not read",
       rule_with({{"data_categories", R"(["payment.amount","payment.currency","payment.debtor.iban"])"}}),
       "data_category_unused", "data_categories[2]", "declare only what the rule needs"},
      // Validity.
      {"valid_from a date", rule_with({{"valid_from", R"("2026-11-01")"}}), "invalid_valid_from", "valid_from",
       "is not an RFC 3339 time"},
      {"valid_from missing", rule_with({{"valid_from", kRemove}}), "invalid_valid_from", "valid_from",
       "valid_from is missing"},
      {"expires without zone", rule_with({{"expires", R"("2027-02-01T00:00:00")"}}), "invalid_expires", "expires",
       "is not an RFC 3339 time"},
      {"expires before valid_from", rule_with({{"expires", R"("2026-10-01T00:00:00Z")"}}), "expires_before_valid_from",
       "expires", "is not after valid_from", {"already_expired"}},
      {"already expired",
       rule_with({{"valid_from", R"("2026-09-01T00:00:00Z")"}, {"expires", R"("2026-11-20T12:00:00Z")"}}),
       "already_expired", "expires", "is already past"},
      // Routing and caps.
      {"bad severity", rule_with({{"severity", R"("critical")"}}), "invalid_severity", "severity",
       "must be low, medium or high"},
      {"severity missing", rule_with({{"severity", kRemove}}), "invalid_severity", "severity", "severity is missing"},
      {"bad queue", rule_with({{"queue", R"("Payments!")"}}), "invalid_queue", "queue", "[a-z0-9][a-z0-9-]{0,63}"},
      {"queue missing", rule_with({{"queue", kRemove}}), "invalid_queue", "queue", "flags.<queue>"},
      {"queue reserved governance", rule_with({{"queue", R"("rule-governance")"}}), "reserved_queue", "queue",
       "reserved"},
      {"queue reserved dispositions", rule_with({{"queue", R"("dispositions")"}}), "reserved_queue", "queue",
       "reserved"},
      {"cap missing", rule_with({{"max_flags_per_hour", kRemove}}), "invalid_max_flags_per_hour", "max_flags_per_hour",
       "missing or less than 1"},
      {"cap zero", rule_with({{"max_flags_per_hour", "0"}}), "invalid_max_flags_per_hour", "max_flags_per_hour",
       "missing or less than 1"},
      {"share missing", rule_with({{"max_flag_share", kRemove}}), "invalid_max_flag_share", "max_flag_share",
       "not in (0, 1]"},
      {"share above one", rule_with({{"max_flag_share", "1.5"}}), "invalid_max_flag_share", "max_flag_share",
       "not in (0, 1]"},
      {"share zero", rule_with({{"max_flag_share", "0"}}), "invalid_max_flag_share", "max_flag_share", "(0, 1]"},
      {"bad mode", rule_with({{"mode", R"("audit")"}}), "invalid_mode", "mode", "\"enforce\" or \"shadow\""},
      {"mode missing", rule_with({{"mode", kRemove}}), "invalid_mode", "mode", "mode is missing"},
      // Hit tests.
      {"hit score above one", payment_when(R"({"all":[)" + amount_ge +
                                               R"(,{"hit":{"role":"creditor","lists":[],"min_score":85}}]})",
                                           R"(["payment.amount"])"),
       "invalid_hit_score", "when.all[1].hit.min_score", "from 0 to 1"},
      {"hit role of another kind",
       payment_when(R"({"all":[)" + amount_ge + R"(,{"hit":{"role":"passenger","lists":[],"min_score":0}}]})",
                    R"(["payment.amount"])"),
       "invalid_hit_role", "when.all[1].hit.role",
       "role \"passenger\" is not a subject of payment events (roles: debtor, creditor"},
      {"hit role unknown",
       payment_when(R"({"all":[)" + amount_ge + R"(,{"hit":{"role":"beneficiary","lists":[],"min_score":0}}]})",
                    R"(["payment.amount"])"),
       "invalid_hit_role", "when.all[1].hit.role", "unknown role \"beneficiary\""},
      {"hit list id invalid",
       payment_when(R"({"all":[)" + amount_ge + R"(,{"hit":{"role":"any","lists":["UN SC"],"min_score":0}}]})",
                    R"(["payment.amount"])"),
       "invalid_hit_list", "when.all[1].hit.lists[0]", "is not a list id"},
      // Aggregates.
      {"aggregate window too long",
       payment_when(R"({"aggregate":{"count":"events","per":"payment.debtor.iban","within":"31d","at_least":3}})",
                    R"(["payment.debtor.iban"])"),
       "aggregate_window_exceeds_maximum", "when.aggregate.within", "window 31d is longer than the maximum 30d"},
      {"aggregate window missing",
       payment_when(R"({"aggregate":{"count":"events","per":"payment.debtor.iban","at_least":3}})",
                    R"(["payment.debtor.iban"])"),
       "invalid_aggregate_window", "when.aggregate.within", "within is missing"},
      {"aggregate threshold one",
       payment_when(R"({"aggregate":{"count":"events","per":"payment.debtor.iban","within":"24h","at_least":1}})",
                    R"(["payment.debtor.iban"])"),
       "invalid_aggregate_threshold", "when.aggregate.at_least", "at_least must be from 2"},
      {"distinct without of",
       payment_when(R"({"aggregate":{"count":"distinct","per":"payment.debtor.iban","within":"24h","at_least":3}})",
                    R"(["payment.debtor.iban"])"),
       "missing_aggregate_of", "when.aggregate.of", "count \"distinct\" needs \"of\""},
      {"aggregate per repeated field",
       payment_when(R"({"aggregate":{"count":"events","per":"payment.intermediary_agents","within":"24h","at_least":3}})",
                    R"(["payment.intermediary_agents"])"),
       "invalid_aggregate_field", "when.aggregate.per", "one value per event"},
      {"aggregate key undeclared",
       payment_when(R"({"aggregate":{"count":"events","per":"payment.debtor.iban","within":"24h","at_least":3}})", "[]"),
       "field_not_declared", "when.aggregate.per", "not declared in data_categories"},
      // Subject, approval, text.
      {"subject role of another kind", rule_with({{"subject_role", R"("consignee")"}}), "invalid_subject_role",
       "subject_role", "\"consignee\" is not a subject of payment events"},
      {"approval time invalid",
       rule_with({{"approval", R"({"approved_by":"b.weber","approved_at":"yesterday","comment":""})"}}),
       "invalid_approval", "approval.approved_at", "is not an RFC 3339 time"},
      {"approval without approver",
       rule_with({{"approval", R"({"approved_at":"2026-11-02T09:00:00Z","comment":"fine"})"}}), "invalid_approval",
       "approval.approved_by", "approved_by is missing"},
      {"approved by the owner",
       rule_with({{"approval", R"({"approved_by":"A.Novak@fiu.example","approved_at":"2026-11-02T09:00:00Z","comment":""})"}}),
       "self_approval", "approval.approved_by", "a second person must approve (four eyes)"},
      {"control characters", rule_with({{"legal_basis", R"("AMLD6\u0000 art. 18")"}}), "invalid_text", "legal_basis",
       "contains control characters"},
      {"owner with spaces", rule_with({{"owner", R"(" a.novak ")"}}), "invalid_text", "owner",
       "leading or trailing spaces"},
      {"legal basis of the wrong type", rule_with({{"legal_basis", "18"}}), "wrong_type", "legal_basis",
       "legal_basis must be a string, got a number"},
      {"duplicate key", rule_with({{"zz", "1"}}).replace(0, 1, R"({"queue":"a",)"), "duplicate_key", "queue",
       "duplicate key \"queue\"", {"unknown_key"}},
  };
}

TEST(RuleValidate, RejectedRulesTable) {
  std::set<std::string> distinct;
  for (const Row& row : rejected_rows()) {
    SCOPED_TRACE(row.name);
    const auto v = check(row.json, row.now);
    bool found = false;
    for (const auto& x : v) {
      if (x.code == row.code && x.path == row.path) {
        found = true;
        EXPECT_THAT(x.message, HasSubstr(row.fragment)) << describe(v);
      } else if (x.code != row.code) {
        EXPECT_TRUE(row.also.count(x.code)) << "unexpected " << x.code << "\n" << describe(v) << row.json;
      }
    }
    EXPECT_TRUE(found) << "expected " << row.code << " @" << row.path << ", got:\n" << describe(v) << row.json;
    distinct.insert(row.code);
  }
  EXPECT_GE(distinct.size(), 15u);
  std::cout << "[ rules ] " << distinct.size() << " distinct violation codes in the table\n";
}

TEST(RuleValidate, WrongTypeIsNotAlsoReportedAsMissing) {
  const auto v = check(rule_with({{"legal_basis", "18"}, {"owner", "[]"}}));
  std::vector<std::string> got;
  for (const auto& x : v) got.push_back(x.code + "@" + x.path);
  EXPECT_EQ(got, (std::vector<std::string>{"wrong_type@legal_basis", "wrong_type@owner"})) << describe(v);
}

TEST(RuleValidate, UnknownOperatorHidesOnlyItsOwnValueChecks) {
  // The field of a test with an unknown operator is still checked.
  const auto v = check(payment_when(R"({"field":"payment.amunt","op":"~","value":"x"})", "[]"));
  std::set<std::string> got;
  for (const auto& x : v) got.insert(x.code + "@" + x.path);
  EXPECT_EQ(got, (std::set<std::string>{"unknown_operator@when.op", "unknown_field@when.field"})) << describe(v);
}

TEST(RuleValidate, ReportsEveryProblemOfOneRule) {
  const auto v = check(read_file(kRulesDir / "invalid" / "many-problems.json"));
  std::set<std::string> got;
  for (const auto& x : v) got.insert(x.code + "@" + x.path);
  const std::set<std::string> expected = {
      "missing_legal_basis@legal_basis",
      "lifetime_exceeds_maximum@expires",
      "field_not_declared@when.all[1].field",
      "invalid_value@when.all[0].values",
      "invalid_severity@severity",
      "reserved_queue@queue",
      "protected_category@data_categories[1]",
      "invalid_max_flags_per_hour@max_flags_per_hour",
      "invalid_max_flag_share@max_flag_share",
  };
  EXPECT_EQ(got, expected) << describe(v);
  // Each with its own message.
  std::set<std::string> messages;
  for (const auto& x : v) messages.insert(x.message);
  EXPECT_EQ(messages.size(), v.size());
}

TEST(RuleValidate, ReportsEveryTypo) {
  const auto v = check(read_file(kRulesDir / "invalid" / "typos.json"));
  std::set<std::string> got;
  for (const auto& x : v) got.insert(x.code + "@" + x.path);
  const std::set<std::string> expected = {
      "invalid_id@id",
      "unknown_event_kind@applies_to[0]",
      "unknown_field@when.all[0].field",
      "unknown_operator@when.all[0].op",
      "invalid_hit_score@when.all[1].hit.min_score",
      "unknown_key@legal_bassis",
      "missing_legal_basis@legal_basis",
      "unknown_data_category@data_categories[0]",
      "invalid_valid_from@valid_from",
      "invalid_mode@mode",
  };
  EXPECT_EQ(got, expected) << describe(v);
}

TEST(RuleValidate, ProfilingFixtureIsRejected) {
  const auto v = check(read_file(kRulesDir / "invalid" / "profiling-nationality.json"));
  ASSERT_EQ(v.size(), 1u) << describe(v);
  EXPECT_EQ(v[0].code, "profiling_only_personal_characteristics");
}

// Every way the condition can be met must need behavioural evidence when it tests a personal
// characteristic.
TEST(RuleValidate, ProfilingCheckFollowsEveryPath) {
  const std::string nat = R"({"field":"itinerary.passengers.nationality","op":"==","value":"XXA"})";
  const std::string sex = R"({"field":"itinerary.passengers.sex","op":"==","value":"F"})";
  const std::string age = R"({"field":"itinerary.passengers.age","op":">=","value":"60"})";
  const std::string bags = R"({"field":"itinerary.passengers.bags","op":">=","value":"4"})";
  const std::string cash = R"({"field":"itinerary.pnr.form_of_payment","op":"==","value":"cash"})";
  const std::string agent_absent = R"({"field":"itinerary.pnr.travel_agent.iata_number","op":"absent"})";
  const std::string hit = R"({"hit":{"role":"passenger","lists":[],"min_score":0.8}})";
  const std::string no_hit = R"({"not":)" + hit + "}";
  const std::string minor =
      R"({"field":"itinerary.passengers.date_of_birth","op":"within_before","of":"itinerary.flight.scheduled_departure","value":"6570d"})";
  const std::string fields =
      R"(["itinerary.passengers.nationality","itinerary.passengers.sex","itinerary.passengers.age",
          "itinerary.passengers.bags","itinerary.pnr.form_of_payment","itinerary.pnr.travel_agent.iata_number",
          "itinerary.passengers.date_of_birth","itinerary.flight.scheduled_departure"])";
  const auto all = [](std::initializer_list<std::string> xs) {
    std::string s = R"({"all":[)";
    bool first = true;
    for (const auto& x : xs) s += (first ? "" : ",") + x, first = false;
    return s + "]}";
  };
  const auto any = [&](std::initializer_list<std::string> xs) {
    std::string s = all(xs);
    return s.replace(2, 3, "any");
  };
  struct Case {
    std::string when;
    bool profiling;
  };
  const std::vector<Case> cases = {
      {nat, true},
      {all({nat, sex, age}), true},
      {all({nat, bags}), false},
      {all({nat, hit}), false},
      {any({nat, bags}), true},             // the nationality branch alone can flag someone
      {any({all({nat, cash}), hit}), false},
      {all({nat, no_hit}), true},           // "not on a list" is no evidence
      {all({nat, agent_absent}), true},     // nor is the absence of data
      {all({nat, R"({"not":{"not":)" + hit + "}}"}), false},  // a double negation is the hit itself
      {R"({"not":)" + any({R"({"not":)" + nat + "}", R"({"not":)" + cash + "}"}) + "}", false},  // = all(nat, cash)
      {R"({"not":)" + all({R"({"not":)" + nat + "}", R"({"not":)" + cash + "}"}) + "}", true},   // = any(nat, cash)
      {all({nat, any({hit, no_hit})}), true},
      {all({minor, cash}), false},
      {minor, true},                        // date arithmetic on a date of birth is an age test
      {R"({"not":)" + nat + "}", true},      // "everyone except" is still a test of nationality
      {bags, false},
      {no_hit, false},                      // weak, but no personal characteristic: not profiling
      {all({age, bags, no_hit}), false},
  };
  for (const auto& c : cases) {
    const auto v = check(itinerary_when(c.when, fields));
    const bool profiling = std::any_of(v.begin(), v.end(), [](const RuleViolation& x) {
      return x.code == "profiling_only_personal_characteristics";
    });
    EXPECT_EQ(profiling, c.profiling) << c.when << "\n" << describe(v);
    for (const auto& x : v) {  // the only other complaint allowed: fields this case does not read
      EXPECT_TRUE(x.code == "profiling_only_personal_characteristics" || x.code == "data_category_unused")
          << c.when << "\n" << describe(v);
    }
  }
}

TEST(RuleValidate, ValidFixturesPass) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(kRulesDir)) {
    if (!e.is_regular_file() || e.path().extension() != ".json") continue;
    SCOPED_TRACE(e.path().filename().string());
    const auto v = check(read_file(e.path()));
    EXPECT_TRUE(v.empty()) << describe(v);
    ++n;
  }
  EXPECT_GE(n, 4);
}

TEST(RuleValidate, IssueExamplesAreExpressibleAndValid) {
  for (const char* name : {"pay-large-eur-to-listed-org.json", "itin-cash-late-booking-flagged-corridor.json"}) {
    std::vector<RuleViolation> v;
    auto rule = parse_and_validate_rule(read_file(kRulesDir / name), RulePolicy{}, kNow, v);
    ASSERT_TRUE(rule.has_value()) << name;
    EXPECT_TRUE(v.empty()) << name << "\n" << describe(v);
  }
}

TEST(RuleValidate, PolicyLimitsAreConfigurable) {
  RulePolicy policy;
  policy.max_lifetime_ms = 30LL * 86'400'000;  // the base rule lives 92 days
  auto v = check(rule_with({}), kNow, policy);
  ASSERT_EQ(v.size(), 1u) << describe(v);
  EXPECT_EQ(v[0].code, "lifetime_exceeds_maximum");
  EXPECT_THAT(v[0].message, HasSubstr("would live 92 days (valid_from to expires); the maximum is 30 days"));

  policy = RulePolicy{};
  policy.max_condition_nodes = 3;
  v = check(rule_with({}), kNow, policy);
  ASSERT_EQ(v.size(), 1u) << describe(v);
  EXPECT_EQ(v[0].code, "too_many_condition_nodes");

  policy = RulePolicy{};
  policy.max_pattern_length = 4;
  v = check(payment_when(
      R"({"all":[{"field":"payment.remittance_information","op":"matches","value":"INV-1"},{"hit":{"role":"any","lists":[],"min_score":0}}]})",
      R"(["payment.remittance_information"])"), kNow, policy);
  ASSERT_EQ(v.size(), 1u) << describe(v);
  EXPECT_EQ(v[0].code, "pattern_too_long");

  // Exactly at the maximum lifetime is allowed; one millisecond more is not.
  EXPECT_TRUE(check(rule_with({{"expires", R"("2027-04-30T00:00:00Z")"}})).empty());
  EXPECT_EQ(check(rule_with({{"expires", R"("2027-04-30T00:00:00.001Z")"}}))[0].code, "lifetime_exceeds_maximum");
}

TEST(RuleValidate, ExpiryIsJudgedAgainstNow) {
  const std::string json = rule_with({});
  EXPECT_TRUE(check(json, *timefmt::parse_timestamp_ms("2027-01-31T23:59:59.999Z")).empty());
  const auto v = check(json, *timefmt::parse_timestamp_ms("2027-02-01T00:00:00Z"));
  ASSERT_EQ(v.size(), 1u) << describe(v);
  EXPECT_EQ(v[0].code, "already_expired");
}

TEST(RuleValidate, HandBuiltRulesAreCheckedToo) {
  // validate_rule on a struct (not parsed): inconsistent parsed times and malformed nodes.
  std::vector<RuleViolation> v0;
  auto rule = parse_and_validate_rule(rule_with({}), RulePolicy{}, kNow, v0);
  ASSERT_TRUE(rule.has_value());
  Rule r = *rule;
  r.valid_from_ms += 1;
  Condition bad_not;
  bad_not.type = Condition::Type::kNot;
  r.when.children.push_back(bad_not);
  std::vector<RuleViolation> v;
  validate_rule(r, RulePolicy{}, kNow, v);
  std::set<std::string> got;
  for (const auto& x : v) got.insert(x.code + "@" + x.path);
  EXPECT_EQ(got, (std::set<std::string>{"invalid_valid_from@valid_from", "malformed_node@when.all[3]"})) << describe(v);
}

}  // namespace
}  // namespace crosscheck::rules
