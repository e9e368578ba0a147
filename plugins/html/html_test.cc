// Unit tests for the html plugin, loaded through the host: detection, the
// layout it emits for small pages (rowspan/colspan, <br> in cells, scripts,
// comments, hidden and navigation blocks, layout tables), spans into the
// text, whole reports through the pipeline -- in UTF-8 and in GBK -- and
// hostile input.
#include <iconv.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gongkai/pipeline.h"
#include "gongkai/plugin_host.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "gtest/gtest.h"

namespace gongkai {
namespace {

class HtmlPlugin : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(
        registry_
            .LoadFile(std::string(GONGKAI_PLUGIN_DIR) + "/libgongkai_html.so")
            .ok());
  }

  Layout Read(const std::string& page) {
    absl::StatusOr<Layout> layout = registry_.Extract("html", page);
    EXPECT_TRUE(layout.ok()) << layout.status();
    return layout.ok() ? *layout : Layout();
  }

  int Score(const std::string& text) {
    for (const PluginScore& s : registry_.Detect(text)) {
      if (s.name == "html") return s.score;
    }
    return -1;
  }

  PluginRegistry registry_;
};

// The layout as lines: "P:text" for a paragraph, "T" for a table start,
// then "R:[a][b]" per row.
std::vector<std::string> Lines(const Layout& layout, const std::string& text) {
  std::vector<std::string> out;
  for (const Block& b : layout.blocks) {
    if (b.kind == Block::Kind::kParagraph) {
      out.push_back("P:" +
                    (b.text.empty()
                         ? text.substr(b.span.begin, b.span.end - b.span.begin)
                         : b.text));
      continue;
    }
    out.push_back("T");
    for (const Row& r : b.table.rows) {
      std::string line = "R:";
      for (const Cell& c : r.cells) line += "[" + c.text + "]";
      out.push_back(line);
    }
  }
  return out;
}

std::vector<std::string> Tables(const Layout& layout, const std::string& text) {
  std::vector<std::string> out;
  for (const std::string& l : Lines(layout, text)) {
    if (l[0] != 'P') out.push_back(l);
  }
  return out;
}

TEST_F(HtmlPlugin, DetectsPagesNotText) {
  EXPECT_GE(Score("<!DOCTYPE html>\n<html><body><p>x</p></body></html>"), 90);
  EXPECT_GE(Score("  <HTML><body>报告</body></HTML>"), 90);
  EXPECT_GE(Score("<?xml version=\"1.0\"?>\n<html xmlns=\"x\"><body/></html>"),
            90);
  // A fragment saved without <html>: many structural tags.
  std::string fragment = "<div class=\"a\">";
  for (int i = 0; i < 10; ++i) fragment += "<p>一段</p><table><tr><td>1</td>";
  EXPECT_GE(Score(fragment), 70);
  // Text, Markdown with a few inline tags, a pipe table.
  EXPECT_EQ(Score("一、总体情况\n2025年，我区收到申请154件。\n"), 0);
  EXPECT_EQ(Score("| 行政许可<br>事项 | 2418 |\n|---|---|\n| a<br>b | 1 |\n"),
            0);
  EXPECT_EQ(Score("见 <附件> 与 <p> 标签说明\n行政许可\t2418\n"), 0);
}

// Every kind of trap at once: a head, a script holding a fake table in a
// string, a comment holding one, hidden blocks, navigation.
const char kChrome[] =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
    "<title>页面标题</title><style>td{color:red}</style>"
    "<script>var t = \"<table><tr><td>假</td><td>9</td></tr></table>\";"
    "document.write('<p>脚本</p>');</script></head>\n<body>\n"
    "<div class=\"top-nav\"><a href=\"/\">首页</a> <a href=\"/a\">要闻</a> "
    "<a href=\"/b\">政务公开</a></div>\n"
    "<ul><li><a href=\"/1\">机构概况</a></li><li><a href=\"/2\">政策文件</a>"
    "</li><li><a href=\"/3\">办事服务</a></li></ul>\n"
    "<!-- <table><tr><td>注释</td><td>8</td></tr></table> -->\n"
    "<div style=\"display: none\"><table><tr><td>隐藏</td><td>7</td></tr>"
    "</table></div>\n"
    "<h1>某某县2025年度政府信息公开工作年度报告</h1>\n"
    "<p>第一段<span>接着</span>&nbsp;<b>A&amp;B</b></p>"
    "<p>行一<br>行二<br/>行三</p>\n"
    "<div>直接的文字<p>段中段</p>尾巴</div>\n"
    "<noscript><p>请启用脚本</p></noscript>\n"
    "<div class=\"footer\">主办单位：某某县人民政府 地址：某某路1号</div>\n"
    "</body></html>\n";

