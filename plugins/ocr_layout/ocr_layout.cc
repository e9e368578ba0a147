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
using LineCell = gongkai::plugins::TabRowsOptions::LineCell;

// Characters OCR makes of a table's vertical ruling lines.
bool IsRulingChar(char c) {
  return c == '|' || c == 'l' || c == 'I' || c == 'i' || c == 'j' || c == '!' ||
         c == '[' || c == ']';
}

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsZeroGlyph(char c) { return c == '0' || c == 'o' || c == 'O'; }

// A whitespace-separated piece of a line, with what it holds.
struct Token {
  size_t begin = 0, end = 0;  // byte span in the text
  size_t cjk = 0;             // CJK ideographs
  bool digit = false;         // an ASCII digit
  bool zero_glyph = false;    // o or O
  bool other_ascii = false;   // an ASCII letter other than o, O and rulings
};

Token Describe(std::string_view text, size_t begin, size_t end) {
  Token t;
  t.begin = begin;
  t.end = end;
  for (size_t i = begin; i < end;) {
    size_t len = 0;
    if (sdk::CjkAt(text, i, &len)) {
      ++t.cjk;
      i += len;
      continue;
    }
    char c = text[i];
    if (IsAsciiDigit(c)) t.digit = true;
    if (c == 'o' || c == 'O') t.zero_glyph = true;
    if (std::isalpha(static_cast<unsigned char>(c)) && c != 'o' && c != 'O' &&
        !IsRulingChar(c))
      t.other_ascii = true;
    ++i;
  }
  return t;
}

// Figure material: digits, or zeros read as o/O among rulings.
bool IsFigureish(const Token& t) {
  return t.cjk <= 1 && (t.digit || t.zero_glyph);
}

// Splits a figure token at ruling characters; each piece keeps the rulings
// before it as a prefix, so the reader knows a ruling line preceded it
// ("ll36l3" is "ll36", "l3"). A run of zero glyphs is one cell per glyph
// ("olo" is "o", "lo"): no figure starts with a zero, so "0o" is two zeros.
void SplitFigureToken(std::string_view text, const Token& t,
                      std::vector<LineCell>* cells) {
  size_t i = t.begin;
  while (i < t.end) {
    size_t begin = i;
    while (i < t.end && IsRulingChar(text[i])) ++i;
    if (i == t.end) break;  // trailing rulings: no cell
    bool decimal =
        i + 2 < t.end && text[i + 1] == '.' && IsAsciiDigit(text[i + 2]);
    if (IsZeroGlyph(text[i]) && !decimal) {
      ++i;  // a zero is a cell of its own
    } else {
      while (i < t.end && !IsRulingChar(text[i])) ++i;
    }
    cells->push_back({{begin, i}, std::string(text.substr(begin, i - begin))});
  }
}

// True when the line reads as prose (sentence punctuation), where a number
// glued to the end of the words is part of the sentence.
bool LooksLikeProse(std::string_view line) {
  return line.find("\xEF\xBC\x8C") != std::string_view::npos ||  // ，
         line.find("\xE3\x80\x82") != std::string_view::npos ||  // 。
         line.find("\xEF\xBC\x9B") != std::string_view::npos ||  // ；
         line.find(", ") != std::string_view::npos ||
         line.find("; ") != std::string_view::npos;
}

