// What the golden and accuracy tests share: reading corpus files and the
// bundled plugins loaded once per process.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "gongkai/plugin_host.h"

namespace gongkai::testing {

// The whole file, or "" if it cannot be read (the caller asserts non-empty).
std::string ReadFile(const std::filesystem::path& path);

// The bundled plugins (GONGKAI_PLUGIN_DIR), loaded on first use; a plugin
// the host refuses is a test failure, reported once.
const PluginRegistry& BundledPlugins();

// Names of the entries of dir (files' stems or directories' names), sorted;
// empty if dir does not exist.
std::vector<std::string> SortedStems(const std::filesystem::path& dir);

}  // namespace gongkai::testing
