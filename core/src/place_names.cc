// Restoring an OCR-misread place name at the head of an agency name (see
// place_names.h).
#include "place_names.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "utf8.h"

namespace gongkai {
namespace {

// Stems of the gazetteer's names, sorted (scripts/gen_place_names.py).
constexpr std::string_view kPlaceStems[] = {
#include "place_names_data.inc"
};

// kRadicalOf / kStrokesOf for U+4E00..U+9FFF, generated at build time
// from Unihan (scripts/gen_radical_strokes.py).
#include "radical_strokes.inc"

// The suffixes that end a place name in an agency's name.
bool IsPlaceSuffix(char32_t c) {
  return c == U'省' || c == U'市' || c == U'县' || c == U'区' || c == U'旗' ||
         c == U'盟' || c == U'州';
}

// Radical and stroke count, or nullopt outside the table.
std::optional<std::pair<int, int>> RadicalStrokes(char32_t c) {
  if (c < kRadicalStrokesFirst ||
      c - kRadicalStrokesFirst >= sizeof(kRadicalOf))
    return std::nullopt;
  size_t i = c - kRadicalStrokesFirst;
  if (kRadicalOf[i] == 0) return std::nullopt;
  return std::make_pair(int{kRadicalOf[i]}, int{kStrokesOf[i]});
}

// The one stem OCR most likely misread as `read`, or nullopt.
std::optional<std::string_view> Closest(const std::vector<char32_t>& read) {
  int best = -1;
  int best_count = 0;
  std::string_view chosen;
  for (std::string_view s : kPlaceStems) {
    std::vector<char32_t> stem = DecodeUtf8(s);
    if (stem.size() != read.size()) continue;
    size_t diff = read.size();
    int differing = 0;
    for (size_t i = 0; i < read.size(); ++i) {
      if (stem[i] != read[i]) {
        ++differing;
        diff = i;
      }
    }
    if (differing != 1) continue;
    auto a = RadicalStrokes(read[diff]);
    auto b = RadicalStrokes(stem[diff]);
    if (!a || !b || a->first != b->first) continue;
    int apart = std::abs(a->second - b->second);
    if (best < 0 || apart < best) {
      best = apart;
      best_count = 1;
      chosen = s;
    } else if (apart == best) {
      ++best_count;
    }
  }
  if (best < 0 || best_count != 1) return std::nullopt;
  return chosen;
}

}  // namespace

bool IsKnownPlace(std::string_view stem) {
  return std::binary_search(std::begin(kPlaceStems), std::end(kPlaceStems),
                            stem);
}

std::optional<PlaceRepair> RepairAgencyPlace(std::string_view agency) {
  // The code points, and the byte offset of each (then of the end).
  std::vector<char32_t> cps;
  std::vector<size_t> at;
  for (size_t i = 0, len = 0; i < agency.size(); i += len) {
    at.push_back(i);
    cps.push_back(CodePointAt(agency, i, &len));
  }
  at.push_back(agency.size());
  auto text = [&](size_t b, size_t e) {
    return agency.substr(at[b], at[e] - at[b]);
  };
  size_t pos = 0;
  // Province, prefecture, county: three levels at most.
  for (int level = 0; level < 3; ++level) {
    size_t end = pos;
    for (size_t k = pos + 2; k < cps.size() && k <= pos + 8; ++k) {
      if (IsPlaceSuffix(cps[k])) {
        end = k;
        break;
      }
    }
    if (end == pos) return std::nullopt;  // no place name here
    if (IsKnownPlace(text(pos, end))) {
      pos = end + 1;
      continue;
    }
    // Two to four characters: what place names are, unlike "综合实验".
    if (end - pos > 4) return std::nullopt;
    std::vector<char32_t> stem(cps.begin() + pos, cps.begin() + end);
    std::optional<std::string_view> place = Closest(stem);
    if (!place) return std::nullopt;
    PlaceRepair r;
    r.misread = std::string(text(pos, end));
    r.place = std::string(*place);
    r.name = std::string(text(0, pos)) + r.place +
             std::string(text(end, cps.size()));
    return r;
  }
  return std::nullopt;
}

}  // namespace gongkai
