#include "crosscheck/streams/kafka_error.h"

#include <string>

namespace crosscheck::streams {
namespace {

constexpr const char* kComponent = "kafka";

// Transient conditions: a broker restarting or moving leadership, a group rebalancing, a full
// local queue. Everything not listed is fatal: retrying the same call will not help, or
// librdkafka has already retried it (_MSG_TIMED_OUT is the end of its retries).
bool is_retriable(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR__IN_PROGRESS:
    case RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:  // metadata not propagated yet
    case RD_KAFKA_RESP_ERR__NODE_UPDATE:
    case RD_KAFKA_RESP_ERR__RETRY:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:  // broker side: topic still being created
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_REPLICA_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_NOT_CONTROLLER:
    case RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR:
    case RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH:
    case RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH:
    case RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_PREFERRED_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED:
      return true;
    default:
      return false;
  }
}

}  // namespace

Error kafka_error(rd_kafka_resp_err_t err, std::string_view context) {
  std::string msg(context);
  if (!msg.empty()) msg += ": ";
  msg += rd_kafka_err2str(err);
  msg += " (";
  msg += rd_kafka_err2name(err);
  msg += ")";
  const int code = static_cast<int>(err);
  return is_retriable(err) ? Error::retriable(kComponent, std::move(msg), code)
                           : Error::fatal(kComponent, std::move(msg), code);
}

Error kafka_error(const rd_kafka_error_t* err, std::string_view context) {
  if (err == nullptr) return Error::fatal(kComponent, std::string(context) + ": unknown error");
  const rd_kafka_resp_err_t code = rd_kafka_error_code(err);
  std::string msg(context);
  if (!msg.empty()) msg += ": ";
  msg += rd_kafka_error_string(err);
  msg += " (";
  msg += rd_kafka_error_name(err);
  msg += ")";
  // The error object knows best; fall back to the table when it says neither.
  bool retriable = false;
  if (rd_kafka_error_is_fatal(err) || rd_kafka_error_txn_requires_abort(err)) {
    retriable = false;
  } else if (rd_kafka_error_is_retriable(err)) {
    retriable = true;
  } else {
    retriable = is_retriable(code);
  }
  return retriable ? Error::retriable(kComponent, std::move(msg), static_cast<int>(code))
                   : Error::fatal(kComponent, std::move(msg), static_cast<int>(code));
}

}  // namespace crosscheck::streams
