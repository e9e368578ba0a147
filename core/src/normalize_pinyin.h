// Removal of pinyin annotations that some web pages put after single
// characters: 衛(wèi)生 -> 衛生, keeping (http://...), (一), (2019) intact.
#pragma once

#include "absl/strings/string_view.h"
#include "normalize_mapped.h"

namespace gongkai::normalize_internal {

// Whether `s` (what stands between the parentheses) is one pinyin syllable
// that carries a tone mark: 1-6 letters, an initial and a final that exist
// in Mandarin, at least one tone-marked vowel. Bare ASCII never qualifies,
// so (a), (an), (cn) stay.
bool IsTonedPinyinSyllable(absl::string_view s);

// Copies `in` to `out` without every "(syllable)" that directly follows a
// CJK ideograph. Expects ASCII parentheses (run after NFKC). Returns false,
// leaving `out` unspecified, when there is nothing to remove.
bool StripPinyin(const MappedText& in, MappedText* out);

}  // namespace gongkai::normalize_internal
