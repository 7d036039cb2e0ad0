#!/usr/bin/env bash
# Every test: the source checks (the repository stands alone, layering,
# style), then unit (ctest) and integration (pytest) on the release build,
# a short run of the parser fuzzers, the static musl build that the bundle
# and the agent image carry (its unit tests, then the whole integration
# suite against it, with the real-container deployment proofs), then unit
# and integration again on the ASan/UBSan build. Usage: bash test/run-all.sh
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

# The deployment proofs (podman images of four bases, both ways) run once,
# on the static bundle they are about; the reproducibility check (two glibc
# builds of their own) once, on the release pass.
ONCE_ONLY=(--ignore-glob='*/test_deploy*.py')

build_and_test() { # $1 = build dir, rest = cmake args; PYTEST_EXTRA: more pytest args
  local dir=$1; shift
  cmake -S . -B "$dir" "$@" > /dev/null
  cmake --build "$dir" -j"$jobs"
  (cd "$dir" && ctest --output-on-failure)
  export VIGIL_BIN="$PWD/$dir/vigil" VIGIL_TEST_PROGS="$PWD/$dir/test/progs"
  # shellcheck disable=SC2086
  /usr/bin/python3 -m pytest -q -p no:cacheprovider "${ONCE_ONLY[@]}" ${PYTEST_EXTRA:-} test/integration
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
echo "== static musl build (the bundle) =="
# The libraries from Debian's sources, then vigil and its unit tests (ctest);
# the integration suite runs the static binaries with the release build's
# test programs (glibc: the suite's expectations), deployment proofs included.
bash packaging/static/build.sh --test build-static
echo "== arm64: the static bundle cross-built, its unit tests under qemu-user =="
bash packaging/static/build.sh --arch arm64 --test build-arm64
cmake --build build-arm64 --target bundle > /dev/null
echo "== integration on the static build (deployment proofs, the two-arch image) =="
VIGIL_BIN="$PWD/build-static/vigil" VIGIL_TEST_PROGS="$PWD/build/test/progs" \
  VIGIL_BUNDLE_ARM64="$PWD/build-arm64/bundle/opt/vigil" /usr/bin/python3 -m pytest -q -p no:cacheprovider \
  --deselect test/integration/test_packaging.py::test_two_builds_give_the_same_bytes test/integration
echo "== ASan/UBSan build =="
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  PYTEST_EXTRA="--deselect test/integration/test_packaging.py::test_two_builds_give_the_same_bytes" \
  build_and_test build-asan -DCMAKE_BUILD_TYPE=Debug -DVIGIL_SANITIZE=ON
