// The C++ helper of the gongkai plugin SDK: derive from gongkai::sdk::Plugin,
// write Detect() and Extract(), and export the class with one line,
//
//   GONGKAI_EXPORT_PLUGIN(MyPlugin, "my_plugin", "1.0", "what it reads");
//
// The macro defines the C entry point of plugin_abi.h and keeps every C++
// exception on the plugin's side of the boundary. Header-only and standard
// library only: a plugin needs neither abseil nor protobuf.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "gongkai/plugin_abi.h"

#if defined(_WIN32)
#define GONGKAI_PLUGIN_EXPORT __declspec(dllexport)
#else
#define GONGKAI_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

namespace gongkai::sdk {

// The outcome of Init() or Extract(): GK_OK or an error code of
// plugin_abi.h with a message for the host's log.
class Status {
 public:
  Status() = default;
  Status(int code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  // The document cannot be read by this plugin.
  static Status InvalidInput(std::string message) {
    return Status(GK_ERROR_INVALID_INPUT, std::move(message));
  }
  static Status Internal(std::string message) {
    return Status(GK_ERROR_INTERNAL, std::move(message));
  }

  bool ok() const { return code_ == GK_OK; }
  int code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  int code_ = GK_OK;
  std::string message_;
};

// Reports the layout of one document to the host. Spans are byte offsets
// into the text given to Extract(), end exclusive. The host tolerates
// mistakes (it clamps spans and opens a table or row a cell needs), but a
// plugin should emit: BeginTable, then per row BeginRow and its cells in
// reading order, then EndTable; paragraphs between tables.
class LayoutWriter {
 public:
  explicit LayoutWriter(const gk_layout_sink* sink) : sink_(sink) {}

  void Paragraph(size_t begin, size_t end) const {
    if (sink_->paragraph != nullptr) sink_->paragraph(sink_->ctx, begin, end);
  }
  // A paragraph whose content differs from its source span (markup removed);
  // [begin, end) still covers where it came from.
  void Paragraph(size_t begin, size_t end, std::string_view content) const {
    if (sink_->paragraph_text == nullptr) {  // a sink that predates 1.2
      Paragraph(begin, end);
      return;
    }
    sink_->paragraph_text(sink_->ctx, begin, end,
                          content.data() != nullptr ? content.data() : "",
                          content.size());
  }
  void BeginTable() const {
    if (sink_->begin_table != nullptr) sink_->begin_table(sink_->ctx);
  }
  void BeginRow() const {
    if (sink_->begin_row != nullptr) sink_->begin_row(sink_->ctx);
  }
  // A cell whose text is text[begin, end). begin == end is an empty cell.
  void Cell(size_t begin, size_t end) const {
    if (sink_->cell != nullptr) sink_->cell(sink_->ctx, begin, end, nullptr, 0);
  }
  // A cell whose content differs from its source span, e.g. assembled from
  // several pieces; [begin, end) still covers where it came from.
  void Cell(size_t begin, size_t end, std::string_view content) const {
    if (sink_->cell == nullptr) return;
    // A NULL text means "take the span", so an empty content needs a
    // non-NULL pointer.
    sink_->cell(sink_->ctx, begin, end,
                content.data() != nullptr ? content.data() : "",
                content.size());
  }
  void EndTable() const {
    if (sink_->end_table != nullptr) sink_->end_table(sink_->ctx);
  }
  void Warning(size_t begin, size_t end, std::string_view message) const {
    if (sink_->warning == nullptr) return;
    std::string terminated(message);  // the ABI wants a NUL-terminated string
    sink_->warning(sink_->ctx, begin, end, terminated.c_str());
  }
  // GK_HINT_OCR, GK_HINT_RUN_TOGETHER or GK_HINT_MARKUP.
  void Hint(int hint) const {
    if (sink_->hint != nullptr) sink_->hint(sink_->ctx, hint);
  }
  // True once the host no longer wants this layout (the call was cancelled
  // or its deadline passed): return from Extract() soon, as what is emitted
  // after is ignored. Cheap; poll it in loops over lines or rows so that a
  // cancelled call on a large document stops spending CPU.
  bool Cancelled() const {
    return sink_->cancelled != nullptr && sink_->cancelled(sink_->ctx) != 0;
  }

 private:
  const gk_layout_sink* sink_;
};

// One plugin. The host creates one instance per loaded library and calls
// Detect() and Extract() from many threads at once: keep them const and
// free of shared mutable state.
class Plugin {
 public:
  virtual ~Plugin() = default;

