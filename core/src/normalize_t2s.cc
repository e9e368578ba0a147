// Traditional -> Simplified on flat tables built from OpenCC's t2s
// dictionaries; see normalize_t2s.h for why not OpenCC's Converter itself.
#include "normalize_t2s.h"

#include <opencc/Config.hpp>
#include <opencc/Conversion.hpp>
#include <opencc/ConversionChain.hpp>
#include <opencc/Converter.hpp>
#include <opencc/Dict.hpp>
#include <opencc/DictEntry.hpp>
#include <opencc/DictGroup.hpp>
#include <opencc/Lexicon.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>
#include <list>
#include <unordered_set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace gongkai::normalize_internal {
namespace {

std::vector<char32_t> CodePoints(absl::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0, len = 0; i < s.size(); i += len) {
    out.push_back(DecodeAt(s.data(), s.size(), i, &len));
  }
  return out;
}

// The dictionaries of a conversion in lookup order (a DictGroup flattened).
void CollectDicts(const opencc::DictPtr& dict,
                  std::vector<opencc::DictPtr>* out) {
  if (auto group = std::dynamic_pointer_cast<opencc::DictGroup>(dict)) {
    for (const opencc::DictPtr& d : group->GetDicts()) CollectDicts(d, out);
  } else if (dict != nullptr) {
    out->push_back(dict);
  }
}

}  // namespace

absl::StatusOr<const T2S*> T2S::Get() {
  // Loaded once; a failure is remembered so that every request reports it
  // instead of retrying the file system each time.
  static const absl::StatusOr<const T2S*> instance =
      []() -> absl::StatusOr<const T2S*> {
    auto* t = new T2S();
    absl::Status s = t->Load();
    if (!s.ok()) {
      delete t;
      return s;
    }
    return t;
  }();
  return instance;
}

