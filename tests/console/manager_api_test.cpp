// Integration: the manager API (handle_manager_api) against the real Redis, called directly with
// principals of each role: the rule lifecycle (put, approve by another person, activate, list,
// show, diff, suspend), four eyes, validation errors, watchlist publishing, versions and diffs,
// backtests over the live lists, role denials, malformed requests, and the audit trail naming the
// API user.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "crosscheck/console/manager_api.h"
#include "crosscheck/rules/audit_log.h"
#include "crosscheck/rules/list_import.h"
#include "crosscheck/rules/match_index.h"
#include "crosscheck/rules/redis_client.h"
#include "crosscheck/rules/rule_admin.h"
#include "crosscheck/rules/watchlist.h"
#include "crosscheck/testing/redis_test_env.h"
#include "crosscheck/testing/test_env.h"
#include "crosscheck/time_format.h"

namespace crosscheck::console {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::int64_t kDay = 24LL * 3600 * 1000;
const std::int64_t kNow = timefmt::now_ms();

std::string fixture(const std::string& relative) {
  std::ifstream in(testing::source_dir() + "/tests/fixtures/" + relative, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A valid payment rule: amounts of at least `amount` EUR to a creditor on the demo list.
std::string good_rule(const std::string& id, const std::string& amount = "10000") {
  return R"({"id":")" + id + R"(","applies_to":["payment"],"when":{"all":[)"
         R"({"field":"payment.amount","op":">=","value":")" + amount + R"("},)"
         R"({"hit":{"role":"creditor","lists":["demo-national"],"min_score":0.85}}]},)"
         R"("severity":"high","queue":"payments","legal_basis":"AMLD6 art. 18","purpose":"large payments to listed organisations",)"
         R"("owner":"fiu-rules@example.org","data_categories":["payment.amount"],)"
         R"("valid_from":")" + timefmt::format_utc_ms(kNow - kDay) + R"(","expires":")" +
         timefmt::format_utc_ms(kNow + 30 * kDay) + R"(","max_flags_per_hour":50,"max_flag_share":0.01,"mode":"enforce"})";
}

// No legal basis, purpose or owner, and a lifetime of two years.
std::string bad_rule() {
  return R"({"id":"too-much","applies_to":["payment"],"when":{"field":"payment.amount","op":">=","value":"10000"},)"
         R"("severity":"high","queue":"payments","data_categories":["payment.amount"],)"
         R"("valid_from":")" + timefmt::format_utc_ms(kNow - kDay) + R"(","expires":")" +
         timefmt::format_utc_ms(kNow + 730 * kDay) + R"(","max_flags_per_hour":50,"max_flag_share":0.01,"mode":"enforce"})";
}

