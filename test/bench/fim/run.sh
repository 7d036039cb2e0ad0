#!/usr/bin/env bash
# test/bench/fim/run.sh — one-shot FIM: vigil vs AIDE, side by side.
#
# Not a test: it measures, in one run, `vigil fim baseline` against
# `aide --init` and `vigil fim check` against `aide --check` (unchanged
# tree, so both walk, stat, read xattrs and SHA-256 every file) on
#   (a) a synthetic tree of NFILES small files (made in a temp dir, deleted
#       at the end), and
#   (b) /usr (read only; one run each, it is big),
# and prints a markdown table: wall times, AIDE/vigil ratio (target >= 2x),
# and vigil's peak RSS (/usr/bin/time -v "Maximum resident set size") per
# entry (reported only; the 300 B/entry budget is for the live watcher).
#
#   test/bench/fim/run.sh [--out FILE] [--runs N] [--files N] [--no-usr]
#
#   --out FILE   also write the markdown table to FILE
#   --runs N     runs per tool on the synthetic tree, median taken (default 3)
#   --files N    synthetic tree size (default 50000, minimum 50000 for the
#                documented numbers)
#   --no-usr     skip /usr
#   VIGIL_BIN    vigil binary (default <repo>/build-fim/vigil, else
#                <repo>/build/vigil)
#   AIDE_WORKERS AIDE's num_workers (default: nproc, i.e. AIDE at its
#                fastest; vigil gets no such knob here)
#
# Both tools see warm page cache: the synthetic tree was just written, /usr
# is read once before timing. AIDE's attributes are the vigil equivalent:
#   ftype+p+i+n+u+g+s+m+c+l+sha256+xattrs   (no md5/acl/selinux/e2fsattrs/caps)
# Needs aide, python3, /usr/bin/time. Whole run: ~3-5 minutes on 2 cores.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
if [[ -n ${VIGIL_BIN:-} ]]; then VIGIL=$VIGIL_BIN
elif [[ -x $REPO/build-fim/vigil ]]; then VIGIL=$REPO/build-fim/vigil
else VIGIL=$REPO/build/vigil; fi
AIDE=${AIDE:-$(command -v aide || echo /usr/bin/aide)}
AIDE_WORKERS=${AIDE_WORKERS:-$(nproc)}
OUT= RUNS=3 NFILES=50000 USR=1

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
	case $1 in
	--out) OUT=${2:?--out needs a file}; shift 2 ;;
	--out=*) OUT=${1#--out=}; shift ;;
	--runs) RUNS=${2:?--runs needs a number}; shift 2 ;;
	--runs=*) RUNS=${1#--runs=}; shift ;;
	--files) NFILES=${2:?--files needs a number}; shift 2 ;;
	--files=*) NFILES=${1#--files=}; shift ;;
	--no-usr) USR=0; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
	esac
done

for t in "$VIGIL" "$AIDE" /usr/bin/time; do
	[[ -x $t ]] || { echo "run.sh: $t not found or not executable" >&2; exit 2; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigil-fim-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
log() { printf '%s\n' "$*" >&2; }

# aide_conf NAME ROOT -> writes $WORK/NAME/aide.conf, prints its path
aide_conf() {
	local d=$WORK/$1 root=$2
	mkdir -p "$d"
	cat >"$d/aide.conf" <<-EOF
	database_in=file:$d/aide.db
	database_out=file:$d/aide.db.new
	database_new=file:$d/aide.db.new
	gzip_dbout=false
	num_workers=$AIDE_WORKERS
	report_level=summary
	report_url=stdout
	VigilEquiv = ftype+p+i+n+u+g+s+m+c+l+sha256+xattrs
	$root\$ VigilEquiv
	$root/ VigilEquiv
	EOF
	echo "$d/aide.conf"
}

# timed NAME OKCODES CMD... -> runs CMD under /usr/bin/time, prints
# "SECONDS MAXRSS_KB"; fails if the exit code is not in OKCODES (e.g. "0 1");
# a non-zero accepted code (check found changes: /usr may change under us)
# is noted below the table
timed() {
	local name=$1 ok=$2; shift 2
	local tf=$WORK/time.$name.txt rc=0
	/usr/bin/time -v -o "$tf" "$@" >"$WORK/out.$name.txt" 2>&1 || rc=$?
	if [[ " $ok " != *" $rc "* ]]; then
		log "run.sh: $name: $* exited $rc"; tail -20 "$WORK/out.$name.txt" >&2
		return 1
	fi
	if [[ $rc != 0 ]]; then
		echo "- $name: \`$*\` exited $rc (tree changed during the run?): $(head -3 "$WORK/out.$name.txt" | tr '\n' ' ')" >>"$WORK/notes"
	fi
	python3 - "$tf" <<-'EOF'
	import sys, re
	t = open(sys.argv[1]).read()
	m = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", t)
	h, mi, s = (float(x) if x else 0.0 for x in m.groups())
	rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)
	print(f"{h * 3600 + mi * 60 + s:.3f} {rss}")
	EOF
}

