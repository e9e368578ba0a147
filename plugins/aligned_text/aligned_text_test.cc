// The aligned_text plugin through the real plugin host, on small texts
// written here in the shapes lynx -dump and pdftotext print: rows of label
// words and figures set apart by spaces, run-together zero columns, rows
// whose figures sit on two lines, tables one cell per line, page numbers.
#include <string>
#include <vector>

#include "gongkai/plugin_host.h"
#include "gtest/gtest.h"

namespace gongkai {
namespace {

using Cells = std::vector<std::string>;
using Rows = std::vector<Cells>;

class AlignedTextTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registry_ = new PluginRegistry();
    ASSERT_TRUE(registry_
                    ->LoadFile(std::string(GONGKAI_PLUGIN_DIR) +
                               "/libgongkai_aligned_text.so")
                    .ok());
  }
  static void TearDownTestSuite() { delete registry_; }

  // Tables as rows of cells, paragraphs as rows of one "P:" cell, in
  // document order; "END" closes a table. Checks that every cell's span
  // holds its text.
  static Rows Read(const std::string& text) {
    absl::StatusOr<Layout> layout = registry_->Extract("aligned_text", text);
    EXPECT_TRUE(layout.ok()) << layout.status();
    Rows out;
    if (!layout.ok()) return out;
    for (const Block& b : layout->blocks) {
      if (b.kind == Block::Kind::kParagraph) {
        out.push_back(
            {"P:" + text.substr(b.span.begin, b.span.end - b.span.begin)});
        continue;
      }
      for (const Row& r : b.table.rows) {
        Cells cells;
        for (const Cell& c : r.cells) {
          EXPECT_EQ(c.text,
                    text.substr(c.span.begin, c.span.end - c.span.begin));
          cells.push_back(c.text);
        }
        out.push_back(cells);
      }
      out.push_back({"END"});
    }
    return out;
  }

  static int Score(const std::string& text) {
    for (const auto& [name, score] : registry_->Detect(text)) {
      if (name == "aligned_text") return score;
    }
    return -1;
  }

  static PluginRegistry* registry_;
};

PluginRegistry* AlignedTextTest::registry_ = nullptr;

TEST_F(AlignedTextTest, CutsRowsAtRunsOfSpacesAndKeepsProseApart) {
  const std::string text =
      "一、总体情况\n"
      "全年共收到申请 154 件，办结 148 件。\n"
      "二、主动公开政府信息情况\n"
      "信息内容     本年制发件数 本年废止件数 现行有效件数\n"
      "规章       0        0    0\n"
      "\n"
      "行政规范性文件 58        45   546\n"
      "-3-\n"
      "行政事业性收费 4166.241619\n"
      "五、存在的主要问题\n"
      "\n"
      "队伍建设有待加强。\n";
  EXPECT_EQ(Read(text),
            (Rows{{"P:一、总体情况"},
                  {"P:全年共收到申请 154 件，办结 148 件。"},
                  {"二、主动公开政府信息情况"},
                  {"信息内容", "本年制发件数", "本年废止件数", "现行有效件数"},
                  {"规章", "0", "0", "0"},
                  {"行政规范性文件", "58", "45", "546"},
                  {"行政事业性收费", "4166.241619"},
                  {"五、存在的主要问题"},
                  {"END"},
                  {"P:队伍建设有待加强。"}}));
}

TEST_F(AlignedTextTest, PartsZerosThatRanTogether) {
  const std::string text =
      "一、本年新收政府信息公开申请数量   0   0 0 0 0 00\n"
      "二、上年结转政府信息公开申请数量   0   0 0 05 0 0\n"
      "三、总计                        12  3 0 0 0 0 15\n"
      "四、结转下年度继续办理           0   0 0 0 0 0 0\n";
  Rows rows = Read(text);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0], (Cells{"一、本年新收政府信息公开申请数量", "0", "0", "0",
                            "0", "0", "0", "0"}));
  EXPECT_EQ(rows[1], (Cells{"二、上年结转政府信息公开申请数量", "0", "0", "0",
                            "0", "5", "0", "0"}));
  // A figure that does not start with 0 is never cut.
  EXPECT_EQ(rows[2], (Cells{"三、总计", "12", "3", "0", "0", "0", "0", "15"}));
}

