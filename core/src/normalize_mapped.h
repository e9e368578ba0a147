// Text with a per-byte map back to the caller's original bytes: the working
// buffer that every normalization stage reads and writes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace gongkai::normalize_internal {

// A growable array of trivially copyable T whose appends are inlined: the
// stages append a few bytes at a time, millions of times per second, and
// std::vector::insert / std::string::append cost a call each. Buffers are
// reused across documents (thread_local), so growth is rare.
template <typename T>
class PodBuffer {
 public:
  PodBuffer() = default;
  PodBuffer(const PodBuffer&) = delete;
  PodBuffer& operator=(const PodBuffer&) = delete;
  PodBuffer(PodBuffer&&) = default;
  PodBuffer& operator=(PodBuffer&&) = default;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T* data() const { return data_.get(); }
  T* data() { return data_.get(); }
  T operator[](size_t i) const { return data_[i]; }
  void clear() { size_ = 0; }
  void reserve(size_t n) {
    if (n > capacity_) Grow(n);
  }
  // New elements are left uninitialized.
  void resize(size_t n) {
    reserve(n);
    size_ = n;
  }
  void append(const T* p, size_t n) {
    reserve(size_ + n);
    T* d = data_.get() + size_;
    if (n <= 8) {  // most appends: a character or two, not worth a call
      for (size_t k = 0; k < n; ++k) d[k] = p[k];
    } else {
      std::memcpy(d, p, n * sizeof(T));
    }
    size_ += n;
  }
  void append_fill(size_t n, T v) {
    reserve(size_ + n);
    T* p = data_.get() + size_;
    for (size_t k = 0; k < n; ++k) p[k] = v;
    size_ += n;
  }

 private:
  void Grow(size_t n) {
    const size_t cap = std::max<size_t>({n, capacity_ * 2, 256});
    std::unique_ptr<T[]> bigger(new T[cap]);
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_ * sizeof(T));
    data_ = std::move(bigger);
    capacity_ = cap;
  }

  std::unique_ptr<T[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// Every byte carries the original span [beg, end) of the "unit" it came
// from: one original character, or a group of them that a stage rewrote
// together (an NFKC segment, an OpenCC phrase). Units are in original order
// and never overlap, so both arrays are non-decreasing.
struct MappedText {
  PodBuffer<char> text;
  PodBuffer<uint32_t> beg;
  PodBuffer<uint32_t> end;

  size_t size() const { return text.size(); }
  absl::string_view view() const {
    return absl::string_view(text.data(), text.size());
  }
  void Clear() {
    text.clear();
    beg.clear();
    end.clear();
  }
  void Reserve(size_t n) {
    text.reserve(n);
    beg.reserve(n);
    end.reserve(n);
  }
  // Appends bytes that all came from original span [b, e).
  void Append(const char* p, size_t n, uint32_t b, uint32_t e) {
    text.append(p, n);
    beg.append_fill(n, b);
    end.append_fill(n, e);
  }
  void Append(absl::string_view s, uint32_t b, uint32_t e) {
    Append(s.data(), s.size(), b, e);
  }
  // Appends src's bytes [i, j) with their own mapping.
  void AppendSame(const MappedText& src, size_t i, size_t j) {
    text.append(src.text.data() + i, j - i);
    beg.append(src.beg.data() + i, j - i);
    end.append(src.end.data() + i, j - i);
  }
  // Appends `bytes`, which replace src's bytes [i, j) (i < j).
  void AppendReplacing(const MappedText& src, size_t i, size_t j,
                       absl::string_view bytes) {
    Append(bytes, src.beg[i], src.end[j - 1]);
  }
};

// Decodes the code point at s[i] of valid UTF-8 and sets *len to its length.
inline char32_t DecodeAt(const char* s, size_t n, size_t i, size_t* len) {
  const unsigned char b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    *len = 1;
    return b;
  }
  size_t l = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
  if (i + l > n) l = 1;  // never read past the end, even on bad input
  *len = l;
  if (l == 1) return 0xFFFD;
  char32_t c = b & (0x7F >> l);
  for (size_t k = 1; k < l; ++k) {
    c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  }
  return c;
}

// Appends the UTF-8 encoding of c (a valid scalar value) to out.
inline size_t EncodeUtf8(char32_t c, char* out) {
  if (c < 0x80) {
    out[0] = static_cast<char>(c);
    return 1;
  }
  if (c < 0x800) {
    out[0] = static_cast<char>(0xC0 | (c >> 6));
    out[1] = static_cast<char>(0x80 | (c & 0x3F));
    return 2;
  }
  if (c < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (c >> 12));
    out[1] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (c & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (c >> 18));
  out[1] = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (c & 0x3F));
  return 4;
}

// CJK ideographs: the unified blocks, extensions and compatibility ideographs.
inline bool IsCjkIdeograph(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3134F) ||
         c == 0x3007;
}

}  // namespace gongkai::normalize_internal
