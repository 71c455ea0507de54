// The screener with rules from Redis, end to end against the real Kafka and Redis: caps that hold
// across two instances of one consumer group, a rule that expires mid-stream, a shadow rule, and a
// new rule version activated live.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "crosscheck/rules/audit_log.h"
#include "crosscheck/time_format.h"
#include "screener_harness.h"
#include "stream_plan.h"

namespace crosscheck::testing {
namespace {

using namespace std::chrono_literals;

// A payment rule: amounts of 1000 or more. Behavioural, so it passes the profiling check.
std::string payment_rule(const std::string& id, const std::string& mode, std::int64_t max_per_hour,
                         std::int64_t now_ms, std::int64_t expires_ms, const std::string& severity = "medium") {
  return R"({"id":")" + id + R"(","applies_to":["payment"],)" +
         R"("when":{"field":"payment.amount","op":">=","value":"1000"},"severity":")" + severity +
         R"(","queue":"payments","legal_basis":"Integration Test Act s. 1","purpose":"prove the rule machinery end to end",)" +
         R"("owner":"rule-owner","data_categories":["payment.amount"],"valid_from":")" +
         timefmt::format_utc_ms(now_ms - 24 * 3600 * 1000) + R"(","expires":")" + timefmt::format_utc_ms(expires_ms) +
         R"(","max_flags_per_hour":)" + std::to_string(max_per_hour) + R"(,"max_flag_share":1,"mode":")" + mode + R"("})";
}

std::string payment(const std::string& event_id) {
  return payment_json(event_id, "Ostrava Tooling sro", make_iban("CZ", "08000000001234567899"), "Lindqvist Timber AB",
                      make_iban("SE", "50000000058398257466"), "2500.00");
}

double screener_metric(ScreenerHarness& h, std::size_t n, const std::string& metric, const std::string& filter = "") {
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto [status, body] = http_get(h.http_port(i), "/metrics");
    if (status == 200) sum += metric_sum(body, metric, filter);
  }
  return sum;
}

bool wait_screened(ScreenerHarness& h, std::size_t instances, std::size_t events) {
  return eventually([&] { return screener_metric(h, instances, "crosscheck_events_screened_total") >= events; }, 60s);
}

bool wait_generation(ScreenerHarness& h, std::size_t instances, double generation) {
  return eventually(
      [&] {
        for (std::size_t i = 0; i < instances; ++i) {
          const auto [status, body] = http_get(h.http_port(i), "/metrics");
          if (status != 200 || metric_sum(body, "crosscheck_rules_generation") < generation) return false;
        }
        return true;
      },
      10s);
}

struct RuleFlag {
  std::string rule_id;
  std::uint64_t rule_version = 0;
  std::string event_id;
  std::int64_t published_at_ms = 0;
  std::string json;
};

