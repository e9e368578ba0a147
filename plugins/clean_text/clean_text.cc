// The clean_text plugin: plain text whose tables were flattened by a
// converter into one of three clean shapes, and prose around them.
//  (a) pipe dumps of HTML tables, one cell per line ending in " |": a lone
//      "|" line starts a row, "| n |" starts a row whose first cell is n,
//      and a line of k pipes is k empty cells;
//  (b) one cell per line starting with TAB, rows separated by blank lines,
//      a lone TAB being an empty cell;
//  (c) Markdown pipe tables, one row per line ("| a | b |", or "a | b" as
//      html2text writes them), separator rows skipped;
//  (d) the same tables when their cells hold paragraphs: html2text then
//      writes each paragraph of a cell on its own line, a lone "|" line
//      between cells, and ends each row with "  " and a line of blanks.
// Every other line is a paragraph.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

#include "gongkai/plugin.h"
#include "gongkai/plugin_text.h"

namespace {

namespace sdk = gongkai::sdk;
using sdk::TextSpan;

enum class Kind : uint8_t {
  kBlank,      // nothing but blanks (see Line::break_line)
  kText,
  kTabCell,    // shape (b): TAB, then one cell (maybe empty)
  kPipeOnly,   // "|", "||", ...: shape (a) row start or empty cells
  kSeparator,  // "|---|:--:|" or "---"
  kPipe,       // a line with cells between pipes
};

// One line, classified, with what emitting it needs.
struct Line {
  Kind kind = Kind::kText;
  TextSpan trimmed;
  bool break_line = false;  // kBlank made of blanks, not empty: a row's end
  size_t pipes = 0;  // kPipeOnly: how many
  // kPipe: every piece between pipes, trimmed, empty ones included, and
  // whether the line starts or ends with a pipe.
  std::vector<TextSpan> pieces;
  size_t piece_count = 0;
  bool lead = false;
  bool trail = false;

