// A small synchronous Redis client over hiredis, with RAII ownership of every C handle.
//
// Failure behaviour: every command returns Result. Connection loss gives a retriable Error and
// the next command reconnects; a connection the server closed while it was idle (restart,
// failover, `timeout`, CLIENT KILL) is noticed before a command is sent and replaced, so the first
// command after Redis comes back succeeds. A Redis error reply (wrong type, syntax) gives a fatal
// Error.
// Thread-safety: none. Use one RedisClient per thread.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crosscheck/error.h"

namespace crosscheck::rules {

struct RedisContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct RedisReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using RedisContextHandle = std::unique_ptr<redisContext, RedisContextDeleter>;
using RedisReplyHandle = std::unique_ptr<redisReply, RedisReplyDeleter>;

struct RedisConfig {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password;  // AUTH when non-empty
  int database = 0;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{5000};
};

// Parses "host:port" (IPv4 or name) into config.host/port. Fatal Error on a malformed address.
Status parse_redis_address(std::string_view address, RedisConfig& config);

// A decoded reply, detached from hiredis memory.
struct RedisValue {
  enum class Type { kNil, kString, kInteger, kArray, kStatus } type = Type::kNil;
  std::string str;  // kString and kStatus
  long long integer = 0;
  std::vector<RedisValue> elements;  // kArray
  bool is_nil() const { return type == Type::kNil; }
};

class RedisClient {
 public:
  explicit RedisClient(RedisConfig config);

  // Runs one command; arguments are binary-safe.
  Result<RedisValue> command(const std::vector<std::string>& args);
  // Sends all commands in one round trip and returns their replies in order. Any error reply
  // or connection failure makes the whole call fail.
  Result<std::vector<RedisValue>> pipeline(const std::vector<std::vector<std::string>>& commands);

  bool connected() const { return ctx_ != nullptr; }
  const RedisConfig& config() const { return config_; }

 private:
  Status ensure_connected();
  RedisConfig config_;
  RedisContextHandle ctx_;
};

}  // namespace crosscheck::rules
