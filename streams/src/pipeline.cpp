#include "crosscheck/streams/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "crosscheck/log.h"
#include "crosscheck/streams/kafka_error.h"
#include "crosscheck/streams/kafka_handles.h"
#include "crosscheck/streams/offset_tracker.h"
#include "kafka_common.h"

namespace crosscheck::streams {
namespace {

constexpr const char* kLog = "pipeline";
using Clock = std::chrono::steady_clock;
// A stall shorter than this only polls the producer; a longer one pauses the partitions so the
// consumer can keep serving the group (heartbeats, rebalances, max.poll.interval.ms).
constexpr auto kPauseAfter = std::chrono::seconds(2);
// How long one output may wait for room in librdkafka's local queue.
constexpr auto kQueueFullBlock = std::chrono::seconds(30);

static_assert(sizeof(void*) >= sizeof(std::uint64_t), "tokens travel as per-message opaques");

PipelineObserver& null_observer() {
  static PipelineObserver obs;
  return obs;
}

}  // namespace

struct Pipeline::Impl {
  Impl(PipelineConfig c, ProcessFn p, BatchProcessFn b, PipelineObserver* o, std::atomic<bool>* r)
      : cfg(std::move(c)),
        process(std::move(p)),
        process_batch(std::move(b)),
        obs(o != nullptr ? *o : null_observer()),
        ready(r) {}

  // One consumed record whose outputs are not all acknowledged yet.
  struct InFlight {
    TopicPartition tp;
    std::int64_t offset = 0;
    std::int64_t source_ts = 0;
    int outcome = 0;
    std::size_t outputs = 0;
    std::size_t remaining = 0;
    std::uint64_t generation = 0;
  };
  struct PartState {
    std::uint64_t generation = 0;  // bumped on revoke/rewind: late acks of older instances are void
    std::int64_t last_offset = -1;
  };

  PipelineConfig cfg;
  ProcessFn process;             // per-record mode, or
  BatchProcessFn process_batch;  // batch mode
  PipelineObserver& obs;
  std::atomic<bool>* ready;
  std::atomic<bool> stop{false};
  bool started = false;

  OffsetTracker tracker;
  std::map<TopicPartition, PartState> parts;
  std::unordered_map<std::uint64_t, InFlight> in_flight;
  std::uint64_t next_id = 1;
  std::uint64_t generation_seq = 0;
  std::optional<Error> fatal;
  bool paused = false;
  bool closing = false;  // drain() has flushed already

  // Declared last: destroyed first, while the state their callbacks touch still exists.
  KafkaHandle producer;
  KafkaHandle consumer;

  Status setup();
  void loop();
  void drain();

  // False for an error or end-of-partition event (handled here), true for a record.
  bool is_record(const rd_kafka_message_t* m);
  void handle_record(const rd_kafka_message_t* m);
  void handle_batch(MessageHandle first);
  // After processing: tracks the record and produces its outputs. False once the pipeline is
  // failing (the record then stays uncommitted).
  bool track_and_produce(const InRecord& in, const Processed& out);
  void commit(const std::map<TopicPartition, std::int64_t>& offsets, const char* reason);
  void commit_complete(const char* reason) { commit(tracker.committable(), reason); }
  void revoke(rd_kafka_topic_partition_list_t* parts);
  void set_paused(bool pause);
  void set_fatal(Error e);
  void check_fatal_errors();

  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);
  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                           void* opaque);
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static int on_stats(rd_kafka_t* rk, char* json, size_t len, void* opaque);
};

void Pipeline::Impl::set_fatal(Error e) {
  if (fatal) return;  // the first cause is the one worth reporting
  log::error(kLog, "stopping on fatal error", {{"error", e.to_string()}});
  fatal = Error::fatal(e.component(), e.message(), e.code());
}

void Pipeline::Impl::check_fatal_errors() {
  char buf[512];
  for (rd_kafka_t* rk : {producer.get(), consumer.get()}) {
    if (rk == nullptr) continue;
    const rd_kafka_resp_err_t err = rd_kafka_fatal_error(rk, buf, sizeof(buf));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      set_fatal(Error::fatal("kafka", std::string(rd_kafka_name(rk)) + ": " + buf, static_cast<int>(err)));
    }
  }
}

