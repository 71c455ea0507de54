// Fuzzy screening of one subject against published watchlists: candidate retrieval, scoring and
// explanations.
//
// A MatchIndex is built once per set of list versions, off the hot path (it precomputes the
// normalised, transliterated tokens of every name and alias, their rarity weights and the
// retrieval keys), and is then shared read-only by every consumer thread.
//
// Matching a query:
//   1. Identifiers first: a document number, IBAN, BIC, IMO number or crypto address equal to a
//      listed one makes the hit certain (score 1.0), whatever the names say.
//   2. Names: the query name is normalised (NFKC, case folding, diacritics removed, non-Latin
//      scripts transliterated, honorifics dropped, legal-form words kept only as weak tokens) and
//      compared token by token, independent of order, with typo tolerance, phonetic keys and
//      nicknames. Rare tokens weigh more than common ones; short names need stronger evidence.
//      Candidates come from an index whose cost grows sub-linearly with the list size: entries
//      are never scored one by one.
//   3. Corroboration: date of birth, nationality and gender raise or lower the name score.
//   A hit is reported when its score reaches the list's threshold (or the caller's override).
//
// Thread-safety: immutable after construction; any number of threads may call match()
// concurrently. match() reuses per-thread scratch buffers sized by the query (tables of the
// listed tokens, groups and forms it meets; none is the size of the index), a per-thread cache
// of the neighbourhoods of query tokens not in the lists and one of token comparisons (96 KB),
// all reset when a thread meets another index;
// transliterated query names are cached per thread by normalize_for_matching.
// Failure behaviour: never throws for any query (except std::bad_alloc); a query with nothing to
// match on has no hits. Work per query is capped (docs/matching.md), so no query is unbounded.
// Scores: 0..1; 1.0 only for identifier equality, name-based scores stop at 0.99.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crosscheck/rules/watchlist.h"

namespace crosscheck::rules {

// What a hit matched on, as a bit set.
enum class MatchKind : std::uint8_t {
  kName = 1,
  kDocument = 2,
  kIban = 4,
  kImo = 8,
  kBic = 16,
  kCryptoAddress = 32,
};
std::string_view to_string(MatchKind kind);  // "name", "document_number", "iban", "imo", "bic", "crypto_address"

struct EntryRef {
  std::uint32_t list = 0;   // index into MatchIndex::lists()
  std::uint32_t entry = 0;  // index into that list's entries
  std::uint32_t name = 0;   // for name matches: which of the entry's names matched (weak aliases
                            // follow the names: index names.size() + i is weak_aliases[i])
};

// The kinds of subject a query may describe. kAny matches entries of every type (used when the
// source does not say, e.g. a payment party that may be a person or a company).
// kParty is a person or an organisation (the consignor of a manifest, the debtor of a payment):
// the source does not say which, but it is never a vessel or an aircraft.
enum class QueryType : std::uint8_t { kPerson, kOrganization, kVessel, kAircraft, kAny, kParty };
std::optional<QueryType> query_type_from_string(std::string_view name);  // "person", "company", ...

// One subject to screen. All fields are optional; views must outlive the match() call.
struct MatchQuery {
  QueryType type = QueryType::kAny;
  std::string_view name;             // as written, any script: "Ivan PETROV", "Иван Петров"
  std::string_view date_of_birth;    // "YYYY", "YYYY-MM" or "YYYY-MM-DD"
  std::string_view nationality;      // ISO 3166-1 alpha-3
  std::string_view gender;           // "male", "female" or empty
  std::string_view country;          // organisations: ISO 3166-1 alpha-3
  std::string_view document_number;
  std::string_view iban;
  std::string_view bic;
  std::string_view imo;
  std::string_view crypto_address;
};

// How one query token met one listed token.
struct TokenMatch {
  std::string query_token;   // normalised (transliterated, lower-case ASCII)
  std::string listed_token;
  std::string_view how;      // "exact", "typo", "phonetic", "nickname", "initial", "unmatched"
  double similarity = 0;     // 0..1
  double weight = 0;         // the token's rarity weight used in the name score
};

// What one feature added to or took from the score.
struct FeatureContribution {
  std::string_view feature;  // "name", "date_of_birth", "nationality", "gender", "country",
                             // "document_number", "iban", "bic", "imo", "crypto_address",
                             // "short_name", "common_name", "token_order", "weak_alias"
  double contribution = 0;   // signed; the name feature carries the base name score
  std::string detail;        // e.g. "query 1971 vs listed 1971-04-12: same year"
};

struct MatchExplanation {
  std::string query_name;    // the query name as given
  std::string listed_name;   // the listed name or alias it met, as listed
  bool alias = false;        // listed_name is not the entry's primary name
  std::vector<TokenMatch> tokens;
  std::vector<FeatureContribution> features;
  std::string list_id;       // the list the hit is on
  std::uint64_t list_version = 0;
  double score = 0;          // the hit's final score, as in MatchHit::score
  // One line for people: "IVAN PETROV ~ PETROV, Ivan (alias) 0.93: name 0.91 (ivan=ivan exact,
  // petrov=petrov exact); date_of_birth +0.05 (same date); list un-sc v3"
  // Unmatched tokens appear as "sergeevich=- unmatched" (query side) or "-=sergeevich unmatched"
  // (listed side); identifier hits as "iban +1.00 (equal to a listed IBAN)".
  std::string summary() const;
};

struct MatchHit {
  EntryRef ref;
  double score = 0;              // 0..1
  std::uint8_t matched_on = 0;   // bit set of MatchKind
  MatchExplanation explanation;
};

// Work counters of one match() call, for benchmarks and capacity planning (docs/performance.md):
// they show when a per-query work cap cut retrieval short.
struct MatchStats {
  std::size_t postings_read = 0;      // retrieval postings visited
  std::size_t postings_skipped = 0;   // postings left unread because the per-query work cap was reached
  std::size_t candidates = 0;         // distinct names retrieved (where the summary check runs as
                                      // postings are read, only those it lets through)
  std::size_t candidates_capped = 0;  // retrieved names not considered because of the candidate cap
  std::size_t bounded_out = 0;        // candidates whose score bound stayed below the threshold
                                      // (postings, where the summary check runs as they are read)
  std::size_t scored = 0;             // candidates fully scored
  std::size_t stopped_early = 0;      // candidates within the bound left unscored: max_hits hits had
                                      // already reached final scores above their bound
  std::size_t summary_passed = 0;     // candidates the summary check let through to their records
  std::size_t pre_passed = 0;         // ... and the quick bound (no string comparison) let through
  std::size_t exact_passed = 0;       // ... and the exact bound let through (candidates to score)
  // CPU cycles spent in each phase of the call, in the order of MatchPhase; all 0 unless the
  // library is built with CROSSCHECK_MATCH_PHASES (a CMake option, for performance work).
  std::array<std::uint64_t, 10> phase_cycles{};
};

// The phases MatchStats::phase_cycles counts.
enum class MatchPhase : std::uint8_t {
  kIdentifiers,   // identifier look-ups and corroboration setup
  kQueryTokens,   // normalisation, the query tokens' neighbourhoods
  kRetrieval,     // sources, and their postings read into the candidate table (with the summary
                  // check, for a query it checks as they are read)
  kPreparation,   // per-query tables
  kSummaryCheck,  // candidate cap, the summary check (for other queries), and the fetch of the
                  // records of what passes
  kPreBound,      // the quick bound, from the names' runs of tokens
  kExactBounds,   // the exact bound
  kScoring,       // scoring, best bound first, and each entry's best name
  kThresholds,    // corroboration and thresholds
  kExplanations,  // the hits' explanations
};
std::string_view to_string(MatchPhase phase);

struct MatchOptions {
  // Used for lists without an entry in `list_thresholds`.
  double default_threshold = 0.85;
  std::map<std::string, double> list_thresholds;  // list_id -> threshold in (0, 1]
  // At most this many hits per query, best first.
  std::size_t max_hits = 10;
};

class MatchIndex {
 public:
  // Builds the index. Cost: roughly linear in the number of names; see docs/performance.md.
  MatchIndex(std::vector<Watchlist> lists, MatchOptions options = {});
  ~MatchIndex();
  MatchIndex(const MatchIndex&) = delete;
  MatchIndex& operator=(const MatchIndex&) = delete;