  // The pieces without the empty ones outside a leading or trailing pipe:
  // the line's content cells.
  size_t ContentCells() const {
    size_t outer = (lead ? 1 : 0) + (trail ? 1 : 0);
    return piece_count > outer ? piece_count - outer : 0;
  }
  std::vector<TextSpan> Framed() const {
    auto first = pieces.begin() + (lead ? 1 : 0);
    auto last = pieces.end() - (trail ? 1 : 0);
    return first < last ? std::vector<TextSpan>(first, last)
                        : std::vector<TextSpan>();
  }
};

// Classifies a line; its pieces are stored only if want_pieces (finding
// blocks needs their count alone).
Line Classify(std::string_view text, TextSpan raw, bool want_pieces = true) {
  Line line;
  std::string_view s = sdk::SpanText(text, raw);
  // Exactly one TAB, leading: one cell. More TABs (even trailing ones)
  // make a TAB-separated row, which is another plugin's shape.
  if (!s.empty() && s[0] == '\t' && s.find('\t', 1) == std::string_view::npos) {
    line.kind = Kind::kTabCell;
    line.trimmed = sdk::Trim(text, {raw.begin + 1, raw.end});
    return line;
  }
  line.trimmed = sdk::Trim(text, raw);
  std::string_view t = sdk::SpanText(text, line.trimmed);
  if (t.empty()) {
    line.kind = Kind::kBlank;
    line.break_line = !s.empty();
    return line;
  }
  if (t.find('|') == std::string_view::npos) {
    bool rule = t.find_first_not_of("-: ") == std::string_view::npos &&
                t.find("---") != std::string_view::npos;
    line.kind = rule ? Kind::kSeparator : Kind::kText;
    return line;
  }
  if (t.find_first_not_of('|') == std::string_view::npos) {
    line.kind = Kind::kPipeOnly;
    line.pipes = t.size();
    return line;
  }
  if (t.find_first_not_of("|-: ") == std::string_view::npos &&
      t.find('-') != std::string_view::npos) {
    line.kind = Kind::kSeparator;
    return line;
  }
  line.kind = Kind::kPipe;
  line.lead = t.front() == '|';
  line.trail = t.back() == '|';
  bool aligned = false;
  sdk::ForEachPiece(text, line.trimmed, '|', [&](TextSpan piece) {
    piece = sdk::Trim(text, piece);
    // Cells padded apart by runs of spaces inside a piece are columns
    // aligned by spaces (OCR, pdftotext), not a clean shape.
    aligned = aligned ||
              sdk::SpanText(text, piece).find("  ") != std::string_view::npos;
    if (want_pieces) line.pieces.push_back(piece);
    ++line.piece_count;
  });
  if (aligned) {
    line.kind = Kind::kText;
    line.pieces.clear();
    line.piece_count = 0;
    line.lead = line.trail = false;
  }
  return line;
}

// What finding blocks needs to know of a line, in a few bytes: the whole
// document's tags stay small however many lines it has.
struct Tag {
  Kind kind = Kind::kBlank;
  uint8_t cells = 0;  // kPipe: content cells; kPipeOnly: pipes (both up to 2)
  bool lead = false;
  bool trail = false;
  bool break_line = false;
};

Tag TagOf(const Line& line) {
  Tag tag;
  tag.kind = line.kind;
  tag.break_line = line.break_line;
  tag.lead = line.lead;
  tag.trail = line.trail;
  size_t n = line.kind == Kind::kPipe ? line.ContentCells() : line.pipes;
  tag.cells = static_cast<uint8_t>(std::min<size_t>(n, 2));
  return tag;
}

std::vector<Tag> TagLines(std::string_view text) {
  std::vector<Tag> tags;
  sdk::LineReader lines(text);
  for (TextSpan raw; lines.Next(&raw);) {
    tags.push_back(TagOf(Classify(text, raw, /*want_pieces=*/false)));
  }
  return tags;
}

bool IsPipeLine(const Tag& tag) {
  return tag.kind == Kind::kPipe || tag.kind == Kind::kPipeOnly ||
         tag.kind == Kind::kSeparator;
}

bool IsRowOfCells(const std::vector<Tag>& tags, size_t i) {
  return i < tags.size() && tags[i].kind == Kind::kPipe && tags[i].cells >= 2;
}

// A text line belongs to a Markdown table as a row of one cell when it is
// the header above a separator row, or sits between two rows of cells
// (html2text writes a one-cell row without any pipe).
bool IsOneCellRow(const std::vector<Tag>& tags, size_t i) {
  if (tags[i].kind != Kind::kText) return false;
  if (i + 2 < tags.size() && tags[i + 1].kind == Kind::kSeparator &&
      IsPipeLine(tags[i + 2])) {
    return true;
  }
  return i > 0 && IsRowOfCells(tags, i - 1) && IsRowOfCells(tags, i + 1);
}

enum class BlockKind {
  kParagraph,
  kSkip,
  kPipeDump,
  kMarkdown,
  kTabCells,
  kParagraphCells,  // shape (d)
};

struct Block {
  BlockKind kind;
  size_t first;  // lines [first, last)
  size_t last;
};

// Shape (d) helpers. A row ends at a break line; inside it, lone "|" lines
// part the cells and blank lines the paragraphs of a cell.
bool IsBreak(const Tag& tag) {
  return tag.kind == Kind::kBlank && tag.break_line;
}
bool IsCellParting(const Tag& tag) {
  return tag.kind == Kind::kPipeOnly && tag.cells == 1;
}
bool InParagraphRow(const Tag& tag) {
  return tag.kind == Kind::kText || IsCellParting(tag) ||
         (tag.kind == Kind::kBlank && !tag.break_line);
}

// The first line of the paragraph that ends before line `end` (blank lines
// just before `end` skipped), or `end` if there is none after `floor`.
size_t ParagraphBefore(const std::vector<Tag>& tags, size_t floor,
                       size_t end) {
  size_t i = end;
  while (i > floor && tags[i - 1].kind == Kind::kBlank) --i;
  size_t last = i;
  while (i > floor && tags[i - 1].kind == Kind::kText) --i;
  return i < last ? i : end;
}

// The row of shape (d) that starts at line `from`: its break line, if the
// lines up to it are cells (paragraphs and lone "|" lines) and the row has
// cells or is one paragraph; else npos.
size_t ParagraphRowEnd(const std::vector<Tag>& tags, size_t from) {
  size_t i = from;
  bool parted = false;
  size_t paragraphs = 0;
  while (i < tags.size() && InParagraphRow(tags[i])) {
    parted = parted || IsCellParting(tags[i]);
    if (tags[i].kind == Kind::kText &&
        (i == from || tags[i - 1].kind != Kind::kText)) {
      ++paragraphs;
    }
    ++i;
  }
  if (i == tags.size() || !IsBreak(tags[i]) || paragraphs == 0 ||
      (!parted && paragraphs > 1)) {
    return std::string_view::npos;
  }
  return i;
}

// The tables of shape (d), as line ranges. Such a table starts with a row
// whose break line the separator row follows; its first cell is the one
// paragraph before the first lone "|" (what stands before it is text above
// the table). Rows follow up to the first that is not one, or is the
// header of the next table.
std::vector<std::pair<size_t, size_t>> FindParagraphTables(
    const std::vector<Tag>& tags) {
  std::vector<std::pair<size_t, size_t>> tables;
  size_t floor = 0;  // lines before it belong to an earlier table
  for (size_t s = 1; s < tags.size(); ++s) {
    if (s < floor || tags[s].kind != Kind::kSeparator || !IsBreak(tags[s - 1]))
      continue;
    size_t end = s - 1;  // the header row's break line
    size_t lo = end;
    while (lo > floor && InParagraphRow(tags[lo - 1])) --lo;
    size_t parting = lo;
    while (parting < end && !IsCellParting(tags[parting])) ++parting;
    size_t first = ParagraphBefore(tags, lo, parting);
    if (first >= end) continue;
    size_t last = s + 1;
    if (last < tags.size() && IsBreak(tags[last])) ++last;
    for (;;) {
      size_t row_end = ParagraphRowEnd(tags, last);
      if (row_end == std::string_view::npos) break;
      if (row_end + 1 < tags.size() && tags[row_end + 1].kind == Kind::kSeparator)
        break;  // the next table's header row
      last = row_end + 1;
    }
    tables.emplace_back(first, last);
    floor = last;
    s = last;
  }
  return tables;
}

// Splits lines [begin, end) into paragraphs and tables of shapes (a) to (c),
// in order, and hands each block to f.
template <typename F>
void ForEachPlainBlock(const std::vector<Tag>& tags, size_t begin, size_t end,
                       F&& f) {
  size_t n = end;
  size_t i = begin;
  while (i < n) {
    const Tag& tag = tags[i];
    if (tag.kind == Kind::kTabCell) {
      // Blank lines separate rows; the table ends at any other line.
      size_t end = i + 1;  // one past the last TAB cell
      for (size_t j = i + 1; j < n && (tags[j].kind == Kind::kTabCell ||
                                       tags[j].kind == Kind::kBlank);
           ++j) {
        if (tags[j].kind == Kind::kTabCell) end = j + 1;
      }
      f(Block{BlockKind::kTabCells, i, end});
      i = end;
      continue;
    }
    if (IsPipeLine(tag) || IsOneCellRow(tags, i)) {
      size_t j = i + 1;
      while (j < n && (IsPipeLine(tags[j]) || IsOneCellRow(tags, j))) ++j;
      size_t rows_of_cells = 0;
      size_t one_cell_lines = 0;
      bool content = false;
      bool separator = false;
      bool framed = true;
      for (size_t k = i; k < j; ++k) {
        if (tags[k].kind == Kind::kPipe) {
          content = true;
          ++(tags[k].cells >= 2 ? rows_of_cells : one_cell_lines);
          framed = framed && tags[k].lead && tags[k].trail;
        } else if (tags[k].kind == Kind::kPipeOnly) {
          ++one_cell_lines;
        } else if (tags[k].kind == Kind::kSeparator) {
          separator = true;
        }
      }
      BlockKind kind = rows_of_cells > one_cell_lines ? BlockKind::kMarkdown
                                                      : BlockKind::kPipeDump;
      if (!content) {
        kind = BlockKind::kSkip;  // pipes and rules only: no cell to read
      } else if (kind == BlockKind::kMarkdown && !separator && !framed) {
        // Rows of "a | b" without a separator row are not Markdown but
        // text that holds '|' (OCR reads ruling lines so): one paragraph
        // per line, and other plugins may read it better.
        for (size_t k = i; k < j; ++k) {
          bool words =
              tags[k].kind == Kind::kPipe || tags[k].kind == Kind::kText;
          f(Block{words ? BlockKind::kParagraph : BlockKind::kSkip, k, k + 1});
        }
        i = j;
        continue;
      } else if (j == i + 1 && !tag.lead && !tag.trail) {
        kind = BlockKind::kParagraph;  // prose that happens to hold a '|'
      }
      f(Block{kind, i, j});
      i = j;
      continue;
    }
    f(Block{tag.kind == Kind::kText ? BlockKind::kParagraph : BlockKind::kSkip,
            i, i + 1});
    ++i;
  }
}

// Splits the lines into paragraphs and tables of one shape each, in order,
// and hands each block to f.
template <typename F>
void ForEachBlock(const std::vector<Tag>& tags, F&& f) {
  size_t pos = 0;
  for (auto [first, last] : FindParagraphTables(tags)) {
    ForEachPlainBlock(tags, pos, first, f);
    f(Block{BlockKind::kParagraphCells, first, last});
    pos = last;
  }
  ForEachPlainBlock(tags, pos, tags.size(), f);
}

class Emitter {
 public:
  Emitter(std::string_view text, const std::vector<Tag>& tags,
          const sdk::LayoutWriter& out)
      : text_(text), lines_(text), tags_(tags), out_(out) {}

