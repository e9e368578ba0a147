// Reading an OCR row's figure cells every way OCR may have garbled them
// (see ocr_cells.h).
#include "ocr_cells.h"

#include <cctype>
#include <string>
#include <unordered_set>

#include "figures.h"
#include "utf8.h"

namespace gongkai {
namespace {

// Bounds on the work one row may cost, whatever the input.
constexpr size_t kMaxReadings = 512;
constexpr size_t kMaxCandidates = 4096;

// Characters OCR makes of a table's vertical ruling lines.
bool IsRuling(char c) {
  return c == '|' || c == 'l' || c == 'I' || c == 'i' || c == 'j' || c == '!' ||
         c == '[' || c == ']';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool HasRuling(std::string_view s) {
  for (char c : s) {
    if (IsRuling(c)) return true;
  }
  return false;
}

// A piece of a reading: one template cell, with or without a figure.
using Reading = std::vector<OcrCell>;

OcrCell Figure(double v, bool integral, bool alternative) {
  OcrCell c;
  c.value = v;
  c.integral = integral;
  c.alternative = alternative;
  return c;
}

// A whole number written plainly: digits only, no leading zero.
bool PlainInteger(std::string_view s, double* v) {
  if (s.empty() || s.size() > 15) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  if (s.size() > 1 && s[0] == '0') return false;
  *v = std::stod(std::string(s));
  return true;
}

// How a row's figures came out of OCR, which says what its glyphs may be.
struct RowSigns {
  bool ruled = false;           // ruling lines read as characters
  bool lettered_zeros = false;  // zeros read as o/O
};

// The ways one cell may be read. In a ruled row a '1' glued to a figure may
// be a ruling line; in a row whose zeros came out as letters, a lone 9 may
// be one more zero (a blurred o with a tail).
std::vector<Reading> ReadingsOf(std::string_view raw, RowSigns row) {
  const bool ruled_row = row.ruled;
  std::string_view s = Trim(raw);
  bool ruled = false;
  size_t rulings = 0;
  char first_ruling = 0;
  while (!s.empty() && IsRuling(s.front())) {
    if (rulings++ == 0) first_ruling = s.front();
    s.remove_prefix(1);
    ruled = true;
  }
  // "l54" or "Ia54": the one mark before the figure may be its leading '1'
  // rather than a ruling line (OCR reads 1, l and I alike).
  const bool one_like = rulings == 1 &&
                        (first_ruling == 'l' || first_ruling == 'I') &&
                        !s.empty() && s.front() != ' ';
  s = Trim(s);
  if (s.empty()) return {Reading{}};  // a ruling line alone: no cell
  std::string digits(s);
  for (char& c : digits) {
    if (c == 'o' || c == 'O') c = '0';
  }
  CellValue v = ReadCell(s, /*ocr=*/true);
  if (v.kind == CellValue::Kind::kBlank) return {Reading{OcrCell{}}};
  bool leading_zero = digits.size() > 1 && digits[0] == '0' && digits[1] != '.';
  std::vector<Reading> out;
  if (v.kind == CellValue::Kind::kNumber && !leading_zero) {
    out.push_back({Figure(v.number, v.integral, false)});
    double tail;
    // "|148" read as "1148"; after a ruling read as such, only a zero:
    // "|10" is a double ruling before a 0 as often as it is ten.
    if ((!ruled || digits == "10") && ruled_row && digits.size() >= 2 &&
        digits[0] == '1' && PlainInteger(digits.substr(1), &tail)) {
      out.push_back({Figure(tail, true, true)});
    }
    if (!ruled && ruled_row && digits == "1") {
      out.push_back(Reading{});  // a ruling line read as "1"
    }
    if (ruled_row && row.lettered_zeros && digits == "9") {
      out.push_back({Figure(0, true, true)});
    }
  } else if (v.kind != CellValue::Kind::kNumber) {
    // Not a figure: a misread one (one cell, unreadable), or a stray mark
    // (no cell), or a mark glued to a figure ("上0", "a54").
    out.push_back({OcrCell{}});
    out.push_back(Reading{});
    std::string kept;
    for (char c : digits) {
      if ((c >= '0' && c <= '9') || c == '.') kept.push_back(c);
    }
    double n;
    if (!kept.empty() && kept.size() < digits.size() &&
        PlainInteger(kept, &n)) {
      out.push_back({Figure(n, true, true)});
    }
  }
  if (one_like) {
    std::string kept = "1";
    bool significant = false;
    for (char c : digits) {
      if (c >= '0' && c <= '9') {
        kept.push_back(c);
        significant = significant || c != '0';
      }
    }
    double n;
    if (significant && PlainInteger(kept, &n)) {
      out.push_back({Figure(n, true, true)});
    }
  }
  // A run of zeros between ruling lines read as '1' ("101010") or as other
  // strokes ("Tofoofpo"), or zeros whose ruling lines were lost ("00").
  // Letters OCR makes of digits (B for 8, S for 5, ...) are no strokes.
  size_t zeros = 0, strokes = 0;
  for (char c : digits) {
    zeros += c == '0';
    strokes +=
        c == '1' || IsRuling(c) ||
        std::string_view("fFtTrJp(){}/").find(c) != std::string_view::npos;
  }
  if (zeros >= 2 && zeros + strokes == digits.size()) {
    Reading r;
    for (size_t k = 0; k < zeros; ++k) r.push_back(Figure(0, true, true));
    out.push_back(r);
  }
  if (out.empty()) out.push_back({OcrCell{}});
  return out;
}

// Calls emit with `partial` for every way of putting r[next..] into
// columns [at, columns) in order; stops when emit returns false.
template <typename Emit>
bool Place(const Reading& r, size_t columns, size_t at, size_t next,
           OcrCandidate* partial, const Emit& emit) {
  if (next == r.size()) return emit(*partial);
  size_t left = r.size() - next;
  for (size_t c = at; c + left <= columns; ++c) {
    (*partial)[c] = r[next];
    bool more = Place(r, columns, c + 1, next + 1, partial, emit);
    (*partial)[c] = OcrCell{};
    if (!more) return false;
  }
  return true;
}

// Whether a short reading, its last figure taken as the row's total, adds
// up with the cells it lost at 0: OCR loses cells inside a row, while the
// total stands at the table's right border where it is read, and such a
// reading is the one its own figures vouch for ("3 ... 3": the lost cells
// between are 0). A reading that needs a lost cell to balance ("49 ... 50")
// is placed every way, for the table's sums to settle.
bool BalancesAsTotal(const Reading& r, LastColumn last) {
  if (last == LastColumn::kPlain || r.empty() || !r.back().value) return false;
  double others = 0;
  bool all_zero = *r.back().value == 0;
  for (size_t i = 0; i + 1 < r.size(); ++i) {
    if (!r[i].value) return false;
    others += *r[i].value;
    all_zero = all_zero && *r[i].value == 0;
  }
  if (last == LastColumn::kGroupTotal) return all_zero;
  return others == *r.back().value;
}

}  // namespace

bool MayBeMisreadFigure(std::string_view cell) {
  std::string_view s = Trim(cell);
  if (s == "1") return false;
  for (size_t i = 0; i < s.size();) {
    size_t len = 0;
    char32_t c = CodePointAt(s, i, &len);
    if (IsCjk(c)) return true;
    if (c < 0x80 && std::isalnum(static_cast<int>(c)) &&
        !IsRuling(static_cast<char>(c)))
      return true;
    i += len > 0 ? len : 1;
  }
  return false;
}

bool IsOcrFigureCell(std::string_view text) {
  std::string_view s = Trim(text);
  if (s.empty()) return false;
  if (ReadCell(s, true).kind == CellValue::Kind::kNumber) return true;
  bool material = false;
  for (size_t i = 0; i < s.size();) {
    size_t len = 0;
    if (IsCjk(CodePointAt(s, i, &len))) return false;
    char c = s[i];
    if ((c >= '0' && c <= '9') || c == 'o' || c == 'O') material = true;
    i += len > 0 ? len : 1;
  }
  return material;
}

std::vector<OcrCandidate> OcrCandidates(
    const std::vector<std::string_view>& cells, size_t columns,
    LastColumn last) {
  std::vector<OcrCandidate> out;
  if (columns == 0 || cells.empty()) return out;
  RowSigns signs;
  for (std::string_view c : cells) {
    signs.ruled = signs.ruled || HasRuling(c);
    signs.lettered_zeros =
        signs.lettered_zeros || c.find_first_of("oO") != std::string_view::npos;
  }
  std::vector<std::vector<Reading>> per_cell;
  size_t combinations = 1;
  for (size_t i = 0; i < cells.size(); ++i) {
    std::vector<Reading> rs = ReadingsOf(cells[i], signs);
    for (Reading& r : rs) {
      for (OcrCell& c : r) c.source = static_cast<int>(i);
    }
    combinations *= rs.size();
    if (combinations > kMaxReadings) return out;
    per_cell.push_back(std::move(rs));
  }
  // Every combination of the cells' readings, flattened.
  // `whole[k]`: reading k drops no mark that may be a misread figure, so
  // its figures are all the row showed (a condition for BalancesAsTotal).
  std::vector<Reading> readings;
  std::vector<bool> whole;
  std::vector<size_t> pick(per_cell.size(), 0);
  while (true) {
    Reading flat;
    bool dropped = false;
    for (size_t i = 0; i < per_cell.size(); ++i) {
      const Reading& r = per_cell[i][pick[i]];
      flat.insert(flat.end(), r.begin(), r.end());
      dropped = dropped || (r.empty() && MayBeMisreadFigure(cells[i]));
    }
    readings.push_back(std::move(flat));
    whole.push_back(!dropped);
    size_t i = 0;
    while (i < pick.size() && ++pick[i] == per_cell[i].size()) pick[i++] = 0;
    if (i == pick.size()) break;
  }
  // Candidates are told apart by what each column reads (a figure, or
  // none): the key, a byte and the value's bytes per column.
  std::unordered_set<std::string> seen;
  std::string key;
  auto add = [&](const OcrCandidate& c) {
    key.clear();
    for (const OcrCell& cell : c) {
      double v = cell.value.value_or(0);
      key.push_back(cell.value ? 1 : 0);
      key.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
    if (seen.insert(key).second) out.push_back(c);
    return out.size() < kMaxCandidates;
  };
  // Readings with one cell per column come first. Failing those, a short
  // reading that balances with its last figure as the row's total (see
  // LastColumn), placed with that figure last however short: its own sum
  // vouches for it. Failing those, short readings placed every way; in a
  // narrow row (the applicant columns) however short, in a wide one
  // (section 四) two short at most. False once the candidates are too many.
  auto place_all = [&](const Reading& r, bool anchored) {
    OcrCandidate partial(columns);
    if (!anchored) return Place(r, columns, 0, 0, &partial, add);
    Reading head(r.begin(), r.end() - 1);
    partial[columns - 1] = r.back();
    partial[columns - 1].alternative = true;
    partial[columns - 1].placed_as_total = true;
    return Place(head, columns - 1, 0, 0, &partial, add);
  };
  for (const Reading& r : readings) {
    if (r.size() == columns && !place_all(r, false)) return {};
  }
  if (out.empty()) {
    // One zero too many (a stroke read as o, a glyph read twice) in a row
    // of zeros: whichever is the stray one, every column reads 0.
    for (const Reading& r : readings) {
      if (r.size() != columns + 1) continue;
      bool zeros = true;
      for (const OcrCell& c : r) zeros = zeros && c.value && *c.value == 0;
      if (!zeros) continue;
      OcrCandidate c(r.begin(), r.begin() + columns);
      for (OcrCell& cell : c) cell.alternative = true;
      add(c);
    }
  }
  if (out.empty()) {
    for (size_t k = 0; k < readings.size(); ++k) {
      const Reading& r = readings[k];
      if (r.size() < columns && whole[k] && BalancesAsTotal(r, last) &&
          !place_all(r, true))
        return {};
    }
  }
  const size_t max_shortfall = columns <= 7 ? columns - 1 : 2;
  for (size_t shortfall = 1; shortfall <= max_shortfall && out.empty();
       ++shortfall) {
    for (const Reading& r : readings) {
      if (r.size() + shortfall == columns && !place_all(r, false)) return {};
    }
  }
  return out;
}

}  // namespace gongkai
