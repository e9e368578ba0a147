// The text_grid plugin: text whose tables a converter drew as grids --
// box-drawn (w3m -dump: "│行政许可│4529│" between ├─┼─┤ rulings, see
// box_grid.h) or underscore-padded (html2text: "|规章_|0_____|", see
// underscore_grid.h). Each grid becomes one table with one row per row of
// the grid, a cell's text gathered over the lines it wraps on. Every other
// line is a paragraph.
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "box_grid.h"
#include "gongkai/plugin.h"
#include "gongkai/plugin_text.h"
#include "grid_common.h"
#include "underscore_grid.h"

namespace {

namespace sdk = gongkai::sdk;
namespace tg = gongkai::text_grid;
using sdk::TextSpan;

enum class BlockKind { kParagraph, kBox, kUnderscore };

struct Block {
  BlockKind kind;
  size_t first;  // lines [first, last)
  size_t last;
};

// Splits the lines into grids and paragraph lines, in order.
std::vector<Block> FindBlocks(std::string_view text,
                              const std::vector<TextSpan>& lines) {
  std::vector<Block> blocks;
  size_t n = lines.size();
  for (size_t i = 0; i < n;) {
    std::string_view s = sdk::SpanText(text, lines[i]);
    if (tg::HasBoxChar(s)) {
      size_t j = i + 1;
      while (j < n && tg::HasBoxChar(sdk::SpanText(text, lines[j]))) ++j;
      blocks.push_back({BlockKind::kBox, i, j});
      i = j;
      continue;
    }
    if (tg::IsUnderscoreTop(s) && i + 1 < n &&
        tg::IsUnderscoreRow(sdk::SpanText(text, lines[i + 1]))) {
      size_t j = i + 1;
      bool padded = false;  // a cell padded with '_': not a Markdown table
      for (; j < n && tg::IsUnderscoreRow(sdk::SpanText(text, lines[j])); ++j) {
        padded = padded || sdk::SpanText(text, lines[j]).find("_|") !=
                               std::string_view::npos;
      }
      if (padded) {
        blocks.push_back({BlockKind::kUnderscore, i + 1, j});
        i = j;
        continue;
      }
    }
    blocks.push_back({BlockKind::kParagraph, i, i + 1});
    ++i;
  }
  return blocks;
}

std::vector<tg::GridRow> ReadGrid(std::string_view text,
                                  const std::vector<TextSpan>& lines,
                                  const Block& block) {
  std::vector<TextSpan> part(lines.begin() + block.first,
                             lines.begin() + block.last);
  return block.kind == BlockKind::kBox ? tg::ReadBoxGrid(text, part)
                                       : tg::ReadUnderscoreGrid(text, part);
}

bool IsWide(std::string_view text, size_t pos) {
  return pos < text.size() && tg::DisplayWidth(tg::DecodeAt(text, pos).value) == 2;
}

bool EndsWide(std::string_view text, TextSpan span) {
  size_t i = span.end;
  while (i > span.begin && (static_cast<unsigned char>(text[i - 1]) & 0xC0) == 0x80) {
    --i;
  }
  return i > span.begin && IsWide(text, i - 1);
}

// Pieces of one cell joined: CJK text wraps anywhere and joins without a
// blank; other text wrapped at a blank, which comes back.
void EmitPieces(std::string_view text, const std::vector<TextSpan>& pieces,
                size_t anchor, const sdk::LayoutWriter& out) {
  if (pieces.empty()) {
    out.Cell(anchor, anchor);
    return;
  }
  if (pieces.size() == 1) {
    out.Cell(pieces[0].begin, pieces[0].end);
    return;
  }
  std::string content;
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (i > 0 && !EndsWide(text, pieces[i - 1]) &&
        !IsWide(text, pieces[i].begin)) {
      content.push_back(' ');
    }
    content.append(sdk::SpanText(text, pieces[i]));
  }
  out.Cell(pieces.front().begin, pieces.back().end, content);
}

void EmitBoxRow(std::string_view text, const tg::GridRow& row,
                const sdk::LayoutWriter& out) {
  out.BeginRow();
  for (const tg::GridCell& cell : row.cells) {
    EmitPieces(text, cell.pieces, cell.anchor, out);
  }
}

// An underscore-grid cell read as a figure with what spilled after it.
struct Figure {
  bool is_figure = false;
  TextSpan figure;
  std::vector<TextSpan> rest;  // spilled text after the figure
};

