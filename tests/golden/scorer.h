// Scores a report against hand-checked truth with the rules of
// ../shared/tools/score.py: stated figures exact, missing, wrong, invented.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gongkai/v1/report.pb.h"

namespace gongkai::testing {

struct Score {
  int cells = 0, cells_ok = 0, missing = 0, wrong = 0, invented = 0;
  int doc = 0, doc_ok = 0;
  std::vector<std::string> problems;  // one line per miss, as score.py says
  std::vector<std::string> wrong_paths;  // the figures counted in `wrong`

  // Adds another document's counts (problems are left to the caller).
  void Add(const Score& other);
};

// truth_json: a flat truth file (see corpus/seeds/README.md).
absl::StatusOr<Score> ScoreReport(const std::string& truth_json,
                                  const v1::Report& report);

}  // namespace gongkai::testing
