// Reading one table cell as a figure: the integers and 万元 amounts of the
// templates, blank markers, and OCR's misreadings of digits.
#pragma once

#include <cstdint>
#include <string_view>

namespace gongkai {

struct CellValue {
  enum class Kind {
    kEmpty,      // nothing in the cell
    kBlank,      // an explicit blank marker: "-", "/", "—"
    kNumber,     // a figure
    kText,       // not a figure (a label, or unreadable)
  };
  Kind kind = Kind::kEmpty;
  double number = 0;
  bool integral = true;   // no decimal point
  bool repaired = false;  // read leniently (OCR): O for 0, a stray character
};

// ocr: accept 'O'/'o' as 0 and one stray non-digit character before the
// number ("报 1": a label fragment that bled into the cell).
CellValue ReadCell(std::string_view text, bool ocr);

}  // namespace gongkai
