// Tests for layout_text.h: the text a markup layout shows, and that spans
// into it still map exactly into the caller's bytes.
#include "layout_text.h"

#include <string>

#include "gtest/gtest.h"

namespace gongkai {
namespace {

// A normalized text that is the original itself (origin[i] == i).
NormalizedText Identity(const std::string& text) {
  NormalizedText doc;
  doc.text = text;
  for (size_t i = 0; i <= text.size(); ++i) doc.origin.push_back(i);
  return doc;
}

Span Find(const std::string& text, const std::string& what) {
  size_t at = text.find(what);
  return Span{at, at + what.size()};
}

std::string Original(const NormalizedText& doc, const std::string& original,
                     Span span) {
  auto [b, e] = doc.OriginalSpan(span.begin, span.end);
  return original.substr(b, e - b);
}

TEST(LayoutText, LinesOfParagraphsAndRows) {
  const std::string page =
      "<h1>标题</h1><p>一、<b>总体</b>情况</p>"
      "<table><tr><td>行政许可</td><td>2418</td></tr>"
      "<tr><td>商业<br>企业</td><td>&#51;</td></tr></table>";
  NormalizedText doc = Identity(page);
  Layout layout;
  layout.markup = true;
  Block title;
  title.span = Find(page, "标题");
  layout.blocks.push_back(title);
  Block heading;
  heading.span = Find(page, "一、<b>总体</b>情况");
  heading.text = "一、总体情况";
  layout.blocks.push_back(heading);
  Block table;
  table.kind = Block::Kind::kTable;
  table.table.rows.resize(2);
  table.table.rows[0].cells = {{"行政许可", Find(page, "行政许可")},
                               {"2418", Find(page, "2418")}};
  table.table.rows[1].cells = {{"商业企业", Find(page, "商业<br>企业")},
                               {"3", Find(page, "&#51;")}};
  layout.blocks.push_back(table);

  LayoutDocument shown = LayoutText(doc, layout);
  EXPECT_EQ(shown.doc.text,
            "标题\n一、总体情况\n行政许可\t2418\n商业企业\t3\n");
  ASSERT_EQ(shown.doc.origin.size(), shown.doc.text.size() + 1);
  EXPECT_EQ(shown.doc.origin.back(), page.size());
  ASSERT_EQ(shown.layout.blocks.size(), 3u);
  EXPECT_TRUE(shown.layout.markup);
  const Block& p = shown.layout.blocks[1];
  EXPECT_EQ(shown.doc.text.substr(p.span.begin, p.span.end - p.span.begin),
            "一、总体情况");
  // A piece equal to its source maps byte by byte, so a part of it maps
  // exactly too.
  const Cell& figure = shown.layout.blocks[2].table.rows[0].cells[1];
  EXPECT_EQ(figure.text, "2418");
  EXPECT_EQ(Original(shown.doc, page, figure.span), "2418");
  Span title_span = shown.layout.blocks[0].span;
  EXPECT_EQ(Original(shown.doc, page, {title_span.begin, title_span.begin + 3}),
            "标");
  // An assembled piece maps as a whole onto its source, no further.
  const Cell& label = shown.layout.blocks[2].table.rows[1].cells[0];
  EXPECT_EQ(Original(shown.doc, page, label.span), "商业<br>企业");
  const Cell& entity = shown.layout.blocks[2].table.rows[1].cells[1];
  EXPECT_EQ(Original(shown.doc, page, entity.span), "&#51;");
  EXPECT_EQ(Original(shown.doc, page, p.span), "一、<b>总体</b>情况");
  EXPECT_EQ(shown.layout.blocks[2].span.begin,
            shown.layout.blocks[2].table.rows[0].cells[0].span.begin);
  EXPECT_EQ(shown.layout.blocks[2].span.end, entity.span.end);
}

TEST(LayoutText, OriginStaysSortedWhateverThePluginSent) {
  const std::string page = "aaaa bbbb cccc";
  NormalizedText doc = Identity(page);
  Layout layout;
  // Out of order, overlapping, past the end, and empty.
  for (Span s :
       {Span{10, 14}, Span{0, 4}, Span{2, 100}, Span{50, 60}, Span{5, 5}}) {
    Block b;
    b.span = s;
    b.text = "x";
    layout.blocks.push_back(b);
  }
  LayoutDocument shown = LayoutText(doc, layout);
  ASSERT_EQ(shown.doc.origin.size(), shown.doc.text.size() + 1);
  for (size_t i = 1; i < shown.doc.origin.size(); ++i) {
    EXPECT_LE(shown.doc.origin[i - 1], shown.doc.origin[i]) << i;
  }
  for (size_t i = 1; i < shown.doc.dropped.size(); ++i) {
    EXPECT_LT(shown.doc.dropped[i - 1], shown.doc.dropped[i]) << i;
  }
  for (const Block& b : shown.layout.blocks) {
    auto [begin, end] = shown.doc.OriginalSpan(b.span.begin, b.span.end);
    EXPECT_LE(begin, end);
    EXPECT_LE(end, page.size());
  }
}

TEST(LayoutText, EmptyLayoutAndEmptyDocument) {
  LayoutDocument shown = LayoutText(NormalizedText{}, Layout{});
  EXPECT_EQ(shown.doc.text, "");
  EXPECT_EQ(shown.doc.origin.size(), 1u);
  EXPECT_TRUE(shown.layout.blocks.empty());
}

}  // namespace
}  // namespace gongkai
