// Name matching cost (docs/performance.md, "Name matching"):
//   BM_RealLists_Match     one query against the OFAC SDN 2024 + UN consolidated lists (import
//                          from ../shared/data; skipped, saying so, when it is absent)
//   BM_Synthetic_Match/N   one query against a seeded synthetic list of N entries (~2 names each)
//   *_Baseline             an exact hash look-up of the normalised name on the same queries: the
//                          floor the matcher is compared with
// Queries: one in ten is a listed name with one variation (typo, swapped order, dropped middle
// name or none), the rest are generated from the same name parts and are usually not listed (in
// real traffic almost every subject is not listed). Each query's time is recorded; the counters
// median_us and p99_us are per-query percentiles of the time it took over all queries (steady_clock
// on the pinned core; CROSSCHECK_BENCH_CLOCK=thread-cpu for the thread's CPU clock, the figures
// before 2026-12-06; timer_us is what the clock itself adds to each interval),
// listed_median_us / other_median_us the medians of the two kinds, hit_rate the share of
// queries with at least one hit. Explanations are built for every hit, as in production. Each
// pass over the queries starts with the matcher's per-thread caches emptied
// (MatchIndex::forget_thread_caches), so a pass pays what a stream of new names would: a token
// that is not in the dictionary has its neighbourhood found once per pass, not once per run.
// Work counters (MatchIndex::last_match_stats): cands_mean, summary_passed_mean, pre_passed_mean,
// exact_passed_mean and scored_mean per query, and capped_share, the share of queries where a
// work cap (postings read or candidates scored) cut retrieval short. Built with
// -DCROSSCHECK_MATCH_PHASES=ON, it also reports phase_<phase>_kcycles, the median CPU cycles
// (thousands) of each phase of a query (MatchPhase). build_s is the wall time of building the
// index, build_cpu_s the building thread's CPU time (the two differ when other processes compete
// for the core).
//   BM_*_MatchDetails      the same queries with what a passenger record carries besides the
//                          name: a date of birth, a nationality and a gender (a country for
//                          organisation names). For a listed name, two in three carry the listed
//                          person's own details, the others a namesake's; the other queries carry
//                          random ones. Corroboration can raise a score by up to 0.10, so every
//                          bound has to allow for it and more candidates are scored: this is the
//                          cost of production queries, where the name-only figures are the
//                          matcher's floor.
//   BM_*_MatchParty        the same names as a manifest's or a payment's parties: type party and
//                          a country (for a listed organisation, two in three its own).
//   BM_Memory_Chase/M/C    the host's memory, measured beside the matcher: C chains of dependent
//                          reads at random in a buffer of M MiB on huge pages, as the index is.
//                          ns_per_read is the median over timed groups of 64 steps of every
//                          chain, per line read. 2 to 32 MiB, one chain: where the caches and
//                          the TLB stop holding the buffer; 1024/1: one read at a time at random
//                          in 1 GiB (about the 1M index's size); 1024/8: eight overlapped, as the
//                          matcher overlaps its fetches. They say what a read at random costs on
//                          the host at the time of the run (docs/performance.md, "What a read at
//                          random costs on this host").
// CROSSCHECK_BENCH_LISTED_SHARE=0.5 restores the earlier half-listed mix; CROSSCHECK_BENCH_SLOW=N
// prints the N slowest queries with their counters to stderr. CROSSCHECK_BENCH_DUMP=PREFIX writes the
// hits of every query once (PREFIX<benchmark>.tsv: query, then list:entry:name score [explanation]
// per hit), so two builds of the matcher can be compared hit for hit, explanations included.
// CROSSCHECK_BENCH_AB=1, with a library built with -DCROSSCHECK_MATCH_AB=ON, runs the matcher
// change under test (set_match_variant_b) in every other pass over the queries, A B B A ..., and
// reports ab_pairs, ab_ratio (the median over the pairs of B's median over A's), the medians over
// the pairs of each variant's median and p99 (ab_a_median_us, ab_b_median_us, ab_a_p99_us,
// ab_b_p99_us), with each pair on stderr (median_us then mixes the two).
#include <benchmark/benchmark.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crosscheck/rules/list_import.h"
#include "crosscheck/rules/match_index.h"
#include "crosscheck/rules/normalize.h"
#include "benchmark_stats.h"
#include "synthetic_watchlist.h"

