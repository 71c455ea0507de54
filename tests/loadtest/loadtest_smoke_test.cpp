// CI smoke of the end-to-end benchmark (loadtest/run --smoke): a ~10 s open-loop stream plus small
// bare-pipe and screener backlogs against the run's Kafka and Redis, with the repository's fixture
// lists and the 50 benchmark rules. It checks correctness only, never speed: the run completes, the
// flags and dead letters published equal what the screener's own screening step computes for the
// same seeded stream, every documented key of the summary is there, and the plot is a PNG.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "crosscheck/testing/child_process.h"
#include "crosscheck/testing/test_env.h"

namespace crosscheck::testing {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(LoadtestSmoke, RunCompletesAndCountsMatch) {
  CROSSCHECK_REQUIRE_KAFKA();
  CROSSCHECK_REQUIRE_REDIS();
  const std::string out = std::filesystem::temp_directory_path() / unique_name("loadtest-smoke");
  const std::string build = std::filesystem::path(bin_dir()).parent_path();
  auto [status, output] = run_command({source_dir() + "/loadtest/run", "--smoke", "--kafka", *kafka_bootstrap(),
                                       "--redis", *redis_address(), "--build", build, "--no-build", "--out", out},
                                      {}, std::chrono::minutes(9));
  ASSERT_EQ(status, 0) << output;

  const std::string json = read(out + "/summary.json");
  simdjson::dom::parser parser;
  simdjson::dom::element s;
  ASSERT_EQ(parser.parse(json).get(s), simdjson::SUCCESS) << json.substr(0, 500);

  // The stable keys of docs/loadtest.md, with the types the docs give them.
  for (const char* key : {"events", "throughput_eps", "baseline_throughput_eps", "ratio_to_baseline",
                          "cpu_us_per_event", "peak_rss_mb", "flags_expected", "flags_received", "dlq_expected",
                          "dlq_received"}) {
    simdjson::dom::element v;
    ASSERT_EQ(s.at_key(key).get(v), simdjson::SUCCESS) << "missing key " << key;
    EXPECT_TRUE(v.is_number()) << key << " is not a number: " << simdjson::to_string(v);
  }
  for (const char* key : {"p50", "p90", "p99", "p999", "max"}) {
    simdjson::dom::element v;
    ASSERT_EQ(s["latency_ms"].at_key(key).get(v), simdjson::SUCCESS) << "missing latency_ms." << key;
    EXPECT_TRUE(v.is_number()) << "latency_ms." << key;
  }

  // Correctness: what was published is what the screening step decides, and the stream exercised
  // both flags and dead letters.
  const std::uint64_t flags_expected = s["flags_expected"], flags_received = s["flags_received"];
  const std::uint64_t dlq_expected = s["dlq_expected"], dlq_received = s["dlq_received"];
  EXPECT_GT(flags_expected, 0u);
  EXPECT_GT(dlq_expected, 0u);
  EXPECT_EQ(flags_received, flags_expected);
  EXPECT_EQ(dlq_received, dlq_expected);
  EXPECT_TRUE(bool(s["counts_match"]));
  EXPECT_EQ(std::uint64_t(s["expectation"]["suppressed"]), 0u) << "a cap bound: the comparison would not be exact";
  // Every event of the offered stream was screened; the screener stopped cleanly.
  const std::uint64_t events = s["events"];
  EXPECT_EQ(std::uint64_t(s["phases"]["rate"]["processed"]), events);
  EXPECT_GT(events, 0u);
  EXPECT_GT(simdjson::dom::array(s["timeline"]).size(), 3u);
  // The screener's own librdkafka-derived metrics were exported (statistics every 5 s, the rate
  // phase lasts 12 s): the broker is up, every input partition has a lag series, no bad document.
  simdjson::dom::element m = s["phases"]["rate"]["screener_metrics"];
  ASSERT_EQ(simdjson::dom::array(m["kafka_brokers_up"]).size(), 1u);
  EXPECT_GE(double(simdjson::dom::array(m["kafka_brokers_up"]).at(0)), 1.0);
  EXPECT_EQ(std::int64_t(m["consumer_lag_series"]), 3 * 8);
  EXPECT_EQ(double(m["kafka_statistics_errors"]), 0.0);
  EXPECT_EQ(double(m["events_screened"]), static_cast<double>(events));

  const std::string png = read(out + "/timeline.png");
  ASSERT_GT(png.size(), 1000u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  std::filesystem::remove_all(out);
}

}  // namespace
}  // namespace crosscheck::testing
