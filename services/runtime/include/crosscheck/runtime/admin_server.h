// The screener's admin endpoint on HTTP/1.1 (Boost.Beast): /metrics, /healthz and /readyz, plus
// JSON documents registered by the owner (the screener serves /stats/latency).
//
//   /metrics  Prometheus text exposition of the registry
//   /healthz  200 while the process serves requests (liveness)
//   /readyz   200 when `ready()` says so, else 503 with the reason (readiness)
//   <path>    200 with the JSON a registered provider returns (add_json_endpoint)
//
// Bind to 127.0.0.1 by default: metrics are for a local scraper or a sidecar, not the world.
// Failure behaviour: start() returns a fatal Error when the address cannot be bound. A bad
// request or a client that disconnects is dropped without affecting the others.
// Thread-safety: one background thread serves requests; start() and stop() from the owner thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <prometheus/registry.h>

#include "crosscheck/error.h"

namespace crosscheck::runtime {

class AdminServer {
 public:
  // Returns an empty string when ready, otherwise why not (shown in the 503 body).
  using ReadinessProbe = std::function<std::string()>;

  // Builds one JSON document per request, on the server's thread (so it must be thread-safe
  // with respect to whatever it reads).
  using JsonProvider = std::function<std::string()>;

  AdminServer(std::string address, int port, std::shared_ptr<prometheus::Registry> registry, ReadinessProbe ready);
  ~AdminServer();

  // Serves GET `path` (e.g. "/stats/latency") with the provider's JSON. Call before start();
  // the built-in paths cannot be replaced.
  void add_json_endpoint(std::string path, JsonProvider provider);

  Status start();
  void stop();
  // The bound port (useful with port 0).
  int port() const { return bound_port_.load(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<int> bound_port_{0};
};

}  // namespace crosscheck::runtime
