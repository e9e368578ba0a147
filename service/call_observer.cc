// Metrics and request logs from a server interceptor.
#include "call_observer.h"

#include <unistd.h>

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gongkai/v1/extractor.pb.h"
#include "google/protobuf/descriptor.h"
#include "report_format.h"
#include "support.h"

namespace gongkai::service {
namespace {

using grpc::experimental::InterceptionHookPoints;
using Clock = std::chrono::steady_clock;

constexpr char kExtract[] = "/gongkai.v1.Extractor/Extract";
constexpr char kExtractStream[] = "/gongkai.v1.Extractor/ExtractStream";
// Caller-chosen ids are cut to this length in logs.
constexpr size_t kMaxIdBytes = 128;

// Whether method ("/package.Service/Method") is a method of one of
// gongkai's own services. Only those are counted: a label per method name a
// caller makes up would grow without bound.
bool IsOwnMethod(absl::string_view method) {
  if (!absl::ConsumePrefix(&method, "/gongkai.")) return false;
  const size_t slash = method.find('/');
  if (slash == absl::string_view::npos) return false;
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          absl::StrCat("gongkai.", method.substr(0, slash)));
  return service != nullptr &&
         service->FindMethodByName(std::string(method.substr(slash + 1))) !=
             nullptr;
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::string CallerId(absl::string_view id) {
  return SanitizeUtf8(id.substr(0, kMaxIdBytes));
}

// One request's log fields.
struct LogRecord {
  std::string request_id;
  std::string method;  // "Extract", "ExtractStream", ...
  std::string plugin;
  uint64_t bytes = 0;
  double seconds = 0;
  grpc::StatusCode code = grpc::StatusCode::OK;
  int failed_checks = -1;  // -1: not a report
  int documents = -1;      // -1: not a stream summary
};

class CallObserver final : public grpc::experimental::Interceptor {
 public:
  CallObserver(std::shared_ptr<CallObserverFactory::Shared> shared,
               grpc::experimental::ServerRpcInfo* info)
      : shared_(std::move(shared)),
        method_(info->method() != nullptr ? info->method() : ""),
        start_(Clock::now()),
        call_number_(shared_->next_call.fetch_add(1) + 1) {
    own_ = IsOwnMethod(method_);
    if (method_ == kExtract) kind_ = Kind::kExtract;
    if (method_ == kExtractStream) kind_ = Kind::kStream;
    if (own_) shared_->metrics->CallStarted();
  }

  ~CallObserver() override {
    // A call torn down without a status (the client went away) still ends.
    if (own_ && !finished_) {
      shared_->metrics->CallFinished(method_, grpc::StatusCode::CANCELLED,
                                     Seconds(start_));
    }
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* m) override {
    if (own_) {
      // A stream's reads and writes may be intercepted on two threads.
      std::lock_guard<std::mutex> lock(mu_);
      Observe(m);
    }
    m->Proceed();
  }

 private:
  enum class Kind { kOther, kExtract, kStream };
  struct Pending {
    Clock::time_point start;
    uint64_t bytes;
  };

  void Observe(grpc::experimental::InterceptorBatchMethods* m) {
    if (m->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* md = m->GetRecvInitialMetadata();
      if (md != nullptr) {
        auto it = md->find("x-request-id");
        if (it != md->end()) {
          request_id_ =
              CallerId(absl::string_view(it->second.data(), it->second.size()));
        }
      }
      if (request_id_.empty()) {
        request_id_ = absl::StrCat(shared_->pid, "-", call_number_);
      }
    }
    if (m->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_MESSAGE) &&
        kind_ != Kind::kOther) {
      // nullptr when the read failed (the client half-closed).
      const auto* request =
          static_cast<const v1::ExtractRequest*>(m->GetRecvMessage());
      if (request != nullptr) {
        const uint64_t bytes = request->document().size();
        if (kind_ == Kind::kExtract) {
          bytes_ = bytes;
        } else {
          pending_[request->id()].push_back({Clock::now(), bytes});
        }
      }
    }
    if (m->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      const void* message = m->GetSendMessage();
      if (message != nullptr && kind_ == Kind::kExtract) {
        const auto* report = static_cast<const v1::Report*>(message);
        plugin_ = report->source_format();
        failed_checks_.clear();
        for (const v1::Check& check : report->checks()) {
          if (!check.passed()) failed_checks_.push_back(check.id());
        }
        have_report_ = true;
      } else if (message != nullptr && kind_ == Kind::kStream) {
        StreamAnswer(*static_cast<const v1::ExtractResponse*>(message));
      }
    }
    if (m->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      Finish(m->GetSendStatus().error_code());
    }
  }

