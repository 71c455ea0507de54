// The screening rule: its model, its JSON form, and the proportionality checks a rule must pass
// before it may be stored (docs/rules.md is the reference; keep the two in step).
//
// A rule is one JSON object:
//   {"id":"pay-large-to-listed-org","version":3,"applies_to":["payment"],
//    "when":{"all":[{"field":"payment.amount","op":">=","value":"10000"},
//                   {"hit":{"role":"creditor","lists":["un-sc"],"min_score":0.85}}]},
//    "severity":"high","queue":"payments",
//    "legal_basis":"AMLD6 art. 18","purpose":"...","owner":"fiu-rules@example.org",
//    "data_categories":["payment.amount"],
//    "valid_from":"2026-11-01T00:00:00Z","expires":"2027-02-01T00:00:00Z",
//    "max_flags_per_hour":50,"max_flag_share":0.001,"mode":"enforce",
//    "approval":{"approved_by":"b.weber","approved_at":"2026-11-02T09:00:00Z","comment":"..."}}
//
// Condition nodes (the `when` tree):
//   {"all":[...]}, {"any":[...]}, {"not":{...}}
//   {"field":F,"op":OP,"value":V}        OP: == != < <= > >=   (numbers compare as exact decimals,
//                                         other fields as strings; dates as RFC 3339 instants)
//   {"field":F,"op":"in","values":[...]} / "not_in"
//   {"field":F,"op":"between","values":[LO,HI]}   inclusive
//   {"field":F,"op":"matches","value":REGEX}      ICU regular expression, whole-value match
//   {"field":F,"op":"within_before","of":G,"value":"24h"}  F is at most 24h before G (both dates);
//                                         durations: <n>m, <n>h, <n>d
//   {"field":F,"op":"present"} / "absent"
//   {"hit":{"role":R,"lists":[...],"min_score":S}}  a watchlist hit of that subject role (any role
//                                         when R is "any"; any list when lists is empty)
//   {"aggregate":{"count":"events"|"distinct","of":G,"per":K,"within":"24h","at_least":N}}
//                                         N or more events of this kind (or distinct values of G)
//                                         with the same value of field K within the window, this
//                                         event included; kept in Redis (rule_aggregates.h)
// Fields are named by path, e.g. "payment.amount", "itinerary.passengers.nationality"; a field of
// a repeated element (passengers, goods) is true when any element passes. The catalogue of fields
// is in rule_fields.h.
//
// Thread-safety: all functions are pure and thread-safe.
// Failure behaviour: parse_rule never throws; malformed JSON or a value of the wrong shape gives
// violations (not an Error). validate_rule reports every violation, each with its own message
// (at most kMaxRuleViolations per call, then one "too_many_violations").
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crosscheck/schemas/event.h"