void Pipeline::Impl::on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* self = static_cast<Impl*>(opaque);
  const auto code = static_cast<rd_kafka_resp_err_t>(err);
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    self->check_fatal_errors();
    return;
  }
  Error e = kafka_error(code, std::string(rd_kafka_name(rk)) + ": " + reason);
  log::warn(kLog, "kafka error", {{"error", e.to_string()}});
  self->obs.on_kafka_error(e);
}

int Pipeline::Impl::on_stats(rd_kafka_t* /*rk*/, char* json, size_t len, void* opaque) {
  static_cast<Impl*>(opaque)->obs.on_statistics(std::string_view(json, len));
  return 0;  // librdkafka frees the buffer
}

void Pipeline::Impl::on_delivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* msg, void* opaque) {
  auto* self = static_cast<Impl*>(opaque);
  const auto id = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(msg->_private));
  auto it = self->in_flight.find(id);
  if (it == self->in_flight.end()) return;
  InFlight& rec = it->second;
  const std::string out_topic = msg->rkt != nullptr ? rd_kafka_topic_name(msg->rkt) : std::string();
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // librdkafka has given up on this output: committing its input would lose it.
    Error e = kafka_error(msg->err, "deliver to " + out_topic);
    // A rejected batch fails many outputs at once: the first one tells the story.
    const log::Level level = self->fatal ? log::Level::kDebug : log::Level::kError;
    if (log::enabled(level)) {
      log::write(level, kLog, "output not delivered; input stays uncommitted",
                 {{"error", e.to_string()}, {"topic", rec.tp.topic}, {"partition", rec.tp.partition},
                  {"offset", rec.offset}});
    }
    self->obs.on_kafka_error(e);
    self->set_fatal(std::move(e));
    return;  // never acked: the record never completes and blocks its partition's commits
  }
  self->obs.on_produced(out_topic);
  const auto pit = self->parts.find(rec.tp);
  const bool current = pit != self->parts.end() && pit->second.generation == rec.generation;
  if (current) self->tracker.ack(rec.tp, rec.offset);
  if (--rec.remaining == 0) {
    self->obs.on_completed(rec.tp.topic, rec.outcome, rec.source_ts, detail::wall_clock_ms(), rec.outputs);
    self->in_flight.erase(it);
  }
}

void Pipeline::Impl::commit(const std::map<TopicPartition, std::int64_t>& offsets, const char* reason) {
  if (offsets.empty() || !consumer) return;
  TopicPartitionListHandle list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& [tp, off] : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset = off;
  }
  const rd_kafka_resp_err_t err = rd_kafka_commit(consumer.get(), list.get(), 0 /* sync */);
  std::map<TopicPartition, std::int64_t> done;
  std::optional<Error> error;
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error = kafka_error(err, "commit");
  } else {
    for (int i = 0; i < list->cnt; ++i) {
      const rd_kafka_topic_partition_t& p = list->elems[i];
      if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (!error) error = kafka_error(p.err, "commit " + std::string(p.topic) + "/" + std::to_string(p.partition));
        continue;
      }
      done.emplace(TopicPartition{p.topic, p.partition}, p.offset);
    }
  }
  tracker.mark_committed(done);
  if (error) {
    // Not fatal: the offsets stay committable and are retried at the next interval.
    log::warn(kLog, "commit failed", {{"reason", reason}, {"error", error->to_string()}});
  } else {
    log::debug(kLog, "committed", {{"reason", reason}, {"partitions", static_cast<std::uint64_t>(done.size())}});
  }
  obs.on_commit(offsets.size(), error);
}

