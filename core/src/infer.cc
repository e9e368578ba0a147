// Figures the table's arithmetic fixes uniquely (see infer.h).
#include "infer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cancel.h"
#include "labels.h"

namespace gongkai {
namespace {

constexpr double kEps = 1e-6;
constexpr int kMaxPasses = 256;  // each pass narrows a bound or ends
constexpr int kMaxRounds = 8;    // each round takes figures back or ends
// Readings weighed per round at most, whatever the input: bounds narrowed
// so far stay sound, so stopping early only infers less.
constexpr size_t kMaxBoxes = 200000;

// One cross-check as an equation: sum of coef * figure = 0.
struct Constraint {
  std::string id;
  std::string scope;
  std::vector<std::pair<std::string, int>> terms;
};

std::vector<Constraint> BuildConstraints(v1::Template t) {
  std::vector<Constraint> out;
  const int bit = TemplateBit(t);
  if (bit == 0) return out;
  std::vector<std::string> parts, columns;
  for (const ColumnSpec& c : ApplicantColumns()) {
    columns.push_back(std::string(c.key));
    if (c.key != "total") parts.push_back(std::string(c.key));
  }
  auto path = [](std::string_view row, std::string_view col) {
    return "applications." + std::string(row) + "." + std::string(col);
  };
  for (const RowSpec& r : ApplicationRows()) {
    if (!(r.templates & bit)) continue;
    Constraint c{"applications.row_total", std::string(r.key), {}};
    for (const std::string& p : parts) c.terms.push_back({path(r.key, p), 1});
    c.terms.push_back({path(r.key, "total"), -1});
    out.push_back(std::move(c));
  }
  for (const std::string& col : columns) {
    out.push_back({"applications.balance",
                   col,
                   {{path("new_received", col), 1},
                    {path("carried_over", col), 1},
                    {path("total_handled", col), -1},
                    {path("carried_forward", col), -1}}});
    Constraint c{"applications.handled_sum", col, {}};
    for (const RowSpec& r : ApplicationRows()) {
      if (r.outcome && (r.templates & bit)) c.terms.push_back({path(r.key, col), 1});
    }
    c.terms.push_back({path("total_handled", col), -1});
    out.push_back(std::move(c));
  }
  for (std::string_view g : ReviewGroups()) {
    Constraint c{"reviews.group_total", std::string(g), {}};
    for (std::string_view col : ReviewColumns()) {
      c.terms.push_back({"reviews." + std::string(g) + "." + std::string(col),
                         col == "total" ? -1 : 1});
    }
    out.push_back(std::move(c));
  }
  return out;
}

// What inference needs of a template, which depends on nothing else: built
// once per template rather than for every document.
struct TemplateTables {
  std::vector<Constraint> constraints;
  std::set<std::string> paths;  // TemplatePaths
};

const TemplateTables& TablesOf(v1::Template t) {
  static const auto* tables = [] {
    auto* out = new std::map<int, TemplateTables>();
    const auto* e = v1::Template_descriptor();
    for (int i = 0; i < e->value_count(); ++i) {
      auto v = static_cast<v1::Template>(e->value(i)->number());
      std::vector<std::string> paths = TemplatePaths(v);
      (*out)[v] = {BuildConstraints(v), {paths.begin(), paths.end()}};
    }
    return out;
  }();
  static const auto* none = new TemplateTables();
  auto it = tables->find(t);
  return it != tables->end() ? it->second : *none;
}

struct Inferred {
  double value = 0;
  Span span;
  std::string how;
};

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Bounds {
  double lo = 0;
  double hi = kInf;
};

// One attempt at inference, with some cells barred from it and some
// constraints set aside. Every cell gets bounds [lo, hi] (no count is
// negative); each cross-check narrows the bounds of its cells from the
// bounds of the others, and each OCR row keeps only the readings that fit
// them, until nothing changes. A cell whose bounds meet is fixed: any other
// value would break a sum or leave no reading of its row.
class Solver {
 public:
  Solver(const InferenceNotes& notes, const v1::Report& report,
         const std::vector<Constraint>& constraints,
         const std::set<size_t>& set_aside,
         const std::set<std::string>& template_paths,
         const std::set<std::string>& barred)
      : notes_(notes),
        report_(report),
        constraints_(constraints),
        set_aside_(set_aside),
        template_paths_(template_paths),
        barred_(barred) {
    for (const OpenRow& row : notes_.open_rows) {
      std::vector<size_t> keep;
      for (size_t k = 0; k < row.candidates.size(); ++k) {
        if (row.candidates[k].size() == row.paths.size()) keep.push_back(k);
      }
      allowed_.push_back(std::move(keep));
    }
  }

