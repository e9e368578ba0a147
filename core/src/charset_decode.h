// Reading the caller's bytes as text: UTF-8 (in place), or GB18030, Big5,
// UTF-16 decoded strictly with ICU, with each unit's original offset kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gongkai::normalize_internal {

struct DecodedText {
  std::string charset = "UTF-8";  // what the bytes were read as
  // UTF-8 is read in place: the caller's bytes [begin, end). A BOM before
  // begin and a character cut off at the very end are left out.
  bool in_place = true;
  size_t begin = 0;
  size_t end = 0;
  // Any other charset: the text as UTF-16, and for each unit the offset in
  // the caller's bytes of the character it belongs to. offsets has one more
  // entry, the end of the decoded bytes.
  std::u16string utf16;
  std::vector<uint32_t> offsets;
};

// INVALID_ARGUMENT, with what and where, when the bytes are not text in any
// charset we read (binary files, junk, undecodable bytes).
absl::StatusOr<DecodedText> DecodeText(absl::string_view original);

// The charset an HTML <meta> in the first 4 KB declares, as one of the names
// DecodeText reads ("GB18030", "Big5", "UTF-16LE", "UTF-16BE", "UTF-8"), or
// "" when none or an unsupported one is declared.
std::string DeclaredCharset(absl::string_view original);

}  // namespace gongkai::normalize_internal
