// Reading a file whole, listing a directory and the corpus's inputs in a
// stable order: what the tests, the benchmarks and the fuzz regression
// replay need of the corpus and of their own scratch files. Header only (target
// gongkai_corpus_files).
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

namespace gongkai::corpus_files {

// The file's bytes; empty if it cannot be read.
inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

// Every regular file in dir, sorted by name (so runs are comparable); empty
// if dir cannot be listed.
inline std::vector<std::filesystem::path> FilesIn(
    const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The corpus's inputs: seeds/input/* (when `seeds` is true), then
// dev/<layout>/input/* for each layout in name order.
inline std::vector<std::filesystem::path> CorpusInputs(
    const std::filesystem::path& root, bool seeds = true, bool dev = true) {
  std::vector<std::filesystem::path> files;
  if (seeds) files = FilesIn(root / "seeds" / "input");
  if (!dev) return files;
  std::vector<std::filesystem::path> layouts;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator(root / "dev", ec)) {
    if (entry.is_directory()) layouts.push_back(entry.path());
  }
  std::sort(layouts.begin(), layouts.end());
  for (const auto& layout : layouts) {
    for (auto& f : FilesIn(layout / "input")) files.push_back(std::move(f));
  }
  return files;
}

}  // namespace gongkai::corpus_files