  // Narrows until nothing changes. Returns the index of a constraint that
  // proved impossible (to be set aside by the caller), or -1.
  int Run() {
    for (const Constraint& c : constraints_) {
      for (const auto& [p, coef] : c.terms) {
        if (!bounds_.count(p)) bounds_[p] = Initial(p);
      }
    }
    for (const OpenRow& row : notes_.open_rows) {
      for (const std::string& p : row.paths) {
        if (!bounds_.count(p)) bounds_[p] = Initial(p);
      }
    }
    // Each term's bounds looked up once: Narrow reads every other term of a
    // constraint for each term, every pass, and those string-keyed lookups
    // were most of inference's time. std::map nodes never move.
    std::vector<std::vector<Bounds*>> term_bounds;
    for (const Constraint& c : constraints_) {
      std::vector<Bounds*>& tb = term_bounds.emplace_back();
      for (const auto& [p, coef] : c.terms) tb.push_back(&bounds_[p]);
    }
    for (int pass = 0; pass < kMaxPasses && boxes_ < kMaxBoxes; ++pass) {
      if (ExtractionCancelled()) return -2;  // the caller discards it all
      bool changed = false;
      for (size_t i = 0; i < constraints_.size(); ++i) {
        if (set_aside_.count(i)) continue;
        int r = Narrow(constraints_[i], term_bounds[i], &changed);
        if (r < 0) return static_cast<int>(i);
      }
      if (!FilterRows(&changed)) return -2;
      if (!changed) break;
    }
    Collect();
    return -1;
  }

  const std::map<std::string, Inferred>& inferred() const { return inferred_; }

  bool Known(const std::string& path, double* v) const {
    auto it = inferred_.find(path);
    if (it != inferred_.end()) {
      *v = it->second.value;
      return true;
    }
    return GetFigure(report_, path, v);
  }

 private:
  Bounds Initial(const std::string& path) const {
    double v;
    if (GetFigure(report_, path, &v)) return {v, v};
    return {};
  }

  bool Eligible(const std::string& path) const {
    double unused;
    return template_paths_.count(path) && !notes_.blank.count(path) &&
           !barred_.count(path) && !GetFigure(report_, path, &unused);
  }

  bool Tighten(const std::string& p, double lo, double hi, bool* changed) {
    return Tighten(bounds_[p], lo, hi, changed);
  }

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

  // Each term of sum(coef * x) = 0 lies between what the others allow.
  // tb[i]: the bounds of c.terms[i].
  int Narrow(const Constraint& c, const std::vector<Bounds*>& tb,
             bool* changed) {
    for (size_t i = 0; i < c.terms.size(); ++i) {
      double max_rest = 0, min_rest = 0;  // bounds of sum over j != i
      for (size_t j = 0; j < c.terms.size(); ++j) {
        if (j == i) continue;
        const Bounds& b = *tb[j];
        if (c.terms[j].second > 0) {
          max_rest += b.hi;
          min_rest += b.lo;
        } else {
          max_rest -= b.lo;
          min_rest -= b.hi;
        }
      }
      // coef * x = -rest
      double lo, hi;
      if (c.terms[i].second > 0) {
        lo = -max_rest;
        hi = -min_rest;
      } else {
        lo = min_rest;
        hi = max_rest;
      }
      if (!Tighten(*tb[i], std::max(lo, 0.0), hi, changed))
        return -1;
    }
    return 0;
  }

  // The constraints that hold a cell of open row r.
  const std::vector<size_t>& Touching(size_t r) {
    auto it = touching_.find(r);
    if (it != touching_.end()) return it->second;
    std::vector<size_t>& out = touching_[r];
    const OpenRow& row = notes_.open_rows[r];
    std::set<std::string> cells(row.paths.begin(), row.paths.end());
    for (size_t i = 0; i < constraints_.size(); ++i) {
      if (set_aside_.count(i)) continue;
      for (const auto& [p, coef] : constraints_[i].terms) {
        if (cells.count(p)) {
          out.push_back(i);
          break;
        }
      }
    }
    return out;
  }

