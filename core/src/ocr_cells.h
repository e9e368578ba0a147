// Reading the figure cells of one OCR table row every way OCR may have
// garbled them: ruling lines read as '1' (or not read at all), stray marks
// among the figures, digits misread as letters. The readings that fit the
// template's column count are the row's candidates; the table's arithmetic
// (infer.h) chooses among them.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace gongkai {

// One template column of one candidate reading.
struct OcrCell {
  std::optional<double> value;  // absent: no figure could be read there
  bool integral = true;
  int source = -1;               // index of the value cell it came from
  bool alternative = false;      // a reading other than the cell's plain one
  bool placed_as_total = false;  // put in the last column as the row's total
                                 // by the balance of a short reading
};

// A candidate: one OcrCell per column, in template order.
using OcrCandidate = std::vector<OcrCell>;

// True if an OCR cell that is no figure may be one misread: it holds an
// ideograph or a letter or digit other than ruling marks ("上", "B", "ip"),
// and is no lone '1' (a ruling read as a digit). Punctuation ("。", ":") is
// what OCR makes of a cell's border, and rulings are rulings.
bool MayBeMisreadFigure(std::string_view cell);

// True if an OCR cell holds figure material (digits, or zeros read as o/O
// among ruling marks) rather than label text.
bool IsOcrFigureCell(std::string_view text);

// What a row's last column holds, which tells where its lost cells can be.
enum class LastColumn {
  kPlain,       // nothing the other columns sum to (section 二's rows)
  kRowTotal,    // the sum of all the others (section 三's 总计 column)
  kGroupTotal,  // the sum of its group's others (section 四's last 总计)
};

// The candidate readings of a row's value cells (empty cells left out) over
// `columns` template columns: first the readings with exactly one cell per
// column; failing those, the readings short of cells (in a narrow row however
// short, in a wide one two at most), placed every way that keeps their
// order (a lost cell leaves its column unread). A short reading whose last
// figure balances as the row's total -- it equals the sum of the other
// figures read (kRowTotal), or every figure read is 0 (kGroupTotal) -- is
// placed only with that figure in the last column, however short, and the
// cell is marked `alternative` (placed by that rule, not as read). Empty
// when no reading fits or the readings are too many to weigh.
std::vector<OcrCandidate> OcrCandidates(
    const std::vector<std::string_view>& cells, size_t columns,
    LastColumn last = LastColumn::kPlain);

}  // namespace gongkai
