#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/, Debian's clang, AddressSanitizer + UBSan) into
# build-fuzz/ (or $XYD_FUZZ_BUILD_DIR) and runs each for a bounded time from its committed seed
# corpus (tests/fuzz/corpus/<target>/; new inputs go to a scratch copy, never into the tree).
# Exits non-zero on any crash, sanitizer report, leak, timeout or out-of-memory; a missing clang
# is a failure, never a skip. ops/test.sh runs it.
#   ops/fuzz.sh [seconds per target, default 8] [target ...]
set -euo pipefail
[[ "${1:-}" == --help || "${1:-}" == -h ]] && { sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${XYD_FUZZ_BUILD_DIR:-$root/build-fuzz}"
seconds="${1:-8}"
shift || true

command -v clang++ >/dev/null || { echo "fuzz: clang++ is missing (ops/setup.sh installs clang)" >&2; exit 1; }
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root/tests/fuzz" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ "${launcher[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)"

targets=("$@")
(( ${#targets[@]} )) || targets=(envelope_fuzz command_fuzz bank_result_fuzz data_source_fuzz webhook_signature_fuzz
                                 json_limits_fuzz)
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
failed=()
for target in "${targets[@]}"; do
  corpus="$root/tests/fuzz/corpus/$target"
  [[ -n "$(ls -A "$corpus" 2>/dev/null)" ]] || { echo "fuzz: $target has no seed corpus in $corpus" >&2; exit 1; }
  scratch="$build/run/$target"
  artifacts="$build/artifacts/$target/"
  rm -rf "$scratch" && mkdir -p "$scratch" "$artifacts"
  echo "fuzz: $target for ${seconds}s" >&2
  if ! "$build/$target" "$scratch" "$corpus" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=5 \
       -seed=1 -print_final_stats=1 -artifact_prefix="$artifacts" >"$build/$target.log" 2>&1; then
    echo "fuzz: $target FAILED; its output (last 60 lines of $build/$target.log), the input in $artifacts:" >&2
    tail -n 60 "$build/$target.log" >&2
    failed+=("$target")
  else
    grep -E '^stat::number_of_executed_units|^Done ' "$build/$target.log" | tr '\n' ' ' >&2 || true
    echo >&2
  fi
done
if (( ${#failed[@]} )); then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: every target clean" >&2
