// The fleet on loopback: three gongkai-server instances behind HAProxy (the
// shipped deploy/haproxy/haproxy.cfg), then the same through client-side
// round_robin. 2,000 corpus documents go out with 32 calls in flight while
// one instance is SIGKILLed and started again, and then all three are
// restarted one by one with SIGTERM. Clients retry UNAVAILABLE (and
// CANCELLED, which they never ask for) with backoff
// (extraction is idempotent); every document must get exactly one answer,
// equal to the in-process pipeline's: nothing lost, nothing duplicated.
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client_channel.h"
#include "fleet_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "test_support.h"

namespace gongkai::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kInstances = 3;
constexpr int kDocuments = 2000;
constexpr int kInFlight = 32;
// Long enough for HAProxy (checks every kCheckMs, fall 2) and for the
// clients' health watch to take the instance out before it refuses calls.
constexpr int kGraceMs = 800;
constexpr int kCheckMs = 200;

class FleetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // An idle channel notices a server's GOAWAY only at its next backup poll
    // (5 s by default); see docs/service.md.
    setenv("GRPC_CLIENT_CHANNEL_BACKUP_POLL_INTERVAL_MS", "100", 1);
  }

  void SetUp() override {
    documents_ = CorpusDocuments();
    if (documents_.empty()) GTEST_SKIP() << "the shared corpus is absent";
    for (const Document& d : documents_) {
      expected_.push_back(ExtractInProcess(d.bytes, d.name));
    }
    for (int i = 0; i < kInstances; ++i) {
      instances_.push_back(std::make_unique<Instance>(std::vector<std::string>{
          absl::StrCat("--shutdown_grace_ms=", kGraceMs)}));
      ASSERT_TRUE(instances_.back()->Start().ok());
    }
  }

  std::vector<const Instance*> Instances() const {
    std::vector<const Instance*> out;
    for (const auto& i : instances_) out.push_back(i.get());
    return out;
  }

  // Bounded wait until instance i answers SERVING on its own port.
  void WaitServing(int i) {
    auto channel = MakeChannel(instances_[i]->address());
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (Clock::now() < deadline) {
      auto status = Health(channel, "gongkai.v1.Extractor");
      if (status.ok() &&
          *status == grpc::health::v1::HealthCheckResponse::SERVING) {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "instance " << i << " not SERVING after restart";
  }

  // The run: the kill at 300 documents issued, the rolling restart from
  // 800 on. Documents past a gate wait until the step before it is done, so
  // every step happens while calls are in flight, however fast the machine.
  void RunScenario(v1::Extractor::Stub* stub, const std::string& how) {
    LoadRun run(stub, &documents_, kDocuments, kInFlight, /*initial_gate=*/700);
    run.Start();

    ASSERT_TRUE(run.WaitIssued(300)) << "no progress";
    std::cerr << how << ": SIGKILL instance 1 at " << run.done() << " done, "
              << run.issued() - run.done() << " in flight\n";
    absl::StatusOr<int> killed = instances_[0]->Stop(SIGKILL);
    ASSERT_TRUE(killed.ok()) << killed.status();
    EXPECT_EQ(*killed, 128 + SIGKILL);
    ASSERT_TRUE(instances_[0]->Start().ok()) << "restart after SIGKILL";
    WaitServing(0);
    run.OpenGateTo(1000);

    ASSERT_TRUE(run.WaitIssued(800)) << "no progress";
    for (int k = 0; k < kInstances; ++k) {
      std::cerr << how << ": SIGTERM instance " << k + 1 << " at " << run.done()
                << " done, " << run.issued() - run.done() << " in flight\n";
      absl::StatusOr<int> code = instances_[k]->Stop(SIGTERM);
      ASSERT_TRUE(code.ok()) << code.status();
      EXPECT_EQ(*code, 0) << instances_[k]->Output();
      ASSERT_TRUE(instances_[k]->Start().ok()) << "restart after SIGTERM";
      WaitServing(k);
      // Let the balancer see it up again before the next one goes down.
      std::this_thread::sleep_for(std::chrono::milliseconds(2 * kCheckMs));
      run.OpenGateTo(1000 + 300 * (k + 1));
    }

    LoadResult& result = run.Join();
    int lost = 0, duplicated = 0, wrong = 0, failed = 0;
    std::map<std::string, int> failures;
    for (int i = 0; i < kDocuments; ++i) {
      if (result.answers[i] == 0) ++lost;
      if (result.answers[i] > 1) ++duplicated;
      if (result.answers[i] != 1) continue;
      const auto& want = expected_[i % expected_.size()];
      const grpc::Status& got = result.errors[i];
      if (want.ok() != got.ok()) {
        ++failed;
        ++failures[absl::StrCat(got.error_code(), " ", got.error_message())];
        continue;
      }
      if (want.ok()) {
        if (!google::protobuf::util::MessageDifferencer::Equals(
                *result.reports[i], *want)) {
          ++wrong;
        }
      } else if (static_cast<int>(want.status().code()) !=
                 static_cast<int>(got.error_code())) {
        ++wrong;
      }
    }
    std::cerr << how << ": " << kDocuments << " documents in " << result.seconds
              << " s, " << result.attempts << " attempts, " << result.retries
              << " UNAVAILABLE and " << result.cancelled_retries
              << " CANCELLED or reset streams retried\n";
    EXPECT_EQ(lost, 0) << how;
    EXPECT_EQ(duplicated, 0) << how;
    EXPECT_EQ(failed, 0) << how << ": "
                         << absl::StrJoin(failures, "; ",
                                          absl::PairFormatter(" x"));
    EXPECT_EQ(wrong, 0) << how << ": reports unlike the in-process ones";
  }

  std::vector<Document> documents_;
  std::vector<absl::StatusOr<v1::Report>> expected_;
  std::vector<std::unique_ptr<Instance>> instances_;
};

TEST_F(FleetTest, BehindHaproxyThroughKillAndRollingRestart) {
  if (!Haproxy::Available()) {
    GTEST_SKIP() << "haproxy is not installed (./run.sh deps installs it)";
  }
  Haproxy haproxy;
  ASSERT_TRUE(haproxy.Start(Instances(), kCheckMs).ok()) << haproxy.Output();
  // One plain channel to HAProxy: the balancing is HAProxy's.
  service::ClientChannelOptions options;
  options.lb_policy = "";
  options.health_check = false;
  options.max_attempts = 1;
  auto channel = service::MakeClientChannel(haproxy.address(), options);
  ASSERT_TRUE(channel.ok());
  auto stub = v1::Extractor::NewStub(*channel);
  RunScenario(stub.get(), "haproxy");
  absl::StatusOr<int> code = haproxy.Stop();
  ASSERT_TRUE(code.ok()) << code.status();
  if (HasFailure()) std::cerr << haproxy.Output();
}

// nginx has no active health checks and does not see NOT_SERVING: it
// learns of a stopped instance from refused connections and moves the call
// on (grpc_next_upstream); what it cannot move reaches the client as
// UNAVAILABLE, or as CANCELLED when the instance reset a stream it had
// taken as it stopped; the client retries both.
TEST_F(FleetTest, BehindNginxThroughKillAndRollingRestart) {
  if (!Nginx::Available()) {
    GTEST_SKIP() << "nginx is not installed (./run.sh deps installs it)";
  }
  Nginx nginx;
  ASSERT_TRUE(nginx.Start(Instances()).ok()) << nginx.Output();
  service::ClientChannelOptions options;
  options.lb_policy = "";
  options.health_check = false;
  options.max_attempts = 1;
  auto channel = service::MakeClientChannel(nginx.address(), options);
  ASSERT_TRUE(channel.ok());
  auto stub = v1::Extractor::NewStub(*channel);
  RunScenario(stub.get(), "nginx");
  absl::StatusOr<int> code = nginx.Stop();
  ASSERT_TRUE(code.ok()) << code.status();
  if (HasFailure()) std::cerr << nginx.Output();
}

TEST_F(FleetTest, ClientSideRoundRobinThroughKillAndRollingRestart) {
  std::vector<std::string> addresses;
  for (const auto& i : instances_) addresses.push_back(i->address());
  service::ClientChannelOptions options;  // round_robin + health watch
  options.max_attempts = 1;               // the load runner retries itself
  grpc::ChannelArguments args;
  // Reconnect to a restarted instance quickly.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  auto channel = service::MakeClientChannel(
      "ipv4:" + absl::StrJoin(addresses, ","), options, args);
  ASSERT_TRUE(channel.ok());
  auto stub = v1::Extractor::NewStub(*channel);
  RunScenario(stub.get(), "round_robin");
}

}  // namespace
}  // namespace gongkai::testing
