// Fleet test helpers: instances with stable ports, HAProxy, the corpus, and
// the retrying load runner.
#include "fleet_util.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace gongkai::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr char kHaproxy[] = "/usr/sbin/haproxy";

bool CanConnect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok =
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

}  // namespace

int PickFreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  int port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

double CpuSeconds(pid_t pid) {
  const std::string stat = ReadFile(
      pid == 0 ? "/proc/self/stat" : absl::StrCat("/proc/", pid, "/stat"));
  // Fields after the command name (which may hold spaces) in parentheses.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::vector<std::string> fields = absl::StrSplit(stat.substr(close + 2), ' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 here.
  double utime = 0, stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtod(fields[11], &utime) ||
      !absl::SimpleAtod(fields[12], &stime)) {
    return 0;
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

absl::StatusOr<HttpReply> HttpGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError("socket failed");
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return absl::UnavailableError(absl::StrCat("cannot connect to ", port));
  }
  const std::string request =
      absl::StrCat("GET ", path,
                   " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    close(fd);
    return absl::UnavailableError("send failed");
  }
  std::string response;
  char buffer[8192];
  for (;;) {
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    response.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  HttpReply reply;
  const size_t end = response.find("\r\n\r\n");
  if (response.size() < 12 || end == std::string::npos ||
      !absl::SimpleAtoi(response.substr(9, 3), &reply.status)) {
    return absl::DataLossError("not an HTTP response: " + response);
  }
  reply.body = response.substr(end + 4);
  return reply;
}

// ---- Instance

absl::Status Instance::Start() {
  if (running()) return absl::FailedPreconditionError("already running");
  std::vector<std::string> args = extra_args_;
  const std::string metrics_port_file = dir_.path() + "/metrics_port";
  std::error_code ec;
  fs::remove(metrics_port_file, ec);
  if (port_ == 0) {
    args.push_back("--metrics_listen=127.0.0.1:0");
  } else {
    // ServerProcess passes --listen=127.0.0.1:0 first; the last one wins.
    args.push_back(absl::StrCat("--listen=127.0.0.1:", port_));
    args.push_back(absl::StrCat("--metrics_listen=127.0.0.1:", metrics_port_));
  }
  args.push_back("--metrics_port_file=" + metrics_port_file);
  server_ = std::make_unique<ServerProcess>();
  if (absl::Status s = server_->Start(args); !s.ok()) {
    server_.reset();
    return s;
  }
  absl::StatusOr<int> metrics = ReadPort(metrics_port_file);
  if (!metrics.ok()) return metrics.status();
  if (port_ != 0 && (server_->port() != port_ || *metrics != metrics_port_)) {
    return absl::InternalError("the instance came back on other ports");
  }
  port_ = server_->port();
  metrics_port_ = *metrics;
  return absl::OkStatus();
}

absl::StatusOr<int> Instance::Stop(int signal_number, int timeout_s) {
  if (!running()) return absl::FailedPreconditionError("not running");
  absl::StatusOr<int> code = server_->Stop(signal_number, timeout_s);
  return code;
}

std::string Instance::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

// ---- HAProxy

absl::StatusOr<std::string> HaproxyConfig(
    int frontend_port, const std::vector<const Instance*>& instances,
    int check_interval_ms) {
  const std::string path =
      std::string(GONGKAI_DEPLOY_DIR) + "/haproxy/haproxy.cfg";
  std::string text = ReadFile(path);
  if (text.empty()) return absl::NotFoundError("cannot read " + path);
  // The stats frontend is for people; the tests do not need its port.
  if (size_t stats = text.find("\nfrontend stats");
      stats != std::string::npos) {
    text.resize(stats + 1);
  }
  std::string out;
  bool bound = false;
  bool servers = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    const absl::string_view stripped = absl::StripLeadingAsciiWhitespace(line);
    if (absl::StartsWith(stripped, "bind 127.0.0.1:50050")) {
      absl::StrAppend(&out, "    bind 127.0.0.1:", frontend_port,
                      " proto h2\n");
      bound = true;
    } else if (absl::StartsWith(stripped, "server gongkai")) {
      if (!servers) {
        for (size_t i = 0; i < instances.size(); ++i) {
          absl::StrAppend(&out, "    server gongkai", i + 1, " ",
                          instances[i]->address(), " proto h2 check port ",
                          instances[i]->metrics_port(), " check-proto h1\n");
        }
      }
      servers = true;
    } else if (absl::StartsWith(stripped, "default-server")) {
      out += absl::StrReplaceAll(
          line, {{"inter 1s", absl::StrCat("inter ", check_interval_ms, "ms")},
                 {"rise 2", "rise 1"}});
      out += "\n";
    } else {
      absl::StrAppend(&out, line, "\n");
    }
  }
  if (!bound || !servers) {
    return absl::FailedPreconditionError(
        path + " no longer has the bind and server lines this test rewrites");
  }
  return out;
}

