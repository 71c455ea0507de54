// The analysts' batch tools, as plain functions over streams; `crosscheck score-names` and
// `crosscheck screen` only wire them to files and the command line.
//
// score-names: CSV in (RFC 4180: quoted fields, doubled quotes, embedded newlines, CRLF or LF;
//   a header row holding at least schema, name1 and name2 in any position, names compared
//   case-insensitively; schema is Person, Company, Organization, LegalEntity or Vessel, any case),
//   the same rows out with two added columns: score (0-1, three decimals) and match (true/false:
//   the printed score reaches the threshold). When the header already has score and match columns
//   (re-scoring an earlier output) they are overwritten in place instead. Other columns pass
//   through unchanged; blank lines are skipped; the output uses the header row's line ending.
//   A row that cannot be scored (unknown schema, wrong field count, bad quoting, empty or
//   over-long name, invalid UTF-8, a record over kMaxCsvRecordBytes) is written with an empty
//   score and match and counted; it never stops the run.
// screen: JSON lines of subjects in, exactly one JSON line out per input line, in input order:
//   {"subject":{...as given, compact...},"hits":[{"list","list_version","entry_id","entry_type",
//   "score","matched_on","listed_name","explanation"}...]}, or {"line":N,"error":"..."} for a line
//   that is not a subject. Blank lines are echoed as {"line":N,"error":"empty line"} so line
//   numbers stay aligned. Lines longer than kMaxJsonLineBytes are answered with an error line.
//
// Thread-safety: plain functions; the index may be shared. Failure behaviour: never throws for any
// input; a fatal Error only as described on each function.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crosscheck/error.h"
#include "crosscheck/rules/match_index.h"

namespace crosscheck::rules {

// Longest CSV record and JSON line the tools accept; longer ones are reported, never buffered.
inline constexpr std::size_t kMaxCsvRecordBytes = 1 << 20;
inline constexpr std::size_t kMaxJsonLineBytes = 1 << 20;
// Longest name either tool scores (bytes of UTF-8); a longer one is a row or line error.
inline constexpr std::size_t kMaxNameBytes = 1024;

struct ScoreNamesOptions {
  double threshold = 0.85;  // in (0, 1]
};

struct BatchStats {
  std::size_t rows = 0;     // data rows (score-names) or lines (screen) read
  std::size_t matches = 0;  // rows with match=true, or lines with at least one hit
  std::size_t errors = 0;   // rows or lines that could not be processed
  // The first few problems, "line 12: unknown schema ..." (score-names gives the line the record
  // starts on), for the command line to print on standard error. At most kMaxReportedProblems.
  std::vector<std::string> problems;
  static constexpr std::size_t kMaxReportedProblems = 20;
};

// Fatal error only when the input has no usable header (empty input, missing or duplicated
// schema, name1 or name2 columns), the threshold is outside (0, 1], or the output cannot be
// written.
Result<BatchStats> score_names_csv(std::istream& in, std::ostream& out, const ScoreNamesOptions& options = {});

struct ScreenOptions {
  std::optional<double> threshold;  // overrides every list's threshold; in (0, 1]
};

// Subject keys: type (person, company, organization, legalentity, vessel, aircraft, party or any, any
// case; absent means any), name, date_of_birth (YYYY, YYYY-MM or YYYY-MM-DD), nationality and country
// (ISO 3166-1 alpha-2, alpha-3 or English name), gender (male/female/m/f), document_number, iban,
// bic, imo, crypto_address. Values are strings (null counts as absent). An unknown key is an error
// line naming it and the allowed keys.
// Fatal error only when the threshold is outside (0, 1] or the output cannot be written.
Result<BatchStats> screen_subjects_jsonl(const MatchIndex& index, std::istream& in, std::ostream& out,
                                         const ScreenOptions& options = {});

// The schema names score-names accepts, case-insensitively: Person, Company, Organization,
// LegalEntity, Vessel. nullopt for anything else.
std::optional<QueryType> score_names_schema(std::string_view schema);

// A small RFC 4180 reader, shared by score-names and the quality measurement. Reads records of
// at most `max_record_bytes` (the rest of a longer record is consumed and dropped). Blank lines
// are skipped. Never throws; bad quoting is reported through problem() and the record is still
// returned with its fields read leniently (a stray quote kept as a character).
// Thread-safety: one reader per stream.
class CsvReader {
 public:
  explicit CsvReader(std::istream& in, std::size_t max_record_bytes = kMaxCsvRecordBytes);
  // Reads the next record into `fields`; false at the end of the input.
  bool next(std::vector<std::string>& fields);
  // Empty when the last record was well-formed, else what was wrong with it.
  const std::string& problem() const { return problem_; }
  // The 1-based line on which the last record started.
  std::size_t line() const { return record_line_; }
  // True when the last record ended with CRLF.
  bool crlf() const { return crlf_; }

 private:
  std::streambuf* buf_;
  std::size_t max_bytes_;
  std::size_t line_ = 1;
  std::size_t record_line_ = 0;
  bool crlf_ = false;
  std::string problem_;
};

// Appends `field` to `out`, quoted when it holds a comma, quote, CR or LF (quotes doubled).
void append_csv_field(std::string& out, std::string_view field);

}  // namespace crosscheck::rules
