// Accuracy over the dev corpus: every layout of ../shared/corpus/dev is
// extracted and scored with score.py's rules; each layout must stay at or
// above the thresholds of its kind, so accuracy cannot quietly regress.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "absl/strings/str_format.h"
#include "gongkai/pipeline.h"
#include "gongkai/plugin_host.h"
#include "gtest/gtest.h"
#include "scorer.h"

namespace gongkai {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Threshold {
  double exact;        // share of stated figures returned exactly
  double wrong;        // share of stated figures allowed wrong
  double doc_fields;   // share of document fields right
};

// The table; a layout not named here gets the strictest line.
Threshold For(const std::string& layout) {
  static const std::map<std::string, Threshold> kThresholds = {
      {"pdf_text", {0.95, 0, 0.99}},  {"html2text", {0.98, 0, 0.99}},
      {"ocr", {0.85, 0.01, 0.99}},    {"pdf_ocr", {0.85, 0.01, 0.99}},
      {"ocr_noisy", {0.50, 0.03, 0}},
  };
  auto it = kThresholds.find(layout);
  return it == kThresholds.end() ? Threshold{0.995, 0, 0.99} : it->second;
}

class AccuracyTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    registry_ = new PluginRegistry();
    auto refused = registry_->LoadDirectory(GONGKAI_PLUGIN_DIR);
    ASSERT_TRUE(refused.ok()) << refused.status();
  }
  static void TearDownTestSuite() { delete registry_; }
  static PluginRegistry* registry_;
};

PluginRegistry* AccuracyTest::registry_ = nullptr;

std::vector<std::string> Layouts() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e :
       fs::directory_iterator(fs::path(GONGKAI_CORPUS_DIR) / "dev", ec)) {
    if (e.is_directory()) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST_P(AccuracyTest, MeetsThreshold) {
  const std::string layout = GetParam();
  fs::path dir = fs::path(GONGKAI_CORPUS_DIR) / "dev" / layout;
  Pipeline pipeline(registry_);
  testing::Score total;
  std::string problems;
  for (const auto& e : fs::directory_iterator(dir / "input")) {
    std::string name = e.path().stem().string();
    std::string truth = ReadFile(dir / "truth" / (name + ".json"));
    ASSERT_FALSE(truth.empty()) << name;
    absl::StatusOr<v1::Report> report =
        pipeline.Extract(ReadFile(e.path()), {});
    ASSERT_TRUE(report.ok()) << name << ": " << report.status();
    absl::StatusOr<testing::Score> s = testing::ScoreReport(truth, *report);
    ASSERT_TRUE(s.ok()) << s.status();
    total.cells += s->cells;
    total.cells_ok += s->cells_ok;
    total.missing += s->missing;
    total.wrong += s->wrong;
    total.invented += s->invented;
    total.doc += s->doc;
    total.doc_ok += s->doc_ok;
    for (const std::string& p : s->problems) problems += "\n  " + name + " " + p;
  }
  double exact = total.cells ? double(total.cells_ok) / total.cells : 1;
  double doc = total.doc ? double(total.doc_ok) / total.doc : 1;
  std::cout << absl::StrFormat(
      "%-14s cells %d/%d (%.2f%%) missing %d wrong %d invented %d doc %d/%d\n",
      layout, total.cells_ok, total.cells, 100 * exact, total.missing,
      total.wrong, total.invented, total.doc_ok, total.doc);
  Threshold t = For(layout);
  EXPECT_GE(exact, t.exact) << problems;
  EXPECT_LE(total.wrong, t.wrong * total.cells) << problems;
  EXPECT_EQ(total.invented, 0) << problems;
  EXPECT_GE(doc, t.doc_fields) << problems;
}

INSTANTIATE_TEST_SUITE_P(Dev, AccuracyTest, ::testing::ValuesIn(Layouts()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gongkai
