// Reading a file whole and listing a directory in a stable order: what the
// tests, the benchmarks and the fuzz regression replay need of the corpus
// and of their own scratch files. Header only (target gongkai_corpus_files).
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

}  // namespace gongkai::corpus_files