bool Haproxy::Available() { return access(kHaproxy, X_OK) == 0; }

absl::Status Haproxy::Start(const std::vector<const Instance*>& instances,
                            int check_interval_ms) {
  port_ = PickFreePort();
  if (port_ == 0) return absl::InternalError("no free port");
  absl::StatusOr<std::string> config =
      HaproxyConfig(port_, instances, check_interval_ms);
  if (!config.ok()) return config.status();
  const std::string path = dir_.path() + "/haproxy.cfg";
  {
    std::ofstream out(path, std::ios::trunc);
    out << *config;
    if (!out) return absl::InternalError("cannot write " + path);
  }
  // -db: foreground, no daemon, so this PID is HAProxy itself.
  if (absl::Status s = process_.Start({kHaproxy, "-db", "-f", path}); !s.ok()) {
    return s;
  }
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline) {
    if (!process_.Running()) {
      return absl::InternalError("haproxy exited:\n" + process_.Output());
    }
    if (CanConnect(port_)) return absl::OkStatus();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::DeadlineExceededError("haproxy does not listen:\n" +
                                     process_.Output());
}

std::string Haproxy::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

// ---- nginx

namespace {
constexpr char kNginx[] = "/usr/sbin/nginx";
}  // namespace

bool Nginx::Available() { return access(kNginx, X_OK) == 0; }

absl::Status Nginx::Start(const std::vector<const Instance*>& instances) {
  port_ = PickFreePort();
  if (port_ == 0) return absl::InternalError("no free port");
  const std::string path =
      std::string(GONGKAI_DEPLOY_DIR) + "/nginx/gongkai.conf";
  const std::string text = ReadFile(path);
  if (text.empty()) return absl::NotFoundError("cannot read " + path);
  const std::string d = dir_.path();
  std::string out;
  bool listen = false, servers = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    const absl::string_view stripped = absl::StripLeadingAsciiWhitespace(line);
    if (absl::StartsWith(stripped, "pid ")) {
      absl::StrAppend(&out, "pid ", d, "/nginx.pid;\n");
    } else if (absl::StartsWith(stripped, "listen 127.0.0.1:50060")) {
      absl::StrAppend(&out, "        listen 127.0.0.1:", port_, " http2;\n");
      listen = true;
    } else if (absl::StartsWith(stripped, "server 127.0.0.1:5005")) {
      if (!servers) {
        for (const Instance* i : instances) {
          absl::StrAppend(&out, "        server ", i->address(),
                          " max_fails=1 fail_timeout=5s;\n");
        }
      }
      servers = true;
    } else if (absl::StartsWith(stripped, "http {")) {
      // Not the packaged /var/lib/nginx paths: the test may not own them.
      absl::StrAppend(&out, line, "\n    client_body_temp_path ", d,
                      "/body;\n    proxy_temp_path ", d,
                      "/proxy;\n    fastcgi_temp_path ", d,
                      "/fastcgi;\n    uwsgi_temp_path ", d,
                      "/uwsgi;\n    scgi_temp_path ", d, "/scgi;\n");
    } else {
      absl::StrAppend(&out, line, "\n");
    }
  }
  if (!listen || !servers) {
    return absl::FailedPreconditionError(
        path + " no longer has the listen and server lines this test rewrites");
  }
  const std::string config = d + "/nginx.conf";
  {
    std::ofstream f(config, std::ios::trunc);
    f << out;
    if (!f) return absl::InternalError("cannot write " + config);
  }
  if (absl::Status s =
          process_.Start({kNginx, "-p", d, "-c", config, "-g", "daemon off;"});
      !s.ok()) {
    return s;
  }
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline) {
    if (!process_.Running()) {
      return absl::InternalError("nginx exited:\n" + process_.Output());
    }
    if (CanConnect(port_)) return absl::OkStatus();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::DeadlineExceededError("nginx does not listen:\n" +
                                     process_.Output());
}

