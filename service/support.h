// Helpers shared by the server and the CLI: where the plugins are, loading
// them with a log line each, and carrying absl statuses across gRPC.
#pragma once

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gongkai/plugin_host.h"
#include "grpcpp/support/status.h"

namespace gongkai::service {

// The plugin directory to use when --plugin_dir is not given: the build
// tree's plugin directory when the executable runs from the build tree,
// otherwise the first existing of <exe>/../lib/gongkai/plugins,
// <exe>/plugins, <exe>/../plugins (so an installed or copied tree works).
std::string DefaultPluginDir();

// Loads every plugin in dir into registry and writes one line per library
// refused (and, if log_loaded, per plugin loaded) to log. Error only if dir
// cannot be read; a directory without plugins loads nothing and says so.
// refused, when given, receives the number of libraries refused.
absl::Status LoadPlugins(const std::string& dir, PluginRegistry* registry,
                         std::ostream& log, bool log_loaded = true,
                         int* refused = nullptr);

// s with every byte that is not part of a valid UTF-8 sequence replaced by
// U+FFFD: proto3 string fields must hold valid UTF-8, and error messages may
// quote a caller's bytes.
std::string SanitizeUtf8(absl::string_view s);

// The same code (absl and gRPC share the numbering) and message.
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace gongkai::service
