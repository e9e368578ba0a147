// Helpers shared by the server and the CLI.
#include "support.h"

#include <unistd.h>

#include <filesystem>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"

namespace gongkai::service {
namespace {

namespace fs = std::filesystem;

bool IsDirectory(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

fs::path ExecutableDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return exe.parent_path();
}

bool SamePath(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::equivalent(a, b, ec) && !ec;
}

}  // namespace

std::string DefaultPluginDir() {
  const fs::path build_plugins = GONGKAI_BUILD_PLUGIN_DIR;
  const fs::path exe_dir = ExecutableDir();
  if (!exe_dir.empty() && SamePath(exe_dir, GONGKAI_BUILD_EXE_DIR) &&
      IsDirectory(build_plugins)) {
    return build_plugins.string();
  }
  std::vector<fs::path> candidates;
  if (!exe_dir.empty()) {
    candidates = {exe_dir / ".." / "lib" / "gongkai" / "plugins",
                  exe_dir / "plugins", exe_dir / ".." / "plugins"};
  }
  for (const fs::path& c : candidates) {
    if (IsDirectory(c)) return c.lexically_normal().string();
  }
  if (IsDirectory(build_plugins)) return build_plugins.string();
  // Nothing exists: name the installed location so the error says where we
  // looked.
  return candidates.empty() ? build_plugins.string()
                            : candidates.front().lexically_normal().string();
}

absl::Status LoadPlugins(const std::string& dir, PluginRegistry* registry,
                         std::ostream& log, bool log_loaded, int* refused) {
  absl::StatusOr<std::vector<absl::Status>> refusals =
      registry->LoadDirectory(dir);
  if (!refusals.ok()) {
    return absl::Status(refusals.status().code(),
                        absl::StrCat("cannot load plugins from ", dir, ": ",
                                     refusals.status().message()));
  }
  std::vector<PluginDescription> loaded = registry->List();
  for (const PluginDescription& p : loaded) {
    if (!log_loaded) break;
    log << "plugin loaded: " << p.name << " " << p.version << " (abi "
        << p.abi_version << ") from " << p.path << "\n";
  }
  for (const absl::Status& s : *refusals) {
    log << "plugin refused: " << s.message() << "\n";
  }
  if (refused != nullptr) *refused = static_cast<int>(refusals->size());
  if (loaded.empty()) log << "warning: no plugin loaded from " << dir << "\n";
  log.flush();
  return absl::OkStatus();
}

std::string SanitizeUtf8(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    uint32_t min = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, min = 0x10000, cp = c & 0x07;
    }
    bool valid = len != 0 && i + len <= s.size();
    for (size_t k = 1; valid && k < len; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) {
        valid = false;
      } else {
        cp = (cp << 6) | (cc & 0x3F);
      }
    }
    valid =
        valid && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    if (valid) {
      out.append(s.data() + i, len);
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      SanitizeUtf8(status.message()));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

}  // namespace gongkai::service
