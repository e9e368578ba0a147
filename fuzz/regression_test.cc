// Replays every input kept in fuzz/regressions/<target>/ (each once crashed
// or hung that target) and the corpus seeds through the fuzz entry functions,
// so the normal build and the sanitizer build keep them fixed. Passing means
// no crash, no sanitizer report and no broken invariant (those abort).
#include <filesystem>
#include <string>
#include <vector>

#include "corpus_files.h"
#include "fuzz_targets.h"
#include "gtest/gtest.h"

namespace gongkai::fuzz {
namespace {

namespace fs = std::filesystem;

using corpus_files::FilesIn;
using corpus_files::ReadFile;

void Replay(const std::string& target, const fs::path& file) {
  SCOPED_TRACE(target + " <- " + file.string());
  std::string bytes = ReadFile(file);
  EXPECT_EQ(RunTarget(target, reinterpret_cast<const uint8_t*>(bytes.data()),
                      bytes.size()),
            0);
}

// A directory under regressions/ that names no target would never be
// replayed: a typo there would silently drop a regression.
TEST(FuzzRegressionTest, EveryRegressionDirNamesATarget) {
  std::vector<std::string> targets = TargetNames();
  std::error_code ec;
  for (const auto& e :
       fs::directory_iterator(GONGKAI_FUZZ_REGRESSIONS_DIR, ec)) {
    if (!e.is_directory()) continue;
    std::string name = e.path().filename().string();
    EXPECT_NE(std::find(targets.begin(), targets.end(), name), targets.end())
        << "fuzz/regressions/" << name << " is not a fuzz target";
  }
}

TEST(FuzzRegressionTest, KeptInputsStayFixed) {
  size_t replayed = 0;
  for (const std::string& target : TargetNames()) {
    for (const auto& file :
         FilesIn(fs::path(GONGKAI_FUZZ_REGRESSIONS_DIR) / target)) {
      Replay(target, file);
      ++replayed;
    }
  }
  RecordProperty("replayed", static_cast<int>(replayed));
}

// The seeds exercise every entry function end to end (and so check the
// fuzz harness itself still loads the plugins and reads real documents).
TEST(FuzzRegressionTest, SeedsRunThroughEveryTarget) {
  std::vector<fs::path> seeds =
      FilesIn(fs::path(GONGKAI_CORPUS_DIR) / "seeds" / "input");
  if (seeds.empty()) GTEST_SKIP() << "no corpus seeds";
  for (const std::string& target : TargetNames()) {
    for (const auto& file : seeds) Replay(target, file);
  }
}

}  // namespace
}  // namespace gongkai::fuzz
