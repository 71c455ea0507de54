#include "crosscheck/rules/analyst_tools.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <exception>
#include <istream>
#include <ostream>
#include <streambuf>

#include "crosscheck/json_writer.h"
#include "crosscheck/rules/match_json.h"
#include "crosscheck/schemas/identifiers.h"
#include "crosscheck/ascii.h"

namespace crosscheck::rules {
namespace {

constexpr std::string_view kComponent = "analyst-tools";

constexpr auto lower_ascii = ascii::lower;

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

bool is_blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// For messages that quote untrusted text: printable ASCII only, bounded.
std::string printable(std::string_view s, std::size_t max = 40) {
  std::string out;
  for (char ch : s) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(ch);
    out += (c >= 0x20 && c < 0x7f) ? ch : '?';
  }
  return out;
}

bool valid_threshold(double t) { return std::isfinite(t) && t > 0 && t <= 1; }

double round3(double v) { return std::round(v * 1000.0) / 1000.0; }

void note_problem(BatchStats& stats, std::size_t line, std::string_view what) {
  ++stats.errors;
  if (stats.problems.size() < BatchStats::kMaxReportedProblems) {
    stats.problems.push_back("line " + std::to_string(line) + ": " + std::string(what));
  }
}

// Problems with one name column, or empty when it can be scored.
std::string name_problem(std::string_view column, std::string_view name) {
  if (trim(name).empty()) return std::string(column) + " is empty";
  if (name.size() > kMaxNameBytes) {
    return std::string(column) + " is longer than " + std::to_string(kMaxNameBytes) + " bytes";
  }
  if (!simdjson::validate_utf8(name.data(), name.size())) return std::string(column) + " is not valid UTF-8";
  return {};
}

constexpr std::string_view kSchemaNames = "Person, Company, Organization, LegalEntity, Vessel";

}  // namespace

std::optional<QueryType> score_names_schema(std::string_view schema) {
  const std::string s = lower_ascii(trim(schema));
  QueryType fallback;
  if (s == "person") {
    fallback = QueryType::kPerson;
  } else if (s == "company" || s == "organization" || s == "legalentity") {
    fallback = QueryType::kOrganization;
  } else if (s == "vessel") {
    fallback = QueryType::kVessel;
  } else {
    return std::nullopt;
  }
  // The matcher's own vocabulary decides when it knows the word; the table above only restricts
  // score-names to the documented schema names.
  if (auto t = query_type_from_string(s)) return t;
  return fallback;
}

// ---- CSV ---------------------------------------------------------------------------------------

CsvReader::CsvReader(std::istream& in, std::size_t max_record_bytes)
    : buf_(in.rdbuf()), max_bytes_(max_record_bytes) {}

bool CsvReader::next(std::vector<std::string>& fields) {
  fields.clear();
  problem_.clear();
  crlf_ = false;
  if (buf_ == nullptr) return false;
  using traits = std::char_traits<char>;
  const auto eof = traits::eof();

  // Blank lines carry no record.
  for (;;) {
    const auto c = buf_->sgetc();
    if (c == eof) return false;
    if (c == '\n') {
      buf_->sbumpc();
      ++line_;
    } else if (c == '\r') {
      buf_->sbumpc();
      if (buf_->sgetc() == '\n') buf_->sbumpc();
      ++line_;
    } else {
      break;
    }
  }
  record_line_ = line_;

  std::string field;
  bool in_quotes = false;
  bool quoted = false;       // the current field started with a quote
  bool after_quote = false;  // the current field's closing quote has been read
  std::size_t bytes = 0;
  bool too_long = false;
  auto set_problem = [&](std::string_view what) {
    if (problem_.empty()) problem_ = what;
  };
  auto add = [&](char ch) {
    if (too_long) return;
    field += ch;
  };
  auto end_field = [&] {
    fields.push_back(std::move(field));
    field.clear();
    quoted = false;
    after_quote = false;
  };

  for (;;) {
    const auto ci = buf_->sbumpc();
    if (ci == eof) {
      if (in_quotes) set_problem("quoted field not closed before the end of the input");
      end_field();
      return true;
    }
    const char c = traits::to_char_type(ci);
    if (++bytes > max_bytes_ && !too_long) {
      // Keep reading to the end of the record so the next one starts in the right place, but
      // stop storing it.
      too_long = true;
      problem_ = "record longer than " + std::to_string(max_bytes_) + " bytes";
    }
    if (in_quotes) {
      if (c == '"') {
        if (buf_->sgetc() == '"') {
          buf_->sbumpc();
          add('"');
        } else {
          in_quotes = false;
          after_quote = true;
        }
      } else {
        if (c == '\n') ++line_;
        add(c);
      }
      continue;
    }
    if (c == ',') {
      if (!too_long) end_field();
      continue;
    }
    if (c == '\r' || c == '\n') {
      if (c == '\r' && buf_->sgetc() == '\n') {
        buf_->sbumpc();
        crlf_ = true;
      }
      ++line_;
      end_field();
      return true;
    }
    if (c == '"') {
      if (field.empty() && !quoted) {
        in_quotes = true;
        quoted = true;
        continue;
      }
      set_problem(after_quote ? "text after the closing quote of a quoted field" : "stray quote inside an unquoted field");
      add(c);
      continue;
    }
    if (after_quote) set_problem("text after the closing quote of a quoted field");
    add(c);
  }
}

