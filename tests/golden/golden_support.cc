// What the golden and accuracy tests share (see golden_support.h).
#include "golden_support.h"

#include <algorithm>

#include "gtest/gtest.h"

namespace gongkai::testing {

namespace fs = std::filesystem;

const PluginRegistry& BundledPlugins() {
  static const PluginRegistry* registry = [] {
    auto* r = new PluginRegistry();
    auto refused = r->LoadDirectory(GONGKAI_PLUGIN_DIR);
    if (!refused.ok()) {
      ADD_FAILURE() << refused.status();
    } else {
      for (const absl::Status& s : *refused) ADD_FAILURE() << s;
    }
    return r;
  }();
  return *registry;
}

std::vector<std::string> SortedStems(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    names.push_back(e.is_directory() ? e.path().filename().string()
                                     : e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace gongkai::testing
