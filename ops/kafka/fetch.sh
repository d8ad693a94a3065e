#!/usr/bin/env bash
# Download the Kafka broker jars (see pom.xml) into ops/kafka/.cache/libs, once.
# Later runs return at once: libs/.complete holds the checksum of the pom they
# were fetched for. Env: XYD_KAFKA_CACHE (default ops/kafka/.cache).
set -euo pipefail
[[ "${1:-}" == --help || "${1:-}" == -h ]] && { sed -n '2,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

libs_ready && exit 0

command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
mkdir -p "$KAFKA_CACHE"

# One fetch at a time (two start.sh for two ports may race here).
exec 9>"$KAFKA_CACHE/.fetch.lock"
flock 9
libs_ready && exit 0

log "fetching Kafka $(kafka_version) jars from Maven Central (first run only)..."
started=$SECONDS
tmp="$KAFKA_LIBS.tmp.$$"
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
# mvn's output is kept aside and shown only on failure (Debian's Maven 3.8 prints
# stray ANSI resets even with -q -B).
mvnlog="$KAFKA_CACHE/fetch.log"
if ! mvn -q -B -f "$KAFKA_OPS_DIR/pom.xml" \
      -Dmaven.repo.local="$KAFKA_M2" \
      -Dkafka.libs.dir="$tmp" \
      dependency:copy-dependencies </dev/null >"$mvnlog" 2>&1; then
  sed 's/\x1b\[[0-9;]*m//g' "$mvnlog" >&2
  die "mvn dependency:copy-dependencies failed (log: $mvnlog)"
fi
ls "$tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || die "no kafka_2.13 jar in $tmp after mvn"
pom_sum >"$tmp/.complete"
rm -rf "$KAFKA_LIBS"
mv "$tmp" "$KAFKA_LIBS"
trap - EXIT
jars=("$KAFKA_LIBS"/*.jar)
log "fetched ${#jars[@]} jars into $KAFKA_LIBS in $((SECONDS - started))s"
