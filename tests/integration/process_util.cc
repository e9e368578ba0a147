// Test helpers that run the real executables as child processes.
#include "process_util.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
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
  TempDir dir;
  const std::string out = dir.path() + "/out";
  const std::string err = dir.path() + "/err";
  const pid_t pid = Spawn(argv, out, err);
  if (pid < 0) return absl::InternalError("fork failed");
  std::optional<int> code = WaitFor(pid, std::chrono::seconds(timeout_s));
  if (!code) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return absl::DeadlineExceededError(
        absl::StrCat(argv[0], " still running after ", timeout_s,
                     " s; stderr:\n", ReadFile(err)));
  }
  ProcessResult result;
  result.exit_code = *code;
  result.out = ReadFile(out);
  result.err = ReadFile(err);
  return result;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

absl::Status ServerProcess::Start(const std::vector<std::string>& extra_args) {
  if (dir_.path().empty()) return absl::InternalError("no temp dir");
  const std::string port_file = dir_.path() + "/port";
  std::vector<std::string> argv = {
      GONGKAI_SERVER_PATH, "--listen=127.0.0.1:0", "--port_file=" + port_file,
      std::string("--plugin_dir=") + GONGKAI_PLUGIN_DIR};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  pid_ = Spawn(argv, dir_.path() + "/stdout", dir_.path() + "/stderr");
  if (pid_ < 0) return absl::InternalError("fork failed");

  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError(
          absl::StrCat("gongkai-server exited with status ",
                       DecodeStatus(status), " before listening:\n", Output()));
    }
    // The server renames the file into place, so a present file is whole.
    std::string text = ReadFile(port_file);
    int port = 0;
    if (!text.empty() &&
        absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &port) && port > 0) {
      port_ = port;
      return absl::OkStatus();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "gongkai-server wrote no port file within 60 s:\n", Output()));
}

void ServerProcess::Signal(int signal_number) {
  if (pid_ > 0) kill(pid_, signal_number);
}

absl::StatusOr<int> ServerProcess::Stop(int signal_number, int timeout_s) {
  if (pid_ <= 0) return absl::FailedPreconditionError("server not running");
  kill(pid_, signal_number);
  std::optional<int> code = WaitFor(pid_, std::chrono::seconds(timeout_s));
  if (!code) {
    return absl::DeadlineExceededError(
        absl::StrCat("gongkai-server still running ", timeout_s,
                     " s after signal ", signal_number, ":\n", Output()));
  }
  pid_ = -1;
  return *code;
}

std::string ServerProcess::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

std::string ServerProcess::Output() const {
  return absl::StrCat("--- stdout:\n", ReadFile(dir_.path() + "/stdout"),
                      "--- stderr:\n", ReadFile(dir_.path() + "/stderr"));
}

}  // namespace gongkai::testing
