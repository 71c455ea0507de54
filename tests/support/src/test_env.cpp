#include "crosscheck/testing/test_env.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>

namespace crosscheck::testing {
namespace {
std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}
}  // namespace

std::optional<std::string> kafka_bootstrap() { return env("CROSSCHECK_TEST_KAFKA"); }
std::optional<std::string> redis_address() { return env("CROSSCHECK_TEST_REDIS"); }
bool servers_required() { return env("CROSSCHECK_REQUIRE_SERVERS").value_or("0") == "1"; }

std::string unique_name(std::string_view stem) {
  static std::atomic<unsigned> counter{0};
  static const unsigned salt = [] {
    std::random_device rd;
    return rd();
  }();
  char buf[48];
  std::snprintf(buf, sizeof buf, "-%d-%u-%08x", static_cast<int>(::getpid()), counter.fetch_add(1), salt);
  return std::string(stem) + buf;
}

std::string bin_dir() { return env("CROSSCHECK_BIN_DIR").value_or(CROSSCHECK_BIN_DIR); }
std::string source_dir() { return env("CROSSCHECK_SOURCE_DIR").value_or(CROSSCHECK_SOURCE_DIR); }

std::string shared_data_path(std::string_view relative) {
  std::string base = env("CROSSCHECK_SHARED_DATA").value_or(source_dir() + "/../shared/data");
  if (!relative.empty()) {
    base += '/';
    base += relative;
  }
  return base;
}

bool path_exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

}  // namespace crosscheck::testing
