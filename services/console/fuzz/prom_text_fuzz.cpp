// libFuzzer target: the Prometheus text parser of the operations dashboard (prom_text.h), which
// reads the screeners' /metrics over the network, and what the dashboard does with a parsed
// exposition (ops_history.h). Invariants:
//  - parsing never crashes and a refusal always says where ("line N: ...") or why (the size);
//  - whatever parses is written back in the text format and parses to the same samples;
//  - the snapshot, the history and histogram_quantile accept any values (NaN, infinities,
//    decreasing counters) without crashing, and a quantile is NaN, infinite or within the bounds.
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crosscheck/console/ops_history.h"
#include "crosscheck/console/prom_text.h"

namespace {

using crosscheck::console::PromExposition;
using crosscheck::console::PromSample;

void append_value(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
  }
}

std::string write_text(const PromExposition& e) {
  std::string out;
  for (const PromSample& s : e.samples) {
    out += s.name;
    if (!s.labels.empty()) {
      out += '{';
      for (const auto& l : s.labels) {
        out += l.name + "=\"";
        for (char c : l.value) {
          if (c == '\\') {
            out += "\\\\";
          } else if (c == '"') {
            out += "\\\"";
          } else if (c == '\n') {
            out += "\\n";
          } else {
            out += c;
          }
        }
        out += "\",";
      }
      out += '}';
    }
    out += ' ';
    append_value(out, s.value);
    if (s.timestamp_ms) out += ' ' + std::to_string(*s.timestamp_ms);
    out += '\n';
  }
  return out;
}

bool same_value(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crosscheck::console;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_prom_text(text);
  if (!parsed.ok()) {
    const std::string& m = parsed.error().message();
    if (m.rfind("line ", 0) != 0 && m.find("bytes") == std::string::npos) std::abort();
    return 0;
  }

  // Round trip through the text format.
  auto again = parse_prom_text(write_text(*parsed));
  if (!again.ok() || again->samples.size() != parsed->samples.size()) std::abort();
  for (std::size_t i = 0; i < parsed->samples.size(); ++i) {
    const PromSample& a = parsed->samples[i];
    const PromSample& b = again->samples[i];
    if (a.name != b.name || a.labels != b.labels || a.timestamp_ms != b.timestamp_ms || !same_value(a.value, b.value)) {
      std::abort();
    }
  }

  // The dashboard's use of it: two scrapes of the same text, then one of nothing.
  ScreenerHistory history(std::chrono::seconds(60), std::chrono::seconds(10));
  ScreenerSnapshot first = snapshot_from(*parsed, 1000);
  std::vector<std::pair<double, double>> buckets(first.latency_buckets.begin(), first.latency_buckets.end());
  history.add(std::move(first));
  history.add(snapshot_from(*parsed, 2000));
  history.add(snapshot_from(PromExposition{}, 3000));
  history.add_failure(4000);
  if (history.points().size() != 4) std::abort();

  double lowest = INFINITY, highest = -INFINITY;
  for (const auto& [le, count] : buckets) {
    if (std::isnan(le) || std::isinf(le)) continue;
    lowest = std::min(lowest, le);
    highest = std::max(highest, le);
  }
  for (double q : {0.0, 0.5, 0.99, 1.0}) {
    const double v = histogram_quantile(q, buckets);
    if (std::isnan(v) || std::isinf(v)) continue;
    // An answer lies between 0 (or the lowest bound, when negative) and the highest finite bound.
    if (v < std::min(0.0, lowest) || v > highest) std::abort();
  }
  return 0;
}
