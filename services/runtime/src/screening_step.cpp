#include "crosscheck/runtime/screening_step.h"

#include <chrono>

#include "crosscheck/rules/match_json.h"
#include "crosscheck/rules/normalize.h"
#include "crosscheck/schemas/output_records.h"
#include "crosscheck/time_format.h"

namespace crosscheck::runtime {

namespace {
constexpr std::string_view kReasonMatch = "watchlist_match";
}

std::string subject_key(const rules::Subject& s) {
  std::string identity;
  if (!s.document_number.empty()) identity = "doc:" + rules::normalize_document(s.document_number);
  else if (!s.iban.empty()) identity = "iban:" + rules::normalize_iban(s.iban);
  else if (!s.imo.empty()) identity = "imo:" + rules::normalize_imo(s.imo);
  else if (!s.bic.empty()) identity = "bic:" + s.bic;
  else identity = "name:" + rules::normalize_name(s.name) + "|" + s.date_of_birth;
  // Hashed so the key itself carries no personal data.
  return schemas::compute_flag_id("subject", 0, 0, identity);
}

namespace {
schemas::ParseOptions parse_options(const ScreenerConfig& config, std::shared_ptr<const schemas::ids::AirportCodes> airports) {
  schemas::ParseOptions o;
  o.max_event_bytes = config.screening.max_event_bytes;
  o.max_depth = config.screening.max_depth;
  o.airports = std::move(airports);
  return o;
}
}  // namespace

ScreeningStep::ScreeningStep(const ScreenerConfig& config, IndexSource index, ScreenerMetrics* metrics,
                             std::shared_ptr<const schemas::ids::AirportCodes> airports)
    : topics_(config.topics),
      severity_(config.screening.severity),
      instance_id_(config.instance_id),
      index_(std::move(index)),
      metrics_(metrics),
      parser_(parse_options(config, std::move(airports))) {
  kind_by_topic_[config.topics.itineraries] = schemas::EventKind::kItinerary;
  kind_by_topic_[config.topics.manifests] = schemas::EventKind::kManifest;
  kind_by_topic_[config.topics.payments] = schemas::EventKind::kPayment;
  for (const auto& [kind, queue] : config.screening.queues) {
    queue_by_kind_[kind] = queue;
    flag_topic_by_kind_[kind] = config.topics.flags_prefix + queue;
  }
}

std::vector<std::string> ScreeningStep::input_topics() const {
  return {topics_.itineraries, topics_.manifests, topics_.payments};
}

std::vector<std::string> ScreeningStep::output_topics() const {
  std::vector<std::string> out{topics_.deadletter};
  for (const auto& [kind, topic] : flag_topic_by_kind_) {
    if (std::find(out.begin(), out.end(), topic) == out.end()) out.push_back(topic);
  }
  return out;
}

void ScreeningStep::process(const streams::InRecord& in, streams::Processed& out) {
  const auto started = std::chrono::steady_clock::now();
  violations_.clear();
  hits_.clear();

  const auto kind_it = kind_by_topic_.find(std::string(in.topic));
  if (kind_it == kind_by_topic_.end()) {
    violations_.push_back({schemas::ReasonCode::kUnknownTopic, "",
                           "the screener has no event kind configured for this topic"});
    dead_letter(in, "", out);
  } else {
    const schemas::EventKind kind = kind_it->second;
    const schemas::Event* event = parser_.parse(kind, in.value, violations_);
    if (event == nullptr) {
      dead_letter(in, schemas::to_string(kind), out);
    } else {
      // Hold the index for the whole event: a concurrent swap must not free it under us.
      if (metrics_ != nullptr) {
        for (const auto& w : event->warnings) {
          if (schemas::is_warning(w.code)) metrics_->validation_warning(w.code).Increment();
        }
      }
      const std::shared_ptr<const rules::MatchIndex> index = index_();
      rules::screen(*event, *index, hits_);
      for (const auto& hit : hits_) flag(in, *event, *index, hit, out);
      out.outcome = static_cast<int>(hits_.empty() ? Outcome::kClean : Outcome::kFlagged);
    }
  }
  if (metrics_ != nullptr) {
    metrics_->processing_time().Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
}

void ScreeningStep::dead_letter(const streams::InRecord& in, std::string_view kind, streams::Processed& out) {
  schemas::DeadLetterRecord rec;
  rec.source = {in.topic, in.partition, in.offset, in.timestamp_ms};
  rec.kind = kind;
  rec.violations = violations_;
  rec.original = in.value;
  rec.dead_lettered_at_ms = timefmt::now_ms();
  rec.screener_instance = instance_id_;

  streams::OutRecord o;
  o.topic = topics_.deadletter;
  o.key = std::string(in.key);
  o.value = schemas::encode_dead_letter(rec);
  o.headers.emplace_back(kHeaderReason, std::string(schemas::reason_code_name(violations_.front().code)));
  if (!kind.empty()) o.headers.emplace_back(kHeaderKind, std::string(kind));
  out.outputs.push_back(std::move(o));
  out.outcome = static_cast<int>(Outcome::kDeadLetter);

  if (metrics_ != nullptr) {
    bool seen[schemas::kReasonCodeCount] = {};
    for (const auto& v : violations_) {
      const int code = static_cast<int>(v.code);
      if (!seen[code]) metrics_->deadletter(v.code).Increment();
      seen[code] = true;
    }
  }
}

void ScreeningStep::flag(const streams::InRecord& in, const schemas::Event& event, const rules::MatchIndex& index,
                         const rules::Hit& hit, streams::Processed& out) {
  const rules::MatchHit& match = hit.match;
  const rules::Watchlist& list = index.list(match.ref);
  const rules::WatchlistEntry& entry = index.entry(match.ref);

  // The reason names what matched, not when nor how well: reprocessing after a restart (even
  // against a newer list version or threshold) yields the same flag id, so consumers can drop the
  // duplicate.
  std::string reason(kReasonMatch);
  reason += '|';
  reason += list.list_id;
  reason += '|';
  reason += entry.id;
  reason += '|';
  reason += hit.subject.role;
  reason += '|';
  reason += std::to_string(hit.subject.index);
  const std::string flag_id = schemas::compute_flag_id(in.topic, in.partition, in.offset, reason);

  std::vector<std::string_view> matched_on;
  for (auto kind : {rules::MatchKind::kDocument, rules::MatchKind::kIban, rules::MatchKind::kBic,
                    rules::MatchKind::kImo, rules::MatchKind::kCryptoAddress, rules::MatchKind::kName}) {
    if ((match.matched_on & static_cast<std::uint8_t>(kind)) != 0) matched_on.push_back(rules::to_string(kind));
  }
  const std::string explanation = rules::explanation_json(match.explanation);
  const std::string_view listed_name = index.name(match.ref);

  schemas::FlagRecord f;
  f.flag_id = flag_id;
  f.queue = queue_by_kind_.at(event.kind);
  f.severity = severity_;
  f.reason_code = kReasonMatch;
  f.matched_on = std::move(matched_on);
  f.score = rules::round_score(match.score);
  f.explanation_json = explanation;
  f.source = {in.topic, in.partition, in.offset, in.timestamp_ms};
  f.kind = event.kind;
  f.event_id = event.event_id;
  f.event_time = event.event_time;
  const rules::Subject& sub = hit.subject;
  f.subject = {sub.role, sub.index, sub.name, sub.date_of_birth, sub.nationality, sub.document_number,
               sub.iban, sub.imo, sub.bic, sub.gender};
  f.watchlist = {list.list_id, list.version, entry.id,
                 !listed_name.empty()   ? listed_name
                 : entry.names.empty() ? std::string_view()
                                       : std::string_view(entry.names.front())};
  f.warnings = event.warnings;  // e.g. document_expired: the officer should see it
  f.published_at_ms = timefmt::now_ms();
  f.screener_instance = instance_id_;

  streams::OutRecord o;
  o.topic = flag_topic_by_kind_.at(event.kind);
  o.key = subject_key(hit.subject);
  o.value = schemas::encode_flag(f);
  o.headers.emplace_back(kHeaderFlagId, flag_id);
  o.headers.emplace_back(kHeaderKind, std::string(schemas::to_string(event.kind)));
  out.outputs.push_back(std::move(o));
}

}  // namespace crosscheck::runtime
