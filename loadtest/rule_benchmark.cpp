// Rule evaluation cost (issue 5: "evaluating 50 active rules against an event, with its watchlist
// hits already computed: median <= 5 us on one core").
//
// Events: every line of tests/fixtures/events/*.jsonl, parsed once up front (one parser per event,
// so the views stay valid) and screened once against the demo watchlist, so each iteration is
// evaluation only. Each iteration evaluates one event, cycling through all of them.
//
// Cases:
//   BM_ParseEvent                 baseline: parsing one event (the screener does this anyway)
//   BM_Evaluate/1                 baseline: one rule of the event's kind
//   BM_Evaluate/50                headline: 50 active rules of the event's kind, all evaluated
//                                 (comparisons, in-sets, between, within_before, a few patterns,
//                                 hit tests; no aggregates)
//   BM_EvaluateMixedKinds         50 active rules spread over the three kinds (about 17 apply)
//   BM_EvaluateWithAggregate      the 50 rules plus one aggregate over the in-memory store
//
// Run: build-*/loadtest/rule_benchmark --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "crosscheck/rules/match_index.h"
#include "crosscheck/rules/rule_engine.h"
#include "crosscheck/rules/screen.h"
#include "crosscheck/rules/watchlist.h"
#include "crosscheck/schemas/event_parser.h"