  void Emit(const Block& block) {
    switch (block.kind) {
      case BlockKind::kParagraph:
        for (size_t i = block.first; i < block.last; ++i) {
          TextSpan t = WithoutHeadingMarker(Get(i).trimmed);
          out_.Paragraph(t.begin, t.end);
        }
        break;
      case BlockKind::kSkip:
        break;
      case BlockKind::kTabCells:
        EmitTabCells(block);
        break;
      case BlockKind::kPipeDump:
        EmitPipeDump(block);
        break;
      case BlockKind::kMarkdown:
        EmitMarkdown(block);
        break;
      case BlockKind::kParagraphCells:
        EmitParagraphCells(block);
        break;
    }
  }

 private:
  // Line i, classified. Blocks come in order and read their lines in
  // order, so one pass of a LineReader serves them all.
  Line Get(size_t i) {
    while (next_ <= i && lines_.Next(&raw_)) ++next_;
    return Classify(text_, raw_);
  }

  // A Markdown heading's "### " is markup, not part of the heading.
  TextSpan WithoutHeadingMarker(TextSpan span) const {
    size_t i = span.begin;
    while (i < span.end && i - span.begin < 6 && text_[i] == '#') ++i;
    if (i == span.begin || i >= span.end || text_[i] != ' ') return span;
    return sdk::Trim(text_, {i, span.end});
  }

