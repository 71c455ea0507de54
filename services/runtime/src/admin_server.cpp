#include "crosscheck/runtime/admin_server.h"

#include <prometheus/text_serializer.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <map>
#include <stdexcept>

#include "crosscheck/log.h"

namespace crosscheck::runtime {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct AdminServer::Impl {
  std::string address;
  int port;
  std::shared_ptr<prometheus::Registry> registry;
  ReadinessProbe ready;
  std::map<std::string, JsonProvider> json_endpoints;
  asio::io_context io;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::thread thread;
  std::atomic<bool> stopping{false};

  http::response<http::string_body> handle(const http::request<http::string_body>& req) {
    http::response<http::string_body> res;
    res.version(req.version());
    res.keep_alive(false);
    res.set(http::field::server, "crosscheck-screener");
    const std::string target(req.target());
    const std::string path = target.substr(0, target.find('?'));
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      res.result(http::status::method_not_allowed);
      res.set(http::field::allow, "GET, HEAD");
      res.body() = "only GET and HEAD\n";
    } else if (path == "/metrics") {
      res.result(http::status::ok);
      res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      res.body() = prometheus::TextSerializer().Serialize(registry->Collect());
    } else if (path == "/healthz") {
      res.result(http::status::ok);
      res.set(http::field::content_type, "text/plain");
      res.body() = "ok\n";
    } else if (path == "/readyz") {
      const std::string why = ready ? ready() : std::string();
      res.result(why.empty() ? http::status::ok : http::status::service_unavailable);
      res.set(http::field::content_type, "text/plain");
      res.body() = why.empty() ? "ready\n" : "not ready: " + why + "\n";
    } else if (auto it = json_endpoints.find(path); it != json_endpoints.end()) {
      res.result(http::status::ok);
      res.set(http::field::content_type, "application/json");
      res.set(http::field::cache_control, "no-store");
      res.body() = it->second();
      res.body() += '\n';
    } else {
      res.result(http::status::not_found);
      res.set(http::field::content_type, "text/plain");
      std::string paths = "/metrics, /healthz, /readyz";
      for (const auto& [p, provider] : json_endpoints) paths += ", " + p;
      res.body() = "not found; try " + paths + "\n";
    }
    if (req.method() == http::verb::head) res.body().clear();
    res.prepare_payload();
    return res;
  }

  void serve() {
    while (!stopping.load()) {
      tcp::socket socket(io);
      beast::error_code ec;
      acceptor->accept(socket, ec);
      if (ec) {
        if (stopping.load()) return;
        log::warn("admin", "accept failed", {{"error", ec.message()}});
        continue;
      }
      // A slow or hostile client must not block the next scrape for long.
      struct timeval tv{2, 0};
      ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      beast::flat_buffer buffer;
      http::request_parser<http::string_body> parser;
      parser.body_limit(64 * 1024);
      http::read(socket, buffer, parser, ec);
      if (ec) continue;  // malformed or abandoned request: drop the connection
      auto res = handle(parser.get());
      http::write(socket, res, ec);
      socket.shutdown(tcp::socket::shutdown_both, ec);
    }
  }
};

AdminServer::AdminServer(std::string address, int port, std::shared_ptr<prometheus::Registry> registry,
                         ReadinessProbe ready)
    : impl_(std::make_unique<Impl>()) {
  impl_->address = std::move(address);
  impl_->port = port;
  impl_->registry = std::move(registry);
  impl_->ready = std::move(ready);
}

AdminServer::~AdminServer() { stop(); }

void AdminServer::add_json_endpoint(std::string path, JsonProvider provider) {
  // Registering after start() would race with the serving thread.
  if (impl_->acceptor) throw std::logic_error("AdminServer::add_json_endpoint after start()");
  if (path == "/metrics" || path == "/healthz" || path == "/readyz" || path.empty() || path[0] != '/') {
    throw std::logic_error("AdminServer::add_json_endpoint: invalid or reserved path " + path);
  }
  impl_->json_endpoints[std::move(path)] = std::move(provider);
}

Status AdminServer::start() {
  beast::error_code ec;
  const auto addr = asio::ip::make_address(impl_->address, ec);
  if (ec) return Error::fatal("admin", "http.address '" + impl_->address + "' is not an IP address");
  const tcp::endpoint ep(addr, static_cast<unsigned short>(impl_->port));
  impl_->acceptor = std::make_unique<tcp::acceptor>(impl_->io);
  impl_->acceptor->open(ep.protocol(), ec);
  if (!ec) impl_->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor->bind(ep, ec);
  if (!ec) impl_->acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error::fatal("admin", "cannot listen on " + impl_->address + ":" + std::to_string(impl_->port) + ": " +
                                     ec.message());
  }
  bound_port_ = impl_->acceptor->local_endpoint().port();
  impl_->thread = std::thread([this] { impl_->serve(); });
  return ok_status();
}

void AdminServer::stop() {
  if (!impl_ || !impl_->acceptor) return;
  impl_->stopping = true;
  beast::error_code ec;
  // shutdown() wakes the blocked accept(); close() alone does not on Linux.
  ::shutdown(impl_->acceptor->native_handle(), SHUT_RDWR);
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->acceptor->close(ec);
  impl_->acceptor.reset();
}

}  // namespace crosscheck::runtime
