// The ocr_layout plugin on small OCR texts written here: where it splits
// labels from figures, how it reads ruling lines and zeros read as o, and
// that it claims OCR text but not clean space-aligned text.
#include <string>
#include <vector>

#include "gongkai/plugin_host.h"
#include "gtest/gtest.h"

namespace gongkai {
namespace {

class OcrLayoutTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registry_ = new PluginRegistry();
    ASSERT_TRUE(registry_
                    ->LoadFile(std::string(GONGKAI_PLUGIN_DIR) +
                               "/libgongkai_ocr_layout.so")
                    .ok());
  }
  static void TearDownTestSuite() { delete registry_; }

  // The cells of every table row, as text.
  static std::vector<std::vector<std::string>> Rows(const std::string& text) {
    absl::StatusOr<Layout> layout = registry_->Extract("ocr_layout", text);
    EXPECT_TRUE(layout.ok()) << layout.status();
    std::vector<std::vector<std::string>> rows;
    if (!layout.ok()) return rows;
    EXPECT_TRUE(layout->ocr);
    for (const Block& b : layout->blocks) {
      if (b.kind != Block::Kind::kTable) continue;
      for (const Row& r : b.table.rows) {
        std::vector<std::string> cells;
        for (const Cell& c : r.cells) cells.push_back(c.text);
        rows.push_back(cells);
      }
    }
    return rows;
  }

  static int Score(const std::string& text) {
    for (const PluginScore& s : registry_->Detect(text)) {
      if (s.name == "ocr_layout") return s.score;
    }
    return -1;
  }

  static PluginRegistry* registry_;
};

PluginRegistry* OcrLayoutTest::registry_ = nullptr;

using Cells = std::vector<std::string>;

TEST_F(OcrLayoutTest, SplitsZerosReadAsOAtRulingLines) {
  auto rows = Rows("二、上年结转政府信息公开申请数量          oolololooo\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (Cells{"二、上年结转政府信息公开申请数量", "o", "o",
                            "lo", "lo", "lo", "o", "o"}));
}

TEST_F(OcrLayoutTest, KeepsTheRulingBeforeAFigureAndSplitsRunsAtRulings) {
  auto rows = Rows("(七) 总计           147 |上1L Il0 0 0 0 1148\n"
                   "25      3 |l8 0 ll36l3 3\n");
  ASSERT_EQ(rows.size(), 2u);
  // The junk "上1L" stays one cell for the interpreter to weigh; "Il0" is a
  // zero after ruling marks; "1148" is left whole (a '1' may be a digit).
  EXPECT_EQ(rows[0], (Cells{"(七) 总计", "147", "上1L", "Il0", "0", "0", "0",
                            "1148"}));
  EXPECT_EQ(rows[1], (Cells{"25", "3", "|l8", "0", "ll36", "l3", "3"}));
}

TEST_F(OcrLayoutTest, SplitsAFigureGluedToItsLabel) {
  auto rows = Rows("行政规范性文件58          45          546\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (Cells{"行政规范性文件", "58", "45", "546"}));
}

TEST_F(OcrLayoutTest, LeavesProseAsParagraphs) {
  auto rows = Rows("2025年，全区共收到政府信息公开申请154件，共办结148件。\n"
                   "行政复议36起，行政诉讼9起，其中结案 3 1\n"
                   "本报告所列数据统计期限为2025年1月1日至2025年12月31日\n");
  EXPECT_TRUE(rows.empty());
}

TEST_F(OcrLayoutTest, KeepsTabSeparatedOcrRows) {
  auto rows = Rows("行政强制\t\tO\t\t\t\t\n行政处罚\t1\t\t1\t1\t\t\t\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "行政强制");
  EXPECT_EQ(rows[0][2], "O");
}

TEST_F(OcrLayoutTest, ClaimsOcrTextButNotCleanAlignedText) {
  std::string ocr =
      "信息内容       本年制发件数|本年废止件数|现行有效件数\n"
      "规章                0                0                0\n"
      "一、本年新收政府信息公开申请数量          151 B lo lo lo lo la54\n"
      "二、上年结转政府信息公开申请数量          oolololooo\n"
      "三、  (一) 予以公开          33 lo lo olo lo ll33\n"
      "果 | (三) 不予公 |1.属于国家秘密         oolololooo\n"
      "第二十条第 〈八) 项\n";
  std::string clean =
      "信息内容       本年制发件数    本年废止件数    现行有效件数\n"
      "规章                0                0                0\n"
      "一、本年新收政府信息公开申请数量   151   3   0   0   0   0   154\n"
      "二、上年结转政府信息公开申请数量   0     0   0   0   0   0   0\n"
      "三、（一）予以公开                 33    0   0   0   0   0   33\n"
      "第二十条第（八）项\n";
  EXPECT_GE(Score(ocr), 50);
  EXPECT_LE(Score(clean), 10);
}

}  // namespace
}  // namespace gongkai
