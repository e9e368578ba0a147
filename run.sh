#!/usr/bin/env bash
# One entry point for people and CI: installs the Debian 12 packages gongkai
# needs (only those missing), builds it, runs the tests, or serves the sample
# reports through a real gongkai-server. README.md and .ci/run call this.
#
#   ./run.sh samples [FILE...]  build, start gongkai-server on a free port,
#                               extract FILEs (default: the seed reports in
#                               ../shared/corpus/seeds/input) through it with
#                               `gongkai extract --server`, stop the server
#   ./run.sh test               build, run every test with ctest
#   ./run.sh build              install missing packages, configure, build
#   ./run.sh deps               install missing packages only
#   ./run.sh serve [FLAGS...]   build, run gongkai-server in the foreground
#   ./run.sh fleet              build, run three gongkai-server instances
#                               (gRPC 50051-50053, metrics 9051-9053) behind
#                               HAProxy on 127.0.0.1:50050 until Ctrl-C
#
# Environment: BUILD_DIR (default build/), BUILD_TYPE (default Release),
# JOBS (default: number of CPUs), CORPUS_DIR (default ../shared/corpus).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
BUILD_TYPE="${BUILD_TYPE:-Release}"
JOBS="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
# Passed to CMake only when set, so CMake's own default applies otherwise.
CMAKE_CORPUS_ARG=()
[[ -n "${CORPUS_DIR:-}" ]] && CMAKE_CORPUS_ARG=(-DGONGKAI_CORPUS_DIR="$CORPUS_DIR")
CORPUS_DIR="${CORPUS_DIR:-$ROOT/../shared/corpus}"

# What a fresh Debian 12 needs to build and test gongkai. libopencc-data
# ships the conversion dictionaries (/usr/share/opencc/t2s.json). The fleet
# tests and `./run.sh fleet` use haproxy (and check the nginx config with
# nginx), the Python client python3-grpcio, the deployment test python3-yaml,
# the TLS test openssl. unicode-data's Unihan gives the build each
# ideograph's radical and strokes (OCR'd place names, core/src/place_names).
PACKAGES=(
  build-essential cmake pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libicu-dev libopencc-dev libopencc-data
  libgtest-dev libgmock-dev libxml2-dev python3 unicode-data
  haproxy nginx python3-grpcio python3-yaml openssl
)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

