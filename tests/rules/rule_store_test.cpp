// Integration: RuleStore and AuditLog against the real Redis (versions, four eyes, the atomically
// switched active set, expiry, the audit stream).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "crosscheck/rules/audit_log.h"
#include "crosscheck/rules/redis_client.h"
#include "crosscheck/rules/rule.h"
#include "crosscheck/rules/rule_store.h"
#include "crosscheck/testing/redis_test_env.h"
#include "crosscheck/testing/test_env.h"
#include "crosscheck/time_format.h"

namespace crosscheck::rules {
namespace {

using ::testing::HasSubstr;

constexpr std::int64_t kDay = 24LL * 3600 * 1000;

std::string rule_json(const std::string& id, const std::string& owner, const std::string& mode, std::int64_t now,
                      std::int64_t expires_ms, const std::string& purpose = "detect large payments to listed organisations") {
  return R"({"id":")" + id + R"(","applies_to":["payment"],"when":{"all":[)"
         R"({"field":"payment.amount","op":">=","value":"10000"},)"
         R"({"hit":{"role":"creditor","lists":[],"min_score":0.85}}]},)"
         R"("severity":"high","queue":"payments","legal_basis":"AMLD6 art. 18","purpose":")" + purpose +
         R"(","owner":")" + owner + R"(","data_categories":["payment.amount"],)"
         R"("valid_from":")" + timefmt::format_utc_ms(now - kDay) + R"(","expires":")" +
         timefmt::format_utc_ms(expires_ms) + R"(","max_flags_per_hour":50,"max_flag_share":0.01,"mode":")" + mode +
         R"("})";
}

Rule make_rule(const std::string& id, const std::string& owner = "fiu-rules@example.org",
               const std::string& mode = "enforce", std::int64_t expires_ms = 0,
               const std::string& purpose = "detect large payments to listed organisations") {
  const std::int64_t now = timefmt::now_ms();
  std::vector<RuleViolation> violations;
  auto rule = parse_rule(rule_json(id, owner, mode, now, expires_ms ? expires_ms : now + 30 * kDay, purpose), violations);
  if (!rule) {
    std::string why;
    for (const auto& v : violations) why += v.code + " " + v.path + ": " + v.message + "; ";
    throw std::runtime_error("test rule does not parse: " + why);
  }
  return *rule;
}

class RuleStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CROSSCHECK_REQUIRE_REDIS();
    env_ = std::make_unique<testing::RedisTestEnv>(*testing::redis_address());
    redis_ = std::make_unique<RedisClient>(env_->config());
    store_ = std::make_unique<RuleStore>(*redis_, env_->prefix());
    audit_ = std::make_unique<AuditLog>(*redis_, env_->prefix());
  }
  // Puts, approves (by a second person) and returns the version.
  std::uint64_t put_approved(const Rule& rule) {
    auto s = store_->put(rule, "alice", timefmt::now_ms());
    EXPECT_TRUE(s.ok()) << s.error().to_string();
    auto a = store_->approve(rule.id, s->rule.version, "bob", "reviewed", timefmt::now_ms());
    EXPECT_TRUE(a.ok()) << a.error().to_string();
    return s->rule.version;
  }
  std::vector<AuditEntry> audit_of(const std::string& action) {
    AuditFilter f;
    f.action = action;
    f.limit = 0;
    auto r = audit_->list(f);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? *r : std::vector<AuditEntry>{};
  }
  std::unique_ptr<testing::RedisTestEnv> env_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<RuleStore> store_;
  std::unique_ptr<AuditLog> audit_;
};

