// Prometheus text exposition of the server's metrics.
#include "metrics.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace gongkai::service {
namespace {

// Label values are escaped as the exposition format requires.
std::string Escape(absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Number(double v) { return absl::StrFormat("%.17g", v); }

void Header(std::string* out, absl::string_view name, absl::string_view type,
            absl::string_view help) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type,
                  "\n");
}

void RenderHistogram(
    std::string* out, absl::string_view name, absl::string_view label,
    const std::string& value,
    const std::array<uint64_t, Metrics::kLatencyBuckets.size()>& buckets,
    uint64_t count, double sum) {
  const std::string l = absl::StrCat(label, "=\"", Escape(value), "\"");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < buckets.size(); ++i) {
    cumulative += buckets[i];
    absl::StrAppend(out, name, "_bucket{", l, ",le=\"",
                    Number(Metrics::kLatencyBuckets[i]), "\"} ", cumulative,
                    "\n");
  }
  absl::StrAppend(out, name, "_bucket{", l, ",le=\"+Inf\"} ", count, "\n");
  absl::StrAppend(out, name, "_sum{", l, "} ", Number(sum), "\n");
  absl::StrAppend(out, name, "_count{", l, "} ", count, "\n");
}

}  // namespace

std::string StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    default:
      return absl::StrCat("CODE_", static_cast<int>(code));
  }
}

void Metrics::Histogram::Observe(double seconds) {
  ++count;
  sum += seconds;
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) {
      ++buckets[i];
      return;
    }
  }
}

void Metrics::CallStarted() { in_flight_.fetch_add(1); }

void Metrics::CallFinished(absl::string_view method, grpc::StatusCode code,
                           double seconds) {
  in_flight_.fetch_sub(1);
  std::lock_guard<std::mutex> lock(mu_);
  ++calls_[{std::string(method), StatusCodeName(code)}];
  call_latency_[std::string(method)].Observe(seconds);
}

void Metrics::DocumentDone(absl::string_view plugin, grpc::StatusCode code,
                           uint64_t bytes, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++documents_[{std::string(plugin), StatusCodeName(code)}];
  document_latency_[std::string(plugin)].Observe(seconds);
  bytes_in_ += bytes;
}

void Metrics::CheckFailed(absl::string_view check_id) {
  std::lock_guard<std::mutex> lock(mu_);
  ++failed_checks_[std::string(check_id)];
}

void Metrics::SetPlugins(int loaded, int refused) {
  std::lock_guard<std::mutex> lock(mu_);
  plugins_loaded_ = loaded;
  plugins_refused_ = refused;
}

std::string Metrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  Header(&out, "gongkai_requests_total", "counter",
         "gRPC calls finished, by method and status code.");
  for (const auto& [key, n] : calls_) {
    absl::StrAppend(&out, "gongkai_requests_total{method=\"", Escape(key.first),
                    "\",code=\"", key.second, "\"} ", n, "\n");
  }
  Header(&out, "gongkai_request_duration_seconds", "histogram",
         "Time from a call's arrival to its status, by method.");
  for (const auto& [method, h] : call_latency_) {
    RenderHistogram(&out, "gongkai_request_duration_seconds", "method", method,
                    h.buckets, h.count, h.sum);
  }
  Header(&out, "gongkai_documents_total", "counter",
         "Documents extracted (Extract calls and ExtractStream messages), by "
         "plugin and status code; plugin is empty when none was chosen.");
  for (const auto& [key, n] : documents_) {
    absl::StrAppend(&out, "gongkai_documents_total{plugin=\"",
                    Escape(key.first), "\",code=\"", key.second, "\"} ", n,
                    "\n");
  }
  Header(&out, "gongkai_document_duration_seconds", "histogram",
         "Time to extract one document, by plugin.");
  for (const auto& [plugin, h] : document_latency_) {
    RenderHistogram(&out, "gongkai_document_duration_seconds", "plugin", plugin,
                    h.buckets, h.count, h.sum);
  }
  Header(&out, "gongkai_received_bytes_total", "counter",
         "Bytes of documents received.");
  absl::StrAppend(&out, "gongkai_received_bytes_total ", bytes_in_, "\n");
  Header(&out, "gongkai_calls_in_flight", "gauge",
         "gRPC calls started and not yet finished.");
  absl::StrAppend(&out, "gongkai_calls_in_flight ", in_flight_.load(), "\n");
  Header(&out, "gongkai_failed_checks_total", "counter",
         "Report cross-checks that did not pass, by check id.");
  for (const auto& [id, n] : failed_checks_) {
    absl::StrAppend(&out, "gongkai_failed_checks_total{check=\"", Escape(id),
                    "\"} ", n, "\n");
  }
  Header(&out, "gongkai_plugins_loaded", "gauge", "Plugins being served.");
  absl::StrAppend(&out, "gongkai_plugins_loaded ", plugins_loaded_, "\n");
  Header(&out, "gongkai_plugin_load_failures_total", "counter",
         "Plugin libraries refused at start-up.");
  absl::StrAppend(&out, "gongkai_plugin_load_failures_total ", plugins_refused_,
                  "\n");
  return out;
}

}  // namespace gongkai::service
