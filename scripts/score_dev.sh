#!/usr/bin/env bash
# Scores every layout of the dev corpus with the shared score.py, the way
# accuracy is judged: extracts each layout's inputs with the gongkai CLI
# (in-process, the bundled plugins) and prints score.py's summary line per
# layout. docs/accuracy.md shows its output.
#
#   scripts/score_dev.sh [--verbose]     (after ./run.sh build)
#
# Environment: BUILD_DIR (default build/), CORPUS_DIR (default
# ../shared/corpus), SCORE (default ../shared/tools/score.py).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
CORPUS_DIR="${CORPUS_DIR:-$ROOT/../shared/corpus}"
SCORE="${SCORE:-$ROOT/../shared/tools/score.py}"
CLI="$BUILD_DIR/service/gongkai"
[[ -x "$CLI" ]] || { echo "score_dev.sh: no $CLI; run ./run.sh build" >&2; exit 2; }

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for dir in "$CORPUS_DIR"/dev/*/; do
  layout="$(basename "$dir")"
  mkdir -p "$out/$layout"
  "$CLI" extract --plugin_dir "$BUILD_DIR/plugins" --out "$out/$layout" \
    "$dir"/input/* >/dev/null
  if [[ "${1:-}" == --verbose ]]; then
    python3 "$SCORE" "$dir/truth" "$out/$layout" --verbose
  fi
  printf '%-14s %s\n' "$layout" \
    "$(python3 "$SCORE" "$dir/truth" "$out/$layout" | tail -n 1)"
done
