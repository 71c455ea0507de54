#include "crosscheck/streams/tail.h"

#include <random>

#include "crosscheck/streams/kafka_error.h"
#include "crosscheck/streams/kafka_handles.h"

namespace crosscheck::streams {

namespace {
bool set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value, std::string& err) {
  char buf[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), buf, sizeof buf) != RD_KAFKA_CONF_OK) {
    err = key + ": " + buf;
    return false;
  }
  return true;
}
}  // namespace

Result<std::size_t> tail(const KafkaConfig& config, const TailOptions& options,
                         const std::function<void(const InRecord&)>& on_record, const std::atomic<bool>& stop) {
  if (options.topics.empty()) return Error::fatal("kafka", "tail needs at least one topic");
  ConfHandle conf(rd_kafka_conf_new());
  std::string err;
  std::random_device rd;
  // A throw-away group: subscribing (needed for regex topics) requires one, and committing is off.
  const std::string group = "crosscheck-tail-" + std::to_string(rd());
  bool ok = set(conf.get(), "bootstrap.servers", config.bootstrap_servers, err) &&
            set(conf.get(), "group.id", group, err) && set(conf.get(), "enable.auto.commit", "false", err) &&
            set(conf.get(), "auto.offset.reset", options.from_beginning ? "earliest" : "latest", err) &&
            set(conf.get(), "topic.metadata.refresh.interval.ms", "2000", err);
  for (const auto* props : {&config.properties, &config.consumer_properties}) {
    for (const auto& [k, v] : *props) ok = ok && set(conf.get(), k, v, err);
  }
  if (!ok) return Error::fatal("kafka", "invalid consumer setting " + err);
  char errstr[512];
  KafkaHandle rk(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), errstr, sizeof errstr));
  if (!rk) return Error::fatal("kafka", std::string("cannot create consumer: ") + errstr);
  conf.release();  // owned by rk now
  rd_kafka_poll_set_consumer(rk.get());

  TopicPartitionListHandle subscription(rd_kafka_topic_partition_list_new(static_cast<int>(options.topics.size())));
  for (const auto& t : options.topics) rd_kafka_topic_partition_list_add(subscription.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  if (auto e = rd_kafka_subscribe(rk.get(), subscription.get()); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return kafka_error(e, "subscribe");
  }

  std::size_t delivered = 0;
  auto last_record = std::chrono::steady_clock::now();
  while (!stop.load()) {
    if (options.max_records != 0 && delivered >= options.max_records) break;
    if (options.idle_timeout.count() > 0 && std::chrono::steady_clock::now() - last_record > options.idle_timeout) break;
    MessageHandle msg(rd_kafka_consumer_poll(rk.get(), 200));
    if (!msg) continue;
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // Topics matched by a pattern may not exist yet; EOF is informational. Neither ends the tail.
      if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF || msg->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) continue;
      Error e = kafka_error(msg->err, "tail");
      if (e.is_fatal()) {
        rd_kafka_consumer_close(rk.get());
        return e;
      }
      continue;
    }
    InRecord in;
    in.topic = rd_kafka_topic_name(msg->rkt);
    in.partition = msg->partition;
    in.offset = msg->offset;
    rd_kafka_timestamp_type_t tstype;
    in.timestamp_ms = rd_kafka_message_timestamp(msg.get(), &tstype);
    if (in.timestamp_ms < 0) in.timestamp_ms = 0;
    in.key = std::string_view(static_cast<const char*>(msg->key), msg->key_len);
    in.value = std::string_view(static_cast<const char*>(msg->payload), msg->len);
    on_record(in);
    ++delivered;
    last_record = std::chrono::steady_clock::now();
  }
  rd_kafka_consumer_close(rk.get());
  return delivered;
}

}  // namespace crosscheck::streams