// The raw JSON text of a top-level member of a JSON object ("1", "\"alice\"", "{...}"), or
// "<absent>". Enough for the compact objects the API returns; the test avoids simdjson because
// its target does not link simdjson::simdjson (a header compiled with other settings than the
// library would give dom::parser two layouts in one program).
std::string member(const std::string& object, const std::string& key) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < object.size(); ++i) {
    const char c = object[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    else if (c == '}' || c == ']') --depth;
    else if (c == '"') {
      const std::string quoted = "\"" + key + "\":";
      if (depth == 1 && object.compare(i, quoted.size(), quoted) == 0) {
        const std::size_t start = i + quoted.size();
        int d = 0;
        bool s = false;
        for (std::size_t j = start; j < object.size(); ++j) {
          const char x = object[j];
          if (s) {
            if (x == '\\') ++j;
            else if (x == '"') s = false;
            continue;
          }
          if (x == '"') s = true;
          else if (x == '{' || x == '[') ++d;
          else if (x == '}' || x == ']') {
            if (d == 0) return object.substr(start, j - start);
            --d;
          } else if (x == ',' && d == 0) {
            return object.substr(start, j - start);
          }
        }
        return "<absent>";
      }
      in_string = true;
    }
  }
  return "<absent>";
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

Principal person(const std::string& user, std::vector<Role> roles, std::vector<std::string> queues = {}) {
  Principal p;
  p.user = user;
  p.roles = std::move(roles);
  p.queues = std::move(queues);
  return p;
}

const Principal kManager = person("alice", {Role::kListManager});
const Principal kApprover = person("bob", {Role::kRuleApprover});
const Principal kBoth = person("carol", {Role::kListManager, Role::kRuleApprover});
const Principal kOfficer = person("olga", {Role::kOfficer}, {"payments", "border"});
const Principal kSupervisor = person("sam", {Role::kSupervisor});
const Principal kOps = person("otto", {Role::kOps});

class ManagerApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CROSSCHECK_REQUIRE_REDIS();
    env_ = std::make_unique<testing::RedisTestEnv>(*testing::redis_address());
    redis_ = std::make_unique<rules::RedisClient>(env_->config());
    audit_ = std::make_unique<rules::AuditLog>(*redis_, env_->prefix());
    context_.redis = redis_.get();
    context_.key_prefix = env_->prefix();
    context_.now_ms = kNow;
  }

  ApiResponse call(const Principal& who, const std::string& method, const std::string& path,
                   const std::string& body = "", std::map<std::string, std::string> query = {}) {
    ApiRequest request;
    request.method = method;
    request.path = path;
    request.body = body;
    request.query = std::move(query);
    auto response = handle_manager_api(request, who, context_);
    EXPECT_TRUE(response.has_value()) << method << " " << path << " was not handled";
    return response.value_or(ApiResponse::error(599, "not handled"));
  }


  std::vector<rules::AuditEntry> audit(const std::string& action) {
    rules::AuditFilter f;
    f.action = action;
    f.limit = 0;
    f.newest_first = false;
    auto r = audit_->list(f);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? *r : std::vector<rules::AuditEntry>{};
  }

  std::unique_ptr<testing::RedisTestEnv> env_;
  std::unique_ptr<rules::RedisClient> redis_;
  std::unique_ptr<rules::AuditLog> audit_;
  ManagerContext context_;
};

TEST_F(ManagerApiTest, RuleLifecycleAcrossRolesIsAuditedWithTheApiUser) {
  auto put = call(kManager, "POST", "/api/rules", good_rule("api-flow"));
  ASSERT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(put.content_type, "application/json");
  EXPECT_EQ(member(put.body, "version"), "1");
  EXPECT_EQ(member(put.body, "author"), R"("alice")");

  auto approve = call(kApprover, "POST", "/api/rules/api-flow/versions/1/approve", R"({"comment":"proportionate"})");
  ASSERT_EQ(approve.status, 200) << approve.body;
  EXPECT_EQ(member(approve.body, "approved_by"), R"("bob")");

  auto activate = call(kApprover, "POST", "/api/rules/api-flow/versions/1/activate", "{}");
  ASSERT_EQ(activate.status, 200) << activate.body;
  EXPECT_EQ(member(activate.body, "mode"), R"("enforce")");
  // An empty body is an empty object for activate.
  auto again = call(kApprover, "POST", "/api/rules/api-flow/versions/1/activate");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(member(again.body, "already_active"), "true");

  auto list = call(kApprover, "GET", "/api/rules");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_THAT(list.body, HasSubstr(R"("id":"api-flow","latest_version":1,"enforce_version":1)"));

  auto v2 = call(kManager, "POST", "/api/rules", good_rule("api-flow", "20000"));
  ASSERT_EQ(v2.status, 201) << v2.body;
  auto show = call(kManager, "GET", "/api/rules/api-flow");
  ASSERT_EQ(show.status, 200) << show.body;
  EXPECT_EQ(member(show.body, "version"), "2");  // no version: the latest
  EXPECT_EQ(member(show.body, "state"), R"("proposed")");
  auto show1 = call(kApprover, "GET", "/api/rules/api-flow", "", {{"version", "1"}});
  ASSERT_EQ(show1.status, 200) << show1.body;
  EXPECT_EQ(member(show1.body, "state"), R"("active")");

  auto diff = call(kApprover, "GET", "/api/rules/api-flow/diff", "", {{"from", "1"}, {"to", "2"}});
  ASSERT_EQ(diff.status, 200) << diff.body;
  EXPECT_THAT(diff.body, HasSubstr(R"({"path":"when.all[0].value","before":"10000","after":"20000"})"));

  auto suspend = call(kManager, "POST", "/api/rules/api-flow/versions/1/suspend", R"({"reason":"replaced"})");
  ASSERT_EQ(suspend.status, 200) << suspend.body;
  EXPECT_EQ(member(suspend.body, "was_active"), "true");
  // Suspended for good: activating it again is refused by the store.
  EXPECT_EQ(call(kApprover, "POST", "/api/rules/api-flow/versions/1/activate", "{}").status, 409);

  auto actor_of = [&](const std::string& action) {
    auto entries = audit(action);
    return entries.empty() ? std::string("<none>") : entries.front().record.actor;
  };
  EXPECT_EQ(actor_of("create"), "alice");
  EXPECT_EQ(actor_of("approve"), "bob");
  EXPECT_EQ(actor_of("activate"), "bob");
  EXPECT_EQ(actor_of("suspend"), "alice");
  EXPECT_EQ(audit("suspend").front().record.reason, "replaced");
}