TEST_F(RuleStoreTest, PutAssignsVersionsAndStoredVersionsNeverChange) {
  const std::int64_t now = timefmt::now_ms();
  auto v1 = store_->put(make_rule("pay-large", "fiu@example.org", "enforce", 0, "first purpose"), "alice", now);
  ASSERT_TRUE(v1.ok()) << v1.error().to_string();
  EXPECT_EQ(v1->rule.version, 1u);
  EXPECT_EQ(v1->state, RuleState::kProposed);
  const std::string v1_key = env_->prefix() + "rule:pay-large:v:1";
  auto raw_before = redis_->command({"HGET", v1_key, "text"});
  ASSERT_TRUE(raw_before.ok());
  EXPECT_EQ(raw_before->str, v1->text);

  auto v2 = store_->put(make_rule("pay-large", "fiu@example.org", "enforce", 0, "second purpose"), "carol", now);
  ASSERT_TRUE(v2.ok()) << v2.error().to_string();
  EXPECT_EQ(v2->rule.version, 2u);
  EXPECT_NE(v2->text, v1->text);

  // v1 is exactly what was stored first, text and author; approving it does not touch the text.
  ASSERT_TRUE(store_->approve("pay-large", 1, "bob", "fine", now).ok());
  auto back = store_->get("pay-large", 1);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->text, v1->text);
  EXPECT_EQ(back->rule.purpose, "first purpose");
  EXPECT_EQ(back->author, "alice");
  EXPECT_EQ(back->rule.version, 1u);
  EXPECT_EQ(back->digest, rule_digest(v1->rule));
  auto raw_after = redis_->command({"HGET", v1_key, "text"});
  ASSERT_TRUE(raw_after.ok());
  EXPECT_EQ(raw_after->str, raw_before->str);
  EXPECT_THAT(raw_after->str, ::testing::Not(HasSubstr("approved_by")));
  auto latest = store_->get("pay-large");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->rule.version, 2u);
  EXPECT_EQ(latest->rule.purpose, "second purpose");

  // Each put is audited with before and after versions.
  auto creates = audit_of("create");
  ASSERT_EQ(creates.size(), 2u);
  EXPECT_EQ(creates[0].record.after_version, 2u);  // newest first
  EXPECT_EQ(creates[0].record.before_version, 1u);
  EXPECT_EQ(creates[0].record.actor, "carol");
  EXPECT_EQ(creates[1].record.after_version, 1u);
  EXPECT_FALSE(creates[1].record.before_version.has_value());
}

TEST_F(RuleStoreTest, AuthorCannotApprove) {
  auto s = store_->put(make_rule("r-author"), "alice", timefmt::now_ms());
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  for (const std::string who : {"alice", "ALICE"}) {
    auto a = store_->approve("r-author", 1, who, "looks fine to me", timefmt::now_ms());
    ASSERT_FALSE(a.ok()) << who;
    EXPECT_EQ(a.error().code(), kRuleRefused);
    EXPECT_THAT(a.error().message(), HasSubstr("second person"));
  }
  auto back = store_->get("r-author", 1);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->state, RuleState::kProposed);
  EXPECT_FALSE(back->rule.approval.present());
  EXPECT_TRUE(audit_of("approve").empty());
}

TEST_F(RuleStoreTest, OwnerCannotApproveAndApprovalIsRecorded) {
  auto s = store_->put(make_rule("r-owner", "b.weber@example.org"), "alice", timefmt::now_ms());
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  for (const std::string who : {"b.weber@example.org", "b.weber", "B.Weber"}) {
    auto a = store_->approve("r-owner", 1, who, "ok", timefmt::now_ms());
    ASSERT_FALSE(a.ok()) << who;
    EXPECT_EQ(a.error().code(), kRuleRefused);
    EXPECT_THAT(a.error().message(), HasSubstr("owner"));
  }
  EXPECT_FALSE(store_->approve("r-owner", 1, "carol", "   ", timefmt::now_ms()).ok()) << "a comment is required";
  const std::int64_t at = timefmt::now_ms();
  auto a = store_->approve("r-owner", 1, "carol", "necessary and proportionate", at);
  ASSERT_TRUE(a.ok()) << a.error().to_string();
  EXPECT_EQ(a->state, RuleState::kApproved);
  EXPECT_EQ(a->rule.approval.approved_by, "carol");
  EXPECT_EQ(a->rule.approval.approved_at, timefmt::format_utc_ms(at));
  EXPECT_EQ(a->rule.approval.comment, "necessary and proportionate");
  auto again = store_->approve("r-owner", 1, "dave", "me too", timefmt::now_ms());
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.error().message(), HasSubstr("approved by carol"));
  auto approvals = audit_of("approve");
  ASSERT_EQ(approvals.size(), 1u);
  EXPECT_EQ(approvals[0].record.actor, "carol");
  EXPECT_EQ(approvals[0].record.reason, "necessary and proportionate");
  EXPECT_EQ(approvals[0].record.after_version, 1u);
  auto missing = store_->approve("r-owner", 9, "carol", "x", timefmt::now_ms());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), kRuleNotFound);
}

