// OCR cell readings: zeros read as o, ruling lines read as characters, stray
// marks, lost cells.
#include "ocr_cells.h"

#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace gongkai {
namespace {

// The values of one candidate, -1 for a cell without a figure.
std::vector<double> Values(const OcrCandidate& c) {
  std::vector<double> out;
  for (const OcrCell& cell : c) out.push_back(cell.value.value_or(-1));
  return out;
}

bool Has(const std::vector<OcrCandidate>& cands, std::vector<double> want) {
  for (const OcrCandidate& c : cands) {
    if (Values(c) == want) return true;
  }
  return false;
}

TEST(OcrCellsTest, FigureCells) {
  EXPECT_TRUE(IsOcrFigureCell("lo"));
  EXPECT_TRUE(IsOcrFigureCell("1148"));
  EXPECT_TRUE(IsOcrFigureCell("报 1"));
  EXPECT_FALSE(IsOcrFigureCell("予以公开"));
  EXPECT_FALSE(IsOcrFigureCell("B"));
  EXPECT_FALSE(IsOcrFigureCell(""));
}

TEST(OcrCellsTest, ZerosBetweenRulingsReadOneWay) {
  auto c = OcrCandidates({"o", "lo", "lo"}, 3);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(Values(c[0]), (std::vector<double>{0, 0, 0}));
}

TEST(OcrCellsTest, OneGluedToAFigureInARuledRowMayBeARuling) {
  // The row shows ruling marks, so "1148" may be "|148".
  auto c = OcrCandidates({"147", "lo", "1148"}, 3);
  EXPECT_TRUE(Has(c, {147, 0, 1148}));
  EXPECT_TRUE(Has(c, {147, 0, 148}));
  EXPECT_TRUE(Has(c, {47, 0, 148}));
  // A ruling already read before it leaves no doubt.
  auto d = OcrCandidates({"|178", "lo"}, 2);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(Values(d[0]), (std::vector<double>{178, 0}));
}

TEST(OcrCellsTest, WithoutRulingMarksDigitsAreDigits) {
  auto c = OcrCandidates({"1288", "21", "1362"}, 3);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(Values(c[0]), (std::vector<double>{1288, 21, 1362}));
}

TEST(OcrCellsTest, RunOfOnesAndZerosMayBeZerosBetweenRulings) {
  auto c = OcrCandidates({"0", "0", "0", "0", "101010"}, 7);
  EXPECT_TRUE(Has(c, {0, 0, 0, 0, 0, 0, 0}));
  EXPECT_FALSE(Has(c, {0, 0, 0, 0, 101010, -1, -1}));
}

TEST(OcrCellsTest, StrayMarkIsAnUnreadCellWhenTheCountNeedsIt) {
  auto c = OcrCandidates({"151", "B", "0", "154"}, 4);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(Values(c[0]), (std::vector<double>{151, -1, 0, 154}));
  // ... and no cell when it does not.
  auto d = OcrCandidates({"151", "B", "0", "154"}, 3);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(Values(d[0]), (std::vector<double>{151, 0, 154}));
}

TEST(OcrCellsTest, ShortRowsArePlacedEveryWay) {
  auto c = OcrCandidates({"3", "3"}, 4);
  EXPECT_EQ(c.size(), 6u);  // 4 choose 2
  EXPECT_TRUE(Has(c, {3, -1, -1, 3}));
  EXPECT_TRUE(Has(c, {-1, 3, 3, -1}));
  EXPECT_TRUE(OcrCandidates({}, 7).empty());
  EXPECT_TRUE(OcrCandidates({"1", "2", "3"}, 2).empty());  // too many
}

TEST(OcrCellsTest, ShortRowThatBalancesKeepsItsTotalLast) {
  // "3 ... 3" under a row-total column: the lost cells lie between, 0.
  auto c = OcrCandidates({"3", "3"}, 4, LastColumn::kRowTotal);
  EXPECT_EQ(c.size(), 3u);  // the first 3 in any of the three components
  EXPECT_TRUE(Has(c, {3, -1, -1, 3}));
  EXPECT_TRUE(Has(c, {-1, -1, 3, 3}));
  EXPECT_FALSE(Has(c, {-1, 3, 3, -1}));
  for (const OcrCandidate& k : c) EXPECT_TRUE(k[3].placed_as_total);
  // However short: two zeros of seven.
  auto z = OcrCandidates({"o", "o"}, 7, LastColumn::kRowTotal);
  for (const OcrCandidate& k : z) EXPECT_EQ(k[6].value, 0);
  // A reading that needs a lost cell to balance is placed every way.
  EXPECT_EQ(OcrCandidates({"49", "50"}, 4, LastColumn::kRowTotal).size(), 6u);
  // So is a row whose last column sums nothing.
  EXPECT_EQ(OcrCandidates({"3", "3"}, 4, LastColumn::kPlain).size(), 6u);
}

TEST(OcrCellsTest, EveryBalancedReadingIsKept) {
  // 0 9 0 9 and 0 0 0 0 (each 9 a blurred o) both balance: the total is
  // 9 or 0, for the table's sums to choose, not the first reading's.
  auto c = OcrCandidates({"0", "|9", "o", "l9"}, 7, LastColumn::kRowTotal);
  bool nine = false, zero = false;
  for (const OcrCandidate& k : c) {
    nine = nine || k[6].value == 9;
    zero = zero || k[6].value == 0;
  }
  EXPECT_TRUE(nine);
  EXPECT_TRUE(zero);
}

TEST(OcrCellsTest, BalancedReadingBeatsOneWithAStrayOne) {
  // In a ruled row "1" may be a ruling: 0 0 0 0 0 balances as a row of
  // zeros, 1 0 0 0 0 0 would need its lost total.
  auto c =
      OcrCandidates({"1", "0", "0", "0", "|010"}, 7, LastColumn::kRowTotal);
  ASSERT_FALSE(c.empty());
  for (const OcrCandidate& k : c) EXPECT_EQ(k[6].value, 0);
}

TEST(OcrCellsTest, DroppedMarkLeavesNoBalanceToTrust) {
  // "上" stood where a figure was: without it the zeros would balance, but
  // what it hid is unknown, so the row is placed every way.
  auto c = OcrCandidates({"上", "0", "0"}, 7, LastColumn::kRowTotal);
  bool total_open = false;
  for (const OcrCandidate& k : c) total_open = total_open || !k[6].value;
  EXPECT_TRUE(total_open);
  // Punctuation is a cell border, not a figure: the zeros still balance.
  auto p = OcrCandidates({"0", "。", "|ojolo"}, 7, LastColumn::kRowTotal);
  ASSERT_FALSE(p.empty());
  for (const OcrCandidate& k : p) EXPECT_EQ(k[6].value, 0);
}

TEST(OcrCellsTest, GroupTotalAnchorsOnlyARowOfZeros) {
  std::vector<std::string_view> zeros(10, "0");
  auto c = OcrCandidates(zeros, 15, LastColumn::kGroupTotal);
  ASSERT_FALSE(c.empty());
  for (const OcrCandidate& k : c) EXPECT_EQ(k[14].value, 0);
  std::vector<std::string_view> mixed(12, "0");
  mixed[0] = "2";
  mixed[11] = "2";
  // Twelve of fifteen with a figure among them: three lost, more than a
  // wide row is placed with.
  EXPECT_TRUE(OcrCandidates(mixed, 15, LastColumn::kGroupTotal).empty());
}

TEST(OcrCellsTest, LoneNineAmongLetteredZerosMayBeAZero) {
  auto c = OcrCandidates({"0", "0", "|9", "|o", "lo", "l9"}, 6);
  EXPECT_TRUE(Has(c, {0, 0, 9, 0, 0, 9}));
  EXPECT_TRUE(Has(c, {0, 0, 0, 0, 0, 0}));
  // Not where zeros read as zeros: a 9 there is a 9.
  auto d = OcrCandidates({"0", "0", "|9", "0", "0", "9"}, 6);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(Values(d[0]), (std::vector<double>{0, 0, 9, 0, 0, 9}));
}

TEST(OcrCellsTest, GarbageCostsBoundedWork) {
  std::vector<std::string_view> junk(40, "B");
  EXPECT_TRUE(OcrCandidates(junk, 7).empty());
}

}  // namespace
}  // namespace gongkai

