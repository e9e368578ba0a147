// Charset handling for Normalize(): validate UTF-8, refuse binary files with
// a clear message, and read GB18030/Big5/UTF-16 strictly through ICU.
#include "charset_decode.h"

#include <unicode/ucnv.h>
#include <unicode/ucnv_err.h>
#include <unicode/ucsdet.h>
#include <unicode/utf16.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace gongkai::normalize_internal {
namespace {

constexpr size_t kNpos = static_cast<size_t>(-1);

// A few stray control characters are tolerated (NULs are dropped later);
// more than this and the bytes are not a text document.
bool TooManyControls(size_t controls, size_t chars) {
  return controls > 2 + chars / 100;
}

bool IsTextControl(uint32_t c) {
  return c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// File signatures of the binary formats people send by mistake.
struct Magic {
  absl::string_view bytes;
  size_t offset;
  const char* what;
};
constexpr absl::string_view kPng("\x89PNG\r\n\x1a\n", 8);
constexpr absl::string_view kOle("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
constexpr absl::string_view kTiffLe("II*\0", 4);
constexpr absl::string_view kTiffBe("MM\0*", 4);
const Magic kMagics[] = {
    {kPng, 0, "a PNG image"},
    {"\xFF\xD8\xFF", 0, "a JPEG image"},
    {"GIF87a", 0, "a GIF image"},
    {"GIF89a", 0, "a GIF image"},
    {kTiffLe, 0, "a TIFF image"},
    {kTiffBe, 0, "a TIFF image"},
    {"WEBP", 8, "a WebP image"},
    {"%PDF-", 0, "a PDF file"},
    {"PK\x03\x04", 0, "a ZIP archive (or .docx/.xlsx)"},
    {kOle, 0, "an OLE2 file (.doc/.xls)"},
    {"\x1F\x8B", 0, "gzip-compressed data"},
    {"\x7F" "ELF", 0, "an ELF executable"},
    {"Rar!\x1A\x07", 0, "a RAR archive"},
    {"7z\xBC\xAF\x27\x1C", 0, "a 7-Zip archive"},
};

const char* BinaryFormat(absl::string_view s) {
  for (const Magic& m : kMagics) {
    if (s.size() >= m.offset + m.bytes.size() &&
        s.substr(m.offset, m.bytes.size()) == m.bytes) {
      if (m.offset == 8 && !absl::StartsWith(s, "RIFF")) continue;
      return m.what;
    }
  }
  return nullptr;
}

struct Census {
  size_t chars = 0;
  size_t controls = 0;
  size_t nuls = 0;
  size_t first_control = kNpos;  // offset in the caller's bytes
  size_t ideographs = 0;         // CJK ideographs, symbols, full-width forms
  size_t ascii_alnum = 0;
  size_t ascii_letters = 0;
  size_t spaces = 0;
  size_t suspicious = 0;  // private use, U+FFFD, noncharacters
  size_t ascii = 0;       // below U+0080, whitespace included
};

void CountChar(uint32_t c, size_t offset, Census* k) {
  ++k->chars;
  k->ascii += c < 0x80;
  if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) {
    if (IsTextControl(c)) {
      ++k->spaces;
      return;
    }
    if (k->first_control == kNpos) k->first_control = offset;
    ++k->controls;
    k->nuls += c == 0;
  } else if (c == ' ' || c == 0x3000) {
    ++k->spaces;
  } else if (c < 0x80) {
    if (absl::ascii_isalpha(c)) ++k->ascii_letters;
    if (absl::ascii_isalnum(c)) ++k->ascii_alnum;
  } else if ((c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
             (c >= 0x20000 && c <= 0x3134F) || (c >= 0x3000 && c <= 0x303F) ||
             (c >= 0xFF00 && c <= 0xFFEF)) {
    ++k->ideographs;
  } else if ((c >= 0xE000 && c <= 0xF8FF) || c == 0xFFFD ||
             (c & 0xFFFE) == 0xFFFE || (c >= 0xFDD0 && c <= 0xFDEF) ||
             c >= 0xF0000) {
    ++k->suspicious;
  }
}

// Validates s[begin, n) as UTF-8 and counts its characters and control
// characters (only those matter for UTF-8: any script is text, but NULs and
// other C0/C1 controls in bulk are binary data). Returns the offset of the
// first ill-formed sequence, or kNpos. *truncated says the sequence there is
// a valid prefix cut off by the end of the input (a document truncated in
// the middle of a character).
size_t ScanUtf8(const unsigned char* s, size_t begin, size_t n,
                bool* truncated, Census* k) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  *truncated = false;
  size_t i = begin;
  while (i < n) {
    const unsigned char b = s[i];
    if (b < 0x80) {
      // Printable ASCII, eight bytes at a time: no high bit, no byte below
      // 0x20, no DEL.
      while (i + 8 <= n) {
        uint64_t w;
        std::memcpy(&w, s + i, 8);
        const uint64_t del = w ^ (kOnes * 0x7F);
        if ((w & kHigh) || ((w - kOnes * 0x20) & ~w & kHigh) ||
            ((del - kOnes) & ~del & kHigh)) {
          break;
        }
        k->chars += 8;
        i += 8;
      }
      if (i >= n) break;
      const unsigned char a = s[i];
      if (a >= 0x80) continue;
      if (a < 0x20 || a == 0x7F) {
        CountChar(a, i, k);
      } else {
        ++k->chars;
      }
      ++i;
      continue;
    }
    // The common case for Chinese: a three-byte character outside the
    // lead bytes with restricted second bytes (E0, ED).
    if (b >= 0xE1 && b != 0xED && b <= 0xEF && i + 2 < n &&
        (s[i + 1] & 0xC0) == 0x80 && (s[i + 2] & 0xC0) == 0x80) {
      ++k->chars;
      i += 3;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      if (b == 0xE0) lo = 0xA0;  // overlong
      if (b == 0xED) hi = 0x9F;  // surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      if (b == 0xF0) lo = 0x90;  // overlong
      if (b == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    for (size_t j = 1; j < len; ++j) {
      if (i + j >= n) {
        *truncated = true;
        return i;
      }
      const unsigned char c = s[i + j];
      if (j == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) return i;
    }
    if (b == 0xC2 && s[i + 1] < 0xA0) {
      CountChar(0x80, i, k);  // a C1 control
    } else {
      ++k->chars;
    }
    i += len;
  }
  return kNpos;
}

Census CensusUtf16(const DecodedText& d) {
  Census k;
  const std::u16string& u = d.utf16;
  const int32_t n = static_cast<int32_t>(u.size());
  for (int32_t i = 0; i < n;) {
    const int32_t at = i;
    UChar32 c;
    U16_NEXT(u.data(), i, n, c);
    CountChar(static_cast<uint32_t>(c), d.offsets[at], &k);
  }
  return k;
}

// Whether a decoding in another charset looks like a real document: hardly
// any control or private-use characters, and mostly CJK or ASCII letters and
// digits. A wrong charset guess rarely passes both.
bool LooksLikeText(const Census& k) {
  if (TooManyControls(k.controls + k.suspicious, k.chars)) return false;
  const size_t visible = k.chars - k.spaces;
  if (visible == 0) return false;
  if (k.ideographs + k.ascii_letters == 0) return false;
  return (k.ideographs + k.ascii_alnum) * 2 >= visible;
}

// Any byte pairs read as UTF-16 give code points, most of them ideographs
// ("he" is U+6865), and ICU's detector guesses UTF-16 for nearly anything
// without a byte order mark. Real UTF-16 text has line breaks, spaces and
// digits, i.e. units below U+0080, which misread 8-bit text almost never
// has (the high byte would have to be NUL).
bool LooksLikeUtf16Text(const Census& k) {
  return LooksLikeText(k) && k.ascii > 0 && k.ascii * 100 >= k.chars;
}

std::string Hex(unsigned char b) { return absl::StrFormat("0x%02X", b); }

struct ConverterCloser {
  void operator()(UConverter* c) const { ucnv_close(c); }
};

// Converts original[begin, end) from `charset` to UTF-16, refusing any
// illegal or unmapped sequence (no substitution characters). A sequence cut
// off by the end of the input is left out, like a truncated UTF-8 tail.
bool ConvertStrictly(absl::string_view original, size_t begin,
                     const std::string& charset, DecodedText* out) {
  UErrorCode ec = U_ZERO_ERROR;
  std::unique_ptr<UConverter, ConverterCloser> cnv(
      ucnv_open(charset.c_str(), &ec));
  if (U_FAILURE(ec)) return false;
  ucnv_setToUCallBack(cnv.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr,
                      nullptr, &ec);
  if (U_FAILURE(ec)) return false;
  const size_t n = original.size() - begin;
  // Every charset we read spends at least one byte per UTF-16 unit.
  out->utf16.resize(n + 2);
  std::vector<int32_t> offsets(n + 2, -1);
  UChar* target = out->utf16.data();
  const char* source = original.data() + begin;
  ucnv_toUnicode(cnv.get(), &target, out->utf16.data() + out->utf16.size(),
                 &source, original.data() + original.size(), offsets.data(),
                 /*flush=*/false, &ec);
  if (U_FAILURE(ec)) return false;
  const size_t units = target - out->utf16.data();
  const int32_t pending = ucnv_toUCountPending(cnv.get(), &ec);
  const size_t consumed = n - (pending > 0 ? pending : 0);
  out->utf16.resize(units);
  out->offsets.resize(units + 1);
  uint32_t last = static_cast<uint32_t>(begin);
  for (size_t i = 0; i < units; ++i) {
    if (offsets[i] >= 0) last = static_cast<uint32_t>(begin + offsets[i]);
    out->offsets[i] = last;
  }
  out->offsets[units] = static_cast<uint32_t>(begin + consumed);
  out->charset = charset;
  out->in_place = false;
  out->begin = begin;
  out->end = begin + consumed;
  return true;
}

// The charset names ICU's detector may answer that we accept.
std::string SensibleDetection(const char* name) {
  if (name == nullptr) return "";
  const std::string s(name);
  if (s == "GB18030" || s == "Big5" || s == "UTF-16LE" || s == "UTF-16BE") {
    return s;
  }
  return "";
}

std::vector<std::string> DetectedCharsets(absl::string_view original) {
  std::vector<std::string> out;
  UErrorCode ec = U_ZERO_ERROR;
  UCharsetDetector* det = ucsdet_open(&ec);
  if (U_FAILURE(ec)) return out;
  // The detector's statistics settle long before 64 KB.
  const int32_t n =
      static_cast<int32_t>(std::min<size_t>(original.size(), 64 << 10));
  ucsdet_enableInputFilter(det, true);  // skip HTML markup
  ucsdet_setText(det, original.data(), n, &ec);
  int32_t count = 0;
  const UCharsetMatch** matches = ucsdet_detectAll(det, &count, &ec);
  for (int32_t i = 0; U_SUCCESS(ec) && i < count; ++i) {
    if (ucsdet_getConfidence(matches[i], &ec) <= 0) continue;
    std::string name = SensibleDetection(ucsdet_getName(matches[i], &ec));
    if (!name.empty()) out.push_back(std::move(name));
  }
  ucsdet_close(det);
  return out;
}

absl::Status BinaryError(const Census& k) {
  return absl::InvalidArgumentError(absl::StrCat(
      "document looks like binary data, not text: ", k.controls, " of its ",
      k.chars, " characters are control characters (", k.nuls,
      " NUL), the first at offset ", k.first_control));
}

}  // namespace

std::string DeclaredCharset(absl::string_view original) {
  const absl::string_view head = original.substr(0, 4096);
  const std::string lower = absl::AsciiStrToLower(head);
  for (size_t at = lower.find("charset"); at != std::string::npos;
       at = lower.find("charset", at + 1)) {
    size_t i = at + 7;
    while (i < lower.size() && (lower[i] == ' ' || lower[i] == '\t')) ++i;
    if (i >= lower.size() || lower[i] != '=') continue;
    ++i;
    while (i < lower.size() &&
           (lower[i] == ' ' || lower[i] == '"' || lower[i] == '\'')) {
      ++i;
    }
    size_t j = i;
    while (j < lower.size() &&
           (absl::ascii_isalnum(lower[j]) || lower[j] == '-' ||
            lower[j] == '_')) {
      ++j;
    }
    const std::string name = lower.substr(i, j - i);
    if (name == "gb2312" || name == "gbk" || name == "gb18030" ||
        name == "x-gbk" || name == "cp936" || name == "windows-936" ||
        name == "euc-cn") {
      return "GB18030";
    }
    if (name == "big5" || name == "big5-hkscs" || name == "x-x-big5" ||
        name == "cp950" || name == "windows-950") {
      return "Big5";
    }
    if (name == "utf-16" || name == "utf-16le") return "UTF-16LE";
    if (name == "utf-16be") return "UTF-16BE";
    if (name == "utf-8" || name == "utf8") return "UTF-8";
    if (!name.empty()) return "";
  }
  return "";
}

absl::StatusOr<DecodedText> DecodeText(absl::string_view original) {
  if (const char* what = BinaryFormat(original)) {
    return absl::InvalidArgumentError(
        absl::StrCat("document is ", what, ", not text; send its text"));
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(original.data());
  const size_t n = original.size();

  // A UTF-16 byte order mark settles the charset.
  if (n >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) ||
                 (bytes[0] == 0xFE && bytes[1] == 0xFF))) {
    const std::string charset = bytes[0] == 0xFF ? "UTF-16LE" : "UTF-16BE";
    DecodedText d;
    if (!ConvertStrictly(original, 2, charset, &d)) {
      return absl::InvalidArgumentError(
          absl::StrCat("document starts with a ", charset,
                       " byte order mark but is not valid ", charset));
    }
    const Census k = CensusUtf16(d);
    if (TooManyControls(k.controls, k.chars)) return BinaryError(k);
    return d;
  }

  DecodedText utf8;
  utf8.begin = (n >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB &&
                bytes[2] == 0xBF)
                   ? 3
                   : 0;
  utf8.end = n;
  bool truncated = false;
  Census k;
  const size_t bad = ScanUtf8(bytes, utf8.begin, n, &truncated, &k);
  if (bad == kNpos || truncated) {
    if (truncated) utf8.end = bad;  // a cut-off last character
    if (!TooManyControls(k.controls, k.chars)) return utf8;
    // NULs in bulk but valid UTF-8: maybe UTF-16 without a byte order mark
    // (ASCII in UTF-16 is every other byte NUL).
    size_t even = 0, odd = 0;
    for (size_t i = 0; i < n; ++i) (i % 2 ? odd : even) += bytes[i] == 0;
    if ((even + odd) * 4 >= n) {
      DecodedText d;
      if (ConvertStrictly(original, 0, odd > even ? "UTF-16LE" : "UTF-16BE",
                          &d) &&
          LooksLikeUtf16Text(CensusUtf16(d))) {
        return d;
      }
    }
    return BinaryError(k);
  }

  // Mostly UTF-8 with a few bad bytes is a damaged UTF-8 document, not GBK:
  // GB18030 would accept many UTF-8 byte pairs and return plausible-looking
  // ideographs, so it is not asked.
  size_t good = 0, broken = 0;
  for (size_t i = utf8.begin; i < n;) {
    bool cut;
    Census ignored;
    const size_t at = ScanUtf8(bytes, i, n, &cut, &ignored);
    const size_t end = at == kNpos ? n : at;
    for (size_t j = i; j < end; ++j) good += bytes[j] >= 0xC0;
    if (at == kNpos) break;
    ++broken;
    i = at + 1;
  }
  const bool mostly_utf8 = good >= 4 * broken;

  // Not UTF-8: what the page declares, then what ICU's detector says, then  // Not UTF-8: what the page declares, then what ICU's detector says, then
  // GB18030 (which covers GBK and GB2312) as the likeliest for this corpus.
  std::vector<std::string> candidates;
  auto add = [&candidates](const std::string& c) {
    if (!c.empty() && c != "UTF-8" &&
        std::find(candidates.begin(), candidates.end(), c) ==
            candidates.end()) {
      candidates.push_back(c);
    }
  };
  if (!mostly_utf8) {
    add(DeclaredCharset(original));
    for (const std::string& c : DetectedCharsets(original)) add(c);
    add("GB18030");
  }
  for (const std::string& c : candidates) {
    DecodedText d;
    if (!ConvertStrictly(original, 0, c, &d)) continue;
    const Census k = CensusUtf16(d);
    if (absl::StartsWith(c, "UTF-16") ? LooksLikeUtf16Text(k)
                                      : LooksLikeText(k)) {
      return d;
    }
  }
  size_t controls = 0;
  for (size_t i = 0; i < n; ++i) {
    controls += bytes[i] < 0x20 && !IsTextControl(bytes[i]);
  }
  std::string detail = absl::StrCat("; the byte there is ", Hex(bytes[bad]));
  if (mostly_utf8) {
    absl::StrAppend(&detail, "; the rest looks like UTF-8 (", good,
                    " valid multi-byte characters, ", broken,
                    " bad sequences), so it was not read as another charset");
  }
  if (controls * 20 > n) {
    absl::StrAppend(&detail, "; ", controls, " of its ", n,
                    " bytes are control bytes such as NUL, so it looks like "
                    "binary data");
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "document is not valid UTF-8 (first bad byte at offset ", bad,
      ") and is not recognizable as GB18030/Big5/UTF-16", detail));
}

}  // namespace gongkai::normalize_internal
