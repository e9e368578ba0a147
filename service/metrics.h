// The server's counters, gauges and latency histograms, rendered in the
// Prometheus text exposition format (version 0.0.4) for --metrics_listen.
// Label values come only from bounded sets (method names, status codes,
// loaded plugin names, check ids), never from what a caller sends.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace gongkai::service {

class Metrics {
 public:
  // Upper bounds (seconds) of the latency histogram's buckets; +Inf implied.
  static constexpr std::array<double, 14> kLatencyBuckets = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
      0.25,  0.5,    1,     2.5,  5,     10,   30};

  // One gRPC call of method ("/pkg.Service/Method") started or ended.
  void CallStarted();
  void CallFinished(absl::string_view method, grpc::StatusCode code,
                    double seconds);

  // One document extracted (by Extract or as one message of ExtractStream).
  // plugin is the plugin that read it ("" when it failed before one was
  // chosen).
  void DocumentDone(absl::string_view plugin, grpc::StatusCode code,
                    uint64_t bytes, double seconds);
  // One of a report's checks did not pass.
  void CheckFailed(absl::string_view check_id);

  // Set once at start-up.
  void SetPlugins(int loaded, int refused);

  // The whole exposition, every family with its HELP and TYPE lines.
  std::string Render() const;

  int64_t calls_in_flight() const { return in_flight_.load(); }

 private:
  struct Histogram {
    std::array<uint64_t, kLatencyBuckets.size()> buckets{};  // not cumulative
    uint64_t count = 0;
    double sum = 0;
    void Observe(double seconds);
  };

  mutable std::mutex mu_;
  // (method, code) -> calls; method -> latency.
  std::map<std::pair<std::string, std::string>, uint64_t> calls_;
  std::map<std::string, Histogram> call_latency_;
  // (plugin, code) -> documents; plugin -> latency.
  std::map<std::pair<std::string, std::string>, uint64_t> documents_;
  std::map<std::string, Histogram> document_latency_;
  std::map<std::string, uint64_t> failed_checks_;
  uint64_t bytes_in_ = 0;
  int plugins_loaded_ = 0;
  int plugins_refused_ = 0;
  std::atomic<int64_t> in_flight_{0};
};

// The name gRPC gives a status code in its documentation ("OK",
// "INVALID_ARGUMENT", ...), used as a label value and in logs.
std::string StatusCodeName(grpc::StatusCode code);

}  // namespace gongkai::service
