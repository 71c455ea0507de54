// Integration: AlertStore against the real Redis: ingest and idempotent redelivery, listing
// (order, filters, catch-up after a sequence, merging queues across pages), dispositions with
// their outbox and audit entries, retention (mask, then delete, on a shortened schedule), and
// malformed flags that must leave nothing behind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "crosscheck/console/alert_store.h"
#include "crosscheck/rules/audit_log.h"
#include "crosscheck/rules/redis_client.h"
#include "crosscheck/schemas/output_records.h"
#include "crosscheck/sha256.h"
#include "crosscheck/testing/redis_test_env.h"
#include "crosscheck/testing/test_env.h"

namespace crosscheck::console {
namespace {

using ::testing::HasSubstr;
using std::chrono::milliseconds;

constexpr std::int64_t kDay = 24LL * 3600 * 1000;
constexpr std::int64_t kT0 = 1795248000000;  // 2026-11-21T08:00:00Z

struct FlagSpec {
  std::int64_t offset = 0;  // makes the flag id
  std::string queue = "border";
  std::string severity = "high";
  std::string name = "ANNA KOWALSKA-TEST";
  std::string document = "ZK1234567";
  std::string date_of_birth = "1980-02-29";
  std::int64_t published_ms = kT0;
  std::string reason_code = "watchlist_match";
};

std::string flag_id_of(std::int64_t offset) {
  return schemas::compute_flag_id("transit.itineraries", 0, offset, "watchlist_match");
}

std::string make_flag(const FlagSpec& s) {
  const std::string id = flag_id_of(s.offset);
  const std::string explanation = R"({"summary":")" + s.name + R"( ~ listed","list_version":1})";
  const std::vector<schemas::ListVersionRef> lists = {{"demo-national", 1}};
  schemas::FlagRecord f;
  f.flag_id = id;
  f.queue = s.queue;
  f.severity = s.severity;
  f.reason_code = s.reason_code;
  if (s.reason_code == "watchlist_match") {
    f.matched_on = {"name"};
    f.watchlist = schemas::WatchlistRef{"demo-national", 1, "DEMO-P-0001", "Anna Kowalska"};
  }
  f.score = 0.91;
  f.explanation_json = explanation;
  f.source = schemas::SourceRef{"transit.itineraries", 0, s.offset, s.published_ms - 5};
  f.kind = schemas::EventKind::kItinerary;
  f.event_id = "itn-" + std::to_string(s.offset);
  f.event_time = "2026-11-21T08:00:00Z";
  f.subject.role = "passenger";
  f.subject.index = 0;
  f.subject.name = s.name;
  f.subject.date_of_birth = s.date_of_birth;
  f.subject.document_number = s.document;
  f.rule = schemas::RuleRef{"watchlist-hit:demo-national", 1, "00112233445566778899aabbccddeeff", "Act 1"};
  f.lists_used = lists;
  f.published_at_ms = s.published_ms;
  f.screener_instance = "screener-test";
  return schemas::encode_flag(f);
}

// AlertQuery, built fluently (designated initializers would have to name every member).
struct Q {
  explicit Q(std::vector<std::string> queues) { query.queues = std::move(queues); }
  Q& severities(std::vector<std::string> v) { query.severities = std::move(v); return *this; }
  Q& statuses(std::vector<AlertStatus> v) { query.statuses = std::move(v); return *this; }
  Q& after_seq(std::uint64_t v) { query.after_seq = v; return *this; }
  Q& limit(std::size_t v) { query.limit = v; return *this; }
  operator const AlertQuery&() const { return query; }  // NOLINT(google-explicit-constructor)
  AlertQuery query;
};

class AlertStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CROSSCHECK_REQUIRE_REDIS();
    env_ = std::make_unique<testing::RedisTestEnv>(*testing::redis_address());
    redis_ = std::make_unique<rules::RedisClient>(env_->config());
    store_ = std::make_unique<AlertStore>(*redis_, env_->prefix());
    audit_ = std::make_unique<rules::AuditLog>(*redis_, env_->prefix());
  }

  AlertSummary ingest(const FlagSpec& spec, std::int64_t now_ms = kT0) {
    auto r = store_->ingest(spec.queue, make_flag(spec), now_ms);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    if (!r.ok()) return {};
    EXPECT_TRUE(r->inserted);
    return r->summary;
  }

  std::vector<AlertSummary> list(const AlertQuery& q) {
    auto r = store_->list(q);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? *r : std::vector<AlertSummary>{};
  }

  static std::vector<std::string> ids(const std::vector<AlertSummary>& v) {
    std::vector<std::string> out;
    for (const auto& s : v) out.push_back(s.flag_id);
    return out;
  }

  std::uint64_t seq() {
    auto r = store_->current_seq();
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? *r : 0;
  }

