#!/usr/bin/env bash
# test/checks/style.sh — the C sources follow .clang-format (kernel-like).
#   bash test/checks/style.sh          check; list the files that differ
#   bash test/checks/style.sh --fix    reformat them in place
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t files < <(git ls-files 'agent/*.c' 'agent/*.h' 'include/*.h')
if [ "${1:-}" = --fix ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run --Werror "$f" > /dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -ne 0 ]; then
  printf 'style: %s differs from .clang-format\n' "${bad[@]}"
  echo "style: run 'bash test/checks/style.sh --fix' (clang-format $(clang-format --version | grep -o '[0-9][0-9.]*' | head -1))"
  exit 1
fi
echo "style: ${#files[@]} files follow .clang-format"