  void StreamAnswer(const v1::ExtractResponse& response) {
    ++documents_;
    Pending pending{start_, 0};
    auto it = pending_.find(response.id());
    if (it != pending_.end() && !it->second.empty()) {
      pending = it->second.front();
      it->second.pop_front();
      if (it->second.empty()) pending_.erase(it);
    }
    LogRecord record;
    record.request_id = absl::StrCat(request_id_, "/", CallerId(response.id()));
    record.method = "ExtractStream";
    record.bytes = pending.bytes;
    record.seconds = Seconds(pending.start);
    if (response.has_report()) {
      record.plugin = response.report().source_format();
      record.failed_checks = 0;
      for (const v1::Check& check : response.report().checks()) {
        if (check.passed()) continue;
        ++record.failed_checks;
        shared_->metrics->CheckFailed(check.id());
      }
    } else {
      record.code = static_cast<grpc::StatusCode>(response.error().code());
    }
    shared_->metrics->DocumentDone(record.plugin, record.code, record.bytes,
                                   record.seconds);
    Log(record);
  }

  void Finish(grpc::StatusCode code) {
    if (finished_) return;
    finished_ = true;
    const double seconds = Seconds(start_);
    shared_->metrics->CallFinished(method_, code, seconds);
    LogRecord record;
    record.request_id = request_id_;
    record.method = method_.substr(method_.rfind('/') + 1);
    record.seconds = seconds;
    record.code = code;
    if (kind_ == Kind::kExtract) {
      record.bytes = bytes_;
      if (code == grpc::StatusCode::OK && have_report_) {
        record.plugin = plugin_;
        record.failed_checks = static_cast<int>(failed_checks_.size());
        for (const std::string& id : failed_checks_) {
          shared_->metrics->CheckFailed(id);
        }
      }
      shared_->metrics->DocumentDone(record.plugin, code, bytes_, seconds);
    } else if (kind_ == Kind::kStream) {
      record.documents = documents_;
    }
    Log(record);
  }

  void Log(const LogRecord& r) {
    if (shared_->format == RequestLog::kNone) return;
    const std::string time = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ",
                                              absl::Now(), absl::UTCTimeZone());
    const double ms = r.seconds * 1000;
    std::string line;
    if (shared_->format == RequestLog::kJson) {
      line = absl::StrCat(
          "{\"time\":\"", time, "\",\"request_id\":", JsonQuote(r.request_id),
          ",\"method\":", JsonQuote(r.method),
          ",\"plugin\":", JsonQuote(r.plugin), ",\"bytes\":", r.bytes,
          ",\"duration_ms\":", absl::StrFormat("%.3f", ms), ",\"status\":\"",
          StatusCodeName(r.code), "\"");
      if (r.failed_checks >= 0) {
        absl::StrAppend(&line, ",\"failed_checks\":", r.failed_checks);
      }
      if (r.documents >= 0) {
        absl::StrAppend(&line, ",\"documents\":", r.documents);
      }
      line += "}";
    } else {
      line = absl::StrCat(
          time, " request ", JsonQuote(r.request_id), " ", r.method,
          " plugin=", r.plugin.empty() ? "-" : r.plugin, " bytes=", r.bytes,
          " ", absl::StrFormat("%.3f", ms), "ms ", StatusCodeName(r.code));
      if (r.documents >= 0) absl::StrAppend(&line, " documents=", r.documents);
    }
    std::lock_guard<std::mutex> lock(shared_->log_mu);
    *shared_->log << line << '\n';
    shared_->log->flush();
  }

  std::shared_ptr<CallObserverFactory::Shared> shared_;
  const std::string method_;
  const Clock::time_point start_;
  const uint64_t call_number_;
  bool own_ = false;
  std::mutex mu_;
  Kind kind_ = Kind::kOther;
  std::string request_id_;
  bool finished_ = false;
  // Extract:
  uint64_t bytes_ = 0;
  bool have_report_ = false;
  std::string plugin_;
  std::vector<std::string> failed_checks_;
  // ExtractStream: requests read and not yet answered, by id (ids may
  // repeat; the stream's back-pressure bounds how many are pending).
  std::map<std::string, std::deque<Pending>> pending_;
  int documents_ = 0;
};

}  // namespace

CallObserverFactory::CallObserverFactory(Metrics* metrics, RequestLog format,
                                         std::ostream* log)
    : shared_(std::make_shared<Shared>()) {
  shared_->metrics = metrics;
  shared_->format = format;
  shared_->log = log;
  shared_->pid = static_cast<uint64_t>(getpid());
}

grpc::experimental::Interceptor* CallObserverFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallObserver(shared_, info);
}

}  // namespace gongkai::service
