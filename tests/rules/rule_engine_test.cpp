// Unit tests of the rule engine: compilation (the data-minimisation boundary), every operator on
// every field type, repeated fields, hit tests, expiry, aggregates over the in-memory store, the
// default watchlist rule, and backtests over the sample events.
#include "crosscheck/rules/rule_engine.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <fstream>
#include <limits>
#include <sstream>

#include "crosscheck/rules/rule_fields.h"
#include "crosscheck/rules/watchlist.h"
#include "crosscheck/schemas/event_parser.h"
#include "crosscheck/time_format.h"

namespace crosscheck::rules {
namespace {

using schemas::EventKind;
constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kNow = 1'795'000'000'000;  // 2026-11-17, inside the default validity window

// ---- building rules ----------------------------------------------------------------------------

Condition field(std::string path, CompareOp op, std::vector<std::string> values = {}) {
  Condition c;
  c.type = Condition::Type::kField;
  c.field = std::move(path);
  c.op = op;
  c.values = std::move(values);
  return c;
}

Condition within_before(std::string path, std::string of, std::string duration, std::int64_t ms) {
  Condition c = field(std::move(path), CompareOp::kWithinBefore, {std::move(duration)});
  c.of = std::move(of);
  c.duration_ms = ms;
  return c;
}

Condition hit(std::string role, std::vector<std::string> lists = {}, double min_score = 0.0) {
  Condition c;
  c.type = Condition::Type::kHit;
  c.hit.role = std::move(role);
  c.hit.lists = std::move(lists);
  c.hit.min_score = min_score;
  return c;
}

Condition group(Condition::Type type, std::vector<Condition> children) {
  Condition c;
  c.type = type;
  c.children = std::move(children);
  return c;
}
Condition all(std::vector<Condition> children) { return group(Condition::Type::kAll, std::move(children)); }
Condition any(std::vector<Condition> children) { return group(Condition::Type::kAny, std::move(children)); }
Condition not_(Condition child) { return group(Condition::Type::kNot, {std::move(child)}); }

Condition aggregate(AggregateTest::Count count, std::string of, std::string per, std::int64_t within_ms,
                    std::int64_t at_least) {
  Condition c;
  c.type = Condition::Type::kAggregate;
  c.aggregate.count = count;
  c.aggregate.of = std::move(of);
  c.aggregate.per = std::move(per);
  c.aggregate.within_ms = within_ms;
  c.aggregate.at_least = at_least;
  return c;
}

// Every field the tree reads, so the test rules declare exactly what they use.
void collect_fields(const Condition& c, std::vector<std::string>& out) {
  auto take = [&](const std::string& f) {
    if (!f.empty() && std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  };
  if (c.type == Condition::Type::kField) {
    take(c.field);
    take(c.of);
  }
  if (c.type == Condition::Type::kAggregate) {
    take(c.aggregate.per);
    take(c.aggregate.of);
  }
  for (const auto& k : c.children) collect_fields(k, out);
}

Rule make_rule(std::string id, std::vector<EventKind> kinds, Condition when,
               std::optional<std::vector<std::string>> declared = std::nullopt) {
  Rule r;
  r.id = std::move(id);
  r.version = 1;
  r.applies_to = std::move(kinds);
  r.when = std::move(when);
  if (declared) {
    r.data_categories = *declared;
  } else {
    collect_fields(r.when, r.data_categories);
  }
  r.queue = "test";
  r.legal_basis = "test basis";
  r.purpose = "test purpose";
  r.owner = "author@example.org";
  r.valid_from_ms = 0;
  r.expires_ms = std::numeric_limits<std::int64_t>::max();
  r.max_flags_per_hour = 10;
  r.max_flag_share = 0.5;
  return r;
}

Hit make_hit(std::string role, int index, std::string list_id, double score) {
  Hit h;
  h.subject.role = std::move(role);
  h.subject.index = index;
  h.match.score = score;
  h.match.explanation.list_id = std::move(list_id);
  return h;
}

// ---- building events ---------------------------------------------------------------------------

struct PaymentSpec {
  std::string id = "pay-t1";
  std::string time = "2026-11-21T06:05:00Z";
  std::string amount = "100.00";
  std::string currency = "EUR";
  std::string debtor_iban = "HU09381423534150908730844237";
  std::string debtor_other_id;  // used instead of the IBAN when set
  std::string creditor_iban = "FI5530059202687782";
  std::string remittance;
  std::vector<std::string> intermediaries;
};

std::string payment_json(const PaymentSpec& p) {
  std::string debtor_account = p.debtor_other_id.empty() ? R"({"iban":")" + p.debtor_iban + R"("})"
                                                         : R"({"other":{"id":")" + p.debtor_other_id + R"("}})";
  std::string s = R"({"schema_version":"1.0","event_id":")" + p.id + R"(","event_time":")" + p.time +
                  R"(","message_id":"MSG-1","creation_time":"2026-11-21T06:01:10Z","end_to_end_id":"E2E-1",)" +
                  R"("uetr":"e1cac6a5-5ec7-4d89-aa8b-00e96f65396b","amount":{"value":")" + p.amount +
                  R"(","currency":")" + p.currency + R"("},"settlement_date":"2026-11-21",)" +
                  R"("debtor":{"name":"Szabo Kft","postal_country":"HU","account":)" + debtor_account +
                  R"(,"agent_bic":"OTPVHUHB"},)" +
                  R"("creditor":{"name":"Kuusisto Forest Oy","postal_country":"FI","account":{"iban":")" +
                  p.creditor_iban + R"("},"agent_bic":"NDEAFIHH"})";
  if (!p.intermediaries.empty()) {
    s += R"(,"intermediary_agents":[)";
    for (std::size_t i = 0; i < p.intermediaries.size(); ++i) s += (i ? ",\"" : "\"") + p.intermediaries[i] + "\"";
    s += "]";
  }
  if (!p.remittance.empty()) s += R"(,"remittance_information":")" + p.remittance + "\"";
  return s + "}";
}

struct PassengerSpec {
  std::string surname = "PETERSEN";
  std::string dob = "1950-12-18";
  std::string sex = "F";
  std::string nationality = "KEN";
  int bags = -1;
};

std::string itinerary_json(const std::vector<PassengerSpec>& passengers, bool with_pnr = true,
                           std::string departure = "2026-11-22T10:15:00Z", std::string form_of_payment = "cash",
                           std::string booking_date = "2026-11-21") {
  std::string s = R"({"schema_version":"1.0","event_id":"itn-t1","event_time":"2026-11-21T06:07:00Z",)"
                  R"("flight":{"carrier":"EK","number":"2505","departure_airport":"DXB","arrival_airport":"BRU",)"
                  R"("scheduled_departure":")" + departure + R"(","scheduled_arrival":"2026-11-22T17:15:00Z"},)";
  if (with_pnr) {
    s += R"("pnr":{"locator":"GVJCP4","booking_date":")" + booking_date + R"(","form_of_payment":")" +
         form_of_payment + R"("},)";
  }
  s += R"("passengers":[)";
  for (std::size_t i = 0; i < passengers.size(); ++i) {
    const auto& p = passengers[i];
    if (i) s += ",";
    s += R"({"surname":")" + p.surname + R"(","given_names":"MARTA","date_of_birth":")" + p.dob + R"(","sex":")" +
         p.sex + R"(","nationality":")" + p.nationality + R"(","document":{"type":"P","number":"KZA63N9V)" +
         std::to_string(i) + R"(","issuing_state":")" + p.nationality + R"(","expiry":"2033-02-27"})";
    if (p.bags >= 0) s += R"(,"bags":)" + std::to_string(p.bags);
    s += "}";
  }
  return s + "]}";
}

std::string fixture_path(const std::string& name) { return std::string(CROSSCHECK_FIXTURES_DIR) + "/" + name; }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string first_line(const std::string& path) {
  const std::string text = read_file(path);
  return text.substr(0, text.find('\n'));
}

class RuleEngineTest : public ::testing::Test {
 protected:
  const schemas::Event& parse(EventKind kind, const std::string& json) {
    std::vector<schemas::Violation> violations;
    const schemas::Event* e = parser_.parse(kind, json, violations);
    if (e == nullptr) {
      std::string why;
      for (const auto& v : violations) why += v.path + ": " + v.message + "; ";
      ADD_FAILURE() << "test event does not parse: " << why << "\n" << json;
      static const schemas::Event kEmpty;
      return kEmpty;
    }
    return *e;
  }
  const schemas::Event& payment(const PaymentSpec& p = {}) { return parse(EventKind::kPayment, payment_json(p)); }

