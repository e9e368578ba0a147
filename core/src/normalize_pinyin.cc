// Pinyin annotation removal; see normalize_pinyin.h.
#include "normalize_pinyin.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"

namespace gongkai::normalize_internal {
namespace {

// The base letter of a pinyin letter ('v' for ü) and whether it carries a
// tone mark; 0 for anything else.
char PinyinLetter(char32_t c, bool* toned) {
  *toned = false;
  if (c >= 'a' && c <= 'z') return static_cast<char>(c);
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
  if (c == 0xFC) return 'v';  // ü
  struct Toned {
    char32_t c;
    char base;
  };
  static constexpr Toned kToned[] = {
      {0x0101, 'a'}, {0x00E1, 'a'}, {0x01CE, 'a'}, {0x00E0, 'a'},
      {0x0113, 'e'}, {0x00E9, 'e'}, {0x011B, 'e'}, {0x00E8, 'e'},
      {0x012B, 'i'}, {0x00ED, 'i'}, {0x01D0, 'i'}, {0x00EC, 'i'},
      {0x014D, 'o'}, {0x00F3, 'o'}, {0x01D2, 'o'}, {0x00F2, 'o'},
      {0x016B, 'u'}, {0x00FA, 'u'}, {0x01D4, 'u'}, {0x00F9, 'u'},
      {0x01D6, 'v'}, {0x01D8, 'v'}, {0x01DA, 'v'}, {0x01DC, 'v'},
      {0x0144, 'n'}, {0x0148, 'n'}, {0x01F9, 'n'}, {0x1E3F, 'm'},
  };
  for (const Toned& t : kToned) {
    if (t.c == c) {
      *toned = true;
      return t.base;
    }
  }
  return 0;
}

constexpr uint32_t Pack(absl::string_view s) {
  uint32_t v = 0;
  for (char c : s) v = v << 8 | static_cast<unsigned char>(c);
  return v;
}

// Finals as written after an initial ('v' for ü). Packed into integers:
// this runs for every "(" after an ideograph.
bool IsFinal(absl::string_view f) {
  if (f.empty() || f.size() > 4) return false;
  static constexpr uint32_t kFinals[] = {
      Pack("a"),   Pack("o"),    Pack("e"),    Pack("i"),    Pack("u"),
      Pack("v"),   Pack("ai"),   Pack("ei"),   Pack("ui"),   Pack("ao"),
      Pack("ou"),  Pack("iu"),   Pack("ie"),   Pack("ve"),   Pack("ue"),
      Pack("er"),  Pack("an"),   Pack("en"),   Pack("in"),   Pack("un"),
      Pack("vn"),  Pack("ang"),  Pack("eng"),  Pack("ing"),  Pack("ong"),
      Pack("ia"),  Pack("iao"),  Pack("ian"),  Pack("iang"), Pack("iong"),
      Pack("ua"),  Pack("uo"),   Pack("uai"),  Pack("uan"),  Pack("uang"),
      Pack("ueng"), Pack("van"), Pack("io")};
  const uint32_t v = Pack(f);
  for (uint32_t k : kFinals) {
    if (k == v) return true;
  }
  return false;
}

bool IsSyllable(absl::string_view s) {
  // Syllabic nasals (ń, ňg, ḿ) stand alone.
  if (s == "n" || s == "ng" || s == "m") return true;
  size_t initial = 0;
  if (s.size() >= 2 && s[1] == 'h' &&
      (s[0] == 'z' || s[0] == 'c' || s[0] == 's')) {
    initial = 2;
  } else if (absl::string_view("bpmfdtnlgkhjqxrzcsyw").find(s[0]) !=
             absl::string_view::npos) {
    initial = 1;
  }
  return IsFinal(s.substr(initial));
}

}  // namespace

bool IsTonedPinyinSyllable(absl::string_view s) {
  char base[8];
  size_t n = 0;
  bool toned = false;
  for (size_t i = 0, len = 0; i < s.size(); i += len) {
    if (n == 6) return false;
    bool t;
    const char b = PinyinLetter(DecodeAt(s.data(), s.size(), i, &len), &t);
    if (b == 0) return false;
    toned |= t;
    base[n++] = b;
  }
  return n > 0 && toned && IsSyllable(absl::string_view(base, n));
}

bool StripPinyin(const MappedText& in, MappedText* out) {
  const char* s = in.text.data();
  const size_t n = in.size();
  bool changed = false;
  size_t run = 0;  // start of the bytes not yet copied to out
  size_t i = 0;
  while (i < n) {
    const void* p = std::memchr(s + i, '(', n - i);
    if (p == nullptr) break;
    i = static_cast<const char*>(p) - s;
    // The character before '(' must be an ideograph.
    size_t prev = i;
    while (prev > 0 && i - prev < 4) {
      --prev;
      if ((static_cast<unsigned char>(s[prev]) & 0xC0) != 0x80) break;
    }
    size_t len;
    if (prev == i || !IsCjkIdeograph(DecodeAt(s, n, prev, &len)) ||
        prev + len != i) {
      ++i;
      continue;
    }
    // Six letters take at most 12 bytes; look for ')' within them.
    const size_t limit = std::min(n, i + 1 + 13);
    size_t close = i + 1;
    while (close < limit && s[close] != ')' && s[close] != '(') ++close;
    if (close >= limit || s[close] != ')' ||
        !IsTonedPinyinSyllable(
            absl::string_view(s + i + 1, close - (i + 1)))) {
      ++i;
      continue;
    }
    if (!changed) {
      out->Clear();
      out->Reserve(n);
      changed = true;
    }
    out->AppendSame(in, run, i);
    i = close + 1;
    run = i;
  }
  if (changed) out->AppendSame(in, run, n);
  return changed;
}

}  // namespace gongkai::normalize_internal
