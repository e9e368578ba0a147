// Matching row labels cut short by a converter (see cut_labels.h).
#include "cut_labels.h"

#include "utf8.h"

namespace gongkai {

bool IsCutWording(std::string_view label, std::string_view wording) {
  std::vector<char32_t> l = DecodeUtf8(label), w = DecodeUtf8(wording);
  if (l.empty() || l.size() > w.size()) return false;
  size_t i = 0;
  int cjk = 0;
  while (i < l.size() && l[i] == w[i]) cjk += IsCjk(l[i++]);
  // Two characters of the wording itself, past any numbering ("1.", "(一)"),
  // before anything may be lost.
  if (cjk < 2) return false;
  size_t j = i;
  for (; i < l.size(); ++i) {
    while (j < w.size() && w[j] != l[i]) ++j;
    if (j == w.size()) return false;
    ++j;
  }
  return true;
}

int ClauseOfHeader(std::string_view cell) {
  static constexpr std::string_view kItem = "第二十条第(";
  size_t at = cell.find(kItem);
  if (at == std::string_view::npos) return 0;
  static constexpr std::string_view kNumerals[] = {
      "一", "二", "三", "四", "五", "六", "七", "八", "九"};
  std::string_view rest = cell.substr(at + kItem.size());
  for (size_t n = 0; n < std::size(kNumerals); ++n) {
    std::string closed = std::string(kNumerals[n]) + ")";
    if (rest.substr(0, closed.size()) == closed) return static_cast<int>(n) + 1;
  }
  return 0;
}

void CutLabels::SeeHeader(std::string_view compact_cell) {
  if (int clause = ClauseOfHeader(compact_cell)) clause_ = clause;
}

std::optional<std::string_view> CutLabels::Match(
    const std::vector<std::string>& cells, Section section,
    v1::Template t) const {
  int bit = TemplateBit(t);
  if (bit == 0 || cells.empty()) return std::nullopt;
  bool proactive = section == Section::kProactive;
  if (!proactive && section != Section::kApplications) return std::nullopt;
  const std::vector<RowSpec>& rows =
      proactive ? ProactiveRows() : ApplicationRows();
  std::string label;
  for (size_t k = cells.size(); k-- > 0;) {
    label = cells[k] + label;
    std::optional<std::string_view> found;
    int fits = 0;
    for (const RowSpec& r : rows) {
      if (!(r.templates & bit)) continue;
      if (proactive && (ProactiveColumnsOf(r.key, t).empty() ||
                        (clause_ != 0 && ProactiveClause(r.key) != clause_)))
        continue;
      for (std::string_view wording : RowWordings(r.key)) {
        if (IsCutWording(label, wording)) {
          found = r.key;
          ++fits;
          break;
        }
      }
    }
    if (fits == 1) return found;
    if (fits > 1) return std::nullopt;  // cut too short to tell the rows apart
  }
  return std::nullopt;
}

}  // namespace gongkai
