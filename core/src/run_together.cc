// Splitting figures whose table cells ran together (see run_together.h).
// A template row's digit runs are read as exactly its column count of
// figures in every way that has no leading zeros; the table's arithmetic
// then keeps what it can, and a row is read only if one reading is left.
// The arithmetic is trusted only where the figures the digits alone fix
// obey it: a report whose stated figures break a rule (some do) must not
// have that rule pick a split for it.
#include "run_together.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "figures.h"
#include "labels.h"
#include "utf8.h"

namespace gongkai {
namespace {

// Digits in one figure: a count fits the report's int32 with room to spare;
// an amount in 万元 may carry many decimals.
constexpr size_t kMaxCountDigits = 9;
constexpr size_t kMaxDigits = 15;
constexpr size_t kMaxRuns = 64;             // runs one row may hold
constexpr size_t kRowSteps = 50000;         // search steps for one reading pass
constexpr size_t kDocumentSteps = 2000000;  // for the whole document
constexpr size_t kMaxReadings = 64;         // kept per row for the table's sums
constexpr size_t kMaxCombinations = 100000;  // of ambiguous rows, jointly
constexpr size_t kHeadingBytes = 150;        // SectionOfHeading's own limit

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// ---- Reading runs as figures ----

class Search {
 public:
  Search(const std::vector<DigitRun>& runs,
         const std::vector<ColumnRule>& columns,
         const std::function<bool(const std::vector<double>&)>& accept,
         size_t limit, size_t* budget)
      : runs_(runs),
        columns_(columns),
        accept_(accept),
        limit_(limit),
        budget_(budget),
        chars_after_(runs.size() + 1, 0),
        comma_(runs.size(), false),
        max_chars_(columns.size() + 1, 0) {
    for (size_t c = columns.size(); c-- > 0;) {
      // Digits, separators, a sign and a point.
      size_t digits = columns[c].decimal ? kMaxDigits : kMaxCountDigits;
      max_chars_[c] = max_chars_[c + 1] + digits + digits / 3 + 2;
    }
    for (size_t j = runs.size(); j-- > 0;) {
      chars_after_[j] = chars_after_[j + 1] + runs[j].text.size();
      comma_[j] = runs[j].text.find(',') != std::string::npos;
    }
  }

  std::vector<Reading> Run(bool* complete) {
    if (limit_ > 0 && !runs_.empty() && !columns_.empty()) Step(0, 0, 0);
    *complete = !stopped_;
    return std::move(readings_);
  }

 private:
  // Reads the next figure from runs_[j] at byte p into column c.
  void Step(size_t j, size_t p, size_t c) {
    if (stopped_) return;
    if (*budget_ == 0 || steps_ == 0) {
      stopped_ = true;
      return;
    }
    --*budget_;
    --steps_;
    if (c == columns_.size()) {
      if (j == runs_.size()) Leaf();
      return;
    }
    if (j == runs_.size()) return;
    const std::string& s = runs_[j].text;
    size_t columns_left = columns_.size() - c;
    // Every run left needs a column of its own, every column a character.
    if (runs_.size() - j > columns_left) return;
    size_t chars_left = chars_after_[j + 1] + (s.size() - p);
    if (chars_left < columns_left) return;
    // ... and no figure holds more digits than its column allows.
    if (chars_left > max_chars_[c]) return;
    size_t d = p;
    bool negative = d < s.size() && s[d] == '-';
    if (negative) {
      if (!columns_[c].negative) return;
      ++d;
    }
    if (d >= s.size() || !IsDigit(s[d])) return;
    size_t digits = 0;
    for (size_t e = d; e < s.size(); ++e) {
      char ch = s[e];
      if (ch == '.') {
        if (!columns_[c].decimal) break;
        continue;  // a point sits inside a figure, never at its edge
      }
      if (ch == ',') continue;
      if (!IsDigit(ch)) break;
      if (++digits > (columns_[c].decimal ? kMaxDigits : kMaxCountDigits))
        break;
      // No leading zero: "0" itself, or "0.5", only.
      if (s[d] == '0' && e > d && s[d + 1] != '.') break;
      size_t end = e + 1;
      if (end < s.size() && (s[end] == '.' || s[end] == ',')) continue;
      // A figure with thousands separators is its whole run.
      if (comma_[j] && (p != 0 || end != s.size())) continue;
      std::string clean;
      for (size_t k = p; k < end; ++k) {
        if (s[k] != ',') clean.push_back(s[k]);
      }
      double value = std::strtod(clean.c_str(), nullptr);
      if (negative && value == 0) continue;
      const Span& run = runs_[j].span;
      bool exact = run.end - run.begin == s.size();
      values_.push_back(value);
      spans_.push_back(exact ? Span{run.begin + p, run.begin + end} : run);
      if (end == s.size()) {
        Step(j + 1, 0, c + 1);
      } else {
        Step(j, end, c + 1);
      }
      values_.pop_back();
      spans_.pop_back();
      if (stopped_) return;
    }
  }

