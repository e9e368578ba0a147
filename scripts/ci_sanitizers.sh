#!/usr/bin/env bash
# CI: the whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer
# (and LeakSanitizer). Configures its own build dir with
# -DGONGKAI_SANITIZE=address,undefined (cmake/Sanitizers.cmake: every target,
# the dlopen'd plugins included; UBSan findings abort), builds, runs ctest.
#
#   scripts/ci_sanitizers.sh
#
# Environment: BUILD_DIR (default build-asan/), JOBS (default 2),
# SANITIZE_SERVICE=OFF to leave out the gRPC service and its tests (default
# ON: the whole suite -- integration, hostile input, fleet, TLS -- runs
# against a sanitized gongkai-server; Debian's gRPC itself is not
# instrumented). Needs the packages ./run.sh deps installs (gcc's
# libasan/libubsan come with build-essential).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-asan}"
JOBS="${JOBS:-2}"
SANITIZE_SERVICE="${SANITIZE_SERVICE:-ON}"

log() { printf '==> %s\n' "$*" >&2; }

start=$SECONDS
log "configuring $BUILD_DIR (ASan+UBSan, service $SANITIZE_SERVICE)"
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DGONGKAI_SANITIZE=address,undefined \
  -DGONGKAI_BUILD_SERVICE="$SANITIZE_SERVICE" >&2
log "building with $JOBS jobs"
cmake --build "$BUILD_DIR" -j "$JOBS" >&2
built=$SECONDS

# Leaks count; any report fails the test that made it. The plugins are
# dlclose'd at exit, so keep their symbols readable in reports.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-}"
log "running the tests (ASAN_OPTIONS=$ASAN_OPTIONS)"
rc=0
(cd "$BUILD_DIR" && ctest --output-on-failure -j "$JOBS") || rc=$?
log "sanitizer build: $((built - start)) s to build, $((SECONDS - built)) s to test"
exit "$rc"