void Pipeline::Impl::revoke(rd_kafka_topic_partition_list_t* revoked) {
  const bool lost = rd_kafka_assignment_lost(consumer.get()) != 0;
  if (!lost) {
    // Let what is in flight complete, so the next owner redelivers as little as possible.
    const rd_kafka_resp_err_t err =
        closing ? RD_KAFKA_RESP_ERR_NO_ERROR : rd_kafka_flush(producer.get(), detail::timeout_ms(cfg.drain_timeout));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      log::warn(kLog, "outputs still in flight at revocation; their inputs will be redelivered",
                {{"outstanding", rd_kafka_outq_len(producer.get())}});
    }
    auto ready_offsets = tracker.committable();
    std::map<TopicPartition, std::int64_t> to_commit;
    for (int i = 0; i < revoked->cnt; ++i) {
      const TopicPartition tp{revoked->elems[i].topic, revoked->elems[i].partition};
      auto it = ready_offsets.find(tp);
      if (it != ready_offsets.end()) to_commit.insert(*it);
    }
    commit(to_commit, "revoke");
  } else {
    log::warn(kLog, "assignment lost; uncommitted records will be redelivered");
  }
  for (int i = 0; i < revoked->cnt; ++i) {
    const TopicPartition tp{revoked->elems[i].topic, revoked->elems[i].partition};
    tracker.forget(tp);
    auto it = parts.find(tp);
    if (it != parts.end()) {
      it->second.generation = ++generation_seq;
      it->second.last_offset = -1;
    }
  }
}

void Pipeline::Impl::on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* list,
                                  void* opaque) {
  auto* self = static_cast<Impl*>(opaque);
  // Eager by default; an operator may choose cooperative-sticky, whose callbacks carry only the
  // partitions that change and need the incremental calls.
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
  std::vector<std::pair<std::string, std::int32_t>> tps;
  for (int i = 0; i < list->cnt; ++i) tps.emplace_back(list->elems[i].topic, list->elems[i].partition);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    log::info(kLog, "partitions assigned", {{"count", list->cnt}, {"cooperative", cooperative}});
    if (cooperative) {
      KafkaErrorHandle e(rd_kafka_incremental_assign(rk, list));
      if (e) self->set_fatal(kafka_error(e.get(), "assign"));
      if (self->paused) rd_kafka_pause_partitions(rk, list);  // join the current back-pressure state
    } else {
      const rd_kafka_resp_err_t aerr = rd_kafka_assign(rk, list);
      if (aerr != RD_KAFKA_RESP_ERR_NO_ERROR) self->set_fatal(kafka_error(aerr, "assign"));
      self->paused = false;  // a fresh assignment starts unpaused
    }
    self->ready->store(true, std::memory_order_release);
    self->obs.on_assignment(tps);
  } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    log::info(kLog, "partitions revoked", {{"count", list->cnt}, {"cooperative", cooperative}});
    self->revoke(list);
    if (cooperative) {
      KafkaErrorHandle e(rd_kafka_incremental_unassign(rk, list));
      if (e) log::warn(kLog, "unassign failed", {{"error", rd_kafka_error_string(e.get())}});
    } else {
      rd_kafka_assign(rk, nullptr);
      self->paused = false;
    }
  } else {
    Error e = kafka_error(err, "rebalance");
    log::warn(kLog, "rebalance error", {{"error", e.to_string()}});
    self->obs.on_kafka_error(e);
    rd_kafka_assign(rk, nullptr);
  }
}