  void Leaf() {
    if (accept_ && !accept_(values_)) return;
    readings_.push_back(Reading{values_, spans_});
    if (readings_.size() >= limit_) stopped_ = true;
  }

  const std::vector<DigitRun>& runs_;
  const std::vector<ColumnRule>& columns_;
  const std::function<bool(const std::vector<double>&)>& accept_;
  const size_t limit_;
  size_t* budget_;
  size_t steps_ = kRowSteps;
  std::vector<size_t> chars_after_;
  std::vector<bool> comma_;
  std::vector<size_t> max_chars_;  // the most characters columns c... hold
  std::vector<double> values_;
  std::vector<Span> spans_;
  std::vector<Reading> readings_;
  bool stopped_ = false;
};

// ---- Cells ----

// Digits with at most one point inside them and thousands separators
// before groups of three digits.
bool WellFormed(std::string_view s) {
  size_t point = s.find('.');
  if (point != std::string_view::npos &&
      (point == 0 || point + 1 >= s.size() ||
       s.find('.', point + 1) != std::string_view::npos))
    return false;
  for (size_t k = 0; k < s.size(); ++k) {
    if (s[k] != ',') continue;
    if (k == 0 || (point != std::string_view::npos && k > point)) return false;
    for (size_t m = 1; m <= 3; ++m) {
      if (k + m >= s.size() || !IsDigit(s[k + m])) return false;
    }
    if (k + 4 < s.size() && IsDigit(s[k + 4])) return false;
  }
  return true;
}

// The digit runs a cell holds, if it holds nothing else ("4 0 0" is three).
std::optional<std::vector<DigitRun>> RunsOf(std::string_view doc,
                                            const Cell& cell) {
  const std::string& s = cell.text;
  bool exact = cell.span.end <= doc.size() &&
               cell.span.end - cell.span.begin == s.size() &&
               doc.substr(cell.span.begin, s.size()) == s;
  std::vector<DigitRun> runs;
  for (size_t i = 0; i < s.size();) {
    if (IsSpace(s[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    if (s[j] == '-') ++j;
    size_t first = j;
    while (j < s.size() && (IsDigit(s[j]) || s[j] == '.' || s[j] == ',')) ++j;
    if (j == first || !IsDigit(s[first]) || (j < s.size() && !IsSpace(s[j])))
      return std::nullopt;
    if (!WellFormed(std::string_view(s).substr(first, j - first)))
      return std::nullopt;
    if (runs.size() >= kMaxRuns) return std::vector<DigitRun>(kMaxRuns + 1);
    Span span =
        exact ? Span{cell.span.begin + i, cell.span.begin + j} : cell.span;
    runs.push_back(DigitRun{s.substr(i, j - i), span});
    i = j;
  }
  if (runs.empty()) return std::nullopt;
  return runs;
}

// The part [b, e) of a cell's text, trimmed, as a cell of its own.
Cell SubCell(std::string_view doc, const Cell& cell, size_t b, size_t e) {
  const std::string& s = cell.text;
  e = std::min(e, s.size());
  while (b < e && IsSpace(s[b])) ++b;
  while (e > b && IsSpace(s[e - 1])) --e;
  bool exact = cell.span.end <= doc.size() &&
               cell.span.end - cell.span.begin == s.size();
  Cell out;
  out.text = s.substr(b, e - b);
  out.span = exact ? Span{cell.span.begin + b, cell.span.begin + e} : cell.span;
  return out;
}

// ---- Headings ----

// If s opens with a section heading ("二、主动公开政府信息情况第二十条..."),
// the section and where the heading ends. The heading is the shortest
// opening SectionOfHeading() accepts, carried on over the ideographs after
// it to the end of its wording (情况, 事项, 措施) when that comes soon.
std::optional<std::pair<Section, size_t>> HeadingPrefix(std::string_view s) {
  size_t lead = 0;
  while (lead < s.size() && IsSpace(s[lead])) ++lead;
  // Headings open with an enumerator ("二、"): check that first, it is cheap.
  size_t len = 0;
  if (lead >= s.size() || !IsCjk(CodePointAt(s, lead, &len)) ||
      s.substr(lead + len, 3) != "、")
    return std::nullopt;
  // Character boundaries of the opening SectionOfHeading() may look at.
  std::vector<size_t> ends;
  size_t compact = 0;
  for (size_t i = lead; i < s.size();) {
    size_t n = Utf8Length(static_cast<unsigned char>(s[i]));
    if (i + n > s.size()) n = 1;
    if (!IsSpace(s[i])) compact += n;
    if (compact > kHeadingBytes) break;
    i += n;
    ends.push_back(i);
  }
  if (ends.empty() || !SectionOfHeading(s.substr(0, ends.back())))
    return std::nullopt;
  // Once an opening names a section, longer ones do too: find the first.
  size_t lo = 0, hi = ends.size() - 1;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (SectionOfHeading(s.substr(0, ends[mid]))) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  size_t e = ends[lo];
  std::optional<Section> section = SectionOfHeading(s.substr(0, e));
  if (!section) return std::nullopt;
  size_t k = e;
  while (k < s.size() && k - e < 360) {
    char32_t c = CodePointAt(s, k, &len);
    if (!IsCjk(c) && c != U'、') break;
    k += len;
  }
  size_t end = e;
  size_t best = std::string_view::npos;
  for (std::string_view word : {"情况", "事项", "措施"}) {
    size_t from = e >= word.size() ? e - word.size() + 1 : 0;
    size_t f = s.substr(0, k).find(word, from);
    if (f != std::string_view::npos) best = std::min(best, f + word.size());
  }
  if (best != std::string_view::npos) {
    end = best;
  } else if (k - e <= 36) {
    end = k;  // a short wording to its end ("六、其他需要报告的事项")
  }
  return std::make_pair(*section, end);
}

// ---- Rows of the template ----

struct Record {
  Section section = Section::kUnknown;  // kProactive or kApplications
  std::string key;
  std::string path;  // "applications.granted"
  Cell label;
  std::vector<DigitRun> runs;
  std::vector<std::string_view> columns;
  std::vector<ColumnRule> rules;
  // Outcome.
  bool stated = false;  // the digits alone allow one reading
  std::vector<Reading> readings;
  bool complete = false;
  std::optional<Reading> chosen;
};

struct Item {
  enum class Kind { kParagraph, kTable, kRow, kRecord, kReviews };
  Kind kind = Kind::kRow;
  Span span;          // kParagraph
  Row row;            // kRow
  size_t record = 0;  // kRecord
};

bool RowTotal(const std::vector<double>& v) {
  double sum = 0;
  for (size_t i = 0; i + 1 < v.size(); ++i) sum += v[i];
  return v.size() >= 2 && sum == v.back();
}

bool GroupTotals(const std::vector<double>& v) {
  size_t n = ReviewColumns().size();
  for (size_t g = 0; g + n <= v.size(); g += n) {
    double sum = 0;
    for (size_t i = g; i + 1 < g + n; ++i) sum += v[i];
    if (sum != v[g + n - 1]) return false;
  }
  return true;
}

std::string RunsText(const std::vector<DigitRun>& runs) {
  std::vector<std::string> parts;
  for (const DigitRun& r : runs) parts.push_back(r.text);
  return absl::StrJoin(parts, " ");
}

Span RunsSpan(const std::vector<DigitRun>& runs) {
  if (runs.empty()) return {};
  return Span{runs.front().span.begin,
              std::max(runs.front().span.begin, runs.back().span.end)};
}

// A figure as the document wrote it (no exponent for large counts).
std::string FigureText(double x) { return absl::StrFormat("%.12g", x); }

std::string ValuesText(const std::vector<double>& v) {
  std::vector<std::string> parts;
  for (double x : v) parts.push_back(FigureText(x));
  return absl::StrJoin(parts, " ");
}

class Splitter {
 public:
  Splitter(std::string_view text, const Layout& layout, v1::Template tmpl)
      : text_(text), layout_(layout), tmpl_(tmpl) {}

  SplitLayout Run() {
    for (const Block& b : layout_.blocks) {
      if (b.kind == Block::Kind::kParagraph) {
        ReadParagraph(b.span);
      } else {
        items_.push_back(Item{Item::Kind::kTable});
        for (const Row& row : b.table.rows) ReadRow(row);
      }
    }
    SolveProactive();
    SolveApplications();
    SolveReviews();
    return Build();
  }

 private:
  // ---- Pass 1: sections, labels and runs, in reading order ----

  void Enter(Section s) {
    section_ = s;
    group_ = 0;
  }

  void ReadParagraph(Span span) {
    if (span.end > text_.size() || span.begin >= span.end) return;
    std::string_view p = text_.substr(span.begin, span.end - span.begin);
    if (auto h = HeadingPrefix(p)) {
      Enter(h->first);
      items_.push_back(Item{Item::Kind::kParagraph,
                            Span{span.begin, span.begin + h->second}});
      size_t rest = span.begin + h->second;
      while (rest < span.end && IsSpace(text_[rest])) ++rest;
      if (rest < span.end) {
        items_.push_back(Item{Item::Kind::kParagraph, Span{rest, span.end}});
      }
      return;
    }
    if (std::optional<Section> s = SectionOfHeading(p)) Enter(*s);
    items_.push_back(Item{Item::Kind::kParagraph, span});
  }

  // A row is read as groups: text cells, then the digit runs after them.
  void ReadRow(const Row& row) {
    std::vector<Cell> texts;
    std::vector<DigitRun> runs;
    bool overflow = false;
    for (const Cell& cell : row.cells) {
      // Blank markers hold no figure and name nothing: as the interpreter
      // reads them, they are no label either.
      CellValue::Kind kind = ReadCell(cell.text, layout_.ocr).kind;
      if (kind == CellValue::Kind::kEmpty || kind == CellValue::Kind::kBlank)
        continue;
      if (auto r = RunsOf(text_, cell)) {
        if (runs.size() + r->size() > kMaxRuns) {
          overflow = true;
        } else {
          runs.insert(runs.end(), r->begin(), r->end());
        }
        continue;
      }
      if (!runs.empty() || overflow) {
        ReadGroup(std::move(texts), std::move(runs), overflow);
        texts.clear();
        runs.clear();
        overflow = false;
      }
      texts.push_back(cell);
    }
    if (!texts.empty() || !runs.empty() || overflow)
      ReadGroup(std::move(texts), std::move(runs), overflow);
  }

  void PushRow(std::vector<Cell> cells) {
    if (cells.empty()) return;
    Item item{Item::Kind::kRow};
    item.row.cells = std::move(cells);
    items_.push_back(std::move(item));
  }

  void ReadGroup(std::vector<Cell> texts, std::vector<DigitRun> runs,
                 bool overflow) {
    // A heading that opens the first text cell is a row of its own.
    if (!texts.empty()) {
      if (auto h = HeadingPrefix(texts[0].text)) {
        Enter(h->first);
        PushRow({SubCell(text_, texts[0], 0, h->second)});
        Cell rest = SubCell(text_, texts[0], h->second, texts[0].text.size());
        if (rest.text.empty()) {
          texts.erase(texts.begin());
        } else {
          texts[0] = std::move(rest);
        }
      }
    }
    std::string label;
    for (const Cell& c : texts) label += Compact(c.text);
    Cell label_cell;
    if (!texts.empty()) {
      label_cell = texts[0];
      for (size_t i = 1; i < texts.size(); ++i) {
        label_cell.text += texts[i].text;
        label_cell.span.end = std::max(label_cell.span.end, texts[i].span.end);
      }
    }
    bool figures = !runs.empty() || overflow;
    if (tmpl_ == v1::TEMPLATE_NONSTANDARD ||
        tmpl_ == v1::TEMPLATE_UNSPECIFIED) {
      PushRow(texts);  // no standard tables: figures are read nowhere
      return;
    }
    if (section_ == Section::kReviews) {
      PushRow(texts);
      if (figures && !reviews_item_) {
        reviews_item_ = true;
        items_.push_back(Item{Item::Kind::kReviews});
      }
      if (overflow || reviews_runs_.size() + runs.size() > kMaxRuns) {
        reviews_overflow_ = true;
      } else {
        reviews_runs_.insert(reviews_runs_.end(), runs.begin(), runs.end());
      }
      return;
    }
    // The row the label names, as the interpreter will find it.
    std::optional<std::pair<Section, std::string_view>> key;
    if (!label.empty()) {
      if (section_ != Section::kProactive) {
        if (auto k = MatchApplicationRow(label, &group_, layout_.ocr))
          key = std::make_pair(Section::kApplications, *k);
      }
      if (!key && section_ != Section::kApplications) {
        if (auto k = MatchProactiveRow(label, layout_.ocr))
          key = std::make_pair(Section::kProactive, *k);
      }
    }
    if (!figures || !key) {
      PushRow(texts);  // a header, or figures no template row owns
      return;
    }
    std::string path = absl::StrCat(
        key->first == Section::kProactive ? "proactive." : "applications.",
        std::string(key->second));
    Record r;
    r.section = key->first;
    r.key = std::string(key->second);
    r.path = path;
    r.label = label_cell;
    if (r.section == Section::kProactive) {
      r.columns = ProactiveColumnsOf(r.key, tmpl_);
      // The header words before the label (units: 万元 or 元) stay readable.
      PushRow(texts);
    } else {
      for (const ColumnSpec& c : ApplicantColumns()) r.columns.push_back(c.key);
    }
    if (r.columns.empty() || !seen_.insert(path).second || overflow) {
      if (r.section != Section::kProactive) PushRow(texts);
      if (overflow && !r.columns.empty()) {
        warnings_.push_back({"split_ambiguous", path,
                             "too many runs of digits to read this row; "
                             "left absent",
                             label_cell.span});
      }
      return;  // a row this template lacks, or seen before: label only
    }
    for (std::string_view c : r.columns) {
      r.rules.push_back(ColumnRule{c == "change", c == "amount_10k_yuan"});
    }
    r.runs = std::move(runs);
    records_.push_back(std::move(r));
    Item item{Item::Kind::kRecord};
    item.record = records_.size() - 1;
    items_.push_back(std::move(item));
  }

  // ---- Pass 2: readings ----

  // The one reading the digits alone allow, if so.
  std::optional<Reading> Stated(const std::vector<DigitRun>& runs,
                                const std::vector<ColumnRule>& rules) {
    bool complete = false;
    std::vector<Reading> two =
        ReadingsOf(runs, rules, nullptr, 2, &budget_, &complete);
    if (complete && two.size() == 1) return std::move(two[0]);
    return std::nullopt;
  }

  void Ambiguous(const std::string& path, const std::vector<DigitRun>& runs,
                 size_t figures, const std::vector<Reading>& readings,
                 bool complete) {
    std::string how;
    if (readings.empty() && complete) {
      how = absl::StrCat("cannot be read as ", figures,
                         " figures the table's arithmetic allows");
    } else if (readings.empty()) {
      how =
          absl::StrCat("has too many readings as ", figures, " figures to try");
    } else {
      how = absl::StrCat("reads as ", figures, " figures in ",
                         complete ? "" : "at least ", readings.size(),
                         " ways the table's arithmetic does not tell apart "
                         "(e.g. ",
                         ValuesText(readings[0].values), " or ",
                         readings.size() > 1 ? ValuesText(readings[1].values)
                                             : std::string("another"),
                         ")");
    }
    warnings_.push_back(
        {"split_ambiguous", path,
         absl::StrCat("'", RunsText(runs), "' ", how, "; left absent"),
         RunsSpan(runs)});
  }

  void Resolved(const std::string& path, const std::vector<DigitRun>& runs,
                const Reading& reading) {
    warnings_.push_back(
        {"split_by_arithmetic", path,
         absl::StrCat("'", RunsText(runs), "' read as ",
                      ValuesText(reading.values),
                      ": the only split the table's arithmetic allows"),
         RunsSpan(runs)});
  }

  void SolveProactive() {
    for (Record& r : records_) {
      if (r.section != Section::kProactive) continue;
      if ((r.chosen = Stated(r.runs, r.rules))) continue;
      // A row of items: last year's count plus the change is no negative
      // number of items.
      auto prev =
          std::find(r.columns.begin(), r.columns.end(), "prev_year_items");
      auto change = std::find(r.columns.begin(), r.columns.end(), "change");
      std::function<bool(const std::vector<double>&)> accept;
      if (prev != r.columns.end() && change != r.columns.end()) {
        size_t a = prev - r.columns.begin(), b = change - r.columns.begin();
        accept = [a, b](const std::vector<double>& v) {
          return v[a] + v[b] >= 0;
        };
      }
      bool complete = false;
      r.readings = ReadingsOf(r.runs, r.rules, accept, kMaxReadings, &budget_,
                              &complete);
      if (accept && complete && r.readings.size() == 1) {
        r.chosen = r.readings[0];
        Resolved(r.path, r.runs, *r.chosen);
        continue;
      }
      Ambiguous(r.path, r.runs, r.columns.size(), r.readings, complete);
    }
  }

  // A linear rule of the applications table, per column: the sum of
  // sign * figure over its rows is zero.
  struct Family {
    std::vector<std::pair<Record*, int>> terms;
    bool usable = true;
  };

  Family MakeFamily(const std::map<std::string, Record*>& rows,
                    const std::vector<std::pair<std::string_view, int>>& want) {
    Family f;
    for (const auto& [key, sign] : want) {
      auto it = rows.find(std::string(key));
      if (it == rows.end() || it->second->readings.empty() ||
          !it->second->complete) {
        f.usable = false;
        return f;
      }
      f.terms.push_back({it->second, sign});
    }
    return f;
  }

  // Does the family hold in column c under the given choice of readings?
  static bool Holds(const Family& f, size_t c,
                    const std::map<const Record*, size_t>& pick) {
    double sum = 0;
    for (const auto& [r, sign] : f.terms) {
      auto it = pick.find(r);
      size_t i = it == pick.end() ? 0 : it->second;
      sum += sign * r->readings[i].values[c];
    }
    return sum == 0;
  }

  // The value every reading of r gives column c, if they agree.
  static std::optional<double> Known(const Record* r, size_t c) {
    std::optional<double> v;
    for (const Reading& x : r->readings) {
      if (v && *v != x.values[c]) return std::nullopt;
      v = x.values[c];
    }
    return v;
  }

  // A family is broken if a column whose figures are all fixed fails it.
  static bool Broken(const Family& f, size_t columns) {
    for (size_t c = 0; c < columns; ++c) {
      double sum = 0;
      bool known = true;
      for (const auto& [r, sign] : f.terms) {
        std::optional<double> v = Known(r, c);
        if (!v) {
          known = false;
          break;
        }
        sum += sign * *v;
      }
      if (known && sum != 0) return true;
    }
    return false;
  }

  void SolveApplications() {
    std::vector<Record*> rows;
    for (Record& r : records_) {
      if (r.section == Section::kApplications) rows.push_back(&r);
    }
    if (rows.empty()) return;
    const size_t columns = ApplicantColumns().size();
    // The figures the digits alone fix, and whether they keep the row sums.
    bool row_totals = true;
    for (Record* r : rows) {
      if (std::optional<Reading> s = Stated(r->runs, r->rules)) {
        r->stated = true;
        r->complete = true;
        row_totals = row_totals && RowTotal(s->values);
        r->readings.push_back(std::move(*s));
      }
    }
    std::function<bool(const std::vector<double>&)> accept;
    if (row_totals) accept = RowTotal;
    for (Record* r : rows) {
      if (r->stated) continue;
      r->readings = ReadingsOf(r->runs, r->rules, accept, kMaxReadings,
                               &budget_, &r->complete);
    }
    // The table's column rules.
    std::map<std::string, Record*> by_key;
    for (Record* r : rows) by_key[r->key] = r;
    std::vector<Family> families;
    families.push_back(MakeFamily(by_key, {{"new_received", 1},
                                           {"carried_over", 1},
                                           {"total_handled", -1},
                                           {"carried_forward", -1}}));
    std::vector<std::pair<std::string_view, int>> handled = {
        {"total_handled", 1}};
    int bit = TemplateBit(tmpl_);
    for (const RowSpec& spec : ApplicationRows()) {
      if (spec.outcome && (spec.templates & bit))
        handled.push_back({spec.key, -1});
    }
    families.push_back(MakeFamily(by_key, handled));
    for (Family& f : families) {
      if (f.usable && Broken(f, columns)) f.usable = false;
    }
    // Rows still open, in the rules that can decide them.
    std::vector<Record*> open;
    for (Record* r : rows) {
      if (r->readings.size() < 2 || !r->complete) continue;
      bool ruled = false;
      for (const Family& f : families) {
        for (const auto& t : f.terms) ruled |= f.usable && t.first == r;
      }
      if (ruled) open.push_back(r);
    }
    size_t combinations = 1;
    for (Record* r : open) {
      combinations *= r->readings.size();
      if (combinations > kMaxCombinations) break;
    }
    std::map<const Record*, std::set<size_t>> choices;
    size_t solutions = 0;
    if (!open.empty() && combinations <= kMaxCombinations) {
      std::map<const Record*, size_t> pick;
      for (Record* r : open) pick[r] = 0;
      for (size_t n = 0; n < combinations; ++n) {
        // The n-th combination, digit by digit.
        size_t k = n;
        for (Record* r : open) {
          pick[r] = k % r->readings.size();
          k /= r->readings.size();
        }
        bool ok = true;
        for (const Family& f : families) {
          if (!f.usable) continue;
          for (size_t c = 0; c < columns && ok; ++c) ok = Holds(f, c, pick);
          if (!ok) break;
        }
        if (!ok) continue;
        ++solutions;
        for (Record* r : open) choices[r].insert(pick[r]);
      }
    }
    for (Record* r : rows) {
      if (r->readings.size() == 1 && r->complete) {
        r->chosen = r->readings[0];
        if (!r->stated) {
          Resolved(r->path, r->runs, *r->chosen);
        }
        continue;
      }
      auto it = choices.find(r);
      if (solutions > 0 && it != choices.end() && it->second.size() == 1) {
        r->chosen = r->readings[*it->second.begin()];
        Resolved(r->path, r->runs, *r->chosen);
        continue;
      }
      Ambiguous(r->path, r->runs, r->columns.size(), r->readings, r->complete);
    }
  }

  void SolveReviews() {
    if (!reviews_item_) return;
    std::vector<ColumnRule> rules(ReviewGroups().size() *
                                  ReviewColumns().size());
    if (reviews_overflow_) {
      Ambiguous("reviews", reviews_runs_, rules.size(), {}, false);
      return;
    }
    if ((reviews_ = Stated(reviews_runs_, rules))) return;
    bool complete = false;
    std::vector<Reading> readings = ReadingsOf(
        reviews_runs_, rules, GroupTotals, kMaxReadings, &budget_, &complete);
    if (complete && readings.size() == 1) {
      reviews_ = readings[0];
      Resolved("reviews", reviews_runs_, *reviews_);
      return;
    }
    Ambiguous("reviews", reviews_runs_, rules.size(), readings, complete);
  }

  // ---- Pass 3: the rewritten layout ----

  std::vector<Cell> FigureCells(const Reading& reading) const {
    std::vector<Cell> cells;
    for (size_t i = 0; i < reading.values.size(); ++i) {
      Cell c;
      Span s = reading.spans[i];
      if (s.end <= text_.size() && s.begin < s.end) {
        c.text = std::string(text_.substr(s.begin, s.end - s.begin));
      }
      // A span that does not hold the figure itself (a cell whose text is
      // not its source) still carries the figure.
      if (c.text.empty() ||
          c.text.find_first_not_of("-0123456789.,") != std::string::npos) {
        c.text = FigureText(reading.values[i]);
      }
      c.span = s;
      cells.push_back(std::move(c));
    }
    return cells;
  }

  SplitLayout Build() {
    SplitLayout out;
    out.layout.ocr = layout_.ocr;
    out.layout.run_together = false;  // read: the figures are split now
    out.layout.warnings = layout_.warnings;
    Block* table = nullptr;
    auto add_row = [&](Row row) {
      if (row.cells.empty()) return;
      if (table == nullptr) {
        out.layout.blocks.emplace_back();
        table = &out.layout.blocks.back();
        table->kind = Block::Kind::kTable;
        table->span = row.cells.front().span;
      }
      for (const Cell& c : row.cells) {
        table->span.begin = std::min(table->span.begin, c.span.begin);
        table->span.end = std::max(table->span.end, c.span.end);
      }
      table->table.rows.push_back(std::move(row));
    };
    for (Item& item : items_) {
      switch (item.kind) {
        case Item::Kind::kParagraph: {
          Block b;
          b.kind = Block::Kind::kParagraph;
          b.span = item.span;
          out.layout.blocks.push_back(std::move(b));
          table = nullptr;
          break;
        }
        case Item::Kind::kTable:
          table = nullptr;
          break;
        case Item::Kind::kRow:
          add_row(std::move(item.row));
          break;
        case Item::Kind::kRecord: {
          const Record& r = records_[item.record];
          Row row;
          if (!r.label.text.empty()) row.cells.push_back(r.label);
          if (r.chosen) {
            std::vector<Cell> figures = FigureCells(*r.chosen);
            row.cells.insert(row.cells.end(), figures.begin(), figures.end());
          }
          add_row(std::move(row));
          break;
        }
        case Item::Kind::kReviews:
          if (reviews_) {
            Row row;
            row.cells = FigureCells(*reviews_);
            add_row(std::move(row));
          }
          break;
      }
    }
    out.warnings = std::move(warnings_);
    return out;
  }

  std::string_view text_;
  const Layout& layout_;
  const v1::Template tmpl_;
  Section section_ = Section::kUnknown;
  int group_ = 0;
  size_t budget_ = kDocumentSteps;
  std::vector<Item> items_;
  std::vector<Record> records_;
  std::set<std::string> seen_;
  std::vector<DigitRun> reviews_runs_;
  bool reviews_item_ = false;
  bool reviews_overflow_ = false;
  std::optional<Reading> reviews_;
  std::vector<SplitWarning> warnings_;
};

}  // namespace

std::vector<Reading> ReadingsOf(
    const std::vector<DigitRun>& runs, const std::vector<ColumnRule>& columns,
    const std::function<bool(const std::vector<double>&)>& accept, size_t limit,
    size_t* budget, bool* complete) {
  Search search(runs, columns, accept, limit, budget);
  return search.Run(complete);
}

SplitLayout SplitRunTogether(std::string_view text, const Layout& layout,
                             v1::Template tmpl) {
  return Splitter(text, layout, tmpl).Run();
}

}  // namespace gongkai
