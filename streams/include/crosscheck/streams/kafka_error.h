// Mapping librdkafka errors onto crosscheck::Error (retriable or fatal).
#pragma once

#include <librdkafka/rdkafka.h>

#include <string_view>

#include "crosscheck/error.h"

namespace crosscheck::streams {

// Classifies `err` using librdkafka's own knowledge of retriable errors where it has it, and a
// conservative table otherwise. `context` says what was being done ("produce to flags.border").
Error kafka_error(rd_kafka_resp_err_t err, std::string_view context);
// For the rd_kafka_error_t API (transactions, admin): uses rd_kafka_error_is_retriable/is_fatal.
Error kafka_error(const rd_kafka_error_t* err, std::string_view context);

}  // namespace crosscheck::streams
