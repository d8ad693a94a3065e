#!/usr/bin/env bash
# Checks the layering the libraries promise, from the sources (run by CTest as layering_check):
#   - a header named *_internal.h or *_impl.h is included only from its own folder;
#   - the pure libraries (events/ and events/schema/, aggregates/, projections/ outside runtime/)
#     include no Kafka, RocksDB or HTTP header;
#   - the API reads views through projections/runtime/view_source.h: no RocksDB header in api/
#     and no projection runtime header but view_source.h, state_view.h and chain_audit.h, except
#     in the two operational route files that list, rebuild and probe the runtime itself
#     (projection_routes.h, probe_routes.h).
# Prints every breach with its file and line and exits 1 when there is one.
#
#   ops/check_layering.sh [--help]
set -euo pipefail
if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
  exit 0
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."
breaches=0
breach() {
  echo "layering: $*" >&2
  breaches=$((breaches + 1))
}

sources() { git ls-files -- "$@" 2>/dev/null | grep -E '\.(h|cc)$' || true; }

# Internal headers stay in their folder.
while IFS= read -r header; do
  folder=$(dirname "$header")
  while IFS=: read -r file line _; do
    [[ "$(dirname "$file")" == "$folder" ]] || breach "$file:$line includes $header, internal to $folder/"
  done < <(git grep -n "#include \"$header\"" -- '*.h' '*.cc' || true)
done < <(git ls-files -- '*_internal.h' '*_impl.h')

# The pure libraries link no I/O.
pure=(events/*.h events/*.cc events/schema aggregates/*.h aggregates/*.cc projections/*.h projections/*.cc
      projections/audit projections/dashboard projections/delinquency projections/risk projections/state
      projections/statistics)
while IFS= read -r file; do
  while IFS=: read -r line text; do
    breach "$file:$line: a pure library includes $text"
  done < <(grep -nE '#include <(rocksdb|librdkafka|cpprest)/' "$file" | sed 's/^\([0-9]*\):/\1:/' || true)
done < <(sources "${pure[@]}")

# The API reads views through ViewSource.
while IFS= read -r file; do
  while IFS=: read -r line text; do
    breach "$file:$line: the API includes $text (read views through projections/runtime/view_source.h)"
  done < <(grep -nE '#include (<rocksdb/|"projections/runtime/(store|worker|rocks_view|runtime|subscription_worker)\.h")' \
    "$file" || true)
done < <(sources api | grep -vE '^api/(projection|probe)_routes\.h$')

if ((breaches > 0)); then
  echo "layering: $breaches breach(es); see the rules in ops/check_layering.sh --help" >&2
  exit 1
fi
echo "layering: internal headers, pure libraries and the API's view access hold"