  // The bounds of a row's cells with one reading in place: its figures, and
  // what the sums then allow for the cells it leaves unread (other cells at
  // their bounds). False if some sum can then not hold.
  bool Box(size_t r, const OcrCandidate& cand, std::vector<Bounds>* box) {
    ++boxes_;
    const OpenRow& row = notes_.open_rows[r];
    box->assign(row.paths.size(), Bounds{});
    std::map<std::string, size_t> at;
    for (size_t k = 0; k < row.paths.size(); ++k) {
      at[row.paths[k]] = k;
      Bounds b = bounds_[row.paths[k]];
      if (cand[k].value) {
        double v = *cand[k].value;
        if (v < b.lo - kEps || v > b.hi + kEps) return false;
        b = {v, v};
      }
      (*box)[k] = b;
    }
    auto get = [&](const std::string& p) {
      auto it = at.find(p);
      return it != at.end() ? (*box)[it->second] : bounds_[p];
    };
    for (int step = 0; step < 4; ++step) {
      bool changed = false;
      for (size_t i : Touching(r)) {
        const Constraint& c = constraints_[i];
        for (size_t t = 0; t < c.terms.size(); ++t) {
          auto it = at.find(c.terms[t].first);
          if (it == at.end()) continue;
          double max_rest = 0, min_rest = 0;
          for (size_t j = 0; j < c.terms.size(); ++j) {
            if (j == t) continue;
            Bounds b = get(c.terms[j].first);
            if (c.terms[j].second > 0) {
              max_rest += b.hi;
              min_rest += b.lo;
            } else {
              max_rest -= b.lo;
              min_rest -= b.hi;
            }
          }
          double lo = c.terms[t].second > 0 ? -max_rest : min_rest;
          double hi = c.terms[t].second > 0 ? -min_rest : max_rest;
          Bounds& b = (*box)[it->second];
          lo = std::ceil(std::max(lo, 0.0) - kEps);
          hi = std::floor(hi + kEps);
          if (lo > b.lo + kEps) {
            b.lo = lo;
            changed = true;
          }
          if (hi < b.hi - kEps) {
            b.hi = hi;
            changed = true;
          }
          if (b.lo > b.hi + kEps) return false;
        }
      }
      if (!changed) break;
    }
    return true;
  }

  // Drops the readings of each OCR row the bounds rule out, and narrows the
  // row's cells to what the remaining readings allow.
  bool FilterRows(bool* changed) {
    for (size_t r = 0; r < notes_.open_rows.size(); ++r) {
      if (ExtractionCancelled()) return false;
      const OpenRow& row = notes_.open_rows[r];
      std::vector<size_t>& keep = allowed_[r];
      if (keep.empty()) continue;
      std::vector<size_t> next;
      std::vector<Bounds> hull(row.paths.size(), Bounds{kInf, -kInf});
      for (size_t k : keep) {
        std::vector<Bounds> box;
        if (!Box(r, row.candidates[k], &box)) continue;
        next.push_back(k);
        for (size_t c = 0; c < box.size(); ++c) {
          hull[c].lo = std::min(hull[c].lo, box[c].lo);
          hull[c].hi = std::max(hull[c].hi, box[c].hi);
        }
      }
      if (next.size() != keep.size()) *changed = true;
      if (next.empty()) {
        // No reading fits: the row (or a figure the sums rest on) was
        // misread. Leave it to the checks.
        keep.clear();
        continue;
      }
      keep = std::move(next);
      for (size_t c = 0; c < row.paths.size(); ++c) {
        if (!Tighten(row.paths[c], hull[c].lo, hull[c].hi, changed))
          return false;
      }
    }
    return true;
  }

