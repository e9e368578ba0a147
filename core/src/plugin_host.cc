// The plugin host: loads libgongkai_<name>.so libraries through the C ABI of
// plugin_abi.h, refuses the ones it cannot trust, and turns a plugin's layout
// callbacks into a gongkai::Layout. Plugins are third-party code: every value
// they hand back is checked, clamped or bounded here.
#include "gongkai/plugin_host.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string_view>
#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gongkai/plugin_abi.h"

namespace gongkai {

// One loaded plugin: its table, the state its init() returned and the
// library handle (null for a table registered from this process).
class Plugin {
 public:
  Plugin(const gk_plugin* table, void* state, void* handle,
         PluginDescription description)
      : table_(table),
        state_(state),
        handle_(handle),
        description_(std::move(description)) {}
  ~Plugin() {
    if (table_->fini != nullptr) table_->fini(state_);
    if (handle_ != nullptr) dlclose(handle_);
  }
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  const gk_plugin& table() const { return *table_; }
  void* state() const { return state_; }
  const PluginDescription& description() const { return description_; }

 private:
  const gk_plugin* table_;
  void* state_;
  void* handle_;
  PluginDescription description_;
};

namespace {

constexpr size_t kMaxNameLength = 64;
// Bounds for strings a plugin hands over as bare NUL-terminated pointers.
constexpr size_t kMaxInfoLength = 4096;
constexpr size_t kErrorBufferSize = 1024;
constexpr char kFilePrefix[] = "libgongkai_";
constexpr char kFileSuffix[] = ".so";

std::string BoundedString(const char* s, size_t max) {
  if (s == nullptr) return "";
  return std::string(s, strnlen(s, max));
}

bool ValidName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_';
  });
}

absl::Status Refuse(absl::StatusCode code, absl::string_view origin,
                    absl::string_view reason) {
  return absl::Status(code, absl::StrCat(origin, ": ", reason));
}

// Budget, in bytes of Layout, for what one extract() may emit, so a runaway
// plugin costs bounded memory: far more than any real report needs (a few
// hundred cells), yet bounded however large the text.
constexpr size_t kBaseBudget = size_t{64} << 20;
constexpr size_t kBudgetPerTextByte = 8;
constexpr size_t kMaxBudget = size_t{512} << 20;
// What any callback costs at least, so even callbacks that build nothing
// cannot be called without end.
constexpr size_t kMinCost = 16;

// Builds a Layout from the sink callbacks of one extract() call. Forgiving
// by design: a cell outside a row opens one, a row outside a table opens a
// table, spans are clamped into the text, and every call is O(1) amortized.
class LayoutBuilder {
 public:
  LayoutBuilder(absl::string_view text, absl::string_view plugin_name,
                const std::atomic<bool>* cancelled)
      : text_(text),
        plugin_name_(plugin_name),
        budget_(std::min(kMaxBudget,
                         kBaseBudget + kBudgetPerTextByte * text.size())),
        cancelled_(cancelled) {}

  gk_layout_sink Sink() {
    gk_layout_sink sink;
    sink.ctx = this;
    sink.paragraph = &OnParagraph;
    sink.begin_table = &OnBeginTable;
    sink.begin_row = &OnBeginRow;
    sink.cell = &OnCell;
    sink.end_table = &OnEndTable;
    sink.warning = &OnWarning;
    sink.hint = &OnHint;
    sink.cancelled = &OnCancelled;
    sink.paragraph_text = &OnParagraphText;
    return sink;
  }

  Layout Finish() {
    CloseTable();
    if (exhausted_) {
      layout_.warnings.push_back(
          {Span{0, text_.size()},
           absl::StrCat("plugin ", plugin_name_,
                        " emitted more layout than the text can hold; the "
                        "rest was dropped")});
    }
    return std::move(layout_);
  }

 private:
  // Runs f for a callback if the budget allows its cost (the bytes it adds
  // to the layout). The callbacks run inside the plugin's frames, which may
  // be C code that cannot unwind: nothing may throw out of them.
  template <typename F>
  static void Guarded(void* ctx, size_t cost, F&& f) {
    auto* self = static_cast<LayoutBuilder*>(ctx);
    // Once cancelled the layout is discarded: take nothing more.
    if (self == nullptr || self->exhausted_ || self->Cancelled()) return;
    cost = std::max(cost, kMinCost);
    if (cost > self->budget_) {
      self->exhausted_ = true;
      return;
    }
    self->budget_ -= cost;
    try {
      f(*self);
    } catch (...) {
      self->exhausted_ = true;  // out of memory: stop taking layout
    }
  }