  void Cell(TextSpan span) { out_.Cell(span.begin, span.end); }
  void EmptyCellAt(size_t pos) { out_.Cell(pos, pos); }

  // Shape (b): a blank line ends the row.
  void EmitTabCells(const Block& block) {
    out_.BeginTable();
    bool row_open = false;
    for (size_t i = block.first; i < block.last; ++i) {
      Line line = Get(i);
      if (line.kind != Kind::kTabCell) {
        row_open = false;
        continue;
      }
      if (!row_open) out_.BeginRow();
      row_open = true;
      Cell(line.trimmed);
    }
    out_.EndTable();
  }

  // Shape (a). A lone "|" is ambiguous: it starts a row when a cell line
  // follows, and is an empty cell closing the row when another pipe line,
  // a "| n |" row start or the end of the table follows.
  void EmitPipeDump(const Block& block) {
    out_.BeginTable();
    bool row_open = false;
    auto ensure_row = [&] {
      if (!row_open) out_.BeginRow();
      row_open = true;
    };
    for (size_t i = block.first; i < block.last; ++i) {
      Line line = Get(i);
      switch (line.kind) {
        case Kind::kPipeOnly: {
          bool cell_follows = i + 1 < block.last &&
                              tags_[i + 1].kind == Kind::kPipe &&
                              tags_[i + 1].cells == 1 && !tags_[i + 1].lead;
          if (line.pipes == 1 && cell_follows) {
            out_.BeginRow();
            row_open = true;
            break;
          }
          ensure_row();
          for (size_t k = 0; k < line.pipes; ++k) {
            EmptyCellAt(line.trimmed.begin + k);
          }
          break;
        }
        case Kind::kPipe: {
          std::vector<TextSpan> cells = line.Framed();
          if (cells.size() >= 2) {  // a whole row on one line
            out_.BeginRow();
            for (TextSpan cell : cells) Cell(cell);
            row_open = false;
          } else if (line.lead) {  // "| n |": a row starting with n
            out_.BeginRow();
            row_open = true;
            for (TextSpan cell : cells) Cell(cell);
          } else {
            ensure_row();
            for (TextSpan cell : cells) Cell(cell);
          }
          break;
        }
        case Kind::kText:  // a header above a separator row
          out_.BeginRow();
          Cell(line.trimmed);
          row_open = false;
          break;
        default:
          break;
      }
    }
    out_.EndTable();
  }

