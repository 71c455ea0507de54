// Redis helpers for integration tests: a unique key prefix per test, removed again afterwards.
#pragma once

#include <string>

#include "crosscheck/rules/redis_client.h"

namespace crosscheck::testing {

class RedisTestEnv {
 public:
  explicit RedisTestEnv(const std::string& address);
  ~RedisTestEnv();  // deletes every key under prefix()

  const rules::RedisConfig& config() const { return config_; }
  // "cctest:<unique>:" - use as the key prefix of everything the test writes.
  const std::string& prefix() const { return prefix_; }
  // "127.0.0.1:16379"
  std::string address() const;

 private:
  rules::RedisConfig config_;
  std::string prefix_;
};

}  // namespace crosscheck::testing
