// The ocr_layout plugin: OCR output (Tesseract) of a scanned or printed
// report. Its tables come out as TAB-separated cells with runs of trailing
// TABs, header words split across cells, stray one-character cells for
// ruling lines and lost digits, and spaces between CJK characters. Layout is
// read as tab_separated does; the plugin adds the OCR hint, under which the
// interpreter reads figures leniently (O for 0 and the like).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <string_view>

#include "gongkai/plugin.h"
#include "gongkai/plugin_text.h"
#include "tab_rows.h"

namespace {

namespace sdk = gongkai::sdk;

// General signs of OCR text, counted in one pass.
struct OcrSigns {
  size_t tab_lines = 0;
  size_t trailing_tab_runs = 0;  // tab lines ending in 4 or more TABs
  size_t list_markers = 0;       // lines starting "- " (OCR of bullets)
  size_t stray_cells = 0;        // one non-digit character between TABs
  size_t spaced_cjk = 0;         // CJK, one space, CJK
  size_t garbled_figures = 0;    // "oolol0", "ll33": digits read as o/l/I/|
  size_t aligned_rows = 0;       // lines without TAB in 3+ aligned pieces
};

// A run of figures OCR misread: only 0-9, o, O, l, I and |, at least three
// of them, one at least a letter, and no other ASCII letter or digit next
// to it (so English words do not count).
size_t CountGarbledFigures(std::string_view s) {
  size_t count = 0;
  size_t i = 0;
  while (i < s.size()) {
    if (!std::isalnum(static_cast<unsigned char>(s[i])) && s[i] != '|') {
      ++i;
      continue;
    }
    size_t begin = i;
    bool garble_only = true;
    bool letter = false;
    while (i < s.size() &&
           (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '|')) {
      char c = s[i];
      bool like_digit = std::isdigit(static_cast<unsigned char>(c)) ||
                        c == '|' || c == 'o' || c == 'O' || c == 'l' ||
                        c == 'I';
      garble_only = garble_only && like_digit;
      letter = letter || c == 'o' || c == 'O' || c == 'l' || c == 'I';
      ++i;
    }
    if (garble_only && letter && i - begin >= 3) ++count;
  }
  return count;
}

bool IsStrayCell(std::string_view cell) {
  if (cell.size() == 1) {
    return !std::isdigit(static_cast<unsigned char>(cell[0]));
  }
  size_t len = 0;
  return sdk::CjkAt(cell, 0, &len) && len == cell.size();
}

OcrSigns CountSigns(std::string_view text) {
  OcrSigns signs;
  sdk::LineReader lines(text);
  for (sdk::TextSpan line; lines.Next(&line);) {
    std::string_view s = sdk::SpanText(text, line);
    for (size_t i = 0; i + 7 <= s.size();) {
      size_t len = 0;
      if (sdk::CjkAt(s, i, &len)) {
        if (s[i + 3] == ' ' && sdk::CjkAt(s, i + 4, &len)) ++signs.spaced_cjk;
        i += 3;
      } else {
        ++i;
      }
    }
    sdk::TextSpan trimmed = sdk::Trim(text, line);
    std::string_view t = sdk::SpanText(text, trimmed);
    if (t.size() > 2 && t.substr(0, 2) == "- " && t[2] != ' ') {
      ++signs.list_markers;
    }
    signs.garbled_figures += CountGarbledFigures(s);
    if (s.find('\t') == std::string_view::npos) {
      size_t pieces = 0;
      gongkai::plugins::ForEachSpaceAlignedPiece(
          text, trimmed, [&](sdk::TextSpan) { ++pieces; });
      if (pieces >= 3) ++signs.aligned_rows;
      continue;
    }
    ++signs.tab_lines;
    size_t run = 0;
    size_t last = s.find_last_not_of(" \r");
    while (last != std::string_view::npos && s[last] == '\t') {
      ++run;
      if (last == 0) break;
      --last;
    }
    if (run >= 4) ++signs.trailing_tab_runs;
    sdk::ForEachPiece(text, line, '\t', [&](sdk::TextSpan piece) {
      if (IsStrayCell(sdk::SpanText(text, sdk::Trim(text, piece)))) {
        ++signs.stray_cells;
      }
    });
  }
  return signs;
}

class OcrLayout : public sdk::Plugin {
 public:
  // Each sign alone is weak (a clean table may have a trailing TAB or a
  // lone "-" cell); together they mark OCR. Without rows (TAB-separated or
  // aligned by spaces) there is no table to read and the score stays low.
  int Detect(std::string_view text) const override {
    OcrSigns signs = CountSigns(text);
    auto saturate = [](double x) { return std::min(1.0, x); };
    auto d = [](size_t n) { return static_cast<double>(n); };
    double trailing =
        signs.tab_lines == 0
            ? 0.0
            : saturate(d(signs.trailing_tab_runs) / d(signs.tab_lines) / 0.4);
    double score = 5.0 + 30.0 * trailing +
                   20.0 * saturate(d(signs.list_markers) / 3.0) +
                   25.0 * saturate(d(signs.stray_cells) / 4.0) +
                   15.0 * saturate(d(signs.spaced_cjk) / 8.0) +
                   30.0 * saturate(d(signs.garbled_figures) / 4.0);
    if (signs.tab_lines + signs.aligned_rows < 3) score *= 0.3;
    return static_cast<int>(std::lround(std::min(score, 100.0)));
  }

  sdk::Status Extract(std::string_view text,
                      sdk::LayoutWriter& out) const override {
    out.Hint(GK_HINT_OCR);
    gongkai::plugins::TabRowsOptions options;
    options.strip_list_markers = true;
    options.split_at_rulings = true;
    options.split_space_aligned = true;
    gongkai::plugins::EmitTabRows(text, options, out);
    return sdk::Status::Ok();
  }
};

}  // namespace

GONGKAI_EXPORT_PLUGIN(OcrLayout, "ocr_layout", "1.0.0",
                      "OCR output: TAB-separated cells with OCR artefacts");
