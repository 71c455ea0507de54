// The analysts' batch tools, as plain functions over streams; `crosscheck score-names` and
// `crosscheck screen` only wire them to files and the command line.
//
// score-names: CSV in (RFC 4180, header row with at least schema,name1,name2; schema is Person,
//   Company, Organization, LegalEntity or Vessel), the same rows out with two added columns:
//   score (0-1, three decimals) and match (true/false at the threshold). Other columns pass
//   through unchanged. A row that cannot be scored (unknown schema, wrong column count) is
//   written with an empty score and match and counted; it never stops the run.
// screen: JSON lines of subjects in, exactly one JSON line out per input line, in input order:
//   {"subject":{...as given...},"hits":[{"list","list_version","entry_id","score","matched_on",
//   "listed_name","explanation"}...]}, or {"line":N,"error":"..."} for a line that is not a
//   subject. Blank lines are echoed as {"line":N,"error":"empty line"} so line numbers stay aligned.
// Thread-safety: plain functions; the index may be shared.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <optional>

#include "crosscheck/error.h"
#include "crosscheck/rules/match_index.h"

namespace crosscheck::rules {

struct ScoreNamesOptions {
  double threshold = 0.85;
};

struct BatchStats {
  std::size_t rows = 0;     // data rows (score-names) or lines (screen) read
  std::size_t matches = 0;  // rows with match=true, or lines with at least one hit
  std::size_t errors = 0;   // rows or lines that could not be processed
};

// Fatal error only when the input has no usable header (missing schema, name1 or name2 columns)
// or the output cannot be written.
Result<BatchStats> score_names_csv(std::istream& in, std::ostream& out, const ScoreNamesOptions& options = {});

struct ScreenOptions {
  std::optional<double> threshold;  // overrides every list's threshold
};

Result<BatchStats> screen_subjects_jsonl(const MatchIndex& index, std::istream& in, std::ostream& out,
                                         const ScreenOptions& options = {});

}  // namespace crosscheck::rules
