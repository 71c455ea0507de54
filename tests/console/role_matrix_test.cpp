// Integration: the console API against the real Redis, called as the server calls it
// (handle_api_request / authorize_stream, no socket).
//
// The centre is the role matrix: every endpoint crossed with every role and with no credential,
// checked against a table written here from docs/console.md, not from the implementation. Around
// it the rules that are not a matrix: an officer sees only the alerts of their queues (another
// queue's alert is a 404 exactly like an unknown one), CSRF for cookie sessions, the login limit,
// and the audit of every view (a view that cannot be audited is refused).
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <regex>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "crosscheck/console/alert_store.h"
#include "crosscheck/console/console_api.h"
#include "crosscheck/console/http_types.h"
#include "crosscheck/console/users.h"
#include "crosscheck/rules/audit_log.h"
#include "crosscheck/rules/list_import.h"
#include "crosscheck/rules/redis_client.h"
#include "crosscheck/rules/rule.h"
#include "crosscheck/rules/rule_store.h"
#include "crosscheck/rules/watchlist_admin.h"
#include "crosscheck/rules/watchlist_store.h"
#include "crosscheck/schemas/output_records.h"
#include "crosscheck/testing/redis_test_env.h"
#include "crosscheck/testing/test_env.h"
#include "crosscheck/time_format.h"

namespace crosscheck::console {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::int64_t kDay = 24LL * 3600 * 1000;
constexpr std::string_view kRuleId = "matrix-large-payments";
constexpr std::string_view kListId = "matrix-list";
constexpr std::string_view kFakeMetrics =
    "# TYPE crosscheck_console_fake_total counter\ncrosscheck_console_fake_total 7\n";
constexpr std::string_view kFakeOverview = R"({"now_ms":1,"screeners":[]})";

// Who calls: one account per role, plus no credential at all.
enum class Caller { kNone, kOfficer, kSupervisor, kListManager, kRuleApprover, kOps };
constexpr Caller kCallers[] = {Caller::kNone,         Caller::kOfficer,      Caller::kSupervisor,
                               Caller::kListManager, Caller::kRuleApprover, Caller::kOps};

const char* caller_name(Caller c) {
  switch (c) {
    case Caller::kNone: return "no credential";
    case Caller::kOfficer: return "officer";
    case Caller::kSupervisor: return "supervisor";
    case Caller::kListManager: return "list-manager";
    case Caller::kRuleApprover: return "rule-approver";
    case Caller::kOps: return "ops";
  }
  return "?";
}

// A rule of the payments queue (the shape of tests/rules/rule_store_test.cpp).
std::string rule_json(std::int64_t now, const std::string& purpose) {
  return R"({"id":")" + std::string(kRuleId) + R"(","applies_to":["payment"],"when":{"all":[)"
         R"({"field":"payment.amount","op":">=","value":"10000"},)"
         R"({"hit":{"role":"creditor","lists":[],"min_score":0.85}}]},)"
         R"("severity":"high","queue":"payments","legal_basis":"AMLD6 art. 18","purpose":")" + purpose +
         R"(","owner":"fiu-rules@example.org","data_categories":["payment.amount"],)"
         R"("valid_from":")" + timefmt::format_utc_ms(now - kDay) + R"(","expires":")" +
         timefmt::format_utc_ms(now + 30 * kDay) +
         R"(","max_flags_per_hour":50,"max_flag_share":0.01,"mode":"enforce"})";
}

std::string list_json(const std::string& entry_name) {
  return R"({"list_id":")" + std::string(kListId) + R"(","name":"Matrix test list - fictional","entries":[)"
         R"({"id":"MX-1","type":"organization","names":[")" + entry_name + R"("]}]})";
}

// A watchlist flag as the screener writes it (schemas::encode_flag), with personal data in it.
std::string flag_json(const std::string& flag_id, const std::string& queue, std::int64_t published_ms) {
  schemas::FlagRecord f;
  f.flag_id = flag_id;
  f.queue = queue;
  f.severity = "high";
  f.reason_code = "watchlist_match";
  f.matched_on = {"document_number", "name"};
  f.score = 0.97;
  f.source = schemas::SourceRef{"transit.itineraries", 0, 42, published_ms};
  f.kind = schemas::EventKind::kItinerary;
  f.event_id = "itn-matrix";
  f.event_time = "2026-11-21T06:21:00Z";
  f.subject.role = "passenger";
  f.subject.index = 3;
  f.subject.name = "Viktor DRAGAN";
  f.subject.date_of_birth = "1971-04-12";
  f.subject.nationality = "ROU";
  f.subject.document_number = "RX4417208";
  f.watchlist = schemas::WatchlistRef{"demo-national", 1, "DEMO-P-0001", "Viktor DRAGAN"};
  f.rule = schemas::RuleRef{"watchlist-hit:demo-national", 1, "0123456789abcdef", "national screening law"};
  f.published_at_ms = published_ms;
  f.screener_instance = "role-matrix-test";
  return schemas::encode_flag(f);
}

std::string header_value(const ApiResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

// A TCP port on 127.0.0.1 that is bound but not listening, so connecting to it is refused, for
// as long as the object lives.
class RefusingPort {
 public:
  RefusingPort() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("cannot bind a local port");
    }
    port_ = ntohs(addr.sin_port);
  }
  ~RefusingPort() {
    if (fd_ >= 0) ::close(fd_);
  }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

class RoleMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CROSSCHECK_REQUIRE_REDIS();
    env_ = std::make_unique<testing::RedisTestEnv>(*testing::redis_address());
    redis_ = std::make_unique<rules::RedisClient>(env_->config());
    UserStoreOptions options;
    options.max_failed_logins = 3;
    users_ = std::make_unique<UserStore>(*redis_, env_->prefix(), options);
    alerts_ = std::make_unique<AlertStore>(*redis_, env_->prefix());
    audit_ = std::make_unique<rules::AuditLog>(*redis_, env_->prefix());

    context_.users = users_.get();
    context_.alerts = alerts_.get();
    context_.audit = audit_.get();
    context_.manager.redis = redis_.get();
    context_.manager.key_prefix = env_->prefix();
    context_.queues = {"border", "customs", "payments"};
    context_.metrics_text = [this] {
      ++metrics_calls_;
      return std::string(kFakeMetrics);
    };
    context_.counters = &counters_;
    context_.ops_overview = [this](std::int64_t now_ms) {
      ++ops_calls_;
      ops_now_ms_ = now_ms;
      return std::string(kFakeOverview);
    };

    const std::int64_t now = timefmt::now_ms();
    tokens_[Caller::kOfficer] = add_user("off-a", {Role::kOfficer}, {"border"});
    tokens_[Caller::kSupervisor] = add_user("sup", {Role::kSupervisor}, {});
    tokens_[Caller::kListManager] = add_user("lm", {Role::kListManager}, {});
    tokens_[Caller::kRuleApprover] = add_user("ra", {Role::kRuleApprover}, {});
    tokens_[Caller::kOps] = add_user("ops", {Role::kOps}, {});
    officer_b_token_ = add_user("off-b", {Role::kOfficer}, {"customs"});

    // Alert A: new, in queue border. Alert M: received 200 days ago, depersonalised by retention.
    alert_a_ = schemas::compute_flag_id("transit.itineraries", 0, 42, "watchlist_match");
    alert_m_ = schemas::compute_flag_id("transit.itineraries", 0, 7, "watchlist_match");
    auto a = alerts_->ingest("border", flag_json(alert_a_, "border", now - 1000), now);
    ASSERT_TRUE(a.ok()) << a.error().to_string();
    auto m = alerts_->ingest("border", flag_json(alert_m_, "border", now - 200 * kDay), now - 200 * kDay);
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    auto retention = alerts_->apply_retention(now, std::chrono::hours(24 * 180), std::chrono::hours(24 * 365 * 5));
    ASSERT_TRUE(retention.ok()) << retention.error().to_string();
    ASSERT_EQ(retention->masked, 1u);

    // A rule with two versions by someone who is none of the callers (four eyes must not get in
    // the way of the rule-approver), and a list with two versions.
    rules::RuleStore rule_store(*redis_, env_->prefix());
    for (const char* purpose : {"detect large payments to listed organisations", "detect large payments (v2)"}) {
      std::vector<rules::RuleViolation> violations;
      auto rule = rules::parse_rule(rule_json(now, purpose), violations);
      ASSERT_TRUE(rule.has_value()) << (violations.empty() ? "" : violations[0].message);
      auto stored = rule_store.put(*rule, "rule-author", now);
      ASSERT_TRUE(stored.ok()) << stored.error().to_string();
    }
    rules::WatchlistStore list_store(*redis_, env_->prefix());
    rules::ImportOptions import;
    import.format = rules::ListFormat::kJson;
    for (const char* name : {"Orchid Bay Trading Ltd", "Orchid Bay Trading Limited"}) {
      auto published =
          rules::admin_watchlist_publish_content(list_store, *audit_, list_json(name), import, "list-seeder");
      ASSERT_TRUE(published.ok()) << published.text;
    }
  }

  std::string add_user(const std::string& name, std::vector<Role> roles, std::vector<std::string> queues) {
    UserAccount account;
    account.name = name;
    account.roles = std::move(roles);
    account.queues = std::move(queues);
    auto put = users_->put_user(account, "test-admin");
    EXPECT_TRUE(put.ok()) << put.error().to_string();
    auto token = users_->issue_token(name, std::chrono::milliseconds(0), "test-admin", timefmt::now_ms());
    EXPECT_TRUE(token.ok()) << token.error().to_string();
    return token.ok() ? token->token : std::string();
  }

  static ApiRequest request(const std::string& method, const std::string& path, const std::string& token,
                            std::map<std::string, std::string> query = {}, std::string body = {}) {
    ApiRequest r;
    r.method = method;
    r.path = path;
    r.query = std::move(query);
    r.body = std::move(body);
    r.client_address = "192.0.2.10";
    r.headers["host"] = "console.example:8480";
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    return r;
  }

  ApiResponse call(const ApiRequest& r) { return handle_api_request(r, context_); }
  ApiResponse get(const std::string& path, const std::string& token, std::map<std::string, std::string> query = {}) {
    return call(request("GET", path, token, std::move(query)));
  }
  ApiResponse post(const std::string& path, const std::string& token, std::string body,
                   std::map<std::string, std::string> query = {}) {
    return call(request("POST", path, token, std::move(query), std::move(body)));
  }

  std::vector<rules::AuditEntry> audit_of(const std::string& action, const std::string& object_id) {
    rules::AuditFilter filter;
    filter.action = action;
    filter.object_id = object_id;
    filter.limit = 0;
    auto r = audit_->list(filter);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? *r : std::vector<rules::AuditEntry>{};
  }

  std::size_t dispositions_of(const std::string& flag_id) {
    auto alert = alerts_->get(flag_id);
    EXPECT_TRUE(alert.ok() && alert->has_value());
    return alert.ok() && alert->has_value() ? (*alert)->dispositions.size() : 0;
  }

  std::unique_ptr<testing::RedisTestEnv> env_;
  std::unique_ptr<rules::RedisClient> redis_;
  std::unique_ptr<UserStore> users_;
  std::unique_ptr<AlertStore> alerts_;
  std::unique_ptr<rules::AuditLog> audit_;
  ApiCounters counters_;
  ConsoleContext context_;
  int metrics_calls_ = 0;
  int ops_calls_ = 0;
  std::int64_t ops_now_ms_ = 0;
  std::map<Caller, std::string> tokens_;
  std::string officer_b_token_;
  std::string alert_a_;
  std::string alert_m_;
};