namespace {

using crosscheck::rules::MatchHit;
using crosscheck::rules::MatchIndex;
using crosscheck::rules::MatchQuery;
using crosscheck::rules::Watchlist;
using Clock = std::chrono::steady_clock;

std::size_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

bool exists(const std::string& p) { return std::ifstream(p).good() || access(p.c_str(), F_OK) == 0; }

// ../shared/data: CROSSCHECK_SHARED_DATA, else beside the repository seen from the executable
// (<repo>/<build>/bin/matching_benchmark), else beside the working directory.
std::string shared_data() {
  if (const char* env = std::getenv("CROSSCHECK_SHARED_DATA"); env && *env) return env;
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) {
    std::string exe(buf, static_cast<std::size_t>(n));
    std::string dir = exe.substr(0, exe.rfind('/'));
    const std::string candidate = dir + "/../../../shared/data";
    if (exists(candidate)) return candidate;
  }
  return "../shared/data";
}

// What a query carries besides its name (the BM_*_MatchDetails benchmarks).
struct QueryDetails {
  std::string date_of_birth, nationality, gender, country;
  std::string party_country;  // BM_*_MatchParty
};

// Which fields the queries carry besides the name.
enum class Shape { kNameOnly, kDetails, kParty };

// A prepared index with its queries and the exact-match baseline.
struct Setup {
  std::unique_ptr<MatchIndex> index;
  std::unordered_map<std::string, std::vector<std::uint32_t>> exact;  // normalize_name -> entries
  std::vector<std::string> queries;
  std::vector<bool> listed;  // per query: drawn from a listed name
  std::vector<QueryDetails> details;  // per query
  double build_seconds = 0;
  double build_cpu_seconds = 0;  // the building thread's CPU time: on a shared machine the wall
                                 // time also counts the time it waited for a core
  double rss_delta_mb = 0;
  std::string error;
};

void make_queries(Setup& s, std::uint64_t seed, std::size_t count) {
  std::mt19937_64 rng(seed);
  const auto& lists = s.index->lists();
  std::vector<std::pair<std::uint32_t, std::uint32_t>> refs;
  for (std::uint32_t l = 0; l < lists.size(); ++l) {
    for (std::uint32_t e = 0; e < lists[l].entries.size(); ++e) {
      const auto t = lists[l].entries[e].type;
      if (!lists[l].entries[e].names.empty() &&
          (t == crosscheck::rules::EntityType::kPerson || t == crosscheck::rules::EntityType::kOrganization)) {
        refs.emplace_back(l, e);
      }
    }
  }
  double listed_share = 0.1;
  if (const char* env = std::getenv("CROSSCHECK_BENCH_LISTED_SHARE"); env && *env) listed_share = std::atof(env);
  const auto every = listed_share > 0 ? static_cast<std::size_t>(std::max(1.0, 1.0 / listed_share + 0.5)) : 0;
  // The details come from a generator of their own, so the names are the same as without them.
  std::mt19937_64 drng(seed ^ 0x5eed'de7a'11ULL);
  std::mt19937_64 prng(seed ^ 0x9a27'c0de'11ULL);  // the parties' countries, likewise
  static constexpr std::string_view kNationalities[] = {"GBR", "MEX", "SYR", "RUS", "CHN", "NGA", "IND", "DEU",
                                                        "USA", "FRA", "IRN", "TUR", "ARE", "PAK", "AFG", "ESP"};
  auto random_details = [&](bool organization) {
    QueryDetails d;
    d.party_country = kNationalities[prng() % std::size(kNationalities)];
    if (organization) {
      d.country = kNationalities[drng() % std::size(kNationalities)];
      return d;
    }
    char dob[16];
    std::snprintf(dob, sizeof dob, "%04d-%02d-%02d", 1940 + static_cast<int>(drng() % 65),
                  1 + static_cast<int>(drng() % 12), 1 + static_cast<int>(drng() % 28));
    d.date_of_birth = dob;
    d.nationality = kNationalities[drng() % std::size(kNationalities)];
    d.gender = drng() % 2 ? "male" : "female";
    return d;
  };
  for (std::size_t i = 0; i < count; ++i) {
    if (every != 0 && i % every == 0 && !refs.empty()) {
      const auto [l, e] = refs[rng() % refs.size()];
      const auto& entry = lists[l].entries[e];
      const auto& names = entry.names;
      s.queries.push_back(crosscheck::loadtest::vary_name(names[rng() % names.size()], rng));
      s.listed.push_back(true);
      const bool organization = entry.type == crosscheck::rules::EntityType::kOrganization;
      QueryDetails d = random_details(organization);
      if (drng() % 3 != 0) {  // the listed one travelling, as far as the list says who that is
        if (!entry.dates_of_birth.empty()) d.date_of_birth = entry.dates_of_birth.front();
        if (!entry.nationalities.empty()) d.nationality = entry.nationalities.front();
        if (!entry.gender.empty()) d.gender = entry.gender;
        if (!entry.countries.empty()) d.country = d.party_country = entry.countries.front();
      }
      s.details.push_back(std::move(d));
    } else {
      const bool organization = rng() % 4 == 0;
      s.queries.push_back(crosscheck::loadtest::synthetic_name(rng, organization));
      s.listed.push_back(false);
      s.details.push_back(random_details(organization));
    }
  }
}

