// Tests of the plugin host (loading, refusing, detect, extract and the
// layout sink's defences), the C++ plugin SDK, and the three bundled plugins
// as built, on the seed reports.
#include "gongkai/plugin_host.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gongkai/normalize.h"
#include "gongkai/plugin.h"
#include "gongkai/plugin_abi.h"
#include "gtest/gtest.h"

namespace gongkai {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

const char* const kBundled[] = {"clean_text", "ocr_layout", "tab_separated"};

// ---------------------------------------------------------------------------
// Helpers

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string CellTexts(const Row& row) {
  std::string out;
  for (const auto& cell : row.cells) absl::StrAppend(&out, "[", cell.text, "]");
  return out;
}

// A canonical dump, to compare layouts.
std::string Dump(const Layout& layout) {
  std::string out =
      absl::StrCat("ocr=", layout.ocr, " rt=", layout.run_together, "\n");
  for (const auto& block : layout.blocks) {
    absl::StrAppend(&out, block.kind == Block::Kind::kTable ? "T" : "P", " ",
                    block.span.begin, "-", block.span.end, "\n");
    for (const auto& row : block.table.rows) {
      for (const auto& cell : row.cells) {
        absl::StrAppend(&out, " ", cell.span.begin, "-", cell.span.end, ":",
                        cell.text);
      }
      out += "\n";
    }
  }
  for (const auto& w : layout.warnings) absl::StrAppend(&out, "W ", w.message);
  return out;
}

// Every span lies in the text; a table is non-empty and spans its cells.
void ExpectSane(const Layout& layout, absl::string_view text) {
  for (const auto& block : layout.blocks) {
    EXPECT_LE(block.span.begin, block.span.end);
    EXPECT_LE(block.span.end, text.size());
    if (block.kind != Block::Kind::kTable) continue;
    EXPECT_FALSE(block.table.rows.empty());
    for (const auto& row : block.table.rows) {
      EXPECT_FALSE(row.cells.empty());
      for (const auto& cell : row.cells) {
        EXPECT_LE(cell.span.begin, cell.span.end);
        EXPECT_LE(cell.span.end, text.size());
        EXPECT_GE(cell.span.begin, block.span.begin);
        EXPECT_LE(cell.span.end, block.span.end);
      }
    }
  }
  for (const auto& w : layout.warnings) EXPECT_LE(w.span.end, text.size());
}

std::vector<const Row*> AllRows(const Layout& layout) {
  std::vector<const Row*> rows;
  for (const auto& block : layout.blocks) {
    for (const auto& row : block.table.rows) rows.push_back(&row);
  }
  return rows;
}

// The first row with a cell whose text is exactly one of labels.
const Row* FindRow(const Layout& layout,
                   std::initializer_list<absl::string_view> labels,
                   size_t* cell_index = nullptr) {
  for (const Row* row : AllRows(layout)) {
    for (size_t i = 0; i < row->cells.size(); ++i) {
      for (absl::string_view label : labels) {
        if (row->cells[i].text == label) {
          if (cell_index != nullptr) *cell_index = i;
          return row;
        }
      }
    }
  }
  return nullptr;
}

// The first row with a cell whose text starts with one of prefixes.
const Row* FindRowStartingWith(
    const Layout& layout, std::initializer_list<absl::string_view> prefixes,
    size_t* cell_index) {
  for (const Row* row : AllRows(layout)) {
    for (size_t i = 0; i < row->cells.size(); ++i) {
      for (absl::string_view prefix : prefixes) {
        if (absl::StartsWith(row->cells[i].text, prefix)) {
          *cell_index = i;
          return row;
        }
      }
    }
  }
  return nullptr;
}

bool IsNumber(absl::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '.';
  });
}

