// Plain record types passed between the Kafka layer and the processing functions, so that the
// processing logic (parse, screen, encode) never touches librdkafka.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crosscheck::streams {

// A consumed record. The views point into the librdkafka message and are valid only during the
// processing call that receives it.
struct InRecord {
  std::string_view topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = 0;  // Kafka record timestamp (CreateTime or LogAppendTime); 0 if none
  std::string_view key;
  std::string_view value;
};

// A record to produce.
struct OutRecord {
  std::string topic;
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
};

}  // namespace crosscheck::streams
