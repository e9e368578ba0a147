// TLS and mutual TLS on a real gongkai-server, with certificates made by
// openssl for the test: a CA, a server certificate for localhost and
// 127.0.0.1, a client certificate, and a second CA nobody trusts.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client_channel.h"
#include "fleet_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "test_support.h"

namespace gongkai::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kOpenssl[] = "/usr/bin/openssl";

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (access(kOpenssl, X_OK) != 0) return;
    certs_ = new TempDir();
    const std::string d = certs_->path();
    ok_ = MakeCa("ca") && MakeCa("rogue_ca") &&
          MakeLeaf("server", "ca", "localhost",
                   "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                   "extendedKeyUsage=serverAuth\n") &&
          MakeLeaf("client", "ca", "gongkai-client",
                   "extendedKeyUsage=clientAuth\n") &&
          MakeLeaf("rogue_client", "rogue_ca", "gongkai-client",
                   "extendedKeyUsage=clientAuth\n");
  }
  static void TearDownTestSuite() {
    delete certs_;
    certs_ = nullptr;
  }

  void SetUp() override {
    if (certs_ == nullptr) GTEST_SKIP() << "openssl is not installed";
    ASSERT_TRUE(ok_) << "openssl could not make the test certificates";
    seeds_ = SeedFiles();
    if (seeds_.empty()) GTEST_SKIP() << "the shared corpus is absent";
  }

  static std::string Path(const std::string& name) {
    return certs_->path() + "/" + name;
  }

  static bool Run(const std::vector<std::string>& argv) {
    absl::StatusOr<ProcessResult> r = RunProcess(argv, 60);
    if (!r.ok() || r->exit_code != 0) {
      ADD_FAILURE() << argv[1] << ": "
                    << (r.ok() ? r->err : std::string(r.status().message()));
      return false;
    }
    return true;
  }

  // EC P-256 keys: quick to make.
  static bool MakeCa(const std::string& name) {
    return Run({kOpenssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                Path(name + ".key"), "-out", Path(name + ".pem"), "-days", "2",
                "-subj", "/CN=gongkai test " + name});
  }

  static bool MakeLeaf(const std::string& name, const std::string& ca,
                       const std::string& cn, const std::string& extensions) {
    std::ofstream(Path(name + ".ext")) << extensions;
    return Run({kOpenssl, "req", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                Path(name + ".key"), "-out", Path(name + ".csr"), "-subj",
                "/CN=" + cn}) &&
           Run({kOpenssl, "x509", "-req", "-in", Path(name + ".csr"), "-CA",
                Path(ca + ".pem"), "-CAkey", Path(ca + ".key"),
                "-CAcreateserial", "-out", Path(name + ".pem"), "-days", "2",
                "-extfile", Path(name + ".ext")});
  }

  // Extract of the first seed through a channel made with options; the
  // report must equal the in-process one when the call succeeds.
  grpc::Status ExtractSeed(const std::string& target,
                           service::ClientChannelOptions options) {
    options.lb_policy = "";
    options.health_check = false;
    options.max_attempts = 1;
    auto channel = service::MakeClientChannel(target, options);
    if (!channel.ok()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          std::string(channel.status().message()));
    }
    auto stub = v1::Extractor::NewStub(*channel);
    v1::ExtractRequest request;
    request.set_document(ReadFile(seeds_[0]));
    request.set_file_name(fs::path(seeds_[0]).filename().string());
    v1::Report report;
    auto context = Context(std::chrono::seconds(20));
    grpc::Status status = stub->Extract(context.get(), request, &report);
    if (status.ok()) {
      auto want = ExtractInProcess(request.document(), request.file_name());
      EXPECT_TRUE(want.ok());
      if (want.ok()) {
        EXPECT_TRUE(
            google::protobuf::util::MessageDifferencer::Equals(report, *want));
      }
    }
    return status;
  }

  service::ClientChannelOptions Trusting(const std::string& ca) {
    service::ClientChannelOptions o;
    o.tls_ca = Path(ca + ".pem");
    return o;
  }

  static TempDir* certs_;
  static bool ok_;
  std::vector<std::string> seeds_;
};

TempDir* TlsTest::certs_ = nullptr;
bool TlsTest::ok_ = false;

