// Per-event cost of the screening step, measured against a baseline in the same run.
//
//   build/bin/screening_benchmark --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// BM_Baseline_SimdjsonWalk walks every value of the same events with simdjson On-Demand and
// nothing else: the floor any JSON-based screener pays. The other benchmarks report their cost;
// divide by the baseline's for the ratio (docs/performance.md).
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <fstream>
#include <string>
#include <vector>

#include "crosscheck/rules/watchlist.h"
#include "crosscheck/runtime/screening_step.h"
#include "crosscheck/schemas/event_parser.h"

namespace cc = crosscheck;

namespace {

std::vector<std::string> read_lines(const std::string& file) {
  std::ifstream in(std::string(CROSSCHECK_SOURCE_DIR) + "/tests/fixtures/events/" + file);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

const std::vector<std::string>& events(cc::schemas::EventKind kind) {
  static const std::vector<std::string> itn = read_lines("itineraries.jsonl");
  static const std::vector<std::string> man = read_lines("manifests.jsonl");
  static const std::vector<std::string> pay = read_lines("payments.jsonl");
  switch (kind) {
    case cc::schemas::EventKind::kItinerary: return itn;
    case cc::schemas::EventKind::kManifest: return man;
    default: return pay;
  }
}

std::string topic_of(cc::schemas::EventKind kind) {
  switch (kind) {
    case cc::schemas::EventKind::kItinerary: return "transit.itineraries";
    case cc::schemas::EventKind::kManifest: return "transit.manifests";
    default: return "transit.payments";
  }
}

std::size_t walk(simdjson::ondemand::value v) {
  std::size_t n = 0;
  switch (v.type()) {
    case simdjson::ondemand::json_type::object:
      for (auto field : v.get_object()) n += 1 + walk(field.value());
      break;
    case simdjson::ondemand::json_type::array:
      for (auto element : v.get_array()) n += walk(element.value());
      break;
    case simdjson::ondemand::json_type::string: n += v.get_raw_json_string().value().raw() != nullptr; break;
    default: n += v.raw_json_token().size() != 0; break;
  }
  return n;
}

void BM_Baseline_SimdjsonWalk(benchmark::State& state) {
  const auto& evs = events(static_cast<cc::schemas::EventKind>(state.range(0)));
  if (evs.empty()) {
    state.SkipWithError("no fixture events");
    return;
  }
  std::vector<simdjson::padded_string> padded;
  for (const auto& e : evs) padded.emplace_back(e);
  simdjson::ondemand::parser parser;
  std::size_t i = 0, bytes = 0;
  for (auto _ : state) {
    auto& p = padded[i++ % padded.size()];
    auto doc = parser.iterate(p);
    benchmark::DoNotOptimize(walk(doc.get_value().value()));
    bytes += p.size();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void BM_ParseAndValidate(benchmark::State& state) {
  const auto kind = static_cast<cc::schemas::EventKind>(state.range(0));
  const auto& evs = events(kind);
  if (evs.empty()) {
    state.SkipWithError("no fixture events");
    return;
  }
  cc::schemas::EventParser parser;
  std::vector<cc::schemas::Violation> violations;
  std::size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const auto& e = evs[i++ % evs.size()];
    violations.clear();
    benchmark::DoNotOptimize(parser.parse(kind, e, violations));
    bytes += e.size();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void BM_ScreeningStep(benchmark::State& state) {
  const auto kind = static_cast<cc::schemas::EventKind>(state.range(0));
  const auto& evs = events(kind);
  auto list = cc::rules::load_watchlist_file(std::string(CROSSCHECK_SOURCE_DIR) + "/tests/fixtures/watchlists/demo.json");
  if (evs.empty() || !list.ok()) {
    state.SkipWithError("fixtures missing");
    return;
  }
  std::vector<cc::rules::Watchlist> lists{*list};
  auto index = std::make_shared<const cc::rules::MatchIndex>(std::move(lists));
  auto config = cc::runtime::parse_screener_config("instance_id: bench\n", {});
  cc::runtime::ScreeningStep step(*config, [&] { return index; }, nullptr);
  const std::string topic = topic_of(kind);
  std::size_t i = 0;
  for (auto _ : state) {
    cc::streams::InRecord in;
    in.topic = topic;
    in.offset = static_cast<std::int64_t>(i);
    in.value = evs[i++ % evs.size()];
    cc::streams::Processed out;
    step.process(in, out);
    benchmark::DoNotOptimize(out.outputs.size());
  }
}

}  // namespace

BENCHMARK(BM_Baseline_SimdjsonWalk)->Arg(0)->Arg(1)->Arg(2)->ArgName("kind");
BENCHMARK(BM_ParseAndValidate)->Arg(0)->Arg(1)->Arg(2)->ArgName("kind");
BENCHMARK(BM_ScreeningStep)->Arg(0)->Arg(1)->Arg(2)->ArgName("kind");
int main(int argc, char** argv) {
  // Which SIMD kernel On-Demand was compiled with (set by CROSSCHECK_MARCH); figures depend on it.
  benchmark::AddCustomContext("simdjson_kernel", SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
