// The gongkai.v1.Extractor gRPC service (callback API).
#include "extractor_service.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <utility>

#include "support.h"

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

  // The client cancelled or the deadline passed: documents still queued are
  // skipped and running ones stop early (the pipeline polls cancelled_).
  void OnCancel() override {
    cancelled_.store(true, std::memory_order_relaxed);
  }

  void OnDone() override { delete this; }

 private:
  void Process(const v1::ExtractRequest& request) {
    v1::ExtractResponse response;
    response.set_id(request.id());
    if (cancelled_.load(std::memory_order_relaxed) || context_->IsCancelled()) {
      response.mutable_error()->set_code(grpc::StatusCode::CANCELLED);
      response.mutable_error()->set_message("cancelled");
    } else {
      absl::StatusOr<v1::Report> report =
          service_->RunExtract(request, &cancelled_);
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
  std::atomic<bool> cancelled_{false};
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

grpc::ServerUnaryReactor* ExtractorService::Echo(
    grpc::CallbackServerContext* context, const v1::ExtractRequest* request,
    v1::ExtractRequest* response) {
  *response = *request;
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

// One EchoStream call: each request written back as it was read, on gRPC's
// threads. Reads run ahead of writes by up to max_stream_in_flight messages,
// as ExtractStream's do, so the two compare fairly; the same locking rules
// as StreamReactor.
class ExtractorService::EchoStreamReactor final
    : public grpc::ServerBidiReactor<v1::ExtractRequest, v1::ExtractRequest> {
 public:
  explicit EchoStreamReactor(size_t window) : window_(window) {
    read_outstanding_ = true;
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    bool start_write, start_read, finish;
    grpc::Status status;
    {
      std::lock_guard<std::mutex> lock(mu_);
      read_outstanding_ = false;
      if (ok) {
        queue_.push_back(std::move(request_));
        request_.Clear();
      } else {
        reads_done_ = true;  // the client half-closed, or the call is over
      }
      start_write = NextWriteLocked();
      start_read = MaybeReadLocked();
      finish = ShouldFinishLocked(&status);
    }
    if (start_write) StartWrite(&writing_);
    if (start_read) StartRead(&request_);
    if (finish) Finish(status);
  }

  void OnWriteDone(bool ok) override {
    bool start_write = false, start_read = false, finish;
    grpc::Status status;
    {
      std::lock_guard<std::mutex> lock(mu_);
      write_outstanding_ = false;
      if (!ok) {
        broken_ = true;  // the client is gone
        queue_.clear();
      } else {
        start_write = NextWriteLocked();
        start_read = MaybeReadLocked();
      }
      finish = ShouldFinishLocked(&status);
    }
    if (start_write) StartWrite(&writing_);
    if (start_read) StartRead(&request_);
    if (finish) Finish(status);
  }

  void OnDone() override { delete this; }

 private:
  bool NextWriteLocked() {
    if (write_outstanding_ || broken_ || queue_.empty()) return false;
    writing_ = std::move(queue_.front());
    queue_.pop_front();
    write_outstanding_ = true;
    return true;
  }

  bool MaybeReadLocked() {
    if (read_outstanding_ || reads_done_ || broken_) return false;
    if (queue_.size() + (write_outstanding_ ? 1 : 0) >= window_) return false;
    read_outstanding_ = true;
    return true;
  }

  bool ShouldFinishLocked(grpc::Status* status) {
    if (finished_ || read_outstanding_ || write_outstanding_) return false;
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

  const size_t window_;
  v1::ExtractRequest request_;  // the read slot
  v1::ExtractRequest writing_;  // the write slot

  std::mutex mu_;
  std::deque<v1::ExtractRequest> queue_;  // read, waiting for the write slot
  bool read_outstanding_ = false;
  bool write_outstanding_ = false;
  bool reads_done_ = false;
  bool broken_ = false;
  bool finished_ = false;
};

grpc::ServerBidiReactor<v1::ExtractRequest, v1::ExtractRequest>*
ExtractorService::EchoStream(grpc::CallbackServerContext* /*context*/) {
  return new EchoStreamReactor(options_.max_stream_in_flight);
}

}  // namespace gongkai::service
