// The aligned_text plugin: text whose tables were laid out by spaces, as
// `lynx -dump` and `pdftotext` (with or without -layout) print them. A table
// row is a line of label words and then figures, set apart by spaces;
// labels may wrap over the lines around their figures, narrow columns may
// run together ("0 0 000") or touch the label, a row's figures may sit on
// two lines, and a table may be printed one cell per line. Tables are the
// runs of lines around such rows that hold no sentence; every other line is
// a paragraph. Which row a label names, and where figures printed far from
// their labels go, is core's business: this plugin only cuts lines into
// cells (aligned_lines.h).
#include <string_view>
#include <vector>

#include "aligned_lines.h"
#include "gongkai/plugin.h"
#include "gongkai/plugin_text.h"

namespace {

namespace sdk = gongkai::sdk;
namespace aligned = gongkai::plugins::aligned;

class AlignedText : public sdk::Plugin {
 public:
  // A modest score: enough to win over plain prose reading when the text
  // holds several clean rows of figures, never enough to take a document
  // from a plugin that recognises its own marks (pipes, boxes, tabs, OCR).
  int Detect(std::string_view text) const override {
    aligned::Stats stats = aligned::Survey(text);
    if (stats.clean_rows < 4) return 0;
    // OCR garbles figures ("0o|o"): such rows are another plugin's.
    if (stats.garbled_rows * 10 > stats.clean_rows) return 3;
    return stats.clean_rows >= 8 ? 40 : 30;
  }

  sdk::Status Extract(std::string_view text,
                      sdk::LayoutWriter& out) const override {
    std::vector<aligned::Line> lines = aligned::ReadLines(text);
    std::vector<aligned::Block> blocks = aligned::FindBlocks(lines);
    size_t next = 0;  // first line not yet emitted
    auto paragraphs = [&](size_t end) {
      for (; next < end; ++next) {
        const aligned::Line& line = lines[next];
        if (line.kind == aligned::Kind::kBlank ||
            line.kind == aligned::Kind::kPageMark)
          continue;
        out.Paragraph(line.span.begin, line.span.end);
      }
    };
    for (const aligned::Block& block : blocks) {
      if (out.Cancelled()) return sdk::Status::Ok();
      paragraphs(block.first);
      out.BeginTable();
      for (const aligned::Row& row : aligned::BlockRows(lines, block)) {
        out.BeginRow();
        for (const aligned::Token& cell : row.cells) {
          out.Cell(cell.span.begin, cell.span.end);
        }
      }
      out.EndTable();
      next = block.last;
    }
    paragraphs(lines.size());
    return sdk::Status::Ok();
  }
};

}  // namespace

GONGKAI_EXPORT_PLUGIN(AlignedText, "aligned_text", "1.0.0",
                      "Tables aligned by spaces: lynx -dump, pdftotext with "
                      "or without -layout");
