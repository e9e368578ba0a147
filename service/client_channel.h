// How gongkai's clients (the CLI, the tests, the bench) open a channel to
// one server or a fleet: client-side round_robin over every address the
// target resolves to, client-side health checking so a draining instance
// gets no new calls, gRPC retries of UNAVAILABLE and CANCELLED, and
// optional (mutual) TLS.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace gongkai::service {

struct ClientChannelOptions {
  // "round_robin" spreads calls over every address of the target (e.g.
  // "ipv4:10.0.0.1:50051,10.0.0.2:50051" or "dns:///gongkai:50051");
  // "pick_first" uses one. Empty: gRPC's default (pick_first).
  std::string lb_policy = "round_robin";
  // Watch grpc.health.v1 for gongkai.v1.Extractor on every address and
  // send nothing to one that says NOT_SERVING (round_robin only).
  bool health_check = true;
  // Attempts per call, retrying UNAVAILABLE and CANCELLED with backoff:
  // extraction is idempotent, and a CANCELLED the caller did not ask for
  // comes from an instance or proxy dropping the call as it stopped (gRPC
  // never retries a call its caller cancelled). gRPC caps attempts at 5;
  // 1 turns retries off.
  int max_attempts = 4;
  // TLS: on when use_tls or any file is named. ca: roots to trust (empty:
  // the system's); cert and key: the client's pair for mutual TLS;
  // server_name: the name to verify instead of the target's host.
  bool use_tls = false;
  std::string tls_ca, tls_cert, tls_key, tls_server_name;
};

// The service config JSON these options stand for.
std::string ServiceConfigJson(const ClientChannelOptions& options);

// args may carry further channel arguments (message sizes, backoff); the
// options' service config and TLS name override are added to them.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeClientChannel(
    const std::string& target, const ClientChannelOptions& options,
    grpc::ChannelArguments args = grpc::ChannelArguments());

}  // namespace gongkai::service
