// The screening step with rules: routing, what a rule flag carries, caps and the governance alert,
// shadow mode, exact expiry, and each list's default rule. No Kafka or Redis: caps are held by the
// step's LocalFlagBudget, the clock is the test's.
#include <gtest/gtest.h>
#include <simdjson.h>

#include "crosscheck/runtime/screening_step.h"
#include "crosscheck/time_format.h"
#include "screener_harness.h"

namespace crosscheck::runtime {
namespace {

using testing::make_iban;
using testing::payment_json;

constexpr std::int64_t kNow = 1795248000000;  // 2026-11-21T08:00:00Z

std::shared_ptr<const rules::MatchIndex> make_index() {
  rules::Watchlist list;
  list.list_id = "unit";
  list.version = 4;
  rules::WatchlistEntry o;
  o.id = "O1";
  o.type = rules::EntityType::kOrganization;
  o.names = {"Orchid Bay Trading Ltd"};
  o.ibans = {"GB33BUKB20201555555555"};
  list.entries.push_back(o);
  std::vector<rules::Watchlist> lists{list};
  return std::make_shared<const rules::MatchIndex>(std::move(lists));
}

rules::Condition field_test(const std::string& field, rules::CompareOp op, const std::string& value) {
  rules::Condition c;
  c.type = rules::Condition::Type::kField;
  c.field = field;
  c.op = op;
  c.values = {value};
  return c;
}

// "a payment of 10,000 or more" (any currency, for the test), queue "large-payments".
rules::Rule large_payment_rule(std::int64_t max_per_hour = 100, rules::RuleMode mode = rules::RuleMode::kEnforce) {
  rules::Rule r;
  r.id = "large-payment";
  r.version = 3;
  r.applies_to = {schemas::EventKind::kPayment};
  r.when = field_test("payment.amount", rules::CompareOp::kGe, "10000");
  r.severity = "medium";
  r.queue = "large-payments";
  r.legal_basis = "AML Act s. 31";
  r.purpose = "unit test";
  r.owner = "author";
  r.data_categories = {"payment.amount", "payment.currency"};
  r.valid_from = timefmt::format_utc_ms(kNow - 86400000);
  r.expires = timefmt::format_utc_ms(kNow + 3600000);
  r.valid_from_ms = kNow - 86400000;
  r.expires_ms = kNow + 3600000;
  r.max_flags_per_hour = max_per_hour;
  r.max_flag_share = 1.0;
  r.mode = mode;
  return r;
}

std::string clean_payment(const std::string& id, const std::string& amount) {
  return payment_json(id, "Ostrava Tooling sro", make_iban("CZ", "08000000001234567899"), "Lindqvist Timber AB",
                      make_iban("SE", "50000000058398257466"), amount);
}

class ScreeningStepRulesTest : public ::testing::Test {
 protected:
  ScreeningStepRulesTest()
      : config_(*parse_screener_config("instance_id: unit-1\n", {})),
        index_(make_index()),
        step_(config_, [this] { return index_; }, nullptr) {
    step_.set_clock([this] { return now_; });
    step_.set_rules([this] { return rules_; });
  }

  void activate(std::vector<rules::Rule> list) {
    auto snap = std::make_shared<rules::RuleSnapshot>();
    snap->generation = 1;
    snap->engine = rules::RuleEngine(std::move(list), &snap->rejected);
    ASSERT_TRUE(snap->rejected.empty()) << snap->rejected.front();
    rules_ = snap;
  }

  streams::Processed run(const std::string& payload, std::int64_t offset = 10) {
    streams::InRecord in;
    in.topic = "transit.payments";
    in.partition = 1;
    in.offset = offset;
    in.timestamp_ms = kNow;
    in.value = payload;
    streams::Processed out;
    step_.process(in, out);
    return out;
  }

