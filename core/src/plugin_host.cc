// placeholder until the plugin host lands
#include "gongkai/plugin_host.h"
namespace gongkai {
class Plugin {};
PluginRegistry::PluginRegistry() = default;
PluginRegistry::~PluginRegistry() = default;
absl::StatusOr<std::vector<absl::Status>> PluginRegistry::LoadDirectory(const std::string&) { return std::vector<absl::Status>{}; }
absl::Status PluginRegistry::LoadFile(const std::string&) { return absl::UnimplementedError("todo"); }
absl::Status PluginRegistry::Register(const gk_plugin*, const std::string&) { return absl::UnimplementedError("todo"); }
std::vector<PluginDescription> PluginRegistry::List() const { return {}; }
bool PluginRegistry::Has(absl::string_view) const { return false; }
std::vector<PluginScore> PluginRegistry::Detect(absl::string_view) const { return {}; }
absl::StatusOr<Layout> PluginRegistry::Extract(absl::string_view, absl::string_view) const { return absl::UnimplementedError("todo"); }
}  // namespace gongkai
