// TLS and mutual TLS credentials for the server and its clients, from PEM
// files named on the command line.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace gongkai::service {

// cert_file and key_file: the server's certificate chain and private key.
// client_ca_file: when not empty, clients must present a certificate signed
// by one of these CAs (mutual TLS); otherwise none is asked for. Files that
// cannot be read or hold no PEM block are errors naming the file.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> TlsServerCredentials(
    const std::string& cert_file, const std::string& key_file,
    const std::string& client_ca_file);

// ca_file: the roots the server's certificate must chain to (empty: the
// system's). cert_file and key_file: the client's own pair for mutual TLS,
// both or neither.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> TlsChannelCredentials(
    const std::string& ca_file, const std::string& cert_file,
    const std::string& key_file);

}  // namespace gongkai::service
