#!/usr/bin/env bash
# test/bench/backstop/run.sh — what the open backstop costs the analyzer.
#
# Not a test: it compiles bench_backstop.c against a build's libraries and
# prints, per event given to backstop_observe (ns, one core, median of 5):
# an open of a path nobody watches (what every open event pays), an exec,
# an event of another type, an open of a watched path (a credit), and for
# scale the rule engine's evaluation of the same opens. The rules are the
# bundled ones, or the files given.
#
#   test/bench/backstop/run.sh [RULES.yaml...]
#
#   VIGIL_BIN   vigil binary (default <repo>/build/vigil); the static
#               libraries of its build directory are linked
#
# Needs cc and the libraries the analyzer links (libyaml, jansson, libcurl,
# OpenSSL, zlib). A few seconds.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
VIGIL=${VIGIL_BIN:-$REPO/build/vigil}
BUILD=$(cd "$(dirname "$VIGIL")" && pwd)
RULES=("$@")
((${#RULES[@]})) || RULES=("$REPO/rules/vigil_rules.yaml")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigil-bsbench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
LIBS=()
for l in analyzer events config rules fim aws ship ydoc common; do
	[[ -f $BUILD/libvigil_$l.a ]] || { echo "run.sh: no libvigil_$l.a in $BUILD" >&2; exit 1; }
	LIBS+=("$BUILD/libvigil_$l.a")
done
cc -O2 -std=gnu17 -Wall -Wextra -I"$REPO/include" -I"$REPO/agent" -o "$WORK/bench_backstop" \
	"$HERE/bench_backstop.c" -Wl,--start-group "${LIBS[@]}" -Wl,--end-group \
	-lyaml -ljansson -lcurl -lcrypto -lz -lpthread
"$WORK/bench_backstop" "${RULES[@]}" 2>/dev/null
