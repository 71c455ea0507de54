// The at-least-once pipeline against the real broker: end to end, restart, rebalance, failures,
// in per-record and in batch mode.
#include "crosscheck/streams/pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <span>
#include <stdexcept>
#include <thread>
#include <tuple>

#include "crosscheck/streams/admin.h"
#include "crosscheck/streams/kafka_handles.h"
#include "crosscheck/testing/kafka_test_env.h"
#include "crosscheck/testing/test_env.h"

namespace crosscheck::streams {
namespace {

using testing::KafkaTestEnv;
using namespace std::chrono_literals;
using Offsets = std::map<std::int32_t, std::int64_t>;

bool wait_for(const std::function<bool()>& probe, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (probe()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return probe();
}

struct CountingObserver : PipelineObserver {
  std::atomic<std::size_t> consumed{0};
  std::atomic<std::size_t> completed{0};
  std::atomic<std::size_t> completed_outputs{0};
  std::atomic<std::size_t> produced{0};
  std::atomic<std::size_t> commits_ok{0};
  std::atomic<std::size_t> nonempty_assignments{0};
  std::atomic<std::size_t> statistics{0};
  std::atomic<std::size_t> kafka_errors{0};

  void on_consumed(const InRecord&) override { ++consumed; }
  void on_completed(std::string_view, int, std::int64_t source_ts, std::int64_t acked, std::size_t n) override {
    EXPECT_GT(source_ts, 0);
    EXPECT_GE(acked + 1000, source_ts);
    ++completed;
    completed_outputs += n;
  }
  void on_produced(const std::string&) override { ++produced; }
  void on_commit(std::size_t, const std::optional<Error>& e) override {
    if (!e) ++commits_ok;
  }
  void on_assignment(const std::vector<std::pair<std::string, std::int32_t>>& a) override {
    if (!a.empty()) ++nonempty_assignments;
  }
  void on_kafka_error(const Error&) override { ++kafka_errors; }
  void on_statistics(std::string_view json) override {
    if (json.find("\"type\"") != std::string_view::npos) ++statistics;
  }
};

// Runs a pipeline on its own thread.
class Running {
 public:
  Running(PipelineConfig cfg, ProcessFn fn, PipelineObserver* obs)
      : pipeline_(std::make_unique<Pipeline>(std::move(cfg), std::move(fn), obs)) {
    start();
  }
  Running(PipelineConfig cfg, BatchProcessFn fn, PipelineObserver* obs)
      : pipeline_(std::make_unique<Pipeline>(std::move(cfg), std::move(fn), obs)) {
    start();
  }
  ~Running() {
    if (thread_.joinable()) {
      pipeline_->request_stop();
      thread_.join();
    }
  }
  Pipeline& pipeline() { return *pipeline_; }
  bool done() {
    std::lock_guard lock(mu_);
    return done_;
  }
  Status stop() {
    pipeline_->request_stop();
    return join();
  }
  Status join() {
    thread_.join();
    std::lock_guard lock(mu_);
    return *result_;
  }

 private:
  void start() {
    thread_ = std::thread([this] {
      Status st = pipeline_->run();
      std::lock_guard lock(mu_);
      result_.emplace(std::move(st));
      done_ = true;
    });
  }

  std::unique_ptr<Pipeline> pipeline_;
  std::thread thread_;
  std::mutex mu_;
  std::optional<Status> result_;
  bool done_ = false;
};

PipelineConfig make_config(const KafkaTestEnv& env, const std::string& group, const std::string& in) {
  PipelineConfig cfg;
  cfg.kafka = env.config();
  cfg.kafka.properties["log_level"] = "3";  // keep the test output readable
  cfg.group_id = group;
  cfg.topics = {in};
  cfg.commit_interval = 200ms;
  cfg.poll_timeout = 50ms;
  cfg.drain_timeout = 10s;
  return cfg;
}

// Every partition is committed up to its high watermark (an empty one may have no commit at all).
void expect_fully_committed(const Offsets& committed, const Offsets& hw) {
  ASSERT_EQ(committed.size(), hw.size());
  for (const auto& [p, hi] : hw) {
    const std::int64_t c = committed.at(p);
    if (hi == 0 && c == -1001) continue;
    EXPECT_EQ(c, hi) << "partition " << p;
  }
}

// Records 0..kFailN-1 on one partition; record kBad is the one that fails (an output Kafka will
// not take, or a batch the processor refuses).
constexpr int kFailN = 100;
constexpr int kBad = 50;

std::vector<std::string> numbered(int n) {
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) v.push_back("rec-" + std::to_string(i));
  return v;
}

int index_of(std::string_view value) { return std::stoi(std::string(value.substr(4))); }

// 0, 1 or 2 outputs depending on the record.
ProcessFn fan_out(const std::string& out_topic) {
  return [out_topic](const InRecord& in, Processed& p) {
    const int i = index_of(in.value);
    p.outcome = i % 3;
    for (int k = 0; k < i % 3; ++k) {
      p.outputs.push_back(OutRecord{out_topic, "", "out-" + std::to_string(i) + "-" + std::to_string(k),
                                    {{"source-offset", std::to_string(in.offset)}}});
    }
  };
}

// The same per-record function applied to every record of a batch.
BatchProcessFn per_record(ProcessFn fn) {
  return [fn](std::span<const InRecord> in, std::span<Processed> out) {
    EXPECT_EQ(in.size(), out.size());
    for (std::size_t i = 0; i < in.size(); ++i) fn(in[i], out[i]);
  };
}

std::multiset<std::string> expected_outputs(int n) {
  std::multiset<std::string> out;
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < i % 3; ++k) out.insert("out-" + std::to_string(i) + "-" + std::to_string(k));
  }
  return out;
}