Status Pipeline::Impl::setup() {
  if (cfg.topics.empty()) return Error::fatal("pipeline", "no input topics configured");
  // Both confs first, so that a bad setting fails before any connection is made.
  auto pconf = detail::make_conf(cfg.kafka, detail::producer_defaults(), cfg.kafka.producer_properties);
  if (!pconf) return pconf.error();
  static const std::map<std::string, std::string> kConsumerDefaults = {
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
  };
  auto cconf = detail::make_conf(cfg.kafka, kConsumerDefaults, cfg.kafka.consumer_properties);
  if (!cconf) return cconf.error();
  Status st = detail::set_property(cconf->get(), "group.id", cfg.group_id);
  if (!st) return st;

  // The pipeline owns its producer handle so that deliveries, errors and statistics reach it.
  rd_kafka_conf_set_opaque(pconf->get(), this);
  rd_kafka_conf_set_dr_msg_cb(pconf->get(), &Impl::on_delivery);
  rd_kafka_conf_set_error_cb(pconf->get(), &Impl::on_error);
  rd_kafka_conf_set_stats_cb(pconf->get(), &Impl::on_stats);
  rd_kafka_conf_set_opaque(cconf->get(), this);
  rd_kafka_conf_set_rebalance_cb(cconf->get(), &Impl::on_rebalance);
  rd_kafka_conf_set_error_cb(cconf->get(), &Impl::on_error);
  rd_kafka_conf_set_stats_cb(cconf->get(), &Impl::on_stats);

  auto prk = detail::make_client(RD_KAFKA_PRODUCER, *pconf);
  if (!prk) return prk.error();
  producer = std::move(*prk);
  auto crk = detail::make_client(RD_KAFKA_CONSUMER, *cconf);
  if (!crk) return crk.error();
  consumer = std::move(*crk);
  // Serve rebalances, errors and statistics from consumer_poll on this thread.
  rd_kafka_poll_set_consumer(consumer.get());

  TopicPartitionListHandle topics(rd_kafka_topic_partition_list_new(static_cast<int>(cfg.topics.size())));
  for (const std::string& t : cfg.topics) rd_kafka_topic_partition_list_add(topics.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  const rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer.get(), topics.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return kafka_error(err, "subscribe");
  log::info(kLog, "subscribed", {{"group", cfg.group_id}, {"topics", static_cast<std::uint64_t>(cfg.topics.size())}});
  return ok_status();
}

void Pipeline::Impl::set_paused(bool pause) {
  if (pause == paused) return;
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (rd_kafka_assignment(consumer.get(), &raw) != RD_KAFKA_RESP_ERR_NO_ERROR || raw == nullptr) return;
  TopicPartitionListHandle list(raw);
  const rd_kafka_resp_err_t err =
      pause ? rd_kafka_pause_partitions(consumer.get(), list.get()) : rd_kafka_resume_partitions(consumer.get(), list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    log::warn(kLog, pause ? "pause failed" : "resume failed", {{"error", rd_kafka_err2name(err)}});
    return;
  }
  paused = pause;
  log::info(kLog, pause ? "back-pressure: partitions paused" : "back-pressure: partitions resumed",
            {{"in_flight", static_cast<std::uint64_t>(tracker.in_flight())}});
}

namespace {
InRecord to_in_record(const rd_kafka_message_t* m) {
  InRecord in;
  in.topic = rd_kafka_topic_name(m->rkt);
  in.partition = m->partition;
  in.offset = m->offset;
  rd_kafka_timestamp_type_t tstype = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  const std::int64_t ts = rd_kafka_message_timestamp(m, &tstype);
  in.timestamp_ms = ts > 0 ? ts : 0;
  if (m->key != nullptr) in.key = std::string_view(static_cast<const char*>(m->key), m->key_len);
  if (m->payload != nullptr) in.value = std::string_view(static_cast<const char*>(m->payload), m->len);
  return in;
}
}  // namespace

bool Pipeline::Impl::is_record(const rd_kafka_message_t* m) {
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) return true;
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return false;
  std::string ctx = "consume";
  if (m->rkt != nullptr) ctx += std::string(" ") + rd_kafka_topic_name(m->rkt);
  Error e = kafka_error(m->err, ctx);
  log::warn(kLog, "consumer error", {{"error", e.to_string()}});
  obs.on_kafka_error(e);
  return false;
}

void Pipeline::Impl::handle_record(const rd_kafka_message_t* m) {
  const InRecord in = to_in_record(m);
  obs.on_consumed(in);

  Processed out;
  try {
    process(in, out);
  } catch (const std::exception& e) {
    set_fatal(Error::fatal("pipeline", std::string("processing threw: ") + e.what()));
    return;  // not tracked, so never committed
  } catch (...) {
    set_fatal(Error::fatal("pipeline", "processing threw a non-standard exception"));
    return;
  }
  track_and_produce(in, out);
}

