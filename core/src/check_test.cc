// Tests of the cross-checks (check.cc) and of reading figures through a
// path resolved once (evidence.h's FigureRef), which the checks use.
#include "gongkai/check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "evidence.h"
#include "gongkai/normalize.h"
#include "labels.h"

namespace gongkai {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class CheckTest : public ::testing::Test {
 protected:
  void Set(const std::string& path, double value) {
    ASSERT_TRUE(writer_.SetFigure(path, value, {})) << path;
  }

  // The six applicant columns of a row, then its total.
  void SetRow(const std::string& row, std::vector<double> values) {
    size_t i = 0;
    for (const ColumnSpec& c : ApplicantColumns()) {
      if (c.key == "total") continue;
      Set("applications." + row + "." + std::string(c.key), values.at(i++));
    }
    Set("applications." + row + ".total", values.at(i));
  }

  std::vector<const v1::Check*> ChecksOf(const std::string& id) const {
    std::vector<const v1::Check*> out;
    for (const v1::Check& c : report_.checks()) {
      if (c.id() == id) out.push_back(&c);
    }
    return out;
  }

  NormalizedText doc_;
  v1::Report report_;
  ReportWriter writer_{"", doc_, &report_};
};

TEST_F(CheckTest, RowTotalPassesFailsAndNeedsEveryFigure) {
  report_.set_template_(v1::TEMPLATE_2021);
  SetRow("new_received", {1, 2, 0, 0, 0, 3, 6});
  SetRow("carried_over", {1, 1, 1, 1, 1, 1, 7});  // 6 != 7
  // A row with a figure missing cannot be checked.
  Set("applications.granted.natural_person", 4);
  Set("applications.granted.total", 4);
  RunChecks(&report_);

  std::vector<const v1::Check*> rows = ChecksOf("applications.row_total");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]->scope(), "new_received");
  EXPECT_TRUE(rows[0]->passed());
  EXPECT_EQ(rows[0]->detail(), "1 + 2 + 0 + 0 + 0 + 3 = 6");
  EXPECT_EQ(rows[0]->paths_size(), 7);
  EXPECT_EQ(rows[0]->paths(6), "applications.new_received.total");
  EXPECT_EQ(rows[1]->scope(), "carried_over");
  EXPECT_FALSE(rows[1]->passed());
  EXPECT_EQ(rows[1]->detail(), "1 + 1 + 1 + 1 + 1 + 1 != 7");
}

TEST_F(CheckTest, BalancePerColumn) {
  report_.set_template_(v1::TEMPLATE_2019);
  Set("applications.new_received.total", 10);
  Set("applications.carried_over.total", 2);
  Set("applications.total_handled.total", 11);
  Set("applications.carried_forward.total", 1);
  Set("applications.new_received.commercial", 1);
  Set("applications.carried_over.commercial", 0);
  Set("applications.total_handled.commercial", 2);
  Set("applications.carried_forward.commercial", 0);
  RunChecks(&report_);
  std::vector<const v1::Check*> balance = ChecksOf("applications.balance");
  ASSERT_EQ(balance.size(), 2u);
  // Checks come in the template's column order, total last.
  EXPECT_EQ(balance[0]->scope(), "commercial");
  EXPECT_FALSE(balance[0]->passed());
  EXPECT_EQ(balance[0]->detail(), "1 + 0 != 2 + 0");
  EXPECT_EQ(balance[1]->scope(), "total");
  EXPECT_TRUE(balance[1]->passed());
  EXPECT_EQ(balance[1]->detail(), "10 + 2 = 11 + 1");
}

TEST_F(CheckTest, SameChecksOnEveryRunAndNoneWithoutATemplate) {
  SetRow("new_received", {1, 2, 0, 0, 0, 3, 6});
  RunChecks(&report_);  // TEMPLATE_UNSPECIFIED: nothing to check against
  EXPECT_THAT(report_.checks(), IsEmpty());

  report_.set_template_(v1::TEMPLATE_2021);
  RunChecks(&report_);
  v1::Report first = report_;
  report_.clear_checks();
  RunChecks(&report_);
  EXPECT_EQ(first.SerializeAsString(), report_.SerializeAsString());
  report_.set_template_(static_cast<v1::Template>(99));  // not in the enum
  report_.clear_checks();
  RunChecks(&report_);
  EXPECT_THAT(report_.checks(), IsEmpty());
}

TEST_F(CheckTest, FigureRefReadsWhatThePathReads) {
  EXPECT_FALSE(ResolveFigure("applications.no_such_row.total"));
  EXPECT_FALSE(ResolveFigure(""));
  std::optional<FigureRef> ref =
      ResolveFigure("reviews.administrative_review.upheld");
  ASSERT_TRUE(ref);
  double value = -1;
  EXPECT_FALSE(GetFigure(report_, *ref, &value));  // not set yet
  Set("reviews.administrative_review.upheld", 3);
  EXPECT_TRUE(GetFigure(report_, *ref, &value));
  EXPECT_EQ(value, 3);
  std::optional<FigureRef> money =
      ResolveFigure("proactive.fees.amount_10k_yuan");
  ASSERT_TRUE(money);
  Set("proactive.fees.amount_10k_yuan", 1.25);
  EXPECT_TRUE(GetFigure(report_, *money, &value));
  EXPECT_EQ(value, 1.25);
  double by_path = 0;
  EXPECT_TRUE(GetFigure(report_, "proactive.fees.amount_10k_yuan", &by_path));
  EXPECT_EQ(by_path, value);
}

TEST_F(CheckTest, ReviewGroupTotal) {
  report_.set_template_(v1::TEMPLATE_2021);
  for (std::string_view g : ReviewGroups()) {
    int i = 0;
    for (std::string_view c : ReviewColumns()) {
      Set("reviews." + std::string(g) + "." + std::string(c),
          c == "total" ? 10 : ++i);
    }
  }
  RunChecks(&report_);
  std::vector<const v1::Check*> groups = ChecksOf("reviews.group_total");
  ASSERT_EQ(groups.size(), ReviewGroups().size());
  EXPECT_TRUE(groups[0]->passed());
  EXPECT_EQ(groups[0]->detail(), "1 + 2 + 3 + 4 = 10");
  EXPECT_THAT(ChecksOf("applications.row_total"), ElementsAre());
}

}  // namespace
}  // namespace gongkai
