// The managers' operations (rule_admin.h) and the `crosscheck rules` / `crosscheck audit` CLI:
// renderings, statuses and exit codes. The rule diff and validate need no server; the rest runs
// against the real Redis.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <simdjson.h>

#include <cstdio>
#include <fstream>

#include "crosscheck/rules/audit_log.h"
#include "crosscheck/rules/rule_admin.h"
#include "crosscheck/rules/rule_store.h"
#include "crosscheck/testing/child_process.h"
#include "crosscheck/testing/redis_test_env.h"
#include "crosscheck/testing/test_env.h"
#include "crosscheck/time_format.h"

namespace crosscheck::rules {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::int64_t kDay = 24LL * 3600 * 1000;
// One base time for every rule text of the run, so that two versions differ only where a test
// makes them differ.
const std::int64_t kNow = timefmt::now_ms();

// A valid payment rule; `extra` replaces keys by plain text substitution in the tests below.
std::string good_rule(const std::string& id, const std::string& owner = "fiu-rules@example.org",
                      const std::string& amount = "10000") {
  const std::int64_t now = kNow;
  return R"({"id":")" + id + R"(","applies_to":["payment"],"when":{"all":[)"
         R"({"field":"payment.amount","op":">=","value":")" + amount + R"("},)"
         R"({"hit":{"role":"creditor","lists":[],"min_score":0.85}}]},)"
         R"("severity":"high","queue":"payments","legal_basis":"AMLD6 art. 18","purpose":"large payments to listed organisations",)"
         R"("owner":")" + owner + R"(","data_categories":["payment.amount"],)"
         R"("valid_from":")" + timefmt::format_utc_ms(now - kDay) + R"(","expires":")" +
         timefmt::format_utc_ms(now + 30 * kDay) + R"(","max_flags_per_hour":50,"max_flag_share":0.01,"mode":"enforce"})";
}

// No legal basis, purpose or owner, and a lifetime of two years: four separate violations.
std::string bad_rule() {
  const std::int64_t now = timefmt::now_ms();
  return R"({"id":"too-much","applies_to":["payment"],"when":{"field":"payment.amount","op":">=","value":"10000"},)"
         R"("severity":"high","queue":"payments","data_categories":["payment.amount"],)"
         R"("valid_from":")" + timefmt::format_utc_ms(now - kDay) + R"(","expires":")" +
         timefmt::format_utc_ms(now + 730 * kDay) + R"(","max_flags_per_hour":50,"max_flag_share":0.01,"mode":"enforce"})";
}

std::string write_temp(const std::string& stem, const std::string& text) {
  const std::string path = "/tmp/" + testing::unique_name(stem) + ".json";
  std::ofstream(path) << text;
  return path;
}

bool is_json_object(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  return parser.parse(simdjson::padded_string(text)).get(root) == simdjson::SUCCESS &&
         root.type() == simdjson::dom::element_type::OBJECT;
}

// ---- no server ---------------------------------------------------------------------------------

TEST(RuleDiff, KeyByKeyInDocumentOrder) {
  auto d = diff_rule_json(R"({"id":"r","version":1,"a":{"x":1,"y":[1,2]},"gone":"z"})",
                          R"({"id":"r","version":2,"a":{"x":2,"y":[1,2,3]},"new":true})");
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  ASSERT_EQ(d->size(), 5u);
  EXPECT_EQ((*d)[0].path, "version");
  EXPECT_EQ((*d)[1].path, "a.x");
  EXPECT_EQ((*d)[1].before, "1");
  EXPECT_EQ((*d)[1].after, "2");
  EXPECT_EQ((*d)[2].path, "a.y[2]");
  EXPECT_FALSE((*d)[2].before.has_value());
  EXPECT_EQ((*d)[2].after, "3");
  EXPECT_EQ((*d)[3].path, "gone");
  EXPECT_EQ((*d)[3].before, "\"z\"");
  EXPECT_FALSE((*d)[3].after.has_value());
  EXPECT_EQ((*d)[4].path, "new");
  EXPECT_FALSE(diff_rule_json("{", "{}").ok());
  auto same = diff_rule_json(R"({"a":[]})", R"({"a":[]})");
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->empty());
}