TEST(Pipeline, EndToEndCommitsEverythingAndRestartResumes) {
  CROSSCHECK_REQUIRE_KAFKA();
  KafkaTestEnv env(*testing::kafka_bootstrap());
  const std::string in = env.make_topic("pipe-in", 4);
  const std::string out = env.make_topic("pipe-out", 4);
  const std::string group = testing::unique_name("pipe-group");
  constexpr int kN = 2000;
  env.send_all(in, numbered(kN));
  const auto expected = expected_outputs(kN);

  CountingObserver obs;
  {
    Running run(make_config(env, group, in), fan_out(out), &obs);
    ASSERT_TRUE(wait_for([&] { return obs.completed.load() >= kN || run.done(); }, 30s))
        << "completed " << obs.completed.load() << " of " << kN;
    EXPECT_TRUE(run.pipeline().ready());
    Status st = run.stop();
    ASSERT_TRUE(st.ok()) << st.error().to_string();
  }
  EXPECT_EQ(obs.consumed.load(), static_cast<std::size_t>(kN));
  EXPECT_EQ(obs.completed.load(), static_cast<std::size_t>(kN));
  EXPECT_EQ(obs.completed_outputs.load(), expected.size());
  EXPECT_EQ(obs.produced.load(), expected.size());
  EXPECT_GT(obs.commits_ok.load(), 0u);

  std::multiset<std::string> got;
  for (const auto& r : env.receive_all(out)) {
    got.insert(r.value);
    EXPECT_FALSE(r.header("source-offset").empty());
  }
  EXPECT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected) << "outputs differ from the expected set";
  const Offsets hw = env.high_watermarks(in);
  for (const auto& [p, hi] : hw) EXPECT_GT(hi, 0) << "records spread over every partition";
  expect_fully_committed(env.committed(group, in), hw);

  // A restart in the same group resumes from the committed offsets: nothing new to process.
  std::atomic<int> reprocessed{0};
  CountingObserver obs2;
  {
    Running run(make_config(env, group, in), [&](const InRecord&, Processed&) { ++reprocessed; }, &obs2);
    ASSERT_TRUE(wait_for([&] { return run.pipeline().ready(); }, 20s));
    std::this_thread::sleep_for(1500ms);
    Status st = run.stop();
    ASSERT_TRUE(st.ok()) << st.error().to_string();
  }
  EXPECT_EQ(reprocessed.load(), 0);
  expect_fully_committed(env.committed(group, in), hw);
}