  std::vector<std::string> keys() {
    std::vector<std::string> out;
    std::string cursor = "0";
    do {
      auto page = redis_->command({"SCAN", cursor, "MATCH", env_->prefix() + "*", "COUNT", "1000"});
      EXPECT_TRUE(page.ok());
      if (!page.ok()) break;
      cursor = page->elements[0].str;
      for (const auto& k : page->elements[1].elements) out.push_back(k.str);
    } while (cursor != "0");
    return out;
  }

  std::vector<rules::AuditEntry> audit_of(const std::string& action, const std::string& object_id = "") {
    rules::AuditFilter f;
    f.action = action;
    f.object_id = object_id;
    f.limit = 0;
    f.newest_first = false;
    auto r = audit_->list(f);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? *r : std::vector<rules::AuditEntry>{};
  }

  Result<std::optional<Alert>> decide(const std::string& id, DispositionAction action, const std::string& comment,
                                      const std::string& actor = "o.berg", std::int64_t at = kT0 + 60000) {
    return store_->record_disposition(id, Disposition{action, comment, actor, at});
  }

  std::unique_ptr<testing::RedisTestEnv> env_;
  std::unique_ptr<rules::RedisClient> redis_;
  std::unique_ptr<AlertStore> store_;
  std::unique_ptr<rules::AuditLog> audit_;
};

TEST_F(AlertStoreTest, IngestStoresTheSummaryAndRedeliveryIsIdempotent) {
  EXPECT_EQ(seq(), 0u);
  FlagSpec spec;
  spec.offset = 1;
  spec.severity = "medium";
  const std::string flag = make_flag(spec);
  auto first = store_->ingest("border", flag, kT0 + 7);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_TRUE(first->inserted);
  const AlertSummary& s = first->summary;
  EXPECT_EQ(s.flag_id, flag_id_of(1));
  EXPECT_EQ(s.queue, "border");
  EXPECT_EQ(s.severity, "medium");
  EXPECT_EQ(s.reason_code, "watchlist_match");
  EXPECT_EQ(s.kind, "itinerary");
  EXPECT_EQ(s.subject_name, spec.name);
  EXPECT_EQ(s.subject_role, "passenger");
  EXPECT_DOUBLE_EQ(s.score, 0.91);
  EXPECT_EQ(s.rule_id, "watchlist-hit:demo-national");
  EXPECT_EQ(s.rule_version, 1u);
  EXPECT_EQ(s.list_id, "demo-national");
  EXPECT_EQ(s.status, AlertStatus::kNew);
  EXPECT_EQ(s.received_ms, kT0 + 7);
  EXPECT_EQ(s.published_ms, kT0);
  EXPECT_FALSE(s.masked);
  EXPECT_EQ(s.seq, seq());
  EXPECT_GT(s.seq, 0u);

  // Redelivered (even later): nothing changes, the stored summary comes back.
  auto again = store_->ingest("border", flag, kT0 + 5000);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_FALSE(again->inserted);
  EXPECT_EQ(again->summary.seq, s.seq);
  EXPECT_EQ(again->summary.received_ms, kT0 + 7);
  EXPECT_EQ(seq(), s.seq);
  EXPECT_EQ(list(Q({"border"})).size(), 1u);

  auto got = store_->get(s.flag_id);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->flag_json, flag);
  EXPECT_TRUE((*got)->dispositions.empty());
  EXPECT_EQ((*got)->summary.subject_name, spec.name);

  // A rule match without a watchlist has no list id.
  FlagSpec rule_match;
  rule_match.offset = 2;
  rule_match.reason_code = "rule_match";
  EXPECT_EQ(ingest(rule_match).list_id, "");
}

TEST_F(AlertStoreTest, GovernanceAlertsAreStoredAndIdempotent) {
  schemas::GovernanceAlert g;
  g.rule_id = "pay-fan-out-24h";
  g.rule_version = 3;
  g.owner = "fiu-rules@example.org";
  g.max_flags_per_hour = 50;
  g.max_flag_share = 0.01;
  g.at_ms = kT0;
  g.screener_instance = "screener-test";
  const std::string json = schemas::encode_governance_alert(g);
  auto r = store_->ingest("rule-governance", json, kT0 + 1);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_TRUE(r->inserted);
  EXPECT_EQ(r->summary.reason_code, "rule_over_cap");
  EXPECT_EQ(r->summary.rule_id, "pay-fan-out-24h");
  EXPECT_EQ(r->summary.rule_version, 3u);
  EXPECT_EQ(r->summary.published_ms, kT0);
  EXPECT_EQ(r->summary.flag_id.size(), 32u);
  auto again = store_->ingest("rule-governance", json, kT0 + 2);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->inserted);
  EXPECT_EQ(again->summary.flag_id, r->summary.flag_id);
  g.at_ms = kT0 + 1000;  // the next cap event is another alert
  auto next = store_->ingest("rule-governance", schemas::encode_governance_alert(g), kT0 + 3);
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(next->inserted);
  EXPECT_NE(next->summary.flag_id, r->summary.flag_id);
}

