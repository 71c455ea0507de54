// Integration: UserStore against the real Redis — accounts, tokens (stored hashed only), sessions,
// the failed-login limit per account and per client address, revocation and the audit trail —
// and the `crosscheck users` admin functions built on it.
#include "crosscheck/console/users.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <functional>
#include <map>
#include <regex>
#include <set>

#include "crosscheck/rules/audit_log.h"
#include "crosscheck/rules/redis_client.h"
#include "crosscheck/sha256.h"
#include "crosscheck/testing/redis_test_env.h"
#include "crosscheck/testing/test_env.h"
#include "crosscheck/time_format.h"

namespace crosscheck::console {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using Kind = LoginOutcome::Kind;

constexpr std::int64_t kMinute = 60'000;

UserAccount account(const std::string& name, std::vector<Role> roles, std::vector<std::string> queues = {}) {
  UserAccount a;
  a.name = name;
  a.roles = std::move(roles);
  a.queues = std::move(queues);
  return a;
}

class UsersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CROSSCHECK_REQUIRE_REDIS();
    env_ = std::make_unique<testing::RedisTestEnv>(*testing::redis_address());
    redis_ = std::make_unique<rules::RedisClient>(env_->config());
    options_.session_ttl = std::chrono::milliseconds(10'000);
    options_.max_failed_logins = 3;
    options_.failed_login_window = std::chrono::milliseconds(kMinute);
    options_.default_token_ttl = std::chrono::hours(24);
    options_.max_token_ttl = std::chrono::hours(24 * 7);
    store_ = std::make_unique<UserStore>(*redis_, env_->prefix(), options_);
    audit_ = std::make_unique<rules::AuditLog>(*redis_, env_->prefix());
    now_ = timefmt::now_ms();
  }

  void put(const UserAccount& a) {
    auto s = store_->put_user(a, "admin");
    ASSERT_TRUE(s.ok()) << s.error().to_string();
  }
  IssuedToken issue(const std::string& name, std::chrono::milliseconds ttl = std::chrono::milliseconds(0)) {
    auto t = store_->issue_token(name, ttl, "admin", now_);
    EXPECT_TRUE(t.ok()) << t.error().to_string();
    return t.ok() ? *t : IssuedToken{};
  }
  std::optional<Principal> auth(std::string_view token, std::int64_t at) {
    auto p = store_->authenticate_token(token, at);
    EXPECT_TRUE(p.ok()) << p.error().to_string();
    return p.ok() ? *p : std::nullopt;
  }
  std::optional<Principal> auth_session(std::string_view id, std::int64_t at) {
    auto p = store_->authenticate_session(id, at);
    EXPECT_TRUE(p.ok()) << p.error().to_string();
    return p.ok() ? *p : std::nullopt;
  }
  LoginOutcome login(const std::string& name, std::string_view token, const std::string& client, std::int64_t at) {
    auto r = store_->login(name, token, client, at);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? *r : LoginOutcome{};
  }
  std::vector<rules::AuditEntry> audit_of(const std::string& action) {
    rules::AuditFilter f;
    f.action = action;
    f.limit = 0;
    f.newest_first = false;
    auto r = audit_->list(f);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? *r : std::vector<rules::AuditEntry>{};
  }
  // Every key under the test prefix with everything it holds, flattened to strings.
  std::map<std::string, std::vector<std::string>> dump() {
    std::map<std::string, std::vector<std::string>> out;
    std::string cursor = "0";
    do {
      auto r = redis_->command({"SCAN", cursor, "MATCH", env_->prefix() + "*", "COUNT", "1000"});
      EXPECT_TRUE(r.ok());
      if (!r.ok()) break;
      cursor = r->elements[0].str;
      for (const auto& k : r->elements[1].elements) {
        auto type = redis_->command({"TYPE", k.str});
        EXPECT_TRUE(type.ok());
        std::vector<std::string> cmd;
        if (type->str == "string") cmd = {"GET", k.str};
        else if (type->str == "hash") cmd = {"HGETALL", k.str};
        else if (type->str == "set") cmd = {"SMEMBERS", k.str};
        else if (type->str == "zset") cmd = {"ZRANGE", k.str, "0", "-1", "WITHSCORES"};
        else if (type->str == "list") cmd = {"LRANGE", k.str, "0", "-1"};
        else if (type->str == "stream") cmd = {"XRANGE", k.str, "-", "+"};
        else ADD_FAILURE() << "unexpected type " << type->str << " of " << k.str;
        auto v = redis_->command(cmd);
        EXPECT_TRUE(v.ok());
        auto& values = out[k.str];
        std::function<void(const rules::RedisValue&)> flatten = [&](const rules::RedisValue& x) {
          if (x.type == rules::RedisValue::Type::kArray) {
            for (const auto& e : x.elements) flatten(e);
          } else {
            values.push_back(x.str);
          }
        };
        flatten(*v);
      }
    } while (cursor != "0");
    return out;
  }
  long long pttl(const std::string& key) {
    auto r = redis_->command({"PTTL", env_->prefix() + key});
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->integer : -3;
  }

