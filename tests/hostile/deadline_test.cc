// Deadlines and cancellation through the real gongkai-server: a call whose
// deadline is shorter than its work gets DEADLINE_EXCEEDED, a cancelled
// stream ends CANCELLED, and in both cases the work stops -- the server's
// CPU time (utime + stime of /proc/PID/stat) stays flat once the call is
// over. Robust rather than timing-tight: the document is sized so that its
// full extraction costs seconds of CPU, and the flat window only has to
// stay far below what the abandoned work would have cost.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "process_util.h"
#include "shared_server_test.h"
#include "test_support.h"

namespace gongkai::testing {
namespace {

namespace fs = std::filesystem;
using ::grpc::health::v1::HealthCheckResponse;

// CPU seconds of the server's full extraction to aim for, and the largest
// document tried to get there.
constexpr double kTargetCpuSeconds = 1.5;
constexpr size_t kMaxDocumentBytes = size_t{16} << 20;
// After a call ended: time for the work to reach its next poll, then the
// window over which the server's CPU must stay flat.
constexpr auto kSettle = std::chrono::milliseconds(400);
constexpr auto kWindow = std::chrono::milliseconds(1000);

// utime + stime of pid, in seconds.
std::optional<double> CpuSeconds(pid_t pid) {
  const std::string stat =
      ReadFile(absl::StrCat("/proc/", pid, "/stat"));
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::vector<std::string> fields =
      absl::StrSplit(stat.substr(close + 2), ' ', absl::SkipEmpty());
  int64_t utime = 0, stime = 0;  // fields 14 and 15; fields[0] is field 3
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) ||
      !absl::SimpleAtoi(fields[12], &stime)) {
    return std::nullopt;
  }
  return static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
}

// The corpus's OCR renderings (every dev/<layout>/input whose layout is
// OCR), the costliest documents per byte to extract, one after another.
std::string OcrText() {
  std::string text;
  const fs::path dev = fs::path(GONGKAI_CORPUS_DIR) / "dev";
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& layout : fs::directory_iterator(dev, ec)) {
    if (layout.path().filename().string().find("ocr") == std::string::npos)
      continue;
    for (const auto& f : fs::directory_iterator(layout.path() / "input", ec))
      files.push_back(f.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) text += ReadFile(f.string()) + "\n";
  return text;
}

std::string Repeat(const std::string& text, size_t bytes) {
  std::string out;
  out.reserve(bytes + text.size());
  while (out.size() < bytes) out += text;
  return out;
}

class DeadlineTest : public SharedServerTest<DeadlineTest> {
 public:
  // One worker, so that concurrent calls queue behind each other.
  static std::vector<std::string> ServerFlags() { return {"--workers=1"}; }

 protected:
  static void TearDownTestSuite() {
    SharedServerTest::TearDownTestSuite();
    delete heavy_;
    heavy_ = nullptr;
  }

  void SetUp() override {
    SharedServerTest::SetUp();
    ASSERT_TRUE(CpuSeconds(server_->pid()).has_value());
  }

  double ServerCpu() { return CpuSeconds(server_->pid()).value_or(0); }

  // A document whose full extraction costs at least kTargetCpuSeconds of
  // server CPU (doubling its size until it does), and that cost. Measured
  // once, through the server, with a deadline long enough to finish.
  void Heavy(const std::string** document, double* full_cpu) {
    if (heavy_ == nullptr) {
      const std::string ocr = OcrText();
      if (ocr.empty()) return;
      for (size_t bytes = size_t{1} << 20; bytes <= kMaxDocumentBytes;
           bytes *= 2) {
        std::string doc = Repeat(ocr, bytes);
        v1::ExtractRequest request;
        request.set_document(doc);
        v1::Report report;
        auto context = Context(std::chrono::seconds(120));
        const double before = ServerCpu();
        grpc::Status status = stub_->Extract(context.get(), request, &report);
        const double cost = ServerCpu() - before;
        EXPECT_TRUE(status.ok()) << status.error_message();
        std::cout << "  full extraction of " << doc.size() << " bytes: " << cost
                  << " s of server CPU\n";
        heavy_ = new std::string(std::move(doc));
        heavy_cpu_ = cost;
        if (cost >= kTargetCpuSeconds) break;
      }
    }
    *document = heavy_;
    *full_cpu = heavy_cpu_;
  }

  // The server's CPU over kWindow, starting kSettle after now: what the
  // abandoned work still spends.
  double CpuAfterSettling() {
    std::this_thread::sleep_for(kSettle);
    const double before = ServerCpu();
    std::this_thread::sleep_for(kWindow);
    return ServerCpu() - before;
  }