void append_csv_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

Result<BatchStats> score_names_csv(std::istream& in, std::ostream& out, const ScoreNamesOptions& options) {
  if (!valid_threshold(options.threshold)) {
    return Error::fatal(std::string(kComponent), "threshold must be in (0, 1]");
  }
  CsvReader reader(in);
  std::vector<std::string> header;
  if (!reader.next(header)) {
    return Error::fatal(std::string(kComponent), "the input is empty: expected a header row with schema, name1 and name2");
  }
  if (!reader.problem().empty()) {
    return Error::fatal(std::string(kComponent), "the header row is not valid CSV: " + reader.problem());
  }
  if (!header.empty() && header[0].starts_with("\xEF\xBB\xBF")) header[0].erase(0, 3);  // UTF-8 BOM

  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::array<std::string_view, 5> wanted = {"schema", "name1", "name2", "score", "match"};
  std::array<std::size_t, 5> col = {kNone, kNone, kNone, kNone, kNone};
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string name = lower_ascii(trim(header[i]));
    for (std::size_t w = 0; w < wanted.size(); ++w) {
      if (name != wanted[w]) continue;
      if (col[w] != kNone) {
        return Error::fatal(std::string(kComponent),
                            "the header names column " + std::string(wanted[w]) + " more than once");
      }
      col[w] = i;
    }
  }
  for (std::size_t w = 0; w < 3; ++w) {
    if (col[w] != kNone) continue;
    std::string found;
    for (std::size_t i = 0; i < header.size() && i < 10; ++i) {
      if (!found.empty()) found += ", ";
      found += printable(header[i], 24);
    }
    if (header.size() > 10) found += ", ...";
    return Error::fatal(std::string(kComponent), "the header row has no " + std::string(wanted[w]) +
                                                     " column (needs schema, name1 and name2; found: " + found + ")");
  }

  const std::size_t width = header.size();
  // Score and match go where the header already has them, else at the end.
  const bool append_columns = col[3] == kNone || col[4] == kNone;
  std::size_t score_col = col[3];
  std::size_t match_col = col[4];
  if (append_columns) {
    score_col = width;
    match_col = width + 1;
  }
  const std::string eol = reader.crlf() ? "\r\n" : "\n";

  auto write_row = [&](std::vector<std::string>& fields, std::string_view score, std::string_view match) {
    std::vector<std::string> extra;
    if (fields.size() > width) {
      extra.assign(std::make_move_iterator(fields.begin() + static_cast<std::ptrdiff_t>(width)),
                   std::make_move_iterator(fields.end()));
    }
    fields.resize(width);
    if (append_columns) fields.resize(width + 2);
    fields[score_col] = score;
    fields[match_col] = match;
    for (auto& e : extra) fields.push_back(std::move(e));
    std::string line;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) line += ',';
      append_csv_field(line, fields[i]);
    }
    line += eol;
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
  };

  {
    std::vector<std::string> h = header;
    if (append_columns) {
      h.resize(width + 2);
      h[width] = "score";
      h[width + 1] = "match";
    }
    std::string line;
    for (std::size_t i = 0; i < h.size(); ++i) {
      if (i > 0) line += ',';
      append_csv_field(line, h[i]);
    }
    line += eol;
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
  }

  BatchStats stats;
  std::vector<std::string> fields;
  const long threshold_milli = std::lround(options.threshold * 1000.0);
  while (reader.next(fields)) {
    ++stats.rows;
    std::string problem = reader.problem();
    if (problem.empty() && fields.size() != width) {
      problem = "has " + std::to_string(fields.size()) + " fields, the header has " + std::to_string(width);
    }
    std::optional<QueryType> type;
    if (problem.empty()) {
      type = score_names_schema(fields[col[0]]);
      if (!type) problem = "unknown schema \"" + printable(fields[col[0]]) + "\" (allowed: " + std::string(kSchemaNames) + ")";
    }
    if (problem.empty()) problem = name_problem("name1", fields[col[1]]);
    if (problem.empty()) problem = name_problem("name2", fields[col[2]]);
    double score = 0;
    if (problem.empty()) {
      try {
        score = score_names(*type, fields[col[1]], fields[col[2]]);
        if (!std::isfinite(score)) problem = "the scorer returned no number";
      } catch (const std::exception& e) {  // the scorer promises not to throw; a row must not stop the run
        problem = std::string("internal error: ") + e.what();
      }
    }
    if (!problem.empty()) {
      note_problem(stats, reader.line(), problem);
      write_row(fields, "", "");
    } else {
      score = std::clamp(round3(score), 0.0, 1.0);
      const bool match = std::lround(score * 1000.0) >= threshold_milli;
      if (match) ++stats.matches;
      char buf[16];
      std::snprintf(buf, sizeof buf, "%.3f", score);
      write_row(fields, buf, match ? "true" : "false");
    }
    if (!out) return Error::fatal(std::string(kComponent), "cannot write the output");
  }
  out.flush();
  if (!out) return Error::fatal(std::string(kComponent), "cannot write the output");
  return stats;
}