  static void OnParagraph(void* ctx, size_t begin, size_t end) {
    Guarded(ctx, sizeof(Block),
            [&](LayoutBuilder& b) { b.Paragraph(begin, end); });
  }
  static void OnParagraphText(void* ctx, size_t begin, size_t end,
                              const char* text, size_t text_len) {
    size_t copied = text != nullptr ? text_len : 0;
    Guarded(ctx,
            sizeof(Block) +
                std::min(copied, std::numeric_limits<size_t>::max() / 2),
            [&](LayoutBuilder& b) { b.Paragraph(begin, end, text, copied); });
  }
  static void OnBeginTable(void* ctx) {
    Guarded(ctx, sizeof(Block), [](LayoutBuilder& b) {
      b.CloseTable();
      b.OpenTable();
    });
  }
  static void OnBeginRow(void* ctx) {
    Guarded(ctx, sizeof(Block) + sizeof(Row), [](LayoutBuilder& b) {
      if (!b.in_table_) b.OpenTable();
      b.CurrentTable().rows.emplace_back();
    });
  }
  static void OnCell(void* ctx, size_t begin, size_t end, const char* text,
                     size_t text_len) {
    // A cell may also open a table and a row; its text is copied either
    // from the plugin or from its (clamped) span.
    auto* self = static_cast<LayoutBuilder*>(ctx);
    if (self == nullptr) return;
    Span span = self->Clamp(begin, end);
    size_t copied = text != nullptr ? text_len : span.end - span.begin;
    size_t opens = self->in_table_ ? 0 : sizeof(Block) + sizeof(Row);
    size_t cost = sizeof(gongkai::Cell) + opens +
                  std::min(copied, std::numeric_limits<size_t>::max() / 2);
    Guarded(ctx, cost,
            [&](LayoutBuilder& b) { b.Cell(begin, end, text, text_len); });
  }
  static void OnEndTable(void* ctx) {
    Guarded(ctx, 0, [](LayoutBuilder& b) { b.CloseTable(); });
  }
  static void OnWarning(void* ctx, size_t begin, size_t end,
                        const char* message) {
    Guarded(ctx, sizeof(LayoutWarning) + kMaxInfoLength, [&](LayoutBuilder& b) {
      b.layout_.warnings.push_back(
          {b.Clamp(begin, end), BoundedString(message, kMaxInfoLength)});
    });
  }
  static int OnCancelled(void* ctx) {
    auto* self = static_cast<LayoutBuilder*>(ctx);
    return self != nullptr && self->Cancelled() ? 1 : 0;
  }
  static void OnHint(void* ctx, int hint) {
    Guarded(ctx, 0, [&](LayoutBuilder& b) {
      if (hint == GK_HINT_OCR) b.layout_.ocr = true;
      if (hint == GK_HINT_RUN_TOGETHER) b.layout_.run_together = true;
      if (hint == GK_HINT_MARKUP) b.layout_.markup = true;
    });
  }

  bool Cancelled() const {
    return cancelled_ != nullptr && cancelled_->load(std::memory_order_relaxed);
  }

  Span Clamp(size_t begin, size_t end) const {
    begin = std::min(begin, text_.size());
    end = std::clamp(end, begin, text_.size());
    return Span{begin, end};
  }

  // text: the paragraph's own text (paragraph_text), else null.
  void Paragraph(size_t begin, size_t end, const char* text = nullptr,
                 size_t text_len = 0) {
    CloseTable();
    Span span = Clamp(begin, end);
    if (text == nullptr ? span.begin == span.end : text_len == 0)
      return;  // nothing to read
    Block block;
    block.kind = Block::Kind::kParagraph;
    block.span = span;
    if (text != nullptr) block.text.assign(text, text_len);
    layout_.blocks.push_back(std::move(block));
  }

  void OpenTable() {
    Block block;
    block.kind = Block::Kind::kTable;
    layout_.blocks.push_back(std::move(block));
    in_table_ = true;
    table_begin_ = text_.size();
    table_end_ = 0;
  }

  Table& CurrentTable() { return layout_.blocks.back().table; }

  void Cell(size_t begin, size_t end, const char* text, size_t text_len) {
    if (!in_table_) OpenTable();
    Table& table = CurrentTable();
    if (table.rows.empty()) table.rows.emplace_back();
    gongkai::Cell cell;
    cell.span = Clamp(begin, end);
    if (text != nullptr) {
      cell.text.assign(text, text_len);
    } else if (cell.span.end > cell.span.begin) {
      cell.text.assign(text_.data() + cell.span.begin,
                       cell.span.end - cell.span.begin);
    }
    table_begin_ = std::min(table_begin_, cell.span.begin);
    table_end_ = std::max(table_end_, cell.span.end);
    table.rows.back().cells.push_back(std::move(cell));
  }

