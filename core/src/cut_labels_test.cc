// Labels cut short by a converter: which still name a row, and which are
// too short or too mangled to tell.
#include "cut_labels.h"

#include <string>
#include <vector>

#include "evidence.h"
#include "gongkai/interpret.h"
#include "gtest/gtest.h"

namespace gongkai {
namespace {

TEST(IsCutWordingTest, StartOfWordingWithCharactersLost) {
  EXPECT_TRUE(IsCutWording("行政许", "行政许可"));
  EXPECT_TRUE(IsCutWording("2.其他法律止开", "2.其他法律行政法规禁止公开"));
  EXPECT_TRUE(IsCutWording("3.其他", "3.其他"));
  // Fewer than two characters of the wording itself past the numbering.
  EXPECT_FALSE(IsCutWording("行", "行政许可"));
  EXPECT_FALSE(IsCutWording("1.属", "1.属于国家秘密"));
  // Not its start, out of order, or a character the wording lacks.
  EXPECT_FALSE(IsCutWording("政许可", "行政许可"));
  EXPECT_FALSE(IsCutWording("行政可许", "行政许可"));
  EXPECT_FALSE(IsCutWording("行政许可证", "行政许可"));
  EXPECT_FALSE(IsCutWording("", "行政许可"));
}

TEST(ClauseOfHeaderTest, ReadsTheItem) {
  EXPECT_EQ(ClauseOfHeader("第二十条第(五)项"), 5);
  EXPECT_EQ(ClauseOfHeader("第二十条第(一)项"), 1);
  EXPECT_EQ(ClauseOfHeader("信息内容"), 0);
  EXPECT_EQ(ClauseOfHeader("第二十条第("), 0);
}

TEST(CutLabelsTest, MatchesOneRowOnly) {
  CutLabels cut;
  const Section apps = Section::kApplications;
  const Section pro = Section::kProactive;
  EXPECT_EQ(cut.Match({"行政许"}, pro, v1::TEMPLATE_2019),
            std::optional<std::string_view>("licensing"));
  // The 2021 wording of a row the 2019 template words shorter.
  EXPECT_EQ(cut.Match({"行政", "范性文件"}, pro, v1::TEMPLATE_2021),
            std::optional<std::string_view>("normative_documents"));
  // A group's label before the row's own: the row's own is tried first.
  EXPECT_EQ(cut.Match({"(三)不予公开", "1.属于国家"}, apps, v1::TEMPLATE_2021),
            std::optional<std::string_view>("withheld_state_secret"));
  EXPECT_EQ(cut.Match({"1.申请人无正当理由逾", "不再处理其政府信息公"}, apps,
                      v1::TEMPLATE_2021),
            std::optional<std::string_view>("other_no_correction"));
  // Rows the template lacks are no candidates.
  EXPECT_EQ(cut.Match({"3.其他"}, apps, v1::TEMPLATE_2021),
            std::optional<std::string_view>("other_other"));
  EXPECT_EQ(cut.Match({"3.其他"}, apps, v1::TEMPLATE_2019), std::nullopt);
  // "行政" starts four rows: unknown.
  EXPECT_EQ(cut.Match({"行政"}, pro, v1::TEMPLATE_2021), std::nullopt);
  EXPECT_EQ(cut.Match({"行政许"}, pro, v1::TEMPLATE_NONSTANDARD),
            std::nullopt);
  EXPECT_EQ(cut.Match({"行政许"}, Section::kReviews, v1::TEMPLATE_2021),
            std::nullopt);
}

TEST(CutLabelsTest, ItemOfSectionTwoNarrowsTheRows) {
  CutLabels cut;
  const Section pro = Section::kProactive;
  cut.SeeHeader("第二十条第(五)项");
  // 2021's item 五 has one row, 行政许可.
  EXPECT_EQ(cut.Match({"行政"}, pro, v1::TEMPLATE_2021),
            std::optional<std::string_view>("licensing"));
  cut.SeeHeader("第二十条第(六)项");  // 行政处罚 and 行政强制: unknown
  EXPECT_EQ(cut.Match({"行政"}, pro, v1::TEMPLATE_2021), std::nullopt);
  EXPECT_EQ(cut.Match({"行政强"}, pro, v1::TEMPLATE_2021),
            std::optional<std::string_view>("coercion"));
  cut.SeeHeader("信息内容");  // not an item: item 六 stays open
  EXPECT_EQ(cut.Match({"行政许"}, pro, v1::TEMPLATE_2021), std::nullopt);
  cut.Reset();
  EXPECT_EQ(cut.Match({"行政许"}, pro, v1::TEMPLATE_2021),
            std::optional<std::string_view>("licensing"));
}

// A report as html2text leaves it, through Interpret: lines holding '|'
// are table rows, the others paragraphs.
v1::Report Interpreted(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& l : lines) text += l + "\n";
  NormalizedText norm;
  norm.text = text;
  for (size_t i = 0; i <= text.size(); ++i) norm.origin.push_back(i);
  Layout layout;
  size_t pos = 0;
  bool in_table = false;
  for (const std::string& l : lines) {
    if (l.find('|') == std::string::npos) {
      in_table = false;
      Block b;
      b.span = {pos, pos + l.size()};
      layout.blocks.push_back(b);
    } else {
      if (!in_table) {
        Block b;
        b.kind = Block::Kind::kTable;
        layout.blocks.push_back(b);
        in_table = true;
      }
      Row row;
      for (size_t start = 0; start <= l.size();) {
        size_t bar = std::min(l.find('|', start), l.size());
        row.cells.push_back({l.substr(start, bar - start),
                             {pos + start, pos + bar}});
        start = bar + 1;
      }
      layout.blocks.back().table.rows.push_back(row);
    }
    pos += l.size() + 1;
  }
  v1::Report report;
  Interpret(text, norm, layout, &report);
  return report;
}

std::optional<double> Figure(const v1::Report& r, const std::string& path) {
  double v = 0;
  if (!GetFigure(r, path, &v)) return std::nullopt;
  return v;
}

TEST(CutLabelsInterpretTest, CutLabelsNameTheirRows) {
  v1::Report r = Interpreted({
      "二、主动公开政府信息情况",
      "第二十条第(一)项",
      "信息内容|本年制发件数|本年废止件数|现行有效件数",
      "规章|1|2|3",
      "行政|范性文件|4|5|6",
      "第二十条第(五)项",
      "信息内容|本年处理决定数量",
      "行政|7",
      "第二十条第(六)项",
      "信息内容|本年处理决定数量",
      "行政|8",
      "行政|9",
      "三、收到和处理政府信息公开申请情况",
      "|自然人|商业企业|科研机构|社会公益组织|法律服务机构|其他|总计",
      "(三)不予公开|1.属于国家|1|0|0|0|0|0|1",
      "(六)其他处理|1.申请人无正当理由逾期|补行|5|0|0|0|0|0|5",
  });
  ASSERT_EQ(r.template_(), v1::TEMPLATE_2021);
  EXPECT_EQ(Figure(r, "proactive.regulations.in_force"), 3);
  EXPECT_EQ(Figure(r, "proactive.normative_documents.issued"), 4);
  EXPECT_EQ(Figure(r, "proactive.normative_documents.in_force"), 6);
  EXPECT_EQ(Figure(r, "proactive.licensing.decisions"), 7);
  // Item 六 holds two rows that both start with 行政: neither is guessed.
  EXPECT_EQ(Figure(r, "proactive.penalty.decisions"), std::nullopt);
  EXPECT_EQ(Figure(r, "proactive.coercion.decisions"), std::nullopt);
  EXPECT_EQ(Figure(r, "applications.withheld_state_secret.total"), 1);
  // 其他处理 names a 2019 row; in a 2021 report the cut sub-row wins.
  EXPECT_EQ(Figure(r, "applications.other_no_correction.natural_person"), 5);
  EXPECT_EQ(Figure(r, "applications.other_handled.natural_person"),
            std::nullopt);
}

}  // namespace
}  // namespace gongkai
