// The text_grid plugin on small grids written here: box-drawn grids with
// wrapped, merged and narrowed cells (w3m), underscore grids with spilled
// labels and wrapped rows (html2text), what it claims, and that hostile
// input neither crashes nor hangs it.
#include <random>
#include <string>
#include <vector>

#include "gongkai/plugin_host.h"
#include "gtest/gtest.h"

namespace gongkai {
namespace {

using Cells = std::vector<std::string>;
using Rows = std::vector<Cells>;

class TextGridTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registry_ = new PluginRegistry();
    ASSERT_TRUE(registry_
                    ->LoadFile(std::string(GONGKAI_PLUGIN_DIR) +
                               "/libgongkai_text_grid.so")
                    .ok());
  }
  static void TearDownTestSuite() { delete registry_; }

  // Every table's rows, tables one after another.
  static std::vector<Rows> Tables(const std::string& text) {
    absl::StatusOr<Layout> layout = registry_->Extract("text_grid", text);
    EXPECT_TRUE(layout.ok()) << layout.status();
    std::vector<Rows> tables;
    if (!layout.ok()) return tables;
    for (const Block& b : layout->blocks) {
      if (b.kind != Block::Kind::kTable) continue;
      Rows rows;
      for (const Row& r : b.table.rows) {
        Cells cells;
        for (const Cell& c : r.cells) cells.push_back(c.text);
        rows.push_back(cells);
      }
      tables.push_back(rows);
    }
    return tables;
  }

  static std::vector<std::string> Paragraphs(const std::string& text) {
    absl::StatusOr<Layout> layout = registry_->Extract("text_grid", text);
    EXPECT_TRUE(layout.ok()) << layout.status();
    std::vector<std::string> out;
    if (!layout.ok()) return out;
    for (const Block& b : layout->blocks) {
      if (b.kind == Block::Kind::kParagraph) {
        out.push_back(text.substr(b.span.begin, b.span.end - b.span.begin));
      }
    }
    return out;
  }

  static int Score(const std::string& text) {
    for (const PluginScore& s : registry_->Detect(text)) {
      if (s.name == "text_grid") return s.score;
    }
    return -1;
  }

  static PluginRegistry* registry_;
};

PluginRegistry* TextGridTest::registry_ = nullptr;

// A box-drawn grid: CJK is two columns wide; a cell wraps over the lines of
// its grid row and its text is joined back.
const char kBoxGrid[] =
    "甲表\n"
    "┌────────┬──────┐\n"
    "│名称    │数量  │\n"
    "├────────┼──────┤\n"
    "│甲乙丙丁│12    │\n"
    "│戊己    │      │\n"
    "├────────┼──────┤\n"
    "│庚辛    │7     │\n"
    "└────────┴──────┘\n"
    "后记\n";

TEST_F(TextGridTest, BoxGridRowsJoinWrappedCells) {
  std::vector<Rows> tables = Tables(kBoxGrid);
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0], (Rows{{"名称", "数量"},
                             {"甲乙丙丁戊己", "12"},
                             {"庚辛", "7"}}));
  EXPECT_EQ(Paragraphs(kBoxGrid), (std::vector<std::string>{"甲表", "后记"}));
}

// A cell spanning rows stands in the row where it starts, its text taken
// from the middle of its span; a cell spanning columns is one cell.
TEST_F(TextGridTest, BoxGridMergedCells) {
  const std::string grid =
      "┌────────────────────┐\n"
      "│总标题              │\n"
      "├──────┬──────┬──────┤\n"
      "│      │子一  │1     │\n"
      "│组名  ├──────┼──────┤\n"
      "│      │子二  │2     │\n"
      "├──────┴──────┼──────┤\n"
      "│合计         │3     │\n"
      "└─────────────┴──────┘\n";
  std::vector<Rows> tables = Tables(grid);
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0], (Rows{{"总标题"},
                             {"组名", "子一", "1"},
                             {"子二", "2"},
                             {"合计", "3"}}));
}

// Normalizing turned the dump's full-width "（一）" into "(一)", two columns
// narrower: the rulings after it on that line still find their columns.
TEST_F(TextGridTest, BoxGridRulingsAfterNarrowedPunctuation) {
  const std::string grid =
      "┌──────────┬────┬────┐\n"
      "│(一)公开  │5   │6   │\n"
      "├──────────┼────┼────┤\n"
      "│(二)部分  │    │8   │\n"
      "│(区分)    │    │    │\n"
      "└──────────┴────┴────┘\n";
  std::vector<Rows> tables = Tables(grid);
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0], (Rows{{"(一)公开", "5", "6"},
                             {"(二)部分(区分)", "", "8"}}));
}