TEST_F(RuleStoreTest, ActivateRequiresApproval) {
  auto s = store_->put(make_rule("r-act"), "alice", timefmt::now_ms());
  ASSERT_TRUE(s.ok());
  auto early = store_->activate("r-act", 1, "alice", timefmt::now_ms());
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code(), kRuleRefused);
  EXPECT_THAT(early.error().message(), HasSubstr("approve it first"));
  auto gen0 = store_->active_generation();
  ASSERT_TRUE(gen0.ok());
  EXPECT_EQ(*gen0, 0u);

  ASSERT_TRUE(store_->approve("r-act", 1, "bob", "ok", timefmt::now_ms()).ok());
  auto act = store_->activate("r-act", 1, "alice", timefmt::now_ms());
  ASSERT_TRUE(act.ok()) << act.error().to_string();
  EXPECT_FALSE(act->replaced.has_value());
  EXPECT_EQ(act->generation, 1u);
  auto set = store_->load_active();
  ASSERT_TRUE(set.ok()) << set.error().to_string();
  EXPECT_EQ(set->generation, 1u);
  ASSERT_EQ(set->rules.size(), 1u);
  EXPECT_EQ(set->rules[0].id, "r-act");
  EXPECT_EQ(set->rules[0].version, 1u);
  EXPECT_EQ(set->rules[0].approval.approved_by, "bob");
  // Activating it again changes nothing and audits nothing.
  auto twice = store_->activate("r-act", 1, "alice", timefmt::now_ms());
  ASSERT_TRUE(twice.ok());
  EXPECT_TRUE(twice->already_active);
  EXPECT_EQ(*store_->active_generation(), 1u);
  EXPECT_EQ(audit_of("activate").size(), 1u);
}

TEST_F(RuleStoreTest, ShadowRunsBesideEnforceAndActivationReplacesSameMode) {
  const auto v1 = put_approved(make_rule("r-modes", "fiu@example.org", "enforce"));
  const auto v2 = put_approved(make_rule("r-modes", "fiu@example.org", "shadow"));
  const auto v3 = put_approved(make_rule("r-modes", "fiu@example.org", "enforce"));
  ASSERT_TRUE(store_->activate("r-modes", v1, "alice", timefmt::now_ms()).ok());
  ASSERT_TRUE(store_->activate("r-modes", v2, "alice", timefmt::now_ms()).ok());
  auto set = store_->load_active();
  ASSERT_TRUE(set.ok());
  ASSERT_EQ(set->rules.size(), 2u) << "one enforce and one shadow version side by side";
  auto act = store_->activate("r-modes", v3, "alice", timefmt::now_ms());
  ASSERT_TRUE(act.ok());
  EXPECT_EQ(act->replaced, v1);
  auto entries = store_->active_entries();
  ASSERT_TRUE(entries.ok());
  std::set<std::pair<std::uint64_t, RuleMode>> got;
  for (const auto& e : *entries) got.insert({e.version, e.mode});
  EXPECT_EQ(got, (std::set<std::pair<std::uint64_t, RuleMode>>{{v3, RuleMode::kEnforce}, {v2, RuleMode::kShadow}}));
  EXPECT_EQ(store_->get("r-modes", v1)->state, RuleState::kSuperseded);
  auto activations = audit_of("activate");
  ASSERT_EQ(activations.size(), 3u);
  EXPECT_EQ(activations[0].record.before_version, v1);
  EXPECT_EQ(activations[0].record.after_version, v3);
  // Rollback: a superseded version may be activated again without a new approval.
  auto back = store_->activate("r-modes", v1, "alice", timefmt::now_ms());
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->replaced, v3);
  auto rows = store_->list();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].latest_version, 3u);
  EXPECT_EQ((*rows)[0].enforce_version, v1);
  EXPECT_EQ((*rows)[0].shadow_version, v2);
  ASSERT_EQ((*rows)[0].versions.size(), 3u);
  EXPECT_EQ((*rows)[0].versions[2].second, RuleState::kSuperseded);
}

