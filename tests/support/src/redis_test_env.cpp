#include "crosscheck/testing/redis_test_env.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "crosscheck/testing/child_process.h"
#include "crosscheck/testing/test_env.h"

namespace crosscheck::testing {

RedisTestEnv::RedisTestEnv(const std::string& address) {
  if (auto s = rules::parse_redis_address(address, config_); !s) throw ErrorException(s.error());
  prefix_ = "cctest:" + unique_name("t") + ":";
}

RedisTestEnv::~RedisTestEnv() {
  // Best effort: a test that left Redis unreachable leaves its keys behind, under a unique prefix.
  try {
    rules::RedisClient redis(config_);
    std::string cursor = "0";
    do {
      auto page = redis.command({"SCAN", cursor, "MATCH", prefix_ + "*", "COUNT", "1000"});
      if (!page || page->elements.size() != 2) return;
      cursor = page->elements[0].str;
      std::vector<std::string> del{"DEL"};
      for (const auto& k : page->elements[1].elements) del.push_back(k.str);
      if (del.size() > 1) (void)redis.command(del);
    } while (cursor != "0");
  } catch (...) {
  }
}

std::string RedisTestEnv::address() const { return config_.host + ":" + std::to_string(config_.port); }

PrivateRedis::PrivateRedis(const std::string& state_dir) : port_(free_port()), dir_(state_dir) {
  std::filesystem::create_directories(dir_);
  run("start");
}

PrivateRedis::~PrivateRedis() { run("stop"); }
void PrivateRedis::start() { run("start"); }
void PrivateRedis::stop() { run("stop"); }

void PrivateRedis::run(const std::string& verb) {
  const auto [status, output] =
      run_command({source_dir() + "/ops/redis", verb, "--port", std::to_string(port_)}, {{"CROSSCHECK_RUN_DIR", dir_}});
  EXPECT_EQ(status, 0) << "ops/redis " << verb << ": " << output;
}

}  // namespace crosscheck::testing