namespace gongkai {
namespace {

TEST(OcrCellsTest, OneMarkBeforeAFigureMayBeItsLeadingOne) {
  // "la54": a ruling and a stray mark before 54, or 154 read with its 1 as
  // an l; the table's arithmetic chooses.
  auto c = OcrCandidates({"151", "la54"}, 2);
  EXPECT_TRUE(Has(c, {151, 54}));
  EXPECT_TRUE(Has(c, {151, 154}));
  // Two marks are rulings; and a zero after one is a zero (every "lo" of a
  // ruled row would otherwise read as 10 too).
  EXPECT_FALSE(Has(OcrCandidates({"ll33"}, 1), {133}));
  auto z = OcrCandidates({"lo", "lo"}, 2);
  ASSERT_EQ(z.size(), 1u);
  EXPECT_EQ(Values(z[0]), (std::vector<double>{0, 0}));
}

}  // namespace
}  // namespace gongkai

namespace gongkai {
namespace {

TEST(OcrCellsTest, TenAfterARulingMayBeADoubleRulingAndAZero) {
  auto c = OcrCandidates({"0", "|10", "0"}, 3);
  EXPECT_TRUE(Has(c, {0, 10, 0}));
  EXPECT_TRUE(Has(c, {0, 0, 0}));
  // Other figures after a ruling stay as read.
  auto d = OcrCandidates({"0", "|12", "0"}, 3);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(Values(d[0]), (std::vector<double>{0, 12, 0}));
}

}  // namespace
}  // namespace gongkai

namespace gongkai {
namespace {

TEST(OcrCellsTest, ZerosBetweenStrokesReadAsLetters) {
  auto c = OcrCandidates({"0", "Tofoofpo"}, 5);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(Values(c[0]), (std::vector<double>{0, 0, 0, 0, 0}));
  // A letter OCR makes of a digit is no stroke: no zeros read around it.
  EXPECT_FALSE(Has(OcrCandidates({"0", "oBo"}, 3), {0, 0, 0}));
}

}  // namespace
}  // namespace gongkai

namespace gongkai {
namespace {

TEST(OcrCellsTest, OneZeroTooManyInARowOfZeros) {
  auto c = OcrCandidates({"0", "0", "lo", "lo", "0"}, 4);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(Values(c[0]), (std::vector<double>{0, 0, 0, 0}));
  EXPECT_TRUE(c[0][0].alternative);
  // Not when a figure is among them: which cell is the stray one matters.
  EXPECT_TRUE(OcrCandidates({"0", "5", "0", "0", "0"}, 4).empty());
  // Nor two too many.
  EXPECT_TRUE(OcrCandidates({"0", "0", "0", "0", "0", "0"}, 4).empty());
}

}  // namespace
}  // namespace gongkai
