// The format-neutral shape of a document: paragraphs and tables of cells,
// as a plugin read them. Spans are byte offsets into the normalized text.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace gongkai {

struct Span {
  size_t begin = 0;
  size_t end = 0;
};

struct Cell {
  std::string text;  // the cell's content (normalized text)
  Span span;         // its source in the normalized text
};

struct Row {
  std::vector<Cell> cells;
};

struct Table {
  std::vector<Row> rows;
};

struct Block {
  enum class Kind { kParagraph, kTable };
  Kind kind = Kind::kParagraph;
  Span span;    // paragraph: its text; table: from first to last cell
  Table table;  // kTable only
  // kParagraph: its text as the plugin read it (markup removed) when that
  // differs from the text at span; empty: the text at span.
  std::string text;
};

struct LayoutWarning {
  Span span;
  std::string message;
};

struct Layout {
  std::vector<Block> blocks;
  std::vector<LayoutWarning> warnings;
  bool ocr = false;          // GK_HINT_OCR: lenient figure reading applies
  bool run_together = false;  // GK_HINT_RUN_TOGETHER
  // GK_HINT_MARKUP: the report is read from the text the layout shows
  // (core/src/layout_text.h), not from the markup around it.
  bool markup = false;
};

}  // namespace gongkai
