#!/usr/bin/env bash
# Quick start: installs what is missing, builds, and runs `xyd serve` on the embedded log.
# Data stays under ./data unless XYD_DATA or --data says otherwise; other flags go to xyd serve.
#   --demo [N]   also fill the server with a demo dataset: starts serve in the background, waits
#                for /healthz, runs `xyd demo --seed 1 --enterprises N` (default 2000) against it,
#                then keeps serve running in the foreground (Ctrl-C stops it). That server does not
#                limit code sends and registrations per client address (--address-limit 0).
set -euo pipefail
[[ "${1:-}" == --help || "${1:-}" == -h ]] && { sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
demo=""
args=()
while [[ $# -gt 0 ]]; do
  if [[ "$1" == "--demo" ]]; then
    demo=2000
    if [[ $# -gt 1 && "$2" =~ ^[0-9]+$ ]]; then demo="$2"; shift; fi
  else
    args+=("$1")
  fi
  shift
done
"$root/ops/setup.sh"
xyd="${XYD_BUILD_DIR:-$root/build}/ops/xyd"
data="${XYD_DATA:-./data}"
if [[ -z "$demo" ]]; then
  echo "run.sh: a new installation has no account: stop serve, run '$xyd admin create --phone <your mobile>'," \
       "start again and log in (README, 'Identity and access'); or start with 'ops/run.sh --demo'" >&2
  exec "$xyd" serve --data "$data" --log embedded ${args[@]+"${args[@]}"}
fi

# With --demo: the same server, in the background until the demo has filled it.
for ((i = 0; i < ${#args[@]}; i++)); do  # the demo needs serve's --data and --http
  case "${args[$i]}" in
    --data) data="${args[$((i + 1))]}" ;;
    --data=*) data="${args[$i]#--data=}" ;;
    --http) export XYD_HTTP="${args[$((i + 1))]}" ;;
    --http=*) export XYD_HTTP="${args[$i]#--http=}" ;;
  esac
done
http="${XYD_HTTP:-http://127.0.0.1:8080}"
# --address-limit 0: the demo registers its enterprise users from this one address.
"$xyd" serve --data "$data" --log embedded --address-limit 0 ${args[@]+"${args[@]}"} &
serve=$!
trap 'kill -TERM "$serve" 2>/dev/null || true; wait "$serve" 2>/dev/null || true' INT TERM
for _ in $(seq 1 120); do
  curl -fsS "$http/healthz" >/dev/null 2>&1 && break
  kill -0 "$serve" 2>/dev/null || { echo "run.sh: xyd serve exited" >&2; exit 1; }
  sleep 0.5
done
if ! "$xyd" demo --seed 1 --enterprises "$demo" --data "$data" --http "$http"; then
  echo "run.sh: the demo stopped (see above); xyd serve keeps running" >&2
fi
echo "run.sh: xyd serve is running at $http (Ctrl-C stops it)" >&2
wait "$serve"
