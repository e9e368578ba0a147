#!/usr/bin/env bash
# CI: builds the libFuzzer targets (fuzz/) with clang-14 under ASan + UBSan
# and runs each for a bounded time, seeded from the shared corpus and the
# kept regressions. Fails if any target finds a crash, a leak, a timeout, an
# out-of-memory or a broken invariant; the input is left in the artifacts
# dir -- keep it as fuzz/regressions/<target>/<name> with its fix.
#
#   scripts/ci_fuzz.sh [TARGET...]     (default: every fuzz_* target)
#
# Environment: BUILD_DIR (default build-fuzz/), JOBS (default 2),
# FUZZ_SECONDS per target (default 30), ARTIFACTS (default
# $BUILD_DIR/fuzz-artifacts). Installs clang-14 and its runtime if missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-fuzz}"
JOBS="${JOBS:-2}"
FUZZ_SECONDS="${FUZZ_SECONDS:-30}"
ARTIFACTS="${ARTIFACTS:-$BUILD_DIR/fuzz-artifacts}"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ci_fuzz.sh: %s\n' "$*" >&2; exit 2; }

# libFuzzer ships in libclang-rt-14-dev; llvm-14 has the symbolizer that
# turns sanitizer reports into file:line.
missing=()
for p in clang-14 libclang-rt-14-dev llvm-14; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  log "installing: ${missing[*]}"
  sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "not root; install: ${missing[*]}"
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update >&2
  "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" \
    </dev/null >&2
fi

start=$SECONDS
log "configuring $BUILD_DIR (clang-14, libFuzzer, ASan+UBSan)"
CC=clang-14 CXX=clang++-14 cmake -S "$ROOT" -B "$BUILD_DIR" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGONGKAI_BUILD_FUZZERS=ON \
  -DGONGKAI_BUILD_SERVICE=OFF -DGONGKAI_BUILD_TESTS=OFF >&2
log "building with $JOBS jobs"
cmake --build "$BUILD_DIR" -j "$JOBS" --target gongkai_fuzzers >&2
built=$SECONDS

targets=("$@")
if ((${#targets[@]} == 0)); then
  for bin in "$BUILD_DIR"/fuzz/fuzz_*; do
    [[ -f "$bin" && -x "$bin" ]] && targets+=("$(basename "$bin")")
  done
fi
((${#targets[@]} > 0)) || die "no fuzz targets in $BUILD_DIR/fuzz"

SEEDS="$BUILD_DIR/fuzz/seed_corpus"
# Not detect_stack_use_after_return: it triples the time per input, and
# scripts/ci_sanitizers.sh runs the same code with it on.
export ASAN_OPTIONS="detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
command -v llvm-symbolizer-14 >/dev/null &&
  export ASAN_SYMBOLIZER_PATH="$(command -v llvm-symbolizer-14)"
mkdir -p "$ARTIFACTS"
failed=()
for t in "${targets[@]}"; do
  bin="$BUILD_DIR/fuzz/$t"
  [[ -x "$bin" ]] || die "no fuzz target $bin"
  corpus="$BUILD_DIR/fuzz-corpus/${t#fuzz_}"  # grows run over run
  mkdir -p "$corpus"
  log "$t: ${FUZZ_SECONDS}s"
  if "$bin" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -timeout=10 \
      -dict="$ROOT/fuzz/gongkai.dict" -print_final_stats=1 \
      -artifact_prefix="$ARTIFACTS/${t#fuzz_}-" "$corpus" "$SEEDS" \
      >"$ARTIFACTS/${t#fuzz_}.log" 2>&1; then
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)' \
      "$ARTIFACTS/${t#fuzz_}.log" | tr '\n' ' ' >&2 || true
    echo >&2
  else
    failed+=("$t")
    log "$t FAILED; last lines of $ARTIFACTS/${t#fuzz_}.log:"
    tail -n 40 "$ARTIFACTS/${t#fuzz_}.log" >&2
  fi
done
log "fuzzing: $((built - start)) s to build, $((SECONDS - built)) s to fuzz ${#targets[@]} targets"
if ((${#failed[@]} > 0)); then
  log "failed: ${failed[*]}; inputs in $ARTIFACTS"
  ls -l "$ARTIFACTS" | grep -v '\.log$' >&2 || true
  exit 1
fi
