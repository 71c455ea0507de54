// End-to-end tests of the real crosscheck-screener binary against the real Kafka broker and
// Redis that tests/run starts: exact flags for a mixed stream, dead letters for every kind of
// malformed input, at-least-once across SIGKILL, and live watchlist changes.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <csignal>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include "crosscheck/schemas/output_records.h"
#include "crosscheck/testing/test_env.h"
#include "crosscheck/time_format.h"
#include "screener_harness.h"

namespace crosscheck::testing {
namespace {

// The plan's oversized records are 9 KB; a small limit makes them dead letters.
const char* const kSmallEventLimit = "screening:\n  max_event_bytes: 8192\n";

using FlagKey = std::tuple<std::string, std::string, int, std::string>;  // event, role, index, entry

struct Input {
  std::string topic;
  std::string payload;
};

struct Malformed {
  std::string payload;
  std::string reason;  // the reason code the dead-letter record must carry
};

// A deterministic stream with known hits and known malformed records.
struct StreamPlan {
  std::vector<Input> inputs;
  std::set<FlagKey> expected_flags;
  std::map<std::string, std::string> expected_dlq;  // original payload -> reason code
  std::set<std::string> malformed_kinds;
};

rules::Watchlist make_test_list(const std::string& list_id) {
  rules::Watchlist list;
  list.list_id = list_id;
  list.name = "integration test list (fictional)";
  list.source = "tests/services";
  for (int i = 0; i < 40; ++i) {
    rules::WatchlistEntry e;
    e.id = "P" + std::to_string(i);
    e.type = rules::EntityType::kPerson;
    e.names = {"Listedperson" + std::to_string(i) + " Testcase"};
    e.dates_of_birth = {"1970-01-01"};
    e.nationalities = {"FRA"};
    e.documents = {{"passport", "LT" + std::to_string(1000000 + i), "FRA"}};
    list.entries.push_back(e);
  }
  for (int i = 0; i < 20; ++i) {
    rules::WatchlistEntry e;
    e.id = "O" + std::to_string(i);
    e.type = rules::EntityType::kOrganization;
    e.names = {"Listed Trading House " + std::to_string(i)};
    e.ibans = {make_iban("DE", "5000000000" + std::to_string(10000000 + i))};
    list.entries.push_back(e);
  }
  for (int i = 0; i < 10; ++i) {
    rules::WatchlistEntry e;
    e.id = "V" + std::to_string(i);
    e.type = rules::EntityType::kVessel;
    e.names = {"MV LISTED " + std::to_string(i)};
    e.imo = make_imo(1000 + i);
    list.entries.push_back(e);
  }
  return list;
}

StreamPlan make_plan(const ScreenerSetup& s, int count, const std::string& tag, unsigned seed) {
  StreamPlan plan;
  std::mt19937 rng(seed);
  auto clean_person = [&](int i, int k) {
    return PersonSpec{"TRAVELLER" + std::to_string(k), "CLEANPERSON" + std::to_string(i), "1988-07-14", "ITA",
                      "CL" + std::to_string(2000000 + i * 7 + k)};
  };
  const std::vector<std::string> oversize_pad(1, std::string(9000, 'x'));
  int malformed_index = 0;
  for (int i = 0; i < count; ++i) {
    const std::string id = tag + "-" + std::to_string(i);
    if (i % 50 == 25) {  // 2 % malformed, cycling through ten kinds
      Malformed m;
      switch (malformed_index++ % 10) {
        case 0: m = {R"({"schema_version":"1.0","event_id":")" + id + R"(","passengers":[)", "json_syntax"}; break;
        case 1: m = {"", "empty_payload"}; break;
        case 2: m = {R"({"schema_version":"1.0","event_id":")" + id + R"(","event_time":"2026-11-21T08:00:00Z"})", "missing_field"}; break;
        case 3: {
          std::string p = payment_json(id, "A Debtor", make_iban("DE", "500000000099999999"), "A Creditor",
                                       make_iban("NL", "ABNA0417164300"));
          const auto pos = p.find(R"("value":"2500.00")");
          p.replace(pos, 17, R"("value":2500.00)");
          m = {p, "wrong_type"};
          break;
        }
        case 4: {
          // Built after serialisation: the JSON writer would repair the bytes.
          std::string p = itinerary_json(id, {clean_person(i, 0)});
          p.replace(p.find("TRAVELLER0"), 10, "TRAVELLER\xC3\x28");
          m = {p, "invalid_utf8"};
          break;
        }
        case 5: {
          std::string p = itinerary_json(id, {clean_person(i, 0)});
          p.insert(p.size() - 1, R"(,"remarks":")" + oversize_pad[0] + "\"");
          m = {p, "oversized"};
          break;
        }
        case 6: {
          std::string p = itinerary_json(id, {clean_person(i, 0)});
          p.insert(1, R"("event_id":"dup",)");
          m = {p, "duplicate_key"};
          break;
        }
        case 7: {
          std::string p = itinerary_json(id, {clean_person(i, 0)});
          p.replace(p.find("\"1.0\""), 5, "\"2.0\"");
          m = {p, "unsupported_schema_version"};
          break;
        }
        case 8: {
          PersonSpec bad = clean_person(i, 0);
          bad.date_of_birth = "1980-02-30";
          m = {itinerary_json(id, {bad}), "invalid_value"};
          break;
        }
        default: m = {"[1,2,3]", "not_an_object"}; break;
      }
      // Payloads must be distinct to map dead letters back to inputs.
      if (m.payload.empty() && plan.expected_dlq.count("") != 0) m = {"[" + std::to_string(i) + "]", "not_an_object"};
      if (m.payload == "[1,2,3]") m.payload = "[" + std::to_string(i) + "]";
      plan.malformed_kinds.insert(m.reason);
      plan.expected_dlq[m.payload] = m.reason;
      plan.inputs.push_back({m.reason == "wrong_type" ? s.payments : s.itineraries, m.payload});
      continue;
    }
    const bool hit = i % 25 == 3;
    switch (i % 3) {
      case 0: {  // itinerary, 1-4 passengers
        const int n = 1 + static_cast<int>(rng() % 4);
        std::vector<PersonSpec> pax;
        for (int k = 0; k < n; ++k) pax.push_back(clean_person(i, k));
        if (hit) {
          const int k = static_cast<int>(rng() % n);
          const int e = static_cast<int>(rng() % 40);
          switch (rng() % 3) {
            case 0: pax[k].document = "LT" + std::to_string(1000000 + e); break;  // document only
            case 1: pax[k].given_names = "LISTEDPERSON" + std::to_string(e); pax[k].surname = "TESTCASE"; break;
            default:
              pax[k].document = "LT" + std::to_string(1000000 + e);
              pax[k].given_names = "Listedperson" + std::to_string(e);
              pax[k].surname = "Testcase";
          }
          plan.expected_flags.insert({id, "passenger", k, "P" + std::to_string(e)});
        }
        plan.inputs.push_back({s.itineraries, itinerary_json(id, pax)});
        break;
      }
      case 1: {  // manifest
        std::string consignee = "Clean Importer " + std::to_string(i);
        std::string imo = make_imo(20000 + i);
        if (hit) {
          const int e = static_cast<int>(rng() % 10);
          if (rng() % 2 == 0) {
            consignee = "Listed Trading House " + std::to_string(e);
            plan.expected_flags.insert({id, "consignee", 0, "O" + std::to_string(e)});
          } else {
            imo = make_imo(1000 + e);
            plan.expected_flags.insert({id, "conveyance", 0, "V" + std::to_string(e)});
          }
        }
        plan.inputs.push_back({s.manifests, manifest_json(id, "Clean Exporter " + std::to_string(i), consignee, imo)});
        break;
      }
      default: {  // payment
        std::string creditor_iban = make_iban("NL", "INGB" + std::to_string(1000000000 + i));
        std::string debtor = "Clean Debtor " + std::to_string(i);
        if (hit) {
          const int e = static_cast<int>(rng() % 20);
          if (rng() % 2 == 0) {
            creditor_iban = make_iban("DE", "5000000000" + std::to_string(10000000 + e));
            plan.expected_flags.insert({id, "creditor", 0, "O" + std::to_string(e)});
          } else {
            debtor = "Listed Trading House " + std::to_string(e);
            plan.expected_flags.insert({id, "debtor", 0, "O" + std::to_string(e)});
          }
        }
        plan.inputs.push_back({s.payments, payment_json(id, debtor, make_iban("DE", "37040044" + std::to_string(1000000000 + i)),
                                                        "Clean Creditor " + std::to_string(i), creditor_iban)});
      }
    }
  }
  return plan;
}

void send_plan(KafkaTestEnv& kafka, const std::vector<Input>& inputs) {
  std::map<std::string, std::vector<std::string>> by_topic;
  for (const auto& in : inputs) by_topic[in.topic].push_back(in.payload);
  for (const auto& [topic, values] : by_topic) kafka.send_all(topic, values);
}

struct ReceivedFlag {
  std::string flag_id;
  FlagKey key;
  std::uint64_t list_version = 0;
  std::string json;
};

ReceivedFlag decode_flag(const ReceivedRecord& r) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(r.value);
  ReceivedFlag f;
  f.flag_id = std::string(doc["flag_id"].get_string().value());
  f.key = {std::string(doc["source"]["event_id"].get_string().value()), std::string(doc["subject"]["role"].get_string().value()),
           static_cast<int>(doc["subject"]["index"].get_int64().value()),
           std::string(doc["watchlist"]["entry_id"].get_string().value())};
  f.list_version = doc["watchlist"]["list_version"].get_uint64().value();
  f.json = std::string(r.value);
  return f;
}

