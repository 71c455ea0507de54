// Internal helpers shared by the producer, the pipeline and the admin functions.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <string>

#include "crosscheck/error.h"
#include "crosscheck/streams/kafka_config.h"
#include "crosscheck/streams/kafka_handles.h"
#include "crosscheck/streams/records.h"

namespace crosscheck::streams::detail {

// Sets one property; a fatal Error naming the key (values may be secrets, so never logged).
Status set_property(rd_kafka_conf_t* conf, const std::string& key, const std::string& value);
Status set_properties(rd_kafka_conf_t* conf, const std::map<std::string, std::string>& props);

// A conf with bootstrap.servers, `defaults`, then config.properties, then `role_props`, and
// librdkafka's log lines routed to crosscheck::log.
Result<ConfHandle> make_conf(const KafkaConfig& config, const std::map<std::string, std::string>& defaults,
                             const std::map<std::string, std::string>& role_props);

// rd_kafka_new; takes the conf on success only.
Result<KafkaHandle> make_client(rd_kafka_type_t type, ConfHandle& conf);

// enable.idempotence=true, acks=all, linger.ms=5, compression.type=none.
const std::map<std::string, std::string>& producer_defaults();
// rd_kafka_produceva with a copied value, a null key when empty, and headers.
Status produce_record(rd_kafka_t* rk, const OutRecord& record, void* msg_opaque);

std::int64_t wall_clock_ms();

inline int timeout_ms(std::chrono::milliseconds t) {
  if (t.count() < 0) return 0;
  if (t.count() > 0x7fffffff) return 0x7fffffff;
  return static_cast<int>(t.count());
}

}  // namespace crosscheck::streams::detail
