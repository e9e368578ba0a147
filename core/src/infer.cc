// Figures the table's arithmetic fixes uniquely (see infer.h).
//
// Everything here works on integer cell indices: a template's cells (its
// contract paths, from labels.h) are numbered once per template, the
// cross-checks become lists of (cell, coefficient), and each document's
// figures are read into a dense array once. Inference weighs the same sums
// many times over; string-keyed lookups there cost ~700 µs per OCR report,
// about 15x what this costs.
#include "infer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cancel.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "labels.h"

namespace gongkai {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr double kEps = 1e-6;
constexpr int kMaxPasses = 256;  // each pass narrows a bound or ends
constexpr int kMaxRounds = 8;    // each round takes figures back or ends
// Readings weighed per round at most, whatever the input: bounds narrowed
// so far stay sound, so stopping early only infers less.
constexpr size_t kMaxBoxes = 200000;
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Term {
  int cell;
  int coef;  // +1 or -1
};

// One cross-check as an equation: sum of coef * figure = 0.
struct Constraint {
  std::string id;
  std::string scope;
  std::vector<Term> terms;
};

// What inference needs of a template, which depends on nothing else: built
// once per template rather than for every document.
struct TemplateTables {
  std::vector<std::string> paths;  // cell -> contract path (TemplatePaths)
  std::unordered_map<std::string, int> index;  // contract path -> cell
  std::vector<Constraint> constraints;
  // The template's cells grouped by the message that holds them (a table
  // row), so a document's figures are read with one reflection walk per
  // row and one ListFields per row rather than one walk per cell.
  struct Holder {
    std::vector<const FieldDescriptor*> walk;    // from the Report down
    std::vector<const Reflection*> reflections;  // of each message on it
    std::vector<int> cell_of_field;  // the holder's field index -> cell
  };
  std::vector<Holder> holders;
};

// Adds `path` as cell `cell` to the holder of its message (the last one
// added, as TemplatePaths lists a row's cells together).
void AddToHolder(const std::string& path, int cell, TemplateTables* out) {
  std::vector<std::string_view> names;
  for (std::string_view rest = path;;) {
    size_t dot = rest.find('.');
    names.push_back(rest.substr(0, dot));
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  TemplateTables::Holder h;
  const Descriptor* d = v1::Report::descriptor();
  auto* factory = google::protobuf::MessageFactory::generated_factory();
  const FieldDescriptor* leaf = nullptr;
  for (size_t i = 0; i < names.size(); ++i) {
    const FieldDescriptor* f =
        d->FindFieldByName(std::string(names[i].data(), names[i].size()));
    if (f == nullptr) return;  // not a contract path: never read
    h.reflections.push_back(factory->GetPrototype(d)->GetReflection());
    if (i + 1 == names.size()) {
      leaf = f;
      break;
    }
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || f->is_repeated())
      return;
    h.walk.push_back(f);
    d = f->message_type();
  }
  if (out->holders.empty() || out->holders.back().walk != h.walk) {
    h.cell_of_field.assign(d->field_count(), -1);
    out->holders.push_back(std::move(h));
  }
  out->holders.back().cell_of_field[leaf->index()] = cell;
}

TemplateTables BuildTables(v1::Template t) {
  TemplateTables out;
  out.paths = TemplatePaths(t);
  for (size_t i = 0; i < out.paths.size(); ++i) {
    out.index[out.paths[i]] = static_cast<int>(i);
    AddToHolder(out.paths[i], static_cast<int>(i), &out);
  }
  const int bit = TemplateBit(t);
  if (bit == 0) return out;
  auto cell = [&](std::string_view prefix, std::string_view row,
                  std::string_view col) {
    std::string path(prefix);
    path.append(".").append(row).append(".").append(col);
    auto it = out.index.find(path);
    return it == out.index.end() ? -1 : it->second;
  };
  auto add = [&](Constraint c) {
    for (const Term& t : c.terms) {
      if (t.cell < 0) return;  // not a cell of this template
    }
    out.constraints.push_back(std::move(c));
  };
  const std::vector<ColumnSpec>& columns = ApplicantColumns();
  for (const RowSpec& r : ApplicationRows()) {
    if (!(r.templates & bit)) continue;
    Constraint c{"applications.row_total", std::string(r.key), {}};
    for (const ColumnSpec& col : columns) {
      c.terms.push_back(
          {cell("applications", r.key, col.key), col.key == "total" ? -1 : 1});
    }
    // The total last, as the checks print it.
    std::stable_partition(c.terms.begin(), c.terms.end(),
                          [](const Term& t) { return t.coef > 0; });
    add(std::move(c));
  }
  for (const ColumnSpec& col : columns) {
    add({"applications.balance",
         std::string(col.key),
         {{cell("applications", "new_received", col.key), 1},
          {cell("applications", "carried_over", col.key), 1},
          {cell("applications", "total_handled", col.key), -1},
          {cell("applications", "carried_forward", col.key), -1}}});
    Constraint c{"applications.handled_sum", std::string(col.key), {}};
    for (const RowSpec& r : ApplicationRows()) {
      if (r.outcome && (r.templates & bit))
        c.terms.push_back({cell("applications", r.key, col.key), 1});
    }
    c.terms.push_back({cell("applications", "total_handled", col.key), -1});
    add(std::move(c));
  }
  for (std::string_view g : ReviewGroups()) {
    Constraint c{"reviews.group_total", std::string(g), {}};
    for (std::string_view col : ReviewColumns()) {
      c.terms.push_back({cell("reviews", g, col), col == "total" ? -1 : 1});
    }
    add(std::move(c));
  }
  return out;
}

const TemplateTables& TablesOf(v1::Template t) {
  static const auto* tables = [] {
    auto* out = new std::map<int, TemplateTables>();
    const auto* e = v1::Template_descriptor();
    for (int i = 0; i < e->value_count(); ++i) {
      auto v = static_cast<v1::Template>(e->value(i)->number());
      (*out)[v] = BuildTables(v);
    }
    return out;
  }();
  static const auto* none = new TemplateTables();
  auto it = tables->find(t);
  return it != tables->end() ? it->second : *none;
}

bool IsKnown(double v) { return !std::isnan(v); }

// The report's figures at the template's cells; NaN where absent.
std::vector<double> ReadCells(const TemplateTables& tables,
                              const v1::Report& report) {
  std::vector<double> value(tables.paths.size(),
                            std::numeric_limits<double>::quiet_NaN());
  std::vector<const FieldDescriptor*> set;
  for (const TemplateTables::Holder& h : tables.holders) {
    const Message* m = &report;
    bool present = true;
    for (size_t i = 0; i < h.walk.size() && present; ++i) {
      present = h.reflections[i]->HasField(*m, h.walk[i]);
      if (present) m = &h.reflections[i]->GetMessage(*m, h.walk[i]);
    }
    if (!present) continue;
    const Reflection* r = h.reflections.back();
    set.clear();
    r->ListFields(*m, &set);
    for (const FieldDescriptor* f : set) {
      int cell = h.cell_of_field[f->index()];
      if (cell < 0) continue;
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_INT32:
          value[cell] = r->GetInt32(*m, f);
          break;
        case FieldDescriptor::CPPTYPE_INT64:
          value[cell] = static_cast<double>(r->GetInt64(*m, f));
          break;
        case FieldDescriptor::CPPTYPE_DOUBLE:
          value[cell] = r->GetDouble(*m, f);
          break;
        default:
          break;
      }
    }
  }
  return value;
}