  std::unique_ptr<testing::RedisTestEnv> env_;
  std::unique_ptr<rules::RedisClient> redis_;
  UserStoreOptions options_;
  std::unique_ptr<UserStore> store_;
  std::unique_ptr<rules::AuditLog> audit_;
  std::int64_t now_ = 0;
};

// --- accounts -----------------------------------------------------------------------------------

TEST_F(UsersTest, PutGetListAndReplace) {
  put(account("alice", {Role::kOfficer, Role::kOfficer}, {"customs", "border", "border"}));
  put(account("bob.k_2-x", {Role::kSupervisor, Role::kOps}));

  auto alice = store_->get_user("alice");
  ASSERT_TRUE(alice.ok()) << alice.error().to_string();
  ASSERT_TRUE(alice->has_value());
  EXPECT_EQ((*alice)->name, "alice");
  EXPECT_THAT((*alice)->roles, ElementsAre(Role::kOfficer));  // duplicates dropped
  EXPECT_THAT((*alice)->queues, ElementsAre("border", "customs"));
  EXPECT_FALSE((*alice)->disabled);
  EXPECT_GE((*alice)->created_ms, now_ - kMinute);
  const auto created = (*alice)->created_ms;

  auto missing = store_->get_user("carol");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  // Replacing changes roles and queues but keeps the creation time.
  put(account("alice", {Role::kSupervisor, Role::kOfficer}, {"payments"}));
  alice = store_->get_user("alice");
  ASSERT_TRUE(alice.ok() && alice->has_value());
  EXPECT_THAT((*alice)->roles, ElementsAre(Role::kOfficer, Role::kSupervisor));
  EXPECT_THAT((*alice)->queues, ElementsAre("payments"));
  EXPECT_EQ((*alice)->created_ms, created);

  auto all = store_->list_users();
  ASSERT_TRUE(all.ok()) << all.error().to_string();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "alice");
  EXPECT_EQ((*all)[1].name, "bob.k_2-x");
  EXPECT_THAT((*all)[1].roles, ElementsAre(Role::kSupervisor, Role::kOps));
  EXPECT_TRUE((*all)[1].queues.empty());

  auto puts = audit_of("user_put");
  ASSERT_EQ(puts.size(), 3u);
  EXPECT_EQ(puts[0].record.actor, "admin");
  EXPECT_EQ(puts[0].record.object_type, "user");
  EXPECT_EQ(puts[0].record.object_id, "alice");
  EXPECT_THAT(puts[0].record.details, HasSubstr(R"("new":true)"));
  EXPECT_THAT(puts[0].record.details, HasSubstr(R"("queues":["border","customs"])"));
  EXPECT_THAT(puts[2].record.details, HasSubstr(R"("new":false)"));
}

TEST_F(UsersTest, InvalidAccountsAreRejectedNamingTheValue) {
  struct Case {
    UserAccount account;
    std::string message_part;
  };
  const std::string long_name(65, 'a');
  const std::vector<Case> cases = {
      {account("", {Role::kOps}), "user name \"\" is invalid"},
      {account("Alice", {Role::kOps}), "\"Alice\""},
      {account("-alice", {Role::kOps}), "\"-alice\""},
      {account("a:b", {Role::kOps}), "\"a:b\""},
      {account("a*", {Role::kOps}), "\"a*\""},
      {account("a b", {Role::kOps}), "\"a b\""},
      {account("a\nb", {Role::kOps}), "\"a?b\""},  // control characters are not echoed
      {account(long_name, {Role::kOps}), "is invalid"},
      {account("nobody", {}), "at least one role"},
      {account("officer1", {Role::kOfficer}), "has the officer role but no queues"},
      {account("super1", {Role::kSupervisor}, {"border"}), "queues apply to officers only"},
      {account("officer2", {Role::kOfficer}, {"Border"}), "queue \"Border\""},
      {account("officer3", {Role::kOfficer}, {"border", "x:*"}), "queue \"x:*\""},
  };
  for (const auto& c : cases) {
    auto s = store_->put_user(c.account, "admin");
    ASSERT_FALSE(s.ok()) << c.account.name;
    EXPECT_EQ(s.error().component(), "users");
    EXPECT_TRUE(s.error().is_fatal());
    EXPECT_EQ(s.error().code(), UserError::kInvalid);
    EXPECT_THAT(s.error().message(), HasSubstr(c.message_part)) << s.error().message();
  }
  EXPECT_FALSE(store_->put_user(account("ok", {Role::kOps}), "").ok()) << "an actor is required";

  auto get = store_->get_user("a:*");
  ASSERT_FALSE(get.ok());
  EXPECT_THAT(get.error().message(), HasSubstr("\"a:*\""));

  auto role = parse_role_or_error("admin");
  ASSERT_FALSE(role.ok());
  EXPECT_THAT(role.error().message(), HasSubstr("\"admin\""));
  EXPECT_THAT(role.error().message(), HasSubstr("officer, supervisor, list-manager, rule-approver, ops"));
  auto good = parse_role_or_error("rule-approver");
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, Role::kRuleApprover);

  // Nothing of the rejected accounts was written.
  EXPECT_TRUE(dump().empty());
}

