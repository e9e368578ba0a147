// Figures whose table cells ran together (GK_HINT_RUN_TOGETHER):
// "行政许可3960181" is 396, 0, 181 only where the template's columns and the
// table's own arithmetic allow that one reading. Rewrites such a layout
// into the shape the interpreter reads: one cell per figure.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gongkai/layout.h"
#include "gongkai/v1/report.pb.h"

namespace gongkai {

struct SplitWarning {
  std::string code;  // "split_by_arithmetic" or "split_ambiguous"
  std::string path;  // the row ("applications.granted") or "reviews"
  std::string message;
  Span span;
};

struct SplitLayout {
  Layout layout;
  std::vector<SplitWarning> warnings;
};

// Rewrites `layout`, read from `text` (the normalized document): a section
// heading that opens a paragraph or a text cell becomes a block of its own;
// the digit runs of each template row become one cell per figure, with
// spans on the digits, when exactly one reading survives the template's
// column count and the table's arithmetic (a row's total, the balance
// 一+二 = 三(七)+四, the outcome rows' sum, the review groups' totals --
// each used only where the document's determined figures obey it);
// otherwise the row keeps its label alone and a warning says why. Runs
// that belong to no template row are dropped. Work is bounded on any input.
SplitLayout SplitRunTogether(std::string_view text, const Layout& layout,
                             v1::Template tmpl);

// ---- The pieces, exposed for tests. ----

// What one column accepts.
struct ColumnRule {
  bool negative = false;  // may be negative (本年增/减)
  bool decimal = false;   // may have a fractional part (万元 amounts)
};

// A run of digits as the document wrote it: [-]digits[,ddd...][.digits].
struct DigitRun {
  std::string text;
  Span span;  // where text sits in the document
};

// One reading of a row: a figure per column and the span of its digits.
struct Reading {
  std::vector<double> values;
  std::vector<Span> spans;
};

// Every reading of `runs` as exactly columns.size() figures in order (each
// run gives one or more whole figures; no figure has a leading zero, a
// single 0 excepted), that `accept` (if set) accepts. Returns at most
// `limit` readings; *complete is false if it stopped before trying them
// all (the limit, or `*budget` steps of search, which it decrements).
std::vector<Reading> ReadingsOf(
    const std::vector<DigitRun>& runs, const std::vector<ColumnRule>& columns,
    const std::function<bool(const std::vector<double>&)>& accept, size_t limit,
    size_t* budget, bool* complete);

}  // namespace gongkai