namespace {

using crosscheck::rules::AggregateTest;
using crosscheck::rules::CompareOp;
using crosscheck::rules::Condition;
using crosscheck::rules::Hit;
using crosscheck::rules::Rule;
using crosscheck::rules::RuleEngine;
using crosscheck::rules::RuleMatch;
using crosscheck::schemas::EventKind;

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kNow = 1'795'000'000'000;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---- rules ---------------------------------------------------------------------------------------

Condition f(std::string path, CompareOp op, std::vector<std::string> values = {}) {
  Condition c;
  c.type = Condition::Type::kField;
  c.field = std::move(path);
  c.op = op;
  c.values = std::move(values);
  return c;
}
Condition wb(std::string path, std::string of, std::int64_t ms) {
  Condition c = f(std::move(path), CompareOp::kWithinBefore, {"x"});
  c.of = std::move(of);
  c.duration_ms = ms;
  return c;
}
Condition hit(std::string role, std::vector<std::string> lists, double min_score) {
  Condition c;
  c.type = Condition::Type::kHit;
  c.hit.role = std::move(role);
  c.hit.lists = std::move(lists);
  c.hit.min_score = min_score;
  return c;
}
Condition group(Condition::Type t, std::vector<Condition> children) {
  Condition c;
  c.type = t;
  c.children = std::move(children);
  return c;
}
Condition all(std::vector<Condition> c) { return group(Condition::Type::kAll, std::move(c)); }
Condition any(std::vector<Condition> c) { return group(Condition::Type::kAny, std::move(c)); }
Condition not_(Condition c) { return group(Condition::Type::kNot, {std::move(c)}); }

Rule rule(std::string id, EventKind kind, Condition when) {
  Rule r;
  r.id = std::move(id);
  r.version = 1;
  r.applies_to = {kind};
  r.when = std::move(when);
  r.data_categories = crosscheck::rules::fields_read(r.when);
  r.queue = "bench";
  r.legal_basis = "benchmark";
  r.purpose = "benchmark";
  r.owner = "bench@example.org";
  r.valid_from_ms = 0;
  r.expires_ms = kNow + 180 * 24 * kHour;
  r.max_flags_per_hour = 100;
  r.max_flag_share = 0.01;
  return r;
}

std::string n(int i) { return std::to_string(i); }

// The i-th rule of a kind: a mix of the shapes analysts write. Constants vary with i so the
// rules are not 50 copies of one; a few patterns (every 12th rule) and hit tests (every 5th).
Condition payment_condition(int i) {
  const std::string amt = n(1000 * (1 + i % 7)) + ".00";
  switch (i % 10) {
    case 0: return all({f("payment.amount", CompareOp::kGe, {amt}), hit("creditor", {"demo-national"}, 0.85)});
    case 1: return all({f("payment.currency", CompareOp::kIn, {"USD", "AED", "HKD", "SGD"}),
                        f("payment.amount", CompareOp::kGt, {n(50000 + i)})});
    case 2: return all({f("payment.creditor.country", CompareOp::kIn, {"AE", "PA", "CY", "MT", "HK"}),
                        f("payment.amount", CompareOp::kBetween, {"9000", "9999.99"})});
    case 3: return any({f("payment.debtor.country", CompareOp::kEq, {"KY"}), f("payment.creditor.country", CompareOp::kEq, {"VG"})});
    case 4: return i % 12 == 4 ? f("payment.remittance_information", CompareOp::kMatches, {"(?i).*(cash|crypto|gift).*"})
                               : all({f("payment.amount", CompareOp::kGe, {amt}), f("payment.currency", CompareOp::kNe, {"EUR"})});
    case 5: return all({hit("any", {}, 0.9), f("payment.amount", CompareOp::kGe, {"10000"})});
    case 6: return all({f("payment.intermediary_agents", CompareOp::kIn, {"DEUTDEFF", "CHASUS33", "BNPAFRPP"}),
                        f("payment.amount", CompareOp::kGe, {n(200000 + 1000 * i)})});
    case 7: return all({wb("payment.creation_time", "payment.settlement_date", 2 * kHour),
                        f("payment.amount", CompareOp::kGt, {"250000"})});
    case 8: return i % 12 == 8 ? f("payment.creditor.iban", CompareOp::kMatches, {"(AE|CY|MT)[0-9]{2}.*"})
                               : not_(f("payment.debtor.country", CompareOp::kIn, {"DE", "FR", "NL", "BE", "AT", "FI", "HU"}));
    default: return all({f("payment.creditor.agent_bic", CompareOp::kIn, {"NDEAFIHH", "DNBANOKK", "UBSWCHZH"}),
                         f("payment.amount", CompareOp::kGe, {amt}), hit("debtor", {}, 0.0)});
  }
}

Condition itinerary_condition(int i) {
  switch (i % 10) {
    case 0:  // the example
      return all({f("itinerary.pnr.form_of_payment", CompareOp::kEq, {"cash"}),
                  wb("itinerary.pnr.booking_date", "itinerary.flight.scheduled_departure", 24 * kHour),
                  f("itinerary.flight.corridor", CompareOp::kIn, {"IST-FRA", "DXB-BRU", "BOG-MAD", "LOS-LHR"}),
                  hit("passenger", {}, 0.8)});
    case 1: return all({f("itinerary.flight.departure_airport", CompareOp::kIn, {"DXB", "IST", "BOG", "CCS"}),
                        f("itinerary.passengers.bags", CompareOp::kGe, {n(2 + i % 3)})});
    case 2: return all({f("itinerary.passenger_count", CompareOp::kGe, {n(3 + i % 4)}),
                        f("itinerary.pnr.form_of_payment", CompareOp::kIn, {"cash", "voucher"})});
    case 3: return all({hit("passenger", {"demo-national"}, 0.85),
                        f("itinerary.passengers.document.issuing_state", CompareOp::kNotIn, {"DEU", "FRA", "NLD"})});
    case 4: return i % 12 == 4 ? f("itinerary.flight.number", CompareOp::kMatches, {"[0-9]{4}[A-Z]?"})
                               : f("itinerary.flight.carrier", CompareOp::kIn, {"XQ", "ZZ", "YY"});
    case 5: return all({f("itinerary.pnr.booking_date", CompareOp::kBetween, {"2026-11-20", "2026-11-21"}),
                        f("itinerary.flight.arrival_airport", CompareOp::kEq, {"FRA"})});
    case 6: return any({f("itinerary.passengers.embarkation", CompareOp::kIn, {"CCS", "BOG"}),
                        f("itinerary.passengers.debarkation", CompareOp::kIn, {"LIS", "MAD"})});
    case 7: return all({f("itinerary.pnr.locator", CompareOp::kAbsent), hit("any", {}, 0.0)});
    case 8: return i % 12 == 8 ? f("itinerary.pnr.travel_agent.iata_number", CompareOp::kMatches, {"9[0-9]{6,7}"})
                               : all({f("itinerary.flight.scheduled_departure", CompareOp::kLt, {"2026-11-22T06:00:00Z"}),
                                      f("itinerary.pnr.form_of_payment", CompareOp::kEq, {"cash"})});
    default: return all({f("itinerary.passengers.nationality", CompareOp::kIn, {"AFG", "SYR", "IRQ"}),
                         hit("passenger", {}, 0.9)});
  }
}

Condition manifest_condition(int i) {
  switch (i % 10) {
    case 0: return all({f("manifest.goods.hs_code", CompareOp::kIn, {"930100", "930200", "930320", "360200"}),
                        f("manifest.transport_mode", CompareOp::kEq, {"sea"})});
    case 1: return all({f("manifest.conveyance.nationality", CompareOp::kIn, {"KM", "TG", "PW", "CM"}),
                        f("manifest.goods.gross_mass_kg", CompareOp::kGt, {n(15000 + 100 * i)})});
    case 2: return all({f("manifest.routing_countries", CompareOp::kIn, {"IR", "SY", "KP"})});
    case 3: return all({hit("consignee", {}, 0.85), f("manifest.goods_count", CompareOp::kGe, {"1"})});
    case 4: return i % 12 == 4 ? f("manifest.goods.description", CompareOp::kMatches, {"(?i).*(dual.use|centrifug|precursor).*"})
                               : f("manifest.place_of_loading", CompareOp::kIn, {"IRBND", "SYLTK", "KPNAM"});
    case 5: return all({f("manifest.goods.package_count", CompareOp::kBetween, {"1", "3"}),
                        f("manifest.goods.gross_mass_kg", CompareOp::kGt, {"20000"})});
    case 6: return any({f("manifest.consignor.country", CompareOp::kIn, {"IR", "KP"}), hit("consignor", {"demo-national"}, 0.0)});
    case 7: return all({f("manifest.estimated_arrival", CompareOp::kLt, {"2026-12-01"}),
                        f("manifest.consignee.eori", CompareOp::kAbsent)});
    case 8: return i % 12 == 8 ? f("manifest.goods.container", CompareOp::kMatches, {"[A-Z]{3}U[0-9]{7}"})
                               : not_(f("manifest.first_place_of_arrival", CompareOp::kIn, {"NLRTM", "BEANR", "DEHAM", "FRMRS"}));
    default: return all({hit("conveyance", {}, 0.9), f("manifest.transport_mode", CompareOp::kEq, {"sea"})});
  }
}

std::vector<Rule> rules_for(EventKind kind, int count, int offset = 0) {
  std::vector<Rule> out;
  for (int i = offset; i < offset + count; ++i) {
    switch (kind) {
      case EventKind::kPayment: out.push_back(rule("pay-" + n(i), kind, payment_condition(i))); break;
      case EventKind::kItinerary: out.push_back(rule("itn-" + n(i), kind, itinerary_condition(i))); break;
      case EventKind::kManifest: out.push_back(rule("man-" + n(i), kind, manifest_condition(i))); break;
    }
  }
  return out;
}

RuleEngine compile(std::vector<Rule> rules) {
  std::vector<std::string> rejected;
  RuleEngine engine(std::move(rules), &rejected);
  if (!rejected.empty()) throw std::runtime_error("benchmark rule does not compile: " + rejected.front());
  return engine;
}

// ---- events --------------------------------------------------------------------------------------

struct Sample {
  EventKind kind;
  std::string json;
  std::unique_ptr<crosscheck::schemas::EventParser> parser;  // owns the event's buffers
  const crosscheck::schemas::Event* event = nullptr;
  std::vector<Hit> hits;
};

struct Fixture {
  std::unique_ptr<crosscheck::rules::MatchIndex> index;
  std::vector<Sample> samples;
  std::size_t hits = 0;

