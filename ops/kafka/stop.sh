#!/usr/bin/env bash
# Stop a broker started by ops/kafka/start.sh: SIGTERM (clean shutdown), wait up
# to 30 s, then SIGKILL. Exits 0 when nothing runs.
#
#   ops/kafka/stop.sh [--port N] [--data DIR] [--pidfile F] [--wipe] [--nodes N]
#
#   --wipe     also delete the data dir (topics, offsets, KRaft metadata)
#   --nodes N  stop the N nodes of a cluster that start.sh --nodes N started (PORT is node 1's,
#              DATA the cluster's folder, default ops/kafka/.data-PORT-cluster)
#
# Env (flags win): XYD_KAFKA_PORT (19092), XYD_KAFKA_DATA (ops/kafka/.data-PORT),
# XYD_KAFKA_PIDFILE (DATA/broker.pid), XYD_KAFKA_STOP_TIMEOUT (30).
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

port="${XYD_KAFKA_PORT:-19092}"
data="${XYD_KAFKA_DATA:-}"
pidfile="${XYD_KAFKA_PIDFILE:-}"
timeout="${XYD_KAFKA_STOP_TIMEOUT:-30}"
wipe=0
nodes=1

while (( $# )); do
  case "$1" in
    --port) port="${2:?--port needs a value}"; shift 2 ;;
    --port=*) port="${1#*=}"; shift ;;
    --data) data="${2:?--data needs a value}"; shift 2 ;;
    --data=*) data="${1#*=}"; shift ;;
    --pidfile) pidfile="${2:?--pidfile needs a value}"; shift 2 ;;
    --pidfile=*) pidfile="${1#*=}"; shift ;;
    --wipe) wipe=1; shift ;;
    --nodes) nodes="${2:?--nodes needs a value}"; shift 2 ;;
    --nodes=*) nodes="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

port_ok "$port" || die "bad port: $port"
check_nodes "$nodes"
if (( nodes > 1 )); then
  root="$(cluster_root "$port" "$data")"
  for ((k = nodes; k >= 1; k--)); do  # the last first: node 1 stays a voter longest
    "${BASH_SOURCE[0]}" --port "$(node_port "$port" "$k")" --data "$root/node-$k" $( ((wipe)) && echo --wipe)
  done
  if (( wipe )) && [[ -f "$root/cluster.id" ]]; then
    rm -rf -- "$root"
    log "wiped $root"
  fi
  exit 0
fi
[[ "$timeout" =~ ^[0-9]+$ ]] || die "bad XYD_KAFKA_STOP_TIMEOUT: $timeout"
data="$(abspath "${data:-$KAFKA_OPS_DIR/.data-$port}")"
pidfile="$(abspath "${pidfile:-$data/broker.pid}")"
props="$data/server.properties"

if pid="$(find_broker "$props" "$pidfile")"; then
  log "stopping Kafka broker (pid $pid, data $data)"
  started=$SECONDS
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + timeout))
  while alive "$pid" && (( SECONDS < deadline )); do sleep 0.2; done
  if alive "$pid"; then
    log "broker did not exit within ${timeout}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && die "pid $pid survived SIGKILL"
  fi
  log "stopped after $((SECONDS - started))s"
else
  log "no Kafka broker running for $data"
fi
rm -f "$pidfile"

if (( wipe )) && [[ -d "$data" ]]; then
  # refuse to delete a folder that does not look like one of ours
  if [[ -f "$data/server.properties" || -d "$data/logs" || -f "$data/.start.lock" ]]; then
    rm -rf -- "$data"
    log "wiped $data"
  else
    die "--wipe: $data does not look like a start.sh data dir; not deleting it"
  fi
fi