  // Shape (c). If every row is framed ("| a | b |") the outer pipes are
  // decoration; otherwise (html2text) a leading or trailing pipe stands for
  // an empty first or last cell.
  void EmitMarkdown(const Block& block) {
    bool framed = true;
    for (size_t i = block.first; i < block.last; ++i) {
      const Tag& tag = tags_[i];
      if (tag.kind == Kind::kPipe && !(tag.lead && tag.trail)) framed = false;
    }
    out_.BeginTable();
    for (size_t i = block.first; i < block.last; ++i) {
      Line line = Get(i);
      if (line.kind == Kind::kText) {
        out_.BeginRow();
        Cell(line.trimmed);
      } else if (line.kind == Kind::kPipe) {
        out_.BeginRow();
        for (TextSpan cell : framed ? line.Framed() : line.pieces) Cell(cell);
      }
    }
    out_.EndTable();
  }

  // Shape (d): rows end at break lines, lone "|" lines part the cells, a
  // cell spans its paragraphs. A row without parting is a one-cell row per
  // paragraph (a table's caption, a section heading inside it).
  void EmitParagraphCells(const Block& block) {
    out_.BeginTable();
    bool parted = false;  // the row has lone "|" lines
    std::vector<TextSpan> cells;  // the row so far; empty span: empty cell
    bool cell_open = false;
    bool row_open = false;
    auto flush_row = [&] {
      if (cells.empty()) return;
      if (parted) {
        out_.BeginRow();
        for (TextSpan c : cells) Cell(c);
      } else {
        for (TextSpan c : cells) {
          out_.BeginRow();
          Cell(c);
        }
      }
      cells.clear();
      cell_open = false;
      row_open = false;
    };
    for (size_t i = block.first; i < block.last; ++i) {
      Line line = Get(i);
      const Tag& tag = tags_[i];
      if (tag.kind == Kind::kSeparator || IsBreak(tag)) {
        flush_row();
        continue;
      }
      if (!row_open) {
        row_open = true;
        parted = false;
        for (size_t k = i; k < block.last && !IsBreak(tags_[k]) &&
                           tags_[k].kind != Kind::kSeparator;
             ++k) {
          parted = parted || IsCellParting(tags_[k]);
        }
      }
      if (IsCellParting(tag)) {
        if (!cell_open) cells.push_back({line.trimmed.begin, line.trimmed.begin});
        cell_open = false;
      } else if (tag.kind == Kind::kText) {
        bool new_paragraph = i == block.first || tags_[i - 1].kind != Kind::kText;
        if (!cell_open || (!parted && new_paragraph)) {
          cells.push_back(line.trimmed);
          cell_open = true;
        } else {
          cells.back().end = line.trimmed.end;
        }
      }
    }
    flush_row();
    out_.EndTable();
  }

  std::string_view text_;
  sdk::LineReader lines_;
  size_t next_ = 0;  // index of the line lines_ reads next
  TextSpan raw_;     // the line lines_ read last
  const std::vector<Tag>& tags_;
  const sdk::LayoutWriter& out_;
};

// How many lines a table block needs to count for detect().
constexpr size_t kMinTableLines = 5;

class CleanText : public sdk::Plugin {
 public:
  // A modest score for any text (prose alone is read as paragraphs), a high
  // one when a good share of the lines are table lines of these shapes.
  int Detect(std::string_view text) const override {
    std::vector<Tag> tags = TagLines(text);
    size_t nonblank = 0;
    size_t table_lines = 0;
    for (const Tag& tag : tags) nonblank += tag.kind != Kind::kBlank;
    ForEachBlock(tags, [&](const Block& block) {
      // Short runs of pipe lines are more likely text that holds '|' (OCR
      // reads ruling lines so) than a table.
      if (block.kind == BlockKind::kParagraph ||
          block.kind == BlockKind::kSkip ||
          block.last - block.first < kMinTableLines) {
        return;
      }
      for (size_t i = block.first; i < block.last; ++i) {
        table_lines += tags[i].kind != Kind::kBlank;
      }
    });
    if (table_lines < 4 || nonblank == 0) return 10;
    double share =
        static_cast<double>(table_lines) / static_cast<double>(nonblank);
    return 50 +
           static_cast<int>(std::lround(40.0 * std::min(1.0, share / 0.5)));
  }

  sdk::Status Extract(std::string_view text,
                      sdk::LayoutWriter& out) const override {
    std::vector<Tag> tags = TagLines(text);
    Emitter emitter(text, tags, out);
    ForEachBlock(tags, [&](const Block& block) { emitter.Emit(block); });
    return sdk::Status::Ok();
  }
};

}  // namespace

GONGKAI_EXPORT_PLUGIN(CleanText, "clean_text", "1.0.0",
                      "Plain text with pipe-dumped, TAB-per-cell or Markdown "
                      "tables");
