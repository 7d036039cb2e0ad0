#!/usr/bin/env bash
# Build the parser fuzz targets with clang's libFuzzer (+ASan/UBSan) and run
# each for a short time. Part of test/run-all.sh; FUZZ_SECONDS sets the time.
#   bash test/fuzz/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
upstream=test/data/falco-rules  # Falco's own rules files (vendored: SOURCES there)

# The targets are CMake's (VIGIL_FUZZ: clang, libFuzzer, ASan/UBSan), in a
# build directory of their own; they link the parts they exercise.
fuzz_build=${FUZZ_BUILD_DIR:-build-fuzz}
CC=clang cmake -S . -B "$fuzz_build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
  -DVIGIL_FUZZ=ON -DVIGIL_TESTS=OFF > /dev/null
cmake --build "$fuzz_build" -j2 --target fuzz_targets > "$work/build.log" 2>&1 ||
  { tail -40 "$work/build.log"; exit 1; }
for target in fuzz_cond fuzz_rules_yaml fuzz_config fuzz_ndjson; do
  cp "$fuzz_build/$target" "$work/$target"
done

# Seeds: Falco's own rules files (and each condition line of them for the parser).
mkdir -p "$work/seed_yaml" "$work/seed_cond"
cp rules/*.yaml "$work/seed_yaml/"
cp "$upstream"/*.yaml "$work/seed_yaml/"
# (sed -n, not head: head would close the pipe early and, under pipefail,
# the writer's SIGPIPE would fail the script with 141.)
grep -h "condition:" "$work"/seed_yaml/*.yaml | sed -n 's/^ *condition: *//; 1,400p' |
  split -l 1 - "$work/seed_cond/c"

# First every input that once failed (test/fuzz/regress/<target>/), then a
# short run from a fixed seed, so a CI failure can be reproduced with the
# same -seed; the failing input is printed in hex for a regression file.
mkdir -p "$work/seed_config"
cp rules/fim/*.yaml "$work/seed_config/"
printf 'rules: [a.yaml]\npriority: warning\nfim:\n  paths:\n    - /etc\n    - path: /app\n      exclude: ["*.log"]\n      attributes: [sha256, mode]\n      tags: [pci]\noutputs: [stdout]\nhttp: {batch_max_alerts: 10}\n' \
  > "$work/seed_config/full.yaml"
mkdir -p "$work/seed_ndjson"
if [ -x build/vigil ]; then   # a few real events, FIM ones included
  d=$(mktemp -d "$work/fimseed.XXXXXX"); echo a > "$d/f"
  VIGIL_FIM_DB="$work/seed.db" build/vigil -q --fim "$d" --events-out "$work/seed.ndjson" -- \
    sh -c "sleep 0.3; echo b >> $d/f; chmod 600 $d/f; cat /etc/hostname > /dev/null; sleep 0.3" > /dev/null 2>&1 || true
  [ -f "$work/seed.ndjson" ] && split -l 1 "$work/seed.ndjson" "$work/seed_ndjson/e"
fi
echo '{"evt.num":1,"evt.type":"openat","fd.name":"/etc/shadow","proc.name":"cat"}' > "$work/seed_ndjson/min"
for target in fuzz_cond fuzz_rules_yaml fuzz_config fuzz_ndjson; do
  corpus=$work/seed_cond
  regress=test/fuzz/regress/cond
  extra=()
  if [ "$target" = fuzz_rules_yaml ]; then
    corpus=$work/seed_yaml
    regress=test/fuzz/regress/rules_yaml
    extra=(-dict="$PWD/test/fuzz/rules_yaml.dict" -max_len=65536)
  elif [ "$target" = fuzz_config ]; then
    corpus=$work/seed_config
    regress=test/fuzz/regress/config
    extra=(-max_len=8192)
  elif [ "$target" = fuzz_ndjson ]; then
    corpus=$work/seed_ndjson
    regress=test/fuzz/regress/ndjson
    extra=(-max_len=16384)
  fi
  if [ -d "$regress" ]; then
    echo "== $target: $(ls "$regress" | wc -l) regression inputs =="
    "$work/$target" "$regress"/* > "$work/$target.regress.log" 2>&1 ||
      { tail -40 "$work/$target.regress.log"; exit 1; }
  fi
  echo "== $target for ${secs}s (seed ${FUZZ_SEED:-1}) =="
  ( cd "$work" && "./$target" -seed="${FUZZ_SEED:-1}" -max_total_time="$secs" -print_final_stats=1 \
      "${extra[@]}" "$corpus" > "$target.log" 2>&1 ) ||
    { tail -40 "$work/$target.log"; for c in "$work"/crash-*; do [ -f "$c" ] && od -An -tx1 -N 320 "$c"; done; exit 1; }
  grep -E "stat::number_of_executed_units|Done" "$work/$target.log" | tail -2
done
