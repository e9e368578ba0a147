// Loads one plugin library through the gongkai host and runs it on a file:
//   plugin_load_check <libgongkai_x.so> <input> [min_rows]
// Prints the plugin, its detect score and the layout it read; exits non-zero
// if loading or extracting fails or fewer than min_rows table rows come out.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "gongkai/plugin_host.h"

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::cerr << "usage: " << argv[0] << " <plugin.so> <input> [min_rows]\n";
    return 2;
  }
  size_t min_rows = argc == 4 ? std::strtoul(argv[3], nullptr, 10) : 0;
  std::ifstream in(argv[2], std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << argv[2] << "\n";
    return 2;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();

  gongkai::PluginRegistry registry;
  absl::Status status = registry.LoadFile(argv[1]);
  if (!status.ok()) {
    std::cerr << "load failed: " << status << "\n";
    return 1;
  }
  for (const auto& d : registry.List()) {
    std::cout << "plugin " << d.name << " " << d.version << " (ABI "
              << d.abi_version << "): " << d.description << "\n";
  }
  for (const auto& score : registry.Detect(text)) {
    std::cout << "detect " << score.name << " = " << score.score << "\n";
  }
  const std::string name = registry.List().front().name;
  absl::StatusOr<gongkai::Layout> layout = registry.Extract(name, text);
  if (!layout.ok()) {
    std::cerr << "extract failed: " << layout.status() << "\n";
    return 1;
  }
  size_t paragraphs = 0, rows = 0, cells = 0;
  for (const auto& block : layout->blocks) {
    if (block.kind == gongkai::Block::Kind::kParagraph) {
      ++paragraphs;
      std::cout << "paragraph: "
                << text.substr(block.span.begin,
                               block.span.end - block.span.begin)
                << "\n";
      continue;
    }
    std::cout << "table:\n";
    for (const auto& row : block.table.rows) {
      ++rows;
      cells += row.cells.size();
      std::cout << "  row:";
      for (const auto& cell : row.cells) std::cout << " [" << cell.text << "]";
      std::cout << "\n";
    }
  }
  for (const auto& warning : layout->warnings) {
    std::cout << "warning: " << warning.message << "\n";
  }
  std::cout << "blocks " << layout->blocks.size() << ", paragraphs "
            << paragraphs << ", rows " << rows << ", cells " << cells << "\n";
  if (layout->blocks.empty() || rows < min_rows) {
    std::cerr << "expected at least " << min_rows << " rows\n";
    return 1;
  }
  return 0;
}