// Query `qi` of the set, in the given shape.
MatchQuery query_of(const Setup& s, std::size_t qi, Shape shape) {
  MatchQuery q;
  q.type = crosscheck::rules::QueryType::kAny;
  q.name = s.queries[qi];
  const QueryDetails& d = s.details[qi];
  switch (shape) {
    case Shape::kNameOnly: break;
    case Shape::kDetails:
      q.date_of_birth = d.date_of_birth;
      q.nationality = d.nationality;
      q.gender = d.gender;
      q.country = d.country;
      break;
    case Shape::kParty:
      q.type = crosscheck::rules::QueryType::kParty;
      q.country = d.party_country;
      break;
  }
  return q;
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void build(Setup& s, std::vector<Watchlist> lists) {
  const std::size_t rss0 = rss_bytes();
  const auto t0 = Clock::now();
  const double cpu0 = thread_cpu_seconds();
  s.index = std::make_unique<MatchIndex>(std::move(lists));
  s.build_cpu_seconds = thread_cpu_seconds() - cpu0;
  s.build_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  s.rss_delta_mb = (static_cast<double>(rss_bytes()) - static_cast<double>(rss0)) / 1e6;
  const auto& ls = s.index->lists();
  for (std::uint32_t l = 0; l < ls.size(); ++l) {
    for (std::uint32_t e = 0; e < ls[l].entries.size(); ++e) {
      for (const auto& n : ls[l].entries[e].names) s.exact[crosscheck::rules::normalize_name(n)].push_back(e);
    }
  }
}

Setup& real_setup() {
  static Setup s;
  static std::once_flag once;
  std::call_once(once, [] {
    const std::string root = shared_data();
    const std::string ofac = root + "/watchlists/ofac-sdn-2024-05-03/sdn.csv";
    const std::string un = root + "/watchlists/un/consolidated-2026-02-27.xml";
    if (!exists(ofac) || !exists(un)) {
      s.error = "shared data not available (looked for " + ofac + " and " + un + "; set CROSSCHECK_SHARED_DATA)";
      return;
    }
    std::vector<Watchlist> lists;
    for (const auto& path : {ofac, un}) {
      auto imported = crosscheck::rules::import_list(path);
      if (!imported) {
        s.error = "import of " + path + " failed: " + imported.error().message();
        return;
      }
      lists.push_back(std::move(imported->list));
    }
    build(s, std::move(lists));
    make_queries(s, 2024, 4000);
  });
  return s;
}

Setup& synthetic_setup(std::size_t entries) {
  static std::mutex mu;
  static std::map<std::size_t, std::unique_ptr<Setup>> cache;
  std::lock_guard lock(mu);
  auto& slot = cache[entries];
  if (!slot) {
    cache.clear();  // one synthetic list in memory at a time
    auto& fresh = cache[entries];
    fresh = std::make_unique<Setup>();
    crosscheck::loadtest::SyntheticOptions options;
    options.entries = entries;
    std::vector<Watchlist> lists;
    lists.push_back(crosscheck::loadtest::synthetic_watchlist(options));
    build(*fresh, std::move(lists));
    make_queries(*fresh, 77, 4000);
    return *fresh;
  }
  return *slot;
}

using crosscheck::loadtest::median;
using crosscheck::loadtest::percentile;

// The clock each query is timed with: steady_clock by default (clock_gettime(CLOCK_MONOTONIC),
// answered in the vDSO without entering the kernel: timer_us 0.03 us on the 2026-12 host).
// CROSSCHECK_BENCH_CLOCK=thread-cpu times with the thread's CPU clock, as every figure before
// 2026-12-06 was: a system call (timer_us 0.52 us there), one whole call of which lands inside
// each interval, so it made up most of the baselines' time and varied with the host. A wall
// clock also counts any time the core is taken from the query: the median hardly moves, a p99
// can (run pinned, taskset -c 1).
bool thread_cpu_clock() {
  static const bool on = [] {
    const char* v = std::getenv("CROSSCHECK_BENCH_CLOCK");
    const std::string_view clock = v ? v : "steady";
    if (clock != "steady" && clock != "thread-cpu") {
      std::fprintf(stderr, "CROSSCHECK_BENCH_CLOCK=%s: unknown clock; use steady (the default) or thread-cpu\n", v);
      std::exit(2);
    }
    return clock == "thread-cpu";
  }();
  return on;
}
double query_clock_us() {
  timespec ts{};
  clock_gettime(thread_cpu_clock() ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}
// What the clock adds to each interval: the median of empty intervals (the counter timer_us).
double timer_us() {
  std::vector<double> empty(10001);
  for (double& e : empty) {
    const double t0 = query_clock_us();
    e = query_clock_us() - t0;
  }
  return percentile(empty, 0.5);
}

// Writes each query's hits once (CROSSCHECK_BENCH_DUMP), outside the timed loop.
void dump_hits(const Setup& s, Shape shape, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return;
  std::vector<MatchHit> hits;
  for (std::size_t qi = 0; qi < s.queries.size(); ++qi) {
    const MatchQuery q = query_of(s, qi, shape);
    hits.clear();
    s.index->match(q, hits);
    std::fprintf(f, "%s", s.queries[qi].c_str());
    for (const auto& h : hits) {
      std::fprintf(f, "\t%u:%u:%u %.4f", h.ref.list, h.ref.entry, h.ref.name, h.score);
      // The explanation too, with its token pairs at full precision, so two builds are compared
      // on what an officer reads as well as on the hits.
      std::fprintf(f, " [%s |", h.explanation.summary().c_str());
      for (const auto& t : h.explanation.tokens) {
        std::fprintf(f, " %s=%s %.*s %.6f %.6f;", t.query_token.c_str(), t.listed_token.c_str(), static_cast<int>(t.how.size()),
                     t.how.data(), t.similarity, t.weight);
      }
      std::fputc(']', f);
    }
    std::fputc('\n', f);
  }
  std::fclose(f);
}

void run_match(benchmark::State& state, const Setup& s, Shape shape, const std::string& tag) {
  if (const char* dump = std::getenv("CROSSCHECK_BENCH_DUMP"); dump && *dump) {
    static std::mutex dumped_mu;
    static std::map<std::string, bool> dumped;
    std::lock_guard lock(dumped_mu);
    if (!dumped[tag]) {
      dumped[tag] = true;
      dump_hits(s, shape, std::string(dump) + tag + ".tsv");
    }
  }
  const char* ab_env = std::getenv("CROSSCHECK_BENCH_AB");
  const bool ab = ab_env && *ab_env && std::string_view(ab_env) != "0";
  if (ab && !crosscheck::rules::match_variant_b_honoured()) {
    state.SkipWithError("CROSSCHECK_BENCH_AB needs the library built with -DCROSSCHECK_MATCH_AB=ON");
    for (auto _ : state) {
    }
    return;
  }
  std::vector<std::vector<double>> ab_passes;  // query times per pass over the queries
  std::vector<MatchHit> hits;
  std::vector<double> us, listed_us, other_us;
  us.reserve(1 << 16);
  std::size_t i = 0, with_hits = 0, n = 0, cands = 0, scored = 0, capped = 0, summary_passed = 0, pre_passed = 0,
              exact_passed = 0;
  // Cycles per phase and query, when the library times them (CROSSCHECK_MATCH_PHASES).
  constexpr std::size_t kPhases = std::tuple_size_v<decltype(crosscheck::rules::MatchStats::phase_cycles)>;
  std::array<std::vector<double>, kPhases> phase_cycles;
  bool timed = false;  // the first query of a timing build sets it
  struct Slow {
    double us;
    std::size_t query;
    crosscheck::rules::MatchStats stats;
    std::size_t hits;
  };
  std::vector<Slow> slow;
  const char* slow_env = std::getenv("CROSSCHECK_BENCH_SLOW");
  const std::size_t keep_slow = slow_env ? static_cast<std::size_t>(std::atol(slow_env)) : 0;
  for (auto _ : state) {
    const std::size_t pass = i / s.queries.size();
    const std::size_t qi = i++ % s.queries.size();
    // Each pass is a new stream of queries: what the matcher remembers of tokens from the last
    // pass (neighbourhoods of unlisted tokens, comparisons, transliterations) would answer every
    // such token of this one, which a real stream's first-seen names never find.
    if (qi == 0) MatchIndex::forget_thread_caches();
    if (ab && qi == 0) {
      crosscheck::rules::set_match_variant_b(crosscheck::loadtest::ab_pass_is_b(pass));
      ab_passes.emplace_back().reserve(s.queries.size());
    }
    const MatchQuery q = query_of(s, qi, shape);
    hits.clear();
    const double t0 = query_clock_us();
    s.index->match(q, hits);
    const double t = query_clock_us() - t0;
    if (ab) ab_passes.back().push_back(t);
    us.push_back(t);
    (s.listed[qi] ? listed_us : other_us).push_back(t);
    benchmark::DoNotOptimize(hits.data());
    const auto st = MatchIndex::last_match_stats();
    cands += st.candidates;
    scored += st.scored;
    summary_passed += st.summary_passed;
    pre_passed += st.pre_passed;
    exact_passed += st.exact_passed;
    for (std::size_t p = 0; p < kPhases && !timed; ++p) timed = st.phase_cycles[p] != 0;
    for (std::size_t p = 0; timed && p < kPhases; ++p) phase_cycles[p].push_back(static_cast<double>(st.phase_cycles[p]));
    capped += st.postings_skipped > 0 || st.candidates_capped > 0;
    if (keep_slow) slow.push_back({t, qi, st, hits.size()});
    with_hits += !hits.empty();
    ++n;
  }
  if (keep_slow) {
    std::sort(slow.begin(), slow.end(), [](const Slow& a, const Slow& b) { return a.us > b.us; });
    for (std::size_t k = 0; k < slow.size() && k < keep_slow; ++k) {
      const auto& w = slow[k];
      std::fprintf(stderr, "%8.1f us  %-50s read=%zu skipped=%zu cands=%zu capped=%zu bounded_out=%zu summary=%zu pre=%zu exact=%zu scored=%zu hits=%zu",
                   w.us, s.queries[w.query].c_str(), w.stats.postings_read, w.stats.postings_skipped,
                   w.stats.candidates, w.stats.candidates_capped, w.stats.bounded_out, w.stats.summary_passed,
                   w.stats.pre_passed, w.stats.exact_passed, w.stats.scored, w.hits);
      // With a timing build, the thousands of cycles of each phase, in MatchPhase order.
      for (std::size_t p = 0; timed && p < kPhases; ++p) {
        std::fprintf(stderr, " %s=%.1f", std::string(crosscheck::rules::to_string(static_cast<crosscheck::rules::MatchPhase>(p))).c_str(),
                     static_cast<double>(w.stats.phase_cycles[p]) / 1e3);
      }
      std::fputc('\n', stderr);
    }
  }
  const double dn = n ? static_cast<double>(n) : 1.0;
  if (ab) {
    crosscheck::rules::set_match_variant_b(false);
    const auto pairs = crosscheck::loadtest::ab_pairs(ab_passes, s.queries.size());
    std::vector<double> ratios, a_medians, b_medians, a_p99s, b_p99s;
    for (std::size_t k = 0; k < pairs.size(); ++k) {
      std::fprintf(stderr, "ab %s pair %zu: A %.3f us, B %.3f us, ratio %.4f; p99 A %.1f us, B %.1f us\n", tag.c_str(), k,
                   pairs[k].a_median, pairs[k].b_median, pairs[k].ratio, pairs[k].a_p99, pairs[k].b_p99);
      ratios.push_back(pairs[k].ratio);
      a_medians.push_back(pairs[k].a_median);
      b_medians.push_back(pairs[k].b_median);
      a_p99s.push_back(pairs[k].a_p99);
      b_p99s.push_back(pairs[k].b_p99);
    }
    state.counters["ab_pairs"] = static_cast<double>(pairs.size());
    state.counters["ab_ratio"] = median(ratios);
    state.counters["ab_a_median_us"] = median(a_medians);
    state.counters["ab_b_median_us"] = median(b_medians);
    state.counters["ab_a_p99_us"] = median(a_p99s);
    state.counters["ab_b_p99_us"] = median(b_p99s);
  }
  state.counters["median_us"] = percentile(us, 0.5);
  state.counters["p99_us"] = percentile(us, 0.99);
  state.counters["timer_us"] = timer_us();
  state.counters["listed_median_us"] = percentile(listed_us, 0.5);
  state.counters["other_median_us"] = percentile(other_us, 0.5);
  state.counters["cands_mean"] = static_cast<double>(cands) / dn;
  state.counters["scored_mean"] = static_cast<double>(scored) / dn;
  state.counters["summary_passed_mean"] = static_cast<double>(summary_passed) / dn;
  state.counters["pre_passed_mean"] = static_cast<double>(pre_passed) / dn;
  state.counters["exact_passed_mean"] = static_cast<double>(exact_passed) / dn;
  for (std::size_t p = 0; timed && p < kPhases; ++p) {
    // The median over all queries (a query that never reached the phase counts 0).
    auto& v = phase_cycles[p];
    const auto phase = static_cast<crosscheck::rules::MatchPhase>(p);
    state.counters["phase_" + std::string(crosscheck::rules::to_string(phase)) + "_kcycles"] = percentile(v, 0.5) / 1e3;
  }
  state.counters["capped_share"] = static_cast<double>(capped) / dn;
  state.counters["hit_rate"] = n ? static_cast<double>(with_hits) / static_cast<double>(n) : 0;
  state.counters["entries"] = static_cast<double>(s.index->entry_count());
  state.counters["names"] = static_cast<double>(s.index->name_count());
  state.counters["index_mb"] = static_cast<double>(s.index->memory_bytes()) / 1e6;
  state.counters["rss_delta_mb"] = s.rss_delta_mb;
  state.counters["build_s"] = s.build_seconds;
  state.counters["build_cpu_s"] = s.build_cpu_seconds;
}

void run_baseline(benchmark::State& state, const Setup& s) {
  std::vector<double> us;
  us.reserve(1 << 16);
  std::size_t i = 0, with_hits = 0, n = 0;
  for (auto _ : state) {
    const std::string& name = s.queries[i++ % s.queries.size()];
    const double t0 = query_clock_us();
    auto it = s.exact.find(crosscheck::rules::normalize_name(name));
    const bool hit = it != s.exact.end();
    us.push_back(query_clock_us() - t0);
    benchmark::DoNotOptimize(hit);
    with_hits += hit;
    ++n;
  }
  state.counters["median_us"] = percentile(us, 0.5);
  state.counters["p99_us"] = percentile(us, 0.99);
  state.counters["timer_us"] = timer_us();
  state.counters["hit_rate"] = n ? static_cast<double>(with_hits) / static_cast<double>(n) : 0;
}

// The real lists' setup, or nullptr once the benchmark is marked skipped with the reason.
Setup* real_lists_or_skip(benchmark::State& state) {
  Setup& s = real_setup();
  if (s.error.empty()) return &s;
  state.SkipWithError(s.error.c_str());
  for (auto _ : state) {
  }
  return nullptr;
}

void BM_RealLists_Match(benchmark::State& state) {
  if (Setup* s = real_lists_or_skip(state)) run_match(state, *s, Shape::kNameOnly, "real");
}

void BM_RealLists_MatchDetails(benchmark::State& state) {
  if (Setup* s = real_lists_or_skip(state)) run_match(state, *s, Shape::kDetails, "real-details");
}

void BM_RealLists_MatchParty(benchmark::State& state) {
  if (Setup* s = real_lists_or_skip(state)) run_match(state, *s, Shape::kParty, "real-party");
}

void BM_RealLists_Baseline(benchmark::State& state) {
  if (Setup* s = real_lists_or_skip(state)) run_baseline(state, *s);
}

void BM_Synthetic_Match(benchmark::State& state) {
  run_match(state, synthetic_setup(static_cast<std::size_t>(state.range(0))), Shape::kNameOnly,
            "synthetic" + std::to_string(state.range(0)));
}

void BM_Synthetic_MatchDetails(benchmark::State& state) {
  run_match(state, synthetic_setup(static_cast<std::size_t>(state.range(0))), Shape::kDetails,
            "synthetic" + std::to_string(state.range(0)) + "-details");
}

void BM_Synthetic_MatchParty(benchmark::State& state) {
  run_match(state, synthetic_setup(static_cast<std::size_t>(state.range(0))), Shape::kParty,
            "synthetic" + std::to_string(state.range(0)) + "-party");
}

void BM_Synthetic_Baseline(benchmark::State& state) {
  run_baseline(state, synthetic_setup(static_cast<std::size_t>(state.range(0))));
}

// One cycle through every 64-byte line of a buffer (BM_Memory_Chase): word 0 of line i holds the
// line after it. Sattolo's shuffle gives a single cycle, so no chain falls into a short loop that
// the caches would hold.
struct ChaseBuffer {
  const std::uint64_t* words = nullptr;
  std::size_t lines = 0;
};
ChaseBuffer make_chase_buffer(std::size_t bytes) {
  constexpr std::size_t kHuge = std::size_t{2} << 20;
  // Mapped with a huge page's worth to spare, so the buffer can start on a 2 MiB boundary.
  void* p = mmap(nullptr, bytes + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    std::perror("BM_Memory_Chase: mmap");
    std::exit(2);
  }
  auto* words = reinterpret_cast<std::uint64_t*>((reinterpret_cast<std::uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1));
  madvise(words, bytes, MADV_HUGEPAGE);  // a no-op where the kernel has them off, as for the index
  const std::size_t lines = bytes / 64;
  std::vector<std::uint32_t> next(lines);
  std::iota(next.begin(), next.end(), 0U);
  std::mt19937_64 rng(20261206);
  for (std::size_t i = lines - 1; i > 0; --i) {
    std::swap(next[i], next[std::uniform_int_distribution<std::size_t>(0, i - 1)(rng)]);
  }
  for (std::size_t i = 0; i < lines; ++i) words[i * 8] = next[i];
  return ChaseBuffer{words, lines};
}
// One buffer per size, kept for the process (benchmarks of one size share it).
const ChaseBuffer& chase_buffer(std::size_t mib) {
  static std::map<std::size_t, ChaseBuffer> buffers;
  auto it = buffers.find(mib);
  if (it == buffers.end()) it = buffers.emplace(mib, make_chase_buffer(mib << 20)).first;
  return it->second;
}

template <std::size_t kChains>
void run_chase(benchmark::State& state, const ChaseBuffer& b) {
  constexpr std::size_t kSteps = 64;
  std::array<std::uint64_t, kChains> at{};
  std::mt19937_64 rng(kChains);
  for (auto& a : at) a = rng() % b.lines;
  std::vector<double> us;
  us.reserve(1 << 16);
  for (auto _ : state) {
    const double t0 = query_clock_us();
    for (std::size_t k = 0; k < kSteps; ++k) {
      for (auto& a : at) a = b.words[a * 8];
    }
    us.push_back(query_clock_us() - t0);
  }
  benchmark::DoNotOptimize(at);
  state.counters["ns_per_read"] = percentile(us, 0.5) * 1000.0 / static_cast<double>(kSteps * kChains);
  state.counters["timer_us"] = timer_us();
}

// Args: the buffer's size in MiB, then the chains (1 or 8).
void BM_Memory_Chase(benchmark::State& state) {
  const ChaseBuffer& b = chase_buffer(static_cast<std::size_t>(state.range(0)));
  if (state.range(1) == 1) {
    run_chase<1>(state, b);
  } else {
    run_chase<8>(state, b);
  }
}

BENCHMARK(BM_RealLists_Match)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RealLists_MatchDetails)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RealLists_MatchParty)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RealLists_Baseline)->Unit(benchmark::kMicrosecond);
// The benchmarks of one size run next to each other, so each synthetic list is built once.
BENCHMARK(BM_Synthetic_Match)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Synthetic_MatchDetails)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Synthetic_MatchParty)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Synthetic_Baseline)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Synthetic_Match)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Synthetic_MatchDetails)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Synthetic_MatchParty)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Synthetic_Baseline)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Synthetic_Match)->Arg(1000000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Synthetic_MatchDetails)->Arg(1000000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Synthetic_MatchParty)->Arg(1000000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Synthetic_Baseline)->Arg(1000000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Memory_Chase)
    ->Args({2, 1})
    ->Args({4, 1})
    ->Args({8, 1})
    ->Args({16, 1})
    ->Args({32, 1})
    ->Args({1024, 1})
    ->Args({1024, 8})
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