TEST_F(RuleStoreTest, SuspendLeavesTheSetAndIsFinal) {
  const auto v = put_approved(make_rule("r-susp"));
  ASSERT_TRUE(store_->activate("r-susp", v, "alice", timefmt::now_ms()).ok());
  EXPECT_FALSE(store_->suspend("r-susp", v, "alice", "", timefmt::now_ms()).ok()) << "a reason is required";
  auto s = store_->suspend("r-susp", v, "alice", "complaint under review", timefmt::now_ms());
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_TRUE(s->was_active);
  EXPECT_EQ(s->generation, 2u);
  auto set = store_->load_active();
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->rules.empty());
  EXPECT_EQ(set->generation, 2u);
  auto again = store_->activate("r-susp", v, "alice", timefmt::now_ms());
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.error().message(), HasSubstr("suspended"));
  auto shown = store_->get("r-susp", v);
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown->state, RuleState::kSuspended);
  EXPECT_EQ(shown->reason, "complaint under review");
  auto suspends = audit_of("suspend");
  ASSERT_EQ(suspends.size(), 1u);
  EXPECT_EQ(suspends[0].record.reason, "complaint under review");
  EXPECT_EQ(suspends[0].record.before_version, v);
}

TEST_F(RuleStoreTest, ExpiredRuleCannotBeActivated) {
  const std::int64_t expires = timefmt::now_ms() + 60'000;
  const auto v = put_approved(make_rule("r-old", "fiu@example.org", "enforce", expires));
  auto a = store_->activate("r-old", v, "alice", expires);  // activation at the expiry instant
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code(), kRuleRefused);
  EXPECT_THAT(a.error().message(), HasSubstr("expired"));
  EXPECT_TRUE(store_->activate("r-old", v, "alice", expires - 1).ok());
}

