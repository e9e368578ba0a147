// Layout -> Report: the format-neutral reading of a report (sections,
// template, table labels to contract keys, figures, document fields,
// evidence). Knows nothing of any plugin's format.
#pragma once

#include "absl/strings/string_view.h"
#include "gongkai/layout.h"
#include "gongkai/normalize.h"
#include "gongkai/v1/report.pb.h"

namespace gongkai {

struct InferenceNotes;  // core/src/infer.h

// Fills report from layout. `original` is the document as the caller sent
// it; evidence spans are mapped through doc.origin back into it. Never
// fails: what cannot be read becomes a warning. `notes`, if given, receives
// what arithmetic inference needs besides the report (blank cells, OCR rows
// read several ways).
void Interpret(absl::string_view original, const NormalizedText& doc,
               const Layout& layout, v1::Report* report,
               InferenceNotes* notes = nullptr);

}  // namespace gongkai
