// Loads extractor plugins (shared libraries speaking plugin_abi.h) and calls
// them; the only place in gongkai that touches dlopen.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gongkai/layout.h"

struct gk_plugin;

namespace gongkai {

struct PluginDescription {
  std::string name;
  std::string version;
  std::string description;
  uint32_t abi_version = 0;  // major
  std::string path;
};

struct PluginScore {
  std::string name;
  int score = 0;
};

class Plugin;

class PluginRegistry {
 public:
  PluginRegistry();
  ~PluginRegistry();
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  // Loads every libgongkai_<name>.so in dir. A library that cannot be used
  // (wrong ABI, missing entry symbol, failing init, duplicate name) is
  // skipped; one status per refusal is returned, saying which file and why.
  // Error only if dir itself cannot be read.
  absl::StatusOr<std::vector<absl::Status>> LoadDirectory(
      const std::string& dir);
  // Loads one library file.
  absl::Status LoadFile(const std::string& path);
  // Registers a plugin table linked into this process (tests, static builds).
  absl::Status Register(const gk_plugin* table, const std::string& origin);

  std::vector<PluginDescription> List() const;
  bool Has(absl::string_view name) const;
  // Every plugin's score for the normalized text, best first (ties by name).
  std::vector<PluginScore> Detect(absl::string_view text) const;
  // Runs the named plugin. NOT_FOUND if unknown; INVALID_ARGUMENT or
  // INTERNAL with the plugin's message if it fails. Once *cancelled is true
  // the plugin sees gk_layout_sink.cancelled nonzero and its callbacks are
  // ignored; the caller then discards the (partial) layout.
  absl::StatusOr<Layout> Extract(
      absl::string_view name, absl::string_view text,
      const std::atomic<bool>* cancelled = nullptr) const;

 private:
  std::vector<std::unique_ptr<Plugin>> plugins_;
};

}  // namespace gongkai
