#!/usr/bin/env bash
# Start a single-node Apache Kafka 3.9 broker (KRaft, broker+controller in one JVM)
# on 127.0.0.1 for local development and tests, and wait until it answers.
#
#   ops/kafka/start.sh [--port N] [--controller-port N] [--data DIR] [--pidfile F]
#                      [--override KEY=VALUE]...
#
# --override adds/overrides one broker setting in DATA/server.properties (repeatable).
#
# Prints the bootstrap address (127.0.0.1:PORT) on stdout once the broker is up;
# everything else goes to stderr. If a broker started by this script already runs
# for that data dir, says so, prints the address and exits 0.
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
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

port_ok "$port" || die "bad port: $port"
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
  timeout 10 kcat -b "$bootstrap" -L -m 5 2>/dev/null | grep -q "broker 1 at 127.0.0.1:$port"
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
cat >"$props.tmp" <<PROPS
# Written by ops/kafka/start.sh on every start; edits here are lost.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
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

# single node: every internal topic and every write with one replica, so that
# idempotent producers, transactions and consumer groups work
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
min.insync.replicas=1
default.replication.factor=1
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
  cluster_id=-
  while [[ "$cluster_id" == -* ]]; do
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  done
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
