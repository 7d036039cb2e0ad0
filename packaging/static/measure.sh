#!/usr/bin/env bash
# measure.sh STATIC_BUILD GLIBC_BUILD — the two ways to make a bundle that
# runs in any image, side by side (packaging/static/README.md has the
# figures and what they say):
#   static   STATIC_BUILD (packaging/static/build.sh): static musl binaries
#   loader   GLIBC_BUILD (a Release build) turned into a private-loader
#            bundle at /opt/vigil by private-loader.sh (PRIVATE_ROOT
#            overrides the place; it must be absolute and stays there)
# For each: bundle size (binaries + libraries, stripped as a bundle would
# ship them), a run in a root with no libc at all (a chroot holding only the
# bundle and a static busybox), start-up (hyperfine), peak RSS of the
# supervisor and the analyzer, and the analyzer's throughput on a replay of
# recorded events with the bundled rules and with Falco's upstream rules.
# Needs hyperfine, patchelf, busybox-static, GNU time. Run it on a quiet
# machine: the figures are timings.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 STATIC_BUILD GLIBC_BUILD" >&2; exit 2; }
static_build=$(cd "$1" && pwd)
glibc_build=$(cd "$2" && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
loader_root=${PRIVATE_ROOT:-/opt/vigil}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- the two bundles -----------------------------------------------------
bash "$src/packaging/static/private-loader.sh" "$glibc_build" "$loader_root" > /dev/null
strip --strip-unneeded "$loader_root"/bin/* "$loader_root"/lib/*.so*
static_root="$work/static/opt/vigil"
mkdir -p "$static_root/bin" "$static_root/share/vigil"
cp "$static_build/vigil" "$static_build/vigil-analyzer" "$static_root/bin/"
strip "$static_root"/bin/*
cp -R "$static_build/share/vigil/rules" "$static_root/share/vigil/"
declare -A root=([static]="$static_root" [loader]="$loader_root")

echo "== bundle size (bin/ + lib/, stripped; rules not counted) =="
for k in static loader; do
	dirs=(bin)
	[ -d "${root[$k]}/lib" ] && dirs+=(lib)
	total=$(cd "${root[$k]}" && du -cb "${dirs[@]}" | tail -1 | cut -f1)
	gz=$(tar -C "${root[$k]}" -cf - "${dirs[@]}" | gzip -9 | wc -c)
	printf '%-7s %9d bytes  %9d gzipped  vigil %d, vigil-analyzer %d\n' "$k" \
		"$total" "$gz" "$(stat -c %s "${root[$k]}/bin/vigil")" \
		"$(stat -c %s "${root[$k]}/bin/vigil-analyzer")"
done

echo "== a root with no libc: only the bundle and a static busybox =="
for k in static loader; do
	r="$work/chroot-$k"
	mkdir -p "$r/bin" "$r/opt" "$r/tmp" "$r/proc" "$r/dev" "$r/etc"
	cp -R "${root[$k]}" "$r/opt/vigil"
	cp /bin/busybox "$r/bin/busybox"
	for a in sh true cat; do ln -s busybox "$r/bin/$a"; done
	echo "127.0.0.1 localhost" > "$r/etc/hosts"
	out=$(unshare -m --propagation private sh -c 'mount -t proc proc "$0/proc" &&
		mount --rbind /dev "$0/dev" && exec chroot "$0" /opt/vigil/bin/vigil -- \
		/bin/sh -c "cat /etc/hosts > /dev/null; exit 7"' "$r" 2>&1) && rc=0 || rc=$?
	printf '%-7s exit %d (7 expected)\n' "$k" "$rc"
	[ "$rc" = 7 ] || echo "$out" | tail -5
done

echo "== start-up (hyperfine -N -w 3) =="
for k in static loader; do
	b="${root[$k]}/bin/vigil"
	hyperfine -N -w 3 -r 30 --export-json "$work/start-$k.json" \
		-n "$k --no-rules" "$b --no-rules -- /bin/true" \
		-n "$k rules" "$b -- /bin/true" 2> /dev/null |
		grep -E '^Benchmark|Time \(mean'
done

echo "== peak RSS (VmHWM) after start, default rules, kB =="
for k in static loader; do
	b="${root[$k]}/bin/vigil"
	"$b" -- /bin/sleep 2 2> /dev/null &
	pid=$!
	sleep 1.2
	sup=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
	an=""
	for c in $(cat /proc/"$pid"/task/*/children); do
		grep -q vigil-analyzer "/proc/$c/cmdline" 2> /dev/null && an=$(awk '/VmHWM/ {print $2}' "/proc/$c/status")
	done
	wait "$pid" || true
	printf '%-7s supervisor %6s kB  analyzer %6s kB\n' "$k" "$sup" "$an"
done

echo "== analyzer throughput: vigil replay of recorded events =="
ev="$work/events.ndjson"
"$glibc_build/vigil" --no-rules --events-out "$work/one.ndjson" -- /bin/sh -c \
	'for i in $(seq 200); do cat /etc/passwd > /dev/null; ls /tmp > /dev/null; head -c1 /etc/shadow > /dev/null; done' 2> /dev/null
for _ in $(seq 10); do cat "$work/one.ndjson"; done > "$ev"
n=$(wc -l < "$ev")
echo "events: $n"
upstream="$src/test/data/falco-rules/falco_rules.yaml"
for k in static loader; do
	b="${root[$k]}/bin/vigil"
	hyperfine -N -w 1 -r 5 -n "$k replay, bundled rules" "$b replay $ev" \
		-n "$k replay, falco_rules.yaml" "$b replay --rules $upstream $ev" 2> /dev/null |
		grep -E '^Benchmark|Time \(mean'
	/usr/bin/time -f "$k replay peak RSS %M kB" "$b" replay "$ev" > /dev/null 2> "$work/time" || true
	tail -1 "$work/time"
done
