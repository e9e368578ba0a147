// Unit tests for the crawler plugin: its text helpers, and the built
// plugin loaded through the host (detect, the layout it emits, and whole
// small documents through the pipeline).
#include <string>
#include <vector>

#include "gongkai/pipeline.h"
#include "gongkai/plugin_host.h"
#include "gtest/gtest.h"
#include "run_together_text.h"

namespace gongkai {
namespace {

namespace rt = crawler;

std::vector<std::string> Pieces(const std::string& text) {
  std::vector<std::string> out;
  for (sdk::TextSpan p : rt::CutPieces(text, {0, text.size()})) {
    out.push_back(text.substr(p.begin, p.size()));
  }
  return out;
}

// Tokens as "T:text" / "F:figure".
std::vector<std::string> Tokens(const std::string& text,
                                bool* prose = nullptr) {
  std::vector<std::string> out;
  for (const rt::Token& t : rt::Tokenize(text, {0, text.size()}, prose)) {
    out.push_back((t.figure ? "F:" : "T:") +
                  text.substr(t.span.begin, t.span.size()));
  }
  return out;
}

TEST(CutPieces, AtEnumeratorsAndSentenceEnds) {
  EXPECT_EQ(Pieces("做优做实。二、主动公开规章000十二、其他"),
            (std::vector<std::string>{"做优做实。", "二、主动公开规章000",
                                      "十二、其他"}));
  // "行政复议、行政诉讼" has no numeral before its 、.
  EXPECT_EQ(Pieces("四、行政复议、行政诉讼情况"),
            (std::vector<std::string>{"四、行政复议、行政诉讼情况"}));
}

TEST(Tokenize, DigitRunsTextRunsAndListNumbers) {
  EXPECT_EQ(
      Tokens("行政许可3960181第二十条"),
      (std::vector<std::string>{"T:行政许可", "F:3960181", "T:第二十条"}));
  // The list number of the next label is text: 0000000 then "2.其他".
  EXPECT_EQ(Tokens("1.属于国家秘密00000002.其他法律"),
            (std::vector<std::string>{"T:1.属于国家秘密", "F:0000000",
                                      "T:2.其他法律"}));
  // Spaces separate runs; a minus starts one; a point inside stays.
  EXPECT_EQ(Tokens("总计20 0 00 行政处罚2648-18538收费4166.24元"),
            (std::vector<std::string>{"T:总计", "F:20", "F:0", "F:00",
                                      "T:行政处罚", "F:2648", "F:-18538",
                                      "T:收费", "F:4166.24", "T:元"}));
  // Digits in brackets belong to the text.
  EXPECT_EQ(Tokens("采购总金额(单位:万元,保留4位小数)政府集中采购00"),
            (std::vector<std::string>{
                "T:采购总金额(单位:万元,保留4位小数)政府集中采购", "F:00"}));
}

TEST(Tokenize, ProseIsPunctuationOutsideBrackets) {
  bool prose = true;
  Tokens("(二)部分公开(区分处理的,只计这一情形)380000038", &prose);
  EXPECT_FALSE(prose);
  Tokens("2025年,全区共收到申请154件", &prose);
  EXPECT_TRUE(prose);
  // An unclosed bracket is an ordinary character.
  Tokens("(地址:某路1号;邮编:350400", &prose);
  EXPECT_TRUE(prose);
}

// No wall-clock assertion (machines and sanitizers differ): a quadratic
// tokenizer would not finish 12 MB within ctest's timeout.
TEST(Tokenize, LongInputTokenizesCompletely) {
  std::string line;
  for (int i = 0; i < 200000; ++i) line += "(一)予以公开12345";
  line += std::string(10 << 20, '(');
  std::vector<rt::Token> tokens = rt::Tokenize(line, {0, line.size()});
  EXPECT_EQ(tokens.size(), 400001u);
}

// ---- The built plugin ----

class CrawlerPlugin : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(registry_
                    .LoadFile(std::string(GONGKAI_PLUGIN_DIR) +
                              "/libgongkai_crawler.so")
                    .ok());
  }
  PluginRegistry registry_;
};