std::vector<std::string> Paragraphs(const Layout& layout,
                                    absl::string_view text) {
  std::vector<std::string> out;
  for (const auto& block : layout.blocks) {
    if (block.kind == Block::Kind::kParagraph) {
      out.emplace_back(
          text.substr(block.span.begin, block.span.end - block.span.begin));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Plugins linked into the test: one through the C++ SDK, the others as raw
// C tables that misbehave in the ways the host must survive.

std::atomic<int> g_scripted_alive{0};

// Behaves according to the text: "throw..." throws, "invalid..." refuses,
// anything else becomes one paragraph and a 1x2 table.
class Scripted : public sdk::Plugin {
 public:
  Scripted() { ++g_scripted_alive; }
  ~Scripted() override { --g_scripted_alive; }
  int Detect(std::string_view text) const override {
    if (absl::StartsWith(absl::string_view(text.data(), text.size()),
                         "throw")) {
      throw std::runtime_error("detect exploded");
    }
    return 1000;  // the SDK clamps to 100
  }
  sdk::Status Extract(std::string_view text,
                      sdk::LayoutWriter& out) const override {
    if (text.substr(0, 5) == "throw") {
      throw std::runtime_error("extract exploded");
    }
    if (text.substr(0, 7) == "invalid") {
      return sdk::Status::InvalidInput("cannot read this");
    }
    if (text.substr(0, 8) == "internal") {
      return sdk::Status(77, "odd code");
    }
    out.Paragraph(0, 2);
    out.BeginTable();
    out.BeginRow();
    out.Cell(0, 1);
    out.Cell(1, 2, "assembled");
    out.Cell(2, 2, "");
    out.EndTable();
    out.Warning(0, 1, "a warning");
    out.Hint(GK_HINT_RUN_TOGETHER);
    return sdk::Status::Ok();
  }
};

}  // namespace
}  // namespace gongkai

GONGKAI_EXPORT_PLUGIN(gongkai::Scripted, "scripted", "9.9",
                      "test plugin through the SDK");

namespace gongkai {
namespace {

// A C table with fixed detect score, named by the test.
int g_fini_calls = 0;
int FixedDetect(void* state, const char*, size_t) {
  return static_cast<int>(reinterpret_cast<intptr_t>(state));
}
int EmptyExtract(void*, const char*, size_t, const gk_layout_sink*, char*,
                 size_t) {
  return GK_OK;
}
void CountingFini(void*) { ++g_fini_calls; }

gk_plugin MakeTable(const char* name) {
  gk_plugin table = {};
  table.abi_major = GK_ABI_MAJOR;
  table.abi_minor = GK_ABI_MINOR;
  table.name = name;
  table.version = "1";
  table.description = "test";
  table.detect = &FixedDetect;
  table.extract = &EmptyExtract;
  return table;
}

// Emits everything a careless plugin might: spans past the end, cells with
// no table or row, a paragraph inside a table, empty rows and tables, NULL
// warning text and unknown hints.
int MisbehavingExtract(void*, const char*, size_t len,
                       const gk_layout_sink* sink, char*, size_t) {
  sink->cell(sink->ctx, 0, 3, nullptr, 0);   // no table, no row
  sink->cell(sink->ctx, 5, 2, nullptr, 0);   // end before begin
  sink->paragraph(sink->ctx, 4, len + 100);  // closes the table
  sink->begin_row(sink->ctx);                // row without table
  sink->cell(sink->ctx, len + 50, len + 60, nullptr, 0);
  sink->begin_table(sink->ctx);  // implicitly ends the open one
  sink->begin_row(sink->ctx);
  sink->begin_row(sink->ctx);  // the empty row is dropped
  sink->cell(sink->ctx, 1, 2, "x", 1);
  sink->end_table(sink->ctx);
  sink->end_table(sink->ctx);    // nothing open
  sink->begin_table(sink->ctx);  // never filled: dropped
  sink->end_table(sink->ctx);
  sink->paragraph(sink->ctx, 3, 3);  // empty: dropped
  sink->warning(sink->ctx, len + 1, len + 2, nullptr);
  sink->hint(sink->ctx, 12345);
  sink->hint(sink->ctx, GK_HINT_OCR);
  return GK_OK;
}

constexpr size_t kManyCells = 400000;
int ManyCellsExtract(void*, const char*, size_t len, const gk_layout_sink* sink,
                     char*, size_t) {
  sink->begin_table(sink->ctx);
  sink->begin_row(sink->ctx);
  for (size_t i = 0; i < kManyCells; ++i) {
    sink->cell(sink->ctx, i % len, i % len + 1, nullptr, 0);
  }
  sink->end_table(sink->ctx);
  return GK_OK;
}

int RunawayExtract(void*, const char*, size_t, const gk_layout_sink* sink,
                   char*, size_t) {
  for (size_t i = 0; i < (size_t{5} << 20); ++i) sink->begin_row(sink->ctx);
  return GK_OK;
}

int FailingExtract(void*, const char*, size_t, const gk_layout_sink*, char* err,
                   size_t err_len) {
  snprintf(err, err_len, "%s", "disk on fire");
  return GK_ERROR_INTERNAL;
}

int FailingInit(void**, char* err, size_t err_len) {
  snprintf(err, err_len, "%s", "no licence");
  return GK_ERROR_INTERNAL;
}

// ---------------------------------------------------------------------------
// Registry with statically linked tables

TEST(PluginRegistryTest, RegisterChecksTheTable) {
  PluginRegistry registry;
  EXPECT_THAT(registry.Register(nullptr, "null").message(),
              HasSubstr("no plugin table"));

  gk_plugin wrong_abi = MakeTable("wrong_abi");
  wrong_abi.abi_major = 999;
  absl::Status status = registry.Register(&wrong_abi, "origin-x");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("origin-x"));
  EXPECT_THAT(status.message(), HasSubstr("999"));
  EXPECT_THAT(status.message(), HasSubstr(absl::StrCat(GK_ABI_MAJOR)));

  gk_plugin no_extract = MakeTable("no_extract");
  no_extract.extract = nullptr;
  EXPECT_THAT(registry.Register(&no_extract, "o").message(),
              HasSubstr("extract"));
  gk_plugin no_detect = MakeTable("no_detect");
  no_detect.detect = nullptr;
  EXPECT_THAT(registry.Register(&no_detect, "o").message(),
              HasSubstr("detect"));

  for (const char* bad : {"", "Upper", "with space", "dash-ed", "é"}) {
    gk_plugin bad_name = MakeTable(bad);
    EXPECT_THAT(registry.Register(&bad_name, "o").message(),
                HasSubstr("invalid plugin name"))
        << bad;
  }
  gk_plugin null_name = MakeTable("x");
  null_name.name = nullptr;
  EXPECT_FALSE(registry.Register(&null_name, "o").ok());
  std::string long_name(65, 'a');
  gk_plugin too_long = MakeTable(long_name.c_str());
  EXPECT_FALSE(registry.Register(&too_long, "o").ok());

  gk_plugin failing_init = MakeTable("failing_init");
  failing_init.init = &FailingInit;
  status = registry.Register(&failing_init, "o");
  EXPECT_THAT(status.message(), HasSubstr("no licence"));

  EXPECT_THAT(registry.List(), IsEmpty());

  gk_plugin good = MakeTable("good");
  ASSERT_TRUE(registry.Register(&good, "first").ok());
  gk_plugin duplicate = MakeTable("good");
  status = registry.Register(&duplicate, "second");
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(status.message(), HasSubstr("second"));
  EXPECT_THAT(status.message(), HasSubstr("first"));
  ASSERT_EQ(registry.List().size(), 1u);
  EXPECT_EQ(registry.List()[0].name, "good");
  EXPECT_EQ(registry.List()[0].path, "first");
  EXPECT_EQ(registry.List()[0].abi_version,
            static_cast<uint32_t>(GK_ABI_MAJOR));
}

TEST(PluginRegistryTest, FiniRunsOnDestruction) {
  g_fini_calls = 0;
  {
    PluginRegistry registry;
    gk_plugin a = MakeTable("a");
    a.fini = &CountingFini;
    ASSERT_TRUE(registry.Register(&a, "a").ok());
    EXPECT_EQ(g_fini_calls, 0);
  }
  EXPECT_EQ(g_fini_calls, 1);
}

// FixedDetect returns its state; init sets the state to a score.
template <int kScore>
int InitScore(void** state, char*, size_t) {
  *state = reinterpret_cast<void*>(static_cast<intptr_t>(kScore));
  return GK_OK;
}

TEST(PluginRegistryTest, DetectClampsAndSortsBestFirstTiesByName) {
  PluginRegistry registry;
  gk_plugin low = MakeTable("low");
  low.init = &InitScore<-40>;
  gk_plugin high = MakeTable("high");
  high.init = &InitScore<400>;
  gk_plugin tie_b = MakeTable("tie_b");
  tie_b.init = &InitScore<50>;
  gk_plugin tie_a = MakeTable("tie_a");
  tie_a.init = &InitScore<50>;
  for (gk_plugin* t : {&low, &tie_b, &high, &tie_a}) {
    ASSERT_TRUE(registry.Register(t, t->name).ok());
  }
  std::vector<PluginScore> scores = registry.Detect("anything");
  ASSERT_EQ(scores.size(), 4u);
  EXPECT_EQ(scores[0].name, "high");
  EXPECT_EQ(scores[0].score, 100);
  EXPECT_EQ(scores[1].name, "tie_a");
  EXPECT_EQ(scores[2].name, "tie_b");
  EXPECT_EQ(scores[3].name, "low");
  EXPECT_EQ(scores[3].score, 0);
  EXPECT_EQ(registry.Detect(absl::string_view()).size(), 4u);
}

TEST(PluginRegistryTest, ExtractUnknownPluginIsNotFound) {
  PluginRegistry registry;
  gk_plugin a = MakeTable("alpha");
  ASSERT_TRUE(registry.Register(&a, "a").ok());
  absl::StatusOr<Layout> layout = registry.Extract("beta", "text");
  EXPECT_EQ(layout.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(layout.status().message(), HasSubstr("beta"));
  EXPECT_THAT(layout.status().message(), HasSubstr("alpha"));
  EXPECT_TRUE(registry.Has("alpha"));
  EXPECT_FALSE(registry.Has("beta"));
}

TEST(PluginRegistryTest, ExtractErrorsCarryThePluginMessage) {
  PluginRegistry registry;
  gk_plugin failing = MakeTable("failing");
  failing.extract = &FailingExtract;
  ASSERT_TRUE(registry.Register(&failing, "f").ok());
  absl::StatusOr<Layout> layout = registry.Extract("failing", "x");
  EXPECT_EQ(layout.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(layout.status().message(), HasSubstr("disk on fire"));
}

TEST(PluginRegistryTest, SinkSurvivesAMisbehavingPlugin) {
  PluginRegistry registry;
  gk_plugin bad = MakeTable("bad");
  bad.extract = &MisbehavingExtract;
  ASSERT_TRUE(registry.Register(&bad, "b").ok());
  const std::string text = "abcdefgh";
  absl::StatusOr<Layout> layout = registry.Extract("bad", text);
  ASSERT_TRUE(layout.ok()) << layout.status();
  ExpectSane(*layout, text);
  // Implicit table with the first two cells, the clamped paragraph, an
  // implicit table for the out-of-range cell, then the explicit table.
  ASSERT_EQ(layout->blocks.size(), 4u) << Dump(*layout);
  EXPECT_EQ(layout->blocks[0].kind, Block::Kind::kTable);
  ASSERT_EQ(layout->blocks[0].table.rows.size(), 1u);
  EXPECT_EQ(CellTexts(layout->blocks[0].table.rows[0]), "[abc][]");
  EXPECT_EQ(layout->blocks[0].table.rows[0].cells[1].span.begin, 5u);
  EXPECT_EQ(layout->blocks[1].kind, Block::Kind::kParagraph);
  EXPECT_EQ(layout->blocks[1].span.begin, 4u);
  EXPECT_EQ(layout->blocks[1].span.end, text.size());
  EXPECT_EQ(CellTexts(layout->blocks[2].table.rows[0]), "[]");
  EXPECT_EQ(layout->blocks[2].table.rows[0].cells[0].span.begin, text.size());
  ASSERT_EQ(layout->blocks[3].table.rows.size(), 1u);
  EXPECT_EQ(CellTexts(layout->blocks[3].table.rows[0]), "[x]");
  ASSERT_EQ(layout->warnings.size(), 1u);
  EXPECT_EQ(layout->warnings[0].message, "");
  EXPECT_TRUE(layout->ocr);
  EXPECT_FALSE(layout->run_together);
}

TEST(PluginRegistryTest, ManyCellsAreFine) {
  PluginRegistry registry;
  gk_plugin many = MakeTable("many");
  many.extract = &ManyCellsExtract;
  ASSERT_TRUE(registry.Register(&many, "m").ok());
  absl::StatusOr<Layout> layout = registry.Extract("many", "0123456789");
  ASSERT_TRUE(layout.ok());
  ASSERT_EQ(layout->blocks.size(), 1u);
  ASSERT_EQ(layout->blocks[0].table.rows.size(), 1u);
  EXPECT_EQ(layout->blocks[0].table.rows[0].cells.size(), kManyCells);
  EXPECT_THAT(layout->warnings, IsEmpty());
}

TEST(PluginRegistryTest, RunawayPluginIsCutOffWithAWarning) {
  PluginRegistry registry;
  gk_plugin runaway = MakeTable("runaway");
  runaway.extract = &RunawayExtract;
  ASSERT_TRUE(registry.Register(&runaway, "r").ok());
  absl::StatusOr<Layout> layout = registry.Extract("runaway", "tiny");
  ASSERT_TRUE(layout.ok());
  ASSERT_EQ(layout->warnings.size(), 1u);
  EXPECT_THAT(layout->warnings[0].message, HasSubstr("runaway"));
  EXPECT_THAT(layout->blocks, IsEmpty());  // only empty rows were sent
}

// ---------------------------------------------------------------------------
// The C++ SDK, through its exported entry point

TEST(PluginSdkTest, ExportedTableDescribesThePlugin) {
  const gk_plugin* table = gongkai_plugin_entry_v1();
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->abi_major, static_cast<uint32_t>(GK_ABI_MAJOR));
  EXPECT_EQ(table->abi_minor, static_cast<uint32_t>(GK_ABI_MINOR));
  EXPECT_STREQ(table->name, "scripted");
  EXPECT_STREQ(table->version, "9.9");
  EXPECT_EQ(std::string(GK_ENTRY_SYMBOL), "gongkai_plugin_entry_v1");
}

TEST(PluginSdkTest, ExtractsThroughTheSdk) {
  {
    PluginRegistry registry;
    ASSERT_TRUE(registry.Register(gongkai_plugin_entry_v1(), "self").ok());
    EXPECT_EQ(g_scripted_alive.load(), 1);
    ASSERT_EQ(registry.Detect("abc").size(), 1u);
    EXPECT_EQ(registry.Detect("abc")[0].score, 100);
    EXPECT_EQ(registry.Detect("throw now")[0].score, 0);

    absl::StatusOr<Layout> layout = registry.Extract("scripted", "hello");
    ASSERT_TRUE(layout.ok()) << layout.status();
    ASSERT_EQ(layout->blocks.size(), 2u);
    EXPECT_EQ(layout->blocks[0].kind, Block::Kind::kParagraph);
    ASSERT_EQ(layout->blocks[1].table.rows.size(), 1u);
    EXPECT_EQ(CellTexts(layout->blocks[1].table.rows[0]), "[h][assembled][]");
    ASSERT_EQ(layout->warnings.size(), 1u);
    EXPECT_EQ(layout->warnings[0].message, "a warning");
    EXPECT_TRUE(layout->run_together);
    EXPECT_FALSE(layout->ocr);

    layout = registry.Extract("scripted", "throw please");
    EXPECT_EQ(layout.status().code(), absl::StatusCode::kInternal);
    EXPECT_THAT(layout.status().message(), HasSubstr("extract exploded"));
    layout = registry.Extract("scripted", "invalid doc");
    EXPECT_EQ(layout.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(layout.status().message(), HasSubstr("cannot read this"));
    layout = registry.Extract("scripted", "internal");
    EXPECT_EQ(layout.status().code(), absl::StatusCode::kInternal);
    EXPECT_THAT(layout.status().message(), HasSubstr("odd code"));
  }
  EXPECT_EQ(g_scripted_alive.load(), 0);  // fini deleted the instance
}

// ---------------------------------------------------------------------------
// Loading libraries

TEST(PluginLoadTest, MissingDirectoryIsAnError) {
  PluginRegistry registry;
  auto result = registry.LoadDirectory("/nonexistent/gongkai/plugins");
  EXPECT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), HasSubstr("/nonexistent"));
}

TEST(PluginLoadTest, LoadsTheBundledPlugins) {
  PluginRegistry registry;
  auto refused = registry.LoadDirectory(GONGKAI_PLUGIN_DIR);
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_THAT(*refused, IsEmpty());
  for (const char* name : kBundled) EXPECT_TRUE(registry.Has(name)) << name;
  for (const PluginDescription& d : registry.List()) {
    EXPECT_FALSE(d.version.empty());
    EXPECT_FALSE(d.description.empty());
    EXPECT_THAT(d.path, HasSubstr(absl::StrCat("libgongkai_", d.name, ".so")));
  }
}

TEST(PluginLoadTest, LoadFileRefusesANonLibrary) {
  PluginRegistry registry;
  absl::Status status = registry.LoadFile("/nonexistent/libgongkai_x.so");
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("/nonexistent/libgongkai_x.so"));
}

#ifdef GONGKAI_BAD_PLUGIN_DIR
class BrokenPluginsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           absl::StrCat("gongkai_plugins_", getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    for (const char* from : {GONGKAI_PLUGIN_DIR, GONGKAI_BAD_PLUGIN_DIR}) {
      for (const auto& entry : fs::directory_iterator(from)) {
        std::string file = entry.path().filename().string();
        if (entry.is_regular_file() && absl::StartsWith(file, "libgongkai_") &&
            absl::EndsWith(file, ".so")) {
          fs::copy_file(entry.path(), dir_ / file);
        }
      }
    }
    // A second copy of a good plugin: same name, refused as a duplicate.
    fs::copy_file(dir_ / "libgongkai_clean_text.so",
                  dir_ / "libgongkai_zz_copy.so");
    std::ofstream(dir_ / "libgongkai_garbage.so") << "not an ELF file";
    // Not plugin file names: ignored.
    std::ofstream(dir_ / "README") << "x";
    std::ofstream(dir_ / "libgongkai_notes.txt") << "x";
    std::ofstream(dir_ / "libother.so") << "x";
    fs::create_directory(dir_ / "libgongkai_dir.so");
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST_F(BrokenPluginsTest, RefusesEachBrokenLibraryAndLoadsTheRest) {
  PluginRegistry registry;
  auto refused = registry.LoadDirectory(dir_.string());
  ASSERT_TRUE(refused.ok()) << refused.status();

  std::map<std::string, std::string> by_file;
  for (const absl::Status& status : *refused) {
    EXPECT_FALSE(status.ok());
    std::string message(status.message());
    std::string file;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      if (absl::StartsWith(message, entry.path().string() + ":")) {
        file = entry.path().filename().string();
      }
    }
    ASSERT_FALSE(file.empty()) << "status names no file: " << message;
    EXPECT_EQ(by_file.count(file), 0u) << "two statuses for " << file;
    by_file[file] = message;
  }
  EXPECT_EQ(by_file.size(), 8u);
  EXPECT_THAT(by_file["libgongkai_no_entry.so"],
              HasSubstr("no entry symbol gongkai_plugin_entry_v1"));
  EXPECT_THAT(by_file["libgongkai_null_table.so"],
              HasSubstr("no plugin table"));
  EXPECT_THAT(by_file["libgongkai_bad_abi.so"], HasSubstr("ABI 999"));
  EXPECT_THAT(by_file["libgongkai_bad_abi.so"],
              HasSubstr(absl::StrCat("ABI ", GK_ABI_MAJOR)));
  EXPECT_THAT(by_file["libgongkai_no_detect.so"], HasSubstr("detect"));
  EXPECT_THAT(by_file["libgongkai_bad_name.so"],
              HasSubstr("invalid plugin name"));
  EXPECT_THAT(by_file["libgongkai_init_fails.so"],
              HasSubstr("model file bad_model.bin not found"));
  EXPECT_THAT(by_file["libgongkai_garbage.so"], HasSubstr("cannot load"));
  EXPECT_THAT(by_file["libgongkai_zz_copy.so"], HasSubstr("already loaded"));

  std::vector<std::string> names;
  for (const auto& d : registry.List()) names.push_back(d.name);
  EXPECT_THAT(names, ::testing::IsSupersetOf(
                         {"clean_text", "ocr_layout", "tab_separated"}));
  // What loaded still works.
  absl::StatusOr<Layout> layout = registry.Extract("tab_separated", "a\tb\n");
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(layout->blocks.size(), 1u);
}
#endif  // GONGKAI_BAD_PLUGIN_DIR

// ---------------------------------------------------------------------------
// The bundled plugins on the seed reports

class SeedsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registry_ = new PluginRegistry();
    auto refused = registry_->LoadDirectory(GONGKAI_PLUGIN_DIR);
    ASSERT_TRUE(refused.ok()) << refused.status();
    ASSERT_THAT(*refused, IsEmpty());
  }
  static void TearDownTestSuite() {
    delete registry_;
    registry_ = nullptr;
  }

  // The seed whose file name starts with prefix, normalized.
  static std::string Seed(absl::string_view prefix) {
    fs::path dir = fs::path(GONGKAI_CORPUS_DIR) / "seeds" / "input";
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (absl::StartsWith(entry.path().filename().string(), prefix)) {
        std::string raw = ReadFile(entry.path());
        absl::StatusOr<NormalizedText> normalized = Normalize(raw);
        EXPECT_TRUE(normalized.ok()) << normalized.status();
        return normalized.ok() ? normalized->text : raw;
      }
    }
    ADD_FAILURE() << "no seed " << prefix << " in " << dir;
    return "";
  }

  static std::string Best(absl::string_view text) {
    std::vector<PluginScore> scores = registry_->Detect(text);
    std::string line;
    for (const auto& s : scores)
      absl::StrAppend(&line, s.name, "=", s.score, " ");
    std::cout << "  scores: " << line << "\n";
    return scores.empty() ? "" : scores[0].name;
  }

  static Layout Extract(absl::string_view plugin, absl::string_view text) {
    absl::StatusOr<Layout> layout = registry_->Extract(plugin, text);
    EXPECT_TRUE(layout.ok()) << layout.status();
    if (!layout.ok()) return Layout();
    ExpectSane(*layout, text);
    return *std::move(layout);
  }

  static PluginRegistry* registry_;
};
PluginRegistry* SeedsTest::registry_ = nullptr;

