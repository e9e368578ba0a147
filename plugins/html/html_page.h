// An HTML page parsed by libxml2's HTML parser, with where each node came
// from in the text. libxml2 builds the tree but reports no byte offsets; a
// thin SAX layer over its own tree builder notes the input position at each
// event, so every text node knows the byte ranges of the pieces it was built
// from (a run of characters, or one entity reference).
#pragma once

#include <libxml/tree.h>

#include <cstddef>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gongkai::html {

inline constexpr size_t kNoPosition = static_cast<size_t>(-1);

// One characters() event of the parser: decoded bytes [decoded,
// decoded + length) of a text node came from raw bytes [begin, end).
// `exact` when those raw bytes are the decoded bytes themselves (no entity).
struct TextPiece {
  size_t begin = 0;
  size_t end = 0;
  size_t decoded = 0;
  size_t length = 0;
  bool exact = false;
};

// Where a node came from. Elements: their content, from just after the start
// tag to the start of the end tag (kNoPosition when the parser implied the
// element or never saw it closed). Text nodes: the raw range of their
// pieces, and the pieces themselves when they add up to the node's content.
struct NodeSource {
  size_t begin = kNoPosition;
  size_t end = kNoPosition;
  std::vector<TextPiece> pieces;
};

class ParsedPage {
 public:
  // Parses UTF-8 text (the host's normalized text; a <meta charset> in it is
  // ignored, the bytes are UTF-8 already). Never fails: libxml2 recovers
  // from any markup; an empty tree is possible.
  static std::unique_ptr<ParsedPage> Parse(std::string_view text);
  ~ParsedPage();
  ParsedPage(const ParsedPage&) = delete;
  ParsedPage& operator=(const ParsedPage&) = delete;

  // The document's root element, or null.
  xmlNode* root() const;
  // Null if the node was never seen by the SAX layer.
  const NodeSource* SourceOf(const xmlNode* node) const;

  // The raw byte just past decoded byte `offset` of a text node's content
  // (for the end of a span), or at it (for its start). kNoPosition if the
  // node's pieces are unknown.
  size_t RawAt(const xmlNode* text, size_t offset, bool end) const;

 private:
  friend struct SaxState;
  ParsedPage() = default;

  xmlDoc* doc_ = nullptr;
  std::unordered_map<const xmlNode*, NodeSource> sources_;
};

}  // namespace gongkai::html
