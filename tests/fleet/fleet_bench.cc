// fleet_bench: documents per second with 1, 2 and 3 gongkai-server
// instances, directly, through HAProxy (deploy/haproxy/haproxy.cfg) and
// through client-side round_robin, all in one run on this machine; prints
// a Markdown table with each figure's ratio to one instance direct.
//
//   build/tests/fleet/fleet_bench [DOCUMENTS [IN_FLIGHT [ROUNDS]]]   (2000, 32,
//   3)
//
// Not a test: its figures depend on the machine. docs/scaling.md has them.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client_channel.h"
#include "fleet_util.h"

namespace gongkai::testing {
namespace {

struct Row {
  std::string how;
  int instances;
  double per_second;
  int64_t failed;
  // CPU milliseconds per document: the client (this process), the servers
  // together, the proxy.
  double client_ms, servers_ms, proxy_ms;
};

double Sum(const std::vector<pid_t>& pids) {
  double total = 0;
  for (pid_t p : pids) total += CpuSeconds(p);
  return total;
}

absl::StatusOr<Row> Measure(const std::string& how,
                            const std::vector<pid_t>& servers, pid_t proxy,
                            const std::string& target, bool round_robin,
                            const std::vector<Document>& documents, int count,
                            int in_flight) {
  service::ClientChannelOptions options;
  options.max_attempts = 1;
  if (!round_robin) {
    options.lb_policy = "";
    options.health_check = false;
  }
  auto channel = service::MakeClientChannel(target, options);
  if (!channel.ok()) return channel.status();
  auto stub = v1::Extractor::NewStub(*channel);
  {
    // Warm up: connections, the servers' first documents.
    LoadRun warm(stub.get(), &documents, 4 * in_flight, in_flight,
                 4 * in_flight);
    warm.Start();
    warm.Join();
  }
  const double client0 = CpuSeconds(0);
  const double servers0 = Sum(servers);
  const double proxy0 = proxy > 0 ? CpuSeconds(proxy) : 0;
  LoadRun run(stub.get(), &documents, count, in_flight, count);
  run.Start();
  LoadResult& result = run.Join();
  const double ms = 1000.0 / count;
  const double client_ms = (CpuSeconds(0) - client0) * ms;
  const double servers_ms = (Sum(servers) - servers0) * ms;
  const double proxy_ms = proxy > 0 ? (CpuSeconds(proxy) - proxy0) * ms : 0;
  int64_t failed = 0;
  for (int i = 0; i < count; ++i) {
    if (result.answers[i] != 1 || !result.errors[i].ok()) ++failed;
  }
  return Row{how,
             static_cast<int>(servers.size()),
             count / result.seconds,
             failed,
             client_ms,
             servers_ms,
             proxy_ms};
}

int Main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int in_flight = argc > 2 ? std::atoi(argv[2]) : 32;
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 3;
  if (count <= 0 || in_flight <= 0 || rounds <= 0) {
    std::cerr << "usage: fleet_bench [DOCUMENTS [IN_FLIGHT [ROUNDS]]]\n";
    return 2;
  }
  const std::vector<Document> documents = CorpusDocuments();
  if (documents.empty()) {
    std::cerr << "fleet_bench: the shared corpus is absent\n";
    return 1;
  }
  std::vector<std::unique_ptr<Instance>> instances;
  for (int i = 0; i < 3; ++i) {
    instances.push_back(std::make_unique<Instance>());
    if (absl::Status s = instances.back()->Start(); !s.ok()) {
      std::cerr << "fleet_bench: " << s << "\n";
      return 1;
    }
  }
  // Every configuration once per round, interleaved, so that a burst of
  // other work on the machine spreads over all of them; the table shows
  // each one's median round (and its best).
  std::vector<std::vector<Row>> runs;  // per configuration, per round
  auto add = [&](size_t config, absl::StatusOr<Row> row) {
    if (!row.ok()) {
      std::cerr << "fleet_bench: " << row.status() << "\n";
      return;
    }
    std::cerr << row->how << " x" << row->instances << ": " << row->per_second
              << " documents/s\n";
    if (runs.size() <= config) runs.resize(config + 1);
    runs[config].push_back(*row);
  };
  for (int round = 0; round < rounds; ++round) {
    size_t config = 0;
    add(config++,
        Measure("direct", {instances[0]->pid()}, 0, instances[0]->address(),
                false, documents, count, in_flight));
    for (int n = 1; n <= 3; ++n) {
      std::vector<const Instance*> subset;
      std::vector<std::string> addresses;
      std::vector<pid_t> pids;
      for (int i = 0; i < n; ++i) {
        subset.push_back(instances[i].get());
        addresses.push_back(instances[i]->address());
        pids.push_back(instances[i]->pid());
      }
      if (Haproxy::Available()) {
        Haproxy haproxy;
        if (absl::Status s = haproxy.Start(subset); !s.ok()) {
          std::cerr << "fleet_bench: " << s << "\n";
          return 1;
        }
        // Let every server pass its first check.
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        add(config++, Measure("HAProxy", pids, haproxy.pid(), haproxy.address(),
                              false, documents, count, in_flight));
        (void)haproxy.Stop();
      }
      add(config++, Measure("round_robin", pids, 0,
                            "ipv4:" + absl::StrJoin(addresses, ","), true,
                            documents, count, in_flight));
    }
  }
  std::vector<Row> median;
  std::vector<double> best;
  for (std::vector<Row>& r : runs) {
    std::sort(r.begin(), r.end(), [](const Row& a, const Row& b) {
      return a.per_second < b.per_second;
    });
    median.push_back(r[r.size() / 2]);
    best.push_back(r.back().per_second);
  }
  if (median.empty()) return 1;
  const double base = median[0].per_second;
  const double base_best = best[0];
  std::printf(
      "%d documents per run (%zu corpus files cycled), %d in flight, %d "
      "rounds, %u CPUs\n\n",
      count, documents.size(), in_flight, rounds,
      std::thread::hardware_concurrency());
  std::printf(
      "| path | instances | documents/s (median) | vs 1 direct | best | vs 1 "
      "direct | CPU ms/doc: servers | client | proxy | failed |\n");
  std::printf(
      "|------|----------:|---------------------:|------------:|-----:|----"
      "--------:|--------:|-------:|------:|-------:|\n");
  for (size_t i = 0; i < median.size(); ++i) {
    const Row& r = median[i];
    int64_t failed = 0;
    for (const Row& each : runs[i]) failed += each.failed;
    std::printf(
        "| %s | %d | %.0f | %.2f | %.0f | %.2f | %.2f | %.2f | %s | %lld |\n",
        r.how.c_str(), r.instances, r.per_second, r.per_second / base, best[i],
        best[i] / base_best, r.servers_ms, r.client_ms,
        r.how == "HAProxy" ? absl::StrFormat("%.2f", r.proxy_ms).c_str() : "-",
        static_cast<long long>(failed));
  }
  return 0;
}

}  // namespace
}  // namespace gongkai::testing

int main(int argc, char** argv) { return gongkai::testing::Main(argc, argv); }