TEST_F(AlertStoreTest, MalformedFlagsAreRejectedAndNothingIsStored) {
  FlagSpec good;
  good.offset = 9;
  const std::string flag = make_flag(good);
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = flag;
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) s.replace(at, from.size(), to);
    return s;
  };
  const std::string id = flag_id_of(9);
  struct Case {
    std::string queue;
    std::string json;
    std::string why;
  };
  const std::vector<Case> cases = {
      {"border", "", "not valid JSON"},
      {"border", "flag", "not valid JSON"},
      {"border", "[" + flag + "]", "not a JSON object"},
      {"border", std::string(5000, '[') + std::string(5000, ']'), "deeper"},
      {"border", R"({"pad":")" + std::string(kMaxFlagBytes, 'x') + R"("})", "bytes"},
      {"border", replace("\"flag_id\":\"" + id + "\",", ""), "flag_id is missing"},
      {"border", replace(id, "../../users:admin"), "flag_id"},
      {"border", replace(id, "0123456789ABCDEF0123456789ABCDEF"), "flag_id"},
      {"border", replace("\"severity\":\"high\"", "\"severity\":\"urgent\""), "severity"},
      {"border", replace("\"severity\":\"high\"", "\"severity\":3"), "severity"},
      {"customs", flag, "queue"},
      {"Border Queue", flag, "queue"},
      {"border", replace("\"rule\":{\"id\":\"watchlist-hit:demo-national\"", "\"rule\":{\"idx\":\"x\""), "rule.id"},
      {"border", replace("\"published_at\":", "\"published\":"), "times.published_at"},
      {"border", replace("\"score\":0.91", "\"score\":7"), "reason.score"},
      {"border", replace("\"role\":\"passenger\"", "\"role\":[]"), "subject.role"},
  };
  for (const auto& c : cases) {
    auto r = store_->ingest(c.queue, c.json, kT0);
    ASSERT_FALSE(r.ok()) << c.why << ": " << c.json.substr(0, 80);
    EXPECT_TRUE(r.error().is_fatal()) << c.why;
    EXPECT_EQ(r.error().component(), "console") << c.why;
    EXPECT_THAT(r.error().message(), HasSubstr(c.why));
    // The message names the problem, never a personal value.
    EXPECT_EQ(r.error().message().find(good.name), std::string::npos);
  }
  EXPECT_EQ(seq(), 0u);
  EXPECT_TRUE(keys().empty()) << "a rejected flag must leave nothing behind";
  // The untouched flag is accepted, so the cases above failed for their own reason.
  EXPECT_TRUE(store_->ingest("border", flag, kT0).ok());
}

