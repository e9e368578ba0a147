// The text of a paragraph or a cell as a reader sees it: whitespace
// collapsed, entity-only characters folded the way the host normalizes the
// rest of the text, and the span of its source bytes.
#pragma once

#include <libxml/tree.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "html_page.h"

namespace gongkai::html {

// Decodes the code point at s[i]; *len is its length (1 for a stray byte,
// read as U+FFFD).
inline char32_t DecodeAt(std::string_view s, size_t i, size_t* len) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  int n = c < 0x80         ? 1
          : (c >> 5) == 6  ? 2
          : (c >> 4) == 14 ? 3
          : (c >> 3) == 30 ? 4
                           : 0;
  if (n == 0 || i + n > s.size()) {
    *len = 1;
    return 0xFFFD;
  }
  char32_t cp = n == 1   ? c
                : n == 2 ? (c & 0x1F)
                : n == 3 ? (c & 0x0F)
                         : (c & 0x07);
  for (int k = 1; k < n; ++k) {
    unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d >> 6) != 2) {
      *len = 1;
      return 0xFFFD;
    }
    cp = (cp << 6) | (d & 0x3F);
  }
  *len = static_cast<size_t>(n);
  return cp;
}

inline void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// What a character of a text node counts as. The host normalized the page's
// bytes (NFKC) before we saw them, but not what entities stand for:
// &nbsp; &#12288; are spaces, &#65288; is "(" like a literal （ became.
enum class Kind { kText, kSpace, kNone };
inline Kind Fold(char32_t* cp) {
  char32_t c = *cp;
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
      c == '\v' || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
      c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000)
    return Kind::kSpace;
  if (c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF ||
      c == 0xAD || c < 0x20 || c == 0x7F)
    return Kind::kNone;  // zero-width and control characters
  if (c >= 0xFF01 && c <= 0xFF5E) *cp = c - 0xFEE0;  // full-width ASCII
  return Kind::kText;
}

// Visible characters of a text node (for the statistics).
inline size_t VisibleChars(const xmlChar* content) {
  if (content == nullptr) return 0;
  std::string_view s(reinterpret_cast<const char*>(content));
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    size_t len = 0;
    char32_t cp = DecodeAt(s, i, &len);
    i += len;
    if (Fold(&cp) == Kind::kText) ++n;
  }
  return n;
}

// A paragraph or a cell being read: the text of its text nodes in order.
// Whitespace, and breaks between lines (<br>, <p> inside a cell), join two
// characters with one space -- or with nothing between two non-ASCII
// characters: Chinese has no spaces, and a label wrapped as 三、本<br>年度
// must read 三、本年度 to be matched.
class TextRun {
 public:
  // Adds decoded bytes [from, to) of text node t's content.
  void Add(const ParsedPage& page, const xmlNode* t, size_t from, size_t to) {
    std::string_view s =
        t->content != nullptr
            ? std::string_view(reinterpret_cast<const char*>(t->content))
            : std::string_view();
    to = std::min(to, s.size());
    for (size_t i = from; i < to;) {
      // Word's conditional markup (<![if !vml]> ... <![endif]>), which
      // libxml2 passes on as text and browsers drop.
      if (s[i] == '<' && s.substr(i, 3) == "<![") {
        size_t close = s.find("]>", i + 3);
        if (close != std::string_view::npos && close + 2 <= to) {
          i = close + 2;
          continue;
        }
      }
      size_t len = 0;
      char32_t cp = DecodeAt(s, i, &len);
      const size_t at = i;
      i += len;
      Kind kind = Fold(&cp);
      if (kind == Kind::kNone) continue;
      if (kind == Kind::kSpace) {
        space_ = !text_.empty();
        continue;
      }
      if (space_ && !(last_ >= 0x80 && cp >= 0x80)) text_.push_back(' ');
      space_ = false;
      AppendUtf8(cp, &text_);
      last_ = cp;
      if (begin_ == kNoPosition) begin_ = page.RawAt(t, at, false);
      size_t end = page.RawAt(t, i, true);
      if (end != kNoPosition && (end_ == kNoPosition || end > end_)) end_ = end;
    }
  }

  void Break() { space_ = !text_.empty(); }

  bool empty() const { return text_.empty(); }
  const std::string& text() const { return text_; }
  // The source of the first and past the last character read, or
  // kNoPosition if not known.
  size_t begin() const { return begin_; }
  size_t end() const { return end_ == kNoPosition ? begin_ : end_; }

  void Clear() {
    text_.clear();
    begin_ = end_ = kNoPosition;
    space_ = false;
    last_ = 0;
  }

 private:
  std::string text_;
  size_t begin_ = kNoPosition;
  size_t end_ = kNoPosition;
  bool space_ = false;
  char32_t last_ = 0;
};

}  // namespace gongkai::html
