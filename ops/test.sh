#!/usr/bin/env bash
# Installs what is missing, builds, checks the C++ format (ops/format.sh), runs the libFuzzer
# targets for a bounded time (ops/fuzz.sh), starts a private local Kafka broker, runs every test
# against both logs (CTest), stops the broker, and exits non-zero on any failure.
#   ops/test.sh [ctest arguments, e.g. -L kafka or -R conformance]
set -euo pipefail
[[ "${1:-}" == --help || "${1:-}" == -h ]] && { sed -n '2,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${XYD_BUILD_DIR:-$root/build}"
"$root/ops/setup.sh"
# The format check and the sanitizer fuzz targets first (about a minute): a format break, crash,
# sanitizer report or leak fails the run, after the CTest suite has run too.
format_failed=0
"$root/ops/format.sh" || format_failed=1
fuzz_failed=0
"$root/ops/fuzz.sh" || fuzz_failed=1

# A broker of the tests' own, on its own port and folder, so it never meets a user's broker.
port="${XYD_TEST_KAFKA_PORT:-19592}"
data="$build/kafka-test"
"$root/ops/kafka/stop.sh" --port "$port" --data "$data" --wipe >/dev/null 2>&1 || true
stop_broker() { "$root/ops/kafka/stop.sh" --port "$port" --data "$data" >&2 || true; }
trap stop_broker EXIT
export XYD_TEST_KAFKA
XYD_TEST_KAFKA="$("$root/ops/kafka/start.sh" --port "$port" --data "$data")"
export XYD_TEST_KAFKA_PIDFILE="$data/broker.pid"
export XYD_TEST_KAFKA_START="$root/ops/kafka/start.sh --port $port --data $data"
echo "test: Kafka broker at $XYD_TEST_KAFKA" >&2

cd "$build"
ctest_status=0
ctest --output-on-failure --timeout 900 "$@" || ctest_status=$?
if (( format_failed )); then
  echo "test: some C++ files break .clang-format (ops/format.sh, above; ops/format.sh --fix rewrites them)" >&2
  exit 1
fi
if (( fuzz_failed )); then
  echo "test: the fuzz targets failed (ops/fuzz.sh, above)" >&2
  exit 1
fi
exit "$ctest_status"