TEST_F(AlertStoreTest, IngestBatchStoresManyInOneCallAndRefusesOnlyTheBadOnes) {
  // One stored before, so the batch meets an existing alert too.
  FlagSpec before;
  before.offset = 300;
  const AlertSummary existing = ingest(before, kT0 + 1);

  std::vector<std::string> flags;
  std::vector<std::string> queues;
  auto add = [&](std::string queue, std::string json) {
    queues.push_back(std::move(queue));
    flags.push_back(std::move(json));
  };
  for (int i = 0; i < 4; ++i) {
    FlagSpec s;
    s.offset = 301 + i;
    s.queue = i == 2 ? "customs" : "border";
    s.severity = i == 1 ? "low" : "high";
    add(s.queue, make_flag(s));  // items 0..3: new
  }
  add("border", "not a flag");                           // 4: refused
  add("border", flags[0]);                               // 5: the same flag again in one batch
  add("border", make_flag(before));                      // 6: stored before the batch
  add("customs", flags[0]);                              // 7: names another queue: refused
  std::vector<IngestItem> items;
  for (std::size_t i = 0; i < flags.size(); ++i) items.push_back({queues[i], flags[i]});

  const std::uint64_t seq_before = seq();
  auto r = store_->ingest_batch(items, kT0 + 50);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->size(), items.size());
  const auto& res = *r;
  std::set<std::uint64_t> seqs;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(res[i].ok()) << i << ": " << res[i].error().to_string();
    EXPECT_TRUE(res[i]->inserted) << i;
    EXPECT_EQ(res[i]->summary.flag_id, flag_id_of(301 + i));
    EXPECT_EQ(res[i]->summary.queue, i == 2 ? "customs" : "border");
    EXPECT_EQ(res[i]->summary.severity, i == 1 ? "low" : "high");
    EXPECT_EQ(res[i]->summary.received_ms, kT0 + 50);
    EXPECT_EQ(res[i]->summary.status, AlertStatus::kNew);
    EXPECT_GT(res[i]->summary.seq, seq_before);
    seqs.insert(res[i]->summary.seq);
  }
  EXPECT_EQ(seqs.size(), 4u) << "every stored alert takes its own sequence";
  ASSERT_FALSE(res[4].ok());
  EXPECT_TRUE(res[4].error().is_fatal());
  EXPECT_EQ(res[4].error().component(), "console");
  EXPECT_THAT(res[4].error().message(), HasSubstr("not valid JSON"));
  ASSERT_TRUE(res[5].ok()) << res[5].error().to_string();
  EXPECT_FALSE(res[5]->inserted) << "a flag twice in one batch is stored once";
  EXPECT_EQ(res[5]->summary.seq, res[0]->summary.seq);
  ASSERT_TRUE(res[6].ok()) << res[6].error().to_string();
  EXPECT_FALSE(res[6]->inserted);
  EXPECT_EQ(res[6]->summary.seq, existing.seq);
  EXPECT_EQ(res[6]->summary.received_ms, kT0 + 1);
  ASSERT_FALSE(res[7].ok());
  EXPECT_EQ(res[7].error().component(), "console");
  EXPECT_THAT(res[7].error().message(), HasSubstr("queue"));
  EXPECT_EQ(seq(), seq_before + 4) << "only the four new alerts took a sequence";

  // What the batch stored is what ingest stores: the listing and the full alert agree.
  using V = std::vector<std::string>;
  EXPECT_EQ(ids(list(Q({"border"}))), (V{flag_id_of(304), flag_id_of(302), flag_id_of(301), existing.flag_id}));
  EXPECT_EQ(ids(list(Q({"customs"}))), (V{flag_id_of(303)}));
  auto got = store_->get(flag_id_of(302));
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->flag_json, flags[1]);
  EXPECT_EQ((*got)->summary.seq, res[1]->summary.seq);
  EXPECT_EQ((*got)->summary.severity, "low");

  // The whole batch redelivered (the pipeline retries after a failure): nothing changes.
  auto again = store_->ingest_batch(items, kT0 + 9000);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  for (int i : {0, 1, 2, 3, 5, 6}) {
    ASSERT_TRUE((*again)[i].ok()) << i;
    EXPECT_FALSE((*again)[i]->inserted) << i;
    EXPECT_EQ((*again)[i]->summary.seq, i == 6 ? existing.seq : res[i == 5 ? 0 : i]->summary.seq) << i;
  }
  EXPECT_EQ(seq(), seq_before + 4);

  // Nothing to store: no error, no result.
  auto none = store_->ingest_batch({}, kT0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(AlertStoreTest, IngestBatchOfOnlyRefusedFlagsLeavesNothingBehind) {
  const std::vector<std::string> bad = {"", "[]", R"({"flag_id":"x"})"};
  std::vector<IngestItem> items;
  for (const auto& b : bad) items.push_back({"border", b});
  auto r = store_->ingest_batch(items, kT0);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->size(), bad.size());
  for (const auto& one : *r) {
    ASSERT_FALSE(one.ok());
    EXPECT_EQ(one.error().component(), "console");
  }
  EXPECT_EQ(seq(), 0u);
  EXPECT_TRUE(keys().empty());
}

TEST_F(AlertStoreTest, IngestBatchFailsAsAWholeWhenRedisIsDown) {
  rules::RedisConfig down = env_->config();
  down.port = 1;  // nothing listens on port 1
  down.connect_timeout = milliseconds(500);
  rules::RedisClient unreachable(down);
  AlertStore store(unreachable, env_->prefix());
  FlagSpec s;
  s.offset = 400;
  const std::string flag = make_flag(s);
  const std::vector<IngestItem> items = {{"border", flag}, {"border", "not a flag"}};
  auto r = store.ingest_batch(items, kT0);
  ASSERT_FALSE(r.ok()) << "a batch the store could not reach must not look stored";
  EXPECT_TRUE(r.error().is_retriable()) << r.error().to_string();
  EXPECT_EQ(r.error().component(), "redis");
  // Once Redis is back (the working client), the same batch stores the good flag.
  auto retried = store_->ingest_batch(items, kT0);
  ASSERT_TRUE(retried.ok()) << retried.error().to_string();
  EXPECT_TRUE((*retried)[0].ok() && (*retried)[0]->inserted);
  EXPECT_FALSE((*retried)[1].ok());
}