// One row of the matrix. `allowed` is the intended access (docs/console.md); `pass` the statuses
// that show an allowed caller got through the role check, and `why` says why each one is there.
// 101 stands for an accepted WebSocket (authorize_stream returned the principal).
struct Endpoint {
  std::string name;
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;
  std::string body;
  std::set<Role> allowed;
  std::set<int> pass;
  std::string why;
  bool stream = false;
};

// The intended matrix. The officer is an officer of queue "border", where alerts A and M are
// (alert_m depersonalised); `first_payment` is one recorded payment for the backtest.
std::vector<Endpoint> intended_matrix(const std::string& alert_a, const std::string& alert_m,
                                      const std::string& first_payment) {
  using enum Role;
  const std::set<Role> all{kOfficer, kSupervisor, kListManager, kRuleApprover, kOps};
  const std::set<Role> queue_watchers{kOfficer, kSupervisor};
  const std::set<Role> managers{kListManager, kRuleApprover};
  const std::string rules_path = "/api/rules/" + std::string(kRuleId);
  const std::int64_t now = timefmt::now_ms();
  return {
      {"GET /api/me", "GET", "/api/me", {}, "", all, {200}, "any role"},
      {"POST /api/logout", "POST", "/api/logout", {}, "", all, {200},
       "a bearer caller has no session; 200 all the same"},
      {"GET /api/queues", "GET", "/api/queues", {}, "", queue_watchers, {200}, "lists visible queues"},
      {"GET /api/alerts", "GET", "/api/alerts", {}, "", queue_watchers, {200}, "lists visible alerts"},
      {"GET /api/alerts/{A}", "GET", "/api/alerts/" + alert_a, {}, "", queue_watchers, {200},
       "A is in the officer's queue"},
      {"POST /api/alerts/{A}/disposition", "POST", "/api/alerts/" + alert_a + "/disposition", {},
       R"({"action":"escalate","comment":"role matrix: needs a second look"})", queue_watchers, {200},
       "every allowed caller records one decision"},
      {"POST /api/alerts/{M}/unmask", "POST", "/api/alerts/" + alert_m + "/unmask", {},
       R"({"reason":"role matrix: court order 12/34"})", {kSupervisor}, {200}, "M is depersonalised"},
      {"GET /api/audit", "GET", "/api/audit", {}, "", {kSupervisor}, {200}, "reads the audit stream"},
      {"GET /metrics", "GET", "/metrics", {}, "", {kOps}, {200}, "the fake exposition"},
      {"GET /api/ops/overview", "GET", "/api/ops/overview", {}, "", {kOps}, {200}, "the fake dashboard JSON"},
      {"WS /api/stream", "GET", "/api/stream", {{"after_seq", "0"}}, "", queue_watchers, {101},
       "authorize_stream returns the principal", true},
      {"GET /api/watchlists", "GET", "/api/watchlists", {}, "", managers, {200}, "live versions"},
      {"POST /api/watchlists", "POST", "/api/watchlists", {{"format", "json"}}, list_json("Orchid Bay Trading Co"),
       {kListManager}, {201}, "publishes version 3 of the list"},
      {"GET /api/watchlists/{id}/diff", "GET", "/api/watchlists/" + std::string(kListId) + "/diff",
       {{"from", "1"}, {"to", "2"}}, "", managers, {200}, "both versions were seeded"},
      {"GET /api/rules", "GET", "/api/rules", {}, "", managers, {200}, "every rule"},
      {"GET /api/rules/{id}", "GET", rules_path, {{"version", "1"}}, "", managers, {200}, "the seeded version 1"},
      {"GET /api/rules/{id}/diff", "GET", rules_path + "/diff", {{"from", "1"}, {"to", "2"}}, "", managers, {200},
       "both versions were seeded"},
      {"POST /api/rules/validate", "POST", "/api/rules/validate", {}, rule_json(now, "validate only"), {kListManager},
       {200}, "a valid rule"},
      {"POST /api/rules", "POST", "/api/rules", {}, rule_json(now, "put by the list manager"), {kListManager}, {201},
       "stores version 3"},
      {"POST /api/rules/{id}/versions/1/backtest", "POST", rules_path + "/versions/1/backtest", {{"kind", "payment"}},
       first_payment + "\n", {kListManager}, {200}, "one recorded payment"},
      {"POST /api/rules/{id}/versions/1/approve", "POST", rules_path + "/versions/1/approve", {},
       R"({"comment":"reviewed: proportionate"})", {kRuleApprover}, {200}, "version 1 was put by rule-author"},
      {"POST /api/rules/{id}/versions/1/activate", "POST", rules_path + "/versions/1/activate", {}, "{}",
       {kRuleApprover}, {200}, "approved in the row above"},
      {"POST /api/rules/{id}/versions/1/suspend", "POST", rules_path + "/versions/1/suspend", {},
       R"({"reason":"role matrix"})", managers, {200, 409},
       "the first allowed caller suspends it (200); the next finds it suspended already (409: the store refused "
       "after the role check passed)"},
  };
}

