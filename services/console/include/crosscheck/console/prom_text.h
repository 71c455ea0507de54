// A parser for the Prometheus text exposition format (version 0.0.4), the body of GET /metrics.
// The operations dashboard (ops_collector.h) reads the screeners' metrics with it.
//
// The text comes from the network, so it is untrusted: the parser checks the whole grammar (metric
// and label names, quoted label values with their three escapes \\ \" \n, valid UTF-8, numbers
// including NaN and +Inf/-Inf, optional integer timestamps), rejects duplicate label names and a
// second TYPE line for one metric, and stops at the limits below. Like Prometheus, it rejects the
// whole exposition at the first bad line rather than keep a partial picture that would look
// plausible; the error names the line number and the problem, never the offending text (which may
// be huge or hostile).
//
// Thread-safety: pure functions on plain values. Failure behaviour: never throws for bad input;
// returns a fatal Error (component "prom_text").
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crosscheck/error.h"

namespace crosscheck::console {

struct PromLabel {
  std::string name;
  std::string value;
  bool operator==(const PromLabel&) const = default;
};

struct PromSample {
  std::string name;               // e.g. crosscheck_end_to_end_latency_seconds_bucket
  std::vector<PromLabel> labels;  // in the order the exposition gave them; names unique
  double value = 0;               // may be NaN or +/-Inf
  std::optional<std::int64_t> timestamp_ms;

  // The value of label `name`, or nullptr when the sample has no such label.
  const std::string* label(std::string_view name) const;
};

enum class PromType { kUntyped, kCounter, kGauge, kHistogram, kSummary };

struct PromExposition {
  std::vector<PromSample> samples;          // in input order
  std::map<std::string, PromType> types;    // from "# TYPE" lines, by metric family name
};

// Bounds on what one exposition may hold; beyond any of them the whole input is refused. The
// defaults are far above what a screener exports (a few hundred series) and far below what would
// hurt the console.
struct PromParseLimits {
  std::size_t max_bytes = 16u << 20;
  std::size_t max_samples = 200000;
  std::size_t max_labels_per_sample = 64;
  std::size_t max_name_bytes = 1024;          // metric and label names
  std::size_t max_label_value_bytes = 16384;  // after unescaping
};

Result<PromExposition> parse_prom_text(std::string_view text, const PromParseLimits& limits = {});

// Parses one sample value as the format writes it: a decimal or exponent float, "NaN", "+Inf",
// "-Inf" (also "Inf", case-insensitive, as Go's ParseFloat takes them). nullopt when it is not one.
std::optional<double> parse_prom_value(std::string_view token);

}  // namespace crosscheck::console
