// The tab_separated plugin: tables with one row per line and TAB between the
// cells (a spreadsheet or a word processor's table saved as text). Every
// other line is a paragraph.
#include <algorithm>
#include <cmath>
#include <string_view>

#include "gongkai/plugin.h"
#include "tab_rows.h"

namespace {

class TabSeparated : public gongkai::sdk::Plugin {
 public:
  // Fits when the lines holding TABs are real rows of three or more pieces.
  // Text with a TAB before every single cell (one cell per line) has TAB
  // lines of two pieces and is left to clean_text.
  int Detect(std::string_view text) const override {
    gongkai::plugins::TabLineStats stats =
        gongkai::plugins::CountTabLines(text);
    if (stats.tab_lines == 0) return 5;
    double wide = static_cast<double>(stats.wide_tab_lines);
    double fraction = wide / static_cast<double>(stats.tab_lines);
    double presence = std::min(1.0, wide / 4.0);  // a table, not a stray TAB
    return 5 + static_cast<int>(std::lround(80.0 * fraction * presence));
  }

  gongkai::sdk::Status Extract(std::string_view text,
                               gongkai::sdk::LayoutWriter& out) const override {
    gongkai::plugins::EmitTabRows(text, {}, out);
    return gongkai::sdk::Status::Ok();
  }
};

}  // namespace

GONGKAI_EXPORT_PLUGIN(TabSeparated, "tab_separated", "1.0.0",
                      "Tables with one row per line, cells separated by TAB");
