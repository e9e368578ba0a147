// Runs the real gongkai CLI: --out writes one JSON report per file, --csv
// prints every figure, --server gives the same output as in-process, and a
// failing file is reported without stopping the others.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "process_util.h"
#include "report_format.h"
#include "test_support.h"

namespace gongkai::testing {
namespace {

namespace fs = std::filesystem;
using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;

std::vector<std::string> Cli(std::vector<std::string> args) {
  std::vector<std::string> argv = {GONGKAI_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::string PluginDirFlag() {
  return std::string("--plugin_dir=") + GONGKAI_PLUGIN_DIR;
}

v1::Report ExpectedReport(const std::string& path) {
  absl::StatusOr<v1::Report> report = ExtractInProcess(
      ReadFile(path), fs::path(path).filename().string());
  EXPECT_TRUE(report.ok()) << path << ": " << report.status();
  return report.ok() ? *report : v1::Report();
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

TEST(CliTest, OutWritesOneJsonReportPerFile) {
  const std::vector<std::string> seeds = SeedFiles();
  if (seeds.empty()) GTEST_SKIP() << "no seeds under " << GONGKAI_CORPUS_DIR;
  TempDir dir;
  const std::string out = dir.path() + "/reports";  // created by the CLI
  std::vector<std::string> args = {"extract", PluginDirFlag(), "--out=" + out};
  args.insert(args.end(), seeds.begin(), seeds.end());
  absl::StatusOr<ProcessResult> run = RunProcess(Cli(args));
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_EQ(run->exit_code, 0) << run->err;

  for (const std::string& seed : seeds) {
    SCOPED_TRACE(seed);
    const fs::path json =
        fs::path(out) / (fs::path(seed).stem().string() + ".json");
    ASSERT_TRUE(fs::exists(json));
    v1::Report report;
    auto status = google::protobuf::util::JsonStringToMessage(
        ReadFile(json.string()), &report);
    ASSERT_TRUE(status.ok()) << status.ToString();
    EXPECT_TRUE(MessageDifferencer::Equals(report, ExpectedReport(seed)));
  }
  EXPECT_EQ(
      std::distance(fs::directory_iterator(out), fs::directory_iterator()),
      static_cast<long>(seeds.size()));
}

TEST(CliTest, CsvPrintsEveryFigureWithTheFileFirst) {
  const std::vector<std::string> seeds = SeedFiles();
  if (seeds.empty()) GTEST_SKIP() << "no seeds under " << GONGKAI_CORPUS_DIR;
  std::vector<std::string> args = {"extract", PluginDirFlag(), "--csv"};
  args.insert(args.end(), seeds.begin(), seeds.end());
  absl::StatusOr<ProcessResult> run = RunProcess(Cli(args));
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_EQ(run->exit_code, 0) << run->err;

  std::vector<std::string> expected = {"file,path,value"};
  size_t figures = 0;
  for (const std::string& seed : seeds) {
    for (const auto& [path, value] :
         service::FigureRows(ExpectedReport(seed))) {
      expected.push_back(service::CsvField(seed) + "," + path + "," + value);
      ++figures;
    }
  }
  EXPECT_GT(figures, 0u) << "the seeds state figures; none were extracted";
  EXPECT_EQ(Lines(run->out), expected);

  // One file: no file column.
  absl::StatusOr<ProcessResult> one =
      RunProcess(Cli({"extract", PluginDirFlag(), "--csv", seeds.front()}));
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_EQ(one->exit_code, 0) << one->err;
  std::vector<std::string> lines = Lines(one->out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front(), "path,value");
  for (size_t i = 1; i < lines.size(); ++i) {
    EXPECT_THAT(lines[i], ::testing::MatchesRegex(
                              "(proactive|applications|reviews)\\.[a-z0-9_]+"
                              "\\.[a-z0-9_]+,-?[0-9.e+-]+"));
  }
}

TEST(CliTest, ServerGivesTheSameJsonAsInProcess) {
  const std::vector<std::string> seeds = SeedFiles();
  if (seeds.empty()) GTEST_SKIP() << "no seeds under " << GONGKAI_CORPUS_DIR;
  ServerProcess server;
  ASSERT_TRUE(server.Start().ok()) << server.Output();

  // One file (a bare report) and all of them (an array).
  for (const std::vector<std::string>& files :
       {std::vector<std::string>{seeds.front()}, seeds}) {
    std::vector<std::string> local = {"extract", PluginDirFlag()};
    std::vector<std::string> remote = {"extract",
                                       "--server=" + server.address()};
    local.insert(local.end(), files.begin(), files.end());
    remote.insert(remote.end(), files.begin(), files.end());
    absl::StatusOr<ProcessResult> a = RunProcess(Cli(local));
    absl::StatusOr<ProcessResult> b = RunProcess(Cli(remote));
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_EQ(a->exit_code, 0) << a->err;
    EXPECT_EQ(b->exit_code, 0) << b->err;
    EXPECT_FALSE(a->out.empty());
    EXPECT_EQ(a->out, b->out);
  }
  if (seeds.size() > 1) {
    absl::StatusOr<ProcessResult> run = RunProcess(
        Cli({"extract", "--server=" + server.address(), seeds[0], seeds[1]}));
    ASSERT_TRUE(run.ok()) << run.status();
    EXPECT_THAT(run->out, HasSubstr("\"file\": \"" + seeds[0] + "\""));
    EXPECT_THAT(run->out, HasSubstr("\"file\": \"" + seeds[1] + "\""));
  }
  absl::StatusOr<int> code = server.Stop(SIGTERM);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << server.Output();
}

TEST(CliTest, AFailingFileIsReportedAndTheOthersStillRun) {
  const std::vector<std::string> seeds = SeedFiles();
  if (seeds.empty()) GTEST_SKIP() << "no seeds under " << GONGKAI_CORPUS_DIR;
  TempDir dir;
  const std::string empty = dir.path() + "/empty.txt";
  { std::ofstream(empty).flush(); }
  const std::string missing = dir.path() + "/missing.txt";
  const std::string out = dir.path() + "/out";
  absl::StatusOr<ProcessResult> run =
      RunProcess(Cli({"extract", PluginDirFlag(), "--out=" + out, empty,
                      seeds.front(), missing}));
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_NE(run->exit_code, 0);
  EXPECT_THAT(run->err, HasSubstr(empty));
  EXPECT_THAT(run->err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(run->err, HasSubstr(missing));
  EXPECT_TRUE(fs::exists(fs::path(out) /
                         (fs::path(seeds.front()).stem().string() + ".json")))
      << run->err;
  EXPECT_FALSE(fs::exists(fs::path(out) / "empty.json"));
}

TEST(CliTest, PluginsListsTheBundledOnes) {
  absl::StatusOr<ProcessResult> run =
      RunProcess(Cli({"plugins", PluginDirFlag()}));
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_EQ(run->exit_code, 0) << run->err;
  v1::ListPluginsResponse plugins;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(run->out, &plugins).ok())
      << run->out;
  std::set<std::string> names;
  for (const auto& p : plugins.plugins()) names.insert(p.name());
  EXPECT_EQ(names, BundledPluginNames());
}

TEST(CliTest, UsageErrorsExitTwo) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{},
                                               {"extract"},
                                               {"frobnicate", "x"},
                                               {"plugins", "extra"}}) {
    absl::StatusOr<ProcessResult> run = RunProcess(Cli(args));
    ASSERT_TRUE(run.ok()) << run.status();
    EXPECT_EQ(run->exit_code, 2) << run->out << run->err;
    EXPECT_THAT(run->err, HasSubstr("Usage"));
  }
}

TEST(CliTest, UnreachableServerFailsClearly) {
  // Port 1 on loopback: nothing listens there in a test environment.
  TempDir dir;
  const std::string file = dir.path() + "/doc.txt";
  { std::ofstream(file) << "本报告依据条例编制。"; }
  absl::StatusOr<ProcessResult> run = RunProcess(
      Cli({"extract", "--server=127.0.0.1:1", "--timeout_ms=10000", file}));
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->exit_code, 1);
  EXPECT_THAT(run->err, HasSubstr("127.0.0.1:1"));
}

}  // namespace
}  // namespace gongkai::testing
