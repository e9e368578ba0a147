// The official templates' rows, columns and wording (国办公开办函〔2019〕60号
// and 〔2021〕30号), and the matching of a report's labels against them.
#include "labels.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "utf8.h"

namespace gongkai {
namespace {

bool Contains(std::string_view s, std::string_view word) {
  return s.find(word) != std::string_view::npos;
}

bool ContainsAny(std::string_view s,
                 const std::vector<std::string_view>& words) {
  for (std::string_view w : words) {
    if (Contains(s, w)) return true;
  }
  return false;
}

// Share of `want`'s characters found in `got` (as a multiset), scaled down
// when `got` is much longer: how much of a label survived OCR. Characters
// are weighted by how few of the labels hold them (`weight`), so the words
// that tell rows apart count more than 政府信息公开申请, which many share.
double Overlap(std::string_view got, std::string_view want,
               const std::map<char32_t, double>& weight) {
  std::vector<char32_t> g = DecodeUtf8(got), w = DecodeUtf8(want);
  if (w.empty() || g.empty()) return 0;
  auto wt = [&](char32_t c) {
    auto it = weight.find(c);
    return it == weight.end() ? 1.0 : it->second;
  };
  // `got` as a sorted pool, each character taken at most once.
  std::sort(g.begin(), g.end());
  std::vector<char> taken(g.size(), 0);
  double got_weight = 0, want_weight = 0, hit = 0;
  for (char32_t c : g) got_weight += wt(c);
  for (char32_t c : w) {
    want_weight += wt(c);
    auto it = std::lower_bound(g.begin(), g.end(), c);
    while (it != g.end() && *it == c && taken[it - g.begin()]) ++it;
    if (it != g.end() && *it == c) {
      taken[it - g.begin()] = 1;
      hit += wt(c);
    }
  }
  if (want_weight <= 0 || got_weight <= 0) return 0;
  return std::min(hit / want_weight, hit / got_weight + 0.25);
}

// Weight of each character of the rows' labels: log of how rare it is
// among them. ASCII (numbering, punctuation) weighs little: OCR garbles it.
std::map<char32_t, double> LabelWeights(const std::vector<RowSpec>& rows) {
  std::map<char32_t, int> df;
  for (const RowSpec& r : rows) {
    std::vector<char32_t> cs = DecodeUtf8(r.label);
    std::sort(cs.begin(), cs.end());
    cs.erase(std::unique(cs.begin(), cs.end()), cs.end());
    for (char32_t c : cs) ++df[c];
  }
  std::map<char32_t, double> weight;
  for (const auto& [c, n] : df) {
    weight[c] = c < 0x80 ? 0.2 : std::log((rows.size() + 1.0) / (n + 0.5));
  }
  return weight;
}

// How many ideographs of `want` occur in `got` (as a multiset). One shared
// ideograph is no evidence: a stray mark read as 他 resembles "3.其他" by
// half, its numbering being ASCII.
int SharedIdeographs(std::string_view got, std::string_view want) {
  std::map<char32_t, int> pool;
  for (char32_t c : DecodeUtf8(got)) ++pool[c];
  int n = 0;
  for (char32_t c : DecodeUtf8(want)) {
    auto it = pool.find(c);
    if (c >= 0x80 && it != pool.end() && it->second > 0) {
      --it->second;
      ++n;
    }
  }
  return n;
}

// The best approximate match of `label` among `rows`, if clearly the best;
// `*margin` gets how far ahead of the second it is.
std::optional<std::string_view> FuzzyRow(std::string_view label,
                                         const std::vector<RowSpec>& rows,
                                         double* margin = nullptr) {
  // The row tables are static: their weights are computed once each, not
  // for every label read.
  static const auto* proactive =
      new std::map<char32_t, double>(LabelWeights(ProactiveRows()));
  static const auto* applications =
      new std::map<char32_t, double>(LabelWeights(ApplicationRows()));
  std::map<char32_t, double> other;
  const std::map<char32_t, double>& weight =
      &rows == &ProactiveRows()     ? *proactive
      : &rows == &ApplicationRows() ? *applications
                                    : (other = LabelWeights(rows));
  double best = 0, second = 0;
  const RowSpec* found = nullptr;
  for (const RowSpec& r : rows) {
    double s = Overlap(label, r.label, weight);
    if (s > best) {
      second = best;
      best = s;
      found = &r;
    } else if (s > second) {
      second = s;
    }
  }
  if (margin != nullptr) *margin = best - second;
  // Most of the label survived, or half of it and far ahead of the rest.
  if (found && best - second >= 0.15 && best >= 0.5 &&
      SharedIdeographs(label, found->label) >= 2)
    return found->key;
  return std::nullopt;
}

}  // namespace

int TemplateBit(v1::Template t) {
  switch (t) {
    case v1::TEMPLATE_2019: return kT2019;
    case v1::TEMPLATE_2021: return kT2021;
    default: return 0;
  }
}

std::string Compact(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    out.push_back(c);
  }
  return out;
}

