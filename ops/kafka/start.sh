#!/usr/bin/env bash
# Start a single-node Apache Kafka 3.9 broker (KRaft, broker+controller in one JVM)
# on 127.0.0.1 for local development and tests, and wait until it answers; or, with
# --nodes N, a cluster of N such nodes (an N-voter controller quorum, N brokers).
#
#   ops/kafka/start.sh [--port N] [--controller-port N] [--data DIR] [--pidfile F]
#                      [--override KEY=VALUE]... [--nodes N]
#
# --override adds/overrides one broker setting in DATA/server.properties (repeatable).
# --nodes N  node K (1..N) listens on PORT+2(K-1) (controller: the port after it) and
#            keeps its data in DATA/node-K; internal topics get 3 replicas (at most N)
#            and min.insync.replicas 2 from 3 nodes on. stop.sh --nodes N stops them.
#
# Prints the bootstrap address (127.0.0.1:PORT, or every node's, comma-separated) on
# stdout once the broker(s) answer; everything else goes to stderr. If a broker started
# by this script already runs for that data dir, says so, prints the address and exits 0.
#
# Env (flags win):
#   XYD_KAFKA_PORT             client port                  (default 19092)
#   XYD_KAFKA_CONTROLLER_PORT  KRaft controller port        (default PORT+1)
#   XYD_KAFKA_DATA             data dir                     (default ops/kafka/.data-PORT)
#   XYD_KAFKA_PIDFILE          pid file                     (default DATA/broker.pid)
#   XYD_KAFKA_HEAP             max heap, java -Xmx syntax   (default 512m)
#   XYD_KAFKA_JAVA_OPTS        extra JVM options
#   XYD_KAFKA_START_TIMEOUT    seconds to wait for the broker (default 60)
#   XYD_KAFKA_CACHE            jar cache                    (default ops/kafka/.cache)
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

port="${XYD_KAFKA_PORT:-19092}"
cport="${XYD_KAFKA_CONTROLLER_PORT:-}"
data="${XYD_KAFKA_DATA:-}"
pidfile="${XYD_KAFKA_PIDFILE:-}"
heap="${XYD_KAFKA_HEAP:-512m}"
timeout="${XYD_KAFKA_START_TIMEOUT:-60}"
overrides=()
nodes=1
# Set by the cluster mode for each node it starts (not for users): its id, the quorum's
# voters, the shared cluster id, the cluster's size, and "start it, do not wait".
node_id=1
voters=""
cluster_id=""
cluster_size=1
no_wait=0

while (( $# )); do
  case "$1" in
    --port) port="${2:?--port needs a value}"; shift 2 ;;
    --port=*) port="${1#*=}"; shift ;;
    --controller-port) cport="${2:?--controller-port needs a value}"; shift 2 ;;
    --controller-port=*) cport="${1#*=}"; shift ;;
    --data) data="${2:?--data needs a value}"; shift 2 ;;
    --data=*) data="${1#*=}"; shift ;;
    --pidfile) pidfile="${2:?--pidfile needs a value}"; shift 2 ;;
    --pidfile=*) pidfile="${1#*=}"; shift ;;
    --override) overrides+=("${2:?--override needs KEY=VALUE}"); shift 2 ;;
    --override=*) overrides+=("${1#*=}"); shift ;;
    --nodes) nodes="${2:?--nodes needs a value}"; shift 2 ;;
    --nodes=*) nodes="${1#*=}"; shift ;;
    --node-id) node_id="${2:?}"; shift 2 ;;
    --voters) voters="${2:?}"; shift 2 ;;
    --cluster-id) cluster_id="${2:?}"; shift 2 ;;
    --cluster-size) cluster_size="${2:?}"; shift 2 ;;
    --no-wait) no_wait=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

port_ok "$port" || die "bad port: $port"
check_nodes "$nodes"