const char kPage[] =
    "标题: 某某县2021年度政府信息公开工作年度报告\n"
    "发布时间: 2022-02-08 16:34\n"
    "原文链接: https://example.gov.cn/a.htm\n"
    "==================== 正文 ====================\n"
    "本报告所列数据的统计期限自2021年1月1日起至2021年12月31日止。"
    "联系地址:某某路1号;邮编:350400;电话/传真:0591-1234567。"
    "一、总体情况 2021年,我县收到申请70件。"
    "二、主动公开政府信息情况第二十条第(一)项信息内容本年制发件数本年废止件数"
    "现行有效件数规章 000行政规范性文件693665第二十条第(五)项信息内容"
    "本年处理决定数量行政许可2293 第二十条第(八)项信息内容 本年收费金额(单位:"
    "万元)行政事业性收费24252.311082"
    "三、收到和处理政府信息公开申请情况(本列数据的勾稽关系为:"
    "第一项加第二项之和,"
    "等于第三项加第四项之和)申请人情况自然人法人或其他组织总计商业企业科研机构"
    "社会公益组织法律服务机构其他"
    "一、本年新收政府信息公开申请数量640020470"
    "二、上年结转政府信息公开申请数量0000000"
    "三、本年度办理结果(一)予以公开270020130"
    "(二)部分公开(区分处理的,只计这一情形,不计其他情形)500000 5"
    "(三)不予公开1.属于国家秘密00000002.其他法律行政法规禁止公开0000000"
    "3.危及“三安全一稳定”00000004.保护第三方合法权益0000000"
    "5.属于三类内部事务信息10000016.属于四类过程性信息0000000"
    "7.属于行政执法案卷60000068.属于行政查询事项1000001"
    "(四)无法提供1.本机关不掌握相关政府信息2200003252.没有现成信息需要另行制作"
    "00000003.补正后申请内容仍不明确0000000"
    "(五)不予处理1.信访举报投诉类申请00000002.重复申请0000000"
    "3.要求提供公开出版物00000004.无正当理由大量反复申请0000000"
    "5.要求行政机关确认或重新出具已获取信息0000000"
    "(六)其他处理1."
    "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
    "00000002."
    "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开"
    "申请00000003.其他1000001(七)总计630020469四、结转下年度继续办理1000001 "
    "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正"
    "其他结果尚未审结总计10203120001200000"
    "五、存在的主要问题及改进情况(一)存在的主要问题:解读形式不够丰富。"
    "六、其他需要报告的事项2021年,无收取信息处理费情况。\n";

TEST_F(CrawlerPlugin, DetectsThePageHeaderAndRunTogetherCells) {
  std::vector<PluginScore> s = registry_.Detect(kPage);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_GE(s[0].score, 90);
  // Without the header, the glued figures still tell.
  std::string body(kPage);
  body = body.substr(body.find("本报告"));
  EXPECT_GE(registry_.Detect(body)[0].score, 60);
  // Plain prose, and clean tables, are not this plugin's.
  EXPECT_EQ(registry_.Detect("本年度共收到申请154件,办结148件。\n")[0].score,
            0);
  EXPECT_EQ(
      registry_.Detect("行政许可\t396\t0\t181\n行政处罚\t12\t0\t3\n")[0].score,
      0);
}

TEST_F(CrawlerPlugin, EmitsHeaderParagraphsAndTableRows) {
  absl::StatusOr<Layout> layout = registry_.Extract("crawler", kPage);
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_TRUE(layout->run_together);
  ASSERT_FALSE(layout->blocks.empty());
  // The page header: one paragraph per line, the separator dropped.
  const Block& first = layout->blocks[0];
  ASSERT_EQ(first.kind, Block::Kind::kParagraph);
  EXPECT_EQ(std::string(kPage).substr(first.span.begin,
                                      first.span.end - first.span.begin),
            "标题: 某某县2021年度政府信息公开工作年度报告");
  // Rows: a text cell, then one cell per run of digits.
  bool granted = false, partial = false, fees = false;
  for (const Block& b : layout->blocks) {
    for (const Row& row : b.table.rows) {
      ASSERT_FALSE(row.cells.empty());
      const std::string& label = row.cells[0].text;
      if (label == "三、本年度办理结果(一)予以公开") {
        ASSERT_EQ(row.cells.size(), 2u);
        EXPECT_EQ(row.cells[1].text, "270020130");
        granted = true;
      }
      if (label.find("部分公开") != std::string::npos) {
        ASSERT_EQ(row.cells.size(), 3u);
        EXPECT_EQ(row.cells[1].text, "500000");
        EXPECT_EQ(row.cells[2].text, "5");
        partial = true;
      }
      if (label.find("行政事业性收费") != std::string::npos) {
        ASSERT_EQ(row.cells.size(), 2u);
        EXPECT_EQ(row.cells[1].text, "24252.311082");
        fees = true;
      }
      for (const Cell& c : row.cells) {
        EXPECT_EQ(c.text, std::string(kPage).substr(c.span.begin,
                                                    c.span.end - c.span.begin));
      }
    }
  }
  EXPECT_TRUE(granted && partial && fees);
}