const std::vector<RowSpec>& ProactiveRows() {
  static const auto* rows = new std::vector<RowSpec>{
      {"regulations", "规章", {"规章"}},
      {"normative_documents", "规范性文件", {"规范性文件"}},
      {"licensing", "行政许可", {"行政许可"}},
      {"other_services", "其他对外管理服务事项", {"对外管理", "管理服务事项"},
       kT2019},
      {"penalty", "行政处罚", {"行政处罚"}},
      {"coercion", "行政强制", {"行政强制"}},
      {"fees", "行政事业性收费", {"事业性收", "行政事业性"}},
      {"procurement", "政府集中采购", {"集中采购", "政府集中采"}, kT2019},
  };
  return *rows;
}

const std::vector<ColumnSpec>& ProactiveColumns() {
  static const auto* cols = new std::vector<ColumnSpec>{
      {"issued", {"制发"}, kT2021},
      {"repealed", {"废止"}, kT2021},
      {"in_force", {"现行有效"}, kT2021},
      {"new_made", {"新制作"}, kT2019},
      {"new_published", {"新公开"}, kT2019},
      {"total_published", {"公开总数"}, kT2019},
      {"prev_year_items", {"上一年"}, kT2019},
      {"change", {"增/减", "增减"}, kT2019},
      {"decisions", {"处理决定"}},
      {"items", {"采购项目"}, kT2019},
      {"amount_10k_yuan", {"收费金额", "采购总金额", "总金额"}},
  };
  return *cols;
}

std::vector<std::string_view> ProactiveColumnsOf(std::string_view row,
                                                 v1::Template t) {
  if (t == v1::TEMPLATE_2021) {
    if (row == "regulations" || row == "normative_documents")
      return {"issued", "repealed", "in_force"};
    if (row == "licensing" || row == "penalty" || row == "coercion")
      return {"decisions"};
    if (row == "fees") return {"amount_10k_yuan"};
    return {};
  }
  if (t == v1::TEMPLATE_2019) {
    if (row == "regulations" || row == "normative_documents")
      return {"new_made", "new_published", "total_published"};
    if (row == "licensing" || row == "other_services" || row == "penalty" ||
        row == "coercion")
      return {"prev_year_items", "change", "decisions"};
    if (row == "fees") return {"prev_year_items", "change"};
    if (row == "procurement") return {"items", "amount_10k_yuan"};
  }
  return {};
}