// An underscore grid: the label cut short spills after the figures of the
// cells to its right and past the right edge; it goes back to the label,
// before the figures, which keep their order. "1.属于" is a list number.
TEST_F(TextGridTest, UnderscoreGridGathersSpilledLabel) {
  const std::string grid =
      "**** 二、表 ****\n"
      " ______________________\n"
      "|名称_|数量_|金额___|\n"
      "|行政|0范性文件|12_|\n"
      "|1.属于国|3_|4家|秘密\n"
      "|(二)_部分|,只计|0情|\n";
  std::vector<Rows> tables = Tables(grid);
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0], (Rows{{"名称", "数量", "金额"},
                             {"行政", "范性文件", "0", "12"},
                             {"1.属于国", "家秘密", "3", "4"},
                             {"(二)部分", ",只计", "情", "0"}}));
  // The heading's asterisk frame is markup.
  EXPECT_EQ(Paragraphs(grid), (std::vector<std::string>{"二、表"}));
}

// A row whose cells wrap: its first line has no '_' (the row has not
// ended), the next has as many cells and text but no figure.
TEST_F(TextGridTest, UnderscoreGridJoinsWrappedRow) {
  const std::string grid =
      " ____________________\n"
      "|   |1.申请人逾|8|0|\n"
      "|   |期不补正|_|__|\n"
      "|___|2.重复|0_|0_|\n";
  std::vector<Rows> tables = Tables(grid);
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0], (Rows{{"", "1.申请人逾期不补正", "8", "0"},
                             {"", "2.重复", "0", "0"}}));
}

// A figure with a leading zero and text after it ("04位") cannot be told
// from 0 and "4位": the cell stays text.
TEST_F(TextGridTest, UnderscoreGridLeavesAmbiguousFigure) {
  const std::string grid =
      " ______________\n"
      "|甲乙|04位_|5__|\n"
      "|丙丁|-20_|1,234_|\n";
  std::vector<Rows> tables = Tables(grid);
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0], (Rows{{"甲乙", "04位", "5"}, {"丙丁", "-20", "1,234"}}));
}

TEST_F(TextGridTest, DetectsGridsOnly) {
  std::string box = kBoxGrid;
  box += "┌────┬────┐\n│甲  │1   │\n├────┼────┤\n│乙  │2   │\n└────┴────┘\n";
  EXPECT_GE(Score(box), 60);
  std::string underscore =
      " ______________\n|甲_|1_|\n|乙_|2_|\n|丙_|3_|\n|丁_|4_|\n";
  EXPECT_GE(Score(underscore), 60);
  // Prose, a lone ruling, a Markdown table after a rule of underscores.
  EXPECT_LE(Score("一、总体情况\n本年度主动公开信息。\n"), 10);
  EXPECT_LE(Score("标题\n────────\n正文\n"), 10);
  EXPECT_LE(Score("___\n| a | b |\n| 1 | 2 |\n| 3 | 4 |\n| 5 | 6 |\n"), 10);
}

// A large grid is read whole, row by row, in one pass.
TEST_F(TextGridTest, ReadsLargeGrid) {
  std::string grid = "┌──────┬────┐\n";
  for (int i = 0; i < 5000; ++i) {
    grid += "│甲乙丙│" + std::to_string(i % 10) + "   │\n├──────┼────┤\n";
  }
  grid += "│末行  │9   │\n└──────┴────┘\n";
  std::vector<Rows> tables = Tables(grid);
  ASSERT_EQ(tables.size(), 1u);
  ASSERT_EQ(tables[0].size(), 5001u);
  EXPECT_EQ(tables[0][4999], (Cells{"甲乙丙", "9"}));
  EXPECT_EQ(tables[0][5000], (Cells{"末行", "9"}));
}

// Random text built from the characters grids are made of: no crash, and
// every row the plugin reports holds cells.
TEST_F(TextGridTest, SurvivesHostileInput) {
  const std::vector<std::string> alphabet = {
      "│", "─", "┼", "├", "┤", "┌", "┐", "└", "┘", "┬", "┴", "|", "_",
      " ", "\n", "甲", "(", "0", "1", ".", "\xE2", "\x94", "\xFF", "\t"};
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::string text;
    size_t len = rng() % 400;
    for (size_t i = 0; i < len; ++i) text += alphabet[rng() % alphabet.size()];
    if (round % 2 == 0) text = " ______\n|" + text;
    Score(text);
    for (const Rows& rows : Tables(text)) {
      for (const Cells& cells : rows) EXPECT_FALSE(cells.empty());
    }
  }
}

}  // namespace
}  // namespace gongkai
