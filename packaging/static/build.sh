#!/usr/bin/env bash
# build.sh [--arch x86_64|arm64] [--test] BUILD_DIR — fully static musl
# binaries of vigil: BUILD_DIR/vigil and BUILD_DIR/vigil-analyzer (with
# BUILD_DIR/share/vigil/rules beside them, as every build has), which run in
# any image: scratch, busybox, musl, glibc of any age.
#
# 1. packaging/static/build-deps.sh BUILD_DIR/deps: the analyzer's libraries
#    from Debian bookworm's sources, static, with musl-gcc (skipped when
#    already built from the same script and versions).
# 2. cmake with cmake/musl.cmake and -DVIGIL_STATIC=ON, Release; the unit
#    tests and test programs are built too (static, cmocka from step 1).
# 3. Checks that both binaries are static (no interpreter, no libraries).
# --test runs ctest (the cmocka unit tests; for arm64 under
# qemu-aarch64-static, less the three that read what qemu-user does not
# emulate: see below).
# The integration tests run against the result with
#   VIGIL_BIN=BUILD_DIR/vigil VIGIL_TEST_PROGS=<a glibc build>/test/progs
#   python3 -m pytest test/integration
#
# Needs (packaging/setup-debian.sh): musl-tools, dpkg-dev, autoconf,
# automake, libtool, make, cmake, perl; for arm64 crossbuild-essential-arm64,
# musl-dev:arm64 and qemu-user-static. Environment: JOBS (default 2).
set -euo pipefail

arch=x86_64
run_tests=0
while [ $# -gt 1 ]; do
	case "$1" in
	--arch) arch=$2; shift 2 ;;
	--test) run_tests=1; shift ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { echo "usage: $0 [--arch x86_64|arm64] [--test] BUILD_DIR" >&2; exit 2; }
case "$arch" in
x86_64 | amd64) arch=x86_64 ;;
arm64 | aarch64) arch=aarch64 ;;
*) echo "build.sh: unknown --arch $arch" >&2; exit 2 ;;
esac
mkdir -p "$1"
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
jobs=${JOBS:-2}
start=$(date +%s)

VIGIL_DEPS_ARCH=$arch bash "$src/packaging/static/build-deps.sh" "$build/deps"
deps_done=$(date +%s)

cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_TOOLCHAIN_FILE="$src/cmake/musl.cmake" -DVIGIL_MUSL_ARCH="$arch" \
	-DVIGIL_DEPS_PREFIX="$build/deps" -DVIGIL_STATIC=ON > "$build/cmake-configure.log" ||
	{ cat "$build/cmake-configure.log" >&2; exit 1; }
if [ "$arch" = x86_64 ]; then
	cmake --build "$build" -j"$jobs"
else
	# test/progs are x86_64 programs (foreign-arch and raw syscall tests) for
	# the integration suite, which needs real hardware: the binaries, the
	# rules, ship-feed and the unit tests only.
	mapfile -t targets < <(cmake --build "$build" --target help | awk '/^\.\.\. / { print $2 }' |
		grep -E '^(vigil|vigil-analyzer|vigil_bundled_rules|ship-feed|test_.*)$')
	cmake --build "$build" -j"$jobs" --target "${targets[@]}"
fi
built=$(date +%s)

for bin in vigil vigil-analyzer; do
	f="$build/$bin"
	desc=$(file -b "$f")
	case "$desc" in
	*"statically linked"* | *"static-pie linked"*) ;;
	*) echo "build.sh: $f is not static: $desc" >&2; exit 1 ;;
	esac
	if readelf -l "$f" | grep -q 'INTERP\|Requesting program interpreter' ||
		readelf -d "$f" 2> /dev/null | grep -q NEEDED; then
		echo "build.sh: $f asks for a loader or libraries" >&2
		exit 1
	fi
	echo "build.sh: $f: $(stat -c %s "$f") bytes, $desc"
done
echo "build.sh: deps $((deps_done - start)) s, vigil $((built - deps_done)) s"

if [ "$run_tests" = 1 ]; then
	skip=()
	# Under qemu-user (CMAKE_CROSSCOMPILING_EMULATOR), what a test reads of
	# another process or of the kernel is qemu's: /proc/PID/exe is qemu
	# (test_race), openat2 and the /proc/PID walks of the resolver are not
	# emulated (test_resolve), MADV_DONTDUMP does not reach smaps
	# (test_secret). They need arm64 hardware, as ptrace and seccomp do.
	[ "$arch" = x86_64 ] || skip=(-E '^(test_race|test_resolve|test_secret)$')
	(cd "$build" && ctest --output-on-failure -j"$jobs" "${skip[@]}")
fi
