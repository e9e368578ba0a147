// Normalization of a caller's document before any plugin sees it: charset to
// UTF-8, NFKC, Traditional to Simplified, pinyin annotations removed -- with a
// map from every normalized byte back to the caller's original bytes.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gongkai {

struct NormalizedText {
  std::string text;  // normalized UTF-8
  // origin[i] is the offset in the caller's bytes of the character that
  // normalized byte i came from; origin[text.size()] is the original size.
  std::vector<uint32_t> origin;
  // Sorted offsets in the caller's bytes where a run of bytes that left no
  // normalized text begins (a BOM, the \r of \r\n, stray NULs, pinyin
  // annotations), so OriginalSpan ends exactly where a character ends.
  std::vector<uint32_t> dropped;
  std::string charset = "UTF-8";  // what the caller's bytes were read as

  // The caller's byte span [begin, end) for normalized span [begin, end).
  // Covers whole original characters (a whole phrase or NFKC segment when
  // one was rewritten as a unit). Out-of-range input is clamped.
  std::pair<size_t, size_t> OriginalSpan(size_t begin, size_t end) const;
};

struct NormalizeOptions {
  size_t max_bytes = 64u << 20;  // larger documents: RESOURCE_EXHAUSTED
};

// INVALID_ARGUMENT for an empty document or bytes that are not valid text in
// any charset we read; the message says what and where.
absl::StatusOr<NormalizedText> Normalize(absl::string_view original,
                                         const NormalizeOptions& options = {});

}  // namespace gongkai