TEST_F(HtmlPlugin, ParagraphsInOrderWithoutChrome) {
  std::string page = kChrome;
  Layout layout = Read(page);
  EXPECT_TRUE(layout.markup);
  EXPECT_EQ(Lines(layout, page),
            (std::vector<std::string>{
                "P:页面标题", "P:某某县2025年度政府信息公开工作年度报告",
                "P:第一段接着 A&B", "P:行一", "P:行二", "P:行三",
                "P:直接的文字", "P:段中段", "P:尾巴"}));
}

TEST_F(HtmlPlugin, ParagraphSpansCoverTheirSource) {
  std::string page = kChrome;
  Layout layout = Read(page);
  ASSERT_GE(layout.blocks.size(), 4u);
  auto source = [&](const Block& b) {
    return page.substr(b.span.begin, b.span.end - b.span.begin);
  };
  EXPECT_EQ(source(layout.blocks[0]), "页面标题");
  EXPECT_EQ(source(layout.blocks[1]), "某某县2025年度政府信息公开工作年度报告");
  EXPECT_EQ(source(layout.blocks[2]),
            "第一段<span>接着</span>&nbsp;<b>A&amp;B");
  EXPECT_EQ(source(layout.blocks[3]), "行一");
}

// The applications table's header and first rows, as agencies publish it:
// a corner cell spanning three rows and columns, a label spanning 22 rows,
// labels wrapped with <p> and <br>, &nbsp; for an empty cell.
const char kSpans[] =
    "<html><body><table border=\"1\"><tbody>"
    "<tr><td colspan=\"3\" rowspan=\"3\"><p>（本列数据的勾稽关系）</p></td>"
    "<td colspan=\"7\">申请人情况</td></tr>"
    "<tr><td rowspan=\"2\">自然人</td><td colspan=\"5\">法人或其他组织</td>"
    "<td rowspan=\"2\">总计</td></tr>"
    "<tr><td><p>商业</p><p>企业</p></td><td>科研<br>机构</td>"
    "<td>社会<br/>公益<br>组织</td><td>法律\n      "
    "服务机构</td><td>其他</td></tr>"
    "<tr><td rowspan=\"22\"><p>三、本</p><p>年度办</p><p>理结果</p></td>"
    "<td colspan=\"2\">（一）予以公开</td><td>33</td><td>0</td><td>&nbsp;</td>"
    "<td></td><td>0</td><td>0</td><td>33</td></tr>"
    "<tr><td rowspan=\"8\">（三）不予公开</td><td>1.属于国家秘密</td>"
    "<td> 1 </td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td>"
    "<td>1</td></tr>"
    "<tr><td>2.其他法律<br>行政法规禁止公开</td><td>2</td><td>0</td><td>0</td>"
    "<td>0</td><td>0</td><td>0</td><td>2</td></tr>"
    "<tr><td>Total<br>count</td><td>12<br>34</td></tr>"
    "</tbody></table></body></html>";

TEST_F(HtmlPlugin, RowspanAndColspanCellsStandOnceWhereTheyStart) {
  std::string page = kSpans;
  Layout layout = Read(page);
  EXPECT_EQ(Tables(layout, page),
            (std::vector<std::string>{
                "T", "R:[(本列数据的勾稽关系)][申请人情况]",
                "R:[自然人][法人或其他组织][总计]",
                "R:[商业企业][科研机构][社会公益组织][法律服务机构][其他]",
                "R:[三、本年度办理结果][(一)予以公开][33][0][][][0][0][33]",
                "R:[(三)不予公开][1.属于国家秘密][1][0][0][0][0][0][1]",
                "R:[2.其他法律行政法规禁止公开][2][0][0][0][0][0][2]",
                // Latin words and figures split by <br> keep a space.
                "R:[Total count][12 34]"}));
}

