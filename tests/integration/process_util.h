// Test helpers that run the real executables as child processes with known
// PIDs: a one-shot command runner and a gongkai-server handle.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "corpus_files.h"

namespace gongkai::testing {

// A fresh directory under $TMPDIR (or /tmp), removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct ProcessResult {
  int exit_code = -1;  // the exit status; 128 + signal if killed
  std::string out;
  std::string err;
};

// Runs argv[0] (a path) with argv, stdin from /dev/null, and captures its
// output. A child still running after timeout_s is killed and reported as
// DEADLINE_EXCEEDED.
absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         int timeout_s = 120);

using corpus_files::ReadFile;  // a file whole, "" if unreadable

// The port a server wrote to `path` (--port_file, --metrics_port_file);
// NOT_FOUND while the file is absent or holds no port.
absl::StatusOr<int> ReadPort(const std::string& path);

// Any executable run with fork/execv, stdin from /dev/null, stdout and
// stderr to files in a directory of its own; PID known. The child is
// killed if this process dies first (a ctest timeout).
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();  // SIGKILLs and reaps a child still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  absl::Status Start(const std::vector<std::string>& argv);
  bool Running();
  // Waits (bounded) for the exit and returns the exit status (128 + signal
  // if it died of one); DEADLINE_EXCEEDED, still running, after timeout_s.
  absl::StatusOr<int> Wait(int timeout_s);
  // Sends signal_number, then Wait.
  absl::StatusOr<int> Stop(int signal_number, int timeout_s = 30);
  // Sends a signal without waiting.
  void Signal(int signal_number);
  pid_t pid() const { return pid_; }
  // The exit status once Running, Wait or Stop saw the child end; else -1.
  int exit_code() const { return exit_code_; }
  // The child's own directory, for files it is told to write.
  const std::string& dir() const { return dir_.path(); }
  std::string Stdout() const;
  std::string Stderr() const;
  // Both, labelled, for failure messages.
  std::string Output() const;

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// The real gongkai-server, started with fork/execv on 127.0.0.1:0.
class ServerProcess {
 public:
  ServerProcess() = default;
  // A server still running is killed (SIGKILL) and reaped.
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the server with --listen 127.0.0.1:0, --port_file, --plugin_dir
  // and extra_args, then waits (bounded) for the port file. Fails with the
  // server's output if it exits or never writes the port.
  absl::Status Start(const std::vector<std::string>& extra_args = {});

  // Sends signal_number and waits (bounded) for the exit; returns the exit
  // status (128 + signal if it died of one).
  absl::StatusOr<int> Stop(int signal_number, int timeout_s = 60);
  // Sends a signal without waiting.
  void Signal(int signal_number);

  int port() const { return port_; }
  pid_t pid() const { return child_.pid(); }
  std::string address() const;
  // What the server wrote to stdout and stderr so far.
  std::string Output() const { return child_.Output(); }

 private:
  ChildProcess child_;
  int port_ = 0;
};

}  // namespace gongkai::testing