TEST_F(UsersTest, ParseTtl) {
  EXPECT_EQ(parse_ttl("30d"), std::chrono::milliseconds(30LL * 86'400'000));
  EXPECT_EQ(parse_ttl("12h"), std::chrono::milliseconds(12LL * 3'600'000));
  EXPECT_EQ(parse_ttl("90m"), std::chrono::milliseconds(90LL * 60'000));
  EXPECT_EQ(parse_ttl("45s"), std::chrono::milliseconds(45'000));
  for (const char* bad : {"", "d", "0d", "-1d", "+1d", "1y", "1.5h", "99999999999999999d", "12"}) {
    EXPECT_FALSE(parse_ttl(bad).has_value()) << bad;
  }
}

// --- tokens -------------------------------------------------------------------------------------

TEST_F(UsersTest, IssuedTokenAuthenticatesAndFollowsTheAccount) {
  put(account("alice", {Role::kOfficer}, {"border"}));
  const auto t = issue("alice");
  EXPECT_TRUE(std::regex_match(t.token, std::regex("cct_[0-9a-f]{16}_[0-9a-f]{64}"))) << t.token;
  EXPECT_EQ(t.token.substr(4, 16), t.token_id);
  EXPECT_EQ(t.expires_ms, now_ + 24 * 60 * kMinute);

  auto p = auth(t.token, now_);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->user, "alice");
  EXPECT_THAT(p->roles, ElementsAre(Role::kOfficer));
  EXPECT_THAT(p->queues, ElementsAre("border"));

  // A role change applies to the next request, without a new token.
  put(account("alice", {Role::kSupervisor}));
  p = auth(t.token, now_);
  ASSERT_TRUE(p.has_value());
  EXPECT_THAT(p->roles, ElementsAre(Role::kSupervisor));
  EXPECT_TRUE(p->queues.empty());

  // Two tokens of one account are independent; list_tokens shows ids and expiry only.
  const auto t2 = issue("alice", std::chrono::hours(2));
  EXPECT_NE(t2.token_id, t.token_id);
  EXPECT_EQ(t2.expires_ms, now_ + 120 * kMinute);
  auto listed = store_->list_tokens("alice");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  std::set<std::string> ids{(*listed)[0].token_id, (*listed)[1].token_id};
  EXPECT_EQ(ids, (std::set<std::string>{t.token_id, t2.token_id}));
  // The Redis key expires with the token.
  const auto ttl = pttl("tokens:" + t2.token_id);
  EXPECT_GT(ttl, 110 * kMinute);
  EXPECT_LE(ttl, 120 * kMinute);

  auto issued = audit_of("token_issue");
  ASSERT_EQ(issued.size(), 2u);
  EXPECT_EQ(issued[0].record.actor, "admin");
  EXPECT_EQ(issued[0].record.object_id, "alice");
  EXPECT_THAT(issued[0].record.details, HasSubstr(t.token_id));
  const std::string secret = t.token.substr(21);
  for (const auto& e : issued) {
    EXPECT_THAT(e.record.details, Not(HasSubstr(secret.substr(0, 16))));
    EXPECT_THAT(e.record.details, Not(HasSubstr(t2.token.substr(21, 16))));
  }
}

TEST_F(UsersTest, IssueRefusesUnknownDisabledAndTooLong) {
  auto unknown = store_->issue_token("ghost", std::chrono::milliseconds(0), "admin", now_);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), UserError::kNotFound);

  put(account("alice", {Role::kOps}));
  auto too_long = store_->issue_token("alice", std::chrono::hours(24 * 8), "admin", now_);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code(), UserError::kInvalid);
  EXPECT_THAT(too_long.error().message(), HasSubstr("exceeds the maximum"));

  ASSERT_TRUE(store_->disable_user("alice", "admin").ok());
  auto disabled = store_->issue_token("alice", std::chrono::milliseconds(0), "admin", now_);
  ASSERT_FALSE(disabled.ok());
  EXPECT_EQ(disabled.error().code(), UserError::kRefused);
  EXPECT_TRUE(audit_of("token_issue").empty());
}