// Parameters: partition.assignment.strategy ("" keeps librdkafka's eager default), and batch mode.
class PipelineRebalance : public ::testing::TestWithParam<std::tuple<std::string, bool>> {};

TEST_P(PipelineRebalance, TwoMembersSharePartitionsAndProcessEverything) {
  CROSSCHECK_REQUIRE_KAFKA();
  const auto& [strategy, batch] = GetParam();
  KafkaTestEnv env(*testing::kafka_bootstrap());
  auto config = [&](const std::string& group, const std::string& in) {
    PipelineConfig cfg = make_config(env, group, in);
    if (!strategy.empty()) cfg.kafka.properties["partition.assignment.strategy"] = strategy;
    cfg.max_batch = 16;  // many batches, so that rebalances fall between and inside them
    return cfg;
  };
  const std::string in = env.make_topic("rebal-in", 4);
  const std::string out = env.make_topic("rebal-out", 4);
  const std::string group = testing::unique_name("rebal-group");
  constexpr int kN = 2000;
  const auto values = numbered(kN);
  // First half now, second half once both members are in the group, so both have work.
  env.send_all(in, std::vector<std::string>(values.begin(), values.begin() + kN / 2));

  std::mutex mu;
  std::map<int, int> seen;  // record index -> times processed, over both members
  auto make_fn = [&](std::atomic<int>& mine) {
    ProcessFn inner = fan_out(out);
    return [&, inner](const InRecord& rec, Processed& p) {
      {
        std::lock_guard lock(mu);
        ++seen[index_of(rec.value)];
      }
      ++mine;
      std::this_thread::sleep_for(2ms);  // slow enough for the second member to join mid-stream
      inner(rec, p);
    };
  };
  auto all_seen = [&] {
    std::lock_guard lock(mu);
    return seen.size() == static_cast<std::size_t>(kN);
  };

  std::atomic<int> count_a{0};
  std::atomic<int> count_b{0};
  CountingObserver obs_a;
  CountingObserver obs_b;
  auto start = [&](std::atomic<int>& mine, CountingObserver& obs) {
    ProcessFn fn = make_fn(mine);
    return batch ? std::make_unique<Running>(config(group, in), per_record(fn), &obs)
                 : std::make_unique<Running>(config(group, in), fn, &obs);
  };
  auto a = start(count_a, obs_a);
  ASSERT_TRUE(wait_for([&] { return count_a.load() >= 100; }, 20s));
  auto b = start(count_b, obs_b);
  ASSERT_TRUE(wait_for([&] { return obs_b.nonempty_assignments.load() > 0; }, 20s)) << "B never got partitions";
  if (strategy.empty()) {
    // Both members get their share in the same generation, but each on its own thread: B's
    // callback may run before A's, so wait for A's rather than read it at once.
    EXPECT_TRUE(wait_for([&] { return obs_a.nonempty_assignments.load() >= 2u; }, 10s))
        << "eager: A was assigned, revoked, and assigned again (assignments seen: "
        << obs_a.nonempty_assignments.load() << ")";
  }
  env.send_all(in, std::vector<std::string>(values.begin() + kN / 2, values.end()));
  ASSERT_TRUE(wait_for(all_seen, 40s)) << "seen " << seen.size();
  EXPECT_GT(count_b.load(), 0) << "the second member got partitions and processed records";
  // Wait for the last outputs to be acknowledged, then stop both.
  ASSERT_TRUE(wait_for([&] { return obs_a.completed.load() + obs_b.completed.load() >= kN; }, 20s));
  Status sb = b->stop();
  EXPECT_TRUE(sb.ok()) << sb.error().to_string();
  Status sa = a->stop();
  EXPECT_TRUE(sa.ok()) << sa.error().to_string();

  std::set<std::string> got;
  for (const auto& r : env.receive_all(out)) got.insert(r.value);
  const auto expected = expected_outputs(kN);
  EXPECT_EQ(got, std::set<std::string>(expected.begin(), expected.end())) << "every output at least once";
  expect_fully_committed(env.committed(group, in), env.high_watermarks(in));
}

