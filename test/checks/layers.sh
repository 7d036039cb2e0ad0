#!/usr/bin/env bash
# test/checks/layers.sh — no part of agent/ includes a part above it.
#
# The layers (DESIGN.md's layout; the top CMakeLists.txt links the same way):
#   common            < everything
#   rules fim aws ship        may use common
#   sensor                    may use common
#   supervisor                may use sensor, common
#   analyzer                  may use rules, fim, aws, ship, common
#   main.c                    may use supervisor, sensor, common
# "vigil/..." headers (include/) are the contract every part may use.
# Prints each offending include as FILE:LINE: and exits 1 if there is any.
set -euo pipefail
cd "$(dirname "$0")/../.."

allowed() { # part -> the parts it may include besides itself
  case $1 in
    common) echo "" ;;
    rules|fim|aws|ship|sensor) echo "common" ;;
    supervisor) echo "sensor common" ;;
    analyzer) echo "rules fim aws ship common" ;;
    main) echo "supervisor sensor common" ;;
    *) echo "?" ;;
  esac
}

bad=0
while IFS= read -r file; do
  rel=${file#agent/}
  part=${rel%%/*}
  [ "$rel" = main.c ] && part=main
  ok=" $part $(allowed "$part") vigil "
  while IFS=: read -r line inc; do
    target=${inc%%/*}
    case "$ok" in
      *" $target "*) ;;
      *) echo "$file:$line: includes \"$inc\": $part may not use $target"; bad=1 ;;
    esac
  done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*/' "$file" |
           sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1:\2/' || true)
done < <(git ls-files 'agent/*.c' 'agent/*.h')
if [ "$bad" -ne 0 ]; then
  echo "layers: a part includes a part above it (see test/checks/layers.sh)"
  exit 1
fi
echo "layers: every include follows the layering"