Figure ReadFigure(std::string_view text, const tg::GridCell& cell) {
  Figure f;
  if (cell.pieces.empty()) return f;
  TextSpan first = cell.pieces.front();
  std::string_view s = sdk::SpanText(text, first);
  size_t n = tg::FigurePrefix(s);
  if (n == 0) return f;
  bool whole = n == s.size() && cell.pieces.size() == 1;
  // "04位" may be 0 and "4位" or 04: a figure with a leading zero is only
  // taken whole.
  size_t digits = s[0] == '-' || s[0] == '+' ? 1 : 0;
  if (!whole && s[digits] == '0' && n > digits + 1 && tg::IsDigit(s[digits + 1])) {
    return f;
  }
  f.is_figure = true;
  f.figure = {first.begin, first.begin + n};
  TextSpan rest = sdk::Trim(text, {first.begin + n, first.end});
  if (!rest.empty()) f.rest.push_back(rest);
  for (size_t i = 1; i < cell.pieces.size(); ++i) f.rest.push_back(cell.pieces[i]);
  return f;
}

// An underscore-grid row: the cells before its first figure are its label;
// text in or after the figure cells is label text that spilled there, and
// goes back to the label (one cell, before the figures); figure and empty
// cells keep their order.
void EmitUnderscoreRow(std::string_view text, const tg::GridRow& row,
                       const sdk::LayoutWriter& out) {
  std::vector<Figure> figures;
  size_t first_figure = row.cells.size();
  for (size_t i = 0; i < row.cells.size(); ++i) {
    figures.push_back(ReadFigure(text, row.cells[i]));
    if (figures.back().is_figure && first_figure == row.cells.size()) {
      first_figure = i;
    }
  }
  out.BeginRow();
  for (size_t i = 0; i < first_figure; ++i) {
    EmitPieces(text, row.cells[i].pieces, row.cells[i].anchor, out);
  }
  std::vector<TextSpan> spill;
  for (size_t i = first_figure; i < row.cells.size(); ++i) {
    const std::vector<TextSpan>& more =
        figures[i].is_figure ? figures[i].rest : row.cells[i].pieces;
    spill.insert(spill.end(), more.begin(), more.end());
  }
  if (!spill.empty()) {
    std::string content;
    for (TextSpan s : spill) content.append(sdk::SpanText(text, s));
    out.Cell(spill.front().begin, spill.back().end, content);
  }
  for (size_t i = first_figure; i < row.cells.size(); ++i) {
    if (figures[i].is_figure) {
      out.Cell(figures[i].figure.begin, figures[i].figure.end);
    } else if (row.cells[i].pieces.empty()) {
      out.Cell(row.cells[i].anchor, row.cells[i].anchor);
    }
  }
}

// A heading html2text framed in asterisks ("**** 二、主动公开 ****") without
// its frame.
TextSpan WithoutAsteriskFrame(std::string_view text, TextSpan span) {
  std::string_view s = sdk::SpanText(text, span);
  size_t lead = s.find_first_not_of('*');
  if (lead < 2 || lead == std::string_view::npos || s[lead] != ' ') return span;
  size_t trail = s.find_last_not_of('*');
  size_t cut = s.size() - 1 - trail >= 2 && s[trail] == ' ' ? trail : s.size();
  return sdk::Trim(text, {span.begin + lead, span.begin + cut});
}

// Rows of at least two cells a block yields, for detect().
size_t CountRows(const std::vector<tg::GridRow>& rows) {
  size_t n = 0;
  for (const tg::GridRow& row : rows) n += row.cells.size() >= 2;
  return n;
}

class TextGrid : public sdk::Plugin {
 public:
  // High when the text holds real grids (several rows of two or more
  // cells), low otherwise: a box-drawing character or a line of
  // underscores alone is no table.
  int Detect(std::string_view text) const override {
    std::vector<TextSpan> lines = sdk::SplitLines(text);
    size_t rows = 0;
    for (const Block& block : FindBlocks(text, lines)) {
      if (block.kind == BlockKind::kParagraph) continue;
      rows += CountRows(ReadGrid(text, lines, block));
    }
    if (rows < 3) return 5;
    return 60 + static_cast<int>(std::lround(
                    35.0 * std::min(1.0, static_cast<double>(rows) / 12.0)));
  }

  sdk::Status Extract(std::string_view text,
                      sdk::LayoutWriter& out) const override {
    std::vector<TextSpan> lines = sdk::SplitLines(text);
    for (const Block& block : FindBlocks(text, lines)) {
      if (block.kind == BlockKind::kParagraph) {
        TextSpan t = sdk::Trim(text, lines[block.first]);
        if (t.empty()) continue;
        t = WithoutAsteriskFrame(text, t);
        out.Paragraph(t.begin, t.end);
        continue;
      }
      std::vector<tg::GridRow> rows = ReadGrid(text, lines, block);
      if (rows.empty()) continue;
      out.BeginTable();
      for (const tg::GridRow& row : rows) {
        if (block.kind == BlockKind::kBox) {
          EmitBoxRow(text, row, out);
        } else {
          EmitUnderscoreRow(text, row, out);
        }
      }
      out.EndTable();
    }
    return sdk::Status::Ok();
  }
};

}  // namespace

GONGKAI_EXPORT_PLUGIN(TextGrid, "text_grid", "1.0.0",
                      "Tables drawn as grids: box-drawn (w3m) or "
                      "underscore-padded (html2text)");