median() { python3 -c 'import sys,statistics as s; print(f"{s.median(map(float,sys.argv[1:])):.3f}")' "$@"; }

ROWS=()
# bench LABEL ROOT RUNS
bench() {
	local label=$1 root=$2 runs=$3 conf entries i
	entries=$(find "$root" -mindepth 1 | wc -l)
	conf=$(aide_conf "aide-$label" "$root")
	local db=$WORK/vigil-$label.db
	local vb=() vc=() ab=() ac=() vbr=() vcr=() abr=() acr=() r
	for ((i = 0; i < runs; i++)); do
		log "[$label] run $((i + 1))/$runs: vigil fim baseline"
		r=($(timed vb "0" "$VIGIL" fim baseline --db "$db" --path "$root")); vb+=("${r[0]}"); vbr+=("${r[1]}")
		log "[$label] run $((i + 1))/$runs: aide --init"
		r=($(timed ab "0" "$AIDE" --config="$conf" --init)); ab+=("${r[0]}"); abr+=("${r[1]}")
		mv "$(dirname "$conf")/aide.db.new" "$(dirname "$conf")/aide.db"
		log "[$label] run $((i + 1))/$runs: vigil fim check"
		r=($(timed vc "0 1" "$VIGIL" fim check --db "$db" --path "$root")); vc+=("${r[0]}"); vcr+=("${r[1]}")
		log "[$label] run $((i + 1))/$runs: aide --check"
		r=($(timed ac "0 1 2 3 4 5 6 7" "$AIDE" --config="$conf" --check)); ac+=("${r[0]}"); acr+=("${r[1]}")
	done
	local VB VC AB AC VBR VCR ABR ACR
	VB=$(median "${vb[@]}"); VC=$(median "${vc[@]}"); AB=$(median "${ab[@]}"); AC=$(median "${ac[@]}")
	VBR=$(median "${vbr[@]}"); VCR=$(median "${vcr[@]}"); ABR=$(median "${abr[@]}"); ACR=$(median "${acr[@]}")
	ROWS+=("$(python3 - "$label" "$entries" "$runs" "$VB" "$AB" "$VBR" "$ABR" baseline <<-'EOF'
	import sys
	label, n, runs, v, a, vr, ar, op = sys.argv[1:]
	n, v, a, vr, ar = int(n), float(v), float(a), float(vr), float(ar)
	ratio = a / v if v > 0 else float("inf")
	ok = "yes" if ratio >= 2 else "**no**"
	print(f"| {label} | {n} | {op} | {runs} | {v:.2f} | {a:.2f} | {ratio:.2f}x | {ok} "
	      f"| {vr / 1024:.1f} | {vr * 1024 / n:.0f} | {ar / 1024:.1f} |")
	EOF
	)")
	ROWS+=("$(python3 - "$label" "$entries" "$runs" "$VC" "$AC" "$VCR" "$ACR" check <<-'EOF'
	import sys
	label, n, runs, v, a, vr, ar, op = sys.argv[1:]
	n, v, a, vr, ar = int(n), float(v), float(a), float(vr), float(ar)
	ratio = a / v if v > 0 else float("inf")
	ok = "yes" if ratio >= 2 else "**no**"
	print(f"| {label} | {n} | {op} | {runs} | {v:.2f} | {a:.2f} | {ratio:.2f}x | {ok} "
	      f"| {vr / 1024:.1f} | {vr * 1024 / n:.0f} | {ar / 1024:.1f} |")
	EOF
	)")
}

log "generating synthetic tree of $NFILES files in $WORK/tree"
python3 "$HERE/gen_tree.py" "$WORK/tree" "$NFILES"
sync
bench "synthetic-${NFILES}" "$WORK/tree" "$RUNS"
rm -rf "$WORK/tree"

if [[ $USR == 1 ]]; then
	log "warming page cache for /usr"
	find /usr -xdev -type f -print0 | xargs -0 cat >/dev/null 2>&1 || true
	bench "usr" /usr 1
fi

TABLE=$(
	echo "FIM one-shot, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, vigil: \`$VIGIL\`, $("$AIDE" --version 2>&1 | head -1) (num_workers=$AIDE_WORKERS)"
	echo
	echo "| tree | entries | operation | runs | vigil s | AIDE s | AIDE/vigil | >= 2x | vigil peak RSS MiB | vigil RSS B/entry | AIDE peak RSS MiB |"
	echo "|---|---:|---|---:|---:|---:|---:|---|---:|---:|---:|"
	printf '%s\n' "${ROWS[@]}"
	echo
	[[ -s $WORK/notes ]] && { cat "$WORK/notes"; echo; }
	echo "AIDE rule: \`ftype+p+i+n+u+g+s+m+c+l+sha256+xattrs\`; times are medians (wall clock)."
)
echo "$TABLE"
[[ -n $OUT ]] && echo "$TABLE" >"$OUT"
exit 0