// An OCR line without TAB as a table row: the label (text up to the last
// word of two or more ideographs, split where the old layout had runs of
// spaces or rulings) and then one cell per figure, split at rulings. A line
// whose figures are glued to its label ("行政规范性文件58") is split there.
// Returns false for a paragraph.
bool SplitOcrLine(std::string_view text, sdk::TextSpan line,
                  std::vector<LineCell>* cells) {
  std::vector<Token> tokens;
  for (size_t i = line.begin; i < line.end;) {
    while (i < line.end && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i >= line.end) break;
    size_t b = i;
    // A ruling '|' also ends a token (OCR glues it to the words before).
    while (i < line.end && text[i] != ' ' && text[i] != '\t') {
      ++i;
      if (i < line.end && text[i] == '|' && i > b && text[i - 1] != '|') break;
    }
    tokens.push_back(Describe(text, b, i));
  }
  std::vector<sdk::TextSpan> pieces =
      gongkai::plugins::SpaceAlignedPieces(text, line);
  auto fallback = [&]() {
    if (pieces.size() < 2) return false;
    for (sdk::TextSpan p : pieces) {
      cells->push_back({p, std::string(sdk::SpanText(text, p))});
    }
    return true;
  };
  // The label ends with the last word of two or more ideographs.
  int label_end = -1;
  for (size_t k = 0; k < tokens.size(); ++k) {
    if (tokens[k].cjk >= 2) label_end = static_cast<int>(k);
  }
  bool glued = false;
  size_t value_begin = tokens.size();
  if (label_end >= 0) {
    // Digits glued to the end of the label word.
    Token& t = tokens[label_end];
    size_t e = t.end;
    while (e > t.begin && (IsAsciiDigit(text[e - 1]) || text[e - 1] == '.'))
      --e;
    if (e < t.end && IsAsciiDigit(text[e]) && e > t.begin &&
        static_cast<unsigned char>(text[e - 1]) >= 0x80 &&
        !LooksLikeProse(sdk::SpanText(text, line))) {
      Token label = Describe(text, t.begin, e);
      Token figure = Describe(text, e, t.end);
      if (label.cjk >= 2) {
        t = label;
        tokens.insert(tokens.begin() + label_end + 1, figure);
        glued = true;
      }
    }
  }
  for (size_t k = label_end + 1; k < tokens.size(); ++k) {
    if (IsFigureish(tokens[k])) {
      value_begin = k;
      break;
    }
  }
  size_t values = tokens.size() - value_begin;
  bool prose = LooksLikeProse(sdk::SpanText(text, line));
  bool row = values > 0 && (pieces.size() >= 2 || glued ||
                            (values >= 2 && (label_end < 0 || !prose)));
  if (!row) return fallback();
  // The label: the pieces (at runs of spaces and rulings) up to its last
  // word, or before the first figure when no word was found.
  size_t label_tokens = label_end >= 0 ? label_end + 1 : value_begin;
  if (label_tokens > 0) {
    sdk::TextSpan label{line.begin, tokens[label_tokens - 1].end};
    for (sdk::TextSpan p : gongkai::plugins::SpaceAlignedPieces(text, label)) {
      cells->push_back({p, std::string(sdk::SpanText(text, p))});
    }
  }
  // Marks between the label's last word and the first figure ("上", "ip",
  // "。") may stand where a figure was: they go out as cells of their own,
  // and the interpreter tells a misread figure from a cell border.
  for (size_t k = label_tokens; k < tokens.size(); ++k) {
    const Token& t = tokens[k];
    if (t.cjk > 0 || !IsFigureish(t)) {
      // Junk among the figures (a misread digit, a stray mark): one cell
      // as it stands, for the interpreter to weigh.
      size_t b = t.begin;
      while (b < t.end && text[b] == '|') ++b;
      if (b < t.end) {
        cells->push_back({{b, t.end}, std::string(text.substr(b, t.end - b))});
      }
      continue;
    }
    SplitFigureToken(text, t, cells);
  }
  return !cells->empty();
}

// General signs of OCR text, counted in one pass.
struct OcrSigns {
  size_t tab_lines = 0;
  size_t trailing_tab_runs = 0;  // tab lines ending in 4 or more TABs
  size_t list_markers = 0;       // lines starting "- " (OCR of bullets)
  size_t stray_cells = 0;        // one non-digit character between TABs
  size_t spaced_cjk = 0;         // CJK, one space, CJK
  size_t garbled_figures = 0;    // "oolol0", "ll33": digits read as o/l/I/|
  size_t aligned_rows = 0;       // lines without TAB in 3+ aligned pieces
  size_t inner_rulings = 0;      // '|' inside a line that is no '|' grid
  size_t odd_brackets = 0;  // "〈八)", "《一)": an opening bracket of one
                            // kind closed by another
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
    // Converters draw grids with '|' at both ends of a line (Markdown,
    // html2text) or one cell per line ending " |"; OCR reads a ruling line
    // as a '|' between words.
    if (!t.empty() && t.front() != '|' && t.back() != '|') {
      // Markdown separates with " | "; OCR glues the bar to a word or a
      // figure on one side at least.
      auto word = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               static_cast<unsigned char>(c) >= 0x80;
      };
      for (size_t at = t.find('|'); at != std::string_view::npos;
           at = t.find('|', at + 1)) {
        if ((at > 0 && word(t[at - 1])) ||
            (at + 1 < t.size() && word(t[at + 1]))) {
          ++signs.inner_rulings;
          break;
        }
      }
    }
    for (std::string_view open :
         {"\xE3\x80\x88", "\xE3\x80\x8A", "\xE3\x80\x94", "\xE3\x80\x90"}) {
      // 〈 《 〔 【 closed by ')' within a few bytes.
      for (size_t at = t.find(open); at != std::string_view::npos;
           at = t.find(open, at + 1)) {
        std::string_view after = t.substr(at + open.size(), 8);
        if (after.find(')') != std::string_view::npos) ++signs.odd_brackets;
      }
    }
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
    double artefacts = 30.0 * trailing +
                       20.0 * saturate(d(signs.list_markers) / 3.0) +
                       25.0 * saturate(d(signs.stray_cells) / 4.0) +
                       30.0 * saturate(d(signs.garbled_figures) / 4.0) +
                       25.0 * saturate(d(signs.inner_rulings) / 4.0) +
                       20.0 * saturate(d(signs.odd_brackets) / 2.0);
    // Spaces between ideographs come from converters too: they count only
    // beside a sign that only OCR leaves.
    double score =
        5.0 + artefacts +
        (artefacts >= 20.0 ? 15.0 * saturate(d(signs.spaced_cjk) / 8.0) : 0.0);
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
    options.split_line = &SplitOcrLine;
    gongkai::plugins::EmitTabRows(text, options, out);
    return sdk::Status::Ok();
  }
};

}  // namespace

GONGKAI_EXPORT_PLUGIN(OcrLayout, "ocr_layout", "1.0.0",
                      "OCR output: TAB-separated cells with OCR artefacts");
