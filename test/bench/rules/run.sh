#!/usr/bin/env bash
# test/bench/rules/run.sh — what the rule engine costs.
#
# Not a test: it measures, in one run, and prints a markdown table (ready
# for docs/performance.md):
#   1. a realistic stream: a varied workload (cat/ls/grep/sed/find over /etc
#      and /usr/share, sh -c spawns, a python3 script opening many files and
#      connecting to its own listener on 127.0.0.1) recorded once with
#      `vigil --no-rules --all-results --events-out`, then concatenated into
#      a file of >= --events lines; its evt.type mix is reported;
#   2. engine-only throughput on one core (bench_engine.c: events decoded
#      in memory, engine_eval with rule matching "all", no-op callback) for
#      Falco's stable+incubating rules and for the bundled rules;
#   3. end-to-end `vigil replay --rules stable --rules incubating` on the
#      big file (wall time, events/s);
#   4. rules load time (engine_new + engine_load + engine_free, median) for
#      all three upstream Falco files together and for the bundled rules;
#   5. the analyzer's peak RSS (VmHWM of vigil-analyzer, sampled from /proc)
#      while `vigil --rules stable --rules incubating -- WORKLOAD` runs.
#
# When the engine-only target is missed, the table is followed by the rules
# that cost most (bench_engine rulecost: each enabled rule's condition timed
# alone over the events of its types).
#
#   test/bench/rules/run.sh [--out FILE] [--events N] [--rounds N] [--profile]
#
#   --out FILE    also write the markdown table to FILE
#   --profile     also `perf record -g` the engine-only run (stable+incubating)
#                 and print perf's top functions on stderr
#   --events N    lines in the replayed file (default 1000000)
#   --rounds N    shell-loop rounds of the workload (default 30; ~3k events each)
#   VIGIL_BIN     vigil binary (default <repo>/build/vigil); vigil-analyzer,
#                 libvigil_rules.a and libvigil_common.a must sit beside it
#                 (any CMake build dir has them)
#   VIGIL_UPSTREAM_RULES  Falco's rules files (default <repo>/test/data/falco-rules)
#
# Needs cc, libyaml and jansson headers, python3. The recorded stream and
# the big file live in a temp dir under $TMPDIR (about 1.7 GB for 1M
# events), removed at the end. Whole run: ~2-3 minutes on 2 cores.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
# shellcheck source=../lib.sh
source "$HERE/../lib.sh"
VIGIL=${VIGIL_BIN:-$REPO/build/vigil}
UPSTREAM=${VIGIL_UPSTREAM_RULES:-$REPO/test/data/falco-rules}
OUT=
MIN_EVENTS=1000000
ROUNDS=30
ENGINE_EVENTS=200000   # events held in memory by bench_engine
ENGINE_EVALS=1000000   # evaluations per timed repeat
ENGINE_REPEATS=3       # timed repeats (the median is reported)
LOAD_RUNS=21
REPLAY_RUNS=3
PROFILE=

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
	case $1 in
	--out) OUT=${2:?--out needs a file}; shift 2 ;;
	--out=*) OUT=${1#--out=}; shift ;;
	--events) MIN_EVENTS=${2:?--events needs a number}; shift 2 ;;
	--events=*) MIN_EVENTS=${1#--events=}; shift ;;
	--rounds) ROUNDS=${2:?--rounds needs a number}; shift 2 ;;
	--rounds=*) ROUNDS=${1#--rounds=}; shift ;;
	--profile) PROFILE=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[[ $MIN_EVENTS =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --events wants a positive integer" >&2; exit 2; }
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --rounds wants a positive integer" >&2; exit 2; }

die() { echo "run.sh: $*" >&2; exit 1; }
log() { printf '\n### %s\n' "$*" >&2; }
START=$EPOCHREALTIME
for tool in cc python3; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
[[ -x $VIGIL ]] || die "VIGIL_BIN: $VIGIL is not executable (build it, or set VIGIL_BIN)"
VIGIL=$(cd "$(dirname "$VIGIL")" && pwd)/$(basename "$VIGIL")
BUILD=$(dirname "$VIGIL")
[[ -x $BUILD/vigil-analyzer ]] || die "no vigil-analyzer beside $VIGIL"
for lib in libvigil_rules.a libvigil_common.a; do
	[[ -f $BUILD/$lib ]] || die "no $lib beside $VIGIL"
done
STABLE=$UPSTREAM/falco_rules.yaml
INCUB=$UPSTREAM/falco-incubating_rules.yaml
SANDBOX=$UPSTREAM/falco-sandbox_rules.yaml
BUNDLED=$REPO/rules/vigil_rules.yaml
for f in "$STABLE" "$INCUB" "$SANDBOX" "$BUNDLED"; do
	[[ -f $f ]] || die "missing rules file $f (set VIGIL_UPSTREAM_RULES)"
done
# The libraries are linked with this tree's headers and analyzer sources:
# say so when the sources look newer than the build.
NEWER=$(find "$REPO/agent/rules" "$REPO/agent/common" "$REPO/include" -newer "$BUILD/libvigil_rules.a" \
	-name '*.[ch]' 2>/dev/null | sed -n '1,3p' | tr '\n' ' ')
[[ -z $NEWER ]] || echo "run.sh: warning: sources newer than $BUILD/libvigil_rules.a ($NEWER...): rebuild it" >&2
[[ -z $PROFILE ]] || command -v perf >/dev/null || die "--profile needs perf"
# The python3 the workload runs: the real binary, not a pyenv-style shim
# (a shim would add its own bash process tree to the stream).
PY=/usr/bin/python3
[[ -x $PY ]] || PY=$(python3 -c 'import sys; print(sys.executable)')

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigil-rbench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
LOAD_AVG=$(cut -d' ' -f1-3 /proc/loadavg)

log "compiling bench_engine.c against $BUILD"
cc -O2 -std=gnu17 -Wall -Wextra -I"$REPO/include" -I"$REPO/agent" -o "$WORK/bench_engine" \
	"$HERE/bench_engine.c" "$REPO/agent/analyzer/ndjson_read.c" \
	"$REPO/agent/analyzer/json_flat.c" "$REPO/agent/analyzer/context.c" \
	"$BUILD/libvigil_rules.a" "$BUILD/libvigil_ydoc.a" "$BUILD/libvigil_common.a" -lyaml -ljansson ||
	die "cannot compile bench_engine.c"

# ------------------------------------------------------------ workload
mkdir -p "$WORK/scratch"
cat >"$WORK/shell.sh" <<'EOF'
#!/bin/sh
# shell.sh ROUNDS SCRATCH: common tools over /etc and /usr/share
R=$1; S=$2; i=0
while [ "$i" -lt "$R" ]; do
	cat /etc/passwd /etc/group /etc/hosts /etc/os-release >/dev/null 2>&1
	ls -la /etc /usr/share >/dev/null 2>&1
	grep -rs root /etc >/dev/null 2>&1
	sed -n 's/root/ROOT/p' /etc/passwd >"$S/sed.$i"
	find /usr/share/doc -maxdepth 2 -name '*.gz' >/dev/null 2>&1
	sh -c 'id >/dev/null; uname -a >/dev/null; cat /etc/hostname >/dev/null 2>&1'
	ls /nonexistent.$i >/dev/null 2>&1 || true
	mkdir -p "$S/d.$i" && cp "$S/sed.$i" "$S/d.$i/" && chmod 600 "$S/d.$i/sed.$i" &&
		rm -rf "$S/d.$i" "$S/sed.$i"
	i=$((i + 1))
done
EOF
cat >"$WORK/files.py" <<'EOF'
# files.py N_FILES N_CONNS SCRATCH: open many files, write/rename/unlink,
# connect to our own listener on 127.0.0.1 (never any other address).
import os, socket, sys
n_files, n_conns, scratch = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
opened = 0
for top in ("/usr/share", "/etc"):
    for d, dirs, files in os.walk(top):
        for f in files:
            if opened >= n_files:
                break
            try:
                with open(os.path.join(d, f), "rb") as fh:
                    fh.read(64)
            except OSError:
                pass
            opened += 1
for i in range(200):
    p = os.path.join(scratch, "f%d" % i)
    with open(p, "w") as fh:
        fh.write("x")
    os.chmod(p, 0o600)
    os.rename(p, p + ".r")
    os.unlink(p + ".r")
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen(64)
addr = srv.getsockname()
for i in range(n_conns):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.connect(addr)
    s, _ = srv.accept()
    c.sendall(b"ping")
    s.recv(4)
    s.close()
    c.close()
srv.close()
EOF
cat >"$WORK/workload.sh" <<EOF
#!/bin/sh
set -e
"$WORK/shell.sh" $ROUNDS "$WORK/scratch"
"$PY" "$WORK/files.py" 20000 2000 "$WORK/scratch"
EOF
chmod +x "$WORK/shell.sh" "$WORK/workload.sh"

# ------------------------------------------------------------ 1. record
# --all-results: Falco's rules read fd.num/evt.res, so with them loaded
# vigil takes the exit stop of opens, connects...; the recording must
# carry those results for replay to see what the live analyzer sees.
log "1. recording the workload ($ROUNDS shell rounds + python3) under vigil --no-rules"
BASE=$WORK/base.ndjson
T0=$EPOCHREALTIME
"$VIGIL" --no-rules --all-results --events-out "$BASE" -- "$WORK/workload.sh" >/dev/null 2>"$WORK/record.err" ||
	{ cat "$WORK/record.err" >&2; die "recording failed"; }
REC_S=$(python3 -c "print(f'{$EPOCHREALTIME - $T0:.1f}')")
BASE_N=$(wc -l <"$BASE")
((BASE_N > 1000)) || die "only $BASE_N events recorded"
echo "  $BASE_N events in $REC_S s" >&2
grep -o '"evt.type":"[^"]*"' "$BASE" | cut -d'"' -f4 | sort | uniq -c | sort -rn >"$WORK/mix.txt"

BIG=$WORK/big.ndjson
COPIES=$(((MIN_EVENTS + BASE_N - 1) / BASE_N))
for ((i = 0; i < COPIES; i++)); do cat "$BASE"; done >"$BIG"
BIG_N=$((COPIES * BASE_N))
BIG_BYTES=$(stat -c %s "$BIG")
echo "  $BIG: $COPIES copies, $BIG_N events, $((BIG_BYTES >> 20)) MiB" >&2

# ------------------------------------------------------------ 2. engine
log "2. engine only: stable+incubating, then bundled rules"
"$WORK/bench_engine" eval "$BIG" "$ENGINE_EVENTS" "$ENGINE_EVALS" "$ENGINE_REPEATS" \
	"$STABLE" "$INCUB" >"$WORK/eng_upstream.txt" || die "bench_engine eval (upstream) failed"
sed 's/^/  /' "$WORK/eng_upstream.txt" >&2
"$WORK/bench_engine" eval "$BIG" "$ENGINE_EVENTS" "$ENGINE_EVALS" "$ENGINE_REPEATS" \
	"$BUNDLED" >"$WORK/eng_bundled.txt" || die "bench_engine eval (bundled) failed"
sed 's/^/  /' "$WORK/eng_bundled.txt" >&2
log "2b. cost of each stable+incubating rule alone (top 10)"
"$WORK/bench_engine" rulecost "$BIG" "$ENGINE_EVENTS" 10 "$STABLE" "$INCUB" >"$WORK/rulecost.txt" ||
	die "bench_engine rulecost failed"
sed 's/^/  /' "$WORK/rulecost.txt" >&2
if [[ -n $PROFILE ]]; then
	log "2c. perf record -g: engine only, stable+incubating"
	if perf record -q -g -o "$WORK/perf.data" -- "$WORK/bench_engine" eval "$BIG" "$ENGINE_EVENTS" \
		"$ENGINE_EVALS" 2 "$STABLE" "$INCUB" >/dev/null 2>"$WORK/perf.err"; then
		perf report -i "$WORK/perf.data" --no-children --stdio --percent-limit 1 2>/dev/null |
			grep -E '^ +[0-9.]+%' | sed -n '1,20p' >&2
	else
		echo "  perf record failed: $(tail -1 "$WORK/perf.err")" >&2
	fi
fi

# ------------------------------------------------------------ 3. replay
log "3. vigil replay --rules stable --rules incubating on $BIG_N events ($REPLAY_RUNS runs)"
: >"$WORK/replay.txt"
for ((i = 0; i < REPLAY_RUNS; i++)); do
	T0=$EPOCHREALTIME
	"$VIGIL" replay --rules "$STABLE" --rules "$INCUB" "$BIG" >/dev/null 2>"$WORK/replay.err" ||
		{ cat "$WORK/replay.err" >&2; die "replay failed"; }
	T1=$EPOCHREALTIME
	SUMMARY=$(grep 'vigil: replay:' "$WORK/replay.err" | tail -1)
	echo "  $(python3 -c "print(f'{$T1 - $T0:.2f}')") s: $SUMMARY" >&2
	echo "$T0 $T1 $SUMMARY" >>"$WORK/replay.txt"
done

# ------------------------------------------------------------ 4. load
log "4. load time ($LOAD_RUNS runs each)"
"$WORK/bench_engine" load "$LOAD_RUNS" "$STABLE" "$INCUB" "$SANDBOX" >"$WORK/load_upstream.txt"
sed 's/^/  /' "$WORK/load_upstream.txt" >&2
"$WORK/bench_engine" load "$LOAD_RUNS" "$BUNDLED" >"$WORK/load_bundled.txt"
sed 's/^/  /' "$WORK/load_bundled.txt" >&2

# ------------------------------------------------------------ 5. RSS
# VmHWM is the peak so far, so the last sample of each process is kept.
log "5. analyzer RSS: vigil --rules stable --rules incubating -- workload"
rm -rf "$WORK/scratch" && mkdir "$WORK/scratch"
T0=$EPOCHREALTIME
"$VIGIL" --rules "$STABLE" --rules "$INCUB" -- "$WORK/workload.sh" >"$WORK/live.alerts" 2>"$WORK/live.err" &
VP=$!
watch_vigil_rss "$VP" 0.02
wait "$VP" || { tail -5 "$WORK/live.err" >&2; die "vigil -- workload failed during the RSS run"; }
LIVE_S=$(python3 -c "print(f'{$EPOCHREALTIME - $T0:.1f}')")
LIVE_ALERTS=$(wc -l <"$WORK/live.alerts")
((ANA_KB > 0)) || die "never saw the vigil-analyzer child in /proc"
echo "  analyzer VmHWM $ANA_KB kB, supervisor VmHWM $SUP_KB kB, $LIVE_ALERTS alerts, $LIVE_S s" >&2

# ------------------------------------------------------------ report
TABLE=$WORK/table.md
WORK=$WORK VIGIL=$VIGIL BASE_N=$BASE_N BIG_N=$BIG_N BIG_BYTES=$BIG_BYTES COPIES=$COPIES \
	REC_S=$REC_S ROUNDS=$ROUNDS ANA_KB=$ANA_KB SUP_KB=$SUP_KB LIVE_S=$LIVE_S \
	LIVE_ALERTS=$LIVE_ALERTS LOAD_AVG=$LOAD_AVG LOAD_RUNS=$LOAD_RUNS \
	python3 - >"$TABLE" <<'PY'
import datetime, os, platform, statistics, subprocess

E = os.environ
W = E["WORK"]

def kv(name):
    d = {}
    for line in open(f"{W}/{name}.txt"):
        k, _, v = line.strip().partition("=")
        d[k] = v
    return d

eu, eb = kv("eng_upstream"), kv("eng_bundled")
lu, lb = kv("load_upstream"), kv("load_bundled")

def met(ok):
    return "yes" if ok else "**no**"

def mps(x):
    return f"{x / 1e6:.2f} M events/s"

rows = []
for label, d in (("Falco stable + incubating", eu), ("bundled `vigil_rules.yaml`", eb)):
    rate = float(d["events_per_s_median"])
    rates = ", ".join(f"{int(r) / 1e6:.2f}" for r in d["rates"].split(","))
    rows.append(
        f"| engine only, {label} ({d['enabled']}/{d['rules']} rules enabled), rule matching all, "
        f"1 core | {mps(rate)} (median of {len(d['rates'].split(','))} × "
        f"{int(d['evals_per_repeat']):,} evals on {int(d['events_in_memory']):,} in-memory "
        f"events: {rates} M/s; {d['alerts_per_pass']} alerts per pass) | ≥ 1 M events/s | "
        f"{met(rate >= 1e6)} |")

rep = []
for line in open(f"{W}/replay.txt"):
    t0, t1, *summary = line.split()
    rep.append((float(t1) - float(t0), " ".join(summary)))
walls = sorted(w for w, _ in rep)
wall = statistics.median(walls)
big_n = int(E["BIG_N"])
summary = rep[0][1]
alerts = summary.split(" events, ")[1].split(" alerts")[0] if " events, " in summary else "?"
rate = big_n / wall
rows.append(
    f"| end to end, `vigil replay --rules stable --rules incubating` on {big_n:,} events "
    f"({int(E['BIG_BYTES']) / 2**30:.2f} GiB NDJSON), rule matching first | {wall:.2f} s wall, "
    f"{rate / 1e3:,.0f} k events/s (median of {len(walls)}: "
    f"{', '.join(f'{w:.2f}' for w in walls)} s; {alerts} alerts; NDJSON decode alone, "
    f"`ndjson_read_event` in bench_engine: {float(eu['decode_events_per_s']) / 1e3:,.0f} k "
    f"events/s) | ≥ 200 k events/s | "
    f"{met(rate >= 2e5)} |")

for label, d in (("Falco stable + incubating + sandbox", lu), ("bundled `vigil_rules.yaml`", lb)):
    ms = float(d["load_ms_median"])
    rows.append(
        f"| load time, {label} ({d['rules']} rules, {d['enabled']} enabled, {d['warnings']} "
        f"warnings, {d['errors']} errors) | {ms:.1f} ms (median of {d['runs']}; min "
        f"{float(d['load_ms_min']):.1f}, max {float(d['load_ms_max']):.1f}) | ≤ 100 ms | "
        f"{met(ms <= 100)} |")

ana = int(E["ANA_KB"])
rows.append(
    f"| analyzer RSS (VmHWM of `vigil-analyzer`), `vigil --rules stable --rules incubating -- "
    f"workload` ({E['LIVE_S']} s, {E['LIVE_ALERTS']} alerts; supervisor VmHWM "
    f"{int(E['SUP_KB']) / 1024:.1f} MiB) | {ana / 1024:.1f} MiB | ≤ 30 MiB | {met(ana <= 30 * 1024)} |")

eng_missed = float(eu["events_per_s_median"]) < 1e6 or float(eb["events_per_s_median"]) < 1e6
cost_rows, cost_total = [], None
for line in open(f"{W}/rulecost.txt"):
    k, _, v = line.strip().partition("=")
    if k == "rulecost_total_ns_per_event":
        cost_total = float(v)
    elif k == "rulecost" and len(cost_rows) < 8:
        ns, share, evals, matches, name = v.split("|", 4)
        cost_rows.append(f"| {name} | {float(ns):.0f} ns | {float(share):.1f} % | "
                         f"{int(evals):,} | {int(matches):,} |")

mix = [l.split() for l in open(f"{W}/mix.txt")]
base_n = int(E["BASE_N"])
mix_rows = [f"| `{t}` | {int(n):,} | {100 * int(n) / base_n:.1f} % |" for n, t in mix]

cpu = "?"
try:
    for l in open("/proc/cpuinfo"):
        if l.startswith("model name"):
            cpu = l.split(":", 1)[1].strip(); break
except OSError:
    pass
ver = subprocess.run([E["VIGIL"], "version"], capture_output=True, text=True).stdout.strip()

print(f"Measured {datetime.date.today()} on {cpu}, {os.cpu_count()} CPUs, "
      f"Linux {platform.release()}; {ver or 'vigil'}; load average at start {E['LOAD_AVG']}.")
print(f"Stream: a workload of {E['ROUNDS']} shell rounds (cat/ls/grep -r/sed/find over /etc and "
      f"/usr/share, `sh -c` spawns, mkdir/cp/chmod/rm) and a python3 script (20k file opens, "
      f"write/chmod/rename/unlink, 2k connects to its own 127.0.0.1 listener), recorded once "
      f"with `vigil --no-rules --all-results --events-out` ({base_n:,} events, {E['REC_S']} s) "
      f"and concatenated {E['COPIES']} times.")
print()
print("| measurement | result | target | met |")
print("|---|---|---|---|")
print("\n".join(rows))
if eng_missed and cost_rows:
    print()
    print(f"Engine-only target missed; the costliest stable+incubating rules, each condition "
          f"timed alone over the events of its types (sum of all rules: {cost_total:.0f} ns per "
          f"stream event; cache-cold per rule, so higher than in the engine):")
    print()
    print("| rule | ns per stream event | share | events evaluated | matches |")
    print("|---|---|---|---|---|")
    print("\n".join(cost_rows))
print()
print(f"Event mix of the recorded stream ({base_n:,} events):")
print()
print("| evt.type | events | share |")
print("|---|---|---|")
print("\n".join(mix_rows))
PY

echo >&2
cat "$TABLE"
if [[ -n $OUT ]]; then
	cp "$TABLE" "$OUT"
	echo "(table written to $OUT)" >&2
fi
echo "run.sh: total $(python3 -c "print(f'{$EPOCHREALTIME - $START:.0f}')") s" >&2