TEST_F(AlertStoreTest, ListsNewestFirstOnlyTheAskedQueuesWithFilters) {
  // Ingest order: b1 c1 b2 p1 c2 b3 (b = border, c = customs, p = payments).
  std::vector<AlertSummary> in;
  const std::vector<std::pair<std::string, std::string>> plan = {
      {"border", "high"}, {"customs", "low"}, {"border", "medium"}, {"payments", "high"}, {"customs", "high"}, {"border", "low"}};
  for (std::size_t i = 0; i < plan.size(); ++i) {
    FlagSpec s;
    s.offset = static_cast<std::int64_t>(100 + i);
    s.queue = plan[i].first;
    s.severity = plan[i].second;
    in.push_back(ingest(s));
  }
  const auto b1 = in[0].flag_id, c1 = in[1].flag_id, b2 = in[2].flag_id, c2 = in[4].flag_id, b3 = in[5].flag_id;

  using V = std::vector<std::string>;
  EXPECT_EQ(ids(list(Q({"border", "customs"}))), (V{b3, c2, b2, c1, b1}));
  EXPECT_EQ(ids(list(Q({"border"}))), (V{b3, b2, b1}));
  EXPECT_EQ(ids(list(Q({"border", "customs"}).limit(2))), (V{b3, c2}));
  EXPECT_EQ(ids(list(Q({"border", "customs"}).severities({"high"}))), (V{c2, b1}));
  EXPECT_EQ(ids(list(Q({"border", "customs"}).severities({"high", "low"}).limit(3))), (V{b3, c2, c1}));
  EXPECT_TRUE(list(Q({})).empty()) << "no visible queue, no alerts";
  EXPECT_TRUE(list(Q({"rule-governance"})).empty());
  EXPECT_TRUE(list(Q({"../x", "bad queue"})).empty());
  EXPECT_EQ(ids(list(Q({"border", "border"}))), (V{b3, b2, b1})) << "a repeated queue is read once";

  // A decision moves b1 out of "new" and makes it the latest change.
  ASSERT_TRUE(decide(b1, DispositionAction::kEscalate, "needs a second look").ok());
  EXPECT_EQ(ids(list(Q({"border", "customs"}).statuses({AlertStatus::kNew}))), (V{b3, c2, b2, c1}));
  EXPECT_EQ(ids(list(Q({"border", "customs"}).statuses({AlertStatus::kEscalated}))), (V{b1}));
  EXPECT_TRUE(list(Q({"border"}).severities({"low"}).statuses({AlertStatus::kEscalated})).empty());
  EXPECT_EQ(ids(list(Q({"border"}))), (V{b1, b3, b2}));
}

TEST_F(AlertStoreTest, CatchUpAfterASequenceIncludesChangedAlertsOldestFirst) {
  std::vector<std::string> a;
  for (int i = 0; i < 3; ++i) {
    FlagSpec s;
    s.offset = 200 + i;
    s.queue = i == 1 ? "customs" : "border";
    a.push_back(ingest(s).flag_id);
  }
  const std::uint64_t seen = seq();
  ASSERT_TRUE(decide(a[0], DispositionAction::kFalsePositive, "different date of birth").ok());
  FlagSpec late;
  late.offset = 210;
  const std::string d = ingest(late).flag_id;
  FlagSpec other;
  other.offset = 211;
  other.queue = "payments";
  ingest(other);  // not visible to this reader

  auto missed = list(Q({"border", "customs"}).after_seq(seen));
  ASSERT_EQ(ids(missed), (std::vector<std::string>{a[0], d}));
  EXPECT_EQ(missed[0].status, AlertStatus::kFalsePositive);
  EXPECT_GT(missed[0].seq, seen);
  EXPECT_LT(missed[0].seq, missed[1].seq);
  EXPECT_TRUE(list(Q({"border", "customs", "payments"}).after_seq(seq())).empty());
  EXPECT_EQ(list(Q({"border", "customs"}).after_seq(seen).limit(1)).size(), 1u);
}

// More alerts than one page per queue, so the merge across queues has to hand candidates out in
// several rounds and keep the global order.
TEST_F(AlertStoreTest, MergesManyPagesAcrossQueuesInSequenceOrder) {
  const std::vector<std::string> queues = {"border", "customs", "payments"};
  std::vector<AlertSummary> all;
  std::uint64_t x = 12345;
  for (int i = 0; i < 520; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;  // deterministic, uneven spread
    FlagSpec s;
    s.offset = 1000 + i;
    s.queue = queues[(x >> 33) % 5 < 3 ? 0 : 1 + (x >> 40) % 2];
    s.severity = (x >> 20) % 3 == 0 ? "low" : "high";
    all.push_back(ingest(s));
  }
  auto expect = [&](bool newest_first, std::uint64_t after, const std::string& severity) {
    std::vector<AlertSummary> v;
    for (const auto& s : all) {
      if (s.seq > after && (severity.empty() || s.severity == severity)) v.push_back(s);
    }
    std::sort(v.begin(), v.end(), [&](const auto& a, const auto& b) { return newest_first ? a.seq > b.seq : a.seq < b.seq; });
    return ids(v);
  };
  EXPECT_EQ(ids(list(Q(queues).limit(0))), expect(true, 0, ""));
  EXPECT_EQ(ids(list(Q(queues).severities({"low"}).limit(0))), expect(true, 0, "low"));
  const std::uint64_t mid = all[57].seq;
  EXPECT_EQ(ids(list(Q(queues).after_seq(mid).limit(0))), expect(false, mid, ""));
  EXPECT_EQ(ids(list(Q(queues).severities({"high"}).after_seq(mid).limit(0))), expect(false, mid, "high"));
  auto first300 = expect(true, 0, "");
  first300.resize(300);
  EXPECT_EQ(ids(list(Q(queues).limit(300))), first300);
}

