// Row labels a converter cut short. html2text cuts a CJK label inside a
// character, drops the broken bytes and spills the rest after the figures of
// the cells to its right: "行政许可" comes as "行政许", "2.其他法律行政法规
// 禁止公开" as "2.其他法律" and "止开". Such a label still names a row when
// it starts with the template's wording and the rest of it is characters of
// that wording, in order, with some lost -- and no other row's wording fits.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gongkai/v1/report.pb.h"
#include "labels.h"

namespace gongkai {

// Whether `label` is `wording` cut short: it starts with at least two CJK
// characters of the wording exactly, and its other characters follow in the
// wording in order.
bool IsCutWording(std::string_view label, std::string_view wording);

// The 第二十条 item a header cell opens ("第二十条第(五)项" is 5), or 0.
int ClauseOfHeader(std::string_view compact_cell);

// Matches the label cells of rows no keyword named, within one section.
class CutLabels {
 public:
  // A new section: no 第二十条 item open.
  void Reset() { clause_ = 0; }
  // A header cell; "第二十条第(五)项" opens that item's sub-table, whose
  // rows are the only candidates in section 二 until the next item.
  void SeeHeader(std::string_view compact_cell);

  // The row of `section` (kProactive or kApplications) in template t that
  // `cells` (a row's label cells, spaces removed, in order) name cut short.
  // The last cell is tried alone, then with the cells before it joined on:
  // a group's label ("(三)不予公开") may stand before the row's own.
  std::optional<std::string_view> Match(const std::vector<std::string>& cells,
                                        Section section,
                                        v1::Template t) const;

 private:
  int clause_ = 0;
};

}  // namespace gongkai
