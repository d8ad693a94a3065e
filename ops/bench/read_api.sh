#!/usr/bin/env bash
# Benchmark of the read API: builds the demo dataset on the embedded log, then drives
# wrk against the dashboard, statistics and ranking endpoints beside the trivial /api/v1/version
# of the same server in the same run: at full load (closed loop, C connections), then at half of
# the trivial endpoint's full-load rate (wrk's delay() paces each connection), reporting req/s and
# p99; then times a rebuild of every read model from the log (server stopped).
# The demo's business dates end on a fixed day (--end-date, default 2026-11-30), so that two runs,
# and two builds, measure the same dataset.
#   ops/bench/read_api.sh [--enterprises N] [--seconds S] [--connections C] [--port P] [--end-date D] [--rebuild-only]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${XYD_BUILD_DIR:-$root/build}"
xyd="$build/ops/xyd"
enterprises=2000 seconds=10 connections=64 port=34900 rebuild_only=0 end_date=2026-11-30
while (($#)); do
  case "$1" in
    --enterprises) enterprises="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --end-date) end_date="$2"; shift 2 ;;
    --rebuild-only) rebuild_only=1; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is missing: run ops/setup.sh" >&2; exit 1; }
data="$(mktemp -d /tmp/xyd-bench-read-XXXXXX)"
url="http://127.0.0.1:$port"
"$xyd" serve --data "$data" --http "127.0.0.1:$port" --node bench-read --address-limit 0 >"$data.server.log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null || true; wait $serve 2>/dev/null || true; tail -3 "$data.server.log" >&2; rm -rf "$data" "$data.server.log"' EXIT
for _ in $(seq 600); do curl -fs "$url/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
echo "bench: demo with $enterprises enterprises..." >&2
dated=(--end-date "$end_date")
"$xyd" demo --help 2>&1 | grep -q -- --end-date || dated=()  # a build from before --end-date
"$xyd" demo --seed 1 --enterprises "$enterprises" "${dated[@]}" --http "$url" --data "$data" >/dev/null
auth="Authorization: Bearer $(cat "$data/operator-token")"
for view in dashboard statistics; do
  for _ in $(seq 600); do
    curl -fs -H "$auth" "$url/api/v1/ops/projections/$view" | grep -q '"caught_up":true' && break; sleep 0.2
  done
done

if ((rebuild_only == 0)); then
pace="$(mktemp /tmp/xyd-bench-pace-XXXXXX.lua)"
# Runs wrk; prints "<req/s> <p99 ms>". $1 path, $2 connections, $3 delay in ms per request (0: none).
run_wrk() {
  printf 'function delay() return %s end\n' "$3" >"$pace"
  local script=()
  [[ "$3" != 0 ]] && script=(-s "$pace")
  wrk -t2 -c"$2" -d"${seconds}s" --latency "${script[@]}" -H "$auth" "$url$1" |
    awk '/Requests\/sec/ {rps=$2} / 99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; p99=v} END {printf "%.0f %.2f\n", rps, p99}'
}
paths=(/api/v1/version /api/v1/dashboard "/api/v1/dashboard?scope=440000&period=2025" /api/v1/statistics/institutions
       "/api/v1/rankings/regions?by=composite" "/api/v1/rankings/institutions?by=loan_amount")
declare -A full
echo "| endpoint | full load req/s | p99 ms | % of trivial | paced req/s | paced p99 ms |"
echo "|---|---|---|---|---|---|"
read -r trivial trivial_p99 < <(run_wrk /api/v1/version "$connections" 0)
half=$((trivial / 2)) paced_connections=32
delay=$(awk -v c=$paced_connections -v r=$half 'BEGIN {printf "%.0f", (r > 0 ? 1000 * c / r : 1)}')
for path in "${paths[@]}"; do
  if [[ "$path" == /api/v1/version ]]; then rps=$trivial p99=$trivial_p99; else read -r rps p99 < <(run_wrk "$path" "$connections" 0); fi
  read -r paced paced_p99 < <(run_wrk "$path" "$paced_connections" "$delay")
  echo "| \`$path\` | $rps | $p99 | $(awk -v a="$rps" -v b="$trivial" 'BEGIN {printf "%.0f%%", 100 * a / b}') | $paced | $paced_p99 |"
done
read -r again again_p99 < <(run_wrk /api/v1/version "$connections" 0)
echo "| \`/api/v1/version\` (again, after the others) | $again | $again_p99 | $(awk -v a="$again" -v b="$trivial" 'BEGIN {printf "%.0f%%", 100 * a / b}') | | |"
rm -f "$pace"
echo "(full load: wrk -t2 -c$connections -d${seconds}s; paced: -c$paced_connections with delay() ${delay} ms per request, aiming at $half req/s = half the trivial rate)"
fi
events=$(curl -fs -H "$auth" "$url/api/v1/ops/projections/audit" | sed -n 's/.*"events_done":\([0-9]*\).*/\1/p')

kill "$serve"; wait "$serve" 2>/dev/null || true
echo
echo "| rebuild (server stopped; $enterprises enterprises, ${events:-?} log records) | seconds |"
echo "|---|---|"
total=0
for view in audit delinquency state dashboard statistics; do
  start=$(date +%s.%N)
  "$xyd" rebuild "$view" --data "$data" >/dev/null 2>&1
  took=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}')
  total=$(awk -v t="$total" -v d="$took" 'BEGIN {printf "%.1f", t + d}')
  echo "| $view | $took |"
done
echo "| all read models | $total |"
