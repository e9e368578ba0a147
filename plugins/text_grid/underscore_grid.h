// Underscore grids, as html2text (Debian 1.3.2a) dumps HTML tables:
//
//    ______________________
//   |规章_|0_____|0_____|
//   |行政|0范性文件|0___|
//
// A line of underscores opens the table; each row is a line of cells between
// '|', a cell's padding on the last line of its row drawn as '_' (and its
// blanks too). The converter measures CJK text wrongly, so a cell's text is
// cut short and the rest spills into the cells to its right, after their
// figures ("0范性文件" is the figure 0 and the label's "范性文件"), or past
// the table's right edge. A row whose cells wrap takes several lines; its
// lines before the last have no '_' at all.
#pragma once

#include <string_view>
#include <vector>

#include "grid_common.h"

namespace gongkai::text_grid {

// The line that opens a table: underscores only, after at most one blank.
inline bool IsUnderscoreTop(std::string_view line) {
  size_t i = 0;
  if (i < line.size() && line[i] == ' ') ++i;
  size_t n = 0;
  while (i < line.size() && line[i] == '_') ++i, ++n;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\r')) ++i;
  return n >= 3 && i == line.size();
}

inline bool IsUnderscoreRow(std::string_view line) {
  return line.size() >= 2 && line[0] == '|';
}

// One row of an underscore grid, its cells in order; what runs past the
// last '|' is the overflow.
struct UnderscoreLine {
  std::vector<TextSpan> cells;  // raw, padding included
  TextSpan overflow{0, 0};
  bool closed = false;  // ends with '|'
  bool has_underscore = false;
};

inline UnderscoreLine SplitUnderscoreLine(std::string_view text, TextSpan line) {
  UnderscoreLine out;
  std::string_view s = sdk::SpanText(text, line);
  out.has_underscore = s.find('_') != std::string_view::npos;
  std::vector<TextSpan> pieces = sdk::SplitSpan(text, line, '|');
  // pieces[0] is what precedes the first '|' (nothing, for a row line).
  TextSpan last = pieces.back();
  out.closed = sdk::IsBlank(text, last);
  if (!out.closed) out.overflow = last;
  for (size_t i = 1; i + 1 < pieces.size(); ++i) out.cells.push_back(pieces[i]);
  return out;
}

namespace underscore_internal {

// The text of a cell: '_' is padding (or a blank) on a row's last line.
inline std::vector<TextSpan> Words(std::string_view text, TextSpan raw) {
  std::vector<TextSpan> words;
  size_t begin = raw.begin;
  for (size_t i = raw.begin; i <= raw.end; ++i) {
    if (i == raw.end || text[i] == '_') {
      TextSpan w = sdk::Trim(text, {begin, i});
      if (!w.empty()) words.push_back(w);
      begin = i + 1;
    }
  }
  return words;
}

inline bool HasFigure(std::string_view text, const UnderscoreLine& line) {
  for (TextSpan cell : line.cells) {
    for (TextSpan w : Words(text, cell)) {
      if (FigurePrefix(sdk::SpanText(text, w)) > 0) return true;
    }
  }
  return false;
}

// Line b continues the row of line a: a has no '_' (its row has not ended),
// b has as many cells, and b adds text but no figure (figures stand on a
// row's first line).
inline bool Continues(std::string_view text, const UnderscoreLine& a,
                      const UnderscoreLine& b) {
  if (a.has_underscore || !a.closed || !b.closed ||
      a.cells.size() != b.cells.size()) {
    return false;
  }
  bool words = false;
  for (TextSpan cell : b.cells) words = words || !Words(text, cell).empty();
  return words && !HasFigure(text, b);
}

}  // namespace underscore_internal

// Reads the row lines of one table (the lines after its top line) into
// rows. Cells keep their places; wrapped rows are joined cell by cell.
inline std::vector<GridRow> ReadUnderscoreGrid(
    std::string_view text, const std::vector<TextSpan>& lines) {
  using underscore_internal::Words;
  std::vector<GridRow> rows;
  size_t i = 0;
  while (i < lines.size()) {
    UnderscoreLine first = SplitUnderscoreLine(text, lines[i]);
    GridRow row;
    for (TextSpan cell : first.cells) {
      GridCell c;
      c.anchor = cell.begin;
      c.pieces = Words(text, cell);
      row.cells.push_back(std::move(c));
    }
    std::vector<TextSpan> overflow = Words(text, first.overflow);
    UnderscoreLine last = first;
    size_t j = i + 1;
    for (; j < lines.size(); ++j) {
      UnderscoreLine next = SplitUnderscoreLine(text, lines[j]);
      if (!underscore_internal::Continues(text, last, next)) break;
      for (size_t k = 0; k < next.cells.size(); ++k) {
        for (TextSpan w : Words(text, next.cells[k])) {
          row.cells[k].pieces.push_back(w);
        }
      }
      last = std::move(next);
    }
    if (!overflow.empty()) {
      GridCell c;
      c.anchor = overflow.front().begin;
      c.pieces = overflow;
      row.cells.push_back(std::move(c));
    }
    rows.push_back(std::move(row));
    i = j;
  }
  return rows;
}

}  // namespace gongkai::text_grid