TEST_F(AlignedTextTest, JoinsARowWhoseFiguresSitOnTwoLines) {
  const std::string text =
      "（一）予以公开                33      0   0   0   0   0   33\n"
      "（二）部分公开（区分处理的，不 38\n"
      "计其他情形）                  0   0   0   0   0   38\n"
      "（三）不予公开 1.属于国家秘密  0   0   0   0   0   0   0\n"
      "要求行政机关确认或重新出具已 0\n"
      "5.\n"
      "获取信息                     0   0   0   0   0   0\n"
      "（七）总计                   71   0   0   0   0   0   71\n";
  Rows rows = Read(text);
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[1], (Cells{"（二）部分公开（区分处理的，不", "计其他情形）",
                            "38", "0", "0", "0", "0", "0", "38"}));
  EXPECT_EQ(rows[3], (Cells{"要求行政机关确认或重新出具已", "5.", "获取信息",
                            "0", "0", "0", "0", "0", "0", "0"}));
  EXPECT_EQ(rows[4].size(), 8u);
}

// A figure printed against the label's last character is cut off it, but
// only in a row whose other figures follow.
TEST_F(AlignedTextTest, CutsAFigureTouchingItsLabel) {
  const std::string text =
      "1.本机关不掌握相关政府信息12 0   0   0   0   0   12\n"
      "2.没有现成信息需要另行制作   0   0   0   0   0   0   0\n"
      "附件2\n";
  EXPECT_EQ(
      Read(text),
      (Rows{{"1.本机关不掌握相关政府信息", "12", "0", "0", "0", "0", "0", "12"},
            {"2.没有现成信息需要另行制作", "0", "0", "0", "0", "0", "0", "0"},
            {"附件2"},
            {"END"}}));
}

// Short rows whose figures do not make up a neighbour's width stay apart:
// one cell per line, or one-figure rows of section 二.
TEST_F(AlignedTextTest, LeavesShortRowsApartWhenTheyMakeNoWholeRow) {
  const std::string text =
      "信息内容\n\n本年处理决定数量\n\n行政许可\n\n2418\n\n"
      "行政处罚\n\n644\n\n行政强制\n\n64\n";
  EXPECT_EQ(Read(text), (Rows{{"信息内容"},
                              {"本年处理决定数量"},
                              {"行政许可"},
                              {"2418"},
                              {"行政处罚"},
                              {"644"},
                              {"行政强制"},
                              {"64"},
                              {"END"}}));
}

// "-" and "—" hold a blank cell's place; page numbers are no cells: "-4-"
// anywhere, a bare number only as a page's last line before a form feed.
TEST_F(AlignedTextTest, KeepsBlankMarkersAndDropsPageNumbers) {
  const std::string text =
      "——\n"
      "上文。\n"
      "规章           0        —        3\n"
      "-4-\n"
      "行政规范性文件  2        -        5\n"
      "4\n"
      "\n"
      "\f行政许可       7\n";
  EXPECT_EQ(Read(text), (Rows{{"P:——"},
                              {"P:上文。"},
                              {"规章", "0", "—", "3"},
                              {"行政规范性文件", "2", "-", "5"},
                              {"行政许可", "7"},
                              {"END"}}));
}

TEST_F(AlignedTextTest, ClaimsAlignedTablesButNotMarkedOnes) {
  std::string aligned = "二、主动公开政府信息情况\n";
  for (int i = 0; i < 8; ++i) aligned += "行政许可     1    2     3\n";
  EXPECT_GE(Score(aligned), 30);

  std::string markdown = "| 名称 | 数量 |\n|---|---|\n";
  for (int i = 0; i < 8; ++i) markdown += "| 行政许可 | 1 |\n";
  EXPECT_LE(Score(markdown), 5);

  // OCR reads ruling lines as '|' and zeros as 'o'.
  std::string ocr;
  for (int i = 0; i < 8; ++i)
    ocr += "行政许可     1    2     3\n行政处罚  0o|olo\n";
  EXPECT_LE(Score(ocr), 5);

  EXPECT_EQ(Score("一段没有表格的文字。\n又一段。\n"), 0);
}

}  // namespace
}  // namespace gongkai
