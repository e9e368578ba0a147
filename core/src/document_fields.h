// Reads the document's own fields: agency, year, published_on and contact.
#pragma once

#include "evidence.h"
#include "gongkai/layout.h"
#include "gongkai/normalize.h"

namespace gongkai {

void ReadDocumentFields(const NormalizedText& doc, const Layout& layout,
                        ReportWriter* out);

}  // namespace gongkai
