// Hostile input through the real gongkai-server: empty, one byte, invalid
// UTF-8, UTF-16 and GBK, a PNG, NUL bytes, over the size limit, a 10 MB
// line, 100,000 rows, one label 100,000 times, 10,000 columns. Each must get
// a clear status or a report within a generous deadline (the bound on the
// work: the deadline, never a timing assertion), and the server must still
// answer health afterwards.
#include <iconv.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
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
using ::testing::StartsWith;

constexpr char kService[] = "gongkai.v1.Extractor";
constexpr auto kDeadline = std::chrono::seconds(60);
constexpr size_t kLimit = size_t{64} << 20;  // the server's default

// text re-encoded from UTF-8 by iconv; nullopt if some character has no
// encoding there.
std::optional<std::string> Encode(const std::string& text, const char* to) {
  iconv_t cd = iconv_open(to, "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out(text.size() * 4 + 16, '\0');
  char* in_ptr = const_cast<char*>(text.data());
  size_t in_left = text.size();
  char* out_ptr = out.data();
  size_t out_left = out.size();
  const size_t rc = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
  iconv_close(cd);
  if (rc == static_cast<size_t>(-1) || in_left != 0) return std::nullopt;
  out.resize(out.size() - out_left);
  return out;
}

// What the report says, without where it says it: evidence and warnings
// carry byte offsets, which differ between encodings of the same text.
v1::Report Figures(const v1::Report& report) {
  v1::Report r = report;
  r.clear_evidence();
  r.clear_warnings();
  r.clear_charset();
  return r;
}

bool HasFigures(const v1::Report& r) {
  return r.has_proactive() || r.has_applications() || r.has_reviews();
}

// A PNG as a file would hold it: signature, an IHDR chunk, then compressed
// junk that never decodes to text.
std::string PngDocument() {
  std::string png("\x89PNG\r\n\x1a\n", 8);
  png += std::string(
      "\x00\x00\x00\x0dIHDR\x00\x00\x01\x00\x00\x00\x01\x00"
      "\x08\x06\x00\x00\x00\x5c\x72\xa8\x66",
      25);
  png += std::string("\x00\x00\x20\x00IDAT", 8);
  std::mt19937 random(42);
  for (int i = 0; i < 8192; ++i) png.push_back(static_cast<char>(random()));
  return png;
}

class HostileTest : public SharedServerTest<HostileTest> {
 public:
  static std::vector<std::string> ServerFlags() { return {"--workers=2"}; }

 protected:
  // Sends one document with the generous deadline that bounds its work.
  grpc::Status Send(const std::string& document, v1::Report* report,
                    const std::string& file_name = "") {
    v1::ExtractRequest request;
    request.set_document(document);
    if (!file_name.empty()) request.set_file_name(file_name);
    auto context = Context(kDeadline);
    const auto start = std::chrono::steady_clock::now();
    grpc::Status status = stub_->Extract(context.get(), request, report);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    // For the log: how the time grows with the size.
    std::cout << "  " << document.size() << " bytes: "
              << (status.ok() ? "OK"
                              : absl::StrCat("code ", status.error_code()))
              << " in " << seconds << " s\n";
    return status;
  }


  // Every seed re-encoded with iconv as `charset` (BOM first if given), and
  // the in-process report of its UTF-8 original.
  void ExpectSameFiguresAs(const char* charset, const std::string& bom,
                           const std::string& charset_prefix) {
    const std::vector<std::string> seeds = SeedFiles();
    if (seeds.empty()) GTEST_SKIP() << "no seeds under " << GONGKAI_CORPUS_DIR;
    int sent = 0;
    for (const std::string& path : seeds) {
      SCOPED_TRACE(path);
      const std::string utf8 = ReadFile(path);
      std::optional<std::string> encoded = Encode(utf8, charset);
      if (!encoded) continue;  // a character the charset lacks
      const std::string name = fs::path(path).filename().string();
      absl::StatusOr<v1::Report> local = ExtractInProcess(utf8, name);
      ASSERT_TRUE(local.ok()) << local.status();
      v1::Report served;
      grpc::Status status = Send(bom + *encoded, &served, name);
      ASSERT_TRUE(status.ok())
          << status.error_code() << " " << status.error_message();
      EXPECT_THAT(served.charset(), StartsWith(charset_prefix));
      EXPECT_TRUE(MessageDifferencer::Equals(Figures(served), Figures(*local)))
          << "as " << charset << ":\n"
          << Figures(served).DebugString() << "\nas UTF-8:\n"
          << Figures(*local).DebugString();
      ++sent;
      ExpectServing();
    }
    EXPECT_GT(sent, 0) << "no seed could be encoded as " << charset;
  }

};

TEST_F(HostileTest, EmptyDocumentIsInvalidArgument) {
  v1::Report report;
  grpc::Status status = Send("", &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("empty"));
  ExpectServing();
}

TEST_F(HostileTest, OneByteIsAReportWithoutFiguresOrRefused) {
  for (const std::string doc : {"a", "7"}) {
    v1::Report report;
    grpc::Status status = Send(doc, &report);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_FALSE(HasFigures(report)) << report.DebugString();
    ExpectServing();
  }
  // Only whitespace, and a lone byte that is no character in any charset
  // read: nothing to report on.
  for (const std::string doc : {"\n", "\xff"}) {
    v1::Report report;
    grpc::Status status = Send(doc, &report);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << status.error_message();
    EXPECT_FALSE(status.error_message().empty());
    ExpectServing();
  }
}

TEST_F(HostileTest, InvalidUtf8IsInvalidArgument) {
  v1::Report report;
  grpc::Status status = Send(InvalidUtf8Document(), &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_FALSE(status.error_message().empty());
  ExpectServing();
}

TEST_F(HostileTest, Utf16WithBomReadsAsItsUtf8) {
  ExpectSameFiguresAs("UTF-16LE", std::string("\xff\xfe", 2), "UTF-16");
  ExpectSameFiguresAs("UTF-16BE", std::string("\xfe\xff", 2), "UTF-16");
}

TEST_F(HostileTest, GbkReadsAsItsUtf8) {
  // GB18030 is GBK's superset: the server may name either.
  ExpectSameFiguresAs("GBK", "", "GB");
}

TEST_F(HostileTest, PngIsInvalidArgument) {
  v1::Report report;
  grpc::Status status = Send(PngDocument(), &report, "report.png");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("PNG"));
  ExpectServing();
}

TEST_F(HostileTest, NulBytesInsideTextAreSkipped) {
  const std::vector<std::string> seeds = SeedFiles();
  if (seeds.empty()) GTEST_SKIP() << "no seeds under " << GONGKAI_CORPUS_DIR;
  for (const std::string& path : seeds) {
    SCOPED_TRACE(path);
    const std::string utf8 = ReadFile(path);
    // A NUL at the end of three lines (between characters, as a broken
    // converter leaves them).
    std::vector<std::string> lines = absl::StrSplit(utf8, '\n');
    for (size_t i : {lines.size() / 4, lines.size() / 2, 3 * lines.size() / 4})
      lines[i].push_back('\0');
    const std::string name = fs::path(path).filename().string();
    absl::StatusOr<v1::Report> local = ExtractInProcess(utf8, name);
    ASSERT_TRUE(local.ok()) << local.status();
    v1::Report served;
    grpc::Status status = Send(absl::StrJoin(lines, "\n"), &served, name);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_TRUE(MessageDifferencer::Equals(Figures(served), Figures(*local)))
        << Figures(served).DebugString();
    ExpectServing();
  }
  // Mostly NULs: binary, not text.
  v1::Report report;
  grpc::Status status = Send(std::string(4096, '\0') + "行政许可", &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ExpectServing();
}

TEST_F(HostileTest, OverTheLimitIsResourceExhausted) {
  // One byte over: refused by the pipeline, with the limit named.
  v1::Report report;
  grpc::Status status = Send(std::string(kLimit + 1, 'a'), &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_FALSE(status.error_message().empty());
  ExpectServing();
  // Far over: refused by gRPC's receive limit before any work.
  status = Send(std::string(kLimit + (16u << 20), 'a'), &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  ExpectServing();
}

TEST_F(HostileTest, TenMegabyteSingleLine) {
  std::string line;
  for (int i = 0; line.size() < (10u << 20); ++i) {
    absl::StrAppend(&line, "本机关共收到政府信息公开申请", i % 1000,
                    "件，行政许可", i % 97, "；");
  }
  v1::Report report;
  grpc::Status status = Send(line, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ExpectServing();
}

TEST_F(HostileTest, HundredThousandTableRows) {
  std::string rows;
  for (int i = 0; i < 100000; ++i) {
    absl::StrAppend(&rows, "第", i, "项\t", i, "\t", i % 7, "\t", i % 3, "\n");
  }
  v1::Report report;
  grpc::Status status = Send(rows, &report, "rows.tsv");
  ASSERT_TRUE(status.ok()) << status.error_message();
  ExpectServing();
}

TEST_F(HostileTest, OneLabelRepeatedHundredThousandTimes) {
  // A label of the contract's applications table, with figures, as a row
  // that a table would hold: in a table of its own, one per line, and in
  // the middle of a real report.
  const std::string row =
      "三、本年度办理结果\t（一）予以公开\t5\t0\t0\t0\t0\t0\t5\n";
  std::string table;
  for (int i = 0; i < 100000; ++i) table += row;
  std::string lines;
  for (int i = 0; i < 100000; ++i) lines += "予以公开\n";
  std::vector<std::string> docs = {table, lines};
  const std::vector<std::string> seeds = SeedFiles();
  if (!seeds.empty()) {
    // The first line of words (a label: some non-ASCII text) from the
    // middle of the seed on, repeated in place.
    const std::string seed = ReadFile(seeds.front());
    std::vector<std::string> seed_lines = absl::StrSplit(seed, '\n');
    auto is_label = [](const std::string& line) {
      return line.size() >= 9 &&
             std::any_of(line.begin(), line.end(), [](char c) {
               return static_cast<unsigned char>(c) >= 0x80;
             });
    };
    size_t middle = seed_lines.size() / 2;
    while (middle + 1 < seed_lines.size() && !is_label(seed_lines[middle]))
      ++middle;
    std::string repeated;
    for (int i = 0; i < 100000; ++i) repeated += seed_lines[middle] + "\n";
    seed_lines[middle] = repeated;
    docs.push_back(absl::StrJoin(seed_lines, "\n"));
  }
  for (const std::string& doc : docs) {
    v1::Report report;
    grpc::Status status = Send(doc, &report);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ExpectServing();
  }
}

TEST_F(HostileTest, TableWithTenThousandColumns) {
  std::vector<std::string> header, figures, labels;
  for (int i = 0; i < 10000; ++i) {
    header.push_back(absl::StrCat("列", i));
    figures.push_back(absl::StrCat(i));
    labels.push_back("予以公开");
  }
  const std::string doc = absl::StrCat(
      absl::StrJoin(header, "\t"), "\n", absl::StrJoin(labels, "\t"), "\n",
      absl::StrJoin(figures, "\t"), "\n", absl::StrJoin(figures, "|"), "\n");
  v1::Report report;
  grpc::Status status = Send(doc, &report, "wide.tsv");
  ASSERT_TRUE(status.ok()) << status.error_message();
  ExpectServing();
}

// The small hostile documents on one stream: each answered, by id, with the
// code the unary call gives it, and the call itself OK.
TEST_F(HostileTest, OneStreamAnswersEachWithItsOwnStatus) {
  const std::map<std::string, std::string> docs = {
      {"empty", ""},
      {"one", "a"},
      {"invalid", InvalidUtf8Document()},
      {"png", PngDocument()},
      {"nul", std::string(4096, '\0')},
  };
  std::map<std::string, int> unary_codes;
  for (const auto& [id, doc] : docs) {
    v1::Report report;
    unary_codes[id] = Send(doc, &report).error_code();
  }
  auto context = Context(kDeadline);
  auto stream = stub_->ExtractStream(context.get());
  for (const auto& [id, doc] : docs) {
    v1::ExtractRequest request;
    request.set_id(id);
    request.set_document(doc);
    ASSERT_TRUE(stream->Write(request));
  }
  ASSERT_TRUE(stream->WritesDone());
  std::map<std::string, int> stream_codes;
  v1::ExtractResponse response;
  while (stream->Read(&response)) {
    stream_codes[response.id()] =
        response.has_error() ? response.error().code() : 0;
  }
  grpc::Status status = stream->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(stream_codes, unary_codes);
  ExpectServing();
}

}  // namespace
}  // namespace gongkai::testing