  void Collect() {
    for (const auto& [p, b] : bounds_) {
      if (ExtractionCancelled()) return;
      if (!Eligible(p) || b.hi - b.lo > kEps || b.lo < 0) continue;
      Inferred f;
      f.value = b.lo;
      f.how = "the table's sums (勾稽关系) leave no other value";
      // A figure one OCR row read, when all its remaining readings agree on
      // the cell it came from.
      for (size_t r = 0; r < notes_.open_rows.size(); ++r) {
        const OpenRow& row = notes_.open_rows[r];
        for (size_t c = 0; c < row.paths.size(); ++c) {
          if (row.paths[c] != p || allowed_[r].empty()) continue;
          int source = -2;
          for (size_t k : allowed_[r]) {
            const OcrCell& cell = row.candidates[k][c];
            int s = cell.value && std::fabs(*cell.value - b.lo) < kEps
                        ? cell.source
                        : -1;
            source = source == -2 || source == s ? s : -1;
          }
          if (source >= 0 && static_cast<size_t>(source) < row.sources.size()) {
            f.span = row.sources[source];
            f.how = absl::StrCat("OCR read this row ", row.candidates.size(),
                                 " ways; the table's sums (勾稽关系) allow ",
                                 allowed_[r].size(),
                                 ", and all of them read this figure here");
          }
        }
      }
      inferred_[p] = std::move(f);
    }
  }

