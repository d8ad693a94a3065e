# shellcheck shell=bash
# Shared helpers for ops/kafka/{fetch,start,stop,tool}.sh. Sourced, not run.

KAFKA_OPS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KAFKA_CACHE="${XYD_KAFKA_CACHE:-$KAFKA_OPS_DIR/.cache}"
KAFKA_LIBS="$KAFKA_CACHE/libs"
# shellcheck disable=SC2034  # used by fetch.sh
KAFKA_M2="$KAFKA_CACHE/m2"
KAFKA_STAMP="$KAFKA_LIBS/.complete"

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  JAVA="${JAVA:-$JAVA_HOME/bin/java}"
else
  JAVA="${JAVA:-java}"
fi

log() { printf '%s\n' "$*" >&2; }
# A cluster of start.sh --nodes N: its folder (DATA, or .data-PORT-cluster) and node K's port.
cluster_root() { abspath "${2:-$KAFKA_OPS_DIR/.data-$1-cluster}"; }
node_port() { echo $(($1 + 2 * ($2 - 1))); }
# --nodes N is a whole number from 1 to 9.
check_nodes() { [[ "$1" =~ ^[1-9]$ ]] || die "bad --nodes: $1 (1 to 9)"; }

# The running script's usage: its header comment, from line 2 to `set -euo`.
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

kafka_version() {
  sed -n 's|.*<kafka.version>\(.*\)</kafka.version>.*|\1|p' "$KAFKA_OPS_DIR/pom.xml" | head -n1
}

# The stamp holds the pom's checksum: the libs folder is complete for exactly that pom.
pom_sum() { sha256sum "$KAFKA_OPS_DIR/pom.xml" | cut -d' ' -f1; }
libs_ready() { [[ -f "$KAFKA_STAMP" && "$(cat "$KAFKA_STAMP")" == "$(pom_sum)" ]]; }

# absolute path without requiring it to exist
abspath() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$(pwd)" "$1" ;;
  esac
}

port_ok() { [[ "$1" =~ ^[0-9]+$ ]] && (( $1 >= 1 && $1 <= 65535 )); }

# true when something accepts TCP connections on 127.0.0.1:$1
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# true when $1 is a live kafka.Kafka process started with properties file $2
is_our_broker() {
  local pid="$1" props="$2" a main=0
  local -a args=()
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  mapfile -d "" args 2>/dev/null <"/proc/$pid/cmdline" || return 1
  for a in "${args[@]}"; do
    if [[ "$a" == kafka.Kafka ]]; then main=1
    elif (( main )) && [[ "$a" == "$props" ]]; then return 0
    fi
  done
  return 1
}

# Prints the pid of the broker for properties file $1 (pid file $2 first, then a
# /proc scan, in case the pid file was lost). Returns 1 when none runs.
find_broker() {
  local props="$1" pidfile="$2" pid d
  if [[ -f "$pidfile" ]]; then
    pid="$(tr -dc '0-9' <"$pidfile")"
    if is_our_broker "$pid" "$props"; then printf '%s\n' "$pid"; return 0; fi
  fi
  for d in /proc/[0-9]*; do
    pid="${d#/proc/}"
    if is_our_broker "$pid" "$props"; then printf '%s\n' "$pid"; return 0; fi
  done
  return 1
}

# true while $1 runs (a zombie, exited but not yet reaped, counts as gone)
alive() {
  local st
  kill -0 "$1" 2>/dev/null || return 1
  st="$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null)"
  [[ "$st" != Z && "$st" != X ]]
}
