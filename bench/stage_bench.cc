// Stage benchmarks of the extraction path (normalize, detect, each plugin's
// extract, interpret, check, the whole Pipeline::Extract) on the corpus
// documents, plus documents 10 KB..10 MB built by repeating a seed. After the
// runs it prints ratios against baselines measured in this same process --
// stage shares of the pipeline, pipeline/normalize, per-byte time of a large
// document over that of a 10 KB one -- since a bare time means nothing on
// another machine. Exit status 1 if cost is not linear in size (a ratio).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "corpus.h"
#include "evidence.h"
#include "gongkai/check.h"
#include "gongkai/interpret.h"
#include "gongkai/normalize.h"
#include "gongkai/pipeline.h"
#include "gongkai/plugin_host.h"
#include "infer.h"

namespace gongkai::bench {
namespace {

// A document with every intermediate result precomputed, so each stage can
// be timed alone on its real input.
struct Prepared {
  std::string name;
  std::string bytes;
  bool seed = false;
  NormalizedText doc;
  std::string plugin;  // what detect chose
  Layout layout;
  v1::Report report;  // the pipeline's result, checks removed
  int checks = 0;      // how many checks the pipeline reported
  std::map<std::string, int> warning_codes;
};

PluginRegistry* g_registry = nullptr;
std::vector<std::unique_ptr<Prepared>> g_docs;

std::optional<Prepared> Prepare(std::string name, std::string bytes,
                                bool seed) {
  Prepared p;
  p.name = std::move(name);
  p.bytes = std::move(bytes);
  p.seed = seed;
  absl::StatusOr<NormalizedText> doc = Normalize(p.bytes);
  if (!doc.ok()) {
    std::fprintf(stderr, "skipping %s: %s\n", p.name.c_str(),
                 doc.status().ToString().c_str());
    return std::nullopt;
  }
  p.doc = *std::move(doc);
  p.plugin = g_registry->Detect(p.doc.text).front().name;
  absl::StatusOr<Layout> layout = g_registry->Extract(p.plugin, p.doc.text);
  if (!layout.ok()) {
    std::fprintf(stderr, "skipping %s: %s\n", p.name.c_str(),
                 layout.status().ToString().c_str());
    return std::nullopt;
  }
  p.layout = *std::move(layout);
  Pipeline pipeline(g_registry);
  absl::StatusOr<v1::Report> report = pipeline.Extract(p.bytes, {});
  if (!report.ok()) {
    std::fprintf(stderr, "skipping %s: %s\n", p.name.c_str(),
                 report.status().ToString().c_str());
    return std::nullopt;
  }
  p.report = *std::move(report);
  p.checks = p.report.checks_size();
  for (const auto& w : p.report.warnings()) ++p.warning_codes[w.code()];
  p.report.clear_checks();
  return p;
}

// Interpret and inference as the pipeline runs them (inference completes
// what the interpreter read, before the checks).
void InterpretStage(const Prepared& p, v1::Report* report) {
  InferenceNotes notes;
  Interpret(p.bytes, p.doc, p.layout, report, &notes);
  ReportWriter writer(p.bytes, p.doc, report);
  InferFigures(notes, &writer);
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void SetBytes(benchmark::State& state, size_t bytes_per_iteration) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(bytes_per_iteration));
}

void Normalize(benchmark::State& state, const Prepared* p) {
  for (auto _ : state) {
    auto doc = gongkai::Normalize(p->bytes);
    benchmark::DoNotOptimize(doc);
  }
  SetBytes(state, p->bytes.size());
}

void Detect(benchmark::State& state, const Prepared* p) {
  for (auto _ : state) {
    auto scores = g_registry->Detect(p->doc.text);
    benchmark::DoNotOptimize(scores);
  }
  SetBytes(state, p->bytes.size());
}

void Extract(benchmark::State& state, const Prepared* p, std::string plugin) {
  bool refused = false;
  for (auto _ : state) {
    auto layout = g_registry->Extract(plugin, p->doc.text);
    refused = !layout.ok();
    benchmark::DoNotOptimize(layout);
  }
  if (refused) state.SetLabel("refused");
  SetBytes(state, p->bytes.size());
}

void InterpretBench(benchmark::State& state, const Prepared* p) {
  for (auto _ : state) {
    v1::Report report;
    InferenceNotes notes;
    Interpret(p->bytes, p->doc, p->layout, &report, &notes);
    benchmark::DoNotOptimize(report);
  }
  SetBytes(state, p->bytes.size());
}

// InferFigures alone: each iteration interprets afresh (inference edits
// the report) and only inference's thread CPU time is counted, reported as
// the benchmark's manual time.
void InferBench(benchmark::State& state, const Prepared* p) {
  for (auto _ : state) {
    v1::Report report;
    InferenceNotes notes;
    Interpret(p->bytes, p->doc, p->layout, &report, &notes);
    double start = ThreadCpuSeconds();
    ReportWriter writer(p->bytes, p->doc, &report);
    InferFigures(notes, &writer);
    state.SetIterationTime(ThreadCpuSeconds() - start);
    benchmark::DoNotOptimize(report);
  }
  SetBytes(state, p->bytes.size());
}

void Check(benchmark::State& state, const Prepared* p) {
  v1::Report report = p->report;
  for (auto _ : state) {
    report.clear_checks();
    RunChecks(&report);
    benchmark::DoNotOptimize(report);
  }
  SetBytes(state, p->bytes.size());
}

void PipelineBench(benchmark::State& state, const Prepared* p) {
  Pipeline pipeline(g_registry);
  for (auto _ : state) {
    auto report = pipeline.Extract(p->bytes, {});
    benchmark::DoNotOptimize(report);
  }
  SetBytes(state, p->bytes.size());
}

// One iteration = every corpus document once, each stage on its own input.
enum class Stage { kNormalize, kDetect, kExtract, kInterpret, kCheck, kPipeline };

void Corpus(benchmark::State& state, Stage stage) {
  Pipeline pipeline(g_registry);
  size_t bytes = 0;
  for (const auto& p : g_docs) {
    if (!p->name.starts_with("scale/")) bytes += p->bytes.size();
  }
  for (auto _ : state) {
    for (const auto& p : g_docs) {
      if (p->name.starts_with("scale/")) continue;
      switch (stage) {
        case Stage::kNormalize: {
          auto doc = gongkai::Normalize(p->bytes);
          benchmark::DoNotOptimize(doc);
          break;
        }
        case Stage::kDetect: {
          auto scores = g_registry->Detect(p->doc.text);
          benchmark::DoNotOptimize(scores);
          break;
        }
        case Stage::kExtract: {
          auto layout = g_registry->Extract(p->plugin, p->doc.text);
          benchmark::DoNotOptimize(layout);
          break;
        }
        case Stage::kInterpret: {  // with inference, as the pipeline runs it
          v1::Report report;
          InterpretStage(*p, &report);
          benchmark::DoNotOptimize(report);
          break;
        }
        case Stage::kCheck: {
          v1::Report report = p->report;
          RunChecks(&report);
          benchmark::DoNotOptimize(report);
          break;
        }
        case Stage::kPipeline: {
          auto report = pipeline.Extract(p->bytes, {});
          benchmark::DoNotOptimize(report);
          break;
        }
      }
    }
  }
  SetBytes(state, bytes);
}

// `copies` of a seed, blank-line separated: a long report whose tables and
// paragraphs repeat.
std::string Repeat(const std::string& seed, size_t target_bytes) {
  size_t copies = std::max<size_t>(1, (target_bytes + seed.size() - 1) /
                                          seed.size());
  std::string out;
  out.reserve(copies * (seed.size() + 2));
  for (size_t i = 0; i < copies; ++i) {
    out += seed;
    out += "\n\n";
  }
  return out;
}

// ---- results and ratios ----------------------------------------------------

struct Result {
  double cpu_seconds = 0;  // per iteration
  bool refused = false;
};

// Keeps each benchmark's CPU time per iteration (the median aggregate when
// --benchmark_repetitions is given) for the ratio tables.
class Collector : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    benchmark::ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const std::string& name = run.run_name.function_name;
      // Manual-time benchmarks (infer/) time only their stage, in thread
      // CPU time, as their "real" time.
      bool manual = name.starts_with("infer/");
      double seconds =
          (manual ? run.GetAdjustedRealTime() : run.GetAdjustedCPUTime()) /
          benchmark::GetTimeUnitMultiplier(run.time_unit);
      bool median = run.run_type == Run::RT_Aggregate &&
                    run.aggregate_name == "median";
      if (median) {
        results_[name] = {seconds, run.report_label == "refused"};
        medians_.insert(name);
      } else if (run.run_type == Run::RT_Iteration && !medians_.count(name)) {
        results_[name] = {seconds, run.report_label == "refused"};
      }
    }
  }
  const std::map<std::string, Result>& results() const { return results_; }

 private:
  std::map<std::string, Result> results_;
  std::set<std::string> medians_;  // names with a median aggregate
};

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string SizeName(size_t bytes) {
  if (bytes >= (1u << 20)) return std::to_string(bytes >> 20) + "M";
  return std::to_string(bytes >> 10) + "K";
}