TEST_F(UsersTest, WrongUnknownExpiredRevokedAndDisabledTokensFail) {
  put(account("alice", {Role::kOfficer}, {"border"}));
  put(account("bob", {Role::kListManager}));
  const auto t = issue("alice", std::chrono::hours(1));
  ASSERT_TRUE(auth(t.token, now_).has_value());

  // Wrong secret: the last digit changed.
  std::string wrong = t.token;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  EXPECT_FALSE(auth(wrong, now_).has_value());
  // Unknown id with the right secret.
  std::string unknown = t.token;
  unknown[4] = unknown[4] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(auth(unknown, now_).has_value());
  // Expired, as seen by a clock past the expiry.
  EXPECT_TRUE(auth(t.token, t.expires_ms - 1).has_value());
  EXPECT_FALSE(auth(t.token, t.expires_ms).has_value());

  // Revoked (one token): the other token of the account still works.
  const auto t2 = issue("alice");
  ASSERT_TRUE(store_->revoke("alice", t.token_id, "admin").ok());
  EXPECT_FALSE(auth(t.token, now_).has_value());
  EXPECT_TRUE(auth(t2.token, now_).has_value());
  auto again = store_->revoke("alice", t.token_id, "admin");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), UserError::kNotFound);
  // A token can only be revoked under its own account.
  const auto tb = issue("bob");
  auto cross = store_->revoke("alice", tb.token_id, "admin");
  ASSERT_FALSE(cross.ok());
  EXPECT_EQ(cross.error().code(), UserError::kNotFound);
  EXPECT_TRUE(auth(tb.token, now_).has_value());

  // Disabled: every token fails at once, and re-enabling does not bring them back.
  ASSERT_TRUE(store_->disable_user("alice", "admin").ok());
  EXPECT_FALSE(auth(t2.token, now_).has_value());
  auto a = store_->get_user("alice");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_TRUE((*a)->disabled);
  put(account("alice", {Role::kOfficer}, {"border"}));
  EXPECT_FALSE(auth(t2.token, now_).has_value());
  EXPECT_TRUE(auth(issue("alice").token, now_).has_value());
  EXPECT_TRUE(auth(tb.token, now_).has_value()) << "bob is not affected";

  auto revokes = audit_of("token_revoke");
  ASSERT_EQ(revokes.size(), 1u);
  EXPECT_THAT(revokes[0].record.details, HasSubstr(t.token_id));
  auto disables = audit_of("user_disable");
  ASSERT_EQ(disables.size(), 1u);
  EXPECT_EQ(disables[0].record.object_id, "alice");
  EXPECT_THAT(disables[0].record.details, HasSubstr(R"("tokens_revoked":1)"));
}

TEST_F(UsersTest, DisabledAccountFailsEvenWhenItsTokenKeyRemains) {
  // put_user with disabled=true is the other way to disable: authentication re-reads the flag.
  put(account("alice", {Role::kOps}));
  const auto t = issue("alice");
  auto disabled = account("alice", {Role::kOps});
  disabled.disabled = true;
  put(disabled);
  EXPECT_FALSE(auth(t.token, now_).has_value());
  EXPECT_EQ(login("alice", t.token, "10.0.0.1", now_).kind, Kind::kBadCredentials);
}

TEST_F(UsersTest, HostileTokensAndSessionIdsAreRejectedQuietly) {
  put(account("alice", {Role::kOps}));
  const auto t = issue("alice");
  std::string upper = t.token;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::vector<std::string> hostile = {
      "",
      "cct_",
      std::string(1 << 20, 'a'),
      t.token + "\n",
      t.token + "0",
      t.token.substr(0, t.token.size() - 1),
      upper,
      "cct_*_*",
      "cct_" + t.token_id + ":" + t.token.substr(21),
      std::string("cct_") + std::string(16, '\0') + "_" + std::string(64, '\0'),
      "Bearer " + t.token,
  };
  for (const auto& h : hostile) {
    EXPECT_FALSE(auth(h, now_).has_value()) << h.substr(0, 40);
    EXPECT_FALSE(auth_session(h, now_).has_value()) << h.substr(0, 40);
    EXPECT_TRUE(store_->logout(h).ok());
  }
  // The token itself is no session id, nor is its secret.
  EXPECT_FALSE(auth_session(t.token.substr(21), now_).has_value());
  EXPECT_TRUE(auth(t.token, now_).has_value());

  auto bad_id = store_->revoke("alice", "../*", "admin");
  ASSERT_FALSE(bad_id.ok());
  EXPECT_EQ(bad_id.error().code(), UserError::kInvalid);
  EXPECT_FALSE(store_->list_tokens("a*").ok());
  EXPECT_FALSE(store_->disable_user("*", "admin").ok());
}