// One document's cells: the template's, then any cell an open row names
// that the template lacks (free, never inferred).
struct Cells {
  std::vector<double> value;   // the report's figure, NaN if absent
  std::vector<char> eligible;  // may receive an inferred figure
};

// An open row with its paths turned into cells.
struct OpenCells {
  const OpenRow* open;
  std::vector<int> cells;
};

struct Inferred {
  int cell;
  double value;
  Span span;
  std::string how;
};

struct Bounds {
  double lo = 0;
  double hi = kInf;
};

// Sums over a constraint's terms of each term's least and greatest
// contribution, infinities counted apart, so the bounds of "all terms but
// one" cost O(1) per term.
struct RangeSum {
  double min_fin = 0, max_fin = 0;
  int min_inf = 0, max_inf = 0;

  static void Contribution(const Bounds& b, int coef, double* cmin,
                           double* cmax) {
    if (coef > 0) {
      *cmin = b.lo;
      *cmax = b.hi;
    } else {
      *cmin = -b.hi;
      *cmax = -b.lo;
    }
  }
  void Add(const Bounds& b, int coef) {
    double cmin, cmax;
    Contribution(b, coef, &cmin, &cmax);
    if (std::isinf(cmin))
      ++min_inf;
    else
      min_fin += cmin;
    if (std::isinf(cmax))
      ++max_inf;
    else
      max_fin += cmax;
  }
  // What the constraint allows for the term with bounds `b` and `coef`,
  // given the others: [lo, hi], floored at 0 (no count is negative).
  void Allowed(const Bounds& b, int coef, double* lo, double* hi) const {
    double cmin, cmax;
    Contribution(b, coef, &cmin, &cmax);
    double min_rest = min_inf - (std::isinf(cmin) ? 1 : 0) > 0
                          ? -kInf
                          : min_fin - (std::isinf(cmin) ? 0 : cmin);
    double max_rest = max_inf - (std::isinf(cmax) ? 1 : 0) > 0
                          ? kInf
                          : max_fin - (std::isinf(cmax) ? 0 : cmax);
    // coef * x = -rest
    if (coef > 0) {
      *lo = -max_rest;
      *hi = -min_rest;
    } else {
      *lo = min_rest;
      *hi = max_rest;
    }
    *lo = std::max(*lo, 0.0);
  }
};

// Narrows `b` to [lo, hi] rounded inward to whole numbers. False if empty.
bool Tighten(Bounds& b, double lo, double hi, bool* changed) {
  lo = std::ceil(lo - kEps);
  hi = std::floor(hi + kEps);
  if (lo > b.lo + kEps) {
    b.lo = lo;
    *changed = true;
  }
  if (hi < b.hi - kEps) {
    b.hi = hi;
    *changed = true;
  }
  return b.lo <= b.hi + kEps;
}

