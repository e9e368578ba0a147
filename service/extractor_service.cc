// The gongkai.v1.Extractor gRPC service (callback API).
#include "extractor_service.h"

#include <algorithm>
#include <deque>
#include <memory>
#include <mutex>
#include <utility>

#include "support.h"

namespace gongkai::service {

ExtractorService::ExtractorService(const PluginRegistry* registry,
                                   WorkerPool* pool,
                                   const ServiceOptions& options)
    : registry_(registry), pipeline_(registry), pool_(pool), options_(options) {
  if (options_.max_stream_in_flight == 0) {
    options_.max_stream_in_flight = std::max<size_t>(2, 2 * pool_->size());
  }
}

absl::StatusOr<v1::Report> ExtractorService::RunExtract(
    const v1::ExtractRequest& request) const {
  ExtractOptions options;
  if (request.has_plugin()) options.plugin = request.plugin();
  if (request.has_file_name()) options.file_name = request.file_name();
  options.max_bytes = options_.max_bytes;
  return pipeline_.Extract(request.document(), options);
}

grpc::ServerUnaryReactor* ExtractorService::Extract(
    grpc::CallbackServerContext* context, const v1::ExtractRequest* request,
    v1::Report* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // request, response and context stay valid until Finish.
  pool_->Submit([this, context, request, response, reactor] {
    if (context->IsCancelled()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
      return;
    }
    absl::StatusOr<v1::Report> report = RunExtract(*request);
    if (report.ok()) *response = *std::move(report);
    reactor->Finish(ToGrpcStatus(report.status()));
  });
  return reactor;
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

// One ExtractStream call. Reads requests, hands each to the pool and writes
// the answers as they complete (in any order, each with its id). The
// callback API allows one outstanding read and one outstanding write, so
// answers wait in a queue while a write is in flight. Every decision is taken
// under mu_, but StartRead/StartWrite/Finish are called after releasing it:
// gRPC may run the next reaction inline on the calling thread.
class ExtractorService::StreamReactor final
    : public grpc::ServerBidiReactor<v1::ExtractRequest, v1::ExtractResponse> {
 public:
  StreamReactor(const ExtractorService* service,
                grpc::CallbackServerContext* context)
      : service_(service), context_(context) {
    read_outstanding_ = true;
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      // The client half-closed, or the call is over.
      bool finish;
      grpc::Status status;
      {
        std::lock_guard<std::mutex> lock(mu_);
        read_outstanding_ = false;
        reads_done_ = true;
        finish = ShouldFinishLocked(&status);
      }
      if (finish) Finish(status);
      return;
    }
    auto request = std::make_shared<v1::ExtractRequest>(std::move(request_));
    request_.Clear();
    bool start_read;
    {
      std::lock_guard<std::mutex> lock(mu_);
      read_outstanding_ = false;
      ++in_flight_;
      start_read = MaybeResumeReadingLocked();
    }
    service_->pool_->Submit([this, request] { Process(*request); });
    if (start_read) StartRead(&request_);
  }

  void OnWriteDone(bool ok) override {
    bool start_write = false;
    bool start_read = false;
    bool finish = false;
    grpc::Status status;
    {
      std::lock_guard<std::mutex> lock(mu_);
      writing_ = false;
      if (!ok) {
        // The client is gone; drop what is queued.
        broken_ = true;
        queue_.clear();
      } else {
        start_write = NextWriteLocked();
        start_read = MaybeResumeReadingLocked();
      }
      finish = ShouldFinishLocked(&status);
    }
    if (start_write) StartWrite(&writing_response_);
    if (start_read) StartRead(&request_);
    if (finish) Finish(status);
  }

  void OnDone() override { delete this; }

 private:
  void Process(const v1::ExtractRequest& request) {
    v1::ExtractResponse response;
    response.set_id(request.id());
    if (context_->IsCancelled()) {
      response.mutable_error()->set_code(grpc::StatusCode::CANCELLED);
      response.mutable_error()->set_message("cancelled");
    } else {
      absl::StatusOr<v1::Report> report = service_->RunExtract(request);
      if (report.ok()) {
        *response.mutable_report() = *std::move(report);
      } else {
        response.mutable_error()->set_code(
            static_cast<int32_t>(report.status().code()));
        response.mutable_error()->set_message(
            SanitizeUtf8(report.status().message()));
      }
    }
    bool start_write = false;
    bool start_read = false;
    bool finish = false;
    grpc::Status status;
    {
      std::lock_guard<std::mutex> lock(mu_);
      --in_flight_;
      if (!broken_) queue_.push_back(std::move(response));
      start_write = NextWriteLocked();
      start_read = MaybeResumeReadingLocked();
      finish = ShouldFinishLocked(&status);
    }
    // Nothing below touches members after Finish: OnDone may delete this.
    if (start_write) StartWrite(&writing_response_);
    if (start_read) StartRead(&request_);
    if (finish) Finish(status);
  }

  // Moves the next queued answer into the write slot if no write is out.
  bool NextWriteLocked() {
    if (writing_ || broken_ || queue_.empty()) return false;
    writing_response_ = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    return true;
  }

  // Reads the next request if reading paused for back-pressure and there is
  // room again.
  bool MaybeResumeReadingLocked() {
    if (read_outstanding_ || reads_done_ || broken_) return false;
    if (in_flight_ + queue_.size() >= service_->options_.max_stream_in_flight) {
      return false;
    }
    read_outstanding_ = true;
    return true;
  }

  bool ShouldFinishLocked(grpc::Status* status) {
    if (finished_ || read_outstanding_ || in_flight_ > 0 || writing_) {
      return false;
    }
    if (broken_) {
      *status =
          grpc::Status(grpc::StatusCode::CANCELLED, "the stream was cancelled");
    } else if (reads_done_ && queue_.empty()) {
      *status = grpc::Status::OK;
    } else {
      return false;
    }
    finished_ = true;
    return true;
  }

  const ExtractorService* service_;
  grpc::CallbackServerContext* context_;
  v1::ExtractRequest request_;            // the read slot
  v1::ExtractResponse writing_response_;  // the write slot

  std::mutex mu_;
  std::deque<v1::ExtractResponse> queue_;  // answers waiting for the slot
  size_t in_flight_ = 0;                   // requests in the pool
  bool read_outstanding_ = false;
  bool reads_done_ = false;
  bool writing_ = false;
  bool broken_ = false;
  bool finished_ = false;
};

grpc::ServerBidiReactor<v1::ExtractRequest, v1::ExtractResponse>*
ExtractorService::ExtractStream(grpc::CallbackServerContext* context) {
  return new StreamReactor(this, context);
}

}  // namespace gongkai::service
