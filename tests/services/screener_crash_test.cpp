// Robustness: the real screener is killed with SIGKILL mid-stream and restarted; every event
// must still produce its flags and dead letters, and the offsets must end up committed.
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "stream_plan.h"

namespace crosscheck::testing {
namespace {

TEST_F(ScreenerTest, SigkillMidStreamLosesNoEvent) {
  ScreenerHarness h(*kafka_, *redis_, "kill", kSmallEventLimit);
  h.publish(make_test_list("kill-list"));
  const StreamPlan plan = make_plan(h.setup(), 10000, "kill", 11);
  const std::size_t half = plan.inputs.size() / 2;
  const std::vector<Input> first(plan.inputs.begin(), plan.inputs.begin() + static_cast<long>(half));
  const std::vector<Input> second(plan.inputs.begin() + static_cast<long>(half), plan.inputs.end());

  const std::size_t a = h.start();
  send_plan(*kafka_, first);
  ASSERT_TRUE(eventually([&] { return count_flags(*kafka_, h.setup()) > 0; }, std::chrono::seconds(60))) << h.logs();
  const std::size_t flags_at_kill = count_flags(*kafka_, h.setup());
  h.process(a).signal(SIGKILL);
  const auto killed = h.process(a).wait(std::chrono::seconds(10));
  ASSERT_TRUE(killed.has_value());
  EXPECT_EQ(*killed, 128 + SIGKILL);
  std::cout << "killed after " << flags_at_kill << " of " << plan.expected_flags.size() << " flags\n";

  // Events keep arriving while no screener runs.
  send_plan(*kafka_, second);
  const std::size_t b = h.start();

  std::set<FlagKey> keys;
  ASSERT_TRUE(eventually(
      [&] {
        keys.clear();
        for (const auto& f : all_flags(*kafka_, h.setup())) keys.insert(f.key);
        return keys.size() >= plan.expected_flags.size();
      },
      std::chrono::seconds(120)))
      << "unique flags " << keys.size() << " of " << plan.expected_flags.size() << "\n" << h.logs();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  keys.clear();
  std::map<std::string, FlagKey> by_id;
  for (const auto& f : all_flags(*kafka_, h.setup())) {
    keys.insert(f.key);
    // Redelivered events produce the same flag id for the same finding.
    auto [it, inserted] = by_id.emplace(f.flag_id, f.key);
    if (!inserted) {
      EXPECT_EQ(it->second, f.key);
    }
  }
  EXPECT_EQ(keys, plan.expected_flags);
  EXPECT_EQ(by_id.size(), plan.expected_flags.size());

  std::set<std::string> dead_originals;
  ASSERT_TRUE(eventually(
      [&] {
        dead_originals = dead_letter_originals(*kafka_, h.setup());
        return dead_originals.size() >= plan.expected_dlq.size();
      },
      std::chrono::seconds(60)))
      << "dead letters " << dead_originals.size() << " of " << plan.expected_dlq.size();
  for (const auto& [payload, reason] : plan.expected_dlq) {
    EXPECT_TRUE(dead_originals.count(payload)) << reason << " missing: " << payload.substr(0, 120);
  }

  h.process(b).signal(SIGTERM);
  ASSERT_EQ(h.process(b).wait(std::chrono::seconds(60)).value_or(-1), 0) << h.logs();
  expect_offsets_committed(*kafka_, h.setup());
}

}  // namespace
}  // namespace crosscheck::testing
