#!/usr/bin/env bash
# test/bench/overhead/run.sh — what tracing costs the application.
#
# Not a test: it measures, side by side in one run, each workload natively,
# under vigil (`vigil -- CMD`), under `strace -f --seccomp-bpf` and under
# plain `strace -f` (both restricted with -e trace= to the syscall set vigil
# traces by default, output to /dev/null), and under `floor` (floor.c: a
# tracer of the same set that only stops and restarts, the least any
# ptrace + seccomp design can cost), and prints a markdown table of ratios
# to native (ready for docs/performance.md), plus vigil's supervisor and
# analyzer memory and its start-up latency. The tools run interleaved, one
# run of each per round, so a machine that slows down during the run slows
# every column alike; figures are medians.
#
#   test/bench/overhead/run.sh [--out FILE] [--runs N]
#
#   --out FILE   also write the markdown table to FILE
#   --runs N     timed runs per tool for the quick workloads (default 5);
#                the compile runs min(N,3) times, plain strace on the
#                1M-syscall workload once (it takes ~50 s)
#   VIGIL_BIN    vigil binary (default <repo>/build/vigil); vigil-analyzer
#                must sit beside it
#   BENCH_FILES_DIR  where workload (b) makes its files (default: a temp
#                dir in /dev/shm if writable, else in $TMPDIR); a tmpfs
#                keeps disk journal stalls out of the syscall measurement
#
# Needs hyperfine, strace (>= 5.3 for --seccomp-bpf), python3, cc, cmake.
# The C workloads next to this script are compiled here with `cc -O2` into
# a temporary directory. Whole run: ~5 minutes on 2 cores.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
# shellcheck source=../lib.sh
source "$HERE/../lib.sh"
VIGIL=${VIGIL_BIN:-$REPO/build/vigil}
OUT=
RUNS=5

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
	case $1 in
	--out) OUT=${2:?--out needs a file}; shift 2 ;;
	--out=*) OUT=${1#--out=}; shift ;;
	--runs) RUNS=${2:?--runs needs a number}; shift 2 ;;
	--runs=*) RUNS=${1#--runs=}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --runs wants a positive integer" >&2; exit 2; }

die() { echo "run.sh: $*" >&2; exit 1; }
log() { printf '\n### %s\n' "$*" >&2; }
for tool in hyperfine strace python3 cc cmake; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
[[ -x $VIGIL ]] || die "VIGIL_BIN: $VIGIL is not executable (build it, or set VIGIL_BIN)"
VIGIL=$(cd "$(dirname "$VIGIL")" && pwd)/$(basename "$VIGIL")
[[ -x $(dirname "$VIGIL")/vigil-analyzer ]] || die "no vigil-analyzer beside $VIGIL"
"$VIGIL" -- /bin/true || die "'$VIGIL -- /bin/true' fails here"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigil-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------- helpers
for prog in files untraced threads; do
	cc -O2 -Wall -o "$WORK/$prog" "$HERE/$prog.c" -pthread || die "cannot compile $prog.c"
done
FILES_BASE=${BENCH_FILES_DIR:-}
if [[ -z $FILES_BASE ]]; then
	if [[ -d /dev/shm && -w /dev/shm ]]; then FILES_BASE=/dev/shm; else FILES_BASE=$WORK; fi
fi
FILES_DIR=$(mktemp -d "$FILES_BASE/vigil-bench-files.XXXXXX")
trap 'rm -rf "$WORK" "$FILES_DIR"' EXIT

# ------------------------------------------------------- the syscall set
# vigil's default traced set (agent/common/syscall_table.c); names this
# strace does not know are dropped from the strace runs and reported.
VIGIL_SET=execve,execveat,clone3,chdir,fchdir,open,openat,openat2,creat,connect,accept,accept4,bind,listen,socket,unlink,unlinkat,rename,renameat,renameat2,mkdir,mkdirat,rmdir,link,linkat,symlink,symlinkat,chmod,fchmod,fchmodat,fchmodat2,chown,fchown,lchown,fchownat,setuid,setgid,setreuid,setregid,setresuid,setresgid,ptrace,memfd_create,mount,umount2,init_module,finit_module,bpf,dup,dup2,dup3,io_uring_setup,kill,tkill,tgkill,pidfd_send_signal,process_vm_writev
SET= DROPPED=
IFS=, read -r -a names <<<"$VIGIL_SET"
for name in "${names[@]}"; do
	if strace -qq -e "trace=$name" -o /dev/null /bin/true 2>/dev/null; then
		SET+=${SET:+,}$name
	else
		DROPPED+=${DROPPED:+,}$name
	fi
done
strace -f --seccomp-bpf -qq -e "trace=$SET" -o /dev/null /bin/true ||
	die "strace --seccomp-bpf does not work here"

STRACE_SECCOMP="strace -f --seccomp-bpf -qq -e trace=$SET -o /dev/null"
STRACE_PLAIN="strace -f -qq -e trace=$SET -o /dev/null"

# The floor tracer traces vigil's whole set (the names this libc knows).
for name in "${names[@]}"; do printf '#ifdef SYS_%s\nSYS_%s,\n#endif\n' "$name" "$name"; done \
	>"$WORK/floor_set.h"
cc -O2 -Wall -I"$WORK" -o "$WORK/floor" "$HERE/floor.c" || die "cannot compile floor.c"
"$WORK/floor" /bin/true || die "the floor tracer does not work here"

TOOLS=(native vigil floor strace-seccomp strace)
prefix() {
	case $1 in
	native) echo "" ;;
	vigil) echo "$VIGIL -- " ;;
	floor) echo "$WORK/floor " ;;
	strace-seccomp) echo "$STRACE_SECCOMP " ;;
	strace) echo "$STRACE_PLAIN " ;;
	esac
}

