// Shared by the two grid readers of the text_grid plugin: UTF-8 decoding,
// terminal display widths, figure-like prefixes, and the cell/row model the
// readers fill and text_grid.cc emits.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <vector>

#include "gongkai/plugin_text.h"

namespace gongkai::text_grid {

using sdk::TextSpan;

// One code point of a line: its value and its bytes. Invalid UTF-8 is read
// one byte at a time as U+FFFD.
struct CodePoint {
  char32_t value = 0;
  size_t begin = 0;
  size_t end = 0;
};

inline CodePoint DecodeAt(std::string_view text, size_t pos) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char b0 = byte(pos);
  CodePoint cp{0xFFFD, pos, pos + 1};
  if (b0 < 0x80) {
    cp.value = b0;
    return cp;
  }
  size_t len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
  if (len == 0 || b0 >= 0xF8 || pos + len > text.size()) return cp;
  char32_t value = b0 & (0x7F >> len);
  for (size_t i = 1; i < len; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) return cp;
    value = (value << 6) | (byte(pos + i) & 0x3F);
  }
  cp.value = value;
  cp.end = pos + len;
  return cp;
}

// Calls f(CodePoint) for each code point of span.
template <typename F>
void ForEachCodePoint(std::string_view text, TextSpan span, F&& f) {
  size_t end = std::min(span.end, text.size());
  for (size_t pos = span.begin; pos < end;) {
    CodePoint cp = DecodeAt(text.substr(0, end), pos);
    f(cp);
    pos = cp.end;
  }
}

// Columns a code point takes in a terminal (East Asian Wide and Fullwidth
// are 2, combining marks 0, the rest -- box drawing and curly quotes
// included, as text browsers draw them -- 1).
inline int DisplayWidth(char32_t c) {
  if (c < 0x300) return 1;
  if ((c >= 0x300 && c <= 0x36F) || (c >= 0x200B && c <= 0x200F) ||
      (c >= 0xFE00 && c <= 0xFE0F)) {
    return 0;
  }
  struct Range {
    char32_t first, last;
  };
  static constexpr Range kWide[] = {
      {0x1100, 0x115F}, {0x2E80, 0x303E}, {0x3041, 0x33FF},
      {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xA000, 0xA4CF},
      {0xAC00, 0xD7A3}, {0xF900, 0xFAFF}, {0xFE30, 0xFE4F},
      {0xFF00, 0xFF60}, {0xFFE0, 0xFFE6}, {0x20000, 0x3FFFD},
  };
  for (const Range& r : kWide) {
    if (c >= r.first && c <= r.last) return 2;
  }
  return 1;
}

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Length of the figure at the start of s: [-+]digits[,ddd...][.digits], or
// 0. A digit run followed by '.' and no digit is a list number ("1.属于"),
// not a figure.
inline size_t FigurePrefix(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t digits = i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  if (i == digits) return 0;
  // Thousands groups: exactly three digits after each comma.
  while (i + 3 < s.size() && s[i] == ',' && IsDigit(s[i + 1]) &&
         IsDigit(s[i + 2]) && IsDigit(s[i + 3]) &&
         (i + 4 >= s.size() || !IsDigit(s[i + 4]))) {
    i += 4;
  }
  if (i < s.size() && s[i] == '.') {
    if (i + 1 >= s.size() || !IsDigit(s[i + 1])) return 0;
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  return i;
}

// A cell as a reader found it: its pieces of text in reading order (one
// per physical line it spans, empty ones left out). No piece: an empty cell
// at `anchor`.
struct GridCell {
  std::vector<TextSpan> pieces;
  size_t anchor = 0;
};

struct GridRow {
  std::vector<GridCell> cells;
};

}  // namespace gongkai::text_grid