  // Compiles one rule (failing the test when it does not compile) and evaluates it.
  std::vector<RuleMatch> run(const Rule& rule, const schemas::Event& e, std::span<const Hit> hits = {},
                             std::int64_t now = kNow, AggregateStore* store = nullptr, EvalStats* stats = nullptr) {
    std::vector<std::string> rejected;
    RuleEngine engine({rule}, &rejected);
    EXPECT_TRUE(rejected.empty()) << rejected.front();
    std::vector<RuleMatch> out;
    engine.evaluate(e, hits, now, store, scratch_, out, stats);
    return out;
  }
  bool matches(const Rule& rule, const schemas::Event& e, std::span<const Hit> hits = {}) {
    return !run(rule, e, hits).empty();
  }
  // True when `rule` does not compile; the reason goes to `why`.
  bool rejected(const Rule& rule, std::string* why = nullptr) {
    std::vector<std::string> rejected;
    RuleEngine engine({rule}, &rejected);
    if (why != nullptr && !rejected.empty()) *why = rejected.front();
    EXPECT_EQ(engine.rules().empty(), !rejected.empty());
    return engine.rules().empty();
  }

  schemas::EventParser parser_;
  EvalScratch scratch_;
};

// ---- compilation ---------------------------------------------------------------------------------

TEST_F(RuleEngineTest, RuleReadingAnUndeclaredFieldIsRejectedAtCompileTime) {
  // Built directly: validate_rule would stop this rule earlier, the engine must stop it too.
  Rule r = make_rule("reads-more", {EventKind::kPayment},
                     all({field("payment.currency", CompareOp::kEq, {"EUR"}),
                          field("payment.amount", CompareOp::kGe, {"10000"})}),
                     std::vector<std::string>{"payment.currency"});
  std::string why;
  EXPECT_TRUE(rejected(r, &why));
  EXPECT_NE(why.find("reads-more v1"), std::string::npos) << why;
  EXPECT_NE(why.find("payment.amount"), std::string::npos) << why;
  EXPECT_NE(why.find("data_categories"), std::string::npos) << why;

  // Declaring it makes the same rule compile.
  r.data_categories.push_back("payment.amount");
  EXPECT_FALSE(rejected(r));
}

TEST_F(RuleEngineTest, UndeclaredAggregateKeyAndWithinBeforeOperandAreRejected) {
  Rule agg = make_rule("agg", {EventKind::kPayment},
                       aggregate(AggregateTest::Count::kDistinct, "payment.creditor.iban", "payment.debtor.iban", 24 * kHour, 3),
                       std::vector<std::string>{"payment.debtor.iban"});
  std::string why;
  EXPECT_TRUE(rejected(agg, &why));
  EXPECT_NE(why.find("payment.creditor.iban"), std::string::npos) << why;

  Rule wb = make_rule("wb", {EventKind::kItinerary},
                      within_before("itinerary.pnr.booking_date", "itinerary.flight.scheduled_departure", "24h", 24 * kHour),
                      std::vector<std::string>{"itinerary.pnr.booking_date"});
  EXPECT_TRUE(rejected(wb, &why));
  EXPECT_NE(why.find("itinerary.flight.scheduled_departure"), std::string::npos) << why;
}

TEST_F(RuleEngineTest, MalformedRulesAreRejectedWithAReason) {
  struct Case {
    const char* name;
    Rule rule;
    const char* expect;  // a piece of the reason
  };
  const auto pay = std::vector<EventKind>{EventKind::kPayment};
  std::vector<Case> cases = {
      {"unknown field", make_rule("r", pay, field("payment.colour", CompareOp::kEq, {"red"})), "catalogue"},
      {"not a decimal", make_rule("r", pay, field("payment.amount", CompareOp::kGe, {"10k"})), "decimal"},
      {"float exponent", make_rule("r", pay, field("payment.amount", CompareOp::kGe, {"1e4"})), "decimal"},
      {"not a date", make_rule("r", pay, field("payment.settlement_date", CompareOp::kLt, {"tomorrow"})), "RFC 3339"},
      {"bad pattern", make_rule("r", pay, field("payment.remittance_information", CompareOp::kMatches, {"(unclosed"})),
       "pattern"},
      {"between reversed", make_rule("r", pay, field("payment.amount", CompareOp::kBetween, {"10", "5"})), "low bound"},
      {"between one value", make_rule("r", pay, field("payment.amount", CompareOp::kBetween, {"10"})), "2 values"},
      {"empty in", make_rule("r", pay, field("payment.currency", CompareOp::kIn, {})), "at least one"},
      {"within_before on a string",
       make_rule("r", pay, within_before("payment.currency", "payment.creation_time", "1h", kHour)), "not a date"},
      {"within_before without duration",
       make_rule("r", pay, within_before("payment.settlement_date", "payment.creation_time", "", 0)), "duration"},
      {"field of another kind", make_rule("r", pay, field("itinerary.flight.carrier", CompareOp::kEq, {"EK"})),
       "kinds the rule applies to"},
      {"no kinds", make_rule("r", {}, field("payment.currency", CompareOp::kEq, {"EUR"})), "no event kind"},
      {"not with two", make_rule("r", pay, group(Condition::Type::kNot, {hit("any"), hit("any")})), "exactly one"},
      {"empty all", make_rule("r", pay, all({})), "at least one"},
      {"unknown role", make_rule("r", pay, hit("grandmother")), "role"},
      {"zero window",
       make_rule("r", pay, aggregate(AggregateTest::Count::kEvents, "", "payment.debtor.iban", 0, 3)), "window"},
  };
  Condition deep = hit("any");
  for (int i = 0; i < 40; ++i) deep = not_(std::move(deep));
  cases.push_back({"too deep", make_rule("r", pay, deep), "deeper"});
  for (auto& c : cases) {
    std::string why;
    EXPECT_TRUE(rejected(c.rule, &why)) << c.name;
    EXPECT_NE(why.find(c.expect), std::string::npos) << c.name << ": " << why;
  }
}

TEST_F(RuleEngineTest, RejectedRulesAreLeftOutAndTheOthersKeepTheirDigests) {
  std::vector<Rule> rules;
  rules.push_back(make_rule("good-a", {EventKind::kPayment}, field("payment.currency", CompareOp::kEq, {"EUR"})));
  rules.push_back(make_rule("bad", {EventKind::kPayment}, field("payment.amount", CompareOp::kGe, {"x"})));
  rules.push_back(make_rule("good-b", {EventKind::kPayment}, field("payment.currency", CompareOp::kEq, {"NOK"})));
  std::vector<std::string> rejected;
  RuleEngine engine(rules, &rejected);
  ASSERT_EQ(engine.rules().size(), 2U);
  EXPECT_EQ(engine.rules()[0].id, "good-a");
  EXPECT_EQ(engine.rules()[1].id, "good-b");
  ASSERT_EQ(rejected.size(), 1U);
  EXPECT_EQ(rejected[0].rfind("bad v1: ", 0), 0U) << rejected[0];
  EXPECT_EQ(engine.digest(0), rule_digest(rules[0]));
  EXPECT_EQ(engine.digest(1), rule_digest(rules[2]));
  EXPECT_NE(engine.digest(0), engine.digest(1));

  std::vector<RuleMatch> out;
  engine.evaluate(payment(), {}, kNow, nullptr, scratch_, out);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].rule, 0U);
}

// ---- operators on number fields ------------------------------------------------------------------

TEST_F(RuleEngineTest, NumbersCompareAsExactDecimals) {
  struct Case {
    const char* amount;
    CompareOp op;
    std::vector<std::string> values;
    bool expect;
  };
  const std::vector<Case> cases = {
      {"9999.99", CompareOp::kGe, {"10000"}, false},
      {"10000", CompareOp::kGe, {"10000"}, true},
      {"10000.00", CompareOp::kGe, {"10000"}, true},
      {"10000.01", CompareOp::kGt, {"10000"}, true},
      {"10000.00", CompareOp::kGt, {"10000"}, false},
      // A binary double rounds each of these pairs to one value; exact decimals do not.
      {"999999999999999999.99", CompareOp::kLt, {"1000000000000000000"}, true},
      {"100000000000000000.01", CompareOp::kGt, {"100000000000000000"}, true},
      {"100000000000000000.01", CompareOp::kEq, {"100000000000000000"}, false},
      {"0.3", CompareOp::kEq, {"0.30000000000000001"}, false},
      {"10000.50", CompareOp::kEq, {"10000.5"}, true},
      {"10000.50", CompareOp::kEq, {"0010000.500"}, true},
      {"10000.50", CompareOp::kNe, {"10000.5"}, false},
      {"99", CompareOp::kLt, {"100"}, true},
      {"99", CompareOp::kLe, {"99.0"}, true},
      {"100.1", CompareOp::kLe, {"100"}, false},
      {"0.5", CompareOp::kGt, {"-1"}, true},
      {"0.5", CompareOp::kGt, {"0.49"}, true},
      {"0.5", CompareOp::kLt, {"0.51"}, true},
      {"0.05", CompareOp::kLt, {"0.5"}, true},
      {"1.5", CompareOp::kIn, {"2", "1.50", "3"}, true},
      {"1.5", CompareOp::kIn, {"2", "15"}, false},
      {"1.5", CompareOp::kNotIn, {"2", "15"}, true},
      {"1.5", CompareOp::kNotIn, {"1.500"}, false},
      {"5000", CompareOp::kBetween, {"1000", "9999.99"}, true},
      {"1000", CompareOp::kBetween, {"1000", "9999.99"}, true},
      {"9999.99", CompareOp::kBetween, {"1000", "9999.99"}, true},
      {"9999.991", CompareOp::kBetween, {"1000", "9999.99"}, false},
      {"999.99", CompareOp::kBetween, {"1000", "9999.99"}, false},
      {"12345.67", CompareOp::kMatches, {"[0-9]+\\.67"}, true},
  };
  for (const auto& c : cases) {
    PaymentSpec p;
    p.amount = c.amount;
    p.currency = "BHD";  // three minor units, so "9999.991" is a valid amount
    const Rule r = make_rule("amount", {EventKind::kPayment}, field("payment.amount", c.op, c.values));
    EXPECT_EQ(matches(r, payment(p)), c.expect) << c.amount << " " << to_string(c.op) << " " << c.values[0];
  }
}