TEST_F(SeedsTest, DetectPicksThePluginForEachLayout) {
  EXPECT_EQ(Best(Seed("000_")), "clean_text");
  EXPECT_EQ(Best(Seed("001_")), "tab_separated");
  EXPECT_EQ(Best(Seed("002_")), "ocr_layout");
  EXPECT_EQ(Best(Seed("003_")), "clean_text");
  EXPECT_EQ(Best(Seed("004_")), "clean_text");
}

TEST_F(SeedsTest, EveryPluginReadsEverySeedSanely) {
  for (const char* seed : {"000_", "001_", "002_", "003_", "004_"}) {
    std::string text = Seed(seed);
    for (const char* plugin : kBundled) {
      Layout layout = Extract(plugin, text);
      EXPECT_FALSE(layout.blocks.empty()) << seed << " " << plugin;
      // One paragraph per line: no paragraph spans a line break.
      for (const std::string& p : Paragraphs(layout, text)) {
        EXPECT_EQ(p.find('\n'), std::string::npos) << seed << " " << plugin;
      }
    }
  }
}

// 000: a pipe dump, one cell per line, Traditional Chinese.
TEST_F(SeedsTest, PipeDumpRowsHoldTheirCells) {
  std::string text = Seed("000_");
  Layout layout = Extract("clean_text", text);
  size_t at = 0;
  const Row* row = FindRow(layout, {"行政许可", "行政許可"}, &at);
  ASSERT_NE(row, nullptr) << Dump(layout);
  ASSERT_LT(at + 1, row->cells.size());
  EXPECT_EQ(at, 0u);
  EXPECT_EQ(row->cells[1].text, "1347");
  // Flattened empty spans ("||") are empty cells after the values.
  for (size_t i = 2; i < row->cells.size(); ++i) {
    EXPECT_EQ(row->cells[i].text, "") << CellTexts(*row);
  }
  // An applications row: label, 7 figures, then empty cells.
  row = FindRowStartingWith(layout, {"(二)部分公开", "(二)部分公開"}, &at);
  ASSERT_NE(row, nullptr) << Dump(layout);
  ASSERT_GE(row->cells.size(), at + 8);
  for (size_t i = at + 1; i <= at + 7; ++i) {
    EXPECT_TRUE(IsNumber(row->cells[i].text)) << CellTexts(*row);
  }
  // Headings are paragraphs of their own.
  std::vector<std::string> paragraphs = Paragraphs(layout, text);
  EXPECT_TRUE(std::any_of(paragraphs.begin(), paragraphs.end(),
                          [](const std::string& p) {
                            return absl::StartsWith(p, "二、") && p.size() < 80;
                          }));
  // Every value line of the dump became a cell: 200 figures are stated.
  size_t numbers = 0;
  for (const Row* r : AllRows(layout)) {
    for (const auto& cell : r->cells) numbers += IsNumber(cell.text);
  }
  EXPECT_GE(numbers, 200u);
}