TEST_F(ManagerApiTest, TheAuthorCannotApproveTheirOwnRule) {
  ASSERT_EQ(call(kBoth, "POST", "/api/rules", good_rule("own-rule")).status, 201);
  auto self = call(kBoth, "POST", "/api/rules/own-rule/versions/1/approve", R"({"comment":"looks fine to me"})");
  EXPECT_EQ(self.status, 409) << self.body;
  EXPECT_EQ(member(self.body, "ok"), "false");
  auto show = call(kBoth, "GET", "/api/rules/own-rule", "", {{"version", "1"}});
  EXPECT_EQ(member(show.body, "state"), R"("proposed")");
  EXPECT_TRUE(audit("approve").empty());
  // Someone else may.
  EXPECT_EQ(call(kApprover, "POST", "/api/rules/own-rule/versions/1/approve", R"({"comment":"ok"})").status, 200);
}

TEST_F(ManagerApiTest, ViolationsAre422WithEveryViolation) {
  auto validate = call(kManager, "POST", "/api/rules/validate", bad_rule());
  ASSERT_EQ(validate.status, 422) << validate.body;
  EXPECT_EQ(member(validate.body, "ok"), "false");
  EXPECT_GE(count_of(member(validate.body, "violations"), R"("code":)"), 4u) << validate.body;
  for (const char* key : {"legal_basis", "purpose", "owner", "expires"}) {
    EXPECT_THAT(validate.body, HasSubstr(key));
  }
  auto put = call(kManager, "POST", "/api/rules", bad_rule());
  EXPECT_EQ(put.status, 422) << put.body;
  EXPECT_THAT(call(kManager, "GET", "/api/rules").body, Not(HasSubstr("too-much")));
  EXPECT_TRUE(audit("create").empty());

  auto fine = call(kManager, "POST", "/api/rules/validate", good_rule("fine"));
  EXPECT_EQ(fine.status, 200) << fine.body;
  EXPECT_EQ(member(fine.body, "ok"), "true");
  // validate stores nothing.
  EXPECT_THAT(call(kManager, "GET", "/api/rules").body, Not(HasSubstr("fine")));
  // A stricter policy from the configuration applies.
  context_.policy.max_lifetime_ms = 7 * kDay;
  EXPECT_EQ(call(kManager, "POST", "/api/rules/validate", good_rule("fine")).status, 422);
}

