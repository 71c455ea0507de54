// The cost the cap accounting adds per flagged event (issue 5: "<= 1 us per flagged event in
// steady state"), with a baseline in the same run.
//
// Cases:
//   BM_Baseline                   the loop alone: the clock step and a rule pick (what every case pays)
//   BM_CountEvent                 CapLedger::count_event: paid by every screened event (share denominator)
//   BM_TryFlagLocal/<rules>       headline: CapLedger::try_flag in steady state, budget leased locally,
//                                 cycling over <rules> rule keys; the budget source is in-process and
//                                 always grants, so this is the ledger's own cost plus amortised leases
//   BM_TryFlagRedis               the same against the real Redis Lua lease script, flagging as fast as
//                                 the loop runs (worst case: a lease round trip per 32 flags, since the
//                                 background refill cannot keep up with millions of flags a second)
//
// BM_TryFlagRedis needs CROSSCHECK_BENCH_REDIS=host:port and is skipped with a message otherwise.
// Keys go under a fresh "ccbench:caps:<pid>:" prefix and expire by themselves (2 h).
//
// Run: build-*/loadtest/cap_benchmark --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "crosscheck/rules/rule_caps.h"

namespace {

using crosscheck::Result;
using crosscheck::rules::CapBackend;
using crosscheck::rules::CapLeaseReply;
using crosscheck::rules::CapLeaseRequest;
using crosscheck::rules::CapLedger;
using crosscheck::rules::CapLedgerConfig;
using crosscheck::rules::CapLimits;
using crosscheck::rules::CapSyncReply;
using crosscheck::rules::CapSyncRequest;
using crosscheck::schemas::EventKind;

constexpr std::int64_t kT0 = 1'789'999'980'000;  // a bucket start

// Grants every request in full: isolates the ledger's local cost.
class UnlimitedBackend final : public CapBackend {
 public:
  Result<CapLeaseReply> lease(const CapLeaseRequest& req) override {
    CapLeaseReply r;
    r.granted = req.requested;
    r.limit = req.limits.max_flags_per_hour;
    return r;
  }
  Result<CapSyncReply> sync(const CapSyncRequest& req) override {
    CapSyncReply r;
    r.flags.assign(req.flags.size(), 0);
    r.shadow.assign(req.shadow.size(), 0);
    return r;
  }
};

std::vector<std::string> rule_keys(std::size_t n) {
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < n; ++i) keys.push_back("bench-rule-" + std::to_string(i));
  return keys;
}

CapLedgerConfig bench_config() {
  CapLedgerConfig cfg;
  cfg.background_sync = false;  // no thread competing for the mutex: the processing thread's own cost
  cfg.clock = [] { return kT0; };
  return cfg;
}

const std::vector<EventKind> kPayment{EventKind::kPayment};
const CapLimits kLimits{1'000'000'000'000, 1.0};

void BM_Baseline(benchmark::State& state) {
  const auto keys = rule_keys(static_cast<std::size_t>(state.range(0)));
  std::int64_t now = kT0;
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string& key = keys[i];
    if (++i == keys.size()) i = 0;
    benchmark::DoNotOptimize(key.data());
    benchmark::DoNotOptimize(now += 1);
  }
}
BENCHMARK(BM_Baseline)->Arg(1)->Arg(50);

void BM_CountEvent(benchmark::State& state) {
  CapLedger ledger(bench_config(), std::make_unique<UnlimitedBackend>());
  std::int64_t now = kT0;
  std::int64_t n = 0;
  for (auto _ : state) {
    ledger.count_event(EventKind::kPayment, now += 1);
    // Keep the unsynced counts bounded as the background sync would (once a second).
    if (++n % 1'000'000 == 0) benchmark::DoNotOptimize(ledger.sync(now).ok());
  }
}
BENCHMARK(BM_CountEvent);

void BM_TryFlagLocal(benchmark::State& state) {
  CapLedger ledger(bench_config(), std::make_unique<UnlimitedBackend>());
  const auto keys = rule_keys(static_cast<std::size_t>(state.range(0)));
  std::int64_t now = kT0;
  std::size_t i = 0;
  std::int64_t allowed = 0;
  for (auto _ : state) {
    const std::string& key = keys[i];
    if (++i == keys.size()) i = 0;
    allowed += ledger.try_flag(key, kPayment, kLimits, now += 1).allowed();
  }
  if (allowed != static_cast<std::int64_t>(state.iterations())) state.SkipWithError("a flag was refused");
  state.counters["leases"] = static_cast<double>(ledger.status(now).leases);
}
BENCHMARK(BM_TryFlagLocal)->Arg(1)->Arg(50);

void BM_TryFlagRedis(benchmark::State& state) {
  const char* address = std::getenv("CROSSCHECK_BENCH_REDIS");
  if (address == nullptr || *address == '\0') {
    state.SkipWithError("CROSSCHECK_BENCH_REDIS is not set (host:port of a Redis to use): skipped");
    for (auto _ : state) {
    }
    return;
  }
  crosscheck::rules::RedisConfig redis;
  if (auto s = crosscheck::rules::parse_redis_address(address, redis); !s) {
    state.SkipWithError(s.error().to_string().c_str());
    for (auto _ : state) {
    }
    return;
  }
  crosscheck::rules::RedisCapOptions opts;
  opts.prefix = "ccbench:caps:" + std::to_string(::getpid()) + ":" + std::to_string(state.range(0)) + ":";
  CapLedger ledger(bench_config(), crosscheck::rules::make_redis_cap_backend(redis, opts));
  const auto keys = rule_keys(static_cast<std::size_t>(state.range(0)));
  // Wall-clock time, so that the keys written expire like a live screener's.
  std::int64_t now = crosscheck::rules::cap_bucket(
                         std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count()) *
                     crosscheck::rules::kCapBucketMs;
  for (int e = 0; e < 1000; ++e) ledger.count_event(EventKind::kPayment, now);
  std::size_t i = 0;
  std::int64_t allowed = 0;
  for (auto _ : state) {
    const std::string& key = keys[i];
    if (++i == keys.size()) i = 0;
    ledger.count_event(EventKind::kPayment, now);  // the share denominator keeps up
    allowed += ledger.try_flag(key, kPayment, kLimits, now).allowed();
  }
  const auto st = ledger.status(now);
  if (st.degraded) state.SkipWithError("Redis failed during the run (degraded mode)");
  state.counters["leases"] = static_cast<double>(st.leases);
  state.counters["allowed"] = static_cast<double>(allowed);
}
BENCHMARK(BM_TryFlagRedis)->Arg(1)->Arg(50);

}  // namespace

BENCHMARK_MAIN();
