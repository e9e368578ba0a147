// placeholder: identity normalization until the real one lands
#include "gongkai/normalize.h"
#include "absl/status/status.h"
namespace gongkai {
std::pair<size_t, size_t> NormalizedText::OriginalSpan(size_t b, size_t e) const {
  return {origin[b], origin[e]};
}
absl::StatusOr<NormalizedText> Normalize(absl::string_view original,
                                         const NormalizeOptions&) {
  if (original.empty()) return absl::InvalidArgumentError("empty document");
  NormalizedText t;
  t.text = std::string(original);
  for (size_t i = 0; i <= original.size(); ++i) t.origin.push_back(i);
  return t;
}
}  // namespace gongkai