TEST_F(RuleEngineTest, CountsAndIntegerFieldsCompareAsNumbers) {
  const auto& it = parse(EventKind::kItinerary,
                         itinerary_json({{.bags = 0}, {.surname = "DUBOIS", .bags = 3}, {.surname = "SILVA"}}));
  const auto itn = std::vector<EventKind>{EventKind::kItinerary};
  EXPECT_TRUE(matches(make_rule("n", itn, field("itinerary.passenger_count", CompareOp::kEq, {"3"})), it));
  EXPECT_TRUE(matches(make_rule("n", itn, field("itinerary.passenger_count", CompareOp::kGe, {"2.5"})), it));
  EXPECT_FALSE(matches(make_rule("n", itn, field("itinerary.passenger_count", CompareOp::kGt, {"3"})), it));
  // bags: 0 and 3 (the third passenger sent none, which is not 0).
  EXPECT_TRUE(matches(make_rule("n", itn, field("itinerary.passengers.bags", CompareOp::kGe, {"3"})), it));
  EXPECT_FALSE(matches(make_rule("n", itn, field("itinerary.passengers.bags", CompareOp::kGt, {"3"})), it));
  EXPECT_TRUE(matches(make_rule("n", itn, field("itinerary.passengers.bags", CompareOp::kIn, {"0"})), it));
  EXPECT_FALSE(matches(make_rule("n", itn, field("itinerary.passengers.bags", CompareOp::kBetween, {"1", "2"})), it));

  // The first sample manifest: 4 goods items of 368, 402, 783 and 1087 packages, masses as decimals.
  const auto& m = parse(EventKind::kManifest, first_line(fixture_path("events/manifests.jsonl")));
  const auto man = std::vector<EventKind>{EventKind::kManifest};
  EXPECT_TRUE(matches(make_rule("n", man, field("manifest.goods_count", CompareOp::kEq, {"4"})), m));
  EXPECT_TRUE(matches(make_rule("n", man, field("manifest.goods.package_count", CompareOp::kGt, {"1000"})), m));
  EXPECT_FALSE(matches(make_rule("n", man, field("manifest.goods.package_count", CompareOp::kGt, {"1087"})), m));
  EXPECT_TRUE(matches(make_rule("n", man, field("manifest.goods.gross_mass_kg", CompareOp::kEq, {"11535.386"})), m));
  EXPECT_FALSE(matches(make_rule("n", man, field("manifest.goods.gross_mass_kg", CompareOp::kGt, {"19016.2"})), m));
  EXPECT_TRUE(matches(make_rule("n", man, field("manifest.goods.gross_mass_kg", CompareOp::kGe, {"19016.20"})), m));
}

TEST_F(RuleEngineTest, AgeIsWholeYearsAtScheduledDeparture) {
  // Departure 2026-11-22: born 1990-11-22 is 36 that day, born 1990-11-23 is still 35.
  const auto& e = parse(EventKind::kItinerary,
                        itinerary_json({{.dob = "1990-11-23"}, {.surname = "DUBOIS", .dob = "2000-02-29"}}));
  const auto itn = std::vector<EventKind>{EventKind::kItinerary};
  auto age_is = [&](const char* v) {
    return matches(make_rule("age", itn, all({field("itinerary.passengers.age", CompareOp::kEq, {v}),
                                               hit("any")})),
                   e, std::vector<Hit>{make_hit("passenger", 0, "l", 0.9)});
  };
  EXPECT_TRUE(age_is("35"));
  EXPECT_FALSE(age_is("36"));
  EXPECT_TRUE(age_is("26"));  // a leap-day birth, on 2026-11-22
  const auto& birthday = parse(EventKind::kItinerary, itinerary_json({{.dob = "1990-11-22"}}));
  EXPECT_TRUE(matches(make_rule("age", itn, field("itinerary.passengers.age", CompareOp::kEq, {"36"})), birthday));
}

// ---- operators on string fields ------------------------------------------------------------------

