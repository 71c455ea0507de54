// `crosscheck users` end to end: the real binary against the real Redis. The library behind it is
// tested in users_test.cpp; here: the wiring, the exit codes, and that a printed token works.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "crosscheck/console/users.h"
#include "crosscheck/rules/redis_client.h"
#include "crosscheck/testing/child_process.h"
#include "crosscheck/testing/redis_test_env.h"
#include "crosscheck/testing/test_env.h"
#include "crosscheck/time_format.h"

namespace crosscheck::console {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class UsersCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CROSSCHECK_REQUIRE_REDIS();
    env_ = std::make_unique<crosscheck::testing::RedisTestEnv>(*crosscheck::testing::redis_address());
    binary_ = crosscheck::testing::bin_dir() + "/crosscheck";
    if (!crosscheck::testing::path_exists(binary_)) GTEST_SKIP() << binary_ << " is not built: build the crosscheck target first";
  }
  std::pair<int, std::string> run(std::vector<std::string> args) {
    std::vector<std::string> argv{binary_, "--redis", env_->address(), "--prefix", env_->prefix()};
    argv.insert(argv.end(), args.begin(), args.end());
    return crosscheck::testing::run_command(argv, {{"CROSSCHECK_ACTOR", "admin.one"}});
  }
  std::unique_ptr<crosscheck::testing::RedisTestEnv> env_;
  std::string binary_;
};

// The token field of `users token --format json`.
std::string token_of(const std::string& json) {
  const std::string key = "\"token\":\"";
  auto at = json.find(key);
  if (at == std::string::npos) return {};
  at += key.size();
  return json.substr(at, json.find('"', at) - at);
}

TEST_F(UsersCliTest, AddIssueAuthenticateRevoke) {
  auto [rc, out] = run({"users", "add", "o.berg", "--role", "officer", "--queue", "border,customs"});
  ASSERT_EQ(rc, 0) << out;
  auto [rc_t, out_t] = run({"users", "token", "o.berg", "--ttl", "2h", "--format", "json"});
  ASSERT_EQ(rc_t, 0) << out_t;
  const std::string token = token_of(out_t);
  ASSERT_FALSE(token.empty()) << out_t;

  // The printed token is a working credential for exactly this account and its queues.
  rules::RedisClient redis(env_->config());
  UserStore store(redis, env_->prefix());
  auto principal = store.authenticate_token(token, timefmt::now_ms());
  ASSERT_TRUE(principal.ok()) << principal.error().to_string();
  ASSERT_TRUE(principal->has_value());
  EXPECT_EQ((*principal)->user, "o.berg");
  EXPECT_EQ((*principal)->queues, (std::vector<std::string>{"border", "customs"}));

  auto [rc_l, out_l] = run({"users", "list"});
  EXPECT_EQ(rc_l, 0) << out_l;
  EXPECT_THAT(out_l, HasSubstr("o.berg"));
  EXPECT_THAT(out_l, Not(HasSubstr(token))) << "a listing never shows a token";

  auto [rc_a, out_a] = run({"audit", "--action", "token_issue", "--format", "json"});
  EXPECT_EQ(rc_a, 0) << out_a;
  EXPECT_THAT(out_a, HasSubstr("\"actor\":\"admin.one\""));
  EXPECT_THAT(out_a, Not(HasSubstr(token.substr(21)))) << "the audit trail never holds the secret";

  auto [rc_r, out_r] = run({"users", "revoke", "o.berg", "--all"});
  ASSERT_EQ(rc_r, 0) << out_r;
  auto after = store.authenticate_token(token, timefmt::now_ms());
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->has_value()) << "a revoked token no longer authenticates";
}

TEST_F(UsersCliTest, UsageErrorsExitTwoAndChangeNothing) {
  EXPECT_EQ(run({"users"}).first, 2);
  EXPECT_EQ(run({"users", "add", "x.y", "--role", "nobody"}).first, 2);
  EXPECT_EQ(run({"users", "add", "x.y", "--role", "officer"}).first, 2) << "an officer needs queues";
  EXPECT_EQ(run({"users", "add", "Bad Name", "--role", "ops"}).first, 2);
  EXPECT_EQ(run({"users", "token", "x.y", "--ttl", "forever"}).first, 2);
  // Revoking everything must be asked for explicitly.
  ASSERT_EQ(run({"users", "add", "x.y", "--role", "ops"}).first, 0);
  auto [rc_t, out_t] = run({"users", "token", "x.y", "--format", "json"});
  ASSERT_EQ(rc_t, 0) << out_t;
  EXPECT_EQ(run({"users", "revoke", "x.y"}).first, 2);
  rules::RedisClient redis(env_->config());
  UserStore store(redis, env_->prefix());
  auto principal = store.authenticate_token(token_of(out_t), timefmt::now_ms());
  ASSERT_TRUE(principal.ok());
  EXPECT_TRUE(principal->has_value()) << "a revoke without --token-id or --all revoked nothing";
  EXPECT_EQ(run({"users", "token", "nobody.here"}).first, 1) << "unknown account";
  auto [rc_down, out_down] = crosscheck::testing::run_command(
      {binary_, "--redis", "127.0.0.1:1", "users", "list"}, {{"CROSSCHECK_ACTOR", "admin.one"}});
  EXPECT_EQ(rc_down, 3) << out_down;
}

}  // namespace
}  // namespace crosscheck::console
