#include "crosscheck/streams/admin.h"

#include <chrono>
#include <set>
#include <thread>

#include "crosscheck/log.h"
#include "crosscheck/streams/kafka_error.h"
#include "crosscheck/streams/kafka_handles.h"
#include "crosscheck/streams/producer.h"
#include "kafka_common.h"

namespace crosscheck::streams {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return std::max(1, detail::timeout_ms(left));
}

Result<KafkaHandle> admin_client(const KafkaConfig& config) {
  // A producer handle serves admin requests and metadata without joining anything. Looking a
  // topic up must not create it on brokers with auto.create.topics.enable.
  auto conf = detail::make_conf(config, {{"allow.auto.create.topics", "false"}}, config.producer_properties);
  if (!conf) return conf.error();
  return detail::make_client(RD_KAFKA_PRODUCER, *conf);
}

struct TopicState {
  bool exists = false;
  bool usable = false;  // every partition has a leader
  int partitions = 0;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
};

Result<TopicState> topic_state(rd_kafka_t* rk, const std::string& topic, int timeout_ms) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  if (rkt == nullptr) return kafka_error(rd_kafka_last_error(), "topic handle " + topic);
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
  rd_kafka_topic_destroy(rkt);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return kafka_error(err, "metadata for " + topic);
  TopicState st;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = md->topics[i];
    if (topic != t.topic) continue;
    st.err = t.err;
    st.exists = t.err == RD_KAFKA_RESP_ERR_NO_ERROR && t.partition_cnt > 0;
    st.partitions = t.partition_cnt;
    st.usable = st.exists;
    for (int p = 0; p < t.partition_cnt; ++p) {
      if (t.partitions[p].err != RD_KAFKA_RESP_ERR_NO_ERROR || t.partitions[p].leader < 0) st.usable = false;
    }
  }
  rd_kafka_metadata_destroy(md);
  return st;
}

// Partition count, failing with UNKNOWN_TOPIC when the topic does not exist.
Result<int> partition_count(rd_kafka_t* rk, const std::string& topic, int timeout_ms) {
  auto st = topic_state(rk, topic, timeout_ms);
  if (!st) return st.error();
  if (!st->exists) {
    return kafka_error(st->err != RD_KAFKA_RESP_ERR_NO_ERROR ? st->err : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC,
                       "metadata for " + topic);
  }
  return st->partitions;
}