// One attempt at inference, with some cells barred from it and some
// constraints set aside. Every cell gets bounds [lo, hi] (no count is
// negative); each cross-check narrows the bounds of its cells from the
// bounds of the others, and each OCR row keeps only the readings that fit
// them, until nothing changes. A cell whose bounds meet is fixed: any other
// value would break a sum or leave no reading of its row.
class Solver {
 public:
  Solver(const std::vector<Constraint>& constraints,
         const std::vector<char>& set_aside, const std::vector<OpenCells>& rows,
         const Cells& cells, const std::vector<char>& barred)
      : constraints_(constraints),
        set_aside_(set_aside),
        rows_(rows),
        cells_(cells),
        barred_(barred),
        bounds_(cells.value.size()),
        pos_(cells.value.size(), -1) {
    for (size_t i = 0; i < bounds_.size(); ++i) {
      if (IsKnown(cells.value[i]))
        bounds_[i] = {cells.value[i], cells.value[i]};
    }
    // The active constraints that hold each cell, as one flat array
    // (constraints of cell c: of_cell[start[c] .. start[c + 1])).
    std::vector<int> start(bounds_.size() + 1, 0), of_cell;
    for (size_t i = 0; i < constraints_.size(); ++i) {
      if (set_aside_[i]) continue;
      for (const Term& t : constraints_[i].terms) ++start[t.cell + 1];
    }
    for (size_t c = 0; c < bounds_.size(); ++c) start[c + 1] += start[c];
    of_cell.resize(start.back());
    std::vector<int> fill(start.begin(), start.end() - 1);
    for (size_t i = 0; i < constraints_.size(); ++i) {
      if (set_aside_[i]) continue;
      for (const Term& t : constraints_[i].terms)
        of_cell[fill[t.cell]++] = static_cast<int>(i);
    }
    narrowed_at_.assign(bounds_.size(), 0);
    for (const OpenCells& row : rows_) {
      std::vector<int>& touch = touching_.emplace_back();
      for (int c : row.cells) {
        touch.insert(touch.end(), of_cell.begin() + start[c],
                     of_cell.begin() + start[c + 1]);
      }
      std::sort(touch.begin(), touch.end());
      touch.erase(std::unique(touch.begin(), touch.end()), touch.end());
      // The cells whose bounds a box of this row reads.
      std::vector<int>& seen = sees_.emplace_back(row.cells);
      for (int i : touch) {
        for (const Term& t : constraints_[i].terms) seen.push_back(t.cell);
      }
      std::sort(seen.begin(), seen.end());
      seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
      filtered_at_.push_back(-1);
      std::vector<size_t> keep;
      for (size_t k = 0; k < row.open->candidates.size(); ++k) {
        if (row.open->candidates[k].size() == row.cells.size())
          keep.push_back(k);
      }
      allowed_.push_back(std::move(keep));
    }
  }

  // Narrows until nothing changes. Returns the index of a constraint that
  // proved impossible (to be set aside by the caller), -2 if cancelled
  // or the OCR rows leave no bounds, or -1.
  int Run() {
    for (int pass = 0; pass < kMaxPasses && boxes_ < kMaxBoxes; ++pass) {
      if (ExtractionCancelled()) return -2;  // the caller discards it all
      bool changed = false;
      for (size_t i = 0; i < constraints_.size(); ++i) {
        if (set_aside_[i]) continue;
        if (!Narrow(constraints_[i], &changed)) return static_cast<int>(i);
      }
      if (!FilterRows(&changed)) return -2;
      if (!changed) break;
    }
    Collect();
    return -1;
  }

  const std::vector<Inferred>& inferred() const { return inferred_; }

 private:
  // Tighten() on a cell's bounds, stamping the cell when they narrow.
  bool TightenCell(int cell, double lo, double hi, bool* changed) {
    bool narrowed = false;
    bool ok = Tighten(bounds_[cell], lo, hi, &narrowed);
    if (narrowed) {
      *changed = true;
      narrowed_at_[cell] = ++clock_;
    }
    return ok;
  }

  // Each term of sum(coef * x) = 0 lies between what the others allow.
  bool Narrow(const Constraint& c, bool* changed) {
    RangeSum sum;
    for (const Term& t : c.terms) sum.Add(bounds_[t.cell], t.coef);
    for (const Term& t : c.terms) {
      double lo, hi;
      sum.Allowed(bounds_[t.cell], t.coef, &lo, &hi);
      if (!TightenCell(t.cell, lo, hi, changed)) return false;
    }
    return true;
  }

  // The bounds of a row's cells with one reading in place: its figures, and
  // what the sums then allow for the cells it leaves unread (other cells at
  // their bounds). False if some sum can then not hold. pos_ maps the row's
  // cells to their column.
  bool Box(size_t r, const OcrCandidate& cand, std::vector<Bounds>* box) {
    ++boxes_;
    const OpenCells& row = rows_[r];
    box->resize(row.cells.size());
    for (size_t k = 0; k < row.cells.size(); ++k) {
      Bounds b = bounds_[row.cells[k]];
      if (cand[k].value) {
        double v = *cand[k].value;
        if (v < b.lo - kEps || v > b.hi + kEps) return false;
        b = {v, v};
      }
      (*box)[k] = b;
    }
    auto get = [&](int cell) -> const Bounds& {
      int p = pos_[cell];
      return p >= 0 ? (*box)[p] : bounds_[cell];
    };
    for (int step = 0; step < 4; ++step) {
      bool changed = false;
      for (int i : touching_[r]) {
        const Constraint& c = constraints_[i];
        RangeSum sum;
        for (const Term& t : c.terms) sum.Add(get(t.cell), t.coef);
        for (const Term& t : c.terms) {
          int p = pos_[t.cell];
          if (p < 0) continue;
          Bounds& b = (*box)[p];
          double lo, hi;
          sum.Allowed(b, t.coef, &lo, &hi);
          if (!Tighten(b, lo, hi, &changed)) return false;
        }
      }
      if (!changed) break;
    }
    return true;
  }