TEST_F(ManagerApiTest, MalformedRequestsAre400AndChangeNothing) {
  ASSERT_EQ(call(kManager, "POST", "/api/rules", good_rule("target")).status, 201);
  struct Case {
    const Principal* who;
    std::string method, path, body;
    std::map<std::string, std::string> query;
  };
  const std::vector<Case> cases = {
      {&kManager, "POST", "/api/rules", "{not json", {}},
      {&kManager, "POST", "/api/rules", "", {}},
      {&kManager, "POST", "/api/rules", "[1,2]", {}},
      {&kManager, "POST", "/api/rules/validate", "{", {}},
      {&kApprover, "POST", "/api/rules/target/versions/1/approve", "nope", {}},
      {&kApprover, "POST", "/api/rules/target/versions/1/approve", "{}", {}},
      {&kApprover, "POST", "/api/rules/target/versions/1/approve", R"({"comment":"  "})", {}},
      {&kApprover, "POST", "/api/rules/target/versions/1/approve", R"({"comment":7})", {}},
      {&kApprover, "POST", "/api/rules/target/versions/x/approve", R"({"comment":"ok"})", {}},
      {&kApprover, "POST", "/api/rules/target/versions/0/approve", R"({"comment":"ok"})", {}},
      {&kApprover, "POST", "/api/rules/target/versions/1/activate", "[", {}},
      {&kApprover, "POST", "/api/rules/target/versions/1/suspend", R"({"reason":""})", {}},
      {&kManager, "POST", "/api/rules/target/versions/1/suspend", "", {}},
      {&kManager, "GET", "/api/rules/target", "", {{"version", "x"}}},
      {&kManager, "GET", "/api/rules/target/diff", "", {{"from", "1"}}},
      {&kManager, "GET", "/api/rules/target/diff", "", {{"from", "1"}, {"to", "-2"}}},
      {&kManager, "POST", "/api/rules/target/versions/1/backtest", "", {}},
      {&kManager, "POST", "/api/rules/target/versions/1/backtest", "{}\n", {{"kind", "boat"}}},
      {&kManager, "POST", "/api/watchlists", "", {}},
      {&kManager, "POST", "/api/watchlists", "  \n", {}},
      {&kManager, "POST", "/api/watchlists", fixture("watchlists/demo.json"), {{"format", "pdf"}}},
      {&kManager, "POST", "/api/watchlists", "hello, world", {}},
      {&kManager, "POST", "/api/watchlists", fixture("watchlists/demo.json"), {{"format", "un"}}},
      {&kManager, "GET", "/api/watchlists/demo-national/diff", "", {{"from", "a"}, {"to", "2"}}},
      // Unknown members and parameters are refused, the actor above all: it is the signed-in user.
      {&kApprover, "POST", "/api/rules/target/versions/1/approve", R"({"comment":"ok","actor":"mallory"})", {}},
      {&kApprover, "POST", "/api/rules/target/versions/1/activate", R"({"force":true})", {}},
      {&kManager, "GET", "/api/rules", "", {{"actor", "mallory"}}},
      {&kManager, "GET", "/api/rules/target", "", {{"verison", "1"}}},
      {&kManager, "POST", "/api/watchlists", fixture("watchlists/demo.json"), {{"list-id", "x"}}},
  };
  for (const auto& c : cases) {
    auto r = call(*c.who, c.method, c.path, c.body, c.query);
    EXPECT_EQ(r.status, 400) << c.method << " " << c.path << " body " << c.body << ": " << r.body;
    EXPECT_THAT(r.body, HasSubstr(R"("error":)")) << r.body;
  }
  auto show = call(kManager, "GET", "/api/rules/target");
  EXPECT_EQ(member(show.body, "state"), R"("proposed")");
  EXPECT_EQ(call(kManager, "GET", "/api/watchlists").body, R"({"ok":true,"lists":[]})");
  EXPECT_TRUE(audit("approve").empty());
  EXPECT_TRUE(audit("publish").empty());
}