void Pipeline::Impl::handle_batch(MessageHandle first) {
  // Collect what the consumer has ready (and, with a linger, what arrives meanwhile). Each record
  // remembers its partition's generation: should a rebalance callback revoke the partition during
  // a later poll of this loop, the record is left out below rather than processed for a
  // partition this consumer no longer owns.
  std::vector<MessageHandle> messages;
  std::vector<std::uint64_t> generations;
  messages.reserve(std::min<std::size_t>(cfg.max_batch, 64));
  auto add = [&](MessageHandle m) {
    const TopicPartition tp{rd_kafka_topic_name(m->rkt), m->partition};
    generations.push_back(parts[tp].generation);
    messages.push_back(std::move(m));
  };
  add(std::move(first));
  const auto deadline = Clock::now() + cfg.batch_linger;
  while (messages.size() < cfg.max_batch && !stop.load(std::memory_order_acquire)) {
    const auto now = Clock::now();
    const auto wait = now < deadline ? std::chrono::ceil<std::chrono::milliseconds>(deadline - now)
                                     : std::chrono::milliseconds(0);
    MessageHandle m(rd_kafka_consumer_poll(consumer.get(), detail::timeout_ms(wait)));
    if (!m) {
      if (wait.count() == 0) break;
      continue;
    }
    if (is_record(m.get())) add(std::move(m));
  }

  std::vector<InRecord> in;
  in.reserve(messages.size());
  std::size_t left_out = 0;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    InRecord rec = to_in_record(messages[i].get());
    if (parts[TopicPartition{std::string(rec.topic), rec.partition}].generation != generations[i]) {
      ++left_out;
      continue;
    }
    obs.on_consumed(rec);
    in.push_back(rec);
  }
  if (left_out > 0) {
    log::info(kLog, "records of revoked partitions left out of a batch; their next owner reads them",
              {{"records", static_cast<std::uint64_t>(left_out)}});
  }
  if (in.empty()) return;

  std::vector<Processed> out(in.size());
  try {
    process_batch(std::span<const InRecord>(in), std::span<Processed>(out));
  } catch (const std::exception& e) {
    set_fatal(Error::fatal("pipeline", std::string("processing threw: ") + e.what()));
    return;  // nothing of the batch is tracked, so nothing of it is committed
  } catch (...) {
    set_fatal(Error::fatal("pipeline", "processing threw a non-standard exception"));
    return;
  }
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (!track_and_produce(in[i], out[i])) return;
  }
}

bool Pipeline::Impl::track_and_produce(const InRecord& in, const Processed& out) {
  TopicPartition tp{std::string(in.topic), in.partition};
  PartState& ps = parts[tp];
  if (ps.last_offset >= 0 && in.offset <= ps.last_offset) {
    log::warn(kLog, "consumer rewound", {{"topic", tp.topic}, {"partition", tp.partition}, {"offset", in.offset}});
    ps.generation = ++generation_seq;
  }
  ps.last_offset = in.offset;
  const std::size_t n = out.outputs.size();
  tracker.add(tp, in.offset, static_cast<int>(n));
  if (n == 0) {
    obs.on_completed(in.topic, out.outcome, in.timestamp_ms, detail::wall_clock_ms(), 0);
    return true;
  }
  const std::uint64_t id = next_id++;
  in_flight.emplace(id, InFlight{tp, in.offset, in.timestamp_ms, out.outcome, n, n, ps.generation});
  void* opaque = reinterpret_cast<void*>(static_cast<std::uintptr_t>(id));
  for (const OutRecord& rec : out.outputs) {
    Status st = detail::produce_record(producer.get(), rec, opaque);
    const auto deadline = Clock::now() + kQueueFullBlock;
    while (!st && st.error().code() == RD_KAFKA_RESP_ERR__QUEUE_FULL && Clock::now() < deadline) {
      rd_kafka_poll(producer.get(), 50);  // deliveries make room
      st = detail::produce_record(producer.get(), rec, opaque);
    }
    if (!st) {
      log::error(kLog, "cannot produce output; input stays uncommitted",
                 {{"error", st.error().to_string()}, {"topic", tp.topic}, {"partition", tp.partition},
                  {"offset", in.offset}});
      obs.on_kafka_error(st.error());
      set_fatal(st.error());
      return false;  // the record keeps pending outputs, so it is never committed
    }
  }
  return true;
}