TEST_F(HtmlPlugin, CellSpansPointAtTheirText) {
  std::string page = kSpans;
  Layout layout = Read(page);
  ASSERT_EQ(layout.blocks.size(), 1u);
  const Table& t = layout.blocks[0].table;
  ASSERT_GE(t.rows.size(), 5u);
  auto source = [&](const Cell& c) {
    return page.substr(c.span.begin, c.span.end - c.span.begin);
  };
  // A plain cell: exactly its text; " 1 " without its spaces.
  EXPECT_EQ(source(t.rows[3].cells[2]), "33");
  EXPECT_EQ(source(t.rows[4].cells[2]), "1");
  // A cell assembled from pieces covers them all.
  EXPECT_EQ(source(t.rows[3].cells[0]), "三、本</p><p>年度办</p><p>理结果");
  EXPECT_EQ(source(t.rows[2].cells[2]), "社会<br/>公益<br>组织");
  // Empty cells sit where the cell is, with nothing in them.
  for (int i : {4, 5}) {
    const Cell& c = t.rows[3].cells[i];
    EXPECT_EQ(c.text, "");
    EXPECT_EQ(c.span.begin, c.span.end);
    EXPECT_LT(c.span.begin, page.size());
  }
  EXPECT_EQ(page.substr(t.rows[3].cells[5].span.begin, 5), "</td>");
}

// A portal page: a layout table with a link column beside the article,
// whose data tables are nested in its cells.
const char kNested[] =
    "<html><body><table width=\"100%\"><tr>"
    "<td width=\"20%\"><a href=\"1\">栏目一</a><br><a href=\"2\">栏目二</a>"
    "<br><a href=\"3\">栏目三</a></td>"
    "<td><p>二、主动公开政府信息情况</p>"
    "<table><tr><td>行政许可</td><td>2418</td></tr>"
    "<tr><td>行政处罚</td><td>644</td></tr></table>"
    "<p>三、收到和处理政府信息公开申请情况</p>"
    "<table><tr><td>自然人</td><td>总计</td></tr></table>"
    "</td></tr></table>"
    // One cell per row: a frame around text, not a table of figures.
    "<table><tr><td><p>五、存在的主要问题</p></td></tr>"
    "<tr><td>问题一。</td></tr></table></body></html>";

TEST_F(HtmlPlugin, LayoutTablesAreContainers) {
  std::string page = kNested;
  Layout layout = Read(page);
  EXPECT_EQ(
      Lines(layout, page),
      (std::vector<std::string>{
          "P:二、主动公开政府信息情况", "T", "R:[行政许可][2418]",
          "R:[行政处罚][644]", "P:三、收到和处理政府信息公开申请情况", "T",
          "R:[自然人][总计]", "P:五、存在的主要问题", "P:问题一。"}));
}

TEST_F(HtmlPlugin, UppercaseTagsImpliedEndsAndPageFooters) {
  std::string page =
      "<HTML><BODY><H2>标题</H2><TABLE><TR><TH>信息内容<TD>本年处理决定数量"
      "<TR><TD>行政许可<TD>5</TABLE><P>正文一<P>正文二"
      "<article><p>文章</p><footer>某某县人民政府<br>2026年1月20日</footer>"
      "</article><footer>版权所有 <p>2099年1月1日</p></footer></BODY></HTML>";
  Layout layout = Read(page);
  EXPECT_EQ(Lines(layout, page),
            (std::vector<std::string>{
                "P:标题", "T", "R:[信息内容][本年处理决定数量]",
                "R:[行政许可][5]", "P:正文一", "P:正文二", "P:文章",
                "P:某某县人民政府", "P:2026年1月20日"}));
}

// What Word's "save as web page" leaves: conditional markup, o:p.
TEST_F(HtmlPlugin, WordHtmlLeavesNoMarkupInText) {
  std::string page =
      "<html><body><div class=WordSection1><p class=MsoNormal><b><span>某某县"
      "<span lang=EN-US>2025</span>年度报告<o:p></o:p></span></b></p>"
      "<table class=MsoNormalTable border=1><tr><td><p>行政许可</p></td>"
      "<td><p><span lang=EN-US>2418<o:p></o:p></span></p></td></tr>\n"
      " <![if !supportMisalignedColumns]>\n <tr height=0><td></td><td></td>"
      "</tr>\n <![endif]>\n</table>"
      "<p>图<![if !vml]><img src=\"a.png\"><![endif]>一</p></div>"
      "</body></html>";
  Layout layout = Read(page);
  EXPECT_EQ(
      Lines(layout, page),
      (std::vector<std::string>{"P:某某县2025年度报告", "T",
                                "R:[行政许可][2418]", "R:[][]", "P:图一"}));
}

