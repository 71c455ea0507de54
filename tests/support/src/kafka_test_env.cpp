#include "crosscheck/testing/kafka_test_env.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <optional>

#include "crosscheck/streams/admin.h"
#include "crosscheck/streams/kafka_handles.h"
#include "crosscheck/streams/producer.h"
#include "crosscheck/testing/test_env.h"

namespace crosscheck::testing {
namespace {

using streams::KafkaHandle;
using streams::MessageHandle;
using streams::TopicPartitionListHandle;
using Clock = std::chrono::steady_clock;

// A group-less consumer: assign() needs no group, so reading never joins or rebalances anything.
KafkaHandle assign_consumer(const std::string& bootstrap, const std::string& topic,
                            const std::map<std::int32_t, std::int64_t>& partitions) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  // assign() needs a group id in librdkafka, but without subscribe() the group is never joined.
  rd_kafka_conf_set(conf, "group.id", unique_name("kafka-test-reader").c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
  rd_kafka_conf_set(conf, "enable.partition.eof", "false", err, sizeof err);
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    ADD_FAILURE() << "cannot create test consumer: " << err;
    return nullptr;
  }
  KafkaHandle h(rk);
  TopicPartitionListHandle list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const auto& [p, hi] : partitions) {
    (void)hi;
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  const rd_kafka_resp_err_t e = rd_kafka_assign(rk, list.get());
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    ADD_FAILURE() << "assign " << topic << ": " << rd_kafka_err2str(e);
    return nullptr;
  }
  return h;
}

ReceivedRecord to_record(const rd_kafka_message_t* m) {
  ReceivedRecord r;
  r.topic = rd_kafka_topic_name(m->rkt);
  r.partition = m->partition;
  r.offset = m->offset;
  r.timestamp_ms = rd_kafka_message_timestamp(m, nullptr);
  if (m->key != nullptr) r.key.assign(static_cast<const char*>(m->key), m->key_len);
  if (m->payload != nullptr) r.value.assign(static_cast<const char*>(m->payload), m->len);
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs != nullptr) {
    const char* name = nullptr;
    const void* val = nullptr;
    size_t size = 0;
    for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &val, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
      r.headers.emplace_back(name, val != nullptr ? std::string(static_cast<const char*>(val), size) : std::string());
    }
  }
  return r;
}

void send_values(const streams::KafkaConfig& config, const std::string& topic, const std::vector<std::string>& values,
                 std::string_view key) {
  std::optional<Error> failed;
  streams::KafkaConfig cfg = config;
  // Unkeyed records go to a random partition each, not one sticky batch, so that multi-partition
  // tests see data on every partition.
  cfg.producer_properties["sticky.partitioning.linger.ms"] = "0";
  auto producer = streams::Producer::create(cfg, [&](std::uint64_t, const std::optional<Error>& e, std::int32_t,
                                                        std::int64_t) {
    if (e && !failed) failed = e;
  });
  if (!producer) {
    ADD_FAILURE() << "test producer: " << producer.error().to_string();
    return;
  }
  streams::OutRecord rec;
  rec.topic = topic;
  rec.key = std::string(key);
  for (const std::string& v : values) {
    rec.value = v;
    Status st = (*producer)->produce_blocking(rec, 0);
    if (!st) {
      ADD_FAILURE() << "send to " << topic << ": " << st.error().to_string();
      return;
    }
  }
  Status st = (*producer)->flush(std::chrono::seconds(30));
  if (!st) ADD_FAILURE() << "send to " << topic << ": " << st.error().to_string();
  if (failed) ADD_FAILURE() << "send to " << topic << ": " << failed->to_string();
}

}  // namespace

std::string ReceivedRecord::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

KafkaTestEnv::KafkaTestEnv(std::string bootstrap_servers) : bootstrap_(std::move(bootstrap_servers)) {}

streams::KafkaConfig KafkaTestEnv::config() const {
  streams::KafkaConfig c;
  c.bootstrap_servers = bootstrap_;
  return c;
}

std::string KafkaTestEnv::make_topic(std::string_view stem, int partitions) {
  std::string name = unique_name(stem);
  create_topic(name, partitions);
  return name;
}

void KafkaTestEnv::create_topic(const std::string& name, int partitions) {
  Status st = streams::ensure_topics(config(), {streams::TopicSpec{name, partitions, 1}});
  if (!st) ADD_FAILURE() << "create topic " << name << ": " << st.error().to_string();
}

void KafkaTestEnv::send(const std::string& topic, std::string_view value, std::string_view key) {
  send_values(config(), topic, {std::string(value)}, key);
}

void KafkaTestEnv::send_all(const std::string& topic, const std::vector<std::string>& values) {
  send_values(config(), topic, values, {});
}

std::vector<ReceivedRecord> KafkaTestEnv::receive(const std::string& topic, std::size_t count,
                                                  std::chrono::milliseconds timeout) {
  std::vector<ReceivedRecord> out;
  const auto deadline = Clock::now() + timeout;
  const auto hw = high_watermarks(topic);
  if (hw.empty()) return out;
  KafkaHandle rk = assign_consumer(bootstrap_, topic, hw);
  if (!rk) return out;
  while (out.size() < count && Clock::now() < deadline) {
    MessageHandle m(rd_kafka_consumer_poll(rk.get(), 100));
    if (!m) continue;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;  // transient; the deadline bounds it
    out.push_back(to_record(m.get()));
  }
  rd_kafka_consumer_close(rk.get());
  return out;
}

std::vector<ReceivedRecord> KafkaTestEnv::receive_all(const std::string& topic, std::chrono::milliseconds timeout) {
  std::vector<ReceivedRecord> out;
  const auto deadline = Clock::now() + timeout;
  auto hw = high_watermarks(topic);
  if (hw.empty()) return out;
  std::map<std::int32_t, std::int64_t> todo;
  for (const auto& [p, hi] : hw) {
    if (hi > 0) todo[p] = hi;
  }
  if (todo.empty()) return out;
  KafkaHandle rk = assign_consumer(bootstrap_, topic, todo);
  if (!rk) return out;
  while (!todo.empty() && Clock::now() < deadline) {
    MessageHandle m(rd_kafka_consumer_poll(rk.get(), 100));
    if (!m || m->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    auto it = todo.find(m->partition);
    if (it == todo.end() || m->offset >= it->second) continue;  // written after we looked
    out.push_back(to_record(m.get()));
    if (m->offset + 1 >= it->second) todo.erase(it);
  }
  if (!todo.empty()) ADD_FAILURE() << "receive_all " << topic << ": timed out before the high watermarks";
  rd_kafka_consumer_close(rk.get());
  return out;
}

std::map<std::int32_t, std::int64_t> KafkaTestEnv::high_watermarks(const std::string& topic) {
  auto r = streams::high_watermarks(config(), topic);
  if (!r) {
    ADD_FAILURE() << "high watermarks of " << topic << ": " << r.error().to_string();
    return {};
  }
  return *r;
}

std::map<std::int32_t, std::int64_t> KafkaTestEnv::committed(const std::string& group_id, const std::string& topic) {
  auto r = streams::committed_offsets(config(), group_id, topic);
  if (!r) {
    ADD_FAILURE() << "committed offsets of " << group_id << ": " << r.error().to_string();
    return {};
  }
  return *r;
}

}  // namespace crosscheck::testing
