// Metrics (--metrics_listen: Prometheus text on /metrics, /healthz),
// request logs (--log_json) and the drain on SIGTERM, on a real
// gongkai-server: the counters must move by exactly what the test sent.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "fleet_util.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "test_support.h"

namespace gongkai::testing {
namespace {

namespace fs = std::filesystem;

// "name{labels} value" lines -> value; comments skipped. Fails the test on
// a line that is not a sample.
std::map<std::string, double> ParseMetrics(const std::string& text) {
  std::map<std::string, double> samples;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    double value = 0;
    if (space == absl::string_view::npos ||
        !absl::SimpleAtod(line.substr(space + 1), &value)) {
      ADD_FAILURE() << "not a sample: " << line;
      continue;
    }
    samples[std::string(line.substr(0, space))] = value;
  }
  return samples;
}

double Get(const std::map<std::string, double>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

// Sum of the samples of one family whose labels contain every filter.
double Sum(const std::map<std::string, double>& m, const std::string& family,
           const std::vector<std::string>& filters = {}) {
  double total = 0;
  for (const auto& [key, value] : m) {
    if (!absl::StartsWith(key, family + "{") && key != family) continue;
    bool match = true;
    for (const std::string& f : filters)
      match = match && absl::StrContains(key, f);
    if (match) total += value;
  }
  return total;
}

absl::StatusOr<std::map<std::string, double>> Scrape(int port) {
  absl::StatusOr<HttpReply> reply = HttpGet(port, "/metrics");
  if (!reply.ok()) return reply.status();
  if (reply->status != 200) {
    return absl::InternalError(absl::StrCat("status ", reply->status));
  }
  return ParseMetrics(reply->body);
}

TEST(MetricsTest, CountersMoveByWhatWasSent) {
  const std::vector<std::string> seeds = SeedFiles();
  if (seeds.empty()) GTEST_SKIP() << "the shared corpus is absent";
  Instance server({"--log_json"});
  ASSERT_TRUE(server.Start().ok());

  absl::StatusOr<std::map<std::string, double>> before =
      Scrape(server.metrics_port());
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_GT(Get(*before, "gongkai_plugins_loaded"), 0);
  EXPECT_EQ(Get(*before, "gongkai_plugin_load_failures_total"), 0);
  EXPECT_EQ(Sum(*before, "gongkai_documents_total"), 0);

  // Every seed by Extract, with our own request ids; then one bad document.
  auto stub = v1::Extractor::NewStub(MakeChannel(server.address()));
  double bytes = 0;
  std::map<std::string, int> ok_by_plugin;
  std::map<std::string, int> failed_checks;
  for (size_t i = 0; i < seeds.size(); ++i) {
    v1::ExtractRequest request;
    request.set_document(ReadFile(seeds[i]));
    request.set_file_name(fs::path(seeds[i]).filename().string());
    bytes += request.document().size();
    v1::Report report;
    auto context = Context();
    context->AddMetadata("x-request-id", absl::StrCat("metrics-test-", i));
    ASSERT_TRUE(stub->Extract(context.get(), request, &report).ok());
    ++ok_by_plugin[report.source_format()];
    for (const auto& check : report.checks()) {
      if (!check.passed()) ++failed_checks[check.id()];
    }
  }
  {
    v1::ExtractRequest request;
    request.set_document(InvalidUtf8Document());
    bytes += request.document().size();
    v1::Report report;
    auto context = Context();
    context->AddMetadata("x-request-id", "metrics-test-bad");
    EXPECT_EQ(stub->Extract(context.get(), request, &report).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  // And the first seed twice more on one stream.
  {
    auto context = Context();
    auto stream = stub->ExtractStream(context.get());
    for (const char* id : {"a", "b"}) {
      v1::ExtractRequest request;
      request.set_id(id);
      request.set_document(ReadFile(seeds[0]));
      request.set_file_name(fs::path(seeds[0]).filename().string());
      bytes += request.document().size();
      ASSERT_TRUE(stream->Write(request));
    }
    stream->WritesDone();
    v1::ExtractResponse response;
    int answers = 0;
    while (stream->Read(&response)) {
      ASSERT_TRUE(response.has_report());
      ++answers;
      ++ok_by_plugin[response.report().source_format()];
      for (const auto& check : response.report().checks()) {
        if (!check.passed()) ++failed_checks[check.id()];
      }
    }
    EXPECT_EQ(answers, 2);
    EXPECT_TRUE(stream->Finish().ok());
  }

  absl::StatusOr<std::map<std::string, double>> after =
      Scrape(server.metrics_port());
  ASSERT_TRUE(after.ok()) << after.status();
  const auto& m = *after;
  const double n = static_cast<double>(seeds.size());
  EXPECT_EQ(Get(m,
                "gongkai_requests_total{method=\"/gongkai.v1.Extractor/"
                "Extract\",code=\"OK\"}"),
            n);
  EXPECT_EQ(Get(m,
                "gongkai_requests_total{method=\"/gongkai.v1.Extractor/"
                "Extract\",code=\"INVALID_ARGUMENT\"}"),
            1);
  EXPECT_EQ(Get(m,
                "gongkai_requests_total{method=\"/gongkai.v1.Extractor/"
                "ExtractStream\",code=\"OK\"}"),
            1);
  for (const auto& [plugin, count] : ok_by_plugin) {
    EXPECT_EQ(Get(m, absl::StrCat("gongkai_documents_total{plugin=\"", plugin,
                                  "\",code=\"OK\"}")),
              count)
        << plugin;
  }
  EXPECT_EQ(Sum(m, "gongkai_documents_total", {"code=\"OK\""}), n + 2);
  EXPECT_EQ(Sum(m, "gongkai_documents_total", {"code=\"INVALID_ARGUMENT\""}),
            1);
  EXPECT_EQ(Get(m, "gongkai_received_bytes_total"), bytes);
  // The histogram counts every Extract call, and its +Inf bucket all.
  const std::string extract = "method=\"/gongkai.v1.Extractor/Extract\"";
  EXPECT_EQ(Get(m, "gongkai_request_duration_seconds_count{" + extract + "}"),
            n + 1);
  EXPECT_EQ(Get(m, "gongkai_request_duration_seconds_bucket{" + extract +
                       ",le=\"+Inf\"}"),
            n + 1);
  EXPECT_EQ(Get(m, "gongkai_calls_in_flight"), 0);
  double failed_total = 0;
  for (const auto& [id, count] : failed_checks) {
    EXPECT_EQ(
        Get(m, absl::StrCat("gongkai_failed_checks_total{check=\"", id, "\"}")),
        count)
        << id;
    failed_total += count;
  }
  EXPECT_EQ(Sum(m, "gongkai_failed_checks_total"), failed_total);

  // Health and unknown paths.
  absl::StatusOr<HttpReply> health = HttpGet(server.metrics_port(), "/healthz");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
  absl::StatusOr<HttpReply> missing = HttpGet(server.metrics_port(), "/nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);

  // One JSON object per request on stderr, with the caller's request id.
  absl::StatusOr<int> code = server.Stop(SIGTERM);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 0);
  int extract_lines = 0, stream_lines = 0;
  bool saw_bad = false;
  for (absl::string_view line : absl::StrSplit(server.Output(), '\n')) {
    if (!absl::StartsWith(line, "{")) continue;
    google::protobuf::Struct object;
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(std::string(line), &object)
            .ok())
        << line;
    const auto& f = object.fields();
    for (const char* key : {"time", "request_id", "method", "plugin", "bytes",
                            "duration_ms", "status"}) {
      EXPECT_TRUE(f.contains(key)) << key << " missing: " << line;
    }
    if (!f.contains("request_id") || !f.contains("method")) continue;
    const std::string id = f.at("request_id").string_value();
    const std::string method = f.at("method").string_value();
    if (method == "Extract" && absl::StartsWith(id, "metrics-test-")) {
      ++extract_lines;
      if (id == "metrics-test-bad") {
        saw_bad = true;
        EXPECT_EQ(f.at("status").string_value(), "INVALID_ARGUMENT");
      } else {
        EXPECT_EQ(f.at("status").string_value(), "OK");
        EXPECT_FALSE(f.at("plugin").string_value().empty());
        EXPECT_GT(f.at("bytes").number_value(), 0);
      }
    }
    if (method == "ExtractStream" && f.contains("documents") == false) {
      ++stream_lines;  // one per document of the stream
    }
  }
  EXPECT_EQ(extract_lines, seeds.size() + 1);
  EXPECT_TRUE(saw_bad);
  EXPECT_EQ(stream_lines, 2);
}

TEST(MetricsTest, PluginLoadFailuresAreCounted) {
  TempDir dir;
  for (const auto& entry : fs::directory_iterator(GONGKAI_PLUGIN_DIR)) {
    if (entry.path().extension() == ".so") {
      fs::copy_file(entry.path(),
                    fs::path(dir.path()) / entry.path().filename());
    }
  }
  // Not a shared object at all: dlopen refuses it.
  std::ofstream(dir.path() + "/libgongkai_broken.so") << "not an ELF file\n";
  Instance server({"--plugin_dir=" + dir.path()});
  ASSERT_TRUE(server.Start().ok());
  absl::StatusOr<std::map<std::string, double>> m =
      Scrape(server.metrics_port());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(Get(*m, "gongkai_plugin_load_failures_total"), 1);
  EXPECT_GT(Get(*m, "gongkai_plugins_loaded"), 0);
}

// Methods a caller makes up are answered UNIMPLEMENTED and leave no label
// behind; bad HTTP gets 4xx and the endpoint goes on serving.
TEST(MetricsTest, UnknownMethodsAndBadHttpAreHarmless) {
  Instance server;
  ASSERT_TRUE(server.Start().ok());
  auto channel = MakeChannel(server.address());
  grpc::GenericStub generic(channel);
  for (const char* method :
       {"/gongkai.v1.Extractor/Nope", "/gongkai.v1.MadeUp/Extract",
        "/elsewhere.Service/Call"}) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(20));
    grpc::Slice empty("");
    grpc::ByteBuffer request(&empty, 1), response;
    grpc::Status status;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    generic.UnaryCall(&context, method, grpc::StubOptions(), &request,
                      &response, [&](grpc::Status s) {
                        std::lock_guard<std::mutex> lock(mu);
                        status = s;
                        done = true;
                        cv.notify_all();
                      });
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(
        cv.wait_for(lock, std::chrono::seconds(30), [&] { return done; }));
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED) << method;
  }
  absl::StatusOr<HttpReply> metrics =
      HttpGet(server.metrics_port(), "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_FALSE(absl::StrContains(metrics->body, "Nope"));
  EXPECT_FALSE(absl::StrContains(metrics->body, "MadeUp"));
  EXPECT_FALSE(absl::StrContains(metrics->body, "elsewhere"));

  // Raw requests: not HTTP, a method other than GET, headers too large.
  auto raw = [&](const std::string& bytes) -> int {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(server.metrics_port()));
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      close(fd);
      return -1;
    }
    timeval timeout{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    (void)!send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    char buffer[64] = {};
    const ssize_t n = recv(fd, buffer, sizeof(buffer) - 1, 0);
    close(fd);
    int status = 0;
    if (n < 12 ||
        !absl::SimpleAtoi(absl::string_view(buffer + 9, 3), &status)) {
      return 0;
    }
    return status;
  };
  EXPECT_EQ(raw("garbage\r\n\r\n"), 400);
  EXPECT_EQ(raw("POST /metrics HTTP/1.1\r\n\r\n"), 405);
  EXPECT_EQ(raw("GET /metrics HTTP/1.1\r\nX: " + std::string(20000, 'a') +
                "\r\n\r\n"),
            431);
  absl::StatusOr<HttpReply> again = HttpGet(server.metrics_port(), "/healthz");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 200);
}