TEST_F(HtmlPlugin, EntitiesFoldLikeTheHostNormalizes) {
  std::string page =
      "<html><body><table><tr><td>&#65288;一&#65289;予以公开&#12288;</td>"
      "<td>&#x33;&#51;</td><td>a&zwj;b&#8203;c</td></tr></table>"
      "<p>&ldquo;三安全一稳定&rdquo;</p></body></html>";
  Layout layout = Read(page);
  EXPECT_EQ(Lines(layout, page),
            (std::vector<std::string>{"T", "R:[(一)予以公开][33][abc]",
                                      "P:“三安全一稳定”"}));
  // An entity-only cell still points at its source.
  const Cell& c = layout.blocks[0].table.rows[0].cells[1];
  EXPECT_EQ(page.substr(c.span.begin, c.span.end - c.span.begin),
            "&#x33;&#51;");
}

// ---- Whole reports through the pipeline ----

// A 2021-template report in HTML; the figures follow from each row's
// index, so every one of them can be checked.
const char* const kApplicationRows[] = {"new_received",
                                        "carried_over",
                                        "granted",
                                        "partially_granted",
                                        "withheld_state_secret",
                                        "withheld_prohibited_by_law",
                                        "withheld_three_safeties",
                                        "withheld_third_party",
                                        "withheld_internal_affairs",
                                        "withheld_process_info",
                                        "withheld_enforcement_files",
                                        "withheld_query_matters",
                                        "unavailable_not_held",
                                        "unavailable_needs_creation",
                                        "unavailable_unclear",
                                        "rejected_complaint",
                                        "rejected_duplicate",
                                        "rejected_publication",
                                        "rejected_excessive",
                                        "rejected_confirmation",
                                        "other_no_correction",
                                        "other_no_fee",
                                        "other_other",
                                        "total_handled",
                                        "carried_forward"};
const char* const kColumns[] = {"natural_person", "commercial",     "research",
                                "social_welfare", "legal_services", "other_org",
                                "total"};

int Expected(int row, int column) {
  if (column == 6) {
    int sum = 0;
    for (int c = 0; c < 6; ++c) sum += Expected(row, c);
    return sum;
  }
  return (row * 7 + column * 3) % 11 * (column == 0 ? 13 : 1);
}

std::string Td(const std::string& text, const std::string& attrs = "") {
  return "<td" + (attrs.empty() ? "" : " " + attrs) + "><p>" + text +
         "</p></td>";
}

std::string Figures(int row) {
  std::string out;
  for (int c = 0; c < 7; ++c) out += Td(std::to_string(Expected(row, c)));
  return out + "</tr>\n";
}