absl::Status T2S::Load() {
  const auto start = std::chrono::steady_clock::now();
  opencc::ConverterPtr converter;
  std::string errors;
  // OpenCC resolves a bare name in its own data directory.
  for (const char* config : {"t2s.json", "/usr/share/opencc/t2s.json"}) {
    try {
      opencc::Config loader;
      converter = loader.NewFromFile(config);
      if (converter != nullptr) break;
    } catch (const std::exception& e) {
      absl::StrAppend(&errors, config, ": ", e.what(), "; ");
    }
  }
  if (converter == nullptr) {
    return absl::InternalError(absl::StrCat(
        "cannot load OpenCC's t2s.json (is libopencc-data installed?): ",
        errors));
  }
  const std::list<opencc::ConversionPtr> conversions =
      converter->GetConversionChain()->GetConversions();
  if (conversions.size() != 1) {
    return absl::InternalError(
        "OpenCC t2s.json: expected a single conversion step");
  }
  std::vector<opencc::DictPtr> dicts;
  CollectDicts(conversions.front()->GetDict(), &dicts);
  if (dicts.size() < 2) {
    return absl::InternalError(
        "OpenCC t2s.json: expected a phrase and a character dictionary");
  }

  flags_.assign(0x10000, 0);
  bigrams_.assign(0x10000 / 64, 0);
  bmp_value_.assign(0x10000, 0);
  auto set_flag = [this](char32_t c, uint8_t f) {
    if (c < 0x10000) {
      flags_[c] |= f;
    } else {
      supplementary_flags_[c] |= f;
    }
  };

  // Characters: every dictionary after the first (the first one is also the
  // segmentation dictionary, so OpenCC treats its keys as phrases).
  std::vector<std::pair<std::string, std::string>> phrase_entries;
  std::unordered_set<std::string> phrase_keys;
  for (size_t d = 0; d < dicts.size(); ++d) {
    for (const auto& entry : *dicts[d]->GetLexicon()) {
      const std::string key = entry->Key();
      const std::string value = entry->GetDefault();
      const std::vector<char32_t> key_cps = CodePoints(key);
      if (key_cps.empty()) continue;
      if (d == 0 || key_cps.size() > 1) {
        if (phrase_keys.insert(key).second) {
          phrase_entries.emplace_back(key, value);
        }
        continue;
      }
      const char32_t c = key_cps[0];
      if (CharValue(c) != nullptr || value == key) continue;
      values_.push_back(value);
      if (c < 0x10000) {
        bmp_value_[c] = static_cast<uint16_t>(values_.size());
      } else {
        supplementary_value_[c] = static_cast<uint32_t>(values_.size());
      }
      bool ambiguous = false;
      for (const std::string& v : entry->Values()) ambiguous |= v == key;
      set_flag(c, kHasChar | kMayChange |
                      (ambiguous ? kAmbiguous : kTraditionalOnly));
    }
  }
  if (values_.size() >= 0xFFFF) {
    return absl::InternalError("OpenCC t2s.json: character table too large");
  }
  // Simplified-only characters: targets of a change that are not themselves
  // converted (卫 from 衛, 干 from 乾 and 幹).
  for (const std::string& v : values_) {
    const std::vector<char32_t> cps = CodePoints(v);
    if (cps.size() == 1 && !(FlagsOf(cps[0]) & kHasChar)) {
      set_flag(cps[0], kSimplifiedOnly);
    }
  }

  auto char_level = [this](absl::string_view s) {
    std::string out;
    for (char32_t c : CodePoints(s)) {
      const std::string* v = CharValue(c);
      char buf[4];
      out += v != nullptr ? *v : std::string(buf, EncodeUtf8(c, buf));
    }
    return out;
  };
  // A phrase's Simplified form maps to itself when character-level
  // conversion would break it (乾县 is not 干县).
  const size_t n_entries = phrase_entries.size();
  for (size_t i = 0; i < n_entries; ++i) {
    const std::string value = phrase_entries[i].second;
    if (value != phrase_entries[i].first && !phrase_keys.count(value) &&
        char_level(value) != value) {
      phrase_keys.insert(value);
      phrase_entries.emplace_back(value, value);
    }
  }
  for (auto& [key, value] : phrase_entries) {
    const std::vector<char32_t> k = CodePoints(key);
    const std::vector<char32_t> v = CodePoints(value);
    Phrase p;
    p.key = key;
    p.value = value;
    p.per_char = k.size() == v.size();
    for (char32_t c : k) {
      if (FlagsOf(c) & kTraditionalOnly) p.has_traditional_only = true;
    }
    if (key != value) {
      // The characters that the phrase rewrites: its presence can change
      // the text even when each character alone would not (藉口 -> 借口).
      for (size_t j = 0; j < k.size(); ++j) {
        if (k.size() != v.size() || k[j] != v[j]) set_flag(k[j], kMayChange);
      }
    }
    set_flag(k[0], kPhraseStart);
    const size_t h = BigramHash(k[0], k.size() > 1 ? k[1] : 0);
    bigrams_[h >> 6] |= uint64_t{1} << (h & 63);
    phrases_[k[0]].push_back(std::move(p));
  }
  for (auto& [c, list] : phrases_) {
    std::stable_sort(list.begin(), list.end(),
                     [](const Phrase& a, const Phrase& b) {
                       return a.key.size() > b.key.size();
                     });
  }
  reference_ = converter;
  load_ms_ = std::chrono::duration<double, std::milli>(
                 std::chrono::steady_clock::now() - start)
                 .count();
  return absl::OkStatus();
}

const std::string* T2S::CharValue(char32_t c) const {
  if (c < 0x10000) {
    const uint16_t v = bmp_value_.empty() ? 0 : bmp_value_[c];
    return v == 0 ? nullptr : &values_[v - 1];
  }
  auto it = supplementary_value_.find(c);
  return it == supplementary_value_.end() ? nullptr : &values_[it->second - 1];
}