const std::vector<RowSpec>& ApplicationRows() {
  // Order matters for matching: sub-rows before the group rows whose label
  // they share a line with ("（三）不予公开 1.属于国家秘密").
  static const auto* rows = new std::vector<RowSpec>{
      {"new_received", "一、本年新收政府信息公开申请数量", {"新收"}},
      {"carried_over", "二、上年结转政府信息公开申请数量", {"上年结转"}},
      {"carried_forward", "四、结转下年度继续办理", {"结转下年", "继续办理"}},
      {"granted", "(一)予以公开", {"予以公开"}, kTBoth, 0, true},
      {"partially_granted", "(二)部分公开", {"部分公开"}, kTBoth, 0, true},
      {"withheld_state_secret", "1.属于国家秘密", {"国家秘密"}, kTBoth, 3, true},
      {"withheld_prohibited_by_law", "2.其他法律行政法规禁止公开",
       {"禁止公开"}, kTBoth, 3, true},
      {"withheld_three_safeties", "3.危及“三安全一稳定”",
       {"三安全", "一稳定"}, kTBoth, 3, true},
      {"withheld_third_party", "4.保护第三方合法权益", {"第三方"}, kTBoth, 3,
       true},
      {"withheld_internal_affairs", "5.属于三类内部事务信息", {"内部事务"},
       kTBoth, 3, true},
      {"withheld_process_info", "6.属于四类过程性信息", {"过程性"}, kTBoth, 3,
       true},
      {"withheld_enforcement_files", "7.属于行政执法案卷", {"执法案卷"},
       kTBoth, 3, true},
      {"withheld_query_matters", "8.属于行政查询事项", {"查询事项"}, kTBoth,
       3, true},
      {"unavailable_not_held", "1.本机关不掌握相关政府信息", {"不掌握"},
       kTBoth, 4, true},
      {"unavailable_needs_creation", "2.没有现成信息需要另行制作",
       {"另行制作", "没有现成"}, kTBoth, 4, true},
      {"unavailable_unclear", "3.补正后申请内容仍不明确",
       {"不明确", "补正后"}, kTBoth, 4, true},
      {"rejected_complaint", "1.信访举报投诉类申请", {"信访", "投诉"},
       kTBoth, 5, true},
      {"rejected_duplicate", "2.重复申请", {"重复申请"}, kTBoth, 5, true},
      {"rejected_publication", "3.要求提供公开出版物", {"出版物"}, kTBoth, 5,
       true},
      {"rejected_excessive", "4.无正当理由大量反复申请", {"大量反复"},
       kTBoth, 5, true},
      {"rejected_confirmation", "5.要求行政机关确认或重新出具已获取信息",
       {"重新出具", "确认或"}, kTBoth, 5, true},
      {"other_no_correction",
       "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
       {"不补正"}, kT2021, 6, true},
      {"other_no_fee",
       "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
       {"收费通知", "缴纳费用"}, kT2021, 6, true},
      {"other_other", "3.其他", {}, kT2021, 6, true},
      {"other_handled", "(六)其他处理", {"其他处理"}, kT2019, 0, true},
      {"total_handled", "(七)总计", {"(七)", "总计"}},
  };
  return *rows;
}

const std::vector<ColumnSpec>& ApplicantColumns() {
  static const auto* cols = new std::vector<ColumnSpec>{
      {"natural_person", {"自然人"}},
      {"commercial", {"商业企业"}},
      {"research", {"科研机构"}},
      {"social_welfare", {"社会公益组织"}},
      {"legal_services", {"法律服务机构"}},
      {"other_org", {"其他"}},
      {"total", {"总计"}},
  };
  return *cols;
}

const std::vector<std::string_view>& ReviewGroups() {
  static const auto* v = new std::vector<std::string_view>{
      "administrative_review", "litigation_direct", "litigation_after_review"};
  return *v;
}

const std::vector<std::string_view>& ReviewColumns() {
  static const auto* v = new std::vector<std::string_view>{
      "upheld", "corrected", "other", "pending", "total"};
  return *v;
}

const std::vector<std::string_view>& TemplateMarkers(v1::Template t) {
  static const auto* m2019 = new std::vector<std::string_view>{
      "新制作数量", "新公开数量", "对外公开总数", "上一年项目", "政府集中采购",
      "采购项目数量"};
  static const auto* m2021 = new std::vector<std::string_view>{
      "制发件数", "废止件数", "现行有效件数", "收费金额"};
  static const auto* none = new std::vector<std::string_view>{};
  if (t == v1::TEMPLATE_2019) return *m2019;
  if (t == v1::TEMPLATE_2021) return *m2021;
  return *none;
}

