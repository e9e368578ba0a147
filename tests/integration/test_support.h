// What the integration tests share: the seed documents, the in-process
// pipeline they are compared with, and gRPC client helpers.
#pragma once

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gongkai/pipeline.h"
#include "gongkai/plugin_host.h"
#include "gongkai/v1/extractor.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace gongkai::testing {

// The seed inputs (GONGKAI_CORPUS_DIR/seeds/input/*), sorted; empty if the
// corpus is absent.
std::vector<std::string> SeedFiles();

// The names of the plugins this build bundles (GONGKAI_BUNDLED_PLUGINS,
// recorded by plugins/CMakeLists.txt), sorted.
std::set<std::string> BundledPluginNames();

// Bad documents every extraction must refuse with INVALID_ARGUMENT.
std::string InvalidUtf8Document();

// The library path the server must agree with: the same plugin directory,
// loaded once per process.
const Pipeline& InProcessPipeline();
const PluginRegistry& InProcessRegistry();
// What the server does with a request: file_name is the base name.
absl::StatusOr<v1::Report> ExtractInProcess(const std::string& document,
                                            const std::string& file_name);

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address);
// A context whose deadline bounds the call, so a bug fails instead of hangs.
std::unique_ptr<grpc::ClientContext> Context(
    std::chrono::milliseconds timeout = std::chrono::seconds(60));

// The health v1 status of service, or the call's error.
absl::StatusOr<grpc::health::v1::HealthCheckResponse::ServingStatus> Health(
    const std::shared_ptr<grpc::Channel>& channel, const std::string& service);

}  // namespace gongkai::testing
