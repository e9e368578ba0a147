// A gRPC server interceptor that feeds Metrics and writes one log line per
// request (per document for ExtractStream) without the service knowing: it
// sees every call's start and status, and the Extract requests and answers
// as they pass.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <ostream>

#include "grpcpp/support/server_interceptor.h"
#include "metrics.h"

namespace gongkai::service {

enum class RequestLog { kNone, kText, kJson };

class CallObserverFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // metrics and log must outlive the server.
  CallObserverFactory(Metrics* metrics, RequestLog format, std::ostream* log);

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

  // What the interceptors share: where to record and the log's lock.
  struct Shared {
    Metrics* metrics;
    RequestLog format;
    std::ostream* log;
    std::mutex log_mu;
    std::atomic<uint64_t> next_call{0};
    uint64_t pid;
  };

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace gongkai::service
