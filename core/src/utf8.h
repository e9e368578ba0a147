// Small UTF-8 helpers for text that Normalize() already validated.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gongkai {

// Length of the UTF-8 sequence that starts with byte b (1 for stray bytes).
inline size_t Utf8Length(unsigned char b) {
  if (b < 0x80) return 1;
  if ((b >> 5) == 0x6) return 2;
  if ((b >> 4) == 0xE) return 3;
  if ((b >> 3) == 0x1E) return 4;
  return 1;
}

// Decodes s; invalid bytes become U+FFFD, never read past the end.
inline std::vector<char32_t> DecodeUtf8(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char b = s[i];
    size_t n = Utf8Length(b);
    if (i + n > s.size()) n = 1;
    char32_t c;
    if (n == 1) {
      c = b < 0x80 ? b : 0xFFFD;
    } else {
      c = b & (0xFF >> (n + 1));
      for (size_t k = 1; k < n; ++k) c = (c << 6) | (s[i + k] & 0x3F);
    }
    out.push_back(c);
    i += n;
  }
  return out;
}

// CJK unified ideographs (the common blocks).
inline bool IsCjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2FFFF) || (c >= 0xF900 && c <= 0xFAFF);
}

// The code point starting at s[i] and its length.
inline char32_t CodePointAt(std::string_view s, size_t i, size_t* len) {
  size_t n = Utf8Length(static_cast<unsigned char>(s[i]));
  if (i + n > s.size()) n = 1;
  *len = n;
  std::vector<char32_t> one = DecodeUtf8(s.substr(i, n));
  return one.empty() ? 0xFFFD : one[0];
}

}  // namespace gongkai