TEST(RuleAdminValidate, ReportsEveryViolation) {
  RulePolicy policy;
  auto r = admin_validate(bad_rule(), policy, timefmt::now_ms());
  EXPECT_EQ(r.status, AdminStatus::kRejected);
  EXPECT_EQ(r.exit_code(), 1);
  for (const char* key : {"legal_basis", "purpose", "owner", "expires"}) {
    EXPECT_THAT(r.text, HasSubstr(key)) << r.text;
  }
  ASSERT_TRUE(is_json_object(r.json)) << r.json;
  simdjson::dom::parser parser;
  auto violations = parser.parse(simdjson::padded_string(r.json))["violations"].get_array();
  ASSERT_FALSE(violations.error());
  EXPECT_GE(violations.value().size(), 4u) << r.json;

  auto ok = admin_validate(good_rule("fine"), policy, timefmt::now_ms());
  EXPECT_EQ(ok.status, AdminStatus::kOk) << ok.text;
  EXPECT_THAT(ok.text, HasSubstr("valid: fine"));
  // A stricter lifetime policy rejects the same rule.
  policy.max_lifetime_ms = 7 * kDay;
  EXPECT_EQ(admin_validate(good_rule("fine"), policy, timefmt::now_ms()).status, AdminStatus::kRejected);
  // Garbage is a rejection with a message, not a crash.
  auto junk = admin_validate("{not json", RulePolicy{}, timefmt::now_ms());
  EXPECT_EQ(junk.status, AdminStatus::kRejected);
  EXPECT_FALSE(junk.text.empty());
}

TEST(RuleAdminValidate, ApprovalInTheFileIsRejected) {
  std::string text = good_rule("self-approved");
  text.insert(text.size() - 1, R"(,"approval":{"approved_by":"me","approved_at":"2026-01-01T00:00:00Z","comment":"x"})");
  auto r = admin_validate(text, RulePolicy{}, timefmt::now_ms());
  EXPECT_EQ(r.status, AdminStatus::kRejected);
  EXPECT_THAT(r.text, HasSubstr("approval"));
}

TEST(RuleAdminAudit, SinceParsesTimesAndDurations) {
  const std::int64_t now = 1'000'000'000'000;
  EXPECT_EQ(parse_since("24h", now), now - 24 * 3600 * 1000);
  EXPECT_EQ(parse_since("90m", now), now - 90 * 60 * 1000);
  EXPECT_EQ(parse_since("7d", now), now - 7 * kDay);
  EXPECT_EQ(parse_since("2026-01-01T00:00:00Z", now), timefmt::parse_timestamp_ms("2026-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_since("yesterday", now).has_value());
  EXPECT_FALSE(parse_since("5w", now).has_value());
}

// ---- against Redis -----------------------------------------------------------------------------

class RuleAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CROSSCHECK_REQUIRE_REDIS();
    env_ = std::make_unique<testing::RedisTestEnv>(*testing::redis_address());
    redis_ = std::make_unique<RedisClient>(env_->config());
    store_ = std::make_unique<RuleStore>(*redis_, env_->prefix());
  }
  std::unique_ptr<testing::RedisTestEnv> env_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<RuleStore> store_;
};

