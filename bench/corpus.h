// Loads the benchmark documents (the corpus seeds and dev inputs) and the
// built plugins, shared by the stage benchmarks and the memory soak.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "corpus_files.h"
#include "gongkai/plugin_host.h"

namespace gongkai::bench {

struct Document {
  std::string name;   // "seeds/000_2e2a3de2", "dev/ocr/seed001"
  std::string bytes;  // as a caller would send them
  bool seed = false;
};

using corpus_files::FilesIn;
using corpus_files::ReadFile;

// The corpus dir: $GONGKAI_CORPUS_DIR if set, else the one CMake was given.
inline std::string CorpusDir() {
  const char* env = std::getenv("GONGKAI_CORPUS_DIR");
  return env != nullptr && *env != '\0' ? env : GONGKAI_CORPUS_DIR;
}

inline std::string PluginDir() {
  const char* env = std::getenv("GONGKAI_PLUGIN_DIR");
  return env != nullptr && *env != '\0' ? env : GONGKAI_PLUGIN_DIR;
}

// seeds/input/* and dev/*/input/*, empty files left out. Seed names are
// shortened to their first 12 characters (number and a hash prefix) to keep
// report lines short.
inline std::vector<Document> LoadCorpus(bool seeds_only = false) {
  std::vector<Document> docs;
  for (const auto& file :
       corpus_files::CorpusInputs(CorpusDir(), true, !seeds_only)) {
    const std::string layout = file.parent_path().parent_path().filename();
    const bool seed = layout == "seeds";
    Document d{seed ? "seeds/" + file.stem().string().substr(0, 12)
                    : "dev/" + layout + "/" + file.stem().string(),
               ReadFile(file), seed};
    if (!d.bytes.empty()) docs.push_back(std::move(d));
  }
  return docs;
}

// Loads every plugin of the build; reports refusals on stderr.
inline bool LoadPlugins(PluginRegistry* registry) {
  auto refused = registry->LoadDirectory(PluginDir());
  if (!refused.ok()) {
    std::fprintf(stderr, "cannot load plugins from %s: %s\n",
                 PluginDir().c_str(), refused.status().ToString().c_str());
    return false;
  }
  for (const auto& status : *refused) {
    std::fprintf(stderr, "plugin refused: %s\n", status.ToString().c_str());
  }
  return !registry->List().empty();
}

}  // namespace gongkai::bench
