// Runs a built executable as a child process for end-to-end tests (the screener, the CLI), so the
// tests exercise the real binary, its signals and its exit codes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace crosscheck::testing {

class ChildProcess {
 public:
  // Starts `argv[0]` with `argv`; stdout and stderr go to `log_path` (appended).
  ChildProcess(std::vector<std::string> argv, std::map<std::string, std::string> env, std::string log_path);
  ~ChildProcess();  // SIGKILLs the child if it still runs

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int sig);
  // Waits for exit; returns the exit status (128+signal when killed), nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  const std::string& log_path() const { return log_path_; }
  std::string log_contents() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string log_path_;
};

// Runs to completion, capturing stdout+stderr. Returns {exit status, output}.
std::pair<int, std::string> run_command(const std::vector<std::string>& argv,
                                        const std::map<std::string, std::string>& env = {},
                                        std::chrono::milliseconds timeout = std::chrono::seconds(120));

// Polls `probe` every 50 ms until it returns true or `timeout` elapses.
bool eventually(const std::function<bool()>& probe, std::chrono::milliseconds timeout);

}  // namespace crosscheck::testing