// On SIGTERM: NOT_SERVING at once (gRPC health and /healthz) while calls are
// still served through the grace period, then no new calls, the calls in
// flight finish, and the process exits 0. No call ends in anything but OK
// or (once the server is gone) UNAVAILABLE.
TEST(DrainTest, NotServingFirstThenFinishesInFlightCallsAndExitsZero) {
  const std::vector<std::string> seeds = SeedFiles();
  if (seeds.empty()) GTEST_SKIP() << "the shared corpus is absent";
  // A grace period far longer than the checks below take.
  Instance server({"--shutdown_grace_ms=4000", "--workers=1"});
  ASSERT_TRUE(server.Start().ok());
  auto stub = v1::Extractor::NewStub(MakeChannel(server.address()));
  v1::ExtractRequest request;
  request.set_document(ReadFile(seeds[0]));

  // 16 calls in flight all along, across the SIGTERM and after it. Every
  // call begun before the SIGTERM must end OK. Later ones may also be
  // refused (UNAVAILABLE) once the grace is over, or, for a call that
  // arrives in the very moment gRPC stops accepting, CANCELLED by gRPC core
  // before the service sees it: clients that heed NOT_SERVING (HAProxy's
  // check, the health-checked round_robin) have stopped sending by then.
  std::atomic<bool> stop{false};
  std::atomic<bool> terminated{false};
  std::atomic<int> ok{0}, unavailable{0}, cancelled_late{0}, other{0};
  std::mutex mu;
  std::string others;
  std::vector<std::thread> clients;
  for (int i = 0; i < 16; ++i) {
    clients.emplace_back([&] {
      while (!stop) {
        const bool late = terminated;
        v1::Report report;
        auto context = Context(std::chrono::seconds(30));
        const grpc::Status s = stub->Extract(context.get(), request, &report);
        if (s.ok()) {
          ++ok;
        } else if (late && s.error_code() == grpc::StatusCode::UNAVAILABLE) {
          ++unavailable;
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        } else if (late && s.error_code() == grpc::StatusCode::CANCELLED) {
          ++cancelled_late;
        } else {
          std::lock_guard<std::mutex> lock(mu);
          ++other;
          others += absl::StrCat(late ? "after" : "before",
                                 " SIGTERM: ", s.error_code(), " ",
                                 s.error_message(), "; ");
        }
      }
    });
  }
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (ok < 50 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_GE(ok, 50);

  terminated = true;
  std::future<absl::StatusOr<int>> exit_code =
      std::async(std::launch::async, [&] { return server.Stop(SIGTERM); });
  bool not_serving = false;
  while (!not_serving && std::chrono::steady_clock::now() < deadline) {
    absl::StatusOr<HttpReply> health =
        HttpGet(server.metrics_port(), "/healthz");
    not_serving = health.ok() && health->status == 503;
    if (!not_serving) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(not_serving) << "/healthz never said 503";
  auto health = Health(MakeChannel(server.address()), "gongkai.v1.Extractor");
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(*health, grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  // Still serving during the grace period.
  const int ok_at_not_serving = ok;
  while (ok < ok_at_not_serving + 20 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GE(ok, ok_at_not_serving + 20) << "calls stopped during the grace";

  absl::StatusOr<int> code = exit_code.get();
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << server.Output();
  stop = true;
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(other, 0) << others;
  std::cerr << ok << " OK, " << unavailable << " UNAVAILABLE, "
            << cancelled_late << " CANCELLED at the moment of stopping\n";
  // The server is gone: a new call is refused, not hung.
  v1::Report report;
  auto context = Context(std::chrono::seconds(10));
  EXPECT_EQ(stub->Extract(context.get(), request, &report).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace gongkai::testing
