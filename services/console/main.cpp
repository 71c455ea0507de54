// crosscheck-console: the border-control console and the manager API. It consumes the operator
// queues, keeps alerts and their review in Redis, pushes them to browsers, and publishes review
// decisions. This file only wires libraries: configuration and the server (console), signals
// (runtime).
#include <CLI/CLI.hpp>

#include <iostream>
#include <mutex>

#include "crosscheck/console/console_config.h"
#include "crosscheck/console/console_server.h"
#include "crosscheck/log.h"
#include "crosscheck/runtime/screener_config.h"
#include "crosscheck/runtime/signal_watcher.h"

namespace cc = crosscheck;

int main(int argc, char** argv) {
  CLI::App app{"crosscheck-console: live alerts for officers, the manager API, review and audit"};
  std::string config_path;
  std::string log_level;
  bool check_only = false;
  app.add_option("-c,--config", config_path, "YAML configuration file (ops/config/console.yaml lists every key)");
  app.add_option("--log-level", log_level, "overrides log.level")->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  app.add_flag("--check-config", check_only, "validate the configuration and exit");
  CLI11_PARSE(app, argc, argv);

  // Blocks SIGTERM/SIGINT for every thread started after it; must come first.
  cc::console::ConsoleServer* running = nullptr;
  bool stop_requested = false;
  std::mutex running_mutex;
  cc::runtime::SignalWatcher signals([&](int sig) {
    cc::log::info("console", "shutdown requested", {{"signal", sig}});
    std::lock_guard lock(running_mutex);
    stop_requested = true;
    if (running != nullptr) running->request_stop();
  });

  auto loaded = cc::console::load_console_config(config_path, cc::runtime::crosscheck_environment());
  if (!loaded.ok()) {
    std::cerr << loaded.error().message() << "\n";
    return 2;
  }
  cc::console::ConsoleConfig config = std::move(*loaded);
  if (!log_level.empty()) cc::log::parse_level(log_level, config.log_level);
  cc::log::set_level(config.log_level);
  if (check_only) {
    std::cout << "configuration ok (instance " << config.instance_id << ", kafka " << config.kafka.client.bootstrap_servers
              << ", redis " << config.redis.address << ", http " << config.http.address << ":" << config.http.port
              << ", ops dashboard scrapes " << config.ops.screeners.size() << " screeners)\n";
    return 0;
  }

  cc::console::ConsoleServer server(config);
  if (auto st = server.start(); !st.ok()) {
    cc::log::error("console", "cannot start", {{"error", st.error().to_string()}});
    return 1;
  }
  {
    std::lock_guard lock(running_mutex);
    running = &server;
    if (stop_requested) server.request_stop();  // a signal during start-up
  }
  const cc::Status outcome = server.wait();
  {
    std::lock_guard lock(running_mutex);
    running = nullptr;
  }
  server.stop();
  if (!outcome.ok()) {
    cc::log::error("console", "stopped after a fatal error", {{"error", outcome.error().to_string()}});
    return 1;
  }
  return 0;
}
