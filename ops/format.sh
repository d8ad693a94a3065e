#!/usr/bin/env bash
# Checks that every C++ source follows .clang-format (clang-format 14, Debian's), as
# `clang-format --dry-run -Werror`; with --fix, rewrites the files that do not. ops/test.sh runs the
# check; a missing clang-format is a failure, never a skip.
#   ops/format.sh [--fix]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case "${1:-}" in
  -h|--help) sed -n '2,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  --fix|"") ;;
  *) echo "format: unknown argument '$1' (see --help)" >&2; exit 2 ;;
esac
command -v clang-format >/dev/null || { echo "format: clang-format is missing (ops/setup.sh installs it)" >&2; exit 1; }
cd "$root"
# The tracked sources (a checkout), else every source outside the build folders (an unpacked copy).
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.cc' '*.h')
else
  mapfile -t files < <(find . \( -path './build*' -o -path './.git' \) -prune -o \( -name '*.cc' -o -name '*.h' \) -print)
fi
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i "${files[@]}"
  echo "format: ${#files[@]} files formatted" >&2
  exit 0
fi
if ! clang-format --dry-run -Werror "${files[@]}" 2> >(head -40 >&2); then
  echo "format: the files above break .clang-format; ops/format.sh --fix rewrites them" >&2
  exit 1
fi
echo "format: ${#files[@]} files follow .clang-format" >&2
