// The one table of the official templates' knowledge: which rows and columns
// each template has, the contract key of each, and the words that name them
// in a report. Every plugin and every rule in core reads labels from here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gongkai/v1/report.pb.h"

namespace gongkai {

enum class Section { kUnknown, kOverview, kProactive, kApplications, kReviews,
                     kProblems, kOtherMatters };

// Template bits: which official layout a row or column belongs to.
inline constexpr int kT2019 = 1;
inline constexpr int kT2021 = 2;
inline constexpr int kTBoth = kT2019 | kT2021;

int TemplateBit(v1::Template t);

// A column of section 二, 三 or 四.
struct ColumnSpec {
  std::string_view key;                     // contract name, e.g. "decisions"
  std::vector<std::string_view> keywords;   // any one names it in a header
  int templates = kTBoth;
};

// A row of section 二 or 三.
struct RowSpec {
  std::string_view key;                     // e.g. "licensing"
  std::string_view label;                   // the template's own wording
  std::vector<std::string_view> keywords;   // any one identifies the row
  int templates = kTBoth;
  // Section 三 only: the outcome group (3 = 不予公开 ... 6 = 其他处理) whose
  // sub-rows this is, or 0. Sub-rows are numbered 1., 2., ... in every group,
  // so a bare "3.其他" means other_other only under group 6.
  int group = 0;
  bool outcome = false;  // counted in 三（七）总计 (applications.handled_sum)
};

// Section 二 rows and, per template, the columns each row has in order.
const std::vector<RowSpec>& ProactiveRows();
const std::vector<ColumnSpec>& ProactiveColumns();
std::vector<std::string_view> ProactiveColumnsOf(std::string_view row,
                                                 v1::Template t);

// Section 三 rows and the seven applicant columns, in the template's order.
const std::vector<RowSpec>& ApplicationRows();
const std::vector<ColumnSpec>& ApplicantColumns();

// Section 四: three groups of five outcome columns, in the template's order.
const std::vector<std::string_view>& ReviewGroups();
const std::vector<std::string_view>& ReviewColumns();

// Header words that tell the templates apart (see report-schema.md).
const std::vector<std::string_view>& TemplateMarkers(v1::Template t);

// Which section a heading line opens, if it is one ("二、主动公开政府信息情况").
std::optional<Section> SectionOfHeading(std::string_view line);

// Row label matching. `label` is the row's label cells joined, spaces
// removed. `ocr` allows approximate matches for misread characters.
std::optional<std::string_view> MatchProactiveRow(std::string_view label,
                                                  bool ocr);
// `group` carries the outcome group of earlier rows (updated from label).
std::optional<std::string_view> MatchApplicationRow(std::string_view label,
                                                    int* group, bool ocr);
// Section 三's rows of template `t` in the order the table prints them.
std::vector<std::string_view> ApplicationRowOrder(v1::Template t);
// OCR: the row a label too garbled for MatchApplicationRow names, read from
// the table's order: one of the two rows that follow `previous` (the last
// row read; "" before the first), if the label's characters match it better
// than any other row of the template. Rows print in a fixed order, so a
// label that resembles the row due next (or the next but one, a row being
// lost) is that row, though too garbled to tell it among all rows.
std::optional<std::string_view> MatchApplicationRowInOrder(
    std::string_view label, std::string_view previous, v1::Template t);
// A row that is one row in the other template and a group of sub-rows in
// `t` (2019's "(六)其他处理" in a 2021 report): the group's first sub-row,
// which the template prints on the group label's line.
std::optional<std::string_view> FirstSubRowOfGroupRow(std::string_view key,
                                                      v1::Template t);
// Which applicant column a header cell names, if any (exact cell match).
std::optional<std::string_view> MatchApplicantColumn(std::string_view cell);
std::optional<std::string_view> MatchProactiveColumn(std::string_view cell);

// Every contract path of the template's tables, for "could not be read".
std::vector<std::string> TemplatePaths(v1::Template t);

// Removes all whitespace (labels wrap and carry stray spaces).
std::string Compact(std::string_view s);

// The template's full wordings of a row: its label, and the other
// template's wording where the two differ (2021: 行政规范性文件).
std::vector<std::string_view> RowWordings(std::string_view key);

// Section 二: the item of 第二十条 whose sub-table holds a row (1 for
// 第二十条第（一）项, 5 for 第（五）项, ...), or 0.
int ProactiveClause(std::string_view key);

}  // namespace gongkai
