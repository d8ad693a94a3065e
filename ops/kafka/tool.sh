#!/usr/bin/env bash
# Run a Kafka 3.9 CLI tool from the jars fetched for the local broker (the same
# tools as the kafka_2.13 distribution's bin/*.sh, without that download).
#
#   ops/kafka/tool.sh NAME|CLASS [ARGS...]
#
#   topics            org.apache.kafka.tools.TopicCommand              (kafka-topics.sh)
#   consumer-groups   org.apache.kafka.tools.consumer.group.ConsumerGroupCommand
#   transactions      org.apache.kafka.tools.TransactionsCommand
#   get-offsets       org.apache.kafka.tools.GetOffsetShell
#   delete-records    org.apache.kafka.tools.DeleteRecordsCommand
#   configs           kafka.admin.ConfigCommand
#   console-consumer  org.apache.kafka.tools.consumer.ConsoleConsumer
#   console-producer  kafka.tools.ConsoleProducer
#   storage           kafka.tools.StorageTool
#
# e.g. ops/kafka/tool.sh topics --bootstrap-server 127.0.0.1:19092 --list
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

case "${1:-}" in
  ""|-h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
  topics) cls=org.apache.kafka.tools.TopicCommand ;;
  consumer-groups) cls=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
  transactions) cls=org.apache.kafka.tools.TransactionsCommand ;;
  get-offsets) cls=org.apache.kafka.tools.GetOffsetShell ;;
  delete-records) cls=org.apache.kafka.tools.DeleteRecordsCommand ;;
  configs) cls=kafka.admin.ConfigCommand ;;
  console-consumer) cls=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
  console-producer) cls=kafka.tools.ConsoleProducer ;;
  storage) cls=kafka.tools.StorageTool ;;
  *.*) cls="$1" ;;
  *) die "unknown tool: $1 (see --help)" ;;
esac
shift

"$KAFKA_OPS_DIR/fetch.sh"
exec "$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -Dlog4j.configuration="file:$KAFKA_OPS_DIR/tools-log4j.properties" \
  -cp "$KAFKA_LIBS/*" "$cls" "$@"
