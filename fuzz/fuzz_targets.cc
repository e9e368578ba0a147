// The fuzz entry functions (see fuzz_targets.h). Every invariant checked here
// is one a header promises (normalize.h, plugin_host.h, pipeline.h): a
// violation aborts with a message, so the fuzzer keeps the input.
#include "fuzz_targets.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_split.h"
#include "evidence.h"
#include "gongkai/check.h"
#include "gongkai/interpret.h"
#include "gongkai/layout.h"
#include "gongkai/normalize.h"
#include "gongkai/pipeline.h"
#include "gongkai/plugin_abi.h"
#include "gongkai/plugin_host.h"
#include "infer.h"

namespace gongkai::fuzz {
namespace {

[[noreturn]] void Fail(const char* what, size_t a = 0, size_t b = 0) {
  std::fprintf(stderr, "fuzz invariant broken: %s (%zu, %zu)\n", what, a, b);
  std::fflush(stderr);
  std::abort();
}

absl::string_view View(const uint8_t* data, size_t size) {
  return absl::string_view(reinterpret_cast<const char*>(data), size);
}

std::string PluginDir() {
  const char* env = std::getenv("GONGKAI_PLUGIN_DIR");
  return env != nullptr && *env != '\0' ? env : GONGKAI_PLUGIN_DIR;
}

std::vector<std::string> PluginNames() {
  return absl::StrSplit(GONGKAI_FUZZ_PLUGINS, ',', absl::SkipEmpty());
}

bool ValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3
                                            : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// What the host promises of any layout (plugin_host.cc's LayoutBuilder):
// spans inside the text, no empty table or row.
void CheckLayout(const Layout& layout, size_t text_size) {
  auto check = [&](const Span& s, const char* what) {
    if (s.begin > s.end || s.end > text_size) Fail(what, s.begin, s.end);
  };
  for (const Block& block : layout.blocks) {
    check(block.span, "block span outside the text");
    if (block.kind != Block::Kind::kTable) continue;
    if (block.table.rows.empty()) Fail("table without rows");
    for (const Row& row : block.table.rows) {
      if (row.cells.empty()) Fail("row without cells");
      for (const Cell& cell : row.cells) check(cell.span, "cell span");
    }
  }
  for (const LayoutWarning& w : layout.warnings) check(w.span, "warning span");
}

// What pipeline.h promises of a report: evidence and warnings point into the
// caller's bytes.
void CheckReport(const v1::Report& report, size_t size) {
  for (const auto& e : report.evidence()) {
    if (e.begin() > e.end() || e.end() > size) {
      Fail("evidence span outside the document", e.begin(), e.end());
    }
  }
  for (const auto& w : report.warnings()) {
    if (w.has_begin() && w.begin() > size) Fail("warning begin", w.begin());
    if (w.has_end() && w.end() > size) Fail("warning end", w.end());
    if (w.has_begin() && w.has_end() && w.begin() > w.end()) {
      Fail("warning span reversed", w.begin(), w.end());
    }
  }
}

// A registry holding just `plugin` (or every plugin, for ""), loaded once.
const PluginRegistry& Registry(const std::string& plugin) {
  static std::mutex mu;
  static auto* registries =
      new std::map<std::string, std::unique_ptr<PluginRegistry>>();
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = (*registries)[plugin];
  if (slot == nullptr) {
    slot = std::make_unique<PluginRegistry>();
    absl::Status status;
    if (plugin.empty()) {
      auto refused = slot->LoadDirectory(PluginDir());
      if (!refused.ok()) status = refused.status();
    } else {
      status = slot->LoadFile(PluginDir() + "/libgongkai_" + plugin + ".so");
    }
    if (!status.ok() || slot->List().empty()) {
      std::fprintf(stderr, "cannot load plugin(s) '%s' from %s: %s\n",
                   plugin.c_str(), PluginDir().c_str(),
                   status.ToString().c_str());
      std::abort();
    }
  }
  return *slot;
}

// ---- the layout plugin of FuzzInterpret --------------------------------
//
// Cuts the text into lines; a line holding the separator is a table row
// (its pieces the cells), any other line a paragraph. Flag bits of the
// input's last byte:
//   0 GK_HINT_OCR, 1 GK_HINT_RUN_TOGETHER,
//   2-3 separator: TAB, '|', two spaces, any of them,
//   4 cells carry their own text (spaces removed), as assembled cells do,
//   5 spans shifted one byte (off character boundaries),
//   6 a warning per table, 7 every row its own table;
// and of the byte before it:
//   0 GK_HINT_MARKUP (the report is read from the layout alone),
//   1 paragraphs carry their own text (paragraph_text, spaces removed).
// The flags live in globals: fuzzing runs one input at a time.
uint8_t g_layout_flags = 0;
uint8_t g_layout_flags2 = 0;

std::string WithoutSpaces(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ') out.push_back(c);
  }
  return out;
}

size_t FindSeparator(std::string_view line, size_t from, uint8_t mode,
                     size_t* width) {
  size_t best = std::string_view::npos;
  *width = 0;
  auto consider = [&](std::string_view sep, bool on) {
    if (!on) return;
    size_t at = line.find(sep, from);
    if (at < best) {
      best = at;
      *width = sep.size();
    }
  };
  consider("\t", mode == 0 || mode == 3);
  consider("|", mode == 1 || mode == 3);
  consider("  ", mode == 2 || mode == 3);
  return best;
}

int LayoutDetect(void*, const char*, size_t) { return 50; }

int LayoutExtract(void*, const char* data, size_t len,
                  const gk_layout_sink* sink, char*, size_t) {
  const uint8_t flags = g_layout_flags, flags2 = g_layout_flags2;
  const uint8_t mode = (flags >> 2) & 3;
  const size_t shift = (flags & 32) ? 1 : 0;
  if (flags & 1) sink->hint(sink->ctx, GK_HINT_OCR);
  if (flags & 2) sink->hint(sink->ctx, GK_HINT_RUN_TOGETHER);
  if (flags2 & 1) sink->hint(sink->ctx, GK_HINT_MARKUP);
  std::string_view text(data, len);
  bool in_table = false;
  auto end_table = [&] {
    if (!in_table) return;
    sink->end_table(sink->ctx);
    in_table = false;
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    size_t width = 0;
    if (FindSeparator(line, 0, mode, &width) == std::string_view::npos) {
      end_table();
      if (flags2 & 2) {
        std::string own = WithoutSpaces(line);
        sink->paragraph_text(sink->ctx, pos + shift, eol + shift, own.data(),
                             own.size());
      } else {
        sink->paragraph(sink->ctx, pos + shift, eol + shift);
      }
    } else {
      if (!in_table || (flags & 128)) {
        end_table();
        sink->begin_table(sink->ctx);
        in_table = true;
        if (flags & 64) {
          sink->warning(sink->ctx, pos, eol, "fuzz: table");
        }
      }
      sink->begin_row(sink->ctx);
      size_t from = 0;
      while (true) {
        size_t at = FindSeparator(line, from, mode, &width);
        size_t end = at == std::string_view::npos ? line.size() : at;
        size_t b = pos + from + shift, e = pos + end + shift;
        if (flags & 16) {
          std::string own = WithoutSpaces(line.substr(from, end - from));
          sink->cell(sink->ctx, b, e, own.data(), own.size());
        } else {
          sink->cell(sink->ctx, b, e, nullptr, 0);
        }
        if (at == std::string_view::npos) break;
        from = at + width;
      }
    }
    pos = eol + 1;
  }
  end_table();
  return GK_OK;
}

const gk_plugin kLayoutPlugin = {
    GK_ABI_MAJOR, GK_ABI_MINOR, "fuzz_layout", "1", "fuzz: layout from text",
    nullptr,      nullptr,      &LayoutDetect, &LayoutExtract};

}  // namespace