TEST_F(RoleMatrixTest, EveryEndpointCrossedWithEveryRole) {
  std::ifstream payments(testing::source_dir() + "/tests/fixtures/events/payments.jsonl");
  std::string first_payment;
  ASSERT_TRUE(std::getline(payments, first_payment)) << "tests/fixtures/events/payments.jsonl is missing";
  const std::vector<Endpoint> matrix = intended_matrix(alert_a_, alert_m_, first_payment);

  using enum Role;
  const std::map<Caller, Role> role_of{{Caller::kOfficer, kOfficer},
                                       {Caller::kSupervisor, kSupervisor},
                                       {Caller::kListManager, kListManager},
                                       {Caller::kRuleApprover, kRuleApprover},
                                       {Caller::kOps, kOps}};
  std::size_t checked = 0;
  for (const auto& endpoint : matrix) {
    bool some_success = false;
    for (Caller caller : kCallers) {
      const std::string token = caller == Caller::kNone ? std::string() : tokens_.at(caller);
      ApiRequest r = request(endpoint.method, endpoint.path, token, endpoint.query, endpoint.body);
      int status = 0;
      std::string body;
      if (endpoint.stream) {
        auto result = authorize_stream(r, context_);
        if (std::holds_alternative<Principal>(result)) {
          status = 101;
        } else {
          status = std::get<ApiResponse>(result).status;
          body = std::get<ApiResponse>(result).body;
        }
      } else {
        auto response = call(r);
        status = response.status;
        body = response.body;
      }
      ++checked;
      SCOPED_TRACE(endpoint.name + " as " + caller_name(caller) + " -> " + std::to_string(status) + " " + body);
      if (caller == Caller::kNone) {
        EXPECT_EQ(status, 401);
      } else if (endpoint.allowed.count(role_of.at(caller)) != 0) {
        EXPECT_TRUE(endpoint.pass.count(status) != 0)
            << "allowed, expected one of the passing statuses: " << endpoint.why;
        some_success = some_success || status == 101 || (status >= 200 && status < 300);
      } else {
        EXPECT_EQ(status, 403) << "this role may not call " << endpoint.name;
      }
    }
    EXPECT_TRUE(some_success) << endpoint.name << ": no allowed role succeeded outright";
  }
  EXPECT_EQ(checked, matrix.size() * std::size(kCallers));
  // Only ops reached the metrics; every other role was stopped before the exposition was built.
  EXPECT_EQ(metrics_calls_, 1);
  EXPECT_EQ(ops_calls_, 1);
  EXPECT_EQ(counters_.role_forbidden.load(), 0u + [&] {
    std::size_t forbidden = 0;
    for (const auto& e : matrix) forbidden += role_of.size() - e.allowed.size();
    return forbidden;
  }());
}

// The OpenAPI document (schemas/openapi/crosscheck-api.yaml) is what integrators read: every
// operation in it that needs a token is a row of the matrix, its x-roles are the matrix's allowed
// roles, and it documents every status the matrix accepts, 401, and 403 where a role is refused.
TEST_F(RoleMatrixTest, TheOpenApiDocumentAgreesWithTheMatrix) {
  const std::string file = testing::source_dir() + "/schemas/openapi/crosscheck-api.yaml";
  YAML::Node doc;
  ASSERT_NO_THROW(doc = YAML::LoadFile(file)) << file;
  ASSERT_TRUE(doc["paths"].IsMap()) << file << " has no paths";

  struct Operation {
    std::string method;  // upper case
    std::string templ;   // "/api/rules/{id}"
    std::regex pattern;
    YAML::Node node;
    bool covered = false;
  };
  std::vector<Operation> operations;
  for (const auto& path : doc["paths"]) {
    const std::string templ = path.first.as<std::string>();
    const std::string pattern = std::regex_replace(templ, std::regex(R"(\{[^}/]+\})"), "[^/]+");
    for (const auto& op : path.second) {
      std::string method = op.first.as<std::string>();
      if (method == "parameters") continue;
      std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::toupper(c); });
      operations.push_back({method, templ, std::regex(pattern), op.second});
    }
  }
  ASSERT_GE(operations.size(), 20u);

  const std::set<std::string> every_role{"officer", "supervisor", "list-manager", "rule-approver", "ops"};
  for (const Endpoint& e : intended_matrix(alert_a_, alert_m_, "{}")) {
    SCOPED_TRACE(e.name);
    auto op = std::find_if(operations.begin(), operations.end(), [&](const Operation& o) {
      return o.method == e.method && std::regex_match(e.path, o.pattern);
    });
    ASSERT_NE(op, operations.end()) << e.method << " " << e.path << " is not in " << file;
    op->covered = true;
    std::set<std::string> documented;
    for (const auto& r : op->node["x-roles"]) documented.insert(r.as<std::string>());
    std::set<std::string> intended;
    for (Role r : e.allowed) intended.insert(std::string(to_string(r)));
    EXPECT_EQ(documented, intended) << op->templ << ": x-roles";
    const YAML::Node responses = op->node["responses"];
    for (int status : e.pass) {
      EXPECT_TRUE(responses[std::to_string(status)].IsDefined()) << op->templ << " does not document " << status;
    }
    EXPECT_TRUE(responses["401"].IsDefined()) << op->templ << " does not document 401";
    if (intended != every_role) {
      EXPECT_TRUE(responses["403"].IsDefined()) << op->templ << " does not document 403";
    }
  }
  for (const Operation& o : operations) {
    const bool open = o.node["x-roles"].IsSequence() && o.node["x-roles"].size() == 0;  // /healthz, /api/login
    EXPECT_TRUE(o.covered || open) << o.method << " " << o.templ << " is documented but not in the role matrix";
  }
}

