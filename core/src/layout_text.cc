// The text a markup layout shows (see layout_text.h).
#include "layout_text.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <utility>

namespace gongkai {
namespace {

class TextBuilder {
 public:
  explicit TextBuilder(const NormalizedText& source) : source_(source) {
    out_.charset = source.charset;
  }

  // Appends one piece (a paragraph's or a cell's text) read from `source`
  // in the normalized text; returns where it now lies.
  Span Append(std::string_view text, Span source) {
    const size_t n = source_.text.size();
    source.end = std::min(source.end, n);
    source.begin = std::min(source.begin, source.end);
    const bool same =
        std::string_view(source_.text)
            .substr(source.begin, source.end - source.begin) == text;
    const size_t begin = out_.text.size();
    out_.text.append(text);
    out_.origin.reserve(out_.text.size() + 1);
    for (size_t i = 0; i < text.size(); ++i) {
      Push(Origin(same ? source.begin + i : source.begin));
    }
    // The piece's source ends here: the markup after it is no part of its
    // evidence (OriginalSpan stops at a dropped run).
    const uint32_t end = std::max(Origin(source.end), floor_);
    if (out_.dropped.empty() || out_.dropped.back() < end) {
      out_.dropped.push_back(end);
    }
    last_end_ = end;
    return Span{begin, out_.text.size()};
  }

  // A separator between pieces: it maps to where the last piece ended.
  void Separator(char c) {
    out_.text.push_back(c);
    Push(std::max(last_end_, floor_));
  }

  NormalizedText Finish() {
    // origin[text.size()] is the original size.
    Push(source_.origin.empty() ? floor_ : source_.origin.back());
    return std::move(out_);
  }

 private:
  uint32_t Origin(size_t i) const {
    if (source_.origin.empty()) return 0;
    return source_.origin[std::min(i, source_.origin.size() - 1)];
  }

  // OriginalSpan bisects origin: keep it nondecreasing whatever order the
  // plugin reported its pieces in.
  void Push(uint32_t o) {
    floor_ = std::max(floor_, o);
    out_.origin.push_back(floor_);
  }

  const NormalizedText& source_;
  NormalizedText out_;
  uint32_t floor_ = 0;
  uint32_t last_end_ = 0;
};

}  // namespace

LayoutDocument LayoutText(const NormalizedText& doc, const Layout& layout) {
  LayoutDocument result;
  TextBuilder text(doc);
  Layout& out = result.layout;
  out.warnings = layout.warnings;  // spans into the source; nothing reads them
  out.ocr = layout.ocr;
  out.run_together = layout.run_together;
  out.markup = layout.markup;
  std::string_view source(doc.text);
  for (const Block& b : layout.blocks) {
    Block block;
    block.kind = b.kind;
    if (b.kind == Block::Kind::kParagraph) {
      std::string_view t = b.text;
      if (t.empty() && b.span.begin < b.span.end &&
          b.span.end <= source.size()) {
        t = source.substr(b.span.begin, b.span.end - b.span.begin);
      }
      block.span = text.Append(t, b.span);
      text.Separator('\n');
      out.blocks.push_back(std::move(block));
      continue;
    }
    bool first_cell = true;
    for (const Row& row : b.table.rows) {
      Row& r = block.table.rows.emplace_back();
      for (size_t i = 0; i < row.cells.size(); ++i) {
        if (i > 0) text.Separator('\t');
        Cell cell;
        cell.text = row.cells[i].text;
        cell.span = text.Append(cell.text, row.cells[i].span);
        if (first_cell) block.span.begin = cell.span.begin;
        first_cell = false;
        block.span.end = cell.span.end;
        r.cells.push_back(std::move(cell));
      }
      text.Separator('\n');
    }
    out.blocks.push_back(std::move(block));
  }
  result.doc = text.Finish();
  return result;
}

}  // namespace gongkai