int FuzzNormalize(const uint8_t* data, size_t size) {
  absl::string_view original = View(data, size);
  absl::StatusOr<NormalizedText> doc = Normalize(original);
  if (!doc.ok()) return 0;
  const std::string& text = doc->text;
  if (!ValidUtf8(text)) Fail("normalized text is not UTF-8");
  if (doc->origin.size() != text.size() + 1) {
    Fail("origin map size", doc->origin.size(), text.size());
  }
  if (doc->origin.back() != size) Fail("origin end", doc->origin.back(), size);
  for (uint32_t o : doc->origin) {
    if (o > size) Fail("origin outside the document", o, size);
  }
  // A few spans, whole and partial, map inside the original.
  const size_t n = text.size();
  for (auto [b, e] : {std::pair<size_t, size_t>{0, n},
                      {n / 3, 2 * n / 3},
                      {n / 2, n / 2},
                      {n, n + 7},
                      {size % (n + 1), n}}) {
    auto [ob, oe] = doc->OriginalSpan(b, e);
    if (ob > oe || oe > size) Fail("OriginalSpan outside the document", ob, oe);
  }
  return 0;
}

int FuzzPlugin(const std::string& plugin, const uint8_t* data, size_t size) {
  absl::StatusOr<NormalizedText> doc = Normalize(View(data, size));
  if (!doc.ok()) return 0;
  const PluginRegistry& registry = Registry(plugin);
  std::vector<PluginScore> scores = registry.Detect(doc->text);
  if (scores.size() != 1 || scores[0].score < 0 || scores[0].score > 100) {
    Fail("detect score out of 0..100",
         scores.empty() ? 0 : static_cast<size_t>(scores[0].score));
  }
  absl::StatusOr<Layout> layout = registry.Extract(plugin, doc->text);
  if (layout.ok()) CheckLayout(*layout, doc->text.size());
  return 0;
}

