// The whole path for one document: normalize -> plugin -> interpret -> check.
// What the server and the in-process CLI both call.
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gongkai/normalize.h"
#include "gongkai/plugin_host.h"
#include "gongkai/v1/report.pb.h"

namespace gongkai {

struct ExtractOptions {
  std::optional<std::string> plugin;     // force one; else the best detect()
  std::optional<std::string> file_name;  // hint only
  size_t max_bytes = 64u << 20;
  // Cooperative cancellation: once *cancelled is true (the caller's client
  // went away or its deadline passed) the extraction stops at its next poll
  // -- between stages, every few rows of the long loops, and in plugins
  // through gk_layout_sink.cancelled -- and returns CANCELLED. Must outlive
  // the call. Null: never cancelled.
  const std::atomic<bool>* cancelled = nullptr;
};

class Pipeline {
 public:
  explicit Pipeline(const PluginRegistry* registry) : registry_(registry) {}

  // INVALID_ARGUMENT: empty or undecodable document, or an unknown plugin
  // name (the message lists the loaded ones); RESOURCE_EXHAUSTED: over
  // max_bytes; FAILED_PRECONDITION: no plugin loaded; CANCELLED: see
  // ExtractOptions::cancelled.
  absl::StatusOr<v1::Report> Extract(absl::string_view document,
                                     const ExtractOptions& options) const;

  // Every plugin's score, best first, and the charset read.
  absl::StatusOr<std::pair<std::vector<PluginScore>, std::string>> Detect(
      absl::string_view document, const ExtractOptions& options) const;

 private:
  const PluginRegistry* registry_;
};

}  // namespace gongkai
