// Unit tests for Interpret and RunChecks on hand-made layouts.
#include "gongkai/interpret.h"

#include <string>

#include "evidence.h"
#include "gongkai/check.h"
#include "gtest/gtest.h"

namespace gongkai {
namespace {

// Builds a document and its layout from lines: a line holding '|' is a table
// row whose cells are separated by '|'; consecutive rows form one table;
// any other line is a paragraph. The text is its own normalization.
struct Doc {
  std::string text;
  NormalizedText norm;
  Layout layout;
};

Doc Make(const std::vector<std::string>& lines, bool ocr = false) {
  Doc d;
  for (const std::string& l : lines) d.text += l + "\n";
  d.norm.text = d.text;
  for (size_t i = 0; i <= d.text.size(); ++i) d.norm.origin.push_back(i);
  d.layout.ocr = ocr;
  size_t pos = 0;
  bool in_table = false;
  for (const std::string& l : lines) {
    if (l.find('|') == std::string::npos) {
      in_table = false;
      Block b;
      b.span = {pos, pos + l.size()};
      d.layout.blocks.push_back(b);
    } else {
      if (!in_table) {
        Block b;
        b.kind = Block::Kind::kTable;
        d.layout.blocks.push_back(b);
        in_table = true;
      }
      Row row;
      size_t start = 0;
      while (start <= l.size()) {
        size_t bar = l.find('|', start);
        if (bar == std::string::npos) bar = l.size();
        row.cells.push_back(
            {l.substr(start, bar - start), {pos + start, pos + bar}});
        start = bar + 1;
      }
      d.layout.blocks.back().table.rows.push_back(row);
    }
    pos += l.size() + 1;
  }
  return d;
}

v1::Report Extract(const Doc& d) {
  v1::Report r;
  Interpret(d.text, d.norm, d.layout, &r);
  RunChecks(&r);
  return r;
}

double Fig(const v1::Report& r, const std::string& path) {
  double v = -12345;
  GetFigure(r, path, &v);
  return v;
}

bool Has(const v1::Report& r, const std::string& path) {
  double v;
  return GetFigure(r, path, &v);
}

bool Warned(const v1::Report& r, const std::string& path) {
  for (const auto& w : r.warnings()) {
    if (w.path() == path) return true;
  }
  return false;
}

const std::vector<std::string> k2021Proactive = {
    "某某县交通运输局2023年政府信息公开工作年度报告",
    "二、主动公开政府信息情况",
    "第二十条第(一)项",
    "信息内容|本年制发件数|本年废止件数|现行有效件数",
    "规章|0|0|0",
    "行政规范性文件|2||3",
    "第二十条第(五)项",
    "信息内容|本年处理决定数量",
    "行政许可|1,347",
    "第二十条第(八)项",
    "信息内容|本年收费金额(单位:元)",
    "行政事业性收费|25000",
    "某某县交通运输局",
    "2024年1月18日",
};

TEST(Interpret, ReadsA2021ProactiveTable) {
  v1::Report r = Extract(Make(k2021Proactive));
  EXPECT_EQ(r.template_(), v1::TEMPLATE_2021);
  EXPECT_EQ(Fig(r, "proactive.regulations.issued"), 0);
  EXPECT_EQ(Fig(r, "proactive.normative_documents.issued"), 2);
  EXPECT_EQ(Fig(r, "proactive.normative_documents.in_force"), 3);
  EXPECT_EQ(Fig(r, "proactive.licensing.decisions"), 1347);
  // 元 in the header: converted to 万元.
  EXPECT_DOUBLE_EQ(Fig(r, "proactive.fees.amount_10k_yuan"), 2.5);
  // A blank cell is absent and, being stated blank, not "unread".
  EXPECT_FALSE(Has(r, "proactive.normative_documents.repealed"));
  EXPECT_FALSE(Warned(r, "proactive.normative_documents.repealed"));
  // Cells of the template the document does not have are warned about.
  EXPECT_TRUE(Warned(r, "applications.new_received.total"));
  EXPECT_EQ(r.agency(), "某某县交通运输局");
  EXPECT_EQ(r.year(), 2023);
  EXPECT_EQ(r.published_on(), "2024-01-18");
}

TEST(Interpret, EvidencePointsAtTheCell) {
  Doc d = Make(k2021Proactive);
  v1::Report r = Extract(d);
  bool found = false;
  for (const auto& e : r.evidence()) {
    if (e.path() == "proactive.licensing.decisions") {
      EXPECT_EQ(e.text(), "1,347");
      EXPECT_EQ(d.text.substr(e.begin(), e.end() - e.begin()), "1,347");
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST(Interpret, TemplateComesFromTheTablesNotTheYear) {
  v1::Report r = Extract(Make({
      "某局2023年政府信息公开工作年度报告",
      "二、主动公开政府信息情况",
      "信息内容|上一年项目数量|本年增/减|处理决定数量",
      "行政处罚|146|-20|126",
  }));
  EXPECT_EQ(r.template_(), v1::TEMPLATE_2019);
  EXPECT_EQ(Fig(r, "proactive.penalty.prev_year_items"), 146);
  EXPECT_EQ(Fig(r, "proactive.penalty.change"), -20);
  EXPECT_EQ(Fig(r, "proactive.penalty.decisions"), 126);
}

TEST(Interpret, NonstandardReportsYieldNoFigures) {
  v1::Report r = Extract(Make({
      "某局2019年政府信息公开工作年度报告",
      "序号|项目分类|数量",
      "1|行政许可|4",
      "2|合计|4",
  }));
  EXPECT_EQ(r.template_(), v1::TEMPLATE_NONSTANDARD);
  EXPECT_FALSE(r.has_proactive());
  EXPECT_FALSE(r.has_applications());
  EXPECT_EQ(r.warnings_size(), 0);
}

std::vector<std::string> Applications(const std::string& granted_row) {
  return {
      "三、收到和处理政府信息公开申请情况",
      "申请人情况",
      "自然人|法人或其他组织|总计",
      "商业企业|科研机构|社会公益组织|法律服务机构|其他",
      "一、本年新收政府信息公开申请数量|3|0|0|0|0|1|4",
      "二、上年结转政府信息公开申请数量|0|0|0|0|0|0|0",
      "三、本年度办理结果|(一)予以公开|" + granted_row,
      "(三)不予公开|1.属于国家秘密|0|0|0|0|0|0|0",
      "2.其他法律行政法规禁止公开|0|0|0|0|0|0|0",
      "(六)其他处理|1."
      "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请|0|0|0|0|"
      "0|0|0",
      "2.申请人逾期未按收费通知要求缴纳费用|0|0|0|0|0|0|0",
      "3.其他|0|0|0|0|0|0|0",
      "(七)总计|3|0|0|0|0|1|4",
      "四、结转下年度继续办理|0|0|0|0|0|0|0",
      "四、政府信息公开行政复议、行政诉讼情况",
      "行政复议|行政诉讼",
      "0|0|0|0|0|1|0|0|0|1|0|0|0|0|0",
  };
}

TEST(Interpret, ApplicationRowsAndGroups) {
  v1::Report r = Extract(Make(Applications("3|0|0|0|0|1|4")));
  EXPECT_EQ(Fig(r, "applications.new_received.total"), 4);
  EXPECT_EQ(Fig(r, "applications.new_received.other_org"), 1);
  EXPECT_EQ(Fig(r, "applications.granted.natural_person"), 3);
  EXPECT_EQ(Fig(r, "applications.withheld_prohibited_by_law.total"), 0);
  EXPECT_EQ(Fig(r, "applications.other_no_fee.total"), 0);
  EXPECT_EQ(Fig(r, "applications.other_other.total"), 0);
  EXPECT_EQ(Fig(r, "applications.total_handled.total"), 4);
  EXPECT_EQ(Fig(r, "reviews.litigation_direct.upheld"), 1);
  EXPECT_EQ(Fig(r, "reviews.litigation_direct.total"), 1);
  int balance = 0, failed = 0;
  for (const auto& c : r.checks()) {
    if (c.id() == "applications.balance") ++balance;
    if (!c.passed()) ++failed;
  }
  EXPECT_EQ(balance, 7);
  EXPECT_EQ(failed, 0);
}

TEST(Interpret, ChecksFailWhereTheTableDisagrees) {
  // 3 + 0 + ... + 1 != 5: the stated figures are kept, the check fails.
  v1::Report r = Extract(Make(Applications("3|0|0|0|0|1|5")));
  EXPECT_EQ(Fig(r, "applications.granted.total"), 5);
  bool row_total_failed = false;
  for (const auto& c : r.checks()) {
    if (c.id() == "applications.row_total" && c.scope() == "granted") {
      EXPECT_FALSE(c.passed());
      EXPECT_EQ(c.detail(), "3 + 0 + 0 + 0 + 0 + 1 != 5");
      row_total_failed = true;
    }
  }
  EXPECT_TRUE(row_total_failed);
}

TEST(Interpret, RowsThatDoNotFitAreLeftOutWithAWarning) {
  v1::Report r = Extract(Make(Applications("3|0|0|1|4")));
  EXPECT_FALSE(r.applications().has_granted());
  EXPECT_TRUE(Warned(r, "applications.granted"));
}

TEST(Interpret, LabelsWithTheirFiguresOnLaterLines) {
  // One cell per line (lynx), and a label wrapped over two lines (pdftotext).
  v1::Report r = Extract(Make({
      "二、主动公开政府信息情况",
      "信息内容|本年制发件数|本年废止件数|现行有效件数",
      "行政规范性文件|",
      "58|",
      "45|",
      "546|",
      "三、收到和处理政府信息公开申请情况",
      "自然人|法人或其他组织|总计",
      "(二)部分公开(区分处理的,只计这|",
      "一情形,不计其他情形)|1|0|0|0|0|0|1",
      "(三)不予公开|1.属于国家秘密|",
      "0|0|0|0|0|0|0",
      "(六)其他处理|1.申请人无正当理由逾期不补正|0|0|0|0|0|0|0",
  }));
  EXPECT_EQ(r.template_(), v1::TEMPLATE_2021);
  EXPECT_EQ(Fig(r, "proactive.normative_documents.issued"), 58);
  EXPECT_EQ(Fig(r, "proactive.normative_documents.repealed"), 45);
  EXPECT_EQ(Fig(r, "proactive.normative_documents.in_force"), 546);
  EXPECT_EQ(Fig(r, "applications.partially_granted.natural_person"), 1);
  EXPECT_EQ(Fig(r, "applications.partially_granted.total"), 1);
  EXPECT_EQ(Fig(r, "applications.withheld_state_secret.total"), 0);
}

TEST(Interpret, OcrBlanksAreUnreadNotBlank) {
  v1::Report r = Extract(Make(
      {
          "二、主动公开政府信息情况",
          "信息内容|本年新制作数量|本年新公开数量|对外公开总数量",
          "规章|0|0||0",
          "行政强制|0||O|0",
          "其他对外管理员务事项|报 1||1|0",
          "规范性文件|3|||",
      },
      /*ocr=*/true));
  EXPECT_EQ(r.template_(), v1::TEMPLATE_2019);
  EXPECT_EQ(Fig(r, "proactive.regulations.total_published"), 0);
  EXPECT_EQ(Fig(r, "proactive.coercion.change"), 0);
  EXPECT_EQ(Fig(r, "proactive.other_services.prev_year_items"), 1);
  // Lost cells in OCR are not "blank": absent, with a warning each.
  EXPECT_FALSE(Has(r, "proactive.normative_documents.new_made"));
  EXPECT_TRUE(Warned(r, "proactive.normative_documents.new_published"));
}

TEST(Interpret, DocumentFieldsFromContactSentence) {
  v1::Report r = Extract(Make({
      "本报告由本机关编制。本年度报告中所列数据的统计期限自2024年1月1日起至2024"
      "年12月31日止。"
      "本年度报告的电子版可以从樟树市人民政府网站(http://www.example.cn)下载。"
      "如对本报告有任何疑问,请与樟树市卫生健康委员会办公室联系(地址:"
      "樟树市杏佛路91号,"
      "电话:7119986,邮编:331200,电子邮箱:(abc@126.com))。",
  }));
  EXPECT_EQ(r.agency(), "樟树市卫生健康委员会");
  EXPECT_EQ(r.year(), 2024);
  EXPECT_FALSE(r.has_published_on());
  EXPECT_EQ(r.contact().address(), "樟树市杏佛路91号");
  EXPECT_EQ(r.contact().phone(), "7119986");
  EXPECT_EQ(r.contact().postcode(), "331200");
  EXPECT_EQ(r.contact().email(), "abc@126.com");
  EXPECT_EQ(r.contact().website(), "http://www.example.cn");
}

}  // namespace
}  // namespace gongkai

namespace gongkai {
namespace {

// pdftotext without -layout prints some rows' figures apart from their
// labels: figures with no label between two rows of 三 go to the unread
// template rows between them, if they fill those rows and each adds up.
TEST(Interpret, PlacesFiguresWithoutLabelByTheTablesOrder) {
  auto make = [](const std::string& orphan_total) {
    return Make({
        "某局2023年政府信息公开工作年度报告",
        "三、收到和处理政府信息公开申请情况",
        "一、本年新收政府信息公开申请数量|3|0|0|0|0|0|3",
        "二、上年结转政府信息公开申请数量|1|0|0|0|0|0|1",
        "|2|0|0|0|0|0|2",
        "|1|0|0|0|0|1|" + orphan_total,
        "(三)不予公开|1.属于国家秘密|0|0|0|0|0|0|0",
        "(六)其他处理|1.申请人无正当理由逾期不补正|0|0|0|0|0|0|0",
    });
  };
  v1::Report r = Extract(make("2"));
  EXPECT_EQ(r.template_(), v1::TEMPLATE_2021);
  EXPECT_EQ(Fig(r, "applications.granted.natural_person"), 2);
  EXPECT_EQ(Fig(r, "applications.granted.total"), 2);
  EXPECT_EQ(Fig(r, "applications.partially_granted.other_org"), 1);
  EXPECT_EQ(Fig(r, "applications.partially_granted.total"), 2);
  EXPECT_EQ(Fig(r, "applications.withheld_state_secret.total"), 0);
  bool warned = false;
  for (const auto& w : r.warnings()) {
    warned = warned || (w.code() == "row_by_order" &&
                        w.path() == "applications.partially_granted");
  }
  EXPECT_TRUE(warned);

  // A row that does not add up: the order is not trusted, nothing placed.
  r = Extract(make("3"));
  EXPECT_FALSE(Has(r, "applications.granted.natural_person"));
  EXPECT_FALSE(Has(r, "applications.partially_granted.total"));
  EXPECT_EQ(Fig(r, "applications.withheld_state_secret.total"), 0);
}

// Section 四 scattered one figure per line in an order that does not add
// up: only what every order that adds up agrees on is assigned.
TEST(Interpret, ReadsScatteredReviewsOnlyWhereTheSumsDecide) {
  std::vector<std::string> lines = {
      "某局2023年政府信息公开工作年度报告",
      "三、收到和处理政府信息公开申请情况",
      "一、本年新收政府信息公开申请数量|3|0|0|0|0|0|3",
      "四、政府信息公开行政复议、行政诉讼情况",
  };
  for (const char* f : {"72", "64", "178", "37", "12", "1", "1", "6", "351",
                        "13", "4", "8", "1", "26", "20"}) {
    lines.push_back(std::string("|") + f);
    if (std::string(f) == "37") lines.push_back("结果|维持|总计");
  }
  v1::Report r = Extract(Make(lines));
  EXPECT_EQ(Fig(r, "reviews.administrative_review.upheld"), 72);
  EXPECT_EQ(Fig(r, "reviews.administrative_review.corrected"), 64);
  EXPECT_EQ(Fig(r, "reviews.administrative_review.other"), 178);
  EXPECT_EQ(Fig(r, "reviews.administrative_review.pending"), 37);
  EXPECT_EQ(Fig(r, "reviews.administrative_review.total"), 351);
  // The two litigation groups add up either way round: both left absent.
  EXPECT_FALSE(Has(r, "reviews.litigation_direct.total"));
  EXPECT_FALSE(Has(r, "reviews.litigation_after_review.upheld"));

  // Figures wrapped over lines in the template's order are read as before,
  // and so are figures that merely wrap, even where a total is wrong: the
  // check reports it.
  lines.resize(4);
  lines.push_back("|1|0|0|0|1");
  lines.push_back("|0|0|0|0|0|2|0|0|0|2");
  r = Extract(Make(lines));
  EXPECT_EQ(Fig(r, "reviews.administrative_review.total"), 1);
  EXPECT_EQ(Fig(r, "reviews.litigation_after_review.upheld"), 2);
  lines.resize(4);
  lines.push_back("|1|0|0|0|5");
  lines.push_back("|0|0|0|0|0|2|0|0|0|2");
  r = Extract(Make(lines));
  EXPECT_EQ(Fig(r, "reviews.administrative_review.total"), 5);
}

}  // namespace
}  // namespace gongkai

namespace gongkai {
namespace {

// OCR: a row of 三 whose label is too garbled to name is read as the row
// the table's order puts there, with a warning; the same label elsewhere in
// the table names nothing.
TEST(Interpret, OcrGarbledRowNamedByTheTablesOrder) {
  auto make = [](bool first) {
    std::vector<std::string> lines = {
        "某局2023年政府信息公开工作年度报告",
        "二、主动公开政府信息情况",
        "信息内容|本年制发件数|本年废止件数|现行有效件数",
        "三、收到和处理政府信息公开申请情况",
    };
    if (!first) lines.push_back("(一)予以公开|1|0|0|0|0|0|1");
    lines.push_back("人本年折W权内信息公开中请数|3|0|0|0|0|0|3");
    return Make(lines, /*ocr=*/true);
  };
  v1::Report r = Extract(make(true));
  EXPECT_EQ(Fig(r, "applications.new_received.natural_person"), 3);
  EXPECT_EQ(Fig(r, "applications.new_received.total"), 3);
  bool warned = false;
  for (const auto& w : r.warnings()) warned |= w.code() == "row_by_order";
  EXPECT_TRUE(warned);
  v1::Report late = Extract(make(false));
  EXPECT_FALSE(Has(late, "applications.new_received.total"));
}

}  // namespace
}  // namespace gongkai

namespace gongkai {
namespace {

// OCR: rows whose labels are lost between two rows read are the template
// rows between those, if exactly as many are unread; otherwise none is.
TEST(Interpret, OcrRowsWithoutLabelsBetweenRowsRead) {
  auto make = [](int lost) {
    std::vector<std::string> lines = {
        "某局2023年政府信息公开工作年度报告",
        "二、主动公开政府信息情况",
        "信息内容|本年制发件数|本年废止件数|现行有效件数",
        "三、收到和处理政府信息公开申请情况",
        "(三)不予公开 1.属于国家秘密|0|0|0|0|0|0|0",
        "2.其他法律行政法规禁止公开|0|0|0|0|0|0|0",
    };
    for (int i = 0; i < lost; ++i) lines.push_back("了|2|0|0|0|0|0|2");
    lines.push_back("6.属于四类过程性信息|0|0|0|0|0|0|0");
    return Make(lines, /*ocr=*/true);
  };
  // 3, 4 and 5 of (三) stand between 2 and 6: three rows fit.
  v1::Report r = Extract(make(3));
  for (const char* row : {"withheld_three_safeties", "withheld_third_party",
                          "withheld_internal_affairs"}) {
    EXPECT_EQ(Fig(r, std::string("applications.") + row + ".total"), 2) << row;
    EXPECT_TRUE(Warned(r, std::string("applications.") + row)) << row;
  }
  // Two rows for three places: which is which is unknown.
  v1::Report two = Extract(make(2));
  EXPECT_FALSE(Has(two, "applications.withheld_three_safeties.total"));
  EXPECT_FALSE(Has(two, "applications.withheld_third_party.total"));
}

}  // namespace
}  // namespace gongkai

namespace gongkai {
namespace {

// OCR: a short row whose figures balance with its last as the total keeps
// that total (flagged); a mark after the label's last word stood where a
// figure was, so the same zeros behind it prove nothing.
TEST(Interpret, OcrShortRowsBalanceOnTheirTotal) {
  v1::Report r = Extract(Make(
      {
          "某局2023年政府信息公开工作年度报告",
          "二、主动公开政府信息情况",
          "信息内容|本年制发件数|本年废止件数|现行有效件数",
          "三、收到和处理政府信息公开申请情况",
          "7.属于行政执法案卷|3|3",
          "8.属于行政查询事项|上|0|0",
      },
      /*ocr=*/true));
  EXPECT_EQ(Fig(r, "applications.withheld_enforcement_files.total"), 3);
  bool flagged = false;
  for (const auto& w : r.warnings()) {
    flagged |= w.code() == "figure_repaired" &&
               w.path() == "applications.withheld_enforcement_files.total";
  }
  EXPECT_TRUE(flagged);
  EXPECT_FALSE(Has(r, "applications.withheld_query_matters.total"));
}

}  // namespace
}  // namespace gongkai

namespace gongkai {
namespace {

// OCR misread the agency's place name: the gazetteer restores it, with a
// warning. Text that is no OCR is taken as printed.
TEST(Interpret, OcrAgencyPlaceNameRestoredFromTheGazetteer) {
  const std::vector<std::string> lines = {
      "候师市卫生健康委员会2020年政府信息公开工作年度报告",
      "二、主动公开政府信息情况",
  };
  v1::Report ocr = Extract(Make(lines, /*ocr=*/true));
  EXPECT_EQ(ocr.agency(), "偃师市卫生健康委员会");
  bool warned = false;
  for (const auto& w : ocr.warnings()) {
    warned |= w.code() == "field_repaired" && w.path() == "agency";
  }
  EXPECT_TRUE(warned);
  v1::Report clean = Extract(Make(lines, /*ocr=*/false));
  EXPECT_EQ(clean.agency(), "候师市卫生健康委员会");
}

}  // namespace
}  // namespace gongkai