// ListOffsets for one partition, retrying transient errors (a leader that is still being
// elected right after creation answers NOT_LEADER_FOR_PARTITION) until the deadline.
Result<std::int64_t> query_high(rd_kafka_t* rk, const std::string& topic, std::int32_t partition,
                                Clock::time_point deadline) {
  for (;;) {
    std::int64_t lo = 0;
    std::int64_t hi = 0;
    const rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(rk, topic.c_str(), partition, &lo, &hi, remaining_ms(deadline));
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return hi;
    Error e = kafka_error(err, "watermarks of " + topic + "/" + std::to_string(partition));
    if (!e.is_retriable() || Clock::now() >= deadline) return e;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

Status ensure_topics(const KafkaConfig& config, const std::vector<TopicSpec>& topics,
                     std::chrono::milliseconds timeout) {
  if (topics.empty()) return ok_status();
  const auto deadline = Clock::now() + timeout;
  auto rk = admin_client(config);
  if (!rk) return rk.error();

  std::vector<NewTopicHandle> owned;
  std::vector<rd_kafka_NewTopic_t*> raw;
  char errstr[512];
  for (const TopicSpec& t : topics) {
    rd_kafka_NewTopic_t* nt =
        rd_kafka_NewTopic_new(t.name.c_str(), t.partitions, t.replication_factor > 0 ? t.replication_factor : -1,
                              errstr, sizeof(errstr));
    if (nt == nullptr) return Error::fatal("kafka", "invalid topic " + t.name + ": " + errstr);
    owned.emplace_back(nt);
    raw.push_back(nt);
  }
  AdminOptionsHandle opts(rd_kafka_AdminOptions_new(rk->get(), RD_KAFKA_ADMIN_OP_CREATETOPICS));
  if (rd_kafka_AdminOptions_set_request_timeout(opts.get(), remaining_ms(deadline), errstr, sizeof(errstr)) ||
      rd_kafka_AdminOptions_set_operation_timeout(opts.get(), remaining_ms(deadline), errstr, sizeof(errstr))) {
    return Error::fatal("kafka", std::string("admin options: ") + errstr);
  }
  QueueHandle queue(rd_kafka_queue_new(rk->get()));
  rd_kafka_CreateTopics(rk->get(), raw.data(), raw.size(), opts.get(), queue.get());
  EventHandle ev(rd_kafka_queue_poll(queue.get(), remaining_ms(deadline) + 1000));
  if (!ev) return Error::retriable("kafka", "create topics: timed out");
  if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return kafka_error(rd_kafka_event_error(ev.get()), "create topics");
  }
  const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev.get());
  if (res == nullptr) return Error::fatal("kafka", "create topics: unexpected admin result");
  std::size_t cnt = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(res, &cnt);
  for (std::size_t i = 0; i < cnt; ++i) {
    const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    const std::string name = rd_kafka_topic_result_name(results[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      log::info("kafka-admin", "topic created", {{"topic", name}});
    } else if (err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      const char* msg = rd_kafka_topic_result_error_string(results[i]);
      return kafka_error(err, "create topic " + name + (msg != nullptr ? std::string(": ") + msg : ""));
    }
  }

  // CreateTopics returns before every partition has a leader; callers expect usable topics.
  std::set<std::string> waiting;
  for (const TopicSpec& t : topics) waiting.insert(t.name);
  for (;;) {
    for (auto it = waiting.begin(); it != waiting.end();) {
      auto st = topic_state(rk->get(), *it, std::min(remaining_ms(deadline), 5000));
      bool usable = st && st->usable;
      // Metadata can name a leader before that broker serves the partition: ask each leader.
      for (std::int32_t p = 0; usable && p < st->partitions; ++p) {
        std::int64_t lo = 0;
        std::int64_t hi = 0;
        usable = rd_kafka_query_watermark_offsets(rk->get(), it->c_str(), p, &lo, &hi,
                                                  std::min(remaining_ms(deadline), 5000)) == RD_KAFKA_RESP_ERR_NO_ERROR;
      }
      if (usable) {
        it = waiting.erase(it);
      } else {
        ++it;
      }
    }
    if (waiting.empty()) return ok_status();
    if (Clock::now() >= deadline) {
      return Error::retriable("kafka", "topic " + *waiting.begin() + " has no leader for every partition yet");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Result<std::map<std::int32_t, std::int64_t>> high_watermarks(const KafkaConfig& config, const std::string& topic,
                                                             std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto rk = admin_client(config);
  if (!rk) return rk.error();
  auto n = partition_count(rk->get(), topic, remaining_ms(deadline));
  if (!n) return n.error();
  std::map<std::int32_t, std::int64_t> out;
  for (std::int32_t p = 0; p < *n; ++p) {
    auto hi = query_high(rk->get(), topic, p, deadline);
    if (!hi) return hi.error();
    out[p] = *hi;
  }
  return out;
}

Result<std::map<std::int32_t, std::int64_t>> committed_offsets(const KafkaConfig& config, const std::string& group_id,
                                                               const std::string& topic,
                                                               std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto meta = admin_client(config);
  if (!meta) return meta.error();
  auto n = partition_count(meta->get(), topic, remaining_ms(deadline));
  if (!n) return n.error();

  // A consumer with the group id answers OffsetFetch without subscribing, so the group's
  // members are not disturbed by a rebalance.
  auto conf = detail::make_conf(config, {{"group.id", group_id}, {"enable.auto.commit", "false"}},
                                config.consumer_properties);
  if (!conf) return conf.error();
  auto rk = detail::make_client(RD_KAFKA_CONSUMER, *conf);
  if (!rk) return rk.error();
  TopicPartitionListHandle list(rd_kafka_topic_partition_list_new(*n));
  for (std::int32_t p = 0; p < *n; ++p) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p);
  const rd_kafka_resp_err_t err = rd_kafka_committed(rk->get(), list.get(), remaining_ms(deadline));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return kafka_error(err, "committed offsets of " + group_id);
  std::map<std::int32_t, std::int64_t> out;
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = list->elems[i];
    if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return kafka_error(tp.err, "committed offset of " + topic + "/" + std::to_string(tp.partition));
    }
    out[tp.partition] = tp.offset;
  }
  rd_kafka_destroy_flags(rk->release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  return out;
}

Result<std::size_t> produce_lines(const KafkaConfig& config, const std::string& topic, std::istream& lines) {
  std::optional<Error> delivery_error;
  auto producer = Producer::create(config, [&](std::uint64_t, const std::optional<Error>& e, std::int32_t, std::int64_t) {
    if (e && !delivery_error) delivery_error = e;
  });
  if (!producer) return producer.error();
  std::size_t count = 0;
  std::string line;
  OutRecord rec;
  rec.topic = topic;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    rec.value = line;
    Status st = (*producer)->produce_blocking(rec, count);
    if (!st) return st.error();
    ++count;
    (*producer)->poll(std::chrono::milliseconds(0));
    if (delivery_error) return *delivery_error;
  }
  // Bounded by message.timeout.ms: librdkafka fails what it cannot deliver by then.
  Status st = (*producer)->flush(std::chrono::minutes(6));
  if (delivery_error) return *delivery_error;
  if (!st) return st.error();
  return count;
}

}  // namespace crosscheck::streams