TEST_F(RuleEngineTest, StringOperators) {
  PaymentSpec p;
  p.currency = "EUR";
  p.remittance = "INV-2026-486300";
  const auto& e = payment(p);
  const auto pay = std::vector<EventKind>{EventKind::kPayment};
  struct Case {
    const char* path;
    CompareOp op;
    std::vector<std::string> values;
    bool expect;
  };
  const std::vector<Case> cases = {
      {"payment.currency", CompareOp::kEq, {"EUR"}, true},
      {"payment.currency", CompareOp::kEq, {"eur"}, false},  // case-sensitive
      {"payment.currency", CompareOp::kNe, {"EUR"}, false},
      {"payment.currency", CompareOp::kNe, {"NOK"}, true},
      {"payment.currency", CompareOp::kLt, {"EUS"}, true},
      {"payment.currency", CompareOp::kLt, {"EUR"}, false},
      {"payment.currency", CompareOp::kLe, {"EUR"}, true},
      {"payment.currency", CompareOp::kGt, {"EUQ"}, true},
      {"payment.currency", CompareOp::kGe, {"EUS"}, false},
      {"payment.currency", CompareOp::kIn, {"USD", "EUR", "GBP"}, true},
      {"payment.currency", CompareOp::kIn, {"USD", "GBP"}, false},
      {"payment.currency", CompareOp::kNotIn, {"USD", "GBP"}, true},
      {"payment.currency", CompareOp::kNotIn, {"EUR"}, false},
      {"payment.currency", CompareOp::kBetween, {"EAA", "EZZ"}, true},
      {"payment.currency", CompareOp::kBetween, {"FAA", "FZZ"}, false},
      {"payment.remittance_information", CompareOp::kMatches, {"INV-[0-9]{4}-[0-9]+"}, true},
      {"payment.remittance_information", CompareOp::kMatches, {"INV"}, false},  // whole value, not search
      {"payment.remittance_information", CompareOp::kMatches, {"(?i)inv-.*"}, true},
      {"payment.debtor.country", CompareOp::kEq, {"HU"}, true},
      {"payment.creditor.country", CompareOp::kEq, {"FI"}, true},
      {"payment.debtor.iban", CompareOp::kMatches, {"HU[0-9]+"}, true},
      {"payment.creditor.agent_bic", CompareOp::kEq, {"NDEAFIHH"}, true},
      {"payment.debtor.agent_bic", CompareOp::kEq, {"NDEAFIHH"}, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(matches(make_rule("s", pay, field(c.path, c.op, c.values)), e), c.expect)
        << c.path << " " << to_string(c.op) << " " << c.values[0];
  }
}

TEST_F(RuleEngineTest, PatternsMatchUnicodeAndGiveUpOnCatastrophicBacktracking) {
  PaymentSpec p;
  p.remittance = "Überweisung Größe";
  const auto pay = std::vector<EventKind>{EventKind::kPayment};
  EXPECT_TRUE(matches(make_rule("u", pay, field("payment.remittance_information", CompareOp::kMatches, {"Über\\w+ Gr.ße"})),
                      payment(p)));

  // (a+)+b against many a's and no b backtracks exponentially: the time limit must stop it.
  p.remittance = std::string(60, 'a') + "c";
  const auto& e = payment(p);
  const Rule evil = make_rule("evil", pay, field("payment.remittance_information", CompareOp::kMatches, {"(a+)+b"}));
  RuleEngine engine({evil});
  std::vector<RuleMatch> out;
  EvalStats stats;
  const auto t0 = std::chrono::steady_clock::now();
  engine.evaluate(e, {}, kNow, nullptr, scratch_, out, &stats);
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(stats.pattern_errors, 1U);
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  // The matcher is still usable for the next event.
  p.remittance = "aaab";
  const auto& ok = payment(p);
  out.clear();
  engine.evaluate(ok, {}, kNow, nullptr, scratch_, out, &stats);
  EXPECT_EQ(out.size(), 1U);
}

// ".*X.*" runs as find(X) where that is provably the same; these pin the cases where it is not.
TEST_F(RuleEngineTest, ContainsPatternsKeepWholeValueSemantics) {
  const auto pay = std::vector<EventKind>{EventKind::kPayment};
  auto m = [&](const std::string& pattern, const std::string& remittance) {
    PaymentSpec p;
    p.remittance = remittance;
    return matches(make_rule("p", pay, field("payment.remittance_information", CompareOp::kMatches, {pattern})), payment(p));
  };
  EXPECT_TRUE(m(".*COFFEE.*", "green COFFEE beans"));
  EXPECT_FALSE(m(".*COFFEE.*", "green coffee beans"));
  EXPECT_TRUE(m("(?i).*coffee.*", "green COFFEE beans"));
  EXPECT_TRUE(m("(?i).*(cash|crypto).*", "for CRYPTO"));
  EXPECT_FALSE(m("(?i).*(cash|crypto).*", "for crypt0"));
  // Top-level alternation: (.*a)|(b.*), so "xbx" does not match although it contains b.
  EXPECT_FALSE(m(".*a|b.*", "xbx"));
  EXPECT_TRUE(m(".*a|b.*", "xxa"));
  // An escaped dot at the end: "any text, then INV, then dots".
  EXPECT_TRUE(m(".*INV\\.*", "ref INV..."));
  EXPECT_FALSE(m(".*INV\\.*", "ref INV-1"));
  // Anchors and boundaries inside keep their meaning.
  EXPECT_TRUE(m(".*\\bINV\\b.*", "ref INV 1"));
  EXPECT_FALSE(m(".*\\bINV\\b.*", "ref XINV 1"));
  EXPECT_FALSE(m(".*^INV.*", "ref INV"));
  // `.` does not cross a line break, so ".*X.*" fails on a value with one; find() would not.
  EXPECT_FALSE(m(".*INV.*", "first line\\nINV-7"));
  EXPECT_TRUE(m("(?s).*INV.*", "first line\\nINV-7"));
}

TEST_F(RuleEngineTest, CorridorIsDepartureDashArrival) {
  const auto& e = parse(EventKind::kItinerary, itinerary_json({{}}));
  const auto itn = std::vector<EventKind>{EventKind::kItinerary};
  EXPECT_TRUE(matches(make_rule("c", itn, field("itinerary.flight.corridor", CompareOp::kEq, {"DXB-BRU"})), e));
  EXPECT_FALSE(matches(make_rule("c", itn, field("itinerary.flight.corridor", CompareOp::kEq, {"BRU-DXB"})), e));
  EXPECT_TRUE(matches(make_rule("c", itn, field("itinerary.flight.corridor", CompareOp::kIn, {"IST-FRA", "DXB-BRU"})), e));
  EXPECT_TRUE(matches(make_rule("c", itn, field("itinerary.flight.corridor", CompareOp::kMatches, {"DXB-.*"})), e));
}

// ---- operators on date fields --------------------------------------------------------------------

TEST_F(RuleEngineTest, DatesCompareAsInstants) {
  const auto& e = payment();  // event_time 2026-11-21T06:05:00Z, settlement_date 2026-11-21
  const auto pay = std::vector<EventKind>{EventKind::kPayment};
  struct Case {
    const char* path;
    CompareOp op;
    std::vector<std::string> values;
    bool expect;
  };
  const std::vector<Case> cases = {
      {"event.event_time", CompareOp::kEq, {"2026-11-21T06:05:00Z"}, true},
      {"event.event_time", CompareOp::kEq, {"2026-11-21T07:05:00+01:00"}, true},  // same instant
      {"event.event_time", CompareOp::kNe, {"2026-11-21T06:05:00.001Z"}, true},
      {"event.event_time", CompareOp::kLt, {"2026-11-21T06:05:00.001Z"}, true},
      {"event.event_time", CompareOp::kLe, {"2026-11-21T06:05:00Z"}, true},
      {"event.event_time", CompareOp::kGt, {"2026-11-21"}, true},  // after midnight
      {"event.event_time", CompareOp::kGe, {"2026-11-22"}, false},
      {"event.event_time", CompareOp::kBetween, {"2026-11-21", "2026-11-22"}, true},
      {"event.event_time", CompareOp::kBetween, {"2026-11-20", "2026-11-21T06:04:59Z"}, false},
      {"payment.settlement_date", CompareOp::kEq, {"2026-11-21T00:00:00Z"}, true},
      {"payment.settlement_date", CompareOp::kIn, {"2026-11-20", "2026-11-21"}, true},
      {"payment.settlement_date", CompareOp::kNotIn, {"2026-11-20", "2026-11-21"}, false},
      {"payment.settlement_date", CompareOp::kLt, {"2026-11-21"}, false},
      {"payment.creation_time", CompareOp::kLt, {"2026-11-21T06:05:00Z"}, true},
      {"payment.settlement_date", CompareOp::kMatches, {"2026-11-.."}, true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(matches(make_rule("d", pay, field(c.path, c.op, c.values)), e), c.expect)
        << c.path << " " << to_string(c.op) << " " << c.values[0];
  }
}

TEST_F(RuleEngineTest, WithinBeforeIsAtMostTheDurationAndNotAfter) {
  const auto itn = std::vector<EventKind>{EventKind::kItinerary};
  // booking 2026-11-21 (midnight), departure 2026-11-22T10:15Z: 34h15m before.
  const auto& e = parse(EventKind::kItinerary, itinerary_json({{}}));
  auto rule = [&](const char* text, std::int64_t ms) {
    return make_rule("wb", itn, within_before("itinerary.pnr.booking_date", "itinerary.flight.scheduled_departure", text, ms));
  };
  EXPECT_FALSE(matches(rule("24h", 24 * kHour), e));
  EXPECT_TRUE(matches(rule("2d", 48 * kHour), e));
  EXPECT_TRUE(matches(rule("2055m", 2055 * 60'000), e));   // exactly 34h15m: inclusive
  EXPECT_FALSE(matches(rule("2054m", 2054 * 60'000), e));
  // The duration text alone is enough (a rule built without the parsed milliseconds).
  EXPECT_TRUE(matches(rule("2d", 0), e));
  // After is not "before": creation 06:01:10 is after the settlement date's midnight.
  const auto pay = std::vector<EventKind>{EventKind::kPayment};
  EXPECT_FALSE(matches(make_rule("wb", pay, within_before("payment.creation_time", "payment.settlement_date", "30d",
                                                          30 * 24 * kHour)),
                       payment()));
  EXPECT_TRUE(matches(make_rule("wb", pay, within_before("payment.settlement_date", "payment.creation_time", "7h",
                                                         7 * kHour)),
                      payment()));
  EXPECT_FALSE(matches(make_rule("wb", pay, within_before("payment.settlement_date", "payment.creation_time", "6h",
                                                          6 * kHour)),
                       payment()));
}

// ---- presence, absence, missing values -----------------------------------------------------------

TEST_F(RuleEngineTest, MissingValuesFailEveryTestButAbsent) {
  const auto pay = std::vector<EventKind>{EventKind::kPayment};
  const auto& e = payment();  // no remittance information
  const char* f = "payment.remittance_information";
  EXPECT_FALSE(matches(make_rule("m", pay, field(f, CompareOp::kPresent)), e));
  EXPECT_TRUE(matches(make_rule("m", pay, field(f, CompareOp::kAbsent)), e));
  EXPECT_FALSE(matches(make_rule("m", pay, field(f, CompareOp::kNe, {"x"})), e));
  EXPECT_FALSE(matches(make_rule("m", pay, field(f, CompareOp::kNotIn, {"x"})), e));
  EXPECT_FALSE(matches(make_rule("m", pay, field(f, CompareOp::kMatches, {".*"})), e));
  PaymentSpec p;
  p.remittance = "x";
  EXPECT_TRUE(matches(make_rule("m", pay, field(f, CompareOp::kPresent)), payment(p)));
  EXPECT_FALSE(matches(make_rule("m", pay, field(f, CompareOp::kAbsent)), payment(p)));

  // A missing pnr: its fields are absent (form_of_payment "" must not pass != "card").
  const auto itn = std::vector<EventKind>{EventKind::kItinerary};
  const auto& no_pnr = parse(EventKind::kItinerary, itinerary_json({{}}, false));
  EXPECT_TRUE(matches(make_rule("m", itn, field("itinerary.pnr.locator", CompareOp::kAbsent)), no_pnr));
  EXPECT_FALSE(matches(make_rule("m", itn, field("itinerary.pnr.form_of_payment", CompareOp::kNe, {"card"})), no_pnr));
  // A rule for two kinds reading a payment field on an itinerary: absent there.
  const Rule both = make_rule("m", {EventKind::kItinerary, EventKind::kPayment},
                              field("payment.amount", CompareOp::kGe, {"0"}));
  EXPECT_FALSE(matches(both, no_pnr));
  EXPECT_TRUE(matches(both, payment()));
}

// ---- repeated fields -----------------------------------------------------------------------------

TEST_F(RuleEngineTest, RepeatedFieldsPassWhenAnyElementPasses) {
  const auto itn = std::vector<EventKind>{EventKind::kItinerary};
  const auto& e = parse(EventKind::kItinerary,
                        itinerary_json({{.nationality = "KEN"}, {.surname = "DUBOIS", .sex = "M", .nationality = "CZE"}}));
  auto with_hit = [&](Condition c) { return all({std::move(c), hit("any")}); };
  const std::vector<Hit> hits = {make_hit("passenger", 1, "l", 0.9)};
  EXPECT_TRUE(matches(make_rule("r", itn, with_hit(field("itinerary.passengers.nationality", CompareOp::kEq, {"CZE"}))), e, hits));
  EXPECT_TRUE(matches(make_rule("r", itn, with_hit(field("itinerary.passengers.nationality", CompareOp::kEq, {"KEN"}))), e, hits));
  EXPECT_FALSE(matches(make_rule("r", itn, with_hit(field("itinerary.passengers.nationality", CompareOp::kEq, {"DEU"}))), e, hits));
  // Any passenger not in the set: KEN is not, so true even though CZE is.
  EXPECT_TRUE(matches(make_rule("r", itn, with_hit(field("itinerary.passengers.nationality", CompareOp::kNotIn, {"CZE"}))), e, hits));
  EXPECT_FALSE(matches(make_rule("r", itn, with_hit(field("itinerary.passengers.nationality", CompareOp::kNotIn, {"CZE", "KEN"}))), e, hits));
  EXPECT_TRUE(matches(make_rule("r", itn, field("itinerary.passengers.document.issuing_state", CompareOp::kIn, {"CZE"})), e));
  EXPECT_TRUE(matches(make_rule("r", itn, field("itinerary.passengers.document.type", CompareOp::kEq, {"P"})), e));
  EXPECT_TRUE(matches(make_rule("r", itn, with_hit(field("itinerary.passengers.sex", CompareOp::kEq, {"M"}))), e, hits));
  EXPECT_TRUE(matches(make_rule("r", itn, with_hit(field("itinerary.passengers.date_of_birth", CompareOp::kLt, {"1960-01-01"}))), e, hits));

  const auto& m = parse(EventKind::kManifest, first_line(fixture_path("events/manifests.jsonl")));
  const auto man = std::vector<EventKind>{EventKind::kManifest};
  EXPECT_TRUE(matches(make_rule("r", man, field("manifest.goods.hs_code", CompareOp::kMatches, {"87.*"})), m));
  EXPECT_TRUE(matches(make_rule("r", man, field("manifest.goods.hs_code", CompareOp::kEq, {"940360"})), m));  // the last item
  EXPECT_FALSE(matches(make_rule("r", man, field("manifest.goods.hs_code", CompareOp::kEq, {"940361"})), m));
  EXPECT_TRUE(matches(make_rule("r", man, field("manifest.goods.description", CompareOp::kMatches, {".*coffee.*"})), m));
  EXPECT_TRUE(matches(make_rule("r", man, field("manifest.goods.container", CompareOp::kEq, {"HLXU9485368"})), m));
  EXPECT_TRUE(matches(make_rule("r", man, field("manifest.routing_countries", CompareOp::kAbsent)), m));
  EXPECT_TRUE(matches(make_rule("r", man, field("manifest.conveyance.imo", CompareOp::kEq, {"9270658"})), m));
  EXPECT_TRUE(matches(make_rule("r", man, field("manifest.consignor.country", CompareOp::kEq, {"CN"})), m));
  EXPECT_TRUE(matches(make_rule("r", man, field("manifest.consignee.eori", CompareOp::kEq, {"FR1584859819"})), m));
  EXPECT_TRUE(matches(make_rule("r", man, field("manifest.consignor.eori", CompareOp::kAbsent)), m));
  EXPECT_TRUE(matches(make_rule("r", man, field("manifest.estimated_arrival", CompareOp::kGt, {"2026-12-14"})), m));

  PaymentSpec p;
  p.intermediaries = {"DEUTDEFF", "BNPAFRPP"};
  const auto pay = std::vector<EventKind>{EventKind::kPayment};
  EXPECT_TRUE(matches(make_rule("r", pay, field("payment.intermediary_agents", CompareOp::kEq, {"BNPAFRPP"})), payment(p)));
  EXPECT_FALSE(matches(make_rule("r", pay, field("payment.intermediary_agents", CompareOp::kEq, {"COBADEFF"})), payment(p)));
  EXPECT_FALSE(matches(make_rule("r", pay, field("payment.intermediary_agents", CompareOp::kPresent)), payment()));
}

// ---- hit tests, logic, subjects ------------------------------------------------------------------

TEST_F(RuleEngineTest, HitTestsByRoleListAndMinScore) {
  const auto& e = payment();
  const auto pay = std::vector<EventKind>{EventKind::kPayment};
  const std::vector<Hit> hits = {make_hit("debtor", 0, "ofac-sdn", 0.86), make_hit("creditor", 0, "un-sc", 0.91),
                                 make_hit("creditor", 0, "ofac-sdn", 1.0)};
  auto first = [&](Condition c) {
    const auto out = run(make_rule("h", pay, std::move(c)), e, hits);
    return out.empty() ? -2 : out[0].hit;
  };
  EXPECT_EQ(first(hit("creditor")), 1);
  EXPECT_EQ(first(hit("debtor")), 0);
  EXPECT_EQ(first(hit("any")), 0);
  EXPECT_EQ(first(hit("creditor", {"ofac-sdn"})), 2);
  EXPECT_EQ(first(hit("creditor", {"eu-fsf", "ofac-sdn"})), 2);
  EXPECT_EQ(first(hit("creditor", {"eu-fsf"})), -2);
  EXPECT_EQ(first(hit("debtor", {"un-sc"})), -2);
  EXPECT_EQ(first(hit("any", {}, 0.9)), 1);
  EXPECT_EQ(first(hit("any", {}, 0.95)), 2);
  EXPECT_EQ(first(hit("debtor", {}, 0.87)), -2);
  EXPECT_EQ(first(hit("debtor", {}, 0.86)), 0);  // at the minimum counts
  EXPECT_EQ(first(hit("creditor_agent")), -2);
  EXPECT_EQ(first(hit("any")), 0);
  // No hits at all: no match.
  EXPECT_TRUE(run(make_rule("h", pay, hit("any")), e, {}).empty());
}

TEST_F(RuleEngineTest, AllAnyNotAndTheSubjectOfTheFlag) {
  PaymentSpec p;
  p.amount = "25000";
  const auto& e = payment(p);
  const auto pay = std::vector<EventKind>{EventKind::kPayment};
  const std::vector<Hit> hits = {make_hit("debtor", 0, "a", 0.9), make_hit("creditor", 0, "b", 0.9)};
  const Condition big = field("payment.amount", CompareOp::kGe, {"10000"});
  const Condition small = field("payment.amount", CompareOp::kLt, {"10000"});

  EXPECT_TRUE(matches(make_rule("l", pay, all({big, hit("creditor")})), e, hits));
  EXPECT_FALSE(matches(make_rule("l", pay, all({small, hit("creditor")})), e, hits));
  EXPECT_TRUE(matches(make_rule("l", pay, any({small, hit("creditor")})), e, hits));
  EXPECT_FALSE(matches(make_rule("l", pay, any({small, hit("creditor_agent")})), e, hits));
  EXPECT_TRUE(matches(make_rule("l", pay, not_(small)), e));
  EXPECT_FALSE(matches(make_rule("l", pay, not_(big)), e));
  EXPECT_TRUE(matches(make_rule("l", pay, all({big, not_(hit("creditor_agent"))})), e, hits));

  // The subject is the first hit that satisfied a hit test on the path that made the rule true.
  auto subject = [&](Condition c) {
    const auto out = run(make_rule("l", pay, std::move(c)), e, hits);
    EXPECT_EQ(out.size(), 1U);
    return out.empty() ? std::pair<int, std::string>{-2, ""} : std::pair<int, std::string>{out[0].hit, std::string(out[0].subject_role)};
  };
  EXPECT_EQ(subject(all({big, hit("creditor")})), (std::pair<int, std::string>{1, "creditor"}));
  // The debtor hit test is inside a failing branch: it must not name the subject.
  EXPECT_EQ(subject(any({all({hit("debtor"), small}), hit("creditor")})), (std::pair<int, std::string>{1, "creditor"}));
  // A hit test under `not` names nobody: the default subject of a payment is the debtor.
  EXPECT_EQ(subject(all({big, not_(hit("creditor_agent"))})), (std::pair<int, std::string>{-1, "debtor"}));
  EXPECT_EQ(subject(all({big, not_(not_(hit("creditor")))})), (std::pair<int, std::string>{-1, "debtor"}));
  EXPECT_EQ(subject(big), (std::pair<int, std::string>{-1, "debtor"}));

  Rule to_creditor = make_rule("l", pay, big);
  to_creditor.subject_role = "creditor";
  const auto out = run(to_creditor, e);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].subject_role, "creditor");
}

TEST_F(RuleEngineTest, DefaultSubjectPerKind) {
  const auto& it = parse(EventKind::kItinerary, itinerary_json({{}}));
  auto out = run(make_rule("s", {EventKind::kItinerary}, field("itinerary.flight.carrier", CompareOp::kEq, {"EK"})), it);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].subject_role, "passenger");
  EXPECT_EQ(out[0].subject_index, 0);
  EXPECT_EQ(out[0].hit, -1);
  const auto& m = parse(EventKind::kManifest, first_line(fixture_path("events/manifests.jsonl")));
  out = run(make_rule("s", {EventKind::kManifest}, field("manifest.transport_mode", CompareOp::kEq, {"sea"})), m);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].subject_role, "consignor");
}

// ---- validity window ---------------------------------------------------------------------------

TEST_F(RuleEngineTest, ExpiryIsExactToTheMillisecond) {
  const auto pay = std::vector<EventKind>{EventKind::kPayment};
  Rule r = make_rule("expiring", pay, field("payment.currency", CompareOp::kEq, {"EUR"}));
  r.valid_from_ms = *timefmt::parse_timestamp_ms("2026-11-01T00:00:00Z");
  r.expires_ms = *timefmt::parse_timestamp_ms("2027-02-01T00:00:00Z");
  const RuleEngine engine({r});
  const auto& e = payment();
  auto eval = [&](std::int64_t now, EvalStats& stats) {
    std::vector<RuleMatch> out;
    engine.evaluate(e, {}, now, nullptr, scratch_, out, &stats);
    return out.size();
  };
  EvalStats s1, s2, s3, s4;
  EXPECT_EQ(eval(r.expires_ms - 1, s1), 1U);
  EXPECT_EQ(s1.rules_evaluated, 1U);
  EXPECT_EQ(s1.rules_expired, 0U);
  EXPECT_EQ(eval(r.expires_ms, s2), 0U);
  EXPECT_EQ(s2.rules_evaluated, 0U);
  EXPECT_EQ(s2.rules_expired, 1U);
  EXPECT_EQ(eval(r.valid_from_ms - 1, s3), 0U);  // not yet valid: neither evaluated nor expired
  EXPECT_EQ(s3.rules_evaluated, 0U);
  EXPECT_EQ(s3.rules_expired, 0U);
  EXPECT_EQ(eval(r.valid_from_ms, s4), 1U);
}

TEST_F(RuleEngineTest, RulesOfOtherKindsAreSkipped) {
  const RuleEngine engine({make_rule("itn", {EventKind::kItinerary}, hit("any")),
                           make_rule("pay", {EventKind::kPayment}, hit("any"))});
  std::vector<RuleMatch> out;
  EvalStats stats;
  const std::vector<Hit> hits = {make_hit("debtor", 0, "l", 0.9)};
  engine.evaluate(payment(), hits, kNow, nullptr, scratch_, out, &stats);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(engine.rules()[out[0].rule].id, "pay");
  EXPECT_EQ(stats.rules_evaluated, 1U);
}

// ---- declared values -----------------------------------------------------------------------------

TEST_F(RuleEngineTest, DeclaredValuesAreOnlyTheDeclaredFields) {
  PaymentSpec p;
  p.amount = "12500.00";
  p.remittance = "INV-1";
  p.intermediaries = {"DEUTDEFF", "BNPAFRPP"};
  const auto& e = payment(p);
  const RuleEngine engine({make_rule("dv", {EventKind::kPayment},
                                     all({field("payment.amount", CompareOp::kGe, {"10000"}), hit("creditor")}),
                                     std::vector<std::string>{"payment.amount", "payment.intermediary_agents",
                                                              "payment.debtor.country"})});
  std::vector<std::pair<std::string_view, std::string>> out;
  engine.declared_values(0, e, out);
  const std::vector<std::pair<std::string_view, std::string>> expect = {
      {"payment.amount", "12500.00"},
      {"payment.intermediary_agents", "DEUTDEFF"},
      {"payment.intermediary_agents", "BNPAFRPP"},
      {"payment.debtor.country", "HU"},
  };
  EXPECT_EQ(out, expect);
  // Nothing else of the event: no IBAN, no name, no remittance text.
  for (const auto& [path, value] : out) {
    EXPECT_EQ(value.find("HU09"), std::string::npos);
    EXPECT_EQ(value.find("Szabo"), std::string::npos);
    EXPECT_NE(value, "INV-1");
  }

  const auto& it = parse(EventKind::kItinerary, itinerary_json({{.dob = "1990-11-23"}, {.surname = "B", .dob = "1980-01-01"}}));
  const RuleEngine itn({make_rule("dv", {EventKind::kItinerary}, hit("passenger"),
                                  std::vector<std::string>{"itinerary.passengers.age", "itinerary.flight.corridor"})});
  out.clear();
  itn.declared_values(0, it, out);
  const std::vector<std::pair<std::string_view, std::string>> expect_itn = {
      {"itinerary.passengers.age", "35"}, {"itinerary.passengers.age", "46"}, {"itinerary.flight.corridor", "DXB-BRU"}};
  EXPECT_EQ(out, expect_itn);
}

// ---- aggregates ----------------------------------------------------------------------------------

const std::vector<std::string> kCreditors = {"BE06795543979322", "BE39137059993119", "CH1051168843272352340",
                                             "CZ2624856382302553261513"};

Rule fan_out_rule(std::optional<Condition> first = std::nullopt) {
  Condition agg = aggregate(AggregateTest::Count::kDistinct, "payment.creditor.iban", "payment.debtor.iban", 24 * kHour, 3);
  Condition when = first ? all({*first, agg}) : agg;
  return make_rule("fan-out", {EventKind::kPayment}, when);
}

// Wraps a store and keeps what it was asked.
class RecordingStore final : public AggregateStore {
 public:
  Status observe(std::span<const AggregateObservation> observations, std::vector<std::int64_t>& counts) override {
    ++calls;
    seen.insert(seen.end(), observations.begin(), observations.end());
    return inner.observe(observations, counts);
  }
  InMemoryAggregateStore inner;
  int calls = 0;
  std::vector<AggregateObservation> seen;
};

class FailingStore final : public AggregateStore {
 public:
  Status observe(std::span<const AggregateObservation>, std::vector<std::int64_t>&) override {
    ++calls;
    return Error::retriable("redis", "connection refused");
  }
  int calls = 0;
};

TEST_F(RuleEngineTest, ThirdPaymentToDistinctCreditorsWithinTheWindowMatches) {
  const Rule rule = fan_out_rule();
  const RuleEngine engine({rule});
  RecordingStore store;
  const std::int64_t t0 = *timefmt::parse_timestamp_ms("2026-11-21T06:00:00Z");
  std::vector<std::size_t> matched;
  for (int i = 0; i < 3; ++i) {
    PaymentSpec p;
    p.id = "pay-agg-" + std::to_string(i);
    p.time = timefmt::format_utc_ms(t0 + i * 10 * kHour);  // 0h, 10h, 20h
    p.creditor_iban = kCreditors[static_cast<std::size_t>(i)];
    std::vector<RuleMatch> out;
    engine.evaluate(payment(p), {}, kNow, &store, scratch_, out);
    matched.push_back(out.size());
  }
  EXPECT_EQ(matched, (std::vector<std::size_t>{0, 0, 1}));
  EXPECT_EQ(store.calls, 3);  // one batched call per event
  // No raw identifier in keys or members.
  ASSERT_EQ(store.seen.size(), 3U);
  for (const auto& o : store.seen) {
    EXPECT_EQ(o.key.rfind("fan-out|1|0|", 0), 0U) << o.key;
    EXPECT_EQ(o.key.find("HU09"), std::string::npos) << o.key;
    for (const auto& c : kCreditors) EXPECT_EQ(o.member.find(c.substr(0, 8)), std::string::npos) << o.member;
    EXPECT_EQ(o.within_ms, 24 * kHour);
  }
  EXPECT_EQ(store.seen[0].key, store.seen[2].key);  // same debtor, same key
  EXPECT_NE(store.seen[0].member, store.seen[1].member);

  // A fourth to a creditor already counted (within the window) still counts 3: distinct values.
  PaymentSpec again;
  again.id = "pay-agg-3";
  again.time = timefmt::format_utc_ms(t0 + 21 * kHour);
  again.creditor_iban = kCreditors[0];
  std::vector<RuleMatch> out;
  engine.evaluate(payment(again), {}, kNow, &store, scratch_, out);
  EXPECT_EQ(out.size(), 1U);
}

TEST_F(RuleEngineTest, PaymentsOutsideTheWindowDoNotCount) {
  const RuleEngine engine({fan_out_rule()});
  InMemoryAggregateStore store;
  const std::int64_t t0 = *timefmt::parse_timestamp_ms("2026-11-21T06:00:00Z");
  const std::vector<std::int64_t> offsets = {0, 12 * kHour, 25 * kHour};  // the first has left the window
  std::vector<std::size_t> matched;
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    PaymentSpec p;
    p.id = "pay-w-" + std::to_string(i);
    p.time = timefmt::format_utc_ms(t0 + offsets[i]);
    p.creditor_iban = kCreditors[i];
    std::vector<RuleMatch> out;
    engine.evaluate(payment(p), {}, kNow, &store, scratch_, out);
    matched.push_back(out.size());
  }
  EXPECT_EQ(matched, (std::vector<std::size_t>{0, 0, 0}));
  // Another debtor has a window of its own.
  PaymentSpec other;
  other.id = "pay-w-x";
  other.time = timefmt::format_utc_ms(t0 + 26 * kHour);
  other.debtor_iban = "CH6314612044710546302";
  other.creditor_iban = kCreditors[3];
  std::vector<RuleMatch> out;
  engine.evaluate(payment(other), {}, kNow, &store, scratch_, out);
  EXPECT_TRUE(out.empty());
  // But a third distinct creditor for the first debtor within 24h of the second one matches.
  PaymentSpec third;
  third.id = "pay-w-3";
  third.time = timefmt::format_utc_ms(t0 + 27 * kHour);
  third.creditor_iban = kCreditors[3];
  engine.evaluate(payment(third), {}, kNow, &store, scratch_, out);
  EXPECT_EQ(out.size(), 1U);
}

TEST_F(RuleEngineTest, EventsAreCountedEvenWhenOtherConditionsShortCircuit) {
  // The amount test fails first for the small payments, yet they must still be counted.
  const RuleEngine engine({fan_out_rule(field("payment.amount", CompareOp::kGe, {"10000"}))});
  InMemoryAggregateStore store;
  const std::int64_t t0 = *timefmt::parse_timestamp_ms("2026-11-21T06:00:00Z");
  const std::vector<std::string> amounts = {"50.00", "60.00", "15000.00"};
  std::vector<std::size_t> matched;
  for (std::size_t i = 0; i < 3; ++i) {
    PaymentSpec p;
    p.id = "pay-s-" + std::to_string(i);
    p.time = timefmt::format_utc_ms(t0 + static_cast<std::int64_t>(i) * kHour);
    p.amount = amounts[i];
    p.creditor_iban = kCreditors[i];
    std::vector<RuleMatch> out;
    engine.evaluate(payment(p), {}, kNow, &store, scratch_, out);
    matched.push_back(out.size());
  }
  EXPECT_EQ(matched, (std::vector<std::size_t>{0, 0, 1}));
}

TEST_F(RuleEngineTest, CountingEventsIsIdempotentForARedeliveredEvent) {
  const Rule rule = make_rule("bursts", {EventKind::kPayment},
                              aggregate(AggregateTest::Count::kEvents, "", "payment.debtor.iban", kHour, 2));
  const RuleEngine engine({rule});
  InMemoryAggregateStore store;
  PaymentSpec p;
  p.id = "pay-r-1";
  std::vector<RuleMatch> out;
  engine.evaluate(payment(p), {}, kNow, &store, scratch_, out);
  engine.evaluate(payment(p), {}, kNow, &store, scratch_, out);  // the same event again
  EXPECT_TRUE(out.empty());
  p.id = "pay-r-2";
  engine.evaluate(payment(p), {}, kNow, &store, scratch_, out);
  EXPECT_EQ(out.size(), 1U);
}

TEST_F(RuleEngineTest, EventsWithoutTheKeyValueRecordNothing) {
  RecordingStore store;
  const RuleEngine engine({fan_out_rule()});
  PaymentSpec p;
  p.debtor_other_id = "ACC-778812";  // an account without an IBAN
  std::vector<RuleMatch> out;
  engine.evaluate(payment(p), {}, kNow, &store, scratch_, out);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(store.seen.empty());
}

TEST_F(RuleEngineTest, AStoreFailureMakesAggregatesFalseAndIsCounted) {
  const Rule agg = make_rule("agg", {EventKind::kPayment},
                             any({not_(aggregate(AggregateTest::Count::kEvents, "", "payment.debtor.iban", kHour, 1)),
                                  field("payment.currency", CompareOp::kEq, {"NOK"})}));
  const Rule plain = make_rule("plain", {EventKind::kPayment}, field("payment.currency", CompareOp::kEq, {"EUR"}));
  const RuleEngine engine({agg, plain});
  FailingStore store;
  std::vector<RuleMatch> out;
  EvalStats stats;
  engine.evaluate(payment(), {}, kNow, &store, scratch_, out, &stats);
  EXPECT_EQ(store.calls, 1);
  EXPECT_EQ(stats.aggregate_errors, 1U);
  // at_least 1 would hold for every event; failing it is false, so `not` of it is true.
  ASSERT_EQ(out.size(), 2U);
  EXPECT_EQ(engine.rules()[out[1].rule].id, "plain");  // other rules are unaffected

  // With a working store the same event makes the aggregate true, so `not` of it is false.
  InMemoryAggregateStore good;
  out.clear();
  engine.evaluate(payment(), {}, kNow, &good, scratch_, out);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(engine.rules()[out[0].rule].id, "plain");

  // Without a store, aggregates are false and nothing is counted as an error.
  out.clear();
  EvalStats none;
  const RuleEngine only({make_rule("agg", {EventKind::kPayment},
                                   aggregate(AggregateTest::Count::kEvents, "", "payment.debtor.iban", kHour, 1))});
  only.evaluate(payment(), {}, kNow, nullptr, scratch_, out, &none);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(none.aggregate_errors, 0U);
}

TEST_F(RuleEngineTest, ExpiredRulesRecordNoObservations) {
  Rule rule = fan_out_rule();
  rule.expires_ms = kNow;
  RecordingStore store;
  const RuleEngine engine({rule});
  std::vector<RuleMatch> out;
  engine.evaluate(payment(), {}, kNow, &store, scratch_, out);
  EXPECT_EQ(store.calls, 0);
}

TEST_F(RuleEngineTest, KeysDifferBetweenRulesForTheSameValue) {
  Rule a = fan_out_rule();
  Rule b = fan_out_rule();
  b.id = "fan-out-b";
  RecordingStore store;
  const RuleEngine engine({a, b});
  std::vector<RuleMatch> out;
  engine.evaluate(payment(), {}, kNow, &store, scratch_, out);
  ASSERT_EQ(store.calls, 1);  // both rules in one batch
  ASSERT_EQ(store.seen.size(), 2U);
  const auto hash_of = [](const std::string& key) { return key.substr(key.rfind('|') + 1); };
  EXPECT_EQ(hash_of(store.seen[0].key).size(), 32U);
  EXPECT_NE(hash_of(store.seen[0].key), hash_of(store.seen[1].key));
}

// ---- the default watchlist rule ------------------------------------------------------------------

TEST_F(RuleEngineTest, DefaultWatchlistRuleGivesOneMatchPerHitOnItsList) {
  const Rule rule = default_watchlist_rule("un-sc", 7, WatchlistRuleDefaults{}, kNow - 1000);
  ASSERT_EQ(rule.id, "watchlist-hit:un-sc");
  const RuleEngine engine({rule, default_watchlist_rule("ofac-sdn", 3, WatchlistRuleDefaults{}, kNow - 1000)});
  const std::vector<Hit> hits = {make_hit("debtor", 0, "un-sc", 0.9), make_hit("creditor", 0, "ofac-sdn", 0.95),
                                 make_hit("creditor", 0, "un-sc", 0.88), make_hit("intermediary_agent", 1, "un-sc", 1.0)};
  std::vector<RuleMatch> out;
  engine.evaluate(payment(), hits, kNow, nullptr, scratch_, out);
  ASSERT_EQ(out.size(), 4U);
  EXPECT_EQ(out[0].rule, 0U);
  EXPECT_EQ(out[0].hit, 0);
  EXPECT_EQ(out[0].subject_role, "debtor");
  EXPECT_EQ(out[1].hit, 2);
  EXPECT_EQ(out[1].subject_role, "creditor");
  EXPECT_EQ(out[2].hit, 3);
  EXPECT_EQ(out[2].subject_role, "intermediary_agent");
  EXPECT_EQ(out[2].subject_index, 1);
  EXPECT_EQ(out[3].rule, 1U);
  EXPECT_EQ(out[3].hit, 1);

  // It applies to every kind and stops at its own validity.
  out.clear();
  engine.evaluate(payment(), hits, kNow - 2000, nullptr, scratch_, out);
  EXPECT_TRUE(out.empty());
}

// ---- one scratch across engines -----------------------------------------------------------------

TEST_F(RuleEngineTest, OneScratchServesSeveralEnginesInTurn) {
  PaymentSpec p;
  p.remittance = "INV-7";
  const auto pay = std::vector<EventKind>{EventKind::kPayment};
  const RuleEngine a({make_rule("a", pay, field("payment.remittance_information", CompareOp::kMatches, {"INV-.*"}))});
  const RuleEngine b({make_rule("b1", pay, field("payment.remittance_information", CompareOp::kMatches, {"X.*"})),
                      make_rule("b2", pay, field("payment.remittance_information", CompareOp::kMatches, {"INV-7"}))});
  for (int round = 0; round < 3; ++round) {
    std::vector<RuleMatch> out;
    a.evaluate(payment(p), {}, kNow, nullptr, scratch_, out);
    ASSERT_EQ(out.size(), 1U);
    out.clear();
    b.evaluate(payment(p), {}, kNow, nullptr, scratch_, out);
    ASSERT_EQ(out.size(), 1U);
    EXPECT_EQ(out[0].rule, 1U);
  }
}

// ---- backtest ------------------------------------------------------------------------------------

// The amounts in the sample payments, read independently of the event parser.
std::vector<std::string> sample_amounts(const std::string& text) {
  std::vector<std::string> out;
  simdjson::dom::parser parser;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    simdjson::dom::element doc;
    if (parser.parse(line).get(doc) != simdjson::SUCCESS) continue;
    std::string_view v;
    if (doc["amount"]["value"].get(v) == simdjson::SUCCESS) out.emplace_back(v);
  }
  return out;
}