const std::vector<size_t> kScaleSizes = {10u << 10, 100u << 10, 1u << 20,
                                         10u << 20};

// Prints the ratio tables; returns false if a linearity target failed.
bool PrintRatios(const std::map<std::string, Result>& r,
                 const std::vector<std::string>& plugins, size_t max_scale) {
  auto get = [&](const std::string& name) -> std::optional<double> {
    auto it = r.find(name);
    if (it == r.end()) return std::nullopt;
    return it->second.cpu_seconds;
  };
  bool ok = true;
  std::printf("\n==== Ratios (CPU time; every baseline measured in this run) "
              "====\n");

  std::printf("\nStage shares of Pipeline::Extract per seed "
              "(stage CPU / pipeline CPU):\n");
  std::printf("%-20s %9s %9s %9s %9s %9s %9s %6s %9s %9s\n", "seed",
              "normalize", "detect", "extract", "interpret", "infer",
              "check", "sum", "pipe/norm", "pipe us*");
  std::vector<double> seed_pipeline;
  for (const auto& p : g_docs) {
    if (!p->seed) continue;
    auto pipe = get("pipeline/" + p->name);
    auto norm = get("normalize/" + p->name);
    auto det = get("detect/" + p->name);
    auto ext = get("extract:" + p->plugin + "/" + p->name);
    auto in = get("interpret/" + p->name);
    auto inf = get("infer/" + p->name);
    auto chk = get("check/" + p->name);
    if (!pipe || !norm || !det || !ext || !in || !inf || !chk) continue;
    seed_pipeline.push_back(*pipe);
    double sum = *norm + *det + *ext + *in + *inf + *chk;
    std::printf("%-20s %8.1f%% %8.1f%% %8.1f%% %8.1f%% %8.1f%% %8.1f%% %6.2f "
                "%9.2f %9.1f  (%s)\n",
                p->name.c_str(), 100 * *norm / *pipe, 100 * *det / *pipe,
                100 * *ext / *pipe, 100 * *in / *pipe, 100 * *inf / *pipe,
                100 * *chk / *pipe, sum / *pipe, *pipe / *norm, *pipe * 1e6,
                p->plugin.c_str());
  }
  std::printf("(* informational, this machine only; docs/performance.md "
              "records the machine)\n");
  if (!seed_pipeline.empty()) {
    std::printf("Seeds: median pipeline CPU %.1f us, max %.1f us per "
                "document (informational)\n",
                Median(seed_pipeline) * 1e6,
                *std::max_element(seed_pipeline.begin(), seed_pipeline.end()) *
                    1e6);
  }

  std::printf("\nEach plugin's extract relative to the chosen one "
              "(plugin CPU / chosen plugin CPU):\n%-20s", "seed");
  for (const auto& plugin : plugins) std::printf(" %12s", plugin.c_str());
  std::printf("\n");
  for (const auto& p : g_docs) {
    if (!p->seed) continue;
    auto chosen = get("extract:" + p->plugin + "/" + p->name);
    if (!chosen) continue;
    std::printf("%-20s", p->name.c_str());
    for (const auto& plugin : plugins) {
      std::string name = "extract:" + plugin + "/" + p->name;
      auto t = get(name);
      bool refused = r.count(name) && r.at(name).refused;
      if (t) {
        std::printf(" %11.2f%s", *t / *chosen, refused ? "r" : " ");
      } else {
        std::printf(" %12s", "-");
      }
    }
    std::printf("\n");
  }
  std::printf("(r: the plugin refused the document)\n");

  std::vector<double> all_pipeline;
  for (const auto& p : g_docs) {
    if (p->name.starts_with("scale/")) continue;
    if (auto t = get("pipeline/" + p->name)) all_pipeline.push_back(*t);
  }
  auto corpus_pipe = get("corpus/pipeline");
  auto corpus_norm = get("corpus/normalize");
  if (corpus_pipe && corpus_norm) {
    std::printf("\nWhole corpus (%zu documents): pipeline / normalize = %.2f; "
                "median pipeline CPU per document %.1f us (informational)\n",
                all_pipeline.size(), *corpus_pipe / *corpus_norm,
                Median(all_pipeline) * 1e6);
    for (const char* stage : {"detect", "extract", "interpret", "check"}) {
      if (auto t = get(std::string("corpus/") + stage)) {
        std::printf("  %-15s share of pipeline %5.1f%%\n",
                    std::strcmp(stage, "interpret") == 0 ? "interpret+infer"
                                                          : stage,
                    100 * *t / *corpus_pipe);
      }
    }
  }

  std::printf("\nCost in size: per-byte CPU of a document built by repeating "
              "a seed, over that of its 10 KB version (target at 10M: <= "
              "2.00)\n%-20s", "seed");
  for (size_t size : kScaleSizes) {
    if (size > (10u << 10) && size <= max_scale) {
      std::printf(" %12s", ("pipe " + SizeName(size)).c_str());
    }
  }
  for (size_t size : kScaleSizes) {
    if (size > (10u << 10) && size <= max_scale) {
      std::printf(" %12s", ("norm " + SizeName(size)).c_str());
    }
  }
  std::printf("\n");
  for (const auto& p : g_docs) {
    if (!p->seed) continue;
    std::string id = p->name.substr(std::strlen("seeds/"), 3);
    std::printf("%-20s", p->name.c_str());
    for (const char* stage : {"pipeline", "normalize"}) {
      std::string base_name = std::string("scale/") + stage + "/" + id + "/";
      auto base = get(base_name + SizeName(kScaleSizes[0]));
      const Prepared* base_doc = nullptr;
      for (const auto& d : g_docs) {
        if (d->name == "scale/" + id + "/" + SizeName(kScaleSizes[0])) {
          base_doc = d.get();
        }
      }
      for (size_t size : kScaleSizes) {
        if (size <= (10u << 10) || size > max_scale) continue;
        auto t = get(base_name + SizeName(size));
        const Prepared* doc = nullptr;
        for (const auto& d : g_docs) {
          if (d->name == "scale/" + id + "/" + SizeName(size)) doc = d.get();
        }
        if (!t || !base || doc == nullptr || base_doc == nullptr) {
          std::printf(" %12s", "-");
          continue;
        }
        double ratio = (*t / doc->bytes.size()) /
                       (*base / base_doc->bytes.size());
        bool fail = size == (10u << 20) && ratio > 2.0;
        if (fail) ok = false;
        std::printf(" %11.2f%s", ratio, fail ? "!" : " ");
      }
    }
    std::printf("\n");
  }
  std::printf("(! over target)\n");
  return ok;
}

