// Normalize(): the caller's bytes -> UTF-8, NFKC, pinyin annotations removed,
// Traditional -> Simplified, with an exact map back to the caller's bytes.
#include "gongkai/normalize.h"

#include <sys/mman.h>
#include <unicode/bytestream.h>
#include <unicode/edits.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "charset_decode.h"
#include "normalize_mapped.h"
#include "normalize_pinyin.h"
#include "normalize_t2s.h"

namespace gongkai {

std::pair<size_t, size_t> NormalizedText::OriginalSpan(size_t begin,
                                                       size_t end) const {
  if (origin.empty()) return {0, 0};
  const size_t n = std::min(text.size(), origin.size() - 1);
  end = std::min(end, n);
  begin = std::min(begin, end);
  const uint32_t b = origin[begin];
  if (begin == end) return {b, b};
  // The unit holding byte end-1 starts at s and ends where the next unit
  // starts, or earlier where dropped bytes (an annotation, a \r) begin.
  const uint32_t s = origin[end - 1];
  const auto next =
      std::upper_bound(origin.begin() + end, origin.begin() + n + 1, s);
  uint32_t e = next == origin.begin() + n + 1 ? origin[n] : *next;
  const auto gap = std::upper_bound(dropped.begin(), dropped.end(), s);
  if (gap != dropped.end()) e = std::min(e, *gap);
  return {b, std::max(e, b)};
}

namespace {

using normalize_internal::DecodeAt;
using normalize_internal::DecodedText;
using normalize_internal::EncodeUtf8;
using normalize_internal::MappedText;
using normalize_internal::T2S;

// Stages run on chunks that end at a line break: no stage looks across a
// line (NFKC segments, pinyin annotations and OpenCC phrases never span
// one), and the working buffers stay small and warm in the cache.
constexpr size_t kChunkTarget = 32 << 10;
constexpr size_t kChunkLimit = 256 << 10;

// Where the chunk that starts at s[i] ends (exclusive), for valid UTF-8.
size_t ChunkEnd(const char* s, size_t i, size_t end) {
  if (end - i <= kChunkTarget) return end;
  const size_t from = i + kChunkTarget;
  const size_t limit = std::min(end, i + kChunkLimit);
  if (const void* nl = std::memchr(s + from, '\n', limit - from)) {
    return static_cast<const char*>(nl) - s + 1;
  }
  if (limit == end) return end;
  // A line longer than kChunkLimit: break after a space if there is one,
  // else before any character.
  for (size_t j = limit; j > from; --j) {
    if (s[j - 1] == ' ' || s[j - 1] == '\t') return j;
  }
  size_t j = limit;
  while (j > from && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) --j;
  return j;
}

// The tables every call needs, built once per process.
struct Tables {
  const T2S* t2s = nullptr;
  const icu::Normalizer2* nfkc = nullptr;

  // Per BMP character: its T2S flags (low byte) and these.
  enum : uint16_t {
    // NFKC may change it or what surrounds it. Text whose other characters
    // are all left alone by NFKC and start a segment is already NFKC, so
    // ICU only sees chunks with one of these (full-width forms, combining
    // marks), not the many with tone-marked pinyin or plain CJK.
    kNfkcTrigger = 1 << 8,
    // NFKC may turn it into an ideograph (compatibility ideographs, Kangxi
    // radicals, squared and parenthesized ideographs).
    kCompatIdeograph = 1 << 9,
  };
  std::vector<uint16_t> classes;

  uint16_t ClassOf(char32_t c) const {
    if (c < 0x10000) return classes[c];
    const bool compat = (c >= 0x1F200 && c <= 0x1F2FF) ||
                        (c >= 0x2F800 && c <= 0x2FA1F);
    return t2s->FlagsOf(c) | kNfkcTrigger | (compat ? kCompatIdeograph : 0);
  }
};

absl::StatusOr<const Tables*> GetTables() {
  static const absl::StatusOr<const Tables*> tables =
      []() -> absl::StatusOr<const Tables*> {
    absl::StatusOr<const T2S*> t2s = T2S::Get();
    if (!t2s.ok()) return t2s.status();
    UErrorCode ec = U_ZERO_ERROR;
    const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(ec);
    if (U_FAILURE(ec) || nfkc == nullptr) {
      return absl::InternalError(
          absl::StrCat("ICU NFKC data unavailable: ", u_errorName(ec)));
    }
    auto* t = new Tables;
    t->t2s = *t2s;
    t->nfkc = nfkc;
    t->classes.assign(0x10000, 0);
    for (char32_t c = 0; c < 0x10000; ++c) {
      uint16_t k = (*t2s)->FlagsOf(c);
      if (c >= 0x80 && !(c >= 0xD800 && c <= 0xDFFF) && !nfkc->isInert(c)) {
        UErrorCode e = U_ZERO_ERROR;
        const bool stable =
            nfkc->hasBoundaryBefore(c) &&
            nfkc->isNormalized(icu::UnicodeString(static_cast<UChar32>(c)),
                               e) &&
            U_SUCCESS(e);
        if (!stable) k |= Tables::kNfkcTrigger;
        if ((c >= 0x2E80 && c <= 0x2FDF) || (c >= 0x3200 && c <= 0x33FF) ||
            (c >= 0xF900 && c <= 0xFAFF)) {
          k |= Tables::kCompatIdeograph;
        }
      }
      t->classes[c] = k;
    }
    return t;
  }();
  return tables;
}

// What the stages need to know about a chunk, gathered while it is read.
struct ChunkInfo {
  size_t traditional = 0;
  size_t simplified = 0;
  uint16_t seen = 0;  // Tables class bits of the characters seen

