// An HTML page parsed by libxml2, with the source of each node (see
// html_page.h).
#include "html_page.h"

#include <libxml/HTMLparser.h>
#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <climits>
#include <cstring>

namespace gongkai::html {

// The state of one parse, reached from the parser context's _private.
struct SaxState {
  xmlSAXHandler tree;  // libxml2's own tree builder, which we wrap
  std::string_view raw;
  size_t last = 0;  // where the previous event ended
  ParsedPage* page = nullptr;

  static SaxState* Of(void* ctx) {
    return static_cast<SaxState*>(static_cast<xmlParserCtxtPtr>(ctx)->_private);
  }

  // The parser's position in the input. xmlByteConsumed() reconverts all
  // unread input on every call (quadratic) and misreports large inputs;
  // the input cursor itself is exact, since the UTF-8 "conversion" of UTF-8
  // input keeps every byte where it was.
  size_t Position(void* ctx) const {
    xmlParserInputPtr in = static_cast<xmlParserCtxtPtr>(ctx)->input;
    size_t p = last;
    if (in != nullptr && in->cur != nullptr && in->base != nullptr &&
        in->cur >= in->base) {
      p = static_cast<size_t>(in->consumed) +
          static_cast<size_t>(in->cur - in->base);
    }
    // Events come in document order: never step back, never past the end.
    return std::clamp(p, last, raw.size());
  }

  static xmlNodePtr Current(void* ctx) {
    return static_cast<xmlParserCtxtPtr>(ctx)->node;
  }

  static void StartElement(void* ctx, const xmlChar* name,
                           const xmlChar** atts) {
    SaxState* s = Of(ctx);
    size_t p = s->Position(ctx);
    if (s->tree.startElement != nullptr) s->tree.startElement(ctx, name, atts);
    // The position is at the '>' (or "/>") that ends the start tag; for an
    // element the parser implied, where the content that implied it starts.
    size_t content = p;
    if (p < s->raw.size() && s->raw[p] == '>') {
      content = p + 1;
    } else if (p + 1 < s->raw.size() && s->raw[p] == '/' &&
               s->raw[p + 1] == '>') {
      content = p + 2;
    }
    xmlNodePtr node = Current(ctx);
    if (node != nullptr && node->type == XML_ELEMENT_NODE) {
      NodeSource& src = s->page->sources_[node];
      if (src.begin == kNoPosition) src.begin = content;
    }
    s->last = content;
  }

  static void EndElement(void* ctx, const xmlChar* name) {
    SaxState* s = Of(ctx);
    size_t p = s->Position(ctx);
    xmlNodePtr node = Current(ctx);
    if (node != nullptr && node->type == XML_ELEMENT_NODE) {
      auto it = s->page->sources_.find(node);
      if (it != s->page->sources_.end() && it->second.begin != kNoPosition) {
        // Just after "</name>": the content ends at its '<'. An element
        // closed implicitly ends where the parser is.
        size_t end = p;
        if (p > 0 && p <= s->raw.size() && s->raw[p - 1] == '>') {
          size_t lt = s->raw.rfind('<', p - 1);
          if (lt != std::string_view::npos && lt + 1 < p &&
              s->raw[lt + 1] == '/' && lt >= it->second.begin)
            end = lt;
        }
        it->second.end = std::max(end, it->second.begin);
      }
    }
    if (s->tree.endElement != nullptr) s->tree.endElement(ctx, name);
    s->last = p;
  }

  // characters() and ignorableWhitespace(): the tree builder appends the
  // text to the current element's last child (a new text node, or the one
  // before if the previous event was text too).
  static void Text(void* ctx, const xmlChar* ch, int len,
                   void (*build)(void*, const xmlChar*, int)) {
    SaxState* s = Of(ctx);
    size_t p = s->Position(ctx);
    if (build != nullptr) build(ctx, ch, len);
    xmlNodePtr parent = Current(ctx);
    xmlNodePtr node = parent != nullptr ? parent->last : nullptr;
    if (node != nullptr && node->type == XML_TEXT_NODE && len > 0) {
      TextPiece piece;
      piece.length = static_cast<size_t>(len);
      piece.end = p;
      if (p >= piece.length && s->raw.compare(p - piece.length, piece.length,
                                              reinterpret_cast<const char*>(ch),
                                              piece.length) == 0) {
        piece.begin = p - piece.length;
        piece.exact = true;
      } else {
        piece.begin = std::min(s->last, p);  // an entity reference
      }
      NodeSource& src = s->page->sources_[node];
      piece.decoded = src.pieces.empty() ? 0
                                         : src.pieces.back().decoded +
                                               src.pieces.back().length;
      if (src.begin == kNoPosition) src.begin = piece.begin;
      src.end = piece.end;
      src.pieces.push_back(piece);
    }
    s->last = p;
  }
  static void Characters(void* ctx, const xmlChar* ch, int len) {
    Text(ctx, ch, len, Of(ctx)->tree.characters);
  }
  static void Whitespace(void* ctx, const xmlChar* ch, int len) {
    SaxState* s = Of(ctx);
    if (s->tree.ignorableWhitespace == s->tree.characters) {
      Text(ctx, ch, len, s->tree.characters);
      return;
    }
    // Dropped by the tree builder: no text node grows.
    size_t p = s->Position(ctx);
    if (s->tree.ignorableWhitespace != nullptr)
      s->tree.ignorableWhitespace(ctx, ch, len);
    s->last = p;
  }

