// Small text helpers of the gongkai plugin SDK: lines, trimming and splitting
// as byte spans, which is what a plugin reports. Header-only, standard
// library only.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace gongkai::sdk {

// A byte range [begin, end) of the document.
struct TextSpan {
  size_t begin = 0;
  size_t end = 0;

  bool empty() const { return begin >= end; }
  size_t size() const { return end > begin ? end - begin : 0; }
};

inline std::string_view SpanText(std::string_view text, TextSpan span) {
  if (span.begin >= text.size() || span.empty()) return {};
  return text.substr(span.begin, span.size());
}

// Reads the lines of text one by one, without their "\n" or "\r\n". A
// final line without a terminator counts; an empty text has no lines. Uses
// no memory per line, unlike SplitLines().
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}

  // Stores the next line in *line; false at the end of the text.
  bool Next(TextSpan* line) {
    if (pos_ >= text_.size()) return false;
    size_t nl = text_.find('\n', pos_);
    size_t end = nl == std::string_view::npos ? text_.size() : nl;
    size_t next = nl == std::string_view::npos ? text_.size() : nl + 1;
    line->begin = pos_;
    line->end = end > pos_ && text_[end - 1] == '\r' ? end - 1 : end;
    pos_ = next;
    return true;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// All lines of text at once (see LineReader).
inline std::vector<TextSpan> SplitLines(std::string_view text) {
  std::vector<TextSpan> lines;
  LineReader reader(text);
  TextSpan line;
  while (reader.Next(&line)) lines.push_back(line);
  return lines;
}

// Length of the blank character (ASCII space, \r, \f, \v, optionally \t,
// U+00A0, U+3000) starting at text[pos], or 0. Normalized text has no
// U+3000 left, but a plugin may also be handed raw text.
inline size_t BlankAt(std::string_view text, size_t pos, bool tabs = true) {
  if (pos >= text.size()) return 0;
  unsigned char c = static_cast<unsigned char>(text[pos]);
  if (c == ' ' || c == '\r' || c == '\f' || c == '\v') return 1;
  if (c == '\t') return tabs ? 1 : 0;
  if (c == 0xC2 && text.substr(pos, 2) == "\xC2\xA0") return 2;
  if (c == 0xE3 && text.substr(pos, 3) == "\xE3\x80\x80") return 3;
  return 0;
}

// Length of the blank character that ends at text[end - 1], or 0.
inline size_t BlankBefore(std::string_view text, size_t end, bool tabs = true) {
  if (end == 0 || end > text.size()) return 0;
  if (BlankAt(text, end - 1, tabs) == 1) return 1;
  if (end >= 2 && BlankAt(text, end - 2, tabs) == 2) return 2;
  if (end >= 3 && BlankAt(text, end - 3, tabs) == 3) return 3;
  return 0;
}

// span without leading and trailing blanks (tabs count as blank unless
// tabs is false). An all-blank span becomes an empty span inside it, which
// still marks where an empty cell stood.
inline TextSpan Trim(std::string_view text, TextSpan span, bool tabs = true) {
  if (span.end > text.size()) span.end = text.size();
  if (span.begin > span.end) span.begin = span.end;
  while (span.begin < span.end) {
    size_t n = BlankAt(text, span.begin, tabs);
    if (n == 0 || span.begin + n > span.end) break;
    span.begin += n;
  }
  while (span.end > span.begin) {
    size_t n = BlankBefore(text, span.end, tabs);
    if (n == 0 || span.end - n < span.begin) break;
    span.end -= n;
  }
  return span;
}

inline bool IsBlank(std::string_view text, TextSpan span) {
  return Trim(text, span).empty();
}

// Calls f(piece) for each piece of span between occurrences of sep, empty
// pieces included ("a\t\tb" is a, "", b). A span without sep is one piece.
template <typename F>
void ForEachPiece(std::string_view text, TextSpan span, char sep, F&& f) {
  if (span.end > text.size()) span.end = text.size();
  size_t begin = span.begin;
  for (size_t i = span.begin; i < span.end; ++i) {
    if (text[i] == sep) {
      f(TextSpan{begin, i});
      begin = i + 1;
    }
  }
  f(TextSpan{begin, span.end});
}

// The pieces of ForEachPiece() in a vector.
inline std::vector<TextSpan> SplitSpan(std::string_view text, TextSpan span,
                                       char sep) {
  std::vector<TextSpan> pieces;
  ForEachPiece(text, span, sep,
               [&](TextSpan piece) { pieces.push_back(piece); });
  return pieces;
}

// True if text[pos] starts a CJK ideograph (U+3400..U+9FFF, U+F900..U+FAFF)
// and stores its UTF-8 length in *len.
inline bool CjkAt(std::string_view text, size_t pos, size_t* len) {
  if (pos + 3 > text.size()) return false;
  unsigned char b0 = static_cast<unsigned char>(text[pos]);
  unsigned char b1 = static_cast<unsigned char>(text[pos + 1]);
  unsigned char b2 = static_cast<unsigned char>(text[pos + 2]);
  if ((b0 & 0xF0) != 0xE0 || (b1 & 0xC0) != 0x80 || (b2 & 0xC0) != 0x80) {
    return false;
  }
  unsigned cp = ((b0 & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
  bool cjk = (cp >= 0x3400 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF);
  if (cjk && len != nullptr) *len = 3;
  return cjk;
}

}  // namespace gongkai::sdk
