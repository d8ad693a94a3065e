#!/usr/bin/env bash
# Benchmark of xyd on a local three-broker Kafka cluster (ops/kafka/start.sh --nodes 3) with 1, 2
# and 3 nodes: for each node count, that many command processors in process (xyd-bench-commands)
# share the command partitions and drive commands at once (the write path, summed), then `xyd load`
# hammers GET /api/v1/version on every `xyd serve` node (the trivial reference, measured in the
# same run) and GET /api/v1/dashboard (a read model, as each node's operator). Prints one JSON line per measurement with the summed rate
# and the worst p99, and a line of where the CPU went (the brokers' JVMs, the xyd nodes, the load).
# Every process shares this machine's cores: read the figures as the cost of a command, not as the
# capacity of a cluster of separate machines (docs/SCALING.md does that).
#   ops/bench/cluster.sh [--seconds S] [--concurrency C] [--port P] [--nodes-max N]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${XYD_BUILD_DIR:-$root/build}"
xyd="$build/ops/xyd"
seconds=10 concurrency=16 port=19800 nodes_max=3
while (($#)); do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --nodes-max) nodes_max="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
work="$(mktemp -d /tmp/xyd-bench-cluster-XXXXXX)"
serves=()
cleanup() {
  for pid in ${serves[@]+"${serves[@]}"}; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$root/ops/kafka/stop.sh" --nodes 3 --port "$port" --data "$work/kafka" --wipe >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
brokers="$("$root/ops/kafka/start.sh" --nodes 3 --port "$port" --data "$work/kafka")"
echo "bench: cluster at $brokers" >&2

cpu_ticks() {  # user+system clock ticks of the processes whose command line matches $1
  local total=0 pid
  for pid in $(pgrep -f "$1" || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# Runs `xyd load` against every node at once with the given extra flags; prints the summed report.
load_all() {
  local n="$1" label="$2"
  shift 2
  local pids=() k
  for ((k = 1; k <= n; k++)); do
    "$xyd" load --target "http://127.0.0.1:$((port + 100 + k))" --data "$work/node-$k" --seconds "$seconds" \
      --concurrency "$concurrency" "$@" >"$work/load-$k.json" 2>/dev/null &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  python3 - "$n" "$label" "$work" <<'PY'
import json, sys
n, label, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
reports = [json.load(open(f"{work}/load-{k}.json")) for k in range(1, n + 1)]
ok = sum(c for r in reports for s, c in r.get("statuses", {}).items() if s.startswith("2"))
print(json.dumps({"nodes": n, "measure": label,
                  "per_second": round(sum(r["requests_per_second"] for r in reports), 1),
                  "acknowledged": ok,
                  "requests": sum(r["requests"] for r in reports),
                  "p99_ms": round(max(r["p99_ms"] for r in reports), 1)}))
PY
}

for ((n = 1; n <= nodes_max; n++)); do
  k=$n  # start one more node; the earlier ones keep running (the command partitions rebalance)
  mkdir -p "$work/node-$k"
  "$xyd" serve --log kafka --brokers "$brokers" --data "$work/node-$k" --http "127.0.0.1:$((port + 100 + k))" \
    --node "bench-node-$k" --address-limit 0 >"$work/node-$k.log" 2>&1 &
  serves+=($!)
  for _ in $(seq 600); do curl -fs "http://127.0.0.1:$((port + 100 + k))/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
  sleep 3  # the group settles after the join
  # The write path: n command processors in process (xyd-bench-commands, each a WriteSide sharing
  # the command partitions as n nodes do), each driving its own clients; the summed commands/s.
  brokers_before=$(cpu_ticks "kafka.Kafka $work/kafka")
  pids=()
  for ((k = 1; k <= n; k++)); do
    "$build/ops/xyd-bench-commands" --backend kafka --brokers "$brokers" --seconds "$seconds" \
      --concurrency "$((concurrency * 4))" --dir "$work/bench-$n-$k" >"$work/commands-$k.txt" 2>/dev/null &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  brokers_after=$(cpu_ticks "kafka.Kafka $work/kafka")
  total=0
  for ((k = 1; k <= n; k++)); do
    rate=$(awk -F'|' '/command \(register account\)/ {gsub(/ /, "", $4); print $4; exit}' "$work/commands-$k.txt")
    total=$((total + ${rate:-0}))
  done
  echo "{\"nodes\": $n, \"measure\": \"commands in process (register account), $((concurrency * 4)) clients each\", \"per_second\": $total, \"broker_cpu_seconds\": $(((brokers_after - brokers_before) / 100)), \"wall_seconds\": $seconds}"
  load_all "$n" "GET /api/v1/version (reference)" --get /api/v1/version
  load_all "$n" "GET /api/v1/dashboard (a read model, as the operator)" --get /api/v1/dashboard --operator
done
