// Accuracy over the dev corpus: every layout of ../shared/corpus/dev is
// extracted and scored with score.py's rules. Each layout must stay at or
// above the thresholds for its kind, document fields over all
// layouts but ocr_noisy must be right, and every wrong figure must sit in a
// table the report flags (a failed check or a warning), so accuracy cannot
// quietly regress and what is wrong is never silently wrong.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "golden_support.h"
#include "gongkai/pipeline.h"
#include "gtest/gtest.h"
#include "scorer.h"

namespace gongkai {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;

fs::path DevDir() { return fs::path(GONGKAI_CORPUS_DIR) / "dev"; }

struct Threshold {
  double exact;  // share of stated figures returned exactly
  double wrong;  // share of stated figures allowed wrong
};

// The table; a layout not named here gets the strictest line.
Threshold For(const std::string& layout) {
  static const std::map<std::string, Threshold> kThresholds = {
      {"pdf_text", {0.95, 0}},     {"html2text", {0.98, 0}},
      {"ocr", {0.85, 0.01}},       {"pdf_ocr", {0.85, 0.01}},
      {"ocr_noisy", {0.50, 0.03}},
  };
  auto it = kThresholds.find(layout);
  return it == kThresholds.end() ? Threshold{0.995, 0} : it->second;
}

constexpr double kDocFieldsTarget = 0.99;

// Layouts whose document fields are not held to the 99 % line.
bool DocFieldsExempt(const std::string& layout) {
  return layout == "ocr_noisy";
}

// The table a contract path belongs to: "applications" for
// "applications.granted.total".
std::string TableOf(const std::string& path) {
  return path.substr(0, path.find('.'));
}

// Whether the report says something is off in `table`: a failed check on
// it, or a warning about one of its figures.
bool Flagged(const v1::Report& report, const std::string& table) {
  const std::string prefix = table + ".";
  for (const v1::Check& c : report.checks()) {
    if (c.passed()) continue;
    if (absl::StartsWith(c.id(), prefix)) return true;
    for (const std::string& p : c.paths()) {
      if (absl::StartsWith(p, prefix)) return true;
    }
  }
  for (const v1::Warning& w : report.warnings()) {
    if (absl::StartsWith(w.path(), prefix) || w.path() == table) return true;
  }
  return false;
}

struct LayoutResult {
  testing::Score total;
  std::string problems;  // one line per miss, named by document
  std::vector<std::string> unflagged_wrong;  // wrong figures nothing flags
};

// Extracts and scores every document of one layout, once per process.
const LayoutResult& Result(const std::string& layout) {
  static auto* cache = new std::map<std::string, LayoutResult>();
  auto [it, fresh] = cache->try_emplace(layout);
  LayoutResult& r = it->second;
  if (!fresh) return r;
  const fs::path dir = DevDir() / layout;
  Pipeline pipeline(&testing::BundledPlugins());
  std::vector<fs::path> inputs;
  for (const auto& e : fs::directory_iterator(dir / "input")) {
    inputs.push_back(e.path());
  }
  std::sort(inputs.begin(), inputs.end());
  for (const fs::path& input : inputs) {
    const std::string name = input.stem().string();
    const std::string document = ReadFile(input);
    const std::string truth = ReadFile(dir / "truth" / (name + ".json"));
    EXPECT_FALSE(truth.empty()) << layout << "/" << name << ": no truth";
    absl::StatusOr<v1::Report> report = pipeline.Extract(document, {});
    EXPECT_TRUE(report.ok())
        << layout << "/" << name << ": " << report.status();
    if (!report.ok()) continue;
    absl::StatusOr<testing::Score> s = testing::ScoreReport(truth, *report);
    EXPECT_TRUE(s.ok()) << layout << "/" << name << ": " << s.status();
    if (!s.ok()) continue;
    r.total.Add(*s);
    for (const std::string& p : s->problems) {
      absl::StrAppend(&r.problems, "\n  ", name, " ", p);
    }
    for (const std::string& path : s->wrong_paths) {
      if (!Flagged(*report, TableOf(path))) {
        r.unflagged_wrong.push_back(absl::StrCat(name, " ", path));
      }
    }
  }
  const testing::Score& t = r.total;
  std::cout << absl::StrFormat(
      "%-14s cells %d/%d (%.2f%%) missing %d wrong %d invented %d doc "
      "%d/%d\n",
      layout, t.cells_ok, t.cells, t.cells ? 100.0 * t.cells_ok / t.cells : 100,
      t.missing, t.wrong, t.invented, t.doc_ok, t.doc);
  return r;
}

class AccuracyTest : public ::testing::TestWithParam<std::string> {};

TEST_P(AccuracyTest, MeetsThreshold) {
  const std::string layout = GetParam();
  const LayoutResult& r = Result(layout);
  const testing::Score& t = r.total;
  ASSERT_GT(t.cells, 0) << layout << " has no stated figures";
  const Threshold want = For(layout);
  const double exact = double(t.cells_ok) / t.cells;
  EXPECT_GE(exact, want.exact) << r.problems;
  EXPECT_LE(t.wrong, want.wrong * t.cells) << r.problems;
  EXPECT_EQ(t.invented, 0) << r.problems;
  for (const std::string& w : r.unflagged_wrong) {
    ADD_FAILURE() << layout << " " << w
                  << " is wrong and its table has no failed check or warning";
  }
}

INSTANTIATE_TEST_SUITE_P(Dev, AccuracyTest,
                         ::testing::ValuesIn(testing::SortedStems(DevDir())),
                         [](const auto& info) { return info.param; });

TEST(DocumentFields, RightOverAllLayoutsButOcrNoisy) {
  int fields = 0, right = 0;
  std::string problems;
  for (const std::string& layout : testing::SortedStems(DevDir())) {
    if (DocFieldsExempt(layout)) continue;
    const LayoutResult& r = Result(layout);
    fields += r.total.doc;
    right += r.total.doc_ok;
    if (r.total.doc_ok < r.total.doc) {
      absl::StrAppend(&problems, "\n", layout, ":", r.problems);
    }
  }
  ASSERT_GT(fields, 0);
  std::cout << absl::StrFormat("document fields %d/%d (%.2f%%)\n", right,
                               fields, 100.0 * right / fields);
  EXPECT_GE(double(right) / fields, kDocFieldsTarget) << problems;
}

}  // namespace
}  // namespace gongkai