TEST_F(RoleMatrixTest, MetricsAreTheExpositionAsPrometheusText) {
  auto r = get("/metrics", tokens_[Caller::kOps]);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4");
  EXPECT_EQ(r.body, kFakeMetrics);
}

TEST_F(RoleMatrixTest, OpsOverviewIsTheCollectorsJsonAtTheRequestTime) {
  context_.now_ms = 1764800000123;
  auto r = get("/api/ops/overview", tokens_[Caller::kOps]);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, kFakeOverview);
  EXPECT_EQ(ops_now_ms_, 1764800000123);
  EXPECT_EQ(get("/api/ops/overview", tokens_[Caller::kOps], {{"since", "1"}}).status, 400);
  EXPECT_EQ(call(request("POST", "/api/ops/overview", tokens_[Caller::kOps])).status, 405);
  // A console without the collector says so rather than answer empty.
  context_.ops_overview = nullptr;
  auto unavailable = get("/api/ops/overview", tokens_[Caller::kOps]);
  EXPECT_EQ(unavailable.status, 503);
  EXPECT_THAT(unavailable.body, HasSubstr("operations dashboard"));
}

TEST_F(RoleMatrixTest, OfficerOfAnotherQueueSeesNothingOfQueueA) {
  const std::string& officer_b = officer_b_token_;
  // Officer A sees both alerts of border; officer B (customs) none of them.
  auto list_a = get("/api/alerts", tokens_[Caller::kOfficer]);
  ASSERT_EQ(list_a.status, 200) << list_a.body;
  EXPECT_THAT(list_a.body, HasSubstr(alert_a_));
  EXPECT_EQ(occurrences(list_a.body, "\"flag_id\""), 2u);
  auto list_b = get("/api/alerts", officer_b);
  ASSERT_EQ(list_b.status, 200) << list_b.body;
  EXPECT_EQ(occurrences(list_b.body, "\"flag_id\""), 0u) << list_b.body;
  EXPECT_THAT(list_b.body, HasSubstr(R"("alerts":[])"));
  // Asking for border explicitly does not help.
  auto list_b_border = get("/api/alerts", officer_b, {{"queue", "border"}});
  EXPECT_EQ(list_b_border.status, 400) << list_b_border.body;
  EXPECT_THAT(list_b_border.body, Not(HasSubstr(alert_a_)));

  auto queues = get("/api/queues", officer_b);
  EXPECT_EQ(queues.status, 200);
  EXPECT_EQ(queues.body, R"({"queues":["customs"]})");

  // The alert of queue A is answered exactly like one that does not exist.
  auto hidden = get("/api/alerts/" + alert_a_, officer_b);
  auto unknown = get("/api/alerts/00000000000000000000000000000000", officer_b);
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(hidden.body, unknown.body);
  EXPECT_TRUE(audit_of("view", alert_a_).empty()) << "a refused view is not a view";

  auto decided = post("/api/alerts/" + alert_a_ + "/disposition", officer_b,
                      R"({"action":"false_positive","comment":"not mine to decide"})");
  EXPECT_EQ(decided.status, 404) << decided.body;
  EXPECT_EQ(dispositions_of(alert_a_), 0u);

  // And the same alert is there for the officer of border.
  auto shown = get("/api/alerts/" + alert_a_, tokens_[Caller::kOfficer]);
  EXPECT_EQ(shown.status, 200) << shown.body;
  EXPECT_THAT(shown.body, HasSubstr("RX4417208"));
}