# bench ID RUNS WARMUP PREPARE CMD [TOOL...]
#   hyperfine, no shell (-N); RUNS rounds of one run per tool (interleaved,
#   so drift hits every tool alike), merged into $WORK/ID.json with each
#   tool's times and their median.
bench() {
	local id=$1 runs=$2 warmup=$3 prepare=$4 cmd=$5 round
	shift 5
	local tools=("$@") args=()
	[[ ${#tools[@]} -gt 0 ]] || tools=("${TOOLS[@]}")
	for t in "${tools[@]}"; do
		args+=(-n "$t" "$(prefix "$t")$cmd")
	done
	[[ -n $prepare ]] && args=(--prepare "$prepare" "${args[@]}")
	for ((round = 1; round <= runs; round++)); do
		hyperfine -N --style basic --warmup "$((round == 1 ? warmup : 0))" --runs 1 \
			--export-json "$WORK/$id.round$round.json" "${args[@]}" >/dev/null
	done
	python3 - "$WORK/$id.json" "$WORK/$id".round*.json <<'PY'
import json, statistics, sys
merged = {}
for f in sys.argv[2:]:
    for r in json.load(open(f))["results"]:
        merged.setdefault(r["command"], []).extend(r["times"])
results = [{"command": c, "times": t, "median": statistics.median(t)} for c, t in merged.items()]
json.dump({"results": results}, open(sys.argv[1], "w"))
for r in results:
    print(f"  {r['command']:15s} median {r['median'] * 1000:9.1f} ms of {len(r['times'])}", file=sys.stderr)
PY
}

LOOP="sh -c 'i=0; while [ \$i -lt 1000 ]; do /bin/true; i=\$((i+1)); done'"
BUILD="$WORK/build"
CONFIGURE="sh -c 'rm -rf $BUILD && cmake -S $REPO -B $BUILD -DCMAKE_BUILD_TYPE=Release >/dev/null'"
COMPILE="cmake --build $BUILD -j2"
DRUNS=$((RUNS < 3 ? RUNS : 3))

log "(a) 1000 x fork+exec /bin/true"
bench a "$RUNS" 1 "" "$LOOP"
log "(b) 10k create/write/read/unlink"
bench b "$RUNS" 1 "" "$WORK/files $FILES_DIR 10000"
log "(c) 1M untraced syscalls (plain strace: one run, it stops twice on every syscall)"
bench c "$RUNS" 1 "" "$WORK/untraced 1000000" native vigil floor strace-seccomp
bench c2 1 0 "" "$WORK/untraced 1000000" strace
log "(d) compile this project, -j2 (configure not timed)"
bench d "$DRUNS" 1 "$CONFIGURE" "$COMPILE"
log "(e) 1000 threads created and joined"
bench e "$RUNS" 1 "" "$WORK/threads 1000"

log "start-up: vigil -- /bin/true vs /bin/true"
hyperfine -N --style basic --warmup 10 --runs 300 --export-json "$WORK/startup.json" \
	-n native /bin/true -n vigil "$VIGIL -- /bin/true" >&2

# ------------------------------------------------------------ memory
# VmHWM of the supervisor (vigil) and of its vigil-analyzer child, sampled
# from /proc while a workload runs under vigil; VmHWM is the peak so far,
# so the last sample of each process is kept.
sample_rss() { # NAME CMD...
	local name=$1; shift
	"$VIGIL" -- "$@" >/dev/null 2>&1 &
	local vp=$!
	watch_vigil_rss "$vp" 0.01
	wait "$vp" || die "vigil -- $* failed during the memory run"
	echo "  $name: supervisor VmHWM ${SUP_KB} kB, analyzer VmHWM ${ANA_KB} kB" >&2
	echo "$name $SUP_KB $ANA_KB" >>"$WORK/rss.txt"
}
log "memory: VmHWM of vigil and vigil-analyzer during each workload"
: >"$WORK/rss.txt"
sample_rss a sh -c 'i=0; while [ $i -lt 1000 ]; do /bin/true; i=$((i+1)); done'
sample_rss b "$WORK/files" "$FILES_DIR" 10000
sample_rss c "$WORK/untraced" 1000000
eval "$CONFIGURE"
sample_rss d cmake --build "$BUILD" -j2
sample_rss e "$WORK/threads" 1000

# ------------------------------------------------------------ report
TABLE="$WORK/table.md"
FILES_FS=$(stat -f -c %T "$FILES_DIR") WORK="$WORK" DROPPED="$DROPPED" RUNS="$RUNS" DRUNS="$DRUNS" VIGIL="$VIGIL" \
	python3 - >"$TABLE" <<'PY'
import json, os, platform, statistics, subprocess, datetime

W = os.environ["WORK"]
def load(i):
    return {r["command"]: r for r in json.load(open(f"{W}/{i}.json"))["results"]}

res = {i: load(i) for i in "abcde"}
res["c"].update(load("c2"))

def ms(s):
    return f"{s * 1000:.0f} ms" if s >= 0.1 else f"{s * 1000:.1f} ms"

def cell(r, t):
    n, x = r["native"]["median"], r[t]["median"]
    return f"{x / n:.2f}× (+{ms(x - n)})"

def added(r, t):
    return r[t]["median"] - r["native"]["median"]

rows = []
# "met" for vigil; "floor" says whether even the floor tracer meets the
# target, i.e. whether any ptrace + seccomp tracer of this set could.
def row(key, label, target_txt, ok, floor_ok):
    r = res[key]
    yn = lambda b: "yes" if b else "**no**"
    rows.append(f"| {label} | {ms(r['native']['median'])} | {cell(r, 'vigil')} | "
                f"{cell(r, 'floor')} | {cell(r, 'strace-seccomp')} | {cell(r, 'strace')} | "
                f"{target_txt} | {yn(ok)} | {yn(floor_ok)} |")

def ratio(key, tool="vigil"):
    return res[key][tool]["median"] / res[key]["native"]["median"]

for key, label in (("a", "(a) 1000 × fork+exec `/bin/true` from `sh`"),
                   ("b", "(b) 10k create/write/read/unlink")):
    half = added(res[key], "strace-seccomp") / 2
    row(key, label, f"added ≤ ½ of strace --seccomp-bpf's (≤ +{ms(max(half, 0))})",
        added(res[key], "vigil") <= half, added(res[key], "floor") <= half)
for key, label, limit in (("c", "(c) 1M untraced syscalls (getppid, pipe write+read)", 1.03),
                          ("d", "(d) compile vigil, `cmake --build -j2`", 1.05),
                          ("e", "(e) 1000 threads created + joined", 1.1)):
    row(key, label, f"≤ {limit}×", ratio(key) <= limit, ratio(key, "floor") <= limit)

rss = [l.split() for l in open(f"{W}/rss.txt")]
sup = max(rss, key=lambda x: int(x[1]))
ana = max(rss, key=lambda x: int(x[2]))
st = load("startup")
start_ms = (st["vigil"]["median"] - st["native"]["median"]) * 1000
mib = lambda kb: f"{int(kb) / 1024:.1f} MiB"

cpu = "?"
try:
    for l in open("/proc/cpuinfo"):
        if l.startswith("model name"):
            cpu = l.split(":", 1)[1].strip(); break
except OSError:
    pass
ver = subprocess.run([os.environ["VIGIL"], "version"], capture_output=True, text=True).stdout.strip()
strace_v = subprocess.run(["strace", "-V"], capture_output=True, text=True).stdout.splitlines()[0]
runs, druns = os.environ["RUNS"], os.environ["DRUNS"]
dropped = os.environ["DROPPED"]

print(f"Measured {datetime.date.today()} on {cpu}, {os.cpu_count()} CPUs, "
      f"Linux {platform.release()}; {ver or 'vigil'}; {strace_v}.")
print(f"Median wall time of {runs} interleaved rounds after 1 warm-up (compile: {druns}; "
      f"plain strace on (c): 1 run); ratio to native, added time in brackets. "
      f"`floor` is test/bench/overhead/floor.c: the same filter and set, one "
      f"syscall-info read and one 256-byte memory read per stop, nothing else. "
      f"strace runs use `-qq -o /dev/null -e trace=` with vigil's default traced set"
      + (f" minus `{dropped}` (unknown to this strace)." if dropped else ".")
      + f" Workload (b) runs on {os.environ['FILES_FS']}.")
print()
print("| workload | native | vigil | floor | strace -f --seccomp-bpf | strace -f | target (vigil) | met | floor meets it |")
print("|---|---|---|---|---|---|---|---|---|")
print("\n".join(rows))
print()
print("| vigil itself | measured | target | met |")
print("|---|---|---|---|")
print(f"| supervisor RSS (VmHWM, worst workload: {sup[0]}) | {mib(sup[1])} | ≤ 4 MiB | "
      f"{'yes' if int(sup[1]) <= 4096 else '**no**'} |")
print(f"| analyzer RSS (VmHWM, worst workload: {ana[0]}) | {mib(ana[2])} | — | — |")
print(f"| start-up latency (median `vigil -- /bin/true` − `/bin/true`, 300 runs) | "
      f"{start_ms:.1f} ms | ≤ 20 ms | {'yes' if start_ms <= 20 else '**no**'} |")
PY

echo >&2
cat "$TABLE"
if [[ -n $OUT ]]; then
	cp "$TABLE" "$OUT"
	echo "(table written to $OUT)" >&2
fi