  void Tally(const Tables& tables, char32_t c) {
    const uint16_t k = tables.ClassOf(c);
    traditional += (k & T2S::kTraditionalOnly) != 0;
    simplified += (k & T2S::kSimplifiedOnly) != 0;
    seen |= k;
  }
  T2S::Census Census() const {
    T2S::Census c;
    c.traditional = traditional;
    c.simplified = simplified;
    c.seen = static_cast<uint8_t>(seen & 0xFF);
    return c;
  }
  bool needs_nfkc() const { return seen & Tables::kNfkcTrigger; }
  bool compat_ideographs() const { return seen & Tables::kCompatIdeograph; }
};

void ScanChunk(const Tables& tables, absl::string_view s, ChunkInfo* info) {
  for (size_t i = 0, len = 0; i < s.size(); i += len) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      len = 1;
      continue;
    }
    info->Tally(tables, DecodeAt(s.data(), s.size(), i, &len));
  }
}

// Copies the caller's valid UTF-8 bytes [i, e) into `out`: each byte maps
// to its character, NULs are dropped, \r\n becomes \n (mapped to the \n)
// and a lone \r becomes \n. Fills `info` on the way. Returns true when
// nothing was dropped.
bool ChunkFromUtf8(const Tables& tables, const char* s, size_t i, size_t e,
                   MappedText* out, ChunkInfo* info) {
  out->Clear();
  const size_t n = e - i;
  const bool plain = std::memchr(s + i, '\r', n) == nullptr &&
                     std::memchr(s + i, '\0', n) == nullptr;
  if (plain) {
    out->text.append(s + i, n);
    out->beg.resize(n);
    out->end.resize(n);
    uint32_t* beg = out->beg.data();
    uint32_t* end = out->end.data();
    ChunkInfo local = *info;  // kept in registers, not memory
    for (size_t k = 0; k < n;) {
      const uint32_t ob = static_cast<uint32_t>(i + k);
      if (static_cast<unsigned char>(s[i + k]) < 0x80) {
        beg[k] = ob;
        end[k] = ob + 1;
        ++k;
        continue;
      }
      size_t len;
      local.Tally(tables, DecodeAt(s + i, n, k, &len));
      for (size_t t = 0; t < len; ++t) {
        beg[k + t] = ob;
        end[k + t] = ob + static_cast<uint32_t>(len);
      }
      k += len;
    }
    *info = local;
    return true;
  }
  out->Reserve(n);
  for (size_t k = i; k < e;) {
    const unsigned char b = static_cast<unsigned char>(s[k]);
    if (b == 0) {
      ++k;
    } else if (b == '\r') {
      if (k + 1 < e && s[k + 1] == '\n') {
        out->Append("\n", 1, k + 1, k + 2);
        k += 2;
      } else {
        out->Append("\n", 1, k, k + 1);
        ++k;
      }
    } else {
      size_t len = 1;
      if (b >= 0x80) info->Tally(tables, DecodeAt(s, e, k, &len));
      out->Append(s + k, len, k, k + len);
      k += len;
    }
  }
  return false;
}