namespace crosscheck::rules {

enum class RuleMode : std::uint8_t { kEnforce, kShadow };
std::string_view to_string(RuleMode mode);

enum class CompareOp : std::uint8_t {
  kEq, kNe, kLt, kLe, kGt, kGe, kIn, kNotIn, kBetween, kMatches, kWithinBefore, kPresent, kAbsent,
};
std::string_view to_string(CompareOp op);  // "==", "in", "within_before", ...
std::optional<CompareOp> compare_op_from_string(std::string_view name);

struct HitTest {
  std::string role = "any";         // a subject role (screen.h Subject::role) or "any"
  std::vector<std::string> lists;   // list ids; empty = any list
  double min_score = 0.0;           // 0..1; 0 = the list's own threshold
  bool operator==(const HitTest&) const = default;
};

struct AggregateTest {
  enum class Count : std::uint8_t { kEvents, kDistinct } count = Count::kEvents;
  std::string of;                   // field whose distinct values are counted (kDistinct only)
  std::string per;                  // the key field, e.g. "payment.debtor.iban"
  std::int64_t within_ms = 0;       // window length
  std::int64_t at_least = 0;        // threshold, >= 2
  bool operator==(const AggregateTest&) const = default;
};

struct Condition {
  enum class Type : std::uint8_t { kAll, kAny, kNot, kField, kHit, kAggregate };
  Type type = Type::kAll;
  std::vector<Condition> children;  // kAll / kAny: the operands; kNot: exactly one
  // kField
  std::string field;
  CompareOp op = CompareOp::kEq;
  std::vector<std::string> values;  // one for comparisons and matches; the set for in / not_in;
                                    // [lo, hi] for between; the duration text for within_before
  std::string of;                   // within_before: the other date field
  std::int64_t duration_ms = 0;     // within_before, parsed from values[0]
  // kHit
  HitTest hit;
  // kAggregate
  AggregateTest aggregate;
  bool operator==(const Condition&) const = default;
};

struct Approval {
  std::string approved_by;
  std::string approved_at;  // RFC 3339
  std::string comment;
  bool present() const { return !approved_by.empty(); }
  bool operator==(const Approval&) const = default;
};

struct Rule {
  std::string id;        // [a-z0-9][a-z0-9._:-]{0,127}
  std::uint64_t version = 0;  // >= 1; immutable once stored (the store assigns it on put)
  std::vector<schemas::EventKind> applies_to;
  Condition when;
  std::string severity = "medium";  // low, medium, high
  std::string queue;                // names the topic flags.<queue>
  std::string legal_basis;
  std::string purpose;
  std::string owner;                // the author: approval must come from someone else
  std::vector<std::string> data_categories;  // field paths the rule may read (rule_fields.h)
  std::string valid_from;           // RFC 3339
  std::string expires;              // RFC 3339
  std::int64_t valid_from_ms = 0;   // parsed from the strings above
  std::int64_t expires_ms = 0;
  std::int64_t max_flags_per_hour = 0;  // > 0
  double max_flag_share = 0.0;          // (0, 1]: flags / events of the kind, sliding hour
  RuleMode mode = RuleMode::kEnforce;
  // Optional: the role whose minimal identity a flag carries when no hit test names one
  // (default: the first role of the kind, e.g. "debtor", "passenger", "consignor").
  std::string subject_role;
  Approval approval;
  bool operator==(const Rule&) const = default;  // field by field (doubles compare exactly)
};

// Limits on untrusted rule text, enforced by parse_rule.
inline constexpr std::size_t kMaxRuleJsonBytes = 1024 * 1024;
inline constexpr std::size_t kMaxConditionDepth = 64;  // nodes from `when` down to a leaf
inline constexpr std::size_t kMaxRuleViolations = 100;

// Rule ids are [a-z0-9][a-z0-9._:-]{0,127}; "watchlist-hit:" is reserved for generated rules.
bool is_valid_rule_id(std::string_view id);

// The subject roles of a kind's events, the first being the default flag subject:
// itinerary: passenger; manifest: consignor, consignee, conveyance; payment: debtor, creditor,
// debtor_agent, creditor_agent, intermediary_agent.
std::span<const std::string_view> subject_roles(schemas::EventKind kind);

// One problem with a rule. `code` is stable (tests and the API key on it); `path` points into the
// JSON ("when.all[1].field"); `message` is for the person who wrote the rule.
struct RuleViolation {
  std::string code;
  std::string path;
  std::string message;
  bool operator==(const RuleViolation&) const = default;
};

// Parses one rule. Structural problems (a key of the wrong type, an unknown key, an unknown
// operator, a malformed condition node) become violations; parsing goes on past them so that one
// run reports everything it can. Returns nullopt only when the text is not a JSON object at all
// (too large, not JSON, nested too deeply, not an object); otherwise returns what it could read,
// which is usable only when no violation was appended (and it may still fail validate_rule).
// A missing key is not a parse violation: it is left empty (severity "" too) for validate_rule
// to report, except `mode`, which has no empty value and is reported here.
std::optional<Rule> parse_rule(std::string_view json, std::vector<RuleViolation>& violations);

// Serialises a rule as canonical JSON (stable key order, no whitespace, every key written except
// `version` when 0, `subject_role` when empty and `approval` when all its fields are empty): the
// text that is stored, hashed and shown. parse_rule(encode_rule(r)) gives back r for every r that
// parse_rule returned without violations. Aggregate windows are written in the largest whole
// unit ("1d", not "1440m"); within_before keeps its duration text as written.
std::string encode_rule(const Rule& rule);

// The digest that flags carry, so any flag traces to exactly one rule text: the first 32 lowercase
// hex digits (128 bits) of the SHA-256 of encode_rule(rule) with the approval record removed.
// The approval is left out on purpose: it is added after the text is stored, and approving a rule
// does not change what it does, so the digest of the text stays the same before and after.
// Check by hand: encode the rule without "approval" and `sha256sum | cut -c1-32`.
std::string rule_digest(const Rule& rule);

struct RulePolicy {
  std::int64_t max_lifetime_ms = 180LL * 24 * 3600 * 1000;  // rules.max_lifetime_days
  std::int64_t max_aggregate_window_ms = 30LL * 24 * 3600 * 1000;
  std::size_t max_condition_nodes = 256;
  std::size_t max_pattern_length = 256;
};

// The proportionality and consistency checks every rule must pass before it is stored
// (`crosscheck rules validate` / `put`). Appends every violation found; empty means valid.
// `now_ms` is used to reject rules that have already expired. An approval is optional here (a
// rule is stored before it is approved); when present it must be well formed and not by the
// owner. Generated watchlist rules (ids "watchlist-hit:...") fail it by design (reserved id, empty
// queue, lifetime): do not validate them. docs/rules.md lists every code and why it exists.
void validate_rule(const Rule& rule, const RulePolicy& policy, std::int64_t now_ms,
                   std::vector<RuleViolation>& violations);

// parse_rule then validate_rule (whenever parse_rule returned a rule). Empty violations means
// valid. A problem parse_rule already reported at a path is not reported again by validate_rule
// at that path or below it (a string of the wrong type is not also "missing").
std::optional<Rule> parse_and_validate_rule(std::string_view json, const RulePolicy& policy, std::int64_t now_ms,
                                            std::vector<RuleViolation>& violations);

// Durations in rules: "<n>m", "<n>h" or "<n>d" with n a positive whole number (at most 9
// digits). nullopt for anything else.
std::optional<std::int64_t> parse_rule_duration_ms(std::string_view text);
// The canonical text of a duration: the largest whole unit ("1d", "36h", "90m"). `ms` must be a
// positive multiple of a minute; anything else is written as "<ms>ms", which no parser accepts.
std::string format_rule_duration(std::int64_t ms);

// Every field path the condition reads (fields, `of` fields, aggregate keys), in tree order,
// duplicates removed.
std::vector<std::string> fields_read(const Condition& condition);

// The generated default rule for a watchlist: every hit on that list (at the list's threshold)
// becomes a flag through the same caps, audit and routing as any rule. Its id is
// "watchlist-hit:<list_id>"; its version is the list version; its queue is empty, meaning "the
// operator queue configured for the event's kind" (screening.queues). Generated rules are not
// passed through validate_rule: they read no event field and live as long as the list version.
struct WatchlistRuleDefaults {
  std::string legal_basis = "national screening law (configure rules.watchlist_default.legal_basis)";
  std::string purpose = "screening against the published watchlist";
  std::string owner = "crosscheck";
  std::string severity = "high";
  std::int64_t max_flags_per_hour = 1000;
  double max_flag_share = 0.05;
};
// The rule: applies to all three kinds; when = {"hit":{"role":"any","lists":[list_id],
// "min_score":0}}; mode enforce; valid_from = now_ms; expires = 9999-12-31T23:59:59Z; no
// data_categories; caps and texts from `defaults`.
Rule default_watchlist_rule(std::string_view list_id, std::uint64_t list_version,
                            const WatchlistRuleDefaults& defaults, std::int64_t now_ms);

}  // namespace crosscheck::rules
