// Integration: CapLedger over the real Redis Lua scripts. Two ledgers on one key prefix stand for
// two screener instances in one consumer group.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "crosscheck/rules/redis_client.h"
#include "crosscheck/rules/rule_caps.h"
#include "crosscheck/testing/redis_test_env.h"
#include "crosscheck/testing/test_env.h"

namespace crosscheck::rules {
namespace {

using schemas::EventKind;

const std::vector<EventKind> kPayment{EventKind::kPayment};
const std::vector<EventKind> kTravel{EventKind::kItinerary, EventKind::kManifest};

// A TCP port on 127.0.0.1 that nothing listens on (bound, then released).
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 1;  // port 1 is closed on any test machine when the socket calls fail
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  if (fd >= 0) ::close(fd);
  return port;
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class CapsRedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CROSSCHECK_REQUIRE_REDIS();
    env_ = std::make_unique<testing::RedisTestEnv>(*testing::redis_address());
    redis_ = std::make_unique<RedisClient>(env_->config());
    // The start of the current minute, so that a test's attempts stay in one bucket.
    t0_ = cap_bucket(wall_ms()) * kCapBucketMs;
  }

  std::unique_ptr<CapLedger> ledger(CapLedgerConfig cfg = {}) {
    cfg.background_sync = false;
    const std::int64_t t0 = t0_;
    cfg.clock = [t0] { return t0; };
    RedisCapOptions opts;
    opts.prefix = env_->prefix();
    return std::make_unique<CapLedger>(cfg, make_redis_cap_backend(env_->config(), opts));
  }

  std::unique_ptr<testing::RedisTestEnv> env_;
  std::unique_ptr<RedisClient> redis_;
  std::int64_t t0_ = 0;
};

TEST_F(CapsRedisTest, TwoInstancesInterleavedRaiseExactlyN) {
  auto a = ledger(), b = ledger();
  const CapLimits limits{7, 1.0};
  int allowed = 0, announced = 0;
  for (int i = 0; i < 20; ++i) {
    for (CapLedger* l : {a.get(), b.get()}) {
      l->count_event(EventKind::kPayment, t0_);
      const auto v = l->try_flag("pay-large", kPayment, limits, t0_ + i * 1100);  // past over_cap_retry
      allowed += v.allowed();
      announced += v.announce();
    }
  }
  EXPECT_EQ(allowed, 7);
  EXPECT_EQ(announced, 1) << "one instance announces the over-cap episode, once";
  const auto sa = a->status(t0_), sb = b->status(t0_);
  EXPECT_EQ(sa.rules[0].suppressed + sb.rules[0].suppressed, 33u);
  EXPECT_GT(sa.rules[0].local_flags, 0);
  EXPECT_GT(sb.rules[0].local_flags, 0);
  // The key layout of docs/rules.md: the announcement marker expires with the window.
  auto ttl = redis_->command({"PTTL", env_->prefix() + "cap:announced:pay-large"});
  ASSERT_TRUE(ttl.ok()) << ttl.error().to_string();
  EXPECT_GT(ttl->integer, 0);
  EXPECT_LE(ttl->integer, 3600 * 1000);
  auto granted = redis_->command({"HGET", env_->prefix() + "cap:flags:pay-large", std::to_string(cap_bucket(t0_))});
  ASSERT_TRUE(granted.ok());
  EXPECT_EQ(granted->str, "7");
}

TEST_F(CapsRedisTest, TwoInstancesInTwoThreadsRaiseExactlyN) {
  auto a = ledger(), b = ledger();
  const CapLimits limits{7, 1.0};
  std::atomic<int> allowed{0}, announced{0};
  auto run = [&](CapLedger& l) {
    for (int i = 0; i < 20; ++i) {
      const auto v = l.try_flag("pay-threads", kPayment, limits, t0_ + i * 1100);
      allowed += v.allowed();
      announced += v.announce();
    }
  };
  for (int i = 0; i < 40; ++i) (i % 2 ? a : b)->count_event(EventKind::kPayment, t0_);
  std::thread ta([&] { run(*a); });
  std::thread tb([&] { run(*b); });
  ta.join();
  tb.join();
  EXPECT_EQ(allowed.load(), 7);
  EXPECT_EQ(announced.load(), 1);
}

