// The text a markup layout shows. A plugin that reads markup (HTML,
// GK_HINT_MARKUP) reports the document's words as paragraphs and cells; the
// tags, scripts and attributes around them are no part of the report. The
// interpreter reads titles, dates, contacts and headings line by line from
// the document text, so for markup it is given this text instead: one line
// per paragraph and per table row, with an origin map that still points
// into the caller's bytes.
#pragma once

#include "gongkai/layout.h"
#include "gongkai/normalize.h"

namespace gongkai {

struct LayoutDocument {
  // The layout's text. origin maps every byte into the caller's bytes (as
  // NormalizedText::origin does), so evidence stays exact.
  NormalizedText doc;
  // The same blocks, paragraphs, rows and cells, with spans into doc.text.
  Layout layout;
};

// Paragraphs become one line each; a table row one line, its cells separated
// by a tab. A piece whose text equals the normalized text at its span maps
// byte by byte; any other piece maps as a whole onto its span.
LayoutDocument LayoutText(const NormalizedText& doc, const Layout& layout);

}  // namespace gongkai
