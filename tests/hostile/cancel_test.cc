// Cooperative cancellation in-process: ExtractOptions::cancelled stops the
// pipeline with CANCELLED; a plugin sees gk_layout_sink.cancelled turn
// nonzero and the host ignores what it emits after; plugins of an older ABI
// minor still load and run, a newer minor is refused.
#include "cancel.h"

#include <atomic>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gongkai/pipeline.h"
#include "gongkai/plugin.h"
#include "gongkai/plugin_abi.h"
#include "gongkai/plugin_host.h"
#include "gtest/gtest.h"

namespace gongkai {
namespace {

using ::testing::HasSubstr;

// What the test plugin is told and what it saw; one test at a time.
std::atomic<bool>* g_flag = nullptr;  // set by the plugin halfway
int g_cancelled_before = -1;
int g_cancelled_after = -1;

// Emits ten rows of one cell, cancels (as a client going away would), asks
// the host, and emits ten more.
int CancellingExtract(void* /*state*/, const char* /*text*/, size_t len,
                      const gk_layout_sink* sink, char* /*err*/,
                      size_t /*err_len*/) {
  auto emit_rows = [&] {
    for (int i = 0; i < 10; ++i) {
      sink->begin_row(sink->ctx);
      sink->cell(sink->ctx, 0, len, "7", 1);
    }
  };
  sink->begin_table(sink->ctx);
  emit_rows();
  g_cancelled_before = sink->cancelled(sink->ctx);
  if (g_flag != nullptr) g_flag->store(true);
  g_cancelled_after = sink->cancelled(sink->ctx);
  emit_rows();
  sink->end_table(sink->ctx);
  return GK_OK;
}

// A plugin of ABI 1.0: it knows nothing of sink->cancelled.
int OldExtract(void* /*state*/, const char* /*text*/, size_t len,
               const gk_layout_sink* sink, char* /*err*/, size_t /*err_len*/) {
  sink->paragraph(sink->ctx, 0, len);
  return GK_OK;
}

int Detect(void* /*state*/, const char* /*text*/, size_t /*len*/) { return 50; }

gk_plugin Table(const char* name, uint32_t minor,
                int (*extract)(void*, const char*, size_t,
                               const gk_layout_sink*, char*, size_t)) {
  gk_plugin table{};
  table.abi_major = GK_ABI_MAJOR;
  table.abi_minor = minor;
  table.name = name;
  table.version = "1";
  table.description = "test";
  table.detect = &Detect;
  table.extract = extract;
  return table;
}

size_t CountRows(const Layout& layout) {
  size_t rows = 0;
  for (const Block& b : layout.blocks) rows += b.table.rows.size();
  return rows;
}

TEST(CancelTest, AFlagAlreadySetStopsThePipeline) {
  static const gk_plugin table =
      Table("cancelling", GK_ABI_MINOR, &CancellingExtract);
  PluginRegistry registry;
  ASSERT_TRUE(registry.Register(&table, "test").ok());
  Pipeline pipeline(&registry);
  std::atomic<bool> cancelled{true};
  ExtractOptions options;
  options.cancelled = &cancelled;
  absl::StatusOr<v1::Report> report = pipeline.Extract("行政许可 5", options);
  EXPECT_EQ(report.status().code(), absl::StatusCode::kCancelled);
  // The same document without the flag is a report.
  options.cancelled = nullptr;
  g_flag = nullptr;
  EXPECT_TRUE(pipeline.Extract("行政许可 5", options).ok());
}

TEST(CancelTest, APluginSeesTheCancelAndTheHostIgnoresTheRest) {
  static const gk_plugin table =
      Table("cancelling", GK_ABI_MINOR, &CancellingExtract);
  PluginRegistry registry;
  ASSERT_TRUE(registry.Register(&table, "test").ok());
  std::atomic<bool> cancelled{false};
  g_flag = &cancelled;
  absl::StatusOr<Layout> layout =
      registry.Extract("cancelling", "行政许可 5", &cancelled);
  g_flag = nullptr;
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(g_cancelled_before, 0);
  EXPECT_EQ(g_cancelled_after, 1);
  EXPECT_EQ(CountRows(*layout), 10u);  // the ten after the cancel ignored

  // Through the pipeline the partial layout is discarded.
  Pipeline pipeline(&registry);
  std::atomic<bool> cancelled_again{false};
  g_flag = &cancelled_again;
  ExtractOptions options;
  options.cancelled = &cancelled_again;
  absl::StatusOr<v1::Report> report = pipeline.Extract("行政许可 5", options);
  g_flag = nullptr;
  EXPECT_EQ(report.status().code(), absl::StatusCode::kCancelled);
}

TEST(CancelTest, WithoutAFlagNothingIsCancelled) {
  static const gk_plugin table =
      Table("cancelling", GK_ABI_MINOR, &CancellingExtract);
  PluginRegistry registry;
  ASSERT_TRUE(registry.Register(&table, "test").ok());
  std::atomic<bool> unrelated{false};
  g_flag = &unrelated;  // the plugin sets a flag the host was not given
  absl::StatusOr<Layout> layout = registry.Extract("cancelling", "x");
  g_flag = nullptr;
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(g_cancelled_after, 0);
  EXPECT_EQ(CountRows(*layout), 20u);
}

TEST(CancelTest, PluginsOfAnOlderMinorStillRun) {
  static const gk_plugin table = Table("old", 0, &OldExtract);
  PluginRegistry registry;
  ASSERT_TRUE(registry.Register(&table, "test").ok());
  Pipeline pipeline(&registry);
  std::atomic<bool> cancelled{false};
  ExtractOptions options;
  options.cancelled = &cancelled;
  absl::StatusOr<v1::Report> report =
      pipeline.Extract("本机关共收到申请5件", options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->source_format(), "old");
}

TEST(CancelTest, APluginOfANewerMinorIsRefused) {
  static const gk_plugin table = Table("future", GK_ABI_MINOR + 1, &OldExtract);
  PluginRegistry registry;
  absl::Status status = registry.Register(&table, "future.so");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("newer"));
  EXPECT_FALSE(registry.Has("future"));
}

TEST(CancelTest, TheSdkAsksTheHostOnlyWhenItCan) {
  gk_layout_sink sink{};
  sdk::LayoutWriter writer(&sink);
  EXPECT_FALSE(writer.Cancelled());  // no callback: never cancelled
  static int answer = 0;
  sink.cancelled = [](void*) { return answer; };
  EXPECT_FALSE(writer.Cancelled());
  answer = 1;
  EXPECT_TRUE(writer.Cancelled());
}

TEST(CancelTest, ScopesNestAndRestore) {
  EXPECT_FALSE(ExtractionCancelled());
  std::atomic<bool> outer{true}, inner{false};
  {
    CancelScope a(&outer);
    EXPECT_TRUE(ExtractionCancelled());
    {
      CancelScope b(&inner);
      EXPECT_FALSE(ExtractionCancelled());
    }
    EXPECT_TRUE(ExtractionCancelled());
  }
  EXPECT_FALSE(ExtractionCancelled());
}

}  // namespace
}  // namespace gongkai