int32_t Figure(const v1::Report& r, const char* group, const char* column) {
  const auto* d = v1::Applications::descriptor()->FindFieldByName(group);
  const auto& counts = static_cast<const v1::ApplicantCounts&>(
      r.applications().GetReflection()->GetMessage(r.applications(), d));
  const auto* f = v1::ApplicantCounts::descriptor()->FindFieldByName(column);
  if (!counts.GetReflection()->HasField(counts, f)) return -1;
  return counts.GetReflection()->GetInt32(counts, f);
}

TEST_F(CrawlerPlugin, WholePageThroughThePipeline) {
  Pipeline pipeline(&registry_);
  absl::StatusOr<v1::Report> r = pipeline.Extract(kPage, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->source_format(), "crawler");
  EXPECT_EQ(r->template_(), v1::TEMPLATE_2021);
  EXPECT_EQ(r->agency(), "某某县");
  EXPECT_EQ(r->year(), 2021);
  EXPECT_EQ(r->published_on(), "2022-02-08");
  EXPECT_EQ(r->contact().phone(), "0591-1234567");
  // Split by the digits alone, by row totals, by the table's sums.
  EXPECT_EQ(Figure(*r, "partially_granted", "natural_person"), 5);
  EXPECT_EQ(Figure(*r, "partially_granted", "total"), 5);
  EXPECT_EQ(Figure(*r, "new_received", "natural_person"), 64);
  EXPECT_EQ(Figure(*r, "new_received", "social_welfare"), 2);
  EXPECT_EQ(Figure(*r, "granted", "natural_person"), 27);
  EXPECT_EQ(Figure(*r, "granted", "other_org"), 1);
  EXPECT_EQ(Figure(*r, "unavailable_not_held", "natural_person"), 22);
  EXPECT_EQ(Figure(*r, "unavailable_not_held", "other_org"), 3);
  EXPECT_EQ(Figure(*r, "total_handled", "total"), 69);
  EXPECT_EQ(r->proactive().licensing().decisions(), 2293);
  EXPECT_DOUBLE_EQ(r->proactive().fees().amount_10k_yuan(), 24252.311082);
  EXPECT_TRUE(r->proactive().regulations().has_in_force());
  // 693665 as three figures: no arithmetic decides.
  EXPECT_FALSE(r->proactive().normative_documents().has_issued());
  EXPECT_EQ(r->reviews().litigation_direct().total(), 12);
  EXPECT_EQ(r->reviews().administrative_review().other(), 2);
  bool ambiguous = false;
  for (const auto& w : r->warnings()) {
    ambiguous |= w.code() == "split_ambiguous" &&
                 w.path() == "proactive.normative_documents";
  }
  EXPECT_TRUE(ambiguous);
  EXPECT_NE(r->overview().find("70件"), std::string::npos);
}

TEST_F(CrawlerPlugin, PreStandardReportsGiveNoFigures) {
  std::string page =
      "标题: 某某县2017年度政府信息公开工作年度报告\n发布时间: 2018-01-23 "
      "08:51\n"
      "==================== 正文 ====================\n"
      "一、概述2017年,政府集中采购项目类信息7条。"
      "六、政府信息公开情况统计表指标名称计量单位2017年度历年累计主动公开文件数"
      "条"
      "212210037受理政府信息依申请公开总数条00\n";
  Pipeline pipeline(&registry_);
  absl::StatusOr<v1::Report> r = pipeline.Extract(page, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->template_(), v1::TEMPLATE_NONSTANDARD);
  EXPECT_EQ(r->published_on(), "2018-01-23");
  for (const auto& e : r->evidence()) {
    EXPECT_TRUE(e.path().rfind("proactive", 0) != 0 &&
                e.path().rfind("applications", 0) != 0 &&
                e.path().rfind("reviews", 0) != 0)
        << e.path();
  }
}

TEST_F(CrawlerPlugin, AHugeSingleLineFinishes) {
  std::string page =
      "标题: 某某县2021年度政府信息公开工作年度报告\n"
      "==================== 正文 ====================\n";
  page +=
      "二、主动公开政府信息情况本年制发件数现行有效件数"
      "三、收到和处理政府信息公开申请情况";
  while (page.size() < (10u << 20)) {
    page += "(一)予以公开123456789012345678(七)总计11111111111111111111";
  }
  page += "\n";
  Pipeline pipeline(&registry_);
  absl::StatusOr<v1::Report> r = pipeline.Extract(page, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->applications().granted().has_total());
}

}  // namespace
}  // namespace gongkai
