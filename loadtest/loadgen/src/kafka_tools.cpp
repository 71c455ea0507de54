#include "crosscheck/loadgen/kafka_tools.h"

#include <librdkafka/rdkafka.h>
#include <prometheus/registry.h>
#include <simdjson.h>

#include <cmath>
#include <set>
#include <thread>
#include <unordered_set>

#include "crosscheck/log.h"
#include "crosscheck/runtime/admin_server.h"
#include "crosscheck/streams/admin.h"
#include "crosscheck/streams/kafka_handles.h"
#include "crosscheck/streams/pipeline.h"
#include "crosscheck/streams/producer.h"
#include "crosscheck/time_format.h"

namespace crosscheck::loadgen {

namespace {

using Clock = std::chrono::steady_clock;

Error kafka_err(rd_kafka_resp_err_t err, const std::string& what) {
  return Error::retriable("kafka", what + ": " + rd_kafka_err2str(err), static_cast<int>(err));
}

// A plain consumer handle (no subscription) with `group_id`, for watermarks, committed offsets
// and assigned reads.
Result<streams::KafkaHandle> make_consumer(const streams::KafkaConfig& kafka, const std::string& group_id) {
  streams::ConfHandle conf(rd_kafka_conf_new());
  char errstr[512];
  auto set = [&](const std::string& k, const std::string& v) -> Status {
    if (rd_kafka_conf_set(conf.get(), k.c_str(), v.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      return Error::fatal("kafka", "invalid setting " + k + ": " + errstr);
    }
    return ok_status();
  };
  Status st = set("bootstrap.servers", kafka.bootstrap_servers);
  for (const auto& [k, v] : kafka.properties) {
    if (st) st = set(k, v);
  }
  for (const auto& [k, v] : kafka.consumer_properties) {
    if (st) st = set(k, v);
  }
  if (st) st = set("group.id", group_id);
  if (st) st = set("enable.auto.commit", "false");
  if (st) st = set("enable.partition.eof", "false");
  if (!st) return st.error();
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), errstr, sizeof errstr);
  if (rk == nullptr) return Error::fatal("kafka", std::string("cannot create consumer: ") + errstr);
  (void)conf.release();
  return streams::KafkaHandle(rk);
}

// Partition counts of the topics that exist (absent topics are left out).
Result<std::map<std::string, int>> partition_counts(rd_kafka_t* rk, const std::vector<std::string>& topics,
                                                    std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &md, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return kafka_err(err, "metadata");
  std::map<std::string, int> out;
  const std::set<std::string> wanted(topics.begin(), topics.end());
  for (int i = 0; i < md->topic_cnt; ++i) {
    const auto& t = md->topics[i];
    if (t.err == RD_KAFKA_RESP_ERR_NO_ERROR && wanted.count(t.topic) != 0) out[t.topic] = t.partition_cnt;
  }
  rd_kafka_metadata_destroy(md);
  return out;
}

}  // namespace

// ---- producing ----------------------------------------------------------------------------------