std::vector<ReceivedFlag> all_flags(KafkaTestEnv& kafka, const ScreenerSetup& s) {
  std::vector<ReceivedFlag> out;
  for (const char* q : {"border", "customs", "payments"}) {
    for (const auto& r : kafka.receive_all(s.flags_topic(q))) out.push_back(decode_flag(r));
  }
  return out;
}

std::size_t count_flags(KafkaTestEnv& kafka, const ScreenerSetup& s) {
  std::size_t n = 0;
  for (const char* q : {"border", "customs", "payments"}) {
    for (const auto& [p, hw] : kafka.high_watermarks(s.flags_topic(q))) n += static_cast<std::size_t>(hw);
  }
  return n;
}

void expect_offsets_committed(KafkaTestEnv& kafka, const ScreenerSetup& s) {
  for (const auto& topic : {s.itineraries, s.manifests, s.payments}) {
    const auto hw = kafka.high_watermarks(topic);
    const auto committed = kafka.committed(s.group, topic);
    for (const auto& [p, end] : hw) {
      if (end == 0) continue;
      auto it = committed.find(p);
      ASSERT_NE(it, committed.end()) << topic << "[" << p << "] has no committed offset";
      EXPECT_EQ(it->second, end) << topic << "[" << p << "] committed offset does not cover every input";
    }
  }
}

