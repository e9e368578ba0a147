// Test helpers that run the real executables as child processes.
#include "process_util.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace gongkai::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// fork + execv with stdout/stderr to files. Everything the child does
// between fork and exec is async-signal-safe: the test process has gRPC
// threads.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& out,
            const std::string& err) {
  std::vector<char*> args;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid != 0) return pid;
  // If the test dies without stopping the child, the child goes with it.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  const int in_fd = open("/dev/null", O_RDONLY);
  const int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int err_fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in_fd < 0 || out_fd < 0 || err_fd < 0) _exit(126);
  dup2(in_fd, 0);
  dup2(out_fd, 1);
  dup2(err_fd, 2);
  execv(args[0], args.data());
  _exit(127);
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Waits for pid until timeout; returns the decoded status, or nullopt if it
// is still running.
std::optional<int> WaitFor(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return DecodeStatus(status);
    if (r < 0) return -1;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

TempDir::TempDir() {
  const char* base = getenv("TMPDIR");
  std::string pattern =
      absl::StrCat(base != nullptr && *base ? base : "/tmp", "/gongkai.XXXXXX");
  if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) fs::remove_all(path_, ec);
}

absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         int timeout_s) {
  ChildProcess child;
  if (absl::Status s = child.Start(argv); !s.ok()) return s;
  absl::StatusOr<int> code = child.Wait(timeout_s);
  if (!code.ok()) {
    return absl::DeadlineExceededError(
        absl::StrCat(argv[0], " still running after ", timeout_s,
                     " s; stderr:\n", child.Stderr()));
  }
  ProcessResult result;
  result.exit_code = *code;
  result.out = child.Stdout();
  result.err = child.Stderr();
  return result;
}

absl::StatusOr<int> ReadPort(const std::string& path) {
  const std::string text = ReadFile(path);
  int port = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &port) || port <= 0) {
    return absl::NotFoundError(absl::StrCat("no port in ", path));
  }
  return port;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

absl::Status ChildProcess::Start(const std::vector<std::string>& argv) {
  if (pid_ > 0) return absl::FailedPreconditionError("already running");
  if (dir_.path().empty()) return absl::InternalError("no temp dir");
  pid_ = Spawn(argv, dir_.path() + "/stdout", dir_.path() + "/stderr");
  if (pid_ < 0) return absl::InternalError("fork failed");
  return absl::OkStatus();
}

bool ChildProcess::Running() {
  if (pid_ <= 0) return false;
  if (std::optional<int> code = WaitFor(pid_, std::chrono::milliseconds(0))) {
    exit_code_ = *code;
    pid_ = -1;
    return false;
  }
  return true;
}

absl::StatusOr<int> ChildProcess::Wait(int timeout_s) {
  if (pid_ <= 0) return absl::FailedPreconditionError("not running");
  std::optional<int> code = WaitFor(pid_, std::chrono::seconds(timeout_s));
  if (!code) {
    return absl::DeadlineExceededError(absl::StrCat(
        "pid ", pid_, " still running after ", timeout_s, " s:\n", Output()));
  }
  exit_code_ = *code;
  pid_ = -1;
  return *code;
}

absl::StatusOr<int> ChildProcess::Stop(int signal_number, int timeout_s) {
  if (pid_ <= 0) return absl::FailedPreconditionError("not running");
  kill(pid_, signal_number);
  return Wait(timeout_s);
}

void ChildProcess::Signal(int signal_number) {
  if (pid_ > 0) kill(pid_, signal_number);
}

std::string ChildProcess::Stdout() const {
  return ReadFile(dir_.path() + "/stdout");
}

std::string ChildProcess::Stderr() const {
  return ReadFile(dir_.path() + "/stderr");
}

std::string ChildProcess::Output() const {
  return absl::StrCat("--- stdout:\n", Stdout(), "--- stderr:\n", Stderr());
}

absl::Status ServerProcess::Start(const std::vector<std::string>& extra_args) {
  const std::string port_file = child_.dir() + "/port";
  std::vector<std::string> argv = {
      GONGKAI_SERVER_PATH, "--listen=127.0.0.1:0", "--port_file=" + port_file,
      std::string("--plugin_dir=") + GONGKAI_PLUGIN_DIR};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  if (absl::Status s = child_.Start(argv); !s.ok()) return s;

  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    if (!child_.Running()) {
      return absl::InternalError(
          absl::StrCat("gongkai-server exited with status ", child_.exit_code(),
                       " before listening:\n", Output()));
    }
    // The server renames the file into place, so a present file is whole.
    if (absl::StatusOr<int> port = ReadPort(port_file); port.ok()) {
      port_ = *port;
      return absl::OkStatus();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "gongkai-server wrote no port file within 60 s:\n", Output()));
}

void ServerProcess::Signal(int signal_number) { child_.Signal(signal_number); }

absl::StatusOr<int> ServerProcess::Stop(int signal_number, int timeout_s) {
  if (child_.pid() <= 0) {
    return absl::FailedPreconditionError("server not running");
  }
  return child_.Stop(signal_number, timeout_s);
}

std::string ServerProcess::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

}  // namespace gongkai::testing