TEST_F(RuleEngineTest, BacktestOverTheSamplePayments) {
  const std::string text = read_file(fixture_path("events/payments.jsonl"));
  ASSERT_FALSE(text.empty());
  const auto amounts = sample_amounts(text);
  ASSERT_GT(amounts.size(), 10U);
  // Expected: amounts of 100000 or more; whole digits before the point decide (no fixture amount is
  // near the bound).
  std::uint64_t expected = 0;
  for (const auto& a : amounts) expected += a.substr(0, a.find('.')).size() >= 6 ? 1 : 0;
  ASSERT_GT(expected, 0U);
  ASSERT_LT(expected, amounts.size());

  Rule rule = make_rule("large-payments", {EventKind::kPayment}, field("payment.amount", CompareOp::kGe, {"100000"}));
  // Expired long ago: a backtest ignores the validity window.
  rule.valid_from_ms = 0;
  rule.expires_ms = 1000;
  const MatchIndex empty_index(std::vector<Watchlist>{});
  const std::string with_garbage = text + "{not json\n\n" + R"({"schema_version":"1.0"})" + "\n";
  auto report = backtest(rule, EventKind::kPayment, with_garbage, empty_index, 3);
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  EXPECT_EQ(report->events, amounts.size());
  EXPECT_EQ(report->invalid, 2U);  // the blank line is neither
  EXPECT_EQ(report->matched_events, expected);
  EXPECT_EQ(report->flags, expected);
  EXPECT_DOUBLE_EQ(report->share, static_cast<double>(expected) / static_cast<double>(amounts.size()));
  ASSERT_EQ(report->examples.size(), std::min<std::uint64_t>(3, expected));
  EXPECT_EQ(report->examples[0].subject_role, "debtor");
  EXPECT_EQ(report->examples[0].event_id.rfind("pay-", 0), 0U);
  EXPECT_GE(report->examples[0].line, 1U);

  // Text rendering.
  const std::string txt = format_backtest_text(rule, *report);
  EXPECT_NE(txt.find("large-payments v1"), std::string::npos) << txt;
  EXPECT_NE(txt.find("events:          " + std::to_string(amounts.size())), std::string::npos) << txt;
  EXPECT_NE(txt.find("matched events:  " + std::to_string(expected) + " ("), std::string::npos) << txt;
  EXPECT_NE(txt.find("%)"), std::string::npos) << txt;
  EXPECT_NE(txt.find("invalid lines:   2"), std::string::npos) << txt;
  EXPECT_NE(txt.find(report->examples[0].event_id), std::string::npos) << txt;

  // JSON rendering: stable keys.
  const std::string json = format_backtest_json(rule, *report);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  auto u64 = [&](const char* key) {
    std::uint64_t v = 0;
    EXPECT_EQ(doc[key].get(v), simdjson::SUCCESS) << key;
    return v;
  };
  std::string_view id;
  ASSERT_EQ(doc["rule_id"].get(id), simdjson::SUCCESS);
  EXPECT_EQ(id, "large-payments");
  EXPECT_EQ(u64("rule_version"), 1U);
  EXPECT_EQ(u64("events"), amounts.size());
  EXPECT_EQ(u64("invalid"), 2U);
  EXPECT_EQ(u64("matched_events"), expected);
  EXPECT_EQ(u64("flags"), expected);
  double share = -1;
  ASSERT_EQ(doc["share"].get(share), simdjson::SUCCESS);
  EXPECT_NEAR(share, report->share, 1e-9);
  simdjson::dom::array examples;
  ASSERT_EQ(doc["examples"].get(examples), simdjson::SUCCESS);
  EXPECT_EQ(examples.size(), report->examples.size());
  std::string_view event_id;
  ASSERT_EQ(examples.at(0)["event_id"].get(event_id), simdjson::SUCCESS);
  EXPECT_EQ(event_id, report->examples[0].event_id);
  std::uint64_t line = 0;
  ASSERT_EQ(examples.at(0)["line"].get(line), simdjson::SUCCESS);
  EXPECT_EQ(line, report->examples[0].line);
}