TEST_F(UsersTest, NoSecretIsStoredAnywhere) {
  put(account("alice", {Role::kOfficer}, {"border"}));
  std::vector<IssuedToken> tokens = {issue("alice"), issue("alice", std::chrono::hours(3))};
  const auto session = login("alice", tokens[0].token, "10.0.0.1", now_);
  ASSERT_EQ(session.kind, Kind::kOk);
  ASSERT_EQ(login("alice", tokens[1].token + "x", "10.0.0.1", now_).kind, Kind::kBadCredentials);

  const auto keys = dump();
  ASSERT_FALSE(keys.empty());
  bool hash_found = false;
  for (const auto& [key, values] : keys) {
    EXPECT_THAT(key, Not(HasSubstr(session.session_id)));
    for (const auto& v : values) {
      for (const auto& t : tokens) {
        const std::string secret = t.token.substr(21);
        ASSERT_EQ(secret.size(), 64u);
        EXPECT_THAT(v, Not(HasSubstr(secret))) << key;
        EXPECT_THAT(v, Not(HasSubstr(secret.substr(0, 20)))) << key;
        if (v == sha256_hex(secret)) hash_found = true;
      }
      EXPECT_THAT(v, Not(HasSubstr(session.session_id))) << key;
      EXPECT_THAT(v, Not(HasSubstr(session.session_id.substr(0, 20)))) << key;
    }
  }
  // What is stored is the hash (so the scan above looked where the secret would have been).
  EXPECT_TRUE(hash_found);
  EXPECT_EQ(keys.count(env_->prefix() + "sessions:" + sha256_hex(session.session_id)), 1u);
}

// --- sessions -----------------------------------------------------------------------------------

TEST_F(UsersTest, LoginOpensASessionAndLogoutEndsIt) {
  put(account("alice", {Role::kOfficer}, {"border", "customs"}));
  const auto t = issue("alice");
  const auto out = login("alice", t.token, "192.0.2.7", now_);
  ASSERT_EQ(out.kind, Kind::kOk);
  EXPECT_TRUE(std::regex_match(out.session_id, std::regex("[0-9a-f]{64}")));
  EXPECT_EQ(out.expires_ms, now_ + 10'000);
  EXPECT_EQ(out.principal.user, "alice");
  EXPECT_THAT(out.principal.queues, ElementsAre("border", "customs"));

  auto p = auth_session(out.session_id, now_);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->user, "alice");
  EXPECT_THAT(p->roles, ElementsAre(Role::kOfficer));
  // A session id is no bearer token.
  EXPECT_FALSE(auth(out.session_id, now_).has_value());

  // A second session is independent of the first.
  const auto out2 = login("alice", t.token, "192.0.2.7", now_);
  ASSERT_EQ(out2.kind, Kind::kOk);
  EXPECT_NE(out2.session_id, out.session_id);

  ASSERT_TRUE(store_->logout(out.session_id).ok());
  EXPECT_FALSE(auth_session(out.session_id, now_).has_value());
  EXPECT_TRUE(auth_session(out2.session_id, now_).has_value());
  EXPECT_TRUE(store_->logout(out.session_id).ok()) << "logging out twice is harmless";

  auto logins = audit_of("login");
  ASSERT_EQ(logins.size(), 2u);
  EXPECT_EQ(logins[0].record.actor, "alice");
  EXPECT_EQ(logins[0].record.object_id, "alice");
  EXPECT_THAT(logins[0].record.details, HasSubstr(R"("client":"192.0.2.7")"));
  EXPECT_THAT(logins[0].record.details, HasSubstr(t.token_id));
  EXPECT_THAT(logins[0].record.details, Not(HasSubstr(out.session_id.substr(0, 16))));
}