  // What the window may hold: far below the ~1 s of CPU (one worker busy
  // for the whole window) that work still running would spend.
  static double Allowed(double full_cpu) {
    return std::min(0.25, 0.2 * full_cpu);
  }


  static std::string* heavy_;
  static double heavy_cpu_;
};

std::string* DeadlineTest::heavy_ = nullptr;
double DeadlineTest::heavy_cpu_ = 0;

TEST_F(DeadlineTest, ShortDeadlineIsExceededAndTheWorkStops) {
  const std::string* doc = nullptr;
  double full_cpu = 0;
  Heavy(&doc, &full_cpu);
  if (doc == nullptr) GTEST_SKIP() << "no OCR inputs under the corpus";
  if (full_cpu < 0.5) GTEST_SKIP() << "extraction too fast to observe";

  v1::ExtractRequest request;
  request.set_document(*doc);
  v1::Report report;
  auto context = Context(std::chrono::milliseconds(100));
  const double before = ServerCpu();
  grpc::Status status = stub_->Extract(context.get(), request, &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
      << status.error_message();
  const double after_window = CpuAfterSettling();
  std::cout << "  CPU from the call to the window's end: "
            << ServerCpu() - before << " s; in the window: " << after_window
            << " s (full extraction " << full_cpu << " s)\n";
  EXPECT_LT(after_window, Allowed(full_cpu));
  ExpectServing();
}

TEST_F(DeadlineTest, QueuedCallsPastTheirDeadlineAreSkipped) {
  const std::string* doc = nullptr;
  double full_cpu = 0;
  Heavy(&doc, &full_cpu);
  if (doc == nullptr) GTEST_SKIP() << "no OCR inputs under the corpus";
  if (full_cpu < 0.5) GTEST_SKIP() << "extraction too fast to observe";

  // Four calls on one worker: three wait in the queue past their deadline.
  constexpr int kCalls = 4;
  std::vector<std::thread> threads;
  std::vector<grpc::StatusCode> codes(kCalls, grpc::StatusCode::OK);
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      v1::ExtractRequest request;
      request.set_document(*doc);
      v1::Report report;
      auto context = Context(std::chrono::milliseconds(150));
      codes[i] = stub_->Extract(context.get(), request, &report).error_code();
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kCalls; ++i) {
    EXPECT_EQ(codes[i], grpc::StatusCode::DEADLINE_EXCEEDED) << "call " << i;
  }
  const double after_window = CpuAfterSettling();
  std::cout << "  CPU in the window: " << after_window << " s\n";
  EXPECT_LT(after_window, Allowed(full_cpu));
  ExpectServing();
}

TEST_F(DeadlineTest, CancelledStreamEndsCancelledAndTheWorkStops) {
  const std::string* doc = nullptr;
  double full_cpu = 0;
  Heavy(&doc, &full_cpu);
  if (doc == nullptr) GTEST_SKIP() << "no OCR inputs under the corpus";
  if (full_cpu < 0.5) GTEST_SKIP() << "extraction too fast to observe";

  auto context = Context(std::chrono::seconds(60));
  auto stream = stub_->ExtractStream(context.get());
  for (int i = 0; i < 2; ++i) {  // one extracting, one queued behind it
    v1::ExtractRequest request;
    request.set_id(absl::StrCat(i));
    request.set_document(*doc);
    ASSERT_TRUE(stream->Write(request));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  context->TryCancel();
  v1::ExtractResponse response;
  while (stream->Read(&response)) {
  }
  grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED)
      << status.error_message();
  const double after_window = CpuAfterSettling();
  std::cout << "  CPU in the window: " << after_window << " s\n";
  EXPECT_LT(after_window, Allowed(full_cpu));
  ExpectServing();
}

// Work that fits its deadline is not disturbed, before or after the above.
TEST_F(DeadlineTest, CallsWithinTheirDeadlineSucceed) {
  const std::vector<std::string> seeds = SeedFiles();
  if (seeds.empty()) GTEST_SKIP() << "no seeds under " << GONGKAI_CORPUS_DIR;
  for (const std::string& path : seeds) {
    v1::ExtractRequest request;
    request.set_document(ReadFile(path));
    v1::Report report;
    auto context = Context(std::chrono::seconds(30));
    grpc::Status status = stub_->Extract(context.get(), request, &report);
    EXPECT_TRUE(status.ok()) << path << ": " << status.error_message();
  }
  ExpectServing();
}

}  // namespace
}  // namespace gongkai::testing