  // Drops the readings of each OCR row the bounds rule out, and narrows the
  // row's cells to what the remaining readings allow.
  bool FilterRows(bool* changed) {
    std::vector<Bounds> box;
    for (size_t r = 0; r < rows_.size(); ++r) {
      if (ExtractionCancelled()) return false;
      const OpenCells& row = rows_[r];
      std::vector<size_t>& keep = allowed_[r];
      if (keep.empty()) continue;
      // Nothing a box of this row reads has narrowed since it was last
      // filtered: its readings and their hull stand as they were.
      int64_t last = 0;
      for (int c : sees_[r]) last = std::max(last, narrowed_at_[c]);
      if (filtered_at_[r] >= last) continue;
      filtered_at_[r] = clock_;
      for (size_t k = 0; k < row.cells.size(); ++k)
        pos_[row.cells[k]] = static_cast<int>(k);
      std::vector<size_t> next;
      std::vector<Bounds> hull(row.cells.size(), Bounds{kInf, -kInf});
      for (size_t k : keep) {
        if (!Box(r, row.open->candidates[k], &box)) continue;
        next.push_back(k);
        for (size_t c = 0; c < box.size(); ++c) {
          hull[c].lo = std::min(hull[c].lo, box[c].lo);
          hull[c].hi = std::max(hull[c].hi, box[c].hi);
        }
      }
      for (int c : row.cells) pos_[c] = -1;
      if (next.size() != keep.size()) *changed = true;
      if (next.empty()) {
        // No reading fits: the row (or a figure the sums rest on) was
        // misread. Leave it to the checks.
        keep.clear();
        continue;
      }
      keep = std::move(next);
      for (size_t c = 0; c < row.cells.size(); ++c) {
        if (!TightenCell(row.cells[c], hull[c].lo, hull[c].hi, changed))
          return false;
      }
    }
    return true;
  }

  void Collect() {
    for (size_t p = 0; p < bounds_.size(); ++p) {
      const Bounds& b = bounds_[p];
      if (!cells_.eligible[p] || barred_[p] || b.hi - b.lo > kEps || b.lo < 0)
        continue;
      Inferred f{static_cast<int>(p), b.lo, Span{},
                 "the table's sums (勾稽关系) leave no other value"};
      // A figure one OCR row read, when all its remaining readings agree on
      // the cell it came from.
      for (size_t r = 0; r < rows_.size(); ++r) {
        const OpenCells& row = rows_[r];
        for (size_t c = 0; c < row.cells.size(); ++c) {
          if (row.cells[c] != static_cast<int>(p) || allowed_[r].empty())
            continue;
          int source = -2;
          for (size_t k : allowed_[r]) {
            const OcrCell& cell = row.open->candidates[k][c];
            int s = cell.value && std::fabs(*cell.value - b.lo) < kEps
                        ? cell.source
                        : -1;
            source = source == -2 || source == s ? s : -1;
          }
          if (source >= 0 &&
              static_cast<size_t>(source) < row.open->sources.size()) {
            f.span = row.open->sources[source];
            f.how = absl::StrCat(
                "OCR read this row ", row.open->candidates.size(),
                " ways; the table's sums (勾稽关系) allow ", allowed_[r].size(),
                ", and all of them read this figure here");
          }
        }
      }
      inferred_.push_back(std::move(f));
    }
  }

  const std::vector<Constraint>& constraints_;
  const std::vector<char>& set_aside_;
  const std::vector<OpenCells>& rows_;
  const Cells& cells_;
  const std::vector<char>& barred_;
  std::vector<Bounds> bounds_;
  std::vector<int> pos_;  // cell -> its column in the row being boxed, or -1
  std::vector<std::vector<size_t>> allowed_;  // readings left, per open row
  std::vector<std::vector<int>> touching_;    // constraints, per open row
  std::vector<std::vector<int>> sees_;        // cells a box reads, per row
  std::vector<int64_t> narrowed_at_;  // per cell: clock_ when last narrowed
  std::vector<int64_t> filtered_at_;  // per open row: clock_ when filtered
  int64_t clock_ = 0;
  size_t boxes_ = 0;  // readings weighed so far, against kMaxBoxes
  std::vector<Inferred> inferred_;
};

// The inferred figures that sit in a cross-check the finished figures
// (`value`: stated and inferred) break.
std::vector<int> Broken(const std::vector<double>& value,
                        const std::vector<char>& is_inferred,
                        const std::vector<Constraint>& constraints,
                        std::vector<size_t>* broken_sums) {
  std::vector<int> out;
  for (size_t i = 0; i < constraints.size(); ++i) {
    const Constraint& c = constraints[i];
    double k = 0;
    bool complete = true, has_inferred = false;
    for (const Term& t : c.terms) {
      if (!IsKnown(value[t.cell])) {
        complete = false;
        break;
      }
      k += t.coef * value[t.cell];
      has_inferred = has_inferred || is_inferred[t.cell];
    }
    if (!complete || !has_inferred || std::fabs(k) < kEps) continue;
    broken_sums->push_back(i);
    for (const Term& t : c.terms) {
      if (is_inferred[t.cell]) out.push_back(t.cell);
    }
  }
  return out;
}

// Whether the stated figures alone can satisfy a constraint (unknowns >= 0).
// Clears *all_stated if one of its figures is not stated.
bool FeasibleAsStated(const Constraint& c, const std::vector<double>& value,
                      bool* all_stated) {
  double k = 0;
  bool plus = false, minus = false;
  for (const Term& t : c.terms) {
    if (IsKnown(value[t.cell])) {
      k += t.coef * value[t.cell];
    } else if (t.coef > 0) {
      plus = true;
    } else {
      minus = true;
    }
  }
  if (plus || minus) *all_stated = false;
  if (std::fabs(k) < kEps) return true;
  return (k < 0 && plus) || (k > 0 && minus);
}

