// Unit: the cap ledger's lease arithmetic, windows, over-cap signalling and degraded mode, against
// an in-memory budget source with an injected clock (no Redis; rule_caps_redis_test.cpp runs the
// same behaviour against the real Lua scripts).
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <map>
#include <thread>
#include <mutex>
#include <set>

#include "crosscheck/rules/rule_caps.h"

namespace crosscheck::rules {
namespace {

using schemas::EventKind;

constexpr std::int64_t kT0 = 1'789'999'980'000;  // some instant in 2026, at a bucket start
static_assert(kT0 % kCapBucketMs == 0);

// The budget source of every ledger in a test: the same bucket model as the Lua scripts, built on
// compute_cap_grant. Can be made to fail, and counts the calls.
struct FakeBudget {
  std::mutex mutex;
  std::map<std::string, std::map<std::int64_t, std::int64_t>> flags, shadow;
  std::array<std::map<std::int64_t, std::int64_t>, schemas::kEventKindCount> events;
  std::set<std::string> announced;
  bool fail = false;
  int lease_calls = 0;
  int sync_calls = 0;
  std::vector<std::int64_t> lease_requests;

  static std::int64_t window(const std::map<std::int64_t, std::int64_t>& m, std::int64_t bucket) {
    std::int64_t sum = 0;
    for (const auto& [b, n] : m) {
      if (b > bucket - kCapWindowBuckets) sum += n;
    }
    return sum;
  }
};

class FakeBackend final : public CapBackend {
 public:
  explicit FakeBackend(FakeBudget& b) : b_(b) {}
  Result<CapLeaseReply> lease(const CapLeaseRequest& req) override {
    std::lock_guard lock(b_.mutex);
    ++b_.lease_calls;
    b_.lease_requests.push_back(req.requested);
    if (b_.fail) return Error::retriable("fake", "budget source down");
    CapLeaseReply out;
    for (auto k : req.kinds) {
      auto& m = b_.events[static_cast<std::size_t>(k)];
      for (const auto& d : req.events[static_cast<std::size_t>(k)]) m[d.bucket] += d.delta;
      out.events += FakeBudget::window(m, req.bucket);
    }
    auto& f = b_.flags[std::string(req.rule_key)];
    CapGrantInput in{req.requested, FakeBudget::window(f, req.bucket), out.events, req.limits.max_flags_per_hour,
                     req.limits.max_flag_share, req.share_grace, req.fairness_divisor};
    const CapGrant g = compute_cap_grant(in);
    f[req.bucket] += g.granted;
    out.granted = g.granted;
    out.used = in.used + g.granted;
    out.limit = g.limit;
    out.binding = g.binding;
    out.announce = g.granted == 0 && b_.announced.insert(std::string(req.rule_key)).second;
    return out;
  }
  Result<CapSyncReply> sync(const CapSyncRequest& req) override {
    std::lock_guard lock(b_.mutex);
    ++b_.sync_calls;
    if (b_.fail) return Error::retriable("fake", "budget source down");
    CapSyncReply out;
    for (std::size_t k = 0; k < schemas::kEventKindCount; ++k) {
      for (const auto& d : req.events[k]) b_.events[k][d.bucket] += d.delta;
      out.events[k] = FakeBudget::window(b_.events[k], req.bucket);
    }
    for (const auto& kd : req.flags) {
      for (const auto& d : kd.deltas) b_.flags[kd.key][d.bucket] += d.delta;
      out.flags.push_back(FakeBudget::window(b_.flags[kd.key], req.bucket));
    }
    for (const auto& kd : req.shadow) {
      for (const auto& d : kd.deltas) b_.shadow[kd.key][d.bucket] += d.delta;
      out.shadow.push_back(FakeBudget::window(b_.shadow[kd.key], req.bucket));
    }
    return out;
  }

