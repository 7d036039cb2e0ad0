#!/usr/bin/env bash
# test/checks/standalone.sh — the repository stands alone: no tracked file
# refers to the directory of upstream reference files that once sat beside
# the repository (a fresh clone has nothing beside it). What the tests need
# is vendored in test/data/ (see test/data/*/SOURCES).
# Prints each offending line as FILE:LINE: and exits 1 if there is any.
set -euo pipefail
cd "$(dirname "$0")/../.."

# The pattern is put together from pieces so that this file does not match it.
dir=shared
pattern="\\.\\./${dir}\\b|${dir}[\"']?[[:space:]]*/[[:space:]]*[\"']?upstream"
if hits=$(git grep -n -I -E "$pattern" -- .); then
  printf '%s\n' "$hits"
  echo "standalone: the files above refer to a directory outside the repository;" \
    "vendor what they need into test/data/ (with its license and SOURCES) and point them there"
  exit 1
fi
echo "standalone: no tracked file refers to a directory beside the repository"