TEST_F(AlertStoreTest, RecordsADispositionWithOutboxAndAuditEntries) {
  FlagSpec s;
  s.offset = 300;
  const AlertSummary before = ingest(s);

  auto r = decide(before.flag_id, DispositionAction::kFalsePositive, "Different date of birth; checked passport scan",
                  "o.berg", kT0 + 90000);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_TRUE(r->has_value());
  const Alert& after = **r;
  EXPECT_EQ(after.summary.status, AlertStatus::kFalsePositive);
  EXPECT_GT(after.summary.seq, before.seq);
  EXPECT_EQ(after.summary.seq, seq());
  ASSERT_EQ(after.dispositions.size(), 1u);
  EXPECT_EQ(after.dispositions[0].action, DispositionAction::kFalsePositive);
  EXPECT_EQ(after.dispositions[0].comment, "Different date of birth; checked passport scan");
  EXPECT_EQ(after.dispositions[0].actor, "o.berg");
  EXPECT_EQ(after.dispositions[0].at_ms, kT0 + 90000);

  auto pending = store_->pending_dispositions(10);
  ASSERT_TRUE(pending.ok()) << pending.error().to_string();
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].key, before.flag_id);
  EXPECT_EQ((*pending)[0].value, encode_disposition_record(after.summary, after.dispositions[0]));
  EXPECT_THAT((*pending)[0].value, HasSubstr(R"("queue":"border","action":"false_positive")"));
  EXPECT_THAT((*pending)[0].value, HasSubstr(R"("status":"false_positive")"));
  EXPECT_THAT((*pending)[0].value, HasSubstr(R"("actor":"o.berg")"));

  auto audit = audit_of("disposition", before.flag_id);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].record.actor, "o.berg");
  EXPECT_EQ(audit[0].record.object_type, "alert");
  // The free-text comment stays out of the audit trail (which outlives masking); its hash proves it.
  EXPECT_EQ(audit[0].record.reason, "");
  EXPECT_EQ(audit[0].record.time, "2026-11-21T08:01:30.000Z");
  EXPECT_EQ(audit[0].record.details,
            R"({"queue":"border","action":"false_positive","status":"false_positive","comment_sha256":")" +
                crosscheck::sha256_hex("Different date of birth; checked passport scan") + R"("})");

  // A second decision appends; the status follows the latest.
  auto second = decide(before.flag_id, DispositionAction::kEscalate, "supervisor asked to re-check", "s.lind");
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  ASSERT_EQ((*second)->dispositions.size(), 2u);
  EXPECT_EQ((*second)->dispositions[1].actor, "s.lind");
  EXPECT_EQ((*second)->summary.status, AlertStatus::kEscalated);
  EXPECT_EQ(store_->pending_dispositions(10)->size(), 2u);
}

TEST_F(AlertStoreTest, RefusesEmptyCommentsAndUnknownAlertsWithoutChangingAnything) {
  FlagSpec s;
  s.offset = 310;
  const AlertSummary a = ingest(s);
  const std::uint64_t before = seq();
  for (const std::string& comment : {std::string(), std::string(" \t\r\n "), std::string(2001, 'x')}) {
    auto r = decide(a.flag_id, DispositionAction::kConfirmedMatch, comment);
    ASSERT_FALSE(r.ok()) << comment.size();
    EXPECT_TRUE(r.error().is_fatal());
    EXPECT_EQ(r.error().component(), "console");
  }
  auto no_actor = decide(a.flag_id, DispositionAction::kConfirmedMatch, "ok", "");
  ASSERT_FALSE(no_actor.ok());
  EXPECT_THAT(no_actor.error().message(), HasSubstr("actor"));
  EXPECT_EQ(seq(), before);
  EXPECT_TRUE(store_->pending_dispositions(10)->empty());
  EXPECT_TRUE(audit_of("disposition").empty());
  auto got = store_->get(a.flag_id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->summary.status, AlertStatus::kNew);
  EXPECT_TRUE((*got)->dispositions.empty());

  auto unknown = decide(flag_id_of(99999), DispositionAction::kEscalate, "who is this");
  ASSERT_TRUE(unknown.ok()) << unknown.error().to_string();
  EXPECT_FALSE(unknown->has_value());
  auto bad_id = decide("../../audit", DispositionAction::kEscalate, "who is this");
  ASSERT_TRUE(bad_id.ok());
  EXPECT_FALSE(bad_id->has_value());
  EXPECT_FALSE(store_->get("nope")->has_value());
  EXPECT_FALSE(store_->get(flag_id_of(99999))->has_value());
  EXPECT_EQ(seq(), before);
  EXPECT_TRUE(store_->pending_dispositions(10)->empty());

  // 2000 bytes is the limit, not beyond it.
  EXPECT_TRUE(decide(a.flag_id, DispositionAction::kConfirmedMatch, std::string(2000, 'y')).ok());
}

