#include "crosscheck/runtime/kafka_statistics.h"

#include <simdjson.h>

#include <charconv>
#include <limits>

namespace crosscheck::runtime {

namespace dom = simdjson::dom;

struct KafkaStatisticsParser::Impl {
  dom::parser parser;
  simdjson::padded_string buffer;
};

KafkaStatisticsParser::KafkaStatisticsParser(KafkaStatisticsLimits limits)
    : limits_(limits), impl_(std::make_unique<Impl>()) {}

KafkaStatisticsParser::~KafkaStatisticsParser() = default;

namespace {

// An integer field of an object: the value when present and an integer, else nullopt (and
// `skipped` moves when present with another type).
std::optional<std::int64_t> int_field(dom::object obj, std::string_view key, std::uint64_t& skipped) {
  dom::element e;
  if (obj.at_key(key).get(e) != simdjson::SUCCESS) return std::nullopt;
  std::int64_t v = 0;
  if (e.get_int64().get(v) == simdjson::SUCCESS) return v;
  ++skipped;
  return std::nullopt;
}

std::optional<std::string_view> string_field(dom::object obj, std::string_view key, std::uint64_t& skipped) {
  dom::element e;
  if (obj.at_key(key).get(e) != simdjson::SUCCESS) return std::nullopt;
  std::string_view v;
  if (e.get_string().get(v) == simdjson::SUCCESS) return v;
  ++skipped;
  return std::nullopt;
}

std::optional<bool> bool_field(dom::object obj, std::string_view key, std::uint64_t& skipped) {
  dom::element e;
  if (obj.at_key(key).get(e) != simdjson::SUCCESS) return std::nullopt;
  bool v = false;
  if (e.get_bool().get(v) == simdjson::SUCCESS) return v;
  ++skipped;
  return std::nullopt;
}

}  // namespace

Result<KafkaStatistics> KafkaStatisticsParser::parse(std::string_view json,
                                                     const std::set<std::string, std::less<>>& consumed_topics) {
  if (json.size() > limits_.max_bytes) {
    return Error::retriable("statistics", "statistics document of " + std::to_string(json.size()) +
                                              " bytes is larger than " + std::to_string(limits_.max_bytes));
  }
  if (impl_->parser.capacity() < json.size() || impl_->parser.max_depth() != limits_.max_depth) {
    // Grow to what this document needs (at least 64 KiB), never beyond max_bytes.
    const std::size_t capacity = std::max<std::size_t>(json.size(), 64 * 1024);
    if (impl_->parser.allocate(capacity, limits_.max_depth) != simdjson::SUCCESS) {
      return Error::retriable("statistics", "cannot allocate the statistics parser");
    }
  }
  impl_->buffer = simdjson::padded_string(json);
  dom::element root;
  if (auto err = impl_->parser.parse(impl_->buffer).get(root); err != simdjson::SUCCESS) {
    return Error::retriable("statistics", std::string("statistics are not valid JSON: ") + simdjson::error_message(err));
  }
  dom::object top;
  if (root.get_object().get(top) != simdjson::SUCCESS) {
    return Error::retriable("statistics", "statistics are not a JSON object");
  }

  KafkaStatistics out;
  if (auto type = string_field(top, "type", out.skipped)) out.type = std::string(*type);

  dom::element brokers_el;
  if (top.at_key("brokers").get(brokers_el) == simdjson::SUCCESS) {
    dom::object brokers;
    if (brokers_el.get_object().get(brokers) != simdjson::SUCCESS) {
      ++out.skipped;
    } else {
      for (auto [name, value] : brokers) {
        (void)name;
        dom::object b;
        if (value.get_object().get(b) != simdjson::SUCCESS) {
          ++out.skipped;
          continue;
        }
        const auto nodeid = int_field(b, "nodeid", out.skipped);
        // -1: a bootstrap entry; internal and logical brokers are librdkafka's own.
        if (!nodeid || *nodeid < 0) continue;
        const auto source = string_field(b, "source", out.skipped);
        if (source && (*source == "internal" || *source == "logical")) continue;
        ++out.brokers_known;
        const auto state = string_field(b, "state", out.skipped);
        if (state && *state == "UP") ++out.brokers_up;
      }
    }
  }

  dom::element topics_el;
  if (top.at_key("topics").get(topics_el) == simdjson::SUCCESS) {
    dom::object topics;
    if (topics_el.get_object().get(topics) != simdjson::SUCCESS) {
      ++out.skipped;
      return out;
    }
    for (auto [topic_key, topic_value] : topics) {
      // Only configured input topics may become label values.
      const auto known = consumed_topics.find(topic_key);
      if (known == consumed_topics.end()) continue;
      dom::object t;
      dom::object parts;
      if (topic_value.get_object().get(t) != simdjson::SUCCESS) {
        ++out.skipped;
        continue;
      }
      dom::element parts_el;
      if (t.at_key("partitions").get(parts_el) != simdjson::SUCCESS) continue;
      if (parts_el.get_object().get(parts) != simdjson::SUCCESS) {
        ++out.skipped;
        continue;
      }
      for (auto [part_key, part_value] : parts) {
        (void)part_key;
        dom::object p;
        if (part_value.get_object().get(p) != simdjson::SUCCESS) {
          ++out.skipped;
          continue;
        }
        const auto partition = int_field(p, "partition", out.skipped);
        if (!partition) continue;
        if (*partition == -1) continue;  // librdkafka's internal unassigned-partition queue
        if (*partition < 0 || *partition > limits_.max_partition) {
          ++out.skipped;
          continue;
        }
        const auto desired = bool_field(p, "desired", out.skipped);
        if (!desired || !*desired) continue;  // not consumed by this application
        const auto lag = int_field(p, "consumer_lag", out.skipped);
        if (!lag || *lag < 0) continue;  // -1: not known yet
        if (out.lags.size() >= limits_.max_partitions) {
          ++out.skipped;
          continue;
        }
        out.lags.push_back({*known, static_cast<std::int32_t>(*partition), *lag});
      }
    }
  }
  return out;
}

}  // namespace crosscheck::runtime
