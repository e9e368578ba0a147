// A test fixture whose suite shares one real gongkai-server: started before
// the suite's first test with the suite's flags, stopped by SIGTERM after its
// last -- where it must exit 0 -- and reached by each test over its own
// channel.
#pragma once

#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "process_util.h"
#include "test_support.h"

namespace gongkai::testing {

// Derived may define `static std::vector<std::string> ServerFlags()`.
template <typename Derived>
class SharedServerTest : public ::testing::Test {
 protected:
  static std::vector<std::string> ServerFlags() { return {}; }

  static void SetUpTestSuite() {
    server_ = new ServerProcess;
    absl::Status s = server_->Start(Derived::ServerFlags());
    if (!s.ok()) start_error_ = new std::string(s.ToString());
  }

  static void TearDownTestSuite() {
    if (server_ != nullptr && start_error_ == nullptr) {
      absl::StatusOr<int> code = server_->Stop(SIGTERM);
      EXPECT_TRUE(code.ok()) << code.status();
      if (code.ok()) EXPECT_EQ(*code, 0) << server_->Output();
    }
    delete server_;
    server_ = nullptr;
    delete start_error_;
    start_error_ = nullptr;
  }

  void SetUp() override {
    ASSERT_EQ(start_error_, nullptr) << *start_error_;
    channel_ = MakeChannel(server_->address());
    stub_ = v1::Extractor::NewStub(channel_);
  }

  // The server is alive and its health says SERVING.
  void ExpectServing() {
    ASSERT_EQ(kill(server_->pid(), 0), 0) << "server died:\n"
                                          << server_->Output();
    auto status = Health(channel_, "gongkai.v1.Extractor");
    ASSERT_TRUE(status.ok()) << status.status() << "\n" << server_->Output();
    EXPECT_EQ(*status, grpc::health::v1::HealthCheckResponse::SERVING);
  }

  static inline ServerProcess* server_ = nullptr;
  static inline std::string* start_error_ = nullptr;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Extractor::Stub> stub_;
};

}  // namespace gongkai::testing