TEST_F(RoleMatrixTest, CookieSessionNeedsTheCsrfHeaderForWrites) {
  ApiRequest login = request("POST", "/api/login", "", {},
                             R"({"user":"off-a","token":")" + tokens_[Caller::kOfficer] + R"("})");
  login.client_address = "192.0.2.20";
  auto in = call(login);
  ASSERT_EQ(in.status, 200) << in.body;
  EXPECT_EQ(in.body, R"({"user":"off-a","roles":["officer"],"queues":["border"]})");
  const std::string cookie = header_value(in, "Set-Cookie");
  ASSERT_THAT(cookie, HasSubstr("cc_session="));
  EXPECT_THAT(cookie, HasSubstr("; HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("; SameSite=Strict"));
  EXPECT_THAT(cookie, HasSubstr("; Path=/"));
  EXPECT_THAT(cookie, Not(HasSubstr("Secure")));
  const auto max_age = cookie.find("Max-Age=");
  ASSERT_NE(max_age, std::string::npos);
  EXPECT_GT(std::stoll(cookie.substr(max_age + 8)), 0);
  const std::string session = cookie.substr(11, cookie.find(';') - 11);
  ASSERT_FALSE(session.empty());

  auto with_cookie = [&](const std::string& method, const std::string& path, std::string body, bool csrf_header) {
    ApiRequest r = request(method, path, "", {}, std::move(body));
    r.headers["cookie"] = "theme=dark; cc_session=" + session;
    if (csrf_header) r.headers["x-crosscheck-request"] = "1";
    return call(r);
  };
  // Reading needs no header.
  auto me = with_cookie("GET", "/api/me", "", false);
  EXPECT_EQ(me.status, 200) << me.body;

  const std::string path = "/api/alerts/" + alert_a_ + "/disposition";
  const std::string decision = R"({"action":"false_positive","comment":"different date of birth"})";
  auto refused = with_cookie("POST", path, decision, false);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_THAT(refused.body, HasSubstr("X-Crosscheck-Request"));
  EXPECT_EQ(dispositions_of(alert_a_), 0u);
  EXPECT_EQ(counters_.csrf_rejected.load(), 1u);

  auto accepted = with_cookie("POST", path, decision, true);
  EXPECT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(dispositions_of(alert_a_), 1u);

  // A bearer token is never attached by a browser on its own: no header needed.
  auto bearer = post(path, tokens_[Caller::kOfficer], R"({"action":"escalate","comment":"second opinion"})");
  EXPECT_EQ(bearer.status, 200) << bearer.body;
  EXPECT_EQ(dispositions_of(alert_a_), 2u);

  // Logout (a write: it needs the header too) ends the session and clears the cookie.
  EXPECT_EQ(with_cookie("POST", "/api/logout", "", false).status, 403);
  auto out = with_cookie("POST", "/api/logout", "", true);
  EXPECT_EQ(out.status, 200) << out.body;
  EXPECT_THAT(header_value(out, "Set-Cookie"), HasSubstr("cc_session=; "));
  EXPECT_THAT(header_value(out, "Set-Cookie"), HasSubstr("Max-Age=0"));
  EXPECT_EQ(with_cookie("GET", "/api/me", "", false).status, 401);

  // Behind TLS the cookie is Secure.
  context_.secure_cookies = true;
  auto secure = call(login);
  ASSERT_EQ(secure.status, 200) << secure.body;
  EXPECT_THAT(header_value(secure, "Set-Cookie"), HasSubstr("; Secure"));
}

TEST_F(RoleMatrixTest, FailedLoginsAreRateLimited) {
  auto attempt = [&](const std::string& token) {
    ApiRequest r = request("POST", "/api/login", "", {}, R"({"user":"sup","token":")" + token + R"("})");
    r.client_address = "198.51.100.7";
    return call(r);
  };
  const std::string wrong = "cct_0123456789abcdef_" + std::string(64, 'a');
  for (int i = 0; i < 3; ++i) {
    auto r = attempt(wrong);
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_TRUE(header_value(r, "Set-Cookie").empty());
  }
  // The limit (3 in this test) is reached for this client address: even the right token is
  // refused from it now, with Retry-After.
  auto limited = attempt(tokens_[Caller::kSupervisor]);
  ASSERT_EQ(limited.status, 429) << limited.body;
  const std::string retry_after = header_value(limited, "Retry-After");
  ASSERT_FALSE(retry_after.empty());
  const long long seconds = std::stoll(retry_after);
  EXPECT_GE(seconds, 1);
  EXPECT_LE(seconds, 15 * 60);
  EXPECT_TRUE(header_value(limited, "Set-Cookie").empty());
  EXPECT_EQ(counters_.login_failed.load(), 3u);
  EXPECT_EQ(counters_.login_rate_limited.load(), 1u);
  // Bearer use of the same account is not a login and stays possible.
  EXPECT_EQ(get("/api/me", tokens_[Caller::kSupervisor]).status, 200);
}

TEST_F(RoleMatrixTest, ViewsDecisionsAndUnmaskingAreAuditedWithTheUser) {
  ASSERT_TRUE(audit_of("view", alert_a_).empty());
  auto shown = get("/api/alerts/" + alert_a_, tokens_[Caller::kOfficer]);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_THAT(shown.body, HasSubstr(R"("flag":{)"));
  EXPECT_THAT(shown.body, HasSubstr(R"("dispositions":[])"));
  auto views = audit_of("view", alert_a_);
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].record.actor, "off-a");
  EXPECT_EQ(views[0].record.object_type, "alert");
  EXPECT_THAT(views[0].record.details, Not(HasSubstr("DRAGAN")));

  auto decided = post("/api/alerts/" + alert_a_ + "/disposition", tokens_[Caller::kOfficer],
                      R"({"action":"confirmed_match","comment":"document number and date of birth agree"})");
  ASSERT_EQ(decided.status, 200) << decided.body;
  EXPECT_THAT(decided.body, HasSubstr(R"("status":"confirmed_match")"));
  EXPECT_THAT(decided.body, HasSubstr(R"("actor":"off-a")"));
  auto decisions = audit_of("disposition", alert_a_);
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].record.actor, "off-a");
  EXPECT_THAT(decisions[0].record.details, HasSubstr("confirmed_match"));

  // The masked alert shows "[masked]"; unmasking needs a reason and is audited with it.
  auto masked = get("/api/alerts/" + alert_m_, tokens_[Caller::kSupervisor]);
  ASSERT_EQ(masked.status, 200) << masked.body;
  EXPECT_THAT(masked.body, Not(HasSubstr("RX4417208")));
  EXPECT_THAT(masked.body, HasSubstr(R"("masked":true)"));
  auto no_reason = post("/api/alerts/" + alert_m_ + "/unmask", tokens_[Caller::kSupervisor], R"({"reason":"  "})");
  EXPECT_EQ(no_reason.status, 400) << no_reason.body;
  EXPECT_TRUE(audit_of("unmask", alert_m_).empty());
  auto unmasked = post("/api/alerts/" + alert_m_ + "/unmask", tokens_[Caller::kSupervisor],
                       R"({"reason":"court order 2026/118"})");
  ASSERT_EQ(unmasked.status, 200) << unmasked.body;
  EXPECT_THAT(unmasked.body, HasSubstr("RX4417208"));
  auto unmasks = audit_of("unmask", alert_m_);
  ASSERT_EQ(unmasks.size(), 1u);
  EXPECT_EQ(unmasks[0].record.actor, "sup");
  EXPECT_EQ(unmasks[0].record.reason, "court order 2026/118");
  // An alert that is not depersonalised has nothing to unmask.
  auto not_masked =
      post("/api/alerts/" + alert_a_ + "/unmask", tokens_[Caller::kSupervisor], R"({"reason":"curious"})");
  EXPECT_EQ(not_masked.status, 409) << not_masked.body;

  // The supervisor reads it all back through the API, filtered.
  auto trail =
      get("/api/audit", tokens_[Caller::kSupervisor], {{"actor", "off-a"}, {"action", "view"}, {"since", "1h"}});
  ASSERT_EQ(trail.status, 200) << trail.body;
  EXPECT_EQ(occurrences(trail.body, alert_a_), 1u) << trail.body;
  EXPECT_EQ(occurrences(trail.body, R"("action":"view")"), 1u);
}