void Pipeline::Impl::loop() {
  auto last_commit = Clock::now();
  Clock::time_point stalled_since{};  // epoch: not stalled
  while (!stop.load(std::memory_order_acquire) && !fatal) {
    rd_kafka_poll(producer.get(), 0);
    check_fatal_errors();
    if (fatal) break;

    const auto now = Clock::now();
    if (now - last_commit >= cfg.commit_interval) {
      commit_complete("interval");
      last_commit = now;
    }

    if (tracker.in_flight() >= cfg.max_in_flight) {
      if (stalled_since == Clock::time_point{}) stalled_since = now;
      if (!paused && now - stalled_since >= kPauseAfter) set_paused(true);
      rd_kafka_poll(producer.get(), 50);
      if (!paused) continue;  // short stall: just wait for acknowledgements
    } else {
      stalled_since = Clock::time_point{};
      if (paused) set_paused(false);
    }

    // Keep acknowledgement latency low while outputs are in flight.
    auto timeout = cfg.poll_timeout;
    if (paused) {
      timeout = std::chrono::milliseconds(0);
    } else if (!in_flight.empty()) {
      timeout = std::min(timeout, std::chrono::milliseconds(5));
    }
    MessageHandle m(rd_kafka_consumer_poll(consumer.get(), detail::timeout_ms(timeout)));
    if (!m || !is_record(m.get())) continue;
    if (process_batch) {
      handle_batch(std::move(m));
    } else {
      handle_record(m.get());
    }
  }
}

void Pipeline::Impl::drain() {
  // Outputs first, then offsets: a commit must never overtake its outputs.
  const rd_kafka_resp_err_t err = rd_kafka_flush(producer.get(), detail::timeout_ms(cfg.drain_timeout));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    log::warn(kLog, "outputs still in flight at shutdown; their inputs will be redelivered",
              {{"outstanding", rd_kafka_outq_len(producer.get())}});
  }
  commit_complete("shutdown");
  closing = true;
  // Leaves the group; the revoke callback runs here (nothing new to commit by now).
  const rd_kafka_resp_err_t cerr = rd_kafka_consumer_close(consumer.get());
  if (cerr != RD_KAFKA_RESP_ERR_NO_ERROR) {
    log::warn(kLog, "consumer close failed", {{"error", rd_kafka_err2name(cerr)}});
  }
  ready->store(false, std::memory_order_release);
}

Pipeline::Pipeline(PipelineConfig config, ProcessFn process, PipelineObserver* observer)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(process), nullptr, observer, &ready_)) {}

Pipeline::Pipeline(PipelineConfig config, BatchProcessFn process, PipelineObserver* observer)
    : impl_(std::make_unique<Impl>(std::move(config), nullptr, std::move(process), observer, &ready_)) {}

Pipeline::~Pipeline() = default;

void Pipeline::request_stop() { impl_->stop.store(true, std::memory_order_release); }

Status Pipeline::run() {
  Impl& im = *impl_;
  if (im.started) return Error::fatal("pipeline", "run() called twice");
  im.started = true;
  if (!im.process && !im.process_batch) return Error::fatal("pipeline", "no processing function");
  if (im.process_batch && im.cfg.max_batch == 0) return Error::fatal("pipeline", "max_batch must be at least 1");
  Status st = im.setup();
  if (!st) {
    log::error(kLog, "cannot start", {{"error", st.error().to_string()}});
    return st;
  }
  im.loop();
  im.drain();
  if (im.fatal) return *im.fatal;
  log::info(kLog, "stopped");
  return ok_status();
}

}  // namespace crosscheck::streams
