// Follows topics and hands each record to a callback: the `crosscheck tail` command and the
// quickstart use it to print flags as they arrive.
// Thread-safety: tail() blocks the calling thread; set `stop` from any thread to end it.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "crosscheck/error.h"
#include "crosscheck/streams/kafka_config.h"
#include "crosscheck/streams/records.h"

namespace crosscheck::streams {

struct TailOptions {
  // Topic names; a name starting with '^' is a regular expression (e.g. "^flags\\..*").
  std::vector<std::string> topics;
  bool from_beginning = false;
  std::size_t max_records = 0;               // 0: unlimited
  std::chrono::milliseconds idle_timeout{0};  // 0: wait forever; otherwise stop after this long without a record
};

// Reads without committing (a throw-away consumer group), so tailing never moves a real group's
// offsets. Returns the number of records delivered to `on_record`.
Result<std::size_t> tail(const KafkaConfig& config, const TailOptions& options,
                         const std::function<void(const InRecord&)>& on_record, const std::atomic<bool>& stop);

}  // namespace crosscheck::streams