TEST_F(RuleAdminTest, LifecycleThroughTheOperations) {
  const std::int64_t now = timefmt::now_ms();
  auto rejected = admin_put(*store_, bad_rule(), RulePolicy{}, "alice", now);
  EXPECT_EQ(rejected.status, AdminStatus::kRejected);
  EXPECT_THAT(rejected.text, HasSubstr("not stored"));
  EXPECT_FALSE(store_->get("too-much").ok()) << "a rejected rule is not stored";

  auto put = admin_put(*store_, good_rule("life"), RulePolicy{}, "alice", now);
  ASSERT_EQ(put.status, AdminStatus::kOk) << put.text;
  EXPECT_THAT(put.text, HasSubstr("stored life version 1"));
  ASSERT_TRUE(is_json_object(put.json));
  ASSERT_EQ(admin_put(*store_, good_rule("life", "fiu-rules@example.org", "20000"), RulePolicy{}, "alice", now).status,
            AdminStatus::kOk);

  EXPECT_EQ(admin_activate(*store_, "life", 1, "alice", now).status, AdminStatus::kRejected);
  auto self = admin_approve(*store_, "life", 1, "alice", "mine", now);
  EXPECT_EQ(self.status, AdminStatus::kRejected);
  EXPECT_THAT(self.text, HasSubstr("second person"));
  auto ok = admin_approve(*store_, "life", 1, "bob", "proportionate", now);
  ASSERT_EQ(ok.status, AdminStatus::kOk) << ok.text;
  auto act = admin_activate(*store_, "life", 1, "alice", now);
  ASSERT_EQ(act.status, AdminStatus::kOk) << act.text;
  EXPECT_THAT(act.text, HasSubstr("activated life version 1 in enforce mode"));

  auto list = admin_list(*store_);
  ASSERT_EQ(list.status, AdminStatus::kOk);
  EXPECT_THAT(list.text, HasSubstr("1:active 2:proposed"));
  ASSERT_TRUE(is_json_object(list.json)) << list.json;

  auto show = admin_show(*store_, "life", 1);
  ASSERT_EQ(show.status, AdminStatus::kOk);
  EXPECT_THAT(show.text, HasSubstr("approval:   bob at"));
  EXPECT_THAT(show.text, HasSubstr("\"proportionate\""));
  ASSERT_TRUE(is_json_object(show.json)) << show.json;

  auto diff = admin_diff(*store_, "life", 1, 2);
  ASSERT_EQ(diff.status, AdminStatus::kOk) << diff.text;
  EXPECT_THAT(diff.text, HasSubstr("1 change"));
  EXPECT_THAT(diff.text, HasSubstr("~ when.all[0].value: \"10000\" -> \"20000\""));
  EXPECT_THAT(diff.text, Not(HasSubstr("~ version")));

  auto susp = admin_suspend(*store_, "life", 1, "carol", "no longer needed", now);
  ASSERT_EQ(susp.status, AdminStatus::kOk) << susp.text;
  EXPECT_THAT(susp.text, HasSubstr("removed from the active set"));

  AuditLog audit(*redis_, env_->prefix());
  AuditFilter f;
  f.object_id = "life";
  auto trail = admin_audit(audit, f);
  ASSERT_EQ(trail.status, AdminStatus::kOk);
  for (const char* action : {"create", "approve", "activate", "suspend"}) EXPECT_THAT(trail.text, HasSubstr(action));
  ASSERT_TRUE(is_json_object(trail.json)) << trail.json;

  auto missing = admin_show(*store_, "nope", 0);
  EXPECT_EQ(missing.status, AdminStatus::kRejected);
}

TEST_F(RuleAdminTest, UnreachableRedisIsStatusThree) {
  RedisConfig cfg;
  cfg.host = "127.0.0.1";
  cfg.port = 1;
  RedisClient dead(cfg);
  RuleStore store(dead, env_->prefix());
  auto r = admin_list(store);
  EXPECT_EQ(r.status, AdminStatus::kUnavailable);
  EXPECT_EQ(r.exit_code(), 3);
}

// ---- the CLI -----------------------------------------------------------------------------------

class RulesCliTest : public RuleAdminTest {
 protected:
  void SetUp() override {
    RuleAdminTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    binary_ = testing::bin_dir() + "/crosscheck";
    if (!testing::path_exists(binary_)) GTEST_SKIP() << binary_ << " is not built: build the crosscheck target first";
  }
  std::pair<int, std::string> run(std::vector<std::string> args, const std::string& actor = "alice") {
    std::vector<std::string> argv{binary_, "--redis", env_->address(), "--prefix", env_->prefix()};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::run_command(argv, {{"CROSSCHECK_ACTOR", actor}});
  }
  std::string binary_;
};

TEST_F(RulesCliTest, ValidateReportsEveryViolationWithoutRedis) {
  const std::string bad = write_temp("bad-rule", bad_rule());
  const std::string good = write_temp("good-rule", good_rule("cli-good"));
  // No Redis at this address: validate must not need it.
  auto [rc, out] = testing::run_command({binary_, "--redis", "127.0.0.1:1", "rules", "validate", bad});
  EXPECT_EQ(rc, 1) << out;
  for (const char* key : {"legal_basis", "purpose", "owner", "expires"}) EXPECT_THAT(out, HasSubstr(key)) << out;
  auto [rc2, out2] = testing::run_command({binary_, "--redis", "127.0.0.1:1", "rules", "validate", good});
  EXPECT_EQ(rc2, 0) << out2;
  auto [rc3, out3] = testing::run_command({binary_, "rules", "validate", good, "--max-lifetime-days", "7"});
  EXPECT_EQ(rc3, 1) << out3;
  auto [rc4, out4] = testing::run_command({binary_, "rules", "validate", "/nonexistent/rule.json"});
  EXPECT_EQ(rc4, 2) << out4;
  std::remove(bad.c_str());
  std::remove(good.c_str());
}