std::string Nginx::address() const { return absl::StrCat("127.0.0.1:", port_); }

// ---- Corpus

std::vector<Document> CorpusDocuments() {
  std::vector<fs::path> paths;
  const fs::path corpus(GONGKAI_CORPUS_DIR);
  std::error_code ec;
  std::vector<fs::path> dirs = {corpus / "seeds" / "input"};
  for (const auto& layout : fs::directory_iterator(corpus / "dev", ec)) {
    dirs.push_back(layout.path() / "input");
  }
  for (const fs::path& dir : dirs) {
    std::error_code ec2;
    for (const auto& entry : fs::directory_iterator(dir, ec2)) {
      if (entry.is_regular_file()) paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  std::vector<Document> documents;
  for (const fs::path& p : paths) {
    documents.push_back({p.filename().string(), ReadFile(p.string())});
  }
  return documents;
}

// ---- LoadRun

LoadRun::LoadRun(v1::Extractor::Stub* stub,
                 const std::vector<Document>* documents, int count,
                 int in_flight, int initial_gate)
    : stub_(stub),
      documents_(documents),
      count_(count),
      in_flight_(in_flight),
      gate_(initial_gate) {
  result_.answers.assign(count, 0);
  result_.reports.resize(count);
  result_.errors.resize(count);
}

LoadRun::~LoadRun() {
  if (!joined_) Abort();
  Join();
}

void LoadRun::Abort() {
  abort_ = true;
  OpenGateTo(count_);
}

void LoadRun::Start() {
  start_ = Clock::now();
  for (int i = 0; i < in_flight_; ++i) {
    threads_.emplace_back([this] { Worker(); });
  }
}

bool LoadRun::WaitIssued(int n) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_until(lock, start_ + budget,
                        [&] { return next_ >= std::min(n, count_); });
}

void LoadRun::OpenGateTo(int gate) {
  std::lock_guard<std::mutex> lock(mu_);
  gate_ = std::max(gate_, gate);
  cv_.notify_all();
}

int LoadRun::issued() {
  std::lock_guard<std::mutex> lock(mu_);
  return next_;
}

int LoadRun::done() {
  std::lock_guard<std::mutex> lock(mu_);
  return done_;
}

LoadResult& LoadRun::Join() {
  if (!joined_) {
    OpenGateTo(count_);
    for (std::thread& t : threads_) t.join();
    joined_ = true;
    result_.seconds =
        std::chrono::duration<double>(Clock::now() - start_).count();
  }
  return result_;
}

void LoadRun::Worker() {
  for (;;) {
    int index;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return next_ >= count_ || next_ < gate_; });
      if (next_ >= count_ || abort_) return;
      index = next_++;
      cv_.notify_all();  // WaitIssued
    }
    const Document& document = (*documents_)[index % documents_->size()];
    v1::ExtractRequest request;
    request.set_document(document.bytes);
    request.set_file_name(document.name);
    const auto first = Clock::now();
    auto backoff = std::chrono::milliseconds(25);
    v1::Report report;
    grpc::Status status;
    for (int attempt = 1;; ++attempt) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(60));
      context.AddMetadata("x-request-id",
                          absl::StrCat("doc-", index, "-try-", attempt));
      report.Clear();
      ++result_.attempts;
      status = stub_->Extract(&context, request, &report);
      const grpc::StatusCode code = status.error_code();
      // A stream the proxy reset when its instance died reaches the client
      // as UNKNOWN "Stream removed": no server ever answered it, so like
      // UNAVAILABLE and CANCELLED it is retried (extraction is idempotent).
      const bool stream_reset = code == grpc::StatusCode::UNKNOWN &&
                                status.error_message() == "Stream removed";
      if (code != grpc::StatusCode::UNAVAILABLE &&
          code != grpc::StatusCode::CANCELLED && !stream_reset) {
        break;
      }
      if (Clock::now() - first > give_up || abort_) break;
      if (Clock::now() - start_ > budget) break;
      ++(code == grpc::StatusCode::UNAVAILABLE ? result_.retries
                                               : result_.cancelled_retries);
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
    }
    std::lock_guard<std::mutex> lock(mu_);
    ++result_.answers[index];
    result_.errors[index] = status;
    if (status.ok()) result_.reports[index] = std::move(report);
    ++done_;
  }
}

}  // namespace gongkai::testing
