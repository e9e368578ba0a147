// What the golden and accuracy tests share: the bundled plugins loaded once
// per process and the corpus's names (files are read with corpus_files.h).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "corpus_files.h"
#include "gongkai/plugin_host.h"

namespace gongkai::testing {

using corpus_files::ReadFile;  // "" if unreadable: the caller asserts

// The bundled plugins (GONGKAI_PLUGIN_DIR), loaded on first use; a plugin
// the host refuses is a test failure, reported once.
const PluginRegistry& BundledPlugins();

// Names of the entries of dir (files' stems or directories' names), sorted;
// empty if dir does not exist.
std::vector<std::string> SortedStems(const std::filesystem::path& dir);

}  // namespace gongkai::testing