TEST_F(RuleStoreTest, ExpireDueWithConcurrentCallersExpiresAndAuditsEachOnce) {
  const std::int64_t now = timefmt::now_ms();
  constexpr int kRounds = 5;
  constexpr int kRulesPerRound = 4;
  std::size_t total = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::int64_t expires = now + (round + 1) * 60'000;
    for (int i = 0; i < kRulesPerRound; ++i) {
      const std::string id = "exp-" + std::to_string(round) + "-" + std::to_string(i);
      const auto v = put_approved(make_rule(id, "fiu@example.org", i % 2 ? "shadow" : "enforce", expires));
      ASSERT_TRUE(store_->activate(id, v, "alice", now).ok());
    }
    // A rule expiring later stays.
    const std::string keep = "keep-" + std::to_string(round);
    ASSERT_TRUE(store_->activate(keep, put_approved(make_rule(keep, "fiu@example.org", "enforce", now + 20 * kDay)),
                                 "alice", now).ok());
    std::atomic<int> ready{0};
    std::atomic<std::size_t> expired{0};
    std::atomic<int> errors{0};
    auto caller = [&] {
      RedisClient client(env_->config());
      RuleStore store(client, env_->prefix());
      if (!store.active_generation().ok()) errors.fetch_add(1);  // connected before the race starts
      ready.fetch_add(1);
      while (ready.load() < 2) {
      }
      auto r = store.expire_due(expires);
      if (!r.ok()) errors.fetch_add(1); else expired.fetch_add(r->size());
    };
    std::thread a(caller), b(caller);
    a.join();
    b.join();
    EXPECT_EQ(errors.load(), 0);
    EXPECT_EQ(expired.load(), static_cast<std::size_t>(kRulesPerRound)) << "round " << round;
    total += kRulesPerRound;
    EXPECT_EQ(audit_of("expire").size(), total) << "round " << round;
  }
  auto set = store_->load_active();
  ASSERT_TRUE(set.ok());
  ASSERT_EQ(set->rules.size(), static_cast<std::size_t>(kRounds));
  for (const auto& r : set->rules) EXPECT_EQ(r.id.rfind("keep-", 0), 0u) << r.id;
  auto gone = store_->get("exp-0-0", 1);
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->state, RuleState::kExpired);
  auto entries = audit_of("expire");
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries.back().record.actor, "system");
  EXPECT_THAT(entries.back().record.details, HasSubstr("\"mode\""));
  // Nothing left to expire: a further call changes nothing.
  auto none = store_->expire_due(now + kRounds * 60'000);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// A reader loading the active set in a loop while a writer switches versions sees, for every
// generation, exactly the set the writer made at that generation: never a mix.
TEST_F(RuleStoreTest, ActiveSetSwitchIsAtomic) {
  const std::vector<std::string> ids = {"sw-a", "sw-b", "sw-c"};
  constexpr std::uint64_t kVersions = 3;
  for (const auto& id : ids) {
    for (std::uint64_t v = 1; v <= kVersions; ++v) ASSERT_EQ(put_approved(make_rule(id)), v);
  }
  using Set = std::set<std::pair<std::string, std::uint64_t>>;
  std::mutex mu;
  std::map<std::uint64_t, Set> written;  // generation -> the set the writer made
  std::vector<std::pair<std::uint64_t, Set>> seen;
  std::atomic<bool> done{false};
  std::atomic<int> reader_errors{0};

  std::thread reader([&] {
    RedisClient client(env_->config());
    RuleStore store(client, env_->prefix());
    while (!done.load()) {
      auto set = store.load_active();
      if (!set.ok()) {
        reader_errors.fetch_add(1);
        continue;
      }
      Set s;
      for (const auto& r : set->rules) s.insert({r.id, r.version});
      seen.emplace_back(set->generation, std::move(s));
    }
  });
  {
    RedisClient client(env_->config());
    RuleStore store(client, env_->prefix());
    std::map<std::string, std::uint64_t> current;
    for (int i = 0; i < 300; ++i) {
      const std::string& id = ids[static_cast<std::size_t>(i) % ids.size()];
      const std::uint64_t v = 1 + static_cast<std::uint64_t>(i / 3) % kVersions;
      auto a = store.activate(id, v, "alice", timefmt::now_ms());
      if (!a.ok()) {
        ADD_FAILURE() << a.error().to_string();
        break;
      }
      if (a->already_active) continue;
      current[id] = v;
      Set s(current.begin(), current.end());
      std::lock_guard lock(mu);
      written[a->generation] = std::move(s);
    }
  }
  done = true;
  reader.join();
  EXPECT_EQ(reader_errors.load(), 0);
  ASSERT_GT(seen.size(), 10u) << "the reader should have loaded the set many times";
  std::size_t checked = 0;
  for (const auto& [generation, set] : seen) {
    if (generation == 0) {
      EXPECT_TRUE(set.empty());
      continue;
    }
    auto it = written.find(generation);
    ASSERT_NE(it, written.end()) << "generation " << generation << " was never written";
    EXPECT_EQ(set, it->second) << "generation " << generation << " loaded a mixed set";
    ++checked;
  }
  EXPECT_GT(checked, 0u);
}

TEST_F(RuleStoreTest, RefusesBadInput) {
  Rule bad = make_rule("ok-id");
  bad.id = "Bad Id!";
  auto p = store_->put(bad, "alice", timefmt::now_ms());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code(), kRuleInvalid);
  auto no_actor = store_->put(make_rule("ok-id"), "", timefmt::now_ms());
  ASSERT_FALSE(no_actor.ok());
  EXPECT_THAT(no_actor.error().message(), HasSubstr("actor"));
  auto missing = store_->get("nope", 0);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), kRuleNotFound);
  // A hand-corrupted active set is an error, not a crash.
  ASSERT_TRUE(redis_->command({"HSET", env_->prefix() + "rules:active", "sideways:x", "1"}).ok());
  auto set = store_->load_active();
  ASSERT_FALSE(set.ok());
  EXPECT_THAT(set.error().message(), HasSubstr("malformed"));
}

TEST_F(RuleStoreTest, RedisUnreachableIsARetriableRedisError) {
  RedisConfig cfg;
  cfg.host = "127.0.0.1";
  cfg.port = 1;
  RedisClient dead(cfg);
  RuleStore store(dead, env_->prefix());
  auto g = store.active_generation();
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().component(), "redis");
  EXPECT_TRUE(g.error().is_retriable());
}

// ---- the audit stream --------------------------------------------------------------------------

