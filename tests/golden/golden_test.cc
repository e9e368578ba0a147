// Golden test: every seed report, extracted through the real plugins, against
// its hand-checked truth -- every stated figure and document field exact,
// nothing wrong or invented, and a warning for every figure the truth marks
// unreadable.
#include <filesystem>
#include <iostream>
#include <set>

#include "gongkai/pipeline.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "golden_support.h"
#include "scorer.h"

namespace gongkai {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;

class GoldenTest : public ::testing::TestWithParam<std::string> {};

std::vector<std::string> Seeds() {
  return testing::SortedStems(fs::path(GONGKAI_CORPUS_DIR) / "seeds" /
                              "input");
}

TEST_P(GoldenTest, MatchesTruth) {
  fs::path seeds = fs::path(GONGKAI_CORPUS_DIR) / "seeds";
  std::string document = ReadFile(seeds / "input" / (GetParam() + ".txt"));
  std::string truth = ReadFile(seeds / "truth" / (GetParam() + ".json"));
  ASSERT_FALSE(document.empty());
  ASSERT_FALSE(truth.empty());

  Pipeline pipeline(&testing::BundledPlugins());
  absl::StatusOr<v1::Report> report = pipeline.Extract(document, {});
  ASSERT_TRUE(report.ok()) << report.status();

  absl::StatusOr<testing::Score> score = testing::ScoreReport(truth, *report);
  ASSERT_TRUE(score.ok()) << score.status();
  std::cout << GetParam() << ": cells " << score->cells_ok << "/"
            << score->cells << " missing " << score->missing << " wrong "
            << score->wrong << " invented " << score->invented << " doc "
            << score->doc_ok << "/" << score->doc << "\n";
  std::string problems;
  for (const std::string& p : score->problems) problems += "\n  " + p;
  EXPECT_EQ(score->wrong, 0) << problems;
  EXPECT_EQ(score->invented, 0) << problems;
  EXPECT_EQ(score->missing, 0) << problems;
  EXPECT_EQ(score->doc_ok, score->doc) << problems;

  // Every figure the truth marks unreadable is absent and warned about.
  google::protobuf::Struct t;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(truth, &t).ok());
  std::set<std::string> warned;
  for (const auto& w : report->warnings()) warned.insert(w.path());
  auto it = t.fields().find("_unreadable");
  if (it != t.fields().end()) {
    for (const auto& v : it->second.list_value().values()) {
      EXPECT_TRUE(warned.count(v.string_value()))
          << "no warning for unreadable " << v.string_value();
    }
  }
  // Every figure carries evidence that points into the caller's bytes.
  for (const auto& e : report->evidence()) {
    EXPECT_LE(e.end(), document.size()) << e.path();
    if (e.end() > e.begin()) {
      EXPECT_EQ(e.text(), document.substr(e.begin(), e.end() - e.begin()))
          << e.path();
    }
  }
  // No check fails on these seeds (their truth says the arithmetic holds).
  for (const auto& c : report->checks()) {
    EXPECT_TRUE(c.passed()) << c.id() << " " << c.scope() << ": " << c.detail();
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, GoldenTest, ::testing::ValuesIn(Seeds()),
                         [](const auto& info) {
                           return "seed" + info.param.substr(0, 3);
                         });

}  // namespace
}  // namespace gongkai