TEST_F(ManagerApiTest, WatchlistPublishVersionsAndDiff) {
  const std::string demo = fixture("watchlists/demo.json");
  ASSERT_FALSE(demo.empty());
  auto first = call(kManager, "POST", "/api/watchlists", demo);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(member(first.body, "list_id"), R"("demo-national")");
  EXPECT_EQ(member(first.body, "version"), "1");
  EXPECT_EQ(member(first.body, "entries"), "15");

  // The UN XML, detected (format=auto) and named explicitly.
  auto un = call(kManager, "POST", "/api/watchlists", fixture("watchlists/un/consolidated-sample.xml"),
                 {{"format", "auto"}, {"name", "UN sample"}});
  ASSERT_EQ(un.status, 201) << un.body;
  EXPECT_EQ(member(un.body, "list_id"), R"("un-sc")");
  EXPECT_EQ(member(un.body, "format"), R"("un")");
  EXPECT_EQ(member(un.body, "name"), R"("UN sample")");
  // OFAC sdn.csv under another id.
  auto ofac = call(kManager, "POST", "/api/watchlists", fixture("watchlists/ofac/sdn.csv"),
                   {{"format", "ofac"}, {"list_id", "ofac-api"}});
  ASSERT_EQ(ofac.status, 201) << ofac.body;
  EXPECT_EQ(member(ofac.body, "entries"), "12");

  // Version 2 of the demo list: one entry gone, one alias more.
  auto imported = rules::import_list(testing::source_dir() + "/tests/fixtures/watchlists/demo.json");
  ASSERT_TRUE(imported.ok());
  const std::string gone = imported->list.entries.back().id;
  imported->list.entries.pop_back();
  imported->list.entries.front().names.push_back("Another ALIAS");
  auto second = call(kManager, "POST", "/api/watchlists", rules::encode_watchlist_json(imported->list),
                     {{"format", "json"}});
  ASSERT_EQ(second.status, 201) << second.body;
  EXPECT_EQ(member(second.body, "before_version"), "1");

  auto versions = call(kApprover, "GET", "/api/watchlists");
  ASSERT_EQ(versions.status, 200) << versions.body;
  EXPECT_EQ(versions.body, R"({"ok":true,"lists":[{"list_id":"demo-national","version":2},)"
                           R"({"list_id":"ofac-api","version":1},{"list_id":"un-sc","version":1}]})");

  auto diff = call(kApprover, "GET", "/api/watchlists/demo-national/diff", "", {{"from", "1"}, {"to", "2"}});
  ASSERT_EQ(diff.status, 200) << diff.body;
  EXPECT_EQ(member(diff.body, "counts"), R"({"added":0,"removed":1,"changed":1,"unchanged":13})");
  EXPECT_THAT(diff.body, HasSubstr(gone));
  EXPECT_THAT(diff.body, HasSubstr("Another ALIAS"));
  auto missing = call(kManager, "GET", "/api/watchlists/demo-national/diff", "", {{"from", "1"}, {"to", "9"}});
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_THAT(missing.body, HasSubstr("version 9 of list demo-national does not exist"));

  auto publishes = audit("publish");
  ASSERT_EQ(publishes.size(), 4u);
  for (const auto& e : publishes) EXPECT_EQ(e.record.actor, "alice");
  EXPECT_EQ(publishes.back().record.object_id, "demo-national");
  EXPECT_EQ(publishes.back().record.before_version, 1u);
  EXPECT_EQ(publishes.back().record.after_version, 2u);

  // A list the store refuses is a conflict, not a bad request, and publishes nothing.
  auto bad_id = call(kManager, "POST", "/api/watchlists", demo, {{"list_id", "Bad Id!"}});
  EXPECT_EQ(bad_id.status, 409) << bad_id.body;
  EXPECT_EQ(audit("publish").size(), 4u);
}