// A check over the current figures: nullopt if one is missing, else whether
// it holds and its detail.
std::optional<bool> Holds(const Constraint& c, const std::vector<double>& value,
                          std::string* detail) {
  std::string left, right;
  double k = 0;
  for (const Term& t : c.terms) {
    double v = value[t.cell];
    if (!IsKnown(v)) return std::nullopt;
    k += t.coef * v;
    if (detail) {
      std::string& side = t.coef > 0 ? left : right;
      absl::StrAppend(&side, side.empty() ? "" : " + ", v);
    }
  }
  bool ok = std::fabs(k) < kEps;
  if (detail) *detail = absl::StrCat(left, ok ? " = " : " != ", right);
  return ok;
}

// The value of `cell` that would make the constraint hold, all its other
// figures as they are.
std::optional<double> Implied(const Constraint& c, int cell,
                              const std::vector<double>& value) {
  double k = 0;
  int coef_of_cell = 0;
  for (const Term& t : c.terms) {
    if (t.cell == cell) {
      coef_of_cell = t.coef;
      continue;
    }
    if (!IsKnown(value[t.cell])) return std::nullopt;
    k += t.coef * value[t.cell];
  }
  if (coef_of_cell == 0) return std::nullopt;
  return -k / coef_of_cell;
}

// OCR only: a figure read that two failing checks share, and no passing
// check vouches for, and for which both checks imply the same count, is
// where the reading went wrong (a row and a column cross there). It is
// withheld -- absent, with a warning and the two failed checks reported as
// they stood -- rather than changed: the arithmetic says the reading is
// wrong, not what the document printed. `value` holds the figures as they
// stand and is kept up to date.
void WithholdContradicted(const TemplateTables& tables,
                          const std::vector<char>& is_inferred,
                          std::vector<double>* value, ReportWriter* out) {
  const std::vector<Constraint>& constraints = tables.constraints;
  std::vector<size_t> failing;
  std::vector<char> vouched(value->size(), 0);
  for (size_t i = 0; i < constraints.size(); ++i) {
    std::optional<bool> ok = Holds(constraints[i], *value, nullptr);
    if (!ok) continue;
    if (*ok) {
      for (const Term& t : constraints[i].terms) vouched[t.cell] = 1;
    } else {
      failing.push_back(i);
    }
  }
  struct Withheld {
    int cell;
    size_t a, b;
  };
  std::vector<Withheld> withheld;
  for (size_t x = 0; x < failing.size(); ++x) {
    for (size_t y = x + 1; y < failing.size(); ++y) {
      int shared = -1, count = 0;
      for (const Term& p : constraints[failing[x]].terms) {
        for (const Term& q : constraints[failing[y]].terms) {
          if (p.cell == q.cell) {
            shared = p.cell;
            ++count;
          }
        }
      }
      if (count != 1 || vouched[shared] || is_inferred[shared]) continue;
      // A single misreading: both sums put the same count in its place.
      std::optional<double> a =
          Implied(constraints[failing[x]], shared, *value);
      std::optional<double> b =
          Implied(constraints[failing[y]], shared, *value);
      if (a && b && std::fabs(*a - *b) < kEps && *a >= 0) {
        withheld.push_back({shared, failing[x], failing[y]});
      }
    }
  }
  for (const Withheld& w : withheld) {
    double v = (*value)[w.cell];
    if (!IsKnown(v)) continue;  // already withheld
    const std::string& path = tables.paths[w.cell];
    for (size_t i : {w.a, w.b}) {
      const Constraint& c = constraints[i];
      std::string detail;
      Holds(c, *value, &detail);
      v1::Check* check = out->report()->add_checks();
      check->set_id(std::string(c.id));
      check->set_scope(c.scope);
      check->set_passed(false);
      for (const Term& t : c.terms) check->add_paths(tables.paths[t.cell]);
      check->set_detail(
          absl::StrCat(detail, " (as read; ", path, " withheld)"));
    }
    out->ClearFigure(path);
    (*value)[w.cell] = std::numeric_limits<double>::quiet_NaN();
    out->Warn("figure_contradicted", path,
              absl::StrCat("OCR read ", v, ", which breaks both ",
                           constraints[w.a].id, " (", constraints[w.a].scope,
                           ") and ", constraints[w.b].id, " (",
                           constraints[w.b].scope,
                           "); the reading is withheld as unsure"));
  }
}

// Runs the solver until no inferred figure breaks a sum: a sum the figures
// prove impossible is set aside, inferred figures a finished sum breaks are
// barred. The figures inferred, or nullopt when cancelled, when the OCR rows
// contradict the sums, or when no round settles. `troubled`, if given, gets
// the sums set aside or broken on the way.
std::optional<std::vector<Inferred>> SolveRounds(
    const std::vector<Constraint>& constraints, std::vector<char> set_aside,
    const std::vector<OpenCells>& rows, const Cells& cells,
    std::vector<size_t>* troubled) {
  std::vector<char> barred(cells.value.size(), 0);
  for (int round = 0; round < kMaxRounds; ++round) {
    Solver solver(constraints, set_aside, rows, cells, barred);
    int impossible = solver.Run();
    if (impossible == -2) return std::nullopt;
    if (impossible >= 0) {
      // The stated figures, together, break this sum: set it aside.
      set_aside[impossible] = 1;
      if (troubled) troubled->push_back(static_cast<size_t>(impossible));
      continue;
    }
    std::vector<double> value = cells.value;
    std::vector<char> is_inferred(value.size(), 0);
    for (const Inferred& f : solver.inferred()) {
      value[f.cell] = f.value;
      is_inferred[f.cell] = 1;
    }
    std::vector<size_t> broken_sums;
    std::vector<int> broken =
        Broken(value, is_inferred, constraints, &broken_sums);
    if (broken.empty()) return solver.inferred();
    if (troubled) {
      troubled->insert(troubled->end(), broken_sums.begin(),
                       broken_sums.end());
    }
    // Figures that break a sum were not fixed after all: bar them and try
    // again without them (and so without what followed from them).
    for (int c : broken) barred[c] = 1;
  }
  return std::nullopt;
}

