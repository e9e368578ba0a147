// Client channels with balancing, health checking, retries and TLS.
#include "client_channel.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tls.h"

namespace gongkai::service {

std::string ServiceConfigJson(const ClientChannelOptions& options) {
  std::string json = "{";
  const char* sep = "";
  if (!options.lb_policy.empty()) {
    absl::StrAppend(&json, "\"loadBalancingConfig\":[{\"", options.lb_policy,
                    "\":{}}]");
    sep = ",";
  }
  if (options.health_check) {
    absl::StrAppend(&json, sep,
                    "\"healthCheckConfig\":{\"serviceName\":"
                    "\"gongkai.v1.Extractor\"}");
    sep = ",";
  }
  const int attempts = std::clamp(options.max_attempts, 1, 5);
  if (attempts > 1) {
    absl::StrAppend(
        &json, sep,
        "\"methodConfig\":[{\"name\":[{\"service\":\"gongkai.v1.Extractor\"}],"
        "\"retryPolicy\":{\"maxAttempts\":",
        attempts,
        ",\"initialBackoff\":\"0.1s\",\"maxBackoff\":\"2s\","
        "\"backoffMultiplier\":2,\"retryableStatusCodes\":[\"UNAVAILABLE\","
        "\"CANCELLED\"]}}"
        "]");
  }
  json += "}";
  return json;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeClientChannel(
    const std::string& target, const ClientChannelOptions& options,
    grpc::ChannelArguments args) {
  args.SetServiceConfigJSON(ServiceConfigJson(options));
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      grpc::InsecureChannelCredentials();
  const bool tls = options.use_tls || !options.tls_ca.empty() ||
                   !options.tls_cert.empty() || !options.tls_key.empty() ||
                   !options.tls_server_name.empty();
  if (tls) {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ssl =
        TlsChannelCredentials(options.tls_ca, options.tls_cert,
                              options.tls_key);
    if (!ssl.ok()) return ssl.status();
    credentials = *std::move(ssl);
    if (!options.tls_server_name.empty()) {
      args.SetSslTargetNameOverride(options.tls_server_name);
    }
  }
  return grpc::CreateCustomChannel(target, credentials, args);
}

}  // namespace gongkai::service
