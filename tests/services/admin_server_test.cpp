#include <gtest/gtest.h>
#include <prometheus/counter.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>

#include "crosscheck/runtime/admin_server.h"
#include "screener_harness.h"

namespace crosscheck::runtime {
namespace {

using testing::http_get;

TEST(AdminServer, ServesMetricsHealthAndReadiness) {
  auto registry = std::make_shared<prometheus::Registry>();
  prometheus::BuildCounter().Name("crosscheck_test_total").Help("test").Register(*registry).Add({}).Increment(3);
  std::atomic<bool> ready{false};
  AdminServer server("127.0.0.1", 0, registry, [&]() -> std::string { return ready ? "" : "watchlists not loaded"; });
  ASSERT_TRUE(server.start().ok());
  ASSERT_GT(server.port(), 0);

  auto [code, body] = http_get(server.port(), "/metrics");
  EXPECT_EQ(code, 200);
  EXPECT_NE(body.find("crosscheck_test_total 3"), std::string::npos) << body;

  EXPECT_EQ(http_get(server.port(), "/healthz").first, 200);
  auto not_ready = http_get(server.port(), "/readyz");
  EXPECT_EQ(not_ready.first, 503);
  EXPECT_NE(not_ready.second.find("watchlists not loaded"), std::string::npos);
  ready = true;
  EXPECT_EQ(http_get(server.port(), "/readyz").first, 200);
  EXPECT_EQ(http_get(server.port(), "/nope").first, 404);
  server.stop();
  EXPECT_EQ(http_get(server.port(), "/healthz").first, 0);
}

TEST(AdminServer, ServesRegisteredJsonDocuments) {
  auto registry = std::make_shared<prometheus::Registry>();
  AdminServer server("127.0.0.1", 0, registry, nullptr);
  std::atomic<int> calls{0};
  server.add_json_endpoint("/stats/latency", [&] { return "{\"n\":" + std::to_string(++calls) + "}"; });
  EXPECT_THROW(server.add_json_endpoint("/metrics", [] { return std::string("{}"); }), std::logic_error);
  EXPECT_THROW(server.add_json_endpoint("no-slash", [] { return std::string("{}"); }), std::logic_error);
  ASSERT_TRUE(server.start().ok());
  EXPECT_THROW(server.add_json_endpoint("/late", [] { return std::string("{}"); }), std::logic_error);
  auto [code, body] = http_get(server.port(), "/stats/latency");
  EXPECT_EQ(code, 200);
  EXPECT_EQ(body, "{\"n\":1}\n");
  EXPECT_EQ(http_get(server.port(), "/stats/latency?x=1").second, "{\"n\":2}\n");  // the query is ignored
  auto missing = http_get(server.port(), "/stats/other");
  EXPECT_EQ(missing.first, 404);
  EXPECT_NE(missing.second.find("/stats/latency"), std::string::npos);  // the 404 lists what exists
}

TEST(AdminServer, SurvivesGarbageRequests) {
  auto registry = std::make_shared<prometheus::Registry>();
  AdminServer server("127.0.0.1", 0, registry, nullptr);
  ASSERT_TRUE(server.start().ok());
  for (int i = 0; i < 3; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(server.port()));
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    const char garbage[] = "\x16\x03\x01\x02\x00 not http at all\r\n\r\n";
    (void)!::write(fd, garbage, sizeof garbage - 1);
    ::close(fd);
  }
  EXPECT_EQ(http_get(server.port(), "/healthz").first, 200);
}

TEST(AdminServer, RefusesAnAddressItCannotBind) {
  AdminServer server("203.0.113.7", 0, std::make_shared<prometheus::Registry>(), nullptr);
  auto st = server.start();
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.error().is_fatal());
}

}  // namespace
}  // namespace crosscheck::runtime