# --- a cluster: each node started by this script in node mode, then waited for together ---
if (( nodes > 1 )); then
  root="$(cluster_root "$port" "$data")"
  mkdir -p "$root"
  [[ -f "$root/cluster.id" ]] || head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' | sed 's/^-/A/' >"$root/cluster.id"
  id="$(cat "$root/cluster.id")"
  quorum=""
  for ((k = 1; k <= nodes; k++)); do
    quorum+="${quorum:+,}$k@127.0.0.1:$(($(node_port "$port" "$k") + 1))"
  done
  bootstraps=""
  for ((k = 1; k <= nodes; k++)); do
    p=$(node_port "$port" "$k")
    bootstraps+="${bootstraps:+,}127.0.0.1:$p"
    args=(--port "$p" --controller-port "$((p + 1))" --data "$root/node-$k" --node-id "$k" --voters "$quorum"
          --cluster-id "$id" --cluster-size "$nodes" --no-wait)
    for kv in ${overrides[@]+"${overrides[@]}"}; do args+=(--override "$kv"); done
    "${BASH_SOURCE[0]}" "${args[@]}" >/dev/null
  done
  deadline=$((SECONDS + timeout))
  for ((k = 1; k <= nodes; k++)); do
    p=$(node_port "$port" "$k")
    until port_open "$p"; do
      (( SECONDS < deadline )) || die "node $k did not answer on 127.0.0.1:$p within ${timeout}s (log: $root/node-$k/broker.log)"
      sleep 0.5
    done
  done
  if command -v kcat >/dev/null; then
    until [[ "$(timeout 10 kcat -b "$bootstraps" -L -m 5 2>/dev/null | grep -c ' at 127.0.0.1:')" -ge "$nodes" ]]; do
      (( SECONDS < deadline )) || die "the cluster on $bootstraps does not list $nodes brokers within ${timeout}s"
      sleep 0.5
    done
  fi
  log "Kafka cluster of $nodes nodes up on $bootstraps (data $root)"
  echo "$bootstraps"
  exit 0
fi
[[ -n "$voters" ]] || voters="$node_id@127.0.0.1:${cport:-$((port + 1))}"
[[ -n "$cport" ]] || cport=$((port + 1))
port_ok "$cport" || die "bad controller port: $cport"
[[ "$port" != "$cport" ]] || die "port and controller port must differ ($port)"
[[ "$timeout" =~ ^[0-9]+$ ]] || die "bad XYD_KAFKA_START_TIMEOUT: $timeout"
[[ "$heap" =~ ^[0-9]+[kKmMgG]?$ ]] || die "bad XYD_KAFKA_HEAP: $heap (e.g. 512m, 1g)"
for kv in ${overrides[@]+"${overrides[@]}"}; do
  [[ "$kv" =~ ^[A-Za-z0-9._-]+=.*$ ]] || die "bad --override (want KEY=VALUE): $kv"
  case "${kv%%=*}" in
    log.dirs|node.id|process.roles|listeners|advertised.listeners|controller.quorum.voters|controller.listener.names)
      die "--override ${kv%%=*}: set by start.sh (use --port/--controller-port/--data)" ;;
  esac
done

data="$(abspath "${data:-$KAFKA_OPS_DIR/.data-$port}")"
pidfile="$(abspath "${pidfile:-$data/broker.pid}")"
props="$data/server.properties"
brokerlog="$data/broker.log"
bootstrap="127.0.0.1:$port"

# accepts connections and (when kcat is installed) answers a metadata request
# listing itself; the client port opens only once the broker is fully started
broker_answers() {
  port_open "$port" || return 1
  command -v kcat >/dev/null || return 0
  timeout 10 kcat -b "$bootstrap" -L -m 5 2>/dev/null | grep -q "broker $node_id at 127.0.0.1:$port"
}

# A broker for this data dir runs already: say so, wait until it answers, print
# the bootstrap address, exit 0 (or fail when it listens on another port).
report_running() {
  local pid="$1" running_port
  running_port="$(sed -n 's|^listeners=PLAINTEXT://[^:]*:\([0-9]*\),.*|\1|p' "$props" 2>/dev/null || true)"
  if [[ -n "$running_port" && "$running_port" != "$port" ]]; then
    die "a broker (pid $pid) already runs for $data on port $running_port, not $port; stop it first: $KAFKA_OPS_DIR/stop.sh --data $data"
  fi
  mkdir -p "$(dirname "$pidfile")"
  echo "$pid" >"$pidfile"
  log "Kafka broker already running (pid $pid, data $data)"
  deadline=$((SECONDS + timeout))
  until broker_answers; do
    (( SECONDS < deadline )) || die "broker pid $pid runs but does not answer on $bootstrap (log: $brokerlog)"
    sleep 0.5
  done
  echo "$bootstrap"
  exit 0
}

# --- already running? -------------------------------------------------------
if pid="$(find_broker "$props" "$pidfile")"; then report_running "$pid"; fi
for p in "$port" "$cport"; do
  if port_open "$p"; then
    die "127.0.0.1:$p is already in use by another process (not a broker for $data); pick another --port/--controller-port"
  fi
done

mkdir -p "$data"
# One start.sh per data dir at a time (fd 9 is closed for the broker below); the
# one that waited here finds the broker the other one started.
exec 9>"$data/.start.lock"
flock 9
if pid="$(find_broker "$props" "$pidfile")"; then report_running "$pid"; fi
rm -f "$pidfile"

# --- jars ---------------------------------------------------------------------
"$KAFKA_OPS_DIR/fetch.sh"
version="$(kafka_version)"