TEST_F(AlertStoreTest, OutboxHandsOutOldestFirstUntilAcknowledged) {
  std::vector<std::string> a;
  for (int i = 0; i < 3; ++i) {
    FlagSpec s;
    s.offset = 400 + i;
    a.push_back(ingest(s).flag_id);
    ASSERT_TRUE(decide(a.back(), DispositionAction::kConfirmedMatch, "same document number").ok());
  }
  auto first = store_->pending_dispositions(2);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].key, a[0]);
  EXPECT_EQ((*first)[1].key, a[1]);
  // Not acknowledged: handed out again.
  EXPECT_EQ(store_->pending_dispositions(2)->at(0).id, (*first)[0].id);
  ASSERT_TRUE(store_->ack_dispositions({(*first)[0].id, (*first)[1].id}).ok());
  auto rest = store_->pending_dispositions(10);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].key, a[2]);
  EXPECT_TRUE(store_->ack_dispositions({}).ok());
  ASSERT_TRUE(store_->ack_dispositions({(*rest)[0].id}).ok());
  EXPECT_TRUE(store_->pending_dispositions(10)->empty());
  EXPECT_TRUE(store_->pending_dispositions(0)->empty());
}

TEST_F(AlertStoreTest, RetentionMasksThenDeletesOnSchedule) {
  const milliseconds mask_after(30 * kDay);
  const milliseconds delete_after(365 * kDay);
  FlagSpec sa;
  sa.offset = 500;
  sa.name = "MIRELA RETENTIONSKA";
  sa.document = "RT0000001";
  sa.date_of_birth = "1977-07-07";
  const std::string original = make_flag(sa);
  const AlertSummary a = ingest(sa, kT0);
  FlagSpec sb;
  sb.offset = 501;
  sb.published_ms = kT0 + 10 * kDay;
  const AlertSummary b = ingest(sb, kT0 + 10 * kDay);
  ASSERT_TRUE(decide(a.flag_id, DispositionAction::kConfirmedMatch, "Mirela Retentionska, passport RT0000001 matches").ok());

  auto run = [&](std::int64_t now) {
    auto r = store_->apply_retention(now, mask_after, delete_after);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? *r : RetentionReport{};
  };

  // Not yet due.
  auto r0 = run(kT0 + 29 * kDay);
  EXPECT_EQ(r0.masked, 0u);
  EXPECT_EQ(r0.deleted, 0u);
  EXPECT_FALSE(store_->get(a.flag_id)->value().summary.masked);

  // A is due for masking, B is not.
  const std::uint64_t before = seq();
  auto r1 = run(kT0 + 31 * kDay);
  EXPECT_EQ(r1.masked, 1u);
  EXPECT_EQ(r1.deleted, 0u);
  auto got = store_->get(a.flag_id);
  ASSERT_TRUE(got.ok() && got->has_value());
  const Alert& masked = **got;
  EXPECT_TRUE(masked.summary.masked);
  EXPECT_EQ(masked.summary.subject_name, "[masked]");
  EXPECT_EQ(masked.summary.status, AlertStatus::kConfirmedMatch) << "the statistics stay";
  EXPECT_EQ(masked.summary.severity, "high");
  EXPECT_EQ(masked.summary.rule_id, "watchlist-hit:demo-national");
  EXPECT_GT(masked.summary.seq, before) << "live consoles must see the change";
  for (const char* v : {"RETENTIONSKA", "RT0000001", "1977-07-07"}) {
    EXPECT_EQ(masked.flag_json.find(v), std::string::npos) << v;
  }
  EXPECT_THAT(masked.flag_json, HasSubstr(a.flag_id));
  ASSERT_EQ(masked.dispositions.size(), 1u);
  EXPECT_EQ(masked.dispositions[0].comment, "[masked]");
  EXPECT_EQ(masked.dispositions[0].actor, "o.berg");
  EXPECT_EQ(ids(list(Q({"border"}).after_seq(before))), (std::vector<std::string>{a.flag_id}));
  auto sealed = store_->sealed_flag_json(a.flag_id);
  ASSERT_TRUE(sealed.ok() && sealed->has_value());
  EXPECT_EQ(**sealed, original);
  EXPECT_FALSE(store_->sealed_flag_json(b.flag_id)->has_value()) << "B is not masked";
  EXPECT_FALSE(store_->get(b.flag_id)->value().summary.masked);

  // Idempotent: the same run again changes nothing.
  const std::uint64_t after_mask = seq();
  auto r1b = run(kT0 + 31 * kDay);
  EXPECT_EQ(r1b.masked, 0u);
  EXPECT_EQ(r1b.deleted, 0u);
  EXPECT_EQ(seq(), after_mask);

  // A decision on a masked alert is still allowed.
  ASSERT_TRUE(decide(a.flag_id, DispositionAction::kEscalate, "re-opened after a complaint").ok());

  auto r2 = run(kT0 + 41 * kDay);
  EXPECT_EQ(r2.masked, 1u);
  EXPECT_TRUE(store_->get(b.flag_id)->value().summary.masked);

  // A is due for deletion; B a little later.
  auto r3 = run(kT0 + 366 * kDay);
  EXPECT_EQ(r3.deleted, 1u);
  EXPECT_EQ(r3.masked, 0u);
  EXPECT_FALSE(store_->get(a.flag_id)->has_value());
  EXPECT_FALSE(store_->sealed_flag_json(a.flag_id)->has_value());
  EXPECT_EQ(ids(list(Q({"border"}))), (std::vector<std::string>{b.flag_id}));
  auto r4 = run(kT0 + 376 * kDay);
  EXPECT_EQ(r4.deleted, 1u);
  EXPECT_TRUE(list(Q({"border"})).empty());
  EXPECT_EQ(run(kT0 + 400 * kDay).deleted, 0u);

  // The audit trail stays: a mask and a delete entry for each, by "retention", without the person.
  for (const auto& id : {a.flag_id, b.flag_id}) {
    for (const char* action : {"mask", "delete"}) {
      auto entries = audit_of(action, id);
      ASSERT_EQ(entries.size(), 1u) << action << " " << id;
      EXPECT_EQ(entries[0].record.actor, "retention");
      EXPECT_EQ(entries[0].record.object_type, "alert");
      EXPECT_EQ(entries[0].record.details.find("RETENTIONSKA"), std::string::npos);
      EXPECT_THAT(entries[0].record.details, HasSubstr("border"));
    }
  }
  EXPECT_EQ(audit_of("disposition", a.flag_id).size(), 2u);
  // Deleted alerts leave no alert keys behind (the audit stream and counters remain).
  for (const auto& k : keys()) {
    EXPECT_EQ(k.find("console:alert:"), std::string::npos) << k;
    EXPECT_EQ(k.find("console:queue:"), std::string::npos) << k;
  }
}

