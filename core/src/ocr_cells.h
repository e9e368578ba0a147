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
  int source = -1;              // index of the value cell it came from
  bool alternative = false;     // a reading other than the cell's plain one
};

// A candidate: one OcrCell per column, in template order.
using OcrCandidate = std::vector<OcrCell>;

// True if an OCR cell holds figure material (digits, or zeros read as o/O
// among ruling marks) rather than label text.
bool IsOcrFigureCell(std::string_view text);

// The candidate readings of a row's value cells (empty cells left out) over
// `columns` template columns: first the readings with exactly one cell per
// column; failing those, the readings short of one or two cells, placed every
// way that keeps their order (a lost cell leaves its column unread). Empty
// when no reading fits or the readings are too many to weigh.
std::vector<OcrCandidate> OcrCandidates(
    const std::vector<std::string_view>& cells, size_t columns);

}  // namespace gongkai
