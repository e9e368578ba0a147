// Figures a report lost (OCR drops digits, misreads cells) but whose table's
// own arithmetic (勾稽关系, the cross-checks of check.h) fixes uniquely.
//
// When inference is allowed: in every document, but only
//   - into a template cell that has no figure and that the document does not
//     state as blank (a blank stays absent, whatever the sums say);
//   - with a value the arithmetic fixes uniquely, as a nonnegative integer:
//     a cross-check with one figure missing; a cross-check whose known parts
//     already reach its total (the missing parts are 0, as no count is
//     negative); and, for an OCR row read several ways, the value every
//     reading the arithmetic still allows agrees on;
//   - and never against a stated figure: when the finished figures break a
//     cross-check that holds an inferred figure, that figure is taken back
//     (and what depended on it), and the stated figures stand with the
//     failed check for the reader to see. One exception: a figure an OCR
//     row's own sums fix in every reading of the row, where every reading
//     balances with its lost cells at 0 (six zeros read of seven cells), is
//     as sure as the reading itself and stands like a stated one.
// Clean text (HTML, converters) rarely loses a figure, so there inference
// seldom has work; OCR loses many, which is where it earns its keep. The
// rules are the same for both: they only ever add a figure the report's own
// sums already imply, so they cannot make a correct reading wrong.
// Every inferred figure carries Evidence.inferred = true and a warning
// "figure_inferred" saying how it was found.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "evidence.h"
#include "gongkai/layout.h"
#include "ocr_cells.h"

namespace gongkai {

// A row of an OCR table whose figures could be read in more than one way:
// the readings (over the row's template columns) for arithmetic to choose.
struct OpenRow {
  std::vector<std::string> paths;         // contract path of each column
  std::vector<OcrCandidate> candidates;   // as ocr_cells.h reads them
  std::vector<Span> sources;              // span of each value cell
};

// What the interpreter hands to inference besides the report.
struct InferenceNotes {
  std::set<std::string> blank;  // template paths the document leaves blank
  std::vector<OpenRow> open_rows;
  bool ocr = false;
};

// Adds the figures the report's arithmetic fixes (see above) to the report
// held by `out`, with evidence and warnings. Call before RunChecks, so the
// checks see them.
void InferFigures(const InferenceNotes& notes, ReportWriter* out);

}  // namespace gongkai
