#include "crosscheck/rules/rule_aggregates.h"

#include <cstdlib>

namespace crosscheck::rules {
namespace {

// Every failure is retriable for the engine: the condition is false for this event and the next
// event tries again (a wrong-type key would keep failing, which the aggregate_errors metric shows).
Error aggregate_error(const Error& e) {
  return Error::retriable("aggregates", e.message(), e.code());
}

}  // namespace

RedisAggregateStore::RedisAggregateStore(const RedisConfig& redis, RedisAggregateOptions options)
    : options_(std::move(options)), client_(redis) {}

RedisAggregateStore::~RedisAggregateStore() = default;

Status RedisAggregateStore::observe(std::span<const AggregateObservation> observations,
                                    std::vector<std::int64_t>& counts) {
  counts.assign(observations.size(), 0);
  if (observations.empty()) return ok_status();
  std::lock_guard lock(mutex_);
  if (std::chrono::steady_clock::now() < retry_at_) {
    return Error::retriable("aggregates", "Redis was unreachable a moment ago; backing off before the next attempt");
  }
  constexpr std::size_t kPerObservation = 5;
  commands_.resize(observations.size() * kPerObservation);
  for (std::size_t i = 0; i < observations.size(); ++i) {
    const auto& o = observations[i];
    if (o.within_ms <= 0) {
      return Error::fatal("aggregates", "window must be positive (key " + o.key + ")");
    }
    const std::string key = options_.prefix + "agg:" + o.key;
    const std::string at = std::to_string(o.at_ms);
    const std::string from = std::to_string(o.at_ms - o.within_ms);
    auto* c = &commands_[i * kPerObservation];
    c[0] = {"ZADD", key, "GT", at, o.member};
    c[1] = {"ZREMRANGEBYSCORE", key, "-inf", "(" + from};
    c[2] = {"ZCOUNT", key, from, at};
    c[3] = {"PEXPIRE", key, std::to_string(o.within_ms + options_.expiry_margin_ms)};
    c[4] = {"ZSCORE", key, o.member};
  }
  auto replies = client_.pipeline(commands_);
  if (!replies) {
    if (!client_.connected()) retry_at_ = std::chrono::steady_clock::now() + options_.retry_after;
    return aggregate_error(replies.error());
  }
  if (replies->size() != commands_.size()) {
    return Error::retriable("aggregates", "pipeline returned " + std::to_string(replies->size()) + " replies for " +
                                              std::to_string(commands_.size()) + " commands");
  }
  for (std::size_t i = 0; i < observations.size(); ++i) {
    const RedisValue& v = (*replies)[i * kPerObservation + 2];
    if (v.type != RedisValue::Type::kInteger) {
      return Error::retriable("aggregates", "ZCOUNT did not return an integer");
    }
    counts[i] = v.integer;
    // The member already held a later time (events out of order): ZCOUNT missed this event itself.
    const RedisValue& score = (*replies)[i * kPerObservation + 4];
    if (score.type == RedisValue::Type::kString && std::strtoll(score.str.c_str(), nullptr, 10) > observations[i].at_ms) {
      ++counts[i];
    }
  }
  return ok_status();
}

}  // namespace crosscheck::rules