TEST_F(UsersTest, SessionsExpire) {
  put(account("alice", {Role::kOps}));
  const auto t = issue("alice");
  const auto out = login("alice", t.token, "10.0.0.1", now_);
  ASSERT_EQ(out.kind, Kind::kOk);
  // Redis drops the key after session_ttl ...
  const auto ttl = pttl("sessions:" + sha256_hex(out.session_id));
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 10'000);
  // ... and a clock past the expiry no longer accepts it, even while the key is still there.
  EXPECT_TRUE(auth_session(out.session_id, now_ + 9999).has_value());
  EXPECT_FALSE(auth_session(out.session_id, now_ + 10'000).has_value());

  // A session never outlives the token it was opened with.
  const auto short_token = issue("alice", std::chrono::milliseconds(5000));
  const auto s2 = login("alice", short_token.token, "10.0.0.1", now_);
  ASSERT_EQ(s2.kind, Kind::kOk);
  EXPECT_EQ(s2.expires_ms, now_ + 5000);
  EXPECT_TRUE(auth_session(s2.session_id, now_ + 4999).has_value());
  EXPECT_FALSE(auth_session(s2.session_id, now_ + 5000).has_value());
}

TEST_F(UsersTest, RevokingAndDisablingEndSessions) {
  put(account("alice", {Role::kOps}));
  put(account("bob", {Role::kOps}));
  const auto t1 = issue("alice");
  const auto t2 = issue("alice");
  const auto tb = issue("bob");
  const auto s1 = login("alice", t1.token, "10.0.0.1", now_);
  const auto s2 = login("alice", t2.token, "10.0.0.1", now_);
  const auto sb = login("bob", tb.token, "10.0.0.2", now_);
  ASSERT_EQ(s1.kind, Kind::kOk);
  ASSERT_EQ(s2.kind, Kind::kOk);
  ASSERT_EQ(sb.kind, Kind::kOk);

  // Revoking one token ends the sessions opened with it, not the others.
  ASSERT_TRUE(store_->revoke("alice", t1.token_id, "admin").ok());
  EXPECT_FALSE(auth_session(s1.session_id, now_).has_value());
  EXPECT_TRUE(auth_session(s2.session_id, now_).has_value());

  // Revoking all ends every token and session of the account; the account stays enabled.
  ASSERT_TRUE(store_->revoke("alice", "", "admin").ok());
  EXPECT_FALSE(auth_session(s2.session_id, now_).has_value());
  EXPECT_FALSE(auth(t2.token, now_).has_value());
  auto listed = store_->list_tokens("alice");
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
  const auto t3 = issue("alice");
  const auto s3 = login("alice", t3.token, "10.0.0.1", now_);
  ASSERT_EQ(s3.kind, Kind::kOk);

  // Disabling ends the session too (and the account's sessions only).
  ASSERT_TRUE(store_->disable_user("alice", "admin").ok());
  EXPECT_FALSE(auth_session(s3.session_id, now_).has_value());
  EXPECT_TRUE(auth_session(sb.session_id, now_).has_value());
  EXPECT_EQ(login("alice", t3.token, "10.0.0.1", now_).kind, Kind::kBadCredentials);

  auto revokes = audit_of("token_revoke");
  ASSERT_EQ(revokes.size(), 2u);
  EXPECT_THAT(revokes[0].record.details, HasSubstr(R"("sessions_revoked":1)"));
  EXPECT_THAT(revokes[1].record.details, HasSubstr(R"("all":true,"tokens_revoked":1,"sessions_revoked":1)"));
}

// --- the failed-login limit ---------------------------------------------------------------------

TEST_F(UsersTest, FailedLoginsAreLimitedPerAccount) {
  put(account("alice", {Role::kOps}));
  put(account("bob", {Role::kOps}));
  const auto t = issue("alice");
  const auto tb = issue("bob");
  // Three failures from three addresses: the account's own limit (3) is reached.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(login("alice", tb.token, "10.0.1." + std::to_string(i), now_ + i).kind, Kind::kBadCredentials);
  }
  // A wrong token is now refused as rate limited, from a fresh address too.
  auto limited = login("alice", tb.token, "10.0.2.1", now_ + 10);
  ASSERT_EQ(limited.kind, Kind::kRateLimited);
  EXPECT_TRUE(limited.session_id.empty());
  // The oldest failure leaves the window at now_ + window.
  EXPECT_EQ(limited.retry_after_ms, kMinute - 10);
  // Refused attempts are not counted on the account: the retry time has not moved.
  EXPECT_EQ(login("alice", "cct_garbage", "10.0.2.5", now_ + 20).retry_after_ms, kMinute - 20);
  // Other accounts are not affected.
  EXPECT_EQ(login("bob", tb.token, "10.0.2.2", now_ + 20).kind, Kind::kOk);
  // The right token still opens a session: a stranger who knows the name cannot lock its owner
  // out. The success resets the account's count, so the next wrong token is a plain failure.
  auto owner = login("alice", t.token, "10.0.2.3", now_ + 30);
  ASSERT_EQ(owner.kind, Kind::kOk);
  EXPECT_FALSE(owner.session_id.empty());
  EXPECT_EQ(login("alice", tb.token, "10.0.2.4", now_ + 40).kind, Kind::kBadCredentials);

  auto failed = audit_of("login_failed");
  ASSERT_EQ(failed.size(), 6u);
  EXPECT_EQ(failed[0].record.actor, "alice");
  EXPECT_EQ(failed[0].record.object_id, "alice");
  EXPECT_EQ(failed[0].record.details, R"({"client":"10.0.1.0","reason":"bad_credentials"})");
  EXPECT_EQ(failed[3].record.details, R"({"client":"10.0.2.1","reason":"rate_limited"})");
  EXPECT_EQ(failed[4].record.details, R"({"client":"10.0.2.5","reason":"rate_limited"})");
  EXPECT_EQ(failed[5].record.details, R"({"client":"10.0.2.4","reason":"bad_credentials"})");
  for (const auto& e : failed) {
    EXPECT_THAT(e.record.details, Not(HasSubstr(t.token.substr(21, 16))));
    EXPECT_THAT(e.record.details, Not(HasSubstr(tb.token.substr(21, 16))));
  }
}

// The account limit does not stop an address's own limit: the attempts it refuses still count
// against the address they came from.
TEST_F(UsersTest, AttemptsOnALimitedAccountStillCountAgainstTheirAddress) {
  put(account("alice", {Role::kOps}));
  const auto t = issue("alice");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(login("alice", "cct_garbage", "10.0.3." + std::to_string(i), now_ + i).kind, Kind::kBadCredentials);
  }
  // One address tries on against the limited account: refused, and counted on the address.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(login("alice", "cct_garbage", "10.0.4.1", now_ + 10 + i).kind, Kind::kRateLimited);
  }
  // Now the address itself is over its limit: even the right token is refused from there...
  auto from_addr = login("alice", t.token, "10.0.4.1", now_ + 20);
  ASSERT_EQ(from_addr.kind, Kind::kRateLimited);
  EXPECT_EQ(from_addr.retry_after_ms, kMinute - 10);
  // ...but not from the owner's own.
  EXPECT_EQ(login("alice", t.token, "10.0.4.2", now_ + 20).kind, Kind::kOk);
}

