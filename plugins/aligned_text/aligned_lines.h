// Lines of space-aligned text cut into cells, and the runs of lines that
// form tables: the reading of the aligned_text plugin, apart from the plugin
// boundary so that it can be read and tested on its own.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "gongkai/plugin_text.h"

namespace gongkai::plugins::aligned {

namespace sdk = ::gongkai::sdk;

// One cell of a line: a figure, or a word (text without blanks).
struct Token {
  sdk::TextSpan span;
  bool figure = false;
};

enum class Kind {
  kBlank,
  kPageMark,  // "-3-": a page's number, between the parts of a table
  kProse,     // a line of running text: it holds a sentence
  kRow,       // words (maybe none), then figures (and blank markers)
  kText,      // words alone: a header, a label, a wrapped piece of either
};

struct Line {
  sdk::TextSpan span;  // without the line break
  Kind kind = Kind::kBlank;
  std::vector<Token> tokens;
  int figures = 0;  // figure tokens, blank markers ("-") included
  // Digits mixed with letters or rulings ("0o|o"): OCR, not clean text.
  bool garbled = false;
};

// Lines [first, last) that form one table.
struct Block {
  size_t first = 0;
  size_t last = 0;
};

struct Row {
  std::vector<Token> cells;
};

namespace internal {

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

inline bool IsAsciiLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// A figure as tables print it: an optional sign, digits (maybe grouped by
// commas), an optional decimal part. "1." and "3.属于" are enumerators.
inline bool IsFigure(std::string_view t) {
  size_t i = 0;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
  size_t digits = 0;
  for (; i < t.size() && (IsDigit(t[i]) || (t[i] == ',' && digits > 0)); ++i)
    digits += IsDigit(t[i]);
  if (digits == 0 || t[i - 1] == ',') return false;
  if (i < t.size() && t[i] == '.') {
    size_t frac = 0;
    for (++i; i < t.size() && IsDigit(t[i]); ++i) ++frac;
    if (frac == 0) return false;
  }
  return i == t.size();
}

inline bool HasDigit(std::string_view t) {
  for (char c : t) {
    if (IsDigit(c)) return true;
  }
  return false;
}

// Narrow columns run together: "000" is three zeros and "05" a zero and a
// five, as no figure starts with 0. Only leading zeros are cut off; what
// follows them stays one figure, whose own digits no rule can part.
inline void AppendFigure(std::string_view text, sdk::TextSpan span,
                         std::vector<Token>* out) {
  std::string_view t = sdk::SpanText(text, span);
  bool decimal = t.find('.') != std::string_view::npos;
  bool plain = true;
  for (char c : t) plain = plain && IsDigit(c);
  if (plain && !decimal) {
    while (span.size() > 1 && text[span.begin] == '0') {
      out->push_back({{span.begin, span.begin + 1}, true});
      ++span.begin;
    }
  }
  out->push_back({span, true});
}

inline bool Contains(std::string_view s, std::string_view what) {
  return s.find(what) != std::string_view::npos;
}

inline bool IsDash(std::string_view t, size_t pos, size_t* len) {
  if (pos < t.size() && t[pos] == '-') {
    *len = 1;
    return true;
  }
  // U+2014 EM DASH, U+2013 EN DASH, U+2015 HORIZONTAL BAR.
  std::string_view c = t.substr(pos, 3);
  if (c == "\xE2\x80\x94" || c == "\xE2\x80\x93" || c == "\xE2\x80\x95") {
    *len = 3;
    return true;
  }
  return false;
}

// A cell the table leaves blank on purpose: "-", "/", "—". It holds its
// column's place like a figure (core reads it as blank).
inline bool IsBlankMarker(std::string_view t) {
  if (t.empty()) return false;
  for (size_t i = 0; i < t.size();) {
    size_t len = 0;
    if (t[i] == '/' || t[i] == '\\') {
      ++i;
    } else if (IsDash(t, i, &len)) {
      i += len;
    } else {
      return false;
    }
  }
  return t.size() <= 6;
}

// "-3-", "- 3 -", "— 3 —": a page number between dashes.
inline bool IsPageMark(std::string_view t) {
  size_t i = 0, len = 0;
  bool lead = false;
  while (i < t.size() && (t[i] == ' ' || IsDash(t, i, &len))) {
    if (t[i] != ' ') {
      lead = true;
      i += len;
    } else {
      ++i;
    }
  }
  size_t digits = 0;
  while (i < t.size() && IsDigit(t[i])) {
    ++i;
    ++digits;
  }
  bool trail = false;
  while (i < t.size() && (t[i] == ' ' || IsDash(t, i, &len))) {
    if (t[i] != ' ') {
      trail = true;
      i += len;
    } else {
      ++i;
    }
  }
  return lead && trail && digits > 0 && digits <= 3 && i == t.size();
}

// A narrow column prints its figure against the label's last character:
// "相关政府信息12  0  0" is the label and 12. Only a row's last words are
// cut so, and only when figures follow them, so that "附件1" or a label's
// own numbering stays whole.
inline void SplitTouchingFigure(std::string_view text,
                                std::vector<Token>* tokens) {
  size_t last_text = tokens->size();
  for (size_t i = 0; i < tokens->size(); ++i) {
    if (!(*tokens)[i].figure) last_text = i;
  }
  if (last_text + 1 >= tokens->size()) return;  // none, or no figure after
  sdk::TextSpan label = (*tokens)[last_text].span;
  size_t cut = label.end;
  while (cut > label.begin && IsDigit(text[cut - 1])) --cut;
  if (cut == label.end || cut < label.begin + 3) return;
  size_t len = 0;
  bool after_word = text[cut - 1] == ')' || sdk::CjkAt(text, cut - 3, &len);
  if (!after_word) return;
  std::vector<Token> figures;
  AppendFigure(text, {cut, label.end}, &figures);
  (*tokens)[last_text].span.end = cut;
  tokens->insert(tokens->begin() + last_text + 1, figures.begin(),
                 figures.end());
}

}  // namespace internal

// Cuts a line into tokens at blanks. Every word is a cell of its own, even
// where one space parts it from the next: lynx parts narrow cells so
// ("自然人 法人或其他组织"), and core joins a label's words again.
// Without keep_tokens only the kind, figure count and garbling are worked
// out (detection reads every line of every document: no allocation).
inline Line ReadLine(std::string_view text, sdk::TextSpan raw,
                     bool keep_tokens = true) {
  Line line;
  line.span = raw;
  sdk::TextSpan trimmed = sdk::Trim(text, raw);
  std::string_view t = sdk::SpanText(text, trimmed);
  if (t.empty()) {
    line.kind = Kind::kBlank;
    return line;
  }
  if (internal::IsPageMark(t)) {
    line.kind = Kind::kPageMark;
    return line;
  }
  bool words_after_figure = false;
  bool numeric = false;      // a figure, not only blank markers
  bool last_figure = false;  // the last token is a figure
  size_t pos = trimmed.begin;
  while (pos < trimmed.end) {
    size_t n = sdk::BlankAt(text, pos);
    if (n > 0) {
      pos += n;
      continue;
    }
    size_t end = pos;
    while (end < trimmed.end && sdk::BlankAt(text, end) == 0) ++end;
    sdk::TextSpan word{pos, end};
    std::string_view w = sdk::SpanText(text, word);
    pos = end;
    bool figure = internal::IsFigure(w);
    if (figure || internal::IsBlankMarker(w)) {
      numeric = numeric || figure;
      if (keep_tokens) {
        internal::AppendFigure(text, word, &line.tokens);
      } else {
        ++line.figures;
      }
      last_figure = true;
      continue;
    }
    if (internal::HasDigit(w)) {
      for (char c : w) {
        line.garbled = line.garbled || internal::IsAsciiLetter(c) || c == '|';
      }
    }
    words_after_figure = words_after_figure || last_figure;
    if (keep_tokens) line.tokens.push_back({word, false});
    last_figure = false;
  }
  if (keep_tokens) {
    internal::SplitTouchingFigure(text, &line.tokens);
    for (const Token& tok : line.tokens) line.figures += tok.figure;
  }
  line.garbled = line.garbled || internal::Contains(t, "|");
  // Sentences end in 。 or ;, and running text puts words after figures
  // ("共收到申请 154 件"); a table row ends in its figures.
  if (internal::Contains(t, "\xE3\x80\x82") || internal::Contains(t, ";") ||
      internal::Contains(t, "\xEF\xBC\x9B") || words_after_figure) {
    line.kind = Kind::kProse;
  } else if (numeric) {
    line.kind = Kind::kRow;
  } else {
    line.kind = Kind::kText;
  }
  return line;
}

// A bare number on a page's last line, just before pdftotext's form feed,
// is the page's number, not a cell of the table the page break cuts.
inline void MarkPageNumbers(std::string_view text, std::vector<Line>* lines) {
  for (size_t i = 1; i < lines->size(); ++i) {
    std::string_view raw = sdk::SpanText(text, (*lines)[i].span);
    if (raw.find('\f') == std::string_view::npos) continue;
    size_t k = i;
    while (k > 0 && (*lines)[k - 1].kind == Kind::kBlank) --k;
    if (k == 0) continue;
    Line& last = (*lines)[k - 1];
    std::string_view t = sdk::SpanText(text, sdk::Trim(text, last.span));
    bool number = !t.empty() && t.size() <= 3;
    for (char c : t) number = number && internal::IsDigit(c);
    if (number) {
      last.kind = Kind::kPageMark;
      last.tokens.clear();
      last.figures = 0;
    }
  }
}

inline std::vector<Line> ReadLines(std::string_view text) {
  std::vector<Line> lines;
  sdk::LineReader reader(text);
  for (sdk::TextSpan raw; reader.Next(&raw);) {
    lines.push_back(ReadLine(text, raw));
  }
  MarkPageNumbers(text, &lines);
  return lines;
}

// How far a table reaches from its rows: the header lines above the first
// row, the lines of labels and headings between two rows, and the wrapped
// end of the last row's label.
inline constexpr size_t kMaxHeaderLines = 16;
inline constexpr size_t kMaxGapLines = 24;
inline constexpr size_t kMaxTrailingLines = 2;

// The tables: runs of lines without a sentence around rows of figures.
inline std::vector<Block> FindBlocks(const std::vector<Line>& lines) {
  std::vector<Block> blocks;
  size_t floor = 0;  // lines before it belong to an earlier block
  size_t i = 0;
  auto nonblank = [&](size_t k) {
    return lines[k].kind != Kind::kBlank && lines[k].kind != Kind::kPageMark;
  };
  while (i < lines.size()) {
    if (lines[i].kind != Kind::kRow) {
      ++i;
      continue;
    }
    Block block;
    // Up over the header.
    size_t first = i, seen = 0;
    while (first > floor && lines[first - 1].kind != Kind::kProse &&
           seen < kMaxHeaderLines) {
      --first;
      seen += nonblank(first);
    }
    while (first < i && !nonblank(first)) ++first;
    block.first = first;
    // Down over rows and the lines between them.
    size_t last_row = i, gap = 0;
    size_t j = i + 1;
    for (; j < lines.size() && lines[j].kind != Kind::kProse; ++j) {
      if (lines[j].kind == Kind::kRow) {
        last_row = j;
        gap = 0;
      } else if (nonblank(j) && ++gap > kMaxGapLines) {
        break;
      }
    }
    size_t last = last_row + 1, trailing = 0;
    while (last < lines.size() && lines[last].kind == Kind::kText &&
           trailing < kMaxTrailingLines) {
      ++last;
      ++trailing;
    }
    block.last = last;
    blocks.push_back(block);
    floor = last;
    i = last;
  }
  return blocks;
}

// At most this many lines of words stand between the two halves of a row.
inline constexpr size_t kMaxSplitGap = 3;

// The rows of a block: one per line with cells, except a row whose figures
// were printed on two lines. pdftotext sets a figure beside the label's
// first line and the others beside its last ("……，不 38" then "计其他情形）
// 0 0 0 0 0 38"): two short rows of k and m figures, with only words
// between them, whose k + m figures make up the width of the row above or
// below them, are one row. Its words come first, then its figures in order.
inline std::vector<Row> BlockRows(const std::vector<Line>& lines,
                                  const Block& block) {
  std::vector<size_t> kept;  // lines with cells
  for (size_t i = block.first; i < block.last; ++i) {
    if (!lines[i].tokens.empty() && lines[i].kind != Kind::kPageMark)
      kept.push_back(i);
  }
  auto figures = [&](size_t k) { return lines[kept[k]].figures; };
  auto row_near = [&](size_t k, int step) -> int {
    for (long j = static_cast<long>(k) + step;
         j >= 0 && j < static_cast<long>(kept.size()); j += step) {
      if (figures(j) > 0) return figures(j);
    }
    return 0;
  };
  std::vector<Row> rows;
  for (size_t k = 0; k < kept.size(); ++k) {
    const Line& line = lines[kept[k]];
    size_t second = k + 1;
    while (second < kept.size() && second - k <= kMaxSplitGap &&
           figures(second) == 0)
      ++second;
    if (line.figures > 0 && second < kept.size() &&
        second - k <= kMaxSplitGap) {
      int width = line.figures + figures(second);
      bool fits = width == row_near(k, -1) || width == row_near(second, +1);
      if (fits && line.figures < width && figures(second) < width) {
        Row row;
        std::vector<Token> values;
        for (size_t j = k; j <= second; ++j) {
          for (const Token& t : lines[kept[j]].tokens) {
            (t.figure ? values : row.cells).push_back(t);
          }
        }
        row.cells.insert(row.cells.end(), values.begin(), values.end());
        rows.push_back(std::move(row));
        k = second;
        continue;
      }
    }
    rows.push_back(Row{line.tokens});
  }
  return rows;
}

// What detection needs: rows of figures, clean or garbled.
struct Stats {
  size_t clean_rows = 0;
  size_t garbled_rows = 0;
};

inline Stats Survey(std::string_view text) {
  Stats stats;
  sdk::LineReader reader(text);
  for (sdk::TextSpan raw; reader.Next(&raw);) {
    Line line = ReadLine(text, raw, /*keep_tokens=*/false);
    if (line.garbled) {
      ++stats.garbled_rows;
    } else if (line.kind == Kind::kRow) {
      ++stats.clean_rows;
    }
  }
  return stats;
}

}  // namespace gongkai::plugins::aligned