  // Ends the open table, if any. Rows without cells carry nothing and a
  // table without cells is dropped.
  void CloseTable() {
    if (!in_table_) return;
    in_table_ = false;
    Block& block = layout_.blocks.back();
    std::erase_if(block.table.rows,
                  [](const Row& row) { return row.cells.empty(); });
    if (block.table.rows.empty()) {
      layout_.blocks.pop_back();
      return;
    }
    block.span = Span{table_begin_, std::max(table_begin_, table_end_)};
  }

  absl::string_view text_;
  std::string plugin_name_;
  Layout layout_;
  bool in_table_ = false;  // layout_.blocks.back() is an open table
  size_t table_begin_ = 0;
  size_t table_end_ = 0;
  size_t budget_;  // bytes the plugin may still add to the layout
  bool exhausted_ = false;
  const std::atomic<bool>* cancelled_;  // may be null
};

// Checks a plugin table, runs its init() and adds it to plugins. On failure
// the caller still owns (and closes) handle.
absl::Status Adopt(const gk_plugin* table, void* handle,
                   const std::string& origin,
                   std::vector<std::unique_ptr<Plugin>>& plugins) {
  constexpr auto kRefused = absl::StatusCode::kFailedPrecondition;
  if (table == nullptr) {
    return Refuse(kRefused, origin, "entry point returned no plugin table");
  }
  if (table->abi_major != GK_ABI_MAJOR) {
    return Refuse(kRefused, origin,
                  absl::StrCat("built for plugin ABI ", table->abi_major,
                               ", this host speaks ABI ", GK_ABI_MAJOR));
  }
  // A newer minor may read sink members this host does not pass.
  if (table->abi_minor > GK_ABI_MINOR) {
    return Refuse(kRefused, origin,
                  absl::StrCat("built for plugin ABI ", table->abi_major, ".",
                               table->abi_minor, ", newer than this host's ",
                               GK_ABI_MAJOR, ".", GK_ABI_MINOR));
  }
  if (table->detect == nullptr || table->extract == nullptr) {
    return Refuse(kRefused, origin,
                  table->detect == nullptr ? "plugin table has no detect()"
                                           : "plugin table has no extract()");
  }
  std::string name = BoundedString(table->name, kMaxNameLength + 1);
  if (!ValidName(name)) {
    return Refuse(kRefused, origin,
                  absl::StrCat("invalid plugin name \"", absl::CEscape(name),
                               "\" (want 1 to ", kMaxNameLength,
                               " characters of [a-z0-9_])"));
  }
  for (const auto& plugin : plugins) {
    if (plugin->description().name == name) {
      return Refuse(
          absl::StatusCode::kAlreadyExists, origin,
          absl::StrCat("a plugin named ", name, " is already loaded from ",
                       plugin->description().path));
    }
  }
  void* state = nullptr;
  if (table->init != nullptr) {
    char error[kErrorBufferSize] = {};
    int rc = table->init(&state, error, sizeof(error));
    error[sizeof(error) - 1] = '\0';
    if (rc != GK_OK) {
      std::string message = error;
      return Refuse(kRefused, origin,
                    absl::StrCat("init failed (code ", rc, ")",
                                 message.empty() ? "" : ": ", message));
    }
  }
  PluginDescription description;
  description.name = std::move(name);
  description.version = BoundedString(table->version, kMaxInfoLength);
  description.description = BoundedString(table->description, kMaxInfoLength);
  description.abi_version = table->abi_major;
  description.path = origin;
  plugins.push_back(
      std::make_unique<Plugin>(table, state, handle, std::move(description)));
  return absl::OkStatus();
}

const Plugin* Find(const std::vector<std::unique_ptr<Plugin>>& plugins,
                   absl::string_view name) {
  for (const auto& plugin : plugins) {
    if (plugin->description().name == name) return plugin.get();
  }
  return nullptr;
}

}  // namespace

PluginRegistry::PluginRegistry() = default;

PluginRegistry::~PluginRegistry() {
  // Unload in reverse order of loading, as a plugin loaded later may have
  // been linked against one loaded earlier.
  while (!plugins_.empty()) plugins_.pop_back();
}