// A flag replayed long after it was published must not get a new retention period.
TEST_F(AlertStoreTest, RetentionCountsFromPublicationWhenThatIsEarlier) {
  FlagSpec old;
  old.offset = 600;
  old.published_ms = kT0 - 40 * kDay;
  const AlertSummary a = ingest(old, kT0);
  EXPECT_EQ(a.received_ms, kT0);
  auto r = store_->apply_retention(kT0 + 1, milliseconds(30 * kDay), milliseconds(365 * kDay));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->masked, 1u);
}

TEST_F(AlertStoreTest, RetentionWorksInBatches) {
  for (int i = 0; i < 520; ++i) {
    FlagSpec s;
    s.offset = 2000 + i;
    s.queue = i % 2 ? "border" : "customs";
    ingest(s, kT0 + i);
  }
  auto masked = store_->apply_retention(kT0 + 10 * kDay, milliseconds(kDay), milliseconds(100 * kDay));
  ASSERT_TRUE(masked.ok()) << masked.error().to_string();
  EXPECT_EQ(masked->masked, 520u);
  EXPECT_EQ(audit_of("mask").size(), 520u);
  auto deleted = store_->apply_retention(kT0 + 101 * kDay, milliseconds(kDay), milliseconds(100 * kDay));
  ASSERT_TRUE(deleted.ok()) << deleted.error().to_string();
  EXPECT_EQ(deleted->deleted, 520u);
  EXPECT_EQ(deleted->masked, 0u);
  EXPECT_TRUE(list(Q({"border", "customs"}).limit(0)).empty());
}

}  // namespace
}  // namespace crosscheck::console
