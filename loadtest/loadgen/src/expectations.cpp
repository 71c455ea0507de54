#include "crosscheck/loadgen/expectations.h"

#include <algorithm>
#include <set>

#include "crosscheck/rules/rule_engine.h"
#include "crosscheck/rules/watchlist_follower.h"
#include "crosscheck/rules/watchlist_store.h"
#include "crosscheck/runtime/flag_budget.h"
#include "crosscheck/runtime/screening_step.h"

namespace crosscheck::loadgen {

struct ExpectationCounter::Impl {
  runtime::ScreenerConfig config;
  std::shared_ptr<const rules::MatchIndex> index;
  std::shared_ptr<const rules::RuleSnapshot> rules;
  runtime::LocalFlagBudget budget;
  rules::InMemoryAggregateStore aggregates;
  std::int64_t now_ms = 0;
  runtime::ScreeningStep step;
  std::string governance_topic;
  std::string flags_prefix;
  std::string topic_by_kind[schemas::kEventKindCount];
  Expectation e;

  Impl(const runtime::ScreenerConfig& c, std::shared_ptr<const rules::MatchIndex> i,
       std::shared_ptr<const rules::RuleSnapshot> r, std::shared_ptr<const schemas::ids::AirportCodes> airports)
      : config(c),
        index(std::move(i)),
        rules(std::move(r)),
        step(config, [this] { return index; }, nullptr, std::move(airports)),
        governance_topic(config.topics.flags_prefix + config.rules.governance_queue),
        flags_prefix(config.topics.flags_prefix) {
    if (rules) step.set_rules([this] { return rules; });
    step.set_budget(&budget);
    step.set_aggregates(&aggregates);
    step.set_clock([this] { return now_ms; });
    topic_by_kind[static_cast<int>(schemas::EventKind::kItinerary)] = config.topics.itineraries;
    topic_by_kind[static_cast<int>(schemas::EventKind::kManifest)] = config.topics.manifests;
    topic_by_kind[static_cast<int>(schemas::EventKind::kPayment)] = config.topics.payments;
  }

  void add(const GeneratedEvent& g, std::int64_t now) {
    now_ms = now;
    streams::InRecord in;
    in.topic = topic_by_kind[static_cast<int>(g.kind)];
    in.partition = 0;
    in.offset = static_cast<std::int64_t>(g.index);
    in.timestamp_ms = g.event_time_ms;
    in.key = g.key;
    in.value = g.value;
    streams::Processed out;
    step.process(in, out);
    ++e.events;
    ++e.events_by_kind[std::string(schemas::to_string(g.kind))];
    if (g.intent == Intent::kMalformed) ++e.malformed_sent;
    if (g.intent == Intent::kListed) ++e.listed_sent;
    bool flagged = false;
    bool watchlist_flag = false;
    for (const auto& o : out.outputs) {
      if (o.topic == config.topics.deadletter) {
        ++e.deadletters;
      } else if (o.topic == governance_topic) {
        ++e.governance_alerts;
      } else if (o.topic.rfind(flags_prefix, 0) == 0) {
        ++e.flags;
        ++e.flags_by_topic[o.topic];
        flagged = true;
        if (o.value.find("\"code\":\"watchlist_match\"") != std::string::npos) watchlist_flag = true;
      }
    }
    if (flagged) ++e.flagged_events;
    if (watchlist_flag && g.intent == Intent::kListed) ++e.listed_with_watchlist_flag;
    if (watchlist_flag && g.intent == Intent::kClean) ++e.unlisted_with_watchlist_flag;
  }

  Expectation result() const {
    Expectation r = e;
    std::set<std::string> ids;
    for (const auto& l : index->lists()) ids.insert("watchlist-hit:" + l.list_id);
    if (rules) {
      for (const auto& rule : rules->engine.rules()) ids.insert(rule.id);
    }
    for (const auto& id : ids) {
      const auto n = budget.flagged(id);
      if (n != 0) r.flags_by_rule[id] = n;
      r.suppressed += budget.suppressed(id);
    }
    return r;
  }
};

ExpectationCounter::ExpectationCounter(const runtime::ScreenerConfig& config,
                                       std::shared_ptr<const rules::MatchIndex> index,
                                       std::shared_ptr<const rules::RuleSnapshot> rules,
                                       std::shared_ptr<const schemas::ids::AirportCodes> airports)
    : impl_(std::make_unique<Impl>(config, std::move(index), std::move(rules), std::move(airports))) {}

ExpectationCounter::~ExpectationCounter() = default;

void ExpectationCounter::add(const GeneratedEvent& event, std::int64_t now_ms) { impl_->add(event, now_ms); }

Expectation ExpectationCounter::result() const { return impl_->result(); }

Result<ScreeningState> load_screening_state(const runtime::ScreenerConfig& config, std::chrono::milliseconds timeout) {
  rules::WatchlistFollower lists(rules::FollowerConfig{config.redis.client, config.redis.key_prefix,
                                                       config.watchlists.poll_interval, config.watchlists.match});
  rules::RuleFollower active(rules::RuleFollowerConfig{config.redis.client, config.redis.key_prefix,
                                                       config.rules.poll_interval});
  lists.start();
  active.start();
  const bool lists_ready = lists.wait_ready(timeout);
  const bool rules_ready = active.wait_ready(timeout);
  ScreeningState s{lists.snapshot(), active.snapshot()};
  active.stop();
  lists.stop();
  if (!lists_ready) return Error::retriable("expect", "watchlists not loaded from Redis in time");
  if (!rules_ready) return Error::retriable("expect", "active rules not loaded from Redis in time");
  if (!s.rules->rejected.empty()) {
    return Error::fatal("expect", "an active rule does not compile: " + s.rules->rejected.front());
  }
  return s;
}

Result<std::vector<rules::Watchlist>> load_live_lists(const rules::RedisConfig& redis, const std::string& key_prefix) {
  rules::RedisClient client(redis);
  rules::WatchlistStore store(client, key_prefix);
  auto versions = store.current_versions();
  if (!versions.ok()) return versions.error();
  std::vector<rules::Watchlist> lists;
  for (const auto& [id, version] : *versions) {
    auto list = store.load(id, version);
    if (!list.ok()) return list.error();
    std::sort(list->entries.begin(), list->entries.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    lists.push_back(std::move(*list));
  }
  return lists;
}

}  // namespace crosscheck::loadgen