class ScreenerPipelineTest : public ::testing::Test {
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

TEST_F(ScreenerPipelineTest, MixedStreamGivesExactlyTheExpectedFlagsAndDeadLetters) {
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

TEST_F(ScreenerPipelineTest, SigkillMidStreamLosesNoEvent) {
  ScreenerHarness h(*kafka_, *redis_, "kill", kSmallEventLimit);
  h.publish(make_test_list("kill-list"));
  const StreamPlan plan = make_plan(h.setup(), 10000, "kill", 11);
  const std::size_t half = plan.inputs.size() / 2;
  const std::vector<Input> first(plan.inputs.begin(), plan.inputs.begin() + static_cast<long>(half));
  const std::vector<Input> second(plan.inputs.begin() + static_cast<long>(half), plan.inputs.end());

  const std::size_t a = h.start();
  send_plan(*kafka_, first);
  ASSERT_TRUE(eventually([&] { return count_flags(*kafka_, h.setup()) > 0; }, std::chrono::seconds(60))) << h.logs();
  h.process(a).signal(SIGKILL);
  const auto killed = h.process(a).wait(std::chrono::seconds(10));
  ASSERT_TRUE(killed.has_value());
  EXPECT_EQ(*killed, 128 + SIGKILL);

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
        dead_originals.clear();
        for (const auto& r : kafka_->receive_all(h.setup().deadletter)) {
          simdjson::dom::parser parser;
          std::string original;
          schemas::base64_decode(parser.parse(r.value)["original_base64"].get_string().value(), original);
          dead_originals.insert(original);
        }
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

TEST_F(ScreenerPipelineTest, WatchlistChangeInRedisIsFlaggedWithinTwoSecondsWithoutRestart) {
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
