// Per-document CPU of Pipeline::Extract with nothing around it: every corpus
// document (or the seeds) run N times on one thread, median thread CPU per
// document -- the "<= 50 us per seed" figure -- and, with --dump, each
// report as JSON so that an optimisation can be checked to change no output
// (diff the dumps of two builds). Also what callgrind profiles:
//
//   valgrind --tool=callgrind --toggle-collect='gongkai::Pipeline::Extract*' \
//     gongkai_pipeline_loop --seeds_only --iterations=10
//
//   pipeline_loop [--iterations=N] [--seeds_only] [--dump=DIR]
//                 [--only=SUBSTRING] [--scale=BYTES]
//     --scale: each document repeated (blank-line separated) to BYTES, as
//              stage_bench's scale/ documents are
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "corpus.h"
#include "gongkai/pipeline.h"
#include "gongkai/plugin_host.h"
#include "google/protobuf/util/json_util.h"

namespace gongkai::bench {
namespace {

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int Main(int argc, char** argv) {
  int iterations = 200;
  bool seeds_only = false;
  std::string dump, only;
  size_t scale = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.starts_with("--iterations=")) {
      iterations = std::max(1, std::atoi(arg.c_str() + 13));
    } else if (arg == "--seeds_only") {
      seeds_only = true;
    } else if (arg.starts_with("--dump=")) {
      dump = arg.substr(7);
    } else if (arg.starts_with("--only=")) {
      only = arg.substr(7);
    } else if (arg.starts_with("--scale=")) {
      scale = std::strtoull(arg.c_str() + 8, nullptr, 10);
    } else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  PluginRegistry registry;
  if (!LoadPlugins(&registry)) return 2;
  std::vector<Document> corpus = LoadCorpus(seeds_only);
  std::erase_if(corpus, [&](const Document& d) {
    return d.name.find(only) == std::string::npos;
  });
  for (Document& d : corpus) {
    if (scale == 0) break;
    std::string copies;
    while (copies.size() < scale) copies += d.bytes + "\n\n";
    d.bytes = std::move(copies);
  }
  Pipeline pipeline(&registry);
  std::vector<double> seed_us, all_us, ser_us, parse_us, free_us, report_bytes;
  std::printf("%-28s %8s %10s %10s %10s %10s %10s\n", "document", "bytes",
              "cpu us", "report B", "serial us", "parse us", "free us");
  for (const Document& d : corpus) {
    // One untimed run first: lazily built tables are not the document's.
    absl::StatusOr<v1::Report> report = pipeline.Extract(d.bytes, {});
    if (!dump.empty()) {
      std::string name = d.name;
      std::replace(name.begin(), name.end(), '/', '_');
      std::filesystem::create_directories(dump);
      std::ofstream out(dump + "/" + name + ".json");
      if (report.ok()) {
        std::string json;
        google::protobuf::util::JsonPrintOptions options;
        options.add_whitespace = true;
        options.preserve_proto_field_names = true;
        (void)google::protobuf::util::MessageToJsonString(*report, &json,
                                                          options);
        out << json;
      } else {
        out << report.status().ToString() << "\n";
      }
    }
    std::vector<double> runs, sers, parses, frees;
    double doc_report_bytes = 0;
    for (int i = 0; i < iterations; ++i) {
      double start = ThreadCpuSeconds();
      report = pipeline.Extract(d.bytes, {});
      runs.push_back((ThreadCpuSeconds() - start) * 1e6);
      if (!report.ok()) continue;
      // What the answer costs besides the pipeline: the server serializes
      // the report, the client parses it, and both free it.
      start = ThreadCpuSeconds();
      std::string wire_bytes = report->SerializeAsString();
      sers.push_back((ThreadCpuSeconds() - start) * 1e6);
      start = ThreadCpuSeconds();
      v1::Report parsed;
      parsed.ParseFromString(wire_bytes);
      parses.push_back((ThreadCpuSeconds() - start) * 1e6);
      start = ThreadCpuSeconds();
      report = absl::UnknownError("");  // frees the report
      frees.push_back((ThreadCpuSeconds() - start) * 1e6);
      doc_report_bytes = static_cast<double>(wire_bytes.size());
    }
    double us = Median(runs);
    report_bytes.push_back(doc_report_bytes);
    ser_us.push_back(Median(sers));
    parse_us.push_back(Median(parses));
    free_us.push_back(Median(frees));
    std::printf("%-28s %8zu %10.1f %10.0f %10.1f %10.1f %10.1f\n",
                d.name.c_str(), d.bytes.size(), us, doc_report_bytes,
                ser_us.back(), parse_us.back(), free_us.back());
    all_us.push_back(us);
    if (d.seed) seed_us.push_back(us);
  }
  std::printf("median over seeds: %.1f us CPU per document (%zu seeds)\n",
              Median(seed_us), seed_us.size());
  std::printf("median over all:   %.1f us CPU per document (%zu documents)\n",
              Median(all_us), all_us.size());
  double sum = 0;
  for (double u : all_us) sum += u;
  std::printf("mean over all:     %.1f us CPU per document\n",
              all_us.empty() ? 0 : sum / all_us.size());
  std::printf(
      "median report: %.0f bytes; serialize %.1f us, parse %.1f us, "
      "free %.1f us (not in the pipeline's time)\n",
      Median(report_bytes), Median(ser_us), Median(parse_us), Median(free_us));
  return 0;
}

}  // namespace
}  // namespace gongkai::bench

int main(int argc, char** argv) { return gongkai::bench::Main(argc, argv); }
