// The gongkai.v1.Extractor gRPC service (callback API), thin over
// gongkai::Pipeline: extraction runs on a WorkerPool, never on gRPC's
// callback threads.
#pragma once

#include <atomic>
#include <cstddef>

#include "gongkai/pipeline.h"
#include "gongkai/plugin_host.h"
#include "gongkai/v1/extractor.grpc.pb.h"
#include "worker_pool.h"

namespace gongkai::service {

struct ServiceOptions {
  // Documents larger than this are refused with RESOURCE_EXHAUSTED.
  size_t max_bytes = 64u << 20;
  // Documents one ExtractStream call may have read but not yet answered;
  // beyond it the stream stops reading (flow control pushes back on the
  // client) so one stream cannot queue unbounded work. 0: twice the pool.
  size_t max_stream_in_flight = 0;
};

class ExtractorService final : public v1::Extractor::CallbackService {
 public:
  // registry and pool must outlive the service and every call on it.
  ExtractorService(const PluginRegistry* registry, WorkerPool* pool,
                   const ServiceOptions& options);

  grpc::ServerUnaryReactor* Extract(grpc::CallbackServerContext* context,
                                    const v1::ExtractRequest* request,
                                    v1::Report* response) override;
  grpc::ServerBidiReactor<v1::ExtractRequest, v1::ExtractResponse>*
  ExtractStream(grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* ListPlugins(
      grpc::CallbackServerContext* context,
      const v1::ListPluginsRequest* request,
      v1::ListPluginsResponse* response) override;
  grpc::ServerUnaryReactor* Detect(grpc::CallbackServerContext* context,
                                   const v1::DetectRequest* request,
                                   v1::DetectResponse* response) override;
  // The transport floor for load tests: the request back, answered inline.
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const v1::ExtractRequest* request,
                                 v1::ExtractRequest* response) override;
  grpc::ServerBidiReactor<v1::ExtractRequest, v1::ExtractRequest>* EchoStream(
      grpc::CallbackServerContext* context) override;

 private:
  class UnaryCall;
  class StreamReactor;
  class EchoStreamReactor;

  // Runs the pipeline on one request; what both Extract and ExtractStream do.
  // The extraction stops early, with CANCELLED, once *cancelled is true.
  absl::StatusOr<v1::Report> RunExtract(
      const v1::ExtractRequest& request,
      const std::atomic<bool>* cancelled) const;

  const PluginRegistry* registry_;
  Pipeline pipeline_;
  WorkerPool* pool_;
  ServiceOptions options_;
};

}  // namespace gongkai::service
