#!/usr/bin/env bash
# packaging/check-reproducible.sh [CMAKE_ARGS...] — build the bundle, the
# tarball and the .deb twice, from two copies of the source tree in two
# fresh temporary directories, and compare them byte by byte. Prints the
# files that differ and exits 1 if any does, 0 if the two are identical.
#   packaging/check-reproducible.sh --compare BUILD_A BUILD_B
# compares two build directories that already hold bundle/ and package/.
#
# The copies are the files git tracks (with their changes in the working
# tree), so nothing left over in the checkout takes part; both builds get
# the SOURCE_DATE_EPOCH of this checkout (packaging/source-date-epoch.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)

# Prints one line per path that differs between the two builds' bundle/ and
# package/ (missing on one side, other bytes, other mode); nothing if none.
compare() { # BUILD_A BUILD_B
  local a=$1 b=$2 f
  (cd "$a" && find bundle package; cd "$b" && find bundle package) | sort -u |
    while IFS= read -r f; do
      if [ ! -e "$a/$f" ] && [ ! -L "$a/$f" ]; then
        echo "only in the second build: $f"
      elif [ ! -e "$b/$f" ] && [ ! -L "$b/$f" ]; then
        echo "only in the first build: $f"
      elif [ -f "$a/$f" ] && ! cmp -s "$a/$f" "$b/$f"; then
        echo "differs: $f"
      elif [ "$(stat -c %A "$a/$f")" != "$(stat -c %A "$b/$f")" ]; then
        echo "mode differs: $f"
      fi
    done
}

check() { # BUILD_A BUILD_B: 0 when identical, 1 when not, 2 when not built
  local out d
  for d in "$1" "$2"; do
    if [ ! -d "$d/bundle" ] || [ ! -d "$d/package" ]; then
      echo "reproducible: $d has no bundle/ and package/" >&2
      return 2
    fi
  done
  out=$(compare "$1" "$2")
  if [ -n "$out" ]; then
    echo "$out"
    echo "reproducible: the two builds differ"
    return 1
  fi
  local names=() f
  for f in "$1"/package/*; do names+=("${f##*/}"); done
  echo "reproducible: the two builds are identical (${names[*]})"
}

if [ "${1:-}" = --compare ]; then
  [ $# -eq 3 ] || { echo "usage: $0 --compare BUILD_A BUILD_B" >&2; exit 2; }
  for d in "$2" "$3"; do
    [ -d "$d" ] || { echo "reproducible: $d: no such directory" >&2; exit 2; }
  done
  check "$(cd "$2" && pwd)" "$(cd "$3" && pwd)"
  exit $?
fi

git -C "$src" rev-parse --git-dir > /dev/null 2>&1 ||
  { echo "reproducible: $src is not a git checkout (the copies are the files git tracks)" >&2; exit 2; }
SOURCE_DATE_EPOCH=$(sh "$here/source-date-epoch.sh" "$src")
export SOURCE_DATE_EPOCH
tmp=()
trap 'rm -rf "${tmp[@]}"' EXIT
builds=()
for i in 1 2; do
  t=$(mktemp -d "${TMPDIR:-/tmp}/vigil-repro-$i.XXXXXX")
  tmp+=("$t")
  mkdir "$t/src"
  (cd "$src" && git ls-files -z --cached --others --exclude-standard |
     while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
     tar --null -T - -cf -) | tar -C "$t/src" -xf -
  echo "== build $i in $t =="
  cmake -S "$t/src" -B "$t/build" -DCMAKE_BUILD_TYPE=Release -DVIGIL_TESTS=OFF "$@" > "$t/configure.log" ||
    { cat "$t/configure.log"; exit 2; }
  cmake --build "$t/build" -j2 --target package > "$t/build.log" 2>&1 ||
    { tail -50 "$t/build.log"; exit 2; }
  builds+=("$t/build")
done
check "${builds[0]}" "${builds[1]}"