std::optional<Section> SectionOfHeading(std::string_view raw) {
  std::string line = Compact(raw);
  if (line.size() > 150) return std::nullopt;  // prose, not a heading
  auto starts = [&](std::string_view numeral) {
    return line.rfind(numeral, 0) == 0;
  };
  if (starts("一、") && (Contains(line, "总体情况") || Contains(line, "概述") ||
                        Contains(line, "总体")))
    return Section::kOverview;
  if (starts("二、") && Contains(line, "主动公开") && !Contains(line, "结转"))
    return Section::kProactive;
  if (starts("三、") && (Contains(line, "收到和处理") ||
                        Contains(line, "申请情况") ||
                        Contains(line, "依申请")))
    return Section::kApplications;
  if (starts("四、") && (Contains(line, "复议") || Contains(line, "诉讼")))
    return Section::kReviews;
  if (starts("五、") && Contains(line, "问题")) return Section::kProblems;
  if (starts("六、") && Contains(line, "其他")) return Section::kOtherMatters;
  return std::nullopt;
}

std::optional<std::string_view> MatchProactiveRow(std::string_view label,
                                                  bool ocr) {
  for (const RowSpec& r : ProactiveRows()) {
    if (ContainsAny(label, r.keywords)) return r.key;
  }
  if (ocr) return FuzzyRow(label, ProactiveRows());
  return std::nullopt;
}

std::optional<std::string_view> MatchApplicationRow(std::string_view label,
                                                    int* group, bool ocr) {
  // The group a label opens: （三）不予公开 … （六）其他处理.
  struct GroupWord {
    int group;
    std::string_view numeral, word;
  };
  static const GroupWord kGroups[] = {{3, "(三)", "不予公开"},
                                      {4, "(四)", "无法提供"},
                                      {5, "(五)", "不予处理"},
                                      {6, "(六)", "其他处理"}};
  for (const GroupWord& g : kGroups) {
    if (Contains(label, g.word) || Contains(label, g.numeral)) *group = g.group;
  }
  for (const RowSpec& r : ApplicationRows()) {
    if (!r.keywords.empty() && ContainsAny(label, r.keywords)) {
      if (r.group == 0 && r.key != "other_handled") *group = 0;
      return r.key;
    }
  }
  // "3.其他" names a row only inside group 6.
  if (*group == 6 && Contains(label, "其他") && !Contains(label, "其他处理"))
    return std::string_view("other_other");
  if (ocr) {
    double margin = 0;
    std::optional<std::string_view> key =
        FuzzyRow(label, ApplicationRows(), &margin);
    if (key) {
      for (const RowSpec& r : ApplicationRows()) {
        // A sub-row outside its group is unsure, unless its own words are
        // far clearer than any other row's (OCR often loses the group's
        // label, which stands on another line).
        if (r.key == *key && r.group != 0 && r.group != *group) {
          if (margin < 0.3) return std::nullopt;
          *group = r.group;
        }
      }
    }
    return key;
  }
  return std::nullopt;
}

std::vector<std::string_view> ApplicationRowOrder(v1::Template t) {
  std::vector<std::string_view> out;
  const int bit = TemplateBit(t);
  if (bit == 0) return out;
  // ApplicationRows() is in print order but for 四、结转下年度, listed early
  // for matching; the table prints it last.
  for (const RowSpec& r : ApplicationRows()) {
    if ((r.templates & bit) && r.key != "carried_forward") out.push_back(r.key);
  }
  out.push_back("carried_forward");
  return out;
}