int FuzzInterpret(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  absl::string_view original = View(data, size - 2);
  absl::StatusOr<NormalizedText> doc = Normalize(original);
  if (!doc.ok()) return 0;
  static PluginRegistry* registry = [] {
    auto* r = new PluginRegistry();
    if (!r->Register(&kLayoutPlugin, "fuzz_targets.cc").ok()) std::abort();
    return r;
  }();
  g_layout_flags = data[size - 1];
  g_layout_flags2 = data[size - 2];
  absl::StatusOr<Layout> layout = registry->Extract("fuzz_layout", doc->text);
  if (!layout.ok()) Fail("fuzz_layout refused");
  CheckLayout(*layout, doc->text.size());
  // As Pipeline::Extract runs them.
  v1::Report report;
  InferenceNotes notes;
  Interpret(original, *doc, *layout, &report, &notes);
  ReportWriter writer(original, *doc, &report);
  InferFigures(notes, &writer);
  RunChecks(&report);
  CheckReport(report, original.size());
  return 0;
}

int FuzzPipeline(const uint8_t* data, size_t size) {
  const PluginRegistry& registry = Registry("");
  Pipeline pipeline(&registry);
  absl::string_view document = View(data, size);
  absl::StatusOr<v1::Report> report = pipeline.Extract(document, {});
  if (report.ok()) CheckReport(*report, size);
  // And one plugin forced, whatever detect says of the text.
  std::vector<PluginDescription> plugins = registry.List();
  ExtractOptions forced;
  forced.plugin = plugins[size % plugins.size()].name;
  report = pipeline.Extract(document, forced);
  if (report.ok()) CheckReport(*report, size);
  return 0;
}

std::vector<std::string> TargetNames() {
  std::vector<std::string> names = {"normalize", "interpret", "pipeline"};
  for (const auto& p : PluginNames()) names.push_back("plugin_" + p);
  return names;
}

int RunTarget(const std::string& target, const uint8_t* data, size_t size) {
  if (target == "normalize") return FuzzNormalize(data, size);
  if (target == "interpret") return FuzzInterpret(data, size);
  if (target == "pipeline") return FuzzPipeline(data, size);
  if (target.starts_with("plugin_")) {
    return FuzzPlugin(target.substr(7), data, size);
  }
  std::fprintf(stderr, "unknown fuzz target %s\n", target.c_str());
  std::abort();
}

}  // namespace gongkai::fuzz
