// The gongkai.v1.Extractor gRPC service (callback API).
#include "extractor_service.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <utility>

#include "support.h"
#include "windowed_stream.h"

namespace gongkai::service {
namespace {

bool Expired(const grpc::CallbackServerContext& context) {
  return context.deadline() <= std::chrono::system_clock::now();
}

// The status of a call whose work stopped before it was done. The client
// already has its status from gRPC; this one is for the server's own logs
// and metrics, so it says which of the two it was.
grpc::Status StoppedStatus(const grpc::CallbackServerContext& context) {
  if (Expired(context)) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                        "the deadline passed before the extraction finished");
  }
  return grpc::Status(grpc::StatusCode::CANCELLED, "the call was cancelled");
}

}  // namespace

ExtractorService::ExtractorService(const PluginRegistry* registry,
                                   WorkerPool* pool,
                                   const ServiceOptions& options)
    : registry_(registry), pipeline_(registry), pool_(pool), options_(options) {
  if (options_.max_stream_in_flight == 0) {
    options_.max_stream_in_flight = std::max<size_t>(2, 2 * pool_->size());
  }
}

absl::StatusOr<v1::Report> ExtractorService::RunExtract(
    const v1::ExtractRequest& request,
    const std::atomic<bool>* cancelled) const {
  ExtractOptions options;
  if (request.has_plugin()) options.plugin = request.plugin();
  if (request.has_file_name()) options.file_name = request.file_name();
  options.max_bytes = options_.max_bytes;
  options.cancelled = cancelled;
  return pipeline_.Extract(request.document(), options);
}

// One unary Extract call. Its own reactor rather than the default one for
// OnCancel: when the client cancels or the deadline passes, the flag it sets
// makes queued work skip the pipeline and running work stop early (the
// pipeline polls it), so an abandoned call costs no more CPU.
class ExtractorService::UnaryCall final : public grpc::ServerUnaryReactor {
 public:
  void OnCancel() override {
    cancelled_.store(true, std::memory_order_relaxed);
  }
  void OnDone() override { delete this; }

  const std::atomic<bool>* flag() const { return &cancelled_; }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> cancelled_{false};
};

grpc::ServerUnaryReactor* ExtractorService::Extract(
    grpc::CallbackServerContext* context, const v1::ExtractRequest* request,
    v1::Report* response) {
  auto* call = new UnaryCall;
  // request, response and context stay valid until Finish, call until
  // OnDone, which comes after Finish.
  pool_->Submit([this, context, request, response, call] {
    // Work that waited in the queue may belong to a call already over.
    if (call->cancelled() || Expired(*context) || context->IsCancelled()) {
      call->Finish(StoppedStatus(*context));
      return;
    }
    absl::StatusOr<v1::Report> report = RunExtract(*request, call->flag());
    if (report.ok()) {
      *response = *std::move(report);
      call->Finish(grpc::Status::OK);
    } else if (absl::IsCancelled(report.status())) {
      call->Finish(StoppedStatus(*context));
    } else {
      call->Finish(ToGrpcStatus(report.status()));
    }
  });
  return call;
}

grpc::ServerUnaryReactor* ExtractorService::ListPlugins(
    grpc::CallbackServerContext* context,
    const v1::ListPluginsRequest* /*request*/,
    v1::ListPluginsResponse* response) {
  for (const PluginDescription& p : registry_->List()) {
    v1::PluginInfo* info = response->add_plugins();
    info->set_name(SanitizeUtf8(p.name));
    info->set_version(SanitizeUtf8(p.version));
    info->set_description(SanitizeUtf8(p.description));
    info->set_abi_version(p.abi_version);
    info->set_path(SanitizeUtf8(p.path));
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* ExtractorService::Detect(
    grpc::CallbackServerContext* context, const v1::DetectRequest* request,
    v1::DetectResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  pool_->Submit([this, request, response, reactor] {
    ExtractOptions options;
    if (request->has_file_name()) options.file_name = request->file_name();
    options.max_bytes = options_.max_bytes;
    auto detected = pipeline_.Detect(request->document(), options);
    if (detected.ok()) {
      for (const PluginScore& s : detected->first) {
        v1::PluginScore* score = response->add_scores();
        score->set_plugin(s.name);
        score->set_score(s.score);
      }
      response->set_charset(detected->second);
    }
    reactor->Finish(ToGrpcStatus(detected.status()));
  });
  return reactor;
}

// One ExtractStream call: each request goes to the pool, and its answer
// (with its id) is written as soon as it is ready. Once the call is
// cancelled, documents still queued are skipped and running ones stop early
// (the pipeline polls the flag).
class ExtractorService::StreamReactor final
    : public WindowedStream<v1::ExtractRequest, v1::ExtractResponse> {
 public:
  StreamReactor(const ExtractorService* service,
                grpc::CallbackServerContext* context)
      : WindowedStream(service->options_.max_stream_in_flight),
        service_(service),
        context_(context) {}

 private:
  void Handle(v1::ExtractRequest request) override {
    service_->pool_->Submit(
        [this, request = std::make_shared<v1::ExtractRequest>(
                   std::move(request))] { Deliver(Process(*request)); });
  }

  v1::ExtractResponse Process(const v1::ExtractRequest& request) {
    v1::ExtractResponse response;
    response.set_id(request.id());
    if (cancelled() || context_->IsCancelled()) {
      response.mutable_error()->set_code(grpc::StatusCode::CANCELLED);
      response.mutable_error()->set_message("cancelled");
      return response;
    }
    absl::StatusOr<v1::Report> report =
        service_->RunExtract(request, cancelled_flag());
    if (report.ok()) {
      *response.mutable_report() = *std::move(report);
    } else {
      response.mutable_error()->set_code(
          static_cast<int32_t>(report.status().code()));
      response.mutable_error()->set_message(
          SanitizeUtf8(report.status().message()));
    }
    return response;
  }

  const ExtractorService* service_;
  grpc::CallbackServerContext* context_;
};

grpc::ServerBidiReactor<v1::ExtractRequest, v1::ExtractResponse>*
ExtractorService::ExtractStream(grpc::CallbackServerContext* context) {
  auto* reactor = new StreamReactor(this, context);
  reactor->Start();
  return reactor;
}

grpc::ServerUnaryReactor* ExtractorService::Echo(
    grpc::CallbackServerContext* context, const v1::ExtractRequest* request,
    v1::ExtractRequest* response) {
  *response = *request;
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

// One EchoStream call: each request written back as it was read, on gRPC's
// threads, with the same read-ahead window as ExtractStream, so the two
// compare fairly.
class ExtractorService::EchoStreamReactor final
    : public WindowedStream<v1::ExtractRequest, v1::ExtractRequest> {
 public:
  using WindowedStream::WindowedStream;

 private:
  void Handle(v1::ExtractRequest request) override {
    Deliver(std::move(request));
  }
};

grpc::ServerBidiReactor<v1::ExtractRequest, v1::ExtractRequest>*
ExtractorService::EchoStream(grpc::CallbackServerContext* /*context*/) {
  auto* reactor = new EchoStreamReactor(options_.max_stream_in_flight);
  reactor->Start();
  return reactor;
}

}  // namespace gongkai::service
