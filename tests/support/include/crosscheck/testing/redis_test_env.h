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

// A Redis of the test's own (ops/redis on a free port, state and append-only file in
// `state_dir`), so that it can be stopped and started again without disturbing the tests that
// share the run's Redis. What was written survives stop() and start().
class PrivateRedis {
 public:
  explicit PrivateRedis(const std::string& state_dir);
  ~PrivateRedis();
  void start();
  void stop();
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  void run(const std::string& verb);
  int port_;
  std::string dir_;
};

}  // namespace crosscheck::testing