TEST_F(TlsTest, ServerTlsRefusesPlaintextAndServesTrustingClients) {
  Instance server(
      {"--tls_cert=" + Path("server.pem"), "--tls_key=" + Path("server.key")});
  ASSERT_TRUE(server.Start().ok());
  // Plaintext against TLS: the handshake never completes.
  EXPECT_FALSE(ExtractSeed(server.address(), {}).ok());
  // A client that does not trust the server's CA.
  EXPECT_FALSE(ExtractSeed(server.address(), Trusting("rogue_ca")).ok());
  // A good client, by IP (SAN 127.0.0.1) and by name (SAN localhost).
  EXPECT_TRUE(ExtractSeed(server.address(), Trusting("ca")).ok());
  service::ClientChannelOptions by_name = Trusting("ca");
  by_name.tls_server_name = "localhost";
  EXPECT_TRUE(ExtractSeed(server.address(), by_name).ok());
  // A name the certificate does not carry.
  service::ClientChannelOptions wrong_name = Trusting("ca");
  wrong_name.tls_server_name = "elsewhere.example";
  EXPECT_FALSE(ExtractSeed(server.address(), wrong_name).ok());
}

TEST_F(TlsTest, MutualTlsRefusesClientsWithoutAGoodCertificate) {
  Instance server({"--tls_cert=" + Path("server.pem"),
                   "--tls_key=" + Path("server.key"),
                   "--tls_client_ca=" + Path("ca.pem")});
  ASSERT_TRUE(server.Start().ok());
  EXPECT_FALSE(ExtractSeed(server.address(), {}).ok()) << "plaintext";
  EXPECT_FALSE(ExtractSeed(server.address(), Trusting("ca")).ok())
      << "no client certificate";
  service::ClientChannelOptions rogue = Trusting("ca");
  rogue.tls_cert = Path("rogue_client.pem");
  rogue.tls_key = Path("rogue_client.key");
  EXPECT_FALSE(ExtractSeed(server.address(), rogue).ok())
      << "a client certificate from another CA";
  service::ClientChannelOptions good = Trusting("ca");
  good.tls_cert = Path("client.pem");
  good.tls_key = Path("client.key");
  EXPECT_TRUE(ExtractSeed(server.address(), good).ok());
}

TEST_F(TlsTest, CliSpeaksMutualTls) {
  Instance server({"--tls_cert=" + Path("server.pem"),
                   "--tls_key=" + Path("server.key"),
                   "--tls_client_ca=" + Path("ca.pem")});
  ASSERT_TRUE(server.Start().ok());
  absl::StatusOr<ProcessResult> local = RunProcess(
      {GONGKAI_CLI_PATH, "extract",
       std::string("--plugin_dir=") + GONGKAI_PLUGIN_DIR, seeds_[0]});
  ASSERT_TRUE(local.ok());
  ASSERT_EQ(local->exit_code, 0) << local->err;
  absl::StatusOr<ProcessResult> remote = RunProcess(
      {GONGKAI_CLI_PATH, "extract", "--server=" + server.address(),
       "--tls_ca=" + Path("ca.pem"), "--tls_cert=" + Path("client.pem"),
       "--tls_key=" + Path("client.key"), "--tls_server_name=localhost",
       seeds_[0]});
  ASSERT_TRUE(remote.ok());
  EXPECT_EQ(remote->exit_code, 0) << remote->err;
  EXPECT_EQ(remote->out, local->out);
  // Without the client certificate the CLI fails, naming the server.
  absl::StatusOr<ProcessResult> refused = RunProcess(
      {GONGKAI_CLI_PATH, "extract", "--server=" + server.address(),
       "--tls_ca=" + Path("ca.pem"), "--timeout_ms=5000", seeds_[0]});
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->exit_code, 1);
  EXPECT_NE(refused->err.find("UNAVAILABLE"), std::string::npos)
      << refused->err;
}

TEST_F(TlsTest, BadTlsFlagsStopTheServerAtStartUp) {
  for (const std::vector<std::string>& flags :
       std::vector<std::vector<std::string>>{
           {"--tls_cert=" + Path("server.pem")},   // no key
           {"--tls_client_ca=" + Path("ca.pem")},  // mTLS without a cert
           {"--tls_cert=" + Path("server.ext"),    // not PEM
            "--tls_key=" + Path("server.key")},
           {"--tls_cert=" + Path("missing.pem"),
            "--tls_key=" + Path("server.key")}}) {
    std::vector<std::string> argv = {GONGKAI_SERVER_PATH,
                                     "--listen=127.0.0.1:0"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    absl::StatusOr<ProcessResult> r = RunProcess(argv, 30);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->exit_code, 2) << flags[0] << "\n" << r->err;
  }
}

}  // namespace
}  // namespace gongkai::testing
