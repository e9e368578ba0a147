#!/usr/bin/env bash
# Builds gongkai in Release with the benchmarks (bench/) and runs them: the
# stage benchmarks, which end with ratio tables against baselines measured in
# the same run, the per-document pipeline CPU (bench/pipeline_loop.cc: the
# median per seed, and what serializing, parsing and freeing a report
# costs), then (with --soak) the memory soak. docs/performance.md says what
# the figures mean and records a run.
#
#   scripts/bench.sh [--soak[=DOCS]] [--quick] [Google Benchmark flags...]
#     --soak[=DOCS]  also run bench/memory_soak.cc over DOCS documents
#                    (default 1000000: about a minute per 20 us of pipeline)
#     --quick        seeds only, documents up to 1 MB, short runs
#   e.g. scripts/bench.sh --benchmark_filter='pipeline|scale'
#
# Environment: BUILD_DIR (default build-bench/), JOBS (default 2).
# Exit status: non-zero if a ratio target fails (cost not linear in size,
# or resident memory growing over the soak).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-bench}"
JOBS="${JOBS:-2}"

soak=""
bench_args=()
loop_args=(--iterations=200)
for arg in "$@"; do
  case "$arg" in
    --soak) soak=1000000 ;;
    --soak=*) soak="${arg#--soak=}" ;;
    --quick) bench_args+=(--gongkai_seeds_only --gongkai_max_scale=1M
                          --benchmark_min_time=0.05)
             loop_args=(--seeds_only --iterations=50) ;;
    *) bench_args+=("$arg") ;;
  esac
done

printf '==> configuring %s (Release, benchmarks)\n' "$BUILD_DIR" >&2
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
  -DGONGKAI_BUILD_BENCHMARKS=ON -DGONGKAI_BUILD_SERVICE=OFF \
  -DGONGKAI_BUILD_TESTS=OFF >/dev/null
printf '==> building with %s jobs\n' "$JOBS" >&2
cmake --build "$BUILD_DIR" -j "$JOBS" \
  --target gongkai_stage_bench gongkai_memory_soak gongkai_pipeline_loop >&2

printf '==> machine: %s CPUs, %s\n' "$(nproc)" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" >&2
rc=0
"$BUILD_DIR/bench/gongkai_stage_bench" "${bench_args[@]}" || rc=$?
printf '\n==== Pipeline::Extract per document (median thread CPU) ====\n'
"$BUILD_DIR/bench/gongkai_pipeline_loop" "${loop_args[@]}" || rc=$?
if [[ -n "$soak" ]]; then
  "$BUILD_DIR/bench/gongkai_memory_soak" --docs="$soak" || rc=$?
fi
exit "$rc"