  Fixture() {
    const std::string dir = std::string(CROSSCHECK_SOURCE_DIR) + "/tests/fixtures/";
    auto list = crosscheck::rules::load_watchlist_file(dir + "watchlists/demo.json");
    if (!list.ok()) throw std::runtime_error(list.error().to_string());
    std::vector<crosscheck::rules::Watchlist> lists;
    lists.push_back(std::move(*list));
    index = std::make_unique<crosscheck::rules::MatchIndex>(std::move(lists));
    const std::pair<const char*, EventKind> files[] = {{"events/itineraries.jsonl", EventKind::kItinerary},
                                                      {"events/manifests.jsonl", EventKind::kManifest},
                                                      {"events/payments.jsonl", EventKind::kPayment}};
    for (const auto& [file, kind] : files) {
      std::istringstream in(read_file(dir + file));
      std::string line;
      while (std::getline(in, line)) {
        if (line.empty()) continue;
        Sample s{kind, line, std::make_unique<crosscheck::schemas::EventParser>(), nullptr, {}};
        std::vector<crosscheck::schemas::Violation> v;
        s.event = s.parser->parse(kind, s.json, v);
        if (s.event == nullptr) throw std::runtime_error(std::string("fixture event does not parse: ") + file);
        crosscheck::rules::screen(*s.event, *index, s.hits);
        hits += s.hits.size();
        samples.push_back(std::move(s));
      }
    }
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

// One engine per kind, each with `per_kind` rules of that kind: every event evaluates all of them.
struct PerKindEngines {
  std::vector<RuleEngine> engines;
  explicit PerKindEngines(int per_kind, bool with_aggregate = false) {
    for (EventKind kind : {EventKind::kItinerary, EventKind::kManifest, EventKind::kPayment}) {
      auto rules = rules_for(kind, per_kind);
      if (with_aggregate) {
        // "3 or more payments from one debtor to different creditors within 24 h", or its analogue.
        Condition agg;
        agg.type = Condition::Type::kAggregate;
        agg.aggregate.count = AggregateTest::Count::kDistinct;
        agg.aggregate.within_ms = 24 * kHour;
        agg.aggregate.at_least = 3;
        if (kind == EventKind::kPayment) {
          agg.aggregate.per = "payment.debtor.iban";
          agg.aggregate.of = "payment.creditor.iban";
        } else if (kind == EventKind::kItinerary) {
          agg.aggregate.per = "itinerary.pnr.travel_agent.iata_number";
          agg.aggregate.of = "itinerary.flight.corridor";
        } else {
          agg.aggregate.per = "manifest.consignor.country";
          agg.aggregate.of = "manifest.place_of_loading";
        }
        rules.back() = rule(rules.back().id, kind, agg);
      }
      engines.push_back(compile(std::move(rules)));
    }
  }
  const RuleEngine& for_kind(EventKind k) const { return engines[static_cast<std::size_t>(k)]; }
};

void BM_ParseEvent(benchmark::State& state) {
  const Fixture& fx = fixture();
  crosscheck::schemas::EventParser parser;
  std::vector<crosscheck::schemas::Violation> violations;
  std::size_t i = 0;
  for (auto _ : state) {
    const Sample& s = fx.samples[i++ % fx.samples.size()];
    violations.clear();
    benchmark::DoNotOptimize(parser.parse(s.kind, s.json, violations));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseEvent);

void BM_Evaluate(benchmark::State& state) {
  const Fixture& fx = fixture();
  const PerKindEngines engines(static_cast<int>(state.range(0)));
  crosscheck::rules::EvalScratch scratch;
  std::vector<RuleMatch> out;
  std::size_t i = 0;
  std::uint64_t matches = 0;
  for (auto _ : state) {
    const Sample& s = fx.samples[i++ % fx.samples.size()];
    out.clear();
    engines.for_kind(s.kind).evaluate(*s.event, s.hits, kNow, nullptr, scratch, out);
    matches += out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["matches_per_event"] = static_cast<double>(matches) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_Evaluate)->Arg(1)->Arg(50);

// The 50-rule case for the events of one kind only (0 itinerary, 1 manifest, 2 payment).
void BM_EvaluateKind(benchmark::State& state) {
  const Fixture& fx = fixture();
  const auto kind = static_cast<EventKind>(state.range(0));
  std::vector<const Sample*> samples;
  for (const auto& s : fx.samples) {
    if (s.kind == kind) samples.push_back(&s);
  }
  const PerKindEngines engines(50);
  crosscheck::rules::EvalScratch scratch;
  std::vector<RuleMatch> out;
  std::size_t i = 0;
  for (auto _ : state) {
    const Sample& s = *samples[i++ % samples.size()];
    out.clear();
    engines.for_kind(s.kind).evaluate(*s.event, s.hits, kNow, nullptr, scratch, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EvaluateKind)->Arg(0)->Arg(1)->Arg(2);

void BM_EvaluateMixedKinds(benchmark::State& state) {
  const Fixture& fx = fixture();
  std::vector<Rule> rules;
  for (int i = 0; i < 50; ++i) {
    const EventKind kind = static_cast<EventKind>(i % 3);
    auto one = rules_for(kind, 1, i);
    rules.push_back(std::move(one.front()));
  }
  const RuleEngine engine = compile(std::move(rules));
  crosscheck::rules::EvalScratch scratch;
  std::vector<RuleMatch> out;
  std::size_t i = 0;
  for (auto _ : state) {
    const Sample& s = fx.samples[i++ % fx.samples.size()];
    out.clear();
    engine.evaluate(*s.event, s.hits, kNow, nullptr, scratch, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EvaluateMixedKinds);

void BM_EvaluateWithAggregate(benchmark::State& state) {
  const Fixture& fx = fixture();
  const PerKindEngines engines(50, /*with_aggregate=*/true);
  crosscheck::rules::InMemoryAggregateStore store;
  crosscheck::rules::EvalScratch scratch;
  std::vector<RuleMatch> out;
  std::size_t i = 0;
  for (auto _ : state) {
    const Sample& s = fx.samples[i++ % fx.samples.size()];
    out.clear();
    engines.for_kind(s.kind).evaluate(*s.event, s.hits, kNow, &store, scratch, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EvaluateWithAggregate);

}  // namespace

BENCHMARK_MAIN();