// Removes --gongkai_max_scale=<bytes|NK|NM> and --gongkai_seeds_only from
// argv before Google Benchmark reads it.
size_t ParseOwnFlags(int* argc, char** argv, bool* seeds_only) {
  size_t max_scale = 10u << 20;
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    std::string arg = argv[i];
    const std::string flag = "--gongkai_max_scale=";
    if (arg.starts_with(flag)) {
      std::string v = arg.substr(flag.size());
      char* end = nullptr;
      double n = std::strtod(v.c_str(), &end);
      if (end != nullptr && (*end == 'K' || *end == 'k')) n *= 1 << 10;
      if (end != nullptr && (*end == 'M' || *end == 'm')) n *= 1 << 20;
      max_scale = static_cast<size_t>(n);
    } else if (arg == "--gongkai_seeds_only") {
      *seeds_only = true;
    } else {
      argv[out++] = argv[i];
    }
  }
  *argc = out;
  return max_scale;
}

int Main(int argc, char** argv) {
  bool seeds_only = false;
  size_t max_scale = ParseOwnFlags(&argc, argv, &seeds_only);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  PluginRegistry registry;
  if (!LoadPlugins(&registry)) return 2;
  g_registry = &registry;
  std::vector<std::string> plugins;
  for (const auto& d : registry.List()) plugins.push_back(d.name);

  std::vector<Document> corpus = LoadCorpus(seeds_only);
  for (auto& d : corpus) {
    auto p = Prepare(d.name, d.bytes, d.seed);
    if (p) g_docs.push_back(std::make_unique<Prepared>(*std::move(p)));
  }
  size_t corpus_docs = g_docs.size();
  if (corpus_docs == 0) {
    std::fprintf(stderr, "no documents under %s\n", CorpusDir().c_str());
    return 2;
  }
  for (size_t i = 0; i < corpus_docs; ++i) {
    const Prepared* seed = g_docs[i].get();
    if (!seed->seed) continue;
    std::string id = seed->name.substr(std::strlen("seeds/"), 3);
    for (size_t size : kScaleSizes) {
      if (size > max_scale) continue;
      auto p = Prepare("scale/" + id + "/" + SizeName(size),
                       Repeat(seed->bytes, size), false);
      if (p) g_docs.push_back(std::make_unique<Prepared>(*std::move(p)));
    }
  }

  for (size_t i = 0; i < corpus_docs; ++i) {
    const Prepared* p = g_docs[i].get();
    if (p->seed) {
      benchmark::RegisterBenchmark(("normalize/" + p->name).c_str(), Normalize,
                                   p);
      benchmark::RegisterBenchmark(("detect/" + p->name).c_str(), Detect, p);
      for (const auto& plugin : plugins) {
        benchmark::RegisterBenchmark(
            ("extract:" + plugin + "/" + p->name).c_str(), Extract, p, plugin);
      }
      benchmark::RegisterBenchmark(("interpret/" + p->name).c_str(),
                                   InterpretBench, p);
      benchmark::RegisterBenchmark(("infer/" + p->name).c_str(), InferBench,
                                   p)
          ->UseManualTime();
      benchmark::RegisterBenchmark(("check/" + p->name).c_str(), Check, p);
    }
    benchmark::RegisterBenchmark(("pipeline/" + p->name).c_str(),
                                 PipelineBench, p)
        ->Unit(benchmark::kMicrosecond);
  }
  for (auto [name, stage] :
       std::vector<std::pair<const char*, Stage>>{
           {"corpus/normalize", Stage::kNormalize},
           {"corpus/detect", Stage::kDetect},
           {"corpus/extract", Stage::kExtract},
           {"corpus/interpret", Stage::kInterpret},
           {"corpus/check", Stage::kCheck},
           {"corpus/pipeline", Stage::kPipeline}}) {
    benchmark::RegisterBenchmark(name, Corpus, stage)
        ->Unit(benchmark::kMillisecond);
  }
  for (size_t i = corpus_docs; i < g_docs.size(); ++i) {
    const Prepared* p = g_docs[i].get();
    std::string rest = p->name.substr(std::strlen("scale/"));
    benchmark::RegisterBenchmark(("scale/pipeline/" + rest).c_str(),
                                 PipelineBench, p)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("scale/normalize/" + rest).c_str(),
                                 Normalize, p)
        ->Unit(benchmark::kMillisecond);
  }

  // What a repeated document becomes: how many figures, warnings and
  // evidence spans the pipeline reports for each size.
  std::printf("Repeated documents (seed copies -> report):\n");
  for (size_t i = corpus_docs; i < g_docs.size(); ++i) {
    const Prepared* p = g_docs[i].get();
    std::string codes;
    for (const auto& [code, n] : p->warning_codes) {
      codes += " " + code + ":" + std::to_string(n);
    }
    std::printf("  %-16s %9zu bytes: %d evidence spans, %d checks, "
                "%d warnings (%s ), %zu report bytes\n",
                p->name.c_str(), p->bytes.size(), p->report.evidence_size(),
                p->checks, p->report.warnings_size(), codes.c_str(),
                p->report.ByteSizeLong());
  }

  Collector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);
  bool ok = PrintRatios(collector.results(), plugins, max_scale);
  benchmark::Shutdown();
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace gongkai::bench

int main(int argc, char** argv) { return gongkai::bench::Main(argc, argv); }