  // Called once after construction; a failure makes the host refuse the
  // library with this status's message.
  virtual Status Init() { return Status::Ok(); }
  // How well this plugin fits the (normalized UTF-8) text: 0 to 100.
  // Must be cheap: the host asks every plugin about every document.
  virtual int Detect(std::string_view text) const = 0;
  // Reads the layout of text into out.
  virtual Status Extract(std::string_view text, LayoutWriter& out) const = 0;
};

namespace internal {

inline void CopyMessage(std::string_view message, char* err, size_t err_len) {
  if (err == nullptr || err_len == 0) return;
  size_t n = std::min(message.size(), err_len - 1);
  if (n > 0) std::memcpy(err, message.data(), n);
  err[n] = '\0';
}

inline std::string_view View(const char* text, size_t len) {
  return text != nullptr ? std::string_view(text, len) : std::string_view();
}

template <typename T>
int Init(void** state, char* err, size_t err_len) {
  try {
    auto* plugin = new T();
    Status status = plugin->Init();
    if (!status.ok()) {
      CopyMessage(status.message(), err, err_len);
      delete plugin;
      return status.code();
    }
    *state = plugin;
    return GK_OK;
  } catch (const std::exception& e) {
    CopyMessage(e.what(), err, err_len);
  } catch (...) {
    CopyMessage("unknown exception in plugin init", err, err_len);
  }
  return GK_ERROR_INTERNAL;
}

template <typename T>
void Fini(void* state) {
  try {
    delete static_cast<T*>(state);
  } catch (...) {
    // A destructor that throws must not unwind into the host.
  }
}

template <typename T>
int Detect(void* state, const char* text, size_t len) {
  if (state == nullptr) return 0;
  try {
    int score = static_cast<const T*>(state)->Detect(View(text, len));
    return std::clamp(score, 0, 100);
  } catch (...) {
    return 0;  // a plugin that cannot judge the text does not fit it
  }
}

template <typename T>
int Extract(void* state, const char* text, size_t len,
            const gk_layout_sink* sink, char* err, size_t err_len) {
  if (state == nullptr || sink == nullptr) {
    CopyMessage("plugin called without state or sink", err, err_len);
    return GK_ERROR_INTERNAL;
  }
  try {
    LayoutWriter writer(sink);
    Status status =
        static_cast<const T*>(state)->Extract(View(text, len), writer);
    if (!status.ok()) {
      CopyMessage(status.message(), err, err_len);
      // An error code the ABI does not know is reported as internal.
      return status.code() == GK_ERROR_INVALID_INPUT ? GK_ERROR_INVALID_INPUT
                                                     : GK_ERROR_INTERNAL;
    }
    return GK_OK;
  } catch (const std::bad_alloc&) {
    CopyMessage("out of memory", err, err_len);
  } catch (const std::exception& e) {
    CopyMessage(e.what(), err, err_len);
  } catch (...) {
    CopyMessage("unknown exception in plugin extract", err, err_len);
  }
  return GK_ERROR_INTERNAL;
}

}  // namespace internal
}  // namespace gongkai::sdk

// Defines the plugin's C entry point for class ClassName (derived from
// gongkai::sdk::Plugin, default-constructible). Use once per library, at
// namespace scope, with string literals for name ([a-z0-9_]+, the <name> of
// libgongkai_<name>.so), version and description.
#define GONGKAI_EXPORT_PLUGIN(ClassName, name, version, description)         \
  extern "C" GONGKAI_PLUGIN_EXPORT const gk_plugin* gongkai_plugin_entry_v1( \
      void) {                                                                \
    static const gk_plugin kGongkaiPluginTable = {                           \
        GK_ABI_MAJOR,                                                        \
        GK_ABI_MINOR,                                                        \
        name,                                                                \
        version,                                                             \
        description,                                                         \
        &::gongkai::sdk::internal::Init<ClassName>,                          \
        &::gongkai::sdk::internal::Fini<ClassName>,                          \
        &::gongkai::sdk::internal::Detect<ClassName>,                        \
        &::gongkai::sdk::internal::Extract<ClassName>,                       \
    };                                                                       \
    return &kGongkaiPluginTable;                                             \
  }                                                                          \
  static_assert(std::is_base_of_v<::gongkai::sdk::Plugin, ClassName>,        \
                #ClassName " must derive from gongkai::sdk::Plugin");        \
  static_assert(                                                             \
      std::string_view(GK_ENTRY_SYMBOL) == "gongkai_plugin_entry_v1",        \
      "GONGKAI_EXPORT_PLUGIN defines the v1 entry symbol")
