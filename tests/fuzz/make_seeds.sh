#!/usr/bin/env bash
# Regenerates the seeds that come from a real run (a developer's aid, not run by ops/test.sh):
# serves a small demo on a scratch embedded log, then writes, from what the log holds,
#   corpus/command_fuzz/<Name>.json  one command of each name (as xyd.commands holds it), and
#                                    <Name>-on-state.json, one on an aggregate of states.json
#   corpus/envelope_fuzz/<type>.json a few events of each aggregate (as xyd.events.* hold them)
#   states.json                      per aggregate type, the events of its longest history (<= 12)
#   tests/fuzz/make_seeds.sh [build folder, default build]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
xyd="$(cd "$here/../.." && pwd)/${1:-build}/ops/xyd"
data="$(mktemp -d)"
port=$((20000 + RANDOM % 5000))
"$xyd" serve --data "$data" --http "127.0.0.1:$port" >"$data.log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null || true; wait $serve 2>/dev/null || true; rm -rf "$data" "$data.log"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.3; done
"$xyd" demo --seed 2 --enterprises 6 --http "http://127.0.0.1:$port" --data "$data" >/dev/null
kill $serve; wait $serve 2>/dev/null || true

tail_topic() { "$xyd" log tail --topic "$1" --data "$data" 2>/dev/null; }
corpus="$here/corpus"
rm -f "$corpus"/command_fuzz/*.json "$corpus"/envelope_fuzz/*.json
states="{}"
ids=()
for aggregate in account enterprise institution product demand application; do
  events="$(tail_topic "xyd.events.$aggregate" | jq -c '.value')"
  n=0
  while read -r event; do
    type="$(jq -r '.type' <<<"$event")"
    [[ -f "$corpus/envelope_fuzz/$type.json" ]] || { printf '%s' "$event" >"$corpus/envelope_fuzz/$type.json"; }
  done <<<"$events"
  longest="$(jq -s -c 'group_by(.aggregateid) | max_by(length) | .[:12]' <<<"$events")"
  history="$(jq -c 'map({type, data})' <<<"$longest")"
  ids+=("$(jq -r '.[0].aggregateid' <<<"$longest")")
  states="$(jq -c --arg a "$aggregate" --argjson h "$history" '. + {($a): $h}' <<<"$states")"
done
jq . <<<"$states" >"$here/states.json"
# One command of each name, and every command of the aggregates states.json holds (by name):
# those pass the access check against a built state, so their decisions are reached.
tail_topic xyd.commands | jq -c '.value' | while read -r command; do
  name="$(jq -r '.name' <<<"$command")"
  id="$(jq -r '.aggregate_id' <<<"$command")"
  [[ -f "$corpus/command_fuzz/$name.json" ]] || printf '%s' "$command" >"$corpus/command_fuzz/$name.json"
  for state_id in "${ids[@]}"; do
    [[ "$id" == "$state_id" && ! -f "$corpus/command_fuzz/$name-on-state.json" ]] &&
      printf '%s' "$command" >"$corpus/command_fuzz/$name-on-state.json"
  done
done
echo "seeds: $(ls "$corpus/command_fuzz" | wc -l) commands, $(ls "$corpus/envelope_fuzz" | wc -l) events" >&2
