// A bidirectional stream that answers each request as soon as its answer
// is ready (in any order), reading ahead of the answers by at most a
// window of requests: ExtractStream (answers from the worker pool) and
// EchoStream (answered inline) are both one of these.
//
// The callback API allows one outstanding read and one outstanding write,
// so answers wait in a queue while a write is in flight. Every decision is
// taken under mu_, but StartRead/StartWrite/Finish are called after
// releasing it: gRPC may run the next reaction inline on the calling thread.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstddef>
#include <deque>
#include <mutex>
#include <utility>

namespace gongkai::service {

template <typename Request, typename Response>
class WindowedStream : public grpc::ServerBidiReactor<Request, Response> {
 public:
  // Call Start() once constructed: a read completing on another thread
  // calls Handle(), which must not run before the subclass exists.
  explicit WindowedStream(size_t window) : window_(window) {}

  void Start() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      read_outstanding_ = true;
    }
    this->StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      // The client half-closed, or the call is over.
      Steps steps;
      {
        std::lock_guard<std::mutex> lock(mu_);
        read_outstanding_ = false;
        reads_done_ = true;
        steps = NextStepsLocked();
      }
      Take(steps);
      return;
    }
    Request request = std::move(request_);
    request_.Clear();
    bool start_read;
    {
      std::lock_guard<std::mutex> lock(mu_);
      read_outstanding_ = false;
      ++in_flight_;
      start_read = MaybeResumeReadingLocked();
    }
    // Handle may Deliver inline; the call cannot finish before this read's
    // StartRead below (reads are not done), so members stay valid.
    Handle(std::move(request));
    if (start_read) this->StartRead(&request_);
  }

  void OnWriteDone(bool ok) override {
    Steps steps;
    {
      std::lock_guard<std::mutex> lock(mu_);
      writing_ = false;
      if (!ok) {
        // The client is gone; drop what is queued (and write or read no
        // more: broken_ stops both).
        broken_ = true;
        queue_.clear();
      }
      steps = NextStepsLocked();
    }
    Take(steps);
  }

  // The client cancelled or the deadline passed: cancelled() turns true,
  // for work not yet done to skip or stop early.
  void OnCancel() override {
    cancelled_.store(true, std::memory_order_relaxed);
  }

  void OnDone() override { delete this; }

 protected:
  // Answers one request: must call Deliver exactly once, on any thread,
  // now or later.
  virtual void Handle(Request request) = 0;

  // The answer to one request handled. Nothing may touch the stream after
  // its last Deliver: the call may then finish and delete it.
  void Deliver(Response response) {
    Steps steps;
    {
      std::lock_guard<std::mutex> lock(mu_);
      --in_flight_;
      if (!broken_) queue_.push_back(std::move(response));
      steps = NextStepsLocked();
    }
    Take(steps);
  }

  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }
  const std::atomic<bool>* cancelled_flag() const { return &cancelled_; }

 private:
  // What to start once mu_ is released.
  struct Steps {
    bool write = false;
    bool read = false;
    bool finish = false;
    grpc::Status status;
  };

  // Under mu_, after the state changed: the write and the read to start
  // next, if any, and whether the call is over.
  Steps NextStepsLocked() {
    Steps steps;
    steps.write = NextWriteLocked();
    steps.read = MaybeResumeReadingLocked();
    steps.finish = ShouldFinishLocked(&steps.status);
    return steps;
  }

  // Without mu_: starts them. Nothing touches the stream after Finish,
  // which may delete it.
  void Take(const Steps& steps) {
    if (steps.write) this->StartWrite(&writing_response_);
    if (steps.read) this->StartRead(&request_);
    if (steps.finish) this->Finish(steps.status);
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
    if (in_flight_ + queue_.size() >= window_) return false;
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

  const size_t window_;
  std::atomic<bool> cancelled_{false};
  Request request_;            // the read slot
  Response writing_response_;  // the write slot

  std::mutex mu_;
  std::deque<Response> queue_;  // answers waiting for the write slot
  size_t in_flight_ = 0;        // requests handled, not yet answered
  bool read_outstanding_ = false;
  bool reads_done_ = false;
  bool writing_ = false;
  bool broken_ = false;
  bool finished_ = false;
};

}  // namespace gongkai::service