TEST_F(RulesCliTest, ExitCodes) {
  EXPECT_EQ(run({"rules"}).first, 2);
  EXPECT_EQ(run({"rules", "approve", "x"}).first, 2) << "missing version and comment";
  EXPECT_EQ(run({"rules", "activate", "x", "one"}).first, 2) << "version is not a number";
  EXPECT_EQ(run({"rules", "list", "--format", "yaml"}).first, 2);
  EXPECT_EQ(run({"audit", "--since", "last tuesday"}).first, 2);
  auto [rc, out] = testing::run_command({binary_, "--redis", "127.0.0.1:1", "rules", "list"});
  EXPECT_EQ(rc, 3) << out;
  EXPECT_EQ(testing::run_command({binary_, "--redis", "127.0.0.1:1", "audit"}).first, 3);
  EXPECT_EQ(run({"rules", "show", "nope"}).first, 1);
}

TEST_F(RulesCliTest, FourEyesLifecycleAndAudit) {
  const std::string file = write_temp("cli-rule", good_rule("cli-flow"));
  auto [rc, out] = run({"rules", "put", file});
  ASSERT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("stored cli-flow version 1"));
  EXPECT_EQ(run({"rules", "activate", "cli-flow", "1"}).first, 1) << "not approved yet";
  auto [rc_self, out_self] = run({"rules", "approve", "cli-flow", "1", "--comment", "mine"}, "alice");
  EXPECT_EQ(rc_self, 1) << out_self;
  EXPECT_THAT(out_self, HasSubstr("second person"));
  auto [rc_ok, out_ok] = run({"rules", "approve", "cli-flow", "1", "--comment", "proportionate", "--actor", "bob"});
  ASSERT_EQ(rc_ok, 0) << out_ok;
  auto [rc_act, out_act] = run({"rules", "activate", "cli-flow", "1"});
  ASSERT_EQ(rc_act, 0) << out_act;
  auto [rc_list, out_list] = run({"rules", "list", "--format", "json"});
  ASSERT_EQ(rc_list, 0) << out_list;
  EXPECT_THAT(out_list, HasSubstr(R"("id":"cli-flow","latest_version":1,"enforce_version":1)"));
  auto [rc_audit, out_audit] = run({"audit", "--object", "cli-flow", "--format", "json"});
  ASSERT_EQ(rc_audit, 0) << out_audit;
  EXPECT_THAT(out_audit, HasSubstr(R"("actor":"bob","action":"approve")"));
  EXPECT_THAT(out_audit, HasSubstr(R"("actor":"alice","action":"create")"));
  auto [rc_a2, out_a2] = run({"audit", "--actor", "bob"});
  ASSERT_EQ(rc_a2, 0) << out_a2;
  EXPECT_THAT(out_a2, HasSubstr("approve"));
  EXPECT_THAT(out_a2, Not(HasSubstr("create")));
  std::remove(file.c_str());
}

TEST_F(RulesCliTest, WatchlistPublishIsAudited) {
  const std::string list = std::string(CROSSCHECK_FIXTURES_DIR) + "/watchlists/demo.json";
  if (!testing::path_exists(list)) GTEST_SKIP() << list << " is absent";
  auto [rc, out] = run({"watchlist", "load", list, "--list-id", "audit-demo"}, "carol");
  ASSERT_EQ(rc, 0) << out;
  auto [rc2, out2] = run({"audit", "--action", "publish", "--format", "json"});
  ASSERT_EQ(rc2, 0) << out2;
  EXPECT_THAT(out2, HasSubstr(R"("actor":"carol","action":"publish","object_type":"watchlist","object_id":"audit-demo")"));
  EXPECT_THAT(out2, HasSubstr(R"("before_version":null,"after_version":1)"));
}

}  // namespace
}  // namespace crosscheck::rules