std::string Report(const std::string& charset) {
  // The first cell of each application row, in template order ("" where a
  // row-spanning label of an earlier row covers it).
  const std::vector<std::string> labels = {
      Td("一、本年新收政府信息公开申请数量", "colspan=\"3\""),
      Td("二、上年结转政府信息公开申请数量", "colspan=\"3\""),
      Td("三、本<br>年度办<br>理结果", "rowspan=\"22\"") +
          Td("（一）予以公开", "colspan=\"2\""),
      Td("（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
         "colspan=\"2\""),
      Td("（三）不予公开", "rowspan=\"8\"") + Td("1.属于国家秘密"),
      Td("2.其他法律行政法规禁止公开"),
      Td("3.危及&ldquo;三安全一稳定&rdquo;"),
      Td("4.保护第三方合法权益"),
      Td("5.属于三类内部事务信息"),
      Td("6.属于四类过程性信息"),
      Td("7.属于行政执法案卷"),
      Td("8.属于行政查询事项"),
      Td("（四）无法提供", "rowspan=\"3\"") + Td("1.本机关不掌握相关政府信息"),
      Td("2.没有现成信息需要另行制作"),
      Td("3.补正后申请内容仍不明确"),
      Td("（五）不予处理", "rowspan=\"5\"") + Td("1.信访举报投诉类申请"),
      Td("2.重复申请"),
      Td("3.要求提供公开出版物"),
      Td("4.无正当理由大量反复申请"),
      Td("5.要求行政机关确认或重新出具已获取信息"),
      Td("（六）其他处理", "rowspan=\"3\"") +
          Td("1.申请人无正当理由逾期不补正、行政机关<br>"
             "不再处理其政府信息公开申请"),
      Td("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息"
         "公开申请"),
      Td("3.其他"),
      Td("（七）总计", "colspan=\"2\""),
      Td("四、结转下年度继续办理", "colspan=\"3\"")};
  std::string applications =
      "<table border=\"1\"><tbody>\n<tr>" +
      Td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
         "colspan=\"3\" rowspan=\"3\"") +
      Td("申请人情况", "colspan=\"7\"") + "</tr>\n<tr>" +
      Td("自然人", "rowspan=\"2\"") + Td("法人或其他组织", "colspan=\"5\"") +
      Td("总计", "rowspan=\"2\"") + "</tr>\n<tr>" + Td("商业<br>企业") +
      Td("科研<br>机构") + Td("社会<br>公益<br>组织") +
      Td("法律<br>服务<br>机构") + Td("其他") + "</tr>\n";
  for (size_t i = 0; i < labels.size(); ++i) {
    applications += "<tr>" + labels[i] + Figures(static_cast<int>(i));
  }
  applications += "</tbody></table>\n";
  std::string reviews = "<table border=\"1\"><tr>" +
                        Td("行政复议", "colspan=\"5\"") +
                        Td("行政诉讼", "colspan=\"10\"") + "</tr><tr>";
  for (const char* h : {"结果维持", "结果纠正", "其他结果", "尚未审结"})
    reviews += Td(h, "rowspan=\"2\"");
  reviews += Td("总计", "rowspan=\"2\"") +
             Td("未经复议直接起诉", "colspan=\"5\"") +
             Td("复议后起诉", "colspan=\"5\"") + "</tr><tr>";
  for (int g = 0; g < 2; ++g) {
    for (const char* h :
         {"结果<br/>维持", "结果<br/>纠正", "其他<br/>结果", "尚未<br/>审结"})
      reviews += Td(h);
    reviews += Td("总计");
  }
  reviews += "</tr><tr>";
  for (int i = 0; i < 15; ++i) reviews += Td(std::to_string(i + 1));
  reviews += "</tr></table>\n";
  return "<!DOCTYPE html>\n<html><head><meta charset=\"" + charset +
         "\"><title>某某县2025年度政府信息公开工作年度报告_某某县人民政府"
         "</title>\n<script>var fake = \"<table><tr><td>行政许可</td>"
         "<td>999</td></tr></table>\";</script></head>\n<body>\n"
         "<div class=\"nav\"><a href=\"/\">首页</a> | <a href=\"/x\">政务公开"
         "</a> | <a href=\"/y\">年度报告</a></div>\n"
         "<div class=\"crumb\">当前位置：<a href=\"/\">首页</a> &gt; "
         "<a href=\"/x\">政务公开</a> &gt; <a href=\"/y\">年度报告</a>"
         "</div>\n"
         "<table width=\"1000\" align=\"center\"><tr><td>\n"
         "<div class=\"title border-bottom\">"
         "某某县2025年度政府信息公开工作年度报告</div>\n"
         "<div class=\"info\">发布时间：2026-01-20 10:00 来源：县政府办"
         "</div>\n"
         "<div class=\"content\">\n"
         "<p>本报告所列数据统计期限为2025年1月1日至2025年12月31日。如对本报告"
         "有疑问，请与某某县人民政府办公室联系（地址：某某县人民路1号；"
         "邮编：350400；电话：0591-12345678）。</p>\n"
         "<p>一、总体情况&nbsp;</p><p>2025年，某某县收到申请154件。</p>\n"
         "<p><strong>二、主动公开政府信息情况</strong></p>\n"
         "<table border=\"1\"><tbody>"
         "<tr>" +
         Td("第二十条第（一）项", "colspan=\"4\"") +
         "</tr>"
         "<tr>" +
         Td("信息内容") + Td("本年制发件数") + Td("本年废止件数") +
         Td("现行有效件数") +
         "</tr>"
         "<tr>" +
         Td("规章") + Td("1") + Td("2") + Td("3") +
         "</tr>"
         "<tr>" +
         Td("行政规范性文件") + Td("58") + Td("45") + Td("546") +
         "</tr>"
         "<tr>" +
         Td("第二十条第（五）项", "colspan=\"4\"") +
         "</tr>"
         "<tr>" +
         Td("信息内容") + Td("本年处理决定数量", "colspan=\"3\"") +
         "</tr>"
         "<tr>" +
         Td("行政许可") + Td("2418", "colspan=\"3\"") +
         "</tr>"
         "<tr>" +
         Td("第二十条第（六）项", "colspan=\"4\"") +
         "</tr>"
         "<tr>" +
         Td("信息内容") + Td("本年处理决定数量", "colspan=\"3\"") +
         "</tr>"
         "<tr>" +
         Td("行政处罚") + Td("644", "colspan=\"3\"") +
         "</tr>"
         "<tr>" +
         Td("行政强制") + Td("64", "colspan=\"3\"") +
         "</tr>"
         "<tr>" +
         Td("第二十条第（八）项", "colspan=\"4\"") +
         "</tr>"
         "<tr>" +
         Td("信息内容") + Td("本年收费金额（单位：万元）", "colspan=\"3\"") +
         "</tr>"
         "<tr>" +
         Td("行政事业性收费") + Td("4166.241619", "colspan=\"3\"") +
         "</tr></tbody></table>\n"
         "<p>三、收到和处理政府信息公开申请情况</p>\n" +
         applications + "<p>四、政府信息公开行政复议、行政诉讼情况</p>\n" +
         reviews +
         "<p>五、存在的主要问题及改进情况</p><p>队伍建设有待加强。</p>\n"
         "<p>六、其他需要报告的事项</p><p>无。</p>\n"
         "<p style=\"text-align:right\">某某县人民政府办公室</p>\n"
         "<p style=\"text-align:right\">2026年1月20日</p>\n"
         "</div>\n"
         "<div class=\"share\">分享到：<a>微信</a><a>微博</a></div>\n"
         "</td></tr></table>\n"
         "<div class=\"footer\"><p>主办：某某县人民政府办公室</p>"
         "<p>地址：另一条路99号 电话：0591-00000000</p>"
         "<p>网站标识码：3501000000 闽ICP备00000000号</p></div>\n"
         "<div id=\"bottom_box\"><p>最后更新：2099年1月1日</p></div>\n"
         "<script>document.write('<p>2099年1月1日</p>');</script>\n"
         "</body></html>\n";
}

