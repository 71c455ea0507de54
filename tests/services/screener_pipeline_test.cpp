// End-to-end tests of the real crosscheck-screener binary against the real Kafka broker and
// Redis that tests/run starts: exact flags for a mixed stream with dead letters for every kind of
// malformed input, and live watchlist changes.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <csignal>
#include <thread>

#include "crosscheck/schemas/output_records.h"
#include "stream_plan.h"

namespace crosscheck::testing {
namespace {

TEST_F(ScreenerTest, MixedStreamGivesExactlyTheExpectedFlagsAndDeadLetters) {
  ScreenerHarness h(*kafka_, *redis_, "mixed", kSmallEventLimit);
  ASSERT_EQ(h.publish(make_test_list("it-list")), 1u);
  const StreamPlan plan = make_plan(h.setup(), 10000, "mixed", 7);
  ASSERT_GE(plan.inputs.size(), 10000u);
  ASSERT_GE(plan.malformed_kinds.size(), 5u);
  ASSERT_GT(plan.expected_flags.size(), 300u);

  const std::size_t s = h.start();
  ASSERT_TRUE(h.process(s).running());
  send_plan(*kafka_, plan.inputs);

  ASSERT_TRUE(eventually([&] { return count_flags(*kafka_, h.setup()) >= plan.expected_flags.size(); },
                         std::chrono::seconds(120)))
      << "flags so far: " << count_flags(*kafka_, h.setup()) << " of " << plan.expected_flags.size() << "\n" << h.logs();
  const auto dlq_expected = plan.expected_dlq.size();
  ASSERT_TRUE(eventually(
      [&] {
        std::size_t n = 0;
        for (const auto& [p, hw] : kafka_->high_watermarks(h.setup().deadletter)) n += static_cast<std::size_t>(hw);
        return n >= dlq_expected;
      },
      std::chrono::seconds(60)));
  // Let anything extra arrive before comparing.
  std::this_thread::sleep_for(std::chrono::seconds(2));

  const auto flags = all_flags(*kafka_, h.setup());
  std::set<std::string> ids;
  std::set<FlagKey> keys;
  for (const auto& f : flags) {
    EXPECT_TRUE(ids.insert(f.flag_id).second) << "duplicate flag id " << f.flag_id;
    keys.insert(f.key);
    EXPECT_EQ(f.list_version, 1u);
  }
  EXPECT_EQ(flags.size(), plan.expected_flags.size());
  EXPECT_EQ(keys, plan.expected_flags);

  const auto dead = kafka_->receive_all(h.setup().deadletter);
  EXPECT_EQ(dead.size(), dlq_expected);
  std::set<std::string> seen_payloads;
  for (const auto& r : dead) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc = parser.parse(r.value);
    std::string original;
    ASSERT_TRUE(schemas::base64_decode(doc["original_base64"].get_string().value(), original));
    auto it = plan.expected_dlq.find(original);
    ASSERT_NE(it, plan.expected_dlq.end()) << "unexpected dead letter: " << r.value;
    std::set<std::string> reasons;
    for (auto reason : doc["reasons"].get_array()) reasons.insert(std::string(reason["code"].get_string().value()));
    EXPECT_TRUE(reasons.count(it->second)) << "expected reason " << it->second << " in " << r.value;
    EXPECT_FALSE(std::string(doc["reasons"].at(0)["message"].get_string().value()).empty());
    seen_payloads.insert(original);
  }
  EXPECT_EQ(seen_payloads.size(), dlq_expected);

