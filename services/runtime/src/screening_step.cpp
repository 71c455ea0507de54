#include "crosscheck/runtime/screening_step.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "crosscheck/log.h"
#include "crosscheck/rules/match_json.h"
#include "crosscheck/rules/normalize.h"
#include "crosscheck/schemas/output_records.h"
#include "crosscheck/time_format.h"

namespace crosscheck::runtime {

namespace {
constexpr std::string_view kReasonMatch = "watchlist_match";
constexpr std::string_view kReasonRule = "rule_match";
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
      parser_(parse_options(config, std::move(airports))),
      watchlist_defaults_(config.rules.watchlist_default),
      governance_topic_(config.topics.flags_prefix + config.rules.governance_queue),
      flags_prefix_(config.topics.flags_prefix),
      clock_([] { return timefmt::now_ms(); }) {
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
  if (std::find(out.begin(), out.end(), governance_topic_) == out.end()) out.push_back(governance_topic_);
  return out;
}

std::vector<std::string> ScreeningStep::rule_queue_topics(const rules::RuleEngine& engine) const {
  std::vector<std::string> out;
  for (const auto& rule : engine.rules()) {
    if (rule.queue.empty()) continue;
    std::string topic = flags_prefix_ + rule.queue;
    if (std::find(out.begin(), out.end(), topic) == out.end()) out.push_back(std::move(topic));
  }
  return out;
}

const rules::RuleEngine& ScreeningStep::default_rules(const std::shared_ptr<const rules::MatchIndex>& index,
                                                      std::int64_t now_ms) {
  if (defaults_.index != index) {
    // A new index (a list was published): one default rule per live list, at that list's version.
    std::vector<rules::Rule> list_rules;
    for (const auto& list : index->lists()) {
      list_rules.push_back(rules::default_watchlist_rule(list.list_id, list.version, watchlist_defaults_, now_ms));
    }
    std::vector<std::string> rejected;
    defaults_.engine = rules::RuleEngine(std::move(list_rules), &rejected);
    // Generated rules always compile; one that does not is a bug in default_watchlist_rule.
    if (!rejected.empty()) throw std::logic_error("default watchlist rule does not compile: " + rejected.front());
    defaults_.index = index;
  }
  return defaults_.engine;
}

void ScreeningStep::process(const streams::InRecord& in, streams::Processed& out) {
  const auto started = std::chrono::steady_clock::now();
  violations_.clear();
  hits_.clear();

  const auto kind_it = kind_by_topic_.find(in.topic);
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
      const std::int64_t now_ms = clock_();
      budget_->count_event(kind, now_ms);
      rules::screen(*event, *index, hits_);
      flags_this_event_ = 0;
      evaluate(in, *event, *index, default_rules(index, now_ms), nullptr, now_ms, out);
      // Hold the rule set for the whole event too: a swap must not free it under us.
      const std::shared_ptr<const rules::RuleSnapshot> rule_set = rules_ ? rules_() : nullptr;
      if (rule_set != nullptr) evaluate(in, *event, *index, rule_set->engine, aggregates_, now_ms, out);
      out.outcome = static_cast<int>(flags_this_event_ == 0 ? Outcome::kClean : Outcome::kFlagged);
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

void ScreeningStep::evaluate(const streams::InRecord& in, const schemas::Event& event, const rules::MatchIndex& index,
                             const rules::RuleEngine& engine, rules::AggregateStore* aggregates, std::int64_t now_ms,
                             streams::Processed& out) {
  if (engine.rules().empty()) return;
  matches_.clear();
  rules::EvalStats stats;
  engine.evaluate(event, hits_, now_ms, aggregates, scratch_, matches_, &stats);
  if (stats.aggregate_errors != 0 && metrics_ != nullptr) metrics_->rule_aggregate_errors().Increment();
  for (const auto& match : matches_) {
    const rules::Rule& rule = engine.rules()[match.rule];
    const RuleSeries* series = nullptr;
    RuleSeries resolved;
    if (metrics_ != nullptr) {
      resolved = metrics_->rule(rule.id);
      series = &resolved;
    }
    if (rule.mode == rules::RuleMode::kShadow) {
      // What the version would flag, counted; nobody is flagged and nothing else is kept.
      budget_->count_shadow(rule, now_ms);
      if (series != nullptr) series->shadow->Increment();
      continue;
    }
    const CapDecision verdict = budget_->try_flag(rule, now_ms);
    if (verdict == CapDecision::kAllow) {
      if (series != nullptr) series->flagged->Increment();
      flag(in, event, index, engine, match, out);
      continue;
    }
    // Over a cap: the match is a number in a counter and nothing more.
    if (series != nullptr) series->suppressed->Increment();
    if (verdict == CapDecision::kSuppressAndAnnounce) announce_cap(rule, now_ms, out);
  }
}

void ScreeningStep::announce_cap(const rules::Rule& rule, std::int64_t now_ms, streams::Processed& out) {
  schemas::GovernanceAlert alert;
  alert.rule_id = rule.id;
  alert.rule_version = rule.version;
  alert.owner = rule.owner;
  alert.max_flags_per_hour = rule.max_flags_per_hour;
  alert.max_flag_share = rule.max_flag_share;
  alert.at_ms = now_ms;
  alert.screener_instance = instance_id_;
  streams::OutRecord o;
  o.topic = governance_topic_;
  o.key = rule.id;
  o.value = schemas::encode_governance_alert(alert);
  o.headers.emplace_back(kHeaderReason, "rule_over_cap");
  out.outputs.push_back(std::move(o));
  log::warn("screener", "rule reached a cap; further matches in the window are counted, not flagged",
            {{"rule", rule.id}, {"version", rule.version}, {"max_flags_per_hour", rule.max_flags_per_hour},
             {"max_flag_share", rule.max_flag_share}});
  if (metrics_ != nullptr) metrics_->governance_alerts().Increment();
  if (cap_listener_) cap_listener_(rule, now_ms);
}

void ScreeningStep::flag(const streams::InRecord& in, const schemas::Event& event, const rules::MatchIndex& index,
                         const rules::RuleEngine& engine, const rules::RuleMatch& match, streams::Processed& out) {
  const rules::Rule& rule = engine.rules()[match.rule];
  const bool list_rule = rule.id.rfind("watchlist-hit:", 0) == 0;
  const rules::Hit* hit = match.hit >= 0 ? &hits_[static_cast<std::size_t>(match.hit)] : nullptr;

  // The subject: the hit's, else the one the rule names.
  const rules::Subject* subject = hit != nullptr ? &hit->subject : nullptr;
  if (subject == nullptr) {
    subjects_.clear();
    rules::subjects_of(event, subjects_);
    for (const auto& s : subjects_) {
      if (s.role == match.subject_role && s.index == match.subject_index) {
        subject = &s;
        break;
      }
    }
  }
  // The engine names a subject the event has; anything else is a bug in the engine.
  if (subject == nullptr) {
    throw std::logic_error("rule " + rule.id + " matched subject " + std::string(match.subject_role) + "#" +
                           std::to_string(match.subject_index) + " that the event does not have");
  }

  // The reason names what matched, not when nor how well: reprocessing after a restart (even
  // against a newer list or rule version, or threshold) yields the same flag id, so consumers can
  // drop the duplicate.
  std::string reason;
  std::string_view entry_id;
  const rules::Watchlist* list = nullptr;
  if (hit != nullptr) {
    list = &index.list(hit->match.ref);
    entry_id = index.entry(hit->match.ref).id;
  }
  if (list_rule && hit != nullptr) {
    reason = std::string(kReasonMatch) + '|' + list->list_id + '|' + std::string(entry_id);
  } else {
    reason = std::string(kReasonRule) + '|' + rule.id;
  }
  reason += '|';
  reason += subject->role;
  reason += '|';
  reason += std::to_string(subject->index);
  const std::string flag_id = schemas::compute_flag_id(in.topic, in.partition, in.offset, reason);

  std::vector<std::string_view> matched_on;
  std::string explanation;
  std::string_view listed_name;
  if (hit != nullptr) {
    const rules::MatchHit& m = hit->match;
    for (auto kind : {rules::MatchKind::kDocument, rules::MatchKind::kIban, rules::MatchKind::kBic,
                      rules::MatchKind::kImo, rules::MatchKind::kCryptoAddress, rules::MatchKind::kName}) {
      if ((m.matched_on & static_cast<std::uint8_t>(kind)) != 0) matched_on.push_back(rules::to_string(kind));
    }
    explanation = rules::explanation_json(m.explanation);
    listed_name = index.name(m.ref);
  }

  std::vector<schemas::ListVersionRef> lists_used;
  for (const auto& l : index.lists()) lists_used.push_back({l.list_id, l.version});
  std::vector<std::pair<std::string_view, std::string>> declared;
  engine.declared_values(match.rule, event, declared);
  std::vector<schemas::EventFieldValue> event_fields;
  for (const auto& [path, value] : declared) event_fields.push_back({path, value});

  const std::string& queue = rule.queue.empty() ? queue_by_kind_.at(event.kind) : rule.queue;
  schemas::FlagRecord f;
  f.flag_id = flag_id;
  f.queue = queue;
  f.severity = list_rule ? std::string_view(severity_) : std::string_view(rule.severity);
  f.reason_code = list_rule ? kReasonMatch : kReasonRule;
  f.matched_on = std::move(matched_on);
  f.score = hit != nullptr ? rules::round_score(hit->match.score) : 1.0;
  f.explanation_json = explanation;
  f.source = {in.topic, in.partition, in.offset, in.timestamp_ms};
  f.kind = event.kind;
  f.event_id = event.event_id;
  f.event_time = event.event_time;
  const rules::Subject& sub = *subject;
  f.subject = {sub.role, sub.index, sub.name, sub.date_of_birth, sub.nationality, sub.document_number,
               sub.iban, sub.imo, sub.bic, sub.gender};
  if (hit != nullptr) {
    const rules::WatchlistEntry& entry = index.entry(hit->match.ref);
    f.watchlist = {list->list_id, list->version, entry.id,
                   !listed_name.empty()   ? listed_name
                   : entry.names.empty() ? std::string_view()
                                         : std::string_view(entry.names.front())};
  }
  f.rule = {rule.id, rule.version, engine.digest(match.rule), rule.legal_basis};
  f.lists_used = lists_used;
  f.event_fields = event_fields;
  f.warnings = event.warnings;  // e.g. document_expired: the officer should see it
  f.published_at_ms = timefmt::now_ms();
  f.screener_instance = instance_id_;

  streams::OutRecord o;
  o.topic = flags_prefix_ + queue;
  o.key = subject_key(sub);
  o.value = schemas::encode_flag(f);
  o.headers.emplace_back(kHeaderFlagId, flag_id);
  o.headers.emplace_back(kHeaderKind, std::string(schemas::to_string(event.kind)));
  out.outputs.push_back(std::move(o));
  ++flags_this_event_;
}

}  // namespace crosscheck::runtime
