// examples/python/gongkai_client.py against a live gongkai-server: its
// reports equal the in-process library's, and --figure reads one figure.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "fleet_util.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "test_support.h"

namespace gongkai::testing {
namespace {

namespace fs = std::filesystem;

const std::string kClient =
    std::string(GONGKAI_SOURCE_DIR) + "/examples/python/gongkai_client.py";

class PythonClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    seeds_ = SeedFiles();
    if (seeds_.empty()) GTEST_SKIP() << "the shared corpus is absent";
    absl::StatusOr<ProcessResult> probe =
        RunProcess({GONGKAI_PYTHON, "-c", "import grpc"});
    if (!probe.ok() || probe->exit_code != 0) {
      GTEST_SKIP() << "python3-grpcio is not installed (./run.sh deps)";
    }
    ASSERT_TRUE(server_.Start().ok());
  }

  absl::StatusOr<ProcessResult> Client(std::vector<std::string> args) {
    std::vector<std::string> argv = {GONGKAI_PYTHON, kClient, "--server",
                                     server_.address()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, 120);
  }

  std::vector<std::string> seeds_;
  Instance server_;
};

TEST_F(PythonClientTest, ReportsEqualTheLibrarys) {
  for (const std::string& seed : seeds_) {
    absl::StatusOr<ProcessResult> r = Client({"extract", seed});
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->exit_code, 0) << r->err;
    v1::Report got;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r->out, &got).ok())
        << r->out;
    auto want = ExtractInProcess(ReadFile(seed),
                                 fs::path(seed).filename().string());
    ASSERT_TRUE(want.ok());
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(got, *want))
        << seed;
  }
}

TEST_F(PythonClientTest, ReadsAFigureOfASeedsReport) {
  int read = 0;
  for (const std::string& seed : seeds_) {
    auto want = ExtractInProcess(ReadFile(seed),
                                 fs::path(seed).filename().string());
    ASSERT_TRUE(want.ok());
    if (!want->applications().new_received().has_total()) continue;
    absl::StatusOr<ProcessResult> r = Client(
        {"extract", "--figure", "applications.new_received.total", seed});
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->exit_code, 0) << r->err;
    int value = -1;
    ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(r->out), &value))
        << r->out;
    EXPECT_EQ(value, want->applications().new_received().total()) << seed;
    ++read;
  }
  EXPECT_GT(read, 0) << "no seed states applications.new_received.total";
}

TEST_F(PythonClientTest, FailuresGoToStderrWithTheCode) {
  TempDir dir;
  const std::string empty = dir.path() + "/empty.txt";
  { std::ofstream touch(empty); }
  absl::StatusOr<ProcessResult> r = Client({"extract", empty});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_NE(r->err.find("INVALID_ARGUMENT"), std::string::npos) << r->err;
}

}  // namespace
}  // namespace gongkai::testing