std::vector<RuleFlag> rule_flags(KafkaTestEnv& kafka, const std::string& topic, const std::string& rule_id) {
  std::vector<RuleFlag> out;
  for (const auto& r : kafka.receive_all(topic, 5s)) {
    simdjson::dom::parser parser;
    simdjson::dom::element flag = parser.parse(r.value);
    RuleFlag f;
    f.rule_id = std::string(flag["rule"]["id"].get_string().value());
    if (f.rule_id != rule_id) continue;
    f.rule_version = flag["rule"]["version"].get_uint64().value();
    f.event_id = std::string(flag["source"]["event_id"].get_string().value());
    f.published_at_ms = *timefmt::parse_timestamp_ms(flag["times"]["published_at"].get_string().value());
    f.json = r.value;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<rules::AuditEntry> audit_entries(RedisTestEnv& redis, const std::string& action, const std::string& object) {
  rules::RedisClient client(redis.config());
  rules::AuditLog log(client, redis.prefix());
  rules::AuditFilter filter;
  filter.action = action;
  filter.object_id = object;
  filter.limit = 0;
  auto entries = log.list(filter);
  EXPECT_TRUE(entries.ok()) << (entries.ok() ? "" : entries.error().to_string());
  return entries.ok() ? *entries : std::vector<rules::AuditEntry>{};
}

class ScreenerRulesTest : public ScreenerTest {};

TEST_F(ScreenerRulesTest, CapHoldsAcrossTwoInstancesOfOneGroup) {
  constexpr int kCap = 5;
  constexpr int kEvents = 40;
  ScreenerHarness h(*kafka_, *redis_, "rulecap");
  const std::int64_t now = timefmt::now_ms();
  ASSERT_GT(h.activate_rule(payment_rule("cap-test", "enforce", kCap, now, now + 30LL * 24 * 3600 * 1000), now), 0u);
  h.start();
  h.start();
  // Both instances consume (the second start rebalanced the group) before the events arrive.
  ASSERT_TRUE(eventually(
      [&] {
        double total = 0;
        for (std::size_t i = 0; i < 2; ++i) {
          const auto [status, body] = http_get(h.http_port(i), "/metrics");
          const double mine = status == 200 ? metric_sum(body, "crosscheck_assigned_partitions") : 0;
          if (mine == 0) return false;
          total += mine;
        }
        return total == 12;  // 3 input topics of 4 partitions, shared by the two instances
      },
      30s))
      << h.logs();
  for (int i = 0; i < kEvents; ++i) kafka_->send(h.setup().payments, payment("cap-" + std::to_string(i)), "key-" + std::to_string(i));
  ASSERT_TRUE(wait_screened(h, 2, kEvents)) << h.logs();

  // Both instances screened some of the events, so the cap had to hold across them.
  for (std::size_t i = 0; i < 2; ++i) {
    const auto [status, body] = http_get(h.http_port(i), "/metrics");
    EXPECT_GT(metric_sum(body, "crosscheck_events_screened_total"), 0) << "instance " << i << " got no events";
  }
  const auto flags = rule_flags(*kafka_, h.setup().flags_topic("payments"), "cap-test");
  EXPECT_EQ(flags.size(), static_cast<std::size_t>(kCap)) << "at most N flags in total, and the budget is used";
  EXPECT_EQ(screener_metric(h, 2, "crosscheck_rule_matches_total", "outcome=\"suppressed\",rule=\"cap-test\""),
            kEvents - kCap);
  for (const auto& f : flags) {
    // The flag carries the declared field and nothing else of the event.
    EXPECT_NE(f.json.find(R"("event_fields":[{"field":"payment.amount","value":"2500.00"}])"), std::string::npos) << f.json;
    EXPECT_EQ(f.json.find("remittance"), std::string::npos) << f.json;
  }

  // One governance alert for the managers, naming the rule and no one else.
  std::vector<ReceivedRecord> alerts = kafka_->receive_all(h.setup().flags_topic("rule-governance"), 5s);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_NE(alerts[0].value.find(R"("id":"cap-test")"), std::string::npos) << alerts[0].value;
  EXPECT_EQ(alerts[0].value.find("cap-1"), std::string::npos) << "no event id in a governance alert";
  EXPECT_EQ(alerts[0].value.find("Ostrava"), std::string::npos) << "no personal data in a governance alert";
  EXPECT_EQ(audit_entries(*redis_, "cap_reached", "cap-test").size(), 1u);

  // The audit stream (create, approve, activate, cap_reached) is mirrored to Kafka.
  const auto mirrored = kafka_->receive(h.setup().audit, 4, 20s);
  std::set<std::string> actions;
  for (const auto& r : mirrored) {
    simdjson::dom::parser parser;
    actions.insert(std::string(parser.parse(r.value)["action"].get_string().value()));
  }
  EXPECT_EQ(actions, (std::set<std::string>{"create", "approve", "activate", "cap_reached"}));
}

TEST_F(ScreenerRulesTest, RuleExpiringMidStreamStopsAtItsTime) {
  ScreenerHarness h(*kafka_, *redis_, "ruleexpiry");
  h.start();
  const std::int64_t now = timefmt::now_ms();
  const std::int64_t expires = now + 6000;
  ASSERT_GT(h.activate_rule(payment_rule("expiry-test", "enforce", 100000, now, expires), now), 0u);
  ASSERT_TRUE(wait_generation(h, 1, 1)) << h.logs();

  // One payment every 100 ms until 3 s after the expiry.
  std::map<std::string, std::int64_t> sent_at;
  for (int i = 0; timefmt::now_ms() < expires + 3000; ++i) {
    const std::string id = "exp-" + std::to_string(i);
    sent_at[id] = timefmt::now_ms();
    kafka_->send(h.setup().payments, payment(id), id);
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(wait_screened(h, 1, sent_at.size())) << h.logs();
  std::set<std::string> flagged;
  for (const auto& f : rule_flags(*kafka_, h.setup().flags_topic("payments"), "expiry-test")) {
    flagged.insert(f.event_id);
    EXPECT_LT(f.published_at_ms, expires + 1000) << f.json;
  }
  int before = 0, after = 0;
  for (const auto& [id, at] : sent_at) {
    // Sent at or after the expiry means evaluated after it: never flagged. Sent more than a
    // second before it means evaluated before it (latency here is milliseconds): flagged.
    if (at >= expires) {
      ++after;
      EXPECT_EQ(flagged.count(id), 0u) << id << " was sent " << (at - expires) << " ms after the expiry";
    } else if (at < expires - 1000) {
      ++before;
      EXPECT_EQ(flagged.count(id), 1u) << id << " was sent " << (expires - at) << " ms before the expiry";
    }
  }
  // Sending waits for the broker's acknowledgement, so a loaded machine sends fewer than 10 a second.
  EXPECT_GE(before, 5);
  EXPECT_GE(after, 5);
  // The version left the active set and the expiry is audited once.
  ASSERT_TRUE(eventually([&] { return audit_entries(*redis_, "expire", "expiry-test").size() == 1; }, 5s));
  EXPECT_GE(screener_metric(h, 1, "crosscheck_rules_expired_total"), 1);
}

TEST_F(ScreenerRulesTest, ShadowRuleIsCountedAndFlagsNoOne) {
  constexpr int kEvents = 12;
  ScreenerHarness h(*kafka_, *redis_, "ruleshadow");
  h.start();
  const std::int64_t now = timefmt::now_ms();
  ASSERT_GT(h.activate_rule(payment_rule("shadow-test", "shadow", 1000, now, now + 30LL * 24 * 3600 * 1000), now), 0u);
  ASSERT_TRUE(wait_generation(h, 1, 1)) << h.logs();
  for (int i = 0; i < kEvents; ++i) kafka_->send(h.setup().payments, payment("sh-" + std::to_string(i)));
  ASSERT_TRUE(wait_screened(h, 1, kEvents)) << h.logs();
  EXPECT_EQ(screener_metric(h, 1, "crosscheck_rule_matches_total", "outcome=\"shadow\",rule=\"shadow-test\""), kEvents);
  EXPECT_EQ(screener_metric(h, 1, "crosscheck_rule_matches_total", "outcome=\"flagged\",rule=\"shadow-test\""), 0);
  for (const char* queue : {"payments", "border", "customs", "rule-governance"}) {
    EXPECT_TRUE(kafka_->receive_all(h.setup().flags_topic(queue), 3s).empty()) << "a shadow rule flagged on " << queue;
  }
}

TEST_F(ScreenerRulesTest, NewVersionActivatedLiveFlagsWithinTwoSeconds) {
  ScreenerHarness h(*kafka_, *redis_, "ruleswitch");
  h.start();
  std::int64_t now = timefmt::now_ms();
  const std::int64_t expires = now + 30LL * 24 * 3600 * 1000;
  ASSERT_EQ(h.activate_rule(payment_rule("switch-test", "enforce", 100000, now, expires, "low"), now), 1u);
  ASSERT_TRUE(wait_generation(h, 1, 1)) << h.logs();
  kafka_->send(h.setup().payments, payment("sw-first"), "sw-first");
  ASSERT_TRUE(wait_screened(h, 1, 1)) << h.logs();

  now = timefmt::now_ms();
  const std::int64_t activated_at = now;
  ASSERT_EQ(h.activate_rule(payment_rule("switch-test", "enforce", 100000, now, expires, "high"), now), 2u);
  std::map<std::string, std::int64_t> sent_at;
  for (int i = 0; timefmt::now_ms() < activated_at + 3500; ++i) {
    const std::string id = "sw-" + std::to_string(i);
    sent_at[id] = timefmt::now_ms();
    kafka_->send(h.setup().payments, payment(id), id);
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(wait_screened(h, 1, sent_at.size() + 1)) << h.logs();

  std::map<std::string, RuleFlag> by_event;
  for (auto& f : rule_flags(*kafka_, h.setup().flags_topic("payments"), "switch-test")) by_event[f.event_id] = f;
  ASSERT_EQ(by_event.count("sw-first"), 1u);
  EXPECT_EQ(by_event["sw-first"].rule_version, 1u);
  std::int64_t first_v2 = 0;
  for (const auto& [id, at] : sent_at) {
    ASSERT_EQ(by_event.count(id), 1u) << id << " was not flagged";
    const RuleFlag& f = by_event[id];
    if (f.rule_version == 2 && (first_v2 == 0 || f.published_at_ms < first_v2)) first_v2 = f.published_at_ms;
    if (at >= activated_at + 2000) {
      EXPECT_EQ(f.rule_version, 2u) << id << " sent " << (at - activated_at) << " ms after";
    }
    // The flag names the version's severity: the text that raised it.
    EXPECT_NE(f.json.find(f.rule_version == 2 ? R"("severity":"high")" : R"("severity":"low")"), std::string::npos);
  }
  ASSERT_GT(first_v2, 0) << "no flag carries the new version";
  EXPECT_LE(first_v2 - activated_at, 2000) << "the new version took longer than 2 s to flag";
  std::cout << "new version first flagged " << (first_v2 - activated_at) << " ms after activation\n";
}

}  // namespace
}  // namespace crosscheck::testing
