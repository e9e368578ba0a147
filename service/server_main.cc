// gongkai-server: serves gongkai.v1.Extractor (plus gRPC health v1 and
// reflection) with the plugins of one directory, until SIGTERM or SIGINT.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "call_observer.h"
#include "extractor_service.h"
#include "gongkai/plugin_host.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "http_server.h"
#include "metrics.h"
#include "support.h"
#include "tls.h"
#include "worker_pool.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "address to listen on, host:port; port 0 picks a free port");
ABSL_FLAG(std::string, plugin_dir, "",
          "directory of libgongkai_<name>.so plugins (default: the build "
          "tree's or the installed lib/gongkai/plugins)");
ABSL_FLAG(int64_t, max_message_bytes, int64_t{64} << 20,
          "largest document accepted, in bytes");
ABSL_FLAG(std::string, port_file, "",
          "once listening, write the bound port to this file (atomically)");
ABSL_FLAG(int32_t, workers, 0,
          "extraction threads (0: one per hardware thread)");
ABSL_FLAG(int32_t, shutdown_grace_ms, 0,
          "on SIGTERM, how long to report NOT_SERVING before refusing new "
          "calls (lets load balancers drain)");
ABSL_FLAG(int32_t, shutdown_timeout_ms, 30000,
          "on SIGTERM, how long in-flight calls may take before they are "
          "cancelled");
ABSL_FLAG(std::string, metrics_listen, "",
          "host:port of an HTTP endpoint serving /metrics (Prometheus text) "
          "and /healthz (200 SERVING, 503 NOT_SERVING); port 0 picks one; "
          "empty: none");
ABSL_FLAG(std::string, metrics_port_file, "",
          "once listening, write the metrics port to this file (atomically)");
ABSL_FLAG(bool, log_requests, false,
          "log one line per request (per document of a stream) to stderr");
ABSL_FLAG(bool, log_json, false,
          "log one JSON object per request to stderr: request_id, method, "
          "plugin, bytes, duration_ms, status (implies --log_requests)");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain: serve TLS instead of plaintext (with "
          "--tls_key)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA certificates: require clients to present a certificate "
          "signed by one (mutual TLS); needs --tls_cert");

