// The cross-checks of the report's own arithmetic (勾稽关系), and the figures
// that arithmetic fixes uniquely where the document lost them.
#pragma once

#include "gongkai/v1/report.pb.h"

namespace gongkai {

// Appends one Check per rule and scope the report's figures allow.
void RunChecks(v1::Report* report);

}  // namespace gongkai
