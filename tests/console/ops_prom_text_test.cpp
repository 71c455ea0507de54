// The Prometheus text-format parser of the operations dashboard: what prometheus-cpp (the
// screeners' exporter) writes round-trips, the grammar's corners are read as Prometheus reads
// them, and hostile input is refused with a line number, never a crash or a partial result.
#include "crosscheck/console/prom_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "crosscheck/testing/test_env.h"

namespace crosscheck::console {
namespace {

using ::testing::HasSubstr;

std::string error_of(std::string_view text, const PromParseLimits& limits = {}) {
  auto r = parse_prom_text(text, limits);
  EXPECT_FALSE(r.ok()) << "accepted: " << std::string(text.substr(0, 200));
  return r.ok() ? std::string() : r.error().message();
}

const PromSample* find(const PromExposition& e, std::string_view name, std::string_view label = {},
                       std::string_view value = {}) {
  for (const auto& s : e.samples) {
    if (s.name != name) continue;
    if (label.empty()) return &s;
    const auto* v = s.label(label);
    if (v == nullptr) continue;
    // Bucket bounds are numbers, whatever digits the writer used.
    if (label == "le" ? parse_prom_value(*v) == parse_prom_value(value) : *v == value) return &s;
  }
  return nullptr;
}

TEST(PromText, ReadsWhatPrometheusCppWrites) {
  prometheus::Registry registry;
  auto& consumed = prometheus::BuildCounter().Name("crosscheck_events_consumed_total").Help("Records consumed.").Register(registry);
  consumed.Add({{"topic", "transit.itineraries"}}).Increment(41);
  consumed.Add({{"topic", "odd \"topic\"\\name\nline"}}).Increment(2);
  prometheus::BuildGauge().Name("crosscheck_redis_up").Help("up").Register(registry).Add({}).Set(1);
  auto& hist = prometheus::BuildHistogram().Name("crosscheck_end_to_end_latency_seconds").Help("latency").Register(registry);
  auto& h = hist.Add({{"outcome", "flagged"}}, prometheus::Histogram::BucketBoundaries{0.001, 0.01, 0.1});
  h.Observe(0.0005);
  h.Observe(0.05);
  h.Observe(3);
  const std::string text = prometheus::TextSerializer().Serialize(registry.Collect());

  auto parsed = parse_prom_text(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message() << "\n" << text;
  const auto& e = *parsed;
  EXPECT_EQ(e.types.at("crosscheck_events_consumed_total"), PromType::kCounter);
  EXPECT_EQ(e.types.at("crosscheck_redis_up"), PromType::kGauge);
  EXPECT_EQ(e.types.at("crosscheck_end_to_end_latency_seconds"), PromType::kHistogram);

  const auto* itin = find(e, "crosscheck_events_consumed_total", "topic", "transit.itineraries");
  ASSERT_NE(itin, nullptr) << text;
  EXPECT_EQ(itin->value, 41);
  // The escapes came back as the original characters.
  const auto* odd = find(e, "crosscheck_events_consumed_total", "topic", "odd \"topic\"\\name\nline");
  ASSERT_NE(odd, nullptr) << text;
  EXPECT_EQ(odd->value, 2);

  const auto* inf = find(e, "crosscheck_end_to_end_latency_seconds_bucket", "le", "+Inf");
  ASSERT_NE(inf, nullptr) << text;
  EXPECT_EQ(inf->value, 3);
  EXPECT_EQ(*inf->label("outcome"), "flagged");
  const auto* le01 = find(e, "crosscheck_end_to_end_latency_seconds_bucket", "le", "0.1");
  ASSERT_NE(le01, nullptr) << text;
  EXPECT_EQ(le01->value, 2);
  const auto* sum = find(e, "crosscheck_end_to_end_latency_seconds_sum");
  ASSERT_NE(sum, nullptr);
  EXPECT_DOUBLE_EQ(sum->value, 3.0505);
  EXPECT_EQ(find(e, "crosscheck_redis_up")->value, 1);
}

TEST(PromText, GrammarCorners) {
  const std::string text =
      "# a free comment\n"
      "# HELP m_total Help text with \\ and \" and {braces}\n"
      "# TYPE m_total counter\n"
      "\n"
      "   \t\n"
      "m_total 1\n"
      "m_total{} 2\n"
      "m_total { a = \"x\" , b=\"y\", } 3 1700000000000\r\n"
      "  m_total{a=\"\"}\t+4.5e2\n"
      "nan_metric NaN\n"
      "pinf +Inf\n"
      "ninf -Inf\n"
      "plain_inf Inf\n"
      "neg -0.25\n"
      "leading_dot .5\n"
      "ns:colon_name{le=\"+Inf\"} 7 -12\n"
      "utf8{name=\"Müller-Żółć 北京\"} 1";  // no newline at the end
  auto parsed = parse_prom_text(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  const auto& s = parsed->samples;
  ASSERT_EQ(s.size(), 12u);
  EXPECT_EQ(s[0].value, 1);
  EXPECT_TRUE(s[0].labels.empty());
  EXPECT_TRUE(s[1].labels.empty());
  ASSERT_EQ(s[2].labels.size(), 2u);
  EXPECT_EQ(s[2].labels[0], (PromLabel{"a", "x"}));
  EXPECT_EQ(s[2].labels[1], (PromLabel{"b", "y"}));
  EXPECT_EQ(s[2].timestamp_ms, 1700000000000);
  EXPECT_EQ(s[3].value, 450);
  EXPECT_EQ(*s[3].label("a"), "");
  EXPECT_TRUE(std::isnan(s[4].value));
  EXPECT_EQ(s[5].value, INFINITY);
  EXPECT_EQ(s[6].value, -INFINITY);
  EXPECT_EQ(s[7].value, INFINITY);
  EXPECT_EQ(s[8].value, -0.25);
  EXPECT_EQ(s[9].value, 0.5);
  EXPECT_EQ(s[10].name, "ns:colon_name");
  EXPECT_EQ(s[10].timestamp_ms, -12);
  EXPECT_EQ(*s[11].label("name"), "Müller-Żółć 北京");
  EXPECT_EQ(parsed->types.size(), 1u);
}

TEST(PromText, TheFuzzSeedsParse) {
  // A real screener's /metrics and the hand-written corners (services/console/fuzz/seeds).
  for (const char* name : {"screener-metrics-sample.txt", "corners.txt"}) {
    SCOPED_TRACE(name);
    std::ifstream in(testing::source_dir() + "/services/console/fuzz/seeds/" + name);
    ASSERT_TRUE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = parse_prom_text(ss.str());
    ASSERT_TRUE(parsed.ok()) << parsed.error().message();
    EXPECT_GT(parsed->samples.size(), 10u);
  }
}

TEST(PromText, EmptyInputIsAnEmptyExposition) {
  auto parsed = parse_prom_text("");
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->samples.empty());
  auto comments = parse_prom_text("# only\n# comments\n\n");
  ASSERT_TRUE(comments.ok());
  EXPECT_TRUE(comments->samples.empty());
}

TEST(PromText, ValueTokens) {
  for (const char* good : {"0", "1", "-1", "+1", "1.5", "1e3", "1E-3", "1.e2", ".5", "NaN", "nan", "+Inf", "-inf",
                           "Infinity", "12345678901234567890"}) {
    EXPECT_TRUE(parse_prom_value(good).has_value()) << good;
  }
  for (const char* bad : {"", "+", "-", ".", "e5", "1e", "0x10", "1,5", "--1", "+-1", "-NaN", "nan(1)", "1 2", "inf1",
                          "1e99999", "１", "true"}) {
    EXPECT_FALSE(parse_prom_value(bad).has_value()) << bad;
  }
}

TEST(PromText, HostileInputIsRefusedWithTheLineNumber) {
  struct Case {
    std::string text;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"ok 1\nbad{a=\"x} 1\n", "line 2: unterminated label value"},
      {"bad{a=\"x\" 1\n", "line 1: expected ',' or '}'"},
      {"bad{a=\"x\",\n", "line 1: unterminated label set"},
      {"bad{a=x} 1", "line 1: a label value must be quoted"},
      {"bad{a} 1", "line 1: expected '='"},
      {"bad{=\"x\"} 1", "line 1: invalid label name"},
      {"bad{1a=\"x\"} 1", "line 1: invalid label name"},
      {"bad{a=\"\\t\"} 1", "line 1: invalid escape"},
      {"bad{a=\"x\\", "line 1: unterminated label value"},
      {"bad{a=\"1\",a=\"2\"} 1", "line 1: duplicate label name"},
      {"bad{a=\"\xff\"} 1", "line 1: a label value is not valid UTF-8"},
      {"bad{a=\"\xc0\xaf\"} 1", "not valid UTF-8"},       // overlong '/'
      {"bad{a=\"\xed\xa0\x80\"} 1", "not valid UTF-8"},   // a surrogate
      {"bad{a=\"\xe2\x82\"} 1", "not valid UTF-8"},       // truncated
      {"bad", "line 1: a sample needs a value"},
      {"bad{}", "line 1: a sample needs a value"},
      {"bad one", "line 1: the value is not a number"},
      {"bad 1 2 3", "line 1: unexpected text after the timestamp"},
      {"bad 1 1.5", "line 1: the timestamp is not an integer"},
      {"bad 1 99999999999999999999", "line 1: the timestamp is not an integer"},
      {"1bad 1", "line 1: a sample must start with a metric name"},
      {"b-ad 1", "line 1: the value is not a number"},
      {"{a=\"x\"} 1", "line 1: a sample must start with a metric name"},
      {"# TYPE\n", "line 1: # TYPE needs a metric name"},
      {"# TYPE m\n", "unknown metric type"},
      {"# TYPE m countr\n", "unknown metric type"},
      {"# TYPE m counter extra\n", "unexpected text after the type"},
      {"# TYPE m counter\n# TYPE m gauge\n", "line 2: a second # TYPE line"},
      {"# HELP 9m x\n", "line 1: # HELP needs a metric name"},
      {"# HELP m-x y\n", "invalid character in the metric name"},
      {std::string("bad\0name 1", 10), "line 1: the value is not a number"},
      {"a 1\nb 2\n\nc{x=\"y\"}} 3\n", "line 4: the value is not a number"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const std::string message = error_of(c.text);
    EXPECT_THAT(message, HasSubstr(c.says));
  }
}

TEST(PromText, ErrorsDoNotEchoTheInput) {
  const std::string secret(5000, 'Z');
  const std::string message = error_of("m{a=\"" + secret + "\\q\"} 1");
  EXPECT_THAT(message, HasSubstr("invalid escape"));
  EXPECT_LT(message.size(), 200u) << message;
}

TEST(PromText, LimitsAreEnforced) {
  PromParseLimits limits;
  limits.max_bytes = 64;
  EXPECT_THAT(error_of(std::string(65, '#'), limits), HasSubstr("at most 64"));
  EXPECT_TRUE(parse_prom_text(std::string(64, '#'), limits).ok());

  limits = PromParseLimits{};
  limits.max_samples = 3;
  EXPECT_TRUE(parse_prom_text("a 1\nb 2\nc 3\n", limits).ok());
  EXPECT_THAT(error_of("a 1\nb 2\nc 3\nd 4\n", limits), HasSubstr("line 4: more than 3 samples"));

  limits = PromParseLimits{};
  limits.max_labels_per_sample = 2;
  EXPECT_TRUE(parse_prom_text("m{a=\"1\",b=\"2\"} 1", limits).ok());
  EXPECT_THAT(error_of("m{a=\"1\",b=\"2\",c=\"3\"} 1", limits), HasSubstr("more than 2 labels"));

  limits = PromParseLimits{};
  limits.max_name_bytes = 8;
  EXPECT_THAT(error_of("abcdefghi 1", limits), HasSubstr("metric name longer than 8"));
  EXPECT_THAT(error_of("m{abcdefghi=\"x\"} 1", limits), HasSubstr("label name longer than 8"));
  EXPECT_THAT(error_of("# TYPE abcdefghi gauge", limits), HasSubstr("metric name longer than 8"));

  limits = PromParseLimits{};
  limits.max_label_value_bytes = 4;
  EXPECT_TRUE(parse_prom_text("m{a=\"abcd\"} 1", limits).ok());
  EXPECT_THAT(error_of("m{a=\"abcde\"} 1", limits), HasSubstr("label value longer than 4"));
  // Escapes count as the character they stand for.
  EXPECT_TRUE(parse_prom_text("m{a=\"\\\\\\\\\\\\\\\\\"} 1", limits).ok());
}

TEST(PromText, RandomBytesNeverCrash) {
  // A cheap stand-in for the fuzzer (services/console/fuzz) in every test run: mutations of a
  // valid exposition and pure noise either parse or fail with a message.
  const std::string base =
      "# TYPE x_total counter\nx_total{topic=\"a\",le=\"+Inf\"} 12 1700000000000\n# HELP y y\ny -Inf\n";
  std::mt19937 rng(20261204);
  std::size_t accepted = 0, refused = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text = base;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      const std::size_t pos = rng() % (text.size() + 1);
      switch (rng() % 3) {
        case 0: text.insert(pos, 1, static_cast<char>(rng() % 256)); break;
        case 1: if (pos < text.size()) text.erase(pos, 1); break;
        default: if (pos < text.size()) text[pos] = static_cast<char>(rng() % 256); break;
      }
    }
    auto r = parse_prom_text(text);
    if (r.ok()) {
      ++accepted;
    } else {
      ++refused;
      EXPECT_THAT(r.error().message(), HasSubstr("line ")) << text;
    }
  }
  // Both outcomes occur: the mutations are neither all harmless nor all fatal.
  EXPECT_GT(accepted, 100u);
  EXPECT_GT(refused, 100u);
}

}  // namespace
}  // namespace crosscheck::console
