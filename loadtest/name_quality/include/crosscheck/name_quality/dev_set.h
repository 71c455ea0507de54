// The name-matching development set and its report (docs/matching-quality.md).
//
// Person pairs come from the files in ../shared/data/names: full names (English vs Hebrew,
// Korean), name parts (English vs Russian, Arabic, Chinese; Arabic vs English from Google's
// transliteration set) and English nicknames. Positives are the pairs as given. Negatives are
// random pairings and hard negatives: for full names another person who shares the surname (last
// token) or the given name (first token); for single tokens a different token that sounds alike
// (same Soundex code, edit distance >= 2). A negative is never a pairing the source itself links,
// directly or through a chain of shared renderings.
// Company/Organization and Vessel pairs are synthetic variants of real listed names (OFAC/UN):
// legal form dropped or changed, word order, a typo, an abbreviation; negatives share a word, a
// generic tail ("X Trading LLC" vs "Y Trading LLC"), or (vessels) differ in a number.
//
// Everything is deterministic for a given seed: the generator is splitmix64, whose output is
// fixed by its definition (the standard distributions are not portable, so none is used).
// Thread-safety: plain functions over values. Failure behaviour: readers skip malformed lines and
// count them; loading reports a missing or unreadable file as an Error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "crosscheck/error.h"
#include "crosscheck/rules/watchlist.h"

namespace crosscheck::name_quality {

// One known rendering: `en` is the Latin form, `other` the form in the source's script (for
// nicknames: the formal name and a nickname).
struct NamePair {
  std::string en;
  std::string other;
  bool operator==(const NamePair&) const = default;
};

struct ParsedPairs {
  std::vector<NamePair> pairs;
  std::size_t skipped = 0;  // malformed or empty lines
};

// "English<TAB>Other" (wikidata-en-*.tsv).
ParsedPairs parse_full_name_tsv(std::string_view text);
// "english<TAB>other<TAB>count" (wikidata-tokens-en-*.tsv); the count is not used.
ParsedPairs parse_token_tsv(std::string_view text);
// "arabic<TAB>english" (google-ar2en.tsv): note the reversed column order.
ParsedPairs parse_ar2en_tsv(std::string_view text);
// "name1,has_nickname,name2" with a header row, CRLF or LF (nicknames.csv).
ParsedPairs parse_nicknames_csv(std::string_view text);

enum class SourceKind { kFullNames, kTokens };

struct Source {
  std::string name;    // "wikidata-en-hebrew", ...
  std::string script;  // "hebrew", "hangul", "cyrillic", "arabic", "han", "latin"
  SourceKind kind = SourceKind::kTokens;
  std::vector<NamePair> pairs;
  std::size_t skipped = 0;
};

// Reads every person source from `names_dir` (the shared data's names/ folder). Fatal when a
// file is missing or unreadable.
Result<std::vector<Source>> load_name_sources(const std::string& names_dir);

// One labelled pair, in the score-names CSV form plus labels.
struct DevPair {
  std::string schema;  // Person, Company, Organization, Vessel
  std::string name1;
  std::string name2;
  std::string source;
  std::string script;
  bool label = false;  // true: the same subject
  // positive | random | same_surname | same_given_name | sounds_alike | shared_word |
  // shared_tail | trading_llc | number_changed, and for synthetic positives
  // legal_form | word_order | typo | abbreviation | prefix | spacing
  std::string kind;
  bool operator==(const DevPair&) const = default;
};

struct BuildOptions {
  std::size_t per_source = 500;  // positives per source; as many random and as many hard negatives
  std::uint64_t seed = 20260227;
};

// The person pairs of one source: up to per_source positives, per_source random negatives and
// per_source hard negatives (fewer when the source is too small).
std::vector<DevPair> build_person_pairs(const Source& source, const BuildOptions& options);

// The synthetic Company/Organization and Vessel slice from the entities and vessels in `lists`.
std::vector<DevPair> build_entity_pairs(const std::vector<rules::Watchlist>& lists, const BuildOptions& options);

// American Soundex of the ASCII letters of `token` ("robert" -> "R163"); empty without letters.
// The builder's own phonetic key, so the measurement does not depend on the matcher's.
std::string soundex(std::string_view token);
// Levenshtein distance over bytes.
std::size_t edit_distance(std::string_view a, std::string_view b);

// splitmix64: portable, fixed output for a seed.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  std::size_t below(std::size_t n);  // 0..n-1; n must be > 0
 private:
  std::uint64_t state_;
};

// Dev-set CSV: header schema,name1,name2,source,script,label,kind; label is true/false.
void write_dev_set_csv(std::ostream& out, const std::vector<DevPair>& pairs);

// ---- scoring and report ------------------------------------------------------------------------

struct Counts {
  std::size_t tp = 0, fp = 0, fn = 0, tn = 0;
  double precision() const { return tp + fp == 0 ? 1.0 : double(tp) / double(tp + fp); }
  double recall() const { return tp + fn == 0 ? 1.0 : double(tp) / double(tp + fn); }
  double f1() const {
    const double p = precision(), r = recall();
    return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
  }
};

// score_names() for every pair (schema mapped as score-names does).
std::vector<double> score_pairs(const std::vector<DevPair>& pairs);

// Counts at `threshold` (score rounded to 3 decimals, as score-names prints it, reaches it)
// over the pairs for which `keep` is true.
template <class Keep>
Counts count_at(const std::vector<DevPair>& pairs, const std::vector<double>& scores, double threshold, Keep keep);

// Reads a score-names output over a dev set (columns schema,name1,name2,source,script,label,kind,
// score) back into pairs and scores. Fatal when a required column is missing.
Result<std::pair<std::vector<DevPair>, std::vector<double>>> read_scored_csv(std::istream& in);

struct ReportOptions {
  std::vector<double> thresholds = {0.85};
  std::size_t examples = 5;     // worst misses and false hits shown per source
  std::string command;          // the command line that produced the report
  std::string notes;            // extra lines for the header (data files, seed)
};

// The Markdown report: composition, P/R/F1 per source/script and per schema at each threshold,
// false-hit rate per negative kind, recall per synthetic variant, a sweep 0.70..0.95, examples.
std::string markdown_report(const std::vector<DevPair>& pairs, const std::vector<double>& scores,
                            const ReportOptions& options);

// ---- template definition -----------------------------------------------------------------------

template <class Keep>
Counts count_at(const std::vector<DevPair>& pairs, const std::vector<double>& scores, double threshold, Keep keep) {
  Counts c;
  const long t = static_cast<long>(threshold * 1000.0 + 0.5);
  for (std::size_t i = 0; i < pairs.size() && i < scores.size(); ++i) {
    if (!keep(pairs[i])) continue;
    const bool hit = static_cast<long>(scores[i] * 1000.0 + 0.5) >= t;
    if (pairs[i].label) {
      hit ? ++c.tp : ++c.fn;
    } else {
      hit ? ++c.fp : ++c.tn;
    }
  }
  return c;
}

}  // namespace crosscheck::name_quality
