// China's place names (the gazetteer of provinces, prefectures and
// counties), for agency names read by OCR: a leading place name misread by
// one character (候师市 for 偃师市) is restored when the gazetteer holds
// one name that close and OCR could have confused the two characters.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gongkai {

struct PlaceRepair {
  std::string name;     // the agency name with its place name restored
  std::string misread;  // the place name's stem as read ("候师")
  std::string place;    // as restored ("偃师")
};

// True if `stem` (a place name without its 市/县/区/... suffix) is in the
// gazetteer.
bool IsKnownPlace(std::string_view stem);

// For an agency name whose leading place names ("河南省洛阳市偃师市...")
// include one the gazetteer lacks: the name restored, if exactly one
// gazetteer stem of the same length differs from it by one character, and
// that character shares the misread one's radical with the fewest strokes
// apart of all such stems (no tie). Otherwise nullopt: the name stands.
std::optional<PlaceRepair> RepairAgencyPlace(std::string_view agency);

}  // namespace gongkai
