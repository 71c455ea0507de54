// The two records the screener writes: flags (to operator queues `flags.<queue>`) and dead-letter
// records (to `transit.deadletter`). Both are JSON; their layout is documented in docs/events.md.
//
// All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crosscheck/schemas/event.h"
#include "crosscheck/schemas/violation.h"

namespace crosscheck::schemas {

// Where a record came from in Kafka.
struct SourceRef {
  std::string_view topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = 0;  // the Kafka record timestamp (ingest time)
};

// A deterministic id for a flag: the same source record and reason always give the same id, so a
// consumer can drop duplicates after an at-least-once redelivery. 32 lowercase hex digits.
std::string compute_flag_id(std::string_view topic, std::int32_t partition, std::int64_t offset,
                            std::string_view reason);

// The subject's minimal identity: only what an officer needs to recognise the person, company,
// vessel or account. Never the whole event.
struct SubjectIdentity {
  std::string_view role;  // "passenger", "consignor", "consignee", "conveyance", "debtor", "creditor"
  int index = 0;          // position among subjects of that role (passengers[index])
  std::string_view name;
  std::string_view date_of_birth;
  std::string_view nationality;
  std::string_view document_number;
  std::string_view iban;
  std::string_view imo;
  std::string_view bic;     // payment agents (debtor_agent, creditor_agent, intermediary_agent)
  std::string_view gender;  // "male" / "female" when the source said so
};

struct WatchlistRef {
  std::string_view list_id;
  std::uint64_t list_version = 0;
  std::string_view entry_id;
  std::string_view entry_name;  // the listed name that matched, or the primary name
};

// The rule that raised a flag: its id and immutable version, the digest of its canonical text (so
// any flag traces to exactly one rule text), and its legal basis.
struct RuleRef {
  std::string_view id;
  std::uint64_t version = 0;
  std::string_view digest;
  std::string_view legal_basis;
};

// A watchlist version the evaluation used (every live list, not only the one that matched).
struct ListVersionRef {
  std::string_view list_id;
  std::uint64_t version = 0;
};

// One value of a field the rule declared in its data_categories ("payment.amount" = "12000.00").
struct EventFieldValue {
  std::string_view field;
  std::string_view value;
};

struct FlagRecord {
  std::string_view flag_id;
  std::string_view queue;
  std::string_view severity;     // "low", "medium", "high"
  std::string_view reason_code;  // "watchlist_match" (a list's default rule) or "rule_match"
  std::vector<std::string_view> matched_on;  // e.g. {"document_number", "name"}
  // The match score, 0..1 (1 for an identifier equality); encoded as "reason.score".
  double score = 1.0;
  // The matcher's explanation as one JSON object (rules/match_json.h), encoded as
  // "reason.explanation" when not empty. Trusted: it is written by Crosscheck, not copied from input.
  std::string_view explanation_json;
  SourceRef source;
  EventKind kind = EventKind::kItinerary;
  std::string_view event_id;
  std::string_view event_time;   // as sent by the source system
  SubjectIdentity subject;
  // The watchlist entry the subject met. Empty list_id when the rule raised the flag without a
  // watchlist hit (then "watchlist" is omitted and matched_on is empty).
  WatchlistRef watchlist;
  RuleRef rule;
  std::span<const ListVersionRef> lists_used;
  // The event fields the rule declared, and nothing else of the event. Encoded only when not empty.
  std::span<const EventFieldValue> event_fields;
  // The event's warnings (Event::warnings, e.g. document_expired), so the officer sees them.
  // Encoded as "warnings":[{"code","path","message"}] only when there are some.
  std::span<const Violation> warnings;
  std::int64_t published_at_ms = 0;
  std::string_view screener_instance;
};

// Serialises a flag as one JSON object (no trailing newline).
std::string encode_flag(const FlagRecord& flag);

// A governance alert for watchlist managers (queue rules.governance_queue): a rule reached one of
// its caps, so its further matches in the window are counted, not flagged. It names the rule and
// the cap, never an event or a person: the suppressed matches leave no personal data behind.
struct GovernanceAlert {
  std::string_view rule_id;
  std::uint64_t rule_version = 0;
  std::string_view owner;
  std::int64_t max_flags_per_hour = 0;
  double max_flag_share = 0.0;
  std::int64_t at_ms = 0;
  std::string_view screener_instance;
};

// Serialises a governance alert as one JSON object:
//   {"schema_version":"1.0","type":"rule_over_cap","rule":{"id","version","owner"},
//    "caps":{"max_flags_per_hour","max_flag_share"},"at","screener","note"}
std::string encode_governance_alert(const GovernanceAlert& alert);

struct DeadLetterRecord {
  SourceRef source;
  std::string_view kind;  // the event kind expected from the topic, empty when unknown
  std::span<const Violation> violations;
  std::string_view original;  // the original record value, byte for byte (base64 in the JSON)
  std::int64_t dead_lettered_at_ms = 0;
  std::string_view screener_instance;
};

// Serialises a dead-letter record as one JSON object (no trailing newline).
std::string encode_dead_letter(const DeadLetterRecord& record);

// One human-readable line for a flag record (as encoded by encode_flag), for people at a terminal:
//   [border] high  passenger #1 VIKTOR DRAGAN -> demo-national v1 DEMO-P-0001 "Viktor DRAGAN"
//   on document_number, name  (event itn-0003, flag 3f2a...)
// Returns nullopt when `json` is not a flag record.
std::optional<std::string> summarize_flag(std::string_view json);
// The same for a dead-letter record: where it came from and every reason, without the original.
//   [deadletter] transit.itineraries[0]@5 itinerary: missing_field at passengers (...)
std::optional<std::string> summarize_dead_letter(std::string_view json);

// The same for a governance alert:
//   [rule-governance] rule demo-large v1 (owner a.novak) reached a cap at 2026-11-21T08:00:00.000Z:
//   max 3 flags/hour, max share 0.5; further matches are counted, not flagged
std::optional<std::string> summarize_governance_alert(std::string_view json);

// RFC 4648 base64, used for the original bytes in dead-letter records.
std::string base64_encode(std::string_view bytes);
bool base64_decode(std::string_view text, std::string& out);

}  // namespace crosscheck::schemas