TEST_F(RoleMatrixTest, AViewThatCannotBeAuditedIsRefused) {
  // An audit log on a port where no Redis listens: every append fails.
  RefusingPort refusing;
  rules::RedisConfig dead = env_->config();
  dead.port = refusing.port();
  dead.connect_timeout = std::chrono::milliseconds(300);
  dead.command_timeout = std::chrono::milliseconds(300);
  rules::RedisClient dead_client(dead);
  rules::AuditLog broken(dead_client, env_->prefix());
  context_.audit = &broken;

  auto shown = get("/api/alerts/" + alert_a_, tokens_[Caller::kOfficer]);
  EXPECT_EQ(shown.status, 503) << shown.body;
  EXPECT_THAT(shown.body, Not(HasSubstr("RX4417208")));
  EXPECT_THAT(shown.body, Not(HasSubstr("\"flag\"")));
  auto unmasked =
      post("/api/alerts/" + alert_m_ + "/unmask", tokens_[Caller::kSupervisor], R"({"reason":"court order"})");
  EXPECT_EQ(unmasked.status, 503) << unmasked.body;
  EXPECT_THAT(unmasked.body, Not(HasSubstr("RX4417208")));
  EXPECT_EQ(counters_.audit_failed.load(), 2u);

  context_.audit = audit_.get();
  EXPECT_EQ(get("/api/alerts/" + alert_a_, tokens_[Caller::kOfficer]).status, 200);
}