// 001: one row per line, TAB-separated.
TEST_F(SeedsTest, TabRowsKeepEveryPiece) {
  std::string text = Seed("001_");
  Layout layout = Extract("tab_separated", text);
  const Row* row = FindRow(layout, {"行政处罚"});
  ASSERT_NE(row, nullptr) << Dump(layout);
  EXPECT_EQ(CellTexts(*row), "[行政处罚][146][-20][126]");
  // Empty pieces are kept: the section header row has its trailing empties.
  row = FindRow(layout, {"第二十条第(一)项"});
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(CellTexts(*row), "[第二十条第(一)项][][][]");
  std::vector<std::string> paragraphs = Paragraphs(layout, text);
  EXPECT_THAT(paragraphs, ::testing::Contains("二、主动公开政府信息情况"));
  // The reviews row: 15 figures on one line.
  bool found = false;
  for (const Row* r : AllRows(layout)) {
    if (r->cells.size() == 15 &&
        std::all_of(r->cells.begin(), r->cells.end(),
                    [](const Cell& c) { return IsNumber(c.text); })) {
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

// 002: OCR, TAB-separated with trailing TABs.
TEST_F(SeedsTest, OcrLayoutHintsAndKeepsCells) {
  std::string text = Seed("002_");
  Layout layout = Extract("ocr_layout", text);
  EXPECT_TRUE(layout.ocr);
  const Row* row = FindRow(layout, {"规范性文件"});
  ASSERT_NE(row, nullptr) << Dump(layout);
  ASSERT_GE(row->cells.size(), 5u);
  EXPECT_EQ(row->cells[1].text, "3");
  EXPECT_EQ(row->cells[2].text, "3");
  EXPECT_EQ(row->cells[3].text, "");
  EXPECT_EQ(row->cells[4].text, "16");
  row = FindRow(layout, {"行政强制"});
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->cells[3].text, "O");  // left for the lenient interpreter
  // List markers are not part of the paragraph.
  for (const std::string& p : Paragraphs(layout, text)) {
    EXPECT_FALSE(absl::StartsWith(p, "- ")) << p;
  }
  EXPECT_FALSE(registry_->Extract("tab_separated", text)->ocr);
}

// 003: a pipe dump whose rows start with "| n |".
TEST_F(SeedsTest, NumberedPipeRowsStartRows) {
  std::string text = Seed("003_");
  Layout layout = Extract("clean_text", text);
  const Table* table = nullptr;
  for (const auto& block : layout.blocks) {
    if (block.kind == Block::Kind::kTable) {
      EXPECT_EQ(table, nullptr) << "one table expected";
      table = &block.table;
    }
  }
  ASSERT_NE(table, nullptr);
  ASSERT_EQ(table->rows.size(), 9u) << Dump(layout);
  EXPECT_EQ(table->rows[0].cells.size(), 4u);  // the header
  for (size_t i = 1; i < table->rows.size(); ++i) {
    const Row& row = table->rows[i];
    ASSERT_EQ(row.cells.size(), 4u) << CellTexts(row);
    EXPECT_EQ(row.cells[0].text, std::to_string(i));
    EXPECT_TRUE(IsNumber(row.cells[2].text)) << CellTexts(row);
    EXPECT_EQ(row.cells[3].text, "");  // the empty 备注 column
  }
}

// 004: one cell per line after a TAB, rows separated by blank lines.
TEST_F(SeedsTest, TabPerCellRowsEndAtBlankLines) {
  std::string text = Seed("004_");
  Layout layout = Extract("clean_text", text);
  const Row* row = FindRow(layout, {"行政许可"});
  ASSERT_NE(row, nullptr) << Dump(layout);
  EXPECT_EQ(CellTexts(*row), "[行政许可][312]");
  size_t application_rows = 0;
  for (const Row* r : AllRows(layout)) {
    // A label, then 7 figures (a trailing empty cell may follow).
    if (r->cells.size() < 8 || IsNumber(r->cells[0].text)) continue;
    size_t figures = 0;
    while (figures + 1 < r->cells.size() &&
           IsNumber(r->cells[figures + 1].text)) {
      ++figures;
    }
    if (figures == 0) continue;
    EXPECT_EQ(figures, 7u) << CellTexts(*r);
    for (size_t i = figures + 1; i < r->cells.size(); ++i) {
      EXPECT_EQ(r->cells[i].text, "") << CellTexts(*r);
    }
    ++application_rows;
  }
  EXPECT_GE(application_rows, 20u);
  std::vector<std::string> paragraphs = Paragraphs(layout, text);
  EXPECT_TRUE(std::any_of(
      paragraphs.begin(), paragraphs.end(), [](const std::string& p) {
        return absl::EndsWith(p, "主动公开政府信息情况") && p.size() < 60;
      }));
}

TEST_F(SeedsTest, ConcurrentCallsAgree) {
  std::vector<std::string> texts;
  for (const char* seed : {"000_", "001_", "002_", "003_", "004_"}) {
    texts.push_back(Seed(seed));
  }
  std::map<std::pair<size_t, std::string>, std::string> expected;
  for (size_t i = 0; i < texts.size(); ++i) {
    for (const char* plugin : kBundled) {
      expected[{i, plugin}] = Dump(*registry_->Extract(plugin, texts[i]));
    }
  }
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        for (size_t i = 0; i < texts.size(); ++i) {
          const char* plugin = kBundled[(i + t + round) % 3];
          registry_->Detect(texts[i]);
          auto layout = registry_->Extract(plugin, texts[i]);
          if (!layout.ok() || Dump(*layout) != expected[{i, plugin}]) {
            ++mismatches;
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// Shapes beyond the seeds, and hostile input.
TEST_F(SeedsTest, MarkdownPipeTables) {
  std::string text =
      "title\n\n| a | b | c |\n|---|:-:|---|\n| 1 |  | 3 |\n\nafter\n"
      "h1 | h2 |\n---|---\nx |  | y\n| z | w\n";
  Layout layout = Extract("clean_text", text);
  std::vector<std::string> rows;
  for (const Row* r : AllRows(layout)) rows.push_back(CellTexts(*r));
  EXPECT_THAT(rows, ElementsAre("[a][b][c]", "[1][][3]", "[h1][h2][]",
                                "[x][][y]", "[][z][w]"));
  EXPECT_THAT(Paragraphs(layout, text), ElementsAre("title", "after"));
}

TEST_F(SeedsTest, PipeRowsNeedASeparatorOrFrames) {
  // Unframed "a | b" rows without a separator row are text holding '|'.
  std::string text = "### 一、总体情况\n甲 | 乙\n丙 | 丁\n戊 | 己\n";
  Layout layout = Extract("clean_text", text);
  EXPECT_THAT(AllRows(layout), IsEmpty());
  EXPECT_THAT(Paragraphs(layout, text),
              ElementsAre("一、总体情况", "甲 | 乙", "丙 | 丁", "戊 | 己"));
  text = "甲 | 乙\n---|---\n丙 | 丁\n";
  layout = Extract("clean_text", text);
  std::vector<std::string> rows;
  for (const Row* r : AllRows(layout)) rows.push_back(CellTexts(*r));
  EXPECT_THAT(rows, ElementsAre("[甲][乙]", "[丙][丁]"));
}

TEST_F(SeedsTest, OcrColumnsAlignedBySpaces) {
  std::string text =
      "二、主动公开\n信息内容     本年制发件数|本年废止件数\n"
      "规章        0       o\n第二十条 第(五)项\n";
  Layout layout = Extract("ocr_layout", text);
  std::vector<std::string> rows;
  for (const Row* r : AllRows(layout)) rows.push_back(CellTexts(*r));
  EXPECT_THAT(rows, ElementsAre("[信息内容][本年制发件数][本年废止件数]",
                                "[规章][0][o]"));
  EXPECT_THAT(Paragraphs(layout, text),
              ElementsAre("二、主动公开", "第二十条 第(五)项"));
  // TAB-separated text keeps reading space runs as part of a cell.
  text = "a  b\tc\n";
  layout = Extract("tab_separated", text);
  ASSERT_EQ(AllRows(layout).size(), 1u);
  EXPECT_EQ(CellTexts(*AllRows(layout)[0]), "[a  b][c]");
}

TEST_F(SeedsTest, HostileInputDoesNotHurt) {
  std::vector<std::string> inputs = {
      "",
      "\n",
      "|",
      "||||\n|\n|",
      "\t",
      "\t\t\t\n\t\n",
      "- ",
      "---",
      std::string(100000, '|'),
      std::string(100000, '\t'),
      std::string("\xff\xfe\x00\x01", 4),
      "| a\r\n|\r\nb |\r\n",
  };
  std::mt19937 rng(42);
  const char* tokens[] = {"|",  "\t",           "\n", " ",  "-",
                          "a",  "行",           "0",  "\r", "| 1 |",
                          "||", "\xe3\x80\x80", "O",  "- "};
  for (int i = 0; i < 300; ++i) {
    std::string s;
    int n = static_cast<int>(rng() % 60);
    for (int k = 0; k < n; ++k) s += tokens[rng() % std::size(tokens)];
    inputs.push_back(s);
  }
  for (const std::string& input : inputs) {
    for (const PluginScore& score : registry_->Detect(input)) {
      EXPECT_GE(score.score, 0);
      EXPECT_LE(score.score, 100);
    }
    for (const char* plugin : kBundled) Extract(plugin, input);
  }
}

}  // namespace
}  // namespace gongkai