// The whole text of a non-UTF-8 document, mapped to the caller's bytes, with
// the same NUL and line-ending treatment as ChunkFromUtf8.
MappedText FromUtf16(const DecodedText& d) {
  MappedText out;
  const std::u16string& u = d.utf16;
  const int32_t n = static_cast<int32_t>(u.size());
  out.Reserve(u.size() * 3 / 2 + 4);
  // A character's end is the start of the next character with a later
  // offset (one input character may decode to several code points).
  std::vector<uint32_t> ends(u.size() + 1);
  ends[u.size()] = d.offsets[u.size()];
  for (size_t k = u.size(); k-- > 0;) {
    ends[k] = d.offsets[k + 1] > d.offsets[k] ? d.offsets[k + 1] : ends[k + 1];
  }
  for (int32_t k = 0; k < n;) {
    const int32_t at = k;
    UChar32 c;
    U16_NEXT(u.data(), k, n, c);
    const uint32_t b = d.offsets[at];
    const uint32_t e = std::max(ends[at], b);
    if (c == 0 || (at == 0 && c == 0xFEFF)) continue;
    if (c == '\r') {
      if (k < n && u[k] == '\n') continue;  // the \n that follows stands
      out.Append("\n", 1, b, e);
      continue;
    }
    char buf[4];
    out.Append(buf, EncodeUtf8(static_cast<char32_t>(c), buf), b, e);
  }
  return out;
}

// NFKC through ICU's UTF-8 API; its fine-grained edits say which input bytes
// each changed output came from. Returns false when the text is already
// NFKC.
absl::StatusOr<bool> Nfkc(const icu::Normalizer2& nfkc, const MappedText& in,
                          MappedText* out) {
  UErrorCode ec = U_ZERO_ERROR;
  const icu::StringPiece piece(in.text.data(),
                               static_cast<int32_t>(in.size()));
  thread_local std::string normalized;
  normalized.clear();
  icu::StringByteSink<std::string> sink(&normalized);
  icu::Edits edits;
  nfkc.normalizeUTF8(0, piece, sink, &edits, ec);
  if (U_FAILURE(ec)) {
    return absl::InternalError(
        absl::StrCat("NFKC normalization failed: ", u_errorName(ec)));
  }
  if (!edits.hasChanges()) return false;
  out->Clear();
  out->Reserve(normalized.size());
  icu::Edits::Iterator it = edits.getFineIterator();
  while (it.next(ec)) {
    const size_t src = it.sourceIndex();
    const size_t old_len = it.oldLength();
    if (!it.hasChange()) {
      out->AppendSame(in, src, src + old_len);
    } else if (it.newLength() > 0 && old_len > 0) {
      out->AppendReplacing(
          in, src, src + old_len,
          absl::string_view(normalized.data() + it.destinationIndex(),
                            it.newLength()));
    }
  }
  if (U_FAILURE(ec)) {
    return absl::InternalError(
        absl::StrCat("NFKC edit map failed: ", u_errorName(ec)));
  }
  return true;
}

// Appends processed chunks to the result and records where dropped bytes
// begin (gaps between consecutive units).
class Output {
 public:
  explicit Output(NormalizedText* doc) : doc_(doc) {}

  // `contiguous`: the chunk's units follow each other without gaps, so
  // only its start needs a look.
  void Append(const MappedText& m, bool contiguous) {
    if (m.size() == 0) return;
    doc_->text.append(m.text.data(), m.size());
    doc_->origin.insert(doc_->origin.end(), m.beg.data(),
                        m.beg.data() + m.size());
    if (m.beg[0] > last_end_) doc_->dropped.push_back(last_end_);
    // Units are in order and `end` never decreases, so a gap is a unit
    // that starts after the previous byte's unit ended.
    if (!contiguous) {
      const uint32_t* beg = m.beg.data();
      const uint32_t* end = m.end.data();
      for (size_t i = 1; i < m.size(); ++i) {
        if (beg[i] > end[i - 1]) doc_->dropped.push_back(end[i - 1]);
      }
    }
    last_end_ = std::max(last_end_, m.end[m.size() - 1]);
  }
  void Finish(uint32_t original_size) {
    if (last_end_ < original_size) doc_->dropped.push_back(last_end_);
    doc_->origin.push_back(original_size);
  }

 private:
  NormalizedText* doc_;
  uint32_t last_end_ = 0;
};