// A figure OCR misread, found by taking it away: the sums then settle, and
// two or more of them, complete without it, agree on a count other than
// the one read.
struct Withholding {
  int cell;
  std::vector<size_t> constraints;  // the sums that agree
};

// Bounds the work of FindMisreads (a solve per suspect), whatever the
// input.
constexpr size_t kMaxSuspects = 16;

// The cells a withdrawn set of readings leaves: those readings unknown and
// never inferred into (a reading is withheld, never replaced), the sums the
// remaining figures break set aside (and listed in `troubled`).
Cells Without(const Cells& cells, const std::vector<int>& withdrawn,
              const std::vector<Constraint>& constraints,
              std::vector<char>* set_aside, std::vector<size_t>* troubled) {
  Cells out = cells;
  for (int c : withdrawn) {
    out.value[c] = std::numeric_limits<double>::quiet_NaN();
    out.eligible[c] = 0;
  }
  set_aside->assign(constraints.size(), 0);
  bool unused = false;
  for (size_t i = 0; i < constraints.size(); ++i) {
    if (!FeasibleAsStated(constraints[i], out.value, &unused)) {
      (*set_aside)[i] = 1;
      troubled->push_back(i);
    }
  }
  return out;
}

bool Touches(const Constraint& c, int cell) {
  for (const Term& t : c.terms) {
    if (t.cell == cell) return true;
  }
  return false;
}

// OCR only: the stated figures of the sums the solver had to set aside
// (`troubled`) whose withdrawal lets the sums they sit in settle, and which
// two or more sums, complete without them, contradict alike. Two such
// figures that share a sum explain the same trouble (which one OCR misread
// is unknown): neither is returned.
std::vector<Withholding> FindMisreads(
    const std::vector<Constraint>& constraints,
    const std::vector<size_t>& troubled, const std::vector<OpenCells>& rows,
    const Cells& cells, const std::vector<char>& not_stated) {
  std::vector<int> suspects;
  for (size_t i : troubled) {
    for (const Term& t : constraints[i].terms) {
      if (IsKnown(cells.value[t.cell]) && !not_stated[t.cell] &&
          std::find(suspects.begin(), suspects.end(), t.cell) ==
              suspects.end())
        suspects.push_back(t.cell);
    }
  }
  std::vector<Withholding> found;
  if (suspects.size() > kMaxSuspects) return found;
  for (int s : suspects) {
    if (ExtractionCancelled()) return {};
    std::vector<char> set_aside;
    std::vector<size_t> troubled_without;
    Cells without = Without(cells, {s}, constraints, &set_aside,
                            &troubled_without);
    std::optional<std::vector<Inferred>> inferred = SolveRounds(
        constraints, set_aside, rows, without, &troubled_without);
    // Without it, the sums it sat in settle, and fewer sums are troubled.
    if (!inferred || troubled_without.size() >= troubled.size()) continue;
    bool settled = true;
    for (size_t i : troubled_without) settled &= !Touches(constraints[i], s);
    if (!settled) continue;
    std::vector<double> value = without.value;
    for (const Inferred& f : *inferred) value[f.cell] = f.value;
    Withholding w{s, {}};
    std::optional<double> agreed;
    bool agree = true;
    for (size_t i = 0; i < constraints.size() && agree; ++i) {
      std::optional<double> v = Implied(constraints[i], s, value);
      if (!v) continue;
      agree = !agreed || std::fabs(*agreed - *v) < kEps;
      agreed = v;
      w.constraints.push_back(i);
    }
    double read = cells.value[s];
    if (!agree || !agreed || w.constraints.size() < 2 || *agreed < 0 ||
        std::fabs(*agreed - std::round(*agreed)) > kEps ||
        std::fabs(*agreed - read) < kEps)
      continue;
    found.push_back(std::move(w));
  }
  // Keep only the figures no other one shares a sum with.
  std::vector<Withholding> out;
  for (size_t a = 0; a < found.size(); ++a) {
    bool alone = true;
    for (size_t b = 0; b < found.size() && alone; ++b) {
      if (a == b) continue;
      for (size_t i : found[a].constraints) {
        alone &= !Touches(constraints[i], found[b].cell);
      }
      for (size_t i : found[b].constraints) {
        alone &= !Touches(constraints[i], found[a].cell);
      }
    }
    if (alone) out.push_back(std::move(found[a]));
  }
  return out;
}

