// ChildProcess runs a program (the `hypha` CLI) for the multi-process tests:
// output to a file, stopped by its pid (SIGTERM, or SIGKILL for fault tests).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace hypha::amqp_test {

class ChildProcess {
 public:
  /// Starts argv[0] with its stdout and stderr appended to `output_file`.
  ChildProcess(std::vector<std::string> argv, std::string output_file);
  /// The destructor kills (SIGKILL) and reaps a child still running.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }
  /// signal sends `signo`; wait reaps the child: its exit status (128 + signal
  /// when killed), or nullopt if it still runs after `timeout`.
  void signal(int signo);
  std::optional<int> wait(std::chrono::milliseconds timeout);
  /// output reads what the child wrote so far.
  std::string output() const;

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string output_file_;
};

/// CommandResult is a finished command's exit status and output.
struct CommandResult {
  int status = -1;
  std::string output;  ///< stdout and stderr together
};

/// run_command runs argv to completion (killed after `timeout`).
CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

/// temp_dir makes a fresh directory under the build's test area.
std::string temp_dir(const std::string& name);

}  // namespace hypha::amqp_test
