#!/usr/bin/env bash
# Every test: the source checks (the repository stands alone, layering,
# style), then unit (ctest) and integration (pytest) on the release build,
# a short run of the parser fuzzers, then unit and integration again on the
# ASan/UBSan build. Usage: bash test/run-all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=2

# The suites about what the sensor sees. The whole run uses the sensor vigil
# picks here (auto: seccomp notification on Linux >= 6.6, x86_64); these run once
# more under the other one, so both sensors pass the same tests
# (test_sensors.py runs both itself).
SENSOR_SUITES="test/integration/test_tracer.py test/integration/test_evasion.py
  test/integration/test_self_protection.py test/integration/test_path_exactness.py
  test/integration/test_races.py"

build_and_test() { # $1 = build dir, rest = cmake args
  local dir=$1; shift
  cmake -S . -B "$dir" "$@" > /dev/null
  cmake --build "$dir" -j"$jobs"
  (cd "$dir" && ctest --output-on-failure)
  export VIGIL_BIN="$PWD/$dir/vigil" VIGIL_TEST_PROGS="$PWD/$dir/test/progs"
  /usr/bin/python3 -m pytest -q -p no:cacheprovider test/integration
  local other=ptrace
  "$VIGIL_BIN" -v --sensor ptrace --no-rules -- true 2>&1 | grep -q "sensor: ptrace" ||
    { echo "vigil --sensor ptrace did not take" >&2; exit 1; }
  "$VIGIL_BIN" -v --no-rules -- true 2>&1 | grep -q "sensor: ptrace" && other=notify
  "$VIGIL_BIN" -v --sensor "$other" --no-rules -- true 2>&1 | grep -q "sensor: $other" ||
    { echo "vigil --sensor $other did not take" >&2; exit 1; }
  echo "== the sensor suites again, under --sensor $other =="
  # shellcheck disable=SC2086
  VIGIL_SENSOR=$other /usr/bin/python3 -m pytest -q -p no:cacheprovider $SENSOR_SUITES
  unset VIGIL_BIN VIGIL_TEST_PROGS
}

echo "== checks (standalone, layering, style) =="
bash test/checks/standalone.sh
bash test/checks/layers.sh
bash test/checks/style.sh
echo "== release build =="
build_and_test build -DCMAKE_BUILD_TYPE=Release
echo "== fuzz (parsers, short) =="
bash test/fuzz/run.sh
echo "== ASan/UBSan build =="
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  build_and_test build-asan -DCMAKE_BUILD_TYPE=Debug -DVIGIL_SANITIZE=ON
