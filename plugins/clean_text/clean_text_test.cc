// The clean_text plugin on small texts written here, for the Markdown
// tables whose cells hold paragraphs (html2text writes each paragraph on its
// own line, a lone "|" line between cells, "  " and a blank line after each
// row), next to the one-row-per-line Markdown tables it read before.
#include <string>
#include <vector>

#include "gongkai/plugin_host.h"
#include "gtest/gtest.h"

namespace gongkai {
namespace {

using Cells = std::vector<std::string>;
using Rows = std::vector<Cells>;

class CleanTextTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registry_ = new PluginRegistry();
    ASSERT_TRUE(registry_
                    ->LoadFile(std::string(GONGKAI_PLUGIN_DIR) +
                               "/libgongkai_clean_text.so")
                    .ok());
  }
  static void TearDownTestSuite() { delete registry_; }

  // Tables as rows of cells (whitespace inside a cell removed), and
  // paragraphs, in document order: a paragraph is a row of one "P:" cell.
  static Rows Read(const std::string& text) {
    absl::StatusOr<Layout> layout = registry_->Extract("clean_text", text);
    EXPECT_TRUE(layout.ok()) << layout.status();
    Rows out;
    if (!layout.ok()) return out;
    auto compact = [](std::string s) {
      std::string t;
      for (char c : s) {
        if (c != ' ' && c != '\n') t.push_back(c);
      }
      return t;
    };
    for (const Block& b : layout->blocks) {
      if (b.kind == Block::Kind::kParagraph) {
        out.push_back({"P:" + text.substr(b.span.begin,
                                          b.span.end - b.span.begin)});
        continue;
      }
      for (const Row& r : b.table.rows) {
        Cells cells;
        for (const Cell& c : r.cells) cells.push_back(compact(c.text));
        out.push_back(cells);
      }
      out.push_back({"END"});
    }
    return out;
  }

  static PluginRegistry* registry_;
};

PluginRegistry* CleanTextTest::registry_ = nullptr;

TEST_F(CleanTextTest, ReadsTablesOfParagraphCells) {
  const std::string text =
      "二、情况\n\n"
      "第一项  \n  \n---  \n  \n"
      "名称\n\n| \n\n数量  \n  \n"
      "甲乙\n\n| \n\n12  \n  \n"
      "三、情况\n\n"
      "说明\n\n| \n\n总计  \n  \n---|---  \n  \n"
      "商业\n\n企业\n\n| \n\n结果  \n纠正\n\n| \n\n其他  \n  \n"
      "丙\n\n| \n\n| \n\n7  \n  \n"
      "五、问题\n\n正文一段。\n\n正文二段。\n";
  EXPECT_EQ(Read(text), (Rows{{"P:二、情况"},
                              {"第一项"},
                              {"名称", "数量"},
                              {"甲乙", "12"},
                              {"END"},
                              {"P:三、情况"},
                              {"说明", "总计"},
                              {"商业企业", "结果纠正", "其他"},
                              {"丙", "", "7"},
                              {"END"},
                              {"P:五、问题"},
                              {"P:正文一段。"},
                              {"P:正文二段。"}}));
}

// A text with lone "|" lines but no separator row after a row's end is not
// such a table; one-row-per-line Markdown reads as before.
TEST_F(CleanTextTest, LeavesOtherShapesAlone) {
  const std::string markdown =
      "表\n\n名称 | 数量  \n---|---  \n甲 | 1  \n乙 | 2  \n";
  EXPECT_EQ(Read(markdown), (Rows{{"P:表"},
                                  {"名称", "数量"},
                                  {"甲", "1"},
                                  {"乙", "2"},
                                  {"END"}}));
  const std::string stray = "甲\n\n|\n\n乙  \n  \n丙\n";
  for (const Cells& row : Read(stray)) {
    EXPECT_EQ(row.size(), 1u);
    EXPECT_NE(row[0], "END");
  }
}

}  // namespace
}  // namespace gongkai