// A figure of the report by its contract path, or -1 if absent.
double Figure(const v1::Report& report, const std::string& path) {
  const google::protobuf::Message* m = &report;
  size_t from = 0;
  while (true) {
    size_t dot = path.find('.', from);
    std::string name = path.substr(from, dot - from);
    const auto* f = m->GetDescriptor()->FindFieldByName(name);
    if (f == nullptr) return -2;
    const auto* r = m->GetReflection();
    if (dot == std::string::npos) {
      if (!r->HasField(*m, f)) return -1;
      return f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_DOUBLE
                 ? r->GetDouble(*m, f)
                 : r->GetInt32(*m, f);
    }
    m = &r->GetMessage(*m, f);
    from = dot + 1;
  }
}

void ExpectAllFigures(const v1::Report& r) {
  for (size_t row = 0; row < std::size(kApplicationRows); ++row) {
    for (int c = 0; c < 7; ++c) {
      std::string path = std::string("applications.") + kApplicationRows[row] +
                         "." + kColumns[c];
      EXPECT_EQ(Figure(r, path), Expected(static_cast<int>(row), c)) << path;
    }
  }
  EXPECT_EQ(Figure(r, "proactive.regulations.issued"), 1);
  EXPECT_EQ(Figure(r, "proactive.regulations.in_force"), 3);
  EXPECT_EQ(Figure(r, "proactive.normative_documents.repealed"), 45);
  EXPECT_EQ(Figure(r, "proactive.licensing.decisions"), 2418);
  EXPECT_EQ(Figure(r, "proactive.penalty.decisions"), 644);
  EXPECT_EQ(Figure(r, "proactive.coercion.decisions"), 64);
  EXPECT_DOUBLE_EQ(Figure(r, "proactive.fees.amount_10k_yuan"), 4166.241619);
  const char* const groups[] = {"administrative_review", "litigation_direct",
                                "litigation_after_review"};
  const char* const outcomes[] = {"upheld", "corrected", "other", "pending",
                                  "total"};
  for (int g = 0; g < 3; ++g) {
    for (int o = 0; o < 5; ++o) {
      std::string path =
          std::string("reviews.") + groups[g] + "." + outcomes[o];
      EXPECT_EQ(Figure(r, path), g * 5 + o + 1) << path;
    }
  }
}

