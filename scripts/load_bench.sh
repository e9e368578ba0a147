#!/usr/bin/env bash
# Load test through the server: builds gongkai in Release, starts
# gongkai-server on a free loopback port (its PID known, so its CPU time can
# be read from /proc), runs gongkai-bench's matrix against it -- Extract and
# ExtractStream against their echo floors Echo and EchoStream, with the
# corpus documents, at 1, 8 and 64 calls in flight -- prints the table with
# the ratios, and stops the server by its PID. docs/performance.md ("Through
# the server") says what the figures mean and records a run.
#
#   scripts/load_bench.sh [gongkai-bench flags...]
#   e.g. scripts/load_bench.sh --calls=700 --in_flight=8 --modes=unary
#
# Environment: BUILD_DIR (default build/), JOBS (default 2), WORKERS (the
# server's --workers; default one per CPU), CORPUS_DIR (default
# ../shared/corpus).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
JOBS="${JOBS:-2}"
WORKERS="${WORKERS:-0}"
CORPUS_DIR="${CORPUS_DIR:-$ROOT/../shared/corpus}"

log() { printf '==> %s\n' "$*" >&2; }

log "configuring $BUILD_DIR (Release)"
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
log "building gongkai-bench, gongkai-server and the plugins ($JOBS jobs)"
cmake --build "$BUILD_DIR" -j "$JOBS" --target gongkai-bench >&2

TMP_DIR="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP_DIR"
}
trap cleanup EXIT

# Started directly (not in a subshell) so that $! is the server itself.
"$BUILD_DIR/service/gongkai-server" --listen=127.0.0.1:0 \
  --port_file="$TMP_DIR/port" --workers="$WORKERS" \
  >"$TMP_DIR/server.log" 2>&1 </dev/null &
SERVER_PID=$!
for ((i = 0; i < 600; i++)); do
  [[ -s "$TMP_DIR/port" ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || {
    cat "$TMP_DIR/server.log" >&2
    exit 1
  }
  sleep 0.1
done
[[ -s "$TMP_DIR/port" ]] || { cat "$TMP_DIR/server.log" >&2; exit 1; }
ADDRESS="127.0.0.1:$(<"$TMP_DIR/port")"
log "gongkai-server pid $SERVER_PID on $ADDRESS"
log "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"

rc=0
"$BUILD_DIR/bench/load/gongkai-bench" --server="$ADDRESS" \
  --server_pid="$SERVER_PID" --corpus="$CORPUS_DIR" "$@" || rc=$?

log "stopping gongkai-server (pid $SERVER_PID)"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || rc=$?
SERVER_PID=""
exit "$rc"