TEST_F(ManagerApiTest, BacktestUsesTheLiveLists) {
  const std::string events = fixture("events/payments.jsonl");
  ASSERT_FALSE(events.empty());
  ASSERT_EQ(call(kManager, "POST", "/api/rules", good_rule("bt", "1")).status, 201);
  // No list published: the rule's hit condition cannot hold.
  auto before = call(kManager, "POST", "/api/rules/bt/versions/0/backtest", events);
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(member(before.body, "events"), "24");
  EXPECT_EQ(member(before.body, "flags"), "0");

  ASSERT_EQ(call(kManager, "POST", "/api/watchlists", fixture("watchlists/demo.json")).status, 201);
  auto after = call(kManager, "POST", "/api/rules/bt/versions/1/backtest", events, {{"kind", "payment"}});
  ASSERT_EQ(after.status, 200) << after.body;
  // The same as the shared backtest over the list read from its file.
  auto imported = rules::import_list(testing::source_dir() + "/tests/fixtures/watchlists/demo.json");
  ASSERT_TRUE(imported.ok());
  std::vector<rules::Watchlist> lists;
  lists.push_back(std::move(imported->list));
  const rules::MatchIndex index(std::move(lists), context_.match);
  rules::RuleStore store(*redis_, env_->prefix());
  auto stored = store.get("bt", 1);
  ASSERT_TRUE(stored.ok());
  const auto expected = rules::admin_backtest(stored->rule, schemas::EventKind::kPayment, events, index);
  ASSERT_TRUE(expected.ok()) << expected.text;
  EXPECT_EQ(after.body, expected.json);
  EXPECT_NE(member(after.body, "flags"), "0");
  EXPECT_NE(member(after.body, "flags"), "<absent>") << "the sample payments are meant to hit the demo list";

  // The wrong kind for the rule is a conflict; a rule or version that does not exist is not found.
  EXPECT_EQ(call(kManager, "POST", "/api/rules/bt/versions/1/backtest", events, {{"kind", "itinerary"}}).status, 409);
  EXPECT_EQ(call(kManager, "POST", "/api/rules/nope/versions/0/backtest", events).status, 404);
  EXPECT_EQ(call(kManager, "POST", "/api/rules/bt/versions/7/backtest", events).status, 404);
}

// Every manager endpoint crossed with every role: exactly the roles of the matrix get past the
// role check (a 403 is the only answer that proves a denial; allowed calls may still be 4xx for
// the test's dummy ids and bodies, but never 403).
TEST_F(ManagerApiTest, RoleMatrixOfTheManagerEndpoints) {
  ASSERT_EQ(call(kManager, "POST", "/api/rules", good_rule("matrix")).status, 201);
  struct Endpoint {
    std::string method, path, body;
    std::map<std::string, std::string> query;
    std::vector<Role> allowed;
  };
  const std::string demo = fixture("watchlists/demo.json");
  const std::vector<Endpoint> endpoints = {
      {"GET", "/api/watchlists", "", {}, {Role::kListManager, Role::kRuleApprover}},
      {"POST", "/api/watchlists", demo, {}, {Role::kListManager}},
      {"GET", "/api/watchlists/demo-national/diff", "", {{"from", "1"}, {"to", "1"}},
       {Role::kListManager, Role::kRuleApprover}},
      {"GET", "/api/rules", "", {}, {Role::kListManager, Role::kRuleApprover}},
      {"GET", "/api/rules/matrix", "", {}, {Role::kListManager, Role::kRuleApprover}},
      {"GET", "/api/rules/matrix/diff", "", {{"from", "1"}, {"to", "1"}}, {Role::kListManager, Role::kRuleApprover}},
      {"POST", "/api/rules/validate", good_rule("matrix"), {}, {Role::kListManager}},
      {"POST", "/api/rules", good_rule("matrix-put"), {}, {Role::kListManager}},
      {"POST", "/api/rules/matrix/versions/1/backtest", "{}\n", {{"kind", "payment"}}, {Role::kListManager}},
      {"POST", "/api/rules/matrix/versions/1/approve", R"({"comment":"ok"})", {}, {Role::kRuleApprover}},
      {"POST", "/api/rules/matrix/versions/1/activate", "{}", {}, {Role::kRuleApprover}},
      {"POST", "/api/rules/matrix/versions/9/suspend", R"({"reason":"r"})", {}, {Role::kListManager, Role::kRuleApprover}},
  };
  for (const auto& e : endpoints) {
    for (Role role : kAllRoles) {
      const Principal who = person(std::string("user-") + std::string(to_string(role)), {role}, {"payments"});
      auto r = call(who, e.method, e.path, e.body, e.query);
      const bool allowed = std::find(e.allowed.begin(), e.allowed.end(), role) != e.allowed.end();
      if (allowed) {
        EXPECT_NE(r.status, 403) << to_string(role) << " " << e.method << " " << e.path << ": " << r.body;
        EXPECT_LT(r.status, 500) << to_string(role) << " " << e.method << " " << e.path << ": " << r.body;
      } else {
        EXPECT_EQ(r.status, 403) << to_string(role) << " " << e.method << " " << e.path << ": " << r.body;
        EXPECT_THAT(r.body, HasSubstr("needs the role"));
      }
    }
  }
  // A denied write changed nothing: no rule was put or approved by an officer, supervisor or ops.
  const auto creates = audit("create");
  ASSERT_EQ(creates.size(), 2u);  // the set-up's and the list manager's put
  EXPECT_EQ(creates[0].record.actor, "alice");
  EXPECT_EQ(creates[1].record.actor, "user-list-manager");
  for (const auto& e : audit("approve")) EXPECT_EQ(e.record.actor, "user-rule-approver");
  for (const auto& e : audit("publish")) EXPECT_EQ(e.record.actor, "user-list-manager");
  EXPECT_EQ(audit("publish").size(), 1u);
}