// A document of megabytes gets its text and its offset map (4 bytes per
// byte) in fresh memory, and the first write to each 4 KiB page of it is a
// page fault: a fifth of a 10 MB document's time on this project's VM.
// Transparent huge pages, which the kernel may give only on request
// ("madvise" mode), make that one fault per 2 MiB. Advice only: where it is
// refused, nothing changes.
void AdviseHugePages(const void* data, size_t bytes) {
#ifdef MADV_HUGEPAGE
  constexpr uintptr_t kHuge = 2u << 20;
  if (bytes < 4 * kHuge) return;
  const auto p = reinterpret_cast<uintptr_t>(data);
  const uintptr_t begin = (p + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (p + bytes) & ~(kHuge - 1);
  if (end > begin) {
    madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  }
#else
  (void)data;
  (void)bytes;
#endif
}

bool OnlyWhitespace(absl::string_view s) {
  for (size_t i = 0, len = 0; i < s.size(); i += len) {
    const char32_t c = DecodeAt(s.data(), s.size(), i, &len);
    const bool space = c == ' ' || (c >= '\t' && c <= '\r') ||
                       c == 0xFEFF || c == 0x3000 || c == 0xA0 ||
                       (c >= 0x200B && c <= 0x200D) || c == 0x2060;
    if (!space) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<NormalizedText> Normalize(absl::string_view original,
                                         const NormalizeOptions& options) {
  // Offsets are 32-bit; the limit can never exceed what they address.
  const size_t limit = std::min<size_t>(
      options.max_bytes, std::numeric_limits<uint32_t>::max() - 1);
  if (original.size() > limit) {
    return absl::ResourceExhaustedError(
        absl::StrCat("document is ", original.size(),
                     " bytes, over the limit of ", limit, " bytes"));
  }
  if (original.empty()) {
    return absl::InvalidArgumentError("empty document (0 bytes)");
  }
  absl::StatusOr<DecodedText> decoded =
      normalize_internal::DecodeText(original);
  if (!decoded.ok()) return decoded.status();
  absl::StatusOr<const Tables*> loaded = GetTables();
  if (!loaded.ok()) return loaded.status();
  const Tables& tables = **loaded;

  NormalizedText doc;
  doc.charset = decoded->charset;
  MappedText whole;  // the text of a non-UTF-8 document
  const char* src = original.data();
  size_t pos = decoded->begin;
  size_t src_end = decoded->end;
  if (!decoded->in_place) {
    whole = FromUtf16(*decoded);
    decoded->utf16 = std::u16string();  // no longer needed
    src = whole.text.data();
    pos = 0;
    src_end = whole.size();
  }

  // Whether the document is written in Traditional or Simplified decides how
  // the few characters valid in both are treated (see normalize_t2s.h). A
  // document of one chunk (most are) is counted while its chunk is read.
  const bool single_chunk = ChunkEnd(src, pos, src_end) == src_end;
  T2S::Script script = T2S::Script::kSimplified;
  if (!single_chunk) {
    script = tables.t2s->Count(absl::string_view(src + pos, src_end - pos))
                 .script();
  }

  doc.text.reserve(src_end - pos + 16);
  doc.origin.reserve(src_end - pos + 17);
  AdviseHugePages(doc.text.data(), doc.text.capacity());
  AdviseHugePages(doc.origin.data(), doc.origin.capacity() * sizeof(uint32_t));
  // A legitimate document barely grows (NFKC expands a few compatibility
  // characters); bound what a crafted one can make us allocate.
  const size_t max_text = 4 * original.size() + 4096;
  Output output(&doc);
  thread_local MappedText buffers[2];
  while (pos < src_end) {
    const size_t e = ChunkEnd(src, pos, src_end);
    MappedText* cur = &buffers[0];
    MappedText* next = &buffers[1];
    ChunkInfo info;
    bool contiguous = false;  // no byte of the chunk's span was dropped
    if (decoded->in_place) {
      contiguous = ChunkFromUtf8(tables, src, pos, e, cur, &info);
    } else {
      cur->Clear();
      cur->AppendSame(whole, pos, e);
      ScanChunk(tables, cur->view(), &info);
    }
    pos = e;
    const T2S::Census census = info.Census();
    if (single_chunk) script = census.script();
    bool nfkc_changed = false;
    if (info.needs_nfkc()) {
      absl::StatusOr<bool> changed = Nfkc(*tables.nfkc, *cur, next);
      if (!changed.ok()) return changed.status();
      nfkc_changed = *changed;
      if (nfkc_changed) std::swap(cur, next);
    }
    const bool stripped = normalize_internal::StripPinyin(*cur, next);
    if (stripped) std::swap(cur, next);
    // NFKC can turn a compatibility ideograph into one that converts.
    if ((census.NeedsConversion(script) ||
         (nfkc_changed && info.compat_ideographs())) &&
        tables.t2s->Convert(*cur, script, next)) {
      std::swap(cur, next);
    }
    output.Append(*cur, contiguous && !stripped);
    if (doc.text.size() > max_text) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "document of ", original.size(),
          " bytes expands to more than ", max_text,
          " bytes when normalized (NFKC)"));
    }
  }
  output.Finish(static_cast<uint32_t>(original.size()));
  if (OnlyWhitespace(doc.text)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "empty document: its ", original.size(),
        " bytes hold nothing but whitespace"));
  }
  return doc;
}

}  // namespace gongkai
