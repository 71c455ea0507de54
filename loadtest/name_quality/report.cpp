#include <algorithm>
#include <cmath>
#include <cstdio>
#include <istream>
#include <map>
#include <set>
#include <sstream>

#include "crosscheck/name_quality/dev_set.h"
#include "crosscheck/rules/analyst_tools.h"
#include "crosscheck/rules/match_index.h"

namespace crosscheck::name_quality {
namespace {

std::string fixed(double v, int decimals = 3) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Names in a Markdown table cell: no pipes, no newlines.
std::string cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string counts_row(const std::string& label, const Counts& c) {
  return "| " + label + " | " + fixed(c.precision()) + " | " + fixed(c.recall()) + " | " + fixed(c.f1()) + " | " +
         std::to_string(c.tp) + " | " + std::to_string(c.fp) + " | " + std::to_string(c.fn) + " | " +
         std::to_string(c.tn) + " |\n";
}

constexpr const char* kCountsHeader =
    "| P | R | F1 | TP | FP | FN | TN |\n";

}  // namespace

std::vector<double> score_pairs(const std::vector<DevPair>& pairs) {
  std::vector<double> scores;
  scores.reserve(pairs.size());
  for (const auto& p : pairs) {
    const auto type = rules::score_names_schema(p.schema).value_or(rules::QueryType::kAny);
    scores.push_back(rules::score_names(type, p.name1, p.name2));
  }
  return scores;
}

Result<std::pair<std::vector<DevPair>, std::vector<double>>> read_scored_csv(std::istream& in) {
  rules::CsvReader reader(in);
  std::vector<std::string> header, f;
  if (!reader.next(header)) return Error::fatal("name-quality", "the scored CSV is empty");
  const char* wanted[] = {"schema", "name1", "name2", "source", "script", "label", "kind", "score"};
  std::size_t col[8];
  for (std::size_t w = 0; w < 8; ++w) {
    auto it = std::find(header.begin(), header.end(), wanted[w]);
    if (it == header.end()) return Error::fatal("name-quality", std::string("the scored CSV has no ") + wanted[w] + " column");
    col[w] = static_cast<std::size_t>(it - header.begin());
  }
  std::vector<DevPair> pairs;
  std::vector<double> scores;
  while (reader.next(f)) {
    if (f.size() != header.size() || f[col[7]].empty()) continue;  // rows score-names could not score
    DevPair p{f[col[0]], f[col[1]], f[col[2]], f[col[3]], f[col[4]], f[col[5]] == "true", f[col[6]]};
    pairs.push_back(std::move(p));
    scores.push_back(std::strtod(f[col[7]].c_str(), nullptr));
  }
  return std::make_pair(std::move(pairs), std::move(scores));
}

std::string markdown_report(const std::vector<DevPair>& pairs, const std::vector<double>& scores,
                            const ReportOptions& options) {
  std::ostringstream r;
  // Groups in first-seen order, so the tables follow the dev set.
  std::vector<std::pair<std::string, std::string>> sources;  // source, script
  std::vector<std::string> schemas;
  for (const auto& p : pairs) {
    if (std::find(sources.begin(), sources.end(), std::make_pair(p.source, p.script)) == sources.end()) {
      sources.emplace_back(p.source, p.script);
    }
    if (std::find(schemas.begin(), schemas.end(), p.schema) == schemas.end()) schemas.push_back(p.schema);
  }
  const auto all = [](const DevPair&) { return true; };
  const auto persons = [](const DevPair& p) { return p.schema == "Person"; };

  r << "# Name matching quality report\n\n";
  if (!options.command.empty()) r << "Produced by: `" << options.command << "`\n\n";
  if (!options.notes.empty()) r << options.notes << "\n\n";

  r << "## Development set\n\n| source | script | schema(s) | positives | negatives | negative kinds |\n|---|---|---|---|---|---|\n";
  for (const auto& [src, script] : sources) {
    std::size_t pos = 0, neg = 0;
    std::map<std::string, std::size_t> kinds;
    std::set<std::string> sch;
    for (const auto& p : pairs) {
      if (p.source != src || p.script != script) continue;
      sch.insert(p.schema);
      (p.label ? pos : neg) += 1;
      if (!p.label) ++kinds[p.kind];
    }
    std::string k, s;
    for (const auto& [name, c] : kinds) k += (k.empty() ? "" : ", ") + name + " " + std::to_string(c);
    for (const auto& x : sch) s += (s.empty() ? "" : ", ") + x;
    r << "| " << src << " | " << script << " | " << s << " | " << pos << " | " << neg << " | " << k << " |\n";
  }
  r << "\n";

  for (double t : options.thresholds) {
    r << "## At threshold " << fixed(t, 2) << "\n\n### Per source and script\n\n| source / script " << kCountsHeader
      << "|---|---|---|---|---|---|---|---|\n";
    for (const auto& [src, script] : sources) {
      const auto s = src;
      const auto sc = script;
      r << counts_row(src + " / " + script,
                      count_at(pairs, scores, t, [&](const DevPair& p) { return p.source == s && p.script == sc; }));
    }
    r << counts_row("**all persons**", count_at(pairs, scores, t, persons));
    r << counts_row("**all**", count_at(pairs, scores, t, all));
    r << "\n### Per schema\n\n| schema " << kCountsHeader << "|---|---|---|---|---|---|---|---|\n";
    for (const auto& schema : schemas) {
      r << counts_row(schema, count_at(pairs, scores, t, [&](const DevPair& p) { return p.schema == schema; }));
    }
    r << "\n### By pair kind\n\nPositives: recall (share of the kind matched). Negatives: false-hit rate (share "
         "of the kind wrongly matched); this does not depend on the class balance.\n\n"
         "| source | kind | label | pairs | matched | rate |\n|---|---|---|---|---|---|\n";
    std::map<std::tuple<std::string, std::string, bool>, std::pair<std::size_t, std::size_t>> by_kind;
    const long tm = static_cast<long>(t * 1000.0 + 0.5);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      auto& e = by_kind[{pairs[i].source, pairs[i].kind, pairs[i].label}];
      ++e.first;
      if (static_cast<long>(scores[i] * 1000.0 + 0.5) >= tm) ++e.second;
    }
    for (const auto& [key, v] : by_kind) {
      const auto& [src, kind, label] = key;
      r << "| " << src << " | " << kind << " | " << (label ? "same" : "different") << " | " << v.first << " | "
        << v.second << " | " << fixed(v.first ? double(v.second) / double(v.first) : 0.0) << " |\n";
    }
    r << "\n";
  }