INSTANTIATE_TEST_SUITE_P(Strategies, PipelineRebalance,
                         ::testing::Combine(::testing::Values("", "cooperative-sticky"), ::testing::Bool()),
                         [](const ::testing::TestParamInfo<std::tuple<std::string, bool>>& p) {
                           return std::string(std::get<0>(p.param).empty() ? "eager" : "cooperative") +
                                  (std::get<1>(p.param) ? "_batch" : "_per_record");
                         });

TEST(PipelineBatch, HandsOverReadyRecordsTogetherAndCommitsEverything) {
  CROSSCHECK_REQUIRE_KAFKA();
  KafkaTestEnv env(*testing::kafka_bootstrap());
  const std::string in = env.make_topic("batch-in", 4);
  const std::string out = env.make_topic("batch-out", 4);
  const std::string group = testing::unique_name("batch-group");
  constexpr int kN = 2000;
  constexpr std::size_t kMaxBatch = 64;
  env.send_all(in, numbered(kN));  // all there before the pipeline starts: batches fill up

  std::mutex mu;
  std::vector<std::size_t> sizes;
  std::multiset<int> processed;
  ProcessFn inner = fan_out(out);
  BatchProcessFn fn = [&](std::span<const InRecord> recs, std::span<Processed> outs) {
    ASSERT_EQ(recs.size(), outs.size());
    std::lock_guard lock(mu);
    sizes.push_back(recs.size());
    for (std::size_t i = 0; i < recs.size(); ++i) {
      EXPECT_TRUE(outs[i].outputs.empty()) << "handed over filled";
      processed.insert(index_of(recs[i].value));
      inner(recs[i], outs[i]);
    }
  };
  PipelineConfig cfg = make_config(env, group, in);
  cfg.max_batch = kMaxBatch;
  CountingObserver obs;
  {
    Running run(cfg, fn, &obs);
    ASSERT_TRUE(wait_for([&] { return obs.completed.load() >= kN || run.done(); }, 30s))
        << "completed " << obs.completed.load() << " of " << kN;
    Status st = run.stop();
    ASSERT_TRUE(st.ok()) << st.error().to_string();
  }
  EXPECT_EQ(obs.consumed.load(), static_cast<std::size_t>(kN));
  EXPECT_EQ(obs.completed.load(), static_cast<std::size_t>(kN));
  EXPECT_EQ(processed.size(), static_cast<std::size_t>(kN));
  EXPECT_EQ(std::set<int>(processed.begin(), processed.end()).size(), static_cast<std::size_t>(kN))
      << "a record was processed twice without a rebalance";
  ASSERT_FALSE(sizes.empty());
  EXPECT_LE(*std::max_element(sizes.begin(), sizes.end()), kMaxBatch);
  EXPECT_GT(*std::max_element(sizes.begin(), sizes.end()), 1u) << "ready records were handed over one by one";
  EXPECT_LT(sizes.size(), static_cast<std::size_t>(kN));

  std::multiset<std::string> got;
  for (const auto& r : env.receive_all(out)) got.insert(r.value);
  EXPECT_TRUE(got == expected_outputs(kN)) << "outputs differ from the expected set";
  expect_fully_committed(env.committed(group, in), env.high_watermarks(in));
}