Result<ProduceReport> produce_stream(const EventGenerator& generator, const ProduceOptions& o,
                                     const std::atomic<bool>& stop) {
  ProduceReport r;
  std::uint64_t delivered = 0, failed = 0;
  std::string first_error;
  auto producer = streams::Producer::create(
      o.kafka, [&](std::uint64_t, const std::optional<Error>& error, std::int32_t, std::int64_t) {
        if (error) {
          if (failed++ == 0) first_error = error->to_string();
        } else {
          ++delivered;
        }
      });
  if (!producer.ok()) return producer.error();
  rd_kafka_t* rk = (*producer)->native();
  const std::string* topic_by_kind[] = {&o.itineraries, &o.manifests, &o.payments};

  runtime::LatencyHistogram lateness;
  r.start_ms = o.start_ms != 0 ? o.start_ms : timefmt::now_ms();
  // The schedule runs on the monotonic clock, anchored at start_ms.
  const auto t0 = Clock::now() + std::chrono::milliseconds(std::max<std::int64_t>(0, r.start_ms - timefmt::now_ms()));
  Clock::time_point first_send{}, last_send{};
  auto last_progress = Clock::now();
  GeneratedEvent ev;
  std::uint64_t n = 0;
  while (n < o.count && !stop.load(std::memory_order_relaxed)) {
    Clock::time_point due = Clock::now();
    std::int64_t due_ms = 0;
    if (o.rate > 0) {
      const double offset_s = static_cast<double>(n) / o.rate;
      due = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(offset_s));
      due_ms = r.start_ms + static_cast<std::int64_t>(std::floor(offset_s * 1000.0));
      auto now = Clock::now();
      while (now < due && !stop.load(std::memory_order_relaxed)) {
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(due - now);
        // Serve delivery reports while waiting; sub-millisecond waits are spun.
        rd_kafka_poll(rk, wait.count() >= 2 ? 1 : 0);
        now = Clock::now();
      }
    }
    const std::uint64_t index = o.first_index + n;
    generator.generate(index, ev);
    const auto sent = Clock::now();
    if (n == 0) first_send = sent;
    last_send = sent;
    lateness.record(std::chrono::duration_cast<std::chrono::microseconds>(sent - due).count());
    const std::string& topic = *topic_by_kind[static_cast<int>(ev.kind)];
    rd_kafka_vu_t vu[6];
    std::size_t k = 0;
    vu[k].vtype = RD_KAFKA_VTYPE_TOPIC;
    vu[k++].u.cstr = topic.c_str();
    vu[k].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vu[k++].u.i = RD_KAFKA_MSG_F_COPY;
    vu[k].vtype = RD_KAFKA_VTYPE_VALUE;
    vu[k].u.mem.ptr = ev.value.data();
    vu[k++].u.mem.size = ev.value.size();
    vu[k].vtype = RD_KAFKA_VTYPE_KEY;
    vu[k].u.mem.ptr = ev.key.data();
    vu[k++].u.mem.size = ev.key.size();
    vu[k].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
    vu[k++].u.i64 = due_ms;  // 0: librdkafka stamps the send time (max mode)
    vu[k].vtype = RD_KAFKA_VTYPE_OPAQUE;
    vu[k++].u.ptr = reinterpret_cast<void*>(static_cast<std::uintptr_t>(index));
    for (;;) {
      streams::KafkaErrorHandle err(rd_kafka_produceva(rk, vu, k));
      if (!err) break;
      if (rd_kafka_error_code(err.get()) != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        return Error::fatal("produce", std::string("cannot produce to ") + topic + ": " + rd_kafka_error_string(err.get()));
      }
      rd_kafka_poll(rk, 10);  // deliveries make room
    }
    ++n;
    r.bytes += ev.value.size();
    ++r.by_kind[std::string(schemas::to_string(ev.kind))];
    ++r.by_intent[std::string(to_string(ev.intent))];
    if ((n & 63) == 0) rd_kafka_poll(rk, 0);
    if (o.progress && Clock::now() - last_progress >= std::chrono::seconds(1)) {
      last_progress = Clock::now();
      o.progress(n, delivered);
    }
  }
  r.produced = n;
  // Wait for every acknowledgement (librdkafka retries for message.timeout.ms).
  const auto flush_deadline = Clock::now() + std::chrono::minutes(5);
  while (delivered + failed < n && Clock::now() < flush_deadline) rd_kafka_poll(rk, 50);
  const auto done = Clock::now();
  r.delivered = delivered;
  r.delivery_errors = failed + (n - delivered - failed);  // never acknowledged counts as failed
  r.first_error = first_error;
  if (n > 0) {
    r.elapsed_s = std::chrono::duration<double>(done - first_send).count();
    r.send_elapsed_s = std::chrono::duration<double>(last_send - first_send).count();
    r.achieved_eps = r.send_elapsed_s > 0 ? static_cast<double>(n - 1) / r.send_elapsed_s : 0;
  }
  r.offered_eps = o.rate > 0 ? o.rate : r.achieved_eps;
  r.lateness_us = lateness.snapshot();
  return r;
}

// ---- the bare pipe ------------------------------------------------------------------------------