  const InferenceNotes& notes_;
  const v1::Report& report_;
  const std::vector<Constraint>& constraints_;
  const std::set<size_t>& set_aside_;
  const std::set<std::string>& template_paths_;
  const std::set<std::string>& barred_;
  std::map<std::string, Bounds> bounds_;
  std::vector<std::vector<size_t>> allowed_;  // readings left, per open row
  std::map<size_t, std::vector<size_t>> touching_;
  size_t boxes_ = 0;  // readings weighed so far, against kMaxBoxes
  std::map<std::string, Inferred> inferred_;
};

// The inferred figures that sit in a cross-check the finished figures break.
std::set<std::string> Broken(const Solver& s,
                             const std::vector<Constraint>& constraints) {
  std::set<std::string> out;
  for (const Constraint& c : constraints) {
    double k = 0;
    bool complete = true, has_inferred = false;
    for (const auto& [p, coef] : c.terms) {
      double v;
      if (!s.Known(p, &v)) {
        complete = false;
        break;
      }
      k += coef * v;
      has_inferred = has_inferred || s.inferred().count(p);
    }
    if (!complete || !has_inferred || std::fabs(k) < kEps) continue;
    for (const auto& [p, coef] : c.terms) {
      if (s.inferred().count(p)) out.insert(p);
    }
  }
  return out;
}

// Whether the stated figures alone can satisfy a constraint (unknowns >= 0).
// Clears *all_stated if one of its figures is not stated.
bool FeasibleAsStated(const Constraint& c, const v1::Report& report,
                      bool* all_stated) {
  double k = 0;
  bool plus = false, minus = false;
  for (const auto& [p, coef] : c.terms) {
    double v;
    if (GetFigure(report, p, &v)) {
      k += coef * v;
    } else if (coef > 0) {
      plus = true;
    } else {
      minus = true;
    }
  }
  if (plus || minus) *all_stated = false;
  if (std::fabs(k) < kEps) return true;
  return (k < 0 && plus) || (k > 0 && minus);
}

// A check over the report's current figures: nullopt if one is missing,
// else whether it holds and its detail.
std::optional<bool> Holds(const Constraint& c, const v1::Report& report,
                          std::string* detail) {
  std::string left, right;
  double k = 0;
  for (const auto& [p, coef] : c.terms) {
    double v;
    if (!GetFigure(report, p, &v)) return std::nullopt;
    k += coef * v;
    std::string& side = coef > 0 ? left : right;
    absl::StrAppend(&side, side.empty() ? "" : " + ", v);
  }
  bool ok = std::fabs(k) < kEps;
  if (detail) *detail = absl::StrCat(left, ok ? " = " : " != ", right);
  return ok;
}

// The value of `path` that would make the constraint hold, all its other
// figures as they are.
std::optional<double> Implied(const Constraint& c, const std::string& path,
                              const v1::Report& report) {
  double k = 0;
  int coef_of_path = 0;
  for (const auto& [p, coef] : c.terms) {
    if (p == path) {
      coef_of_path = coef;
      continue;
    }
    double v;
    if (!GetFigure(report, p, &v)) return std::nullopt;
    k += coef * v;
  }
  if (coef_of_path == 0) return std::nullopt;
  return -k / coef_of_path;
}

// OCR only: a figure read that two failing checks share, and no passing
// check vouches for, and for which both checks imply the same count, is
// where the reading went wrong (a row and a column cross there). It is withheld -- absent, with a warning and the two failed
// checks reported as they stood -- rather than changed: the arithmetic
// says the reading is wrong, not what the document printed.
void WithholdContradicted(const std::vector<Constraint>& constraints,
                          ReportWriter* out) {
  const v1::Report& report = *out->report();
  std::vector<size_t> failing;
  std::set<std::string> vouched;
  for (size_t i = 0; i < constraints.size(); ++i) {
    std::optional<bool> ok = Holds(constraints[i], report, nullptr);
    if (!ok) continue;
    if (*ok) {
      for (const auto& [p, coef] : constraints[i].terms) vouched.insert(p);
    } else {
      failing.push_back(i);
    }
  }
  std::set<std::string> inferred;
  for (const v1::Evidence& e : report.evidence()) {
    if (e.inferred()) inferred.insert(e.path());
  }
  struct Withheld {
    std::string path;
    size_t a, b;
  };
  std::vector<Withheld> withheld;
  for (size_t x = 0; x < failing.size(); ++x) {
    for (size_t y = x + 1; y < failing.size(); ++y) {
      std::vector<std::string> shared;
      for (const auto& [p, c1] : constraints[failing[x]].terms) {
        for (const auto& [q, c2] : constraints[failing[y]].terms) {
          if (p == q) shared.push_back(p);
        }
      }
      if (shared.size() != 1 || vouched.count(shared[0]) ||
          inferred.count(shared[0]))
        continue;
      // A single misreading: both sums put the same count in its place.
      std::optional<double> a = Implied(constraints[failing[x]], shared[0], report);
      std::optional<double> b = Implied(constraints[failing[y]], shared[0], report);
      if (a && b && std::fabs(*a - *b) < kEps && *a >= 0) {
        withheld.push_back({shared[0], failing[x], failing[y]});
      }
    }
  }
  for (const Withheld& w : withheld) {
    double v;
    if (!GetFigure(report, w.path, &v)) continue;  // already withheld
    for (size_t i : {w.a, w.b}) {
      const Constraint& c = constraints[i];
      std::string detail;
      Holds(c, report, &detail);
      v1::Check* check = out->report()->add_checks();
      check->set_id(c.id);
      check->set_scope(c.scope);
      check->set_passed(false);
      for (const auto& [p, coef] : c.terms) check->add_paths(p);
      check->set_detail(absl::StrCat(detail, " (as read; ", w.path,
                                     " withheld)"));
    }
    out->ClearFigure(w.path);
    out->Warn("figure_contradicted", w.path,
              absl::StrCat("OCR read ", v, ", which breaks both ",
                           constraints[w.a].id, " (", constraints[w.a].scope,
                           ") and ", constraints[w.b].id, " (",
                           constraints[w.b].scope,
                           "); the reading is withheld as unsure"));
  }
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
  const std::set<std::string>& template_paths = tables.paths;
  // A sum the stated figures already break says nothing about the figures
  // missing from it: it is left to the checks.
  std::set<size_t> set_aside;
  bool all_stated = notes.open_rows.empty();
  for (size_t i = 0; i < constraints.size(); ++i) {
    if (!FeasibleAsStated(constraints[i], report, &all_stated)) {
      set_aside.insert(i);
    }
  }
  // Every figure of every sum stated and no OCR row open (a clean report):
  // no cell is eligible, so the solver would infer nothing. Skip it.
  if (all_stated) {
    if (notes.ocr) WithholdContradicted(constraints, out);
    return;
  }
  std::set<std::string> barred;
  for (int round = 0; round < kMaxRounds; ++round) {
    Solver solver(notes, report, constraints, set_aside, template_paths,
                  barred);
    int impossible = solver.Run();
    if (impossible == -2) return;  // the OCR rows contradict the sums
    if (impossible >= 0) {
      // The stated figures, together, break this sum: set it aside.
      set_aside.insert(static_cast<size_t>(impossible));
      continue;
    }
    std::set<std::string> broken = Broken(solver, constraints);
    if (broken.empty()) {
      for (const auto& [path, f] : solver.inferred()) {
        out->SetFigure(path, f.value, f.span, /*inferred=*/true);
        out->Warn("figure_inferred", path,
                  absl::StrCat("inferred ", f.value, ": ", f.how), f.span);
      }
      if (notes.ocr) WithholdContradicted(constraints, out);
      return;
    }
    // Figures that break a sum were not fixed after all: bar them and try
    // again without them (and so without what followed from them).
    barred.insert(broken.begin(), broken.end());
  }
}

}  // namespace gongkai
