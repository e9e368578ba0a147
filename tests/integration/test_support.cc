// What the integration tests share.
#include "test_support.h"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "support.h"

namespace gongkai::testing {

namespace fs = std::filesystem;

// An idle gRPC client polls its connections only every 5 s (the "backup
// poller"), so a server stopping gracefully waits up to that long for this
// process to see its GOAWAY. Polling more often keeps the stop tests quick;
// it must be set before gRPC initializes, hence at static initialization.
const bool kFastBackupPoll = [] {
  setenv("GRPC_CLIENT_CHANNEL_BACKUP_POLL_INTERVAL_MS", "100", /*overwrite=*/0);
  return true;
}();

std::set<std::string> BundledPluginNames() {
  std::set<std::string> names;
  for (absl::string_view name :
       absl::StrSplit(GONGKAI_BUNDLED_PLUGINS, ',', absl::SkipEmpty())) {
    names.emplace(name);
  }
  return names;
}

std::vector<std::string> SeedFiles() {
  std::vector<std::string> files;
  const fs::path dir = fs::path(GONGKAI_CORPUS_DIR) / "seeds" / "input";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file()) files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string InvalidUtf8Document() {
  std::string doc;
  // A lone continuation pair after a broken two-byte lead: valid in no
  // UTF-8 reading.
  for (int i = 0; i < 64; ++i) doc += "\xc3\x28\xa0\xa1 abc ";
  return doc;
}

const PluginRegistry& InProcessRegistry() {
  static const PluginRegistry* registry = [] {
    auto* r = new PluginRegistry;
    absl::Status s = service::LoadPlugins(GONGKAI_PLUGIN_DIR, r, std::cerr);
    if (!s.ok()) std::cerr << "in-process plugins: " << s << "\n";
    return r;
  }();
  return *registry;
}

const Pipeline& InProcessPipeline() {
  static const Pipeline* pipeline = new Pipeline(&InProcessRegistry());
  return *pipeline;
}

absl::StatusOr<v1::Report> ExtractInProcess(const std::string& document,
                                            const std::string& file_name) {
  ExtractOptions options;
  options.file_name = file_name;
  return InProcessPipeline().Extract(document, options);
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  // A fresh connection per channel: tests that stop a server must not share
  // a subchannel with tests that do not.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   args);
}

std::unique_ptr<grpc::ClientContext> Context(
    std::chrono::milliseconds timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  return context;
}

absl::StatusOr<grpc::health::v1::HealthCheckResponse::ServingStatus> Health(
    const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  auto context = Context(std::chrono::seconds(10));
  grpc::Status status = stub->Check(context.get(), request, &response);
  if (!status.ok()) return service::FromGrpcStatus(status);
  return response.status();
}

}  // namespace gongkai::testing
