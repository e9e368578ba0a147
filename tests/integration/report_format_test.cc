// Unit tests of the CLI's output helpers: CSV rows walk the figures by
// reflection, quoting and JSON escaping hold up on awkward input.
#include "report_format.h"

#include "gmock/gmock.h"
#include "gongkai/v1/report.pb.h"
#include "gtest/gtest.h"
#include "support.h"

namespace gongkai::service {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(FigureRowsTest, OnlySetFiguresWithDottedProtoNames) {
  v1::Report report;
  report.set_agency("某市某局");
  report.mutable_proactive()->mutable_penalty()->set_change(-20);
  report.mutable_proactive()->mutable_penalty()->set_decisions(0);
  report.mutable_proactive()->mutable_fees()->set_amount_10k_yuan(12.3456);
  report.mutable_applications()->mutable_new_received()->set_total(3);
  report.mutable_reviews();  // present but empty: no rows
  EXPECT_THAT(FigureRows(report),
              ElementsAre(Pair("proactive.penalty.change", "-20"),
                          Pair("proactive.penalty.decisions", "0"),
                          Pair("proactive.fees.amount_10k_yuan", "12.3456"),
                          Pair("applications.new_received.total", "3")));
}

TEST(FigureRowsTest, EmptyReportHasNoRows) {
  EXPECT_TRUE(FigureRows(v1::Report()).empty());
}

TEST(CsvFieldTest, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(CsvField("seeds/a.txt"), "seeds/a.txt");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
}

TEST(JsonQuoteTest, EscapesAndRepairs) {
  EXPECT_EQ(JsonQuote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(JsonQuote("年报.txt"), "\"年报.txt\"");
  EXPECT_EQ(JsonQuote("\xff"), "\"\xEF\xBF\xBD\"");
}

TEST(SanitizeUtf8Test, KeepsValidReplacesInvalid) {
  EXPECT_EQ(SanitizeUtf8("政府 abc"), "政府 abc");
  EXPECT_EQ(SanitizeUtf8("\xc3\x28"), "\xEF\xBF\xBD(");
  EXPECT_EQ(SanitizeUtf8("\xed\xa0\x80"),  // a UTF-16 surrogate
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeUtf8("\xc0\xaf"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  EXPECT_EQ(SanitizeUtf8("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");
  EXPECT_EQ(SanitizeUtf8("\xe6\x94"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // cut short
}

TEST(ToJsonTest, UsesProtoFieldNamesAndLeavesUnsetOut) {
  v1::Report report;
  report.mutable_proactive()->mutable_fees()->set_amount_10k_yuan(1.5);
  absl::StatusOr<std::string> json = ToJson(report);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json, ::testing::HasSubstr("\"amount_10k_yuan\": 1.5"));
  EXPECT_THAT(*json, ::testing::Not(::testing::HasSubstr("agency")));
  EXPECT_NE(json->back(), '\n');
}

}  // namespace
}  // namespace gongkai::service