TEST_F(CapsRedisTest, ShareCapCountsEventsOfBothInstances) {
  CapLedgerConfig cfg;
  cfg.share_grace = 0;
  auto a = ledger(cfg), b = ledger(cfg);
  const CapLimits limits{1000, 0.1};
  for (int i = 0; i < 30; ++i) a->count_event(EventKind::kItinerary, t0_);
  for (int i = 0; i < 20; ++i) b->count_event(EventKind::kManifest, t0_);
  for (int i = 0; i < 100; ++i) b->count_event(EventKind::kPayment, t0_);  // not the rule's kinds
  ASSERT_TRUE(b->sync(t0_).ok());  // b's counts reach Redis; a's go with its first lease
  int allowed = 0;
  CapVerdict last;
  for (int i = 0; i < 10; ++i) {
    for (CapLedger* l : {a.get(), b.get()}) {
      last = l->try_flag("travel-rule", kTravel, limits, t0_ + i * 1100);
      allowed += last.allowed();
    }
  }
  EXPECT_EQ(allowed, 5) << "0.1 * (30 + 20) travel events";
  EXPECT_EQ(last.reason, CapReason::kFlagShare);
  ASSERT_TRUE(a->sync(t0_ + 20'000).ok());
  const auto st = a->status(t0_ + 20'000);
  EXPECT_EQ(st.rules[0].events, 50);
  EXPECT_EQ(st.rules[0].used, 5);
  EXPECT_DOUBLE_EQ(st.rules[0].share_used, 0.1);
}

TEST_F(CapsRedisTest, ShadowCountsAddUpAcrossInstances) {
  auto a = ledger(), b = ledger();
  for (int i = 0; i < 4; ++i) a->count_shadow("pay-large@3", kPayment, t0_);
  for (int i = 0; i < 6; ++i) b->count_shadow("pay-large@3", kPayment, t0_);
  for (int i = 0; i < 50; ++i) (i % 2 ? a : b)->count_event(EventKind::kPayment, t0_);
  ASSERT_TRUE(a->sync(t0_).ok());
  ASSERT_TRUE(b->sync(t0_).ok());
  ASSERT_TRUE(a->sync(t0_ + 1000).ok());
  for (CapLedger* l : {a.get(), b.get()}) {
    const auto st = l->status(t0_);
    ASSERT_EQ(st.shadow.size(), 1u);
    EXPECT_EQ(st.shadow[0].matches, 10);
    EXPECT_EQ(st.shadow[0].events, 50);
    EXPECT_DOUBLE_EQ(st.shadow[0].would_be_share, 0.2);
    EXPECT_TRUE(st.rules.empty());
  }
  auto n = redis_->command({"HGET", env_->prefix() + "cap:shadow:pay-large@3", std::to_string(cap_bucket(t0_))});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->str, "10");
}

TEST_F(CapsRedisTest, UnusedUnitsAreGivenBackAndTheWindowSlides) {
  CapLedgerConfig cfg;
  cfg.fairness_divisor = 1;
  auto a = ledger(cfg);
  const CapLimits limits{10, 1.0};
  for (int i = 0; i < 100; ++i) a->count_event(EventKind::kPayment, t0_);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(a->try_flag("give-back", kPayment, limits, t0_ + i).allowed());
  const std::string key = env_->prefix() + "cap:flags:give-back";
  const std::string b0 = std::to_string(cap_bucket(t0_));
  EXPECT_EQ(redis_->command({"HGET", key, b0})->str, "7");  // leases of 1, 2 and 4
  ASSERT_TRUE(a->sync(t0_ + kCapBucketMs).ok());
  EXPECT_EQ(redis_->command({"HGET", key, b0})->str, "4");
  // The hash expires by itself and stale buckets are pruned.
  auto ttl = redis_->command({"PTTL", key});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer, 0);
  int allowed = 0;
  for (int i = 0; i < 100; ++i) a->count_event(EventKind::kPayment, t0_ + kCapBucketMs);
  for (int i = 0; i < 10; ++i) allowed += a->try_flag("give-back", kPayment, limits, t0_ + kCapBucketMs + i).allowed();
  EXPECT_EQ(allowed, 6);
  // 60 buckets later bucket 0 is still in the window; 61 buckets later it has slid out.
  const std::int64_t later = t0_ + 61 * kCapBucketMs;
  a->count_event(EventKind::kPayment, later);
  EXPECT_FALSE(a->try_flag("give-back", kPayment, limits, later - kCapBucketMs).allowed());
  EXPECT_TRUE(a->try_flag("give-back", kPayment, limits, later).allowed());
  EXPECT_TRUE(redis_->command({"HGET", key, b0})->is_nil()) << "slid-out bucket pruned";
}

TEST_F(CapsRedisTest, RedisDownGivesDegradedAllowanceWithoutHanging) {
  RedisConfig down;
  down.port = closed_port();
  down.connect_timeout = std::chrono::milliseconds(300);
  down.command_timeout = std::chrono::milliseconds(300);
  CapLedgerConfig cfg;
  cfg.background_sync = false;
  cfg.expected_instances = 2;
  cfg.clock = [t = t0_] { return t; };
  const auto start = std::chrono::steady_clock::now();
  {
    CapLedger l(cfg, make_redis_cap_backend(down, {}));
    const CapLimits limits{10, 1.0};
    int allowed = 0;
    for (int i = 0; i < 12; ++i) {
      l.count_event(EventKind::kPayment, t0_ + i);
      const auto v = l.try_flag("offline", kPayment, limits, t0_ + i);
      EXPECT_TRUE(v.degraded);
      allowed += v.allowed();
    }
    EXPECT_EQ(allowed, 5) << "N / expected_instances";
    EXPECT_FALSE(l.sync(t0_ + 100).ok());
    const auto st = l.status(t0_);
    EXPECT_TRUE(st.degraded);
    EXPECT_EQ(st.degraded_grants, 5u);
    EXPECT_EQ(st.degraded_episodes, 1u);
    EXPECT_GE(st.backend_errors, 2u);
  }  // the destructor's last sync fails fast too
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(CapsRedisTest, BackgroundSyncRecoversAndReportsDegradedFlags) {
  // A ledger whose budget source fails until switched over: the real Redis backend behind a gate.
  struct Gate final : CapBackend {
    std::unique_ptr<CapBackend> inner;
    std::atomic<bool> down{true};
    Result<CapLeaseReply> lease(const CapLeaseRequest& r) override {
      if (down) return Error::retriable("gate", "down");
      return inner->lease(r);
    }
    Result<CapSyncReply> sync(const CapSyncRequest& r) override {
      if (down) return Error::retriable("gate", "down");
      return inner->sync(r);
    }
  };
  auto gate = std::make_unique<Gate>();
  RedisCapOptions opts;
  opts.prefix = env_->prefix();
  gate->inner = make_redis_cap_backend(env_->config(), opts);
  Gate* g = gate.get();
  CapLedgerConfig cfg;
  cfg.sync_interval = std::chrono::milliseconds(50);
  auto l = std::make_unique<CapLedger>(cfg, std::move(gate));
  const CapLimits limits{8, 1.0};
  const std::int64_t now = wall_ms();
  for (int i = 0; i < 3; ++i) {
    l->count_event(EventKind::kPayment, now);
    EXPECT_TRUE(l->try_flag("recover", kPayment, limits, now).allowed());
  }
  EXPECT_TRUE(l->status(now).degraded);
  g->down = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (l->status(now).degraded && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(l->status(now).degraded) << "the background sync recovers by itself";
  // The refill may have leased units for the (active) rule meanwhile; shutting down gives them back.
  l.reset();
  std::int64_t reported = 0;
  auto all = redis_->command({"HGETALL", env_->prefix() + "cap:flags:recover"});
  ASSERT_TRUE(all.ok());
  for (std::size_t i = 1; i < all->elements.size(); i += 2) reported += std::stoll(all->elements[i].str);
  EXPECT_EQ(reported, 3);
}

}  // namespace
}  // namespace crosscheck::rules