TEST_F(ManagerApiTest, OtherPathsAreNotHandledAndTheRestIsChecked) {
  for (const std::string path : {"/api/alerts", "/api/me", "/api/rulesx", "/api/watchlistsx", "/api/rules/x/y",
                                 "/api/rules/x/versions/1/frobnicate", "/api/rules/", "/api/watchlists/x",
                                 "/api/watchlists/x/diff/y", "/healthz", "/metrics", "/rules"}) {
    ApiRequest request;
    request.method = "GET";
    request.path = path;
    EXPECT_FALSE(handle_manager_api(request, kBoth, context_).has_value()) << path;
  }
  auto wrong_method = call(kBoth, "DELETE", "/api/rules");
  EXPECT_EQ(wrong_method.status, 405);
  ASSERT_EQ(wrong_method.headers.size(), 1u);
  EXPECT_EQ(wrong_method.headers[0].first, "Allow");
  EXPECT_EQ(wrong_method.headers[0].second, "GET, POST");
  EXPECT_EQ(call(kBoth, "GET", "/api/rules/x/versions/1/approve").status, 405);
  EXPECT_EQ(call(kBoth, "PUT", "/api/watchlists/x/diff").status, 405);
  // Without an authenticated user.
  EXPECT_EQ(call(Principal{}, "GET", "/api/rules").status, 401);
}

TEST(ManagerApiUnavailable, RedisDownIs503) {
  rules::RedisConfig config;
  config.port = 1;  // nothing listens there
  config.connect_timeout = std::chrono::milliseconds(200);
  rules::RedisClient client(config);
  ManagerContext context;
  context.redis = &client;
  context.key_prefix = "cctest-nowhere:";
  context.now_ms = kNow;
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/rules"}, {"GET", "/api/watchlists"}, {"GET", "/api/rules/x"}}) {
    ApiRequest request;
    request.method = method;
    request.path = path;
    auto r = handle_manager_api(request, kBoth, context);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 503) << path << ": " << r->body;
    EXPECT_THAT(r->body, HasSubstr(R"("retriable":true)"));
  }
  // Validation needs no Redis.
  ApiRequest validate;
  validate.method = "POST";
  validate.path = "/api/rules/validate";
  validate.body = good_rule("offline");
  auto r = handle_manager_api(validate, kBoth, context);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200) << r->body;
}

}  // namespace
}  // namespace crosscheck::console