absl::StatusOr<std::vector<absl::Status>> PluginRegistry::LoadDirectory(
    const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read plugin directory ", dir, ": ", ec.message()));
  }
  std::vector<std::string> paths;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    std::string file = it->path().filename().string();
    if (!absl::StartsWith(file, kFilePrefix) ||
        !absl::EndsWith(file, kFileSuffix) ||
        file.size() <= sizeof(kFilePrefix) - 1 + sizeof(kFileSuffix) - 1) {
      continue;
    }
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;  // follows symlinks
    paths.push_back(it->path().string());
  }
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot list plugin directory ", dir, ": ", ec.message()));
  }
  // Sorted, so which of two same-named plugins wins does not depend on the
  // file system's order.
  std::sort(paths.begin(), paths.end());
  std::vector<absl::Status> refused;
  for (const std::string& path : paths) {
    absl::Status status = LoadFile(path);
    if (!status.ok()) refused.push_back(std::move(status));
  }
  return refused;
}

absl::Status PluginRegistry::LoadFile(const std::string& path) {
  // Without a slash dlopen would search the library path instead of
  // opening the file the caller named.
  std::string file =
      path.find('/') == std::string::npos ? absl::StrCat("./", path) : path;
  dlerror();
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = dlerror();
    return Refuse(absl::StatusCode::kFailedPrecondition, path,
                  absl::StrCat("cannot load: ",
                               error != nullptr ? error : "dlopen failed"));
  }
  void* symbol = dlsym(handle, GK_ENTRY_SYMBOL);
  if (symbol == nullptr) {
    dlclose(handle);
    return Refuse(
        absl::StatusCode::kFailedPrecondition, path,
        absl::StrCat("no entry symbol ", GK_ENTRY_SYMBOL,
                     " (not a gongkai plugin of ABI ", GK_ABI_MAJOR, ")"));
  }
  auto entry = reinterpret_cast<gk_plugin_entry_fn>(symbol);
  absl::Status status = Adopt(entry(), handle, path, plugins_);
  if (!status.ok()) dlclose(handle);
  return status;
}

absl::Status PluginRegistry::Register(const gk_plugin* table,
                                      const std::string& origin) {
  return Adopt(table, nullptr, origin, plugins_);
}

std::vector<PluginDescription> PluginRegistry::List() const {
  std::vector<PluginDescription> list;
  list.reserve(plugins_.size());
  for (const auto& plugin : plugins_) list.push_back(plugin->description());
  return list;
}

bool PluginRegistry::Has(absl::string_view name) const {
  return Find(plugins_, name) != nullptr;
}

std::vector<PluginScore> PluginRegistry::Detect(absl::string_view text) const {
  // Plugins read text through a pointer: never hand them a null one.
  const char* data = text.data() != nullptr ? text.data() : "";
  std::vector<PluginScore> scores;
  scores.reserve(plugins_.size());
  for (const auto& plugin : plugins_) {
    int score = plugin->table().detect(plugin->state(), data, text.size());
    scores.push_back({plugin->description().name, std::clamp(score, 0, 100)});
  }
  std::sort(scores.begin(), scores.end(),
            [](const PluginScore& a, const PluginScore& b) {
              if (a.score != b.score) return a.score > b.score;
              return a.name < b.name;
            });
  return scores;
}

absl::StatusOr<Layout> PluginRegistry::Extract(
    absl::string_view name, absl::string_view text,
    const std::atomic<bool>* cancelled) const {
  const Plugin* plugin = Find(plugins_, name);
  if (plugin == nullptr) {
    std::vector<std::string> names;
    for (const auto& p : plugins_) names.push_back(p->description().name);
    return absl::NotFoundError(
        absl::StrCat("no plugin named \"", absl::CEscape(name), "\" (loaded: ",
                     names.empty() ? "none" : absl::StrJoin(names, ", "), ")"));
  }
  LayoutBuilder builder(text, plugin->description().name, cancelled);
  gk_layout_sink sink = builder.Sink();
  char error[kErrorBufferSize] = {};
  const char* data = text.data() != nullptr ? text.data() : "";
  int rc = plugin->table().extract(plugin->state(), data, text.size(), &sink,
                                   error, sizeof(error));
  error[sizeof(error) - 1] = '\0';
  if (rc != GK_OK) {
    std::string message = absl::StrCat("plugin ", plugin->description().name,
                                       " failed", error[0] ? ": " : "", error);
    if (rc == GK_ERROR_INVALID_INPUT) {
      return absl::InvalidArgumentError(message);
    }
    return absl::InternalError(absl::StrCat(message, " (code ", rc, ")"));
  }
  return builder.Finish();
}

}  // namespace gongkai
