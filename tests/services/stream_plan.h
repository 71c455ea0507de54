// A deterministic mixed stream for end-to-end tests: events of all three kinds with known
// watchlist hits and ten kinds of malformed input, plus helpers to read back and check what the
// screener produced.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "crosscheck/rules/watchlist.h"
#include "crosscheck/testing/kafka_test_env.h"
#include "crosscheck/testing/redis_test_env.h"
#include "crosscheck/testing/test_env.h"
#include "screener_harness.h"

namespace crosscheck::testing {

// The plan's oversized records are 9 KB; a small limit makes them dead letters.
extern const char* const kSmallEventLimit;

using FlagKey = std::tuple<std::string, std::string, int, std::string>;  // event, role, index, entry

struct Input {
  std::string topic;
  std::string payload;
};

struct StreamPlan {
  std::vector<Input> inputs;
  std::set<FlagKey> expected_flags;
  std::map<std::string, std::string> expected_dlq;  // original payload -> reason code
  std::set<std::string> malformed_kinds;
};

// 40 persons, 20 organisations with IBANs, 10 vessels with IMO numbers, all fictional.
rules::Watchlist make_test_list(const std::string& list_id);
// `count` events (2 % malformed, about 4 % with a hit), reproducible from `seed`.
StreamPlan make_plan(const ScreenerSetup& s, int count, const std::string& tag, unsigned seed);
void send_plan(KafkaTestEnv& kafka, const std::vector<Input>& inputs);

struct ReceivedFlag {
  std::string flag_id;
  FlagKey key;
  std::uint64_t list_version = 0;
  std::string json;
};
ReceivedFlag decode_flag(const ReceivedRecord& r);
std::vector<ReceivedFlag> all_flags(KafkaTestEnv& kafka, const ScreenerSetup& s);
// Records in the three flag topics, from their high watermarks (cheap; counts duplicates).
std::size_t count_flags(KafkaTestEnv& kafka, const ScreenerSetup& s);
// The originals of every dead-letter record.
std::set<std::string> dead_letter_originals(KafkaTestEnv& kafka, const ScreenerSetup& s);
void expect_offsets_committed(KafkaTestEnv& kafka, const ScreenerSetup& s);

class ScreenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CROSSCHECK_REQUIRE_KAFKA();
    CROSSCHECK_REQUIRE_REDIS();
    kafka_ = std::make_unique<KafkaTestEnv>(*kafka_bootstrap());
    redis_ = std::make_unique<RedisTestEnv>(*redis_address());
  }
  std::unique_ptr<KafkaTestEnv> kafka_;
  std::unique_ptr<RedisTestEnv> redis_;
};

}  // namespace crosscheck::testing
