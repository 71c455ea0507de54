// Fetching a screener's /metrics for the operations dashboard: the URL form the configuration
// accepts and a small HTTP/1.1 GET with a deadline and a size limit.
//
// Only plain http:// URLs: the screeners' admin endpoint (/metrics, /healthz, /readyz) speaks
// plain HTTP on a private address (docs/operations.md); TLS to it is a proxy's job.
//
// Thread-safety: free functions; http_get may run on several threads at once (each call has its
// own I/O context). Failure behaviour: never throws; a refused connection, a timeout, a status
// other than 200 or a body over the limit is a retriable Error (component "scrape") that says which.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "crosscheck/error.h"

namespace crosscheck::console {

struct ScrapeUrl {
  std::string host;    // a name or an IPv4 address
  std::string port;    // "80" when the URL gives none
  std::string target;  // path and query, "/metrics" when the URL gives no path
};

// http://HOST[:PORT][/PATH]; HOST of letters, digits, '.', '-'; PORT 1-65535; PATH without spaces
// or control characters. nullopt for anything else (https, userinfo, fragments, IPv6 literals).
std::optional<ScrapeUrl> parse_scrape_url(std::string_view url);

// GET `url`, within `timeout` for the whole exchange (resolve, connect, request, response). The
// body when the status is 200 and it is at most `max_bytes`.
Result<std::string> http_get(const ScrapeUrl& url, std::chrono::milliseconds timeout, std::size_t max_bytes);

}  // namespace crosscheck::console
