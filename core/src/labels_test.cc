// Unit tests for the template table and label matching.
#include "labels.h"

#include <set>

#include "gtest/gtest.h"

namespace gongkai {
namespace {

TEST(Labels, TemplateCellCounts) {
  // report-schema.md: 2021 has 10 + 175 + 15 cells, 2019 22 + 161 + 15.
  EXPECT_EQ(TemplatePaths(v1::TEMPLATE_2021).size(), 200u);
  EXPECT_EQ(TemplatePaths(v1::TEMPLATE_2019).size(), 198u);
  EXPECT_TRUE(TemplatePaths(v1::TEMPLATE_NONSTANDARD).empty());
  std::vector<std::string> p = TemplatePaths(v1::TEMPLATE_2021);
  EXPECT_EQ(std::set<std::string>(p.begin(), p.end()).size(), p.size());
}

TEST(Labels, ProactiveRows) {
  EXPECT_EQ(MatchProactiveRow("行政规范性文件", false), "normative_documents");
  EXPECT_EQ(MatchProactiveRow("规章", false), "regulations");
  EXPECT_EQ(MatchProactiveRow("行政事业性收费", false), "fees");
  EXPECT_EQ(MatchProactiveRow("行政事业性收到", false), "fees");
  EXPECT_EQ(MatchProactiveRow("其他对外管理员务事项", false), "other_services");
  EXPECT_EQ(MatchProactiveRow("信息内容", false), std::nullopt);
  // Approximate matching only for OCR text.
  EXPECT_EQ(MatchProactiveRow("行攻处罚", false), std::nullopt);
  EXPECT_EQ(MatchProactiveRow("行攻处罚", true), "penalty");
}

TEST(Labels, ApplicationRowsFollowTheirGroup) {
  int group = 0;
  EXPECT_EQ(MatchApplicationRow("一、本年新收政府信息公开申请数量", &group, false),
            "new_received");
  EXPECT_EQ(MatchApplicationRow("(三)不予公开1.属于国家秘密", &group, false),
            "withheld_state_secret");
  EXPECT_EQ(group, 3);
  EXPECT_EQ(MatchApplicationRow("(六)其他处理1.申请人无正当理由逾期不补正", &group,
                                false),
            "other_no_correction");
  EXPECT_EQ(MatchApplicationRow("3.其他", &group, false), "other_other");
  EXPECT_EQ(MatchApplicationRow("(七)总计", &group, false), "total_handled");
  EXPECT_EQ(group, 0);
  // "3.其他" outside group 6 names nothing.
  EXPECT_EQ(MatchApplicationRow("3.其他", &group, false), std::nullopt);
  group = 0;
  EXPECT_EQ(MatchApplicationRow("(六)其他处理", &group, false), "other_handled");
  EXPECT_EQ(MatchApplicationRow(
                "(二)部分公开(区分处理的,只计这一情形,不计其他情形)", &group,
                false),
            "partially_granted");
}

TEST(Labels, Headings) {
  EXPECT_EQ(SectionOfHeading("二、主动公开政府信息情况"), Section::kProactive);
  EXPECT_EQ(SectionOfHeading("  三、收到和处理政府信息公开申请情况"),
            Section::kApplications);
  EXPECT_EQ(SectionOfHeading("四、政府信息公开行政复议、行政诉讼情况"),
            Section::kReviews);
  EXPECT_EQ(SectionOfHeading("四、结转下年度继续办理"), std::nullopt);
  EXPECT_EQ(SectionOfHeading("一、本年新收政府信息公开申请数量"), std::nullopt);
}

TEST(Labels, ApplicantColumnsMatchWholeCells) {
  EXPECT_EQ(MatchApplicantColumn("商业 企业"), "commercial");
  EXPECT_EQ(MatchApplicantColumn("其他"), "other_org");
  EXPECT_EQ(MatchApplicantColumn("法人或其他组织"), std::nullopt);
}

}  // namespace
}  // namespace gongkai

namespace gongkai {
namespace {

TEST(Labels, ApplicationRowOrderEndsWithTheRowsCarriedForward) {
  std::vector<std::string_view> o2021 = ApplicationRowOrder(v1::TEMPLATE_2021);
  ASSERT_EQ(o2021.size(), 25u);
  EXPECT_EQ(o2021.front(), "new_received");
  EXPECT_EQ(o2021[1], "carried_over");
  EXPECT_EQ(o2021[o2021.size() - 2], "total_handled");
  EXPECT_EQ(o2021.back(), "carried_forward");
  EXPECT_EQ(ApplicationRowOrder(v1::TEMPLATE_2019).size(), 23u);
  EXPECT_TRUE(ApplicationRowOrder(v1::TEMPLATE_NONSTANDARD).empty());
}

TEST(Labels, GarbledApplicationRowNamedByTheTablesOrder) {
  // Too garbled for the approximate match on its own...
  int group = 0;
  const std::string_view garbled = "人本年折W权内信息公开中请数";
  EXPECT_EQ(MatchApplicationRow(garbled, &group, true), std::nullopt);
  // ...but it resembles the row due first better than any other.
  EXPECT_EQ(MatchApplicationRowInOrder(garbled, "", v1::TEMPLATE_2021),
            "new_received");
  // Not where the table's order puts another row.
  EXPECT_EQ(MatchApplicationRowInOrder(garbled, "granted", v1::TEMPLATE_2021),
            std::nullopt);
  // The row after next, when the row due was lost.
  EXPECT_EQ(MatchApplicationRowInOrder("二、上全续针必庙信息公开中请数", "",
                                       v1::TEMPLATE_2021),
            "carried_over");
  // Stray marks name nothing, whatever the order.
  EXPECT_EQ(MatchApplicationRowInOrder("的", "", v1::TEMPLATE_2021),
            std::nullopt);
  EXPECT_EQ(MatchApplicationRowInOrder(garbled, "", v1::TEMPLATE_NONSTANDARD),
            std::nullopt);
  // Nothing follows the last row.
  EXPECT_EQ(MatchApplicationRowInOrder(garbled, "carried_forward",
                                       v1::TEMPLATE_2021),
            std::nullopt);
}

}  // namespace
}  // namespace gongkai