T2S::Census T2S::Count(absl::string_view utf8) const {
  Census census;
  const char* s = utf8.data();
  const size_t n = utf8.size();
  for (size_t i = 0, len = 0; i < n; i += len) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      len = 1;
      continue;
    }
    Tally(DecodeAt(s, n, i, &len), &census);
  }
  return census;
}

bool T2S::Convert(const MappedText& in, Script script, MappedText* out) const {
  const uint8_t trigger =
      script == Script::kTraditional ? kMayChange : kTraditionalOnly;
  const char* s = in.text.data();
  const size_t n = in.size();
  bool any = false;
  for (size_t i = 0, len = 0; i < n && !any; i += len) {
    // Only characters at or above U+0080 can be in the tables.
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      len = 1;
      continue;
    }
    any = (FlagsOf(DecodeAt(s, n, i, &len)) & trigger) != 0;
  }
  if (!any) return false;
  out->Clear();
  out->Reserve(n);
  ConvertRange(in, script, out);
  return true;
}

void T2S::ConvertRange(const MappedText& in, Script script,
                       MappedText* out) const {
  const char* s = in.text.data();
  const size_t n = in.size();
  const bool simplified = script == Script::kSimplified;
  size_t run = 0;  // start of the pending run of unchanged bytes
  size_t i = 0;
  while (i < n) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    const char32_t c = DecodeAt(s, n, i, &len);
    const uint8_t f = FlagsOf(c);
    size_t next_len = 0;
    if ((f & kPhraseStart) &&
        (MayStartPhrase(c, i + len < n ? DecodeAt(s, n, i + len, &next_len)
                                       : 0) ||
         MayStartPhrase(c, 0))) {
      const Phrase* match = nullptr;
      for (const Phrase& p : phrases_.at(c)) {
        if (simplified && !p.has_traditional_only && p.key != p.value) {
          continue;
        }
        if (p.key.size() <= n - i &&
            std::memcmp(s + i, p.key.data(), p.key.size()) == 0) {
          match = &p;
          break;
        }
      }
      if (match != nullptr) {
        out->AppendSame(in, run, i);
        const size_t key_end = i + match->key.size();
        if (match->key == match->value) {
          out->AppendSame(in, i, key_end);
        } else {
          // Same number of characters: map character by character.
          // Otherwise every output byte maps to the whole phrase.
          if (match->per_char) {
            size_t ki = i, vi = 0;
            while (ki < key_end) {
              size_t kl, vl;
              DecodeAt(s, n, ki, &kl);
              DecodeAt(match->value.data(), match->value.size(), vi, &vl);
              out->AppendReplacing(
                  in, ki, ki + kl,
                  absl::string_view(match->value.data() + vi, vl));
              ki += kl;
              vi += vl;
            }
          } else {
            out->AppendReplacing(in, i, key_end, match->value);
          }
        }
        i = key_end;
        run = i;
        continue;
      }
    }
    if ((f & kHasChar) && !(simplified && (f & kAmbiguous))) {
      out->AppendSame(in, run, i);
      out->AppendReplacing(in, i, i + len, *CharValue(c));
      i += len;
      run = i;
      continue;
    }
    i += len;
  }
  out->AppendSame(in, run, n);
}

std::string T2S::ConvertString(absl::string_view utf8, Script script) const {
  MappedText in, out;
  for (size_t i = 0; i < utf8.size(); ++i) {
    in.Append(utf8.data() + i, 1, static_cast<uint32_t>(i),
              static_cast<uint32_t>(i + 1));
  }
  if (!Convert(in, script, &out)) return std::string(utf8);
  return std::string(out.view());
}

std::string T2S::OpenCcReference(absl::string_view utf8) const {
  return static_cast<const opencc::Converter*>(reference_.get())
      ->Convert(std::string(utf8));
}

}  // namespace gongkai::normalize_internal