# Progress goes to stderr, so `./run.sh samples > reports.json` holds only the
# reports.
install_deps() {
  local missing=()
  local p
  for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
        grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  if ((${#missing[@]} == 0)); then
    log "Debian packages: all present"
    return
  fi
  log "installing: ${missing[*]}"
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null ||
      die "not root and no sudo; install as root: apt-get install ${missing[*]}"
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update >&2
  "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" \
    </dev/null >&2
}

build() {
  install_deps
  log "configuring $BUILD_DIR ($BUILD_TYPE)"
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
    "${CMAKE_CORPUS_ARG[@]}" >&2
  log "building with $JOBS jobs"
  cmake --build "$BUILD_DIR" -j "$JOBS" >&2
}

run_tests() {
  build
  log "running the tests"
  local rc=0
  (cd "$BUILD_DIR" && ctest --output-on-failure -j "$JOBS") || rc=$?
  return "$rc"
}

# Starts gongkai-server on 127.0.0.1:<free port>; sets SERVER_PID and
# SERVER_ADDRESS. The server is started directly (not in a subshell) so its
# own PID is known, and it is stopped by that PID.
SERVER_PID=""
SERVER_ADDRESS=""
TMP_DIR=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  [[ -n "$TMP_DIR" ]] && rm -rf "$TMP_DIR"
  return 0
}

start_server() {
  TMP_DIR="$(mktemp -d)"
  trap cleanup EXIT
  "$BUILD_DIR/service/gongkai-server" --listen=127.0.0.1:0 \
    --port_file="$TMP_DIR/port" >"$TMP_DIR/server.log" 2>&1 </dev/null &
  SERVER_PID=$!
  local i
  for ((i = 0; i < 600; i++)); do
    if [[ -s "$TMP_DIR/port" ]]; then
      SERVER_ADDRESS="127.0.0.1:$(<"$TMP_DIR/port")"
      sed 's/^/    server: /' "$TMP_DIR/server.log" >&2
      log "gongkai-server pid $SERVER_PID on $SERVER_ADDRESS"
      return
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      cat "$TMP_DIR/server.log" >&2
      SERVER_PID=""
      die "gongkai-server exited before listening"
    fi
    sleep 0.1
  done
  cat "$TMP_DIR/server.log" >&2
  die "gongkai-server did not listen within 60 s"
}

stop_server() {
  log "stopping gongkai-server (pid $SERVER_PID)"
  local rc=0
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || rc=$?
  SERVER_PID=""
  sed -n 's/^/    server: /p' "$TMP_DIR/server.log" | tail -n 2 >&2
  ((rc == 0)) || die "gongkai-server exited with status $rc"
}

samples() {
  local files=("$@")
  if ((${#files[@]} == 0)); then
    local seeds="$CORPUS_DIR/seeds/input"
    [[ -d "$seeds" ]] || die "no sample reports: $seeds does not exist.
Put the shared corpus beside the repository (../shared/corpus) or name files:
  ./run.sh samples FILE..."
    files=("$seeds"/*)
    [[ -e "${files[0]}" ]] || die "no sample reports in $seeds"
  fi
  build
  start_server
  log "extracting ${#files[@]} file(s) through $SERVER_ADDRESS"
  local rc=0
  "$BUILD_DIR/service/gongkai" extract --server="$SERVER_ADDRESS" "${files[@]}" ||
    rc=$?
  stop_server
  return "$rc"
}

serve() {
  build
  log "gongkai-server in the foreground (Ctrl-C stops it)"
  exec "$BUILD_DIR/service/gongkai-server" "$@"
}

# Three instances as deploy/systemd/gongkai@.service would run them, and
# HAProxy in the foreground with deploy/haproxy/haproxy.cfg; every process
# started directly so its PID is known, and stopped by it.
FLEET_PIDS=()
stop_fleet() {
  local pid
  for pid in "${FLEET_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${FLEET_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  FLEET_PIDS=()
  [[ -n "$TMP_DIR" ]] && rm -rf "$TMP_DIR"
  return 0
}

fleet() {
  command -v haproxy >/dev/null || [[ -x /usr/sbin/haproxy ]] ||
    die "haproxy is not installed (./run.sh deps)"
  build
  TMP_DIR="$(mktemp -d)"
  trap stop_fleet EXIT
  trap 'exit 0' INT TERM
  local n
  for n in 1 2 3; do
    "$BUILD_DIR/service/gongkai-server" --listen="127.0.0.1:5005$n" \
      --metrics_listen="127.0.0.1:905$n" --shutdown_grace_ms=3000 \
      --port_file="$TMP_DIR/port$n" >"$TMP_DIR/server$n.log" 2>&1 </dev/null &
    FLEET_PIDS+=($!)
  done
  local i
  for n in 1 2 3; do
    for ((i = 0; i < 600; i++)); do
      [[ -s "$TMP_DIR/port$n" ]] && break
      kill -0 "${FLEET_PIDS[$((n - 1))]}" 2>/dev/null || {
        cat "$TMP_DIR/server$n.log" >&2
        die "gongkai-server $n exited (is port 5005$n or 905$n taken?)"
      }
      sleep 0.1
    done
    [[ -s "$TMP_DIR/port$n" ]] || die "gongkai-server $n did not listen"
    log "gongkai-server $n: pid ${FLEET_PIDS[$((n - 1))]}, gRPC 127.0.0.1:5005$n, metrics http://127.0.0.1:905$n/metrics"
  done
  /usr/sbin/haproxy -db -f "$ROOT/deploy/haproxy/haproxy.cfg" </dev/null &
  FLEET_PIDS+=($!)
  log "haproxy: pid $!, gRPC on 127.0.0.1:50050, stats http://127.0.0.1:8404/stats"
  log "try: $BUILD_DIR/service/gongkai extract --server=127.0.0.1:50050 FILE"
  log "  or $BUILD_DIR/service/gongkai extract --server=ipv4:127.0.0.1:50051,127.0.0.1:50052,127.0.0.1:50053 FILE"
  log "Ctrl-C stops all four"
  wait "${FLEET_PIDS[3]}" || true
}

usage() {
  sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

command="${1:-}"
(($# > 0)) && shift
case "$command" in
  samples) samples "$@" ;;
  test) run_tests ;;
  build) build ;;
  deps) install_deps ;;
  serve) serve "$@" ;;
  fleet) fleet ;;
  *) usage ;;
esac
