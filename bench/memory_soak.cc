// Memory soak: runs Pipeline::Extract on the seed documents over and over and
// compares resident memory after N documents with that after a baseline
// count (both measured in this process), to catch leaks and unbounded caches.
//
//   memory_soak [--docs=1000000] [--baseline=10000] [--max_growth=0.05]
//               [--all]  (cycle the whole corpus instead of the seeds)
//
// Exit status 1 if RSS(docs) > RSS(baseline) * (1 + max_growth).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "corpus.h"
#include "gongkai/pipeline.h"
#include "gongkai/plugin_host.h"

namespace gongkai::bench {
namespace {

// Resident set size in bytes, from /proc/self/statm (pages).
size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

bool Flag(const std::string& arg, const char* name, double* value) {
  std::string prefix = std::string("--") + name + "=";
  if (!arg.starts_with(prefix)) return false;
  *value = std::strtod(arg.c_str() + prefix.size(), nullptr);
  return true;
}

int Main(int argc, char** argv) {
  double docs = 1e6, baseline = 1e4, max_growth = 0.05;
  bool all = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--all") {
      all = true;
    } else if (!Flag(arg, "docs", &docs) && !Flag(arg, "baseline", &baseline) &&
               !Flag(arg, "max_growth", &max_growth)) {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (baseline < 1 || docs < baseline) {
    std::fprintf(stderr, "need 1 <= --baseline <= --docs\n");
    return 2;
  }
  PluginRegistry registry;
  if (!LoadPlugins(&registry)) return 2;
  std::vector<Document> corpus = LoadCorpus(/*seeds_only=*/!all);
  if (corpus.empty()) {
    std::fprintf(stderr, "no documents under %s\n", CorpusDir().c_str());
    return 2;
  }
  Pipeline pipeline(&registry);
  const auto n = static_cast<size_t>(docs);
  const auto base = static_cast<size_t>(baseline);
  size_t failures = 0, rss_base = 0, rss_peak = 0;
  size_t next_report = base;
  double cpu_start = CpuSeconds();
  auto wall_start = std::chrono::steady_clock::now();
  std::printf("%12s %12s %10s %12s\n", "documents", "rss KiB", "vs base",
              "cpu us/doc");
  for (size_t i = 1; i <= n; ++i) {
    const Document& d = corpus[i % corpus.size()];
    absl::StatusOr<v1::Report> report = pipeline.Extract(d.bytes, {});
    if (!report.ok()) ++failures;
    if (i == next_report || i == n) {
      size_t rss = ResidentBytes();
      if (i == base) rss_base = rss;
      rss_peak = std::max(rss_peak, rss);
      std::printf("%12zu %12zu %10.4f %12.2f\n", i, rss >> 10,
                  rss_base ? static_cast<double>(rss) / rss_base : 1.0,
                  (CpuSeconds() - cpu_start) / i * 1e6);
      std::fflush(stdout);
      next_report = next_report < n / 10 ? next_report * 10
                                         : next_report + std::max<size_t>(
                                                             n / 10, 1);
    }
  }
  size_t rss_end = ResidentBytes();
  double wall = std::chrono::duration<double>(
                    std::chrono::steady_clock::now() - wall_start)
                    .count();
  double ratio = static_cast<double>(rss_end) / rss_base;
  bool ok = ratio <= 1 + max_growth;
  std::printf("RSS after %zu documents / after %zu = %.4f (limit %.4f): %s\n",
              n, base, ratio, 1 + max_growth, ok ? "PASS" : "FAIL");
  std::printf("peak sampled RSS %zu KiB; %zu documents failed; %.1f s wall, "
              "%.2f us CPU per document\n",
              rss_peak >> 10, failures, wall,
              (CpuSeconds() - cpu_start) / n * 1e6);
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace gongkai::bench

int main(int argc, char** argv) { return gongkai::bench::Main(argc, argv); }