TEST_F(UsersTest, FailedLoginsAreLimitedPerAddress) {
  put(account("alice", {Role::kOps}));
  const auto t = issue("alice");
  // Failures against three different (some nonexistent, some malformed) accounts from one address.
  EXPECT_EQ(login("ghost", t.token, "198.51.100.9", now_).kind, Kind::kBadCredentials);
  EXPECT_EQ(login("x:*", t.token, "198.51.100.9", now_ + 1).kind, Kind::kBadCredentials);
  EXPECT_EQ(login("alice", "cct_garbage", "198.51.100.9", now_ + 2).kind, Kind::kBadCredentials);
  auto limited = login("alice", t.token, "198.51.100.9", now_ + 3);
  ASSERT_EQ(limited.kind, Kind::kRateLimited);
  EXPECT_EQ(limited.retry_after_ms, kMinute - 3);
  // The account itself is fine from elsewhere (1 failure of 3).
  EXPECT_EQ(login("alice", t.token, "198.51.100.10", now_ + 3).kind, Kind::kOk);
  // After the window the address may try again.
  EXPECT_EQ(login("alice", t.token, "198.51.100.9", now_ + kMinute + 1).kind, Kind::kOk);

  auto failed = audit_of("login_failed");
  ASSERT_EQ(failed.size(), 4u);
  EXPECT_EQ(failed[0].record.actor, "ghost");
  // A name that is no valid account name is not repeated as the actor.
  EXPECT_EQ(failed[1].record.actor, "unknown");
  EXPECT_EQ(failed[1].record.object_id, "unknown");
  EXPECT_THAT(failed[1].record.details, HasSubstr(R"("client":"198.51.100.9")"));
  EXPECT_EQ(failed[2].record.details, R"({"client":"198.51.100.9","reason":"malformed_token"})");
  for (const auto& e : failed) EXPECT_THAT(e.record.details, Not(HasSubstr(t.token.substr(21, 16))));

  // No key was made from the malformed name.
  for (const auto& [key, values] : dump()) EXPECT_THAT(key, Not(HasSubstr("x:*")));
}

TEST_F(UsersTest, SuccessResetsTheAccountCountButNotTheAddressCount) {
  put(account("alice", {Role::kOps}));
  put(account("bob", {Role::kOps}));
  const auto t = issue("alice");
  const auto tb = issue("bob");
  // Two failures for alice from A, then alice logs in from A.
  EXPECT_EQ(login("alice", tb.token, "A", now_).kind, Kind::kBadCredentials);
  EXPECT_EQ(login("alice", tb.token, "A", now_ + 1).kind, Kind::kBadCredentials);
  EXPECT_EQ(login("alice", t.token, "A", now_ + 2).kind, Kind::kOk);
  // A's two failures still count: one more (against bob) and A is refused, even for alice.
  EXPECT_EQ(login("bob", t.token, "A", now_ + 3).kind, Kind::kBadCredentials);
  EXPECT_EQ(login("alice", t.token, "A", now_ + 4).kind, Kind::kRateLimited);
  // Alice's count started again at the success: two more failures (from C) leave her below 3.
  EXPECT_EQ(login("alice", tb.token, "C", now_ + 5).kind, Kind::kBadCredentials);
  EXPECT_EQ(login("alice", tb.token, "C", now_ + 6).kind, Kind::kBadCredentials);
  EXPECT_EQ(login("alice", t.token, "D", now_ + 7).kind, Kind::kOk);
}