TEST_F(HtmlPlugin, WholeReportFromAPortalPage) {
  std::string page = Report("utf-8");
  Pipeline pipeline(&registry_);
  absl::StatusOr<v1::Report> r = pipeline.Extract(page, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->source_format(), "html");
  EXPECT_EQ(r->template_(), v1::TEMPLATE_2021);
  EXPECT_EQ(r->agency(), "某某县");
  EXPECT_EQ(r->year(), 2025);
  EXPECT_EQ(r->published_on(), "2026-01-20");
  EXPECT_EQ(r->contact().address(), "某某县人民路1号");
  EXPECT_EQ(r->contact().phone(), "0591-12345678");
  EXPECT_EQ(r->overview(), "2025年,某某县收到申请154件。");
  ExpectAllFigures(*r);
  // Evidence points at the figure in the caller's bytes.
  int checked = 0;
  for (const v1::Evidence& e : r->evidence()) {
    if (e.path() == "proactive.licensing.decisions") {
      EXPECT_EQ(page.substr(e.begin(), e.end() - e.begin()), "2418");
      EXPECT_EQ(e.text(), "2418");
      ++checked;
    }
    if (e.path() == "agency") {
      EXPECT_EQ(page.substr(e.begin(), e.end() - e.begin()), "某某县");
      ++checked;
    }
  }
  EXPECT_EQ(checked, 2);
}

// glibc's iconv: UTF-8 to GBK, as an agency's server would send the page.
std::string ToGbk(const std::string& utf8) {
  iconv_t cd = iconv_open("GBK", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) return "";
  std::string out(utf8.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  size_t in_left = utf8.size();
  char* o = out.data();
  size_t out_left = out.size();
  size_t rc = iconv(cd, &in, &in_left, &o, &out_left);
  iconv_close(cd);
  if (rc == static_cast<size_t>(-1)) return "";
  out.resize(out.size() - out_left);
  return out;
}

TEST_F(HtmlPlugin, GbkPagesGiveTheSameReport) {
  Pipeline pipeline(&registry_);
  absl::StatusOr<v1::Report> utf8 = pipeline.Extract(Report("utf-8"), {});
  ASSERT_TRUE(utf8.ok()) << utf8.status();
  // Declared as GBK, and mislabelled as UTF-8 (a page re-encoded without
  // its <meta> being updated).
  for (const std::string& declared :
       {std::string("gbk"), std::string("utf-8")}) {
    SCOPED_TRACE(declared);
    std::string gbk = ToGbk(Report(declared));
    ASSERT_FALSE(gbk.empty());
    absl::StatusOr<v1::Report> r = pipeline.Extract(gbk, {});
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->source_format(), "html");
    EXPECT_TRUE(r->charset() == "GBK" || r->charset() == "GB18030")
        << r->charset();
    EXPECT_EQ(r->agency(), utf8->agency());
    EXPECT_EQ(r->year(), utf8->year());
    EXPECT_EQ(r->published_on(), utf8->published_on());
    EXPECT_EQ(r->template_(), v1::TEMPLATE_2021);
    ExpectAllFigures(*r);
    for (const v1::Evidence& e : r->evidence()) {
      if (e.path() == "proactive.penalty.decisions") {
        EXPECT_EQ(gbk.substr(e.begin(), e.end() - e.begin()), "644");
      }
    }
  }
}

// A saved fragment whose body has no heading: the <title> names the report.
TEST_F(HtmlPlugin, TitleInTheHeadNamesTheReport) {
  std::string page =
      "<html><head><title>测试市2024年政府信息公开工作年度报告</title>"
      "</head><body><div id=\"zoom\"><p>一、总体情况</p><p>正文。</p>"
      "<p>二、主动公开政府信息情况</p><table><tr><td>信息内容</td>"
      "<td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>"
      "<tr><td>规章</td><td>3</td><td>5</td><td>74</td></tr></table>"
      "</div></body></html>";
  Pipeline pipeline(&registry_);
  absl::StatusOr<v1::Report> r = pipeline.Extract(page, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->agency(), "测试市");
  EXPECT_EQ(r->year(), 2024);
  EXPECT_EQ(Figure(*r, "proactive.regulations.in_force"), 74);
}

