#include "crosscheck/console/ops_scrape.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <charconv>

namespace crosscheck::console {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::string_view kComponent = "scrape";

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

}  // namespace

std::optional<ScrapeUrl> parse_scrape_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.size() > 2048 || url.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  url.remove_prefix(kScheme.size());
  const auto slash = url.find('/');
  const std::string_view authority = url.substr(0, slash);
  const std::string_view path = slash == std::string_view::npos ? std::string_view("/metrics") : url.substr(slash);
  ScrapeUrl out;
  const auto colon = authority.find(':');
  const std::string_view host = authority.substr(0, colon);
  if (host.empty() || host.size() > 253 || host.front() == '-' || host.front() == '.') return std::nullopt;
  for (char c : host) {
    if (!host_char(c)) return std::nullopt;
  }
  out.host = std::string(host);
  out.port = "80";
  if (colon != std::string_view::npos) {
    const std::string_view port = authority.substr(colon + 1);
    int p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (port.empty() || port.size() > 5 || ec != std::errc() || end != port.data() + port.size() || p < 1 ||
        p > 65535) {
      return std::nullopt;
    }
    out.port = std::to_string(p);
  }
  for (char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '#') return std::nullopt;
  }
  out.target = std::string(path);
  return out;
}

Result<std::string> http_get(const ScrapeUrl& url, std::chrono::milliseconds timeout, std::size_t max_bytes) {
  asio::io_context io;
  tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  http::request<http::empty_body> request{http::verb::get, url.target, 11};
  request.set(http::field::host, url.host + ":" + url.port);
  request.set(http::field::user_agent, "crosscheck-console");
  request.set(http::field::accept, "text/plain;version=0.0.4");
  request.keep_alive(false);
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_bytes);
  parser.header_limit(64 * 1024);

  bool finished = false;
  beast::error_code failure;
  std::string stage = "resolve";
  auto fail = [&](beast::error_code ec) {
    failure = ec;
    finished = true;
  };
  // One chain of asynchronous steps, so that a single deadline bounds all of them.
  resolver.async_resolve(url.host, url.port, [&](beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail(ec);
    stage = "connect";
    stream.expires_after(timeout);
    stream.async_connect(results, [&](beast::error_code ec2, const tcp::endpoint&) {
      if (ec2) return fail(ec2);
      stage = "request";
      http::async_write(stream, request, [&](beast::error_code ec3, std::size_t) {
        if (ec3) return fail(ec3);
        stage = "response";
        http::async_read(stream, buffer, parser, [&](beast::error_code ec4, std::size_t) { fail(ec4); });
      });
    });
  });
  io.run_for(timeout);
  if (!finished) {
    // The deadline passed (most likely while resolving, which the stream's timer does not cover):
    // cancel what is pending and let the handlers finish before the locals go.
    resolver.cancel();
    beast::error_code ignored;
    stream.socket().close(ignored);
    io.restart();
    io.run();
    return Error::retriable(std::string(kComponent), "no answer within " + std::to_string(timeout.count()) +
                                                         " ms (" + stage + ")");
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  if (failure) {
    if (failure == beast::error::timeout) {
      return Error::retriable(std::string(kComponent), "no answer within " + std::to_string(timeout.count()) +
                                                           " ms (" + stage + ")");
    }
    if (failure == http::error::body_limit) {
      return Error::retriable(std::string(kComponent),
                              "the response is larger than " + std::to_string(max_bytes) + " bytes");
    }
    return Error::retriable(std::string(kComponent), stage + " failed: " + failure.message());
  }
  const auto& response = parser.get();
  if (response.result_int() != 200) {
    return Error::retriable(std::string(kComponent), "HTTP " + std::to_string(response.result_int()));
  }
  return std::string(response.body());
}

}  // namespace crosscheck::console
