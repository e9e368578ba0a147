// Shared by the tab_separated and ocr_layout plugins: text whose tables put
// one row on each line with TAB between cells. Internal to the bundled
// plugins (not part of the installed SDK).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gongkai/plugin.h"
#include "gongkai/plugin_text.h"

namespace gongkai::plugins {

struct TabRowsOptions {
  // Drop a leading "- " list marker from paragraphs (OCR of bullet lists).
  bool strip_list_markers = false;
  // Also split cells at " | ": OCR reads ruling lines as '|'.
  bool split_at_rulings = false;
  // A line without TAB whose pieces are set apart by runs of two or more
  // spaces or by '|' rulings is a row too: OCR without TABs aligns the
  // columns of a table that way.
  bool split_space_aligned = false;
  // When set, replaces split_space_aligned for lines without TAB: fills
  // *cells (spans and the text each cell holds) and returns true if the line
  // is a table row.
  struct LineCell {
    sdk::TextSpan span;
    std::string text;
  };
  bool (*split_line)(std::string_view text, sdk::TextSpan line,
                     std::vector<LineCell>* cells) = nullptr;
};

// Calls f(piece) for the non-empty pieces of span between runs of two or
// more spaces and '|' characters ("规章     0    0|0" is 规章, 0, 0, 0).
template <typename F>
void ForEachSpaceAlignedPiece(std::string_view text, sdk::TextSpan span,
                              F&& f) {
  auto add = [&](size_t begin, size_t end) {
    sdk::TextSpan piece = sdk::Trim(text, {begin, end});
    if (!piece.empty()) f(piece);
  };
  size_t begin = span.begin;
  size_t i = span.begin;
  while (i < span.end) {
    if (text[i] == '|') {
      add(begin, i);
      begin = ++i;
    } else if (text[i] == ' ' && i + 1 < span.end && text[i + 1] == ' ') {
      add(begin, i);
      while (i < span.end && text[i] == ' ') ++i;
      begin = i;
    } else {
      ++i;
    }
  }
  add(begin, span.end);
}

inline std::vector<sdk::TextSpan> SpaceAlignedPieces(std::string_view text,
                                                     sdk::TextSpan span) {
  std::vector<sdk::TextSpan> pieces;
  ForEachSpaceAlignedPiece(text, span,
                           [&](sdk::TextSpan p) { pieces.push_back(p); });
  return pieces;
}

// Counts for detect(): how many non-blank lines hold a TAB, and how many of
// those have at least three TAB-separated pieces.
struct TabLineStats {
  size_t nonblank_lines = 0;
  size_t tab_lines = 0;
  size_t wide_tab_lines = 0;
};

inline TabLineStats CountTabLines(std::string_view text) {
  TabLineStats stats;
  sdk::LineReader lines(text);
  for (sdk::TextSpan line; lines.Next(&line);) {
    if (sdk::IsBlank(text, line)) continue;
    ++stats.nonblank_lines;
    std::string_view s = sdk::SpanText(text, line);
    size_t tabs = 0;
    for (char c : s) tabs += c == '\t';
    if (tabs == 0) continue;
    ++stats.tab_lines;
    if (tabs >= 2) ++stats.wide_tab_lines;  // >= 3 pieces
  }
  return stats;
}

namespace internal {

// Emits piece as one cell, or as several where OCR read a ruling line as
// " | " inside it.
inline void EmitCell(std::string_view text, sdk::TextSpan piece,
                     const TabRowsOptions& options,
                     const sdk::LayoutWriter& out) {
  if (options.split_at_rulings) {
    size_t begin = piece.begin;
    for (size_t i = piece.begin + 1; i + 1 < piece.end; ++i) {
      if (text[i] == '|' && text[i - 1] == ' ' && text[i + 1] == ' ') {
        sdk::TextSpan part = sdk::Trim(text, {begin, i});
        out.Cell(part.begin, part.end);
        begin = i + 1;
      }
    }
    piece.begin = begin;
  }
  sdk::TextSpan cell = sdk::Trim(text, piece);
  out.Cell(cell.begin, cell.end);
}

}  // namespace internal

// Every line holding a TAB is a table row of its TAB-separated pieces, empty
// pieces included (the interpreter strips leading and trailing empties and
// needs the inner ones). Consecutive rows form one table, across blank
// lines; any other non-blank line is a paragraph (or, with
// split_space_aligned, maybe a row) and a paragraph ends the table.
inline void EmitTabRows(std::string_view text, const TabRowsOptions& options,
                        const sdk::LayoutWriter& out) {
  bool in_table = false;
  sdk::LineReader lines(text);
  for (sdk::TextSpan line; lines.Next(&line);) {
    if (sdk::IsBlank(text, line)) continue;
    std::string_view s = sdk::SpanText(text, line);
    if (s.find('\t') != std::string_view::npos) {
      if (!in_table) out.BeginTable();
      in_table = true;
      out.BeginRow();
      sdk::ForEachPiece(text, line, '\t', [&](sdk::TextSpan piece) {
        internal::EmitCell(text, piece, options, out);
      });
      continue;
    }
    sdk::TextSpan para = sdk::Trim(text, line);
    if (options.split_line != nullptr) {
      std::vector<TabRowsOptions::LineCell> cells;
      if (options.split_line(text, para, &cells) && !cells.empty()) {
        if (!in_table) out.BeginTable();
        in_table = true;
        out.BeginRow();
        for (const auto& c : cells) out.Cell(c.span.begin, c.span.end, c.text);
        continue;
      }
    } else if (options.split_space_aligned) {
      std::vector<sdk::TextSpan> pieces = SpaceAlignedPieces(text, para);
      if (pieces.size() >= 2) {
        if (!in_table) out.BeginTable();
        in_table = true;
        out.BeginRow();
        for (sdk::TextSpan piece : pieces) out.Cell(piece.begin, piece.end);
        continue;
      }
    }
    if (in_table) out.EndTable();
    in_table = false;
    if (options.strip_list_markers && para.size() > 2 &&
        text.substr(para.begin, 2) == "- ") {
      para = sdk::Trim(text, {para.begin + 2, para.end});
    }
    out.Paragraph(para.begin, para.end);
  }
  if (in_table) out.EndTable();
}

}  // namespace gongkai::plugins
