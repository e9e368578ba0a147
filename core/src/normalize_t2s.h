// Traditional -> Simplified Chinese with OpenCC's t2s dictionaries, keeping the
// byte map exact (every rewritten phrase or character maps to its own span).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "normalize_mapped.h"

namespace gongkai::normalize_internal {

// OpenCC's own Converter costs ~1.6 ms per 10 KB of Traditional text (a
// marisa-trie agent and several std::string copies per character), 30x our
// whole budget. The t2s dictionaries are small (~280 phrases, ~4100
// characters), so we load them once through OpenCC and run the same
// algorithm on flat tables:
//   at each position take the longest TSPhrases key that matches (OpenCC's
//   maximum-match segmentation), else the TSCharacters entry of the character,
//   else keep the character.
// That reproduces OpenCC's t2s output (a test compares against OpenCC) with two
// deliberate refinements, both about text that is already Simplified:
//  * A phrase's Simplified form maps to itself (乾县 stays 乾县 even though
//    OpenCC alone turns 乾 into 干 when 县 is already Simplified).
//  * A few characters are valid in both scripts with different meanings
//    (乾 於 徵 夥 剋 麽: OpenCC lists the character among its own values). In a
//    document that is mostly Simplified they are kept; in a mostly Traditional
//    one they follow OpenCC (乾 -> 干, 於 -> 于).
// Thread-safe: after loading, everything is read-only.
class T2S {
 public:
  enum class Script { kSimplified, kTraditional };

  // The process-wide instance, loaded on first use (a few ms).
  static absl::StatusOr<const T2S*> Get();

  enum Flag : uint8_t {
    kTraditionalOnly = 1,  // counts as Traditional, converts in any script
    kSimplifiedOnly = 2,   // counts as Simplified
    kMayChange = 4,        // conversion may rewrite it (Traditional script)
    kPhraseStart = 8,      // some phrase key starts with it
    kAmbiguous = 16,       // valid in both scripts; kept in Simplified text
    kHasChar = 32,         // has a TSCharacters entry that changes it
  };

  // What a text holds: characters only Traditional text uses and characters
  // only Simplified text uses (which script it is in), and which flags its
  // characters carry (whether conversion could change anything at all).
  struct Census {
    size_t traditional = 0;
    size_t simplified = 0;
    uint8_t seen = 0;  // Flag bits of the characters seen
    Script script() const {
      return traditional > simplified ? Script::kTraditional
                                      : Script::kSimplified;
    }
    // False: Convert(text, s, ...) would return false.
    bool NeedsConversion(Script s) const {
      return (seen & (s == Script::kTraditional ? kMayChange
                                                : kTraditionalOnly)) != 0;
    }
  };
  // The Flag bits of a character.
  uint8_t FlagsOf(char32_t c) const {
    if (c < 0x10000) return flags_[c];
    auto it = supplementary_flags_.find(c);
    return it == supplementary_flags_.end() ? 0 : it->second;
  }
  void Tally(char32_t c, Census* census) const {
    const uint8_t f = FlagsOf(c);
    census->traditional += (f & kTraditionalOnly) != 0;
    census->simplified += (f & kSimplifiedOnly) != 0;
    census->seen |= f;
  }
  Census Count(absl::string_view utf8) const;

  // Converts `in` into `out`. Returns false (and leaves `out` unspecified)
  // when nothing would change, which is checked first and cheaply.
  bool Convert(const MappedText& in, Script script, MappedText* out) const;

  // Plain string conversion (tests and tools).
  std::string ConvertString(absl::string_view utf8, Script script) const;
  // OpenCC's own t2s conversion, as the reference our tables must agree with.
  std::string OpenCcReference(absl::string_view utf8) const;

  // How long loading took, for information.
  double load_ms() const { return load_ms_; }

 private:
  T2S() = default;
  absl::Status Load();

  struct Phrase {
    std::string key;
    std::string value;
    bool has_traditional_only = false;  // usable in Simplified script
    bool per_char = false;  // same number of characters: map one to one
  };

  const std::string* CharValue(char32_t c) const;
  // Whether some phrase key starts with c1 c2 (c2 = 0: is just c1). A
  // cheap filter before the phrase table: 一, 不, 有... start phrases but
  // are rarely followed by the right character.
  static size_t BigramHash(char32_t c1, char32_t c2) {
    return (c1 * 0x9E3779B1u ^ c2 * 0x85EBCA6Bu) >> 16 & 0xFFFF;
  }
  bool MayStartPhrase(char32_t c1, char32_t c2) const {
    const size_t h = BigramHash(c1, c2);
    return bigrams_[h >> 6] >> (h & 63) & 1;
  }
  void ConvertRange(const MappedText& in, Script script, MappedText* out) const;

  std::vector<uint8_t> flags_;  // 0x10000 entries, the BMP
  std::vector<uint64_t> bigrams_;  // a 64K-bit filter, see MayStartPhrase
  std::unordered_map<char32_t, uint8_t> supplementary_flags_;
  std::vector<uint16_t> bmp_value_;  // index+1 into values_, 0 = none
  std::unordered_map<char32_t, uint32_t> supplementary_value_;
  std::vector<std::string> values_;
  // Phrases by first code point, longest key first.
  std::unordered_map<char32_t, std::vector<Phrase>> phrases_;
  std::shared_ptr<void> reference_;  // opencc::Converter, type-erased
  double load_ms_ = 0;
};

}  // namespace gongkai::normalize_internal