// ---- screen ------------------------------------------------------------------------------------

namespace {

constexpr std::array<std::string_view, 11> kSubjectKeys = {
    "type", "name", "date_of_birth", "nationality", "gender", "country",
    "document_number", "iban", "bic", "imo", "crypto_address"};

constexpr std::string_view kSubjectTypes = "person, company, organization, legalentity, vessel, aircraft or any";

std::string allowed_keys() {
  std::string out;
  for (auto k : kSubjectKeys) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

// The matcher's vocabulary first (it also knows "individual", "organisation", "aircraft", "any").
std::optional<QueryType> subject_type(std::string_view value) {
  if (auto t = query_type_from_string(trim(value))) return t;
  return score_names_schema(value);
}

bool digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

bool date_shape_ok(std::string_view d) {
  if (d.size() == 4) return digits(d);
  if (d.size() == 7) return digits(d.substr(0, 4)) && d[4] == '-' && digits(d.substr(5, 2));
  if (d.size() == 10) {
    return digits(d.substr(0, 4)) && d[4] == '-' && digits(d.substr(5, 2)) && d[7] == '-' && digits(d.substr(8, 2));
  }
  return false;
}

// Reads one line of at most `max` bytes into `line` (without the newline); the rest of a longer
// line is consumed and dropped, and `too_long` set. False at the end of the input.
bool read_line(std::streambuf* buf, std::size_t max, std::string& line, bool& too_long) {
  using traits = std::char_traits<char>;
  line.clear();
  too_long = false;
  if (buf == nullptr || buf->sgetc() == traits::eof()) return false;
  for (;;) {
    const auto c = buf->sbumpc();
    if (c == traits::eof() || c == '\n') return true;
    if (line.size() < max) {
      line += traits::to_char_type(c);
    } else {
      too_long = true;
    }
  }
}

std::string error_line(std::size_t line, std::string_view error) {
  std::string out;
  json::Writer w(out);
  w.begin_object().field("line", static_cast<std::uint64_t>(line)).field("error", error).end_object();
  return out;
}

std::string json_quote(std::string_view s) {
  std::string out;
  json::append_string(out, s);
  return out;
}

// Fills `q` from one subject object; the views point into `doc` (or static tables). Returns an
// error message, or empty on success.
std::string read_subject(simdjson::dom::object obj, MatchQuery& q) {
  std::array<bool, kSubjectKeys.size()> seen{};
  for (auto [key, value] : obj) {
    std::size_t k = 0;
    while (k < kSubjectKeys.size() && kSubjectKeys[k] != key) ++k;
    const std::string quoted = json_quote(key.size() > 64 ? key.substr(0, 64) : key);
    if (k == kSubjectKeys.size()) {
      return "unknown key " + quoted + " (allowed keys: " + allowed_keys() + ")";
    }
    if (seen[k]) return "key " + quoted + " appears more than once";
    seen[k] = true;
    if (value.is_null()) continue;
    std::string_view v;
    if (value.get_string().get(v) != simdjson::SUCCESS) return "key " + quoted + " must be a string";
    switch (k) {
      case 0: {
        if (v.empty()) break;
        auto t = subject_type(v);
        if (!t) return "type " + json_quote(printable(v)) + " is not one of " + std::string(kSubjectTypes);
        q.type = *t;
        break;
      }
      case 1:
        if (v.size() > kMaxNameBytes) return "name is longer than " + std::to_string(kMaxNameBytes) + " bytes";
        q.name = v;
        break;
      case 2:
        if (!v.empty() && !date_shape_ok(v)) return "date_of_birth must be YYYY, YYYY-MM or YYYY-MM-DD";
        q.date_of_birth = v;
        break;
      case 3:
      case 5: {
        if (v.empty()) break;
        auto a3 = schemas::ids::country_alpha3_of(v);
        if (!a3) {
          return std::string(kSubjectKeys[k]) + " " + json_quote(printable(v)) +
                 " is not a country (ISO 3166-1 alpha-2, alpha-3 or English name)";
        }
        (k == 3 ? q.nationality : q.country) = *a3;
        break;
      }
      case 4: {
        const std::string g = lower_ascii(trim(v));
        if (g == "male" || g == "m") {
          q.gender = "male";
        } else if (g == "female" || g == "f") {
          q.gender = "female";
        } else if (!g.empty()) {
          return "gender must be male, female, m or f";
        }
        break;
      }
      case 6: q.document_number = v; break;
      case 7: q.iban = v; break;
      case 8: q.bic = v; break;
      case 9: q.imo = v; break;
      case 10: q.crypto_address = v; break;
      default: break;
    }
  }
  return {};
}

constexpr std::array<MatchKind, 6> kKinds = {MatchKind::kName, MatchKind::kDocument, MatchKind::kIban,
                                             MatchKind::kImo,  MatchKind::kBic,      MatchKind::kCryptoAddress};

void write_hit(json::Writer& w, const MatchIndex& index, const MatchHit& hit) {
  const Watchlist& list = index.list(hit.ref);
  const WatchlistEntry& entry = index.entry(hit.ref);
  const MatchExplanation& ex = hit.explanation;
  const std::string_view listed = ex.listed_name.empty() ? index.name(hit.ref) : std::string_view(ex.listed_name);
  w.begin_object();
  w.field("list", std::string_view(list.list_id));
  w.field("list_version", static_cast<std::uint64_t>(list.version));
  w.field("entry_id", std::string_view(entry.id));
  w.field("entry_type", to_string(entry.type));
  w.field("score", round_score(hit.score));
  w.key("matched_on").begin_array();
  for (MatchKind k : kKinds) {
    if (hit.matched_on & static_cast<std::uint8_t>(k)) w.string(to_string(k));
  }
  w.end_array();
  w.field("listed_name", listed);
  // The same explanation form as flags and the console (match_json.h).
  w.key("explanation");
  write_explanation(w, ex);
  w.end_object();
}

}  // namespace

Result<BatchStats> screen_subjects_jsonl(const MatchIndex& index, std::istream& in, std::ostream& out,
                                         const ScreenOptions& options) {
  if (options.threshold && !valid_threshold(*options.threshold)) {
    return Error::fatal(std::string(kComponent), "threshold must be in (0, 1]");
  }
  BatchStats stats;
  simdjson::dom::parser parser;
  std::string line;
  std::string result;
  std::vector<MatchHit> hits;
  bool too_long = false;
  std::size_t n = 0;
  while (read_line(in.rdbuf(), kMaxJsonLineBytes, line, too_long)) {
    ++n;
    ++stats.rows;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string error;
    result.clear();
    if (too_long) {
      error = "line longer than " + std::to_string(kMaxJsonLineBytes) + " bytes";
    } else if (is_blank(line)) {
      error = "empty line";
    } else {
      simdjson::dom::element doc;
      if (auto e = parser.parse(line.data(), line.size(), true).get(doc); e != simdjson::SUCCESS) {
        error = std::string("not valid JSON: ") + simdjson::error_message(e);
      } else if (!doc.is_object()) {
        error = "expected a JSON object describing one subject";
      } else {
        MatchQuery query;
        error = read_subject(doc.get_object().value_unsafe(), query);
        if (error.empty()) {
          hits.clear();
          try {
            index.match(query, hits, options.threshold);
          } catch (const std::exception& ex) {  // match() promises not to throw; one line must not stop the run
            error = std::string("internal error: ") + ex.what();
          }
        }
        if (error.empty()) {
          json::Writer w(result);
          w.begin_object();
          w.key("subject").raw(simdjson::minify(doc));
          w.key("hits").begin_array();
          for (const MatchHit& hit : hits) write_hit(w, index, hit);
          w.end_array();
          w.end_object();
          if (!hits.empty()) ++stats.matches;
        }
      }
    }
    if (!error.empty()) {
      note_problem(stats, n, error);
      result = error_line(n, error);
    }
    result += '\n';
    out.write(result.data(), static_cast<std::streamsize>(result.size()));
    if (!out) return Error::fatal(std::string(kComponent), "cannot write the output");
  }
  out.flush();
  if (!out) return Error::fatal(std::string(kComponent), "cannot write the output");
  return stats;
}

}  // namespace crosscheck::rules