std::optional<std::string_view> MatchApplicationRowInOrder(
    std::string_view label, std::string_view previous, v1::Template t) {
  std::vector<std::string_view> order = ApplicationRowOrder(t);
  if (order.empty() || label.empty()) return std::nullopt;
  size_t next = 0;
  if (!previous.empty()) {
    auto it = std::find(order.begin(), order.end(), previous);
    if (it == order.end()) return std::nullopt;
    next = static_cast<size_t>(it - order.begin()) + 1;
  }
  // The row due next, or the one after it when OCR lost a whole row.
  const size_t window = std::min(order.size(), next + 2);
  if (next >= window) return std::nullopt;
  static const auto* weights =
      new std::map<char32_t, double>(LabelWeights(ApplicationRows()));
  std::vector<std::pair<std::string_view, double>> scores;
  double best_due = 0;
  std::optional<std::string_view> due;
  for (const RowSpec& r : ApplicationRows()) {
    if (!(r.templates & TemplateBit(t))) continue;
    double s = Overlap(label, r.label, *weights);
    scores.push_back({r.key, s});
    bool is_due = std::find(order.begin() + next, order.begin() + window,
                            r.key) != order.begin() + window;
    if (is_due && s > best_due) {
      best_due = s;
      due = r.key;
    }
  }
  double best_other = 0;
  for (const auto& [key, s] : scores) {
    if (key != due) best_other = std::max(best_other, s);
  }
  // A third of the row's words at least: a label of stray marks matches
  // nothing, whatever the order says. And clearly the better of the rows
  // due, if both resemble it.
  if (due && best_due >= 0.3 && best_due > best_other &&
      SharedIdeographs(label, RowWordings(*due).front()) >= 2)
    return due;
  return std::nullopt;
}

std::optional<std::string_view> FirstSubRowOfGroupRow(std::string_view key,
                                                      v1::Template t) {
  const int bit = TemplateBit(t);
  // The group a row of the other template stands for: the one whose
  // sub-rows carry its wording's words ("其他处理" for group 6).
  static const std::pair<std::string_view, int> kGroupRows[] = {
      {"other_handled", 6}};
  for (const auto& [row, group] : kGroupRows) {
    if (row != key) continue;
    for (const RowSpec& r : ApplicationRows()) {
      if (r.key == key && (r.templates & bit)) return std::nullopt;
    }
    for (const RowSpec& r : ApplicationRows()) {
      if (r.group == group && (r.templates & bit)) return r.key;
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> MatchApplicantColumn(std::string_view cell) {
  std::string c = Compact(cell);
  for (const ColumnSpec& col : ApplicantColumns()) {
    for (std::string_view w : col.keywords) {
      if (c == w) return col.key;
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> MatchProactiveColumn(std::string_view cell) {
  std::string c = Compact(cell);
  for (const ColumnSpec& col : ProactiveColumns()) {
    if (ContainsAny(c, col.keywords)) return col.key;
  }
  return std::nullopt;
}

std::vector<std::string> TemplatePaths(v1::Template t) {
  std::vector<std::string> paths;
  int bit = TemplateBit(t);
  if (bit == 0) return paths;
  for (const RowSpec& r : ProactiveRows()) {
    for (std::string_view c : ProactiveColumnsOf(r.key, t)) {
      paths.push_back("proactive." + std::string(r.key) + "." + std::string(c));
    }
  }
  for (const RowSpec& r : ApplicationRows()) {
    if (!(r.templates & bit)) continue;
    for (const ColumnSpec& c : ApplicantColumns()) {
      paths.push_back("applications." + std::string(r.key) + "." +
                      std::string(c.key));
    }
  }
  for (std::string_view g : ReviewGroups()) {
    for (std::string_view c : ReviewColumns()) {
      paths.push_back("reviews." + std::string(g) + "." + std::string(c));
    }
  }
  return paths;
}

std::vector<std::string_view> RowWordings(std::string_view key) {
  std::vector<std::string_view> out;
  for (const auto* rows : {&ProactiveRows(), &ApplicationRows()}) {
    for (const RowSpec& r : *rows) {
      if (r.key == key) out.push_back(r.label);
    }
  }
  // The 2021 template's wording of a row the 2019 one words shorter.
  if (key == "normative_documents") out.push_back("行政规范性文件");
  return out;
}

int ProactiveClause(std::string_view key) {
  if (key == "regulations" || key == "normative_documents") return 1;
  if (key == "licensing" || key == "other_services") return 5;
  if (key == "penalty" || key == "coercion") return 6;
  if (key == "fees") return 8;
  if (key == "procurement") return 9;
  return 0;
}

}  // namespace gongkai
