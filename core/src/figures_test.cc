// Unit tests for reading one cell as a figure.
#include "figures.h"

#include "gtest/gtest.h"

namespace gongkai {
namespace {

using Kind = CellValue::Kind;

TEST(ReadCell, PlainNumbers) {
  EXPECT_EQ(ReadCell("1347", false).number, 1347);
  EXPECT_EQ(ReadCell(" 0 ", false).kind, Kind::kNumber);
  EXPECT_EQ(ReadCell("-20", false).number, -20);
  EXPECT_EQ(ReadCell("1,234,567", false).number, 1234567);
  CellValue d = ReadCell("12.3456", false);
  EXPECT_EQ(d.kind, Kind::kNumber);
  EXPECT_FALSE(d.integral);
  EXPECT_DOUBLE_EQ(d.number, 12.3456);
}

TEST(ReadCell, BlankMarkersAreNotZero) {
  for (const char* s : {"-", "/", "—", "——"}) {
    EXPECT_EQ(ReadCell(s, false).kind, Kind::kBlank) << s;
  }
  EXPECT_EQ(ReadCell("", false).kind, Kind::kEmpty);
  EXPECT_EQ(ReadCell("   ", false).kind, Kind::kEmpty);
}

TEST(ReadCell, MalformedNumbersAreText) {
  for (const char* s : {"1,23", "12a", "1.2.3", "行政许可", "O", "3 4",
                        "1234567890123456789"}) {
    EXPECT_EQ(ReadCell(s, false).kind, Kind::kText) << s;
  }
}

TEST(ReadCell, OcrLeniency) {
  CellValue o = ReadCell("O", true);
  EXPECT_EQ(o.kind, Kind::kNumber);
  EXPECT_EQ(o.number, 0);
  EXPECT_TRUE(o.repaired);
  EXPECT_EQ(ReadCell("1o", true).number, 10);
  CellValue bled = ReadCell("报 1", true);
  EXPECT_EQ(bled.kind, Kind::kNumber);
  EXPECT_EQ(bled.number, 1);
  EXPECT_TRUE(bled.repaired);
  // Words stay words, even in OCR text.
  EXPECT_EQ(ReadCell("行政许可", true).kind, Kind::kText);
  EXPECT_EQ(ReadCell("Oslo", true).kind, Kind::kText);
  EXPECT_EQ(ReadCell("报告 1", true).kind, Kind::kText);
}

}  // namespace
}  // namespace gongkai
