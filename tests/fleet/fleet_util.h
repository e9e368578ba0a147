// What the fleet tests and the scale bench share: gongkai-server instances
// that keep their ports across restarts, HAProxy run in the foreground from
// the shipped deploy/haproxy/haproxy.cfg, the corpus documents, and a load
// runner that keeps N calls in flight, retries UNAVAILABLE (and a CANCELLED
// it did not ask for) with backoff and
// records exactly what each document got.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gongkai/v1/extractor.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "process_util.h"

namespace gongkai::testing {

// A free loopback TCP port: bound to port 0 and closed again (another
// process could take it in between; the tests accept that small race).
int PickFreePort();

// CPU time (user + system) a process has used so far, in seconds; 0 if it
// cannot be read. pid 0: this process.
double CpuSeconds(pid_t pid);

// GET http://127.0.0.1:port/path; the status code and body.
struct HttpReply {
  int status = 0;
  std::string body;
};
absl::StatusOr<HttpReply> HttpGet(int port, const std::string& path);

// One gongkai-server whose gRPC and metrics ports stay the same across
// restarts, as a load balancer's configuration needs.
class Instance {
 public:
  explicit Instance(std::vector<std::string> extra_args = {})
      : extra_args_(std::move(extra_args)) {}
  // First start: ports picked by the server (port 0); later starts: the same.
  absl::Status Start();
  // Stops with signal_number and returns the exit status.
  absl::StatusOr<int> Stop(int signal_number, int timeout_s = 60);
  bool running() const { return server_ != nullptr && server_->pid() > 0; }
  pid_t pid() const { return server_ ? server_->pid() : -1; }
  int port() const { return port_; }
  int metrics_port() const { return metrics_port_; }
  std::string address() const;
  std::string Output() const { return server_ ? server_->Output() : ""; }

 private:
  std::vector<std::string> extra_args_;
  std::unique_ptr<ServerProcess> server_;
  TempDir dir_;
  int port_ = 0;
  int metrics_port_ = 0;
};

// deploy/haproxy/haproxy.cfg with its addresses replaced: the frontend on
// 127.0.0.1:frontend_port, one server line per instance (gRPC port and
// health-check port), no stats frontend, and the health checks every
// check_interval_ms.
absl::StatusOr<std::string> HaproxyConfig(
    int frontend_port, const std::vector<const Instance*>& instances,
    int check_interval_ms);

// HAProxy in the foreground (-db) with a generated configuration.
class Haproxy {
 public:
  static bool Available();
  absl::Status Start(const std::vector<const Instance*>& instances,
                     int check_interval_ms = 200);
  absl::StatusOr<int> Stop() { return process_.Stop(SIGTERM); }
  int port() const { return port_; }
  pid_t pid() const { return process_.pid(); }
  std::string address() const;
  std::string Output() const { return process_.Output(); }

 private:
  ChildProcess process_;
  TempDir dir_;
  int port_ = 0;
};

// nginx in the foreground (daemon off) with deploy/nginx/gongkai.conf
// rewritten to the instances' ports, a free listen port, and its pid and
// temporary files in a temp dir.
class Nginx {
 public:
  static bool Available();
  absl::Status Start(const std::vector<const Instance*>& instances);
  absl::StatusOr<int> Stop() { return process_.Stop(SIGTERM); }
  std::string address() const;
  std::string Output() const { return process_.Output(); }

 private:
  ChildProcess process_;
  TempDir dir_;
  int port_ = 0;
};

struct Document {
  std::string name;  // the file's base name, sent as file_name
  std::string bytes;
};

// The seeds' and dev layouts' inputs of the shared corpus, sorted by path;
// empty when the corpus is absent.
std::vector<Document> CorpusDocuments();

// What one load run saw.
struct LoadResult {
  // Per document index: how many answers (reports or final errors) it got,
  // and the last of them.
  std::vector<int> answers;
  std::vector<std::optional<v1::Report>> reports;
  std::vector<grpc::Status> errors;  // OK where a report came
  std::atomic<int64_t> attempts{0};
  std::atomic<int64_t> retries{0};  // UNAVAILABLE answers retried
  // CANCELLED answers retried: the client never cancels, so these came
  // from a server that stopped accepting as the call arrived, or from a
  // proxy passing on a reset stream.
  std::atomic<int64_t> cancelled_retries{0};
  double seconds = 0;
};

// Sends count documents (documents cycled) through stub with in_flight
// concurrent unary Extract calls. A call that fails UNAVAILABLE or
// CANCELLED (which this client never asks for) is retried with exponential
// backoff (25 ms doubling to 1 s) until give_up after the
// document's first attempt or the run's budget is spent; any other status
// is final.
//
// Gating lets a caller act while load is running: documents whose index is
// at or above the gate wait until the gate is raised (OpenGateTo), and
// WaitIssued blocks until that many documents were taken.
class LoadRun {
 public:
  LoadRun(v1::Extractor::Stub* stub, const std::vector<Document>* documents,
          int count, int in_flight, int initial_gate);
  ~LoadRun();  // Abort()s unless joined, then joins

  void Start();
  // False if the run's budget ran out first.
  bool WaitIssued(int n);
  void OpenGateTo(int gate);
  int issued();
  int done();
  // Waits for every document; returns the tally.
  LoadResult& Join();
  // Makes the workers stop taking documents and stop retrying (a test that
  // failed half-way must not wait for the rest).
  void Abort();

  // Per document, and for the whole run: past the budget nothing is
  // retried any more, so a broken fleet fails the test instead of hanging.
  std::chrono::seconds give_up{60};
  std::chrono::seconds budget{150};

 private:
  void Worker();

  v1::Extractor::Stub* stub_;
  const std::vector<Document>* documents_;
  int count_;
  int in_flight_;
  std::mutex mu_;
  std::condition_variable cv_;
  int next_ = 0;
  int gate_;
  int done_ = 0;
  std::vector<std::thread> threads_;
  std::chrono::steady_clock::time_point start_;
  LoadResult result_;
  bool joined_ = false;
  std::atomic<bool> abort_{false};
};

}  // namespace gongkai::testing