TEST_F(UsersTest, LoginWithAnotherAccountsTokenFails) {
  put(account("alice", {Role::kSupervisor}));
  put(account("mallory", {Role::kOps}));
  const auto tm = issue("mallory");
  EXPECT_EQ(login("alice", tm.token, "10.0.0.5", now_).kind, Kind::kBadCredentials);
  EXPECT_EQ(login("ghost", tm.token, "10.0.0.6", now_).kind, Kind::kBadCredentials);
  EXPECT_EQ(login("mallory", tm.token, "10.0.0.7", now_).kind, Kind::kOk);
}

// --- the admin functions of `crosscheck users` --------------------------------------------------

TEST_F(UsersTest, AdminFunctions) {
  auto bad_role = admin_user_add(*store_, "alice", {"officer", "boss"}, {"border"}, "admin");
  EXPECT_EQ(bad_role.status, rules::AdminStatus::kUsage);
  EXPECT_THAT(bad_role.text, HasSubstr("unknown role \"boss\""));
  EXPECT_THAT(bad_role.json, HasSubstr(R"("ok":false)"));
  auto bad_name = admin_user_add(*store_, "Alice", {"ops"}, {}, "admin");
  EXPECT_EQ(bad_name.status, rules::AdminStatus::kUsage);

  auto added = admin_user_add(*store_, "alice", {"officer"}, {"border", "customs"}, "admin");
  ASSERT_TRUE(added.ok()) << added.text;
  EXPECT_THAT(added.text, HasSubstr("alice  roles officer  queues border,customs"));
  EXPECT_THAT(added.json, HasSubstr(R"("ok":true,"user":{"name":"alice","roles":["officer"],)"
                                    R"("queues":["border","customs"],"disabled":false)"));

  auto token = admin_user_token(*store_, "alice", std::chrono::hours(1), "admin", now_);
  ASSERT_TRUE(token.ok()) << token.text;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(token.text, m, std::regex("cct_([0-9a-f]{16})_[0-9a-f]{64}")));
  const std::string shown = m[0];
  const std::string id = m[1];
  EXPECT_THAT(token.text, HasSubstr("only time the token is shown"));
  EXPECT_EQ(token.text.find(shown), token.text.rfind(shown)) << "shown once";
  EXPECT_THAT(token.json, HasSubstr("\"token\":\"" + shown + "\""));
  EXPECT_TRUE(auth(shown, now_).has_value());

  auto list = admin_user_list(*store_);
  ASSERT_TRUE(list.ok());
  EXPECT_THAT(list.text, HasSubstr("token " + id));
  EXPECT_THAT(list.text, Not(HasSubstr(shown.substr(21, 16))));
  EXPECT_THAT(list.json, HasSubstr(R"("tokens":[{"token_id":")" + id));
  EXPECT_THAT(list.json, Not(HasSubstr(shown.substr(21, 16))));

  auto unknown = admin_user_revoke(*store_, "alice", "0123456789abcdef", "admin");
  EXPECT_EQ(unknown.status, rules::AdminStatus::kRejected);
  auto revoked = admin_user_revoke(*store_, "alice", id, "admin");
  ASSERT_TRUE(revoked.ok()) << revoked.text;
  EXPECT_FALSE(auth(shown, now_).has_value());

  auto ghost = admin_user_disable(*store_, "ghost", "admin");
  EXPECT_EQ(ghost.status, rules::AdminStatus::kRejected);
  EXPECT_THAT(ghost.text, HasSubstr("no user ghost"));
  auto disabled = admin_user_disable(*store_, "alice", "admin");
  ASSERT_TRUE(disabled.ok());
  list = admin_user_list(*store_);
  EXPECT_THAT(list.text, HasSubstr("DISABLED"));
  EXPECT_THAT(list.json, HasSubstr(R"("disabled":true)"));
  auto refused = admin_user_token(*store_, "alice", std::chrono::milliseconds(0), "admin", now_);
  EXPECT_EQ(refused.status, rules::AdminStatus::kRejected);
  EXPECT_THAT(refused.text, HasSubstr("disabled"));
}

TEST(UsersUnavailableTest, RedisDownIsAnUnavailableResult) {
  rules::RedisConfig config;
  config.port = 1;  // nothing listens there
  config.connect_timeout = std::chrono::milliseconds(200);
  rules::RedisClient redis(config);
  UserStore store(redis, "cctest:none:");
  auto r = store.authenticate_token("cct_0123456789abcdef_" + std::string(64, 'a'), timefmt::now_ms());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().component(), "redis");
  EXPECT_TRUE(r.error().is_retriable());
  EXPECT_EQ(admin_user_list(store).status, rules::AdminStatus::kUnavailable);
}

}  // namespace
}  // namespace crosscheck::console