TEST_F(RoleMatrixTest, BadInputIsA400NamingTheProblem) {
  const std::string& officer = tokens_[Caller::kOfficer];
  struct Case {
    std::map<std::string, std::string> query;
    std::vector<std::string> mentions;
  };
  const std::vector<Case> cases = {
      {{{"severity", "urgent"}}, {"severity", "low, medium, high"}},
      {{{"status", "closed"}}, {"status", "new, escalated, confirmed_match, false_positive"}},
      {{{"limit", "0"}}, {"limit", "1 to 1000"}},
      {{{"limit", "1001"}}, {"limit"}},
      {{{"after_seq", "-1"}}, {"after_seq"}},
      {{{"after_seq", "12x"}}, {"after_seq"}},
      {{{"sort", "age"}}, {"sort", "queue, severity, status, after_seq, limit"}},
  };
  for (const auto& c : cases) {
    auto r = get("/api/alerts", officer, c.query);
    SCOPED_TRACE(c.query.begin()->first + "=" + c.query.begin()->second);
    EXPECT_EQ(r.status, 400) << r.body;
    for (const auto& m : c.mentions) EXPECT_THAT(r.body, HasSubstr(m));
  }
  // Filters that are valid narrow the list (A is high and new; nothing is low).
  auto high = get("/api/alerts", officer, {{"severity", "high"}, {"status", "new"}, {"limit", "1"}});
  ASSERT_EQ(high.status, 200) << high.body;
  EXPECT_EQ(occurrences(high.body, "\"flag_id\""), 1u);
  auto low = get("/api/alerts", officer, {{"severity", "low"}});
  ASSERT_EQ(low.status, 200) << low.body;
  EXPECT_EQ(occurrences(low.body, "\"flag_id\""), 0u);

  const std::string path = "/api/alerts/" + alert_a_ + "/disposition";
  auto not_json = post(path, officer, R"({"action":"escalate",)");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_THAT(not_json.body, HasSubstr("not valid JSON"));
  auto unknown_action = post(path, officer, R"({"action":"close","comment":"x"})");
  EXPECT_EQ(unknown_action.status, 400);
  EXPECT_THAT(unknown_action.body, HasSubstr("confirmed_match, false_positive, escalate"));
  auto no_comment = post(path, officer, R"({"action":"escalate","comment":""})");
  EXPECT_EQ(no_comment.status, 400);
  auto actor_in_body = post(path, officer, R"({"action":"escalate","comment":"x","actor":"sup"})");
  EXPECT_EQ(actor_in_body.status, 400);
  EXPECT_THAT(actor_in_body.body, HasSubstr("actor"));
  auto not_object = post(path, officer, R"(["escalate"])");
  EXPECT_EQ(not_object.status, 400);
  EXPECT_EQ(dispositions_of(alert_a_), 0u);

  auto audit_since = get("/api/audit", tokens_[Caller::kSupervisor], {{"since", "yesterday"}});
  EXPECT_EQ(audit_since.status, 400);
  EXPECT_THAT(audit_since.body, HasSubstr("since"));

  auto login_garbage = call(request("POST", "/api/login", "", {}, "user=off-a"));
  EXPECT_EQ(login_garbage.status, 400);
  EXPECT_THAT(login_garbage.body, HasSubstr("not valid JSON"));

  // Wrong method, unknown path, bad credential.
  auto wrong_method = call(request("DELETE", "/api/me", officer));
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(header_value(wrong_method, "Allow"), "GET");
  EXPECT_EQ(get("/api/alerts/" + alert_a_ + "/history", officer).status, 404);
  EXPECT_EQ(get("/api/nothing-here", officer).status, 404);
  auto forged = get("/api/me", "cct_0123456789abcdef_" + std::string(64, 'b'));
  EXPECT_EQ(forged.status, 401);
  EXPECT_FALSE(header_value(forged, "WWW-Authenticate").empty());
  ApiRequest basic = request("GET", "/api/me", "");
  basic.headers["authorization"] = "Basic b2ZmLWE6eA==";
  EXPECT_EQ(call(basic).status, 401);
}

TEST_F(RoleMatrixTest, StreamChecksOriginCredentialAndRole) {
  auto stream = [&](const std::string& token, const std::string& origin, std::map<std::string, std::string> query) {
    ApiRequest r = request("GET", "/api/stream", token, std::move(query));
    if (!origin.empty()) r.headers["origin"] = origin;
    return authorize_stream(r, context_);
  };
  auto status_of = [](const std::variant<Principal, ApiResponse>& v) {
    return std::holds_alternative<Principal>(v) ? 101 : std::get<ApiResponse>(v).status;
  };
  auto same_origin = stream(tokens_[Caller::kOfficer], "http://console.example:8480", {{"after_seq", "5"}});
  ASSERT_EQ(status_of(same_origin), 101);
  EXPECT_EQ(std::get<Principal>(same_origin).user, "off-a");
  EXPECT_EQ(std::get<Principal>(same_origin).queues, std::vector<std::string>{"border"});
  EXPECT_EQ(status_of(stream(tokens_[Caller::kOfficer], "https://evil.example", {})), 403);
  EXPECT_EQ(status_of(stream(tokens_[Caller::kOfficer], "null", {})), 403);
  EXPECT_EQ(counters_.origin_rejected.load(), 2u);
  EXPECT_EQ(status_of(stream(tokens_[Caller::kOfficer], "", {{"after_seq", "latest"}})), 400);
  EXPECT_EQ(status_of(stream("", "http://console.example:8480", {})), 401);
  EXPECT_EQ(status_of(stream(tokens_[Caller::kOps], "", {})), 403);
}

TEST_F(RoleMatrixTest, AUserWithSeveralRolesHasTheUnionOfTheirRights) {
  const std::string both = add_user("off-lm", {Role::kOfficer, Role::kListManager}, {"customs"});
  EXPECT_EQ(get("/api/alerts", both).status, 200);
  EXPECT_EQ(get("/api/rules", both).status, 200);
  EXPECT_EQ(get("/api/alerts/" + alert_a_, both).status, 404);  // still only customs
  EXPECT_EQ(get("/metrics", both).status, 403);
  EXPECT_EQ(get("/api/audit", both).status, 403);
  auto me = get("/api/me", both);
  EXPECT_EQ(me.body, R"({"user":"off-lm","roles":["officer","list-manager"],"queues":["customs"]})");
}

TEST_F(RoleMatrixTest, RevokedTokensAreRefused) {
  const std::string token = add_user("short-lived", {Role::kSupervisor}, {});
  EXPECT_EQ(get("/api/me", token).status, 200);
  auto revoked = users_->revoke("short-lived", "", "test-admin");
  ASSERT_TRUE(revoked.ok()) << revoked.error().to_string();
  EXPECT_EQ(get("/api/me", token).status, 401);
  EXPECT_EQ(get("/api/alerts", token).status, 401);
}

}  // namespace
}  // namespace crosscheck::console
