#include "crosscheck/streams/producer.h"

#include <chrono>
#include <cstdint>

#include "crosscheck/log.h"
#include "crosscheck/streams/kafka_error.h"
#include "kafka_common.h"

namespace crosscheck::streams {
namespace detail {

Status set_property(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
    return Error::fatal("kafka", "invalid setting " + key + ": " + errstr);
  }
  return ok_status();
}

Status set_properties(rd_kafka_conf_t* conf, const std::map<std::string, std::string>& props) {
  for (const auto& [k, v] : props) {
    Status st = set_property(conf, k, v);
    if (!st) return st;
  }
  return ok_status();
}

namespace {
// librdkafka's own log lines (syslog levels), called from its internal threads.
void log_cb(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
  const char* name = rk != nullptr ? rd_kafka_name(rk) : "";
  if (level <= 3) {
    log::error("librdkafka", buf, {{"facility", fac}, {"client", name}});
  } else if (level <= 5) {
    log::warn("librdkafka", buf, {{"facility", fac}, {"client", name}});
  } else {
    log::debug("librdkafka", buf, {{"facility", fac}, {"client", name}});
  }
}
}  // namespace

Result<ConfHandle> make_conf(const KafkaConfig& config, const std::map<std::string, std::string>& defaults,
                             const std::map<std::string, std::string>& role_props) {
  ConfHandle conf(rd_kafka_conf_new());
  rd_kafka_conf_set_log_cb(conf.get(), &log_cb);
  Status st = set_property(conf.get(), "bootstrap.servers", config.bootstrap_servers);
  if (st) st = set_properties(conf.get(), defaults);
  if (st) st = set_properties(conf.get(), config.properties);
  if (st) st = set_properties(conf.get(), role_props);
  if (!st) return st.error();
  return conf;
}

Result<KafkaHandle> make_client(rd_kafka_type_t type, ConfHandle& conf) {
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof(errstr));
  if (rk == nullptr) return Error::fatal("kafka", std::string("cannot create client: ") + errstr);
  (void)conf.release();  // owned by rk now
  return KafkaHandle(rk);
}

const std::map<std::string, std::string>& producer_defaults() {
  static const std::map<std::string, std::string> kDefaults = {
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", "5"},
      {"compression.type", "none"},
  };
  return kDefaults;
}

Status produce_record(rd_kafka_t* rk, const OutRecord& record, void* msg_opaque) {
  rd_kafka_headers_t* hdrs = nullptr;
  if (!record.headers.empty()) {
    hdrs = rd_kafka_headers_new(record.headers.size());
    for (const auto& [name, value] : record.headers) {
      rd_kafka_header_add(hdrs, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                          static_cast<ssize_t>(value.size()));
    }
  }
  rd_kafka_vu_t vu[6];
  std::size_t n = 0;
  vu[n].vtype = RD_KAFKA_VTYPE_TOPIC;
  vu[n++].u.cstr = record.topic.c_str();
  vu[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vu[n++].u.i = RD_KAFKA_MSG_F_COPY;
  vu[n].vtype = RD_KAFKA_VTYPE_VALUE;
  vu[n].u.mem.ptr = const_cast<char*>(record.value.data());
  vu[n++].u.mem.size = record.value.size();
  if (!record.key.empty()) {  // empty key => null key, so the default partitioner spreads records
    vu[n].vtype = RD_KAFKA_VTYPE_KEY;
    vu[n].u.mem.ptr = const_cast<char*>(record.key.data());
    vu[n++].u.mem.size = record.key.size();
  }
  vu[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
  vu[n++].u.ptr = msg_opaque;
  if (hdrs != nullptr) {
    // An app-owned list (not VTYPE_HEADER, whose error path double-frees in some versions):
    // librdkafka takes it on success only.
    vu[n].vtype = RD_KAFKA_VTYPE_HEADERS;
    vu[n++].u.headers = hdrs;
  }
  KafkaErrorHandle err(rd_kafka_produceva(rk, vu, n));
  if (!err) return ok_status();
  if (hdrs != nullptr) rd_kafka_headers_destroy(hdrs);
  return kafka_error(err.get(), "produce to " + record.topic);
}

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace detail

namespace {
void producer_error_cb(rd_kafka_t* rk, int err, const char* reason, void* /*opaque*/) {
  const auto code = static_cast<rd_kafka_resp_err_t>(err);
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    char buf[512];
    const rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, buf, sizeof(buf));
    log::error("producer", "fatal producer error", {{"error", rd_kafka_err2name(orig)}, {"reason", buf}});
    return;
  }
  log::warn("producer", "kafka error", {{"error", rd_kafka_err2name(code)}, {"reason", reason}});
}
}  // namespace

Result<std::unique_ptr<Producer>> Producer::create(const KafkaConfig& config, DeliveryCallback on_delivery) {
  auto conf = detail::make_conf(config, detail::producer_defaults(), config.producer_properties);
  if (!conf) return conf.error();
  std::unique_ptr<Producer> p(new Producer());
  p->on_delivery_ = std::move(on_delivery);
  rd_kafka_conf_set_opaque(conf->get(), p.get());
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &Producer::on_delivery_report);
  rd_kafka_conf_set_error_cb(conf->get(), &producer_error_cb);
  auto rk = detail::make_client(RD_KAFKA_PRODUCER, *conf);
  if (!rk) return rk.error();
  p->rk_ = std::move(*rk);
  return p;
}

Producer::~Producer() {
  if (!rk_) return;
  const rd_kafka_resp_err_t err = rd_kafka_flush(rk_.get(), 10000);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    log::warn("producer", "records still undelivered at shutdown",
              {{"outstanding", rd_kafka_outq_len(rk_.get())}});
  }
  rk_.reset();
}

void Producer::on_delivery_report(rd_kafka_t* /*rk*/, const rd_kafka_message_t* msg, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  if (self == nullptr || !self->on_delivery_) return;
  const auto token = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(msg->_private));
  std::optional<Error> error;
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::string ctx = "deliver to ";
    ctx += msg->rkt != nullptr ? rd_kafka_topic_name(msg->rkt) : "?";
    error = kafka_error(msg->err, ctx);
  }
  if (error) {
    self->on_delivery_(token, error, -1, -1);
  } else {
    self->on_delivery_(token, error, msg->partition, msg->offset);
  }
}

Status Producer::produce(const OutRecord& record, std::uint64_t token) {
  return detail::produce_record(rk_.get(), record, reinterpret_cast<void*>(static_cast<std::uintptr_t>(token)));
}

Status Producer::produce_blocking(const OutRecord& record, std::uint64_t token, std::chrono::milliseconds max_block) {
  const auto deadline = std::chrono::steady_clock::now() + max_block;
  for (;;) {
    Status st = produce(record, token);
    if (st || st.error().code() != RD_KAFKA_RESP_ERR__QUEUE_FULL) return st;
    if (std::chrono::steady_clock::now() >= deadline) return st;
    poll(std::chrono::milliseconds(50));
  }
}

int Producer::poll(std::chrono::milliseconds timeout) { return rd_kafka_poll(rk_.get(), detail::timeout_ms(timeout)); }

Status Producer::flush(std::chrono::milliseconds timeout) {
  const rd_kafka_resp_err_t err = rd_kafka_flush(rk_.get(), detail::timeout_ms(timeout));
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return ok_status();
  return kafka_error(err, "flush (" + std::to_string(rd_kafka_outq_len(rk_.get())) + " outstanding)");
}

int Producer::outstanding() const { return rd_kafka_outq_len(rk_.get()); }

}  // namespace crosscheck::streams
