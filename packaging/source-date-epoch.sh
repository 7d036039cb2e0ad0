#!/bin/sh
# packaging/source-date-epoch.sh SOURCE_DIR — print the SOURCE_DATE_EPOCH the
# archives use: $SOURCE_DATE_EPOCH when set, else the time of the source
# tree's last commit, else a fixed date (a tree that is not a git checkout,
# e.g. an unpacked source tarball), so the same sources give the same bytes.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 SOURCE_DIR" >&2; exit 2; }
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
  echo "$SOURCE_DATE_EPOCH"
elif t=$(git -C "$1" log -1 --format=%ct 2>/dev/null) && [ -n "$t" ]; then
  echo "$t"
else
  echo 1767225600 # 2026-01-01T00:00:00Z
fi