# --- config ---------------------------------------------------------------------
replicas=$(( cluster_size < 3 ? cluster_size : 3 ))
min_isr=$(( replicas >= 3 ? 2 : 1 ))
cat >"$props.tmp" <<PROPS
# Written by ops/kafka/start.sh on every start; edits here are lost.
process.roles=broker,controller
node.id=$node_id
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT

log.dirs=$data/logs
num.partitions=1
auto.create.topics.enable=false
log.retention.ms=-1
log.retention.bytes=-1

# internal topics replicated on up to 3 nodes (a single node: one replica, so that
# idempotent producers, transactions and consumer groups work), 2 in sync from 3 on
offsets.topic.replication.factor=$replicas
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=$replicas
transaction.state.log.min.isr=$min_isr
transaction.state.log.num.partitions=4
min.insync.replicas=$min_isr
default.replication.factor=$replicas
group.initial.rebalance.delay.ms=0
PROPS
if (( ${#overrides[@]} )); then
  echo "# --override" >>"$props.tmp"
  for kv in "${overrides[@]}"; do
    # drop the default line, so each key appears once
    key="${kv%%=*}"
    sed -i "/^${key//./\\.}=/d" "$props.tmp"
    echo "$kv" >>"$props.tmp"
  done
fi
mv "$props.tmp" "$props"

# --- storage (once per data dir) ----------------------------------------------
log4j_opts=(-Dlog4j.configuration="file:$KAFKA_OPS_DIR/log4j.properties" -Dkafka.logs.dir="$data")
if [[ ! -f "$data/logs/meta.properties" ]]; then
  # a base64url UUID as `kafka-storage random-uuid` makes, not starting with '-'
  if [[ -z "$cluster_id" ]]; then
    cluster_id=-
    while [[ "$cluster_id" == -* ]]; do
      cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    done
  fi
  log "formatting KRaft storage in $data/logs (cluster id $cluster_id)"
  if ! "$JAVA" -Xmx256m "${log4j_opts[@]}" -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool \
        format -t "$cluster_id" -c "$props" >"$data/format.log" 2>&1 9>&-; then
    cat "$data/format.log" >&2
    die "kafka-storage format failed"
  fi
fi

# --- start ------------------------------------------------------------------------
heap_mb=0
case "$heap" in
  *[gG]) heap_mb=$(( ${heap%?} * 1024 )) ;;
  *[mM]) heap_mb=${heap%?} ;;
  *[kK]) heap_mb=$(( ${heap%?} / 1024 )) ;;
  *) heap_mb=$(( heap / 1048576 )) ;;
esac
xms=256m
(( heap_mb >= 256 )) || xms="$heap"

[[ -f "$brokerlog" ]] && mv -f "$brokerlog" "$brokerlog.1"
java_opts=(
  -Xmx"$heap" -Xms"$xms"
  -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
  -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true
  "${log4j_opts[@]}"
)
# shellcheck disable=SC2206  # word splitting of user options is intended
[[ -n "${XYD_KAFKA_JAVA_OPTS:-}" ]] && java_opts+=(${XYD_KAFKA_JAVA_OPTS})

log "starting Kafka $version on $bootstrap (controller 127.0.0.1:$cport, data $data)"
started=$SECONDS
# setsid: own session, so the broker outlives this script and its terminal
( cd "$data" && exec setsid "$JAVA" "${java_opts[@]}" -cp "$KAFKA_LIBS/*" kafka.Kafka "$props" \
    >"$brokerlog" 2>&1 </dev/null 9>&- ) &
pid=$!
mkdir -p "$(dirname "$pidfile")"
echo "$pid" >"$pidfile"
if (( no_wait )); then  # a node of a cluster: it answers once the quorum forms
  log "started node $node_id (pid $pid) on $bootstrap"
  exit 0
fi

fail() {
  log "error: $*"
  if [[ -f "$brokerlog" ]]; then
    log "---- last 30 lines of $brokerlog ----"
    tail -n 30 "$brokerlog" >&2
    log "----"
  fi
  if alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  exit 1
}

deadline=$((SECONDS + timeout))
until broker_answers; do
  alive "$pid" || { wait "$pid" 2>/dev/null && rc=0 || rc=$?; fail "broker exited during startup (exit code $rc)"; }
  (( SECONDS < deadline )) || fail "broker did not answer on $bootstrap within ${timeout}s"
  sleep 0.5
done
is_our_broker "$pid" "$props" || fail "pid $pid is not the broker process (unexpected)"

log "Kafka $version up on $bootstrap (pid $pid, $((SECONDS - started))s, log $brokerlog)"
echo "$bootstrap"
