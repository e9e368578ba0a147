// Unit tests for splitting run-together figures (run_together.h): readings
// of hand-made digit runs, and whole hand-made tables whose rows split
// uniquely, by the table's arithmetic, or not at all.
#include "run_together.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "evidence.h"
#include "gongkai/interpret.h"
#include "gtest/gtest.h"
#include "labels.h"

namespace gongkai {
namespace {

// ---- ReadingsOf ----

std::vector<DigitRun> Runs(const std::vector<std::string>& texts) {
  std::vector<DigitRun> runs;
  size_t pos = 0;
  for (const std::string& t : texts) {
    runs.push_back({t, Span{pos, pos + t.size()}});
    pos += t.size() + 1;
  }
  return runs;
}

std::vector<std::vector<double>> Values(
    const std::vector<std::string>& texts, size_t columns,
    const std::function<bool(const std::vector<double>&)>& accept = nullptr,
    std::vector<ColumnRule> rules = {}, bool* complete_out = nullptr) {
  if (rules.empty()) rules.resize(columns);
  size_t budget = 1000000;
  bool complete = false;
  std::vector<Reading> readings =
      ReadingsOf(Runs(texts), rules, accept, 1000, &budget, &complete);
  if (complete_out != nullptr) *complete_out = complete;
  std::vector<std::vector<double>> out;
  for (const Reading& r : readings) out.push_back(r.values);
  return out;
}

bool SumsToLast(const std::vector<double>& v) {
  double s = 0;
  for (size_t i = 0; i + 1 < v.size(); ++i) s += v[i];
  return s == v.back();
}

TEST(ReadingsOf, AsManyDigitsAsColumnsIsOneReading) {
  EXPECT_EQ(Values({"000"}, 3), (std::vector<std::vector<double>>{{0, 0, 0}}));
  EXPECT_EQ(Values({"6000017"}, 7),
            (std::vector<std::vector<double>>{{6, 0, 0, 0, 0, 1, 7}}));
}

TEST(ReadingsOf, NoLeadingZeros) {
  // "100" as two figures: 10 and 0 (1 and 00 is no reading).
  EXPECT_EQ(Values({"100"}, 2), (std::vector<std::vector<double>>{{10, 0}}));
  // "05" as two: 0 and 5 only; as one: nothing.
  EXPECT_EQ(Values({"05"}, 2), (std::vector<std::vector<double>>{{0, 5}}));
  EXPECT_TRUE(Values({"05"}, 1).empty());
}

TEST(ReadingsOf, SpacesAreHardBoundaries) {
  // "500000 5": the first run holds six figures, the second one.
  EXPECT_EQ(Values({"500000", "5"}, 7),
            (std::vector<std::vector<double>>{{5, 0, 0, 0, 0, 0, 5}}));
  // More runs than columns cannot be read.
  EXPECT_TRUE(Values({"1", "2", "3"}, 2).empty());
}

TEST(ReadingsOf, TheRowTotalPicksOrLeavesAmbiguity) {
  // 15130000154: 151 3 0 0 0 0 154 is the only reading that adds up.
  EXPECT_EQ(Values({"15130000154"}, 7, SumsToLast),
            (std::vector<std::vector<double>>{{151, 3, 0, 0, 0, 0, 154}}));
  // 330000033: 33+0 and 3+30 both make 33.
  auto two = Values({"330000033"}, 7, SumsToLast);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_NE(two[0], two[1]);
}

TEST(ReadingsOf, SignsAndDecimalsOnlyWhereTheColumnTakesThem) {
  std::vector<ColumnRule> change = {{false, false}, {true, false}};
  EXPECT_EQ(Values({"35", "-15"}, 2, nullptr, change),
            (std::vector<std::vector<double>>{{35, -15}}));
  EXPECT_TRUE(Values({"35", "-15"}, 2).empty());  // no column takes -15
  std::vector<ColumnRule> money = {{false, true}};
  auto amount = Values({"4166.241619"}, 1, nullptr, money);
  ASSERT_EQ(amount.size(), 1u);
  EXPECT_DOUBLE_EQ(amount[0][0], 4166.241619);
  EXPECT_TRUE(Values({"4166.241619"}, 1).empty());  // a count has no point
  // The point sits inside one figure: 3 | 9.5 or 39 | 5.5? Only the last
  // column takes decimals here, so "39.5" reads as 3 and 9.5 alone.
  std::vector<ColumnRule> items_amount = {{false, false}, {false, true}};
  EXPECT_EQ(Values({"39.5"}, 2, nullptr, items_amount),
            (std::vector<std::vector<double>>{{3, 9.5}}));
}

TEST(ReadingsOf, SpansPointAtTheDigits) {
  size_t budget = 1000;
  bool complete = false;
  std::vector<DigitRun> runs = {{"2418", Span{100, 104}}};
  std::vector<Reading> r = ReadingsOf(runs, std::vector<ColumnRule>(2), nullptr,
                                      10, &budget, &complete);
  ASSERT_FALSE(r.empty());
  for (const Reading& x : r) {
    EXPECT_EQ(x.spans[0].begin, 100u);
    EXPECT_EQ(x.spans[0].end, x.spans[1].begin);
    EXPECT_EQ(x.spans[1].end, 104u);
  }
}

TEST(ReadingsOf, HostileRunsStopWithinTheBudget) {
  std::string ones(5000, '1');
  size_t budget = 20000;
  bool complete = true;
  std::vector<Reading> r =
      ReadingsOf(Runs({ones.substr(0, 120)}), std::vector<ColumnRule>(15),
                 SumsToLast, 64, &budget, &complete);
  EXPECT_FALSE(complete);
  EXPECT_EQ(budget, 0u);
  // A run far longer than the columns can hold has no reading at all.
  budget = 20000;
  r = ReadingsOf(Runs({ones}), std::vector<ColumnRule>(7), nullptr, 64, &budget,
                 &complete);
  EXPECT_TRUE(r.empty());
}

// ---- Whole tables through Interpret ----

// A document whose cells ran together, and the layout a crawler plugin
// gives it: a line starting with '#' is a paragraph (without the '#'); any
// other line is table text, cut into a text cell per run of non-figures and
// a cell per run of digits ("3.其他" keeps its list number as text).
struct Doc {
  std::string text;
  NormalizedText norm;
  Layout layout;
};

bool Digit(char c) { return c >= '0' && c <= '9'; }

void AddTableLine(const std::string& text, size_t pos, size_t end,
                  Table* table) {
  size_t text_begin = std::string::npos, text_end = 0;
  auto flush = [&]() {
    if (text_begin == std::string::npos) return;
    Row row;
    row.cells.push_back({text.substr(text_begin, text_end - text_begin),
                         {text_begin, text_end}});
    table->rows.push_back(row);
    text_begin = std::string::npos;
  };
  for (size_t i = pos; i < end;) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    bool figure =
        Digit(text[i]) || (text[i] == '-' && i + 1 < end && Digit(text[i + 1]));
    if (!figure) {
      if (text_begin == std::string::npos) text_begin = i;
      text_end = ++i;
      continue;
    }
    size_t j = text[i] == '-' ? i + 1 : i;
    while (j < end && (Digit(text[j]) ||
                       (text[j] == '.' && j + 1 < end && Digit(text[j + 1]))))
      ++j;
    size_t fig_end = j;
    if (j < end && text[j] == '.') --fig_end;  // a list number: "2.其他"
    if (fig_end > i) {
      flush();
      if (table->rows.empty()) table->rows.emplace_back();
      table->rows.back().cells.push_back(
          {text.substr(i, fig_end - i), {i, fig_end}});
    }
    if (fig_end < j) {
      if (text_begin == std::string::npos) text_begin = fig_end;
      text_end = j;
    }
    i = j;
  }
  flush();
}

Doc Make(const std::vector<std::string>& lines) {
  Doc d;
  for (const std::string& l : lines) {
    d.text += (l.rfind("#", 0) == 0 ? l.substr(1) : l) + "\n";
  }
  d.norm.text = d.text;
  for (size_t i = 0; i <= d.text.size(); ++i) d.norm.origin.push_back(i);
  d.layout.run_together = true;
  size_t pos = 0;
  for (const std::string& raw : lines) {
    bool para = raw.rfind("#", 0) == 0;
    size_t len = para ? raw.size() - 1 : raw.size();
    Block b;
    if (para) {
      b.span = {pos, pos + len};
    } else {
      b.kind = Block::Kind::kTable;
      AddTableLine(d.text, pos, pos + len, &b.table);
    }
    d.layout.blocks.push_back(b);
    pos += len + 1;
  }
  return d;
}

v1::Report Extract(const Doc& d) {
  v1::Report r;
  Interpret(d.text, d.norm, d.layout, &r);
  return r;
}

bool Has(const v1::Report& r, const std::string& path) {
  double v;
  return GetFigure(r, path, &v);
}

double Fig(const v1::Report& r, const std::string& path) {
  double v = -12345;
  GetFigure(r, path, &v);
  return v;
}

bool Warned(const v1::Report& r, const std::string& code,
            const std::string& path) {
  for (const auto& w : r.warnings()) {
    if (w.code() == code && w.path() == path) return true;
  }
  return false;
}

using Figures = std::vector<int>;

struct TableRow {
  std::string key, label;
  Figures figures;
};

// Section 三 of the 2021 template, figures run together after each label.
std::string ApplicationsLine(const std::vector<TableRow>& rows) {
  std::string line =
      "三、收到和处理政府信息公开申请情况申请人情况自然人法人或其他组织总计";
  for (const TableRow& r : rows) {
    line += r.label;
    for (int f : r.figures) line += std::to_string(f);
  }
  return line;
}

// A consistent table: 151+3 received, 147+1 handled, 4+2 carried forward.
// 予以公开 330000033 is 33|0|... or 3|30|... by its own row total; only
// the outcome rows' sum per column tells them apart.
std::vector<TableRow> ConsistentRows() {
  Figures zero = {0, 0, 0, 0, 0, 0, 0};
  return {
      {"new_received",
       "一、本年新收政府信息公开申请数量",
       {151, 3, 0, 0, 0, 0, 154}},
      {"carried_over", "二、上年结转政府信息公开申请数量", zero},
      {"granted", "三、本年度办理结果(一)予以公开", {33, 0, 0, 0, 0, 0, 33}},
      {"partially_granted", "(二)部分公开", {38, 0, 0, 0, 0, 0, 38}},
      {"withheld_state_secret", "(三)不予公开1.属于国家秘密", zero},
      {"withheld_prohibited_by_law", "2.其他法律行政法规禁止公开", zero},
      {"withheld_three_safeties", "3.危及“三安全一稳定”", zero},
      {"withheld_third_party", "4.保护第三方合法权益", zero},
      {"withheld_internal_affairs",
       "5.属于三类内部事务信息",
       {3, 0, 0, 0, 0, 0, 3}},
      {"withheld_process_info", "6.属于四类过程性信息", zero},
      {"withheld_enforcement_files", "7.属于行政执法案卷", zero},
      {"withheld_query_matters", "8.属于行政查询事项", zero},
      {"unavailable_not_held",
       "(四)无法提供1.本机关不掌握相关政府信息",
       {49, 1, 0, 0, 0, 0, 50}},
      {"unavailable_needs_creation", "2.没有现成信息需要另行制作", zero},
      {"unavailable_unclear", "3.补正后申请内容仍不明确", zero},
      {"rejected_complaint", "(五)不予处理1.信访举报投诉类申请", zero},
      {"rejected_duplicate", "2.重复申请", zero},
      {"rejected_publication", "3.要求提供公开出版物", zero},
      {"rejected_excessive", "4.无正当理由大量反复申请", zero},
      {"rejected_confirmation", "5.要求行政机关确认或重新出具已获取信息", zero},
      {"other_no_correction",
       "(六)其他处理1."
       "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
       zero},
      {"other_no_fee",
       "2."
       "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
       zero},
      {"other_other", "3.其他", {24, 0, 0, 0, 0, 0, 24}},
      {"total_handled", "(七)总计", {147, 1, 0, 0, 0, 0, 148}},
      {"carried_forward", "四、结转下年度继续办理", {4, 2, 0, 0, 0, 0, 6}},
  };
}

const std::vector<std::string>& Applicants() {
  static const auto* v = new std::vector<std::string>{
      "natural_person", "commercial", "research", "social_welfare",
      "legal_services", "other_org",  "total"};
  return *v;
}

// The 2021 template's header words, so the template is told.
const char kProactive2021[] =
    "二、主动公开政府信息情况第二十条第(一)项信息内容本年制发件数本年废止件数"
    "现行有效件数规章000行政规范性文件5845546第二十条第(五)项信息内容"
    "本年处理决定数量行政许可2418第二十条第(八)项信息内容本年收费金额(单位:"
    "万元)行政事业性收费4166.241619";

TEST(SplitRunTogether, ArithmeticOfTheWholeTableFixesEveryRow) {
  std::vector<TableRow> rows = ConsistentRows();
  Doc d = Make({"#一、总体情况 本年度我区收到申请154件。", kProactive2021,
                ApplicationsLine(rows),
                "四、政府信息公开行政复议、行政诉讼情况行政复议结果维持总计"
                "25380363300630003",
                "#五、存在的主要问题及改进情况 无。"});
  v1::Report r = Extract(d);
  EXPECT_EQ(r.template_(), v1::TEMPLATE_2021);
  for (const TableRow& row : rows) {
    for (size_t c = 0; c < Applicants().size(); ++c) {
      std::string path =
          absl::StrCat("applications.", row.key, ".", Applicants()[c]);
      ASSERT_TRUE(Has(r, path)) << path;
      EXPECT_EQ(Fig(r, path), row.figures[c]) << path;
    }
  }
  // 330000033 needed the columns' sums; 6000...: the digits alone.
  EXPECT_TRUE(Warned(r, "split_by_arithmetic", "applications.granted"));
  EXPECT_FALSE(Warned(r, "split_by_arithmetic", "applications.carried_over"));
  // Section 二: 000 is three zeros, 2418 one figure, 5845546 anything.
  EXPECT_EQ(Fig(r, "proactive.regulations.repealed"), 0);
  EXPECT_EQ(Fig(r, "proactive.licensing.decisions"), 2418);
  EXPECT_DOUBLE_EQ(Fig(r, "proactive.fees.amount_10k_yuan"), 4166.241619);
  EXPECT_FALSE(Has(r, "proactive.normative_documents.issued"));
  EXPECT_FALSE(Has(r, "proactive.normative_documents.in_force"));
  EXPECT_TRUE(Warned(r, "split_ambiguous", "proactive.normative_documents"));
  // Section 四 by its group totals: 25+3+8+0=36, 3+3+0+0=6, 3+0+0+0=3.
  EXPECT_EQ(Fig(r, "reviews.administrative_review.upheld"), 25);
  EXPECT_EQ(Fig(r, "reviews.administrative_review.total"), 36);
  EXPECT_EQ(Fig(r, "reviews.litigation_direct.total"), 6);
  EXPECT_EQ(Fig(r, "reviews.litigation_after_review.upheld"), 3);
  EXPECT_TRUE(Warned(r, "split_by_arithmetic", "reviews"));
  // The prose around the tables stays prose, under its heading.
  EXPECT_NE(r.overview().find("154件"), std::string::npos);
  // Evidence points at the digits themselves.
  bool found = false;
  for (const auto& e : r.evidence()) {
    if (e.path() == "applications.granted.natural_person") {
      EXPECT_EQ(e.text(), "33");
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST(SplitRunTogether, BrokenArithmeticIsNotTrusted) {
  // 重复申请 3 is stated (seven digits, seven figures) but missing from the
  // total: the outcome rows no longer add up, so their sum must not pick
  // 予以公开's split. Row totals still hold and still decide other rows.
  std::vector<TableRow> rows = ConsistentRows();
  for (TableRow& row : rows) {
    if (row.key == "rejected_duplicate") row.figures = {3, 0, 0, 0, 0, 0, 3};
  }
  Doc d = Make({kProactive2021, ApplicationsLine(rows)});
  v1::Report r = Extract(d);
  for (const std::string& c : Applicants()) {
    EXPECT_FALSE(Has(r, "applications.granted." + c)) << c;
  }
  EXPECT_TRUE(Warned(r, "split_ambiguous", "applications.granted"));
  EXPECT_EQ(Fig(r, "applications.rejected_duplicate.natural_person"), 3);
  EXPECT_EQ(Fig(r, "applications.new_received.natural_person"), 151);
  EXPECT_EQ(Fig(r, "applications.total_handled.total"), 148);
  EXPECT_EQ(Fig(r, "applications.partially_granted.total"), 38);
}

TEST(SplitRunTogether, TwoRowsAmbiguousTogetherStayAbsent) {
  // 予以公开 and 本机关不掌握 each read two ways; if the sums allow both
  // pairings, neither row is read. Here 33|0 / 3|30 against 30|3 / 3|30...
  // 330000033 and 330000033 again: swapping the natural person / business
  // split between the two rows keeps every column sum.
  std::vector<TableRow> rows = ConsistentRows();
  for (TableRow& row : rows) {
    if (row.key == "unavailable_not_held") {
      row.figures = {3, 30, 0, 0, 0, 0, 33};
    }
    if (row.key == "other_other") row.figures = {70, 0, 0, 0, 0, 0, 70};
    if (row.key == "total_handled") {
      row.figures = {33 + 38 + 3 + 3 + 70, 30, 0, 0, 0, 0, 177};
    }
    if (row.key == "new_received") row.figures = {151, 32, 0, 0, 0, 0, 183};
  }
  Doc d = Make({kProactive2021, ApplicationsLine(rows)});
  v1::Report r = Extract(d);
  EXPECT_FALSE(Has(r, "applications.granted.natural_person"));
  EXPECT_FALSE(Has(r, "applications.unavailable_not_held.natural_person"));
  EXPECT_TRUE(Warned(r, "split_ambiguous", "applications.granted"));
  EXPECT_TRUE(
      Warned(r, "split_ambiguous", "applications.unavailable_not_held"));
  EXPECT_EQ(Fig(r, "applications.partially_granted.natural_person"), 38);
}

TEST(SplitRunTogether, Template2019ItemsAndChanges) {
  Doc d = Make(
      {"二、主动公开政府信息情况第二十条第(一)"
       "项信息内容本年新制作数量本年新公开数量"
       "对外公开总数量规章007第二十条第(五)项信息内容上一年项目数量本年增/减"
       "处理决定数量行政许可100第二十条第(六)项信息内容上一年项目数量本年增/减"
       "处理决定数量行政处罚2648-18538第二十条第(八)项信息内容上一年项目数量"
       "本年增/减行政事业性收费35-15",
       "三、收到和处理政府信息公开申请情况一、本年新收政府信息公开申请数量200 "
       "000121"});
  v1::Report r = Extract(d);
  EXPECT_EQ(r.template_(), v1::TEMPLATE_2019);
  EXPECT_EQ(Fig(r, "proactive.regulations.total_published"), 7);
  // 100 as three figures is 1 0 0 only.
  EXPECT_EQ(Fig(r, "proactive.licensing.prev_year_items"), 1);
  EXPECT_EQ(Fig(r, "proactive.fees.prev_year_items"), 35);
  EXPECT_EQ(Fig(r, "proactive.fees.change"), -15);
  EXPECT_FALSE(Has(r, "proactive.penalty.prev_year_items"));
  EXPECT_TRUE(Warned(r, "split_ambiguous", "proactive.penalty"));
  // "200 000121": the space is a boundary; the row total does the rest.
  EXPECT_EQ(Fig(r, "applications.new_received.natural_person"), 20);
  EXPECT_EQ(Fig(r, "applications.new_received.other_org"), 1);
  EXPECT_EQ(Fig(r, "applications.new_received.total"), 21);
}

TEST(SplitRunTogether, NonstandardReportsYieldNoFigures) {
  Doc d = Make({"#一、概述",
                "六、政府信息公开情况统计表主动公开文件数条212210037"
                "行政许可类信息15"});
  v1::Report r = Extract(d);
  EXPECT_EQ(r.template_(), v1::TEMPLATE_NONSTANDARD);
  for (const auto& e : r.evidence()) {
    EXPECT_TRUE(e.path().rfind("proactive", 0) != 0 &&
                e.path().rfind("applications", 0) != 0)
        << e.path();
  }
}

TEST(SplitRunTogether, HostileInputIsBounded) {
  // A long single line of template rows with long digit runs, and one row
  // whose digits never end: finishes (the budget bounds the work; a blow-up
  // would not end within ctest's timeout) and reads nothing wrong.
  std::string line = kProactive2021;
  line += "三、收到和处理政府信息公开申请情况";
  for (int i = 0; i < 20000; ++i) {
    line += "(一)予以公开1234567890123456789012345";
    line += "(七)总计";
    line += std::string(40, '1');
  }
  line += "一、本年新收政府信息公开申请数量" + std::string(1 << 20, '7');
  Doc d = Make({line});
  v1::Report r = Extract(d);
  EXPECT_FALSE(Has(r, "applications.granted.total"));
  EXPECT_FALSE(Has(r, "applications.new_received.total"));
}

}  // namespace
}  // namespace gongkai