  // The metrics show the run: latency histogram and counters.
  const auto [status, metrics] = http_get(h.http_port(s), "/metrics");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(metric_sum(metrics, "crosscheck_events_consumed_total"), static_cast<double>(plan.inputs.size()));
  EXPECT_EQ(metric_sum(metrics, "crosscheck_flags_published_total"), static_cast<double>(plan.expected_flags.size()));
  EXPECT_GE(metric_sum(metrics, "crosscheck_deadletter_records_total"), static_cast<double>(dlq_expected));
  EXPECT_GT(metric_sum(metrics, "crosscheck_deadletter_records_total", "reason=\"oversized\""), 0);
  EXPECT_EQ(metric_sum(metrics, "crosscheck_end_to_end_latency_seconds_count"), static_cast<double>(plan.inputs.size()));
  EXPECT_EQ(metric_sum(metrics, "crosscheck_end_to_end_latency_seconds_count", "outcome=\"flagged\""),
            static_cast<double>(std::set<std::string>([&] {
                          std::set<std::string> ev;
                          for (const auto& k : plan.expected_flags) ev.insert(std::get<0>(k));
                          return ev;
                        }()).size()));
  EXPECT_GT(metric_sum(metrics, "crosscheck_end_to_end_latency_seconds_bucket", "le=\"+Inf\""), 0);
  EXPECT_EQ(metric_sum(metrics, "crosscheck_watchlist_version", "list=\"it-list\""), 1);
  EXPECT_EQ(metric_sum(metrics, "crosscheck_watchlist_entries", "list=\"it-list\""), 70);

  // SIGTERM drains, commits and exits 0.
  h.process(s).signal(SIGTERM);
  const auto code = h.process(s).wait(std::chrono::seconds(60));
  ASSERT_TRUE(code.has_value()) << h.logs();
  EXPECT_EQ(*code, 0) << h.logs();
  expect_offsets_committed(*kafka_, h.setup());
}

TEST_F(ScreenerTest, WatchlistChangeInRedisIsFlaggedWithinTwoSecondsWithoutRestart) {
  ScreenerHarness h(*kafka_, *redis_, "live");
  rules::Watchlist list = make_test_list("live-list");
  h.publish(list);
  const std::size_t s = h.start();
  const PersonSpec newcomer{"NEWCOMER", "LIVEADDED", "1979-03-03", "ESP", "LV7700123"};

  // Before the change: not listed, so no flag.
  kafka_->send(h.setup().itineraries, itinerary_json("before-change", {newcomer}));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  for (const auto& f : all_flags(*kafka_, h.setup())) EXPECT_NE(std::get<0>(f.key), "before-change");

  rules::WatchlistEntry added;
  added.id = "P-LIVE";
  added.type = rules::EntityType::kPerson;
  added.names = {"Liveadded Newcomer"};
  added.documents = {{"passport", "LV7700123", "ESP"}};
  list.entries.push_back(added);
  const auto changed_at = std::chrono::steady_clock::now();
  ASSERT_EQ(h.publish(list), 2u);

  // Send one event every 100 ms for 4 s; every event sent 2 s or more after the change must be flagged.
  std::vector<std::pair<std::string, std::chrono::milliseconds>> sent;
  for (int k = 0; k < 40; ++k) {
    const std::string id = "after-change-" + std::to_string(k);
    kafka_->send(h.setup().itineraries, itinerary_json(id, {newcomer}));
    sent.emplace_back(id, std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - changed_at));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::map<std::string, ReceivedFlag> flagged;
  ASSERT_TRUE(eventually(
      [&] {
        flagged.clear();
        for (auto& f : all_flags(*kafka_, h.setup())) flagged.emplace(std::get<0>(f.key), f);
        return flagged.count(sent.back().first) != 0;
      },
      std::chrono::seconds(30)))
      << h.logs();
  std::chrono::milliseconds first_flagged{-1};
  for (const auto& [id, at] : sent) {
    const bool was_flagged = flagged.count(id) != 0;
    if (was_flagged && first_flagged.count() < 0) first_flagged = at;
    if (at >= std::chrono::milliseconds(2000)) {
      EXPECT_TRUE(was_flagged) << id << " sent " << at.count() << " ms after the change";
    }
    if (was_flagged) {
      EXPECT_EQ(flagged.at(id).list_version, 2u);
      EXPECT_EQ(std::get<3>(flagged.at(id).key), "P-LIVE");
    }
  }
  EXPECT_GE(first_flagged.count(), 0);
  EXPECT_LE(first_flagged.count(), 2000) << "first flag for the new entry came from an event sent "
                                         << first_flagged.count() << " ms after the change";
  EXPECT_EQ(flagged.count("before-change"), 0u);
  EXPECT_TRUE(h.process(s).running()) << "the screener restarted or died";
  std::cout << "first event flagged after the change was sent " << first_flagged.count() << " ms after publication\n";
}

}  // namespace
}  // namespace crosscheck::testing
