// The console's alerts and their review state, held in Redis so that a restart loses nothing and
// every console instance sees the same state.
//
// An alert is a flag record (schemas/json/flag.schema.json) consumed from `flags.<queue>`, plus
// its review: a status and the dispositions officers recorded. Every change (ingest, disposition,
// masking) takes the next value of one site-wide sequence; a browser that reconnects asks for
// everything after the last sequence it saw (list with after_seq) and so gets what it missed,
// including decisions made elsewhere.
//
// Human review is the point: the store never sets a status by itself. Only record_disposition,
// called for an authenticated person with a comment, moves an alert out of "new".
//
// Retention (the EU PNR directive's defaults, configurable): after `mask_after` an alert is
// depersonalised: names, dates of birth, documents, accounts, contact data and the matcher's
// explanation are replaced (mask_flag_json) and the original is kept apart, readable only through
// unmask (a supervisor, with a recorded reason); after `delete_after` the alert is deleted. Its
// statistics (queue, severity, reason, rule, list, times, status) stay until deletion and its
// audit trail stays in the audit stream.
//
// Dispositions are written together with an outbox entry in one transaction; the console's
// publisher drains the outbox to `flags.dispositions` (at least once), so a decision is never
// recorded without being published, even if Kafka is down at the moment of the click.
//
// Keys (prefix P): P console:seq, P console:alert:{flag_id} (hash), P console:queue:{queue}
// (sorted set by sequence), P console:by-time (sorted set by retention time, for deletion),
// P console:mask-due (the same, for alerts not yet masked, so retention never rescans years of
// masked alerts), P console:outbox (stream), P audit (AuditLog's stream).
// The retention time of an alert is its receipt time, or its publication time when that is
// earlier: a flag replayed years later from Kafka gets no new lease of life.
//
// The governance queue carries governance alerts (schemas encode_governance_alert: a rule
// reached a cap), not flags. They are stored too, as alerts with reason_code "rule_over_cap",
// severity "medium", no subject, and a flag_id derived from rule, version and time.
//
// Failure behaviour: Redis failures are Errors of component "redis" (retriable when the
// connection failed). A flag record that is not valid JSON, is larger than 1 MiB, lacks a
// required field (flag_id, severity, reason.code/score, source.kind, subject.role, rule.id/version,
// times.published_at) or names another queue is a fatal Error of component "console" naming the
// problem, never a personal value (the caller counts it and dead-letters it; it is never
// half-stored). Unknown alert (or an id that is not 32 hex digits): nullopt.
// Thread-safety: none; one AlertStore per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crosscheck/error.h"
#include "crosscheck/rules/audit_log.h"
#include "crosscheck/rules/redis_client.h"

namespace crosscheck::console {

// "new", "escalated", "confirmed_match", "false_positive".
enum class AlertStatus : std::uint8_t { kNew, kEscalated, kConfirmedMatch, kFalsePositive };
std::string_view to_string(AlertStatus status);
std::optional<AlertStatus> parse_alert_status(std::string_view text);

// The review actions: "confirmed_match", "false_positive", "escalate".
enum class DispositionAction : std::uint8_t { kConfirmedMatch, kFalsePositive, kEscalate };
std::string_view to_string(DispositionAction action);
std::optional<DispositionAction> parse_disposition_action(std::string_view text);

// What the queue view shows at a glance (no explanation, no event fields).
struct AlertSummary {
  std::string flag_id;
  std::string queue;
  std::string severity;     // low | medium | high
  std::string reason_code;  // watchlist_match | rule_match
  std::string kind;         // itinerary | manifest | payment
  std::string subject_name;  // "[masked]" once depersonalised
  std::string subject_role;
  double score = 0.0;
  std::string rule_id;
  std::uint64_t rule_version = 0;
  std::string list_id;  // empty for a rule match without a list hit
  AlertStatus status = AlertStatus::kNew;
  std::int64_t received_ms = 0;   // when the console stored it
  std::int64_t published_ms = 0;  // when the screener published it
  std::uint64_t seq = 0;          // the sequence of its last change
  bool masked = false;
};

struct Disposition {
  DispositionAction action = DispositionAction::kEscalate;
  std::string comment;  // required, 1..2000 bytes
  std::string actor;
  std::int64_t at_ms = 0;
};

struct Alert {
  AlertSummary summary;
  std::string flag_json;  // the flag record; the masked copy once depersonalised
  std::vector<Disposition> dispositions;
};

struct AlertQuery {
  std::vector<std::string> queues;  // required: the caller's visible queues, filtered further
  std::vector<std::string> severities;  // empty = any
  std::vector<AlertStatus> statuses;    // empty = any
  std::uint64_t after_seq = 0;  // > 0: only alerts changed after this sequence, oldest change first
  std::size_t limit = 200;      // 0 = no limit
};

struct IngestResult {
  AlertSummary summary;
  bool inserted = false;  // false: a redelivered flag already stored (idempotent by flag_id)
};

// One flag of an ingest_batch call: the views must stay valid for the call.
struct IngestItem {
  std::string_view queue;
  std::string_view flag_json;
};

struct OutboxItem {
  std::string id;     // the outbox stream id, for ack
  std::string value;  // the disposition record (encode_disposition_record)
  std::string key;    // the flag id (Kafka key)
};

struct RetentionReport {
  std::size_t masked = 0;
  std::size_t deleted = 0;
};

// The disposition record published to `flags.dispositions`:
//   {"schema_version":"1.0","flag_id","queue","action","comment","actor","at",
//    "rule":{"id","version"},"status"}
std::string encode_disposition_record(const AlertSummary& alert, const Disposition& disposition);

// The flag record with personal data replaced: subject name, date of birth, document number,
// IBAN, BIC, IMO and contact data become "[masked]", the explanation and event_fields are
// dropped, the rest (ids, queue, severity, scores, rule, lists, times) is kept. The keys are
// masked wherever they occur, so an optional field a later 1.x screener adds under those names is
// masked too; the watchlist entry's listed name (entry_name) is masked as well, since for a true
// match it names the subject. Fatal Error "console" when the text is not a JSON object, is larger
// than kMaxFlagBytes or nests deeper than 64 levels.
Result<std::string> mask_flag_json(std::string_view flag_json);

// The largest flag record ingest and mask_flag_json accept.
inline constexpr std::size_t kMaxFlagBytes = 1024 * 1024;

class AlertStore {
 public:
  // `audit` bounds the audit stream like AuditLog's option (XADD MAXLEN ~), for the entries the
  // store writes itself (dispositions, masking, deletion).
  AlertStore(rules::RedisClient& redis, std::string key_prefix, rules::AuditOptions audit = {});