// OCR: the cells of an open row that the row's own sums (its row total, a
// review group's total) fix alike in every reading, before any other sum
// is weighed -- only where every reading balances by itself, the cells it
// leaves unread all 0. E.g. six zeros read of seven cells: whichever cell
// OCR lost, the row total makes it 0. Such a figure rests on the row's
// reading alone, which its own sums vouch for as they would for a row read
// whole, so a column sum it then breaks is a misread elsewhere for the
// checks to show, not a reason to take it back. A reading that balances
// only with a lost cell's help (3001 + ? + 0 + 0 + 1 + 4 = 3119) does not
// vouch for itself: a misread figure there would go into the lost cell,
// so that is left to the whole table's sums. Fixed cells are set in
// `cells` (known, no longer eligible) and returned.
std::vector<Inferred> RowLocal(const std::vector<Constraint>& constraints,
                               const std::vector<OpenCells>& rows,
                               Cells* cells) {
  std::vector<Inferred> out;
  std::vector<const Constraint*> inner;
  std::vector<double> vals;
  std::vector<int> column_of(cells->value.size(), -1);  // cell -> its column
  auto pos = [&](int cell) { return column_of[cell]; };
  const OpenCells* last = nullptr;
  for (const OpenCells& row : rows) {
    if (last != nullptr) {
      for (int c : last->cells) column_of[c] = -1;
    }
    last = &row;
    const size_t n = row.cells.size();
    for (size_t k = 0; k < n; ++k)
      column_of[row.cells[k]] = static_cast<int>(k);
    inner.clear();
    for (const Constraint& c : constraints) {
      bool within = !c.terms.empty();
      for (size_t i = 0; i < c.terms.size() && within; ++i)
        within = pos(c.terms[i].cell) >= 0;
      if (within) inner.push_back(&c);
    }
    if (inner.empty()) continue;
    std::vector<double> agreed(n, std::numeric_limits<double>::quiet_NaN());
    std::vector<int> source(n, -2);  // -2: none yet, -1: sources differ
    std::vector<char> fixed(n, 1);
    size_t valid = 0;
    bool balanced = true;  // every valid reading balances by itself
    for (const OcrCandidate& cand : row.open->candidates) {
      if (cand.size() != n) continue;
      vals.assign(n, std::numeric_limits<double>::quiet_NaN());
      bool ok = true;
      for (size_t k = 0; k < n && ok; ++k) {
        double stated = cells->value[row.cells[k]];
        if (cand[k].value) {
          ok = cand[k].integral &&
               (!IsKnown(stated) || std::fabs(stated - *cand[k].value) < kEps);
          vals[k] = *cand[k].value;
        } else {
          vals[k] = stated;
        }
      }
      // Fill what the row's sums fix: one unknown left, or the known parts
      // already reaching the total (the rest 0, no count being negative).
      bool lost_nonzero = false;
      for (bool changed = true; ok && changed;) {
        changed = false;
        for (const Constraint* c : inner) {
          double k = 0;
          int unknown = 0, sign = 0;
          bool mixed = false;
          for (const Term& t : c->terms) {
            double v = vals[pos(t.cell)];
            if (IsKnown(v)) {
              k += t.coef * v;
            } else {
              mixed = mixed || (unknown > 0 && sign != t.coef);
              sign = t.coef;
              ++unknown;
            }
          }
          if (unknown == 0) {
            ok = std::fabs(k) < kEps;
          } else if (unknown == 1 || (!mixed && std::fabs(k) < kEps)) {
            double v = unknown == 1 ? -k / sign : 0;
            ok = v > -kEps && std::fabs(v - std::round(v)) < kEps;
            lost_nonzero = lost_nonzero || std::fabs(v) > kEps;
            for (const Term& t : c->terms) {
              double& x = vals[pos(t.cell)];
              if (!IsKnown(x)) x = std::round(v) + 0.0;
            }
            changed = true;
          } else if (!mixed && -k / sign < -kEps) {
            ok = false;  // unknowns of one sign would have to be negative
          }
          if (!ok) break;
        }
      }
      if (!ok) continue;
      ++valid;
      balanced = balanced && !lost_nonzero;
      for (size_t k = 0; k < n; ++k) {
        if (!fixed[k]) continue;
        if (!IsKnown(vals[k]) ||
            (IsKnown(agreed[k]) && std::fabs(agreed[k] - vals[k]) > kEps)) {
          fixed[k] = 0;
          continue;
        }
        agreed[k] = vals[k];
        int s = cand[k].value ? cand[k].source : -1;
        source[k] = source[k] == -2 || source[k] == s ? s : -1;
      }
    }
    if (valid == 0 || !balanced) continue;
    for (size_t k = 0; k < n; ++k) {
      int cell = row.cells[k];
      if (!fixed[k] || IsKnown(cells->value[cell]) || !cells->eligible[cell])
        continue;
      Inferred f{cell, agreed[k], Span{},
                 absl::StrCat("OCR read this row ",
                              row.open->candidates.size(),
                              " ways; the row's own sums give this figure "
                              "in every one of them")};
      if (source[k] >= 0 &&
          static_cast<size_t>(source[k]) < row.open->sources.size())
        f.span = row.open->sources[source[k]];
      cells->value[cell] = f.value;
      cells->eligible[cell] = 0;
      out.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace

void InferFigures(const InferenceNotes& notes, ReportWriter* out) {
  const v1::Report& report = *out->report();
  if (notes.ocr && report.has_proactive()) {
    // Section 二 has no sums to check its figures against.
    out->Warn("figures_unchecked", "proactive",
              "OCR read section 二, whose figures no cross-check covers: a "
              "misread digit there cannot be detected");
  }
  const TemplateTables& tables = TablesOf(report.template_());
  const std::vector<Constraint>& constraints = tables.constraints;
  if (constraints.empty()) return;
  const size_t n = tables.paths.size();
  Cells cells;
  cells.value = ReadCells(tables, report);
  // A sum the stated figures already break says nothing about the figures
  // missing from it: it is left to the checks.
  std::vector<char> set_aside(constraints.size(), 0);
  bool all_stated = notes.open_rows.empty();
  for (size_t i = 0; i < constraints.size(); ++i) {
    if (!FeasibleAsStated(constraints[i], cells.value, &all_stated))
      set_aside[i] = 1;
  }
  std::vector<char> none_inferred(n, 0);
  // Every figure of every sum stated and no OCR row open (a clean report):
  // no cell is eligible, so the solver would infer nothing. Skip it.
  if (all_stated) {
    if (notes.ocr)
      WithholdContradicted(tables, none_inferred, &cells.value, out);
    return;
  }
  cells.eligible.assign(n, 0);
  for (size_t i = 0; i < n; ++i) cells.eligible[i] = !IsKnown(cells.value[i]);
  for (const std::string& p : notes.blank) {
    auto it = tables.index.find(p);
    if (it != tables.index.end()) cells.eligible[it->second] = 0;
  }
  // The open rows over cells; a path the template lacks gets a free cell
  // of its own, which no sum holds and nothing is inferred into.
  std::vector<OpenCells> rows;
  for (const OpenRow& open : notes.open_rows) {
    OpenCells& row = rows.emplace_back();
    row.open = &open;
    for (const std::string& p : open.paths) {
      auto it = tables.index.find(p);
      if (it != tables.index.end()) {
        row.cells.push_back(it->second);
        continue;
      }
      row.cells.push_back(static_cast<int>(cells.value.size()));
      cells.value.push_back(std::numeric_limits<double>::quiet_NaN());
      cells.eligible.push_back(0);
      double v;
      if (GetFigure(report, p, &v)) cells.value.back() = v;
    }
  }
  // Figures each OCR row fixes by itself are settled first, as read ones
  // are (never taken back for a sum elsewhere, never suspected of a
  // misread: FindMisreads withdraws only stated figures).
  std::vector<Inferred> local = RowLocal(constraints, rows, &cells);
  std::vector<char> is_local(cells.value.size(), 0);
  for (const Inferred& f : local) is_local[f.cell] = 1;
  if (!local.empty()) {
    for (size_t i = 0; i < constraints.size(); ++i) {
      bool unused = false;
      set_aside[i] = !FeasibleAsStated(constraints[i], cells.value, &unused);
    }
  }
  std::vector<size_t> troubled;
  for (size_t i = 0; i < set_aside.size(); ++i) {
    if (set_aside[i]) troubled.push_back(i);
  }
  std::optional<std::vector<Inferred>> inferred =
      SolveRounds(constraints, set_aside, rows, cells, &troubled);
  if (!inferred) return;
  std::vector<double> value = cells.value;
  if (notes.ocr && !troubled.empty()) {
    std::vector<Withholding> misread =
        FindMisreads(constraints, troubled, rows, cells, is_local);
    // Withdrawn together, the misread figures must let their sums settle.
    std::vector<int> withdrawn;
    for (const Withholding& w : misread) withdrawn.push_back(w.cell);
    std::vector<char> set_aside_without;
    std::vector<size_t> troubled_without;
    Cells without;
    std::optional<std::vector<Inferred>> inferred_without;
    if (!misread.empty()) {
      without = Without(cells, withdrawn, constraints, &set_aside_without,
                        &troubled_without);
      inferred_without = SolveRounds(constraints, set_aside_without, rows,
                                     without, &troubled_without);
    }
    bool settled = inferred_without.has_value();
    for (size_t i : troubled_without) {
      for (int c : withdrawn) settled &= !Touches(constraints[i], c);
    }
    if (settled) {
      std::vector<double> as_read = value;
      for (const Inferred& f : *inferred_without) as_read[f.cell] = f.value;
      for (const Withholding& w : misread) {
        // The sums agree the reading is wrong, not on what to print: it
        // is withheld, never replaced.
        double read = value[w.cell];
        const std::string& path = tables.paths[w.cell];
        std::vector<std::string> ids;
        for (size_t i : w.constraints) {
          const Constraint& c = constraints[i];
          std::string detail;
          Holds(c, as_read, &detail);
          v1::Check* check = out->report()->add_checks();
          check->set_id(c.id);
          check->set_scope(c.scope);
          check->set_passed(false);
          for (const Term& t : c.terms)
            check->add_paths(tables.paths[t.cell]);
          check->set_detail(
              absl::StrCat(detail, " (as read; ", path, " withheld)"));
          ids.push_back(absl::StrCat(c.id, " (", c.scope, ")"));
        }
        out->ClearFigure(path);
        out->Warn("figure_contradicted", path,
                  absl::StrCat("OCR read ", read, ", which breaks ",
                               absl::StrJoin(ids, " and "),
                               ", all of which put another count there; "
                               "the reading is withheld as unsure"));
      }
      for (int c : withdrawn)
        value[c] = std::numeric_limits<double>::quiet_NaN();
      inferred = std::move(inferred_without);
    }
  }
  std::vector<char> is_inferred(value.size(), 0);
  inferred->insert(inferred->begin(), local.begin(), local.end());
  for (const Inferred& f : *inferred) {
    const std::string& path = tables.paths[f.cell];
    out->SetFigure(path, f.value, f.span, /*inferred=*/true);
    out->Warn("figure_inferred", path,
              absl::StrCat("inferred ", f.value, ": ", f.how), f.span);
    value[f.cell] = f.value;
    is_inferred[f.cell] = 1;
  }
  if (notes.ocr) {
    value.resize(n);
    is_inferred.resize(n);
    WithholdContradicted(tables, is_inferred, &value, out);
  }
}

}  // namespace gongkai
