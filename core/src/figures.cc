// Reading one table cell as a figure (see figures.h).
#include "figures.h"

#include <cstdlib>
#include <string>

#include "utf8.h"

namespace gongkai {
namespace {

std::string_view Trim(std::string_view s) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool IsBlankMarker(std::string_view s) {
  static constexpr std::string_view kMarkers[] = {
      "-", "/", "—", "——", "–", "--", "—-", "-—", "―", "一一", "\\"};
  for (std::string_view m : kMarkers) {
    if (s == m) return true;
  }
  return false;
}

// Parses [sign]digits[,digits...][.digits]; nothing else.
bool ParseNumber(std::string_view s, double* value, bool* integral) {
  if (s.empty()) return false;
  bool negative = false;
  if (s.front() == '-' || s.front() == '+') {
    negative = s.front() == '-';
    s.remove_prefix(1);
  } else if (s.substr(0, 3) == "\u2212") {  // minus sign
    negative = true;
    s.remove_prefix(3);
  }
  if (s.empty() || s.front() < '0' || s.front() > '9') return false;
  std::string digits;
  bool seen_point = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c == ',' && !seen_point && !digits.empty()) {
      // Thousands separator: exactly three digits, then the end, a point or
      // another separator.
      for (size_t k = 1; k <= 3; ++k) {
        if (i + k >= s.size() || s[i + k] < '0' || s[i + k] > '9')
          return false;
      }
      if (i + 4 < s.size() && s[i + 4] != ',' && s[i + 4] != '.') return false;
    } else if (c == '.' && !seen_point && i + 1 < s.size()) {
      seen_point = true;
      digits.push_back('.');
    } else {
      return false;
    }
  }
  if (digits.size() > 15) return false;  // beyond any real figure
  *value = std::strtod(digits.c_str(), nullptr) * (negative ? -1 : 1);
  *integral = !seen_point;
  return true;
}

}  // namespace

CellValue ReadCell(std::string_view raw, bool ocr) {
  CellValue v;
  std::string_view s = Trim(raw);
  if (s.empty()) return v;
  if (IsBlankMarker(s)) {
    v.kind = CellValue::Kind::kBlank;
    return v;
  }
  if (ParseNumber(s, &v.number, &v.integral)) {
    v.kind = CellValue::Kind::kNumber;
    return v;
  }
  v.kind = CellValue::Kind::kText;
  if (!ocr) return v;

  // OCR: the letter O for a zero digit, inside an otherwise numeric cell.
  std::string fixed(s);
  bool changed = false;
  bool has_digit_or_o = false;
  for (char& c : fixed) {
    if (c == 'O' || c == 'o') {
      c = '0';
      changed = true;
    }
    if (c >= '0' && c <= '9') has_digit_or_o = true;
  }
  if (changed && has_digit_or_o &&
      ParseNumber(fixed, &v.number, &v.integral)) {
    v.kind = CellValue::Kind::kNumber;
    v.repaired = true;
    return v;
  }
  // One stray CJK character (a label fragment) then a space and the number.
  size_t len = 0;
  char32_t first = CodePointAt(s, 0, &len);
  if (IsCjk(first) && len < s.size() && s[len] == ' ') {
    std::string_view rest = Trim(s.substr(len));
    std::string rest_fixed(rest);
    for (char& c : rest_fixed) {
      if (c == 'O' || c == 'o') c = '0';
    }
    if (ParseNumber(rest_fixed, &v.number, &v.integral)) {
      v.kind = CellValue::Kind::kNumber;
      v.repaired = true;
      return v;
    }
  }
  return v;
}

}  // namespace gongkai
