#include <gtest/gtest.h>

#include "crosscheck/rules/redis_client.h"

namespace crosscheck::rules {
namespace {

TEST(ParseRedisAddress, HostAndPort) {
  RedisConfig c;
  ASSERT_TRUE(parse_redis_address("127.0.0.1:16379", c).ok());
  EXPECT_EQ(c.host, "127.0.0.1");
  EXPECT_EQ(c.port, 16379);
  ASSERT_TRUE(parse_redis_address("redis.internal:6379", c).ok());
  EXPECT_EQ(c.host, "redis.internal");
  ASSERT_TRUE(parse_redis_address("[::1]:7000", c).ok());
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.port, 7000);
}

TEST(ParseRedisAddress, RejectsMalformed) {
  for (const char* bad : {"", "localhost", ":6379", "host:", "host:0", "host:65536", "host:12ab", "::1:6379",
                          "[::1]6379", "host:-1"}) {
    RedisConfig c;
    auto s = parse_redis_address(bad, c);
    EXPECT_FALSE(s.ok()) << bad;
    if (!s.ok()) {
      EXPECT_TRUE(s.error().is_fatal());
    }
    EXPECT_EQ(c.port, 6379) << "config untouched on error: " << bad;
  }
}

}  // namespace
}  // namespace crosscheck::rules
