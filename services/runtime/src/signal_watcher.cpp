#include "crosscheck/runtime/signal_watcher.h"

#include <pthread.h>
#include <signal.h>

#include <ctime>

namespace crosscheck::runtime {

namespace {
sigset_t shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}
}  // namespace

SignalWatcher::SignalWatcher(std::function<void(int)> on_signal) : on_signal_(std::move(on_signal)) {
  const sigset_t set = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::thread([this, set] {
    while (!stopping_.load()) {
      const timespec timeout{0, 200 * 1000 * 1000};
      const int sig = sigtimedwait(&set, nullptr, &timeout);
      if (sig > 0 && on_signal_) on_signal_(sig);
    }
  });
}

SignalWatcher::~SignalWatcher() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

}  // namespace crosscheck::runtime