TEST(PipelineBatch, LingerGathersRecordsArrivingShortlyAfterTheFirst) {
  CROSSCHECK_REQUIRE_KAFKA();
  KafkaTestEnv env(*testing::kafka_bootstrap());
  const std::string in = env.make_topic("batch-linger-in", 1);
  const std::string group = testing::unique_name("batch-linger-group");
  std::mutex mu;
  std::vector<std::size_t> sizes;
  std::atomic<int> processed{0};
  BatchProcessFn fn = [&](std::span<const InRecord> recs, std::span<Processed>) {
    std::lock_guard lock(mu);
    sizes.push_back(recs.size());
    processed += static_cast<int>(recs.size());
  };
  PipelineConfig cfg = make_config(env, group, in);
  // Far longer than the gaps below, so the outcome does not depend on the machine's speed.
  cfg.batch_linger = 5s;
  CountingObserver obs;
  Running run(cfg, fn, &obs);
  ASSERT_TRUE(wait_for([&] { return run.pipeline().ready(); }, 20s));
  const auto values = numbered(3);
  for (const auto& v : values) {
    env.send_all(in, {v});  // one at a time, 200 ms apart
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_TRUE(wait_for([&] { return processed.load() >= 3; }, 20s));
  Status st = run.stop();
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  std::lock_guard lock(mu);
  EXPECT_EQ(sizes, (std::vector<std::size_t>{3})) << "the records were not gathered into one batch";
  EXPECT_EQ(env.committed(group, in), (Offsets{{0, 3}}));
}

TEST(PipelineBatch, CommitsABatchOnlyAfterItsFunctionReturns) {
  CROSSCHECK_REQUIRE_KAFKA();
  KafkaTestEnv env(*testing::kafka_bootstrap());
  const std::string in = env.make_topic("batch-hold-in", 1);
  const std::string group = testing::unique_name("batch-hold-group");
  constexpr int kN = 20;
  env.send_all(in, numbered(kN));

  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> calls{0};
  std::atomic<int> processed{0};
  BatchProcessFn fn = [&](std::span<const InRecord> recs, std::span<Processed>) {
    if (calls.fetch_add(1) == 0) {
      // The first batch is "being stored" until the test lets it go.
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return release; });
    }
    processed += static_cast<int>(recs.size());
  };
  CountingObserver obs;
  Running run(make_config(env, group, in), fn, &obs);
  ASSERT_TRUE(wait_for([&] { return calls.load() >= 1; }, 20s));
  // Several commit intervals (200 ms) pass while the batch is held: nothing of it is committed.
  std::this_thread::sleep_for(1s);
  const Offsets held = env.committed(group, in);
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held.at(0), -1001) << "an offset was committed before its batch was processed";
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  ASSERT_TRUE(wait_for([&] { return processed.load() >= kN; }, 20s)) << processed.load();
  EXPECT_TRUE(wait_for([&] { return env.committed(group, in) == Offsets{{0, kN}}; }, 10s));
  Status st = run.stop();
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_EQ(env.committed(group, in), (Offsets{{0, kN}}));
}

