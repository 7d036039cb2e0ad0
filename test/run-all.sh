#!/usr/bin/env bash
# Every test: the source checks (layering, style), then unit (ctest) and
# integration (pytest) on the release build,
# a short run of the parser fuzzers, then unit and integration again on the
# ASan/UBSan build. Usage: bash test/run-all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=2

build_and_test() { # $1 = build dir, rest = cmake args
  local dir=$1; shift
  cmake -S . -B "$dir" "$@" > /dev/null
  cmake --build "$dir" -j"$jobs"
  (cd "$dir" && ctest --output-on-failure)
  VIGIL_BIN="$PWD/$dir/vigil" VIGIL_TEST_PROGS="$PWD/$dir/test/progs" \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider test/integration
}

echo "== checks (layering, style) =="
bash test/checks/layers.sh
bash test/checks/style.sh
echo "== release build =="
build_and_test build -DCMAKE_BUILD_TYPE=Release
echo "== fuzz (parsers, short) =="
bash test/fuzz/run.sh
echo "== ASan/UBSan build =="
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  build_and_test build-asan -DCMAKE_BUILD_TYPE=Debug -DVIGIL_SANITIZE=ON