TEST_F(HtmlPlugin, FakeTablesInScriptsAndCommentsGiveNoFigures) {
  std::string page =
      "<!DOCTYPE html><html><head><script>"
      "var s = '<p>二、主动公开政府信息情况</p><table><tr><td>行政许可</td>"
      "<td>999</td></tr></table>';</script></head><body>"
      "<p>某某县2025年度政府信息公开工作年度报告</p>"
      "<!-- <p>二、主动公开政府信息情况</p>"
      "<table><tr><td>行政许可</td><td>888</td></tr></table> -->"
      "<p>二、主动公开政府信息情况</p><table><tr><td>信息内容</td>"
      "<td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>"
      "<tr><td>信息内容</td>"
      "<td>本年处理决定数量</td></tr><tr><td>行政许可</td><td>12</td></tr>"
      "</table></body></html>";
  Pipeline pipeline(&registry_);
  absl::StatusOr<v1::Report> r = pipeline.Extract(page, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Figure(*r, "proactive.licensing.decisions"), 12);
}

// Over every seed and dev document: html wins on the HTML pages and on
// nothing else, with every bundled plugin loaded.
TEST(HtmlDetection, WinsOnlyOnHtmlAmongTheCorpus) {
  namespace fs = std::filesystem;
  const fs::path corpus(GONGKAI_CORPUS_DIR);
  if (!fs::exists(corpus)) GTEST_SKIP() << "no corpus at " << corpus;
  PluginRegistry registry;
  ASSERT_TRUE(registry.LoadDirectory(GONGKAI_PLUGIN_DIR).ok());
  ASSERT_TRUE(registry.Has("html"));
  Pipeline pipeline(&registry);
  int html_pages = 0, others = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(corpus, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const fs::path& p = it->path();
    if (!it->is_regular_file() || p.parent_path().filename() != "input")
      continue;
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto scores = pipeline.Detect(ss.str(), {});
    if (!scores.ok() || scores->first.empty()) continue;
    const std::string& winner = scores->first.front().name;
    if (p.extension() == ".html" || p.extension() == ".htm") {
      EXPECT_EQ(winner, "html") << p;
      ++html_pages;
    } else {
      EXPECT_NE(winner, "html") << p;
      ++others;
    }
  }
  EXPECT_GT(others, 0);
}

TEST_F(HtmlPlugin, ConcurrentExtractionsAgree) {
  const std::string page = Report("utf-8");
  const std::vector<std::string> expected = Lines(Read(page), page);
  ASSERT_GT(expected.size(), 40u);
  std::vector<std::vector<std::string>> got(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < got.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        absl::StatusOr<Layout> layout = registry_.Extract("html", page);
        if (!layout.ok()) return;
        got[t] = Lines(*layout, page);
        if (got[t] != expected) return;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const auto& g : got) EXPECT_EQ(g, expected);
}

// ---- Hostile input ----

TEST_F(HtmlPlugin, BrokenMarkupNeverFails) {
  const std::vector<std::string> pages = {
      "<",
      "<html>",
      "<table><tr><td>1<td>2<tr><td>3",
      "<table><td rowspan=\"-5\" colspan=\"99999999999\">x</table>",
      "<p>a<p>b</div></span></table></tr>c",
      "<html><body><script>never closed <table><tr><td>1",
      "<!-- never closed <table><tr><td>1",
      "<a href=\"never closed><table><tr><td>1</td></tr></table>",
      "&#0;&#xD800;&#x110000;&bogus;&amp",
      "<html><body>\xEF\xBB\xBF<p>bom</p></body></html>",
      std::string("<p>nul\0byte</p>", 15),
  };
  for (const std::string& page : pages) {
    absl::StatusOr<Layout> layout = registry_.Extract("html", page);
    EXPECT_TRUE(layout.ok()) << page << ": " << layout.status();
  }
  Layout layout = Read("<table><tr><td>1<td>2<tr><td>3");
  EXPECT_EQ(Tables(layout, ""),
            (std::vector<std::string>{"T", "R:[1][2]", "R:[3]"}));
}

TEST_F(HtmlPlugin, DeepAndLargePagesFinish) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<div><table><tr><td>";
  deep += "x";
  std::string wide = "<html><body><table>";
  while (wide.size() < (8u << 20)) {
    wide += "<tr><td>行政许可</td><td>1</td><td>&nbsp;</td></tr>\n";
  }
  wide += "</table></body></html>";
  for (const std::string* page : {&deep, &wide}) {
    absl::StatusOr<Layout> layout = registry_.Extract("html", *page);
    EXPECT_TRUE(layout.ok()) << layout.status();
  }
}

}  // namespace
}  // namespace gongkai