  // Stores a flag consumed from `flags.<queue>`; idempotent by flag_id.
  Result<IngestResult> ingest(std::string_view queue, std::string_view flag_json, std::int64_t now_ms);
  // Stores many flags in one Redis round trip (ingest's script once per flag, pipelined), with
  // ingest's checks and idempotence; a flag_id twice in one batch is stored once. The result has
  // one entry per item, in order: a flag ingest would refuse is its own fatal "console" Error and
  // the others are still stored. A Redis failure fails the whole call (the outer Error): some of
  // the flags may be stored by then, and a retry of the same items is idempotent.
  Result<std::vector<Result<IngestResult>>> ingest_batch(std::span<const IngestItem> items, std::int64_t now_ms);
  // Newest first (or oldest change first with after_seq), filtered as asked.
  Result<std::vector<AlertSummary>> list(const AlertQuery& query);
  Result<std::optional<Alert>> get(const std::string& flag_id);
  // The original flag record of a depersonalised alert (nullopt when unknown or not masked).
  Result<std::optional<std::string>> sealed_flag_json(const std::string& flag_id);
  // Records a review decision, moves the status, takes a new sequence, and queues the
  // disposition record for publishing and its audit entry (action "disposition", the comment as
  // reason), atomically. Allowed on a masked alert. Fatal Error "console" for an empty,
  // whitespace-only or too long (> 2000 bytes) comment, an empty actor, or more than 200
  // dispositions on one alert; nullopt for an unknown alert. at_ms 0 means now.
  Result<std::optional<Alert>> record_disposition(const std::string& flag_id, const Disposition& disposition);
  // The highest sequence given out so far (0 before the first change).
  Result<std::uint64_t> current_seq();

  // Disposition records not yet acknowledged by Kafka, oldest first.
  Result<std::vector<OutboxItem>> pending_dispositions(std::size_t max);
  Status ack_dispositions(const std::vector<std::string>& ids);

  // Masks alerts whose retention time is before now - mask_after and deletes those before
  // now - delete_after, in batches of 500 until none is due. Each mask and delete is audited by
  // actor "retention"; masking takes a new sequence so live consoles see the change. Idempotent:
  // a second run with the same now_ms changes nothing.
  Result<RetentionReport> apply_retention(std::int64_t now_ms, std::chrono::milliseconds mask_after,
                                          std::chrono::milliseconds delete_after);

 private:
  // EVALSHA of one of the store's scripts, loading it on this connection when needed.
  class Script {
   public:
    explicit Script(std::string_view text) : text_(text) {}
    Result<rules::RedisValue> run(rules::RedisClient& redis, const std::vector<std::string>& keys,
                                  const std::vector<std::string>& args);
    // The same script for many key/argument sets in one round trip.
    Result<std::vector<rules::RedisValue>> run_many(
        rules::RedisClient& redis, const std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>>& calls);

   private:
    Status load(rules::RedisClient& redis);
    std::string_view text_;
    std::string sha_;
  };

  // One flag's script call, checked and ready; finish_ingest reads the script's reply.
  struct PreparedIngest {
    AlertSummary summary;
    std::vector<std::string> keys;
    std::vector<std::string> args;
  };
  Result<PreparedIngest> prepare_ingest(std::string_view queue, std::string_view flag_json, std::int64_t now_ms) const;
  static Result<IngestResult> finish_ingest(PreparedIngest& prepared, const rules::RedisValue& reply);

  std::string alert_key(std::string_view flag_id) const;
  std::string queue_key(std::string_view queue) const;
  Result<std::size_t> delete_due(std::int64_t now_ms, std::int64_t cutoff_ms);
  Result<std::size_t> mask_due(std::int64_t now_ms, std::int64_t cutoff_ms);

  rules::RedisClient& redis_;
  std::string prefix_;
  rules::AuditOptions audit_;
  Script ingest_script_;
  Script disposition_script_;
  Script mask_script_;
  Script delete_script_;
};

}  // namespace crosscheck::console