namespace {

constexpr char kServiceName[] = "gongkai.v1.Extractor";
// Room for the request's own framing above the document limit, so a
// document of exactly the limit is read and a larger one is refused by the
// pipeline with a clear message; far larger ones gRPC refuses itself
// ("Received message larger than max"), also RESOURCE_EXHAUSTED.
constexpr int64_t kFramingSlack = 64 << 10;

bool WritePortFile(const std::string& path, int port) {
  const std::string tmp = absl::StrCat(path, ".tmp.", getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    out.close();
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

// "host:0" -> "host:<port>" for the log line.
std::string BoundAddress(const std::string& listen, int port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return absl::StrCat(listen, ":", port);
  return absl::StrCat(listen.substr(0, colon), ":", port);
}

}  // namespace

int main(int argc, char** argv) {
  // Block the stop signals before any thread exists so every thread inherits
  // the mask and only the waiter thread below ever sees them (no handler).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  absl::SetProgramUsageMessage(
      "Serves gongkai.v1.Extractor.\nUsage: gongkai-server [--listen "
      "HOST:PORT] [--plugin_dir DIR] [--port_file PATH] ...");
  absl::ParseCommandLine(argc, argv);

  const int64_t max_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  if (max_bytes <= 0 || max_bytes > INT_MAX - kFramingSlack) {
    std::cerr << "gongkai-server: --max_message_bytes must be in 1.."
              << (INT_MAX - kFramingSlack) << "\n";
    return 2;
  }
  const int workers = absl::GetFlag(FLAGS_workers);
  if (workers < 0) {
    std::cerr << "gongkai-server: --workers must be >= 0\n";
    return 2;
  }

  std::string plugin_dir = absl::GetFlag(FLAGS_plugin_dir);
  if (plugin_dir.empty()) plugin_dir = gongkai::service::DefaultPluginDir();
  gongkai::PluginRegistry registry;
  std::cerr << "gongkai-server: loading plugins from " << plugin_dir << "\n";
  int plugins_refused = 0;
  if (absl::Status s = gongkai::service::LoadPlugins(
          plugin_dir, &registry, std::cerr, true, &plugins_refused);
      !s.ok()) {
    std::cerr << "gongkai-server: " << s.message() << "\n";
    return 1;
  }
  gongkai::service::Metrics metrics;
  metrics.SetPlugins(static_cast<int>(registry.List().size()), plugins_refused);

  std::shared_ptr<grpc::ServerCredentials> credentials =
      grpc::InsecureServerCredentials();
  const std::string tls_cert = absl::GetFlag(FLAGS_tls_cert);
  const std::string tls_key = absl::GetFlag(FLAGS_tls_key);
  const std::string tls_client_ca = absl::GetFlag(FLAGS_tls_client_ca);
  if (!tls_cert.empty() || !tls_key.empty() || !tls_client_ca.empty()) {
    auto tls = gongkai::service::TlsServerCredentials(tls_cert, tls_key,
                                                      tls_client_ca);
    if (!tls.ok()) {
      std::cerr << "gongkai-server: " << tls.status().message() << "\n";
      return 2;
    }
    credentials = *std::move(tls);
  }

  gongkai::service::WorkerPool pool(static_cast<size_t>(workers));
  gongkai::service::ServiceOptions options;
  options.max_bytes = static_cast<size_t>(max_bytes);
  gongkai::service::ExtractorService service(&registry, &pool, options);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  const std::string listen = absl::GetFlag(FLAGS_listen);
  builder.AddListeningPort(listen, credentials, &port);
  // A second server on a busy port must fail, not share it silently.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(static_cast<int>(max_bytes + kFramingSlack));
  builder.SetMaxSendMessageSize(-1);
  builder.RegisterService(&service);
  // Metrics and request logs come from an interceptor that sees every call.
  const bool log_json = absl::GetFlag(FLAGS_log_json);
  const auto request_log = log_json ? gongkai::service::RequestLog::kJson
                           : absl::GetFlag(FLAGS_log_requests)
                               ? gongkai::service::RequestLog::kText
                               : gongkai::service::RequestLog::kNone;
  {
    std::vector<
        std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
        interceptors;
    interceptors.push_back(
        std::make_unique<gongkai::service::CallObserverFactory>(
            &metrics, request_log, &std::cerr));
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::cerr << "gongkai-server: cannot listen on " << listen << "\n";
    return 1;
  }
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  health->SetServingStatus(true);
  health->SetServingStatus(kServiceName, true);
  // What /healthz says; false from the first moment of stopping, like the
  // gRPC health service.
  std::atomic<bool> serving{true};

  gongkai::service::HttpServer http([&](const std::string& path) {
    if (path == "/metrics") {
      return gongkai::service::HttpResponse{
          200, "text/plain; version=0.0.4; charset=utf-8", metrics.Render()};
    }
    if (path == "/healthz") {
      return serving.load() ? gongkai::service::HttpResponse{200, "text/plain",
                                                             "SERVING\n"}
                            : gongkai::service::HttpResponse{503, "text/plain",
                                                             "NOT_SERVING\n"};
    }
    return gongkai::service::HttpResponse{404, "text/plain", "not found\n"};
  });
  const std::string metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  if (!metrics_listen.empty()) {
    if (absl::Status s = http.Start(metrics_listen); !s.ok()) {
      std::cerr << "gongkai-server: --metrics_listen: " << s.message() << "\n";
      server->Shutdown();
      return 1;
    }
    std::cout << "gongkai-server: metrics on "
              << BoundAddress(metrics_listen, http.port()) << "/metrics"
              << std::endl;
    const std::string metrics_port_file =
        absl::GetFlag(FLAGS_metrics_port_file);
    if (!metrics_port_file.empty() &&
        !WritePortFile(metrics_port_file, http.port())) {
      std::cerr << "gongkai-server: cannot write --metrics_port_file "
                << metrics_port_file << "\n";
      server->Shutdown();
      return 1;
    }
  }

  std::cout << "gongkai-server: listening on " << BoundAddress(listen, port)
            << " (pid " << getpid() << ", " << pool.size() << " workers, "
            << registry.List().size() << " plugins)" << std::endl;
  const std::string port_file = absl::GetFlag(FLAGS_port_file);
  if (!port_file.empty() && !WritePortFile(port_file, port)) {
    std::cerr << "gongkai-server: cannot write --port_file " << port_file
              << "\n";
    server->Shutdown();
    return 1;
  }

  const int grace_ms = absl::GetFlag(FLAGS_shutdown_grace_ms);
  const int timeout_ms = absl::GetFlag(FLAGS_shutdown_timeout_ms);
  std::thread stopper([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    std::cerr << "gongkai-server: " << strsignal(signal_number)
              << ": not serving; finishing in-flight calls" << std::endl;
    // Every service NOT_SERVING, and it stays so.
    serving = false;
    health->Shutdown();
    if (grace_ms > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(grace_ms));
    }
    server->Shutdown(std::chrono::system_clock::now() +
                     std::chrono::milliseconds(std::max(0, timeout_ms)));
  });
  server->Wait();
  stopper.join();
  http.Stop();
  std::cerr << "gongkai-server: stopped" << std::endl;
  return 0;
}
