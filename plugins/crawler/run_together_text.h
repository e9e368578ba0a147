// Reading text whose table cells ran together ("行政许可3960181"): cutting a
// line into pieces at enumerators and sentence ends, telling prose pieces
// from table pieces, and cutting a table piece into text tokens and figure
// tokens. Knows no labels: only digits, brackets, punctuation and the
// enumerators every Chinese document uses ("二、", "1.").
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "gongkai/plugin_text.h"

namespace gongkai::crawler {

using sdk::TextSpan;

// One token of a table piece: a text run (labels, headers; brackets and
// their content, list numbers such as "2." included) or a figure run
// ([-]digits[.digits], thousands separators allowed).
struct Token {
  TextSpan span;
  bool figure = false;
};

namespace internal {

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// UTF-8 length of the character at s[i] (1 for a stray byte).
inline size_t CharLength(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80           ? 1
             : (c >> 5) == 0x6  ? 2
             : (c >> 4) == 0xE  ? 3
             : (c >> 3) == 0x1E ? 4
                                : 1;
  return i + n <= s.size() ? n : 1;
}

inline bool At(std::string_view s, size_t i, std::string_view word) {
  return i <= s.size() && s.substr(i, word.size()) == word;
}

// Length of an opening / closing bracket at s[i] (ASCII after NFKC, or the
// full-width forms in raw text), or 0.
inline size_t OpenAt(std::string_view s, size_t i) {
  if (i < s.size() && s[i] == '(') return 1;
  return At(s, i, "（") ? 3 : 0;
}
inline size_t CloseAt(std::string_view s, size_t i) {
  if (i < s.size() && s[i] == ')') return 1;
  return At(s, i, "）") ? 3 : 0;
}

// Sentence punctuation: a piece holding any outside brackets is prose.
inline size_t ProsePunctAt(std::string_view s, size_t i) {
  if (i >= s.size()) return 0;
  char c = s[i];
  if (c == ',' || c == ';' || c == ':' || c == '!' || c == '?') {
    // "1,234" is a figure, "16:34" a time: neither makes a sentence.
    bool between =
        i > 0 && IsDigit(s[i - 1]) && i + 1 < s.size() && IsDigit(s[i + 1]);
    return between ? 0 : 1;
  }
  for (std::string_view p : {"。", "，", "；", "：", "！", "？"}) {
    if (At(s, i, p)) return p.size();
  }
  return 0;
}

// Where a bracketed group opened at s[i] closes (one past the closing
// bracket), if it closes within a short distance on the same piece;
// otherwise 0 (the bracket is then an ordinary character). Each byte looked
// at costs one of *budget: when it runs out, brackets group nothing (text
// made of brackets alone must not cost quadratic time).
inline size_t GroupEnd(std::string_view s, size_t i, size_t end,
                       size_t* budget) {
  constexpr size_t kMaxGroup = 240;  // bytes: a header note, not a sentence
  size_t depth = 0;
  for (size_t j = i; j < end && j - i <= kMaxGroup;) {
    if (*budget == 0) return 0;
    --*budget;
    if (size_t n = OpenAt(s, j)) {
      ++depth;
      j += n;
    } else if (size_t m = CloseAt(s, j)) {
      j += m;
      if (--depth == 0) return j;
    } else {
      j += CharLength(s, j);
    }
  }
  return 0;
}

// The CJK numerals of enumerators ("十二、").
inline size_t NumeralAt(std::string_view s, size_t i) {
  for (std::string_view n :
       {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}) {
    if (At(s, i, n)) return 3;
  }
  return 0;
}

// True if an enumerator ("三、") starts at s[i] and s[i] does not continue
// one ("十三、" starts at 十).
inline bool EnumeratorAt(std::string_view s, size_t i, size_t begin) {
  if (NumeralAt(s, i) == 0) return false;
  if (i >= begin + 3 && NumeralAt(s, i - 3) != 0) return false;
  size_t j = i;
  while (size_t n = NumeralAt(s, j)) j += n;
  return j - i <= 6 && At(s, j, "、");
}

// The end of a figure token starting at s[i] ([-]digits[,ddd...][.digits]),
// or i if none starts there.
inline size_t FigureEnd(std::string_view s, size_t i, size_t end) {
  size_t j = i;
  if (j < end && s[j] == '-') ++j;
  if (j >= end || !IsDigit(s[j])) return i;
  while (j < end && IsDigit(s[j])) ++j;
  // Thousands separators: ",ddd" not followed by another digit.
  while (j + 3 < end && s[j] == ',' && IsDigit(s[j + 1]) && IsDigit(s[j + 2]) &&
         IsDigit(s[j + 3]) && (j + 4 >= end || !IsDigit(s[j + 4]))) {
    j += 4;
  }
  if (j + 1 < end && s[j] == '.' && IsDigit(s[j + 1])) {
    ++j;
    while (j < end && IsDigit(s[j])) ++j;
  }
  return j;
}

// True if the figure s[b, e) ends in a list number: its last digit is
// followed by "." or "、" and then by text ("00000002.其他法律..." holds
// the figures 0000000 and the item number 2).
inline bool EndsInListNumber(std::string_view s, size_t b, size_t e,
                             size_t end) {
  if (e == b || !IsDigit(s[e - 1])) return false;
  for (size_t k = b; k < e; ++k) {
    if (s[k] == '.' || s[k] == ',') return false;
  }
  size_t after = 0;
  if (e < end && s[e] == '.') {
    after = e + 1;
  } else if (At(s, e, "、")) {
    after = e + 3;
  } else {
    return false;
  }
  if (after >= end) return false;
  char c = s[after];
  return !IsDigit(c) && c != ' ' && c != '\t' && c != '\r' && c != '\n';
}

}  // namespace internal

// Cuts text[line] into pieces: before every enumerator ("二、") and after
// every sentence end ("。", "!", "?"). Pieces are trimmed; blank ones dropped.
inline std::vector<TextSpan> CutPieces(std::string_view text, TextSpan line) {
  using namespace internal;
  std::vector<TextSpan> pieces;
  auto push = [&](size_t b, size_t e) {
    TextSpan p = sdk::Trim(text, TextSpan{b, e});
    if (!p.empty()) pieces.push_back(p);
  };
  size_t begin = line.begin;
  for (size_t i = line.begin; i < line.end;) {
    if (i > begin && EnumeratorAt(text, i, line.begin)) {
      push(begin, i);
      begin = i;
    }
    size_t n = CharLength(text, i);
    bool end_of_sentence = At(text, i, "。") || At(text, i, "！") ||
                           At(text, i, "？") || text[i] == '!' ||
                           text[i] == '?';
    i += n;
    if (end_of_sentence) {
      push(begin, i);
      begin = i;
    }
  }
  push(begin, line.end);
  return pieces;
}

// Cuts a piece into text and figure tokens. Digits inside brackets are
// text ("(单位:万元,保留4位小数)"), and so is a list number ("2.其他").
// Sets *prose if the piece has sentence punctuation outside brackets.
inline std::vector<Token> Tokenize(std::string_view text, TextSpan piece,
                                   bool* prose = nullptr) {
  using namespace internal;
  std::vector<Token> tokens;
  bool punct = false;
  size_t group_budget = 16 * piece.size() + 4096;
  size_t text_begin = std::string_view::npos, text_end = 0;
  auto flush_text = [&]() {
    if (text_begin != std::string_view::npos) {
      TextSpan t = sdk::Trim(text, TextSpan{text_begin, text_end});
      if (!t.empty()) tokens.push_back({t, false});
    }
    text_begin = std::string_view::npos;
  };
  auto extend_text = [&](size_t b, size_t e) {
    if (text_begin == std::string_view::npos) text_begin = b;
    text_end = e;
  };
  for (size_t i = piece.begin; i < piece.end;) {
    if (size_t blank = sdk::BlankAt(text, i)) {
      i += blank;  // ends a figure; inside text it stays part of the text
      continue;
    }
    if (OpenAt(text, i)) {
      if (size_t e = GroupEnd(text, i, piece.end, &group_budget)) {
        extend_text(i, e);
        i = e;
        continue;
      }
    }
    if (size_t p = ProsePunctAt(text, i)) {
      punct = true;
      extend_text(i, i + p);
      i += p;
      continue;
    }
    size_t e = FigureEnd(text, i, piece.end);
    if (e > i) {
      size_t figure_end = EndsInListNumber(text, i, e, piece.end) ? e - 1 : e;
      bool has_digit = false;
      for (size_t k = i; k < figure_end; ++k) has_digit |= IsDigit(text[k]);
      if (has_digit) {
        flush_text();
        tokens.push_back({TextSpan{i, figure_end}, true});
        if (figure_end < e) extend_text(figure_end, e);  // the list number
      } else {
        extend_text(i, e);  // a bare list number: part of its label
      }
      i = e;
      continue;
    }
    size_t n = CharLength(text, i);
    extend_text(i, i + n);
    i += n;
  }
  flush_text();
  if (prose != nullptr) *prose = punct;
  return tokens;
}

}  // namespace gongkai::crawler
