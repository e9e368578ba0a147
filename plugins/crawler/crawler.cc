// The crawler plugin: a web crawler's text of a report page. A header of
// page metadata ("标题: ...", "发布时间: ...", "原文链接: ...") above a
// "==== 正文 ====" line, then the article body, whose table cells ran
// together with no separator ("行政许可3960181" is 396, 0, 181).
//
// The plugin knows no labels. It cuts the body into pieces at enumerators
// ("二、") and sentence ends; prose pieces become paragraphs, and a piece
// with figures and no sentence punctuation (outside brackets) becomes table
// rows: each text run is a cell that opens a row, each run of digits a cell
// of its own. It sets GK_HINT_RUN_TOGETHER: the core splits every run into
// figures where the template's columns and the table's arithmetic allow
// exactly one reading (core/src/run_together.cc).
#include <algorithm>
#include <cstddef>
#include <string_view>
#include <vector>

#include "gongkai/plugin.h"
#include "gongkai/plugin_text.h"
#include "run_together_text.h"

namespace {

namespace sdk = gongkai::sdk;
namespace rt = gongkai::crawler;
using sdk::TextSpan;

// Lines of page metadata a crawler writes above the article.
constexpr std::string_view kHeaderLabels[] = {
    "标题", "发布时间", "原文链接", "发布机构", "栏目", "文号", "本地目录"};
// How far down the header may reach.
constexpr size_t kHeaderLines = 40;

bool StartsWithLabel(std::string_view line) {
  for (std::string_view label : kHeaderLabels) {
    if (line.substr(0, label.size()) != label) continue;
    std::string_view rest = line.substr(label.size());
    if (rest.substr(0, 1) == ":" || rest.substr(0, 3) == "：") return true;
  }
  return false;
}

// "==================== 正文 ====================".
bool IsBodySeparator(std::string_view line) {
  return line.substr(0, 3) == "===" && line.find("正文") != line.npos;
}

struct Header {
  size_t labels = 0;      // metadata lines seen
  size_t body_begin = 0;  // first byte after the separator line
  bool separator = false;
};

Header ReadHeader(std::string_view text) {
  Header h;
  sdk::LineReader reader(text);
  TextSpan line;
  for (size_t n = 0; n < kHeaderLines && reader.Next(&line); ++n) {
    std::string_view t = sdk::SpanText(text, sdk::Trim(text, line));
    if (StartsWithLabel(t)) ++h.labels;
    if (IsBodySeparator(t)) {
      h.separator = true;
      h.body_begin = std::min(text.size(), line.end + 1);
      break;
    }
  }
  return h;
}

bool IsUnit(std::string_view s, size_t i) {
  for (std::string_view u :
       {"年", "月", "日", "号", "条", "件", "个", "篇", "次", "余", "万",
        "元", "人", "项", "起", "家", "份", "期", "批", "页", "户", "亿",
        "千", "百", "届", "时", "分", "秒", "名", "所", "类", "天"}) {
    if (rt::internal::At(s, i, u)) return true;
  }
  return false;
}

// Figures of four or more digits wedged between CJK text with no space,
// not followed by a unit ("许可2418第", not "2025年"): cells that ran
// together. Counted up to `cap`.
size_t GluedFigures(std::string_view text, size_t cap) {
  size_t n = 0;
  size_t len = 0;
  for (size_t i = 0; i < text.size() && n < cap;) {
    if (!rt::internal::IsDigit(text[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && rt::internal::IsDigit(text[j])) ++j;
    bool before = (i >= 3 && sdk::CjkAt(text, i - 3, &len)) ||
                  (i >= 1 && text[i - 1] == ')');
    bool after =
        sdk::CjkAt(text, j, &len) || (j < text.size() && text[j] == '(');
    if (j - i >= 4 && before && after && !IsUnit(text, j)) ++n;
    i = j;
  }
  return n;
}

class Crawler : public sdk::Plugin {
 public:
  int Detect(std::string_view text) const override {
    Header h = ReadHeader(text);
    if (h.separator && h.labels >= 2) return 90;
    size_t glued = GluedFigures(text, 64);
    if (glued >= 6) {
      return 60 + static_cast<int>(std::min<size_t>(glued, 20));
    }
    if (h.labels >= 3) return 40;
    return 0;
  }

  sdk::Status Extract(std::string_view text,
                      sdk::LayoutWriter& out) const override {
    out.Hint(GK_HINT_RUN_TOGETHER);
    Header h = ReadHeader(text);
    size_t body = h.separator ? h.body_begin : 0;
    sdk::LineReader reader(text);
    TextSpan line;
    bool in_table = false;
    TextSpan prose{0, 0};  // prose pieces waiting to become one paragraph
    auto flush_prose = [&]() {
      if (!prose.empty()) out.Paragraph(prose.begin, prose.end);
      prose = {0, 0};
    };
    while (reader.Next(&line)) {
      if (line.end <= body) {
        // The page header: one paragraph per line (the separator is none).
        TextSpan t = sdk::Trim(text, line);
        if (!t.empty() && !IsBodySeparator(sdk::SpanText(text, t))) {
          out.Paragraph(t.begin, t.end);
        }
        continue;
      }
      for (TextSpan piece : rt::CutPieces(text, line)) {
        bool punct = false;
        std::vector<rt::Token> tokens = rt::Tokenize(text, piece, &punct);
        bool figures = std::any_of(tokens.begin(), tokens.end(),
                                   [](const rt::Token& t) { return t.figure; });
        if (punct || !figures) {
          if (in_table) out.EndTable();
          in_table = false;
          // A piece that opens with an enumerator starts a paragraph of its
          // own (it may be a section heading); other prose runs on.
          bool opens =
              rt::internal::EnumeratorAt(text, piece.begin, piece.begin);
          if (opens || prose.empty()) {
            flush_prose();
            prose = piece;
          } else {
            prose.end = piece.end;
          }
          continue;
        }
        flush_prose();
        if (!in_table) out.BeginTable();
        in_table = true;
        bool row_open = false;
        for (const rt::Token& t : tokens) {
          if (!t.figure || !row_open) out.BeginRow();
          row_open = true;
          out.Cell(t.span.begin, t.span.end);
        }
      }
      // A line break ends the prose paragraph.
      flush_prose();
    }
    flush_prose();
    if (in_table) out.EndTable();
    return sdk::Status::Ok();
  }
};

}  // namespace

GONGKAI_EXPORT_PLUGIN(Crawler, "crawler", "1.0.0",
                      "A web crawler's text of a report page, table cells "
                      "run together with no separator");
