#include "crosscheck/rules/redis_client.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <charconv>

namespace crosscheck::rules {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// Error replies that mean "the server is busy or starting", not "the command is wrong".
bool transient_error_reply(std::string_view msg) {
  for (std::string_view prefix : {"LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "CLUSTERDOWN"}) {
    if (msg.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

// Converts a reply; an error reply anywhere inside it (e.g. in EXEC's array) becomes an Error.
Result<RedisValue> convert(const redisReply* r) {
  RedisValue v;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      v.type = RedisValue::Type::kString;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      v.type = RedisValue::Type::kStatus;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      v.type = RedisValue::Type::kInteger;
      v.integer = r->integer;
      break;
    case REDIS_REPLY_NIL:
      break;
    case REDIS_REPLY_ARRAY:
      v.type = RedisValue::Type::kArray;
      v.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) {
        auto e = convert(r->element[i]);
        if (!e) return e.error();
        v.elements.push_back(std::move(*e));
      }
      break;
    case REDIS_REPLY_ERROR: {
      std::string msg(r->str, r->len);
      return transient_error_reply(msg) ? Error::retriable("redis", msg) : Error::fatal("redis", msg);
    }
    default:
      return Error::fatal("redis", "unexpected reply type " + std::to_string(r->type));
  }
  return v;
}

}  // namespace

Status parse_redis_address(std::string_view address, RedisConfig& config) {
  auto bad = [&](std::string_view why) {
    return Error::fatal("redis", "malformed address \"" + std::string(address) + "\": " + std::string(why) +
                                     " (expected host:port)");
  };
  std::string_view host;
  std::string_view port;
  if (!address.empty() && address.front() == '[') {  // [IPv6]:port
    const auto close = address.find(']');
    if (close == std::string_view::npos || close + 1 >= address.size() || address[close + 1] != ':') {
      return bad("unterminated [IPv6] host");
    }
    host = address.substr(1, close - 1);
    port = address.substr(close + 2);
  } else {
    const auto colon = address.rfind(':');
    if (colon == std::string_view::npos) return bad("no port");
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return bad("IPv6 hosts need brackets");
  }
  if (host.empty()) return bad("empty host");
  int p = 0;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || p < 1 || p > 65535) {
    return bad("port must be 1-65535");
  }
  config.host.assign(host);
  config.port = p;
  return ok_status();
}

RedisClient::RedisClient(RedisConfig config) : config_(std::move(config)) {}

namespace {

// True when the server has closed an idle connection (a Redis restart, a failover, its `timeout`
// setting, CLIENT KILL): the socket reads end-of-file, or holds bytes nobody asked for. Sending
// a command on it would fail although Redis is back, so it is dropped before use instead. The
// command has not been sent, so reconnecting cannot run it twice.
bool peer_closed(const redisContext& ctx) {
  char byte = 0;
  const ssize_t n = ::recv(ctx.fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
  return true;  // 0: end of file; > 0: data on a connection with no command outstanding
}

}  // namespace

Status RedisClient::ensure_connected() {
  if (ctx_ && peer_closed(*ctx_)) ctx_.reset();
  if (ctx_) return ok_status();
  const std::string where = config_.host + ":" + std::to_string(config_.port);
  RedisContextHandle ctx(redisConnectWithTimeout(config_.host.c_str(), config_.port, to_timeval(config_.connect_timeout)));
  if (!ctx) return Error::retriable("redis", "cannot allocate a connection to " + where);
  if (ctx->err) return Error::retriable("redis", "connect to " + where + ": " + ctx->errstr, ctx->err);
  if (redisSetTimeout(ctx.get(), to_timeval(config_.command_timeout)) != REDIS_OK) {
    return Error::retriable("redis", "set timeout on " + where + ": " + ctx->errstr, ctx->err);
  }
  ctx_ = std::move(ctx);
  auto setup = [&](std::vector<std::string> args, const char* what) -> Status {
    auto r = command(args);
    if (!r) {
      ctx_.reset();  // a half-set-up connection must not be reused
      return Error(r.error().component(), std::string(what) + " on " + where + ": " + r.error().message(),
                   r.error().is_retriable() ? Error::Kind::kRetriable : Error::Kind::kFatal, r.error().code());
    }
    return ok_status();
  };
  if (!config_.password.empty()) {
    if (auto s = setup({"AUTH", config_.password}, "AUTH"); !s) return s;
  }
  if (config_.database != 0) {
    if (auto s = setup({"SELECT", std::to_string(config_.database)}, "SELECT"); !s) return s;
  }
  return ok_status();
}

Result<RedisValue> RedisClient::command(const std::vector<std::string>& args) {
  if (args.empty()) return Error::fatal("redis", "empty command");
  if (auto s = ensure_connected(); !s) return s.error();
  std::vector<const char*> argv;
  std::vector<std::size_t> argvlen;
  argv.reserve(args.size());
  argvlen.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    argvlen.push_back(a.size());
  }
  RedisReplyHandle reply(static_cast<redisReply*>(
      redisCommandArgv(ctx_.get(), static_cast<int>(argv.size()), argv.data(), argvlen.data())));
  if (!reply) {
    Error e = Error::retriable("redis", args[0] + ": " + (ctx_->err ? std::string(ctx_->errstr) : "no reply"), ctx_->err);
    ctx_.reset();  // reconnect on the next command
    return e;
  }
  return convert(reply.get());
}

Result<std::vector<RedisValue>> RedisClient::pipeline(const std::vector<std::vector<std::string>>& commands) {
  std::vector<RedisValue> out;
  if (commands.empty()) return out;
  if (auto s = ensure_connected(); !s) return s.error();
  std::vector<const char*> argv;
  std::vector<std::size_t> argvlen;
  for (const auto& args : commands) {
    if (args.empty()) return Error::fatal("redis", "empty command in pipeline");
    argv.clear();
    argvlen.clear();
    for (const auto& a : args) {
      argv.push_back(a.data());
      argvlen.push_back(a.size());
    }
    if (redisAppendCommandArgv(ctx_.get(), static_cast<int>(argv.size()), argv.data(), argvlen.data()) != REDIS_OK) {
      Error e = Error::retriable("redis", "pipeline: " + std::string(ctx_->errstr), ctx_->err);
      ctx_.reset();
      return e;
    }
  }
  out.reserve(commands.size());
  std::optional<Error> first_error;
  // Read every reply even after an error reply, so the connection stays in step.
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx_.get(), &raw) != REDIS_OK || raw == nullptr) {
      Error e = Error::retriable("redis", commands[i][0] + " (pipelined): " +
                                              (ctx_->err ? std::string(ctx_->errstr) : "no reply"), ctx_->err);
      ctx_.reset();
      return e;
    }
    RedisReplyHandle reply(static_cast<redisReply*>(raw));
    auto v = convert(reply.get());
    if (!v) {
      if (!first_error) first_error = Error(v.error().component(), commands[i][0] + " (pipelined): " + v.error().message(),
                                            v.error().is_retriable() ? Error::Kind::kRetriable : Error::Kind::kFatal);
      continue;
    }
    out.push_back(std::move(*v));
  }
  if (first_error) return *first_error;
  return out;
}

}  // namespace crosscheck::rules