TEST_F(RuleEngineTest, BacktestWithTheDemoListOverEverySampleFile) {
  auto list = load_watchlist_file(fixture_path("watchlists/demo.json"));
  ASSERT_TRUE(list.ok()) << list.error().to_string();
  const std::string list_id = list->list_id;
  std::vector<Watchlist> lists;
  lists.push_back(std::move(*list));
  const MatchIndex index(std::move(lists));
  const Rule rule = default_watchlist_rule(list_id, 1, WatchlistRuleDefaults{}, kNow);
  const std::vector<std::pair<const char*, EventKind>> files = {
      {"events/itineraries.jsonl", EventKind::kItinerary},
      {"events/manifests.jsonl", EventKind::kManifest},
      {"events/payments.jsonl", EventKind::kPayment}};
  std::uint64_t flags = 0;
  for (const auto& [file, kind] : files) {
    const std::string text = read_file(fixture_path(file));
    auto report = backtest(rule, kind, text, index);
    ASSERT_TRUE(report.ok()) << report.error().to_string();
    EXPECT_EQ(report->invalid, 0U) << file;
    EXPECT_GT(report->events, 0U) << file;
    EXPECT_LE(report->matched_events, report->events) << file;
    EXPECT_GE(report->flags, report->matched_events) << file;

    // The same count, independently: screen each event and count hits on the list.
    schemas::EventParser parser;
    std::uint64_t expected_flags = 0;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      std::vector<schemas::Violation> v;
      const auto* e = parser.parse(kind, line, v);
      if (e == nullptr) continue;
      std::vector<Hit> hits;
      screen(*e, index, hits);
      for (const auto& h : hits) expected_flags += h.match.explanation.list_id == list_id ? 1 : 0;
    }
    EXPECT_EQ(report->flags, expected_flags) << file;
    flags += report->flags;
  }
  EXPECT_GT(flags, 0U) << "the sample events are meant to hit the demo list";
}

TEST_F(RuleEngineTest, BacktestRefusesARuleThatDoesNotCompileOrApply) {
  const MatchIndex empty_index(std::vector<Watchlist>{});
  const Rule bad = make_rule("bad", {EventKind::kPayment}, field("payment.amount", CompareOp::kGe, {"lots"}));
  auto r1 = backtest(bad, EventKind::kPayment, "", empty_index);
  ASSERT_FALSE(r1.ok());
  EXPECT_NE(r1.error().message().find("decimal"), std::string::npos) << r1.error().message();
  const Rule pay = make_rule("pay", {EventKind::kPayment}, field("payment.amount", CompareOp::kGe, {"1"}));
  auto r2 = backtest(pay, EventKind::kItinerary, "", empty_index);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message().find("itinerary"), std::string::npos) << r2.error().message();
  // No events: zero share, no division by zero.
  auto r3 = backtest(pay, EventKind::kPayment, "\n\n", empty_index);
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r3->events, 0U);
  EXPECT_EQ(r3->share, 0.0);
  EXPECT_NE(format_backtest_text(pay, *r3).find("examples:        none"), std::string::npos);
}

}  // namespace
}  // namespace crosscheck::rules