namespace {

class PipeObserver : public streams::PipelineObserver {
 public:
  explicit PipeObserver(runtime::EventLatency& latency) : latency_(latency) {}
  void on_completed(std::string_view, int, std::int64_t source_ms, std::int64_t acked_ms, std::size_t) override {
    if (source_ms > 0) latency_.record(0, std::max<std::int64_t>(0, acked_ms - source_ms) * 1000);
  }

 private:
  runtime::EventLatency& latency_;
};

}  // namespace

Status run_pipe(const PipeOptions& o, const std::atomic<bool>& stop, std::function<void(int)> on_started) {
  std::vector<streams::TopicSpec> specs;
  for (const auto& t : o.topics) specs.push_back({t + o.suffix, o.partitions, 1});
  if (auto st = streams::ensure_topics(o.kafka, specs); !st.ok()) return st;

  runtime::EventLatency latency({"passed"});
  PipeObserver observer(latency);
  streams::PipelineConfig pc;
  pc.kafka = o.kafka;
  pc.group_id = o.group_id;
  pc.topics = o.topics;
  const std::string suffix = o.suffix;
  streams::Pipeline pipeline(
      pc,
      [&suffix](const streams::InRecord& in, streams::Processed& out) {
        streams::OutRecord rec;
        rec.topic.reserve(in.topic.size() + suffix.size());
        rec.topic.append(in.topic).append(suffix);
        rec.key.assign(in.key);
        rec.value.assign(in.value);
        out.outputs.push_back(std::move(rec));
      },
      &observer);
  runtime::AdminServer admin(o.http_address, o.http_port, std::make_shared<prometheus::Registry>(),
                             [&]() -> std::string { return pipeline.ready() ? "" : "no partitions assigned yet"; });
  admin.add_json_endpoint("/stats/latency", [&latency] { return latency.json(); });
  if (auto st = admin.start(); !st.ok()) return st;
  if (on_started) on_started(admin.port());
  std::atomic<bool> finished{false};
  std::thread watcher([&] {
    while (!finished.load() && !stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    pipeline.request_stop();
  });
  Status result = pipeline.run();
  finished = true;
  watcher.join();
  admin.stop();
  return result;
}

// ---- counting outputs ---------------------------------------------------------------------------

Result<std::map<std::string, TopicCount>> count_outputs(const streams::KafkaConfig& kafka,
                                                        const std::vector<std::string>& topics,
                                                        const std::string& deadletter_topic,
                                                        std::chrono::milliseconds timeout) {
  auto consumer = make_consumer(kafka, "crosscheck-loadgen-count-" + std::to_string(timefmt::now_ms()));
  if (!consumer.ok()) return consumer.error();
  rd_kafka_t* rk = consumer->get();
  const auto deadline = Clock::now() + timeout;
  auto counts = partition_counts(rk, topics, timeout);
  if (!counts.ok()) return counts.error();

  std::map<std::string, TopicCount> out;
  for (const auto& t : topics) out[t];  // absent topics count as empty
  streams::TopicPartitionListHandle assignment(rd_kafka_topic_partition_list_new(16));
  std::map<std::pair<std::string, int>, std::int64_t> end;  // partition -> high watermark still to reach
  for (const auto& [topic, parts] : *counts) {
    for (int p = 0; p < parts; ++p) {
      std::int64_t lo = 0, hi = 0;
      const auto err = rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &lo, &hi, 10000);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return kafka_err(err, "watermarks of " + topic);
      if (hi <= lo) continue;
      rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), p)->offset = lo;
      end[{topic, p}] = hi;
    }
  }
  if (end.empty()) return out;
  if (auto err = rd_kafka_assign(rk, assignment.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) return kafka_err(err, "assign");

  std::map<std::string, std::unordered_set<std::string>> seen;
  simdjson::dom::parser parser;
  while (!end.empty()) {
    if (Clock::now() > deadline) {
      rd_kafka_assign(rk, nullptr);
      return Error::retriable("count", "outputs not read completely within the timeout (" +
                                           std::to_string(end.size()) + " partitions left)");
    }
    streams::MessageHandle m(rd_kafka_consumer_poll(rk, 200));
    if (!m) continue;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
      return kafka_err(m->err, "consume");
    }
    const std::string topic = rd_kafka_topic_name(m->rkt);
    const auto it = end.find({topic, m->partition});
    if (it == end.end()) continue;
    TopicCount& c = out[topic];
    ++c.records;
    std::string id;
    if (topic == deadletter_topic) {
      simdjson::dom::element doc;
      simdjson::padded_string buf(static_cast<const char*>(m->payload), m->len);
      std::string_view src_topic;
      std::int64_t partition = 0, offset = 0;
      if (parser.parse(buf).get(doc) == simdjson::SUCCESS && doc["source"]["topic"].get(src_topic) == simdjson::SUCCESS &&
          doc["source"]["partition"].get(partition) == simdjson::SUCCESS &&
          doc["source"]["offset"].get(offset) == simdjson::SUCCESS) {
        id = std::string(src_topic) + "|" + std::to_string(partition) + "|" + std::to_string(offset);
      }
    } else {
      rd_kafka_headers_t* hdrs = nullptr;
      const void* value = nullptr;
      std::size_t size = 0;
      if (rd_kafka_message_headers(m.get(), &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR &&
          rd_kafka_header_get_last(hdrs, "crosscheck.flag_id", &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR &&
          value != nullptr) {
        id.assign(static_cast<const char*>(value), size);
      }
    }
    if (id.empty()) ++c.unreadable;
    else if (!seen[topic].insert(id).second) ++c.duplicates;
    if (m->offset + 1 >= it->second) end.erase(it);
  }
  rd_kafka_assign(rk, nullptr);
  for (auto& [topic, c] : out) c.distinct = seen[topic].size();
  return out;
}

// ---- consumer lag -------------------------------------------------------------------------------

struct LagSampler::Impl {
  streams::KafkaHandle rk;
  std::vector<std::string> topics;
  std::vector<std::pair<std::string, int>> partitions;
};

Result<std::unique_ptr<LagSampler>> LagSampler::create(const streams::KafkaConfig& kafka, const std::string& group_id,
                                                       const std::vector<std::string>& topics) {
  auto consumer = make_consumer(kafka, group_id);
  if (!consumer.ok()) return consumer.error();
  std::unique_ptr<LagSampler> s(new LagSampler());
  s->impl_ = std::make_unique<Impl>();
  s->impl_->rk = std::move(*consumer);
  s->impl_->topics = topics;
  return s;
}

LagSampler::~LagSampler() = default;

Result<LagSample> LagSampler::sample(std::chrono::milliseconds timeout) {
  Impl& im = *impl_;
  rd_kafka_t* rk = im.rk.get();
  if (im.partitions.empty()) {
    auto counts = partition_counts(rk, im.topics, timeout);
    if (!counts.ok()) return counts.error();
    if (counts->size() == im.topics.size()) {  // all topics exist: the set is final
      for (const auto& [t, n] : *counts) {
        for (int p = 0; p < n; ++p) im.partitions.emplace_back(t, p);
      }
    }
  }
  LagSample s;
  s.at_ms = timefmt::now_ms();
  if (im.partitions.empty()) return s;
  streams::TopicPartitionListHandle list(rd_kafka_topic_partition_list_new(static_cast<int>(im.partitions.size())));
  std::vector<std::int64_t> hw;
  for (const auto& [t, p] : im.partitions) {
    std::int64_t lo = 0, hi = 0;
    const auto err = rd_kafka_query_watermark_offsets(rk, t.c_str(), p, &lo, &hi, static_cast<int>(timeout.count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return kafka_err(err, "watermarks of " + t);
    hw.push_back(hi);
    s.high_watermarks += hi;
    rd_kafka_topic_partition_list_add(list.get(), t.c_str(), p);
  }
  const auto err = rd_kafka_committed(rk, list.get(), static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return kafka_err(err, "committed offsets");
  for (int i = 0; i < list->cnt; ++i) {
    const std::int64_t committed = list->elems[i].offset >= 0 ? list->elems[i].offset : 0;
    s.committed += committed;
    s.max_partition_lag = std::max(s.max_partition_lag, hw[static_cast<std::size_t>(i)] - committed);
  }
  s.lag = s.high_watermarks - s.committed;
  return s;
}

}  // namespace crosscheck::loadgen