  r << "## Threshold sweep\n\nF1 per source, and P/R/F1 over all person pairs and over everything.\n\n| threshold |";
  for (const auto& [src, script] : sources) r << " " << src << " |";
  r << " persons P | persons R | persons F1 | all P | all R | all F1 |\n|---|";
  for (std::size_t i = 0; i < sources.size() + 6; ++i) r << "---|";
  r << "\n";
  for (int step = 0; step <= 25; ++step) {
    const double t = 0.70 + 0.01 * step;
    if (step % 5 != 0 && step != 25) {
      // 0.01 steps are computed below for the best threshold; the table shows every 0.05 plus the
      // chosen ones.
      bool chosen = false;
      for (double c : options.thresholds) chosen = chosen || std::abs(c - t) < 1e-9;
      if (!chosen) continue;
    }
    r << "| " << fixed(t, 2) << " |";
    for (const auto& [src, script] : sources) {
      const auto s = src;
      r << " " << fixed(count_at(pairs, scores, t, [&](const DevPair& p) { return p.source == s; }).f1()) << " |";
    }
    const Counts pc = count_at(pairs, scores, t, persons), ac = count_at(pairs, scores, t, all);
    r << " " << fixed(pc.precision()) << " | " << fixed(pc.recall()) << " | " << fixed(pc.f1()) << " | "
      << fixed(ac.precision()) << " | " << fixed(ac.recall()) << " | " << fixed(ac.f1()) << " |\n";
  }
  auto best = [&](auto keep) {
    double bt = 0.70, bf = -1;
    for (int step = 0; step <= 25; ++step) {
      const double t = 0.70 + 0.01 * step;
      const double f = count_at(pairs, scores, t, keep).f1();
      if (f > bf + 1e-12) {
        bf = f;
        bt = t;
      }
    }
    return std::make_pair(bt, bf);
  };
  r << "\nBest F1 in 0.70..0.95 (0.01 steps):\n\n";
  for (const auto& [src, script] : sources) {
    const auto s = src;
    auto [bt, bf] = best([&](const DevPair& p) { return p.source == s; });
    r << "- " << src << ": " << fixed(bt, 2) << " (F1 " << fixed(bf) << ")\n";
  }
  {
    auto [bt, bf] = best(persons);
    r << "- all persons: " << fixed(bt, 2) << " (F1 " << fixed(bf) << ")\n";
    auto [at, af] = best(all);
    r << "- all: " << fixed(at, 2) << " (F1 " << fixed(af) << ")\n\n";
  }

  if (options.examples > 0 && !options.thresholds.empty()) {
    const double t = options.thresholds.front();
    r << "## Examples at " << fixed(t, 2) << "\n\nThe lowest-scoring positives (misses) and highest-scoring "
         "negatives (false hits) per source.\n\n";
    for (const auto& [src, script] : sources) {
      std::vector<std::size_t> miss, false_hit;
      for (std::size_t i = 0; i < pairs.size(); ++i) {
        if (pairs[i].source != src) continue;
        const bool hit = static_cast<long>(scores[i] * 1000.0 + 0.5) >= static_cast<long>(t * 1000.0 + 0.5);
        if (pairs[i].label && !hit) miss.push_back(i);
        if (!pairs[i].label && hit) false_hit.push_back(i);
      }
      std::sort(miss.begin(), miss.end(), [&](auto a, auto b) { return scores[a] < scores[b]; });
      std::sort(false_hit.begin(), false_hit.end(), [&](auto a, auto b) { return scores[a] > scores[b]; });
      r << "### " << src << "\n\n| | name1 | name2 | kind | score |\n|---|---|---|---|---|\n";
      for (std::size_t k = 0; k < miss.size() && k < options.examples; ++k) {
        const auto& p = pairs[miss[k]];
        r << "| miss | " << cell(p.name1) << " | " << cell(p.name2) << " | " << p.kind << " | " << fixed(scores[miss[k]]) << " |\n";
      }
      for (std::size_t k = 0; k < false_hit.size() && k < options.examples; ++k) {
        const auto& p = pairs[false_hit[k]];
        r << "| false hit | " << cell(p.name1) << " | " << cell(p.name2) << " | " << p.kind << " | "
          << fixed(scores[false_hit[k]]) << " |\n";
      }
      r << "\n";
    }
  }
  return r.str();
}

}  // namespace crosscheck::name_quality
