#!/usr/bin/env bash
# Alert shipping benchmark: ship-feed (agent/ship) into test/fakes/receiver.py.
# Prints alerts/s sustained on one core, the compression ratio, peak memory
# during an outage at 1,000 alerts/s (60 s; VIGIL_BENCH_FULL=1 for 5 min),
# and the time to drain the spool after recovery.
# Usage: bash test/bench/ship/run.sh [build-dir]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/../../.."
build=${1:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$build" -j2 --target ship-feed > /dev/null
case $build in /*) ;; *) build=$PWD/$build ;; esac
SHIP_FEED=$build/test/ship-feed exec /usr/bin/python3 test/bench/ship/bench.py
