// Turns SIGTERM and SIGINT into a callback on an ordinary thread, so that shutdown logic never
// runs inside a signal handler.
//
// Construct it first in main(), before any other thread starts: it blocks the signals for the
// whole process (threads inherit the mask) and waits for them on its own thread.
// Thread-safety: the callback runs on the watcher thread.
#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace crosscheck::runtime {

class SignalWatcher {
 public:
  explicit SignalWatcher(std::function<void(int signal)> on_signal);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  std::function<void(int)> on_signal_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace crosscheck::runtime
