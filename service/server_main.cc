// gongkai-server: serves gongkai.v1.Extractor (plus gRPC health v1 and
// reflection) with the plugins of one directory, until SIGTERM or SIGINT.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
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

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "extractor_service.h"
#include "gongkai/plugin_host.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "support.h"
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
  if (absl::Status s =
          gongkai::service::LoadPlugins(plugin_dir, &registry, std::cerr);
      !s.ok()) {
    std::cerr << "gongkai-server: " << s.message() << "\n";
    return 1;
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
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  // A second server on a busy port must fail, not share it silently.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(static_cast<int>(max_bytes + kFramingSlack));
  builder.SetMaxSendMessageSize(-1);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::cerr << "gongkai-server: cannot listen on " << listen << "\n";
    return 1;
  }
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  health->SetServingStatus(true);
  health->SetServingStatus(kServiceName, true);

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
    health->Shutdown();
    if (grace_ms > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(grace_ms));
    }
    server->Shutdown(std::chrono::system_clock::now() +
                     std::chrono::milliseconds(std::max(0, timeout_ms)));
  });
  server->Wait();
  stopper.join();
  std::cerr << "gongkai-server: stopped" << std::endl;
  return 0;
}