  const std::vector<Watchlist>& lists() const { return lists_; }
  const Watchlist& list(const EntryRef& ref) const { return lists_[ref.list]; }
  const WatchlistEntry& entry(const EntryRef& ref) const { return lists_[ref.list].entries[ref.entry]; }
  // The listed name a ref points at (names, then weak_aliases); empty when out of range.
  std::string_view name(const EntryRef& ref) const;
  std::size_t entry_count() const { return entry_count_; }
  std::size_t name_count() const;
  double threshold(std::uint32_t list) const;
  // Approximate heap bytes held by the index structures (not counting the lists themselves).
  std::size_t memory_bytes() const;

  // Appends to `out` the hits for `query` whose score reaches the threshold (the list's, or
  // `threshold_override` when set), best first, at most options.max_hits.
  void match(const MatchQuery& query, std::vector<MatchHit>& out,
             std::optional<double> threshold_override = std::nullopt) const;
  // The work counters of the last match() call made on the calling thread (any index).
  static MatchStats last_match_stats();
  // Forgets what the calling thread's match() calls remember between queries: the neighbourhoods
  // of query tokens that are not in the dictionary, token comparisons, and transliterations
  // (forget_transliteration_cache). The queries that follow
  // pay what a stream's first-seen names pay. For benchmarks that repeat a set of queries, which
  // would otherwise find every such token remembered; a screener keeps its caches. Touches only
  // the calling thread's state; never fails.
  static void forget_thread_caches();

  struct Impl;

 private:
  std::vector<Watchlist> lists_;
  MatchOptions options_;
  std::size_t entry_count_ = 0;
  std::unique_ptr<Impl> impl_;
};

// Performance work (docs/performance.md, "In-process A/B"): a matcher change under test reads a
// switch to choose between the old code and the new, and the matching benchmark flips it between
// passes over its queries, so the two run in one process on one core, seconds apart, and the
// machine's swings fall on both. Only a library built with CROSSCHECK_MATCH_AB (a CMake option)
// honours it: elsewhere the switch is always off, set_match_variant_b does nothing and
// match_variant_b_honoured returns false. Safe to call from any thread; a match() running
// meanwhile may see either variant.
void set_match_variant_b(bool on);
bool match_variant_b_honoured();

// Scores two names against each other without a list (no rarity statistics: every token weighs
// the same except known common and weak tokens). Used by `crosscheck score-names` and by the
// quality measurement; MatchIndex uses the same comparison with list statistics.
// Returns 0..1; fills `explanation` when given.
double score_names(QueryType type, std::string_view a, std::string_view b,
                   MatchExplanation* explanation = nullptr);

}  // namespace crosscheck::rules