TEST(PipelineBatch, AThrowIsFatalAndLeavesTheWholeBatchUncommitted) {
  CROSSCHECK_REQUIRE_KAFKA();
  KafkaTestEnv env(*testing::kafka_bootstrap());
  const std::string in = env.make_topic("batch-throw-in", 1);
  const std::string group = testing::unique_name("batch-throw-group");
  env.send_all(in, numbered(kFailN));

  PipelineConfig cfg = make_config(env, group, in);
  cfg.max_batch = 10;
  std::atomic<std::int64_t> failed_batch_start{-1};
  BatchProcessFn throwing = [&](std::span<const InRecord> recs, std::span<Processed>) {
    for (const auto& r : recs) {
      if (index_of(r.value) == kBad) {
        failed_batch_start = recs.front().offset;
        throw std::runtime_error("the store refused the batch");
      }
    }
  };
  {
    CountingObserver obs;
    Running run(cfg, throwing, &obs);
    ASSERT_TRUE(wait_for([&] { return run.done(); }, 30s)) << "run() should stop by itself";
    Status st = run.join();
    ASSERT_FALSE(st.ok());
    EXPECT_TRUE(st.error().is_fatal());
    EXPECT_NE(st.error().message().find("the store refused the batch"), std::string::npos) << st.error().to_string();
  }
  const std::int64_t start = failed_batch_start.load();
  ASSERT_GE(start, 0);
  ASSERT_LE(start, kBad);
  // Everything before the failed batch was processed and is committed (at shutdown at the
  // latest); nothing of the failed batch is.
  EXPECT_EQ(env.committed(group, in), (Offsets{{0, start}}));

  // A restart resumes exactly at the failed batch.
  std::mutex mu;
  std::vector<std::int64_t> offsets;
  BatchProcessFn benign = [&](std::span<const InRecord> recs, std::span<Processed>) {
    std::lock_guard lock(mu);
    for (const auto& r : recs) offsets.push_back(r.offset);
  };
  CountingObserver obs;
  Running run(cfg, benign, &obs);
  ASSERT_TRUE(wait_for([&] { return obs.completed.load() >= static_cast<std::size_t>(kFailN - start); }, 30s));
  Status st = run.stop();
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  std::lock_guard lock(mu);
  ASSERT_FALSE(offsets.empty());
  EXPECT_EQ(offsets.front(), start);
  EXPECT_EQ(offsets.size(), static_cast<std::size_t>(kFailN - start));
  EXPECT_EQ(env.committed(group, in), (Offsets{{0, kFailN}}));
}

TEST(Pipeline, BackPressureStillProcessesEverything) {
  CROSSCHECK_REQUIRE_KAFKA();
  KafkaTestEnv env(*testing::kafka_bootstrap());
  const std::string in = env.make_topic("bp-in", 2);
  const std::string out = env.make_topic("bp-out", 2);
  const std::string group = testing::unique_name("bp-group");
  constexpr int kN = 300;
  env.send_all(in, numbered(kN));
  PipelineConfig cfg = make_config(env, group, in);
  cfg.max_in_flight = 3;
  cfg.kafka.properties["statistics.interval.ms"] = "100";
  CountingObserver obs;
  Running run(cfg, fan_out(out), &obs);
  ASSERT_TRUE(wait_for([&] { return obs.completed.load() >= kN; }, 30s)) << obs.completed.load();
  ASSERT_TRUE(wait_for([&] { return obs.statistics.load() > 0; }, 5s));
  Status st = run.stop();
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_EQ(env.receive_all(out).size(), expected_outputs(kN).size());
  expect_fully_committed(env.committed(group, in), env.high_watermarks(in));
}

ProcessFn with_big_output(const std::string& out_topic) {
  return [out_topic](const InRecord& in, Processed& p) {
    const int i = index_of(in.value);
    p.outputs.push_back(OutRecord{out_topic, "", i == kBad ? std::string(5000, 'x') : "ok-" + std::to_string(i), {}});
  };
}

TEST(Pipeline, ProduceFailureIsFatalAndLeavesTheRecordUncommitted) {
  CROSSCHECK_REQUIRE_KAFKA();
  KafkaTestEnv env(*testing::kafka_bootstrap());
  const std::string in = env.make_topic("fail-in", 1);
  const std::string out = env.make_topic("fail-out", 1);
  const std::string group = testing::unique_name("fail-group");
  env.send_all(in, numbered(kFailN));

  PipelineConfig cfg = make_config(env, group, in);
  cfg.kafka.producer_properties["message.max.bytes"] = "1000";  // rejected locally, at produce time
  CountingObserver obs;
  Running run(cfg, with_big_output(out), &obs);
  ASSERT_TRUE(wait_for([&] { return run.done(); }, 30s)) << "run() should stop by itself";
  Status st = run.join();
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.error().is_fatal());
  EXPECT_EQ(st.error().code(), RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) << st.error().to_string();
  EXPECT_GT(obs.kafka_errors.load(), 0u);
  // Everything before the bad record is complete and committed; the bad record is not.
  EXPECT_EQ(env.committed(group, in), (Offsets{{0, kBad}}));
}