TEST_F(RuleStoreTest, AuditAppendListAndFilter) {
  struct Row { const char* actor; const char* action; const char* type; const char* object; };
  const std::vector<Row> rows = {
      {"alice", "create", "rule", "r1"},     {"bob", "approve", "rule", "r1"},
      {"alice", "activate", "rule", "r1"},   {"carol", "publish", "watchlist", "un-sc"},
      {"alice", "create", "rule", "r2"},     {"system", "expire", "rule", "r1"},
  };
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    AuditRecord r;
    r.actor = rows[i].actor;
    r.action = rows[i].action;
    r.object_type = rows[i].type;
    r.object_id = rows[i].object;
    r.after_version = i + 1;
    r.reason = "step " + std::to_string(i);
    r.details = R"({"n":)" + std::to_string(i) + "}";
    auto id = audit_->append(r);
    ASSERT_TRUE(id.ok()) << id.error().to_string();
    ids.push_back(*id);
  }
  auto by = [&](AuditFilter f) {
    auto r = audit_->list(f);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    std::vector<std::string> reasons;
    if (r.ok()) for (const auto& e : *r) reasons.push_back(e.record.reason);
    return reasons;
  };
  AuditFilter f;
  EXPECT_EQ(by(f), (std::vector<std::string>{"step 5", "step 4", "step 3", "step 2", "step 1", "step 0"}));
  f.actor = "alice";
  EXPECT_EQ(by(f), (std::vector<std::string>{"step 4", "step 2", "step 0"}));
  f.limit = 2;
  EXPECT_EQ(by(f), (std::vector<std::string>{"step 4", "step 2"}));
  f.newest_first = false;
  EXPECT_EQ(by(f), (std::vector<std::string>{"step 0", "step 2"}));
  AuditFilter g;
  g.object_id = "r1";
  g.action = "create";
  EXPECT_EQ(by(g), (std::vector<std::string>{"step 0"}));
  AuditFilter t;
  t.object_type = "watchlist";
  EXPECT_EQ(by(t), (std::vector<std::string>{"step 3"}));
  AuditFilter future;
  future.since_ms = timefmt::now_ms() + kDay;
  EXPECT_TRUE(by(future).empty());
  AuditFilter past;
  past.until_ms = 1000;
  EXPECT_TRUE(by(past).empty());

  // read_after pages through everything, oldest first, for the Kafka mirror.
  std::vector<std::string> paged;
  std::string last;
  while (true) {
    auto page = audit_->read_after(last, 4);
    ASSERT_TRUE(page.ok()) << page.error().to_string();
    if (page->empty()) break;
    for (const auto& e : *page) paged.push_back(e.id);
    last = page->back().id;
  }
  EXPECT_EQ(paged, ids);

  auto all = audit_->list(AuditFilter{});
  ASSERT_TRUE(all.ok());
  const std::string json = encode_audit_entry_json(all->back());
  EXPECT_EQ(json, R"({"id":")" + ids[0] + R"(","time":")" + all->back().record.time +
                      R"(","actor":"alice","action":"create","object_type":"rule","object_id":"r1",)"
                      R"("before_version":null,"after_version":1,"reason":"step 0","details":{"n":0}})");
}

TEST_F(RuleStoreTest, AuditRejectsIncompleteRecords) {
  AuditRecord r;
  r.actor = "alice";
  r.action = "create";
  r.object_type = "rule";
  EXPECT_FALSE(audit_->append(r).ok()) << "object_id missing";
  r.object_id = "r1";
  r.details = "[1,2]";
  EXPECT_FALSE(audit_->append(r).ok()) << "details must be an object";
  r.details = "{\"k\":1}";
  EXPECT_TRUE(audit_->append(r).ok());
}

TEST_F(RuleStoreTest, AuditMaxLengthTrimsApproximately) {
  AuditLog bounded(*redis_, env_->prefix(), AuditOptions{100});
  AuditRecord r{"alice", "", "create", "rule", "r1", std::nullopt, 1u, "", "{}"};
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(bounded.append(r).ok());
  auto len = redis_->command({"XLEN", bounded.stream_key()});
  ASSERT_TRUE(len.ok());
  EXPECT_GE(len->integer, 100);
  EXPECT_LT(len->integer, 1000);
}

}  // namespace
}  // namespace crosscheck::rules