 private:
  FakeBudget& b_;
};

CapLedgerConfig manual_config() {
  CapLedgerConfig c;
  c.background_sync = false;
  c.clock = [] { return kT0; };
  return c;
}

const std::vector<EventKind> kPayment{EventKind::kPayment};

TEST(CapArithmetic, BucketsFloorTowardsMinusInfinity) {
  EXPECT_EQ(cap_bucket(0), 0);
  EXPECT_EQ(cap_bucket(59'999), 0);
  EXPECT_EQ(cap_bucket(60'000), 1);
  EXPECT_EQ(cap_bucket(-1), -1);
  EXPECT_EQ(cap_bucket(-60'000), -1);
  EXPECT_EQ(cap_bucket(-60'001), -2);
}

TEST(CapArithmetic, GrantIsBoundedByRequestRemainderAndFairness) {
  CapGrantInput in;
  in.max_flags = 100;
  in.max_flag_share = 1.0;
  in.events = 1'000'000;
  in.fairness_divisor = 4;
  in.requested = 8;
  EXPECT_EQ(compute_cap_grant(in).granted, 8);  // plenty left: the request
  in.used = 90;                                 // 10 left: at most 10 / 4 = 2
  EXPECT_EQ(compute_cap_grant(in).granted, 2);
  in.used = 97;                                 // 3 left: one at a time near the cap
  EXPECT_EQ(compute_cap_grant(in).granted, 1);
  in.used = 100;
  const CapGrant g = compute_cap_grant(in);
  EXPECT_EQ(g.granted, 0);
  EXPECT_EQ(g.limit, 100);
  EXPECT_EQ(g.binding, CapReason::kFlagsPerHour);
  in.used = 0;
  in.requested = 0;
  EXPECT_EQ(compute_cap_grant(in).granted, 0);
}

TEST(CapArithmetic, ShareOfOneSetsNoShareCap) {
  // A list's default rule raises one flag per hit, so its flags may outnumber the events.
  CapGrantInput in;
  in.max_flags = 1000;
  in.max_flag_share = 1.0;
  in.events = 10;
  in.used = 25;
  in.requested = 5;
  in.fairness_divisor = 1;
  const CapGrant g = compute_cap_grant(in);
  EXPECT_EQ(g.granted, 5);
  EXPECT_EQ(g.limit, 1000);
  EXPECT_EQ(g.binding, CapReason::kFlagsPerHour);
  in.max_flag_share = 0.999;  // just below 1: the share cap holds (0.999 * 10 + 1 grace = 10 < 25 used)
  EXPECT_EQ(compute_cap_grant(in).granted, 0);
}

TEST(CapArithmetic, ShareLimitFloorsWithGrace) {
  CapGrantInput in;
  in.max_flags = 1000;
  in.max_flag_share = 0.1;
  in.events = 30;  // 0.1 * 30 is 2.9999999999999996 in binary: must still give 3
  in.share_grace = 0;
  in.requested = 100;
  in.fairness_divisor = 1;
  CapGrant g = compute_cap_grant(in);
  EXPECT_EQ(g.limit, 3);
  EXPECT_EQ(g.granted, 3);
  EXPECT_EQ(g.binding, CapReason::kFlagShare);
  in.events = 1;  // strict: a quiet hour cannot flag at all
  EXPECT_EQ(compute_cap_grant(in).granted, 0);
  in.share_grace = 1;  // the default grace lets the first match through
  EXPECT_EQ(compute_cap_grant(in).granted, 1);
  in.max_flags = 0;  // N = 0 allows nothing, whatever the share
  EXPECT_EQ(compute_cap_grant(in).granted, 0);
}

TEST(CapLedgerTest, SteadyStateSpendsLocalLeasesThatGrow) {
  FakeBudget budget;
  CapLedgerConfig cfg = manual_config();
  cfg.max_lease = 16;
  CapLedger ledger(cfg, std::make_unique<FakeBackend>(budget));
  const CapLimits limits{100'000, 1.0};
  for (int i = 0; i < 1000; ++i) ledger.count_event(EventKind::kPayment, kT0);
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(ledger.try_flag("r1", kPayment, limits, kT0 + i).allowed()) << i;
  }
  // 1 + 2 + 4 + 8 + 16 * 12 = 207 >= 200: 16 leases for 200 flags, not 200 round trips.
  EXPECT_EQ(budget.lease_calls, 16);
  ASSERT_GE(budget.lease_requests.size(), 5u);
  EXPECT_EQ(budget.lease_requests[0], 1);
  EXPECT_EQ(budget.lease_requests[1], 2);
  EXPECT_EQ(budget.lease_requests[4], 16);
  EXPECT_EQ(budget.lease_requests.back(), 16);
  const auto st = ledger.status(kT0 + 200);
  ASSERT_EQ(st.rules.size(), 1u);
  EXPECT_EQ(st.rules[0].local_flags, 200);
  EXPECT_EQ(st.rules[0].leased, 207 - 200);
  EXPECT_EQ(st.leases, 16u);
}

TEST(CapLedgerTest, TwoLedgersTogetherFlagExactlyNAndAnnounceOnce) {
  FakeBudget budget;
  CapLedger a(manual_config(), std::make_unique<FakeBackend>(budget));
  CapLedger b(manual_config(), std::make_unique<FakeBackend>(budget));
  const CapLimits limits{7, 1.0};
  int allowed = 0, announced = 0, suppressed = 0;
  for (int i = 0; i < 20; ++i) {
    for (CapLedger* l : {&a, &b}) {
      l->count_event(EventKind::kPayment, kT0);
      // Each attempt 1.5 s after the last, so a refused ledger asks again (over_cap_retry 1 s).
      const auto v = l->try_flag("r", kPayment, limits, kT0 + i * 1500);
      if (v.allowed()) ++allowed;
      if (v.announce()) ++announced;
      if (!v.allowed()) {
        ++suppressed;
        EXPECT_EQ(v.reason, CapReason::kFlagsPerHour);
      }
    }
  }
  EXPECT_EQ(allowed, 7);
  EXPECT_EQ(announced, 1);
  EXPECT_EQ(suppressed, 33);
  const auto sa = a.status(kT0), sb = b.status(kT0);
  EXPECT_EQ(sa.rules[0].suppressed + sb.rules[0].suppressed, 33u);
  EXPECT_EQ(sa.rules[0].announced + sb.rules[0].announced, 1u);
  EXPECT_TRUE(sa.rules[0].over_cap);
  EXPECT_TRUE(sb.rules[0].over_cap);
}

TEST(CapLedgerTest, RefusedRuleIsSuppressedLocallyUntilRetry) {
  FakeBudget budget;
  CapLedgerConfig cfg = manual_config();
  cfg.over_cap_retry = std::chrono::milliseconds(1000);
  CapLedger ledger(cfg, std::make_unique<FakeBackend>(budget));
  const CapLimits limits{1, 1.0};
  ASSERT_TRUE(ledger.try_flag("r", kPayment, limits, kT0).allowed());
  const auto first = ledger.try_flag("r", kPayment, limits, kT0 + 1);
  EXPECT_EQ(first.decision, CapDecision::kSuppressAndAnnounce);
  const int calls = budget.lease_calls;
  for (int i = 2; i < 500; ++i) {
    EXPECT_EQ(ledger.try_flag("r", kPayment, limits, kT0 + i).decision, CapDecision::kSuppress);
  }
  EXPECT_EQ(budget.lease_calls, calls) << "an over-cap rule must not cost a round trip per match";
  EXPECT_EQ(ledger.try_flag("r", kPayment, limits, kT0 + 1001).decision, CapDecision::kSuppress);
  EXPECT_EQ(budget.lease_calls, calls + 1);
  EXPECT_EQ(ledger.status(kT0).rules[0].suppressed, 500u);
}

TEST(CapLedgerTest, WindowSlidesAfterSixtyOneBuckets) {
  FakeBudget budget;
  CapLedger ledger(manual_config(), std::make_unique<FakeBackend>(budget));
  const CapLimits limits{3, 1.0};
  for (int i = 0; i < 10; ++i) ledger.count_event(EventKind::kPayment, kT0);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(ledger.try_flag("r", kPayment, limits, kT0 + i).allowed());
  // 60 minutes later the first bucket is still in the window (any real hour must hold <= N).
  EXPECT_FALSE(ledger.try_flag("r", kPayment, limits, kT0 + 60 * kCapBucketMs).allowed());
  for (int i = 0; i < 10; ++i) ledger.count_event(EventKind::kPayment, kT0 + 61 * kCapBucketMs);
  EXPECT_TRUE(ledger.try_flag("r", kPayment, limits, kT0 + 61 * kCapBucketMs).allowed());
}

TEST(CapLedgerTest, UnusedUnitsExpireWithTheirBucketAndGoBack) {
  FakeBudget budget;
  CapLedgerConfig cfg = manual_config();
  cfg.fairness_divisor = 1;
  CapLedger ledger(cfg, std::make_unique<FakeBackend>(budget));
  const CapLimits limits{10, 1.0};
  for (int i = 0; i < 100; ++i) ledger.count_event(EventKind::kPayment, kT0);
  // Lease sizes 1, 2, 4: 7 units granted, 4 spent, 3 left in bucket 0.
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(ledger.try_flag("r", kPayment, limits, kT0 + i).allowed());
  EXPECT_EQ(ledger.status(kT0).rules[0].leased, 3);
  EXPECT_EQ(budget.flags["r"][cap_bucket(kT0)], 7);
  // Next bucket: the 3 units are no longer valid; the sync gives them back.
  ASSERT_TRUE(ledger.sync(kT0 + kCapBucketMs).ok());
  EXPECT_EQ(budget.flags["r"][cap_bucket(kT0)], 4);
  EXPECT_EQ(ledger.status(kT0 + kCapBucketMs).rules[0].leased, 0);
  EXPECT_EQ(ledger.status(kT0 + kCapBucketMs).rules[0].used, 4);
  // So 6 of the 10 remain for the rest of the hour.
  int allowed = 0;
  for (int i = 0; i < 20; ++i) allowed += ledger.try_flag("r", kPayment, limits, kT0 + kCapBucketMs + i).allowed();
  EXPECT_EQ(allowed, 6);
}

TEST(CapLedgerTest, ShareCapUsesEventsOfTheRulesKindsFlushedWithTheLease) {
  FakeBudget budget;
  CapLedgerConfig cfg = manual_config();
  cfg.share_grace = 0;
  CapLedger ledger(cfg, std::make_unique<FakeBackend>(budget));
  const CapLimits limits{1000, 0.1};
  for (int i = 0; i < 40; ++i) ledger.count_event(EventKind::kPayment, kT0);
  for (int i = 0; i < 500; ++i) ledger.count_event(EventKind::kItinerary, kT0);  // not the rule's kind
  int allowed = 0;
  CapVerdict last;
  for (int i = 0; i < 10; ++i) {
    last = ledger.try_flag("r", kPayment, limits, kT0 + i * 2000);
    allowed += last.allowed();
  }
  EXPECT_EQ(allowed, 4);
  EXPECT_EQ(last.reason, CapReason::kFlagShare);
  // The lease carried the payment counts; itinerary counts wait for the sync.
  EXPECT_EQ(FakeBudget::window(budget.events[2], cap_bucket(kT0)), 40);
  EXPECT_EQ(FakeBudget::window(budget.events[0], cap_bucket(kT0)), 0);
  ASSERT_TRUE(ledger.sync(kT0 + 30'000).ok());
  EXPECT_EQ(FakeBudget::window(budget.events[0], cap_bucket(kT0)), 500);
  const auto st = ledger.status(kT0 + 30'000);
  EXPECT_EQ(st.rules[0].events, 40);
  EXPECT_DOUBLE_EQ(st.rules[0].share_used, 0.1);
}

TEST(CapLedgerTest, DegradedModeGrantsTheEmergencyAllowanceAndRecovers) {
  FakeBudget budget;
  CapLedgerConfig cfg = manual_config();
  cfg.expected_instances = 2;
  CapLedger ledger(cfg, std::make_unique<FakeBackend>(budget));
  const CapLimits limits{9, 1.0};
  budget.fail = true;
  int allowed = 0;
  for (int i = 0; i < 10; ++i) {
    ledger.count_event(EventKind::kPayment, kT0 + i);
    const auto v = ledger.try_flag("r", kPayment, limits, kT0 + i);
    EXPECT_TRUE(v.degraded);
    EXPECT_NE(v.decision, CapDecision::kSuppressAndAnnounce);
    allowed += v.allowed();
  }
  EXPECT_EQ(allowed, 4);  // 9 / 2 instances
  EXPECT_EQ(budget.lease_calls, 1) << "degraded mode must not call the budget source per match";
  auto st = ledger.status(kT0);
  EXPECT_TRUE(st.degraded);
  EXPECT_EQ(st.degraded_episodes, 1u);
  EXPECT_EQ(st.degraded_grants, 4u);
  EXPECT_FALSE(ledger.sync(kT0 + 1000).ok());
  EXPECT_TRUE(ledger.status(kT0).degraded);
  budget.fail = false;
  ASSERT_TRUE(ledger.sync(kT0 + 2000).ok());
  st = ledger.status(kT0 + 2000);
  EXPECT_FALSE(st.degraded);
  EXPECT_EQ(budget.flags["r"][cap_bucket(kT0)], 4) << "flags granted while degraded are reported";
  EXPECT_EQ(st.rules[0].used, 4);
  int after = 0;
  for (int i = 0; i < 10; ++i) after += ledger.try_flag("r", kPayment, limits, kT0 + 3000 + i * 1500).allowed();
  EXPECT_EQ(after, 5);  // 9 - 4 already used
  EXPECT_EQ(ledger.status(kT0).degraded_episodes, 1u);
}

TEST(CapLedgerTest, ShadowCountsAddUpAcrossLedgers) {
  FakeBudget budget;
  CapLedger a(manual_config(), std::make_unique<FakeBackend>(budget));
  CapLedger b(manual_config(), std::make_unique<FakeBackend>(budget));
  for (int i = 0; i < 3; ++i) a.count_shadow("r@2", kPayment, kT0);
  for (int i = 0; i < 5; ++i) b.count_shadow("r@2", kPayment, kT0);
  for (int i = 0; i < 40; ++i) (i % 2 ? a : b).count_event(EventKind::kPayment, kT0);
  ASSERT_TRUE(a.sync(kT0).ok());
  ASSERT_TRUE(b.sync(kT0).ok());
  ASSERT_TRUE(a.sync(kT0).ok());
  const auto st = a.status(kT0);
  ASSERT_EQ(st.shadow.size(), 1u);
  EXPECT_EQ(st.shadow[0].key, "r@2");
  EXPECT_EQ(st.shadow[0].matches, 8);
  EXPECT_EQ(st.shadow[0].events, 40);
  EXPECT_DOUBLE_EQ(st.shadow[0].would_be_share, 0.2);
  EXPECT_EQ(st.shadow[0].local_matches, 3u);
  EXPECT_TRUE(st.rules.empty()) << "shadow matches never spend cap budget";
}

TEST(CapLedgerTest, FailedSyncKeepsCountsForTheNextOne) {
  FakeBudget budget;
  CapLedger ledger(manual_config(), std::make_unique<FakeBackend>(budget));
  for (int i = 0; i < 6; ++i) ledger.count_event(EventKind::kManifest, kT0);
  ledger.count_shadow("s", std::vector<EventKind>{EventKind::kManifest}, kT0);
  budget.fail = true;
  EXPECT_FALSE(ledger.sync(kT0).ok());
  ledger.count_event(EventKind::kManifest, kT0);
  budget.fail = false;
  ASSERT_TRUE(ledger.sync(kT0 + 10).ok());
  EXPECT_EQ(FakeBudget::window(budget.events[1], cap_bucket(kT0)), 7);
  EXPECT_EQ(FakeBudget::window(budget.shadow["s"], cap_bucket(kT0)), 1);
}

TEST(CapLedgerTest, BackgroundRefillTopsUpActiveRules) {
  FakeBudget budget;
  CapLedgerConfig cfg = manual_config();
  cfg.background_sync = true;
  cfg.sync_interval = std::chrono::milliseconds(10);
  CapLedger ledger(cfg, std::make_unique<FakeBackend>(budget));
  const CapLimits limits{1000, 1.0};
  for (int i = 0; i < 1000; ++i) ledger.count_event(EventKind::kPayment, kT0);
  ASSERT_TRUE(ledger.try_flag("r", kPayment, limits, kT0).allowed());  // a lease of 1, spent
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (ledger.status(kT0).rules[0].leased == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto leased = ledger.status(kT0).rules[0].leased;
  ASSERT_GT(leased, 0) << "the sync thread leases ahead for a rule that flags";
  int calls;
  {
    std::lock_guard lock(budget.mutex);
    calls = budget.lease_calls;
  }
  EXPECT_TRUE(ledger.try_flag("r", kPayment, limits, kT0 + 1).allowed());
  std::lock_guard lock(budget.mutex);
  EXPECT_LE(budget.lease_calls, calls + 1);  // at most a concurrent refill, never a wait for one
  EXPECT_GE(budget.sync_calls, 1);
}

TEST(CapLedgerTest, InvalidLimitsNeverOpenTheCap) {
  FakeBudget budget;
  CapLedger ledger(manual_config(), std::make_unique<FakeBackend>(budget));
  for (int i = 0; i < 100; ++i) ledger.count_event(EventKind::kPayment, kT0);
  int allowed = 0;
  for (int i = 0; i < 10; ++i) {
    allowed += ledger.try_flag("neg", kPayment, CapLimits{-5, 1.0}, kT0 + i * 1500).allowed();
    allowed += ledger.try_flag("nan", kPayment, CapLimits{100, std::nan("")}, kT0 + i * 1500).allowed();
  }
  EXPECT_EQ(allowed, 1) << "N < 0 allows nothing; a NaN share leaves only the grace flag";
}

TEST(CapLedgerTest, ConcurrentCallersNeverExceedTheCap) {
  FakeBudget budget;
  CapLedger ledger(manual_config(), std::make_unique<FakeBackend>(budget));
  const CapLimits limits{50, 1.0};
  for (int i = 0; i < 100; ++i) ledger.count_event(EventKind::kPayment, kT0);
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) allowed += ledger.try_flag("r", kPayment, limits, kT0 + i).allowed();
    });
  }
  for (auto& th : threads) th.join();
  // Every granted unit is spent by some thread (all in one bucket): exactly the cap.
  EXPECT_EQ(allowed.load(), 50);
}

}  // namespace
}  // namespace crosscheck::rules