  ScreenerConfig config_;
  std::shared_ptr<const rules::MatchIndex> index_;
  std::shared_ptr<const rules::RuleSnapshot> rules_;
  std::int64_t now_ = kNow;
  ScreeningStep step_;
};

TEST_F(ScreeningStepRulesTest, RuleFlagGoesToItsQueueWithTheDeclaredFieldsOnly) {
  activate({large_payment_rule()});
  EXPECT_TRUE(run(clean_payment("p1", "9999.99")).outputs.empty()) << "below the threshold: no flag";
  auto out = run(clean_payment("p2", "10000.00"));
  ASSERT_EQ(out.outputs.size(), 1u);
  EXPECT_EQ(out.outcome, static_cast<int>(Outcome::kFlagged));
  EXPECT_EQ(out.outputs[0].topic, "flags.large-payments");
  const std::string& json = out.outputs[0].value;
  simdjson::dom::parser parser;
  simdjson::dom::element flag = parser.parse(json);
  EXPECT_EQ(flag["reason"]["code"].get_string().value(), "rule_match");
  EXPECT_EQ(flag["severity"].get_string().value(), "medium");
  EXPECT_EQ(flag["rule"]["id"].get_string().value(), "large-payment");
  EXPECT_EQ(flag["rule"]["version"].get_uint64().value(), 3u);
  EXPECT_EQ(flag["rule"]["legal_basis"].get_string().value(), "AML Act s. 31");
  EXPECT_EQ(flag["rule"]["digest"].get_string().value().size(), 32u);
  EXPECT_EQ(flag["lists"].at(0)["list_id"].get_string().value(), "unit");
  EXPECT_EQ(flag["lists"].at(0)["version"].get_uint64().value(), 4u);
  EXPECT_EQ(flag["watchlist"].error(), simdjson::NO_SUCH_FIELD) << "no hit, no entry";
  // The subject is the payment's default role, the debtor; the fields are exactly the declared ones.
  EXPECT_EQ(flag["subject"]["role"].get_string().value(), "debtor");
  simdjson::dom::array fields = flag["event_fields"];
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields.at(0)["field"].get_string().value(), "payment.amount");
  EXPECT_EQ(fields.at(0)["value"].get_string().value(), "10000.00");
  EXPECT_EQ(fields.at(1)["field"].get_string().value(), "payment.currency");
  EXPECT_EQ(json.find("remittance"), std::string::npos) << json;
  EXPECT_EQ(json.find("Lindqvist"), std::string::npos) << "the creditor is not the subject: " << json;
}

TEST_F(ScreeningStepRulesTest, CapSuppressesFurtherMatchesAndAnnouncesOnce) {
  activate({large_payment_rule(/*max_per_hour=*/2)});
  int flags = 0, alerts = 0;
  for (int i = 0; i < 6; ++i) {
    for (const auto& o : run(clean_payment("capped-event-" + std::to_string(i), "25000.00"), 100 + i).outputs) {
      if (o.topic == "flags.large-payments") ++flags;
      if (o.topic == "flags.rule-governance") {
        ++alerts;
        EXPECT_NE(o.value.find(R"("type":"rule_over_cap")"), std::string::npos) << o.value;
        EXPECT_EQ(o.value.find("Ostrava"), std::string::npos) << "a governance alert names no one: " << o.value;
        EXPECT_EQ(o.value.find("capped-event"), std::string::npos) << "nor an event: " << o.value;
      }
    }
  }
  EXPECT_EQ(flags, 2);
  EXPECT_EQ(alerts, 1);
}

TEST_F(ScreeningStepRulesTest, CapWindowSlides) {
  auto rule = large_payment_rule(/*max_per_hour=*/1);
  rule.expires_ms = kNow + 10LL * 24 * 3600 * 1000;
  rule.expires = timefmt::format_utc_ms(rule.expires_ms);
  activate({rule});
  EXPECT_EQ(run(clean_payment("w1", "25000.00"), 1).outputs.size(), 1u);
  EXPECT_EQ(run(clean_payment("w2", "25000.00"), 2).outputs.size(), 1u) << "the governance alert";
  EXPECT_EQ(run(clean_payment("w3", "25000.00"), 3).outputs.size(), 0u);
  now_ += 61 * 60 * 1000;
  auto out = run(clean_payment("w4", "25000.00"), 4);
  ASSERT_EQ(out.outputs.size(), 1u);
  EXPECT_EQ(out.outputs[0].topic, "flags.large-payments");
}

TEST_F(ScreeningStepRulesTest, ShadowRuleFlagsNoOne) {
  activate({large_payment_rule(100, rules::RuleMode::kShadow)});
  auto out = run(clean_payment("s1", "50000.00"));
  EXPECT_TRUE(out.outputs.empty());
  EXPECT_EQ(out.outcome, static_cast<int>(Outcome::kClean));
}

TEST_F(ScreeningStepRulesTest, ExpiryIsExactToTheMillisecond) {
  activate({large_payment_rule()});
  const std::int64_t expires = rules_->engine.rules()[0].expires_ms;
  now_ = expires - 1;
  EXPECT_EQ(run(clean_payment("x1", "50000.00"), 1).outputs.size(), 1u);
  now_ = expires;
  EXPECT_TRUE(run(clean_payment("x2", "50000.00"), 2).outputs.empty());
}

TEST_F(ScreeningStepRulesTest, ListHitsGoThroughTheListsDefaultRule) {
  // No active rules: the default rule of list "unit" still flags the listed creditor.
  auto out = run(payment_json("d1", "Ostrava Tooling sro", make_iban("CZ", "08000000001234567899"),
                              "Orchid Bay Trading Ltd", "GB33BUKB20201555555555", "100.00"));
  ASSERT_EQ(out.outputs.size(), 1u);
  simdjson::dom::parser parser;
  simdjson::dom::element flag = parser.parse(out.outputs[0].value);
  EXPECT_EQ(out.outputs[0].topic, "flags.payments");
  EXPECT_EQ(flag["reason"]["code"].get_string().value(), "watchlist_match");
  EXPECT_EQ(flag["rule"]["id"].get_string().value(), "watchlist-hit:unit");
  EXPECT_EQ(flag["rule"]["version"].get_uint64().value(), 4u);
  EXPECT_EQ(flag["watchlist"]["entry_id"].get_string().value(), "O1");
  EXPECT_EQ(flag["event_fields"].error(), simdjson::NO_SUCH_FIELD);
}

}  // namespace
}  // namespace crosscheck::runtime