// Creates a topic whose broker-side max.message.bytes is tiny, so the broker rejects big batches.
void create_small_topic(const KafkaTestEnv& env, const std::string& name) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  rd_kafka_conf_set(conf, "bootstrap.servers", env.config().bootstrap_servers.c_str(), err, sizeof err);
  KafkaHandle rk(rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err));
  ASSERT_TRUE(rk) << err;
  NewTopicHandle nt(rd_kafka_NewTopic_new(name.c_str(), 1, 1, err, sizeof err));
  ASSERT_TRUE(nt) << err;
  ASSERT_EQ(rd_kafka_NewTopic_set_config(nt.get(), "max.message.bytes", "2000"), RD_KAFKA_RESP_ERR_NO_ERROR);
  QueueHandle q(rd_kafka_queue_new(rk.get()));
  rd_kafka_NewTopic_t* raw = nt.get();
  rd_kafka_CreateTopics(rk.get(), &raw, 1, nullptr, q.get());
  EventHandle ev(rd_kafka_queue_poll(q.get(), 15000));
  ASSERT_TRUE(ev);
  size_t cnt = 0;
  const rd_kafka_topic_result_t** res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()), &cnt);
  ASSERT_EQ(cnt, 1u);
  ASSERT_EQ(rd_kafka_topic_result_error(res[0]), RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_topic_result_error_string(res[0]);
  // ensure_topics on an existing topic just waits until it has leaders.
  Status st = ensure_topics(env.config(), {{name, 1, 1}});
  ASSERT_TRUE(st.ok()) << st.error().to_string();
}

TEST(Pipeline, DeliveryFailureIsFatalAndLeavesTheRecordUncommitted) {
  CROSSCHECK_REQUIRE_KAFKA();
  KafkaTestEnv env(*testing::kafka_bootstrap());
  const std::string in = env.make_topic("dfail-in", 1);
  const std::string out = testing::unique_name("dfail-out");
  create_small_topic(env, out);
  if (HasFatalFailure()) return;
  const std::string group = testing::unique_name("dfail-group");
  env.send_all(in, numbered(kFailN));

  CountingObserver obs;
  Running run(make_config(env, group, in), with_big_output(out), &obs);
  ASSERT_TRUE(wait_for([&] { return run.done(); }, 30s)) << "run() should stop by itself";
  Status st = run.join();
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.error().is_fatal()) << st.error().to_string();
  const Offsets committed = env.committed(group, in);
  ASSERT_EQ(committed.size(), 1u);
  // Outputs batched with the bad one fail too, so less may be committed, never more.
  EXPECT_LE(committed.at(0), kBad);
  for (const auto& r : env.receive_all(out)) EXPECT_LT(r.value.size(), 100u);
}

TEST(Pipeline, InvalidConfigurationFailsRun) {
  PipelineConfig cfg;
  cfg.kafka.consumer_properties["no.such.setting"] = "x";
  cfg.topics = {"t"};
  Pipeline p(cfg, [](const InRecord&, Processed&) {});
  Status st = p.run();
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.error().is_fatal());
}

TEST(Pipeline, StopBeforeRunReturnsPromptly) {
  CROSSCHECK_REQUIRE_KAFKA();
  KafkaTestEnv env(*testing::kafka_bootstrap());
  const std::string in = env.make_topic("early-in", 1);
  Pipeline p(make_config(env, testing::unique_name("early"), in), [](const InRecord&, Processed&) {});
  p.request_stop();
  const auto t0 = std::chrono::steady_clock::now();
  Status st = p.run();
  EXPECT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
}

}  // namespace
}  // namespace crosscheck::streams
