// Backtest: what one rule would flag over a file of recorded events, before it goes live.
#include <algorithm>
#include <cstdio>
#include <limits>

#include "crosscheck/json_writer.h"
#include "crosscheck/rules/rule_engine.h"
#include "crosscheck/schemas/event_parser.h"

namespace crosscheck::rules {

namespace {

bool has_hit_test(const Condition& c) {
  if (c.type == Condition::Type::kHit) return true;
  return std::any_of(c.children.begin(), c.children.end(), [](const Condition& k) { return has_hit_test(k); });
}

bool blank(std::string_view line) {
  return std::all_of(line.begin(), line.end(), [](char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; });
}

std::string percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", share * 100.0);
  return buf;
}

}  // namespace

Result<BacktestReport> backtest(const Rule& rule, schemas::EventKind kind, std::string_view jsonl,
                                const MatchIndex& index, std::size_t max_examples) {
  if (std::find(rule.applies_to.begin(), rule.applies_to.end(), kind) == rule.applies_to.end()) {
    return Error::fatal("backtest", "rule " + rule.id + " v" + std::to_string(rule.version) + " does not apply to " +
                                        std::string(schemas::to_string(kind)) + " events");
  }
  // The validity window is lifted: a backtest asks what the rule would have flagged.
  Rule timeless = rule;
  timeless.valid_from_ms = std::numeric_limits<std::int64_t>::min();
  timeless.expires_ms = std::numeric_limits<std::int64_t>::max();
  std::vector<std::string> rejected;
  std::vector<Rule> one;
  one.push_back(std::move(timeless));
  const RuleEngine engine(std::move(one), &rejected);
  if (engine.rules().empty()) {
    return Error::fatal("backtest", rejected.empty() ? "rule does not compile" : "rule does not compile: " + rejected[0]);
  }
  // Screening is the expensive part; only do it when the rule looks at hits.
  const bool needs_hits = rule.id.starts_with("watchlist-hit:") || has_hit_test(rule.when);

  BacktestReport report;
  schemas::EventParser parser;
  InMemoryAggregateStore aggregates;
  EvalScratch scratch;
  std::vector<schemas::Violation> violations;
  std::vector<Hit> hits;
  std::vector<RuleMatch> matches;
  std::uint64_t line_no = 0;
  while (!jsonl.empty()) {
    const auto nl = jsonl.find('\n');
    const std::string_view line = jsonl.substr(0, nl);
    jsonl = nl == std::string_view::npos ? std::string_view{} : jsonl.substr(nl + 1);
    ++line_no;
    if (blank(line)) continue;
    violations.clear();
    const schemas::Event* event = parser.parse(kind, line, violations);
    if (event == nullptr) {
      ++report.invalid;
      continue;
    }
    ++report.events;
    hits.clear();
    if (needs_hits) screen(*event, index, hits);
    matches.clear();
    engine.evaluate(*event, hits, event->event_time_ms, &aggregates, scratch, matches);
    if (matches.empty()) continue;
    ++report.matched_events;
    report.flags += matches.size();
    for (const RuleMatch& m : matches) {
      if (report.examples.size() >= max_examples) break;
      report.examples.push_back(
          BacktestReport::Example{line_no, std::string(event->event_id), std::string(m.subject_role), m.subject_index});
    }
  }
  report.share = report.events == 0 ? 0.0 : static_cast<double>(report.matched_events) / static_cast<double>(report.events);
  return report;
}

std::string format_backtest_text(const Rule& rule, const BacktestReport& report) {
  std::string out;
  out += "rule " + rule.id + " v" + std::to_string(rule.version) + "\n";
  out += "  events:          " + std::to_string(report.events) + "\n";
  out += "  matched events:  " + std::to_string(report.matched_events) + " (" + percent(report.share) + ")\n";
  out += "  flags:           " + std::to_string(report.flags) + " (before caps)\n";
  out += "  invalid lines:   " + std::to_string(report.invalid) + "\n";
  if (report.examples.empty()) {
    out += "  examples:        none\n";
    return out;
  }
  out += "  examples:\n";
  for (const auto& ex : report.examples) {
    out += "    line " + std::to_string(ex.line) + "  " + ex.event_id + "  " + ex.subject_role;
    if (ex.subject_role == "passenger" || ex.subject_role == "intermediary_agent") {
      out += " #" + std::to_string(ex.subject_index);
    }
    out += "\n";
  }
  return out;
}

std::string format_backtest_json(const Rule& rule, const BacktestReport& report) {
  std::string out;
  json::Writer w(out);
  w.begin_object()
      .field("rule_id", rule.id)
      .field("rule_version", static_cast<std::uint64_t>(rule.version))
      .field("events", report.events)
      .field("invalid", report.invalid)
      .field("matched_events", report.matched_events)
      .field("flags", report.flags)
      .field("share", report.share);
  w.key("examples").begin_array();
  for (const auto& ex : report.examples) {
    w.begin_object()
        .field("line", ex.line)
        .field("event_id", ex.event_id)
        .field("subject_role", ex.subject_role)
        .field("subject_index", ex.subject_index)
        .end_object();
  }
  w.end_array().end_object();
  return out;
}

}  // namespace crosscheck::rules
