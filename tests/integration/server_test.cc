// Runs the real gongkai-server on loopback and checks what a client sees:
// health, plugins, that the server's reports equal the library's, per-document
// errors in streams, the size limit, and a clean stop on SIGTERM.
#include <signal.h>

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "gtest/gtest.h"
#include "process_util.h"
#include "shared_server_test.h"
#include "test_support.h"

namespace gongkai::testing {
namespace {

namespace fs = std::filesystem;
using ::google::protobuf::util::MessageDifferencer;
using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;

constexpr char kService[] = "gongkai.v1.Extractor";

// Waits (bounded) until the server no longer answers SERVING: it then has
// handled the stop signal.
bool WaitUntilNotServing(const std::shared_ptr<grpc::Channel>& channel,
                         HealthCheckResponse::ServingStatus* last_status) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto status = Health(channel, kService);
    if (!status.ok() || *status != HealthCheckResponse::SERVING) {
      *last_status = status.ok() ? *status : HealthCheckResponse::UNKNOWN;
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// One server for the tests that do not stop it.
class ServerTest : public SharedServerTest<ServerTest> {
 protected:
  grpc::Status Extract(const std::string& document, v1::Report* report,
                       const std::string& plugin = "") {
    v1::ExtractRequest request;
    request.set_document(document);
    if (!plugin.empty()) request.set_plugin(plugin);
    auto context = Context();
    return stub_->Extract(context.get(), request, report);
  }

};

TEST_F(ServerTest, HealthIsServing) {
  for (const std::string service : {"", kService}) {
    auto status = Health(channel_, service);
    ASSERT_TRUE(status.ok()) << status.status();
    EXPECT_EQ(*status, HealthCheckResponse::SERVING) << "service " << service;
  }
}

// Server reflection (what grpcurl uses) lists the service and serves the
// file that defines it.
TEST_F(ServerTest, ReflectionDescribesTheService) {
  namespace refl = ::grpc::reflection::v1alpha;
  auto stub = refl::ServerReflection::NewStub(channel_);
  auto context = Context();
  auto stream = stub->ServerReflectionInfo(context.get());
  refl::ServerReflectionRequest list;
  list.set_list_services("");
  refl::ServerReflectionRequest file;
  file.set_file_containing_symbol(kService);
  ASSERT_TRUE(stream->Write(list));
  ASSERT_TRUE(stream->Write(file));
  ASSERT_TRUE(stream->WritesDone());

  refl::ServerReflectionResponse response;
  ASSERT_TRUE(stream->Read(&response));
  ASSERT_TRUE(response.has_list_services_response()) << response.DebugString();
  std::set<std::string> services;
  for (const auto& s : response.list_services_response().service()) {
    services.insert(s.name());
  }
  EXPECT_TRUE(services.count(kService)) << response.DebugString();

  ASSERT_TRUE(stream->Read(&response));
  ASSERT_TRUE(response.has_file_descriptor_response())
      << response.DebugString();
  bool found = false;
  for (const std::string& bytes :
       response.file_descriptor_response().file_descriptor_proto()) {
    google::protobuf::FileDescriptorProto fd;
    ASSERT_TRUE(fd.ParseFromString(bytes));
    for (const auto& service : fd.service()) {
      if (fd.package() + "." + service.name() == kService) {
        found = true;
        EXPECT_EQ(service.method_size(), 6);  // with Echo, EchoStream
      }
    }
  }
  EXPECT_TRUE(found);
  EXPECT_FALSE(stream->Read(&response));
  grpc::Status status = stream->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(ServerTest, ListsTheBundledPlugins) {
  v1::ListPluginsResponse response;
  auto context = Context();
  grpc::Status status =
      stub_->ListPlugins(context.get(), v1::ListPluginsRequest(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::map<std::string, v1::PluginInfo> by_name;
  for (const v1::PluginInfo& p : response.plugins()) by_name[p.name()] = p;
  for (const std::string& name : BundledPluginNames()) {
    ASSERT_TRUE(by_name.count(name))
        << name << " missing; server said:\n"
        << response.DebugString() << server_->Output();
    EXPECT_EQ(by_name[name].abi_version(), 1u) << name;
    EXPECT_FALSE(by_name[name].version().empty()) << name;
    EXPECT_THAT(by_name[name].path(), HasSubstr(name));
  }
}

TEST_F(ServerTest, ExtractEqualsTheInProcessPipeline) {
  const std::vector<std::string> seeds = SeedFiles();
  if (seeds.empty()) GTEST_SKIP() << "no seeds under " << GONGKAI_CORPUS_DIR;
  for (const std::string& path : seeds) {
    SCOPED_TRACE(path);
    const std::string document = ReadFile(path);
    const std::string name = fs::path(path).filename().string();
    v1::ExtractRequest request;
    request.set_document(document);
    request.set_file_name(name);
    v1::Report served;
    auto context = Context();
    grpc::Status status = stub_->Extract(context.get(), request, &served);
    absl::StatusOr<v1::Report> local = ExtractInProcess(document, name);
    ASSERT_TRUE(local.ok()) << "in-process: " << local.status();
    ASSERT_TRUE(status.ok())
        << status.error_code() << " " << status.error_message();
    EXPECT_FALSE(served.source_format().empty());
    EXPECT_TRUE(MessageDifferencer::Equals(served, *local))
        << "server:\n"
        << served.DebugString() << "\nin-process:\n"
        << local->DebugString();
  }
}

TEST_F(ServerTest, StreamAnswersEveryDocumentByIdAndCarriesOnAfterErrors) {
  std::map<std::string, std::string> documents;  // id -> document
  std::map<std::string, std::string> names;      // id -> file name
  for (const std::string& path : SeedFiles()) {
    const std::string id =
        absl::StrCat("seed:", fs::path(path).filename().string());
    documents[id] = ReadFile(path);
    names[id] = fs::path(path).filename().string();
  }
  documents["empty"] = "";
  documents["invalid_utf8"] = InvalidUtf8Document();

  auto context = Context(std::chrono::seconds(120));
  auto stream = stub_->ExtractStream(context.get());
  // Write everything from another thread while this one reads, so neither
  // side's flow control can block the other.
  std::thread writer([&] {
    for (const auto& [id, document] : documents) {
      v1::ExtractRequest request;
      request.set_id(id);
      request.set_document(document);
      if (names.count(id)) request.set_file_name(names[id]);
      if (!stream->Write(request)) break;
    }
    stream->WritesDone();
  });
  std::map<std::string, v1::ExtractResponse> answers;
  v1::ExtractResponse response;
  while (stream->Read(&response)) {
    EXPECT_TRUE(answers.emplace(response.id(), response).second)
        << "two answers for " << response.id();
  }
  writer.join();
  grpc::Status status = stream->Finish();
  ASSERT_TRUE(status.ok()) << status.error_code() << " "
                           << status.error_message();

  ASSERT_EQ(answers.size(), documents.size());
  for (const auto& [id, document] : documents) {
    SCOPED_TRACE(id);
    ASSERT_TRUE(answers.count(id));
    const v1::ExtractResponse& answer = answers[id];
    if (id == "empty" || id == "invalid_utf8") {
      ASSERT_TRUE(answer.has_error());
      EXPECT_EQ(answer.error().code(), grpc::StatusCode::INVALID_ARGUMENT);
      EXPECT_FALSE(answer.error().message().empty());
      continue;
    }
    absl::StatusOr<v1::Report> local = ExtractInProcess(document, names[id]);
    ASSERT_TRUE(local.ok()) << "in-process: " << local.status();
    ASSERT_TRUE(answer.has_report())
        << answer.error().code() << " " << answer.error().message();
    EXPECT_TRUE(MessageDifferencer::Equals(answer.report(), *local));
  }
  ExpectServing();
}

// Several streams (each longer than the server's per-stream window, so
// reading pauses and resumes) and unary calls at once: every answer still
// equals the library's.
TEST_F(ServerTest, ConcurrentStreamsAndCallsAgreeWithInProcess) {
  const std::vector<std::string> seeds = SeedFiles();
  if (seeds.empty()) GTEST_SKIP() << "no seeds under " << GONGKAI_CORPUS_DIR;
  struct Seed {
    std::string name, document;
    v1::Report expected;
  };
  std::vector<Seed> inputs;
  for (const std::string& path : seeds) {
    Seed s{fs::path(path).filename().string(), ReadFile(path), {}};
    absl::StatusOr<v1::Report> local = ExtractInProcess(s.document, s.name);
    ASSERT_TRUE(local.ok()) << path << ": " << local.status();
    s.expected = *local;
    inputs.push_back(std::move(s));
  }
  constexpr int kRounds = 6;

  auto stream_client = [&](int client) {
    auto context = Context(std::chrono::seconds(120));
    auto stream = stub_->ExtractStream(context.get());
    std::thread writer([&] {
      for (int round = 0; round < kRounds; ++round) {
        for (size_t i = 0; i < inputs.size(); ++i) {
          v1::ExtractRequest request;
          request.set_id(absl::StrCat(client, "/", round, "/", i));
          request.set_document(inputs[i].document);
          request.set_file_name(inputs[i].name);
          if (!stream->Write(request)) return;
        }
      }
      stream->WritesDone();
    });
    std::set<std::string> seen;
    v1::ExtractResponse response;
    while (stream->Read(&response)) {
      EXPECT_TRUE(seen.insert(response.id()).second) << response.id();
      const size_t i =
          std::stoul(response.id().substr(response.id().rfind('/') + 1));
      ASSERT_LT(i, inputs.size());
      ASSERT_TRUE(response.has_report()) << response.error().message();
      EXPECT_TRUE(
          MessageDifferencer::Equals(response.report(), inputs[i].expected))
          << response.id();
    }
    writer.join();
    grpc::Status status = stream->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(seen.size(), kRounds * inputs.size());
  };
  auto unary_client = [&] {
    for (int round = 0; round < kRounds; ++round) {
      for (const Seed& s : inputs) {
        v1::ExtractRequest request;
        request.set_document(s.document);
        request.set_file_name(s.name);
        v1::Report report;
        auto context = Context();
        grpc::Status status = stub_->Extract(context.get(), request, &report);
        ASSERT_TRUE(status.ok()) << status.error_message();
        EXPECT_TRUE(MessageDifferencer::Equals(report, s.expected)) << s.name;
      }
    }
  };
  std::vector<std::thread> clients;
  for (int c = 0; c < 3; ++c) clients.emplace_back(stream_client, c);
  for (int c = 0; c < 3; ++c) clients.emplace_back(unary_client);
  for (std::thread& t : clients) t.join();
  ExpectServing();
}

// A client that gives up mid-stream (answers still owed, requests still
// queued) must not wedge the server: it keeps serving, and the suite's final
// SIGTERM still finds every call finished (exit 0, see TearDownTestSuite).
TEST_F(ServerTest, CancelledStreamLeavesTheServerHealthy) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto context = Context(std::chrono::seconds(60));
    auto stream = stub_->ExtractStream(context.get());
    v1::ExtractRequest request;
    request.set_document(std::string(64 << 10, 'x') + "本报告依据条例编制。");
    bool written = true;
    for (int i = 0; i < 20 && written; ++i) {
      request.set_id(absl::StrCat(i));
      written = stream->Write(request);
    }
    v1::ExtractResponse response;
    if (attempt % 2 == 0) stream->Read(&response);
    context->TryCancel();
    while (stream->Read(&response)) {
    }
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  ExpectServing();
  v1::Report report;
  EXPECT_EQ(Extract("", &report).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ServerTest, UnknownPluginIsInvalidArgumentListingTheLoadedOnes) {
  v1::Report report;
  grpc::Status status =
      Extract("本报告依据条例编制。", &report, "no_such_plugin");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("no_such_plugin"));
  for (const std::string& name : BundledPluginNames()) {
    EXPECT_THAT(status.error_message(), HasSubstr(name));
  }
  ExpectServing();
}

TEST_F(ServerTest, EmptyDocumentIsInvalidArgument) {
  v1::Report report;
  grpc::Status status = Extract("", &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << status.error_message();
  ExpectServing();
}

TEST_F(ServerTest, InvalidUtf8IsInvalidArgument) {
  v1::Report report;
  grpc::Status status = Extract(InvalidUtf8Document(), &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << status.error_message();
  EXPECT_FALSE(status.error_message().empty());
  ExpectServing();
}

TEST_F(ServerTest, DetectScoresEveryPluginBestFirst) {
  const std::vector<std::string> seeds = SeedFiles();
  if (seeds.empty()) GTEST_SKIP() << "no seeds under " << GONGKAI_CORPUS_DIR;
  for (const std::string& path : seeds) {
    SCOPED_TRACE(path);
    v1::DetectRequest request;
    request.set_document(ReadFile(path));
    v1::DetectResponse response;
    auto context = Context();
    grpc::Status status = stub_->Detect(context.get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(static_cast<size_t>(response.scores_size()),
              InProcessRegistry().List().size());
    EXPECT_FALSE(response.charset().empty());
    for (int i = 1; i < response.scores_size(); ++i) {
      EXPECT_GE(response.scores(i - 1).score(), response.scores(i).score());
    }
  }
  v1::DetectRequest empty;
  v1::DetectResponse response;
  auto context = Context();
  EXPECT_EQ(stub_->Detect(context.get(), empty, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  ExpectServing();
}

TEST(ServerLimitTest, DocumentOverTheLimitIsResourceExhausted) {
  constexpr int kLimit = 1 << 20;
  ServerProcess server;
  ASSERT_TRUE(server.Start({absl::StrCat("--max_message_bytes=", kLimit)}).ok())
      << server.Output();
  auto channel = MakeChannel(server.address());
  auto stub = v1::Extractor::NewStub(channel);

  // Far over: gRPC's own receive limit refuses it.
  // Just over: gRPC reads it (framing slack) and the pipeline refuses it,
  // which shows the pipeline's limit is the flag's.
  for (size_t size : {size_t{2} << 20, size_t{kLimit} + 1}) {
    SCOPED_TRACE(size);
    v1::ExtractRequest request;
    request.set_document(std::string(size, 'a'));
    v1::Report report;
    auto context = Context();
    grpc::Status status = stub->Extract(context.get(), request, &report);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << status.error_message();
    auto health = Health(channel, kService);
    ASSERT_TRUE(health.ok()) << health.status();
    EXPECT_EQ(*health, HealthCheckResponse::SERVING);
  }
  absl::StatusOr<int> code = server.Stop(SIGTERM);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << server.Output();
}

TEST(ServerStopTest, SigtermExitsZero) {
  ServerProcess server;
  ASSERT_TRUE(server.Start().ok()) << server.Output();
  auto health = Health(MakeChannel(server.address()), kService);
  ASSERT_TRUE(health.ok()) << health.status();
  absl::StatusOr<int> code = server.Stop(SIGTERM);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << server.Output();
}

TEST(ServerStopTest, SigintExitsZero) {
  ServerProcess server;
  ASSERT_TRUE(server.Start().ok()) << server.Output();
  absl::StatusOr<int> code = server.Stop(SIGINT);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << server.Output();
}

// A stream open when SIGTERM arrives is served to its end: the server stops
// taking new calls but finishes the ones it has.
TEST(ServerStopTest, StreamInFlightAtSigtermCompletes) {
  ServerProcess server;
  ASSERT_TRUE(server.Start().ok()) << server.Output();
  auto channel = MakeChannel(server.address());
  auto stub = v1::Extractor::NewStub(channel);
  auto context = Context(std::chrono::seconds(120));
  auto stream = stub->ExtractStream(context.get());

  // The first answer proves the call is established on the server.
  v1::ExtractRequest request;
  request.set_id("before");
  request.set_document("本报告依据《中华人民共和国政府信息公开条例》编制。");
  ASSERT_TRUE(stream->Write(request));
  v1::ExtractResponse response;
  ASSERT_TRUE(stream->Read(&response)) << server.Output();
  EXPECT_EQ(response.id(), "before");

  server.Signal(SIGTERM);
  HealthCheckResponse::ServingStatus last;
  ASSERT_TRUE(WaitUntilNotServing(MakeChannel(server.address()), &last))
      << "still SERVING 30 s after SIGTERM\n"
      << server.Output();

  request.set_id("after");
  ASSERT_TRUE(stream->Write(request)) << server.Output();
  ASSERT_TRUE(stream->WritesDone());
  ASSERT_TRUE(stream->Read(&response)) << server.Output();
  EXPECT_EQ(response.id(), "after");
  EXPECT_FALSE(stream->Read(&response));
  grpc::Status status = stream->Finish();
  EXPECT_TRUE(status.ok()) << status.error_code() << " "
                           << status.error_message();

  absl::StatusOr<int> code = server.Stop(SIGTERM);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << server.Output();
}

// During --shutdown_grace_ms the server still answers but says NOT_SERVING,
// so a load balancer drains it before it refuses calls.
TEST(ServerStopTest, GracePeriodReportsNotServingAndStillAnswers) {
  ServerProcess server;
  ASSERT_TRUE(server.Start({"--shutdown_grace_ms=5000"}).ok())
      << server.Output();
  auto channel = MakeChannel(server.address());
  auto stub = v1::Extractor::NewStub(channel);
  server.Signal(SIGTERM);
  HealthCheckResponse::ServingStatus last = HealthCheckResponse::UNKNOWN;
  ASSERT_TRUE(WaitUntilNotServing(channel, &last)) << server.Output();
  EXPECT_EQ(last, HealthCheckResponse::NOT_SERVING);
  v1::ListPluginsResponse plugins;
  auto context = Context();
  grpc::Status status =
      stub->ListPlugins(context.get(), v1::ListPluginsRequest(), &plugins);
  EXPECT_TRUE(status.ok()) << status.error_message();

  absl::StatusOr<int> code = server.Stop(SIGTERM);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << server.Output();
}

TEST(ServerStartTest, BusyPortIsRefused) {
  ServerProcess first;
  ASSERT_TRUE(first.Start().ok()) << first.Output();
  absl::StatusOr<ProcessResult> second = RunProcess(
      {GONGKAI_SERVER_PATH, absl::StrCat("--listen=", first.address()),
       std::string("--plugin_dir=") + GONGKAI_PLUGIN_DIR},
      60);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(second->exit_code, 0) << second->out << second->err;
  EXPECT_THAT(second->err, HasSubstr("cannot listen"));
  absl::StatusOr<int> code = first.Stop(SIGTERM);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
}

// Libraries that are not usable plugins are refused one log line each, and
// the server serves with the ones that loaded.
TEST(ServerStartTest, RefusedPluginsAreLoggedAndTheRestServed) {
#ifndef GONGKAI_BAD_PLUGIN_DIR
  GTEST_SKIP() << "the plugin host's broken test plugins are not built";
#else
  TempDir dir;
  std::vector<std::string> bad;
  for (const std::string source :
       {GONGKAI_PLUGIN_DIR, GONGKAI_BAD_PLUGIN_DIR}) {
    for (const auto& entry : fs::directory_iterator(source)) {
      if (entry.path().extension() != ".so") continue;
      fs::copy_file(entry.path(),
                    fs::path(dir.path()) / entry.path().filename());
      if (source == GONGKAI_BAD_PLUGIN_DIR) {
        bad.push_back(entry.path().filename().string());
      }
    }
  }
  ASSERT_FALSE(bad.empty());
  ServerProcess server;
  ASSERT_TRUE(server.Start({"--plugin_dir=" + dir.path()}).ok())
      << server.Output();
  const std::string log = server.Output();
  for (const std::string& name : bad) {
    bool refused = false;
    for (absl::string_view line : absl::StrSplit(log, '\n')) {
      refused = refused || (absl::StartsWith(line, "plugin refused: ") &&
                            absl::StrContains(line, name));
    }
    EXPECT_TRUE(refused) << name << " has no refusal line:\n" << log;
  }
  auto stub = v1::Extractor::NewStub(MakeChannel(server.address()));
  v1::ListPluginsResponse response;
  auto context = Context();
  ASSERT_TRUE(
      stub->ListPlugins(context.get(), v1::ListPluginsRequest(), &response)
          .ok());
  std::set<std::string> names;
  for (const auto& p : response.plugins()) names.insert(p.name());
  EXPECT_EQ(names, BundledPluginNames());
  absl::StatusOr<int> code = server.Stop(SIGTERM);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << server.Output();
#endif
}

TEST(ServerStartTest, UnreadablePluginDirFailsClearly) {
  absl::StatusOr<ProcessResult> result =
      RunProcess({GONGKAI_SERVER_PATH, "--listen=127.0.0.1:0",
                  "--plugin_dir=/nonexistent/gongkai/plugins"},
                 30);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_NE(result->exit_code, 0);
  EXPECT_THAT(result->err, HasSubstr("/nonexistent/gongkai/plugins"));
}

}  // namespace
}  // namespace gongkai::testing