  // Events whose text we never read (script and style bodies, comments,
  // processing instructions): only the position moves on.
  static void Cdata(void* ctx, const xmlChar* value, int len) {
    SaxState* s = Of(ctx);
    size_t p = s->Position(ctx);
    if (s->tree.cdataBlock != nullptr) s->tree.cdataBlock(ctx, value, len);
    s->last = p;
  }
  static void Comment(void* ctx, const xmlChar* value) {
    SaxState* s = Of(ctx);
    size_t p = s->Position(ctx);
    if (s->tree.comment != nullptr) s->tree.comment(ctx, value);
    s->last = p;
  }
  static void Instruction(void* ctx, const xmlChar* target,
                          const xmlChar* data) {
    SaxState* s = Of(ctx);
    size_t p = s->Position(ctx);
    if (s->tree.processingInstruction != nullptr)
      s->tree.processingInstruction(ctx, target, data);
    s->last = p;
  }
  static void Subset(void* ctx, const xmlChar* name, const xmlChar* id,
                     const xmlChar* system) {
    SaxState* s = Of(ctx);
    size_t p = s->Position(ctx);
    if (s->tree.internalSubset != nullptr)
      s->tree.internalSubset(ctx, name, id, system);
    s->last = p;
  }
  // Markup errors are normal in pages from the web: never print them.
  static void Quiet(void*, xmlErrorPtr) {}
};

std::unique_ptr<ParsedPage> ParsedPage::Parse(std::string_view text) {
  std::unique_ptr<ParsedPage> page(new ParsedPage());
  if (text.empty() || text.size() > static_cast<size_t>(INT_MAX)) return page;
  htmlParserCtxtPtr ctxt =
      htmlCreateMemoryParserCtxt(text.data(), static_cast<int>(text.size()));
  if (ctxt == nullptr) return page;
  SaxState state;
  state.raw = text;
  state.page = page.get();
  if (ctxt->sax != nullptr) {
    // ctxt->sax is the context's own copy of the default handler.
    state.tree = *ctxt->sax;
    xmlSAXHandler* sax = ctxt->sax;
    sax->startElement = &SaxState::StartElement;
    sax->endElement = &SaxState::EndElement;
    sax->characters = &SaxState::Characters;
    sax->ignorableWhitespace = &SaxState::Whitespace;
    sax->cdataBlock = &SaxState::Cdata;
    sax->comment = &SaxState::Comment;
    sax->processingInstruction = &SaxState::Instruction;
    sax->internalSubset = &SaxState::Subset;
    sax->serror = &SaxState::Quiet;
    ctxt->_private = &state;
  }
  htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                               HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                               HTML_PARSE_IGNORE_ENC);
  // The host hands us UTF-8 whatever the page's <meta charset> says;
  // without a declared encoding libxml2 would guess Latin-1.
  if (xmlCharEncodingHandlerPtr utf8 = xmlFindCharEncodingHandler("UTF-8")) {
    xmlSwitchToEncoding(ctxt, utf8);
  }
  if (ctxt->sax != nullptr) htmlParseDocument(ctxt);
  page->doc_ = ctxt->myDoc;
  ctxt->myDoc = nullptr;
  htmlFreeParserCtxt(ctxt);
  // A text node whose pieces do not add up to its content (the tree
  // builder merged text we did not see) keeps only its overall range.
  for (auto& [node, src] : page->sources_) {
    if (node->type != XML_TEXT_NODE || src.pieces.empty()) continue;
    const TextPiece& back = src.pieces.back();
    size_t content =
        node->content != nullptr
            ? std::strlen(reinterpret_cast<const char*>(node->content))
            : 0;
    if (back.decoded + back.length != content) src.pieces.clear();
  }
  return page;
}

ParsedPage::~ParsedPage() {
  if (doc_ != nullptr) xmlFreeDoc(doc_);
}

xmlNode* ParsedPage::root() const {
  return doc_ != nullptr ? xmlDocGetRootElement(doc_) : nullptr;
}

const NodeSource* ParsedPage::SourceOf(const xmlNode* node) const {
  auto it = sources_.find(node);
  return it == sources_.end() ? nullptr : &it->second;
}

size_t ParsedPage::RawAt(const xmlNode* text, size_t offset, bool end) const {
  const NodeSource* src = SourceOf(text);
  if (src == nullptr) return kNoPosition;
  if (src->pieces.empty()) return end ? src->end : src->begin;
  const std::vector<TextPiece>& pieces = src->pieces;
  // The piece holding decoded byte `offset` (or offset - 1 for an end).
  size_t at = end && offset > 0 ? offset - 1 : offset;
  auto it = std::upper_bound(
      pieces.begin(), pieces.end(), at,
      [](size_t v, const TextPiece& p) { return v < p.decoded; });
  if (it == pieces.begin()) return kNoPosition;
  const TextPiece& p = *(it - 1);
  if (at >= p.decoded + p.length) return end ? p.end : kNoPosition;
  if (!p.exact) return end ? p.end : p.begin;
  return p.begin + (offset - p.decoded);
}

}  // namespace gongkai::html
