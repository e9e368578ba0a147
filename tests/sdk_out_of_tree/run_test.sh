#!/usr/bin/env bash
# Builds the hello plugin out of tree against the installed gongkai SDK and
# loads it through the host:
#   run_test.sh <gongkai build dir> <plugin_load_check> <hello source dir>
#               [cmake] [c++ compiler]
set -euo pipefail

build=$1
check=$2
source=$3
cmake=${4:-cmake}
cxx=${5:-}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gongkai_sdk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "== install the SDK component to $tmp/prefix"
"$cmake" --install "$build" --component sdk --prefix "$tmp/prefix"
test -f "$tmp/prefix/include/gongkai/plugin.h"
test -f "$tmp/prefix/include/gongkai/plugin_abi.h"

echo "== configure and build $source out of tree"
args=(-S "$source" -B "$tmp/build" -DCMAKE_PREFIX_PATH="$tmp/prefix"
      -DCMAKE_BUILD_TYPE=Release)
if [[ -n "$cxx" ]]; then args+=(-DCMAKE_CXX_COMPILER="$cxx"); fi
"$cmake" "${args[@]}"
"$cmake" --build "$tmp/build"

plugin=$(find "$tmp/build" -name 'libgongkai_hello.so' -print -quit)
if [[ -z "$plugin" ]]; then
  echo "FAIL: libgongkai_hello.so was not built" >&2
  exit 1
fi

echo "== exported symbols of $plugin"
if command -v nm > /dev/null; then
  exported=$(nm -D --defined-only "$plugin" | awk '{print $NF}' | sort -u)
  echo "$exported"
  if [[ "$exported" != "gongkai_plugin_entry_v1" ]]; then
    echo "FAIL: the plugin must export only gongkai_plugin_entry_v1" >&2
    exit 1
  fi
fi

echo "== load it through the host"
printf 'hello from out of tree\nname: gongkai\nlayout: key value\n' \
  > "$tmp/input.txt"
"$check" "$plugin" "$tmp/input.txt" 2
echo "OK: out-of-tree plugin built, loaded and run"
